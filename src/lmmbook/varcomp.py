"""Inference for the variance of a random intercept: profiles and one-way closed forms.

The chapter "Inference for variance components" introduces these helpers.

- :func:`evaluate_loglik` evaluates the REML (or ML) log-likelihood of a fitted
  random-intercept model at any pair of standard deviations (group and
  residual); the REML one equals the fit's ``llf`` at the fit's own estimates
  and lme4's ``-REMLcrit / 2``.
- :func:`profile_group_sd` profiles it over the group SD: at each fixed SD the
  residual SD (and, for ML, the fixed effects) is re-optimised. lme4's
  ``profile`` and ``confint(method = "profile")`` do this on the ML deviance,
  even for a REML fit (``lme4:::devfun2`` starts with ``refitML``):
  ``reml=False`` reproduces them. statsmodels' ``MixedLMResults.profile_re``
  does something else: it fixes the *ratio* of the group variance to the
  residual variance and re-estimates the residual variance, so its curve is
  a profile over that ratio.
- :func:`profile_interval` reads the profile-likelihood interval of the group
  SD off that profile (the chi-square(1) cut).
- :func:`oneway_estimates` and :func:`oneway_intervals` are closed forms for
  many balanced one-way data sets at once (``y ~ 1 + (1 | group)``, every group
  of the same size): REML estimates from the two mean squares, the standard
  errors and intervals the chapter compares. They make a coverage study or a
  parametric bootstrap cost milliseconds; the chapter checks them against
  statsmodels' fits and against :func:`profile_interval`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import brentq, minimize_scalar

from lmmbook.validation import check_random_intercept, check_real, check_values

__all__ = [
    "evaluate_loglik",
    "profile_group_sd",
    "profile_interval",
    "oneway_estimates",
    "oneway_intervals",
]

_LOG_2PI = float(np.log(2 * np.pi))


def _cross_products(result: object) -> tuple:
    """Within-group cross-products and group means of [X, y] (plumbing)."""
    model = result.model
    exog = np.asarray(model.exog, dtype=float)
    y = np.asarray(model.endog, dtype=float)
    codes, _ = pd.factorize(pd.Series(np.asarray(model.groups)), sort=False)
    counts = np.bincount(codes).astype(float)
    data = np.column_stack([exog, y])
    sums = np.column_stack([np.bincount(codes, weights=data[:, k]) for k in range(data.shape[1])])
    means = sums / counts[:, None]
    within = data.T @ data - (means * counts[:, None]).T @ means
    return within, means, counts, exog.shape[1]


def _neg2_loglik(parts: tuple, group_var: float, residual_var: float, reml: bool) -> float:
    """-2 x (REML or ML) log-likelihood at (tau^2, sigma^2) for a random-intercept model.

    With gamma = tau^2 / sigma^2, sigma^2 V*^-1 is the within-group projection plus the
    group-mean one weighted by m_j / (1 + m_j gamma), so (REML)
    -2 l = (N - p) log 2 pi + (N - p) log sigma^2 + sum_j log(1 + m_j gamma)
           + log det(X' V*^-1 X) + r(gamma) / sigma^2;
    ML has N for N - p and no log det term (beta at its GLS estimate).
    """
    within, means, counts, p = parts
    gamma = group_var / residual_var
    weights = counts / (1 + counts * gamma)
    cross = within + (means * weights[:, None]).T @ means
    xvx, xvy, yvy = cross[:p, :p], cross[:p, p], cross[p, p]
    beta = np.linalg.solve(xvx, xvy)
    rss = yvy - xvy @ beta
    n = counts.sum()
    if not reml:
        return float(n * (_LOG_2PI + np.log(residual_var)) + np.log1p(counts * gamma).sum()
                     + rss / residual_var)
    return float((n - p) * (_LOG_2PI + np.log(residual_var)) + np.log1p(counts * gamma).sum()
                 + np.linalg.slogdet(xvx)[1] + rss / residual_var)


def _check_reml(reml: object) -> bool:
    if not isinstance(reml, (bool, np.bool_)):
        raise TypeError(f"reml must be True or False, got {type(reml).__name__} {reml!r}")
    return bool(reml)


def evaluate_loglik(result: object, group_sd: float, residual_sd: float,
                    reml: bool = True) -> float:
    """Log-likelihood of a random-intercept model at given standard deviations.

    Parameters
    ----------
    result : MixedLMResults
        A fit of a random-intercept model (only its data and design are used).
    group_sd : float
        Standard deviation of the group effects, ``tau >= 0``.
    residual_sd : float
        Residual standard deviation, ``sigma > 0``.
    reml : bool
        REML log-likelihood (fixed effects integrated out) if True; the ML
        one, at the fixed effects that maximise it (their GLS estimate), if False.

    Returns
    -------
    float
        The log-likelihood on statsmodels' and lme4's scale: at a REML fit's
        estimates it equals ``result.llf`` and lme4's ``-REMLcrit / 2``.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.datasets import load_dyestuff
    >>> fit = smf.mixedlm("yield_g ~ 1", load_dyestuff(), groups="batch").fit(gtol=1e-8)
    >>> tau, sigma = float(np.sqrt(fit.cov_re.iloc[0, 0])), float(np.sqrt(fit.scale))
    >>> bool(abs(evaluate_loglik(fit, tau, sigma) - fit.llf) < 1e-8)
    True
    """
    result = check_random_intercept(result)
    group_sd = check_real(group_sd, "group_sd", minimum=0)
    residual_sd = check_real(residual_sd, "residual_sd", minimum=0, strict=True)
    reml = _check_reml(reml)
    return -0.5 * _neg2_loglik(_cross_products(result), group_sd**2, residual_sd**2, reml)


def _best_residual_var(parts: tuple, group_var: float, scale: float,
                       reml: bool) -> tuple[float, float]:
    """Maximise the log-likelihood over sigma^2 at fixed tau^2; return (sigma^2, loglik)."""
    grid = scale * np.logspace(-4, 2, 19)
    values = [_neg2_loglik(parts, group_var, s2, reml) for s2 in grid]
    best = int(np.argmin(values))
    low, high = np.log(grid[max(best - 1, 0)]), np.log(grid[min(best + 1, len(grid) - 1)])
    found = minimize_scalar(lambda t: _neg2_loglik(parts, group_var, np.exp(t), reml),
                            bounds=(low, high), method="bounded", options={"xatol": 1e-12})
    return float(np.exp(found.x)), -0.5 * float(found.fun)


def _profile_max(result: object, parts: tuple, reml: bool) -> tuple[float, float]:
    """The maximum of the profile over tau: (tau_hat, loglik), searched near the fit's."""
    scale = float(result.scale)
    tau0 = float(np.sqrt(max(np.asarray(result.cov_re)[0, 0], 0.0)))

    def negative(tau: float) -> float:
        return -_best_residual_var(parts, tau**2, scale, reml)[1]

    span = max(tau0, np.sqrt(scale))
    found = minimize_scalar(negative, bounds=(0.0, tau0 + span), method="bounded",
                            options={"xatol": 1e-10 * span})
    candidates = [(float(found.x), -float(found.fun)), (0.0, -negative(0.0))]
    return max(candidates, key=lambda c: c[1])


def profile_group_sd(result: object, sds: object, reml: bool = True) -> pd.DataFrame:
    """Profile the log-likelihood over the group standard deviation.

    At each value of the group SD ``tau`` the residual SD is re-optimised
    (and the fixed effects: integrated out by REML, at their GLS estimate by
    ML). ``reml=False`` gives lme4's profile, which refits by ML first.

    Parameters
    ----------
    result : MixedLMResults
        A fit of a random-intercept model.
    sds : array-like of float
        Values of the group SD, each ``>= 0``.
    reml : bool
        Profile the REML (True) or the ML (False) log-likelihood.

    Returns
    -------
    pandas.DataFrame
        One row per value, with columns ``group_sd``, ``residual_sd`` (the
        re-optimised one), ``loglik`` (the profile log-likelihood) and
        ``lr`` (twice its drop below the maximum, the likelihood-ratio
        statistic; zero at the estimate).

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.datasets import load_dyestuff
    >>> fit = smf.mixedlm("yield_g ~ 1", load_dyestuff(), groups="batch").fit(gtol=1e-8)
    >>> prof = profile_group_sd(fit, [20.0, 42.0006, 80.0])
    >>> list(prof.columns)
    ['group_sd', 'residual_sd', 'loglik', 'lr']
    >>> prof["lr"].round(3).tolist()
    [2.657, 0.0, 2.221]
    """
    result = check_random_intercept(result)
    values = check_values(sds, "sds", allow_scalar=True)
    if (values < 0).any():
        raise ValueError(f"sds must be >= 0, got {values.min()}")
    reml = _check_reml(reml)
    parts = _cross_products(result)
    _, top = _profile_max(result, parts, reml)
    rows = []
    for tau in values:
        s2, loglik = _best_residual_var(parts, tau**2, float(result.scale), reml)
        rows.append((float(tau), float(np.sqrt(s2)), loglik, max(2 * (top - loglik), 0.0)))
    return pd.DataFrame(rows, columns=["group_sd", "residual_sd", "loglik", "lr"])


def profile_interval(result: object, level: float = 0.95,
                     reml: bool = True) -> tuple[float, float]:
    """Profile-likelihood interval for the group standard deviation.

    The interval holds the values of ``tau`` whose profile likelihood-ratio
    statistic (:func:`profile_group_sd`) is below the ``level`` quantile of a
    chi-square distribution with one degree of freedom; its lower end is 0
    when ``tau = 0`` is inside. With ``reml=False`` it is lme4's
    ``confint(fit, method = "profile")``, which profiles the ML deviance even
    for a REML fit.

    Parameters
    ----------
    result : MixedLMResults
        A fit of a random-intercept model.
    level : float
        Confidence level, strictly between 0 and 1.
    reml : bool
        Profile the REML (True) or the ML (False) log-likelihood.

    Returns
    -------
    (float, float)
        Lower and upper end, in the units of the response.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.datasets import load_dyestuff
    >>> fit = smf.mixedlm("yield_g ~ 1", load_dyestuff(), groups="batch").fit(gtol=1e-8)
    >>> [round(end, 2) for end in profile_interval(fit, reml=False)]
    [12.2, 84.06]
    """
    result = check_random_intercept(result)
    level = check_real(level, "level", minimum=0, maximum=1, strict=True)
    reml = _check_reml(reml)
    parts = _cross_products(result)
    scale = float(result.scale)
    tau_hat, top = _profile_max(result, parts, reml)
    cut = float(stats.chi2.ppf(level, 1))

    def excess(tau: float) -> float:
        return 2 * (top - _best_residual_var(parts, tau**2, scale, reml)[1]) - cut

    low = 0.0 if excess(0.0) <= 0 else brentq(excess, 0.0, tau_hat, xtol=1e-10)
    step = max(tau_hat, np.sqrt(scale))
    high = tau_hat + step
    while excess(high) <= 0:
        high += step
    high = brentq(excess, tau_hat, high, xtol=1e-10)
    return float(low), float(high)


def _check_oneway(y: object) -> np.ndarray:
    array = np.asarray(y, dtype=float) if not isinstance(y, str) else None
    if array is None or array.dtype.kind != "f":
        raise TypeError(f"y must be an array of numbers, got {type(y).__name__}")
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3:
        raise ValueError(f"y must have shape (n_groups, per_group) or (n_sets, n_groups, "
                         f"per_group), got shape {array.shape}")
    if array.shape[1] < 2 or array.shape[2] < 2:
        raise ValueError(f"y must have at least 2 groups of at least 2 values, got shape "
                         f"{array.shape[1:]}")
    if not np.isfinite(array).all():
        raise ValueError("y must hold finite values only")
    return array


def oneway_estimates(y: object) -> pd.DataFrame:
    """REML fits of ``y ~ 1 + (1 | group)`` to balanced one-way data sets, in closed form.

    With ``J`` groups of ``m`` values, ``MSB`` and ``MSW`` the between- and
    within-group mean squares: when ``MSB > MSW`` the REML estimates are
    ``sigma^2 = MSW`` and ``tau^2 = (MSB - MSW) / m``; otherwise ``tau^2 = 0``
    and ``sigma^2`` is the variance of all ``N`` values (divisor ``N - 1``).
    The intercept's estimate is the grand mean whatever the variances
    (balanced data).

    Parameters
    ----------
    y : array-like of float
        One data set as an array of shape ``(J, m)`` (a row per group), or
        many as ``(n_sets, J, m)``; ``J, m >= 2``.

    Returns
    -------
    pandas.DataFrame
        One row per data set with columns ``msb``, ``msw``, ``group_var``
        (tau^2), ``residual_var`` (sigma^2), ``icc``, ``intercept``,
        ``loglik`` (the REML log-likelihood at the estimates) and
        ``loglik_null`` (the REML log-likelihood of the model without the
        group effect, ``tau = 0``).

    Examples
    --------
    >>> y = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> est = oneway_estimates(y)
    >>> est[["msb", "msw", "group_var", "residual_var", "intercept"]].round(3).values.tolist()
    [[13.5, 1.0, 4.167, 1.0, 3.5]]
    """
    array = _check_oneway(y)
    _, n_groups, per_group = array.shape
    n = n_groups * per_group
    means = array.mean(axis=2)
    grand = means.mean(axis=1)
    ssb = per_group * ((means - grand[:, None]) ** 2).sum(axis=1)
    ssw = ((array - means[..., None]) ** 2).sum(axis=(1, 2))
    msb, msw = ssb / (n_groups - 1), ssw / (n_groups * (per_group - 1))
    interior = msb > msw
    residual_var = np.where(interior, msw, (ssb + ssw) / (n - 1))
    group_var = np.where(interior, (msb - msw) / per_group, 0.0)
    constant = (n - 1) * _LOG_2PI + np.log(n)
    loglik = _oneway_loglik(group_var, residual_var, ssb, ssw, n_groups, per_group)
    null_var = (ssb + ssw) / (n - 1)
    loglik_null = -0.5 * (constant + (n - 1) * np.log(null_var) + (n - 1))
    return pd.DataFrame({
        "msb": msb, "msw": msw, "group_var": group_var, "residual_var": residual_var,
        "icc": group_var / (group_var + residual_var), "intercept": grand,
        "loglik": loglik, "loglik_null": loglik_null,
    })


def _oneway_loglik(group_var, residual_var, ssb, ssw, n_groups: int, per_group: int,
                   reml: bool = True):
    """REML (or ML) log-likelihood of balanced one-way data at (tau^2, sigma^2), vectorised.

    The eigenvalues of V are sigma^2 (J(m - 1) times) and lambda = sigma^2 + m tau^2
    (J times); REML's term log(N / lambda) for the intercept takes one lambda away. ML
    is at the intercept's estimate, the grand mean.
    """
    n = n_groups * per_group
    lam = residual_var + per_group * group_var
    if not reml:
        return -0.5 * (n * _LOG_2PI + n_groups * (per_group - 1) * np.log(residual_var)
                       + n_groups * np.log(lam) + ssw / residual_var + ssb / lam)
    return -0.5 * ((n - 1) * _LOG_2PI + np.log(n)
                   + n_groups * (per_group - 1) * np.log(residual_var)
                   + (n_groups - 1) * np.log(lam) + ssw / residual_var + ssb / lam)


def _oneway_profile(tau2, ssb, ssw, n_groups: int, per_group: int, reml: bool = True):
    """Profile log-likelihood at tau^2 (sigma^2 re-optimised), vectorised by bisection.

    With a = J - 1 (REML) or J (ML) and b = J (m - 1), the derivative of -2 l in sigma^2
    is b (s - SSW / b) / s^2 + a (lambda - SSB / a) / lambda^2, negative below both
    SSW / b and SSB / a - m tau^2 and positive above both: the root lies between them.
    Thirty halvings place sigma^2 to about 1e-9 of the bracket; the log-likelihood, at its
    maximum in sigma^2, is then off by the square of that, far below what is printed.
    """
    a, b = (n_groups - 1 if reml else n_groups), n_groups * (per_group - 1)
    msb, msw = ssb / a, ssw / b
    lo = np.maximum(np.minimum(msw, msb - per_group * tau2), 1e-12 * msw)
    hi = np.maximum(msw, msb - per_group * tau2)
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        lam = mid + per_group * tau2
        below = b * (mid - msw) / mid**2 + a * (lam - msb) / lam**2 < 0
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return _oneway_loglik(tau2, 0.5 * (lo + hi), ssb, ssw, n_groups, per_group, reml)


def _oneway_profile_interval(ssb, ssw, n_groups: int, per_group: int, level: float,
                             reml: bool) -> tuple[np.ndarray, np.ndarray]:
    """Profile-likelihood interval for tau (vectorised bisections on the LR statistic).

    Each end to 2^-36 (about 1.5e-11) of its bracket, tau_hat or a few tau_hat wide.
    """
    a, b = (n_groups - 1 if reml else n_groups), n_groups * (per_group - 1)
    msb, msw = ssb / a, ssw / b
    n = n_groups * per_group
    interior = msb > msw
    tau_hat = np.sqrt(np.where(interior, (msb - msw) / per_group, 0.0))
    s2 = np.where(interior, msw, (ssb + ssw) / (n - (1 if reml else 0)))
    top = _oneway_loglik(tau_hat**2, s2, ssb, ssw, n_groups, per_group, reml)
    cut = float(stats.chi2.ppf(level, 1))

    def excess(tau):  # the LR statistic at group SD tau, minus the cut
        return 2 * (top - _oneway_profile(tau**2, ssb, ssw, n_groups, per_group, reml)) - cut

    lo, hi = np.zeros_like(tau_hat), tau_hat.copy()
    for _ in range(36):  # lower end, where tau = 0 is excluded: bisection on [0, tau_hat]
        mid = 0.5 * (lo + hi)
        over = excess(mid) > 0
        lo, hi = np.where(over, mid, lo), np.where(over, hi, mid)
    low = np.where(excess(np.zeros_like(tau_hat)) > 0, 0.5 * (lo + hi), 0.0)
    step = np.maximum(tau_hat, np.sqrt(s2))
    upper = tau_hat + step
    for _ in range(200):  # bracket the upper end
        short = excess(upper) <= 0
        if not short.any():
            break
        upper = np.where(short, upper + step, upper)
    lo, hi = tau_hat.copy(), upper
    for _ in range(36):
        mid = 0.5 * (lo + hi)
        over = excess(mid) > 0
        lo, hi = np.where(over, lo, mid), np.where(over, mid, hi)
    return low, 0.5 * (lo + hi)


def oneway_intervals(y: object, level: float = 0.95) -> pd.DataFrame:
    """Intervals for the group variance of balanced one-way data sets, in closed form.

    For each data set (see :func:`oneway_estimates`), with ``a = J - 1`` and
    ``b = J (m - 1)``:

    - ``wald_sm``: ``tau^2 +- z * se``, with the standard error statsmodels
      prints for the group variance, ``sigma * se(gamma)``, ``se(gamma)`` from
      the curvature of the REML log-likelihood in ``gamma = tau^2 / sigma^2``
      with ``sigma^2`` profiled out;
    - ``wald``: ``tau^2 +- z * se``, with the standard error of ``tau^2`` from
      the inverse information, ``se^2 = 2 (lambda^2 / a + sigma^4 / b) / m^2``,
      ``lambda = sigma^2 + m tau^2``;
    - ``profile``: the REML profile-likelihood interval for ``tau`` (as
      :func:`profile_interval`), squared to be on the variance scale;
    - ``profile_ml``: the same from the ML profile (lme4's ``confint``);
    - ``exact_ratio``: the exact interval for the variance *ratio*
      ``gamma = tau^2 / sigma^2`` from ``MSB / MSW ~ (1 + m gamma) F(a, b)``,
      lower end cut at zero.

    Parameters
    ----------
    y : array-like of float
        Shape ``(J, m)`` or ``(n_sets, J, m)``, as for :func:`oneway_estimates`.
    level : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per data set and method, columns ``set``, ``method``,
        ``estimate``, ``std_error`` (NaN for the likelihood and exact
        intervals), ``low`` and ``high``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> y = rng.normal(size=(6, 5)) + rng.normal(size=(6, 1))
    >>> table = oneway_intervals(y)
    >>> table["method"].tolist()
    ['wald_sm', 'wald', 'profile', 'profile_ml', 'exact_ratio']
    >>> bool((table["low"] <= table["high"]).all())
    True
    """
    array = _check_oneway(y)
    level = check_real(level, "level", minimum=0, maximum=1, strict=True)
    n_sets, n_groups, per_group = array.shape
    a, b, n = n_groups - 1, n_groups * (per_group - 1), n_groups * per_group
    est = oneway_estimates(array)
    tau2, s2 = est["group_var"].to_numpy(), est["residual_var"].to_numpy()
    ssb, ssw = est["msb"].to_numpy() * a, est["msw"].to_numpy() * b
    z = float(stats.norm.ppf((1 + level) / 2))
    # statsmodels' printed SE: sigma * se(gamma), the curvature of the sigma-profiled REML
    # log-likelihood -((N - 1) log(SSW + SSB / u) + a log u) / 2 in u = 1 + m gamma.
    u = 1 + per_group * tau2 / s2
    h2 = (n - 1) * ssb * (2 * ssw * u + ssb) / (ssw * u**2 + ssb * u) ** 2 - a / u**2
    # Where the curvature is not negative (some fits with tau^2 = 0) there is no SE: NaN.
    se_sm = np.sqrt(s2) * np.sqrt(2 / (per_group**2 * np.where(h2 > 0, h2, np.nan)))
    lam = s2 + per_group * tau2
    se = np.sqrt(2 * (lam**2 / a + s2**2 / b)) / per_group
    low, high = _oneway_profile_interval(ssb, ssw, n_groups, per_group, level, reml=True)
    low_ml, high_ml = _oneway_profile_interval(ssb, ssw, n_groups, per_group, level, reml=False)
    ratio = est["msb"].to_numpy() / est["msw"].to_numpy()
    f_low, f_high = stats.f.ppf([(1 - level) / 2, (1 + level) / 2], a, b)
    gamma_low = np.maximum((ratio / f_high - 1) / per_group, 0.0)
    gamma_high = np.maximum((ratio / f_low - 1) / per_group, 0.0)
    frames = [
        ("wald_sm", tau2, se_sm, tau2 - z * se_sm, tau2 + z * se_sm),
        ("wald", tau2, se, tau2 - z * se, tau2 + z * se),
        ("profile", tau2, np.full(n_sets, np.nan), low**2, high**2),
        ("profile_ml", tau2, np.full(n_sets, np.nan), low_ml**2, high_ml**2),
        ("exact_ratio", tau2 / s2, np.full(n_sets, np.nan), gamma_low, gamma_high),
    ]
    table = pd.concat(
        [pd.DataFrame({"set": np.arange(n_sets), "method": name, "estimate": e, "std_error": s,
                       "low": lo_, "high": hi_}) for name, e, s, lo_, hi_ in frames],
        ignore_index=True,
    )
    return table.sort_values(["set"], kind="stable").reset_index(drop=True)
