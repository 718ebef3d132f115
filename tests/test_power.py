"""lmmbook.power: the fast exact tests against statsmodels, the closed form against scipy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from lmmbook.power import (
    assign_treatment,
    compare_school_means,
    compare_within_schools,
    exact_power,
    simulate_power,
    simulate_scores,
    trial_frame,
)

SETTINGS = {"effect": 4.0, "school_sd": 10**0.5, "noise_sd": 90**0.5}


def reml_fit(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return smf.mixedlm("score ~ treated", data, groups="school").fit(
            reml=True, method="powell", ftol=1e-12)


def test_assign_treatment_is_balanced():
    school = assign_treatment(6, 5, "school")
    assert school.shape == (6, 5) and school.sum() == 15
    assert (school == school[:, :1]).all()           # constant within schools
    student = assign_treatment(3, 8, "student")
    assert np.allclose(student.mean(axis=1), 0.5)     # equal school means: varies only within


def test_simulate_scores_moments_and_seed():
    design = assign_treatment(4, 5, "school")
    y = simulate_scores(design, 20_000, effect=4.0, school_sd=3.0, noise_sd=9.0, seed=7)
    assert np.array_equal(y, simulate_scores(design, 20_000, effect=4.0, school_sd=3.0,
                                             noise_sd=9.0, seed=7))
    means = y.mean(axis=2)
    # Var of a school mean = tau^2 + sigma^2 / m = 9 + 81 / 5 (4 sd of a variance from 80,000 draws).
    assert abs(means[:, 2:].var() / (9 + 81 / 5) - 1) < 4 * np.sqrt(2 / 40_000)
    assert abs(y[:, :2].mean() - y[:, 2:].mean() - 4.0) < 0.1


def test_trial_frame_round_trip():
    design = assign_treatment(4, 3, "school")
    y = simulate_scores(design, 2, effect=1.0, school_sd=1.0, noise_sd=1.0)
    frame = trial_frame(y, design, replicate=1)
    assert frame["score"].to_numpy().reshape(4, 3).tolist() == y[1].tolist()
    assert frame.groupby("school")["treated"].nunique().eq(1).all()


@pytest.mark.parametrize("n_schools,n_per_school", [(6, 5), (10, 3)])
def test_school_means_test_equals_reml_unless_boundary(n_schools, n_per_school):
    design = assign_treatment(n_schools, n_per_school, "school")
    y = simulate_scores(design, 8, seed=3, **SETTINGS)
    fast = compare_school_means(y, design)
    for r in range(8):
        data = trial_frame(y, design, r)
        fit = reml_fit(data)
        assert np.isclose(fit.fe_params["treated"], fast["estimate"][r], rtol=1e-8)
        at_zero = fit.cov_re.iloc[0, 0] < 1e-6
        assert at_zero == fast["boundary"][r]
        if at_zero:   # REML is OLS on all students: a smaller |t|
            ols_t = smf.ols("score ~ treated", data).fit().tvalues["treated"]
            assert np.isclose(fit.tvalues["treated"], ols_t, rtol=1e-6)
            assert abs(fit.tvalues["treated"]) < abs(fast["t"][r])
        else:
            assert np.isclose(fit.tvalues["treated"], fast["t"][r], rtol=1e-6)


def test_school_means_test_is_the_two_sample_t_test():
    design = assign_treatment(8, 4, "school")
    y = simulate_scores(design, 5, seed=11, **SETTINGS)
    fast = compare_school_means(y, design)
    for r in range(5):
        means = y[r].mean(axis=1)
        ref = stats.ttest_ind(means[:4], means[4:])
        assert np.isclose(fast["t"][r], ref.statistic) and fast["df"][r] == 6


def test_within_schools_test_equals_reml_and_fixed_effects_ols():
    design = assign_treatment(6, 6, "student")
    y = simulate_scores(design, 8, seed=5, **SETTINGS)
    fast = compare_within_schools(y, design)
    for r in range(8):
        data = trial_frame(y, design, r)
        fe = smf.ols("score ~ treated + C(school)", data).fit()   # fixed-effects regression
        assert np.isclose(fe.params["treated"], fast["estimate"][r])
        assert np.isclose(fe.tvalues["treated"], fast["t"][r]) and fe.df_resid == fast["df"][r] == 29
        fit = reml_fit(data)
        assert np.isclose(fit.fe_params["treated"], fast["estimate"][r], rtol=1e-8)
        # Boundary trials: Powell stops within a rounding-sized step of zero (1e-8 on one
        # processor, 5e-6 on another); interior ones here sit above 5% of the residual
        # variance. A cut at 0.1% of it separates the two with a wide margin either way.
        assert (fit.cov_re.iloc[0, 0] < 1e-3 * fit.scale) == fast["boundary"][r]
        if not fast["boundary"][r]:
            assert np.isclose(fit.tvalues["treated"], fast["t"][r], rtol=1e-6)


@pytest.mark.parametrize("level,n_schools,n_per_school", [("school", 8, 10), ("school", 4, 30),
                                                          ("student", 6, 4), ("student", 20, 2)])
def test_exact_power_is_scipys_noncentral_t(level, n_schools, n_per_school):
    tau2, sigma2, delta = 10.0, 90.0, 4.0
    if level == "school":
        v, df = 4 * (tau2 + sigma2 / n_per_school) / n_schools, n_schools - 2
    else:
        v, df = 4 * sigma2 / (n_schools * n_per_school), n_schools * n_per_school - n_schools - 1
    crit = stats.t.ppf(0.975, df)
    dist = stats.nct(df, delta / np.sqrt(v))
    expected = dist.sf(crit) + dist.cdf(-crit)
    assert np.isclose(exact_power(n_schools, n_per_school, level=level, **SETTINGS), expected)


def test_exact_power_is_alpha_without_effect_and_finite_far_out():
    assert np.isclose(exact_power(10, 5, level="school", effect=0.0, school_sd=1.0, noise_sd=1.0,
                                  alpha=0.1), 0.1)
    far = exact_power(48, 64, level="student", **SETTINGS)   # scipy's nct gives NaN here
    assert np.isfinite(far) and far > 0.999999


@pytest.mark.parametrize("level,n_schools,n_per_school", [("school", 6, 8), ("student", 4, 6)])
def test_simulated_power_matches_closed_form(level, n_schools, n_per_school):
    sim = simulate_power(n_schools, n_per_school, level=level, n_sims=4000, seed=2, **SETTINGS)
    exact = exact_power(n_schools, n_per_school, level=level, **SETTINGS)
    assert abs(sim - exact) < 3.5 * np.sqrt(exact * (1 - exact) / 4000)


def test_simulated_size_is_nominal_and_deterministic(monkeypatch):
    null = dict(SETTINGS, effect=0.0)
    size = simulate_power(4, 16, level="school", n_sims=6000, seed=9, **null)
    assert abs(size - 0.05) < 3.5 * np.sqrt(0.05 * 0.95 / 6000)
    first = simulate_power(6, 4, level="student", n_sims=300, seed=1, **SETTINGS)
    assert simulate_power(6, 4, level="student", n_sims=300, seed=1, **SETTINGS) == first
    import lmmbook.power as power

    monkeypatch.setattr(power, "_CHUNK", 100)     # four trials per chunk: still a valid power
    chunked = simulate_power(6, 4, level="student", n_sims=3000, seed=1, **SETTINGS)
    exact = exact_power(6, 4, level="student", **SETTINGS)
    assert abs(chunked - exact) < 3.5 * np.sqrt(exact * (1 - exact) / 3000)


def test_boundary_share_is_an_f_probability():
    design = assign_treatment(6, 5, "school")
    y = simulate_scores(design, 20_000, seed=4, **SETTINGS)
    share = compare_school_means(y, design)["boundary"].mean()
    p = stats.f.cdf(1 / (1 + 5 * 10 / 90), 4, 6 * 4)
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / 20_000)
