"""lmmbook.validation: every check names the argument and what is allowed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lmmbook.validation import check_dataframe, check_int, check_mixedlm_result, check_real


def test_valid_values_pass_through(seed42_fit):
    assert check_int(np.int64(3), "n") == 3 and isinstance(check_int(np.int64(3), "n"), int)
    assert check_real(np.float32(0.5), "x", minimum=0, maximum=1) == 0.5
    assert check_mixedlm_result(seed42_fit) is seed42_fit
    df = pd.DataFrame({"g": ["a", "b"], "y": [1, 2]})
    assert check_dataframe(df, "data", numeric=["y"], columns=["g"]) is df


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: check_int(2.0, "n"), TypeError, "n must be an integer, got float"),
        (lambda: check_int(False, "n"), TypeError, "n must be an integer, got bool"),
        (lambda: check_int(0, "n", minimum=1), ValueError, "n must be >= 1, got 0"),
        (lambda: check_real(None, "x"), TypeError, "x must be a real number, got NoneType"),
        (lambda: check_real(True, "x"), TypeError, "x must be a real number, got bool"),
        (lambda: check_real(-np.inf, "x"), ValueError, "x must be finite"),
        (lambda: check_real(1.0, "x", maximum=1, strict=True), ValueError, "x must be < 1"),
        (lambda: check_real(2.0, "x", maximum=1), ValueError, "x must be <= 1"),
        (lambda: check_dataframe([1, 2], "data"), TypeError, "data must be a pandas DataFrame, got list"),
        (lambda: check_dataframe(pd.DataFrame({"y": []}), "data"), ValueError, "at least 1 rows, got 0"),
        (lambda: check_dataframe(pd.DataFrame({"y": [1]}), "data", min_rows=2), ValueError, "at least 2 rows"),
        (lambda: check_dataframe(pd.DataFrame({"y": [True]}), "d", numeric=["y"]), ValueError,
         r"d\['y'\] must be numeric"),
        (lambda: check_dataframe(pd.DataFrame({"y": [1.0, np.nan]}), "d", numeric=["y"]), ValueError,
         "1 missing values"),
        (lambda: check_mixedlm_result(object(), "fit"), TypeError, "fit must be a fitted MixedLM"),
    ],
)
def test_bad_values_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
