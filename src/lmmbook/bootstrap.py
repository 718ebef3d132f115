"""Parametric bootstrap of a random-intercept model.

A parametric bootstrap treats the fitted model as the truth: it simulates new
responses from it (the fixed part ``X @ beta_hat``, new group effects drawn
from ``N(0, tau_hat^2)`` and new noise from ``N(0, sigma_hat^2)``), refits the
same model to each simulated response, and uses the spread of the refitted
estimates as the sampling distribution of the estimate. The chapters show one
replicate by hand; these helpers run the loop.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm

from lmmbook.models import diagnose_fit
from lmmbook.validation import (
    check_int,
    check_random_intercept,
    check_real,
    check_seed,
    check_values,
)

__all__ = ["simulate_from_fit", "bootstrap_icc", "percentile_interval"]


def simulate_from_fit(result: object, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Simulate one new response vector from a fitted random-intercept model.

    The draws come in a fixed order, so a chapter can repeat them by hand:
    first one effect per group, ``u ~ N(0, tau_hat^2)`` (groups in the order
    of their first appearance in the data), then one noise term per
    observation, ``e ~ N(0, sigma_hat^2)``.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model with a random intercept only.
    seed : int or numpy.random.Generator
        Seed of ``np.random.default_rng``, or a generator to draw from.

    Returns
    -------
    numpy.ndarray
        ``X @ beta_hat + u[group] + e``, one value per observation, in the
        order of the data the model was fitted to.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit()
    >>> y_star = simulate_from_fit(fit, seed=1)
    >>> y_star.shape
    (150,)
    >>> bool(np.array_equal(y_star, simulate_from_fit(fit, seed=1)))
    True
    """
    result = check_random_intercept(result)
    rng = check_seed(seed)
    tau2 = float(np.asarray(result.cov_re)[0, 0])
    sigma2 = float(result.scale)
    codes, _ = pd.factorize(pd.Series(result.model.groups), sort=False)
    n_groups = int(codes.max()) + 1
    effects = rng.normal(0.0, np.sqrt(tau2), size=n_groups)
    noise = rng.normal(0.0, np.sqrt(sigma2), size=len(codes))
    fixed_part = np.asarray(result.model.exog) @ np.asarray(result.fe_params)
    return fixed_part + effects[codes] + noise


def bootstrap_icc(
    result: object,
    n_boot: int = 200,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Parametric-bootstrap replicates of the intraclass correlation.

    Each replicate simulates a response with :func:`simulate_from_fit` (all
    replicates draw, one after another, from a single generator made from
    ``seed``), refits the same random-intercept model (same fixed-effects
    design, same groups, REML or ML as the original fit) with the array
    interface ``statsmodels.api.MixedLM``, and records the variances and
    ``ICC = tau^2 / (tau^2 + sigma^2)``. Refits that do not converge or end
    on the boundary (school variance zero) are kept and flagged, not dropped
    or hidden: count them before using the replicates. Their statsmodels
    warnings are caught, because the flags record them.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model with a random intercept only.
    n_boot : int
        Number of bootstrap replicates, at least 1.
    seed : int or numpy.random.Generator
        Seed of ``np.random.default_rng``, or a generator to draw from.

    Returns
    -------
    pandas.DataFrame
        One row per replicate with columns ``replicate`` (0, 1, ...),
        ``group_var`` (tau^2), ``residual_var`` (sigma^2), ``icc``,
        ``converged`` and ``boundary`` (bools, from
        :func:`lmmbook.models.diagnose_fit`; a fit that broke down at a zero
        variance counts as not converged).

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit()
    >>> reps = bootstrap_icc(fit, n_boot=5, seed=1)
    >>> list(reps.columns)
    ['replicate', 'group_var', 'residual_var', 'icc', 'converged', 'boundary']
    >>> bool(reps["icc"].between(0, 1).all())
    True
    """
    result = check_random_intercept(result)
    n_boot = check_int(n_boot, "n_boot", minimum=1)
    rng = check_seed(seed)
    model = result.model
    # Named pandas inputs, so each refit labels its estimates as the original does.
    exog = pd.DataFrame(np.asarray(model.exog), columns=list(model.exog_names))
    groups = pd.Series(np.asarray(model.groups), name="group")
    rows = []
    for b in range(n_boot):
        y_star = simulate_from_fit(result, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # recorded in the converged/boundary flags
            refit = sm.MixedLM(pd.Series(y_star, name="y"), exog, groups=groups).fit(
                reml=model.reml
            )
        tau2 = float(np.asarray(refit.cov_re)[0, 0])
        sigma2 = float(refit.scale)
        diagnosis = diagnose_fit(refit)
        rows.append(
            (b, tau2, sigma2, tau2 / (tau2 + sigma2),
             diagnosis.converged and not diagnosis.degenerate, diagnosis.boundary)
        )
    return pd.DataFrame(
        rows,
        columns=["replicate", "group_var", "residual_var", "icc", "converged", "boundary"],
    )


def percentile_interval(values: object, level: float = 0.95) -> tuple[float, float]:
    """Return the percentile interval holding the central ``level`` of ``values``.

    The ends are the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles
    (linear interpolation, NumPy's default).

    Parameters
    ----------
    values : array-like of float
        Bootstrap replicates, one-dimensional, finite, at least two.
    level : float
        Coverage, strictly between 0 and 1.

    Returns
    -------
    (float, float)
        Lower and upper end.

    Examples
    --------
    >>> percentile_interval(range(101), level=0.5)
    (25.0, 75.0)
    >>> percentile_interval([1.0, 2.0], level=1.0)
    Traceback (most recent call last):
    ...
    ValueError: level must be < 1, got 1.0
    """
    level = check_real(level, "level", minimum=0, maximum=1, strict=True)
    array = check_values(values, "values", min_size=2)
    low, high = np.quantile(array, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)

