"""Checks of an exercise's answer, written once in the chapter beside its solution.

A check is a function whose parameters name the variables it inspects (the
exercise's ``answer_*`` variable, and any data it needs) and whose assertions
carry the message a student reads when the answer is wrong. Decorating it with
:func:`check` runs it at once on the caller's variables: in the chapter, where the
solution has just run, a failing check stops the notebook, so nbval proves that
every solution passes every check. ``make assignments`` turns the same functions
into the grader's tests of the student notebook (``bookchain.assignments``): each
test runs the check cell's code with :func:`run_checks`, on the student's
variables, through :func:`run_check`, which also explains an answer that is
missing or still ``...``.

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

import contextlib
import contextvars
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from lmmbook.validation import check_int

__all__ = ["check", "run_check", "run_checks"]

_LABEL = re.compile(r"^[a-z][a-z0-9-]*$")
# False while run_checks defines a check cell's functions without running them.
_RUN_AT_ONCE: contextvars.ContextVar[bool] = contextvars.ContextVar("run_at_once", default=True)


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
    ValueError
        If ``exercise`` is not a label or ``points`` is below 1.
    TypeError
        If ``points`` is not an integer, or what is decorated is not a function.
    AssertionError
        If the check fails on the caller's variables; the message names the
        exercise and the check.
    NameError
        If a variable the check names is not defined where it is decorated.

    Examples
    --------
    >>> answer_n = 4
    >>> @check("ex-count", points=2)
    ... def n_is_four(answer_n):
    ...     assert answer_n == 4, "count the schools again"
    >>> n_is_four.points
    2
    >>> check("Exercise 1")
    Traceback (most recent call last):
    ...
    ValueError: exercise must be an exercise label such as 'ex-icc', got 'Exercise 1'
    """
    if not isinstance(exercise, str) or not _LABEL.match(exercise):
        raise ValueError(f"exercise must be an exercise label such as 'ex-icc', got {exercise!r}")
    check_int(points, "points", minimum=1)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        if not inspect.isfunction(func):
            raise TypeError(f"check decorates a function, got {type(func).__name__}")
        func.exercise = exercise  # type: ignore[attr-defined]
        func.points = points  # type: ignore[attr-defined]
        if not _RUN_AT_ONCE.get():
            return func
        frame = inspect.currentframe()
        caller = frame.f_back.f_globals if frame is not None and frame.f_back is not None else {}
        missing = [n for n in _parameters(func) if n not in caller]
        if missing:
            raise NameError(f"{exercise}, {func.__name__}: {missing} not defined (run the solution first)")
        try:
            func(*(caller[n] for n in _parameters(func)))
        except AssertionError as err:
            raise AssertionError(f"{exercise}, {func.__name__}: {err}") from None
        return func

    return decorate


def _parameters(func: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(func).parameters)


@contextlib.contextmanager
def _defining_only() -> Iterator[None]:
    token = _RUN_AT_ONCE.set(False)
    try:
        yield
    finally:
        _RUN_AT_ONCE.reset(token)


def run_check(func: Callable[..., Any], env: Mapping[str, Any]) -> None:
    """Run one check on the variables of ``env`` its parameters name, as a grader does.

    Parameters
    ----------
    func : callable
        A check (a function decorated with :func:`check`).
    env : mapping
        The student's variables (a notebook's globals).

    Raises
    ------
    AssertionError
        If the check fails, with its message; if a variable it needs is missing
        or still ``...`` (the student notebook's placeholder), saying so; and if
        the check itself raises another error on the answer (an answer of the
        wrong kind), naming the error.
    TypeError
        If ``func`` is not a function or ``env`` not a mapping.

    Examples
    --------
    >>> def positive(answer_x):
    ...     assert answer_x > 0, "answer_x must be positive"
    >>> run_check(positive, {"answer_x": 2.0})
    >>> run_check(positive, {"answer_x": ...})
    Traceback (most recent call last):
    ...
    AssertionError: answer_x is still ... : replace the ... with your answer and run the cell
    >>> run_check(positive, {})
    Traceback (most recent call last):
    ...
    AssertionError: answer_x is not defined: run the cell that sets it (and the cells above it)
    >>> run_check(positive, {"answer_x": "two"})
    Traceback (most recent call last):
    ...
    AssertionError: positive could not use your answer (TypeError: '>' not supported ...)
    """
    if not inspect.isfunction(func):
        raise TypeError(f"func must be a check function, got {type(func).__name__}")
    if not isinstance(env, Mapping):
        raise TypeError(f"env must be a mapping of variable names to values, got {type(env).__name__}")
    names = _parameters(func)
    for name in names:
        if name not in env:
            raise AssertionError(f"{name} is not defined: run the cell that sets it (and the cells above it)")
        if env[name] is Ellipsis:
            raise AssertionError(f"{name} is still ... : replace the ... with your answer and run the cell")
    try:
        func(*(env[n] for n in names))
    except AssertionError as err:
        raise AssertionError(str(err) or f"{func.__name__} failed") from None
    except Exception as err:  # an answer of the wrong kind breaks the check's arithmetic
        raise AssertionError(f"{func.__name__} could not use your answer "
                             f"({type(err).__name__}: {err})") from None


def run_checks(source: str, env: Mapping[str, Any], name: str | None = None) -> dict[str, Callable[..., Any]]:
    """Define the checks of a chapter's check cell on a copy of ``env``; run one.

    The cell's code runs in a copy of the student's variables (the student's own
    are never changed), with :func:`check` (defined there even if the cell does not
    import it) defining its functions without running them; the functions see the
    student's imports and data as they saw the chapter's.

    Parameters
    ----------
    source : str
        The code of a check cell.
    env : mapping
        The student's variables.
    name : str, optional
        The check to run (a function name of the cell), with :func:`run_check`.

    Returns
    -------
    dict
        The cell's checks by name, in the cell's order.

    Raises
    ------
    ValueError
        If ``name`` is not a check of the cell.
    AssertionError
        From :func:`run_check`, if the check ``name`` fails.

    Examples
    --------
    >>> cell = '''
    ... from lmmbook.grading import check
    ...
    ... @check("ex-double", points=1)
    ... def doubled(answer_y, x):
    ...     assert answer_y == 2 * x, "double x"
    ... '''
    >>> list(run_checks(cell, {"x": 2}))
    ['doubled']
    >>> run_checks(cell, {"x": 2, "answer_y": 4}, "doubled")["doubled"].points
    1
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a check cell's code, got {type(source).__name__}")
    if not isinstance(env, Mapping):
        raise TypeError(f"env must be a mapping of variable names to values, got {type(env).__name__}")
    namespace = dict(env)
    namespace["check"] = check  # a cell may rely on the chapter's earlier import of it
    with _defining_only():
        exec(compile(source, "<check cell>", "exec"), namespace)  # noqa: S102 - the book's own cell
    checks = {k: v for k, v in namespace.items()
              if inspect.isfunction(v) and hasattr(v, "exercise") and (k not in env or env[k] is not v)}
    if name is not None:
        if name not in checks:
            raise ValueError(f"name must be a check of the cell {sorted(checks)}, got {name!r}")
        run_check(checks[name], namespace)
    return checks
