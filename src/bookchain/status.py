"""The execution-status page: when each chapter last ran, how it went, and with what.

``make execute`` records, in each notebook's metadata under ``"lmmbook"``, the
fingerprint of its inputs and :func:`execution_record`: the date and duration
of the execution, its result, and the versions of Python and of the key
packages it ran with. This module is also a Sphinx extension (listed in
``_config.yml``) whose directive, used by ``book/status.md``::

    ```{chapter-status}
    ```

renders that record as two tables at build time, so the page can never be
stale. It also says whether each chapter's stored outputs are still up to
date with its code and the helpers it imports (the fingerprint check of
``make execute``). Notebooks executed before the record existed fall back on
what Jupyter stores anyway: the cells' execution timestamps and the kernel's
Python version.
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import nbformat

from bookchain.chapters import (
    METADATA_KEY,
    Chapter,
    find_root,
    fingerprint,
    helper_modules,
    list_chapters,
)

#: The packages whose versions a chapter's numbers and figures depend on.
KEY_PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib")


def package_versions(names=KEY_PACKAGES) -> dict[str, str]:
    """Return ``{name: installed version}`` (``"not installed"`` when missing)."""
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def execution_record(nb: nbformat.NotebookNode, seconds: float,
                     when: datetime | None = None) -> dict:
    """Return what ``make execute`` stores about an execution of ``nb`` that just ran.

    The result is ``"passed"`` unless a cell allowed to raise (tag
    ``raises-exception``) stored an error. Python's version is the kernel's.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells.append(nbformat.v4.new_code_cell("1 + 1", execution_count=1))
    >>> record = execution_record(nb, 2.345, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    >>> record["executed"], record["seconds"], record["result"]
    ('2026-01-02T03:04:05+00:00', 2.3, 'passed')
    >>> sorted(record["packages"]) == sorted(KEY_PACKAGES)
    True
    """
    errors = sum(any(out.get("output_type") == "error" for out in cell.get("outputs", []))
                 for cell in nb.cells if cell.cell_type == "code")
    when = when or datetime.now(UTC)
    return {
        "executed": when.isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "result": "passed" if not errors else f"errors in {errors} cells",
        "python": nb.metadata.get("language_info", {}).get("version") or platform.python_version(),
        "packages": package_versions(),
    }


def _cell_times(nb: nbformat.NotebookNode) -> list[tuple[datetime, datetime]]:
    """(start, end) of each executed code cell, from Jupyter's own cell metadata."""
    times = []
    for cell in nb.cells:
        stamps = cell.get("metadata", {}).get("execution", {})
        start, end = stamps.get("iopub.execute_input"), stamps.get("shell.execute_reply")
        if start and end:
            times.append(tuple(datetime.fromisoformat(s)
                               for s in (start, end)))
    return times


def chapter_status(chapter: Chapter) -> dict:
    """Return the last execution of a chapter, as the status page shows it.

    Keys: ``executed`` (UTC, minutes), ``seconds``, ``result``, ``up_to_date``
    (the stored outputs come from the chapter's current code and helpers),
    ``python`` and ``packages`` (``{}`` when not recorded).
    """
    if not chapter.ipynb.exists():
        return {"executed": None, "seconds": None, "result": "never executed",
                "up_to_date": False, "python": None, "packages": {}}
    nb = nbformat.read(chapter.ipynb, as_version=4)
    record = dict(nb.metadata.get(METADATA_KEY, {}))
    times = _cell_times(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    executed, seconds = record.get("executed"), record.get("seconds")
    executed = datetime.fromisoformat(executed) if executed else (
        max(end for _, end in times) if times else None)
    if seconds is None and times:
        seconds = round((max(e for _, e in times) - min(s for s, _ in times)).total_seconds(), 1)
    result = record.get("result")
    if any(c.get("execution_count") is None for c in code):
        result = "not executed (a code cell has no output)"
    elif result is None:
        errors = sum(any(o.get("output_type") == "error" for o in c.outputs) for c in code)
        result = "passed" if not errors else f"errors in {errors} cells"
    if executed is not None:
        executed = executed.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return {
        "executed": executed,
        "seconds": seconds,
        "result": result,
        "up_to_date": chapter.md.exists() and record.get("inputs") == fingerprint(chapter),
        "python": record.get("python") or nb.metadata.get("language_info", {}).get("version"),
        "packages": record.get("packages", {}),
    }


#: Shown where a notebook was executed before its record existed.
NOT_RECORDED = "–"


def status_tables(chapters: list[Chapter]) -> str:
    """Return the status page's two tables as MyST Markdown."""
    rows = [(c, chapter_status(c)) for c in chapters]
    extra = {n for _, s in rows for n in s["packages"]} - set(KEY_PACKAGES)
    names = [*KEY_PACKAGES, *sorted(extra)]

    def table(title: str, name: str, header: list[str], body: list[list[str]]) -> str:
        lines = [f"```{{list-table}} {title}", ":header-rows: 1", f":name: {name}", ""]
        for row in [header, *body]:
            lines.append(f"* - {row[0]}")
            lines.extend(f"  - {cell}" for cell in row[1:])
        return "\n".join([*lines, "```", ""])

    def link(chapter: Chapter) -> str:
        return f"{{doc}}`/{chapter.stem}`"

    execution = []
    for chapter, s in rows:
        state = ("up to date" if s["up_to_date"] else
                 "**out of date**: its code or a helper changed since")
        execution.append([link(chapter), f"{s['executed']} UTC" if s["executed"] else "never",
                          f"{s['seconds']:.1f} s" if s["seconds"] is not None else NOT_RECORDED,
                          s["result"], state])
    versions = [[link(c), s["python"] or NOT_RECORDED,
                 *(s["packages"].get(n, NOT_RECORDED) for n in names)] for c, s in rows]
    return "\n".join([
        table("Last execution of each chapter", "status-execution",
              ["Chapter", "Executed", "Run time", "Result", "Stored outputs"], execution),
        table("Versions each chapter last ran with", "status-versions",
              ["Chapter", "Python", *names], versions),
    ])


# The Sphinx side: a directive that renders the tables at build time.

try:
    from sphinx.util.docutils import SphinxDirective
except ImportError:  # pragma: no cover - only the execution record is used without Sphinx
    SphinxDirective = object


class ChapterStatus(SphinxDirective):
    """``{chapter-status}``: the tables of :func:`status_tables` for every chapter in the toc."""

    has_content = False

    def run(self):
        root = find_root(Path(self.env.srcdir))
        chapters = list_chapters(root)
        # Rebuild the page when a notebook, a chapter's code, a helper, the pins or the toc change.
        deps = [root / "_toc.yml", root / "requirements.txt"]
        for chapter in chapters:
            deps += [chapter.md, chapter.ipynb]
            if chapter.md.exists():
                deps += helper_modules(chapter.md.read_text(), root / "src" / "lmmbook")
        for path in deps:
            if path.exists():
                self.env.note_dependency(str(path))
        return self.parse_text_to_nodes(status_tables(chapters))


def setup(app) -> dict:
    app.add_directive("chapter-status", ChapterStatus)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
