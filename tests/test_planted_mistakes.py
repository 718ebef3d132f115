"""The checks catch what they claim: plant each kind of mistake in a temporary
copy of the book and show that the chain fails with a message naming the file.

Each test copies the project (first chapter only), plants one mistake, runs the
real check (the chain tests, nbval, or the HTML build) in a subprocess, and
asserts that it fails and names the planted file. A control test shows that the
untouched copy passes every one of these checks, so a failure is the mistake's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

CHAPTER = "01-simulating-nested-data"
BIN = Path(sys.executable).parent


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """A copy of the project. The checks below look at the first chapter only; the build
    needs the whole book, since the chapter links to the glossary and to later chapters."""
    for name in ("_config.yml", "_toc.yml", "references.bib", "pyproject.toml", "requirements.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=skip)
    shutil.copytree(ROOT / "tests", tmp_path / "tests", ignore=skip)
    shutil.copytree(ROOT / "book", tmp_path / "book", ignore=skip)
    if (ROOT / "_static").exists():
        shutil.copytree(ROOT / "_static", tmp_path / "_static", ignore=skip)
    return tmp_path


def run(book: Path, *args: str) -> subprocess.CompletedProcess:
    """Run a command in the copy, importing the copy's helpers (not the installed ones)."""
    env = {**os.environ, "PYTHONPATH": str(book / "src"), "MPLBACKEND": "Agg"}
    return subprocess.run(args, cwd=book, env=env, capture_output=True, text=True, timeout=600)


def chain(book: Path) -> subprocess.CompletedProcess:
    return run(book, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
               "tests/test_chain.py", "-k", CHAPTER)


def nbval(book: Path) -> subprocess.CompletedProcess:
    return run(book, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval",
               "--nbval-current-env", "--nbval-sanitize-with", "tests/sanitize.cfg",
               f"book/{CHAPTER}.ipynb")


def build(book: Path) -> subprocess.CompletedProcess:
    return run(book, str(BIN / "jupyter-book"), "build", ".", "--warningiserror", "--nitpick",
               "--keep-going")


def edit_notebook(book: Path, change) -> None:
    """Apply ``change(nb_json)`` to the stored .ipynb of the chapter."""
    path = book / "book" / f"{CHAPTER}.ipynb"
    nb = json.loads(path.read_text())
    change(nb)
    path.write_text(json.dumps(nb, indent=1))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def replace_in_pair(book: Path, old: str, new: str) -> None:
    """Edit the same code in the .md and the .ipynb (a consistent pair)."""
    md = book / "book" / f"{CHAPTER}.md"
    assert old in md.read_text()
    md.write_text(md.read_text().replace(old, new, 1))

    def change(nb):
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            if old in src:
                cell["source"] = src.replace(old, new, 1)
                return
        raise AssertionError(f"{old!r} not in notebook")

    edit_notebook(book, change)


def assert_fails_naming(result: subprocess.CompletedProcess, name: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"the check passed despite the planted mistake:\n{output[-2000:]}"
    assert name in output, f"the failure does not name {name}:\n{output[-2000:]}"


def test_control_untouched_copy_passes_every_check(book):
    for check in (chain, nbval, build):
        result = check(book)
        assert result.returncode == 0, f"{check.__name__} fails on the untouched copy:\n" + (
            result.stdout + result.stderr
        )[-3000:]


def test_stored_output_that_no_longer_matches_its_code(book):
    def change(nb):
        cell = next(c for c in code_cells(nb) if "".join(c["source"]).rstrip().endswith("df.shape"))
        cell["outputs"][0]["data"]["text/plain"] = "(151, 3)"

    edit_notebook(book, change)
    assert_fails_naming(nbval(book), f"{CHAPTER}.ipynb")


def test_md_edited_without_its_ipynb(book):
    md = book / "book" / f"{CHAPTER}.md"
    md.write_text(md.read_text().replace("RNG_SEED = 42", "RNG_SEED = 41", 1))
    result = chain(book)
    assert_fails_naming(result, f"{CHAPTER}.md")
    assert "out of sync" in result.stdout


def test_unexecuted_cell(book):
    def change(nb):
        cell = code_cells(nb)[2]
        cell["execution_count"], cell["outputs"] = None, []

    edit_notebook(book, change)
    result = chain(book)
    assert_fails_naming(result, f"{CHAPTER}.ipynb")
    assert "never executed" in result.stdout


def test_chapter_cell_that_raises(book):
    replace_in_pair(book, "truth = df.attrs[\"truth\"]", "truth = df.attrs[\"no such key\"]")
    result = nbval(book)
    assert_fails_naming(result, f"{CHAPTER}.ipynb")
    assert "KeyError" in result.stdout


def test_claim_that_stops_holding(book):
    replace_in_pair(book, "assert between_sd > 2.5 * sd_without_schools",
                    "assert between_sd > 25 * sd_without_schools")
    result = nbval(book)
    assert_fails_naming(result, f"{CHAPTER}.ipynb")
    assert "AssertionError" in result.stdout


def test_broken_cross_reference(book):
    def change(nb):
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and "{numref}`fig-school-scatter`" in src:
                cell["source"] = src.replace("{numref}`fig-school-scatter`", "{numref}`fig-missing`")
                return
        raise AssertionError("no cross-reference to break")

    edit_notebook(book, change)
    result = build(book)
    assert_fails_naming(result, f"{CHAPTER}.ipynb")
    assert "fig-missing" in result.stdout + result.stderr


def test_helper_returning_a_wrong_number(book):
    simulate = book / "src" / "lmmbook" / "simulate.py"
    text = simulate.read_text()
    wrong = re.sub(r"score = intercept \+ slope \* hours", "score = intercept + 1.01 * slope * hours", text)
    assert wrong != text
    simulate.write_text(wrong)
    assert_fails_naming(nbval(book), f"{CHAPTER}.ipynb")
    result = chain(book)
    assert_fails_naming(result, f"{CHAPTER}.ipynb")
    assert "other code or helpers" in result.stdout
