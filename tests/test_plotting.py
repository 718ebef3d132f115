"""lmmbook.plotting core, tested on the artists drawn (nbval does not compare images)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lmmbook.plotting import group_styles, new_figure, plot_school_scatter
from lmmbook.plotting.base import GROUP_COLOURS, MARKERS, TOL_MUTED


def test_scatter_draws_one_collection_per_school(seed42_data):
    fig = plot_school_scatter(seed42_data)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.collections) == 10
    assert sum(len(c.get_offsets()) for c in ax.collections) == 150
    assert ax.get_xlabel() == "Study hours per week" and ax.get_ylabel() == "Test score (points)"
    assert ax.get_title() == "", "the caption is the title"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == sorted(seed42_data.school.unique())


def test_scatter_points_are_the_data(seed42_data):
    ax = plot_school_scatter(seed42_data).axes[0]
    first = seed42_data[seed42_data.school == "School 01"][["hours", "score"]].to_numpy()
    np.testing.assert_allclose(ax.collections[0].get_offsets(), first)


def test_scatter_colours_are_colour_blind_safe(seed42_data):
    ax = plot_school_scatter(seed42_data).axes[0]
    colours = [to_hex(c.get_facecolor()[0], keep_alpha=False).upper() for c in ax.collections]
    assert set(colours) <= {c.upper() for c in GROUP_COLOURS}
    # Ten schools, ten different colours and ten different marker shapes.
    assert len(set(colours)) == 10
    assert len({c.get_paths()[0].vertices.tobytes() for c in ax.collections}) == 10


def test_group_palette_is_tol_muted_plus_grey():
    assert TOL_MUTED == ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
                         "#DDCC77", "#CC6677", "#882255", "#AA4499")
    assert GROUP_COLOURS[:9] == TOL_MUTED and len(set(GROUP_COLOURS)) == 10
    assert len(set(MARKERS)) == len(GROUP_COLOURS) == 10


def test_ten_groups_differ_in_colour_and_marker():
    styles = list(group_styles([f"School {i:02d}" for i in range(1, 11)]).values())
    assert len({s["color"] for s in styles}) == 10
    assert len({s["marker"] for s in styles}) == 10


@pytest.mark.parametrize("n", [30, 100])
def test_group_styles_pairs_are_distinct_for_many_groups(n):
    styles = group_styles([f"g{i}" for i in range(n)])
    pairs = {(s["color"], s["marker"]) for s in styles.values()}
    assert len(pairs) == n


def test_group_styles_depend_on_order_only():
    a = group_styles(["x", "y", "z"])
    b = group_styles(["p", "q", "r"])
    assert list(a.values()) == list(b.values())


def test_new_figure_is_not_registered_with_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig, ax = new_figure(5, 3)
    assert plt.get_fignums() == before
    assert fig.get_size_inches().tolist() == [5, 3]


@pytest.mark.parametrize(
    "data,kwargs,error,match",
    [
        ("not a frame", {}, TypeError, "data must be a pandas DataFrame"),
        (pd.DataFrame(columns=["school", "hours", "score"]), {}, ValueError, "at least 1 rows"),
        (pd.DataFrame({"school": ["a"], "hours": [1.0]}), {}, ValueError, "missing column 'score'"),
        (pd.DataFrame({"school": ["a"], "hours": ["x"], "score": [1.0]}), {}, ValueError, "must be numeric"),
        (pd.DataFrame({"school": ["a"], "hours": [np.inf], "score": [1.0]}), {}, ValueError, "infinite"),
        (pd.DataFrame({"school": [None], "hours": [1.0], "score": [1.0]}), {}, ValueError, "missing values"),
        (pd.DataFrame({"s": ["a"], "hours": [1.0], "score": [1.0]}), {}, ValueError, "missing column 'school'"),
    ],
)
def test_bad_inputs_name_the_argument(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_school_scatter(data, **kwargs)
