"""lmmbook.plotting's model-checking figures, tested on the artists they draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.nonparametric.smoothers_lowess import lowess

from lmmbook.plotting import plot_normal_qq, plot_residuals_vs_fitted, plot_spread_by_group

RNG = np.random.default_rng(1)
X = np.linspace(0.0, 10.0, 40)
R = RNG.normal(size=40)


def test_residual_panels_draw_points_smooth_and_zero_line():
    fig = plot_residuals_vs_fitted({"fitted (ms)": (X, R), "days": (X / 2, -R)},
                                   ylabels="residual (ms)")
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    points = ax.collections[0].get_offsets()
    assert np.allclose(points[:, 0], X) and np.allclose(points[:, 1], R)
    smooth, zero = ax.get_lines()
    expected = lowess(R, X, frac=0.6)
    assert np.allclose(smooth.get_xdata(), expected[:, 0])
    assert np.allclose(smooth.get_ydata(), expected[:, 1])
    assert zero.get_linestyle() == "--" and np.allclose(zero.get_ydata(), 0.0)
    assert [a.get_xlabel() for a in fig.axes] == ["fitted (ms)", "days"]
    assert [a.get_ylabel() for a in fig.axes] == ["residual (ms)", "residual (ms)"]


def test_residual_grid_labels_rows_and_jitters_only_the_points():
    x = np.repeat([0.0, 1.0], 20)
    fig = plot_residuals_vs_fitted(
        {"a": (X, R), "b": (X, R), "floor": (x, R), "d": (X, R)},
        ylabels=["sleep", "radon"], jitter={"floor": 0.1}, seed=3)
    assert [a.get_ylabel() for a in fig.axes] == ["sleep", "sleep", "radon", "radon"]
    ax = fig.axes[2]
    shown = ax.collections[0].get_offsets()[:, 0]
    assert not np.allclose(shown, x) and np.abs(shown - x).max() <= 0.1
    # A binary variable: the line joins the mean residual at each value.
    smooth = ax.get_lines()[0]
    assert np.allclose(smooth.get_xdata(), [0.0, 1.0])
    assert np.allclose(smooth.get_ydata(), [R[:20].mean(), R[20:].mean()])


def test_normal_qq_plots_sorted_values_against_normal_quantiles():
    values = RNG.normal(size=30)
    fig = plot_normal_qq({"residuals": values, "BLUPs": values[:10]}, ncols=1)
    assert len(fig.axes) == 2
    points = fig.axes[0].collections[0].get_offsets()
    theory, ordered = stats.probplot(values, fit=False)
    assert np.allclose(points[:, 0], theory) and np.allclose(points[:, 1], np.sort(values))
    diagonal = fig.axes[0].get_lines()[0]
    assert diagonal.get_linestyle() == "--"
    assert np.allclose(diagonal.get_xdata(), diagonal.get_ydata())
    assert len(fig.axes[1].collections[0].get_offsets()) == 10
    assert fig.axes[1].get_ylabel() == "BLUPs"
    assert fig.axes[0].get_xlabel() == "Standard normal quantile"


def test_spread_by_group_draws_band_reference_and_flagged_groups():
    groups = pd.DataFrame({"n": [2, 4, 8, 8], "sd": [0.1, 2.0, 0.7, 0.8],
                           "out": [False, True, False, False]})
    band = pd.DataFrame({"n": [2, 4, 8], "low": [0.02, 0.2, 0.4], "high": [1.7, 1.4, 1.2]})
    fig = plot_spread_by_group(groups, band, reference=0.75, highlight="out",
                               xlabel="homes", ylabel="SD")
    ax = fig.axes[0]
    fill, inside, outside = ax.collections
    assert len(inside.get_offsets()) == 3 and len(outside.get_offsets()) == 1
    assert np.allclose(outside.get_offsets()[0], [4, 2.0])
    reference = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(reference) == 1 and np.allclose(reference[0].get_ydata(), 0.75)
    assert ax.get_xscale() == "log"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("homes", "SD")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "outside the range" in labels


def test_spread_by_group_without_highlight_draws_one_point_collection():
    groups = pd.DataFrame({"n": [2, 3], "sd": [0.5, 0.9]})
    band = pd.DataFrame({"n": [2, 3], "low": [0.1, 0.2], "high": [1.5, 1.3]})
    ax = plot_spread_by_group(groups, band, reference=0.8).axes[0]
    assert len(ax.collections) == 2 and len(ax.collections[1].get_offsets()) == 2


@pytest.mark.parametrize("call,error,argument", [
    (lambda: plot_residuals_vs_fitted([(X, R)]), TypeError, "panels"),
    (lambda: plot_residuals_vs_fitted({"a": (X, R[:-1])}), ValueError, "panels['a']"),
    (lambda: plot_residuals_vs_fitted({"a": (X, R)}, frac=0.0), ValueError, "frac"),
    (lambda: plot_residuals_vs_fitted({"a": (X, R)}, ylabels=["x", "y"]), ValueError, "ylabels"),
    (lambda: plot_residuals_vs_fitted({"a": (X, R)}, jitter={"b": 0.1}), ValueError, "jitter"),
    (lambda: plot_residuals_vs_fitted({"a": (X, R)}, jitter={"a": -1.0}), ValueError, "jitter"),
    (lambda: plot_normal_qq({"a": [1.0, np.nan, 2.0]}), ValueError, "panels['a']"),
    (lambda: plot_normal_qq({"a": [1.0, 2.0]}), ValueError, "panels['a']"),
    (lambda: plot_normal_qq({}), ValueError, "panels"),
    (lambda: plot_normal_qq({"a": R}, ncols=0), ValueError, "ncols"),
    (lambda: plot_spread_by_group(pd.DataFrame({"n": [1], "sd": [0.5]}),
                                  pd.DataFrame({"n": [2, 3], "low": [0.1, 0.2], "high": [1, 1]}),
                                  0.8), ValueError, "groups['n']"),
    (lambda: plot_spread_by_group(pd.DataFrame({"n": [2], "sd": [0.5]}),
                                  pd.DataFrame({"n": [3, 2], "low": [0.1, 0.2], "high": [1, 1]}),
                                  0.8), ValueError, "band"),
    (lambda: plot_spread_by_group(pd.DataFrame({"n": [2], "sd": [0.5], "out": [1]}),
                                  pd.DataFrame({"n": [2, 3], "low": [0.1, 0.2], "high": [1, 1]}),
                                  0.8, highlight="out"), TypeError, "highlight"),
    (lambda: plot_spread_by_group(pd.DataFrame({"n": [2], "sd": [0.5]}),
                                  pd.DataFrame({"n": [2, 3], "low": [0.1, 0.2], "high": [1, 1]}),
                                  0.0), ValueError, "reference"),
])
def test_bad_inputs_name_the_argument(call, error, argument):
    with pytest.raises(error, match=argument.replace("[", r"\[").replace("]", r"\]")):
        call()
