"""lmmbook.models.variance_table: variances read from cov_re, vcomp and scale."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from lmmbook.models import variance_table


def test_known_values_of_the_running_example(seed42_fit):
    table = variance_table(seed42_fit)
    assert list(table.columns) == ["group", "term", "variance", "sd"]
    assert table["group"].tolist() == ["school", "Residual"]
    assert table["term"].tolist() == ["Intercept", ""]
    # lme4's REML optimum (tests/test_models.py holds the R call): 54.329 and 21.092.
    np.testing.assert_allclose(table["variance"], [54.329, 21.092], atol=6e-4)
    np.testing.assert_allclose(table["sd"], np.sqrt(table["variance"]))


def test_variances_come_from_cov_re_and_scale_not_params(seed42_fit):
    table = variance_table(seed42_fit)
    assert table.loc[0, "variance"] == pytest.approx(float(seed42_fit.cov_re.iloc[0, 0]))
    assert table.loc[1, "variance"] == pytest.approx(seed42_fit.scale)
    # params holds the ratio to the scale, which must not be reported as the variance
    assert table.loc[0, "variance"] != pytest.approx(seed42_fit.params["school Var"])


def test_groups_passed_as_array_are_named_group(seed42_data):
    fit = smf.mixedlm("score ~ hours", seed42_data,
                      groups=seed42_data["school"].to_numpy()).fit(gtol=1e-8)
    table = variance_table(fit)
    assert table["group"].tolist() == ["Group", "Residual"]
    assert table.loc[0, "term"] == "Intercept"
    assert table.loc[0, "variance"] == pytest.approx(54.329, abs=6e-4)


def test_random_slope_gives_one_row_per_variance(seed42_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.mixedlm("score ~ hours", seed42_data, groups="school",
                          re_formula="~hours").fit()
    table = variance_table(fit)
    assert table["term"].tolist() == ["Intercept", "hours", ""]
    cov = fit.cov_re.to_numpy()
    np.testing.assert_allclose(table["variance"][:2], np.diag(cov))
    assert table.loc[2, "variance"] == pytest.approx(fit.scale)


def test_vc_formula_components_are_included(seed42_data):
    data = seed42_data.copy()
    data["classroom"] = np.tile(np.repeat(["a", "b", "c"], 5), 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.mixedlm("score ~ hours", data, groups="school",
                          vc_formula={"classroom": "0 + C(classroom)"}).fit()
    table = variance_table(fit)
    assert "classroom" in table["term"].tolist()
    row = table[table["term"] == "classroom"].iloc[0]
    assert row["variance"] == pytest.approx(float(np.atleast_1d(fit.vcomp)[0]))
    assert table["group"].iloc[-1] == "Residual"


def test_sd_of_a_zero_variance_is_zero(seed42_fit):
    from lmmbook.simulate import simulate_schools

    flat = simulate_schools(school_sd=0, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.mixedlm("score ~ hours", flat, groups="school").fit()
    table = variance_table(fit)
    assert table.loc[0, "variance"] == 0.0 and table.loc[0, "sd"] == 0.0
    assert np.isfinite(table["sd"]).all()


@pytest.mark.parametrize("bad", ["a fit", None, 3.0, pd.DataFrame()])
def test_rejects_what_is_not_a_mixedlm_fit(bad):
    with pytest.raises(TypeError, match="result must be a fitted MixedLM result"):
        variance_table(bad)


def test_rejects_an_ols_fit(seed42_data):
    ols = smf.ols("score ~ hours", seed42_data).fit()
    with pytest.raises(TypeError, match="MixedLM"):
        variance_table(ols)
