"""Course assignments: a student notebook and an autograder per chapter, from the chapter.

The exercises, their solutions and their checks live in the chapters, once
(``lmmbook.grading.check`` cells tagged ``check`` after each solution). This
module turns each chapter into

- ``OUTDIR/<chapter>/<chapter>.ipynb``, the **student notebook**: the chapter's
  prose and code without the solutions, the check cells and the hidden cells the
  remaining code does not need; after each exercise a cell for the answer
  (``answer_x = ...``), a "Your answer" cell where words are asked for, and a
  ``grader.check("ex-...")`` cell; no stored output. Its first code cell sets up
  Google Colab (the book's package, the pins, otter-grader and the tests);
- ``OUTDIR/<chapter>/tests/<exercise>.py``, one otter-grader test file per
  exercise with checks: one test case per check, its points, its message;
- ``OUTDIR/<chapter>.zip``, that folder zipped, to hand out (the website offers it);
- ``OUTDIR/instructor/<chapter>/``: ``autograder.zip`` (what ``otter run`` grades a
  submission with: the tests and ``otter_config.json``), ``solved.ipynb`` (the
  student notebook with the solutions' code in the answer cells: full marks) and
  ``chapter.ipynb`` (the executed chapter).

The student notebook's Markdown is made readable in Jupyter by the conversion of the
reader notebooks (:func:`bookchain.reader.convert_markdown`): glued numbers are filled
in from the executed chapter, references become the title or number they point at,
citations "Author (Year)", terms their text.

Every file is the same byte for byte when nothing changed. Usage::

    python -m bookchain.assignments build _build/assignments
    python -m bookchain.assignments grade SUBMISSIONS _build/grades.csv --assignments _build/assignments
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from bookchain.chapters import Chapter, find_root, list_chapters
from bookchain.colab import GRADER_PINS, is_colab_cell, pins
from bookchain.colab import cell_source as colab_cell_source
from bookchain.reader import MARKER_FENCE, BookIndex, Page, book_index, convert_markdown, glued_values
from bookchain.repository import Repository, repository

#: Notebook metadata key naming the chapter a student notebook comes from.
METADATA_KEY = "lmmbook_assignment"
CHECK_TAG = "check"
INSTRUCTOR = "instructor"
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)
_LABEL_OPTION = re.compile(r"^:label:\s*([\w-]+)", re.M)
_ANSWER = re.compile(r"`(answer_\w+)`")
_WORDS = re.compile(r"\?|\b(?:explain|why|say in words|in words|interpret)\b", re.I)


@dataclass
class Exercise:
    """An exercise of a chapter: its label, text, answer variables and checks."""

    label: str
    text: str = ""
    answers: list[str] = field(default_factory=list)
    check_cells: list[str] = field(default_factory=list)
    solution_code: list[str] = field(default_factory=list)  # the visible code of its solution
    checks: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (function, points, parameters)

    @property
    def points(self) -> int:
        return sum(p for _, p, _ in self.checks)

    @property
    def asks_for_words(self) -> bool:
        return not self.checks or bool(_WORDS.search(self.text))


@dataclass
class Piece:
    """A cell of the chapter, or a part of a markdown cell, and where it lies."""

    kind: str  # "markdown", "code", "exercise", "answer" (where a solution was)
    source: str = ""
    metadata: dict = field(default_factory=dict)
    label: str | None = None  # the exercise or solution it belongs to
    in_solution: bool = False


# --- reading a chapter ---------------------------------------------------------------


def split_chapter(nb: nbformat.NotebookNode) -> tuple[list[Piece], dict[str, Exercise]]:
    """Cut a chapter into pieces: prose, code, exercise texts, and where solutions were."""
    pieces: list[Piece] = []
    exercises: dict[str, Exercise] = {}
    current: str | None = None  # the exercise whose text is being read
    solution: str | None = None  # the solution being skipped
    for cell in nb.cells:
        if cell.cell_type == "code":
            if solution is not None:
                tags = cell.metadata.get("tags", [])
                if CHECK_TAG in tags:
                    exercises.setdefault(solution, Exercise(solution)).check_cells.append(cell.source)
                elif "remove-cell" not in tags:
                    exercises.setdefault(solution, Exercise(solution)).solution_code.append(cell.source)
                pieces.append(Piece("code", cell.source, dict(cell.metadata), solution, True))
            else:
                pieces.append(Piece("code", cell.source, dict(cell.metadata)))
            continue
        if cell.cell_type != "markdown":
            continue
        text, position = cell.source, 0
        for match in MARKER_FENCE.finditer(text):
            between = text[position:match.start()]
            position = match.end()
            if solution is None:
                if current is not None:
                    exercises[current].text += between
                elif between.strip():
                    pieces.append(Piece("markdown", between))
            kind = match.group("kind")
            if kind == "exercise-start":
                label = _LABEL_OPTION.search(match.group("options"))
                if label is None:
                    raise ValueError(f"an exercise-start without :label: in {text[:60]!r}")
                current = label.group(1)
                exercises.setdefault(current, Exercise(current))
                pieces.append(Piece("exercise", label=current))
            elif kind == "exercise-end":
                current = None
            elif kind == "solution-start":
                solution = match.group("arg")
                exercises.setdefault(solution, Exercise(solution))
                pieces.append(Piece("answer", label=solution))
            elif kind == "solution-end":
                solution = None
        rest = text[position:]
        if solution is None and rest.strip():
            if current is not None:
                exercises[current].text += rest
            else:
                pieces.append(Piece("markdown", rest))
    for exercise in exercises.values():
        exercise.text = exercise.text.strip()
        exercise.checks = [c for source in exercise.check_cells for c in checks_of(source, exercise.label)]
        names = _ANSWER.findall(exercise.text) + [p for _, _, ps in exercise.checks for p in ps]
        exercise.answers = [n for i, n in enumerate(names) if n.startswith("answer_") and n not in names[:i]]
    return pieces, exercises


def checks_of(source: str, label: str) -> list[tuple[str, int, list[str]]]:
    """``(function, points, parameters)`` of each ``@check`` function of a check cell."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and getattr(deco.func, "id", None) == "check":
                args = [ast.literal_eval(a) for a in deco.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in deco.keywords}
                exercise = args[0] if args else kwargs.get("exercise")
                points = args[1] if len(args) > 1 else kwargs.get("points", 1)
                if exercise != label:
                    raise ValueError(f"check {node.name} names exercise {exercise!r} inside the solution of {label!r}")
                found.append((node.name, points, [a.arg for a in node.args.args]))
    return found


def _code_without_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def names_of(source: str) -> tuple[set[str], set[str]]:
    """The names a cell defines and the names it reads (a generous estimate of both)."""
    defines, uses, arguments = set(), set(), set()
    try:
        tree = ast.parse(_code_without_magics(source))
    except SyntaxError:
        return defines, uses
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (defines if isinstance(node.ctx, ast.Store | ast.Del) else uses).add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            defines.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defines.add(node.name)
        elif isinstance(node, ast.arg):
            arguments.add(node.arg)
    # A name the cell itself defines, or a function's parameter, is not read from elsewhere.
    return defines, uses - defines - arguments


# --- the student notebook -------------------------------------------------------------


def student_pins(root: Path) -> list[str]:
    """What a student notebook's Colab cell installs: the reader's pins and the grader's."""
    return pins(root) + pins(root, GRADER_PINS)


def student_colab_source(repo: Repository | None, pinned: list[str], chapter: str, labels: list[str]) -> str:
    """The student notebook's Colab cell: the chapter's, plus the checks from the website."""
    source = colab_cell_source(repo, pinned)
    if repo is None or not labels:
        return source
    return "\n".join([
        source,
        "    import pathlib",
        "    import urllib.request",
        "",
        f'    TESTS = "{repo.website}assignments/{chapter}/tests/"',
        '    pathlib.Path("tests").mkdir(exist_ok=True)',
        f"    for name in {json.dumps(labels)}:",
        '        urllib.request.urlretrieve(f"{TESTS}{name}.py", f"tests/{name}.py")',
    ])


GRADER_INIT = (
    "# The checks of this notebook's exercises (otter-grader; the tests are in the folder tests/).\n"
    "import otter\n\n"
    'grader = otter.Notebook(tests_dir="tests")'
)


def _markdown(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def _code(source: str, metadata: dict | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata = copy.deepcopy(metadata or {})
    return cell


def answer_cells(exercise: Exercise) -> list[nbformat.NotebookNode]:
    """The cells a student fills in for an exercise, then the check cell."""
    cells = []
    if exercise.answers:
        lines = [f"# {exercise.label}: your code here; then store your answer in "
                 f"{', '.join(exercise.answers)}."]
        lines += [f"{name} = ...  # your answer" for name in exercise.answers]
        cells.append(_code("\n".join(lines), {"tags": ["answer"], METADATA_KEY: {"exercise": exercise.label}}))
    if exercise.asks_for_words:
        cells.append(_markdown(f"**Your answer** ({exercise.label}), in words: *double-click here and write.*"))
    if exercise.checks:
        cells.append(_code(f'grader.check("{exercise.label}")', {"tags": ["check"]}))
    return cells


def student_notebook(chapter: Chapter, repo: Repository | None = None,
                     pinned: list[str] | None = None,
                     index: BookIndex | None = None) -> tuple[nbformat.NotebookNode, dict[str, Exercise]]:
    """A chapter's student notebook, and its exercises.

    ``index`` (:func:`bookchain.reader.book_index`, read from the book if not given)
    resolves the references of its Markdown.
    """
    nb = jupytext.read(chapter.md)
    pieces, exercises = split_chapter(nb)
    index = book_index(chapter.root) if index is None else index
    page = Page(index, glued_values(chapter.ipynb), chapter.name)
    pinned = student_pins(chapter.root) if pinned is None else pinned
    graded = [e.label for e in exercises.values() if e.checks]

    # Which code cells the student notebook keeps: every visible cell outside the
    # solutions; a hidden one only if a later kept cell, a check or a solution reads what
    # it defines.
    solution_defines = set().union(*(names_of(p.source)[0] for p in pieces if p.kind == "code" and p.in_solution))
    needed = {p for e in exercises.values() for source in e.check_cells for p in names_of(source)[1]}
    needed |= {p for e in exercises.values() for _, _, params in e.checks for p in params}
    # What the solutions read, students may read too (a hidden cell outside the solutions
    # may define a name the exercise's text points at).
    needed |= set().union(*(names_of(p.source)[1] for p in pieces if p.kind == "code" and p.in_solution))
    keep: set[int] = set()
    for i in reversed(range(len(pieces))):
        piece = pieces[i]
        if piece.kind != "code" or piece.in_solution or is_colab_cell(piece.source):
            continue
        defines, uses = names_of(piece.source)
        hidden = "remove-cell" in piece.metadata.get("tags", [])
        if hidden and not defines & needed:
            continue
        keep.add(i)
        needed |= uses
    outside = set().union(*(names_of(pieces[i].source)[0] for i in keep))
    problems = []
    for i in sorted(keep):
        only_in_solutions = (names_of(pieces[i].source)[1] & solution_defines) - outside
        if only_in_solutions:
            problems.append(f"a cell outside the solutions reads {sorted(only_in_solutions)}, "
                            f"which only a solution defines: {pieces[i].source[:60]!r}")
    for exercise in exercises.values():
        for func, _, params in exercise.checks:
            unknown = [p for p in params if not p.startswith("answer_") and p not in outside]
            if unknown:
                problems.append(f"check {func} of {exercise.label} names {unknown}, which no cell outside "
                                "the solutions defines (a check may name answer_* variables and the "
                                "chapter's own data only)")
    if problems:
        raise ValueError(f"{chapter.md.name}: " + "; ".join(problems))

    title = next((p.source for p in pieces if p.kind == "markdown"), "")
    heading = re.search(r"^# (.+)$", title, re.M)
    intro = _markdown(
        f"**Assignment: {heading.group(1) if heading else chapter.name}.** Run the cells from the top. "
        "Each exercise is followed by a cell for your code and answer (replace the `...`), "
        "a cell for your words where the exercise asks for them, and a cell "
        '`grader.check("...")` that checks your answer and says what is wrong. '
        "Save the notebook and hand it in as it is."
    )
    cells = [intro]
    colab = _code(student_colab_source(repo, pinned, chapter.name, graded), {"tags": ["remove-cell"]})
    setup_done = False
    for i, piece in enumerate(pieces):
        if piece.kind == "markdown":
            text = convert_markdown(piece.source, page).strip()
            if text:
                cells.append(_markdown(text))
        elif piece.kind == "exercise":
            exercise = exercises[piece.label]
            points = f", {exercise.points} points" if exercise.points else ""
            number = index.numbers.get(exercise.label, "Exercise")
            cells.append(_markdown(f"### {number} (`{exercise.label}`{points})\n\n"
                                   + convert_markdown(exercise.text, page)))
        elif piece.kind == "answer":
            cells.extend(answer_cells(exercises[piece.label]))
        elif piece.kind == "code" and i in keep:
            metadata = {k: v for k, v in piece.metadata.items() if k in ("tags", "mystnb")}
            if "remove-cell" in metadata.get("tags", []):
                metadata["jupyter"] = {"source_hidden": True}
            if colab is not None:  # before the first code cell the student runs
                cells.append(colab)
                colab = None
            cells.append(_code(piece.source, metadata))
            if not setup_done:  # the setup cell, then the grader
                cells.append(_code(GRADER_INIT))
                setup_done = True
    for n, cell in enumerate(cells):
        cell["id"] = f"cell-{n:03d}"
    student = nbformat.v4.new_notebook(cells=cells)
    student.nbformat_minor = 5
    student.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        METADATA_KEY: {"chapter": chapter.name, "exercises": graded},
    }
    return student, exercises


def solved_notebook(student: nbformat.NotebookNode, exercises: dict[str, Exercise]) -> nbformat.NotebookNode:
    """The student notebook with each answer cell replaced by the solution's code.

    What a student who copied the solutions hands in: the autograder must give it full marks.
    """
    solved = copy.deepcopy(student)
    cells = []
    for cell in solved.cells:
        label = cell.metadata.get(METADATA_KEY, {}).get("exercise")
        if label is None:
            cells.append(cell)
            continue
        for n, source in enumerate(exercises[label].solution_code):
            solution = _code(source, {"tags": ["solution"]})
            solution["id"] = f"{cell['id']}-solution-{n}"
            cells.append(solution)
    solved.cells = cells
    return solved


def otter_test_file(chapter: Chapter, exercise: Exercise) -> str:
    """The otter-grader test file of one exercise: one test case per check."""
    lines = [
        f'"""Checks of exercise {exercise.label} ({chapter.stem}.md), for otter-grader.',
        "",
        "Generated by `make assignments` (bookchain.assignments) from the chapter's check cells:",
        'edit the chapter, not this file."""',
        "",
        "from otter.test_files import test_case",
        "",
        "from lmmbook.grading import run_checks",
        "",
        "OK_FORMAT = False",
        f"name = {exercise.label!r}",
        "points = None",
        "",
    ]
    for n, source in enumerate(exercise.check_cells):
        lines.append(f"CELL_{n} = {source.strip()!r}")
    lines.append("")
    for func, points, _ in exercise.checks:
        cell = next(n for n, source in enumerate(exercise.check_cells) if func in {c for c, _, _ in
                                                                                    checks_of(source, exercise.label)})
        lines += [
            "",
            f"@test_case(name={func!r}, points={points}, hidden=False)",
            f"def {func}(env):",
            f"    run_checks(CELL_{cell}, env, {func!r})",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


# --- writing files --------------------------------------------------------------------


def _write_if_changed(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` (archive name to content) that is the same for the same files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name])
    return buffer.getvalue()


def build_chapter(chapter: Chapter, outdir: Path, repo: Repository | None = None,
                  pinned: list[str] | None = None, instructor: bool = True,
                  index: BookIndex | None = None) -> dict[str, Exercise]:
    """Write one chapter's student folder, its zip and (if ``instructor``) its instructor files."""
    student, exercises = student_notebook(chapter, repo, pinned, index)
    folder = outdir / chapter.name
    if folder.exists():  # tests of exercises since removed must not linger
        shutil.rmtree(folder)
    files = {f"{chapter.name}.ipynb": nbformat.writes(student).encode() + b"\n"}
    for exercise in exercises.values():
        if exercise.checks:
            files[f"tests/{exercise.label}.py"] = otter_test_file(chapter, exercise).encode()
    for name, data in files.items():
        _write_if_changed(folder / name, data)
    _write_if_changed(outdir / f"{chapter.name}.zip", zip_bytes({f"{chapter.name}/{k}": v for k, v in files.items()}))
    if not instructor:
        return exercises
    grader = {k: v for k, v in files.items() if k.startswith("tests/")}
    grader["otter_config.json"] = json.dumps({"lang": "python", "zips": False}, indent=2).encode() + b"\n"
    folder = outdir / INSTRUCTOR / chapter.name
    _write_if_changed(folder / "autograder.zip", zip_bytes(grader))
    if chapter.ipynb.exists():
        _write_if_changed(folder / "chapter.ipynb", chapter.ipynb.read_bytes())
    solved = solved_notebook(student, exercises)
    _write_if_changed(folder / "solved.ipynb", nbformat.writes(solved).encode() + b"\n")
    return exercises


def build(root: Path, outdir: Path, environ: dict | None = None,
          instructor: bool = True) -> dict[str, dict[str, Exercise]]:
    """Build every chapter's assignment into ``outdir``; return the exercises by chapter.

    ``instructor=False`` leaves out the autograders and solved notebooks (the website).
    """
    repo, pinned, index = repository(root, environ), student_pins(root), book_index(root)
    built = {}
    for chapter in list_chapters(root):
        if chapter.md.exists() and "{exercise-start}" in chapter.md.read_text():
            built[chapter.name] = build_chapter(chapter, outdir, repo, pinned, instructor, index)
    return built


# --- the instructors' page -------------------------------------------------------------

#: Minutes estimated per exercise (code and words) and words of prose read per minute.
MINUTES_PER_EXERCISE = 15
WORDS_PER_MINUTE = 150


def course_plan(root: Path) -> list[dict[str, object]]:
    """For each chapter with exercises, in the book's order: what the instructors' page lists.

    ``minutes`` is an estimate: the chapter's prose read at :data:`WORDS_PER_MINUTE`
    plus :data:`MINUTES_PER_EXERCISE` per exercise, rounded up to five minutes.
    """
    plan, index = [], book_index(root)
    for chapter in list_chapters(root):
        if not chapter.md.exists() or "{exercise-start}" not in chapter.md.read_text():
            continue
        nb = jupytext.read(chapter.md)
        pieces, exercises = split_chapter(nb)
        prose = " ".join(p.source for p in pieces if p.kind == "markdown")
        prose += " ".join(e.text for e in exercises.values())
        text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        title = re.search(r"^# (.+)$", text, re.M)
        overview = re.search(r"^## Overview\n+(.+?)(?=\n```|\n## |\Z)", text, re.S | re.M)
        page = Page(index, glued_values(chapter.ipynb), chapter.name)
        # The instructors' page is part of the book: Sphinx resolves its terms, references
        # and citations, so only what is local to the chapter is written in.
        objectives = convert_markdown(overview.group(1), page, keep_links=True) if overview else ""
        minutes = len(prose.split()) / WORDS_PER_MINUTE + MINUTES_PER_EXERCISE * len(exercises)
        plan.append({
            "chapter": chapter.name,
            "stem": chapter.stem,
            "title": title.group(1).strip() if title else chapter.name,
            "objectives": " ".join(objectives.split()),
            "exercises": len(exercises),
            "graded": sum(1 for e in exercises.values() if e.checks),
            "points": sum(e.points for e in exercises.values()),
            "minutes": int(-(-minutes // 5) * 5),
        })
    return plan


def plan_table(plan: list[dict[str, object]], site_root: str = "..") -> str:
    """The instructors' table as MyST Markdown: order, objectives, time, the student notebooks."""
    lines = ["```{list-table} The chapters to assign, in order",
             ":header-rows: 1", ":name: assignments-plan", ":widths: 5 50 15 30", "",
             "* - #", "  - Chapter and what students learn", "  - Exercises (graded, points); time",
             "  - Student notebook"]
    for n, row in enumerate(plan, start=1):
        folder = f"{site_root}/assignments/{row['chapter']}"
        lines += [
            f"* - {n}",
            f"  - {{doc}}`/{row['stem']}`: {row['objectives']}",
            f"  - {row['exercises']} ({row['graded']} graded, {row['points']} points); "
            f"about {row['minutes']} min",
            f'  - <a href="{folder}.zip">{row["chapter"]}.zip</a> '
            f'(<a href="{folder}/{row["chapter"]}.ipynb">notebook</a>)',
        ]
    return "\n".join([*lines, "```", ""])


# --- grading --------------------------------------------------------------------------


def submission_chapter(path: Path) -> str:
    """The chapter a submitted notebook was made from (its metadata)."""
    nb = json.loads(path.read_text())
    chapter = nb.get("metadata", {}).get(METADATA_KEY, {}).get("chapter")
    if not chapter:
        raise ValueError(f"{path.name} is not a student notebook of the book (no {METADATA_KEY} metadata)")
    return chapter


def grade_submission(path: Path, assignments: Path) -> dict[str, float]:
    """Grade one notebook with ``otter run`` (no Docker); scores by exercise label."""
    from otter.run import main as otter_run

    chapter = submission_chapter(path)
    autograder = assignments / INSTRUCTOR / chapter / "autograder.zip"
    if not autograder.exists():
        raise FileNotFoundError(f"{autograder} is missing: run `make assignments` first")
    with tempfile.TemporaryDirectory() as tmp:
        # otter looks for exactly one notebook in the submission folder.
        copy_ = Path(tmp) / f"{chapter}.ipynb"
        shutil.copyfile(path, copy_)
        with _quiet():
            results = otter_run(str(copy_), autograder=str(autograder), output_dir=None, no_logo=True)
    order = json.loads(path.read_text()).get("metadata", {}).get(METADATA_KEY, {}).get("exercises", [])
    scores = {name: float(result.score) for name, result in results.results.items()}
    return {name: scores[name] for name in sorted(scores, key=lambda n: (n not in order, order.index(n)
                                                                          if n in order else 0, n))}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence otter and its kernel while a submission is graded; on an error, show what they said.

    The kernel is another process, so its standard error is redirected at the file
    descriptor (it warns about its transport on every start).
    """
    with tempfile.TemporaryFile(mode="w+") as said:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(said.fileno(), 2)
        failed = True
        try:
            with contextlib.redirect_stdout(said):
                yield
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                said.seek(0)
                sys.stderr.write(said.read())


def grade(submissions: Path, assignments: Path) -> list[dict[str, object]]:
    """One row per submitted notebook: ``student``, ``chapter``, a score per exercise, ``total``."""
    paths = sorted(p for p in submissions.glob("*.ipynb") if not p.name.startswith("."))
    if not paths:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {submissions}")
    rows = []
    for path in paths:
        try:
            chapter = submission_chapter(path)
            scores = grade_submission(path, assignments)
        except (ValueError, OSError) as err:  # one unreadable notebook does not stop the others
            print(f"could not grade {path.name}: {err}", file=sys.stderr)
            rows.append({"student": path.stem, "chapter": "", "total": None, "problem": str(err)})
            continue
        rows.append({"student": path.stem, "chapter": chapter, **scores, "total": sum(scores.values())})
    return rows


def table(rows: list[dict[str, object]]) -> tuple[list[str], list[list[str]]]:
    """Columns and cells of the grade table: student, chapter, exercises in order, total.

    A notebook that could not be graded has an empty total and a ``problem`` column saying why.
    """
    fixed = ("student", "chapter", "total", "problem")
    exercises = []
    for row in rows:
        exercises += [k for k in row if k not in fixed and k not in exercises]
    problems = ["problem"] if any(row.get("problem") for row in rows) else []
    columns = ["student", "chapter", *exercises, "total", *problems]

    def show(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    return columns, [[show(row.get(c)) for c in columns] for row in rows]


def write_table(rows: list[dict[str, object]], out: Path) -> str:
    """Write the grade table as CSV; return it as aligned text to print."""
    columns, cells = table(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(cells)
    widths = [max(len(r[i]) for r in [columns, *cells]) for i in range(len(columns))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in [columns, *cells])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookchain.assignments", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="write every chapter's student notebook and autograder")
    p_build.add_argument("outdir", type=Path)
    p_grade = sub.add_parser("grade", help="grade every notebook of a folder into a table")
    p_grade.add_argument("submissions", type=Path)
    p_grade.add_argument("out", type=Path, help="the CSV to write")
    p_grade.add_argument("--assignments", type=Path, default=Path("_build/assignments"))
    args = parser.parse_args(argv)
    root = find_root()
    if args.command == "build":
        built = build(root, args.outdir)
        n = sum(1 for exercises in built.values() for e in exercises.values() if e.checks)
        print(f"Assignments of {len(built)} chapters ({n} exercises with checks) in {args.outdir}")
        return 0
    if not args.submissions.is_dir():
        print(f"{args.submissions} is not a folder of notebooks", file=sys.stderr)
        return 2
    text = write_table(grade(args.submissions, args.assignments), args.out)
    print(text)
    print(f"\nWritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
