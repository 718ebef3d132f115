"""Sphinx extension: a ``.md`` entry in each chapter's download menu.

The website is rendered from each chapter's executed ``.ipynb``, so the theme's
download menu offers that file (and print-to-PDF) but not the MyST ``.md`` people
edit, which Sphinx never reads. This extension copies each chapter's ``.md`` next
to the ``.ipynb`` the menu offers (``_sources/book/``) and adds it to the menu.
``make book`` loads it through the configuration :mod:`bookchain.repository` writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path


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
    buttons = menu["buttons"]
    after = next((i + 1 for i, b in enumerate(buttons) if b.get("text") == ".ipynb"), len(buttons))
    buttons.insert(after, entry)


def setup(app):
    # After sphinx-book-theme has filled the header buttons (default priority 500).
    app.connect("html-page-context", add_markdown_download, priority=700)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
