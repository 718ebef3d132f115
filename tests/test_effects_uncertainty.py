"""predict_random_effects and plot_caterpillar: the uncertainty of the BLUPs.

The conditional standard deviations are checked against the closed form of a
random intercept, (1 / tau^2 + n_j / sigma^2)^(-1/2), on groups of unequal
size; the plot is checked on the artists it draws.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from matplotlib.figure import Figure
from scipy.stats import norm

from lmmbook.models import predict_random_effects, random_effects_table
from lmmbook.plotting import plot_caterpillar
from lmmbook.simulate import simulate_schools


@pytest.fixture(scope="module")
def unequal():
    data = simulate_schools(n_schools=8, n_per_school=12, seed=3, school_sd=3)
    keep = data.groupby("school").cumcount() < data["school"].map(
        dict(zip(sorted(data["school"].unique()), [2, 3, 4, 6, 8, 10, 12, 12]))
    )
    data = data[keep]
    fit = smf.mixedlm("score ~ hours", data, groups="school").fit(reml=True, gtol=1e-8)
    return data, fit


def test_sd_is_the_closed_form_conditional_sd(unequal):
    data, fit = unequal
    table = predict_random_effects(fit)
    tau2, sigma2 = fit.cov_re.iloc[0, 0], fit.scale
    n = data.groupby("school").size().loc[table["school"]].to_numpy()
    np.testing.assert_allclose(table["sd"], (1 / tau2 + n / sigma2) ** -0.5, rtol=1e-10)
    assert table["sd"].is_monotonic_decreasing  # more students, narrower


def test_estimates_are_the_random_effects_table(unequal):
    _, fit = unequal
    table = predict_random_effects(fit)
    pd.testing.assert_frame_equal(table[["school", "term", "estimate"]], random_effects_table(fit))
    assert list(table.columns) == ["school", "term", "estimate", "sd", "low", "high"]


@pytest.mark.parametrize("level", [0.5, 0.9, 0.95, 0.99])
def test_interval_is_estimate_plus_minus_z_sd(unequal, level):
    _, fit = unequal
    table = predict_random_effects(fit, level=level)
    z = norm.ppf((1 + level) / 2)
    np.testing.assert_allclose(table["high"] - table["estimate"], z * table["sd"])
    np.testing.assert_allclose(table["estimate"] - table["low"], z * table["sd"])


def test_array_groups_and_random_slopes():
    data = simulate_schools(seed=42)
    fit = smf.mixedlm("score ~ hours", data, groups=data["school"].to_numpy()).fit(gtol=1e-8)
    assert predict_random_effects(fit).columns[0] == "Group"
    slopes = smf.mixedlm("score ~ hours", data, groups="school", re_formula="~hours").fit(
        method="powell"
    )
    table = predict_random_effects(slopes)
    assert len(table) == 2 * 10 and set(table["term"]) == {"Intercept", "hours"}
    first = slopes.random_effects_cov["School 01"].to_numpy()
    np.testing.assert_allclose(
        table.loc[table["school"] == "School 01", "sd"], np.sqrt(np.diag(first))
    )


@pytest.fixture
def caterpillar() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "school": ["S1", "S2", "S3", "S4"],
            "estimate": [3.0, -1.0, 0.5, -2.5],
            "low": [1.0, -2.0, -1.5, -5.5],
            "high": [5.0, 0.0, 2.5, 0.5],
            "truth": [2.0, -3.0, 1.5, -4.0],
        }
    )


def test_caterpillar_points_sorted_with_labels(caterpillar):
    fig = plot_caterpillar(caterpillar)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    points = ax.collections[1].get_offsets()
    assert len(points) == 4
    np.testing.assert_allclose(points[:, 0], [-2.5, -1.0, 0.5, 3.0])  # sorted, bottom to top
    np.testing.assert_allclose(points[:, 1], [0, 1, 2, 3])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["S4", "S2", "S3", "S1"]
    assert ax.get_xlabel() == "School effect (points)"
    assert ax.get_ylabel() == "School"
    assert ax.get_title() == ""


def test_caterpillar_interval_lengths(caterpillar):
    ax = plot_caterpillar(caterpillar).axes[0]
    segments = ax.collections[0].get_segments()
    assert len(segments) == 4
    ordered = caterpillar.sort_values("estimate")
    np.testing.assert_allclose([s[1, 0] - s[0, 0] for s in segments], ordered["high"] - ordered["low"])
    np.testing.assert_allclose([s[0, 1] for s in segments], [0, 1, 2, 3])  # horizontal


def test_caterpillar_truth_and_legend(caterpillar):
    ax = plot_caterpillar(caterpillar, truth="truth").axes[0]
    assert len(ax.collections) == 3
    truth = ax.collections[2].get_offsets()
    np.testing.assert_allclose(truth[:, 0], caterpillar.sort_values("estimate")["truth"])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "True effect" in labels and "Prediction (BLUP)" in labels
    assert len(plot_caterpillar(caterpillar).axes[0].collections) == 2  # no truth, no crosses
    zero = [line for line in ax.lines if np.allclose(line.get_xdata(), 0)]
    assert len(zero) == 1


def test_caterpillar_rejects_estimate_outside_interval(caterpillar):
    bad = caterpillar.assign(high=caterpillar["estimate"] - 0.1)
    with pytest.raises(ValueError, match="high"):
        plot_caterpillar(bad)


# --- claims of chapter "Fixed and random effects", checked by simulation ----------------


def _unequal_schools(rng: np.random.Generator) -> pd.DataFrame:
    """The chapter's weak-effects design: tau = 3, schools of 2 to 15 students."""
    data = simulate_schools(n_schools=10, n_per_school=15, seed=rng, school_sd=3)
    sizes = dict(zip(sorted(data["school"].unique()), [2, 3, 4, 5, 6, 8, 10, 12, 14, 15]))
    kept = data[data.groupby("school").cumcount() < data["school"].map(sizes)]
    kept.attrs = data.attrs
    return kept


def test_blups_beat_unpooled_means_on_average_with_estimated_variances():
    """Shrinkage lowers the total squared error on average, with beta and variances estimated."""
    rng = np.random.default_rng(2024)
    errors = []
    for _ in range(20):
        data = _unequal_schools(rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = smf.mixedlm("score ~ hours", data, groups="school").fit(reml=True)
        beta = fit.fe_params
        resid = data["score"] - beta["Intercept"] - beta["hours"] * data["hours"]
        unpooled = resid.groupby(data["school"]).mean()
        blup = random_effects_table(fit).set_index("school")["estimate"]
        true = data.attrs["truth"]["school_effects"]
        errors.append((((blup - true) ** 2).sum(), ((unpooled - true) ** 2).sum()))
    errors = np.array(errors)
    assert (errors[:, 0] < errors[:, 1]).mean() > 0.6  # BLUPs closer in most data sets
    assert errors[:, 0].sum() < 0.9 * errors[:, 1].sum()  # and on average


def test_conditional_intervals_undercover_and_pev_intervals_do_not():
    """statsmodels' conditional SDs ignore beta_hat: their 95% intervals cover the true
    effect far less often; adding Henderson's prediction error variance restores it."""
    rng = np.random.default_rng(7)
    narrow, wide = [], []
    for _ in range(40):
        data = simulate_schools(n_schools=10, n_per_school=15, seed=rng)
        fit = smf.mixedlm("score ~ hours", data, groups="school").fit(reml=True)
        table = predict_random_effects(fit)
        tau2, sigma2 = fit.cov_re.iloc[0, 0], fit.scale
        x = fit.model.exog
        z = (data["school"].to_numpy()[:, None] == table["school"].to_numpy()[None, :]).astype(float)
        c = np.block([[x.T @ x, x.T @ z], [z.T @ x, z.T @ z + sigma2 / tau2 * np.eye(10)]]) / sigma2
        pev_sd = np.sqrt(np.diag(np.linalg.inv(c))[2:])
        error = np.abs(data.attrs["truth"]["school_effects"].loc[table["school"]].to_numpy()
                       - table["estimate"].to_numpy())
        narrow.append(error < table["high"].to_numpy() - table["estimate"].to_numpy())
        wide.append(error < norm.ppf(0.975) * pev_sd)
    assert 0.45 < np.mean(narrow) < 0.75  # the chapter's known-variance figure is about 63%
    assert np.mean(wide) > 0.88
