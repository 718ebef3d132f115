"""lmmbook.grading: checks run at once in the chapter, and later on a student's variables."""

from __future__ import annotations

import pytest

from lmmbook.grading import check, run_check, run_checks

CELL = '''
import math

from lmmbook.grading import check


@check("ex-root", points=1)
def root_is_a_number(answer_root):
    assert isinstance(answer_root, float), "answer_root should be one number"


@check("ex-root", points=2)
def root_is_the_square_root(answer_root, x):
    assert math.isclose(answer_root, math.sqrt(x)), "take the square root of x, not its square"
'''


def test_check_runs_at_once_on_the_callers_variables():
    global answer_double, y
    y, answer_double = 3, 6

    @check("ex-double", points=2)
    def doubled(answer_double, y):
        assert answer_double == 2 * y, "double y"

    assert (doubled.exercise, doubled.points) == ("ex-double", 2)
    answer_double = 5
    with pytest.raises(AssertionError, match="ex-double, doubled: double y"):
        check("ex-double")(doubled)


def test_check_names_a_variable_the_solution_did_not_define():
    with pytest.raises(NameError, match="answer_nowhere"):
        @check("ex-missing")
        def uses_missing(answer_nowhere):
            pass


def test_run_checks_defines_without_running_and_leaves_the_students_variables_alone():
    env = {"x": 4.0}
    checks = run_checks(CELL, env)
    assert list(checks) == ["root_is_a_number", "root_is_the_square_root"]
    assert [c.points for c in checks.values()] == [1, 2]
    assert env == {"x": 4.0}, "the student's variables must not change"


def test_run_checks_passes_a_right_answer_and_explains_a_wrong_one():
    run_checks(CELL, {"x": 4.0, "answer_root": 2.0}, "root_is_the_square_root")
    with pytest.raises(AssertionError, match="^take the square root of x, not its square$"):
        run_checks(CELL, {"x": 4.0, "answer_root": 16.0}, "root_is_the_square_root")


def test_run_check_names_a_missing_a_placeholder_and_a_wrong_kind_of_answer():
    checks = run_checks(CELL, {})
    with pytest.raises(AssertionError, match="answer_root is not defined"):
        run_check(checks["root_is_the_square_root"], {"x": 4.0})
    with pytest.raises(AssertionError, match=r"answer_root is still \.\.\."):
        run_check(checks["root_is_the_square_root"], {"x": 4.0, "answer_root": ...})
    with pytest.raises(AssertionError, match="could not use your answer .TypeError"):
        run_check(checks["root_is_the_square_root"], {"x": 4.0, "answer_root": "two"})


def test_run_checks_refuses_an_unknown_check():
    with pytest.raises(ValueError, match="name must be a check of the cell"):
        run_checks(CELL, {"x": 4.0}, "no_such_check")


@pytest.mark.parametrize("call,error,words", [
    (lambda: check("Exercise 1"), ValueError, "exercise"),
    (lambda: check("ex-a", points=0), ValueError, "points"),
    (lambda: check("ex-a", points=1.5), TypeError, "points"),
    (lambda: check("ex-a")(42), TypeError, "function"),
    (lambda: run_check(len, {}), TypeError, "func"),
    (lambda: run_check(lambda answer_a: None, [("answer_a", 1)]), TypeError, "env"),
    (lambda: run_checks(42, {}), TypeError, "source"),
])
def test_bad_inputs(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_run_checks_works_on_a_cell_that_relies_on_the_chapters_import_of_check():
    cell = CELL.replace("from lmmbook.grading import check\n", "")
    assert "import check" not in cell
    checks = run_checks(cell, {"x": 9.0, "answer_root": 3.0}, "root_is_the_square_root")
    assert list(checks) == ["root_is_a_number", "root_is_the_square_root"]
