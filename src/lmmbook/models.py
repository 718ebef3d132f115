"""Tidy extraction from fitted statsmodels ``MixedLM`` models.

These helpers only reshape what a fit already holds (effects tables, the
intraclass correlation, the design effect) and say in words whether a fit can
be trusted. The fit itself, ``smf.mixedlm(...).fit()``, stays in the chapters.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lmmbook.validation import (
    check_mixedlm_result,
    check_random_intercept,
    check_real,
)

__all__ = [
    "FitDiagnosis",
    "diagnose_fit",
    "relative_cholesky",
    "fixed_effects_table",
    "random_effects_table",
    "predict_random_effects",
    "icc_from_fit",
    "design_effect",
    "variance_table",
]

#: lme4's ``isSingular`` threshold: a fit is singular when a diagonal element of
#: the relative Cholesky factor theta (a standard deviation divided by the residual
#: standard deviation, for a random intercept ``tau / sigma``) is below it.
BOUNDARY_TOL = 1e-4


@dataclass(frozen=True)
class FitDiagnosis:
    """Whether a mixed-model fit can be trusted, in words.

    Attributes
    ----------
    converged : bool
        The optimiser reported convergence.
    boundary : bool
        Some random-effect variance is (numerically) zero: a singular fit.
    degenerate : bool
        The fit broke down: its log-likelihood or its fixed effects are not
        finite numbers (statsmodels can report such a fit as converged).
    messages : tuple of str
        One sentence per problem; empty when the fit is fine.
    """

    converged: bool
    boundary: bool
    degenerate: bool = False
    messages: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the fit converged, is not degenerate and not on the boundary."""
        return self.converged and not self.boundary and not self.degenerate

    def __str__(self) -> str:
        if self.ok:
            return "The fit converged and no variance is on the boundary (zero)."
        return " ".join(self.messages)

    def _repr_markdown_(self) -> str:
        return ("**Fit OK.** " if self.ok else "**Warning.** ") + str(self)

    def __repr__(self) -> str:
        return f"FitDiagnosis(ok={self.ok}): {self}"


def diagnose_fit(result: object, tol: float = BOUNDARY_TOL) -> FitDiagnosis:
    """Say whether a ``MixedLM`` fit converged and whether it is singular.

    A fit is on the boundary (singular, as lme4 says) by lme4's own rule
    (``isSingular``): some diagonal element of the relative Cholesky factor
    theta is below ``tol``. For a random intercept that element is ``tau / sigma``,
    the school standard deviation over the residual one; for correlated random
    effects it is a conditional standard deviation (zero when the covariance
    matrix is singular); each ``vc_formula`` variance component counts too
    (see :func:`relative_cholesky`). statsmodels' optimisers stop near zero
    rather than on it (theta of about 1e-4 where lme4 lands on exactly 0), so an
    element below ``NEAR_ZERO`` also counts as zero when setting it to zero does
    not lower the log-likelihood: the optimum is on the boundary. A fit is degenerate
    when its log-likelihood or fixed effects are not finite: statsmodels' default
    optimiser can stop at an exactly-zero variance and report such a fit as
    converged (Powell's method, ``fit(method="powell")``, avoids it).

    Parameters
    ----------
    result : MixedLMResults
        A fitted model, ``smf.mixedlm(...).fit()``.
    tol : float
        Relative standard deviation (an element of theta) below which a
        random effect counts as zero; lme4's default is ``1e-4``.

    Returns
    -------
    FitDiagnosis

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> diagnose_fit(fit).ok
    True
    >>> flat = simulate_schools(school_sd=0, seed=0)
    >>> model = smf.mixedlm("score ~ hours", flat, groups="school")
    >>> print(diagnose_fit(model.fit(method="powell")))
    The school variance is estimated as zero (a boundary, or singular, fit): ...
    >>> diagnose_fit(model.fit()).degenerate
    True
    """
    result = check_mixedlm_result(result)
    tol = check_real(tol, "tol", minimum=0, strict=True)
    messages = []
    converged = bool(result.converged)
    if not converged:
        messages.append(
            "The optimiser did not converge: the estimates may be wrong. "
            "Refit with another optimiser, e.g. fit(method='powell')."
        )
    finite = np.isfinite([float(result.llf), *np.asarray(result.fe_params, dtype=float)])
    degenerate = not bool(finite.all())
    if degenerate:
        messages.append(
            "The fit broke down (its log-likelihood is not a finite number), "
            "although it may say it converged: its estimates are not to be used. "
            "Refit with fit(method='powell')."
        )
    cov_re = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
    theta = relative_cholesky(result)
    small = theta < tol
    if not degenerate:
        small |= _optimum_at_zero(result, theta, tol)
    boundary = bool(theta.size == 0 or small.any() or not np.isfinite(theta).all())
    if boundary:
        n_re = cov_re.shape[0]
        vc_names = list(getattr(getattr(result.model, "exog_vc", None), "names", []))
        if small[n_re:].any() and not small[:n_re].any():
            zero = [name for name, flag in zip(vc_names, small[n_re:]) if flag]
            what = "The variance of " + ", ".join(zero)
        elif n_re == 1:
            what = f"The {_groups_name(result)} variance"
        else:
            what = (
                "The random-effects covariance matrix is singular: some variance or "
                "combination of variances"
            )
        messages.append(
            f"{what} is estimated as zero (a boundary, or singular, fit): the data "
            "show no variation between groups beyond what the noise explains. "
            "Standard errors and tests that assume an interior estimate are not reliable."
        )
    return FitDiagnosis(
        converged=converged, boundary=boundary, degenerate=degenerate, messages=tuple(messages)
    )


#: An element of theta below this is tested against the log-likelihood at zero.
NEAR_ZERO = 1e-2
#: How much higher (log-likelihood units) an interior fit must be than the same
#: fit with one random effect set to zero for that effect to count as non-zero.
LLF_TOL = 1e-6


def _optimum_at_zero(result: object, theta: np.ndarray, tol: float) -> np.ndarray:
    """Flag each element of theta whose optimum is at zero (see ``diagnose_fit``)."""
    from statsmodels.regression.mixed_linear_model import MixedLMParams

    model, scale = result.model, float(result.scale)
    cov = np.atleast_2d(np.asarray(result.cov_re, dtype=float)) / scale
    vcomp = np.atleast_1d(np.asarray(getattr(result, "vcomp", []), dtype=float)) / scale
    fe = np.asarray(result.fe_params, dtype=float)
    flags = np.zeros(theta.shape, dtype=bool)
    candidates = np.flatnonzero((theta >= tol) & (theta < NEAR_ZERO))
    if candidates.size == 0:
        return flags

    def loglike(cov_k: np.ndarray, vcomp_k: np.ndarray) -> float:
        params = MixedLMParams.from_components(fe_params=fe, cov_re=cov_k, vcomp=vcomp_k)
        return float(model.loglike(params, profile_fe=True))

    # The model keeps the criterion of its latest fit (and result.llf is computed
    # from it on first access): evaluate both under the criterion of this fit.
    reml = model.reml
    model.reml = result.method == "REML"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = loglike(cov, vcomp)
            for k in candidates:
                cov_k, vcomp_k = cov.copy(), vcomp.copy()
                tiny = (tol / 10) ** 2
                if k < cov.shape[0]:
                    cov_k[k, :] = cov_k[:, k] = 0.0
                    cov_k[k, k] = tiny
                else:
                    vcomp_k[k - cov.shape[0]] = tiny
                at_zero = loglike(cov_k, vcomp_k)
                flags[k] = np.isfinite(at_zero) and at_zero >= fitted - LLF_TOL
    finally:
        model.reml = reml
    return flags


def relative_cholesky(result: object) -> np.ndarray:
    """Return the diagonal of lme4's relative Cholesky factor theta for a fit.

    lme4 parametrises the random-effects covariance as ``sigma^2 L L'`` and
    calls a fit singular when a diagonal element of ``L`` is (nearly) zero. Here
    ``L`` is the lower Cholesky factor of ``cov_re / scale``; its ``k``-th
    diagonal element is the standard deviation of the ``k``-th random effect
    given the ones before it, over the residual standard deviation. Each
    ``vc_formula`` variance component adds one element, ``sqrt(vcomp / scale)``.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model.

    Returns
    -------
    numpy.ndarray
        The diagonal elements of ``L`` (in the order of ``cov_re``), then one per
        variance component. A zero marks a random effect estimated at zero.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> relative_cholesky(fit).round(3)  # tau / sigma
    array([1.605])
    """
    result = check_mixedlm_result(result)
    scale = float(result.scale)
    cov = np.atleast_2d(np.asarray(result.cov_re, dtype=float)) / scale
    diagonal = []
    for k in range(cov.shape[0]):
        # Conditional variance of effect k given effects 0..k-1 (a Schur complement);
        # the pseudo-inverse keeps it defined when an earlier effect is degenerate.
        before = cov[:k, :k]
        cross = cov[:k, k]
        conditional = cov[k, k] - cross @ np.linalg.pinv(before) @ cross if k else cov[k, k]
        diagonal.append(np.sqrt(max(float(conditional), 0.0)))
    vcomp = np.atleast_1d(np.asarray(getattr(result, "vcomp", []), dtype=float))
    diagonal.extend(np.sqrt(np.clip(vcomp / scale, 0.0, None)))
    return np.asarray(diagonal, dtype=float)


def fixed_effects_table(result: object, alpha: float = 0.05) -> pd.DataFrame:
    """Return the fixed effects as a tidy table.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model.
    alpha : float
        One minus the confidence level of the (Wald, z-based) intervals.

    Returns
    -------
    pandas.DataFrame
        One row per term with columns ``term``, ``estimate``, ``std_error``,
        ``z``, ``p_value``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> fixed_effects_table(fit)[["term", "estimate", "std_error"]].round(3)
            term  estimate  std_error
    0  Intercept    47.648      2.484
    1      hours     2.874      0.141
    """
    result = check_mixedlm_result(result)
    alpha = check_real(alpha, "alpha", minimum=0, maximum=1, strict=True)
    names = list(result.fe_params.index)
    ci = result.conf_int(alpha=alpha).loc[names]
    return pd.DataFrame(
        {
            "term": names,
            "estimate": result.fe_params.to_numpy(),
            "std_error": result.bse_fe.loc[names].to_numpy(),
            "z": result.tvalues.loc[names].to_numpy(),
            "p_value": result.pvalues.loc[names].to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
        }
    )


def random_effects_table(result: object) -> pd.DataFrame:
    """Return the predicted random effects (BLUPs) in long format.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model.

    Returns
    -------
    pandas.DataFrame
        One row per group and random-effect term, with columns named after the
        grouping variable (``"Group"`` if the groups were passed as an array),
        ``term`` and ``estimate``; sorted by group.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> random_effects_table(fit).head(2).round(3)
          school       term  estimate
    0  School 01  Intercept     6.260
    1  School 02  Intercept    -5.342
    """
    result = check_mixedlm_result(result)
    group = _groups_name(result)
    terms = _random_terms(result)
    rows = []
    for label, effects in result.random_effects.items():
        for term, value in zip(terms, np.asarray(effects, dtype=float)):
            rows.append((label, term, float(value)))
    table = pd.DataFrame(rows, columns=[group, "term", "estimate"])
    return table.sort_values([group, "term"], kind="stable").reset_index(drop=True)


def predict_random_effects(result: object, level: float = 0.95) -> pd.DataFrame:
    """Return the predicted random effects (BLUPs) with their conditional intervals.

    The standard deviation of each prediction is the square root of the
    diagonal of ``result.random_effects_cov``: the conditional variance of the
    group's effect given the data, ``(1 / tau^2 + n_j / sigma^2)^(-1)`` for a
    random intercept, with the estimated variances plugged in as if known and
    the fixed effects taken as known. The uncertainty of ``beta_hat`` and of
    the variance estimates is not in it, so the intervals are too narrow as
    intervals for the true effects (chapter "Fixed and random effects").

    Parameters
    ----------
    result : MixedLMResults
        A fitted model.
    level : float
        Coverage of the normal (z-based) intervals, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per group and random-effect term, as :func:`random_effects_table`
        (columns named after the grouping variable, ``term``, ``estimate``),
        plus ``sd``, ``low`` and ``high`` (``estimate -/+ z * sd``).

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> predict_random_effects(fit).head(2).round(3)
          school       term  estimate     sd    low   high
    0  School 01  Intercept     6.260  1.171  3.966  8.555
    1  School 02  Intercept    -5.342  1.171 -7.636 -3.047
    """
    from scipy.stats import norm

    result = check_mixedlm_result(result)
    level = check_real(level, "level", minimum=0, maximum=1, strict=True)
    table = random_effects_table(result)
    group = table.columns[0]
    terms = _random_terms(result)
    sd = {}
    for label, cov in result.random_effects_cov.items():
        variances = np.diag(np.asarray(cov, dtype=float))[: len(terms)]
        for term, var in zip(terms, variances):
            sd[(label, term)] = float(np.sqrt(max(var, 0.0)))
    table["sd"] = [sd[(g, t)] for g, t in zip(table[group], table["term"])]
    z = float(norm.ppf((1 + level) / 2))
    table["low"] = table["estimate"] - z * table["sd"]
    table["high"] = table["estimate"] + z * table["sd"]
    return table


def icc_from_fit(result: object) -> float:
    """Return the intraclass correlation of a random-intercept model.

    ``ICC = tau^2 / (tau^2 + sigma^2)``, from ``result.cov_re`` (the school
    variance ``tau^2``) and ``result.scale`` (the residual variance ``sigma^2``).
    (``result.params`` holds the variance divided by the scale: not used here.)

    The ICC is that of the model given: it is the **unconditional** ICC (the
    share of the response's own variance that lies between groups) only for
    the empty model ``y ~ 1``. With predictors it is a **conditional**
    (residual) ICC, the share between groups of the variance the predictors
    leave unexplained (chapter 5 compares the two).

    Parameters
    ----------
    result : MixedLMResults
        A fitted model with a random intercept only.

    Returns
    -------
    float

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> round(icc_from_fit(fit), 3)
    0.72
    """
    result = check_random_intercept(result)  # with random slopes the ICC depends on x
    tau2 = float(np.asarray(result.cov_re, dtype=float)[0, 0])
    return tau2 / (tau2 + float(result.scale))


def design_effect(cluster_size: float, icc: float) -> float:
    """Return the design effect ``1 + (m - 1) * ICC`` of clustered sampling.

    The variance of a mean (or of a group-level coefficient) from ``m``
    students per school is this many times larger than from the same number
    of independent students.

    Parameters
    ----------
    cluster_size : float
        Average number of observations per group, ``m >= 1``.
    icc : float
        Intraclass correlation, between 0 and 1.

    Returns
    -------
    float

    Examples
    --------
    >>> design_effect(15, 0.5)
    8.0
    >>> design_effect(15, 1.5)
    Traceback (most recent call last):
    ...
    ValueError: icc must be <= 1, got 1.5
    """
    m = check_real(cluster_size, "cluster_size", minimum=1)
    icc = check_real(icc, "icc", minimum=0, maximum=1)
    return 1.0 + (m - 1.0) * icc


def _random_terms(result: object) -> list[str]:
    """Names of the random-effect terms, the intercept called ``"Intercept"``.

    statsmodels names the random intercept after the groups (``"school"``,
    ``"Group"`` or ``"Group Var"``); a term is the intercept when its column
    of ``exog_re`` is all ones.
    """
    exog_re = np.asarray(result.model.exog_re, dtype=float)
    names = result.model.data.exog_re_names
    return [
        "Intercept" if np.all(exog_re[:, k] == 1.0) else str(name) for k, name in enumerate(names)
    ]


def _groups_name(result: object) -> str:
    """The grouping variable's name, as ``random_effects`` labels the intercept.

    statsmodels names the random intercept after the groups column when
    ``groups`` is a column name, and ``"Group"`` when it is an array.
    """
    names = list(getattr(result.cov_re, "index", []))  # a plain array with array inputs
    if names and names[0] not in (result.model.exog_names or []):
        return str(names[0])
    return "Group"


def variance_table(result: object) -> pd.DataFrame:
    """Return the estimated variances and standard deviations as a tidy table.

    The random-effect variances are read from ``result.cov_re`` (and, if the
    model has ``vc_formula`` components, from ``result.vcomp``), the residual
    variance from ``result.scale``. ``result.params`` is not used: it holds the
    variances divided by the scale.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model.

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``term``, ``variance`` and ``sd`` (the square root
        of the variance): one row per random-effect variance (the diagonal of
        ``cov_re``, then the ``vc_formula`` components), and a last row with
        group ``"Residual"`` and an empty term. Covariances stay in ``cov_re``.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.simulate import simulate_schools
    >>> fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit(gtol=1e-8)
    >>> variance_table(fit).round(3)
          group       term  variance     sd
    0    school  Intercept    54.329  7.371
    1  Residual               21.092  4.593
    """
    result = check_mixedlm_result(result)
    group = _groups_name(result)
    cov_re = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
    rows = [(group, term, float(cov_re[k, k])) for k, term in enumerate(_random_terms(result))]
    vc_names = getattr(getattr(result.model, "exog_vc", None), "names", [])
    for name, value in zip(vc_names, np.atleast_1d(result.vcomp)):
        rows.append((group, str(name), float(value)))
    rows.append(("Residual", "", float(result.scale)))
    table = pd.DataFrame(rows, columns=["group", "term", "variance"])
    table["sd"] = np.sqrt(table["variance"].clip(lower=0.0))
    return table
