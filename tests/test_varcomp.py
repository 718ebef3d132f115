"""Tests of lmmbook.varcomp: likelihoods, profiles and the one-way closed forms."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from lmmbook.datasets import load_dyestuff, load_dyestuff2
from lmmbook.reference import load_lme4_fits
from lmmbook.simulate import simulate_schools
from lmmbook.varcomp import (
    evaluate_loglik,
    oneway_estimates,
    oneway_intervals,
    profile_group_sd,
    profile_interval,
)

LME4 = load_lme4_fits()


def lme4_value(model, quantity, term=""):
    rows = LME4.query("model == @model and quantity == @quantity and term == @term")
    return float(rows["value"].iloc[0])


def quiet_fit(data, formula="yield_g ~ 1", groups="batch", **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return smf.mixedlm(formula, data, groups=groups).fit(**options)


@pytest.fixture(scope="module")
def dye_fit():
    return quiet_fit(load_dyestuff(), reml=True, gtol=1e-8)


@pytest.fixture(scope="module")
def dye2_fit():
    return quiet_fit(load_dyestuff2(), reml=True)


@pytest.fixture(scope="module")
def schools_fit():
    # Unbalanced groups and a covariate: the general formula, not the balanced one.
    data = simulate_schools(n_schools=8, n_per_school=12, seed=3)
    data = data.drop(index=data.index[::7])
    return quiet_fit(data, "score ~ hours", "school", reml=True, gtol=1e-8), data


def as_array(data: pd.DataFrame) -> np.ndarray:
    return np.stack([g["yield_g"].to_numpy(float) for _, g in data.groupby("batch", observed=True)])


def test_reml_loglik_is_statsmodels_llf_at_the_estimates(dye_fit, schools_fit):
    for fit in (dye_fit, schools_fit[0]):
        tau, sigma = np.sqrt(fit.cov_re.iloc[0, 0]), np.sqrt(fit.scale)
        assert evaluate_loglik(fit, tau, sigma) == pytest.approx(fit.llf, abs=1e-8)


def test_reml_loglik_is_lme4s_criterion(dye_fit):
    tau, sigma = np.sqrt(dye_fit.cov_re.iloc[0, 0]), np.sqrt(dye_fit.scale)
    assert -2 * evaluate_loglik(dye_fit, tau, sigma) == pytest.approx(
        lme4_value("dyestuff", "reml_criterion"), abs=1e-5)


def test_ml_loglik_is_statsmodels_ml_llf(schools_fit):
    _, data = schools_fit
    ml = quiet_fit(data, "score ~ hours", "school", reml=False, gtol=1e-8)
    tau, sigma = np.sqrt(ml.cov_re.iloc[0, 0]), np.sqrt(ml.scale)
    assert evaluate_loglik(ml, tau, sigma, reml=False) == pytest.approx(ml.llf, abs=1e-7)


def test_profile_is_zero_at_the_estimate_and_positive_elsewhere(dye_fit):
    tau = float(np.sqrt(dye_fit.cov_re.iloc[0, 0]))
    prof = profile_group_sd(dye_fit, [0.0, tau / 2, tau, 2 * tau])
    assert prof["lr"].iloc[2] == pytest.approx(0, abs=1e-8)
    assert (prof["lr"].drop(index=2) > 0.1).all()
    # At tau = 0 the residual variance is the variance of all values.
    y = load_dyestuff()["yield_g"]
    assert prof["residual_sd"].iloc[0] ** 2 == pytest.approx(y.var(ddof=1), rel=1e-5)


def test_profile_reoptimises_sigma(dye_fit):
    # The profile is the maximum over sigma: above the likelihood at any other sigma.
    prof = profile_group_sd(dye_fit, [30.0]).iloc[0]
    for sigma in prof["residual_sd"] * np.array([0.9, 0.99, 1.01, 1.1]):
        assert evaluate_loglik(dye_fit, 30.0, sigma) < prof["loglik"]


@pytest.mark.parametrize("model", ["dyestuff", "dyestuff2"])
def test_ml_profile_interval_is_lme4s_confint(model, dye_fit, dye2_fit):
    fit = dye_fit if model == "dyestuff" else dye2_fit
    low, high = profile_interval(fit, reml=False)
    # lme4 interpolates its profile with a spline: agreement to about 1e-3.
    assert low == pytest.approx(lme4_value(model, "profile_low", "batch|(Intercept)|"), abs=3e-3)
    assert high == pytest.approx(lme4_value(model, "profile_high", "batch|(Intercept)|"), abs=3e-3)


def test_reml_profile_interval_cuts_at_the_chi_square_quantile(dye_fit):
    low, high = profile_interval(dye_fit)
    ends = profile_group_sd(dye_fit, [low, high])
    assert np.allclose(ends["lr"], 3.841458820694124, atol=1e-6)
    narrower = profile_interval(dye_fit, level=0.5)
    assert low < narrower[0] < narrower[1] < high


def test_profile_interval_starts_at_zero_on_the_boundary(dye2_fit):
    low, high = profile_interval(dye2_fit)
    assert low == 0.0 and high > 0


def test_oneway_estimates_are_statsmodels_reml_fits():
    rng = np.random.default_rng(5)
    for _ in range(5):
        y = rng.normal(size=(7, 4)) + rng.normal(0, 0.7, size=(7, 1))
        data = pd.DataFrame({"yield_g": y.ravel(), "batch": np.repeat(np.arange(7), 4)})
        fit = quiet_fit(data, reml=True, gtol=1e-8)
        est = oneway_estimates(y).iloc[0]
        assert est["intercept"] == pytest.approx(fit.fe_params.iloc[0], rel=1e-8)
        if est["group_var"] > 0:
            assert est["group_var"] == pytest.approx(fit.cov_re.iloc[0, 0], rel=1e-4)
            assert est["residual_var"] == pytest.approx(fit.scale, rel=1e-4)
            assert est["loglik"] == pytest.approx(fit.llf, abs=1e-5)
        else:  # statsmodels stops near zero, short of the closed form's maximum
            assert fit.cov_re.iloc[0, 0] < 0.05 * fit.scale
            assert est["loglik"] >= fit.llf - 1e-8


def test_oneway_estimates_at_zero():
    est = oneway_estimates(as_array(load_dyestuff2())).iloc[0]
    assert est["group_var"] == 0 and est["icc"] == 0
    assert est["residual_var"] == pytest.approx(lme4_value("dyestuff2", "variance", "Residual"))
    assert est["loglik"] == pytest.approx(est["loglik_null"])


def test_oneway_boundary_branches_are_statsmodels():
    # REML tau^2 = 0: sigma^2 = SST / (N - 1), and statsmodels' printed SE of the group
    # variance is the closed form's, finite for Dyestuff2 (F = 0.56) and NaN for Dyestuff2
    # with its batch means pulled halfway in (F = 0.14 < b / (2 (N - 1)) = 24 / 58).
    y2 = as_array(load_dyestuff2())
    for y, finite in ((y2, True), (y2 - 0.5 * (y2.mean(axis=1, keepdims=True) - y2.mean()), False)):
        data = pd.DataFrame({"yield_g": y.ravel(), "batch": np.repeat(np.arange(6), 5)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = smf.mixedlm("yield_g ~ 1", data, groups="batch").fit(reml=True, gtol=1e-8)
            bse = float(fit.bse_re.iloc[0])
        est = oneway_estimates(y).iloc[0]
        se = oneway_intervals(y).set_index("method").loc["wald_sm", "std_error"]
        assert est["group_var"] == 0 and fit.cov_re.iloc[0, 0] < 1e-6 * fit.scale
        assert est["residual_var"] == pytest.approx(((y - y.mean()) ** 2).sum() / 29, rel=1e-12)
        assert fit.scale == pytest.approx(est["residual_var"], rel=1e-6)
        assert np.isfinite(se) == np.isfinite(bse) == finite
        if finite:
            assert se == pytest.approx(bse, rel=1e-4)


def test_oneway_intervals_match_the_general_helpers(dye_fit, dye2_fit):
    for fit, data in ((dye_fit, load_dyestuff()), (dye2_fit, load_dyestuff2())):
        table = oneway_intervals(as_array(data)).set_index("method")
        for reml, key in ((True, "profile"), (False, "profile_ml")):
            low, high = profile_interval(fit, reml=reml)
            assert table.loc[key, "low"] == pytest.approx(low**2, abs=1e-6)
            assert table.loc[key, "high"] == pytest.approx(high**2, rel=1e-6)


def test_oneway_wald_se_is_statsmodels_printed_se(dye_fit):
    table = oneway_intervals(as_array(load_dyestuff())).set_index("method")
    assert table.loc["wald_sm", "std_error"] == pytest.approx(dye_fit.bse_re.iloc[0], rel=1e-6)
    # The information SE of tau^2: 2 (MSB^2 / (J - 1) + MSW^2 / (J (m - 1))) / m^2.
    est = oneway_estimates(as_array(load_dyestuff())).iloc[0]
    se = np.sqrt(2 * (est["msb"] ** 2 / 5 + est["msw"] ** 2 / 24)) / 5
    assert table.loc["wald", "std_error"] == pytest.approx(se)


def test_exact_ratio_interval_inverts_the_f_pivot():
    from scipy import stats

    rng = np.random.default_rng(2)
    y = rng.normal(size=(6, 5)) + rng.normal(size=(6, 1))
    row = oneway_intervals(y, level=0.9).set_index("method").loc["exact_ratio"]
    est = oneway_estimates(y).iloc[0]
    ratio = est["msb"] / est["msw"]
    # At the upper end, ratio / (1 + m gamma) is the 5% quantile of F(5, 24).
    assert ratio / (1 + 5 * row["high"]) == pytest.approx(stats.f.ppf(0.05, 5, 24))


def test_oneway_accepts_one_or_many_data_sets():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(3, 4, 5))
    assert len(oneway_estimates(y)) == 3 and len(oneway_estimates(y[0])) == 1
    assert len(oneway_intervals(y)) == 15


@pytest.mark.parametrize("call,error,name", [
    (lambda: oneway_estimates(np.zeros(5)), ValueError, "y"),
    (lambda: oneway_estimates(np.ones((1, 5))), ValueError, "y"),
    (lambda: oneway_estimates([[1.0, np.nan], [2.0, 3.0]]), ValueError, "y"),
    (lambda: oneway_estimates("abc"), TypeError, "y"),
    (lambda: oneway_intervals(np.ones((3, 3)), level=1.5), ValueError, "level"),
])
def test_bad_oneway_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_bad_profile_inputs(dye_fit):
    with pytest.raises(ValueError, match="sds"):
        profile_group_sd(dye_fit, [-1.0])
    with pytest.raises(TypeError, match="reml"):
        profile_interval(dye_fit, reml="yes")
    with pytest.raises(ValueError, match="residual_sd"):
        evaluate_loglik(dye_fit, 1.0, 0.0)
    with pytest.raises(TypeError, match="result"):
        profile_interval(load_dyestuff())
