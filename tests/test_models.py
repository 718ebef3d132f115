"""lmmbook.models core: diagnose_fit, effects tables, ICC, design effect."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.formula.api as smf

from lmmbook.models import (
    design_effect,
    diagnose_fit,
    fixed_effects_table,
    icc_from_fit,
    random_effects_table,
)
from lmmbook.simulate import simulate_schools


def fit_quietly(formula, data, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return smf.mixedlm(formula, data, **kwargs).fit(gtol=1e-8)


def test_fixed_effects_match_lme4(seed42_fit):
    table = fixed_effects_table(seed42_fit).set_index("term")
    # lme4: lmer(score ~ hours + (1 | school), REML = TRUE) on the same data
    assert table.loc["Intercept", "estimate"] == pytest.approx(47.648, abs=5e-4)
    assert table.loc["hours", "estimate"] == pytest.approx(2.874, abs=5e-4)
    assert table.loc["hours", "std_error"] == pytest.approx(0.141, abs=5e-4)
    assert (table["ci_low"] < table["estimate"]).all() and (table["estimate"] < table["ci_high"]).all()


def test_fixed_effects_interval_width_follows_alpha(seed42_fit):
    wide = fixed_effects_table(seed42_fit, alpha=0.01)
    narrow = fixed_effects_table(seed42_fit, alpha=0.10)
    assert ((wide.ci_high - wide.ci_low) > (narrow.ci_high - narrow.ci_low)).all()


def test_random_effects_table_is_long_and_matches_fit(seed42_fit):
    table = random_effects_table(seed42_fit)
    assert list(table.columns) == ["school", "term", "estimate"]
    assert len(table) == 10 and set(table.term) == {"Intercept"}
    first = seed42_fit.random_effects["School 01"].iloc[0]
    assert table.loc[0, "estimate"] == pytest.approx(first)
    assert table.estimate.sum() == pytest.approx(0, abs=1e-6)  # BLUPs centre on zero here


def test_random_effects_table_with_array_groups_and_slopes(seed42_data):
    fit = fit_quietly("score ~ hours", seed42_data, groups=seed42_data["school"].to_numpy())
    assert list(random_effects_table(fit).columns) == ["Group", "term", "estimate"]
    fit = fit_quietly("score ~ hours", seed42_data, groups="school", re_formula="~hours")
    table = random_effects_table(fit)
    assert set(table.term) == {"Intercept", "hours"} and len(table) == 20


def test_icc_uses_cov_re_and_scale(seed42_fit):
    tau2, sigma2 = float(seed42_fit.cov_re.iloc[0, 0]), float(seed42_fit.scale)
    assert icc_from_fit(seed42_fit) == pytest.approx(tau2 / (tau2 + sigma2))
    assert icc_from_fit(seed42_fit) == pytest.approx(54.329 / (54.329 + 21.092), abs=1e-4)


def test_icc_refuses_random_slopes(seed42_data):
    fit = fit_quietly("score ~ hours", seed42_data, groups="school", re_formula="~hours")
    with pytest.raises(ValueError, match="random intercept only"):
        icc_from_fit(fit)


def test_design_effect_values():
    assert design_effect(15, 0) == 1
    assert design_effect(15, 1) == 15
    assert design_effect(1, 0.7) == 1
    assert design_effect(15, 0.5) == 8


def test_diagnose_fit_ok(seed42_fit):
    d = diagnose_fit(seed42_fit)
    assert d.ok and d.converged and not d.boundary and d.messages == ()
    assert "converged" in str(d) and "ok=True" in repr(d)


def test_diagnose_fit_reports_boundary():
    fit = fit_quietly("score ~ hours", simulate_schools(school_sd=0, seed=0), groups="school")
    d = diagnose_fit(fit)
    assert d.boundary and not d.ok
    assert "school variance is estimated as zero" in str(d)
    assert d._repr_markdown_().startswith("**Warning.**")


def test_diagnose_fit_reports_non_convergence():
    fit = fit_quietly("score ~ hours", simulate_schools(school_sd=0, seed=1), groups="school")
    assert not fit.converged
    d = diagnose_fit(fit)
    assert not d.converged and "did not converge" in str(d)


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda f: diagnose_fit("fit"), TypeError, "result must be a fitted MixedLM"),
        (lambda f: diagnose_fit(f, tol=0), ValueError, "tol must be > 0"),
        (lambda f: fixed_effects_table(None), TypeError, "result must be a fitted MixedLM"),
        (lambda f: fixed_effects_table(f, alpha=1.5), ValueError, "alpha must be < 1"),
        (lambda f: fixed_effects_table(f, alpha=0), ValueError, "alpha must be > 0"),
        (lambda f: random_effects_table(42), TypeError, "result must be a fitted MixedLM"),
        (lambda f: icc_from_fit([f]), TypeError, "result must be a fitted MixedLM"),
        (lambda f: design_effect(0, 0.5), ValueError, "cluster_size must be >= 1"),
        (lambda f: design_effect(15, -0.1), ValueError, "icc must be >= 0"),
        (lambda f: design_effect(15, np.nan), ValueError, "icc must be finite"),
        (lambda f: design_effect("15", 0.5), TypeError, "cluster_size must be a real number"),
    ],
)
def test_bad_inputs_name_the_argument(seed42_fit, call, error, match):
    with pytest.raises(error, match=match):
        call(seed42_fit)


def test_diagnose_fit_reports_a_degenerate_fit_that_claims_convergence():
    model = smf.mixedlm("score ~ hours", simulate_schools(school_sd=0, seed=0), groups="school")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        broken, powell = model.fit(), model.fit(method="powell")
    assert broken.converged and not np.isfinite(broken.llf)
    d = diagnose_fit(broken)
    assert d.degenerate and not d.ok and "broke down" in str(d) and "powell" in str(d)
    d = diagnose_fit(powell)
    assert d.converged and not d.degenerate and d.boundary


def test_diagnose_fit_with_plain_array_inputs():
    import statsmodels.api as sm

    df = simulate_schools(school_sd=0, seed=0)
    exog = np.column_stack([np.ones(len(df)), df["hours"].to_numpy()])
    model = sm.MixedLM(df["score"].to_numpy(), exog, groups=df["school"].to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(method="powell")
    d = diagnose_fit(fit)
    assert d.boundary and "The Group variance is estimated as zero" in str(d)


def test_variance_table_with_plain_array_inputs(seed42_data, seed42_fit):
    import statsmodels.api as sm

    from lmmbook.models import variance_table

    exog = np.column_stack([np.ones(len(seed42_data)), seed42_data["hours"].to_numpy()])
    fit = sm.MixedLM(seed42_data["score"].to_numpy(), exog,
                     groups=seed42_data["school"].to_numpy()).fit(reml=True, gtol=1e-8)
    table = variance_table(fit)
    assert list(table.group) == ["Group", "Residual"] and table.term[0] == "Intercept"
    np.testing.assert_allclose(table.variance, variance_table(seed42_fit).variance, rtol=1e-6)


def test_random_effects_table_with_plain_array_inputs(seed42_data, seed42_fit):
    import statsmodels.api as sm

    exog = np.column_stack([np.ones(len(seed42_data)), seed42_data["hours"].to_numpy()])
    fit = sm.MixedLM(seed42_data["score"].to_numpy(), exog,
                     groups=seed42_data["school"].to_numpy()).fit(reml=True)
    table = random_effects_table(fit)
    assert list(table.columns) == ["Group", "term", "estimate"] and set(table.term) == {"Intercept"}
    np.testing.assert_allclose(table.estimate, random_effects_table(seed42_fit).estimate, rtol=1e-5)


def test_the_default_optimiser_stops_short_of_the_reml_optimum(seed42_data):
    """Why the book fits with ``gtol=1e-8``: lme4's REML optimum on the seed data is a
    school variance of 54.329 (residual 21.092); the default tolerance stops at 54.324."""
    model = smf.mixedlm("score ~ hours", seed42_data, groups="school")
    default, tight = model.fit(reml=True), model.fit(reml=True, gtol=1e-8)
    powell = model.fit(reml=True, method="powell")
    assert round(float(default.cov_re.iloc[0, 0]), 3) != 54.329
    for fit in (tight, powell):
        assert round(float(fit.cov_re.iloc[0, 0]), 3) == 54.329
        assert round(float(fit.scale), 3) == 21.092
    assert tight.llf >= default.llf
