"""Same inputs, same book: executing a chapter again gives byte-identical text
outputs, and building the book twice gives identical HTML (build timestamps aside).

The stored notebooks are one execution; the test executes every chapter once more
in a temporary copy (without nbval's sanitizing) and compares every text output
byte for byte. Images and widget views are left out: nbval does not compare them either, and the
plot helpers are tested on what they draw.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bookchain.chapters import list_chapters
from conftest import ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SKIP = shutil.ignore_patterns(".venv", ".git", "_build", "__pycache__", "*.egg-info",
                              ".pytest_cache", ".ipynb_checkpoints")


#: A progress-bar widget's view holds a random model id (nbval skips it too);
#: its text/plain form is compared.
UNCOMPARED = {"application/vnd.jupyter.widget-view+json"}


def text_outputs(path: Path) -> list[tuple[int, str, str]]:
    """(code cell index, kind, text) for every non-image output of a notebook."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for out in cell.outputs:
            if out.output_type == "stream":
                found.append((i, out.name, out.text))
            for mime, value in out.get("data", {}).items():
                if not mime.startswith("image/") and mime not in UNCOMPARED:
                    found.append((i, mime, value if isinstance(value, str) else repr(value)))
    return found


def run(cwd: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(cwd / "src")}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"


@pytest.fixture(scope="module")
def executed_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("again") / "book"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    run(copy, sys.executable, "-m", "bookchain.execute", "--all")
    return copy


@pytest.mark.parametrize("chapter", list_chapters(ROOT), ids=lambda c: c.name)
def test_executing_again_gives_identical_text_outputs(executed_copy, chapter):
    stored = text_outputs(chapter.ipynb)
    again = text_outputs(executed_copy / "book" / chapter.ipynb.name)
    differing = [a[:2] for a, b in zip(stored, again) if a != b]
    assert len(stored) == len(again) and not differing, (
        f"{chapter.stem}.ipynb: a second execution changes the text of outputs "
        f"(code cell, kind) {differing or 'count'}"
    )


TIMESTAMP = re.compile(r"(Last updated on|Copyright)[^<]*|\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?")


def test_building_twice_gives_identical_html(tmp_path):
    pages = []
    for name in ("first", "second"):
        copy = tmp_path / name
        shutil.copytree(ROOT, copy, ignore=SKIP)
        run(copy, str(BIN / "jupyter-book"), "build", ".", "--warningiserror", "--keep-going")
        site = copy / "_build" / "html"
        pages.append({p.relative_to(site): TIMESTAMP.sub("", p.read_text())
                      for p in site.rglob("*.html")})
    first, second = pages
    assert first.keys() == second.keys()
    differing = sorted(str(p) for p in first if first[p] != second[p])
    assert not differing, f"building twice gives different HTML in {differing}"
