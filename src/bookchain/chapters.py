"""Chapters, pairs and the fingerprint of what a chapter's outputs depend on."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

#: Where ``make execute`` records the fingerprint of the inputs a notebook was
#: executed with (notebook metadata, ``.ipynb`` side only).
METADATA_KEY = "lmmbook"

_TOC_FILE = re.compile(r"^\s*-?\s*(?:file|root):\s*(\S+)\s*$", re.M)
_CHAPTER = re.compile(r"^\d\d-[\w-]+$")
_IMPORT = re.compile(
    r"^\s*(?:from\s+lmmbook\.(\w+)(?:\.\w+)*\s+import|from\s+lmmbook\s+import\s+([\w, ]+)"
    r"|import\s+lmmbook\.(\w+))",
    re.M,
)


@dataclass(frozen=True)
class Chapter:
    """A paired chapter: ``book/NN-slug.md`` and ``book/NN-slug.ipynb``."""

    root: Path
    stem: str  # e.g. "book/01-simulating-nested-data"

    @property
    def md(self) -> Path:
        return self.root / f"{self.stem}.md"

    @property
    def ipynb(self) -> Path:
        return self.root / f"{self.stem}.ipynb"

    @property
    def name(self) -> str:
        return Path(self.stem).name


def find_root(start: Path | None = None) -> Path:
    """Return the project root: the nearest folder holding ``_toc.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").exists():
            return folder
    raise FileNotFoundError(f"no _toc.yml in {here} or its parents")


def list_chapters(root: Path) -> list[Chapter]:
    """Return the numbered chapters listed in ``_toc.yml``, in order."""
    stems = [m.group(1).strip("'\"") for m in _TOC_FILE.finditer((root / "_toc.yml").read_text())]
    stems = [re.sub(r"\.(md|ipynb)$", "", s) for s in stems]
    return [Chapter(root, s) for s in stems if _CHAPTER.match(Path(s).name)]


def read_cells(path: Path) -> list[tuple[str, str]]:
    """Return ``(cell_type, source)`` for each cell of a chapter file."""
    nb = jupytext.read(path)
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def compare_pair(chapter: Chapter) -> list[str]:
    """Return the differences between a chapter's ``.md`` and ``.ipynb`` cells.

    An empty list means the pair is in sync.
    """
    for path in (chapter.md, chapter.ipynb):
        if not path.exists():
            return [f"{path.relative_to(chapter.root)} is missing"]
    md, nb = read_cells(chapter.md), read_cells(chapter.ipynb)
    problems = []
    if len(md) != len(nb):
        problems.append(f"{len(md)} cells in {chapter.name}.md, {len(nb)} in {chapter.name}.ipynb")
    for i, (a, b) in enumerate(zip(md, nb)):
        if a != b:
            first = (a[1].splitlines() or [""])[0][:60]
            problems.append(f"cell {i} differs ({a[0]} cell starting {first!r})")
            break
    return problems


def unexecuted_cells(chapter: Chapter) -> list[int]:
    """Return the indices of code cells of the ``.ipynb`` that were never executed."""
    nb = nbformat.read(chapter.ipynb, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    return [i for i, c in enumerate(code) if c.get("execution_count") is None]


def helper_modules(code: str, package: Path) -> list[Path]:
    """Return the ``lmmbook`` source files that ``code`` imports, transitively.

    The package's ``__init__.py`` is always included (importing any submodule
    runs it).
    """
    seen: dict[str, list[Path]] = {}
    todo = [code]
    while todo:
        for m in _IMPORT.finditer(todo.pop()):
            names = [m.group(1) or m.group(3)] if not m.group(2) else m.group(2).split(",")
            for name in (n.strip() for n in names):
                if not name or name in seen:
                    continue
                # A module is one file; a subpackage (``plotting/``) is all of its
                # files, since importing it runs its ``__init__``, which imports them.
                files = sorted((package / name).glob("*.py")) or [package / f"{name}.py"]
                files = [f for f in files if f.exists()]
                if files:
                    seen[name] = files
                    todo.extend(f.read_text() for f in files)
    init = package / "__init__.py"
    found = {f for files in seen.values() for f in files}
    return sorted({init, *found} if init.exists() else found)


def fingerprint(chapter: Chapter) -> str:
    """Return a hash of everything a chapter's outputs depend on.

    That is the code cells of its ``.md`` (not its prose), the source of each
    ``lmmbook`` module it imports, and the pinned requirements (the pins only: a
    comment in ``requirements.txt`` changes nothing). A prose-only
    edit leaves it unchanged; a code edit or a helper change alters it.
    """
    nb = jupytext.read(chapter.md)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    digest = hashlib.sha256()
    digest.update(code.encode())
    for path in helper_modules(code, chapter.root / "src" / "lmmbook"):
        digest.update(path.relative_to(chapter.root).as_posix().encode())
        digest.update(path.read_bytes())
    requirements = chapter.root / "requirements.txt"
    if requirements.exists():  # the pins themselves, not their comments or order
        pins = sorted(
            line.split("#")[0].strip() for line in requirements.read_text().splitlines()
            if line.split("#")[0].strip()
        )
        digest.update("\n".join(pins).encode())
    return digest.hexdigest()[:16]


def stored_fingerprint(chapter: Chapter) -> str | None:
    """Return the fingerprint recorded when the ``.ipynb`` was last executed."""
    if not chapter.ipynb.exists():
        return None
    nb = nbformat.read(chapter.ipynb, as_version=4)
    return nb.metadata.get(METADATA_KEY, {}).get("inputs")
