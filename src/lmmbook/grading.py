"""Checks of an exercise's answer, written once in the chapter beside its solution.

A check is a function whose parameters name the variables it inspects (the
exercise's ``answer_*`` variable, and any data it needs) and whose assertions
carry the message a student reads when the answer is wrong. Decorating it with
:func:`check` runs it at once on the caller's variables: in the chapter, where the
solution has just run, a failing check stops the notebook, so nbval proves that
every solution passes every check. ``make assignments`` turns the same functions
into the grader's tests of the student notebook (``bookchain.assignments``).

Examples
--------
>>> answer_icc = 0.36
>>> @check("ex-icc", points=1)
... def icc_is_a_share(answer_icc):
...     assert 0 < answer_icc < 1, "answer_icc is a share of variance: between 0 and 1"
>>> icc_is_a_share.exercise, icc_is_a_share.points
('ex-icc', 1)
>>> answer_icc = 1.5
>>> @check("ex-icc", points=1)
... def icc_is_a_share(answer_icc):
...     assert 0 < answer_icc < 1, "answer_icc is a share of variance: between 0 and 1"
Traceback (most recent call last):
...
AssertionError: ex-icc, icc_is_a_share: answer_icc is a share of variance: between 0 and 1
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from lmmbook.validation import check_int

_LABEL = re.compile(r"^[a-z][a-z0-9-]*$")


def check(exercise: str, points: int = 1) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a function as a check of ``exercise`` worth ``points``, and run it now.

    Parameters
    ----------
    exercise : str
        The exercise's label (``ex-...``, as in ``{exercise-start}`` ``:label:``).
    points : int, default 1
        Points the check is worth; an exercise's score is the sum over its checks,
        so an exercise in parts gets partial credit.

    Returns
    -------
    decorator
        Runs the decorated function on the caller's global variables named by its
        parameters; returns it with ``exercise`` and ``points`` attributes.

    Raises
    ------
    AssertionError
        If the check fails on the caller's variables; the message names the
        exercise and the check.
    NameError
        If a variable the check names is not defined where it is decorated.
    """
    if not isinstance(exercise, str) or not _LABEL.match(exercise):
        raise ValueError(f"exercise must be an exercise label such as 'ex-icc', got {exercise!r}")
    check_int(points, "points", minimum=1)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        frame = inspect.currentframe()
        caller = frame.f_back.f_globals if frame is not None and frame.f_back is not None else {}
        names = list(inspect.signature(func).parameters)
        missing = [n for n in names if n not in caller]
        if missing:
            raise NameError(f"{exercise}, {func.__name__}: {missing} not defined (run the solution first)")
        try:
            func(*(caller[n] for n in names))
        except AssertionError as err:
            raise AssertionError(f"{exercise}, {func.__name__}: {err}") from None
        func.exercise = exercise  # type: ignore[attr-defined]
        func.points = points  # type: ignore[attr-defined]
        return func

    return decorate
