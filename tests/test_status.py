"""bookchain.status: what the execution-status page says about a chapter."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from bookchain.chapters import METADATA_KEY, Chapter, fingerprint, list_chapters
from bookchain.status import (
    KEY_PACKAGES,
    NOT_RECORDED,
    chapter_status,
    execution_record,
    status_tables,
)
from conftest import ROOT


@pytest.fixture()
def chapter(tmp_path: Path) -> Chapter:
    """A copy of the first chapter with its helpers, pins and toc."""
    for name in ("_toc.yml", "requirements.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "src" / "lmmbook", tmp_path / "src" / "lmmbook")
    first = list_chapters(ROOT)[0]
    (tmp_path / "book").mkdir()
    for path in (first.md, first.ipynb):
        shutil.copy(path, tmp_path / "book" / path.name)
    return Chapter(tmp_path, first.stem)


def record(chapter: Chapter, **metadata) -> None:
    nb = nbformat.read(chapter.ipynb, as_version=4)
    nb.metadata[METADATA_KEY] = metadata
    nbformat.write(nb, chapter.ipynb)


def test_a_recorded_execution_is_reported_up_to_date(chapter):
    nb = nbformat.read(chapter.ipynb, as_version=4)
    when = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    record(chapter, inputs=fingerprint(chapter), **execution_record(nb, 12.34, when))
    status = chapter_status(chapter)
    assert status["executed"] == "2026-03-04 05:06"
    assert status["seconds"] == 12.3
    assert status["result"] == "passed"
    assert status["up_to_date"]
    assert set(status["packages"]) == set(KEY_PACKAGES)
    assert status["python"].count(".") == 2


def test_a_code_edit_makes_the_stored_outputs_out_of_date(chapter):
    record(chapter, inputs=fingerprint(chapter))
    chapter.md.write_text(chapter.md.read_text().replace("RNG_SEED = 42", "RNG_SEED = 43", 1))
    assert not chapter_status(chapter)["up_to_date"]


def test_an_older_notebook_falls_back_on_the_cells_timestamps(chapter):
    record(chapter, inputs=fingerprint(chapter))
    nb = nbformat.read(chapter.ipynb, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        cell.metadata["execution"] = {
            "iopub.execute_input": f"2026-01-01T10:00:{2 * i:02d}.000000Z",
            "shell.execute_reply": f"2026-01-01T10:00:{2 * i + 1:02d}.000000Z",
        }
    nbformat.write(nb, chapter.ipynb)
    status = chapter_status(chapter)
    assert status["executed"] == "2026-01-01 10:00"
    assert status["seconds"] == 2 * len(code) - 1
    assert status["packages"] == {}
    tables = status_tables([chapter])
    assert NOT_RECORDED in tables and f"{{doc}}`/{chapter.stem}`" in tables


def test_a_notebook_with_an_unexecuted_cell_is_reported(chapter):
    nb = nbformat.read(chapter.ipynb, as_version=4)
    next(c for c in nb.cells if c.cell_type == "code").execution_count = None
    nbformat.write(nb, chapter.ipynb)
    assert chapter_status(chapter)["result"].startswith("not executed")


def test_a_chapter_never_executed(chapter):
    chapter.ipynb.unlink()
    status = chapter_status(chapter)
    assert status["result"] == "never executed" and not status["up_to_date"]
