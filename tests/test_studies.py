"""Tests of lmmbook.studies: one replicate, the simulation of estimates and its summary."""

from __future__ import annotations

import base64
import io
import itertools
import warnings

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.linalg import block_diag

import lmmbook.studies as studies_module
from lmmbook.simulate import simulate_schools
from lmmbook.studies import (
    FITS,
    TERMS,
    fit_replicate,
    simulate_estimates,
    summarize_estimates,
)

FORMULA = "score ~ hours + resources"


@pytest.fixture(scope="module")
def schools() -> pd.DataFrame:
    return simulate_schools(n_schools=10, n_per_school=15, seed=42, resources_effect=4.0)


@pytest.fixture(scope="module")
def small_study() -> pd.DataFrame:
    return simulate_estimates(n_sims=12, seed=7)


def tight_mixed_fit(data: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return smf.mixedlm(FORMULA, data, groups="school").fit(reml=True, gtol=1e-10)


def conditional_se(fit, data: pd.DataFrame) -> pd.Series:
    """sqrt(diag(sigma^2 (X' V*^-1 X)^-1)) from a statsmodels fit, with a dense V."""
    X = np.column_stack([np.ones(len(data)), data["hours"], data["resources"]])
    gamma = fit.cov_re.iloc[0, 0] / fit.scale
    blocks = [np.eye(len(g)) + gamma * np.ones((len(g), len(g)))
              for _, g in data.groupby("school", sort=False)]
    v_inv = np.linalg.inv(block_diag(*blocks))
    cov = fit.scale * np.linalg.inv(X.T @ v_inv @ X)
    return pd.Series(np.sqrt(np.diag(cov)), index=["Intercept", "hours", "resources"])


def reml_objective(data: pd.DataFrame, theta: float) -> float:
    """-2 x the profiled REML log-likelihood (plus a constant) at tau / sigma = theta, dense V."""
    X = np.column_stack([np.ones(len(data)), data["hours"], data["resources"]])
    y = data["score"].to_numpy()
    blocks = [np.eye(len(g)) + theta**2 * np.ones((len(g), len(g)))
              for _, g in data.groupby("school", sort=False)]
    order = np.concatenate([g.index.map(data.index.get_loc) for _, g in data.groupby("school", sort=False)])
    X, y = X[order], y[order]
    v = block_diag(*blocks)
    v_inv = np.linalg.inv(v)
    xvx = X.T @ v_inv @ X
    beta = np.linalg.solve(xvx, X.T @ v_inv @ y)
    r = (y - X @ beta) @ v_inv @ (y - X @ beta)
    n, p = X.shape
    return float((n - p) * np.log(r) + np.linalg.slogdet(v)[1] + np.linalg.slogdet(xvx)[1])


def fitted_theta(data: pd.DataFrame) -> float:
    groups = pd.factorize(data["school"], sort=True)[0]
    y, exog = studies_module._design(data, groups, center_hours=False)
    return studies_module._reml_random_intercept(y, exog, groups)[2]


# --- fit_replicate ------------------------------------------------------------------


def test_fit_replicate_matches_the_formula_fits(schools):
    ols = smf.ols(FORMULA, schools).fit()
    robust = smf.ols(FORMULA, schools).fit(cov_type="cluster",
                                           cov_kwds={"groups": schools["school"]})
    mixed = tight_mixed_fit(schools)
    table = fit_replicate(schools).set_index(["fit", "term"])
    for term in TERMS:
        assert table.loc[("OLS", term), "estimate"] == pytest.approx(ols.params[term], rel=1e-10)
        assert table.loc[("OLS", term), "std_error"] == pytest.approx(ols.bse[term], rel=1e-10)
        assert table.loc[("Cluster-robust OLS", term), "estimate"] == pytest.approx(
            robust.params[term], rel=1e-10)
        assert table.loc[("Cluster-robust OLS", term), "std_error"] == pytest.approx(
            robust.bse[term], rel=1e-10)
        assert table.loc[("Mixed model", term), "estimate"] == pytest.approx(
            mixed.fe_params[term], rel=1e-7)
        # statsmodels' bse_fe inverts the full observed information: the fourth digit may differ.
        assert table.loc[("Mixed model", term), "std_error"] == pytest.approx(
            mixed.bse_fe[term], rel=1e-3)


@pytest.mark.parametrize(("seed", "school_sd"), [(1, 8.0), (2, 8.0), (3, 1.0), (5, 3.0)])
def test_mixed_fit_is_the_reml_optimum_with_lme4_standard_errors(seed, school_sd):
    data = simulate_schools(seed=seed, school_sd=school_sd, resources_effect=4.0)
    mixed = tight_mixed_fit(data)
    table = fit_replicate(data).set_index(["fit", "term"]).loc["Mixed model"]
    # Same optimum as statsmodels with a tight tolerance ...
    assert np.allclose(table["estimate"], mixed.fe_params[list(TERMS)], rtol=1e-6, atol=1e-8)
    # ... and the conditional standard errors (lme4's vcov) computed independently with a dense V.
    expected = conditional_se(mixed, data)
    assert np.allclose(table["std_error"], expected[list(TERMS)], rtol=1e-5)


def test_fit_replicate_known_values(schools):
    table = fit_replicate(schools).set_index(["fit", "term"])
    # The book's numbers (lme4: 0.1409 and 2.7358 for the mixed model).
    assert table.loc[("Mixed model", "hours"), "std_error"] == pytest.approx(0.1409, abs=1e-4)
    assert table.loc[("Mixed model", "resources"), "std_error"] == pytest.approx(2.7358, abs=1e-4)
    assert table.loc[("OLS", "resources"), "std_error"] == pytest.approx(0.7705, abs=1e-4)
    assert table.loc[("Cluster-robust OLS", "resources"), "std_error"] == pytest.approx(2.2276, abs=1e-4)
    # Cluster-robust keeps the OLS estimates, changes only the standard errors.
    assert table.loc[("OLS", "resources"), "estimate"] == table.loc[
        ("Cluster-robust OLS", "resources"), "estimate"]


def test_fit_replicate_layout(schools):
    table = fit_replicate(schools)
    assert list(table.columns) == ["fit", "term", "estimate", "std_error", "converged", "boundary"]
    assert list(table["fit"]) == [m for m in FITS for _ in TERMS]
    assert list(table["term"]) == list(TERMS) * len(FITS)
    assert (table["std_error"] > 0).all()
    assert table["converged"].all() and not table["boundary"].any()


@pytest.mark.parametrize(("seed", "school_sd"), [(4, 0.5), (2, 0.0), (3, 1.0), (1, 8.0)])
def test_the_reml_search_finds_the_minimum_of_an_independent_objective(seed, school_sd):
    """Near the boundary statsmodels can stop short; the dense objective is the judge."""
    data = simulate_schools(seed=seed, school_sd=school_sd, resources_effect=4.0)
    theta = fitted_theta(data)
    best = reml_objective(data, theta)
    mixed = tight_mixed_fit(data)
    others = [0.0, 1e-3, 0.01, 0.1, 0.5, 1.0, 2.0, np.sqrt(mixed.cov_re.iloc[0, 0] / mixed.scale)]
    others += [theta * 0.99, theta * 1.01]
    assert all(best <= reml_objective(data, t) + 1e-9 for t in others)


def test_a_boundary_fit_is_ols_with_the_reml_scale():
    # No school effects: the REML school variance ends at zero for this seed.
    flat = simulate_schools(seed=2, school_sd=0, resources_effect=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = fit_replicate(flat).set_index(["fit", "term"])
    assert table.loc["Mixed model", "boundary"].all()
    assert table.loc["Mixed model", "converged"].all()
    assert not table.loc[["OLS", "Cluster-robust OLS"], "boundary"].any()
    # With tau = 0 the model is OLS: same estimates, same standard errors (RSS / (N - p)).
    assert np.allclose(table.loc["Mixed model", "estimate"], table.loc["OLS", "estimate"], rtol=1e-6)
    assert np.allclose(table.loc["Mixed model", "std_error"], table.loc["OLS", "std_error"], rtol=1e-6)
    # The profiled REML objective is smallest at zero (dense, independent computation).
    assert all(reml_objective(flat, 0.0) < reml_objective(flat, t) for t in (1e-3, 0.01, 0.1))


def test_fit_replicate_unequal_school_sizes():
    data = simulate_schools(seed=11, resources_effect=4.0)
    data = data.drop(index=data.index[data["school"].isin(["School 01", "School 02"])][:20])
    mixed = tight_mixed_fit(data)
    table = fit_replicate(data).set_index(["fit", "term"]).loc["Mixed model"]
    assert np.allclose(table["estimate"], mixed.fe_params[list(TERMS)], rtol=1e-6)
    assert np.allclose(table["std_error"], conditional_se(mixed, data)[list(TERMS)], rtol=1e-5)


def test_fit_replicate_row_order_does_not_matter(schools):
    shuffled = schools.sample(frac=1, random_state=0)
    a, b = fit_replicate(schools), fit_replicate(shuffled)
    # Reordering the rows changes the optimiser's path by rounding only, so the two fits
    # agree to the optimiser's own tolerance (gtol=1e-8 on the criterion), far beyond the
    # three decimals the studies print: 1e-6 relative, not the last bits.
    assert np.allclose(a["estimate"], b["estimate"], rtol=1e-6)
    assert np.allclose(a["std_error"], b["std_error"], rtol=1e-6)


def test_fit_replicate_leaves_the_data_alone(schools):
    before = schools.copy()
    fit_replicate(schools)
    pd.testing.assert_frame_equal(schools, before)
    assert set(schools.attrs) == set(before.attrs) and "truth" in schools.attrs


def test_fit_replicate_bad_inputs(schools):
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        fit_replicate(schools.to_numpy())
    with pytest.raises(ValueError, match="missing column 'resources'"):
        fit_replicate(simulate_schools())
    with pytest.raises(ValueError, match="at least 2 schools"):
        fit_replicate(schools.assign(school="School 01"))
    with pytest.raises(ValueError, match="2 or more students"):
        fit_replicate(schools.groupby("school").head(1))
    with pytest.raises(ValueError, match="missing values"):
        fit_replicate(schools.assign(score=np.where(schools.index == 3, np.nan, schools["score"])))


# --- simulate_estimates ---------------------------------------------------------------


def test_simulate_estimates_layout(small_study):
    assert list(small_study.columns) == [
        "replicate", "fit", "term", "truth", "estimate", "std_error", "converged", "boundary",
    ]
    assert len(small_study) == 12 * len(FITS) * len(TERMS)
    assert sorted(small_study["replicate"].unique()) == list(range(12))
    assert (small_study.groupby("replicate").size() == 6).all()
    assert small_study["converged"].dtype == bool and small_study["boundary"].dtype == bool
    truth = small_study.groupby("term")["truth"].unique()
    assert truth["hours"].tolist() == [3.0] and truth["resources"].tolist() == [4.0]


def test_first_replicate_is_the_seeded_data_set():
    results = simulate_estimates(n_sims=2, seed=42, resources_effect=4.0)
    first = results[results["replicate"] == 0].reset_index(drop=True)
    expected = fit_replicate(simulate_schools(seed=42, resources_effect=4.0))
    assert np.allclose(first["estimate"], expected["estimate"])
    assert np.allclose(first["std_error"], expected["std_error"])
    second = results[results["replicate"] == 1].reset_index(drop=True)
    assert not np.allclose(second["estimate"], expected["estimate"])


def test_simulate_estimates_is_reproducible_and_seed_dependent():
    a = simulate_estimates(n_sims=3, seed=5)
    b = simulate_estimates(n_sims=3, seed=5)
    c = simulate_estimates(n_sims=3, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["estimate"], c["estimate"])


def test_simulate_estimates_passes_the_design_on():
    results = simulate_estimates(n_sims=2, n_schools=4, n_per_school=3, seed=1,
                                 resources_effect=-2.0)
    assert (results.loc[results["term"] == "resources", "truth"] == -2.0).all()
    expected = fit_replicate(
        simulate_schools(4, 3, seed=np.random.default_rng(1), resources_effect=-2.0)
    )
    assert np.allclose(results.loc[results["replicate"] == 0, "estimate"], expected["estimate"])


def test_center_hours_gives_the_within_school_slope():
    results = simulate_estimates(n_sims=2, seed=3, center_hours=True)
    hours = results[results["term"] == "hours"].set_index(["replicate", "fit"])["estimate"]
    data = simulate_schools(seed=3, resources_effect=4.0)
    centred = data.assign(hours=data["hours"] - data.groupby("school")["hours"].transform("mean"))
    within = smf.ols("score ~ hours + C(school)", centred).fit().params["hours"]
    # OLS on centred hours is the within-school (fixed-effects) estimate ...
    assert hours.loc[(0, "OLS")] == pytest.approx(within, rel=1e-8)
    # ... and differs from the uncentred fit.
    raw = simulate_estimates(n_sims=1, seed=3)
    assert raw.loc[(raw["term"] == "hours") & (raw["fit"] == "OLS"), "estimate"].item() != \
        pytest.approx(within, rel=1e-3)


def test_text_progress_bar_counts_and_erases_itself(capsys):
    quiet = simulate_estimates(n_sims=2, seed=9)
    shown = simulate_estimates(n_sims=2, seed=9, progress=True)
    pd.testing.assert_frame_equal(quiet, shown)
    err = capsys.readouterr().err  # outside a kernel: a text tqdm bar on stderr
    assert "Simulated data sets" in err and "0/2" in err
    assert "it/s" not in err and "s/it" not in err and "<" not in err  # no rates, no times
    assert err.rstrip(" ").endswith("\r")  # leave=False: the line is cleared at the end


class FakeHandle:
    def __init__(self, log):
        self.log = log

    def update(self, obj, raw=False):
        self.log.append(("update", dict(obj), raw))


def test_notebook_progress_bar_stores_nothing(monkeypatch):
    """In a kernel: an empty image first, HTML updates in place, then clear_output."""
    import IPython.display

    log = []

    def fake_display(obj, raw=False, display_id=None):
        log.append(("display", dict(obj), raw, display_id))
        return FakeHandle(log)

    monkeypatch.setattr(studies_module, "_in_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake_display)
    monkeypatch.setattr(IPython.display, "clear_output", lambda wait=False: log.append(("clear",)))
    quiet = simulate_estimates(n_sims=3, seed=9)
    shown = simulate_estimates(n_sims=3, seed=9, progress=True)
    pd.testing.assert_frame_equal(quiet, shown)

    first = log[0]
    # nbval compares text/plain and text/html but skips image/png: the first display
    # (the only one nbval records) holds nothing it compares.
    assert first[0] == "display" and set(first[1]) == {"image/png"} and first[3] is True
    image = mpimg.imread(io.BytesIO(base64.b64decode(first[1]["image/png"])))
    assert image.shape == (1, 1, 4) and image[0, 0, 3] == 0  # one transparent pixel
    updates = [entry for entry in log if entry[0] == "update"]
    assert updates and all("<progress" in u[1]["text/html"] for u in updates)
    assert updates[-1][1]["text/plain"] == "Simulated data sets: 3/3"
    assert log[-1] == ("clear",)  # nbclient stores no output for the cell
    assert sum(entry[0] == "display" for entry in log) == 1


def test_no_progress_bar_unless_asked(monkeypatch):
    monkeypatch.setattr(studies_module, "_progress_bar",
                        lambda *a, **k: pytest.fail("progress bar created"))
    simulate_estimates(n_sims=1, seed=1)


def test_problem_fits_are_flagged_not_raised():
    # Without school effects many REML fits end on the boundary.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = simulate_estimates(n_sims=10, seed=3, school_sd=0.0)
    mixed = results[results["fit"] == "Mixed model"]
    assert mixed["boundary"].any()
    ols = results[results["fit"] != "Mixed model"]
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
        ({"center_hours": "yes"}, TypeError, "center_hours must be True or False"),
        ({"progress": 1}, TypeError, "progress must be True or False"),
    ],
)
def test_simulate_estimates_bad_inputs(kwargs, error, message):
    with pytest.raises(error, match=message):
        simulate_estimates(**{"n_sims": 1, **kwargs})


# --- summarize_estimates ---------------------------------------------------------------


def make_results(estimates, converged=None, boundary=None, fit="OLS", term="hours"):
    n = len(estimates)
    return pd.DataFrame({
        "replicate": range(n),
        "fit": fit,
        "term": term,
        "truth": 3.0,
        "estimate": estimates,
        "std_error": 0.25,
        "converged": [True] * n if converged is None else converged,
        "boundary": [False] * n if boundary is None else boundary,
    })


def test_summarize_estimates_known_case():
    estimates = np.linspace(2.5, 3.7, 10)
    results = make_results(estimates, converged=[True] * 9 + [False],
                           boundary=[False, True] + [False] * 8)
    row = summarize_estimates(results).iloc[0]
    assert row["n_sims"] == 10
    assert row["bias"] == pytest.approx(estimates.mean() - 3.0)
    assert row["sd_estimate"] == pytest.approx(np.std(estimates, ddof=1))
    assert row["mean_std_error"] == pytest.approx(0.25)
    assert row["se_ratio"] == pytest.approx(0.25 / np.std(estimates, ddof=1))
    assert row["n_problem_fits"] == 2


def test_summarize_estimates_layout_and_order(small_study):
    summary = summarize_estimates(small_study)
    assert list(summary.columns) == ["fit", "term", "n_sims", "bias", "sd_estimate",
                                     "mean_std_error", "se_ratio", "n_problem_fits"]
    assert list(zip(summary["fit"], summary["term"])) == [(m, t) for m in FITS for t in TERMS]
    assert (summary["n_sims"] == 12).all()


def test_summarize_estimates_of_the_chapter_study_is_plausible():
    summary = summarize_estimates(simulate_estimates(n_sims=100, seed=42)).set_index(["fit", "term"])
    # OLS's standard error for the school-level covariate is far too small.
    assert summary.loc[("OLS", "resources"), "se_ratio"] < 0.4
    # The OLS standard error for hours is honest, and larger than the mixed model's.
    assert abs(summary.loc[("OLS", "hours"), "se_ratio"] - 1) < 0.15
    assert summary.loc[("Mixed model", "hours"), "mean_std_error"] < summary.loc[
        ("OLS", "hours"), "mean_std_error"]
    # Every estimator is unbiased (within 4 Monte Carlo standard errors).
    assert (summary["bias"].abs() < 4 * summary["sd_estimate"] / 10).all()


def test_summarize_estimates_bad_inputs():
    good = make_results([3.0, 3.1])
    with pytest.raises(TypeError, match="results must be a pandas DataFrame"):
        summarize_estimates([1, 2])
    with pytest.raises(ValueError, match="missing column 'truth'"):
        summarize_estimates(good.drop(columns="truth"))
    with pytest.raises(ValueError, match=r"results\['converged'\] must be boolean"):
        summarize_estimates(good.assign(converged=[1, 0]))
    with pytest.raises(ValueError, match=r"results\['boundary'\] must be boolean"):
        summarize_estimates(good.assign(boundary=["no", "no"]))
    with pytest.raises(ValueError, match="must be numeric"):
        summarize_estimates(good.assign(std_error=["a", "b"]))


# --- the closed-form REML fit against lme4 (stored reference fits) ------------------------


@pytest.mark.parametrize("name", ["schools_ri", "dyestuff", "dyestuff2", "hsb_ses", "hsb_mundlak",
                                  "radon_uranium"])
def test_reml_random_intercept_matches_lme4(name):
    """Balanced, unbalanced (160 schools, 85 counties of 1 to 116 homes) and singular fits."""
    import patsy

    from lmmbook.reference import CATALOGUE, load_lme4_fits, load_model_data

    spec = CATALOGUE[name]
    data = load_model_data(spec.data)
    y, exog = patsy.dmatrices(spec.formula, data, return_type="dataframe")
    groups = pd.factorize(data.loc[y.index, spec.groups], sort=True)[0]
    beta, cov, theta, converged = studies_module._reml_random_intercept(
        y.iloc[:, 0].to_numpy(), exog.to_numpy(), groups)

    lme4 = load_lme4_fits().query("model == @name")
    def value(quantity, term=""):
        return float(lme4.query("quantity == @quantity and term == @term")["value"].iloc[0])

    terms = ["(Intercept)" if t == "Intercept" else t for t in exog.columns]
    assert converged
    assert np.allclose(beta, [value("estimate", t) for t in terms], rtol=1e-5, atol=1e-7)
    assert np.allclose(np.sqrt(np.diag(cov)), [value("std_error", t) for t in terms], rtol=1e-4)
    group_sd = value("sd", f"{spec.groups}|(Intercept)|")
    assert theta == pytest.approx(group_sd / value("sd", "Residual"), abs=1e-4)
    assert (theta < studies_module.BOUNDARY_TOL) == bool(value("singular"))
    # lme4's REML criterion: the profiled objective plus (N - p)(1 + log(2 pi / (N - p))).
    n, p = exog.shape
    counts = np.bincount(groups)
    order = np.argsort(groups, kind="stable")
    Xs, ys = exog.to_numpy()[order], y.iloc[:, 0].to_numpy()[order]
    gamma = theta**2
    # Woodbury per group, independent of the search: V* = I + gamma J.
    starts = np.concatenate([[0], np.cumsum(counts)])
    xvx, xvy, yvy = np.zeros((p, p)), np.zeros(p), 0.0
    for a, b in itertools.pairwise(starts):
        xg, yg, m = Xs[a:b], ys[a:b], b - a
        w = gamma / (1 + m * gamma)
        xvx += xg.T @ xg - w * np.outer(xg.sum(0), xg.sum(0))
        xvy += xg.T @ yg - w * xg.sum(0) * yg.sum()
        yvy += yg @ yg - w * yg.sum() ** 2
    b_hat = np.linalg.solve(xvx, xvy)
    r = yvy - xvy @ b_hat
    criterion = ((n - p) * (1 + np.log(2 * np.pi * r / (n - p))) + np.log1p(counts * gamma).sum()
                 + np.linalg.slogdet(xvx)[1])
    assert criterion == pytest.approx(value("reml_criterion"), abs=1e-4)
