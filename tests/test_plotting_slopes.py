"""plot_group_panels and plot_coefficient_shrinkage, tested on the artists they draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lmmbook.plotting import OKABE_ITO, plot_coefficient_shrinkage, plot_group_panels


@pytest.fixture
def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    days = np.tile(np.arange(5), 4)
    subject = np.repeat(["s1", "s2", "s3", "s4"], 5)
    slopes = {"s1": 4.0, "s2": -1.0, "s3": 2.0, "s4": 0.5}
    reaction = 250 + np.array([slopes[s] for s in subject]) * days + rng.normal(0, 1, 20)
    return pd.DataFrame({"subject": subject, "days": days, "reaction": reaction})


@pytest.fixture
def own(data) -> pd.DataFrame:
    rows = []
    for g, part in data.groupby("subject"):
        slope, intercept = np.polyfit(part["days"], part["reaction"], 1)
        rows.append({"subject": g, "intercept": intercept, "slope": slope})
    return pd.DataFrame(rows)


def _line_slope(line) -> float:
    x, y = (np.asarray(v, float) for v in line.get_data())
    return (y[-1] - y[0]) / (x[-1] - x[0])


def _panel_label(ax) -> str:
    return ax.texts[0].get_text()


# --- plot_group_panels -----------------------------------------------------------------


def test_panels_one_axes_per_group_ordered_by_slope(data, own):
    fig = plot_group_panels(data, {"Own": own}, ncols=3)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4  # the two empty cells of the 2 x 3 grid are removed
    assert [_panel_label(ax) for ax in fig.axes] == [
        "Subject s2", "Subject s4", "Subject s3", "Subject s1"]


def test_panels_points_and_line_of_each_group(data, own):
    fig = plot_group_panels(data, {"Own": own})
    by_label = {_panel_label(ax): ax for ax in fig.axes}
    for row in own.itertuples():
        ax = by_label[f"Subject {row.subject}"]
        points = ax.collections[0].get_offsets()
        expected = data.loc[data["subject"] == row.subject, ["days", "reaction"]].to_numpy()
        np.testing.assert_allclose(points, expected)
        assert len(ax.lines) == 1
        line = ax.lines[0]
        assert _line_slope(line) == pytest.approx(row.slope)
        x, y = line.get_data()
        assert y[0] == pytest.approx(row.intercept + row.slope * x[0])
        assert to_hex(line.get_color()).upper() == OKABE_ITO[4].upper()
        assert line.get_linestyle() == "-"


def test_panels_second_table_and_population(data, own):
    mixed = own.assign(slope=own["slope"] * 0.5)
    fig = plot_group_panels(data, {"Own": own, "Mixed": mixed}, population=(250.0, 1.0))
    for ax in fig.axes:
        assert len(ax.lines) == 3
        first, second, population = ax.lines
        assert second.get_linestyle() == "--" and population.get_linestyle() == ":"
        assert _line_slope(second) == pytest.approx(0.5 * _line_slope(first))
        assert _line_slope(population) == pytest.approx(1.0)
        assert to_hex(second.get_color()).upper() == OKABE_ITO[3].upper()
    legend_labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend_labels == ["Observation", "Own", "Mixed", "Population (fixed effects)"]


def test_panels_shared_axes_labels_and_explicit_order(data, own):
    order = ["s1", "s2", "s3", "s4"]
    fig = plot_group_panels(data, {"Own": own}, order=order, ncols=2,
                            xlabel="Day", ylabel="Reaction time (ms)")
    assert [_panel_label(ax) for ax in fig.axes] == [f"Subject {g}" for g in order]
    assert [ax.get_ylabel() for ax in fig.axes] == ["Reaction time (ms)", "", "Reaction time (ms)", ""]
    assert [ax.get_xlabel() for ax in fig.axes] == ["", "", "Day", "Day"]
    limits = {ax.get_ylim() for ax in fig.axes}
    assert len(limits) == 1  # one shared y-axis
    lo, hi = limits.pop()
    assert lo < data["reaction"].min() and hi > data["reaction"].max()
    assert all(ax.get_title() == "" for ax in fig.axes)


def test_panels_accept_categorical_groups(data, own):
    cat = data.assign(subject=data["subject"].astype("category"))
    fig = plot_group_panels(cat, {"Own": own.assign(subject=own["subject"].astype("category"))})
    assert len(fig.axes) == 4


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        ({"lines": "own"}, TypeError, "lines"),
        ({"lines": {}}, ValueError, "lines"),
        ({"order": ["s1", "s2"]}, ValueError, "order"),
        ({"order": "s1"}, TypeError, "order"),
        ({"ncols": 0}, ValueError, "ncols"),
        ({"population": (1.0,)}, TypeError, "population"),
    ],
)
def test_panels_bad_inputs(data, own, kwargs, error, word):
    args = {"lines": {"Own": own}, **kwargs}
    with pytest.raises(error, match=word):
        plot_group_panels(data, **args)


def test_panels_lines_must_match_groups(data, own):
    with pytest.raises(ValueError, match="missing \\['s4'\\]"):
        plot_group_panels(data, {"Own": own.iloc[:3]})
    with pytest.raises(ValueError, match="once"):
        plot_group_panels(data, {"Own": pd.concat([own, own])})


# --- plot_coefficient_shrinkage ---------------------------------------------------------


@pytest.fixture
def pairs() -> pd.DataFrame:
    return pd.DataFrame({
        "subject": ["a", "b", "c"],
        "ols_intercept": [200.0, 260.0, 280.0],
        "ols_slope": [2.0, 10.0, 20.0],
        "mixed_intercept": [215.0, 258.0, 270.0],
        "mixed_slope": [4.0, 10.2, 16.0],
    })


def test_shrinkage_arrows_points_and_population(pairs):
    fig = plot_coefficient_shrinkage(pairs, population=(250.0, 10.0))
    ax = fig.axes[0]
    arrows = [t for t in ax.texts if t.arrow_patch is not None]
    labels = [t for t in ax.texts if t.arrow_patch is None]
    assert len(arrows) == 3 and len(labels) == 3
    for arrow, row in zip(arrows, pairs.itertuples()):
        assert arrow.xy == (row.mixed_intercept, row.mixed_slope)  # head at the mixed model
        assert arrow.xyann == (row.ols_intercept, row.ols_slope)  # tail at the own fit
    assert [t.get_text() for t in labels] == ["a", "b", "c"]
    own, mixed, population = ax.collections
    np.testing.assert_allclose(own.get_offsets(), pairs[["ols_intercept", "ols_slope"]])
    np.testing.assert_allclose(mixed.get_offsets(), pairs[["mixed_intercept", "mixed_slope"]])
    np.testing.assert_allclose(population.get_offsets(), [[250.0, 10.0]])
    assert own.get_facecolors()[0].tolist() == [1.0, 1.0, 1.0, 1.0]  # open circles


def test_shrinkage_labels_legend_and_no_title(pairs):
    ax = plot_coefficient_shrinkage(pairs, xlabel="Intercept (ms)", ylabel="Slope (ms/day)").axes[0]
    assert ax.get_xlabel() == "Intercept (ms)" and ax.get_ylabel() == "Slope (ms/day)"
    assert ax.get_title() == ""
    assert len(ax.collections) == 2  # no population given
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Own line (no pooling)", "Mixed model (partial pooling)"]


def test_shrinkage_bad_inputs(pairs):
    with pytest.raises(ValueError, match="mixed_slope"):
        plot_coefficient_shrinkage(pairs.drop(columns="mixed_slope"))
    with pytest.raises(ValueError, match="once"):
        plot_coefficient_shrinkage(pd.concat([pairs, pairs]))
    with pytest.raises(TypeError, match="start"):
        plot_coefficient_shrinkage(pairs, start="ols_intercept")
    with pytest.raises(ValueError, match="population"):
        plot_coefficient_shrinkage(pairs, population=(np.nan, 1.0))
