"""plot_power_curves and plot_power_by_allocation, tested on the artists they draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lmmbook.plotting import OKABE_ITO, plot_power_by_allocation, plot_power_curves

OKABE = {c.lower() for c in OKABE_ITO}


@pytest.fixture
def curves() -> pd.DataFrame:
    rows = []
    for level in ("school", "student"):
        for m in (4, 16):
            for j in (4, 8, 16):
                exact = min(0.99, 0.02 * j + 0.005 * m + (0.3 if level == "student" else 0.0))
                rows.append({"level": level, "n_schools": j, "n_per_school": m,
                             "power": exact + 0.01, "mc_se": 0.01, "exact": exact,
                             "approx": exact + 0.05})
    return pd.DataFrame(rows)


@pytest.fixture
def allocation() -> pd.DataFrame:
    rows = [{"level": level, "n_schools": j, "n_per_school": 48 // j, "power": p, "mc_se": 0.01,
             "exact": p} for level in ("school", "student") for j, p in ((4, 0.2), (12, 0.5), (24, 0.7))]
    table = pd.DataFrame(rows)
    table.loc[table["level"] == "student", ["power", "exact"]] = 0.9
    return table


def test_power_curves_draws_one_panel_per_level(curves):
    fig = plot_power_curves(curves)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert [ax.get_title(loc="left")[:3] for ax in fig.axes] == ["(a)", "(b)"]
    for ax in fig.axes:
        assert ax.get_xscale() == "log" and ax.get_ylim() == (0, 1.02)
        assert ax.get_xlabel() == "Number of schools (log scale)"
        # one error-bar series per students-per-school value, its points at the simulated powers
        assert [c.get_label() for c in ax.containers] == ["4 students per school", "16 students per school"]
        assert not ax.get_title()   # no in-plot title besides the panel label
    school = fig.axes[0]
    points = school.containers[0].lines[0]
    expected = curves[(curves["level"] == "school") & (curves["n_per_school"] == 4)]
    assert np.allclose(points.get_ydata(), expected["power"])
    # exact (solid) and approximation (dashed) lines, plus the dotted target line
    styles = [line.get_linestyle() for line in school.lines if len(line.get_xdata()) == 3]
    assert styles.count("-") >= 2 and styles.count("--") == 2
    assert any(line.get_linestyle() == ":" and line.get_ydata()[0] == 0.8 for line in school.lines)
    colours = {to_hex(c.lines[0].get_color()) for c in school.containers}
    assert colours <= OKABE and len(colours) == 2
    # error bars are +-1.96 MC SE
    bar = school.containers[0].lines[2][0].get_segments()[0]
    assert np.isclose(bar[1][1] - bar[0][1], 2 * 1.96 * 0.01)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Exact (noncentral t)" in labels and "Design-effect approximation (normal)" in labels


def test_power_curves_without_approximation(curves):
    fig = plot_power_curves(curves.drop(columns="approx"), target=0.9)
    styles = [line.get_linestyle() for line in fig.axes[0].lines]
    assert "--" not in styles
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Power 0.9" in labels and not any("approximation" in x for x in labels)


def test_power_curves_one_level_gives_one_panel(curves):
    fig = plot_power_curves(curves[curves["level"] == "student"])
    assert len(fig.axes) == 1 and fig.axes[0].get_title(loc="left").startswith("(b)")


def test_power_curves_rejects_too_many_sizes(curves):
    many = pd.concat([curves.assign(n_per_school=curves["n_per_school"] * k) for k in (1, 3, 5)])
    with pytest.raises(ValueError, match="n_per_school"):
        plot_power_curves(many)


def test_power_by_allocation_draws_two_series_and_a_top_axis(allocation):
    fig = plot_power_by_allocation(allocation)
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.containers] == [
        "Treatment given to whole schools", "Treatment given to half the students of each school"]
    assert np.allclose(ax.containers[0].lines[0].get_ydata(), [0.2, 0.5, 0.7])
    assert np.allclose(ax.containers[1].lines[0].get_ydata(), 0.9)
    assert ax.get_xscale() == "log"
    top = ax.child_axes[0]
    assert [t.get_text() for t in top.get_xticklabels()] == ["12", "4", "2"]
    assert top.get_xlabel() == "Students per school (total 48 students)"
    assert {to_hex(c.lines[0].get_color()) for c in ax.containers} <= OKABE


def test_power_by_allocation_needs_one_total(allocation):
    bad = allocation.copy()
    bad.loc[0, "n_per_school"] = 5
    with pytest.raises(ValueError, match="one total"):
        plot_power_by_allocation(bad)
    with pytest.raises(ValueError, match="level"):
        plot_power_by_allocation(allocation.assign(level="class"))
