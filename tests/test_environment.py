"""One list of pins (requirements.txt); environment.yml, pyproject and the
README/CI commands must agree with it."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from conftest import ROOT


def pins_in(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        pins[req.name.lower()] = str(req.specifier)
    return pins


def requirements() -> dict[str, str]:
    return pins_in((ROOT / "requirements.txt").read_text().splitlines())


def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def environment_pip() -> list[str]:
    deps = environment()["dependencies"]
    return next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)


def test_requirements_are_exact_pins():
    loose = {name: spec for name, spec in requirements().items() if not spec.startswith("==")}
    assert not loose, f"requirements.txt: every package must be pinned with ==, not {loose}"


def test_environment_yml_states_the_same_pins():
    req, env = requirements(), pins_in(environment_pip())
    assert env == req, (
        "environment.yml and requirements.txt disagree: "
        f"only in requirements.txt {sorted(set(req.items()) - set(env.items()))}, "
        f"only in environment.yml {sorted(set(env.items()) - set(req.items()))}"
    )


def test_environment_yml_installs_the_package():
    assert "-e ." in environment_pip(), "environment.yml must install the book's package (-e .)"


def test_environment_python_satisfies_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    python = next(d for d in environment()["dependencies"] if isinstance(d, str) and d.startswith("python"))
    version = python.split("=", 1)[1]
    assert version in SpecifierSet(project["requires-python"]), (
        f"environment.yml has {python}, pyproject.toml requires {project['requires-python']}"
    )


def test_package_dependencies_are_pinned_and_satisfied():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    req = requirements()
    for dep in map(Requirement, project["dependencies"]):
        assert dep.name.lower() in req, f"pyproject.toml needs {dep.name}, not pinned in requirements.txt"
        pinned = req[dep.name.lower()].removeprefix("==")
        assert pinned in dep.specifier, f"pinned {dep.name}=={pinned} violates pyproject.toml {dep}"


def test_readme_and_ci_run_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    for command in ("make book", "make test"):
        assert command in readme, f"README.md must document `{command}`"
    assert "set -euo pipefail" in ci, ".ci/run must stop at the first failure"
    assert re.search(r"^make test$.*^make book$", ci, re.M | re.S), ".ci/run must run make test, then make book"
