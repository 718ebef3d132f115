"""Simulation studies: the estimates and standard errors behind a coverage study.

The chapter "How far to trust an interval" draws many data sets from the
book's model with a school-level covariate (``simulate_schools(...,
resources_effect=...)``) and, on each, estimates the slope of ``hours``
(varies within schools) and of ``resources`` (one value per school) with a
standard error, by three fits:

- ``"OLS"``: ordinary least squares, students treated as independent;
- ``"Cluster-robust OLS"``: the same estimates with cluster-robust (sandwich,
  CR1) standard errors, clusters = schools (statsmodels' ``cov_type="cluster"``);
- ``"Mixed model"``: a random-intercept model fitted by REML.

These helpers return **estimates and standard errors only, no intervals**: an
interval is ``estimate +- quantile * std_error``, and which quantile (normal,
or t with which degrees of freedom) is the statistical choice the chapter makes
in view. The chapter fits the three models with formulas on one data set;
:func:`fit_replicate` computes the same three fits from their closed forms
(checked in the unit tests against statsmodels, and the REML fit against lme4's
stored fits of six models, singular and unbalanced ones included), so a replicate
costs about a millisecond instead of a statsmodels mixed-model fit's tens;
:func:`simulate_estimates` only adds the loop, and :func:`summarize_estimates`
compares the reported standard errors with the actual spread of the estimates.

Progress bar
------------
``simulate_estimates(..., progress=True)`` shows a bar while it runs and leaves
nothing behind, neither in a live notebook nor in a stored ``.ipynb``. In a
Jupyter kernel the bar is a display that is first an empty (1x1 transparent)
PNG image, then updated in place (``update_display_data``) to an HTML
``<progress>`` bar with a count, and cleared (``clear_output``) when the loop
ends. nbclient, which executes the book's notebooks, applies the updates and
the clearing, so the stored cell has no output and no widget state (no
ipywidget is created). nbval, which re-executes a notebook to compare its
outputs, ignores ``update_display_data`` and ``clear_output`` and never
compares images, so the empty image it sees matches the empty stored cell. The
bar therefore clears the outputs of its whole cell: run the study in a cell of
its own. Outside a kernel (a terminal, the tests) a text tqdm bar on stderr
that erases itself (``leave=False``) is used; it shows counts only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from lmmbook.simulate import simulate_schools
from lmmbook.validation import check_dataframe, check_int, check_real

__all__ = ["FITS", "TERMS", "fit_replicate", "simulate_estimates", "summarize_estimates"]

#: The three fits that give an estimate and a standard error, in report order.
FITS = ("OLS", "Cluster-robust OLS", "Mixed model")
#: The coefficients studied (columns of the data).
TERMS = ("hours", "resources")

_FIT_COLUMNS = ["fit", "term", "estimate", "std_error", "converged", "boundary"]
_RESULT_COLUMNS = ["replicate", "fit", "term", "truth", "estimate", "std_error",
                   "converged", "boundary"]


def fit_replicate(data: pd.DataFrame) -> pd.DataFrame:
    """Fit OLS, cluster-robust OLS and a mixed model to one data set.

    The same fits as, in formula notation, ``smf.ols("score ~ hours + resources",
    data).fit()``, the same with ``cov_type="cluster"`` and the schools as
    groups, and ``smf.mixedlm("score ~ hours + resources", data,
    groups="school").fit(reml=True)``. Each gives the estimates of the slopes of
    ``hours`` and ``resources`` and their standard errors; no interval (the
    quantile is the caller's choice). The fits are computed from closed forms
    (the REML fit by a one-dimensional search over tau / sigma), which agree
    with statsmodels' to the digits the book prints and cost about a
    millisecond; the mixed model's standard errors are lme4's,
    ``sigma_hat^2 (X' V^-1 X)^-1``. Whether the mixed fit converged, and whether
    it ended on the boundary (tau / sigma below 1e-4, lme4's ``isSingular``
    rule), is reported in two columns.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per student with columns ``school``, ``hours``, ``resources``
        and ``score``, as made by ``simulate_schools(..., resources_effect=...)``.

    Returns
    -------
    pandas.DataFrame
        Six rows (three fits times two terms) with columns ``fit``, ``term``,
        ``estimate``, ``std_error``, ``converged`` and ``boundary`` (always
        True and False for the two OLS fits, which have a closed form).

    Examples
    --------
    >>> from lmmbook.simulate import simulate_schools
    >>> data = simulate_schools(seed=42, resources_effect=4.0)
    >>> fit_replicate(data)[["fit", "term", "std_error"]].round(3)
                      fit       term  std_error
    0                 OLS      hours      0.233
    1                 OLS  resources      0.771
    2  Cluster-robust OLS      hours      0.184
    3  Cluster-robust OLS  resources      2.228
    4         Mixed model      hours      0.141
    5         Mixed model  resources      2.736
    """
    if isinstance(data, pd.DataFrame) and data.attrs:
        # pandas deep-copies attrs into every column it hands out: drop them once.
        data = data.copy(deep=False)
        data.attrs = {}
    data = check_dataframe(data, "data", numeric=["score", *TERMS], columns=["school"],
                           min_rows=3)
    groups = pd.factorize(data["school"], sort=True)[0]
    if groups.max() < 1:
        raise ValueError("data must hold at least 2 schools, got 1")
    if np.bincount(groups).max() < 2:
        raise ValueError(
            "data must have a school with 2 or more students: with one student per "
            "school the school variance cannot be told apart from the noise"
        )
    y, exog = _design(data, groups, center_hours=False)
    return pd.DataFrame(_fit_arrays(y, exog, groups), columns=_FIT_COLUMNS)


def simulate_estimates(
    n_sims: int = 500,
    n_schools: int = 10,
    n_per_school: int = 15,
    seed: int = 42,
    *,
    resources_effect: float = 4.0,
    school_sd: float = 8.0,
    noise_sd: float = 5.0,
    center_hours: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Draw many data sets and record each fit's estimates and standard errors.

    Data set ``r`` is ``simulate_schools(n_schools, n_per_school, seed=rng,
    resources_effect=..., school_sd=..., noise_sd=...)``, all drawn from one
    generator ``rng = np.random.default_rng(seed)``, so the first data set is
    the one ``simulate_schools(..., seed=seed)`` returns. Each is passed to
    the three fits of :func:`fit_replicate`. Intervals, and so coverage, are
    left to the caller: ``estimate +- quantile * std_error``.

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
    center_hours : bool
        If True, fit the models to ``hours`` minus its school mean, a covariate
        that varies only within schools (its true slope is still the slope).
    progress : bool
        Show a progress bar that removes itself when done and stores nothing
        in a notebook (see the module's notes); it shows counts only.

    Returns
    -------
    pandas.DataFrame
        One row per data set, fit and term, with columns ``replicate``,
        ``fit``, ``term``, ``truth`` (the true coefficient), ``estimate``,
        ``std_error``, ``converged`` and ``boundary`` (of that fit: a mixed
        model can fail to converge, break down at a zero variance, which
        counts as not converged, or estimate the school variance as zero).

    Examples
    --------
    >>> results = simulate_estimates(n_sims=3, seed=1)
    >>> results.shape
    (18, 8)
    >>> results.groupby("fit", sort=False).size().to_dict()
    {'OLS': 6, 'Cluster-robust OLS': 6, 'Mixed model': 6}
    """
    n_sims = check_int(n_sims, "n_sims", minimum=1)
    n_schools = check_int(n_schools, "n_schools", minimum=3)
    n_per_school = check_int(n_per_school, "n_per_school", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    resources_effect = check_real(resources_effect, "resources_effect")
    school_sd = check_real(school_sd, "school_sd", minimum=0)
    noise_sd = check_real(noise_sd, "noise_sd", minimum=0, strict=True)
    center_hours = _check_bool(center_hours, "center_hours")
    progress = _check_bool(progress, "progress")

    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_schools), n_per_school)  # simulate_schools' row order
    rows, truth = [], None
    bar = _progress_bar(n_sims, "Simulated data sets") if progress else None
    for r in range(n_sims):
        data = simulate_schools(n_schools, n_per_school, seed=rng, school_sd=school_sd,
                                noise_sd=noise_sd, resources_effect=resources_effect)
        if truth is None:
            truth = {"hours": data.attrs["truth"]["slope"], "resources": resources_effect}
        data.attrs = {}  # pandas would deep-copy them into every column used below
        y, exog = _design(data, groups, center_hours=center_hours)
        rows.extend((r, *row) for row in _fit_arrays(y, exog, groups))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()

    results = pd.DataFrame(rows, columns=["replicate", *_FIT_COLUMNS])
    results.insert(3, "truth", results["term"].map(truth))
    return results[_RESULT_COLUMNS]


def summarize_estimates(results: pd.DataFrame) -> pd.DataFrame:
    """Compare each fit's reported standard errors with the spread of its estimates.

    Parameters
    ----------
    results : pandas.DataFrame
        The output of :func:`simulate_estimates` (columns ``fit``, ``term``,
        ``truth``, ``estimate``, ``std_error``, ``converged``, ``boundary``).

    Returns
    -------
    pandas.DataFrame
        One row per fit and term (in the order of ``results``), with columns
        ``fit``, ``term``, ``n_sims``, ``bias`` (mean estimate minus the
        truth), ``sd_estimate`` (standard deviation of the estimates across
        data sets: the standard error a fit should report),
        ``mean_std_error`` (average reported standard error), ``se_ratio``
        (``mean_std_error / sd_estimate``, 1 for an honest standard error) and
        ``n_problem_fits`` (fits that did not converge or ended on the
        boundary).

    Examples
    --------
    >>> import pandas as pd
    >>> results = pd.DataFrame({
    ...     "replicate": [0, 1, 2, 3], "fit": "OLS", "term": "hours", "truth": 3.0,
    ...     "estimate": [2.9, 3.1, 3.0, 3.4], "std_error": 0.2,
    ...     "converged": True, "boundary": False})
    >>> summarize_estimates(results)[["fit", "n_sims", "bias", "sd_estimate"]].round(3)
       fit  n_sims  bias  sd_estimate
    0  OLS       4   0.1        0.216
    """
    results = check_dataframe(
        results, "results", numeric=["truth", "estimate", "std_error"],
        columns=["fit", "term", "converged", "boundary"],
    )
    for col in ("converged", "boundary"):
        if not pd.api.types.is_bool_dtype(results[col]):
            raise ValueError(f"results[{col!r}] must be boolean, got dtype {results[col].dtype}")
    problem = ~results["converged"] | results["boundary"]
    grouped = results.assign(problem=problem, error=results["estimate"] - results["truth"]
                             ).groupby(["fit", "term"], sort=False)
    summary = grouped.agg(
        n_sims=("estimate", "size"),
        bias=("error", "mean"),
        sd_estimate=("estimate", "std"),
        mean_std_error=("std_error", "mean"),
        n_problem_fits=("problem", "sum"),
    ).reset_index()
    summary.insert(6, "se_ratio", summary["mean_std_error"] / summary["sd_estimate"])
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


def _fit_arrays(y: np.ndarray, exog: np.ndarray, groups: np.ndarray) -> list[tuple]:
    """Fit the three models; return one row per fit and term (columns 1, 2 of exog).

    Closed forms, so that a replicate costs about a millisecond: OLS; the
    cluster-robust (CR1) sandwich with statsmodels' small-sample factor
    ``G / (G - 1) * (N - 1) / (N - p)``; the REML fit of the random-intercept
    model by :func:`_reml_random_intercept`. The unit tests check all three
    against statsmodels.
    """
    n, p = exog.shape
    n_groups = int(groups.max()) + 1
    xtx_inv = np.linalg.inv(exog.T @ exog)
    beta = xtx_inv @ (exog.T @ y)
    resid = y - exog @ beta
    ols_cov = (resid @ resid / (n - p)) * xtx_inv
    scores = np.column_stack([np.bincount(groups, weights=exog[:, k] * resid, minlength=n_groups)
                              for k in range(p)])
    factor = n_groups / (n_groups - 1) * (n - 1) / (n - p)
    robust_cov = factor * xtx_inv @ (scores.T @ scores) @ xtx_inv
    mixed_beta, mixed_cov, theta, converged = _reml_random_intercept(y, exog, groups)
    fits = (
        ("OLS", beta, ols_cov, True, False),
        ("Cluster-robust OLS", beta, robust_cov, True, False),
        ("Mixed model", mixed_beta, mixed_cov, converged, bool(theta < BOUNDARY_TOL)),
    )
    rows = []
    for fit, params, cov, ok, boundary in fits:
        for k, term in enumerate(TERMS, start=1):
            rows.append((fit, term, float(params[k]), float(np.sqrt(cov[k, k])), ok, boundary))
    return rows


#: lme4's ``isSingular`` threshold on the relative standard deviation tau / sigma.
BOUNDARY_TOL = 1e-4
#: Grid of relative standard deviations tau / sigma searched before refining.
_THETA_GRID = np.concatenate([[0.0], np.logspace(-3, 3, 61)])


def _reml_random_intercept(
    y: np.ndarray, exog: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """REML fit of ``y = X beta + u[group] + e``; return beta, its covariance, theta, ok.

    With ``gamma = tau^2 / sigma^2`` and ``m_j`` the size of group ``j``,
    ``sigma^2 V_j^-1 = (I - J_j / m_j) + J_j / (m_j (1 + m_j gamma))`` (``J_j``
    a block of ones), so ``X' V^-1 X``, ``X' V^-1 y`` and ``y' V^-1 y`` are the
    within-group cross-products plus the group-mean ones weighted by
    ``m_j / (1 + m_j gamma)``. Profiling out ``sigma^2``, REML minimises
    ``(N - p) log r(gamma) + sum_j log(1 + m_j gamma) + log det(X' V*^-1 X)``
    (``r`` the generalised residual sum of squares) over ``theta = sqrt(gamma)``
    >= 0: a grid, then a bounded Brent search beside the best grid point. The
    covariance is ``sigma_hat^2 (X' V*^-1 X)^-1`` with ``sigma_hat^2 = r / (N - p)``,
    what lme4's ``vcov`` reports (statsmodels' ``bse_fe`` inverts the full
    observed information instead and differs in the fourth digit).
    """
    n, p = exog.shape
    counts = np.bincount(groups).astype(float)
    data = np.column_stack([exog, y])
    means = np.column_stack([np.bincount(groups, weights=data[:, k], minlength=len(counts))
                             for k in range(p + 1)]) / counts[:, None]
    within = data.T @ data - (means * counts[:, None]).T @ means

    def parts(theta: np.ndarray):
        mg = np.outer(np.asarray(theta, dtype=float) ** 2, counts)
        cross = within + np.einsum("kg,gi,gj->kij", counts / (1 + mg), means, means)
        xvx, xvy, yvy = cross[:, :p, :p], cross[:, :p, p], cross[:, p, p]
        beta = np.linalg.solve(xvx, xvy[..., None])[..., 0]
        rss = yvy - np.einsum("ki,ki->k", xvy, beta)
        objective = (n - p) * np.log(rss) + np.log1p(mg).sum(axis=1) + np.linalg.slogdet(xvx)[1]
        return objective, beta, rss, xvx

    objective = parts(_THETA_GRID)[0]
    best = int(np.argmin(objective))
    low = _THETA_GRID[max(best - 1, 0)]
    high = _THETA_GRID[min(best + 1, len(_THETA_GRID) - 1)]
    refined = minimize_scalar(lambda t: parts(np.array([t]))[0][0], bounds=(low, high),
                              method="bounded", options={"xatol": 1e-10})
    theta = float(refined.x) if refined.fun <= objective[best] else float(_THETA_GRID[best])
    value, beta, rss, xvx = parts(np.array([theta]))
    cov = rss[0] / (n - p) * np.linalg.inv(xvx[0])
    converged = bool(np.isfinite(value[0]) and rss[0] > 0 and best < len(_THETA_GRID) - 1)
    return beta[0], cov, theta, converged


#: A 1x1 transparent PNG: the first, invisible, state of the notebook progress bar.
_BLANK_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII="


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (the test tqdm.autonotebook uses)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the book
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


class _NotebookBar:
    """An HTML progress bar that stores nothing in a notebook (module notes)."""

    def __init__(self, total: int, desc: str) -> None:
        from IPython.display import display

        self.total, self.desc, self.n, self._shown = total, desc, 0, -1
        self._handle = display({"image/png": _BLANK_PNG}, raw=True, display_id=True)
        self._draw()

    def _draw(self) -> None:
        percent = 100 * self.n // self.total
        if percent == self._shown:  # redraw once per per cent, not per data set
            return
        self._shown = percent
        text = f"{self.desc}: {self.n}/{self.total}"
        html = (f'<progress value="{self.n}" max="{self.total}" style="width: 30ex">'
                f"</progress> {text}")
        self._handle.update({"text/html": html, "text/plain": text}, raw=True)

    def update(self, n: int = 1) -> None:
        self.n += n
        self._draw()

    def close(self) -> None:
        from IPython.display import clear_output

        clear_output()


def _progress_bar(total: int, desc: str):
    """Return a progress bar with ``update(n)`` and ``close()`` (module notes)."""
    if _in_kernel():
        return _NotebookBar(total, desc)
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}")


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)
