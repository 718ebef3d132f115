"""Power by simulation: many balanced trials at once, and their exact tests.

The chapter "Planning a study: power by simulation" compares two ways of giving
a treatment to students in schools: to whole schools (a **school-level**
treatment, a cluster-randomised trial: half of the schools treated) and to half
of the students of every school (a **student-level** predictor that varies only
within schools, a multisite trial). The outcome follows the random-intercept
model

.. math::

    y_{ij} = \\beta_0 + \\delta\\,x_{ij} + u_j + \\varepsilon_{ij},
    \\qquad u_j \\sim N(0, \\tau^2),\\ \\varepsilon_{ij} \\sim N(0, \\sigma^2),

with ``x_ij`` the 0/1 treatment. A statsmodels fit costs tens to hundreds of
milliseconds, too slow for thousands of data sets per design, so this module simulates many
balanced data sets at once (arrays shaped ``(n_sims, n_schools, n_per_school)``)
and tests the treatment with closed forms that are exact for these designs:

- school-level treatment: the two-sample *t*-test on the school means, with
  ``J - 2`` degrees of freedom (:func:`compare_school_means`). For a balanced
  design it equals the REML mixed model's *t* statistic whenever REML's school
  variance is positive;
- student-level treatment: the within-school (fixed-effects) estimator and its
  *t*-test with ``N - J - 1`` degrees of freedom (:func:`compare_within_schools`).
  When the treatment's school means are all equal, it equals the REML estimate,
  and its *t* statistic whenever REML's school variance is positive.

Both tests' statistics have exact noncentral *t* distributions, so power also
has a closed form (:func:`exact_power`). The chapter checks all of this against
statsmodels fits, and the unit tests check it against scipy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from lmmbook.validation import check_int, check_real, check_seed

__all__ = [
    "LEVELS",
    "assign_treatment",
    "simulate_scores",
    "trial_frame",
    "compare_school_means",
    "compare_within_schools",
    "exact_power",
    "simulate_power",
]

#: Where the treatment is assigned: to whole schools, or to students within schools.
LEVELS = ("school", "student")
#: Largest number of simulated scores held in memory at once by simulate_power.
_CHUNK = 2_000_000


def assign_treatment(n_schools: int, n_per_school: int, level: str) -> np.ndarray:
    """Return a balanced 0/1 treatment assignment, shaped ``(n_schools, n_per_school)``.

    Parameters
    ----------
    n_schools : int
        Number of schools ``J``: at least 4 and even for ``level="school"``
        (half of the schools treated, two residual degrees of freedom at least),
        at least 2 for ``level="student"``.
    n_per_school : int
        Students per school ``m``: at least 1 for ``level="school"``, at least 2
        and even for ``level="student"`` (half of each school's students treated).
    level : {"school", "student"}
        ``"school"`` treats every student of the first ``J / 2`` schools;
        ``"student"`` treats the first ``m / 2`` students of every school, so the
        treatment varies only within schools (its school means are all 1/2).

    Returns
    -------
    numpy.ndarray
        Floats 0.0 (control) and 1.0 (treated).

    Examples
    --------
    >>> assign_treatment(4, 2, "school")
    array([[1., 1.],
           [1., 1.],
           [0., 0.],
           [0., 0.]])
    >>> assign_treatment(2, 4, "student")
    array([[1., 1., 0., 0.],
           [1., 1., 0., 0.]])
    """
    level, n_schools, n_per_school = _check_design(n_schools, n_per_school, level)
    if level == "school":
        treated = np.arange(n_schools) < n_schools // 2
        return np.repeat(treated[:, None], n_per_school, axis=1).astype(float)
    treated = np.arange(n_per_school) < n_per_school // 2
    return np.repeat(treated[None, :], n_schools, axis=0).astype(float)


def _check_design(n_schools: object, n_per_school: object, level: object) -> tuple[str, int, int]:
    """Check a balanced design (see :func:`assign_treatment`) without building it."""
    level = _check_level(level)
    if level == "school":
        n_schools = check_int(n_schools, "n_schools", minimum=4)
        n_per_school = check_int(n_per_school, "n_per_school", minimum=1)
        if n_schools % 2:
            raise ValueError(f"n_schools must be even for a school-level treatment, got {n_schools}")
    else:
        n_schools = check_int(n_schools, "n_schools", minimum=2)
        n_per_school = check_int(n_per_school, "n_per_school", minimum=2)
        if n_per_school % 2:
            raise ValueError(f"n_per_school must be even for a student-level treatment, got {n_per_school}")
    return level, n_schools, n_per_school


def simulate_scores(
    treatment: np.ndarray,
    n_sims: int,
    *,
    effect: float,
    school_sd: float,
    noise_sd: float,
    intercept: float = 50.0,
    seed: int | np.random.Generator = 42,
) -> np.ndarray:
    """Simulate ``n_sims`` data sets of the random-intercept model at once.

    Score ``y[r, j, i] = intercept + effect * treatment[j, i] + u[r, j] + e[r, j, i]``
    with ``u ~ N(0, school_sd)`` and ``e ~ N(0, noise_sd)``, all independent.
    The generator draws all school effects first, then all noise.

    Parameters
    ----------
    treatment : numpy.ndarray
        The design, shaped ``(n_schools, n_per_school)`` (from :func:`assign_treatment`).
    n_sims : int
        Number of data sets, at least 1.
    effect : float
        The treatment effect ``delta`` (score points).
    school_sd, noise_sd : float
        Standard deviations ``tau`` (may be 0) and ``sigma`` (> 0).
    intercept : float
        The control group's mean score ``beta_0``.
    seed : int or numpy.random.Generator
        Seed of ``np.random.default_rng``, or a generator to draw from.

    Returns
    -------
    numpy.ndarray
        Scores shaped ``(n_sims, n_schools, n_per_school)``.

    Examples
    --------
    >>> y = simulate_scores(assign_treatment(4, 3, "school"), 2, effect=5.0,
    ...                     school_sd=3.0, noise_sd=9.0, seed=1)
    >>> y.shape
    (2, 4, 3)
    """
    treatment = _check_treatment(treatment)
    n_sims = check_int(n_sims, "n_sims", minimum=1)
    effect = check_real(effect, "effect")
    school_sd = check_real(school_sd, "school_sd", minimum=0)
    noise_sd = check_real(noise_sd, "noise_sd", minimum=0, strict=True)
    intercept = check_real(intercept, "intercept")
    rng = check_seed(seed)
    n_schools, n_per_school = treatment.shape
    school = rng.normal(0.0, school_sd, size=(n_sims, n_schools, 1))
    scores = rng.normal(0.0, noise_sd, size=(n_sims, n_schools, n_per_school))
    scores += school                                 # in place: no full-size temporaries
    scores += intercept + effect * treatment
    return scores


def trial_frame(scores: np.ndarray, treatment: np.ndarray, replicate: int = 0) -> pd.DataFrame:
    """Return one simulated data set as a long table, ready for a formula fit.

    Parameters
    ----------
    scores : numpy.ndarray
        Scores shaped ``(n_sims, n_schools, n_per_school)`` (from :func:`simulate_scores`).
    treatment : numpy.ndarray
        The design, shaped ``(n_schools, n_per_school)``.
    replicate : int
        Which data set, ``0 <= replicate < n_sims``.

    Returns
    -------
    pandas.DataFrame
        One row per student with columns ``school`` (0, 1, ...), ``treated``
        (0.0 or 1.0) and ``score``.

    Examples
    --------
    >>> design = assign_treatment(4, 2, "school")
    >>> y = simulate_scores(design, 3, effect=5.0, school_sd=3.0, noise_sd=9.0)
    >>> trial_frame(y, design, replicate=2).shape
    (8, 3)
    """
    scores, treatment = _check_scores(scores, treatment)
    replicate = check_int(replicate, "replicate", minimum=0)
    if replicate >= scores.shape[0]:
        raise ValueError(f"replicate must be < {scores.shape[0]} (the number of data sets), "
                         f"got {replicate}")
    n_schools, n_per_school = treatment.shape
    return pd.DataFrame({
        "school": np.repeat(np.arange(n_schools), n_per_school),
        "treated": treatment.ravel(),
        "score": scores[replicate].ravel(),
    })


def compare_school_means(scores: np.ndarray, treatment: np.ndarray) -> pd.DataFrame:
    """Test a school-level treatment by the *t*-test on the school means (``J - 2`` df).

    Each data set's school means are regressed on the schools' treatment (the
    two-sample *t*-test with pooled variance): the estimate is the treated
    schools' mean minus the control schools' mean, and its standard error uses
    the residual variance of the school means on ``J - 2`` degrees of freedom.
    Under the random-intercept model the school means are independent with
    variance ``tau^2 + sigma^2 / m``, so the statistic has an exact (noncentral)
    *t* distribution with ``J - 2`` df. For equal school sizes it equals the
    REML mixed model's *t* statistic unless REML estimates the school variance
    at zero, which happens when the between-school mean square is below the
    within-school one: ``boundary`` flags those data sets.

    Parameters
    ----------
    scores : numpy.ndarray
        Scores shaped ``(n_sims, n_schools, n_per_school)``.
    treatment : numpy.ndarray
        0/1 design shaped ``(n_schools, n_per_school)``, constant within each
        school, with at least one treated and one control school and at least 3
        schools.

    Returns
    -------
    pandas.DataFrame
        One row per data set with columns ``estimate``, ``std_error``, ``t``,
        ``df`` (``J - 2``) and ``boundary`` (True where REML's school variance
        would be zero: between-school mean square <= within-school mean square).

    Examples
    --------
    >>> design = assign_treatment(4, 3, "school")
    >>> y = simulate_scores(design, 1000, effect=5.0, school_sd=3.0, noise_sd=9.0, seed=1)
    >>> result = compare_school_means(y, design)
    >>> result.columns.tolist()
    ['estimate', 'std_error', 't', 'df', 'boundary']
    >>> int(result["df"].iloc[0]), bool(abs(result["estimate"].mean() - 5.0) < 0.5)
    (2, True)
    """
    scores, treatment = _check_scores(scores, treatment)
    n_sims, n_schools, n_per_school = scores.shape
    school_x = treatment[:, 0]
    if not (treatment == school_x[:, None]).all():
        raise ValueError("treatment must be constant within each school (a school-level treatment)")
    if n_schools < 3 or np.ptp(school_x) == 0:
        raise ValueError("treatment must have treated and control schools, and at least 3 schools")
    means = scores.mean(axis=2)                                   # (n_sims, J)
    xc = school_x - school_x.mean()
    sxx = xc @ xc
    estimate = (means - means.mean(axis=1, keepdims=True)) @ xc / sxx
    resid = means - means.mean(axis=1, keepdims=True) - estimate[:, None] * xc
    df = n_schools - 2
    ms_between = n_per_school * (resid**2).sum(axis=1) / df       # per-student units
    std_error = np.sqrt(ms_between / n_per_school / sxx)
    if n_per_school > 1:
        ss_within = _sum_of_squares(scores) - n_per_school * np.einsum("rj,rj->r", means, means)
        ms_within = ss_within / (n_schools * (n_per_school - 1))
        boundary = ms_between <= ms_within
    else:
        boundary = np.zeros(n_sims, dtype=bool)
    return pd.DataFrame({"estimate": estimate, "std_error": std_error,
                         "t": estimate / std_error, "df": df, "boundary": boundary})


def compare_within_schools(scores: np.ndarray, treatment: np.ndarray) -> pd.DataFrame:
    """Test a student-level predictor within schools (fixed-effects *t*-test, ``N - J - 1`` df).

    Each data set's slope of the scores on the predictor is estimated from
    deviations from the school means (the within-school, or fixed-effects,
    estimator: a regression with one dummy per school), and its standard error
    from the within-school residual variance on ``N - J - 1`` degrees of freedom.
    The school effects cancel out of both, so the statistic has an exact
    (noncentral) *t* distribution with ``N - J - 1`` df. When the predictor's
    school means are all equal (a balanced within-school treatment), it equals
    the REML mixed model's estimate, and its *t* statistic unless REML estimates
    the school variance at zero: ``boundary`` flags those data sets.

    Parameters
    ----------
    scores : numpy.ndarray
        Scores shaped ``(n_sims, n_schools, n_per_school)``.
    treatment : numpy.ndarray
        The predictor shaped ``(n_schools, n_per_school)``; it must vary within
        some school, and ``N - J - 1`` must be at least 1.

    Returns
    -------
    pandas.DataFrame
        One row per data set with columns ``estimate``, ``std_error``, ``t``,
        ``df`` (``N - J - 1``) and ``boundary`` (True where REML's school
        variance would be zero: the between-school mean square of the scores,
        ``J - 1`` df, is <= the within-school residual mean square; exact when
        the predictor's school means are all equal).

    Examples
    --------
    >>> design = assign_treatment(5, 4, "student")
    >>> y = simulate_scores(design, 1000, effect=5.0, school_sd=3.0, noise_sd=9.0, seed=1)
    >>> result = compare_within_schools(y, design)
    >>> int(result["df"].iloc[0]), bool(abs(result["estimate"].mean() - 5.0) < 0.5)
    (14, True)
    """
    scores, treatment = _check_scores(scores, treatment)
    n_sims, n_schools, n_per_school = scores.shape
    df = n_schools * n_per_school - n_schools - 1
    xc = treatment - treatment.mean(axis=1, keepdims=True)
    sxx = float((xc**2).sum())
    if sxx == 0:
        raise ValueError("treatment must vary within at least one school (it has no within-school variation)")
    if df < 1:
        raise ValueError(f"scores must have N - J - 1 >= 1 residual degrees of freedom, got {df}")
    means = scores.mean(axis=2)
    # xc sums to zero within each school, so the school means drop out of x'y.
    estimate = np.einsum("rji,ji->r", scores, xc) / sxx
    ss_within = _sum_of_squares(scores) - n_per_school * np.einsum("rj,rj->r", means, means)
    ss_resid = ss_within - estimate**2 * sxx
    ms_within = ss_resid / df
    std_error = np.sqrt(ms_within / sxx)
    ms_between = n_per_school * ((means - means.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    ms_between = ms_between / max(n_schools - 1, 1)
    return pd.DataFrame({"estimate": estimate, "std_error": std_error,
                         "t": estimate / std_error, "df": df,
                         "boundary": ms_between <= ms_within})


def exact_power(
    n_schools: int,
    n_per_school: int,
    *,
    level: str,
    effect: float,
    school_sd: float,
    noise_sd: float,
    alpha: float = 0.05,
) -> float:
    """Power of the two-sided exact *t*-test of a balanced trial, from the noncentral *t*.

    The estimate is normal with mean ``effect`` and variance ``v``; the test
    divides it by a standard error whose square is ``v`` times an independent
    chi-square over its ``df``. So the *t* statistic has a noncentral *t*
    distribution with ``df`` degrees of freedom and noncentrality
    ``effect / sqrt(v)``, and power is ``P(|T| > t_{1 - alpha/2, df})``:

    - ``level="school"`` (:func:`compare_school_means`): ``v = 4 (tau^2 +
      sigma^2 / m) / J``, ``df = J - 2``;
    - ``level="student"`` (:func:`compare_within_schools`): ``v = 4 sigma^2 /
      (J m)``, ``df = J m - J - 1``; the school variance does not enter.

    Parameters
    ----------
    n_schools, n_per_school : int
        The design, as in :func:`assign_treatment`.
    level : {"school", "student"}
        Where the treatment is assigned.
    effect : float
        The treatment effect ``delta``.
    school_sd, noise_sd : float
        ``tau`` (>= 0) and ``sigma`` (> 0).
    alpha : float
        Two-sided significance level, strictly between 0 and 1.

    Returns
    -------
    float
        The probability of rejecting ``delta = 0``.

    Examples
    --------
    >>> round(exact_power(20, 20, level="school", effect=4.0, school_sd=10**0.5,
    ...                   noise_sd=90**0.5), 3)
    0.604
    >>> round(exact_power(20, 20, level="student", effect=0.0, school_sd=3.0, noise_sd=9.0), 3)
    0.05
    """
    level, n_schools, n_per_school = _check_design(n_schools, n_per_school, level)
    effect = check_real(effect, "effect")
    school_sd = check_real(school_sd, "school_sd", minimum=0)
    noise_sd = check_real(noise_sd, "noise_sd", minimum=0, strict=True)
    alpha = check_real(alpha, "alpha", minimum=0, maximum=1, strict=True)
    if level == "school":
        variance = 4 * (school_sd**2 + noise_sd**2 / n_per_school) / n_schools
        df = n_schools - 2
    else:
        variance = 4 * noise_sd**2 / (n_schools * n_per_school)
        df = n_schools * n_per_school - n_schools - 1
    ncp = effect / np.sqrt(variance)
    crit = stats.t.ppf(1 - alpha / 2, df)
    power = stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp)
    if not np.isfinite(power):
        # scipy's noncentral t fails far in the tail (large ncp): integrate the same
        # probability over the chi-square of the standard error instead.
        power = _power_by_integration(crit, df, ncp)
    return float(min(max(power, 0.0), 1.0))


def _power_by_integration(crit: float, df: int, ncp: float) -> float:
    """``P(|Z + ncp| > crit * sqrt(W / df))``, ``Z ~ N(0, 1)``, ``W ~ chi2(df)``, by quadrature."""
    from scipy.integrate import quad

    def integrand(w: float) -> float:
        c = crit * np.sqrt(w / df)
        return (stats.norm.sf(c - ncp) + stats.norm.cdf(-c - ncp)) * stats.chi2.pdf(w, df)

    low, high = stats.chi2.ppf([1e-12, 1 - 1e-12], df)
    return float(quad(integrand, low, high, limit=200)[0])


def simulate_power(
    n_schools: int,
    n_per_school: int,
    *,
    level: str,
    effect: float,
    school_sd: float,
    noise_sd: float,
    n_sims: int = 2000,
    alpha: float = 0.05,
    seed: int = 42,
) -> float:
    """Share of ``n_sims`` simulated trials in which the exact *t*-test rejects ``delta = 0``.

    Simulates with :func:`simulate_scores` (in chunks, to bound memory) and tests
    with :func:`compare_school_means` (``level="school"``) or
    :func:`compare_within_schools` (``level="student"``), two-sided at ``alpha``
    with the test's degrees of freedom. The generator is seeded with
    ``(seed, n_schools, n_per_school)``, so each ``(J, m)`` gets its own stream,
    whatever other designs are run; the two levels of one ``(J, m)`` share it,
    harmlessly, since the school-level test reads only the school means and the
    within-school test only the deviations from them (independent parts of the
    same normal draws).

    Parameters
    ----------
    n_schools, n_per_school : int
        The design, as in :func:`assign_treatment`.
    level : {"school", "student"}
        Where the treatment is assigned.
    effect, school_sd, noise_sd : float
        As in :func:`simulate_scores`.
    n_sims : int
        Number of simulated trials, at least 1.
    alpha : float
        Two-sided significance level, strictly between 0 and 1.
    seed : int
        Seed (>= 0).

    Returns
    -------
    float
        The simulated power (a share of ``n_sims``).

    Examples
    --------
    >>> simulate_power(8, 10, level="school", effect=0.0, school_sd=3.0, noise_sd=9.0,
    ...                n_sims=4000, seed=1) < 0.07
    True
    """
    level = _check_level(level)
    design = assign_treatment(n_schools, n_per_school, level)
    effect = check_real(effect, "effect")
    school_sd = check_real(school_sd, "school_sd", minimum=0)
    noise_sd = check_real(noise_sd, "noise_sd", minimum=0, strict=True)
    n_sims = check_int(n_sims, "n_sims", minimum=1)
    alpha = check_real(alpha, "alpha", minimum=0, maximum=1, strict=True)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng((seed, n_schools, n_per_school))
    test = compare_school_means if level == "school" else compare_within_schools
    chunk = max(1, _CHUNK // design.size)
    rejected = 0
    for start in range(0, n_sims, chunk):
        size = min(chunk, n_sims - start)
        scores = simulate_scores(design, size, effect=effect, school_sd=school_sd,
                                 noise_sd=noise_sd, seed=rng)
        result = test(scores, design)
        crit = stats.t.ppf(1 - alpha / 2, result["df"].iloc[0])
        rejected += int((result["t"].abs() > crit).sum())
    return rejected / n_sims


def _sum_of_squares(scores: np.ndarray) -> np.ndarray:
    """Sum of squared scores per data set, without a full-size temporary."""
    flat = scores.reshape(scores.shape[0], -1)
    return np.einsum("ri,ri->r", flat, flat)


def _check_level(level: object) -> str:
    if not isinstance(level, str):
        raise TypeError(f"level must be one of {LEVELS}, got {type(level).__name__} {level!r}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    return level


def _check_treatment(treatment: object) -> np.ndarray:
    if not isinstance(treatment, np.ndarray):
        raise TypeError(f"treatment must be a numpy array shaped (n_schools, n_per_school), "
                        f"got {type(treatment).__name__}")
    if treatment.ndim != 2 or 0 in treatment.shape:
        raise ValueError(f"treatment must be shaped (n_schools, n_per_school), got shape {treatment.shape}")
    if not np.issubdtype(treatment.dtype, np.number) or not np.isfinite(treatment).all():
        raise ValueError("treatment must hold finite numbers")
    return treatment.astype(float)


def _check_scores(scores: object, treatment: object) -> tuple[np.ndarray, np.ndarray]:
    treatment = _check_treatment(treatment)
    if not isinstance(scores, np.ndarray):
        raise TypeError(f"scores must be a numpy array shaped (n_sims, n_schools, n_per_school), "
                        f"got {type(scores).__name__}")
    if scores.ndim != 3 or scores.shape[1:] != treatment.shape or scores.shape[0] == 0:
        raise ValueError(f"scores must be shaped (n_sims, {treatment.shape[0]}, {treatment.shape[1]}) "
                         f"like treatment, got shape {scores.shape}")
    if not np.issubdtype(scores.dtype, np.number) or not np.isfinite(scores).all():
        raise ValueError("scores must hold finite numbers")
    return scores.astype(float, copy=False), treatment
