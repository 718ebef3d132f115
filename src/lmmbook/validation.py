"""Input checks shared by the helpers.

Every check raises a ``TypeError`` (wrong kind of object) or a ``ValueError``
(right kind, wrong value) whose message names the argument and says what is
allowed, so a mistake in a chapter or an exercise fails loudly, never silently.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import pandas as pd

__all__ = [
    "check_int",
    "check_real",
    "check_pair",
    "check_seed",
    "check_values",
    "check_dataframe",
    "check_mixedlm_result",
    "check_random_intercept",
]


def check_int(value: object, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking its type and lower bound.

    Parameters
    ----------
    value : object
        The value passed by the caller.
    name : str
        The argument's name, used in the error message.
    minimum : int, optional
        Smallest allowed value.

    Returns
    -------
    int

    Examples
    --------
    >>> check_int(10, "n_schools", minimum=2)
    10
    >>> check_int(1, "n_schools", minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: n_schools must be >= 2, got 1
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_real(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` after checking its range.

    Parameters
    ----------
    value : object
        The value passed by the caller.
    name : str
        The argument's name, used in the error message.
    minimum, maximum : float, optional
        Allowed range (inclusive unless ``strict``).
    strict : bool
        If True, the bounds themselves are not allowed.

    Returns
    -------
    float

    Examples
    --------
    >>> check_real(8, "school_sd", minimum=0)
    8.0
    >>> check_real(0.0, "noise_sd", minimum=0, strict=True)
    Traceback (most recent call last):
    ...
    ValueError: noise_sd must be > 0, got 0.0
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {minimum}, got {value}")
    if maximum is not None and (value >= maximum if strict else value > maximum):
        raise ValueError(f"{name} must be {'<' if strict else '<='} {maximum}, got {value}")
    return value


def check_pair(value: object, name: str, *, increasing: bool = False) -> tuple[float, float]:
    """Return ``value`` as a pair of finite floats, e.g. ``(low, high)``.

    Parameters
    ----------
    value : object
        A tuple or list of two real numbers.
    name : str
        The argument's name, used in the error message.
    increasing : bool
        If True, the first number must be smaller than the second.

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> check_pair([1, 10], "hours_range", increasing=True)
    (1.0, 10.0)
    >>> check_pair((10, 1), "hours_range", increasing=True)
    Traceback (most recent call last):
    ...
    ValueError: hours_range must have low < high, got (10, 1)
    """
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair of numbers, got {value!r}")
    first = check_real(value[0], f"{name}[0]")
    second = check_real(value[1], f"{name}[1]")
    if increasing and not first < second:
        raise ValueError(f"{name} must have low < high, got {value!r}")
    return first, second


def check_seed(seed: object, name: str = "seed") -> np.random.Generator:
    """Return a random generator: ``seed`` itself, or ``np.random.default_rng(seed)``.

    Parameters
    ----------
    seed : int or numpy.random.Generator
        A non-negative integer seed, or a generator to draw from (simulation
        studies draw many data sets from one stream).
    name : str
        The argument's name, used in the error message.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> check_seed(42).normal() == np.random.default_rng(42).normal()
    True
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be >= 0, got -1
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int(seed, name, minimum=0))


def check_values(
    values: object, name: str, *, min_size: int = 1, allow_scalar: bool = False
) -> np.ndarray:
    """Return ``values`` as a one-dimensional array of finite floats.

    Parameters
    ----------
    values : array-like
        The numbers passed by the caller.
    name : str
        The argument's name, used in the error message.
    min_size : int
        Fewest numbers allowed.
    allow_scalar : bool
        If True, a single number is taken as an array of one.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> check_values([0.2, 0.4], "values", min_size=2)
    array([0.2, 0.4])
    >>> check_values([0.2, float("nan")], "values")
    Traceback (most recent call last):
    ...
    ValueError: values has 1 missing or infinite values
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got str")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers ({error})") from None
    if allow_scalar:
        array = np.atleast_1d(array)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got {array.ndim} dimensions")
    if array.size < min_size:
        raise ValueError(f"{name} must hold at least {min_size} numbers, got {array.size}")
    n_bad = int((~np.isfinite(array)).sum())
    if n_bad:
        raise ValueError(f"{name} has {n_bad} missing or infinite values")
    return array


def check_dataframe(
    data: object,
    name: str,
    *,
    numeric: Sequence[str] = (),
    columns: Sequence[str] = (),
    min_rows: int = 1,
) -> pd.DataFrame:
    """Check that ``data`` is a DataFrame holding the columns a helper needs.

    Parameters
    ----------
    data : object
        The object passed by the caller.
    name : str
        The argument's name, used in the error message.
    numeric : sequence of str
        Columns that must be numeric, with no missing or infinite values.
    columns : sequence of str
        Other columns that must be present, with no missing values.
    min_rows : int
        Fewest rows allowed.

    Returns
    -------
    pandas.DataFrame
        ``data`` itself, unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"school": ["A", "B"], "score": [1.0, 2.0]})
    >>> check_dataframe(df, "data", numeric=["score"], columns=["school"]).shape
    (2, 2)
    >>> check_dataframe(df, "data", numeric=["hours"])
    Traceback (most recent call last):
    ...
    ValueError: data is missing column 'hours'; it has columns ['school', 'score']
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")
    if len(data) < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} rows, got {len(data)}")
    for col in [*numeric, *columns]:
        if col not in data.columns:
            raise ValueError(
                f"{name} is missing column {col!r}; it has columns {list(map(str, data.columns))}"
            )
        if data[col].isna().any():
            raise ValueError(f"{name}[{col!r}] has {int(data[col].isna().sum())} missing values")
    for col in numeric:
        if not pd.api.types.is_numeric_dtype(data[col]) or pd.api.types.is_bool_dtype(data[col]):
            raise ValueError(f"{name}[{col!r}] must be numeric, got dtype {data[col].dtype}")
        if not np.isfinite(data[col].to_numpy(dtype=float)).all():
            raise ValueError(f"{name}[{col!r}] has infinite values")
    return data


def check_mixedlm_result(result: object, name: str = "result") -> object:
    """Check that ``result`` is a fitted statsmodels ``MixedLM`` result.

    Parameters
    ----------
    result : object
        The object passed by the caller.
    name : str
        The argument's name, used in the error message.

    Returns
    -------
    statsmodels.regression.mixed_linear_model.MixedLMResults
        ``result`` itself.

    Examples
    --------
    >>> check_mixedlm_result("not a fit")
    Traceback (most recent call last):
    ...
    TypeError: result must be a fitted MixedLM result (smf.mixedlm(...).fit()), got str
    """
    from statsmodels.regression.mixed_linear_model import (
        MixedLMResults,
        MixedLMResultsWrapper,
    )

    if not isinstance(result, (MixedLMResults, MixedLMResultsWrapper)):
        raise TypeError(
            f"{name} must be a fitted MixedLM result (smf.mixedlm(...).fit()), "
            f"got {type(result).__name__}"
        )
    return result


def check_random_intercept(result: object, name: str = "result") -> object:
    """Check that ``result`` is a fitted ``MixedLM`` with a random intercept only.

    The ICC, the parametric bootstrap of the book and the prediction for a new
    school are defined for one random intercept per group, with no random
    slopes or variance components.

    Parameters
    ----------
    result : object
        The object passed by the caller.
    name : str
        The argument's name, used in the error message.

    Returns
    -------
    statsmodels.regression.mixed_linear_model.MixedLMResults
        ``result`` itself.
    """
    result = check_mixedlm_result(result, name)
    cov_re = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
    exog_re = np.asarray(result.model.exog_re, dtype=float)
    if cov_re.shape != (1, 1) or getattr(result.model, "k_vc", 0) or not np.all(exog_re == 1.0):
        raise ValueError(
            f"{name} must have a random intercept only (no random slopes or variance "
            f"components); its random-effects covariance is {cov_re.shape[0]}x{cov_re.shape[1]}"
        )
    return result
