"""lmmbook.plotting.plot_group_strips, tested on the artists it draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lmmbook.datasets import load_dyestuff, load_dyestuff2
from lmmbook.plotting import plot_group_strips


def test_one_panel_per_data_set_with_points_group_means_and_grand_mean():
    panels = {"Dyestuff": load_dyestuff(), "Dyestuff2": load_dyestuff2()}
    fig = plot_group_strips(panels, "yield_g", "batch", ylabel="Yield")
    assert len(fig.axes) == 2
    for ax, data in zip(fig.axes, panels.values()):
        points = ax.collections[0].get_offsets()
        assert len(points) == len(data)
        # Every observation is drawn at its own value.
        assert np.allclose(np.sort(points[:, 1]), np.sort(data["yield_g"]))
        bars = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
        means = sorted(float(line.get_ydata()[0]) for line in bars)
        expected = sorted(data.groupby("batch", observed=True)["yield_g"].mean())
        assert np.allclose(means, expected)
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert len(dashed) == 1 and np.isclose(dashed[0].get_ydata()[0], data["yield_g"].mean())
        assert [t.get_text() for t in ax.get_xticklabels()] == list("ABCDEF")
    assert fig.axes[0].get_ylabel() == "Yield"
    # Panels keep their own scales (Dyestuff yields near 1500, Dyestuff2 near 5).
    assert fig.axes[0].get_ylim()[0] > 1000 > fig.axes[1].get_ylim()[1]


def test_ties_are_set_apart():
    data = pd.DataFrame({"g": ["a"] * 3, "y": [1.0, 1.0, 1.0]})
    points = plot_group_strips({"ties": data}, "y", "g").axes[0].collections[0].get_offsets()
    assert len(set(points[:, 0].round(6))) == 3


@pytest.mark.parametrize("panels", [{}, {str(k): pd.DataFrame({"g": ["a"], "y": [1.0]})
                                         for k in range(5)}, [1, 2]])
def test_panels_must_be_one_to_four_frames(panels):
    with pytest.raises(ValueError, match="panels"):
        plot_group_strips(panels, "y", "g")


def test_missing_column_names_the_panel():
    with pytest.raises(ValueError, match="panels\\['demo'\\]"):
        plot_group_strips({"demo": pd.DataFrame({"g": ["a"]})}, "y", "g")
