"""The reader notebooks (bookchain.reader): each chapter as a plain notebook for Binder, Colab
and the download menu.

First the committed ``notebooks/`` against what the executed chapters give (the same bytes,
no MyST left, valid nbformat, the chapter's code in order); then each conversion on small
hand-made notebooks (glue, roles, citations, admonitions, exercises and solutions, figure
captions, hidden cells), bad input, ``--check``, and the website's download menu and launch
buttons (the hook, on a fake page context).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import nbformat
import pytest

from bookchain import downloads, reader
from bookchain.chapters import list_chapters
from conftest import ROOT

CHAPTERS = [c for c in list_chapters(ROOT) if c.ipynb.exists()]
IDS = [c.name for c in CHAPTERS]
#: MyST that must not survive into a reader notebook's Markdown.
MYST = ("{glue", "{ref}", "{cite", "{term}", "{numref}", "{eq}", "{doc}", "```{", ":::{")
_TARGET_LINE = re.compile(r"^\([\w.:-]+\)=", re.M)


@pytest.fixture(scope="module")
def expected():
    """Every reader notebook as the generator writes it: path to bytes."""
    return reader.expected_notebooks(ROOT)


def markdown_of(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def code_without_title(source: str) -> str:
    return re.sub(r"\A# @title [^\n]*\n", "", source)


# --- the committed reader notebooks --------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_committed_reader_notebook_is_current(expected, chapter):
    path = reader.reader_path(chapter)
    rel = path.relative_to(ROOT)
    assert path.exists(), f"{rel} is missing: run `python -m bookchain.reader --write` (or `make execute`)"
    assert path.read_bytes() == expected[path], (
        f"{rel} differs from what {chapter.stem}.ipynb gives: run `python -m bookchain.reader --write`")


def test_no_reader_notebook_without_a_chapter(expected):
    extra = [p.name for p in sorted((ROOT / reader.READER_DIR).glob("*.ipynb")) if p not in expected]
    assert not extra, f"reader notebooks of no chapter in _toc.yml: {extra}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_reader_markdown_holds_no_myst(expected, chapter):
    nb = nbformat.reads(expected[reader.reader_path(chapter)].decode(), as_version=4)
    text = markdown_of(nb)
    left = [m for m in MYST if m in text] + _TARGET_LINE.findall(text)
    assert not left, f"{reader.READER_DIR}/{chapter.name}.ipynb still holds MyST: {left}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_reader_notebook_keeps_the_chapters_code_and_outputs(expected, chapter):
    source = nbformat.read(chapter.ipynb, as_version=4)
    nb = nbformat.reads(expected[reader.reader_path(chapter)].decode(), as_version=4)
    nbformat.validate(nb)
    ours = [c for c in nb.cells if c.cell_type == "code"]
    theirs = [c for c in source.cells if c.cell_type == "code"]
    assert [code_without_title(c.source) for c in ours] == [c.source for c in theirs], (
        "the reader notebook must run the chapter's code cells, in order")
    images = [sum("image/png" in o.get("data", {}) for o in c.outputs) for c in ours]
    assert images == [sum("image/png" in o.get("data", {}) for o in c.outputs) for c in theirs]
    assert nb.cells[0].cell_type == "markdown" and f"book/{chapter.name}.md" in nb.cells[0].source
    assert "lmmbook" not in nb.metadata and "jupytext" not in nb.metadata, "no execution record, no pairing"
    assert all("execution" not in c.metadata for c in nb.cells), "no cell timings"


def test_generation_is_deterministic():
    chapter = CHAPTERS[0]
    index = reader.book_index(ROOT)
    first = reader.expected_notebooks(ROOT, [chapter], index)
    assert reader.expected_notebooks(ROOT, [chapter], reader.book_index(ROOT)) == first


# --- the conversions, on hand-made notebooks --------------------------------------------

INDEX = reader.BookIndex(
    titles={"ch-ols": "The naive OLS pitfall", "sec-digits": "Are the printed digits the optimum's?",
            "book/references": "References"},
    numbers={"fig-a": "Fig. 3.1", "eq-a": "(3.1)", "ex-a": "Exercise 3.1", "ex-b": "Exercise 3.2"},
    chapters={"03-test": "3", "91-appendix": ""},
    works=reader.parse_bib(
        "@book{kish1965, author = {Kish, Leslie}, title = {Survey Sampling}, publisher = {Wiley}, year = 1965}\n"
        "@article{bates2015, author = {Bates, D. and M{\\\"a}chler, M. and Bolker, B.}, title = {Fitting {lme4}},"
        " journal = {JSS}, year = 2015}"),
)


def glue_output(name: str, value: str) -> dict:
    return nbformat.v4.new_output("display_data", data={f"{reader.GLUE_MIME}text/plain": value},
                                  metadata={"scrapbook": {"name": name, "mime_prefix": reader.GLUE_MIME}})


def make_notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    for n, cell in enumerate(nb.cells):
        cell["id"] = f"c{n}"
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "jupytext": {"formats": "ipynb,md:myst"}, "lmmbook": {"executed": "2026-01-01"}}
    return nb


def code(source: str = "x = 1", tags=(), outputs=(), **metadata) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, execution_count=1, outputs=list(outputs))
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.metadata.update(metadata)
    cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    return cell


def md(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def convert(*cells, chapter: str = "03-test") -> nbformat.NotebookNode:
    return reader.reader_notebook(make_notebook(*cells), chapter, INDEX)


def test_glue_is_written_in_with_its_format_and_glue_records_are_dropped():
    nb = convert(code("glue(...)", tags=["remove-cell"], outputs=[glue_output("tau2", "54.3249"),
                                                                 glue_output("method", "'REML'")]),
                 md("$\\hat\\tau^2$ = {glue:text}`tau2:.2f` by {glue}`method`, {glue:text}`tau2:.0f`."))
    assert nb.cells[-1].source == "$\\hat\\tau^2$ = 54.32 by REML, 54."
    assert nb.cells[1].outputs == [], "a glue record renders as nothing in Jupyter"


def test_a_missing_glued_value_is_named_with_its_chapter():
    with pytest.raises(ValueError, match=r"03-test.*'tau2'"):
        convert(md("{glue:text}`tau2:.2f`"))


def test_an_unknown_label_is_named_with_its_chapter():
    with pytest.raises(ValueError, match=r"03-test.*'ch-nowhere'"):
        convert(md("See {ref}`ch-nowhere`."))


def test_references_terms_and_math_become_plain_text():
    nb = convert(md("(sec-x)=\n## X\n\n{ref}`ch-ols`, {ref}`sec-digits`, {numref}`fig-a`, equation {eq}`eq-a`, "
                    "{numref}`ex-b`, {doc}`references`, {ref}`that chapter <ch-ols>`, "
                    "{term}`ICC <icc>`, {term}`random intercept`, {math}`\\tau^2`."))
    assert nb.cells[1].source == (
        "## X\n\n*The naive OLS pitfall*, *Are the printed digits the optimum's?*, Fig. 3.1, equation (3.1), "
        "Exercise 3.2, *References*, that chapter, ICC, random intercept, $\\tau^2$.")


def test_citations_are_author_year_and_listed_at_the_end():
    nb = convert(md("As {cite:t}`bates2015` show {cite:p}`kish1965,bates2015`."))
    assert nb.cells[1].source == "As Bates et al. (2015) show (Kish 1965; Bates et al. 2015)."
    works = nb.cells[-1].source
    assert works.startswith("## Works cited") and "Mächler" in works and "Kish, L. (1965). Survey Sampling." in works


def test_labelled_equations_carry_their_number():
    nb = convert(md("$$\ny = x\n$$ (eq-a)\n\nThen {eq}`eq-a`."))
    assert nb.cells[1].source == "$$\ny = x\n\\tag{3.1}\n$$\n\nThen (3.1)."


def test_admonitions_become_block_quotes_with_a_bold_title():
    nb = convert(md("```{note}\nA {term}`BLUP`.\n```\n\n:::{warning}\nCareful.\n:::\n\n"
                    "```{admonition} Why REML?\n:class: tip\n\nBecause.\n```"))
    assert nb.cells[1].source == ("> **Note**\n>\n> A BLUP.\n\n> **Warning**\n>\n> Careful.\n\n"
                                  "> **Why REML?**\n>\n> Because.")


def test_definition_lists_become_bullet_points():
    nb = convert(md("Line by line:\n\n`Scale`\n: The residual variance,\n  in points squared."))
    assert nb.cells[1].source == "Line by line:\n\n- **`Scale`**: The residual variance,\n  in points squared."


def test_an_unknown_directive_is_an_error_naming_it():
    with pytest.raises(ValueError, match=r"03-test.*\{list-table\}"):
        convert(md("```{list-table}\n* - a\n```"))


EXERCISE = [
    md("## Exercises\n\n```{exercise-start}\n:label: ex-a\n```\n\nFit it; store `answer_x`.\n\n"
       "```{exercise-end}\n```\n\n```{solution-start} ex-a\n:class: dropdown\n```\n\nFit by ML."),
    code("answer_x = 2"),
    code("check(...)", tags=["remove-cell", "check"]),
    md("Twice the difference.\n\n```{solution-end}\n```\n\n```{exercise-start}\n:label: ex-b\n```\n\n"
       "Explain.\n\n```{exercise-end}\n```\n\n```{solution-start} ex-b\n:class: dropdown\n```"),
    code("print('b')"),
    md("```{solution-end}\n```\n\n## Further reading"),
    code("after = answer_x + 1"),
]


def test_exercises_get_a_numbered_heading_and_solutions_are_kept_but_folded():
    nb = convert(*EXERCISE)
    sources = [(c.cell_type, c.source) for c in nb.cells[1:]]
    assert sources[0] == ("markdown", "## Exercises\n\n**Exercise 3.1**\n\nFit it; store `answer_x`.")
    kind, text = sources[1]
    assert kind == "markdown" and text.startswith("**Solution to Exercise 3.1**\n\n<details>")
    assert "Fit by ML." in text and text.endswith("</details>")
    solution = nb.cells[3]
    assert code_without_title(solution.source) == "answer_x = 2"
    assert solution.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert solution.metadata["cellView"] == "form" and solution.source.startswith("# @title Solution to Exercise 3.1")
    assert nb.cells[4].metadata["tags"] == ["remove-cell", "check"] and nb.cells[4].metadata["jupyter"]["source_hidden"]
    assert sources[4][1].startswith("**Solution to Exercise 3.1**") is False
    assert "Twice the difference." in sources[4][1] and "<details>" in sources[4][1]
    assert sources[5] == ("markdown", "**Exercise 3.2**\n\nExplain.")
    # A solution with code only gets its heading in a cell of its own.
    assert sources[6] == ("markdown", "**Solution to Exercise 3.2**")
    assert nb.cells[8].metadata["jupyter"]["source_hidden"]
    assert sources[8] == ("markdown", "## Further reading")
    after = nb.cells[-1]
    assert after.source == "after = answer_x + 1" and "jupyter" not in after.metadata, "only solutions fold"


def test_figure_captions_become_an_italic_line_under_the_figure():
    figure = {"figure": {"caption": "Scores against\nhours, as in {numref}`fig-a`.", "name": "fig-a"},
              "image": {"alt": "A scatter plot."}}
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    nb = convert(code("fig", outputs=[png], mystnb=figure), md("Next."))
    assert [c.cell_type for c in nb.cells[1:]] == ["code", "markdown", "markdown"]
    assert nb.cells[1].outputs[0]["data"]["image/png"] == "iVBORw0KGgo="
    assert nb.cells[2].source == "*Fig. 3.1: Scores against hours, as in Fig. 3.1.*"
    assert "mystnb" not in nb.cells[1].metadata


def test_hidden_cells_are_kept_folded_with_their_tags():
    nb = convert(code("a = 1", tags=["remove-cell"]), code("b = 2", tags=["hide-input"]),
                 code("c = 3", tags=["remove-input"]), code("d = 4", tags=["hide-cell"]),
                 code("e = 5"), code("%%time\nf = 6", tags=["remove-cell"]))
    cells = nb.cells[1:]
    assert [c.metadata.get("tags") for c in cells] == [["remove-cell"], ["hide-input"], ["remove-input"],
                                                       ["hide-cell"], None, ["remove-cell"]]
    assert [c.metadata.get("jupyter") for c in cells] == [
        {"source_hidden": True, "outputs_hidden": True}, {"source_hidden": True}, {"source_hidden": True},
        {"source_hidden": True, "outputs_hidden": True}, None, {"source_hidden": True, "outputs_hidden": True}]
    assert cells[5].source == "%%time\nf = 6", "a cell magic stays the first line"
    assert all(c.execution_count == 1 for c in cells)


def test_first_cell_says_what_the_notebook_is_and_metadata_is_clean():
    nb = convert(md("(ch-x)=\n# A chapter\n\nText."))
    intro = nb.cells[0].source
    assert "chapter 3" in intro and "*A chapter*" in intro and "book/03-test.md" in intro
    assert "Binder" in intro and "Colab" in intro and "make lab" in intro
    assert nb.cells[1].source == "# A chapter\n\nText."
    assert set(nb.metadata) == {"kernelspec", "language_info", reader.METADATA_KEY}
    assert "the appendix" in convert(md("# B"), chapter="91-appendix").cells[0].source
    nbformat.validate(nb)


def test_bib_parser_reads_the_books_references():
    works = reader.parse_bib((ROOT / "references.bib").read_text())
    assert len(works) == (ROOT / "references.bib").read_text().count("\n@") + 1
    assert reader.cite("bates2015lme4", True, works, "x") == "Bates et al. (2015)"
    assert reader.cite("gelman2007data", False, works, "x") == "(Gelman and Hill 2007)"
    assert reader.cite("davies1972statistical", True, works, "x") == "Davies and Goldsmith (1972)"
    with pytest.raises(ValueError, match="'nokey'"):
        reader.cite("nokey", True, works, "x")


def test_book_index_numbers_chapters_figures_exercises_and_equations():
    index = reader.book_index(ROOT)
    assert index.chapters["01-simulating-nested-data"] == "1"
    assert index.chapters["91-how-this-book-checks-its-numbers"] == ""
    assert index.titles["ch-ols"] == "The naive OLS pitfall"
    assert index.numbers["fig-school-scatter"] == "Fig. 1.1"
    assert index.numbers["eq-random-intercept"].startswith("(3.")
    assert index.numbers["ex-fit-lrt"] == "Exercise 3.1"


# --- writing and checking --------------------------------------------------------------


@pytest.fixture
def tiny_book(tmp_path):
    """A book of one executed chapter, in a temporary folder."""
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts:\n  - caption: P\n"
                                       "    numbered: true\n    chapters:\n      - file: book/01-one\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "01-one.md").write_text("(ch-one)=\n# One\n")
    (tmp_path / "references.bib").write_text("")
    nbformat.write(make_notebook(md("(ch-one)=\n# One\n\nSee {ref}`ch-one`."), code("x = 1")),
                   tmp_path / "book" / "01-one.ipynb")
    return tmp_path


def test_write_then_check_names_each_stale_file(tiny_book, monkeypatch, capsys):
    monkeypatch.chdir(tiny_book)
    assert reader.main(["--check"]) == 1
    assert "notebooks/01-one.ipynb" in capsys.readouterr().err
    assert reader.main(["--write"]) == 0
    written = (tiny_book / "notebooks" / "01-one.ipynb").read_bytes()
    assert b"*One*" in written
    assert reader.main(["--check"]) == 0
    assert reader.main(["--write"]) == 0 and (tiny_book / "notebooks" / "01-one.ipynb").read_bytes() == written
    (tiny_book / "notebooks" / "01-one.ipynb").write_text("{}")
    (tiny_book / "notebooks" / "02-gone.ipynb").write_text("{}")
    capsys.readouterr()
    assert reader.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "notebooks/01-one.ipynb" in err and "notebooks/02-gone.ipynb" in err
    reader.main(["--write"])
    assert not (tiny_book / "notebooks" / "02-gone.ipynb").exists()
    assert reader.stale_notebooks(tiny_book) == []


# --- the website: download menu and launch buttons -------------------------------------


def page_context(pagename: str, launch: list[dict]) -> dict:
    buttons = [{"type": "link", "text": ".ipynb", "url": f"../_sources/{pagename}.ipynb"}]
    return {"page_source_suffix": ".ipynb", "pagename": pagename,
            "pathto": lambda uri, resource=0: f"../{uri}",
            "header_buttons": [{"label": "download-buttons", "buttons": buttons},
                               {"label": "launch-buttons", "buttons": launch}]}


def test_download_menu_offers_the_reader_notebook(tiny_book, tmp_path_factory):
    reader.write_notebooks(tiny_book)
    out = tmp_path_factory.mktemp("html")
    app = SimpleNamespace(srcdir=str(tiny_book), outdir=str(out))
    context = page_context("book/01-one", [])
    downloads.add_markdown_download(app, "book/01-one", "page.html", context, None)
    buttons = context["header_buttons"][0]["buttons"]
    assert [b["text"] for b in buttons] == [".ipynb", "reader notebook (.ipynb)", ".md"]
    assert buttons[1]["url"] == "../_sources/notebooks/01-one.ipynb"
    copied = out / "_sources" / "notebooks" / "01-one.ipynb"
    assert copied.read_bytes() == (tiny_book / "notebooks" / "01-one.ipynb").read_bytes()


def test_launch_buttons_open_the_reader_notebook():
    chapter = CHAPTERS[0]
    binder = f"https://mybinder.org/v2/gh/o/b/main?urlpath=lab/tree/{chapter.stem}.ipynb"
    colab = f"https://colab.research.google.com/github/o/b/blob/main/{chapter.stem}.ipynb"
    launch = [{"type": "link", "text": "Binder", "url": binder}, {"type": "link", "text": "Colab", "url": colab},
              {"type": "javascript", "text": "Live Code", "javascript": "initThebeSBT()"}]
    context = page_context(chapter.stem, launch)
    app = SimpleNamespace(srcdir=str(ROOT), outdir="unused")
    if not reader.reader_path(chapter).exists():
        pytest.skip(f"{reader.READER_DIR}/{chapter.name}.ipynb not written yet")
    downloads.launch_reader_notebooks(app, chapter.stem, "page.html", context, None)
    urls = [b.get("url") for b in launch]
    assert urls == [f"https://mybinder.org/v2/gh/o/b/main?urlpath=lab/tree/notebooks/{chapter.name}.ipynb",
                    f"https://colab.research.google.com/github/o/b/blob/main/notebooks/{chapter.name}.ipynb", None]
    # A page without a reader notebook (the landing page) keeps its buttons.
    intro = [{"type": "link", "text": "Binder", "url": "https://mybinder.org/x?urlpath=lab/tree/book/intro.ipynb"}]
    downloads.launch_reader_notebooks(app, "book/intro", "page.html", page_context("book/intro", intro), None)
    assert intro[0]["url"].endswith("book/intro.ipynb")
