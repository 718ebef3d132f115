"""lmmbook.bootstrap (parametric bootstrap of the ICC) and its histogram figure."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from matplotlib.figure import Figure

from lmmbook.bootstrap import bootstrap_icc, percentile_interval, simulate_from_fit
from lmmbook.models import icc_from_fit
from lmmbook.plotting import plot_bootstrap_distribution
from lmmbook.simulate import simulate_schools


@pytest.fixture(scope="module")
def boot(seed42_fit):
    return bootstrap_icc(seed42_fit, n_boot=20, seed=7)


# simulate_from_fit ---------------------------------------------------------------------


def test_simulate_follows_the_documented_order_of_draws(seed42_fit, seed42_data):
    rng = np.random.default_rng(3)
    u = rng.normal(0, np.sqrt(seed42_fit.cov_re.iloc[0, 0]), size=10)
    e = rng.normal(0, np.sqrt(seed42_fit.scale), size=150)
    codes = pd.factorize(seed42_data["school"])[0]
    expected = seed42_fit.predict() + u[codes] + e
    np.testing.assert_array_equal(simulate_from_fit(seed42_fit, seed=3), expected)


def test_simulate_is_reproducible_and_seed_dependent(seed42_fit):
    a = simulate_from_fit(seed42_fit, seed=1)
    assert np.array_equal(a, simulate_from_fit(seed42_fit, seed=1))
    assert not np.array_equal(a, simulate_from_fit(seed42_fit, seed=2))
    rng = np.random.default_rng(1)
    assert np.array_equal(a, simulate_from_fit(seed42_fit, seed=rng))
    assert not np.array_equal(a, simulate_from_fit(seed42_fit, seed=rng))  # stream moves on


def test_simulated_scores_have_the_fitted_moments(seed42_fit):
    rng = np.random.default_rng(0)
    draws = np.array([simulate_from_fit(seed42_fit, rng) for _ in range(2000)])
    tau2, sigma2 = seed42_fit.cov_re.iloc[0, 0], seed42_fit.scale
    np.testing.assert_allclose(draws.mean(axis=0), seed42_fit.predict(), atol=1.0)
    assert draws[:, 0].var() == pytest.approx(tau2 + sigma2, rel=0.1)
    # Two students of the same school share u_j: covariance tau^2; other schools: 0.
    assert np.cov(draws[:, 0], draws[:, 1])[0, 1] == pytest.approx(tau2, rel=0.15)
    assert abs(np.cov(draws[:, 0], draws[:, 20])[0, 1]) < 0.15 * tau2


def test_simulate_works_with_array_groups(seed42_data):
    fit = sm.MixedLM(
        seed42_data["score"].to_numpy(),
        sm.add_constant(seed42_data["hours"].to_numpy()),
        groups=seed42_data["school"].to_numpy(),
    ).fit()
    assert simulate_from_fit(fit, seed=0).shape == (150,)


# bootstrap_icc ---------------------------------------------------------------------------


def test_bootstrap_table_shape_and_columns(boot):
    assert list(boot.columns) == [
        "replicate", "group_var", "residual_var", "icc", "converged", "boundary"
    ]
    assert boot["replicate"].tolist() == list(range(20))
    assert boot["converged"].dtype == bool and boot["boundary"].dtype == bool
    np.testing.assert_allclose(
        boot["icc"], boot["group_var"] / (boot["group_var"] + boot["residual_var"])
    )


def test_first_replicate_equals_a_refit_by_hand(seed42_fit, seed42_data, boot):
    y_star = simulate_from_fit(seed42_fit, seed=7)
    refit = smf.mixedlm("score ~ hours", seed42_data.assign(score=y_star), groups="school").fit(
        reml=True
    )
    assert boot.loc[0, "icc"] == pytest.approx(icc_from_fit(refit), rel=1e-6)
    assert boot.loc[0, "group_var"] == pytest.approx(refit.cov_re.iloc[0, 0], rel=1e-6)
    assert boot.loc[0, "residual_var"] == pytest.approx(refit.scale, rel=1e-6)


def test_bootstrap_is_reproducible(seed42_fit, boot):
    again = bootstrap_icc(seed42_fit, n_boot=20, seed=7)
    pd.testing.assert_frame_equal(boot, again)
    other = bootstrap_icc(seed42_fit, n_boot=20, seed=8)
    assert not np.allclose(boot["icc"], other["icc"])


def test_bootstrap_replicates_scatter_around_the_estimate(boot, seed42_fit):
    assert boot["icc"].between(0, 1).all()
    assert boot["icc"].std() > 0.02
    assert abs(boot["icc"].median() - icc_from_fit(seed42_fit)) < 0.15
    assert boot["converged"].all() and not boot["boundary"].any()


def test_bootstrap_refits_with_ml_when_the_fit_used_ml(seed42_data):
    fit_ml = smf.mixedlm("score ~ hours", seed42_data, groups="school").fit(reml=False)
    reps = bootstrap_icc(fit_ml, n_boot=1, seed=0)
    y_star = simulate_from_fit(fit_ml, seed=0)
    refit = smf.mixedlm("score ~ hours", seed42_data.assign(score=y_star), groups="school")
    assert reps.loc[0, "icc"] == pytest.approx(icc_from_fit(refit.fit(reml=False)), rel=1e-6)
    assert reps.loc[0, "icc"] != pytest.approx(icc_from_fit(refit.fit(reml=True)), rel=1e-6)


def test_problem_refits_are_flagged_and_their_warnings_caught():
    # A tiny school variance: many refits end on the boundary or fail to converge.
    flat = simulate_schools(school_sd=1.0, noise_sd=5, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.mixedlm("score ~ hours", flat, groups="school").fit()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reps = bootstrap_icc(fit, n_boot=10, seed=0)
    assert caught == []
    assert reps["boundary"].sum() >= 1
    assert (~reps["converged"]).sum() >= 1
    assert (reps.loc[reps["boundary"], "icc"] < 1e-3).all()
    assert len(reps) == 10  # flagged, not dropped


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"n_boot": 0}, ValueError, "n_boot must be >= 1"),
        ({"n_boot": 2.5}, TypeError, "n_boot must be an integer"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"seed": "a"}, TypeError, "seed must be an integer"),
    ],
)
def test_bootstrap_bad_arguments(seed42_fit, kwargs, error, match):
    with pytest.raises(error, match=match):
        bootstrap_icc(seed42_fit, **kwargs)


def test_bootstrap_rejects_non_fits_and_random_slopes(seed42_data):
    with pytest.raises(TypeError, match="result must be a fitted MixedLM result"):
        bootstrap_icc("fit")
    with pytest.raises(TypeError, match="result must be a fitted MixedLM result"):
        simulate_from_fit(smf.ols("score ~ hours", seed42_data).fit())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        slopes = smf.mixedlm(
            "score ~ hours", seed42_data, groups="school", re_formula="~hours"
        ).fit()
        slope_only = smf.mixedlm(
            "score ~ hours", seed42_data, groups="school", re_formula="0 + hours"
        ).fit()
    for fit in (slopes, slope_only):
        with pytest.raises(ValueError, match="random intercept only"):
            bootstrap_icc(fit, n_boot=1)
        with pytest.raises(ValueError, match="random intercept only"):
            simulate_from_fit(fit)


# percentile_interval -----------------------------------------------------------------


def test_percentile_interval_known_values():
    assert percentile_interval(np.arange(101.0), level=0.5) == (25.0, 75.0)
    low, high = percentile_interval(np.arange(1001.0))
    assert low == pytest.approx(25.0) and high == pytest.approx(975.0)
    assert isinstance(low, float) and isinstance(high, float)
    assert percentile_interval(pd.Series([3.0, 1.0, 2.0]), level=0.5) == (1.5, 2.5)


def test_percentile_interval_widens_with_level():
    values = np.random.default_rng(0).normal(size=500)
    narrow = percentile_interval(values, level=0.5)
    wide = percentile_interval(values, level=0.99)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


@pytest.mark.parametrize(
    "values,level,error,match",
    [
        ([1.0, 2.0], 0.0, ValueError, "level must be > 0"),
        ([1.0, 2.0], 1.0, ValueError, "level must be < 1"),
        ([1.0, 2.0], "95%", TypeError, "level must be a real number"),
        ("abc", 0.95, TypeError, "values must be an array of numbers"),
        ([1.0, "x"], 0.95, TypeError, "values must be an array of numbers"),
        ([[1.0, 2.0], [3.0, 4.0]], 0.95, ValueError, "one-dimensional"),
        ([1.0], 0.95, ValueError, "at least 2 numbers"),
        ([1.0, np.nan, 3.0], 0.95, ValueError, "1 missing or infinite"),
    ],
)
def test_percentile_interval_bad_inputs(values, level, error, match):
    with pytest.raises(error, match=match):
        percentile_interval(values, level=level)


# plot_bootstrap_distribution -----------------------------------------------------------


def test_bootstrap_figure_marks_estimate_interval_and_truth(boot):
    fig = plot_bootstrap_distribution(boot["icc"], 0.72, (0.5, 0.85), truth=0.719)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [line.get_xdata()[0] for line in ax.lines] == [0.72, 0.5, 0.85, 0.719]
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "--", ":"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Estimate", "95% percentile interval", "Truth"]
    assert len(ax.patches) == 30  # histogram bars
    assert sum(p.get_height() for p in ax.patches) == len(boot)
    assert ax.get_xlabel() == "Intraclass correlation (ICC)"
    assert ax.get_ylabel() == "Bootstrap replicates (count)"
    assert ax.get_title() == ""


def test_bootstrap_figure_without_truth_and_other_level():
    fig = plot_bootstrap_distribution([0.1, 0.2, 0.3], 0.2, (0.1, 0.3), level=0.9, xlabel="x")
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Estimate", "90% percentile interval"
    ]
    assert ax.get_xlabel() == "x"


@pytest.mark.parametrize(
    "args,kwargs,error,match",
    [
        (("abc", 0.5, (0.1, 0.9)), {}, TypeError, "values must be an array of numbers"),
        (([0.5], 0.5, (0.1, 0.9)), {}, ValueError, "at least 2 numbers"),
        (([0.5, np.inf], 0.5, (0.1, 0.9)), {}, ValueError, "values has 1 missing or infinite"),
        (([0.5, 0.6], "a", (0.1, 0.9)), {}, TypeError, "estimate must be a real number"),
        (([0.5, 0.6], 0.5, 0.1), {}, TypeError, "interval must be a"),
        (([0.5, 0.6], 0.5, (0.9, 0.1)), {}, ValueError, "low < high"),
        (([0.5, 0.6], 0.5, (0.1, np.nan)), {}, ValueError, "interval\\[1\\] must be finite"),
        (([0.5, 0.6], 0.5, (0.1, 0.9)), {"truth": "t"}, TypeError, "truth must be a real"),
        (([0.5, 0.6], 0.5, (0.1, 0.9)), {"level": 95}, ValueError, "level must be < 1"),
    ],
)
def test_bootstrap_figure_bad_inputs(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_bootstrap_distribution(*args, **kwargs)


def test_bootstrap_flags_degenerate_refits_as_not_converged(monkeypatch):
    import statsmodels.formula.api as smf

    import lmmbook.bootstrap as bootstrap_module
    from lmmbook.models import FitDiagnosis
    from lmmbook.simulate import simulate_schools

    fit = smf.mixedlm("score ~ hours", simulate_schools(), groups="school").fit()
    broken = FitDiagnosis(converged=True, boundary=True, degenerate=True, messages=("broke down",))
    monkeypatch.setattr(bootstrap_module, "diagnose_fit", lambda result: broken)
    table = bootstrap_module.bootstrap_icc(fit, n_boot=2, seed=0)
    assert (~table.converged).all() and table.boundary.all()
