"""Same inputs, same book: executing a chapter again gives byte-identical text
outputs, and building the book twice gives identical HTML (build timestamps aside).

The re-execution is nbval's (``make nbval``): it executes every chapter afresh and
compares every text output with the stored one, masking only what
``tests/sanitize.cfg`` lists (memory addresses). The test here makes sure that the
mask hides nothing: no stored text output holds a pattern nbval would mask, so a
second execution that changed any text fails nbval. Images and widget views are
left out, as nbval leaves them out; the plot helpers are tested on what they draw.
"""

from __future__ import annotations

import configparser
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


def masked_patterns() -> dict[str, re.Pattern]:
    """The regular expressions nbval masks before comparing (tests/sanitize.cfg)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "sanitize.cfg")
    return {name: re.compile(config[name]["regex"]) for name in config.sections()}


def test_sanitizing_masks_only_memory_addresses():
    assert set(masked_patterns()) == {"memory addresses"}, (
        "tests/sanitize.cfg masks more than memory addresses: each mask hides a difference "
        "nbval would otherwise catch; say why in the file and here")


@pytest.mark.parametrize("chapter", list_chapters(ROOT), ids=lambda c: c.name)
def test_no_stored_output_holds_what_nbval_masks(chapter):
    found = [(cell, kind, name) for cell, kind, text in text_outputs(chapter.ipynb)
             for name, pattern in masked_patterns().items() if pattern.search(text)]
    assert not found, (
        f"{chapter.stem}.ipynb: outputs (code cell, kind, mask) {found} hold text that nbval "
        "masks, so it would not notice if a second execution changed it; print something "
        "that does not vary (no object reprs with addresses)"
    )


def run(cwd: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(cwd / "src")}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"


TIMESTAMP = re.compile(r"(Last updated on|Copyright)[^<]*|\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?")


@pytest.mark.slow
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
