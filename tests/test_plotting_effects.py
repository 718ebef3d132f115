"""plot_blups_vs_truth and plot_shrinkage, tested on the artists they draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from lmmbook.plotting import OKABE_ITO, plot_blups_vs_truth, plot_shrinkage

OKABE = {c.upper() for c in OKABE_ITO}


@pytest.fixture
def effects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "school": ["S1", "S2", "S3", "S4"],
            "blup": [3.0, -1.0, 0.5, -2.5],
            "truth": [2.0, -3.0, 1.5, -4.0],
            "mean_residual": [4.0, -1.5, 0.6, -5.0],
            "n": [15, 4, 10, 2],
        }
    )


def _slope(line) -> float:
    x, y = (np.asarray(v, float) for v in line.get_data())
    return (y[-1] - y[0]) / (x[-1] - x[0])


# --- plot_blups_vs_truth ---------------------------------------------------------------


def test_blups_vs_truth_points_and_identity_line(effects):
    fig = plot_blups_vs_truth(effects)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.collections) == 1
    np.testing.assert_allclose(ax.collections[0].get_offsets(), effects[["truth", "blup"]])
    assert len(ax.lines) == 1
    identity = ax.lines[0]
    assert _slope(identity) == pytest.approx(1.0)
    x, y = identity.get_data()
    np.testing.assert_allclose(x, y)  # through the origin
    assert identity.get_linestyle() == "--"


def test_blups_vs_truth_labels_legend_and_equal_axes(effects):
    ax = plot_blups_vs_truth(effects).axes[0]
    assert ax.get_xlabel() == "True school effect (points)"
    assert ax.get_ylabel() == "Predicted school effect, BLUP (points)"
    assert ax.get_title() == ""
    assert ax.get_xlim() == ax.get_ylim()
    lo, hi = ax.get_xlim()
    values = effects[["blup", "truth"]].to_numpy()
    assert lo < values.min() and hi > values.max()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["One school", "Prediction = truth"]
    colour = to_hex(ax.collections[0].get_facecolor()[0], keep_alpha=False).upper()
    assert colour in OKABE


def test_blups_vs_truth_centred_line_is_shifted_by_the_mean_truth(effects):
    ax = plot_blups_vs_truth(effects, centred=True).axes[0]
    assert len(ax.lines) == 2
    centred = ax.lines[1]
    assert _slope(centred) == pytest.approx(1.0)
    x, y = (np.asarray(v, float) for v in centred.get_data())
    np.testing.assert_allclose(y - x, -effects["truth"].mean())
    assert len(ax.get_legend().get_texts()) == 3


def test_blups_vs_truth_other_column_names(effects):
    table = effects.rename(columns={"blup": "pred", "truth": "u"})
    ax = plot_blups_vs_truth(table, estimate="pred", truth="u").axes[0]
    np.testing.assert_allclose(ax.collections[0].get_offsets(), table[["u", "pred"]])


def test_blups_vs_truth_bad_inputs(effects):
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        plot_blups_vs_truth(effects.to_dict())
    with pytest.raises(ValueError, match="missing column 'blup'"):
        plot_blups_vs_truth(effects.drop(columns="blup"))
    with pytest.raises(ValueError, match="must be numeric"):
        plot_blups_vs_truth(effects, truth="school")
    with pytest.raises(ValueError, match="missing values"):
        plot_blups_vs_truth(effects.assign(blup=[1.0, np.nan, 0.0, 0.0]))
    with pytest.raises(ValueError, match="at least 1 rows"):
        plot_blups_vs_truth(effects.iloc[:0])
    with pytest.raises(TypeError, match="centred must be True or False"):
        plot_blups_vs_truth(effects, centred="yes")


# --- plot_shrinkage --------------------------------------------------------------------


def test_shrinkage_one_arrow_per_group_from_start_to_end(effects):
    fig = plot_shrinkage(effects)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert len(arrows) == len(effects)
    ordered = effects.sort_values("mean_residual").reset_index(drop=True)
    for pos, arrow in enumerate(arrows):
        assert arrow.xy == (pytest.approx(ordered.loc[pos, "blup"]), pos)  # head: BLUP
        assert arrow.xyann == (pytest.approx(ordered.loc[pos, "mean_residual"]), pos)
        assert arrow.arrow_patch is not None


def test_shrinkage_points_zero_line_and_order(effects):
    ax = plot_shrinkage(effects).axes[0]
    assert len(ax.collections) == 2
    ordered = effects.sort_values("mean_residual").reset_index(drop=True)
    y = np.arange(len(effects))
    np.testing.assert_allclose(ax.collections[0].get_offsets(),
                               np.column_stack([ordered["mean_residual"], y]))
    np.testing.assert_allclose(ax.collections[1].get_offsets(),
                               np.column_stack([ordered["blup"], y]))
    assert len(ax.lines) == 1
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.0, 0.0])  # vertical at zero
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ordered["school"].tolist()


def test_shrinkage_labels_legend_and_sizes(effects):
    ax = plot_shrinkage(effects, size="n").axes[0]
    assert ax.get_xlabel() == "School effect (points)"
    assert ax.get_ylabel() == "School"
    assert ax.get_title() == ""
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["S4 (n = 2)", "S2 (n = 4)", "S3 (n = 10)", "S1 (n = 15)"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Zero (complete pooling)", "Mean residual (no pooling)",
                      "BLUP (partial pooling)"]
    open_circle, filled = ax.collections
    assert to_hex(open_circle.get_edgecolor()[0], keep_alpha=False).upper() in OKABE
    assert to_hex(filled.get_facecolor()[0], keep_alpha=False).upper() in OKABE


def test_shrinkage_other_column_names(effects):
    table = effects.rename(columns={"school": "g", "mean_residual": "raw", "blup": "pooled"})
    ax = plot_shrinkage(table, start="raw", end="pooled", group="g").axes[0]
    assert ax.get_ylabel() == "G"
    assert len([t for t in ax.texts if isinstance(t, Annotation)]) == 4


def test_shrinkage_bad_inputs(effects):
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        plot_shrinkage([1, 2])
    with pytest.raises(ValueError, match="missing column 'mean_residual'"):
        plot_shrinkage(effects.drop(columns="mean_residual"))
    with pytest.raises(ValueError, match="missing column 'size'"):
        plot_shrinkage(effects, size="size")
    with pytest.raises(ValueError, match="missing column 'school'"):
        plot_shrinkage(effects.drop(columns="school"))
    with pytest.raises(ValueError, match="each group once"):
        plot_shrinkage(pd.concat([effects, effects.iloc[:1]]))
    with pytest.raises(ValueError, match="has infinite values"):
        plot_shrinkage(effects.assign(blup=[np.inf, 0.0, 0.0, 0.0]))
