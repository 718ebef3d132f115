"""lmmbook.prediction: bootstrap_new_school and predict_existing_school."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import norm

from lmmbook.bootstrap import simulate_from_fit
from lmmbook.prediction import bootstrap_new_school, predict_existing_school, predict_new_school
from lmmbook.simulate import simulate_schools


def henderson_pev(fit, data, school, x):
    """Prediction-error variance of b0 + b1 x + u_school from Henderson's equations."""
    tau2, sigma2 = fit.cov_re.iloc[0, 0], fit.scale
    labels = np.array(sorted(data["school"].unique()))
    X = fit.model.exog
    Z = (data["school"].to_numpy()[:, None] == labels).astype(float)
    C = np.block([[X.T @ X, X.T @ Z], [Z.T @ X, Z.T @ Z + sigma2 / tau2 * np.eye(len(labels))]])
    a = np.concatenate([[1.0, x], (labels == school).astype(float)])
    return sigma2 * a @ np.linalg.solve(C, a)


# predict_existing_school ----------------------------------------------------------------


def test_existing_school_columns_and_rows(seed42_fit):
    pred = predict_existing_school(seed42_fit, "School 03", [1.0, 5.0, 9.0])
    assert list(pred.columns) == [
        "hours", "estimate", "se_line", "line_low", "line_high", "student_low", "student_high",
    ]
    assert pred["hours"].tolist() == [1.0, 5.0, 9.0]
    assert len(predict_existing_school(seed42_fit, "School 03", 5)) == 1


def test_existing_school_estimate_is_the_fitted_line(seed42_fit, seed42_data):
    for school in ("School 01", "School 05"):
        rows = (seed42_data["school"] == school).to_numpy()
        hours = seed42_data.loc[rows, "hours"].to_numpy()
        pred = predict_existing_school(seed42_fit, school, hours)
        np.testing.assert_allclose(pred["estimate"], seed42_fit.fittedvalues[rows])


@pytest.mark.parametrize("school,x", [("School 01", 0.0), ("School 05", 5.0), ("School 10", 12.0)])
def test_existing_school_variance_matches_henderson(seed42_fit, seed42_data, school, x):
    pred = predict_existing_school(seed42_fit, school, x).iloc[0]
    pev = henderson_pev(seed42_fit, seed42_data, school, x)
    # statsmodels' cov_params comes from the numerical information matrix: agreement to 1e-3.
    assert pred["se_line"] ** 2 == pytest.approx(pev, rel=1e-3)


def test_existing_school_bands_by_hand(seed42_fit):
    fit = seed42_fit
    pred = predict_existing_school(fit, "School 02", 4.0, level=0.9).iloc[0]
    z = norm.ppf(0.95)
    se_line = pred["se_line"]
    assert pred["line_high"] - pred["estimate"] == pytest.approx(z * se_line)
    assert pred["student_high"] - pred["estimate"] == pytest.approx(z * np.sqrt(se_line**2 + fit.scale))
    # The conditional variance part is random_effects_cov, (1 - lambda) tau^2.
    tau2, sigma2 = fit.cov_re.iloc[0, 0], fit.scale
    lam = 15 * tau2 / (15 * tau2 + sigma2)
    assert fit.random_effects_cov["School 02"].iloc[0, 0] == pytest.approx((1 - lam) * tau2)
    assert se_line**2 > (1 - lam) * tau2


def test_existing_school_is_narrower_than_naive_and_than_new_school(seed42_fit):
    fit = seed42_fit
    x = np.array([1.0, 5.0])
    V = fit.cov_params().iloc[:2, :2].to_numpy()
    naive = x @ V @ x + fit.random_effects_cov["School 04"].iloc[0, 0]
    pred = predict_existing_school(fit, "School 04", 5.0).iloc[0]
    assert pred["se_line"] ** 2 < naive / 3
    new = predict_new_school(fit, 5.0).iloc[0]
    assert (pred["student_high"] - pred["student_low"]) < 0.6 * (new["student_high"] - new["student_low"])


def test_existing_school_coverage_over_many_schools():
    # Known truth, 200 schools per data set, four data sets: the standardized prediction
    # errors of the schools' lines have SD about 1 and the bands cover about 95%
    # (exact probabilities for new students).
    z_scores, inside, probs = [], [], []
    for seed in range(4):
        df = simulate_schools(n_schools=200, n_per_school=10, seed=seed)
        fit = smf.mixedlm("score ~ hours", df, groups="school").fit(reml=True)
        truth = df.attrs["truth"]
        for school, effect in truth["school_effects"].items():
            p = predict_existing_school(fit, school, 5.0).iloc[0]
            mu = truth["intercept"] + 5 * truth["slope"] + effect
            z_scores.append((p["estimate"] - mu) / p["se_line"])
            inside.append(p["line_low"] < mu < p["line_high"])
            probs.append(norm.cdf((p["student_high"] - mu) / 5) - norm.cdf((p["student_low"] - mu) / 5))
    assert 0.94 < np.std(z_scores) < 1.06
    assert 0.93 < np.mean(inside) < 0.97
    assert 0.93 < np.mean(probs) < 0.97


def test_existing_school_with_array_interface_and_numeric_groups(seed42_data):
    import statsmodels.api as sm

    codes = pd.factorize(seed42_data["school"])[0]
    exog = sm.add_constant(seed42_data["hours"].to_numpy())
    fit = sm.MixedLM(seed42_data["score"].to_numpy(), exog, groups=codes).fit()
    pred = predict_existing_school(fit, 0, 2.0)
    assert pred.columns[0] == "x1"
    assert pred.loc[0, "estimate"] == pytest.approx(
        fit.fe_params[0] + 2 * fit.fe_params[1] + fit.random_effects[0].iloc[0])


@pytest.mark.parametrize(
    "group,x,kwargs,error,match",
    [
        ("School 99", 1.0, {}, ValueError, "group must be one of the fitted groups"),
        (["School 01"], 1.0, {}, ValueError, "group must be one of"),
        ("School 01", "5", {}, TypeError, "x must be an array of numbers"),
        ("School 01", [np.nan], {}, ValueError, "x has 1 missing"),
        ("School 01", 1.0, {"level": 0.0}, ValueError, "level must be > 0"),
    ],
)
def test_existing_school_bad_inputs(seed42_fit, group, x, kwargs, error, match):
    with pytest.raises(error, match=match):
        predict_existing_school(seed42_fit, group, x, **kwargs)


def test_existing_school_rejects_other_models(seed42_data):
    with pytest.raises(TypeError, match="result must be a fitted MixedLM result"):
        predict_existing_school(smf.ols("score ~ hours", seed42_data).fit(), "School 01", 1.0)
    data = seed42_data.assign(extra=np.arange(150) % 3)
    two = smf.mixedlm("score ~ hours + extra", data, groups="school").fit()
    with pytest.raises(ValueError, match="intercept and one covariate"):
        predict_existing_school(two, "School 01", 1.0)


# bootstrap_new_school -------------------------------------------------------------------


@pytest.fixture(scope="module")
def reps(seed42_fit):
    return bootstrap_new_school(seed42_fit, [2.0, 5.0], n_boot=6, n_new=3, seed=11)


def test_bootstrap_layout(reps):
    assert list(reps.columns) == [
        "replicate", "new", "hours", "new_line", "estimate_star", "se_star",
        "group_var_star", "converged", "boundary",
    ]
    assert len(reps) == 6 * 3 * 2
    assert reps.groupby("replicate").size().eq(6).all()
    # One refit per replicate: its estimate, SE and tau*^2 do not depend on the new school.
    per = reps.groupby(["replicate", "hours"])[["estimate_star", "se_star", "group_var_star"]].nunique()
    assert (per == 1).all().all()
    # One new school's effect per (replicate, new): the same at every x.
    shift = reps.assign(u=reps["new_line"] - reps["hours"] * 0).groupby(["replicate", "new"])
    assert shift.size().eq(2).all()


def test_bootstrap_first_replicate_by_hand(seed42_fit, seed42_data):
    fit = seed42_fit
    rng = np.random.default_rng(11)
    y_star = simulate_from_fit(fit, rng)
    u_new = rng.normal(0, np.sqrt(fit.cov_re.iloc[0, 0]), size=3)
    refit = smf.mixedlm("score ~ hours", seed42_data.assign(score=y_star), groups="school").fit(reml=True)
    reps = bootstrap_new_school(fit, 5.0, n_boot=1, n_new=3, seed=11)
    x = np.array([1.0, 5.0])
    np.testing.assert_allclose(reps["new_line"], x @ fit.fe_params + u_new)
    np.testing.assert_allclose(reps["estimate_star"], x @ refit.fe_params, rtol=1e-6)
    V = refit.cov_params().iloc[:2, :2].to_numpy()
    se = np.sqrt(x @ V @ x + refit.cov_re.iloc[0, 0])
    np.testing.assert_allclose(reps["se_star"], se, rtol=1e-4)
    np.testing.assert_allclose(reps["group_var_star"], refit.cov_re.iloc[0, 0], rtol=1e-4)


def test_bootstrap_is_reproducible_and_seed_dependent(seed42_fit):
    a = bootstrap_new_school(seed42_fit, 5.0, n_boot=2, seed=3)
    b = bootstrap_new_school(seed42_fit, 5.0, n_boot=2, seed=3)
    c = bootstrap_new_school(seed42_fit, 5.0, n_boot=2, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["new_line"], c["new_line"])


def test_bootstrap_studentized_errors_are_heavier_tailed_than_normal(seed42_fit):
    reps = bootstrap_new_school(seed42_fit, 5.0, n_boot=60, n_new=40, seed=5)
    t_star = (reps["new_line"] - reps["estimate_star"]) / reps["se_star"]
    low, high = np.quantile(t_star, [0.025, 0.975])
    assert high - low > 2 * norm.ppf(0.975)
    assert abs(np.median(t_star)) < 0.3


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"n_boot": 0}, ValueError, "n_boot must be >= 1"),
        ({"n_new": 0}, ValueError, "n_new must be >= 1"),
        ({"n_new": 2.0}, TypeError, "n_new must be an integer"),
        ({"seed": -1}, ValueError, "seed"),
        ({"x": []}, ValueError, "x must hold at least 1"),
    ],
)
def test_bootstrap_bad_inputs(seed42_fit, kwargs, error, match):
    args = {"x": 5.0, "n_boot": 1, **kwargs}
    with pytest.raises(error, match=match):
        bootstrap_new_school(seed42_fit, **args)
