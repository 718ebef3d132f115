"""bookchain: which edits make a chapter stale, and the pair comparison."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bookchain.chapters import Chapter, compare_pair, fingerprint, helper_modules, list_chapters
from conftest import ROOT

PACKAGE = ROOT / "src" / "lmmbook"


def test_helper_modules_follow_imports_transitively():
    found = {p.name for p in helper_modules("from lmmbook.models import icc_from_fit", PACKAGE)}
    assert {"__init__.py", "models.py", "validation.py"} <= found
    assert not any(p.parent.name == "plotting" for p in helper_modules(
        "from lmmbook.models import icc_from_fit", PACKAGE))
    found = {p.relative_to(PACKAGE).as_posix()
             for p in helper_modules("from lmmbook import simulate, plotting", PACKAGE)}
    assert {"simulate.py", "plotting/__init__.py", "plotting/base.py", "validation.py"} <= found
    assert {p.name for p in helper_modules("import numpy", PACKAGE)} == {"__init__.py"}


def test_helper_modules_follow_a_subpackage_into_all_of_its_files():
    """Importing one name from the plotting package runs its __init__, which imports
    every submodule: a change to any of them must change the fingerprint."""
    found = helper_modules("from lmmbook.plotting import plot_coverage", PACKAGE)
    submodules = set((PACKAGE / "plotting").glob("*.py"))
    assert submodules and submodules <= set(found)
    deep = helper_modules("from lmmbook.plotting.base import new_figure", PACKAGE)
    assert submodules <= set(deep)


@pytest.fixture()
def book_copy(tmp_path: Path) -> Chapter:
    """A copy of the project's first chapter, helpers and toc in a temporary folder."""
    for name in ("_toc.yml", "requirements.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(PACKAGE, tmp_path / "src" / "lmmbook")
    first = list_chapters(ROOT)[0]
    (tmp_path / "book").mkdir()
    for path in (first.md, first.ipynb):
        shutil.copy(path, tmp_path / "book" / path.name)
    return Chapter(tmp_path, first.stem)


def test_prose_edit_keeps_the_fingerprint(book_copy):
    before = fingerprint(book_copy)
    text = book_copy.md.read_text().replace("## Overview\n", "## Overview\n\nA new sentence.\n", 1)
    book_copy.md.write_text(text)
    assert fingerprint(book_copy) == before


def test_code_edit_changes_the_fingerprint(book_copy):
    before = fingerprint(book_copy)
    book_copy.md.write_text(book_copy.md.read_text().replace("RNG_SEED = 42", "RNG_SEED = 43", 1))
    assert fingerprint(book_copy) != before


def test_helper_edit_changes_the_fingerprint_of_importers_only(book_copy):
    before = fingerprint(book_copy)
    models = book_copy.root / "src" / "lmmbook" / "models.py"
    models.write_text(models.read_text() + "\n# edited\n")
    imports_models = "lmmbook.models" in book_copy.md.read_text()
    assert (fingerprint(book_copy) != before) == imports_models
    simulate = book_copy.root / "src" / "lmmbook" / "simulate.py"
    simulate.write_text(simulate.read_text() + "\n# edited\n")
    assert fingerprint(book_copy) != before


def test_compare_pair_names_the_first_difference(book_copy):
    assert compare_pair(book_copy) == []
    book_copy.md.write_text(book_copy.md.read_text().replace("RNG_SEED = 42", "RNG_SEED = 7", 1))
    problems = compare_pair(book_copy)
    assert problems and "differs" in problems[0]
