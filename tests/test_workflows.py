"""The GitHub Actions workflows: linted by actionlint and zizmor (both from the
lock), and the publishing workflow's shape (least privilege, what it runs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PUBLISH = ROOT / ".github" / "workflows" / "publish.yml"


def lint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint(workflow):
    proc = lint("actionlint", "-no-color", str(workflow.relative_to(ROOT)))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor():
    # --offline: make test reaches no network; the pedantic persona is the strictest.
    proc = lint("zizmor", "--offline", "--persona", "pedantic", "--no-progress", ".github/workflows")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def publish() -> dict:
    return yaml.safe_load(PUBLISH.read_text())


def test_publish_has_least_privilege():
    workflow = publish()
    assert workflow["permissions"] == {}, "no permissions by default"
    jobs = workflow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for job in jobs.values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_publish_runs_the_two_commands_and_deploys_the_site():
    workflow = publish()
    build = workflow["jobs"]["build"]
    runs = [step.get("run", "") for step in build["steps"]]
    assert runs.index("make test") < runs.index("make book")
    assert build["env"]["BOOK_REPOSITORY"] == "${{ github.repository }}"
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]["steps"]
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy)
