"""Sphinx extension: the website works offline, with no console error, accessibly.

Listed under ``sphinx.extra_extensions`` in ``_config.yml``; each fix below was
found by ``tests/test_browser.py`` (Chromium with no network, axe-core), which
keeps checking it.

- **MathJax**: Sphinx 7 points ``mathjax_path`` at MathJax 3's
  ``tex-mml-chtml.js`` on a CDN. Here it points at a copy served with the site,
  taken from the PyPI package ``sphinx-mathjax-offline`` (MathJax 3.2.2, the
  version Sphinx 7 and myst-nb configure, with its woff fonts). The files are
  copied into ``_build/html/_static/mathjax`` when the build finishes. They
  are not in the book's own ``_static`` folder, where Jupyter Book would add
  every ``.js`` file to every page as a script tag.
- **Widgets**: a notebook with ipywidgets output makes myst-nb load require.js
  and the widget manager from CDNs; ``_config.yml`` sets ``nb_ipywidgets_js``
  to ``{}`` so that nothing is loaded (a progress bar is the only widget, and on
  a static page there is nothing left to show).
- **Duplicate inline scripts**: sphinx-thebe and sphinx-togglebutton add their
  inline configuration scripts twice under Sphinx 7.4; the second
  ``const THEBE_JS_URL = ...`` is a JavaScript error on every page. Identical
  scripts are kept once.
- **Bibliography roles**: docutils marks citations ``role="doc-biblioentry"``
  inside a ``role="list"``, which axe-core reports as a critical ARIA error;
  they become ``listitem``.
"""

from __future__ import annotations

import shutil
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The PyPI package that ships MathJax 3 and the folder of MathJax inside it.
MATHJAX_PACKAGE = "sphinx-mathjax-offline"
MATHJAX_FOLDER = "sphinx-mathjax-offline/static/mathjax"
#: The component Sphinx 7 loads by default (TeX and MathML input, CommonHTML output).
MATHJAX_ENTRY = "tex-mml-chtml.js"
#: What that component loads on demand: TeX extensions (autoload), CommonHTML
#: fonts, and the accessibility tools (explorer, speech) of MathJax's menu.
MATHJAX_PARTS = ("input", "output/chtml", "a11y", "sre", "ui")
#: Where the copy goes, inside the built site's ``_static``.
TARGET = "mathjax"


def mathjax_source() -> Path:
    """Return the folder of MathJax files installed by ``sphinx-mathjax-offline``."""
    try:
        folder = Path(distribution(MATHJAX_PACKAGE).locate_file(MATHJAX_FOLDER))
    except PackageNotFoundError:
        raise RuntimeError(
            f"{MATHJAX_PACKAGE} is not installed: it serves MathJax with the site "
            "(python -m pip install -r requirements.txt)"
        ) from None
    if not (folder / MATHJAX_ENTRY).is_file():
        raise RuntimeError(f"{folder / MATHJAX_ENTRY} is missing: reinstall {MATHJAX_PACKAGE}")
    return folder


def copy_mathjax(source: Path, target: Path) -> int:
    """Copy the MathJax files the site needs from ``source`` into ``target``.

    Files already there with the same size are left alone, so a rebuild copies
    nothing. Returns the number of files copied.
    """
    files = [source / MATHJAX_ENTRY]
    for part in MATHJAX_PARTS:
        files.extend(p for p in sorted((source / part).rglob("*")) if p.is_file())
    copied = 0
    for path in files:
        dest = target / path.relative_to(source)
        if dest.is_file() and dest.stat().st_size == path.stat().st_size:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        copied += 1
    return copied


def use_local_mathjax(app: Sphinx, config) -> None:
    """Point ``mathjax_path`` at the copy (a path under ``_static``)."""
    mathjax_source()  # fail early, with the fix, if the package is missing
    config.mathjax_path = f"{TARGET}/{MATHJAX_ENTRY}"


def add_mathjax_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / TARGET
    copied = copy_mathjax(mathjax_source(), target)
    logger.info(f"MathJax served from _static/{TARGET} ({copied} files copied)")


def drop_duplicate_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Keep one copy of each script tag (same file or inline body, same attributes)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        # Not str(script): a Sphinx asset's str() includes its priority. An inline
        # script's filename is None or "" depending on how it was added.
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def fix_citation_roles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give bibliography entries the ARIA role their list requires.

    Docutils writes each citation as ``role="doc-biblioentry"`` inside a
    ``role="list"``; DPUB-ARIA 1.1 deprecated that role, and a list must hold
    ``listitem`` children (axe-core: aria-required-children, critical).
    """
    if "body" in context and 'role="doc-biblioentry"' in context["body"]:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", use_local_mathjax)
    app.connect("build-finished", add_mathjax_files)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    app.connect("html-page-context", fix_citation_roles)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
