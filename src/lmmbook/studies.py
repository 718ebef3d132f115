"""Simulation studies: how often does a 95% interval contain the truth?

The study behind the chapter on the naive OLS pitfall draws many data sets
from the book's model with a school-level covariate (``simulate_schools(...,
resources_effect=...)``) and, on each, computes intervals for the slope of
``hours`` (varies within schools) and of ``resources`` (one value per school)
by three methods:

- ``"OLS"``: ordinary least squares, students treated as independent
  (t intervals, statsmodels' default);
- ``"Cluster-robust OLS"``: the same estimates with cluster-robust (sandwich)
  standard errors, clusters = schools (statsmodels' ``cov_type="cluster"``,
  z intervals, its default);
- ``"Mixed model"``: a random-intercept model fitted by REML, Wald (z) intervals.

The chapter fits the three models with formulas on one data set, in plain view;
:func:`fit_replicate` does the same with the array interfaces of statsmodels
(no formula parsing, so a replicate costs about one mixed-model fit), and
:func:`simulate_coverage` only adds the loop.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, SingularMatrixWarning

from lmmbook.models import diagnose_fit
from lmmbook.simulate import simulate_schools
from lmmbook.validation import check_dataframe, check_int, check_real

__all__ = ["METHODS", "TERMS", "fit_replicate", "simulate_coverage", "summarize_coverage"]

#: The three ways of computing an interval, in the order they are reported.
METHODS = ("OLS", "Cluster-robust OLS", "Mixed model")
#: The coefficients whose intervals are studied (columns of the data).
TERMS = ("hours", "resources")

_INTERVAL_COLUMNS = [
    "method", "term", "estimate", "std_error", "ci_low", "ci_high", "converged", "boundary",
]
_RESULT_COLUMNS = [
    "replicate", "method", "term", "truth", "estimate", "std_error", "ci_low", "ci_high",
    "level", "covered", "converged", "boundary",
]


def fit_replicate(data: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Fit OLS, cluster-robust OLS and a mixed model to one data set.

    The same fits as, in formula notation, ``smf.ols("score ~ hours + resources",
    data).fit()``, the same with ``cov_type="cluster"`` and the schools as
    groups, and ``smf.mixedlm("score ~ hours + resources", data,
    groups="school").fit(reml=True)``; each gives statsmodels' default Wald
    interval for the slopes of ``hours`` and ``resources`` (t-based for OLS,
    z-based for the other two). The mixed model's convergence and
    singular-covariance warnings are caught; whether it converged, and whether
    it ended on the boundary (school variance zero), is reported in two columns.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per student with columns ``school``, ``hours``, ``resources``
        and ``score``, as made by ``simulate_schools(..., resources_effect=...)``.
    alpha : float
        One minus the confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Six rows (three methods times two terms) with columns ``method``,
        ``term``, ``estimate``, ``std_error``, ``ci_low``, ``ci_high``,
        ``converged`` and ``boundary`` (always True and False for the OLS
        methods, which have a closed form).

    Examples
    --------
    >>> from lmmbook.simulate import simulate_schools
    >>> data = simulate_schools(seed=42, resources_effect=4.0)
    >>> fit_replicate(data)[["method", "term", "std_error"]].round(3)
                   method       term  std_error
    0                 OLS      hours      0.233
    1                 OLS  resources      0.771
    2  Cluster-robust OLS      hours      0.184
    3  Cluster-robust OLS  resources      2.228
    4         Mixed model      hours      0.141
    5         Mixed model  resources      2.736
    """
    data = check_dataframe(data, "data", numeric=["score", *TERMS], columns=["school"],
                           min_rows=3)
    alpha = check_real(alpha, "alpha", minimum=0, maximum=1, strict=True)
    groups = pd.factorize(data["school"], sort=True)[0]
    if groups.max() < 1:
        raise ValueError("data must hold at least 2 schools, got 1")
    if np.bincount(groups).max() < 2:
        raise ValueError(
            "data must have a school with 2 or more students: with one student per "
            "school the school variance cannot be told apart from the noise"
        )
    y, exog = _design(data, groups, center_hours=False)
    rows = _fit_arrays(y, exog, groups, alpha)
    return pd.DataFrame(rows, columns=_INTERVAL_COLUMNS)


def simulate_coverage(
    n_sims: int = 500,
    n_schools: int = 10,
    n_per_school: int = 15,
    seed: int = 42,
    *,
    resources_effect: float = 4.0,
    school_sd: float = 8.0,
    noise_sd: float = 5.0,
    alpha: float = 0.05,
    center_hours: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Draw many data sets and record each method's intervals and their coverage.

    Data set ``r`` is ``simulate_schools(n_schools, n_per_school, seed=rng,
    resources_effect=..., school_sd=..., noise_sd=...)``, all drawn from one
    generator ``rng = np.random.default_rng(seed)``, so the first data set is
    the one ``simulate_schools(..., seed=seed)`` returns. Each is passed to
    the three methods of :func:`fit_replicate`.

    Parameters
    ----------
    n_sims : int
        Number of simulated data sets, at least 1.
    n_schools, n_per_school : int
        Schools per data set (at least 3) and students per school (at least 2).
    seed : int
        Seed of the random generator.
    resources_effect : float
        True effect of the school-level covariate ``resources``.
    school_sd, noise_sd : float
        Standard deviations of the school effects and of the noise (the
        true intercept and hours slope are those of ``simulate_schools``).
    alpha : float
        One minus the confidence level of the intervals.
    center_hours : bool
        If True, fit the models to ``hours`` minus its school mean, a covariate
        that varies only within schools (its true slope is still the slope).
    progress : bool
        Show a progress bar (an ipywidget in a notebook); it shows counts only,
        no times or rates, so nothing that varies between runs is stored.

    Returns
    -------
    pandas.DataFrame
        One row per data set, method and term, with columns ``replicate``,
        ``method``, ``term``, ``truth``, ``estimate``, ``std_error``,
        ``ci_low``, ``ci_high``, ``level`` (the confidence level), ``covered``
        (the interval contains the truth), ``converged`` and ``boundary``
        (of that method's fit: a mixed model can fail to converge, break down
        at a zero variance, which counts as not converged, or estimate the
        school variance as zero).

    Examples
    --------
    >>> results = simulate_coverage(n_sims=3, seed=1)
    >>> results.shape
    (18, 12)
    >>> results.groupby("method", sort=False)["covered"].size().to_dict()
    {'OLS': 6, 'Cluster-robust OLS': 6, 'Mixed model': 6}
    """
    n_sims = check_int(n_sims, "n_sims", minimum=1)
    n_schools = check_int(n_schools, "n_schools", minimum=3)
    n_per_school = check_int(n_per_school, "n_per_school", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    resources_effect = check_real(resources_effect, "resources_effect")
    school_sd = check_real(school_sd, "school_sd", minimum=0)
    noise_sd = check_real(noise_sd, "noise_sd", minimum=0, strict=True)
    alpha = check_real(alpha, "alpha", minimum=0, maximum=1, strict=True)
    center_hours = _check_bool(center_hours, "center_hours")
    progress = _check_bool(progress, "progress")

    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_schools), n_per_school)  # simulate_schools' row order
    rows, truth = [], None
    for r in _progress_bar(range(n_sims), show=progress):
        data = simulate_schools(n_schools, n_per_school, seed=rng, school_sd=school_sd,
                                noise_sd=noise_sd, resources_effect=resources_effect)
        if truth is None:
            truth = {"hours": data.attrs["truth"]["slope"], "resources": resources_effect}
        y, exog = _design(data, groups, center_hours=center_hours)
        rows.extend((r, *row) for row in _fit_arrays(y, exog, groups, alpha))

    results = pd.DataFrame(rows, columns=["replicate", *_INTERVAL_COLUMNS])
    results.insert(3, "truth", results["term"].map(truth))
    results.insert(8, "level", 1 - alpha)
    results.insert(9, "covered",
                   (results["ci_low"] <= results["truth"]) & (results["truth"] <= results["ci_high"]))
    return results[_RESULT_COLUMNS]


def summarize_coverage(results: pd.DataFrame) -> pd.DataFrame:
    """Return each method's coverage per term, with its Monte Carlo standard error.

    Parameters
    ----------
    results : pandas.DataFrame
        The output of :func:`simulate_coverage`.

    Returns
    -------
    pandas.DataFrame
        One row per method and term (in the order of ``results``), with columns
        ``method``, ``term``, ``n_sims``, ``level`` (nominal), ``coverage``
        (share of intervals containing the truth), ``mc_se`` (its Monte Carlo
        standard error, ``sqrt(coverage * (1 - coverage) / n_sims)``),
        ``mean_std_error`` (average reported standard error), ``sd_estimate``
        (standard deviation of the estimates across data sets: the standard
        error a method should report) and ``n_problem_fits`` (fits that did
        not converge or ended on the boundary).

    Examples
    --------
    >>> import pandas as pd
    >>> results = pd.DataFrame({
    ...     "replicate": [0, 1, 2, 3], "method": "OLS", "term": "hours",
    ...     "estimate": [2.9, 3.1, 3.0, 3.4], "std_error": 0.2, "level": 0.95,
    ...     "covered": [True, True, True, False], "converged": True, "boundary": False})
    >>> summarize_coverage(results)[["method", "n_sims", "coverage", "mc_se"]].round(3)
      method  n_sims  coverage  mc_se
    0    OLS       4      0.75  0.217
    """
    results = check_dataframe(
        results, "results", numeric=["estimate", "std_error", "level"],
        columns=["replicate", "method", "term", "covered", "converged", "boundary"],
    )
    for col in ("covered", "converged", "boundary"):
        if not pd.api.types.is_bool_dtype(results[col]):
            raise ValueError(f"results[{col!r}] must be boolean, got dtype {results[col].dtype}")
    problem = ~results["converged"] | results["boundary"]
    grouped = results.assign(problem=problem).groupby(["method", "term"], sort=False)
    summary = grouped.agg(
        n_sims=("covered", "size"),
        level=("level", "first"),
        coverage=("covered", "mean"),
        mean_std_error=("std_error", "mean"),
        sd_estimate=("estimate", "std"),
        n_problem_fits=("problem", "sum"),
    ).reset_index()
    summary.insert(5, "mc_se",
                   np.sqrt(summary["coverage"] * (1 - summary["coverage"]) / summary["n_sims"]))
    summary["n_problem_fits"] = summary["n_problem_fits"].astype(int)
    return summary


def _design(
    data: pd.DataFrame, groups: np.ndarray, center_hours: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Return the response and the design matrix ``[1, hours, resources]``.

    ``groups`` holds each row's school as a code ``0, 1, ...``; with
    ``center_hours``, hours are taken as deviations from their school's mean.
    """
    hours = data["hours"].to_numpy(dtype=float)
    if center_hours:
        means = np.bincount(groups, weights=hours) / np.bincount(groups)
        hours = hours - means[groups]
    exog = np.column_stack(
        [np.ones(len(data)), hours, data["resources"].to_numpy(dtype=float)]
    )
    return data["score"].to_numpy(dtype=float), exog


def _fit_arrays(y: np.ndarray, exog: np.ndarray, groups: np.ndarray, alpha: float) -> list[tuple]:
    """Fit the three methods; return one row per method and term (columns 1, 2).

    The intervals are statsmodels' own (``conf_int``): t-based for OLS, z-based
    for cluster-robust OLS and for the mixed model, as with the formula fits.
    """
    ols = sm.OLS(y, exog).fit()
    robust = ols.get_robustcov_results("cluster", groups=groups, use_t=False)
    # Named (pandas) data give a named cov_re, which diagnose_fit needs on the boundary.
    named = pd.DataFrame(exog, columns=["Intercept", *TERMS])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", SingularMatrixWarning)
        mixed = sm.MixedLM(pd.Series(y, name="score"), named, groups=groups).fit(reml=True)
    diagnosis = diagnose_fit(mixed)
    fits = (
        ("OLS", ols, ols.params, ols.bse, True, False),
        ("Cluster-robust OLS", robust, robust.params, robust.bse, True, False),
        ("Mixed model", mixed, mixed.fe_params, mixed.bse_fe,
         diagnosis.converged and not diagnosis.degenerate, diagnosis.boundary),
    )
    rows = []
    for method, fit, params, bse, converged, boundary in fits:
        params, bse = np.asarray(params), np.asarray(bse)
        ci = np.asarray(fit.conf_int(alpha=alpha))
        for k, term in enumerate(TERMS, start=1):
            rows.append((method, term, float(params[k]), float(bse[k]), float(ci[k, 0]),
                         float(ci[k, 1]), converged, boundary))
    return rows


def _progress_bar(iterable: range, show: bool):
    """Wrap ``iterable`` in a tqdm bar that shows counts only (no times, no rates)."""
    if not show:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc="Simulated data sets",
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}")


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)
