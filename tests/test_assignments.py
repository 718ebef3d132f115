"""The course assignments (bookchain.assignments): student notebooks, their checks, grading.

The solutions passing their checks is proved by nbval, which re-executes each chapter
(a failing ``lmmbook.grading.check`` stops it). Here: what a student gets (no solution,
no output, a place for each answer, a check per exercise), that the unanswered notebook
runs and fails its checks with their messages, that a wrong answer gets its message and
a half-right one partial credit, and that grading a folder gives the expected table.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import nbformat
import pytest
import statsmodels.formula.api as smf
from otter.test_files import ExceptionTestFile

from bookchain import assignments
from bookchain.chapters import list_chapters
from conftest import ROOT
from lmmbook.simulate import simulate_schools

# otter-grader's own use of pandas and traitlets warns; the warnings are not the book's.
pytestmark = [pytest.mark.filterwarnings("ignore:The inplace keyword"),
              pytest.mark.filterwarnings("ignore:Traits should be given as instances")]

CHAPTERS = [c for c in list_chapters(ROOT) if c.md.exists() and "{exercise-start}" in c.md.read_text()]
IDS = [c.name for c in CHAPTERS]
FIRST = "01-simulating-nested-data"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every chapter's assignment, built once: (folder, exercises by chapter)."""
    out = tmp_path_factory.mktemp("assignments")
    return out, assignments.build(ROOT, out, environ={})


def student(built, chapter: str) -> nbformat.NotebookNode:
    return nbformat.read(built[0] / chapter / f"{chapter}.ipynb", as_version=4)


def run_test_file(path, env: dict) -> dict[str, tuple[bool, str]]:
    """Run an otter test file on ``env``; (passed, message) by test case."""
    tests = ExceptionTestFile.from_file(str(path))
    tests.run(env)
    return {r.test_case.name: (r.passed, r.message) for r in tests.test_case_results}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_every_exercise_with_a_computed_answer_has_checks(built, chapter):
    exercises = built[1][chapter.name]
    unchecked = [e.label for e in exercises.values() if e.answers and not e.checks]
    assert not unchecked, (
        f"{chapter.stem}.md: exercises store answer_* variables but have no check cell "
        f"(tags [remove-cell, check], lmmbook.grading.check): {unchecked}"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_student_notebook_has_no_solution_code_and_no_output(built, chapter):
    nb = student(built, chapter.name)
    exercises = built[1][chapter.name]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), (
        f"{chapter.name}: the student notebook stores outputs"
    )
    sources = {c.source.strip() for c in code}
    for exercise in exercises.values():
        leaked = [s for s in exercise.solution_code + exercise.check_cells if s.strip() in sources]
        assert not leaked, f"{chapter.name}: solution or check code of {exercise.label} in the student notebook"
    text = "\n".join(c.source for c in nb.cells)
    for marker in ("{solution-start}", "{solution-end}", "@check(", "lmmbook.grading"):
        assert marker not in text, f"{chapter.name}: the student notebook contains {marker!r}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_student_notebook_markdown_is_plain(built, chapter):
    """The reader notebooks' conversion (bookchain.reader): no MyST, no raw label or citation key."""
    from bookchain.reader import book_index

    nb = student(built, chapter.name)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    left = [m for m in ("{glue", "{ref}", "{cite", "{term}", "{numref}", "{eq}", "{doc}", "```{") if m in text]
    assert not left, f"{chapter.name}: the student notebook's Markdown still holds MyST {left}"
    index = book_index(ROOT)
    raw = [k for k in [*index.titles, *index.numbers, *index.works] if re.search(rf"\*{re.escape(k)}\*", text)]
    assert not raw, f"{chapter.name}: the student notebook shows raw labels or citation keys {raw}"
    for exercise in built[1][chapter.name].values():
        assert f"### {index.numbers[exercise.label]} (`{exercise.label}`" in text


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_each_exercise_gets_an_answer_cell_and_a_check_cell(built, chapter):
    nb = student(built, chapter.name)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    for exercise in built[1][chapter.name].values():
        for name in exercise.answers:
            assert any(re.search(rf"^{name} = \.\.\.  # your answer$", s, re.M) for s in code), (
                f"{chapter.name}: no answer cell for {name} ({exercise.label})"
            )
        if exercise.checks:
            assert f'grader.check("{exercise.label}")' in code
            tests = ExceptionTestFile.from_file(str(built[0] / chapter.name / "tests" / f"{exercise.label}.py"))
            assert [t.name for t in tests.test_cases] == [c[0] for c in exercise.checks]
            assert [t.points for t in tests.test_cases] == [c[1] for c in exercise.checks]
            assert not any(t.hidden for t in tests.test_cases), "students must see every check"
        if exercise.asks_for_words:
            assert any(f"**Your answer** ({exercise.label})" in c.source for c in nb.cells)
    assert nb.metadata[assignments.METADATA_KEY]["chapter"] == chapter.name


def test_build_is_deterministic(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        for chapter in CHAPTERS[:4]:
            assignments.build_chapter(chapter, out)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    changed = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert not changed, f"two builds differ: {changed}"


def test_student_colab_cell_installs_the_grader_and_fetches_the_checks(tmp_path):
    from bookchain import colab, repository

    repo = repository.parse("someone/lmm-book")
    source = assignments.student_colab_source(repo, assignments.student_pins(ROOT), FIRST, ["ex-simulate-tau"])
    assert colab.is_colab_cell(source)
    assert "otter-grader==" in source
    assert f"{repo.website}assignments/{FIRST}/tests/" in source
    compile(source, "<colab>", "exec")


def test_wrong_answer_fails_with_its_message(built):
    """A REML likelihood ratio (the classic mistake) is told to refit by ML."""
    df = simulate_schools(n_schools=10, n_per_school=15, seed=42)
    llf = {f: smf.mixedlm(f, df, groups="school").fit(reml=True, gtol=1e-8).llf
           for f in ("score ~ hours", "score ~ 1")}
    env = {"df": df, "answer_lr": 2 * (llf["score ~ hours"] - llf["score ~ 1"])}
    results = run_test_file(built[0] / "03-random-intercept-model" / "tests" / "ex-fit-lrt.py", env)
    assert results["lr_is_a_number"][0]
    passed, message = results["lr_compares_ml_fits"]
    assert not passed and "fit by ML: pass reml=False" in message


def test_half_right_answer_gets_partial_credit(built):
    """The new school's prediction right, School 04's without its BLUP: 2 of 3 points."""
    df = simulate_schools(n_schools=10, n_per_school=15, seed=42)
    fit = smf.mixedlm("score ~ hours", df, groups="school").fit(reml=True, gtol=1e-8)
    fixed = fit.fe_params["Intercept"] + 6 * fit.fe_params["hours"]
    import pandas as pd

    env = {"fit": fit, "answer_predictions": pd.Series([fixed, fixed], index=["School 04", "new school"])}
    path = built[0] / "04-fixed-and-random-effects" / "tests" / "ex-effects-new-student.py"
    tests = ExceptionTestFile.from_file(str(path))
    tests.run(env)
    assert (tests.score, tests.possible) == (2, 3)
    failed = [r.message for r in tests.test_case_results if not r.passed]
    assert len(failed) == 1 and "add its BLUP" in failed[0]


def test_missing_or_placeholder_answer_is_named(built):
    path = built[0] / FIRST / "tests" / "ex-simulate-words.py"
    for env, words in (({}, "answer_tau is not defined"), ({"answer_tau": ...}, "answer_tau is still ...")):
        results = run_test_file(path, env)
        assert all(not passed and words in message for passed, message in results.values())


@pytest.mark.slow
def test_unanswered_student_notebook_runs_and_fails_its_checks_with_messages(built, tmp_path):
    from nbclient import NotebookClient

    folder = tmp_path / FIRST
    shutil.copytree(built[0] / FIRST, folder)
    nb = nbformat.read(folder / f"{FIRST}.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"the unanswered notebook raised {[e.ename for e in errors]}"
    checks = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
    assert len(checks) == len([e for e in built[1][FIRST].values() if e.checks]) >= 3
    for cell in checks:
        shown = "\n".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert "❌" in shown and "is still ... : replace the ... with your answer" in shown, shown


def submission(built, kind: str) -> nbformat.NotebookNode:
    """A made-up submission of the first chapter: full marks, partial, or empty."""
    if kind == "empty":
        return student(built, FIRST)
    nb = nbformat.read(built[0] / assignments.INSTRUCTOR / FIRST / "solved.ipynb", as_version=4)
    if kind == "partial":
        exercises = built[1][FIRST]
        cells = []
        for cell in nb.cells:
            owner = next((e for e in exercises.values() if cell.source in e.solution_code), None)
            if owner is not None and owner.label == "ex-simulate-tau":
                cell = nbformat.v4.new_code_cell("answer_adjusted_sd = 1.0  # a number, but not the right one")
            elif owner is not None and owner.label == "ex-simulate-words":
                cell = nbformat.v4.new_code_cell("answer_tau = ...  # your answer")
            cells.append(cell)
        nb.cells = cells
    return nb


@pytest.mark.slow
def test_grading_a_folder_gives_one_row_per_student_and_a_column_per_exercise(built, tmp_path, capsys):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in ("full", "partial", "empty"):
        nbformat.write(submission(built, name), folder / f"{name}.ipynb")
    out = tmp_path / "grades.csv"
    assert assignments.main(["grade", str(folder), str(out), "--assignments", str(built[0])]) == 0
    printed = capsys.readouterr().out
    rows = {r[0]: r for r in (line.split(",") for line in out.read_text().splitlines())}
    labels = [e.label for e in built[1][FIRST].values() if e.checks]
    assert rows["student"] == ["student", "chapter", *labels, "total"]
    points = {e.label: e.points for e in built[1][FIRST].values() if e.checks}

    def row(scores):
        return [f"{v:g}" for v in [*scores, sum(scores)]]

    assert rows["full"][2:] == row([points[label] for label in labels])
    partial = {"ex-simulate-tau": 1, "ex-simulate-size": points["ex-simulate-size"], "ex-simulate-words": 0}
    assert rows["partial"][2:] == row([partial[label] for label in labels])
    assert rows["empty"][2:] == row([0] * len(labels))
    assert [line.split()[0] for line in printed.splitlines()[:4]] == ["student", "empty", "full", "partial"]


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_solved_notebook_gets_full_marks(built, chapter, tmp_path):
    """The solutions, run as a student's code in the student notebook, pass every check.

    nbval proves it in the chapter; this proves it where grading happens (a check or a
    solution needing a cell the student notebook lacks fails here). The first chapter is
    graded in the folder test above; the others take minutes, so they run with
    LMMBOOK_ALL_ASSIGNMENTS=1 (before a release, or after changing checks).
    """
    if chapter.name == FIRST or not os.environ.get("LMMBOOK_ALL_ASSIGNMENTS"):
        pytest.skip("set LMMBOOK_ALL_ASSIGNMENTS=1 to grade every chapter's solved notebook")
    scores = assignments.grade_submission(built[0] / assignments.INSTRUCTOR / chapter.name / "solved.ipynb",
                                          built[0])
    points = {e.label: float(e.points) for e in built[1][chapter.name].values() if e.checks}
    assert scores == points


def test_grading_refuses_a_notebook_that_is_not_a_student_notebook(tmp_path):
    path = tmp_path / "other.ipynb"
    path.write_text(json.dumps(nbformat.v4.new_notebook()))
    with pytest.raises(ValueError, match="not a student notebook"):
        assignments.submission_chapter(path)


@pytest.mark.parametrize("chapter", [FIRST, "91-how-this-book-checks-its-numbers"])
def test_download_menu_offers_a_chapters_student_notebook(chapter, tmp_path):
    from types import SimpleNamespace

    from bookchain import downloads

    app = SimpleNamespace(srcdir=str(ROOT), outdir=str(tmp_path))
    buttons = [{"type": "link", "text": ".ipynb", "url": "x.ipynb"}]
    context = {"page_source_suffix": ".ipynb", "header_buttons": [{"label": "download-buttons", "buttons": buttons}],
               "pathto": lambda uri, resource=0: f"../{uri}"}
    downloads.add_markdown_download(app, f"book/{chapter}", "page.html", context, None)
    urls = [b["url"] for b in buttons]
    assert f"../_sources/book/{chapter}.md" in urls
    has_exercises = "{exercise-start}" in (ROOT / "book" / f"{chapter}.md").read_text()
    assert (f"../{downloads.ASSIGNMENTS}/{chapter}.zip" in urls) == has_exercises


def test_instructors_table_lists_every_chapter_with_exercises_in_order():
    plan = assignments.course_plan(ROOT)
    assert [row["chapter"] for row in plan] == IDS
    for row in plan:
        assert row["objectives"] and row["minutes"] >= 5 * row["exercises"]
    table = assignments.plan_table(plan)
    for chapter in IDS:
        assert f'href="../assignments/{chapter}.zip"' in table


def test_grade_table_keeps_the_exercise_order_and_names_a_problem(tmp_path):
    rows = [{"student": "ann", "chapter": FIRST, "ex-b": 2.0, "ex-a": 1.0, "total": 3.0},
            {"student": "bob", "chapter": "", "total": None, "problem": "not a student notebook"}]
    text = assignments.write_table(rows, tmp_path / "grades.csv")
    assert (tmp_path / "grades.csv").read_text().splitlines() == [
        "student,chapter,ex-b,ex-a,total,problem",
        f"ann,{FIRST},2,1,3,",
        "bob,,,,,not a student notebook",
    ]
    assert text.splitlines()[0].split() == ["student", "chapter", "ex-b", "ex-a", "total", "problem"]
