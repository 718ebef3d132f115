"""Tests of the figures of inference for a variance (lmmbook.plotting.varcomp)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lmmbook.plotting import plot_coverage_by_groups, plot_profile_likelihood

CURVE = pd.DataFrame({"group_sd": np.linspace(0, 100, 11), "lr": (np.linspace(0, 100, 11) - 40) ** 2 / 400})
SUMMARY = pd.DataFrame({"method": ["Wald"] * 3 + ["Profile"] * 3, "n_groups": [5, 10, 50] * 2,
                        "coverage": [0.8, 0.87, 0.93, 0.94, 0.94, 0.95], "mc_se": 0.005,
                        "level": 0.95})


def test_profile_draws_each_curve_the_cut_and_the_points():
    points = pd.DataFrame({"group_sd": [20.0, 60.0], "lr": [1.2, 1.1]})
    fig = plot_profile_likelihood({"REML": CURVE, "ML": CURVE.assign(lr=CURVE["lr"] * 1.2)},
                                  cut=3.84, points=points)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert labels == ["REML", "ML", "95% cut (chi-square, 1 df)", "statsmodels profile_re points"]
    assert ax.lines[2].get_ydata()[0] == pytest.approx(3.84)
    assert list(ax.lines[3].get_xdata()) == [20.0, 60.0]
    assert ax.get_ylim()[0] == 0 and ax.get_xlim()[0] == 0
    assert "standard deviation" in ax.get_xlabel()


def test_profile_bad_inputs():
    with pytest.raises(TypeError, match="profiles"):
        plot_profile_likelihood(CURVE, cut=3.84)
    with pytest.raises(ValueError, match="cut"):
        plot_profile_likelihood({"REML": CURVE}, cut=-1)
    with pytest.raises(ValueError, match="lr"):
        plot_profile_likelihood({"REML": CURVE.drop(columns="lr")}, cut=3.84)
    with pytest.raises(ValueError, match="profiles"):
        plot_profile_likelihood({str(i): CURVE for i in range(5)}, cut=3.84)


def test_coverage_draws_one_series_per_method_on_a_log_axis():
    fig = plot_coverage_by_groups(SUMMARY)
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.containers] == ["Wald", "Profile"]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5", "10", "50"]
    # The nominal line and the error bars (1.96 MC SE).
    assert ax.lines[0].get_ydata()[0] == pytest.approx(0.95)
    segments = ax.containers[0][2][0].get_segments()
    assert segments[0][1][1] - segments[0][0][1] == pytest.approx(2 * 1.96 * 0.005)


@pytest.mark.parametrize("change,name", [
    (lambda s: s.assign(level=[0.9] + [0.95] * 5), "level"),
    (lambda s: s.assign(n_groups=0), "n_groups"),
    (lambda s: s.assign(coverage=1.2), "coverage"),
    (lambda s: s.assign(mc_se=-0.1), "mc_se"),
    (lambda s: s.drop(columns="method"), "method"),
])
def test_coverage_bad_inputs(change, name):
    with pytest.raises(ValueError, match=name):
        plot_coverage_by_groups(change(SUMMARY))
