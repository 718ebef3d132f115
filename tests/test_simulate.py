"""simulate_schools: the book's data-generating process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lmmbook.simulate import school_labels, simulate_schools


def original_loop(seed=42, n_schools=10, n_per_school=15):
    """The tutorial's loop, written out: effects first, then hours and noise per school."""
    rng = np.random.default_rng(seed)
    effects = rng.normal(0, 8, n_schools)
    rows = []
    for j in range(n_schools):
        hours = rng.uniform(1, 10, n_per_school)
        noise = rng.normal(0, 5, n_per_school)
        for k in range(n_per_school):
            rows.append((f"School {j + 1:02d}", hours[k], 50 + 3 * hours[k] + effects[j] + noise[k]))
    return pd.DataFrame(rows, columns=["school", "hours", "score"]), effects


def test_reproduces_the_original_loop_exactly(seed42_data):
    expected, effects = original_loop()
    pd.testing.assert_frame_equal(seed42_data, expected, check_exact=True)
    np.testing.assert_array_equal(seed42_data.attrs["truth"]["school_effects"].to_numpy(), effects)


@pytest.mark.parametrize("seed,n_schools,n_per_school", [(0, 3, 4), (7, 12, 2), (123, 1, 1)])
def test_reproduces_the_loop_for_other_designs(seed, n_schools, n_per_school):
    expected, _ = original_loop(seed, n_schools, n_per_school)
    pd.testing.assert_frame_equal(simulate_schools(n_schools, n_per_school, seed), expected)


def test_tidy_columns_and_truth(seed42_data):
    assert list(seed42_data.columns) == ["school", "hours", "score"]
    assert seed42_data.groupby("school").size().eq(15).all()
    truth = seed42_data.attrs["truth"]
    assert (truth["intercept"], truth["slope"], truth["school_sd"], truth["noise_sd"]) == (50, 3, 8, 5)
    assert list(truth["school_effects"].index) == school_labels(10)


def test_generator_seed_draws_from_the_given_stream():
    a = simulate_schools(seed=np.random.default_rng(5))
    b = simulate_schools(seed=5)
    pd.testing.assert_frame_equal(a, b)


def test_resources_leave_the_other_columns_unchanged(seed42_data):
    with_res = simulate_schools(seed=42, resources_effect=2.0)
    pd.testing.assert_series_equal(with_res["hours"], seed42_data["hours"])
    per_school = with_res.groupby("school")["resources"].nunique()
    assert per_school.eq(1).all(), "resources must be constant within a school"
    np.testing.assert_allclose(with_res["score"] - 2.0 * with_res["resources"], seed42_data["score"])


def test_zero_school_sd_gives_no_school_effects():
    df = simulate_schools(school_sd=0)
    assert (df.attrs["truth"]["school_effects"] == 0).all()


def test_labels_sort_naturally():
    labels = school_labels(12)
    assert labels == sorted(labels) and labels[9] == "School 10"


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"n_schools": 0}, ValueError, "n_schools must be >= 1"),
        ({"n_schools": 2.5}, TypeError, "n_schools must be an integer"),
        ({"n_schools": True}, TypeError, "n_schools must be an integer"),
        ({"n_per_school": -3}, ValueError, "n_per_school must be >= 1"),
        ({"n_per_school": "15"}, TypeError, "n_per_school must be an integer"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"seed": 1.5}, TypeError, "seed must be an integer"),
        ({"school_sd": -1}, ValueError, "school_sd must be >= 0"),
        ({"noise_sd": 0}, ValueError, "noise_sd must be > 0"),
        ({"noise_sd": float("nan")}, ValueError, "noise_sd must be finite"),
        ({"intercept": float("inf")}, ValueError, "intercept must be finite"),
        ({"slope": "3"}, TypeError, "slope must be a real number"),
        ({"hours_range": (10, 1)}, ValueError, "hours_range must have low < high"),
        ({"hours_range": 5}, TypeError, "hours_range must be a"),
        ({"hours_range": (1, None)}, TypeError, r"hours_range\[1\] must be a real number"),
        ({"resources_effect": "big"}, TypeError, "resources_effect must be a real number"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_schools(**kwargs)
