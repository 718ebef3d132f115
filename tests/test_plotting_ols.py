"""Tests of plot_coverage (chapter "How far to trust an interval") and plot_se_ratio (chapter 2).

nbval does not compare images, so these tests check what the helpers draw: the
points and their positions, the error bars, the reference lines, labels, legend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from lmmbook.plotting import OKABE_ITO, plot_coverage, plot_se_ratio


@pytest.fixture()
def summary() -> pd.DataFrame:
    return pd.DataFrame({
        "method": ["OLS", "OLS", "Cluster-robust OLS", "Cluster-robust OLS",
                   "Mixed model", "Mixed model"],
        "term": ["hours", "resources"] * 3,
        "n_sims": 500,
        "level": 0.95,
        "coverage": [0.954, 0.44, 0.91, 0.848, 0.936, 0.908],
        "mc_se": [0.009, 0.022, 0.013, 0.016, 0.011, 0.013],
    })


@pytest.fixture()
def ratios() -> pd.DataFrame:
    return pd.DataFrame({"term": ["Intercept", "hours", "resources"],
                         "se_ratio": [0.503, 1.657, 0.282]})


# --- plot_coverage ------------------------------------------------------------------


def test_coverage_draws_one_errorbar_series_per_method(summary):
    fig = plot_coverage(summary)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert [c.get_label() for c in containers] == ["OLS", "Cluster-robust OLS", "Mixed model"]
    for container, (_, part) in zip(containers, summary.groupby("method", sort=False)):
        points = container.lines[0]
        assert np.allclose(points.get_ydata(), part["coverage"])
        # Error bars span +- 1.96 Monte Carlo standard errors around each point.
        for segment, cov, se in zip(container.lines[2][0].get_segments(), part["coverage"],
                                    part["mc_se"]):
            assert np.allclose(segment[:, 1], [cov - 1.96 * se, cov + 1.96 * se])


def test_coverage_points_sit_at_their_term_dodged_by_method(summary):
    ax = plot_coverage(summary).axes[0]
    xs = [c.lines[0].get_xdata() for c in ax.containers]
    for x in xs:
        assert x[0] < 0.5 < x[1]          # hours left of resources
        assert round(x[1] - x[0], 10) == 1  # same offset at both terms
    offsets = [x[0] for x in xs]
    assert offsets == sorted(offsets) and np.isclose(np.mean(offsets), 0)  # centred on the tick
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Study hours\n(one value per student)", "School resources\n(one value per school)"]
    assert list(ax.get_xticks()) == [0, 1]


def test_coverage_reference_line_labels_and_colours(summary):
    ax = plot_coverage(summary).axes[0]
    reference = [line for line in ax.lines if line.get_label().startswith("Nominal")]
    assert len(reference) == 1
    assert np.allclose(reference[0].get_ydata(), [0.95, 0.95])
    assert reference[0].get_linestyle() == "--"
    assert ax.get_ylabel() == "Coverage of 95% intervals (share)"
    assert ax.get_xlabel() == "Coefficient"
    assert ax.get_title() == ""
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Nominal level (95%)", "OLS", "Cluster-robust OLS", "Mixed model"]
    colours = [to_hex(c.lines[0].get_color()).upper() for c in ax.containers]
    assert len(set(colours)) == 3 and set(colours) <= set(OKABE_ITO)
    markers = [c.lines[0].get_marker() for c in ax.containers]
    assert len(set(markers)) == 3


def test_coverage_y_range_shows_every_bar_and_the_reference(summary):
    ax = plot_coverage(summary).axes[0]
    low, high = ax.get_ylim()
    assert low <= (summary["coverage"] - 1.96 * summary["mc_se"]).min()
    assert high >= 1.0 and low >= 0


def test_coverage_other_level_and_unknown_term(summary):
    other = summary.assign(level=0.9, term=summary["term"].replace({"hours": "x"}))
    ax = plot_coverage(other).axes[0]
    assert ax.get_ylabel() == "Coverage of 90% intervals (share)"
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "x"
    assert np.allclose(ax.lines[0].get_ydata(), [0.9, 0.9])


def test_coverage_five_methods_get_five_colour_blind_safe_styles():
    methods = ["OLS, t(N - p)", "Cluster-robust, z", "Cluster-robust, t(G - 1)",
               "Mixed model, z", "Mixed model, t(between df)"]
    five = pd.DataFrame({
        "method": np.repeat(methods, 2), "term": ["hours", "resources"] * 5, "level": 0.95,
        "coverage": [0.954, 0.44, 0.91, 0.848, 0.948, 0.874, 0.936, 0.908, 0.938, 0.94],
        "mc_se": 0.01,
    })
    ax = plot_coverage(five).axes[0]
    containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert [c.get_label() for c in containers] == methods
    colours = [to_hex(c.lines[0].get_color()).upper() for c in containers]
    markers = [c.lines[0].get_marker() for c in containers]
    assert len(set(colours)) == 5 and set(colours) <= set(OKABE_ITO)
    assert "#F0E442" not in colours  # no yellow on white
    assert len(set(markers)) == 5
    # Dodged symmetrically around each tick, in the order given.
    xs = [c.lines[0].get_xdata()[0] for c in containers]
    assert xs == sorted(xs) and np.isclose(np.mean(xs), 0)
    # The legend sits right of the axes, so it covers no point.
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted()).x0 > 1
    assert ax.get_title() == ""


def test_coverage_too_many_methods():
    many = pd.DataFrame({"method": list("abcdefgh"), "term": "hours", "level": 0.95,
                         "coverage": 0.9, "mc_se": 0.01})
    with pytest.raises(ValueError, match="at most 7 methods"):
        plot_coverage(many)


def test_coverage_bad_inputs(summary):
    with pytest.raises(TypeError, match="summary must be a pandas DataFrame"):
        plot_coverage(summary.to_dict())
    with pytest.raises(ValueError, match="missing column 'mc_se'"):
        plot_coverage(summary.drop(columns="mc_se"))
    with pytest.raises(ValueError, match="one nominal level"):
        plot_coverage(summary.assign(level=[0.95, 0.9] * 3))
    with pytest.raises(ValueError, match="one row per method and term"):
        plot_coverage(pd.concat([summary, summary.head(1)]))
    with pytest.raises(ValueError, match="between 0 and 1"):
        plot_coverage(summary.assign(coverage=summary["coverage"] * 2))
    with pytest.raises(ValueError, match="mc_se'\\] must be >= 0"):
        plot_coverage(summary.assign(mc_se=-0.01))


# --- plot_se_ratio ------------------------------------------------------------------


def test_se_ratio_points_at_the_ratios_first_term_on_top(ratios):
    fig = plot_se_ratio(ratios)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    points = {}
    for line in ax.lines:
        if line.get_marker() not in ("None", None, ""):
            for x, y in zip(line.get_xdata(), line.get_ydata()):
                points[int(y)] = float(x)
    assert len(points) == 3
    labels = {int(tick): label.get_text() for tick, label in zip(ax.get_yticks(), ax.get_yticklabels())}
    assert {labels[y]: x for y, x in points.items()} == pytest.approx(
        dict(zip(ratios["term"], ratios["se_ratio"])))
    assert labels[max(labels)] == "Intercept" and labels[min(labels)] == "resources"


def test_se_ratio_segments_run_from_one_to_each_ratio(ratios):
    ax = plot_se_ratio(ratios).axes[0]
    segments = [seg for coll in ax.collections for seg in coll.get_segments()]
    assert len(segments) == 3
    ends = sorted(float(seg[1, 0]) for seg in segments)
    assert np.allclose([seg[0, 0] for seg in segments], 1.0)
    assert np.allclose(ends, sorted(ratios["se_ratio"]))


def test_se_ratio_reference_scale_colours_and_legend(ratios):
    ax = plot_se_ratio(ratios).axes[0]
    assert ax.get_xscale() == "log"
    reference = [line for line in ax.lines if line.get_label() == "Equal standard errors"]
    assert len(reference) == 1 and np.allclose(reference[0].get_xdata(), [1, 1])
    smaller = [line for line in ax.lines if line.get_label() == "OLS standard error smaller"]
    larger = [line for line in ax.lines if line.get_label() == "OLS standard error larger"]
    assert np.allclose(sorted(smaller[0].get_xdata()), [0.282, 0.503])
    assert np.allclose(larger[0].get_xdata(), [1.657])
    assert smaller[0].get_color() != larger[0].get_color()
    assert {smaller[0].get_color(), larger[0].get_color()} <= set(OKABE_ITO)
    left, right = ax.get_xlim()
    assert left < 0.282 and right > 1.657
    assert "log scale" in ax.get_xlabel() and ax.get_ylabel() == "Term"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Equal standard errors", "OLS standard error smaller", "OLS standard error larger"]


def test_se_ratio_legend_lists_only_what_is_drawn():
    ax = plot_se_ratio(pd.DataFrame({"term": ["hours"], "se_ratio": [2.0]})).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Equal standard errors", "OLS standard error larger"]


def test_se_ratio_bad_inputs(ratios):
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        plot_se_ratio(ratios["se_ratio"])
    with pytest.raises(ValueError, match="missing column 'se_ratio'"):
        plot_se_ratio(ratios.rename(columns={"se_ratio": "ratio"}))
    with pytest.raises(ValueError, match="must be positive"):
        plot_se_ratio(ratios.assign(se_ratio=[0.5, 0.0, 2.0]))
    with pytest.raises(ValueError, match="missing values"):
        plot_se_ratio(ratios.assign(se_ratio=[0.5, np.nan, 2.0]))
