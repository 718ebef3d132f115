"""A catalogue of bad inputs tried on every public helper.

Each case is a call that must raise a ``ValueError`` or ``TypeError`` whose
message names the argument at fault; none may return a silent wrong answer.
The module-level check at the bottom makes sure no public helper is missing
from the catalogue.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from lmmbook import (
    bootstrap,
    models,
    plotting,
    power,
    prediction,
    reference,
    simulate,
    studies,
    varcomp,
)
from lmmbook.grading import check, run_check, run_checks
from lmmbook.simulate import simulate_schools

DATA = simulate_schools(seed=42)
RES_DATA = simulate_schools(seed=42, resources_effect=4.0)
FIT = smf.mixedlm("score ~ hours", DATA, groups="school").fit(reml=True)
SLOPES_FIT = smf.mixedlm("score ~ hours", DATA, groups="school", re_formula="~hours").fit(method="powell")
TWO_COVARIATES_FIT = smf.mixedlm("score ~ hours + resources", RES_DATA, groups="school").fit()
LINES = pd.DataFrame({"school": sorted(DATA.school.unique()), "intercept": 50.0, "slope": 3.0})
PREDICTION = prediction.predict_new_school(FIT, np.linspace(1, 10, 5))
COVERAGE = pd.DataFrame({"method": ["OLS", "OLS"], "term": ["hours", "resources"],
                         "coverage": [0.95, 0.44], "mc_se": [0.01, 0.02], "level": 0.95})
EFFECTS = pd.DataFrame({"school": ["A", "B"], "blup": [1.0, -1.0], "truth": [1.5, -0.5],
                        "mean_residual": [1.2, -1.1], "n": [5, 7]})
CATERPILLAR = pd.DataFrame({"school": ["A", "B"], "estimate": [1.0, -1.0], "low": [0.0, -2.0],
                            "high": [2.0, 0.0]})


POWER_DESIGN = power.assign_treatment(4, 2, "school")
POWER_SCORES = power.simulate_scores(POWER_DESIGN, 3, effect=1.0, school_sd=1.0, noise_sd=1.0)
POWER_TABLE = pd.DataFrame({"level": ["school", "school"], "n_schools": [4, 8], "n_per_school": 10,
                            "power": [0.1, 0.3], "mc_se": 0.01, "exact": [0.11, 0.29]})


def drop(df: pd.DataFrame, column: str) -> pd.DataFrame:
    return df.drop(columns=column)


def with_value(df: pd.DataFrame, column: str, row: int, value) -> pd.DataFrame:
    out = df.copy()
    out[column] = out[column].astype(object) if isinstance(value, str) else out[column]
    out.loc[out.index[row], column] = value
    return out


CASES = [
    # power (chapter "Planning a study: power by simulation")
    ("assign_treatment: odd number of schools", lambda: power.assign_treatment(7, 10, "school"),
     ValueError, "n_schools"),
    ("assign_treatment: odd students per school", lambda: power.assign_treatment(8, 5, "student"),
     ValueError, "n_per_school"),
    ("assign_treatment: unknown level", lambda: power.assign_treatment(8, 10, "class"), ValueError, "level"),
    ("simulate_scores: treatment a list", lambda: power.simulate_scores([[1, 0]], 5, effect=1.0, school_sd=1.0,
                                                                        noise_sd=1.0), TypeError, "treatment"),
    ("simulate_scores: negative school SD",
     lambda: power.simulate_scores(POWER_DESIGN, 5, effect=1.0, school_sd=-1.0, noise_sd=1.0),
     ValueError, "school_sd"),
    ("simulate_scores: zero trials",
     lambda: power.simulate_scores(POWER_DESIGN, 0, effect=1.0, school_sd=1.0, noise_sd=1.0),
     ValueError, "n_sims"),
    ("trial_frame: replicate out of range", lambda: power.trial_frame(POWER_SCORES, POWER_DESIGN, replicate=3),
     ValueError, "replicate"),
    ("compare_school_means: student-level design",
     lambda: power.compare_school_means(POWER_SCORES, power.assign_treatment(4, 2, "student")),
     ValueError, "treatment"),
    ("compare_school_means: scores of another shape",
     lambda: power.compare_school_means(POWER_SCORES[:, :2], POWER_DESIGN), ValueError, "scores"),
    ("compare_within_schools: school-level design",
     lambda: power.compare_within_schools(POWER_SCORES, POWER_DESIGN), ValueError, "treatment"),
    ("compare_within_schools: NaN score",
     lambda: power.compare_within_schools(np.where(POWER_SCORES > 0, np.nan, 0.0),
                                          power.assign_treatment(4, 2, "student")), ValueError, "scores"),
    ("exact_power: alpha one", lambda: power.exact_power(8, 10, level="school", effect=1.0, school_sd=1.0,
                                                         noise_sd=1.0, alpha=1.0), ValueError, "alpha"),
    ("exact_power: zero noise SD", lambda: power.exact_power(8, 10, level="student", effect=1.0, school_sd=1.0,
                                                             noise_sd=0.0), ValueError, "noise_sd"),
    ("simulate_power: zero trials", lambda: power.simulate_power(8, 10, level="school", effect=1.0, school_sd=1.0,
                                                                 noise_sd=1.0, n_sims=0), ValueError, "n_sims"),
    ("simulate_power: negative seed", lambda: power.simulate_power(8, 10, level="school", effect=1.0,
                                                                   school_sd=1.0, noise_sd=1.0, seed=-1),
     ValueError, "seed"),
    ("plot_power_curves: power above one",
     lambda: plotting.plot_power_curves(POWER_TABLE.assign(power=1.5)), ValueError, "power"),
    ("plot_power_curves: missing exact column",
     lambda: plotting.plot_power_curves(POWER_TABLE.drop(columns="exact")), ValueError, "exact"),
    ("plot_power_by_allocation: two totals",
     lambda: plotting.plot_power_by_allocation(POWER_TABLE), ValueError, "table"),
    # simulate.simulate_schools / school_labels
    ("simulate_schools: zero schools", lambda: simulate_schools(n_schools=0), ValueError, "n_schools"),
    ("simulate_schools: negative size", lambda: simulate_schools(n_per_school=-1), ValueError, "n_per_school"),
    ("simulate_schools: float size", lambda: simulate_schools(n_per_school=2.5), TypeError, "n_per_school"),
    ("simulate_schools: negative school SD", lambda: simulate_schools(school_sd=-8), ValueError, "school_sd"),
    ("simulate_schools: zero noise SD", lambda: simulate_schools(noise_sd=0), ValueError, "noise_sd"),
    ("simulate_schools: NaN slope", lambda: simulate_schools(slope=np.nan), ValueError, "slope"),
    ("simulate_schools: infinite intercept", lambda: simulate_schools(intercept=np.inf), ValueError, "intercept"),
    ("simulate_schools: string seed", lambda: simulate_schools(seed="42"), TypeError, "seed"),
    ("simulate_schools: reversed hours", lambda: simulate_schools(hours_range=(10, 1)), ValueError, "hours_range"),
    ("school_labels: zero", lambda: simulate.school_labels(0), ValueError, "n_schools"),
    # models
    ("diagnose_fit: not a fit", lambda: models.diagnose_fit(DATA), TypeError, "result"),
    ("diagnose_fit: negative tol", lambda: models.diagnose_fit(FIT, tol=-1), ValueError, "tol"),
    ("relative_cholesky: not a fit", lambda: models.relative_cholesky(DATA), TypeError, "result"),
    ("fixed_effects_table: OLS fit", lambda: models.fixed_effects_table(smf.ols("score ~ hours", DATA).fit()),
     TypeError, "result"),
    ("fixed_effects_table: alpha NaN", lambda: models.fixed_effects_table(FIT, alpha=np.nan), ValueError, "alpha"),
    ("random_effects_table: None", lambda: models.random_effects_table(None), TypeError, "result"),
    ("icc_from_fit: random slopes", lambda: models.icc_from_fit(SLOPES_FIT), ValueError, "result"),
    ("design_effect: zero size", lambda: models.design_effect(0, 0.3), ValueError, "cluster_size"),
    ("design_effect: ICC above one", lambda: models.design_effect(15, 1.2), ValueError, "icc"),
    ("design_effect: infinite size", lambda: models.design_effect(np.inf, 0.3), ValueError, "cluster_size"),
    ("variance_table: a DataFrame", lambda: models.variance_table(DATA), TypeError, "result"),
    ("predict_random_effects: not a fit", lambda: models.predict_random_effects(DATA), TypeError, "result"),
    ("predict_random_effects: level zero", lambda: models.predict_random_effects(FIT, level=0.0),
     ValueError, "level"),
    ("predict_new_school: NaN hours", lambda: prediction.predict_new_school(FIT, [1.0, np.nan]), ValueError, "x"),
    ("predict_new_school: infinite hours", lambda: prediction.predict_new_school(FIT, [np.inf]), ValueError, "x"),
    ("predict_new_school: empty hours", lambda: prediction.predict_new_school(FIT, []), ValueError, "x"),
    ("predict_new_school: text hours", lambda: prediction.predict_new_school(FIT, ["five"]), TypeError, "x"),
    ("predict_new_school: level one", lambda: prediction.predict_new_school(FIT, 5.0, level=1.0), ValueError, "level"),
    ("predict_new_school: two covariates", lambda: prediction.predict_new_school(TWO_COVARIATES_FIT, 5.0),
     ValueError, "result"),
    ("predict_new_school: random slopes", lambda: prediction.predict_new_school(SLOPES_FIT, 5.0), ValueError, "result"),
    ("bootstrap_new_school: zero replicates", lambda: prediction.bootstrap_new_school(FIT, 5.0, n_boot=0),
     ValueError, "n_boot"),
    ("bootstrap_new_school: NaN hours", lambda: prediction.bootstrap_new_school(FIT, [np.nan], n_boot=1),
     ValueError, "x"),
    ("bootstrap_new_school: random slopes", lambda: prediction.bootstrap_new_school(SLOPES_FIT, 5.0, n_boot=1),
     ValueError, "result"),
    ("predict_existing_school: unknown school", lambda: prediction.predict_existing_school(FIT, "School 99", 5.0),
     ValueError, "group"),
    ("predict_existing_school: text hours", lambda: prediction.predict_existing_school(FIT, "School 01", ["five"]),
     TypeError, "x"),
    ("predict_existing_school: level 95", lambda: prediction.predict_existing_school(FIT, "School 01", 5.0, level=95),
     ValueError, "level"),
    # bootstrap
    ("simulate_from_fit: not a fit", lambda: bootstrap.simulate_from_fit("fit"), TypeError, "result"),
    ("simulate_from_fit: negative seed", lambda: bootstrap.simulate_from_fit(FIT, seed=-1), ValueError, "seed"),
    ("bootstrap_icc: zero replicates", lambda: bootstrap.bootstrap_icc(FIT, n_boot=0), ValueError, "n_boot"),
    ("bootstrap_icc: float replicates", lambda: bootstrap.bootstrap_icc(FIT, n_boot=10.0), TypeError, "n_boot"),
    ("bootstrap_icc: random slopes", lambda: bootstrap.bootstrap_icc(SLOPES_FIT, n_boot=2), ValueError, "result"),
    ("percentile_interval: one value", lambda: bootstrap.percentile_interval([0.5]), ValueError, "values"),
    ("percentile_interval: NaN", lambda: bootstrap.percentile_interval([0.1, np.nan, 0.3]), ValueError, "values"),
    ("percentile_interval: 2-D", lambda: bootstrap.percentile_interval(np.ones((3, 3))), ValueError, "values"),
    ("percentile_interval: level 95", lambda: bootstrap.percentile_interval([0.1, 0.2], level=95), ValueError, "level"),
    ("percentile_interval: text", lambda: bootstrap.percentile_interval(["a", "b"]), TypeError, "values"),
    # studies
    ("fit_replicate: missing resources", lambda: studies.fit_replicate(DATA), ValueError, "resources"),
    ("fit_replicate: text hours", lambda: studies.fit_replicate(with_value(RES_DATA, "hours", 0, "five")),
     ValueError, "hours"),
    ("fit_replicate: NaN score", lambda: studies.fit_replicate(with_value(RES_DATA, "score", 3, np.nan)),
     ValueError, "score"),
    ("fit_replicate: single school", lambda: studies.fit_replicate(RES_DATA[RES_DATA.school == "School 01"]),
     ValueError, "school"),
    ("fit_replicate: schools of one student",
     lambda: studies.fit_replicate(RES_DATA.groupby("school").head(1)), ValueError, "school"),
    ("fit_replicate: empty", lambda: studies.fit_replicate(RES_DATA.iloc[:0]), ValueError, "data"),
    ("fit_replicate: not a frame", lambda: studies.fit_replicate(RES_DATA.to_numpy()), TypeError, "data"),
    ("simulate_estimates: zero sims", lambda: studies.simulate_estimates(n_sims=0), ValueError, "n_sims"),
    ("simulate_estimates: one school", lambda: studies.simulate_estimates(n_sims=2, n_schools=1), ValueError,
     "n_schools"),
    ("simulate_estimates: one student per school", lambda: studies.simulate_estimates(n_sims=2, n_per_school=1),
     ValueError, "n_per_school"),
    ("simulate_estimates: negative school SD", lambda: studies.simulate_estimates(n_sims=2, school_sd=-1),
     ValueError, "school_sd"),
    ("simulate_estimates: text progress", lambda: studies.simulate_estimates(n_sims=2, progress="yes"), TypeError,
     "progress"),
    ("summarize_estimates: wrong table", lambda: studies.summarize_estimates(DATA), ValueError, "results"),
    ("summarize_estimates: not a frame", lambda: studies.summarize_estimates([1, 2]), TypeError, "results"),
    # reference (the lme4 comparison catalogue)
    ("fit_catalogue_model: unknown model", lambda: reference.fit_catalogue_model("sleep"), ValueError, "name"),
    ("fit_catalogue_model: not a name", lambda: reference.fit_catalogue_model(3), TypeError, "name"),
    ("load_model_data: unknown data set", lambda: reference.load_model_data("iris"), ValueError, "name"),
    ("compare_with_lme4: unknown model", lambda: reference.compare_with_lme4("none"), ValueError, "name"),
    ("compare_with_lme4: not a fit", lambda: reference.compare_with_lme4("dyestuff", DATA), TypeError, "result"),
    ("tidy_mixedlm: not a fit", lambda: reference.tidy_mixedlm(DATA), TypeError, "result"),
    ("conditional_fixed_cov: OLS fit",
     lambda: reference.conditional_fixed_cov(smf.ols("score ~ hours", DATA).fit()), TypeError, "result"),
    # plotting
    ("plot_group_strips: no panels", lambda: plotting.plot_group_strips({}, "score", "school"), ValueError, "panels"),
    ("plot_group_strips: value not a name",
     lambda: plotting.plot_group_strips({"a": DATA}, 3, "school"), TypeError, "value"),
    ("plot_school_scatter: missing column", lambda: plotting.plot_school_scatter(drop(DATA, "hours")),
     ValueError, "hours"),
    ("plot_school_scatter: infinite score", lambda: plotting.plot_school_scatter(
        with_value(DATA, "score", 0, np.inf)), ValueError, "score"),
    ("new_figure: zero width", lambda: plotting.new_figure(0, 3), ValueError, "width"),
    ("new_figure: text height", lambda: plotting.new_figure(5, "3"), TypeError, "height"),
    ("group_styles: not a list", lambda: plotting.group_styles("School 01"), TypeError, "groups"),
    ("plot_icc_panels: no panels", lambda: plotting.plot_icc_panels({}), ValueError, "panels"),
    ("plot_icc_panels: five panels", lambda: plotting.plot_icc_panels({str(i): DATA for i in range(5)}),
     ValueError, "panels"),
    ("plot_icc_panels: panel without score", lambda: plotting.plot_icc_panels({"a": drop(DATA, "score")}),
     ValueError, "score"),
    ("plot_bootstrap_distribution: one value",
     lambda: plotting.plot_bootstrap_distribution([0.5], 0.5, (0.4, 0.6)), ValueError, "values"),
    ("plot_bootstrap_distribution: reversed interval",
     lambda: plotting.plot_bootstrap_distribution([0.4, 0.6], 0.5, (0.6, 0.4)), ValueError, "interval"),
    ("plot_bootstrap_distribution: NaN estimate",
     lambda: plotting.plot_bootstrap_distribution([0.4, 0.6], np.nan, (0.4, 0.6)), ValueError, "estimate"),
    ("plot_school_lines: unknown school",
     lambda: plotting.plot_school_lines(DATA, with_value(LINES, "school", 0, "School 99"), (50, 3)),
     ValueError, "lines"),
    ("plot_school_lines: a school without a line",
     lambda: plotting.plot_school_lines(DATA, LINES.iloc[1:], (50, 3)), ValueError, "lines"),
    ("plot_school_lines: NaN slope",
     lambda: plotting.plot_school_lines(DATA, with_value(LINES, "slope", 2, np.nan), (50, 3)), ValueError, "slope"),
    ("plot_school_lines: population of three",
     lambda: plotting.plot_school_lines(DATA, LINES, (50, 3, 1)), TypeError, "population"),
    ("plot_new_school_bands: missing band", lambda: plotting.plot_new_school_bands(drop(PREDICTION, "conf_low")),
     ValueError, "conf_low"),
    ("plot_new_school_bands: unsorted", lambda: plotting.plot_new_school_bands(PREDICTION.iloc[::-1]),
     ValueError, "prediction"),
    ("plot_blups_vs_truth: missing truth", lambda: plotting.plot_blups_vs_truth(drop(EFFECTS, "truth")),
     ValueError, "truth"),
    ("plot_blups_vs_truth: text blup", lambda: plotting.plot_blups_vs_truth(with_value(EFFECTS, "blup", 0, "x")),
     ValueError, "blup"),
    ("plot_shrinkage: repeated school",
     lambda: plotting.plot_shrinkage(pd.concat([EFFECTS, EFFECTS])), ValueError, "school"),
    ("plot_shrinkage: NaN start",
     lambda: plotting.plot_shrinkage(with_value(EFFECTS, "mean_residual", 0, np.nan)), ValueError, "mean_residual"),
    ("plot_caterpillar: repeated school",
     lambda: plotting.plot_caterpillar(pd.concat([CATERPILLAR, CATERPILLAR])), ValueError, "school"),
    ("plot_caterpillar: low above estimate",
     lambda: plotting.plot_caterpillar(with_value(CATERPILLAR, "low", 0, 5.0)), ValueError, "low"),
    ("plot_coverage: missing mc_se", lambda: plotting.plot_coverage(drop(COVERAGE, "mc_se")), ValueError, "mc_se"),
    ("plot_coverage: empty", lambda: plotting.plot_coverage(COVERAGE.iloc[:0]), ValueError, "summary"),
    ("plot_coverage: eight methods",
     lambda: plotting.plot_coverage(COVERAGE.iloc[[0] * 8].assign(method=list("abcdefgh"))),
     ValueError, "methods"),
    ("plot_se_ratio: negative ratio",
     lambda: plotting.plot_se_ratio(pd.DataFrame({"term": ["hours"], "se_ratio": [-1.0]})), ValueError, "se_ratio"),
    ("plot_se_ratio: not a frame", lambda: plotting.plot_se_ratio({"hours": 1.2}), TypeError, "table"),
    ("plot_group_panels: lines not a dict",
     lambda: plotting.plot_group_panels(DATA, LINES, x="hours", y="score", group="school"), TypeError, "lines"),
    ("plot_group_panels: a school without a line",
     lambda: plotting.plot_group_panels(DATA, {"own": LINES.iloc[1:]}, x="hours", y="score", group="school"),
     ValueError, "lines"),
    ("plot_group_panels: order misses schools",
     lambda: plotting.plot_group_panels(DATA, {"own": LINES}, x="hours", y="score", group="school",
                                        order=["School 01"]), ValueError, "order"),
    ("plot_coefficient_shrinkage: missing column",
     lambda: plotting.plot_coefficient_shrinkage(LINES, start=("intercept", "slope")), ValueError, "mixed_intercept"),
    ("plot_coefficient_shrinkage: start not a pair",
     lambda: plotting.plot_coefficient_shrinkage(LINES, start="intercept"), TypeError, "start"),
    ("plot_pooling_by_size: zero homes",
     lambda: plotting.plot_pooling_by_size(pd.DataFrame({"n": [0, 3], "no_pooling": [1.0, 2.0],
                                                         "partial_pooling": [1.2, 1.8]}), complete=1.5),
     ValueError, "n"),
    ("plot_pooling_by_size: NaN complete",
     lambda: plotting.plot_pooling_by_size(pd.DataFrame({"n": [1, 3], "no_pooling": [1.0, 2.0],
                                                         "partial_pooling": [1.2, 1.8]}), complete=np.nan),
     ValueError, "complete"),
    ("plot_shrinkage_by_size: zero tau2",
     lambda: plotting.plot_shrinkage_by_size(pd.DataFrame({"n": [1, 3], "shrinkage": [0.2, 0.4]}),
                                             tau2=0.0, sigma2=1.0), ValueError, "tau2"),
    ("plot_group_estimates: line of three",
     lambda: plotting.plot_group_estimates(pd.DataFrame({"u": [0.1, 0.2], "est": [1.0, 2.0]}), "u", "est",
                                           line=(1.0, 2.0, 3.0)), TypeError, "line"),
    ("plot_residuals_vs_fitted: unequal lengths",
     lambda: plotting.plot_residuals_vs_fitted({"fitted": ([1.0, 2.0, 3.0], [0.1, -0.1])}),
     ValueError, "panels['fitted']"),
    ("plot_residuals_vs_fitted: jitter of an unknown panel",
     lambda: plotting.plot_residuals_vs_fitted({"fitted": (DATA["hours"], DATA["score"])},
                                               jitter={"floor": 0.1}), ValueError, "jitter"),
    ("plot_normal_qq: NaN value",
     lambda: plotting.plot_normal_qq({"residuals": [0.5, np.nan, -0.5]}), ValueError, "panels"),
    ("plot_normal_qq: not a dict", lambda: plotting.plot_normal_qq([0.5, 0.1, -0.5]), TypeError, "panels"),
    ("plot_spread_by_group: group of one",
     lambda: plotting.plot_spread_by_group(pd.DataFrame({"n": [1, 3], "sd": [0.5, 0.7]}),
                                           pd.DataFrame({"n": [2, 3], "low": [0.1, 0.2], "high": [1.5, 1.3]}),
                                           reference=0.8), ValueError, "groups['n']"),
    ("plot_spread_by_group: zero reference",
     lambda: plotting.plot_spread_by_group(pd.DataFrame({"n": [2, 3], "sd": [0.5, 0.7]}),
                                           pd.DataFrame({"n": [2, 3], "low": [0.1, 0.2], "high": [1.5, 1.3]}),
                                           reference=0.0), ValueError, "reference"),
    ("plot_within_between: unknown school",
     lambda: plotting.plot_within_between(DATA, "hours", "score", "school", between=(40.0, 3.0),
                                          within_slope=2.0, highlight=["no such school"]),
     ValueError, "highlight"),
    ("plot_within_between: infinite slope",
     lambda: plotting.plot_within_between(DATA, "hours", "score", "school", between=(40.0, 3.0),
                                          within_slope=np.inf, highlight=[DATA["school"].iloc[0]]),
     ValueError, "within_slope"),
    ("plot_design_grid: rows not a column",
     lambda: plotting.plot_design_grid(DATA, "class", "school"), ValueError, "rows"),
    ("plot_design_grid: four panels",
     lambda: plotting.plot_design_grid(DATA, "school", ["hours", "score", "resources", "hours"]),
     ValueError, "columns"),
    ("plot_factor_dots: text values",
     lambda: plotting.plot_factor_dots(DATA, "school", "school", "hours"), ValueError, "school"),
    ("plot_factor_dots: unknown order",
     lambda: plotting.plot_factor_dots(DATA.assign(g=DATA["school"].str[-1]), "score", "school", "g",
                                       order="random"), ValueError, "order"),
    # grading (the checks of exercises)
    ("check: not an exercise label", lambda: check("Exercise 1"), ValueError, "exercise"),
    ("check: zero points", lambda: check("ex-icc", points=0), ValueError, "points"),
    ("check: fractional points", lambda: check("ex-icc", points=0.5), TypeError, "points"),
    ("run_check: not a function", lambda: run_check(len, {}), TypeError, "func"),
    ("run_check: variables not a mapping", lambda: run_check(lambda answer_x: None, [1]), TypeError, "env"),
    ("run_checks: source not text", lambda: run_checks(None, {}), TypeError, "source"),
    ("run_checks: unknown check", lambda: run_checks("x = 1", {}, "no_such_check"), ValueError, "name"),
    # plotting.varcomp and varcomp (inference for a variance)
    ("plot_profile_likelihood: a frame, not a dict",
     lambda: plotting.plot_profile_likelihood(pd.DataFrame({"group_sd": [1.0], "lr": [0.0]}), cut=3.84),
     TypeError, "profiles"),
    ("plot_profile_likelihood: negative cut",
     lambda: plotting.plot_profile_likelihood({"REML": pd.DataFrame({"group_sd": [1.0], "lr": [0.0]})},
                                              cut=-1.0), ValueError, "cut"),
    ("plot_coverage_by_groups: zero groups",
     lambda: plotting.plot_coverage_by_groups(pd.DataFrame({"method": ["Wald"], "n_groups": [0],
                                                            "coverage": [0.9], "mc_se": [0.01],
                                                            "level": [0.95]})), ValueError, "n_groups"),
    ("evaluate_loglik: zero residual SD", lambda: varcomp.evaluate_loglik(FIT, 1.0, 0.0), ValueError, "residual_sd"),
    ("evaluate_loglik: random slopes", lambda: varcomp.evaluate_loglik(SLOPES_FIT, 1.0, 1.0), ValueError, "result"),
    ("profile_group_sd: negative SD", lambda: varcomp.profile_group_sd(FIT, [-1.0]), ValueError, "sds"),
    ("profile_group_sd: reml not a bool", lambda: varcomp.profile_group_sd(FIT, [1.0], reml=1), TypeError, "reml"),
    ("profile_interval: level one", lambda: varcomp.profile_interval(FIT, level=1.0), ValueError, "level"),
    ("profile_interval: not a fit", lambda: varcomp.profile_interval(DATA), TypeError, "result"),
    ("oneway_estimates: one group", lambda: varcomp.oneway_estimates(np.ones((1, 5))), ValueError, "y"),
    ("oneway_estimates: text", lambda: varcomp.oneway_estimates("abc"), TypeError, "y"),
    ("oneway_intervals: NaN value", lambda: varcomp.oneway_intervals([[1.0, np.nan], [2.0, 3.0]]),
     ValueError, "y"),
]


@pytest.mark.parametrize("call,error,argument", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_naming_the_argument(call, error, argument):
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    assert isinstance(caught.value, error), f"expected {error.__name__}, got {caught.type.__name__}: {caught.value}"
    assert argument in str(caught.value), f"message does not name {argument!r}: {caught.value}"


def test_catalogue_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("module", ["simulate", "models", "plotting", "studies", "bootstrap", "prediction",
                                    "reference", "grading", "varcomp", "power"])
def test_every_public_helper_is_in_the_catalogue(module):
    mod = importlib.import_module(f"lmmbook.{module}")
    functions = [n for n in mod.__all__ if inspect.isfunction(getattr(mod, n))]
    covered = {c[0].split(":")[0] for c in CASES}
    # A function without parameters has no bad input to try.
    takes_input = [f for f in functions if inspect.signature(getattr(mod, f)).parameters]
    missing = [f for f in takes_input if f not in covered and f != "label_axes"]
    assert not missing, f"lmmbook.{module}: no bad-input case for {missing}"
