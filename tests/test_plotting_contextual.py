"""plot_within_between, tested on the artists it draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lmmbook.plotting import OKABE_ITO, plot_within_between

OKABE = {c.lower() for c in OKABE_ITO}


@pytest.fixture
def data() -> pd.DataFrame:
    """Four groups whose means rise steeply (slope 3) and whose rows rise gently (slope 1)."""
    rng = np.random.default_rng(1)
    rows = []
    for k, group in enumerate(["a", "b", "c", "d"]):
        x = k + rng.normal(0, 0.5, 20)
        x = x - x.mean() + k                       # group mean of x exactly k
        y = 3.0 * k + 1.0 * (x - k) + rng.normal(0, 0.1, 20)
        rows.append(pd.DataFrame({"g": group, "x": x, "y": y}))
    return pd.concat(rows, ignore_index=True)


def slope(line) -> float:
    xs, ys = line.get_data()
    return float((ys[-1] - ys[0]) / (xs[-1] - xs[0]))


def test_group_means_in_groupby_order(data):
    fig = plot_within_between(data, "x", "y", "g", between=(0.0, 3.0), within_slope=1.0,
                              highlight=["b"])
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    means = data.groupby("g")[["x", "y"]].mean()
    np.testing.assert_allclose(ax.collections[0].get_offsets(), means.to_numpy())
    assert ax.get_title() == ""                        # the caption is the title


def test_within_lines_through_group_means_over_their_range(data):
    fig = plot_within_between(data, "x", "y", "g", between=(0.0, 3.0), within_slope=1.2,
                              highlight=["a", "d"])
    ax = fig.axes[0]
    assert len(ax.lines) == 3                          # two within lines, then the between line
    means = data.groupby("g")[["x", "y"]].mean()
    for line, group in zip(ax.lines[:2], ["a", "d"]):
        assert slope(line) == pytest.approx(1.2)
        xs, ys = line.get_data()
        rows = data[data["g"] == group]
        np.testing.assert_allclose(xs, [rows["x"].min(), rows["x"].max()])
        x0, y0 = means.loc[group]
        assert ys[0] + 1.2 * (x0 - xs[0]) == pytest.approx(y0)
    # The highlighted groups' rows: one collection each, in highlight order.
    for collection, group in zip(ax.collections[1:], ["a", "d"]):
        np.testing.assert_allclose(collection.get_offsets(),
                                   data.loc[data["g"] == group, ["x", "y"]].to_numpy())


def test_between_line_black_over_range_of_means_and_mixed_dashed(data):
    fig = plot_within_between(data, "x", "y", "g", between=(0.5, 3.0), within_slope=1.0,
                              highlight=["c"], mixed=(1.0, 1.5))
    ax = fig.axes[0]
    between, mixed = ax.lines[-2], ax.lines[-1]
    np.testing.assert_allclose(between.get_xdata(), [0.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(between.get_ydata(), [0.5, 9.5], atol=1e-12)
    assert to_hex(between.get_color()) == "#000000" and between.get_linestyle() == "-"
    assert slope(mixed) == pytest.approx(1.5) and mixed.get_linestyle() == "--"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Between groups: slope 3.00" in labels
    assert "Mixed model, raw predictor: slope 1.50" in labels
    assert any(label.startswith("g c:") for label in labels)


def test_colour_blind_safe_distinct_colours_and_markers(data):
    fig = plot_within_between(data, "x", "y", "g", between=(0.0, 3.0), within_slope=1.0,
                              highlight=["a", "b", "c", "d"])
    ax = fig.axes[0]
    colours = [to_hex(line.get_color()) for line in ax.lines[:4]]
    assert len(set(colours)) == 4 and set(colours) <= OKABE
    assert "#f0e442" not in colours and "#000000" not in colours    # no pale yellow, no black
    for collection, colour in zip(ax.collections[1:], colours):
        assert to_hex(collection.get_facecolor()[0], keep_alpha=False) == colour
    paths = {tuple(map(tuple, c.get_paths()[0].vertices.round(3))) for c in ax.collections[1:]}
    assert len(paths) == 4                             # a different marker per group


def test_labels_default_to_column_names(data):
    ax = plot_within_between(data, "x", "y", "g", between=(0.0, 3.0), within_slope=1.0,
                             highlight=["a"]).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    ax = plot_within_between(data, "x", "y", "g", between=(0.0, 3.0), within_slope=1.0,
                             highlight=["a"], xlabel="SES", ylabel="Score (points)").axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("SES", "Score (points)")


@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"highlight": []}, ValueError, "highlight"),
        ({"highlight": ["a", "b", "c", "d", "a"]}, ValueError, "highlight"),
        ({"highlight": ["z"]}, ValueError, "highlight"),
        ({"highlight": "a"}, TypeError, "highlight"),
        ({"within_slope": float("nan")}, ValueError, "within_slope"),
        ({"between": (1.0,)}, TypeError, "between"),
        ({"mixed": (1.0, "b")}, TypeError, "mixed"),
        ({"xlabel": 3}, TypeError, "xlabel"),
    ],
)
def test_bad_input_names_the_argument(data, kwargs, error, argument):
    arguments = {"between": (0.0, 3.0), "within_slope": 1.0, "highlight": ["a"], **kwargs}
    with pytest.raises(error, match=argument):
        plot_within_between(data, "x", "y", "g", **arguments)


def test_bad_data_names_the_column(data):
    with pytest.raises(ValueError, match="'w'"):
        plot_within_between(data, "w", "y", "g", between=(0.0, 3.0), within_slope=1.0,
                            highlight=["a"])
    with pytest.raises(TypeError, match="data"):
        plot_within_between(data.to_numpy(), "x", "y", "g", between=(0.0, 3.0),
                            within_slope=1.0, highlight=["a"])


def test_default_optimiser_stops_short_on_hsb82_as_the_chapter_says():
    """Chapter "Within and between effects": with gtol=1e-8 the default fit of
    math ~ ses warns, retries, and reports convergence about 2% below lme4's
    school variance; Powell polished by BFGS reaches lme4's optimum."""
    import warnings

    import statsmodels.formula.api as smf

    from lmmbook.reference import fit_catalogue_model, load_lme4_fits, load_model_data

    lme4 = load_lme4_fits().query("model == 'hsb_ses'").set_index(["quantity", "term"])["value"]
    model = smf.mixedlm("math ~ ses", load_model_data("hsb82"), groups="school")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        default = model.fit(reml=True, gtol=1e-8)
    assert any("failed to converge" in str(w.message) for w in caught)
    assert default.converged
    shortfall = 1 - default.cov_re.iloc[0, 0] / lme4["variance", "school|(Intercept)|"]
    assert 0.015 < shortfall < 0.025                   # "about 2% below"
    assert -2 * default.llf - lme4["reml_criterion", ""] > 0.01
    best = fit_catalogue_model("hsb_ses")
    assert abs(-2 * best.llf - lme4["reml_criterion", ""]) < 1e-3
