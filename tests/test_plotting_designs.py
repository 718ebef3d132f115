"""plot_design_grid and plot_factor_dots, tested on the artists they draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lmmbook.datasets import load_pastes, load_penicillin
from lmmbook.plotting import plot_design_grid, plot_factor_dots


def squares(ax, rows_ax=None) -> set[tuple[str, str]]:
    """The (column level, row level) pairs marked in a grid panel (rows labelled on ``rows_ax``)."""
    xs = [t.get_text() for t in ax.get_xticklabels()]
    ys = [t.get_text() for t in (rows_ax or ax).get_yticklabels()]
    offsets = ax.collections[0].get_offsets()
    return {(xs[int(round(x))], ys[int(round(y))]) for x, y in offsets}


def test_crossed_grid_fills_every_cell():
    pen = load_penicillin()
    fig = plot_design_grid(pen, "sample", "plate")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "plate" and ax.get_ylabel() == "sample"
    assert [t.get_text() for t in ax.get_yticklabels()] == list("ABCDEF")
    assert len(ax.get_xticklabels()) == 24
    assert len(ax.collections[0].get_offsets()) == 24 * 6
    # The first level is drawn on top.
    bottom, top = ax.get_ylim()
    assert bottom > top


def test_nested_grid_marks_each_inner_level_in_one_row_only():
    pastes = load_pastes()
    fig = plot_design_grid(pastes, "batch", ["cask", "sample"])
    cask_ax, sample_ax = fig.axes
    # Coded with labels a-c, the casks look crossed with batch: all 30 cells filled.
    assert squares(cask_ax) == {(c, b) for c in "abc" for b in "ABCDEFGHIJ"}
    # With unique labels each cask sits in its own batch's row, and nowhere else.
    marked = squares(sample_ax, cask_ax)
    assert len(marked) == 30
    assert all(sample.split(":")[0] == batch for sample, batch in marked)
    assert [ax.get_xlabel() for ax in fig.axes] == ["cask", "sample"]
    # Panels are as wide as their number of levels (3 against 30).
    widths = [ax.get_position().width for ax in fig.axes]
    assert 5 < widths[1] / widths[0] < 15


def test_grid_counts_combinations_not_observations():
    data = pd.DataFrame({"r": ["x", "x", "x", "y"], "c": ["p", "p", "q", "q"]})
    ax = plot_design_grid(data, "r", "c").axes[0]
    assert squares(ax) == {("p", "x"), ("q", "x"), ("q", "y")}


def test_dots_one_collection_per_colour_level_with_every_observation():
    pen = load_penicillin()
    fig = plot_factor_dots(pen, "diameter", "plate", "sample", order="mean", xlabel="Diameter (mm)")
    ax = fig.axes[0]
    assert len(ax.collections) == 6
    for collection, sample in zip(ax.collections, "ABCDEF"):
        x = np.sort(collection.get_offsets()[:, 0])
        assert np.allclose(x, np.sort(pen.loc[pen["sample"] == sample, "diameter"]))
    assert ax.get_xlabel() == "Diameter (mm)" and ax.get_ylabel() == "plate"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list("ABCDEF")
    assert ax.get_legend().get_title().get_text() == "sample"
    # Ordered by mean diameter, the highest plate on top.
    labels = [t.get_text() for t in ax.get_yticklabels()]
    means = pen.groupby("plate", observed=True)["diameter"].mean()
    assert list(means.loc[labels]) == sorted(means, reverse=True)


def test_dots_sit_on_their_rows_set_apart_by_colour():
    pastes = load_pastes()
    ax = plot_factor_dots(pastes, "strength", "sample", "cask").axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(pastes["sample"].cat.categories)  # data order
    rows = [np.round(c.get_offsets()[:, 1]).astype(int) for c in ax.collections]
    for cask, row in zip("abc", rows):
        # Every point of cask "a" lies on a row labelled "<batch>:a".
        assert all(labels[k].endswith(":" + cask) for k in row)
    dodges = [float(np.mean(c.get_offsets()[:, 1] - r)) for c, r in zip(ax.collections, rows)]
    assert dodges[0] < dodges[1] < dodges[2] and abs(dodges[1]) < 1e-12


@pytest.mark.parametrize("kwargs, message", [
    ({"rows": "batch", "columns": "batch"}, "columns"),
    ({"rows": "nope", "columns": "cask"}, "rows"),
    ({"rows": "batch", "columns": []}, "columns"),
])
def test_grid_bad_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_design_grid(load_pastes(), **kwargs)


def test_dots_bad_inputs():
    pastes = load_pastes()
    with pytest.raises(ValueError, match="order"):
        plot_factor_dots(pastes, "strength", "sample", "cask", order="size")
    with pytest.raises(ValueError, match="colour"):
        plot_factor_dots(pastes, "strength", "cask", "sample")  # 30 colours
    with pytest.raises(TypeError, match="factor"):
        plot_factor_dots(pastes, "strength", 3, "cask")
