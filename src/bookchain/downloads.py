"""Sphinx extension: ``.md``, reader- and student-notebook entries in each chapter's download menu.

The website is rendered from each chapter's executed ``.ipynb``, so the theme's
download menu offers that file (and print-to-PDF) but not the MyST ``.md`` people
edit, which Sphinx never reads. This extension copies each chapter's ``.md`` next
to the ``.ipynb`` the menu offers (``_sources/book/``) and adds it to the menu.

The menu also offers the chapter's **reader notebook** (:mod:`bookchain.reader`:
glue written in, MyST made plain Markdown, solutions folded), copied from
``notebooks/`` to ``_sources/notebooks/``; and the launch buttons (Binder, Colab; only
when the book names its repository) open that reader notebook, not the chapter's
``book/NN-slug.ipynb``, whose raw MyST Jupyter cannot render.

It also builds the course assignments (:mod:`bookchain.assignments`: each chapter's
student notebook with its checks, zipped) into the site's ``assignments/`` folder
when the build finishes, and offers a chapter's zip in its menu as "student
notebook". The instructors' files (autograders, solved notebooks) stay out of the
site: ``make assignments`` writes them into ``_build/assignments/instructor``.
``make book`` loads the extension through the configuration
:mod:`bookchain.repository` writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.util import logging

from bookchain.reader import READER_DIR

logger = logging.getLogger(__name__)

#: The site's folder of student notebooks (``assignments/<chapter>.zip``, ``assignments/<chapter>/``).
ASSIGNMENTS = "assignments"


def has_assignment(source: Path) -> bool:
    """Whether a chapter's ``.md`` has exercises (and so a student notebook)."""
    return source.exists() and "{exercise-start}" in source.read_text()


def add_markdown_download(app, pagename, templatename, context, doctree) -> None:
    if context.get("page_source_suffix") != ".ipynb":
        return
    source = Path(app.srcdir, pagename).with_suffix(".md")
    menu = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if menu is None or not source.exists():
        return
    target = Path(app.outdir, "_sources", pagename).with_suffix(".md")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    entry = {
        "type": "link",
        "url": f"{context['pathto']('_sources', 1)}/{pagename}.md",
        "text": ".md",
        "tooltip": "Download the chapter as MyST Markdown",
        "icon": "fas fa-file-lines",
        "label": "download-markdown-button",
    }
    entries = [entry]
    reader = Path(app.srcdir, READER_DIR, Path(pagename).name).with_suffix(".ipynb")
    if reader.exists():
        target = Path(app.outdir, "_sources", READER_DIR, reader.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reader, target)
        entries.insert(0, {
            "type": "link",
            "url": f"{context['pathto']('_sources', 1)}/{READER_DIR}/{reader.name}",
            "text": "reader notebook (.ipynb)",
            "tooltip": "Download the chapter as a plain notebook: numbers filled in, solutions folded",
            "icon": "fas fa-book-open",
            "label": "download-reader-notebook-button",
        })
    buttons = menu["buttons"]
    after = next((i + 1 for i, b in enumerate(buttons) if b.get("text") == ".ipynb"), len(buttons))
    buttons[after:after] = entries
    after += len(entries) - 1
    if has_assignment(source):
        buttons.insert(after + 1, {
            "type": "link",
            "url": f"{context['pathto'](ASSIGNMENTS, 1)}/{Path(pagename).name}.zip",
            "text": "student notebook",
            "tooltip": "Download the exercises as a notebook with checks, without the solutions",
            "icon": "fas fa-graduation-cap",
            "label": "download-student-notebook-button",
        })


def reader_launch_url(url: str, pagename: str) -> str:
    """A launch button's address, made to open the page's reader notebook.

    sphinx-book-theme builds it from the page's own notebook, ``<pagename>.ipynb``
    relative to the repository (after ``path_to_docs``, if any).

    Examples
    --------
    >>> reader_launch_url("https://mybinder.org/v2/gh/o/b/main?urlpath=lab/tree/book/01-x.ipynb", "book/01-x")
    'https://mybinder.org/v2/gh/o/b/main?urlpath=lab/tree/notebooks/01-x.ipynb'
    >>> reader_launch_url("https://colab.research.google.com/github/o/b/blob/main/book/01-x.ipynb", "book/01-x")
    'https://colab.research.google.com/github/o/b/blob/main/notebooks/01-x.ipynb'
    """
    own, reader = f"/{pagename}.ipynb", f"/{READER_DIR}/{Path(pagename).name}.ipynb"
    return url[: -len(own)] + reader if url.endswith(own) else url


def launch_reader_notebooks(app, pagename, templatename, context, doctree) -> None:
    """Make a chapter page's launch buttons open its reader notebook (``notebooks/NN-slug.ipynb``)."""
    if not Path(app.srcdir, READER_DIR, Path(pagename).name).with_suffix(".ipynb").exists():
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("url"):
                button["url"] = reader_launch_url(button["url"], pagename)


def add_assignments(app, exception) -> None:
    """Build the student notebooks into the site when an HTML build finishes."""
    if exception is not None or app.builder.format != "html":
        return
    from bookchain.assignments import build
    from bookchain.chapters import find_root

    built = build(find_root(Path(app.srcdir)), Path(app.outdir) / ASSIGNMENTS, instructor=False)
    logger.info(f"Student notebooks of {len(built)} chapters in {ASSIGNMENTS}/")


try:
    from sphinx.util.docutils import SphinxDirective
except ImportError:  # pragma: no cover
    SphinxDirective = object


class AssignmentPlan(SphinxDirective):
    """``{assignment-plan}``: the instructors' table of chapters (:func:`bookchain.assignments.plan_table`)."""

    has_content = False

    def run(self):
        from bookchain.assignments import course_plan, plan_table
        from bookchain.chapters import find_root, list_chapters

        root = find_root(Path(self.env.srcdir))
        for path in [root / "_toc.yml", *(p for c in list_chapters(root) for p in (c.md, c.ipynb))]:
            if path.exists():
                self.env.note_dependency(str(path))
        # The page sits in book/, the student notebooks in the site's assignments/ folder.
        depth = self.env.docname.count("/")
        return self.parse_text_to_nodes(plan_table(course_plan(root), "/".join([".."] * depth) or "."))


def setup(app):
    app.add_directive("assignment-plan", AssignmentPlan)
    # After sphinx-book-theme has filled the header buttons (default priority 500).
    app.connect("html-page-context", add_markdown_download, priority=700)
    app.connect("html-page-context", launch_reader_notebooks, priority=700)
    app.connect("build-finished", add_assignments)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
