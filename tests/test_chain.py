"""The verification chain (GUIDE section 2), one test per link and chapter.

Each failure names the chapter file and says how to mend it. nbval (the
re-execution and comparison of stored outputs) runs separately: `make nbval`.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from bookchain.chapters import (
    compare_pair,
    fingerprint,
    list_chapters,
    stored_fingerprint,
    unexecuted_cells,
)
from bookchain.colab import expected_block, is_colab_cell, is_current
from conftest import ROOT

CHAPTERS = list_chapters(ROOT)
IDS = [c.name for c in CHAPTERS]


def load(chapter) -> nbformat.NotebookNode:
    return nbformat.read(chapter.ipynb, as_version=4)


def test_toc_lists_at_least_six_chapters():
    assert len(CHAPTERS) >= 6, f"_toc.yml lists {len(CHAPTERS)} numbered chapters, need >= 6"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_pair_exists(chapter):
    missing = [p.name for p in (chapter.md, chapter.ipynb) if not p.exists()]
    assert not missing, f"{chapter.stem}: missing {missing} (write the .md, then `make execute`)"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_pair_in_sync(chapter):
    problems = compare_pair(chapter)
    assert not problems, (
        f"{chapter.stem}.md and {chapter.stem}.ipynb are out of sync: {'; '.join(problems)}. "
        "Run `make execute`."
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_every_code_cell_executed(chapter):
    missing = unexecuted_cells(chapter)
    assert not missing, (
        f"{chapter.stem}.ipynb: code cells {missing} were never executed "
        "(nbval would skip them). Run `make execute`."
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_outputs_from_current_code_and_helpers(chapter):
    assert stored_fingerprint(chapter) == fingerprint(chapter), (
        f"{chapter.stem}.ipynb was executed with other code or helpers than "
        f"{chapter.stem}.md and src/lmmbook now hold. Run `make execute`."
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_no_errors_or_warnings_in_outputs(chapter):
    bad = []
    for i, cell in enumerate(c for c in load(chapter).cells if c.cell_type == "code"):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                bad.append(f"code cell {i}: {out.ename}")
            elif out.output_type == "stream" and out.name == "stderr":
                bad.append(f"code cell {i}: stderr {out.text.strip()[:80]!r}")
    assert not bad, f"{chapter.stem}.ipynb stores errors or warnings: {bad}"


# --- the house style that keeps the prose honest (GUIDE section 3) -------------

NUMBER = re.compile(r"(?<![\w.$`])-?\d+\.\d+(?![\w.])")


def prose_without_markup(text: str) -> str:
    """Markdown with math, code, roles and directive options removed."""
    for pattern, flags in (
        (r"\$\$.*?\$\$", re.S),
        (r"\$[^$\n]+\$", 0),
        (r"```.*?```", re.S),
        (r"\{[\w:-]+\}`[^`]*`", 0),
        (r"`[^`]*`", 0),
        (r"^\s*:[\w-]+:.*$", re.M),
        (r"\[[^\]]*\]\([^)]*\)", 0),
    ):
        text = re.sub(pattern, " ", text, flags=flags)
    return text


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_no_hand_typed_numbers_in_prose(chapter):
    typed = [
        m.group(0)
        for cell in load(chapter).cells
        if cell.cell_type == "markdown"
        for m in NUMBER.finditer(prose_without_markup(cell.source))
    ]
    assert not typed, f"{chapter.stem}.md types numbers into prose (glue them): {typed}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_glued_names_are_defined(chapter):
    nb = load(chapter)
    used = {
        m.group(1)
        for c in nb.cells
        if c.cell_type == "markdown"
        for m in re.finditer(r"\{glue(?::\w+)?\}`([\w-]+)", c.source)
    }
    defined = {
        m.group(1)
        for c in nb.cells
        if c.cell_type == "code"
        for m in re.finditer(r"glue\(\s*[\"']([\w-]+)[\"']", c.source)
    }
    assert used <= defined, f"{chapter.stem}.md uses glue names never glued: {sorted(used - defined)}"


def hidden_assert_cells(nb) -> list:
    return [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and "remove-cell" in c.metadata.get("tags", [])
        and re.search(r"^\s*assert\b", c.source, re.M)
    ]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_claims_are_asserted(chapter):
    assert hidden_assert_cells(load(chapter)), (
        f"{chapter.stem}.md has no remove-cell cell asserting its claims"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_chapter_layout(chapter):
    nb = load(chapter)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    # The Colab install cell (hidden from the website) comes first; the setup cell next.
    code = [c.source for c in nb.cells if c.cell_type == "code" and not is_colab_cell(c.source)]
    problems = []
    if not re.search(r"^# \S", text, re.M):
        problems.append("no '# Title'")
    # Appendices (book/9N-*) are reference pages: no exercises required.
    appendix = chapter.name.startswith("9")
    headings = ("## Overview", "## Key points", "## Further reading")
    for heading in headings if appendix else (*headings, "## Exercises"):
        if heading not in text:
            problems.append(f"no '{heading}' section")
    if not code or "lmmbook" not in code[0] or "%matplotlib inline" not in code[0]:
        problems.append("first code cell is not the setup cell (%matplotlib inline, lmmbook imports)")
    exercises = re.findall(r"```\{exercise-start\}\n:label: ([\w-]+)", text)
    solutions = re.findall(r"```\{solution-start\} ([\w-]+)", text)
    if len(exercises) < 3 and not appendix:
        problems.append(f"{len(exercises)} exercises (need >= 3)")
    if sorted(exercises) != sorted(solutions):
        problems.append(f"exercises {exercises} vs solutions {solutions}")
    bullets = re.search(r"## Key points\n+((?:- .*\n(?:  .*\n)*)+)", text + "\n")
    if not bullets or not 3 <= len(re.findall(r"^- ", bullets.group(1), re.M)) <= 5:
        problems.append("Key points must be 3 to 5 bullets")
    assert not problems, f"{chapter.stem}.md: {'; '.join(problems)}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_figures_have_caption_name_and_alt_text(chapter):
    bad = []
    for i, cell in enumerate(c for c in load(chapter).cells if c.cell_type == "code"):
        has_image = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        if not has_image:
            continue
        meta = cell.metadata.get("mystnb", {})
        figure, image = meta.get("figure", {}), meta.get("image", {})
        if not (figure.get("caption") and figure.get("name") and image.get("alt")):
            bad.append(f"code cell {i}")
        for out in cell.outputs:
            if "image/png" in out.get("data", {}):
                kib = len(out.data["image/png"]) * 3 / 4 / 1024
                if kib > 150:
                    bad.append(f"code cell {i}: figure of {kib:.0f} KiB > 150 KiB")
    assert not bad, f"{chapter.stem}.md: figures need mystnb caption, name and alt: {bad}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_glued_values_are_plain_numbers_or_text(chapter):
    """{glue:text}`x:.2f` parses the stored repr; numpy 2 reprs (np.float64(...)) fail."""
    bad = []
    for cell in load(chapter).cells:
        for out in cell.get("outputs", []):
            for mime, value in out.get("data", {}).items():
                if mime.startswith("application/papermill.record/text/plain") and value.startswith("np."):
                    bad.append(value)
    assert not bad, f"{chapter.stem}.md glues numpy scalars (wrap them in float()/int()): {bad}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_colab_install_cell_is_first_and_current(chapter):
    """A chapter opened in Colab installs what Colab lacks in its first code cell; the
    cell must name the book's current repository and pins (`make colab` updates it)."""
    assert is_current(chapter.md, expected_block(chapter.root)), (
        f"{chapter.stem}.md: the Colab install cell is missing or stale: run `make colab`, "
        "then `make execute`"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_each_glue_name_is_glued_once(chapter):
    """myst-nb refuses a name glued twice in one notebook (a -W build error)."""
    names = re.findall(r'glue\(\s*"([\w-]+)"', chapter.md.read_text())
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"{chapter.stem}.md glues these names more than once: {twice}"
