"""plot_pooling_by_size and plot_shrinkage_by_size, tested on the artists they draw.

The last test checks the statement of chapter "Partial pooling" that statsmodels'
default optimiser fails on the radon uranium model (the chapter does not run that
slow fit itself).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lmmbook.plotting import (
    OKABE_ITO,
    plot_group_estimates,
    plot_pooling_by_size,
    plot_shrinkage_by_size,
)

OKABE = {c.lower() for c in OKABE_ITO}


@pytest.fixture
def counties() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n": [1, 2, 2, 2, 10, 50],
            "no_pooling": [2.5, 0.2, 1.9, 1.1, 1.6, 0.8],
            "partial_pooling": [1.4, 1.0, 1.5, 1.2, 1.5, 0.85],
            "no_pooling_se": [0.8, 0.55, 0.55, 0.55, 0.25, 0.11],
            "partial_pooling_se": [0.3, 0.28, 0.28, 0.28, 0.2, 0.1],
        },
        index=["A", "B", "C", "D", "E", "F"],
    )


# --- plot_pooling_by_size ------------------------------------------------------------


def test_pooling_two_panels_with_points_in_table_order(counties):
    fig = plot_pooling_by_size(counties, complete=1.2, jitter=0)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    for ax, column in zip(fig.axes, ["no_pooling", "partial_pooling"]):
        assert len(ax.containers) == 1
        points = ax.containers[0].lines[0]
        np.testing.assert_allclose(points.get_ydata(), counties[column])
        np.testing.assert_allclose(points.get_xdata(), counties["n"])
        assert ax.get_xscale() == "log"
        assert ax.get_title() == ""  # no centred title: the caption is the title
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["No pooling", "Partial pooling"]


def test_pooling_complete_line_dashed_black_in_both_panels(counties):
    fig = plot_pooling_by_size(counties, complete=1.2)
    for ax in fig.axes:
        line = ax.lines[-1]
        np.testing.assert_allclose(line.get_ydata(), [1.2, 1.2])
        assert line.get_linestyle() == "--"
        assert to_hex(line.get_color()) == "#000000"
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "Complete pooling" in labels


def test_pooling_error_bars_are_plus_minus_one_se(counties):
    fig = plot_pooling_by_size(counties, complete=1.2, no_pooling_se="no_pooling_se",
                               partial_pooling_se="partial_pooling_se", jitter=0)
    for ax, column in zip(fig.axes, ["no_pooling", "partial_pooling"]):
        bars = ax.containers[0].lines[2][0].get_segments()
        lows = [seg[0, 1] for seg in bars]
        highs = [seg[1, 1] for seg in bars]
        np.testing.assert_allclose(lows, counties[column] - counties[f"{column}_se"])
        np.testing.assert_allclose(highs, counties[column] + counties[f"{column}_se"])
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("1 SE" in text for text in legend)


def test_pooling_without_se_draws_no_bars(counties):
    fig = plot_pooling_by_size(counties, complete=1.2)
    assert all(len(ax.containers[0].lines[2]) == 0 for ax in fig.axes)


def test_pooling_colour_blind_palette_and_distinct_markers(counties):
    fig = plot_pooling_by_size(counties, complete=1.2)
    points = [ax.containers[0].lines[0] for ax in fig.axes]
    colours = [to_hex(p.get_color()) for p in points]
    assert set(colours) <= OKABE and colours[0] != colours[1]
    assert points[0].get_marker() != points[1].get_marker()


def test_pooling_jitter_spreads_equal_sizes_only(counties):
    ax = plot_pooling_by_size(counties, complete=1.2, jitter=0.05).axes[0]
    x = ax.containers[0].lines[0].get_xdata()
    assert x[0] == 1 and x[4] == 10 and x[5] == 50                 # sizes held by one county
    np.testing.assert_allclose(np.log10(x[1:4] / 2), [-0.05, 0, 0.05])  # the three of size 2
    assert np.all(np.diff(x[1:4]) > 0)


def test_pooling_labels_and_plain_ticks(counties):
    fig = plot_pooling_by_size(counties, complete=1.2, ylabel="Mean log radon (log pCi/L)",
                               xlabel="Homes (log scale)")
    assert fig.axes[0].get_ylabel() == "Mean log radon (log pCi/L)"
    assert [ax.get_xlabel() for ax in fig.axes] == ["Homes (log scale)"] * 2
    ticks = fig.axes[0].get_xticks()
    assert {1, 2, 5, 10, 20, 50} <= set(ticks)


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"complete": np.nan}, ValueError, "complete"),
        ({"complete": 1.0, "jitter": 0.5}, ValueError, "jitter"),
        ({"complete": 1.0, "ylabel": 3}, TypeError, "ylabel"),
        ({"complete": 1.0, "size": "homes"}, ValueError, "homes"),
    ],
)
def test_pooling_bad_arguments(counties, kwargs, error, name):
    with pytest.raises(error, match=name):
        plot_pooling_by_size(counties, **kwargs)


def test_pooling_bad_sizes_and_errors(counties):
    bad = counties.assign(n=[0, 2, 2, 2, 10, 50])
    with pytest.raises(ValueError, match="'n'"):
        plot_pooling_by_size(bad, complete=1.0)
    bad = counties.assign(n=[1.5, 2, 2, 2, 10, 50])
    with pytest.raises(ValueError, match="'n'"):
        plot_pooling_by_size(bad, complete=1.0)
    bad = counties.assign(no_pooling_se=-counties["no_pooling_se"])
    with pytest.raises(ValueError, match="no_pooling_se"):
        plot_pooling_by_size(bad, complete=1.0, no_pooling_se="no_pooling_se")


# --- plot_shrinkage_by_size -------------------------------------------------------------


def test_shrinkage_points_curve_and_halfway_line():
    table = pd.DataFrame({"n": [1, 3, 12, 100], "shrinkage": [0.2, 0.43, 0.75, 0.96]})
    fig = plot_shrinkage_by_size(table, tau2=0.1, sigma2=0.4)
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.collections[0].get_offsets(), table[["n", "shrinkage"]])
    curve, halfway = ax.lines
    x, y = (np.asarray(v, float) for v in curve.get_data())
    np.testing.assert_allclose(y, x * 0.1 / (x * 0.1 + 0.4))
    assert x.min() <= 1 and x.max() >= 100
    assert np.all(np.diff(y) > 0)                      # more data, less shrinkage
    np.testing.assert_allclose(halfway.get_xdata(), [4.0, 4.0])   # sigma2 / tau2
    assert halfway.get_linestyle() == ":"
    assert ax.get_xscale() == "log" and ax.get_ylim() == (0.0, 1.0)
    assert ax.get_title() == ""
    assert "Shrinkage factor" in ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 3


def test_shrinkage_points_of_exact_blups_lie_on_curve():
    n = np.array([1, 2, 5, 20, 80])
    tau2, sigma2 = 0.3, 0.9
    table = pd.DataFrame({"n": n, "shrinkage": n * tau2 / (n * tau2 + sigma2)})
    ax = plot_shrinkage_by_size(table, tau2=tau2, sigma2=sigma2).axes[0]
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(np.interp(n, x, y), table["shrinkage"], atol=1e-3)


def test_shrinkage_curve_reaches_halfway_beyond_largest_group():
    table = pd.DataFrame({"n": [1, 2, 3], "shrinkage": [0.02, 0.04, 0.06]})
    ax = plot_shrinkage_by_size(table, tau2=0.01, sigma2=0.5).axes[0]
    assert ax.lines[0].get_xdata().max() >= 2 * 50


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"tau2": 0.0, "sigma2": 1.0}, ValueError, "tau2"),
        ({"tau2": 1.0, "sigma2": -1.0}, ValueError, "sigma2"),
        ({"tau2": "1", "sigma2": 1.0}, TypeError, "tau2"),
        ({"tau2": 1.0, "sigma2": 1.0, "factor": "lambda"}, ValueError, "lambda"),
        ({"tau2": 1.0, "sigma2": 1.0, "xlabel": None}, TypeError, "xlabel"),
    ],
)
def test_shrinkage_bad_arguments(kwargs, error, name):
    table = pd.DataFrame({"n": [1, 4], "shrinkage": [0.2, 0.5]})
    with pytest.raises(error, match=name):
        plot_shrinkage_by_size(table, **kwargs)


# --- plot_group_estimates -----------------------------------------------------------------


def test_group_estimates_points_bars_and_line(counties):
    table = counties.assign(uranium=[-0.8, -0.4, 0.0, 0.1, 0.3, 0.5])
    fig = plot_group_estimates(table, "uranium", "partial_pooling", se="partial_pooling_se",
                               line=(1.4, 0.7), xlabel="Soil uranium (log ppm)",
                               ylabel="County intercept (log pCi/L)")
    ax = fig.axes[0]
    points = ax.containers[0].lines[0]
    np.testing.assert_allclose(points.get_xdata(), table["uranium"])
    np.testing.assert_allclose(points.get_ydata(), table["partial_pooling"])
    bars = ax.containers[0].lines[2][0].get_segments()
    np.testing.assert_allclose([seg[1, 1] - seg[0, 1] for seg in bars], 2 * table["partial_pooling_se"])
    line = ax.lines[-1]
    x, y = (np.asarray(v, float) for v in line.get_data())
    np.testing.assert_allclose(x, [-0.8, 0.5])
    np.testing.assert_allclose(y, 1.4 + 0.7 * x)
    assert to_hex(line.get_color()) == "#000000"
    assert to_hex(points.get_color()) in OKABE
    assert ax.get_xlabel() == "Soil uranium (log ppm)" and ax.get_ylabel() == "County intercept (log pCi/L)"
    assert ax.get_title() == ""
    assert len(ax.get_legend().get_texts()) == 2


def test_group_estimates_without_line_or_se(counties):
    ax = plot_group_estimates(counties, "n", "no_pooling").axes[0]
    assert len(ax.containers[0].lines[2]) == 0
    assert ax.get_xlabel() == "n"
    assert len(ax.get_legend().get_texts()) == 1


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"line": (1.0,)}, TypeError, "line"),
        ({"line": (1.0, np.inf)}, ValueError, "line slope"),
        ({"se": "no_pooling"}, ValueError, "no_pooling"),   # negative values
        ({"x": "uranium"}, ValueError, "uranium"),
        ({"ylabel": None}, TypeError, "ylabel"),
    ],
)
def test_group_estimates_bad_arguments(counties, kwargs, error, name):
    table = counties.assign(no_pooling=counties["no_pooling"] - 1)
    arguments = {"x": "n", "estimate": "partial_pooling", **kwargs}
    with pytest.raises(error, match=name):
        plot_group_estimates(table, **arguments)


# --- the chapter's statement about statsmodels' default optimiser ------------------------


def test_default_optimiser_fails_on_radon_uranium_and_powell_polish_reaches_lme4():
    import statsmodels.formula.api as smf

    from lmmbook.datasets import load_radon
    from lmmbook.reference import load_lme4_fits

    lme4 = load_lme4_fits().query("model == 'radon_uranium'").set_index(["quantity", "term"])["value"]
    model = smf.mixedlm("log_radon ~ floor + uranium", load_radon(), groups="county")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        default = model.fit(reml=True, gtol=1e-8)
    assert not default.converged and caught
    tau2_lme4 = lme4[("variance", "county|(Intercept)|")]
    assert abs(default.cov_re.iloc[0, 0] / tau2_lme4 - 1) > 0.01     # second significant digit off
    powell = model.fit(reml=True, method="powell")
    polished = model.fit(reml=True, start_params=powell.params, gtol=1e-8)
    best = polished if polished.llf >= powell.llf else powell
    assert abs(-2 * best.llf - lme4[("reml_criterion", "")]) < 1e-3
    assert abs(best.cov_re.iloc[0, 0] - tau2_lme4) < 5e-5


def test_powell_stops_early_on_radon_random_slope_and_the_polish_finishes():
    """The chapter's reason for polishing Powell's fit: on radon's random slope Powell stops short."""
    import statsmodels.formula.api as smf

    from lmmbook.datasets import load_radon
    from lmmbook.reference import load_lme4_fits

    fits = load_lme4_fits()
    target = float(fits.query("model == 'radon_floor_slope' and quantity == 'reml_criterion'")["value"].iloc[0])
    model = smf.mixedlm("log_radon ~ floor", load_radon(), groups="county", re_formula="~floor")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        powell = model.fit(reml=True, method="powell")
        polished = model.fit(reml=True, start_params=powell.params, gtol=1e-8)
    assert -2 * powell.llf - target > 0.005
    assert abs(-2 * polished.llf - target) < 1e-3
