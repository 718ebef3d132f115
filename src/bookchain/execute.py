"""``make execute``: bring every chapter's ``.ipynb`` up to date with its ``.md``.

For each chapter (or those named on the command line):

1. the ``.md`` (the file authors edit) is synced into the ``.ipynb``, keeping
   the stored outputs of unchanged cells;
2. the notebook is re-executed only if its fingerprint (code cells, imported
   helper modules, pins) differs from the one stored at its last execution, or
   a code cell was never executed, or ``--all`` is given;
3. the ``.md`` is touched last, so Jupytext sees the pair as in sync;
4. the chapter's reader notebook ``notebooks/NN-slug.ipynb`` (:mod:`bookchain.reader`)
   is rewritten from the ``.ipynb`` if it changed.

A prose-only edit re-executes nothing. Usage::

    python -m bookchain.execute [--all] [book/01-simulating-nested-data.md ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from nbclient import NotebookClient

from bookchain.chapters import (
    METADATA_KEY,
    Chapter,
    find_root,
    fingerprint,
    list_chapters,
    stored_fingerprint,
    unexecuted_cells,
)
from bookchain.reader import write_notebooks
from bookchain.status import execution_record

TIMEOUT = 600  # seconds per cell


def sync_chapter(chapter: Chapter) -> nbformat.NotebookNode:
    """Return the ``.md`` cells combined with the outputs stored in the ``.ipynb``."""
    source = jupytext.read(chapter.md)
    if chapter.ipynb.exists():
        stored = nbformat.read(chapter.ipynb, as_version=4)
        nb = combine_inputs_with_outputs(source, stored)
        nb.metadata[METADATA_KEY] = stored.metadata.get(METADATA_KEY, {})
        return nb
    return source


def execute_notebook(nb: nbformat.NotebookNode, cwd: Path) -> float:
    """Execute ``nb`` in place in a fresh kernel; return the seconds taken."""
    start = time.perf_counter()
    env_backend = os.environ.pop("MPLBACKEND", None)  # let the kernel use inline
    try:
        NotebookClient(
            nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
        ).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    return time.perf_counter() - start


def needs_execution(chapter: Chapter, nb: nbformat.NotebookNode) -> str | None:
    """Return why a chapter must be re-executed, or None if it is up to date."""
    if not chapter.ipynb.exists():
        return "no .ipynb yet"
    if stored_fingerprint(chapter) != fingerprint(chapter):
        return "its code or a helper it imports changed"
    code = [c for c in nb.cells if c.cell_type == "code"]
    if any(c.get("execution_count") is None for c in code) or unexecuted_cells(chapter):
        return "a code cell has no stored output"
    return None


def update_chapter(chapter: Chapter, force: bool = False) -> tuple[bool, str]:
    """Sync one chapter and execute it if needed; return (executed, message)."""
    nb = sync_chapter(chapter)
    reason = "--all" if force else needs_execution(chapter, nb)
    executed = reason is not None
    if executed:
        seconds = execute_notebook(nb, chapter.md.parent)
        # The fingerprint, and when/how long/with what it ran (the status page).
        nb.metadata[METADATA_KEY] = {"inputs": fingerprint(chapter),
                                     **execution_record(nb, seconds)}
        message = f"executed  {chapter.name} ({reason}; {seconds:.1f} s)"
    else:
        message = f"in sync   {chapter.name} (outputs up to date)"
    nbformat.write(nb, chapter.ipynb)
    chapter.md.touch()
    return executed, message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookchain.execute", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="chapter .md or .ipynb files (default: all)")
    parser.add_argument("--all", action="store_true", help="re-execute even if up to date")
    args = parser.parse_args(argv)
    root = find_root()
    chapters = list_chapters(root)
    if args.chapters:
        wanted = {Path(p).resolve().with_suffix("") for p in args.chapters}
        chapters = [c for c in chapters if (root / c.stem).resolve() in wanted]
        if not chapters:
            parser.error(f"none of {args.chapters} is a chapter listed in _toc.yml")
    count, missing = 0, []
    for chapter in chapters:
        if not chapter.md.exists():
            missing.append(chapter)
            print(f"MISSING   {chapter.md.relative_to(root)} (listed in _toc.yml)", flush=True)
            continue
        executed, message = update_chapter(chapter, force=args.all)
        count += executed
        print(message, flush=True)
    print(f"{count} of {len(chapters)} chapters executed")
    # Every reader notebook, not only the updated chapters': a changed title or label in
    # one chapter changes the references to it in the others.
    written = write_notebooks(root)
    print(f"{len(written)} reader notebooks written (notebooks/)")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
