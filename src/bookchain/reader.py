"""Reader notebooks: each chapter as a plain Jupyter notebook, for Binder, Colab and downloads.

The executed chapter ``book/NN-slug.ipynb`` is written for Jupyter Book: its numbers
are ``{glue:text}`` roles, its references, terms and citations are MyST roles, its
exercises and solutions are directives, and the cells the website hides (the Colab
set-up, the checks of the text's numbers, the graders' checks) are hidden only by
their tags. Opened as it is in Jupyter, all of that shows raw. This module writes
``notebooks/NN-slug.ipynb``, the **reader notebook**: the same cells with their stored
outputs, and

- glued values written into the text, formatted as the website formats them;
- MyST made plain Markdown: references become the title or number they point at
  ("*Fitting a random-intercept model*", "Fig. 3.1", "(3.2)"), citations
  "(Bates et al. 2015)" or "Bates et al. (2015)" from ``references.bib`` (and a list of
  the works cited at the end), terms their text, admonitions block quotes, exercises an
  "**Exercise N.k**" line, figure captions an italic line under the figure, ``(label)=``
  targets removed;
- solutions kept (later cells may use what they compute) but folded: a "**Solution**"
  line, the explanation in a ``<details>`` block, and code cells whose source and
  output JupyterLab folds (``metadata.jupyter``) and Colab shows as a form;
- hidden cells kept, with their tags, but folded the same way;
- a first cell saying what the notebook is and where it comes from.

The same chapter gives the same bytes on every run. The student notebooks
(:mod:`bookchain.assignments`) use the same conversion of their Markdown. Usage::

    python -m bookchain.reader --write   # write notebooks/ from book/*.ipynb
    python -m bookchain.reader --check   # exit 1, naming each stale reader notebook

``make execute`` writes them after executing the chapters.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import yaml
from pybtex.backends.plaintext import Backend as PlainText
from pybtex.database import Entry, parse_string
from pybtex.richtext import Text

from bookchain.chapters import Chapter, find_root, list_chapters

#: The folder of reader notebooks, at the top of the repository.
READER_DIR = "notebooks"
#: Notebook metadata key naming the chapter a reader notebook was made from.
METADATA_KEY = "lmmbook_reader"
BOOK_TITLE = "Linear Mixed-Effects Models in Python"

#: Tags whose cells the reader notebook folds (source hidden), and those whose output it folds too.
HIDE_SOURCE = ("remove-cell", "remove-input", "hide-cell", "hide-input", "check")
HIDE_OUTPUT = ("remove-cell", "remove-output", "hide-cell", "hide-output")
GLUE_MIME = "application/papermill.record/"
#: pybtex's plain-text backend, made once (``render_as("text")`` looks it up on every call).
_PLAIN_TEXT = PlainText()
ADMONITIONS = ("admonition", "attention", "caution", "danger", "dropdown", "error", "hint",
               "important", "note", "seealso", "tip", "warning")

#: The exercise and solution markers of sphinx-exercise (``{exercise-start}``, ...).
MARKER_FENCE = re.compile(
    r"^```\{(?P<kind>exercise-start|exercise-end|solution-start|solution-end)\}[ \t]*(?P<arg>[\w-]*)[ \t]*\n"
    r"(?P<options>(?::[^\n]*\n)*)```[ \t]*$\n?",
    re.M,
)
_DIRECTIVE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<arg>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$\n?",
    re.M | re.S,
)
_OPTION = re.compile(r"^:([\w-]+):[ \t]*(.*)$")
_ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]*)?)\}`(?P<body>[^`]*)`")
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_TARGET = re.compile(r"^\([\w.:-]+\)=[ \t]*(?:\n|\Z)", re.M)
_LABELLED_MATH = re.compile(r"^\$\$[ \t]*\n(?P<body>.*?)\n\$\$[ \t]*\((?P<label>[\w:-]+)\)[ \t]*$", re.M | re.S)
_DEFINITION = re.compile(r"(?:(?<=\n\n)|\A)(?P<term>[^\n:>#*|`-][^\n]*|`[^\n]*)\n: ", re.M)
_HEADING_TARGET = re.compile(r"^\((?P<label>[\w.:-]+)\)=[ \t]*\n(?:[ \t]*\n)*#+[ \t]+(?P<title>[^\n]+)$", re.M)
_TITLE = re.compile(r"^#[ \t]+(?P<title>[^\n]+)$", re.M)


# --- glued values --------------------------------------------------------------------


def glued_from_notebook(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Return the values an executed notebook glued, as stored (their ``text/plain`` repr).

    Examples
    --------
    >>> out = {"output_type": "display_data", "metadata": {"scrapbook": {"name": "b0"}},
    ...        "data": {"application/papermill.record/text/plain": "47.61"}}
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[out])])
    >>> glued_from_notebook(nb)
    {'b0': '47.61'}
    """
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = out.get("data", {}).get(f"{GLUE_MIME}text/plain")
            if name and text is not None:
                values[name] = text
    return values


def glued_values(path: Path) -> dict[str, str]:
    """Return the values a chapter's executed notebook glued (none if it does not exist yet)."""
    if not path.exists():
        return {}
    return glued_from_notebook(nbformat.read(path, as_version=4))


def format_glued(stored: str, spec: str = "") -> str:
    """Format a stored glued value as ``{glue:text}`name:spec``` shows it.

    Examples
    --------
    >>> format_glued("54.3249", ".2f"), format_glued("'REML'"), format_glued("12", "d")
    ('54.32', 'REML', '12')
    """
    value = ast.literal_eval(stored)
    return format(value, spec)


def fill_glue(name_spec: str, glued: dict[str, str], chapter: str) -> str:
    """The text of one glue role's body (``name`` or ``name:spec``), from ``glued``.

    Raises ValueError, naming the name and the chapter, when the chapter glued no such
    value or its stored value is not a plain Python literal.

    Examples
    --------
    >>> fill_glue("icc:.1%", {"icc": "0.2371"}, "05-intraclass-correlation")
    '23.7%'
    >>> fill_glue("tau", {}, "03-random-intercept-model")
    Traceback (most recent call last):
    ...
    ValueError: 03-random-intercept-model: no glued value named 'tau' ...
    """
    name, _, spec = name_spec.partition(":")
    if name not in glued:
        raise ValueError(f"{chapter}: no glued value named {name!r} (its executed .ipynb has no "
                         "glue() of it: run `make execute`)")
    try:
        return format_glued(glued[name], spec)
    except (ValueError, SyntaxError, TypeError) as err:
        raise ValueError(f"{chapter}: the glued value {name!r} = {glued[name]!r} cannot be "
                         f"formatted with {spec!r} ({err}); glue plain Python numbers") from err


# --- the bibliography ----------------------------------------------------------------


def latex_to_text(text: str) -> str:
    r"""Return BibTeX text as plain Unicode: accents, escapes and braces resolved (by pybtex).

    Examples
    --------
    >>> latex_to_text(r'M{\"a}chler and H{\o}jsgaard, Jos{\'e}: {lme4} \& more, 1--48')
    'Mächler and Højsgaard, José: lme4 & more, 1–48'
    """
    return " ".join(Text.from_latex(text).render(_PLAIN_TEXT).split())


def parse_bib(text: str) -> dict[str, Entry]:
    """Return the entries of a BibTeX file, by key (pybtex, as sphinxcontrib-bibtex reads it).

    Examples
    --------
    >>> bib = parse_bib('@book{kish1965, author = {Kish, Leslie}, title = {Survey {S}ampling}, year = 1965}')
    >>> bib["kish1965"].type, bib["kish1965"].fields["title"], bib["kish1965"].fields["year"]
    ('book', 'Survey {S}ampling', '1965')
    """
    return dict(parse_string(text, "bibtex").entries)


def _people(entry: Entry) -> list[tuple[str, str]]:
    r"""``(last, first)`` of each author (or editor) of an entry, as plain text.

    Examples
    --------
    >>> bib = parse_bib(r'@misc{r, author = {Bates, Douglas and Martin M{\"a}chler and {R Core Team}}}')
    >>> _people(bib["r"])
    [('Bates', 'Douglas'), ('Mächler', 'Martin'), ('R Core Team', '')]
    """
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    return [(latex_to_text(" ".join(p.prelast_names + p.last_names)),
             latex_to_text(" ".join(p.first_names + p.middle_names))) for p in persons] or [("Anonymous", "")]


def _field(entry: Entry, name: str, default: str = "") -> str:
    return latex_to_text(entry.fields[name]) if name in entry.fields else default


def cite_authors(entry: Entry) -> str:
    """The authors as an author-year citation names them.

    Examples
    --------
    >>> works = parse_bib("@book{a, author = {Gelman, Andrew and Hill, Jennifer}}"
    ...                   "@article{b, author = {Bates, D. and Maechler, M. and Bolker, B.}}")
    >>> cite_authors(works["a"]), cite_authors(works["b"])
    ('Gelman and Hill', 'Bates et al.')
    """
    last = [p[0] for p in _people(entry)]
    if len(last) >= 3:
        return f"{last[0]} et al."
    return " and ".join(last)


def cite(keys: str, textual: bool, works: dict[str, Entry], chapter: str) -> str:
    """An author-year citation of comma-separated ``keys``: "(A 2001; B 2002)" or "A (2001)".

    Examples
    --------
    >>> works = parse_bib("@book{a, author = {Kish, Leslie}, year = 1965}"
    ...                   "@book{b, author = {Gelman, A. and Hill, J.}, year = 2007}")
    >>> cite("a,b", False, works, "ch"), cite("b", True, works, "ch")
    ('(Kish 1965; Gelman and Hill 2007)', 'Gelman and Hill (2007)')
    """
    cited = []
    for key in (k.strip() for k in keys.split(",") if k.strip()):
        if key not in works:
            raise ValueError(f"{chapter}: citation key {key!r} is not in references.bib")
        cited.append((cite_authors(works[key]), _field(works[key], "year", "n.d.")))
    if textual:
        return "; ".join(f"{authors} ({year})" for authors, year in cited)
    return "(" + "; ".join(f"{authors} {year}" for authors, year in cited) + ")"


def format_reference(entry: Entry) -> str:
    r"""One entry of a reference list, in Markdown.

    Examples
    --------
    >>> bib = parse_bib(r'@article{b, author = {Bates, Douglas and M{\"a}chler, Martin}, title = {Fitting {lme4}},'
    ...                 r' journal = {J. Stat. Softw.}, volume = 67, pages = {1--48}, year = 2015, doi = {10.18637/x}}')
    >>> format_reference(bib["b"])
    'Bates, D. and Mächler, M. (2015). Fitting lme4. *J. Stat. Softw.*, 67, 1–48. https://doi.org/10.18637/x'
    """
    people = []
    for last, first in _people(entry):
        initials = " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", first) if part)
        people.append(f"{last}, {initials}" if initials else last)
    names = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
    if "author" not in entry.persons and "editor" in entry.persons:
        names += " (eds.)"
    parts = [f"{names} ({_field(entry, 'year', 'n.d.')}). {_field(entry, 'title')}."]
    where = _field(entry, "journal") or _field(entry, "booktitle")
    if where:
        details = ", ".join(_field(entry, k) for k in ("volume", "pages") if k in entry.fields)
        parts.append(f"*{where}*" + (f", {details}." if details else "."))
    elif "publisher" in entry.fields:
        parts.append(_field(entry, "publisher") + ".")
    elif "note" in entry.fields:
        parts.append(_field(entry, "note") + ".")
    if "doi" in entry.fields:
        parts.append(f"https://doi.org/{entry.fields['doi']}")
    elif "url" in entry.fields:
        parts.append(entry.fields["url"])
    return " ".join(parts)


# --- what references point at --------------------------------------------------------


@dataclass(frozen=True)
class BookIndex:
    """What the book's cross-references resolve to, for plain Markdown.

    ``titles``: section and chapter labels (``(label)=`` before a heading) and document
    names (``book/03-random-intercept-model``) to their titles; ``numbers``: figure,
    exercise and equation labels to their numbers as the website prints them ("Fig. 3.1",
    "Exercise 3.1", "(3.1)"); ``chapters``: each chapter's number ("" if unnumbered);
    ``works``: ``references.bib`` by key.
    """

    titles: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    chapters: dict[str, str] = field(default_factory=dict)
    works: dict[str, Entry] = field(default_factory=dict)


def chapter_numbers(root: Path) -> dict[str, str]:
    """Each chapter's number as the website shows it, by name ("" in an unnumbered part).

    Jupyter Book numbers the chapters of numbered parts on from one part to the next
    (``use_multitoc_numbering``, its default).
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    numbers, n = {}, 0
    for part in toc.get("parts", [{"chapters": toc.get("chapters", []), "numbered": True}]):
        for entry in part.get("chapters", []):
            name = Path(re.sub(r"\.(md|ipynb)$", "", str(entry.get("file", "")))).name
            if part.get("numbered"):
                n += 1
                numbers[name] = str(n)
            else:
                numbers[name] = ""
    return numbers


def number_targets(nb: nbformat.NotebookNode, number: str) -> dict[str, str]:
    """The numbered targets of one chapter: figures, exercises and labelled equations.

    Examples
    --------
    >>> md = nbformat.v4.new_markdown_cell("```{exercise-start}\\n:label: ex-a\\n```\\n\\n$$\\nx\\n$$ (eq-x)")
    >>> fig = nbformat.v4.new_code_cell(metadata={"mystnb": {"figure": {"name": "fig-a", "caption": "A."}}})
    >>> number_targets(nbformat.v4.new_notebook(cells=[md, fig]), "3")
    {'ex-a': 'Exercise 3.1', 'eq-x': '(3.1)', 'fig-a': 'Fig. 3.1'}
    """
    prefix = f"{number}." if number else ""
    counts = {"exercise": 0, "equation": 0, "figure": 0}
    found = {}

    def next_number(kind: str) -> str:
        counts[kind] += 1
        return f"{prefix}{counts[kind]}"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = cell.source
            events = [(m.start(), "exercise", m) for m in MARKER_FENCE.finditer(text)
                      if m.group("kind") == "exercise-start"]
            events += [(m.start(), "equation", m) for m in _LABELLED_MATH.finditer(text)]
            for _, kind, match in sorted(events, key=lambda e: e[0]):
                if kind == "exercise":
                    label = re.search(r"^:label:\s*([\w-]+)", match.group("options"), re.M)
                    value = f"Exercise {next_number('exercise')}"
                    if label:
                        found[label.group(1)] = value
                else:
                    found[match.group("label")] = f"({next_number('equation')})"
        elif cell.cell_type == "code":
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure.get("caption"):
                value = f"Fig. {next_number('figure')}"
                if figure.get("name"):
                    found[figure["name"]] = value
    return found


def read_chapter_notebook(chapter: Chapter) -> nbformat.NotebookNode:
    """The chapter's executed notebook, or its ``.md`` read by Jupytext if there is none yet."""
    if chapter.ipynb.exists():
        return nbformat.read(chapter.ipynb, as_version=4)
    return jupytext.read(chapter.md)


def book_index(root: Path) -> BookIndex:
    """Read what the book's references point at from ``_toc.yml``, ``book/*.md`` and ``references.bib``."""
    chapters = chapter_numbers(root)
    titles, numbers = {}, {}
    for path in sorted((root / "book").glob("*.md")):
        text = path.read_text()
        for match in _HEADING_TARGET.finditer(text):
            titles[match.group("label")] = match.group("title").strip()
        title = _TITLE.search(text)
        if title:
            titles[f"book/{path.stem}"] = title.group("title").strip()
    for chapter in list_chapters(root):
        if chapter.ipynb.exists() or chapter.md.exists():
            numbers.update(number_targets(read_chapter_notebook(chapter), chapters.get(chapter.name, "")))
    bib = root / "references.bib"
    works = parse_bib(bib.read_text()) if bib.exists() else {}
    return BookIndex(titles, numbers, chapters, works)


# --- MyST to Markdown -----------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """What converting one chapter's Markdown needs: the index, its glued values, its name."""

    index: BookIndex
    glued: dict[str, str]
    chapter: str  # e.g. "03-random-intercept-model"


def resolve_reference(role: str, body: str, page: Page) -> str:
    """The plain text of a ``ref``, ``numref``, ``doc`` or ``eq`` role.

    Examples
    --------
    >>> index = BookIndex(titles={"ch-ols": "The naive OLS pitfall", "book/intro": "Welcome"},
    ...                   numbers={"fig-a": "Fig. 2.1", "eq-a": "(2.1)"})
    >>> page = Page(index, {}, "02-naive-ols-pitfall")
    >>> [resolve_reference(r, b, page) for r, b in [("ref", "ch-ols"), ("numref", "fig-a"),
    ...     ("eq", "eq-a"), ("doc", "intro"), ("ref", "this chapter <ch-ols>"), ("numref", "Figure %s <fig-a>")]]
    ['*The naive OLS pitfall*', 'Fig. 2.1', '(2.1)', '*Welcome*', 'this chapter', 'Figure 2.1']
    """
    explicit = _EXPLICIT.match(body)
    text, target = (explicit.group("text"), explicit.group("target")) if explicit else (None, body.strip())
    if role == "doc":
        target = target.lstrip("/") if target.startswith("/") else f"book/{target}"
        target = re.sub(r"\.(md|ipynb)$", "", target)
    numbered = page.index.numbers.get(target)
    title = page.index.titles.get(target)
    if numbered is None and title is None:
        raise ValueError(f"{page.chapter}: {{{role}}}`{body}` points at {target!r}, which no chapter "
                         "defines (a (label)= before a heading, a figure, an exercise or an equation)")
    if text is not None:
        number = (numbered or "").strip("()").split(" ")[-1]
        return text.replace("%s", number).replace("{number}", number).replace("{name}", title or "")
    if numbered is not None:
        return numbered
    return f"*{title}*"


def convert_role(match: re.Match, page: Page) -> str:
    """The plain Markdown of one MyST role (the ``{role}`content``` matched by ``_ROLE``)."""
    role, body = match.group("role"), match.group("body")
    if role.startswith("glue"):
        return fill_glue(body.strip(), page.glued, page.chapter)
    if role in ("ref", "numref", "doc", "eq"):
        return resolve_reference(role, body, page)
    if role == "term":
        explicit = _EXPLICIT.match(body)
        return explicit.group("text") if explicit else body
    if role in ("cite", "cite:p", "cite:t", "cite:ps", "cite:ts"):
        return cite(body, role.startswith("cite:t"), page.index.works, page.chapter)
    if role == "math":
        return f"${body}$"
    raise ValueError(f"{page.chapter}: the MyST role {{{role}}} has no plain Markdown form in bookchain.reader")


def split_options(body: str) -> tuple[dict[str, str], str]:
    """A directive's options (``:key: value`` lines or a ``---`` YAML block) and its content.

    Examples
    --------
    >>> split_options(":label: ex-a\\n:class: dropdown\\n\\nText.\\n")
    ({'label': 'ex-a', 'class': 'dropdown'}, 'Text.\\n')
    """
    if body.startswith("---\n"):
        end = body.find("\n---\n", 3)
        if end != -1:
            return dict(yaml.safe_load(body[4:end]) or {}), body[end + 5:].lstrip("\n")
    options, lines = {}, body.splitlines(keepends=True)
    while lines and (option := _OPTION.match(lines[0].rstrip("\n"))):
        options[option.group(1)] = option.group(2).strip()
        lines.pop(0)
    return options, "".join(lines).lstrip("\n")


def quote_block(title: str, content: str) -> str:
    """A Markdown block quote with a bold title line.

    Examples
    --------
    >>> print(quote_block("Note", "One.\\n\\nTwo."))
    > **Note**
    >
    > One.
    >
    > Two.
    """
    lines = [f"> **{title}**", ">"] + [f"> {line}".rstrip() for line in content.strip("\n").splitlines()]
    return "\n".join(lines)


def convert_directive(match: re.Match, page: Page) -> str:
    """The plain Markdown of one fenced MyST directive (admonitions, exercises, math, code)."""
    name, arg = match.group("name"), match.group("arg").strip()
    options, content = split_options(match.group("body"))
    after = "\n" if match.group(0).endswith("\n") else ""
    if name == "exercise-start":
        label = options.get("label", "")
        number = page.index.numbers.get(label, "Exercise")
        return f"**{number}**" + (f" ({convert_markdown(arg, page)})" if arg else "") + "\n" + after
    if name in ("exercise-end", "solution-end"):
        return ""
    if name == "solution-start":
        return "**Solution**\n" + after
    if name in ADMONITIONS:
        title = arg if name in ("admonition", "dropdown") and arg else name.replace("seealso", "see also").capitalize()
        return quote_block(convert_markdown(title, page), convert_markdown(content, page)) + "\n" + after
    if name == "math":
        label = options.get("label")
        tag = f"\n\\tag{{{page.index.numbers[label].strip('()')}}}" if label in page.index.numbers else ""
        return f"$$\n{content.strip()}{tag}\n$$\n" + after
    if name in ("code-block", "code", "sourcecode"):
        return f"```{arg}\n{content}```\n" + after
    raise ValueError(f"{page.chapter}: the MyST directive {{{name}}} has no plain Markdown form in bookchain.reader")


def convert_equation(match: re.Match, page: Page) -> str:
    """``$$ ... $$ (label)`` as ``$$ ... \\tag{N.k} $$``, numbered as on the website."""
    label = match.group("label")
    if label not in page.index.numbers:
        raise ValueError(f"{page.chapter}: equation label {label!r} is not numbered in the book index")
    return f"$$\n{match.group('body')}\n\\tag{{{page.index.numbers[label].strip('()')}}}\n$$"


def convert_definitions(text: str) -> str:
    r"""Definition lists (``term`` then ``: definition``) as bullet points.

    Examples
    --------
    >>> print(convert_definitions("Intro.\n\n`Scale`\n: The residual variance,\n  in points squared."))
    Intro.
    <BLANKLINE>
    - **`Scale`**: The residual variance,
      in points squared.
    """
    return _DEFINITION.sub(lambda m: f"- **{m.group('term').strip()}**: ", text)


def convert_markdown(text: str, page: Page, keep_links: bool = False) -> str:
    """Return MyST Markdown as plain Markdown that Jupyter and Colab render.

    Glued values are written in, roles resolved (:func:`convert_role`), directives
    rewritten (:func:`convert_directive`), labelled equations tagged with their number,
    definition lists made bullet points and ``(label)=`` targets removed.
    ``keep_links=True`` is for a page of the book that quotes a chapter: only glue,
    ``numref`` and ``eq`` (which are local to the chapter) are written in and targets
    removed; Sphinx resolves the rest.

    Examples
    --------
    >>> index = BookIndex(titles={"ch-ols": "The naive OLS pitfall"},
    ...                   works=parse_bib("@book{k, author = {Kish, Leslie}, year = 1965}"))
    >>> page = Page(index, {"tau2": "54.329"}, "03-random-intercept-model")
    >>> print(convert_markdown("(sec-a)=\\n## A\\n\\n{ref}`ch-ols`: $\\\\tau^2$ = {glue:text}`tau2:.1f` "
    ...                        "{cite:p}`k`, a {term}`variance <variance component>`.", page))
    ## A
    <BLANKLINE>
    *The naive OLS pitfall*: $\\tau^2$ = 54.3 (Kish 1965), a variance.
    """
    text = _TARGET.sub("", text)
    if keep_links:
        local = ("glue", "glue:", "glue:text", "numref", "eq")
        return _ROLE.sub(lambda m: convert_role(m, page) if m.group("role") in local else m.group(0), text)
    text = _DIRECTIVE.sub(lambda m: convert_directive(m, page), text)
    text = _LABELLED_MATH.sub(lambda m: convert_equation(m, page), text)
    text = convert_definitions(text)
    text = _ROLE.sub(lambda m: convert_role(m, page), text)
    return re.sub(r"\n{3,}", "\n\n", text)


def cited_keys(texts: list[str]) -> list[str]:
    """The citation keys of ``texts``, in order of first citation.

    Examples
    --------
    >>> cited_keys(["{cite:p}`b,a` and {cite:t}`b`", "{cite:t}`c`"])
    ['b', 'a', 'c']
    """
    keys: list[str] = []
    for text in texts:
        for match in _ROLE.finditer(text):
            if match.group("role").startswith("cite"):
                keys += [k.strip() for k in match.group("body").split(",") if k.strip() not in keys]
    return list(dict.fromkeys(keys))


# --- the reader notebook --------------------------------------------------------------


def split_at_solutions(text: str) -> list[tuple[str, str | None]]:
    """Cut a Markdown cell at its solution markers: ``(text, marker)`` pieces.

    ``marker`` is ``"start:<label>"`` or ``"end"`` for the marker that ends a piece,
    None for the last piece.

    Examples
    --------
    >>> split_at_solutions("Ex.\\n```{solution-start} ex-a\\n:class: dropdown\\n```\\nSol.\\n")
    [('Ex.\\n', 'start:ex-a'), ('Sol.\\n', None)]
    """
    pieces, position = [], 0
    for match in MARKER_FENCE.finditer(text):
        kind = match.group("kind")
        if kind == "solution-start":
            pieces.append((text[position:match.start()], f"start:{match.group('arg')}"))
        elif kind == "solution-end":
            pieces.append((text[position:match.start()], "end"))
        else:
            continue
        position = match.end()
    pieces.append((text[position:], None))
    return pieces


def fold_code(cell: nbformat.NotebookNode, title: str, outputs_too: bool) -> None:
    """Fold a code cell in place: JupyterLab hides its source (and output); Colab shows a form."""
    jupyter = cell.metadata.setdefault("jupyter", {})
    jupyter["source_hidden"] = True
    if outputs_too:
        jupyter["outputs_hidden"] = True
    cell.metadata["cellView"] = "form"
    if not cell.source.startswith("%%"):  # a cell magic must stay the first line
        cell.source = f"# @title {title}\n{cell.source}"


def reader_outputs(outputs: list) -> list:
    """The stored outputs a reader sees: all but glue records (which render as nothing)."""
    kept = []
    for out in outputs:
        data = out.get("data")
        if data and all(key.startswith(GLUE_MIME) for key in data):
            continue
        kept.append(copy.deepcopy(out))
    return kept


def intro_cell(chapter_name: str, page: Page, title: str) -> str:
    """The first cell: what this notebook is and where it comes from."""
    number = page.index.chapters.get(chapter_name, "")
    which = f"chapter {number}" if number else "the appendix"
    return (
        f"> **The reader's copy of {which}, *{title}*,** of the book *{BOOK_TITLE}*. "
        f"It is generated from `book/{chapter_name}.md` by `python -m bookchain.reader`: the numbers "
        "in the text are filled in from the executed chapter, the outputs are those the book shows, "
        "and solutions and the cells the website hides (checks, set-up) are folded: click a folded "
        "cell to open it. The code runs top to bottom in Binder, in Colab (its first code cell "
        "installs what Colab lacks) or in a local install of the book (`make lab`). "
        "Edit the chapter, not this file."
    )


def _new_markdown(source: str, cell_id: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source)
    cell["id"] = cell_id
    return cell


def reader_notebook(nb: nbformat.NotebookNode, chapter_name: str, index: BookIndex) -> nbformat.NotebookNode:
    """Return the reader notebook of one executed chapter (``nb`` is not changed).

    Raises ValueError, naming the chapter, for a glued value, label or citation it
    cannot resolve, or MyST it cannot write as plain Markdown.
    """
    page = Page(index, glued_from_notebook(nb), chapter_name)
    markdown = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    title_match = _TITLE.search(markdown)
    title = convert_markdown(title_match.group("title"), page).strip() if title_match else chapter_name
    cells = [_new_markdown(intro_cell(chapter_name, page, title), "reader-intro")]
    solution: str | None = None  # the exercise whose solution is being read
    solution_titled = False
    figures = 0
    prefix = f"{index.chapters.get(chapter_name, '')}." if index.chapters.get(chapter_name) else ""
    for n, cell in enumerate(nb.cells):
        cell_id = str(cell.get("id") or f"cell-{n:03d}")
        if cell.cell_type == "markdown":
            for k, (text, marker) in enumerate(split_at_solutions(cell.source)):
                text = convert_markdown(text, page).strip()
                if text and solution is not None:
                    heading = "" if solution_titled else f"**Solution to {index.numbers.get(solution, solution)}**\n\n"
                    text = f"{heading}<details><summary>Show the solution</summary>\n\n{text}\n\n</details>"
                    solution_titled = True
                if text:
                    cells.append(_new_markdown(text, cell_id if k == 0 else f"{cell_id}-{k}"))
                if marker is not None and marker.startswith("start:"):
                    solution, solution_titled = marker.removeprefix("start:"), False
                elif marker == "end":
                    solution = None
            continue
        if cell.cell_type != "code":
            continue
        new = nbformat.v4.new_code_cell(cell.source)
        new["id"] = cell_id
        new.execution_count = cell.get("execution_count")
        new.outputs = reader_outputs(cell.get("outputs", []))
        tags = list(cell.metadata.get("tags", []))
        if tags:
            new.metadata["tags"] = tags
        if solution is not None:
            if not solution_titled:
                cells.append(_new_markdown(f"**Solution to {index.numbers.get(solution, solution)}**",
                                           f"{cell_id}-solution"))
                solution_titled = True
            fold_code(new, f"Solution to {index.numbers.get(solution, solution)}", outputs_too=True)
        elif any(t in HIDE_SOURCE for t in tags):
            what = "Checks of the exercise's answers" if "check" in tags else "Hidden on the book's website"
            fold_code(new, what, outputs_too=any(t in HIDE_OUTPUT for t in tags))
        elif any(t in HIDE_OUTPUT for t in tags):
            new.metadata.setdefault("jupyter", {})["outputs_hidden"] = True
        cells.append(new)
        caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")
        if caption:
            figures += 1
            text = " ".join(convert_markdown(str(caption), page).split())
            cells.append(_new_markdown(f"*Fig. {prefix}{figures}: {text}*", f"{cell_id}-caption"))
    keys = cited_keys([c.source for c in nb.cells if c.cell_type == "markdown"]
                      + [str(c.metadata.get("mystnb", {}).get("figure", {}).get("caption", "")) for c in nb.cells])
    if keys:
        works = sorted(format_reference(index.works[k]) for k in keys)
        cells.append(_new_markdown("## Works cited\n\n" + "\n".join(f"- {w}" for w in works), "reader-references"))
    reader = nbformat.v4.new_notebook(cells=cells)
    reader.nbformat_minor = 5
    language = {k: v for k, v in nb.metadata.get("language_info", {}).items() if k != "version"}
    reader.metadata = {
        "kernelspec": nb.metadata.get("kernelspec", {"display_name": "Python 3 (ipykernel)",
                                                     "language": "python", "name": "python3"}),
        "language_info": language or {"name": "python"},
        METADATA_KEY: {"chapter": f"book/{chapter_name}.md"},
    }
    nbformat.validate(reader)
    return reader


def reader_bytes(reader: nbformat.NotebookNode) -> bytes:
    """The file's bytes as nbformat writes them (sorted keys), ending with a newline."""
    return nbformat.writes(reader).encode() + b"\n"


def reader_path(chapter: Chapter) -> Path:
    """Where a chapter's reader notebook lives: ``notebooks/NN-slug.ipynb``."""
    return chapter.root / READER_DIR / f"{chapter.name}.ipynb"


def expected_notebooks(root: Path, chapters: list[Chapter] | None = None,
                       index: BookIndex | None = None) -> dict[Path, bytes]:
    """Every reader notebook's path and bytes, from the executed chapters that exist."""
    index = book_index(root) if index is None else index
    chapters = list_chapters(root) if chapters is None else chapters
    return {reader_path(c): reader_bytes(reader_notebook(nbformat.read(c.ipynb, as_version=4), c.name, index))
            for c in chapters if c.ipynb.exists()}


def stale_notebooks(root: Path) -> list[str]:
    """The reader notebooks that differ from what the chapters give, are missing, or belong to none."""
    expected = expected_notebooks(root)
    stale = [path for path, data in expected.items() if not path.exists() or path.read_bytes() != data]
    extra = [p for p in sorted((root / READER_DIR).glob("*.ipynb")) if p not in expected]
    return [p.relative_to(root).as_posix() for p in [*stale, *extra]]


def write_notebooks(root: Path, chapters: list[Chapter] | None = None) -> list[Path]:
    """Write the reader notebooks of ``chapters`` (default: all); return those that changed.

    Writing all of them also removes reader notebooks of chapters no longer in ``_toc.yml``.
    """
    expected = expected_notebooks(root, chapters)
    changed = []
    for path, data in expected.items():
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(path)
    if chapters is None:
        for path in sorted((root / READER_DIR).glob("[0-9][0-9]-*.ipynb")):
            if path not in expected:
                path.unlink()
                changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookchain.reader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true", help="write notebooks/ from the executed chapters")
    group.add_argument("--check", action="store_true", help="exit 1 if a reader notebook is stale")
    args = parser.parse_args(argv)
    root = find_root()
    if args.write:
        changed = write_notebooks(root)
        print(f"Reader notebooks in {READER_DIR}/: {len(changed)} written or removed"
              + (f" ({', '.join(p.name for p in changed)})" if changed else ""))
        return 0
    stale = stale_notebooks(root)
    for path in stale:
        print(f"stale reader notebook: {path} (run `python -m bookchain.reader --write`)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
