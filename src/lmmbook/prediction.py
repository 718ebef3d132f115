"""Prediction from a fitted random-intercept model (chapter 6).

Three questions, three helpers:

- :func:`predict_new_school`: the line of a group the model has never seen
  (the population line), with a confidence band for the population line and
  plug-in prediction bands for a new group's line and a new observation in it;
- :func:`bootstrap_new_school`: parametric-bootstrap replicates for the
  new-group prediction, from which a chapter builds a bootstrap-t prediction
  interval that carries the uncertainty of the estimated variances too;
- :func:`predict_existing_school`: the line of a group in the data (fixed
  effects plus its predicted effect, as ``result.fittedvalues``), with its
  prediction-error band and a band for a new observation in that group.

All three take a model with an intercept, one covariate and a random
intercept, ``y = b0 + b1 * x + u_j + e``, fitted by ``smf.mixedlm``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm

from lmmbook.bootstrap import simulate_from_fit
from lmmbook.models import diagnose_fit
from lmmbook.validation import (
    check_int,
    check_mixedlm_result,
    check_random_intercept,
    check_real,
    check_seed,
    check_values,
)

__all__ = ["predict_new_school", "bootstrap_new_school", "predict_existing_school"]


def _line_model(result: object) -> tuple[object, list[str]]:
    """Check for an intercept, one covariate and a random intercept; return names."""
    result = check_mixedlm_result(result)
    model = result.model
    exog = np.asarray(model.exog, dtype=float)
    if exog.shape[1] != 2 or not np.all(exog[:, 0] == 1.0):
        raise ValueError(
            "result must have an intercept and one covariate as fixed effects, got "
            f"{list(model.exog_names)}"
        )
    check_random_intercept(result)
    return result, list(model.exog_names)


def _fixed_cov(result: object) -> np.ndarray:
    """The fixed-effects block ``V`` of ``result.cov_params()`` (fixed effects come first)."""
    k = len(result.fe_params)
    return np.asarray(result.cov_params(), dtype=float)[:k, :k]


def predict_new_school(result: object, x: object, level: float = 0.95) -> pd.DataFrame:
    """Predict the line of a new group (no data yet), with three plug-in bands.

    For a random-intercept model ``y = b0 + b1 * x + u + e`` and the row
    ``(1, x)``, the estimate is the population line ``b0_hat + b1_hat * x``
    (fixed effects only), with three normal (z-based) bands of increasing width:

    - ``conf``: the population line itself, variance ``(1, x) V (1, x)'``
      where ``V`` is the fixed-effects block of ``result.cov_params()``;
    - ``school``: the line of a new group, adding its effect's variance
      ``tau_hat^2`` (``result.cov_re``);
    - ``student``: one new observation in a new group, adding the residual
      variance ``sigma_hat^2`` (``result.scale``) too.

    The variance estimates are plugged in as if known and the quantile is the
    normal one: with few groups the ``school`` band is too narrow (chapter 6
    measures by how much and builds a bootstrap interval with
    :func:`bootstrap_new_school`).

    Parameters
    ----------
    result : MixedLMResults
        A fitted model with an intercept and one covariate as fixed effects
        and a random intercept only.
    x : float or array-like of float
        Covariate values at which to predict (finite).
    level : float
        Coverage of every band, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``x``, with columns named after the covariate
        (e.g. ``hours``), ``estimate``, ``se_conf``, ``conf_low``,
        ``conf_high``, ``school_low``, ``school_high``, ``student_low``,
        ``student_high``.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> predict_new_school(fit, [0, 10])[["hours", "estimate", "conf_low", "school_low"]].round(2)
       hours  estimate  conf_low  school_low
    0    0.0     47.65     42.78       32.40
    1   10.0     76.39     71.59       61.17
    """
    result, names = _line_model(result)
    level = check_real(level, "level", minimum=0, maximum=1, strict=True)
    values = check_values(x, "x", allow_scalar=True)

    cov_re = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
    rows = np.column_stack([np.ones_like(values), values])
    var_conf = np.einsum("ij,jk,ik->i", rows, _fixed_cov(result), rows)  # (1, x) V (1, x)'
    var_school = var_conf + cov_re[0, 0]
    var_student = var_school + float(result.scale)
    estimate = rows @ np.asarray(result.fe_params, dtype=float)
    z = float(norm.ppf((1 + level) / 2))
    table = {names[1]: values, "estimate": estimate, "se_conf": np.sqrt(var_conf)}
    for band, var in (("conf", var_conf), ("school", var_school), ("student", var_student)):
        table[f"{band}_low"] = estimate - z * np.sqrt(var)
        table[f"{band}_high"] = estimate + z * np.sqrt(var)
    return pd.DataFrame(table)


def bootstrap_new_school(
    result: object,
    x: object,
    n_boot: int = 200,
    n_new: int = 1,
    seed: int | np.random.Generator = 0,
) -> pd.DataFrame:
    """Parametric-bootstrap replicates for predicting a new group's line.

    Each replicate treats the fit as the truth and repeats the whole
    prediction. From one generator made from ``seed`` it draws, in this order:
    a new response with :func:`lmmbook.bootstrap.simulate_from_fit`, then
    ``n_new`` new groups' effects ``u_new ~ N(0, tau_hat^2)``. The true line of
    a new group, in the bootstrap world, is ``new_line = b0_hat + b1_hat * x + u_new``.
    A refit is costly and a new group's effect is cheap, so several new groups
    per refit (``n_new > 1``) lower the Monte Carlo error of the quantiles at
    no cost in refits.
    The model is refitted to the new response (same design, REML or ML as the
    original, array interface ``statsmodels.api.MixedLM``), and the refit's own
    prediction ``estimate_star = b0* + b1* * x`` and its plug-in standard error
    ``se_star = sqrt((1, x) V* (1, x)' + tau*^2)`` are recorded.

    The studentized prediction error ``(new_line - estimate_star) / se_star``
    is the bootstrap copy of ``(true line - estimate) / se``; its quantiles
    replace the normal quantile of :func:`predict_new_school`'s ``school``
    band (a bootstrap-t interval). Because ``se_star`` is recomputed in every
    refit, the interval carries the uncertainty of ``tau_hat^2`` and of the
    fixed effects, which the plug-in band ignores. Refits that did not
    converge or ended on the boundary are kept and flagged.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model with an intercept and one covariate as fixed effects
        and a random intercept only.
    x : float or array-like of float
        Covariate values at which to predict (finite); every replicate gives
        one row per value, from the same refit and the same ``u_new``.
    n_boot : int
        Number of replicates (refits), at least 1.
    n_new : int
        Number of new groups drawn per replicate, at least 1.
    seed : int or numpy.random.Generator
        Seed of ``np.random.default_rng``, or a generator to draw from.

    Returns
    -------
    pandas.DataFrame
        Long format, one row per replicate, new group and value of ``x``:
        ``replicate``, ``new`` (0 to ``n_new - 1``), the covariate (named as
        in the fit), ``new_line``, ``estimate_star``, ``se_star``,
        ``group_var_star`` (the refit's ``tau*^2``), ``converged`` and ``boundary``
        (from :func:`lmmbook.models.diagnose_fit`).

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> reps = bootstrap_new_school(fit, [2.0, 8.0], n_boot=3, seed=1)
    >>> reps[["replicate", "new", "hours"]].to_numpy().tolist()
    [[0.0, 0.0, 2.0], [0.0, 0.0, 8.0], [1.0, 0.0, 2.0], [1.0, 0.0, 8.0], [2.0, 0.0, 2.0], [2.0, 0.0, 8.0]]
    >>> len(bootstrap_new_school(fit, 5.0, n_boot=2, n_new=10, seed=1))
    20
    >>> bool((reps["se_star"] > 0).all())
    True
    """
    result, names = _line_model(result)
    values = check_values(x, "x", allow_scalar=True)
    n_boot = check_int(n_boot, "n_boot", minimum=1)
    n_new = check_int(n_new, "n_new", minimum=1)
    rng = check_seed(seed)

    model = result.model
    exog = pd.DataFrame(np.asarray(model.exog, dtype=float), columns=names)
    groups = pd.Series(np.asarray(model.groups), name="group")
    rows = np.column_stack([np.ones_like(values), values])
    true_lines = rows @ np.asarray(result.fe_params, dtype=float)
    tau = float(np.sqrt(np.asarray(result.cov_re, dtype=float)[0, 0]))
    records = []
    for b in range(n_boot):
        y_star = simulate_from_fit(result, rng)
        u_new = rng.normal(0.0, tau, size=n_new)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # recorded in the converged/boundary flags
            refit = sm.MixedLM(pd.Series(y_star, name="y"), exog, groups=groups).fit(
                reml=model.reml
            )
        diagnosis = diagnose_fit(refit)
        var = np.einsum("ij,jk,ik->i", rows, _fixed_cov(refit), rows)
        tau2_star = max(float(np.asarray(refit.cov_re, dtype=float)[0, 0]), 0.0)
        estimate_star = rows @ np.asarray(refit.fe_params, dtype=float)
        converged = diagnosis.converged and not diagnosis.degenerate
        se_star = np.sqrt(var + tau2_star)
        for i, effect in enumerate(u_new):
            for k, value in enumerate(values):
                records.append((b, i, value, true_lines[k] + effect, estimate_star[k],
                                float(se_star[k]), tau2_star, converged, diagnosis.boundary))
    return pd.DataFrame(
        records,
        columns=["replicate", "new", names[1], "new_line", "estimate_star", "se_star",
                 "group_var_star", "converged", "boundary"],
    )


def predict_existing_school(
    result: object, group: object, x: object, level: float = 0.95
) -> pd.DataFrame:
    """Predict the line of a group in the data, and a new observation in it.

    The estimate is the group's fitted line, fixed effects plus its predicted
    effect: ``b0_hat + b1_hat * x + u_hat_j`` (what ``result.fittedvalues``
    hold at the group's observed ``x``). Its prediction-error variance, for the
    true line ``b0 + b1 * x + u_j``, is

        ``(r - lambda_j * xbar_j) V (r - lambda_j * xbar_j)' + Var(u_j | y)``

    where ``r = (1, x)``, ``V`` is the fixed-effects block of
    ``result.cov_params()``, ``xbar_j = (1, mean of x in group j)``,
    ``lambda_j = n_j tau^2 / (n_j tau^2 + sigma^2)`` is the group's shrinkage
    factor and ``Var(u_j | y) = (1 - lambda_j) tau^2`` is
    ``result.random_effects_cov[group]`` (the effect's conditional variance
    with the fixed effects known). The two parts are uncorrelated. The fixed
    effects' error enters through ``r - lambda_j * xbar_j``, not ``r``: ``u_hat_j``
    is computed from the group's residuals, so an error in the fixed effects is
    largely undone by it, and adding ``r V r'`` to ``Var(u_j | y)`` would
    overstate the variance. This equals the prediction-error variance from
    Henderson's mixed-model equations. The ``student`` band adds the residual
    variance ``sigma_hat^2`` for one new observation of the group. Both bands use
    the normal quantile and plug in the estimated variances.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model with an intercept and one covariate as fixed effects
        and a random intercept only.
    group : object
        A group label of the fit, as in ``result.random_effects``.
    x : float or array-like of float
        Covariate values at which to predict (finite).
    level : float
        Coverage of both bands, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``x``, with columns named after the covariate
        (e.g. ``hours``), ``estimate``, ``se_line``, ``line_low``,
        ``line_high``, ``student_low``, ``student_high``.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> pred = predict_existing_school(fit, "School 01", [2.0, 8.0])
    >>> pred[["hours", "estimate", "line_low", "student_low"]].round(2)
       hours  estimate  line_low  student_low
    0    2.0     59.66     57.04        50.28
    1    8.0     76.90     74.57        67.60
    """
    result, names = _line_model(result)
    labels = list(result.random_effects)
    if isinstance(group, (list, tuple, np.ndarray, pd.Series)) or group not in labels:
        shown = labels[:3] + (["..."] if len(labels) > 3 else [])
        raise ValueError(f"group must be one of the fitted groups {shown}, got {group!r}")
    values = check_values(x, "x", allow_scalar=True)
    level = check_real(level, "level", minimum=0, maximum=1, strict=True)

    model = result.model
    exog = np.asarray(model.exog, dtype=float)
    in_group = np.asarray(model.groups) == group
    n_j = int(in_group.sum())
    tau2 = float(np.asarray(result.cov_re, dtype=float)[0, 0])
    sigma2 = float(result.scale)
    shrinkage = n_j * tau2 / (n_j * tau2 + sigma2)
    xbar = exog[in_group].mean(axis=0)
    rows = np.column_stack([np.ones_like(values), values])
    shifted = rows - shrinkage * xbar
    var_fixed = np.einsum("ij,jk,ik->i", shifted, _fixed_cov(result), shifted)
    var_effect = float(np.asarray(result.random_effects_cov[group], dtype=float)[0, 0])
    var_line = var_fixed + var_effect
    u_hat = float(np.asarray(result.random_effects[group], dtype=float)[0])
    estimate = rows @ np.asarray(result.fe_params, dtype=float) + u_hat
    z = float(norm.ppf((1 + level) / 2))
    table = {names[1]: values, "estimate": estimate, "se_line": np.sqrt(var_line)}
    for band, var in (("line", var_line), ("student", var_line + sigma2)):
        table[f"{band}_low"] = estimate - z * np.sqrt(var)
        table[f"{band}_high"] = estimate + z * np.sqrt(var)
    return pd.DataFrame(table)
