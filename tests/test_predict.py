"""lmmbook.prediction.predict_new_school: the population line and its bands."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy.stats import norm

from lmmbook.prediction import predict_new_school
from lmmbook.simulate import simulate_schools


def test_columns_and_one_row_per_value(seed42_fit):
    pred = predict_new_school(seed42_fit, [1.0, 5.0, 10.0])
    assert list(pred.columns) == [
        "hours", "estimate", "se_conf", "conf_low", "conf_high",
        "school_low", "school_high", "student_low", "student_high",
    ]
    assert pred["hours"].tolist() == [1.0, 5.0, 10.0]
    assert len(predict_new_school(seed42_fit, 5)) == 1  # a scalar gives one row


def test_estimate_is_the_population_line(seed42_fit):
    pred = predict_new_school(seed42_fit, np.array([0.0, 4.0]))
    b0, b1 = seed42_fit.fe_params
    np.testing.assert_allclose(pred["estimate"], [b0, b0 + 4 * b1])
    # At 0 hours the confidence SE is the intercept's SE (lme4: 2.484).
    assert pred.loc[0, "se_conf"] == pytest.approx(2.484, abs=5e-4)


def test_bands_match_the_formula_by_hand(seed42_fit):
    x = np.array([1.0, 7.5])
    v = seed42_fit.cov_params().iloc[:2, :2].to_numpy()
    tau2, sigma2 = seed42_fit.cov_re.iloc[0, 0], seed42_fit.scale
    z = norm.ppf(0.95)  # 90% level
    pred = predict_new_school(seed42_fit, 7.5, level=0.9).iloc[0]
    var = x @ v @ x
    est = seed42_fit.fe_params @ x
    assert pred["conf_low"] == pytest.approx(est - z * np.sqrt(var))
    assert pred["conf_high"] == pytest.approx(est + z * np.sqrt(var))
    assert pred["school_high"] == pytest.approx(est + z * np.sqrt(var + tau2))
    assert pred["student_low"] == pytest.approx(est - z * np.sqrt(var + tau2 + sigma2))


def test_confidence_se_matches_statsmodels_t_test(seed42_fit):
    # x' V x is the variance of the linear combination b0 + 3 * b1: statsmodels'
    # own test of that combination must report the same standard error.
    fit = seed42_fit
    t = fit.t_test(np.array([[1.0, 3.0]]))
    pred = predict_new_school(fit, 3.0).iloc[0]
    assert pred["se_conf"] == pytest.approx(float(np.squeeze(t.sd)), rel=1e-6)
    assert pred["estimate"] == pytest.approx(float(np.squeeze(t.effect)), rel=1e-9)


def test_bands_are_nested_and_widen_with_level(seed42_fit):
    grid = np.linspace(0, 12, 25)
    pred = predict_new_school(seed42_fit, grid)
    assert (pred.student_low < pred.school_low).all()
    assert (pred.school_low < pred.conf_low).all()
    assert (pred.conf_low < pred.estimate).all() and (pred.estimate < pred.conf_high).all()
    assert (pred.conf_high < pred.school_high).all() and (pred.school_high < pred.student_high).all()
    wide = predict_new_school(seed42_fit, grid, level=0.99)
    assert ((wide.school_high - wide.school_low) > (pred.school_high - pred.school_low)).all()
    # The confidence band is narrowest near the mean of the hours.
    se = pred.set_index("hours")["se_conf"]
    assert abs(se.idxmin() - 5.5) <= 0.5


def test_covariate_column_is_named_after_the_fit(seed42_data):
    data = seed42_data.rename(columns={"hours": "study"})
    fit = smf.mixedlm("score ~ study", data, groups="school").fit()
    assert predict_new_school(fit, 2.0).columns[0] == "study"


def test_array_interface_fit(seed42_data):
    exog = sm.add_constant(seed42_data["hours"].to_numpy())
    fit = sm.MixedLM(seed42_data["score"].to_numpy(), exog, groups=seed42_data["school"]).fit()
    pred = predict_new_school(fit, 2.0)
    assert pred.columns[0] == "x1"
    assert pred.loc[0, "estimate"] == pytest.approx(fit.fe_params[0] + 2 * fit.fe_params[1])


def test_prediction_band_covers_new_schools_about_95_percent():
    # Known truth, big sample of schools: the plug-in band is close to nominal.
    df = simulate_schools(n_schools=200, n_per_school=10, seed=3)
    fit = smf.mixedlm("score ~ hours", df, groups="school").fit()
    row = predict_new_school(fit, 5.0).iloc[0]
    new = 50 + 3 * 5 + np.random.default_rng(0).normal(0, 8, size=4000)
    inside = np.mean((row.school_low < new) & (new < row.school_high))
    assert 0.92 < inside < 0.98
    assert np.mean((row.conf_low < new) & (new < row.conf_high)) < 0.3


@pytest.mark.parametrize(
    "x,kwargs,error,match",
    [
        ("5", {}, TypeError, "x must be an array of numbers"),
        ([1.0, "a"], {}, TypeError, "x must be an array of numbers"),
        ([], {}, ValueError, "x must hold at least 1 numbers"),
        ([[1.0, 2.0]], {}, ValueError, "x must be one-dimensional"),
        ([1.0, np.nan], {}, ValueError, "x has 1 missing or infinite"),
        ([1.0, np.inf], {}, ValueError, "x has 1 missing or infinite"),
        (1.0, {"level": 1.0}, ValueError, "level must be < 1"),
        (1.0, {"level": 0}, ValueError, "level must be > 0"),
        (1.0, {"level": "95"}, TypeError, "level must be a real number"),
    ],
)
def test_bad_inputs(seed42_fit, x, kwargs, error, match):
    with pytest.raises(error, match=match):
        predict_new_school(seed42_fit, x, **kwargs)


def test_rejects_other_models(seed42_data):
    with pytest.raises(TypeError, match="result must be a fitted MixedLM result"):
        predict_new_school(smf.ols("score ~ hours", seed42_data).fit(), 1.0)
    data = seed42_data.assign(extra=np.arange(150) % 3)
    two = smf.mixedlm("score ~ hours + extra", data, groups="school").fit()
    with pytest.raises(ValueError, match="intercept and one covariate"):
        predict_new_school(two, 1.0)
    no_intercept = smf.mixedlm("score ~ 0 + hours + extra", data, groups="school").fit()
    with pytest.raises(ValueError, match="intercept and one covariate"):
        predict_new_school(no_intercept, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        slopes = smf.mixedlm("score ~ hours", seed42_data, groups="school",
                             re_formula="~hours").fit()
    with pytest.raises(ValueError, match="random intercept only"):
        predict_new_school(slopes, 1.0)


def test_returns_a_new_frame_each_time(seed42_fit):
    a = predict_new_school(seed42_fit, [1.0, 2.0])
    a.loc[0, "estimate"] = -1.0
    b = predict_new_school(seed42_fit, [1.0, 2.0])
    assert b.loc[0, "estimate"] != -1.0
    assert isinstance(b, pd.DataFrame)
