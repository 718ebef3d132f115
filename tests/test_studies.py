"""Tests of lmmbook.studies: one replicate, the coverage study and its summary."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from lmmbook.simulate import simulate_schools
from lmmbook.studies import METHODS, TERMS, fit_replicate, simulate_coverage, summarize_coverage

FORMULA = "score ~ hours + resources"


@pytest.fixture(scope="module")
def schools() -> pd.DataFrame:
    return simulate_schools(n_schools=10, n_per_school=15, seed=42, resources_effect=4.0)


@pytest.fixture(scope="module")
def small_study() -> pd.DataFrame:
    return simulate_coverage(n_sims=12, seed=7)


# --- fit_replicate ------------------------------------------------------------------


def test_fit_replicate_matches_the_formula_fits(schools):
    ols = smf.ols(FORMULA, schools).fit()
    robust = smf.ols(FORMULA, schools).fit(cov_type="cluster",
                                           cov_kwds={"groups": schools["school"]})
    mixed = smf.mixedlm(FORMULA, schools, groups="school").fit(reml=True)
    table = fit_replicate(schools).set_index(["method", "term"])
    for method, fit, params, bse in (
        ("OLS", ols, ols.params, ols.bse),
        ("Cluster-robust OLS", robust, robust.params, robust.bse),
        ("Mixed model", mixed, mixed.fe_params, mixed.bse_fe),
    ):
        ci = fit.conf_int()
        for term in TERMS:
            row = table.loc[(method, term)]
            assert row["estimate"] == pytest.approx(params[term], rel=1e-6)
            assert row["std_error"] == pytest.approx(bse[term], rel=1e-6)
            assert row["ci_low"] == pytest.approx(ci.loc[term, 0], rel=1e-6)
            assert row["ci_high"] == pytest.approx(ci.loc[term, 1], rel=1e-6)


def test_fit_replicate_known_values(schools):
    table = fit_replicate(schools).set_index(["method", "term"])
    # The book's chapter 2 numbers (statsmodels and lme4 agree on the mixed fit).
    assert table.loc[("Mixed model", "hours"), "std_error"] == pytest.approx(0.1409, abs=1e-4)
    assert table.loc[("Mixed model", "resources"), "std_error"] == pytest.approx(2.7357, abs=1e-4)
    assert table.loc[("OLS", "resources"), "std_error"] == pytest.approx(0.7705, abs=1e-4)
    # Cluster-robust keeps the OLS estimates, changes only the standard errors.
    assert table.loc[("OLS", "resources"), "estimate"] == table.loc[
        ("Cluster-robust OLS", "resources"), "estimate"]
    assert table.loc[("OLS", "resources"), "std_error"] != table.loc[
        ("Cluster-robust OLS", "resources"), "std_error"]


def test_fit_replicate_layout(schools):
    table = fit_replicate(schools)
    assert list(table.columns) == ["method", "term", "estimate", "std_error", "ci_low",
                                   "ci_high", "converged", "boundary"]
    assert list(table["method"]) == [m for m in METHODS for _ in TERMS]
    assert list(table["term"]) == list(TERMS) * len(METHODS)
    assert (table["ci_low"] < table["estimate"]).all() and (table["estimate"] < table["ci_high"]).all()
    assert table["converged"].all() and not table["boundary"].any()


def test_fit_replicate_alpha_sets_the_level(schools):
    wide = fit_replicate(schools, alpha=0.01)
    narrow = fit_replicate(schools, alpha=0.2)
    assert ((wide["ci_high"] - wide["ci_low"]) > (narrow["ci_high"] - narrow["ci_low"])).all()
    # z intervals for the mixed model: half-width = z * SE.
    mixed = wide[wide["method"] == "Mixed model"]
    half = (mixed["ci_high"] - mixed["ci_low"]) / 2
    assert np.allclose(half, 2.5758293 * mixed["std_error"])


def test_fit_replicate_reports_a_boundary_fit_without_warnings():
    # No school effects: the REML school variance often ends at zero (seed 2 does).
    flat = simulate_schools(seed=2, school_sd=0, resources_effect=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = fit_replicate(flat)
    mixed = table[table["method"] == "Mixed model"]
    assert mixed["boundary"].all()
    assert not table.loc[table["method"] != "Mixed model", "boundary"].any()


def test_fit_replicate_row_order_does_not_matter(schools):
    shuffled = schools.sample(frac=1, random_state=0)
    a, b = fit_replicate(schools), fit_replicate(shuffled)
    assert np.allclose(a["estimate"], b["estimate"], rtol=1e-5)
    assert np.allclose(a["std_error"], b["std_error"], rtol=1e-4)


def test_fit_replicate_bad_inputs(schools):
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        fit_replicate(schools.to_numpy())
    with pytest.raises(ValueError, match="missing column 'resources'"):
        fit_replicate(simulate_schools())
    with pytest.raises(ValueError, match="alpha must be < 1"):
        fit_replicate(schools, alpha=1.0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        fit_replicate(schools, alpha=0)
    with pytest.raises(ValueError, match="at least 2 schools"):
        fit_replicate(schools.assign(school="School 01"))
    with pytest.raises(ValueError, match="missing values"):
        fit_replicate(schools.assign(score=np.where(schools.index == 3, np.nan, schools["score"])))


# --- simulate_coverage --------------------------------------------------------------


def test_simulate_coverage_layout(small_study):
    assert list(small_study.columns) == [
        "replicate", "method", "term", "truth", "estimate", "std_error", "ci_low", "ci_high",
        "level", "covered", "converged", "boundary",
    ]
    assert len(small_study) == 12 * len(METHODS) * len(TERMS)
    assert sorted(small_study["replicate"].unique()) == list(range(12))
    assert (small_study.groupby("replicate").size() == 6).all()
    assert small_study["covered"].dtype == bool
    assert (small_study["level"] == 0.95).all()
    truth = small_study.groupby("term")["truth"].unique()
    assert truth["hours"].tolist() == [3.0] and truth["resources"].tolist() == [4.0]


def test_simulate_coverage_covered_means_inside_the_interval(small_study):
    inside = (small_study["ci_low"] <= small_study["truth"]) & (
        small_study["truth"] <= small_study["ci_high"])
    assert (small_study["covered"] == inside).all()
    # Both outcomes occur in this small study (OLS misses resources often).
    assert small_study["covered"].any() and not small_study["covered"].all()


def test_first_replicate_is_the_seeded_data_set():
    results = simulate_coverage(n_sims=2, seed=42, resources_effect=4.0)
    first = results[results["replicate"] == 0].reset_index(drop=True)
    expected = fit_replicate(simulate_schools(seed=42, resources_effect=4.0))
    assert np.allclose(first["estimate"], expected["estimate"])
    assert np.allclose(first["ci_low"], expected["ci_low"])
    second = results[results["replicate"] == 1].reset_index(drop=True)
    assert not np.allclose(second["estimate"], expected["estimate"])


def test_simulate_coverage_is_reproducible_and_seed_dependent():
    a = simulate_coverage(n_sims=3, seed=5)
    b = simulate_coverage(n_sims=3, seed=5)
    c = simulate_coverage(n_sims=3, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["estimate"], c["estimate"])


def test_simulate_coverage_passes_the_design_on():
    results = simulate_coverage(n_sims=2, n_schools=4, n_per_school=3, seed=1,
                                resources_effect=-2.0, alpha=0.1)
    assert (results.loc[results["term"] == "resources", "truth"] == -2.0).all()
    assert np.allclose(results["level"], 0.9)
    expected = fit_replicate(
        simulate_schools(4, 3, seed=np.random.default_rng(1), resources_effect=-2.0), alpha=0.1
    )
    assert np.allclose(results.loc[results["replicate"] == 0, "ci_high"], expected["ci_high"])


def test_center_hours_gives_the_within_school_slope():
    results = simulate_coverage(n_sims=2, seed=3, center_hours=True)
    hours = results[results["term"] == "hours"].set_index(["replicate", "method"])["estimate"]
    data = simulate_schools(seed=3, resources_effect=4.0)
    centred = data.assign(hours=data["hours"] - data.groupby("school")["hours"].transform("mean"))
    within = smf.ols("score ~ hours + C(school)", centred).fit().params["hours"]
    # OLS on centred hours is the within-school (fixed-effects) estimate ...
    assert hours.loc[(0, "OLS")] == pytest.approx(within, rel=1e-8)
    # ... and differs from the uncentred fit.
    raw = simulate_coverage(n_sims=1, seed=3)
    assert raw.loc[(raw["term"] == "hours") & (raw["method"] == "OLS"), "estimate"].item() != \
        pytest.approx(within, rel=1e-3)


def test_progress_bar_does_not_change_results(capsys):
    quiet = simulate_coverage(n_sims=2, seed=9)
    shown = simulate_coverage(n_sims=2, seed=9, progress=True)
    pd.testing.assert_frame_equal(quiet, shown)
    err = capsys.readouterr().err  # outside a notebook tqdm draws on stderr
    assert "2/2" in err
    assert "it/s" not in err and "s/it" not in err and "<" not in err  # no rates, no times


def test_problem_fits_are_counted_not_raised():
    # Without school effects many REML fits end on the boundary or fail to converge.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        results = simulate_coverage(n_sims=10, seed=3, school_sd=0.0)
    mixed = results[results["method"] == "Mixed model"]
    assert (~mixed["converged"] | mixed["boundary"]).any()
    ols = results[results["method"] != "Mixed model"]
    assert ols["converged"].all() and not ols["boundary"].any()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_sims": 0}, ValueError, "n_sims must be >= 1"),
        ({"n_sims": 2.5}, TypeError, "n_sims must be an integer"),
        ({"n_schools": 2}, ValueError, "n_schools must be >= 3"),
        ({"n_per_school": 1}, ValueError, "n_per_school must be >= 2"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"seed": np.random.default_rng(1)}, TypeError, "seed must be an integer"),
        ({"resources_effect": float("nan")}, ValueError, "resources_effect must be finite"),
        ({"resources_effect": None}, TypeError, "resources_effect must be a real number"),
        ({"school_sd": -1.0}, ValueError, "school_sd must be >= 0"),
        ({"noise_sd": 0.0}, ValueError, "noise_sd must be > 0"),
        ({"alpha": 1.5}, ValueError, "alpha must be < 1"),
        ({"center_hours": "yes"}, TypeError, "center_hours must be True or False"),
        ({"progress": 1}, TypeError, "progress must be True or False"),
    ],
)
def test_simulate_coverage_bad_inputs(kwargs, error, message):
    with pytest.raises(error, match=message):
        simulate_coverage(**{"n_sims": 1, **kwargs})


def make_results(covered, converged=None, boundary=None, method="OLS", term="hours"):
    n = len(covered)
    return pd.DataFrame({
        "replicate": range(n),
        "method": method,
        "term": term,
        "estimate": np.linspace(2.5, 3.5, n),
        "std_error": 0.25,
        "level": 0.95,
        "covered": covered,
        "converged": [True] * n if converged is None else converged,
        "boundary": [False] * n if boundary is None else boundary,
    })


def test_summarize_coverage_known_case():
    results = make_results([True] * 8 + [False] * 2,
                           converged=[True] * 9 + [False],
                           boundary=[False, True] + [False] * 8)
    row = summarize_coverage(results).iloc[0]
    assert row["n_sims"] == 10
    assert row["coverage"] == pytest.approx(0.8)
    assert row["mc_se"] == pytest.approx(np.sqrt(0.8 * 0.2 / 10))
    assert row["mean_std_error"] == pytest.approx(0.25)
    assert row["sd_estimate"] == pytest.approx(np.std(np.linspace(2.5, 3.5, 10), ddof=1))
    assert row["n_problem_fits"] == 2
    assert row["level"] == 0.95


def test_summarize_coverage_layout_and_order(small_study):
    summary = summarize_coverage(small_study)
    assert list(summary.columns) == ["method", "term", "n_sims", "level", "coverage", "mc_se",
                                     "mean_std_error", "sd_estimate", "n_problem_fits"]
    assert list(zip(summary["method"], summary["term"])) == [
        (m, t) for m in METHODS for t in TERMS]
    assert (summary["n_sims"] == 12).all()
    expected = small_study.groupby(["method", "term"])["covered"].mean()
    for _, row in summary.iterrows():
        assert row["coverage"] == pytest.approx(expected[(row["method"], row["term"])])


def test_summarize_coverage_of_the_chapter_study_is_plausible():
    summary = summarize_coverage(simulate_coverage(n_sims=60, seed=42)).set_index(["method", "term"])
    # OLS's interval for the school-level covariate is far too narrow.
    assert summary.loc[("OLS", "resources"), "coverage"] < 0.75
    assert summary.loc[("OLS", "resources"), "mean_std_error"] < 0.4 * summary.loc[
        ("Mixed model", "resources"), "mean_std_error"]
    # For hours, the mixed model's SE is the smaller one.
    assert summary.loc[("Mixed model", "hours"), "mean_std_error"] < summary.loc[
        ("OLS", "hours"), "mean_std_error"]


def test_summarize_coverage_bad_inputs():
    good = make_results([True, False])
    with pytest.raises(TypeError, match="results must be a pandas DataFrame"):
        summarize_coverage([1, 2])
    with pytest.raises(ValueError, match="missing column 'covered'"):
        summarize_coverage(good.drop(columns="covered"))
    with pytest.raises(ValueError, match=r"results\['covered'\] must be boolean"):
        summarize_coverage(good.assign(covered=[1, 0]))
    with pytest.raises(ValueError, match=r"results\['boundary'\] must be boolean"):
        summarize_coverage(good.assign(boundary=["no", "no"]))
    with pytest.raises(ValueError, match="must be numeric"):
        summarize_coverage(good.assign(std_error=["a", "b"]))


def test_a_degenerate_mixed_fit_is_flagged_not_counted_as_converged(monkeypatch):
    """A fit that says it converged but broke down must not pass as a good replicate."""
    import lmmbook.studies as studies_module
    from lmmbook.models import FitDiagnosis

    broken = FitDiagnosis(converged=True, boundary=True, degenerate=True, messages=("broke down",))
    monkeypatch.setattr(studies_module, "diagnose_fit", lambda fit: broken)
    data = simulate_schools(seed=3, resources_effect=4.0)
    table = studies_module.fit_replicate(data)
    mixed = table[table.method == "Mixed model"]
    assert (~mixed.converged).all() and mixed.boundary.all()
    assert table[table.method != "Mixed model"].converged.all()
