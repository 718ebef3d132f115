"""Figures of chapters 5 and 6: ICC panels, school lines, new-school bands.

Tested on the artists drawn (nbval does not compare images).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lmmbook.plotting import (
    OKABE_ITO,
    group_styles,
    plot_icc_panels,
    plot_new_school_bands,
    plot_school_lines,
)
from lmmbook.prediction import predict_new_school
from lmmbook.simulate import simulate_schools


@pytest.fixture(scope="module")
def lines(seed42_fit):
    u = {s: e.iloc[0] for s, e in seed42_fit.random_effects.items()}
    return pd.DataFrame({
        "school": list(u),
        "intercept": seed42_fit.fe_params["Intercept"] + np.array(list(u.values())),
        "slope": seed42_fit.fe_params["hours"],
    })


@pytest.fixture(scope="module")
def population(seed42_fit):
    return (seed42_fit.fe_params["Intercept"], seed42_fit.fe_params["hours"])


def slope_of(line):
    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    return (y[-1] - y[0]) / (x[-1] - x[0])


# plot_icc_panels -------------------------------------------------------------------------


def test_icc_panels_one_axes_per_data_set_with_labels():
    panels = {
        "(a) low": simulate_schools(school_sd=1, seed=1),
        "(b) mid": simulate_schools(seed=1),
        "(c) high": simulate_schools(noise_sd=1, seed=1),
    }
    fig = plot_icc_panels(panels)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    assert [ax.get_title(loc="left") for ax in fig.axes] == list(panels)
    assert all(ax.get_title() == "" for ax in fig.axes)  # no centred title
    for ax, data in zip(fig.axes, panels.values()):
        assert len(ax.collections) == 10
        assert sum(len(c.get_offsets()) for c in ax.collections) == len(data)
        assert ax.get_xlabel() == "Study hours per week"
    assert fig.axes[0].get_ylabel() == "Test score (points)"
    # Shared axes, so spreads compare by eye.
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim() == fig.axes[2].get_ylim()


def test_icc_panels_points_and_colours_are_the_data():
    data = simulate_schools(n_schools=3, seed=2)
    ax = plot_icc_panels({"only": data}).axes[0]
    first = data[data.school == "School 01"][["hours", "score"]].to_numpy()
    np.testing.assert_allclose(ax.collections[0].get_offsets(), first)
    colours = [to_hex(c.get_facecolor()[0], keep_alpha=False) for c in ax.collections]
    expected = [s["color"] for s in group_styles(sorted(data.school.unique())).values()]
    assert [c.upper() for c in colours] == [c.upper() for c in expected]


@pytest.mark.parametrize(
    "panels,error,match",
    [
        ([simulate_schools()], TypeError, "panels must be a dict"),
        ({}, ValueError, "1 to 4 data sets"),
        ({str(i): simulate_schools() for i in range(5)}, ValueError, "1 to 4 data sets"),
        ({1: simulate_schools()}, TypeError, "keys must be str"),
        ({"a": "frame"}, TypeError, "panels\\['a'\\] must be a pandas DataFrame"),
        ({"a": pd.DataFrame({"school": ["s"], "hours": [1.0]})}, ValueError,
         "missing column 'score'"),
    ],
)
def test_icc_panels_bad_inputs(panels, error, match):
    with pytest.raises(error, match=match):
        plot_icc_panels(panels)


# plot_school_lines -------------------------------------------------------------------------


def test_school_lines_draws_parallel_lines_and_dashed_population(seed42_data, lines, population):
    fig = plot_school_lines(seed42_data, lines, population)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 11 and len(ax.collections) == 10
    school_lines, pop = ax.lines[:10], ax.lines[10]
    assert all(slope_of(line) == pytest.approx(population[1]) for line in school_lines)
    assert slope_of(pop) == pytest.approx(population[1])
    assert pop.get_linestyle() == "--" and to_hex(pop.get_color()) == OKABE_ITO[7]
    # Each school's line sits at its own intercept, in its own colour.
    styles = group_styles(sorted(seed42_data.school.unique()))
    for line, (_, row) in zip(school_lines, lines.sort_values("school").iterrows()):
        x, y = line.get_xdata(), line.get_ydata()
        assert y[0] == pytest.approx(row["intercept"] + row["slope"] * x[0])
        assert to_hex(line.get_color()).upper() == styles[row["school"]]["color"].upper()
    assert pop.get_ydata()[0] == pytest.approx(population[0] + population[1] * pop.get_xdata()[0])


def test_school_lines_span_the_data_and_are_labelled(seed42_data, lines, population):
    ax = plot_school_lines(seed42_data, lines, population).axes[0]
    for line in ax.lines:
        assert min(line.get_xdata()) == pytest.approx(seed42_data.hours.min())
        assert max(line.get_xdata()) == pytest.approx(seed42_data.hours.max())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Population (fixed effects)"]
    assert ax.get_xlabel() == "Study hours per week" and ax.get_ylabel() == "Test score (points)"
    assert ax.get_title() == ""


def test_school_lines_are_labelled_directly(seed42_data, lines, population):
    ax = plot_school_lines(seed42_data, lines, population).axes[0]
    schools = sorted(seed42_data.school.unique())
    assert sorted(t.get_text() for t in ax.texts) == schools
    styles = group_styles(schools)
    ends = {line.get_label(): line.get_ydata()[-1] for line in ax.lines[:10]}
    x_end = seed42_data.hours.max()
    low, high = ax.get_ylim()
    placed = {}
    for text in ax.texts:
        school = text.get_text()
        # The leader starts at the line's right end and is in the school's colour.
        assert text.xy == pytest.approx((x_end, ends[school]))
        assert to_hex(text.arrow_patch.get_edgecolor()).upper() == styles[school]["color"].upper()
        assert text.get_position()[0] > 1  # in the right margin (axes coordinates)
        placed[school] = text.get_position()[1]
    # Labels keep the order of the line ends, at least 4.5% of the axis apart, inside it.
    by_end = sorted(ends, key=ends.get)
    heights = np.array([placed[s] for s in by_end])
    assert (np.diff(heights) >= 0.045 * (high - low) - 1e-9).all()
    assert heights.min() >= low and heights.max() <= high
    # Where lines end far apart, the label sits level with the line.
    assert placed[by_end[0]] == pytest.approx(ends[by_end[0]], abs=0.045 * (high - low))


def test_school_lines_have_distinct_colours_and_markers(seed42_data, lines, population):
    ax = plot_school_lines(seed42_data, lines, population).axes[0]
    school_lines = ax.lines[:10]
    assert len({to_hex(line.get_color()) for line in school_lines}) == 10
    assert len({line.get_marker() for line in school_lines}) == 10


def test_school_lines_order_of_rows_does_not_matter(seed42_data, lines, population):
    a = plot_school_lines(seed42_data, lines, population).axes[0]
    b = plot_school_lines(seed42_data, lines.iloc[::-1], population).axes[0]
    for la, lb in zip(a.lines, b.lines):
        np.testing.assert_allclose(la.get_ydata(), lb.get_ydata())


@pytest.mark.parametrize(
    "change,error,match",
    [
        (lambda d, l, p: ("data", l, p), TypeError, "data must be a pandas DataFrame"),
        (lambda d, l, p: (d, l.drop(columns="slope"), p), ValueError, "lines is missing column 'slope'"),
        (lambda d, l, p: (d, l.iloc[:9], p), ValueError, "same groups"),
        (lambda d, l, p: (d, pd.concat([l, l.iloc[:1]]), p), ValueError, "more than one row"),
        (lambda d, l, p: (d, l.assign(intercept=np.nan), p), ValueError, "missing values"),
        (lambda d, l, p: (d, l, 50.0), TypeError, "population must be a pair"),
        (lambda d, l, p: (d, l, (50.0, "x")), TypeError, "population\\[1\\] must be a real"),
    ],
)
def test_school_lines_bad_inputs(seed42_data, lines, population, change, error, match):
    with pytest.raises(error, match=match):
        plot_school_lines(*change(seed42_data, lines, population))


# plot_new_school_bands ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def prediction(seed42_fit):
    return predict_new_school(seed42_fit, np.linspace(1, 10, 19))


def test_bands_draw_two_fills_student_lines_and_dashed_estimate(prediction, seed42_data):
    fig = plot_new_school_bands(prediction, data=seed42_data)
    ax = fig.axes[0]
    scatter, school_fill, conf_fill = ax.collections
    assert len(scatter.get_offsets()) == 150
    # fill_between polygons span exactly the band ends.
    for fill, band in ((school_fill, "school"), (conf_fill, "conf")):
        ys = fill.get_paths()[0].vertices[:, 1]
        assert ys.min() == pytest.approx(prediction[f"{band}_low"].min())
        assert ys.max() == pytest.approx(prediction[f"{band}_high"].max())
    low, high, estimate = ax.lines
    np.testing.assert_allclose(low.get_ydata(), prediction["student_low"])
    np.testing.assert_allclose(high.get_ydata(), prediction["student_high"])
    np.testing.assert_allclose(estimate.get_ydata(), prediction["estimate"])
    assert estimate.get_linestyle() == "--" and low.get_linestyle() == ":"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "Observed students",
        "95% band: a new school's line",
        "95% band: population line",
        "95% band: a new student\nin a new school",
        "Population line (fixed effects)",
    ]
    assert ax.get_xlabel() == "Study hours per week" and ax.get_ylabel() == "Test score (points)"
    assert ax.get_title() == ""


def test_bands_without_data_and_other_level(seed42_fit):
    pred = predict_new_school(seed42_fit, [1.0, 10.0], level=0.8)
    ax = plot_new_school_bands(pred, level=0.8).axes[0]
    assert len(ax.collections) == 2 and len(ax.lines) == 3
    assert ax.get_legend().get_texts()[0].get_text() == "80% band: a new school's line"


@pytest.mark.parametrize(
    "change,kwargs,error,match",
    [
        (lambda p: "pred", {}, TypeError, "prediction must be a pandas DataFrame"),
        (lambda p: p.drop(columns="conf_low"), {}, ValueError, "missing column 'conf_low'"),
        (lambda p: p.iloc[:1], {}, ValueError, "at least 2 rows"),
        (lambda p: p.iloc[::-1], {}, ValueError, "sorted by 'hours'"),
        (lambda p: p, {"data": pd.DataFrame({"hours": [1.0]})}, ValueError, "missing column 'score'"),
        (lambda p: p, {"level": 0.0}, ValueError, "level must be > 0"),
    ],
)
def test_bands_bad_inputs(prediction, change, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_new_school_bands(change(prediction), **kwargs)


def test_bands_with_an_existing_school(seed42_fit, prediction, seed42_data):
    from lmmbook.prediction import predict_existing_school

    existing = predict_existing_school(seed42_fit, "School 05", prediction["hours"])
    ax = plot_new_school_bands(prediction, data=seed42_data, existing=existing,
                               existing_label="School 05").axes[0]
    assert len(ax.collections) == 3 and len(ax.lines) == 6
    line, low, high = ax.lines[3:]
    np.testing.assert_allclose(line.get_ydata(), existing["estimate"])
    np.testing.assert_allclose(low.get_ydata(), existing["student_low"])
    np.testing.assert_allclose(high.get_ydata(), existing["student_high"])
    assert to_hex(line.get_color()) == OKABE_ITO[0].lower() and low.get_linestyle() == "-."
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-2:] == ["School 05's line", "95% band: a new student\nin School 05"]


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"existing": "frame"}, TypeError, "existing must be a pandas DataFrame"),
        ({"existing_label": 5}, TypeError, "existing_label must be a str"),
    ],
)
def test_bands_existing_bad_inputs(prediction, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_new_school_bands(prediction, **kwargs)


def test_bands_existing_must_be_sorted(seed42_fit, prediction):
    from lmmbook.prediction import predict_existing_school

    existing = predict_existing_school(seed42_fit, "School 05", [5.0, 1.0])
    with pytest.raises(ValueError, match="existing must be sorted"):
        plot_new_school_bands(prediction, existing=existing)
