"""Every real-data model of the book, fitted by statsmodels and compared with lme4.

lme4 is the reference implementation of linear mixed models. The R script
``tests/reference/fit_lme4.R`` fits each model of :data:`CATALOGUE` with lme4 on
exactly the rows the book uses and stores the results in the package file
``lmmbook/data/lme4_fits.csv``; CI re-runs it and fails if the file changes.
:func:`compare_with_lme4` fits the same model with statsmodels and puts the two
side by side, quantity by quantity, in lme4's names (``(Intercept)``,
``subject|days|`` for a random-effect SD, ``Residual``).

The appendix *How this book checks its numbers* shows the comparison for every
model; the tests assert it to the digits the book prints.
"""

from __future__ import annotations

import re
import time
import warnings
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from lmmbook import datasets
from lmmbook.simulate import simulate_schools
from lmmbook.validation import check_mixedlm_result

__all__ = [
    "ModelSpec",
    "CATALOGUE",
    "load_lme4_fits",
    "load_lme4_timings",
    "load_model_data",
    "fit_catalogue_model",
    "tidy_mixedlm",
    "conditional_fixed_cov",
    "compare_with_lme4",
]


@dataclass(frozen=True)
class ModelSpec:
    """One model, written for statsmodels and for lme4.

    Attributes
    ----------
    name : str
        Key of the model in :data:`CATALOGUE` and in the lme4 file.
    data : str
        Data set, a name understood by :func:`load_model_data`.
    lme4 : str
        The lme4 formula, as the R script fits it.
    formula : str
        The statsmodels fixed-effects formula.
    groups : str
        Grouping column (``"one"``, a column of ones, for crossed factors).
    re_formula : str or None
        statsmodels' random-effects formula (``None``: a random intercept).
    vc_formula : dict
        statsmodels' variance components.
    reml : bool
        REML (True) or maximum likelihood (False).
    names : dict
        lme4 names of the random-effect SDs (and correlation) in the order
        :func:`tidy_mixedlm` returns them, when they are not ``group|term|``.
    """

    name: str
    data: str
    lme4: str
    formula: str
    groups: str
    re_formula: str | None = None
    vc_formula: dict[str, str] = field(default_factory=dict)
    reml: bool = True
    names: dict[str, str] = field(default_factory=dict)


_SPECS = [
    ModelSpec("schools_empty", "schools_seed42", "score ~ 1 + (1 | school)", "score ~ 1", "school"),
    ModelSpec("schools_ri", "schools_seed42", "score ~ hours + (1 | school)", "score ~ hours",
              "school"),
    ModelSpec("schools_ri_ml", "schools_seed42", "score ~ hours + (1 | school), REML = FALSE",
              "score ~ hours", "school", reml=False),
    ModelSpec("sleep_ri", "sleepstudy", "reaction ~ days + (1 | subject)", "reaction ~ days",
              "subject"),
    ModelSpec("sleep_rs", "sleepstudy", "reaction ~ days + (days | subject)", "reaction ~ days",
              "subject", re_formula="~days"),
    ModelSpec("sleep_rs_ml", "sleepstudy", "reaction ~ days + (days | subject), REML = FALSE",
              "reaction ~ days", "subject", re_formula="~days", reml=False),
    ModelSpec("sleep_ri_ml", "sleepstudy", "reaction ~ days + (1 | subject), REML = FALSE",
              "reaction ~ days", "subject", reml=False),
    ModelSpec("sleep_uncorrelated", "sleepstudy", "reaction ~ days + (days || subject)",
              "reaction ~ days", "subject", re_formula="1", vc_formula={"days": "0 + days"},
              names={"subject|days|": "subject.1|days|"}),
    ModelSpec("sleep_slope_only", "sleepstudy", "reaction ~ days + (0 + days | subject)",
              "reaction ~ days", "subject", re_formula="~0 + days",
              names={"Group|days|": "subject|days|"}),  # no intercept: statsmodels says "Group"
    ModelSpec("dyestuff", "dyestuff", "yield_g ~ 1 + (1 | batch)", "yield_g ~ 1", "batch"),
    ModelSpec("dyestuff2", "dyestuff2", "yield_g ~ 1 + (1 | batch)", "yield_g ~ 1", "batch"),
    ModelSpec("penicillin", "penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)",
              "diameter ~ 1", "one", re_formula="0",
              vc_formula={"plate": "0 + C(plate)", "sample": "0 + C(sample)"},
              names={"Group|plate|": "plate|(Intercept)|", "Group|sample|": "sample|(Intercept)|"}),
    ModelSpec("pastes_nested", "pastes", "strength ~ 1 + (1 | batch / cask)", "strength ~ 1",
              "batch", re_formula="1", vc_formula={"cask": "0 + C(cask)"},
              names={"batch|cask|": "cask:batch|(Intercept)|"}),
    # statsmodels' groups + vc_formula without re_formula: no batch intercept (chapter 12).
    ModelSpec("pastes_cask_only", "pastes", "strength ~ 1 + (1 | batch:cask)", "strength ~ 1",
              "batch", vc_formula={"cask": "0 + C(cask)"},
              names={"Group|cask|": "batch:cask|(Intercept)|"}),
    ModelSpec("pastes_crossed", "pastes", "strength ~ 1 + (1 | batch) + (1 | cask)",
              "strength ~ 1", "one", re_formula="0",
              vc_formula={"batch": "0 + C(batch)", "cask": "0 + C(cask)"},
              names={"Group|batch|": "batch|(Intercept)|", "Group|cask|": "cask|(Intercept)|"}),
    ModelSpec("radon_empty", "radon", "log_radon ~ 1 + (1 | county)", "log_radon ~ 1", "county"),
    ModelSpec("radon_floor", "radon", "log_radon ~ floor + (1 | county)", "log_radon ~ floor",
              "county"),
    ModelSpec("radon_floor_slope", "radon", "log_radon ~ floor + (floor | county)",
              "log_radon ~ floor", "county", re_formula="~floor"),
    ModelSpec("radon_uranium", "radon", "log_radon ~ floor + uranium + (1 | county)",
              "log_radon ~ floor + uranium", "county"),
    ModelSpec("hsb_empty", "hsb82", "math ~ 1 + (1 | school)", "math ~ 1", "school"),
    ModelSpec("hsb_ses", "hsb82", "math ~ ses + (1 | school)", "math ~ ses", "school"),
    ModelSpec("hsb_mundlak", "hsb82", "math ~ cses + school_ses + (1 | school)",
              "math ~ cses + school_ses", "school"),
    ModelSpec("hsb_cses_slope", "hsb82", "math ~ cses + school_ses + sector + (cses | school)",
              "math ~ cses + school_ses + sector", "school", re_formula="~cses"),
    ModelSpec("hsb_cses_slope_ri", "hsb82", "math ~ cses + school_ses + sector + (1 | school)",
              "math ~ cses + school_ses + sector", "school"),
    ModelSpec("hsb_cross_level", "hsb82", "math ~ cses * (school_ses + sector) + (cses | school)",
              "math ~ cses * (school_ses + sector)", "school", re_formula="~cses"),
    ModelSpec("hsb_cross_level_ri", "hsb82", "math ~ cses * (school_ses + sector) + (1 | school)",
              "math ~ cses * (school_ses + sector)", "school"),
]

#: The models the book fits to real data (and the running example), by name.
CATALOGUE: dict[str, ModelSpec] = {spec.name: spec for spec in _SPECS}


def load_lme4_fits() -> pd.DataFrame:
    """Return the stored lme4 results, one row per model, quantity and term.

    Returns
    -------
    pandas.DataFrame
        Columns ``model``, ``quantity`` (``estimate``, ``std_error``, ``sd``,
        ``variance``, ``correlation``, ``reml_criterion`` or ``deviance``,
        ``loglik``, ``singular``, ``nobs``), ``term`` and ``value``.

    Examples
    --------
    >>> fits = load_lme4_fits()
    >>> row = fits.query("model == 'sleep_rs' and quantity == 'reml_criterion'")
    >>> round(float(row["value"].iloc[0]), 3)
    1743.628
    """
    text = resources.files("lmmbook").joinpath("data", "lme4_fits.csv")
    with text.open() as handle:
        table = pd.read_csv(handle, comment="#", keep_default_na=False)
    table["value"] = table["value"].astype(float)
    return table


def load_lme4_timings() -> pd.Series:
    """Return lme4's seconds per fit (the median of 5) when the references were made.

    Returns
    -------
    pandas.Series
        Indexed by model name. Times vary from run to run, so they are kept
        apart from the results, which must not.

    Examples
    --------
    >>> sorted(load_lme4_timings().index) == sorted(CATALOGUE)
    True
    """
    text = resources.files("lmmbook").joinpath("data", "lme4_timings.csv")
    with text.open() as handle:
        return pd.read_csv(handle, comment="#").set_index("model")["seconds"]


def load_model_data(name: str) -> pd.DataFrame:
    """Return a data set of the catalogue, with the derived columns its models use.

    Parameters
    ----------
    name : str
        ``"schools_seed42"`` (the running example), ``"sleepstudy"``,
        ``"dyestuff"``, ``"dyestuff2"``, ``"penicillin"``, ``"pastes"``,
        ``"radon"`` or ``"hsb82"`` (which gains ``school_ses``, the school mean
        of ses, and ``cses``, ses centred on it).

    Returns
    -------
    pandas.DataFrame
        The data, with a column ``one`` of ones (the single group of crossed
        models).

    Examples
    --------
    >>> load_model_data("hsb82")[["ses", "school_ses", "cses"]].shape
    (7185, 3)
    """
    loaders = {
        "schools_seed42": lambda: simulate_schools(n_schools=10, n_per_school=15, seed=42),
        "sleepstudy": datasets.load_sleepstudy,
        "dyestuff": datasets.load_dyestuff,
        "dyestuff2": datasets.load_dyestuff2,
        "penicillin": datasets.load_penicillin,
        "pastes": datasets.load_pastes,
        "radon": datasets.load_radon,
        "hsb82": datasets.load_hsb82,
    }
    if not isinstance(name, str):
        raise TypeError(f"name must be a data set name (str), got {type(name).__name__}")
    if name not in loaders:
        raise ValueError(f"name must be one of {sorted(loaders)}, got {name!r}")
    data = loaders[name]().copy()
    if name == "hsb82":
        data["school_ses"] = data.groupby("school", observed=True)["ses"].transform("mean")
        data["cses"] = data["ses"] - data["school_ses"]
    data["one"] = 1
    return data


def fit_catalogue_model(name: str, gtol: float = 1e-8) -> object:
    """Fit a model of the catalogue with statsmodels, to the optimum.

    statsmodels' default optimiser can stop short of the optimum and still say
    it converged (on Hsb82's ``math ~ ses`` it stops 0.02 above lme4's REML
    criterion, with a school variance 2% off). The catalogue fits each model
    with Powell's method, polishes that fit with BFGS at a tight gradient
    tolerance, and keeps the better of the two, which agrees with lme4's
    criterion to about 1e-4 or better on every model.

    Parameters
    ----------
    name : str
        A key of :data:`CATALOGUE`.
    gtol : float
        Gradient tolerance of the optimiser (the default stops early; see
        the chapter on fitting).

    Returns
    -------
    MixedLMResults

    Examples
    --------
    >>> fit = fit_catalogue_model("dyestuff")
    >>> round(float(fit.fe_params.iloc[0]), 1)
    1527.5
    """
    spec = _spec(name)
    data = load_model_data(spec.data)
    model = smf.mixedlm(spec.formula, data, groups=spec.groups, re_formula=spec.re_formula,
                        vc_formula=spec.vc_formula or None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary fits warn; diagnose_fit reports them
        powell = model.fit(reml=spec.reml, method="powell")
        polished = model.fit(reml=spec.reml, start_params=powell.params, gtol=gtol)
    # Keep the higher (finite) likelihood: neither optimiser alone reaches lme4's
    # optimum on every model (Powell stops early on radon's random slope; BFGS
    # from Powell's start breaks down at Dyestuff2's zero variance).
    if np.isfinite(polished.llf) and polished.llf >= powell.llf:
        return polished
    return powell


def tidy_mixedlm(result: object) -> pd.DataFrame:
    """Return a statsmodels fit in the long layout and names of the lme4 file.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model.

    Returns
    -------
    pandas.DataFrame
        Columns ``quantity``, ``term``, ``value``: fixed-effect estimates and
        standard errors, random-effect and residual SDs and variances, the
        correlations of ``cov_re``, the REML criterion (or the deviance, for
        ML) and the log-likelihood. Random-effect terms are named
        ``group|term|`` as lme4's ``as.data.frame(VarCorr(fit))`` does.

    Examples
    --------
    >>> tidy = tidy_mixedlm(fit_catalogue_model("dyestuff"))
    >>> tidy.query("quantity == 'sd'")["term"].tolist()
    ['batch|(Intercept)|', 'Residual']
    """
    from lmmbook.models import _groups_name, _random_terms

    result = check_mixedlm_result(result)
    rows = []
    for term, estimate in result.fe_params.items():
        name = _lme4_name(str(term))
        rows.append(("estimate", name, float(estimate)))
        rows.append(("std_error", name, float(result.bse_fe[term])))
    group = _groups_name(result)
    cov = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
    terms = ["(Intercept)" if t == "Intercept" else t for t in _random_terms(result)]
    for k, term in enumerate(terms):
        rows.append(("sd", f"{group}|{term}|", float(np.sqrt(max(cov[k, k], 0.0)))))
        rows.append(("variance", f"{group}|{term}|", float(cov[k, k])))
    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            denominator = np.sqrt(cov[i, i] * cov[j, j])
            value = float(cov[i, j] / denominator) if denominator > 0 else float("nan")
            rows.append(("correlation", f"{group}|{terms[i]}|{terms[j]}", value))
    vc_names = getattr(getattr(result.model, "exog_vc", None), "names", [])
    for name, value in zip(vc_names, np.atleast_1d(result.vcomp)):
        rows.append(("sd", f"{group}|{name}|", float(np.sqrt(max(value, 0.0)))))
        rows.append(("variance", f"{group}|{name}|", float(value)))
    rows.append(("sd", "Residual", float(np.sqrt(result.scale))))
    rows.append(("variance", "Residual", float(result.scale)))
    criterion = "reml_criterion" if result.method == "REML" else "deviance"
    rows.append((criterion, "", float(-2 * result.llf)))
    rows.append(("loglik", "", float(result.llf)))
    return pd.DataFrame(rows, columns=["quantity", "term", "value"])


def conditional_fixed_cov(result: object) -> pd.DataFrame:
    """Return ``(X' V^-1 X)^-1``: the fixed effects' covariance given the variances.

    lme4's ``vcov`` treats the estimated variances as known and returns this
    matrix, with ``V`` the marginal covariance of ``y`` at the estimates.
    statsmodels' ``bse_fe`` comes instead from the inverse of the full observed
    information, variances included; with unbalanced groups the two differ in
    the third significant digit (radon) or more.

    Parameters
    ----------
    result : MixedLMResults
        A fitted model (random effects from ``re_formula`` and ``vc_formula``).

    Returns
    -------
    pandas.DataFrame
        Square, indexed by the fixed-effect names.

    Examples
    --------
    >>> fit = fit_catalogue_model("radon_empty")
    >>> float(np.sqrt(conditional_fixed_cov(fit).iloc[0, 0])).__round__(5)  # lme4: 0.04891
    0.04891
    """
    result = check_mixedlm_result(result)
    model = result.model
    cov_re = np.atleast_2d(np.asarray(result.cov_re, dtype=float))
    vcomp = np.atleast_1d(np.asarray(result.vcomp, dtype=float))
    information = np.zeros((model.k_fe, model.k_fe))
    for j in range(model.n_groups):
        x = model.exog_li[j]
        v = float(result.scale) * np.eye(x.shape[0])
        if cov_re.size:
            z = model.exog_re_li[j]
            v += z @ cov_re @ z.T
        for k, variance in enumerate(vcomp):
            m = model.exog_vc.mats[k][j]
            v += variance * (m @ m.T)
        information += x.T @ np.linalg.solve(v, x)
    names = list(result.fe_params.index)
    return pd.DataFrame(np.linalg.inv(information), index=names, columns=names)


def compare_with_lme4(name: str, result: object | None = None) -> tuple[pd.DataFrame, float]:
    """Fit a catalogue model with statsmodels and set it beside lme4's fit.

    Parameters
    ----------
    name : str
        A key of :data:`CATALOGUE`.
    result : MixedLMResults, optional
        A fit of that model already made (by :func:`fit_catalogue_model`);
        the seconds returned are then 0.

    Returns
    -------
    (pandas.DataFrame, float)
        The table, one row per quantity and term, with columns ``quantity``,
        ``term``, ``statsmodels``, ``lme4``, ``abs_diff`` and ``rel_diff``
        (the difference over the larger of ``|lme4|`` and 1e-8); and the
        seconds statsmodels took to fit.

    Examples
    --------
    >>> table, seconds = compare_with_lme4("penicillin")
    >>> sds = table.query("quantity == 'sd'").round(4)[["term", "statsmodels", "lme4"]]
    >>> print(sds.to_string(index=False))
                   term  statsmodels   lme4
               Residual       0.5499 0.5499
     plate|(Intercept)|       0.8467 0.8467
    sample|(Intercept)|       1.9316 1.9316
    """
    spec = _spec(name)
    seconds = 0.0
    if result is None:
        start = time.perf_counter()
        result = fit_catalogue_model(name)
        seconds = time.perf_counter() - start
    result = check_mixedlm_result(result)
    ours = tidy_mixedlm(result)
    conditional = np.sqrt(np.diag(conditional_fixed_cov(result)))
    extra = pd.DataFrame({
        "quantity": "std_error_given_variances",
        "term": [_lme4_name(str(n)) for n in result.fe_params.index],
        "value": conditional,
    })
    ours = pd.concat([ours, extra], ignore_index=True)
    ours["term"] = ours["term"].replace(spec.names)
    lme4 = load_lme4_fits().query("model == @name")[["quantity", "term", "value"]]
    # lme4's standard errors are conditional on the variances: compare both ways.
    lme4_se = lme4[lme4["quantity"] == "std_error"].assign(quantity="std_error_given_variances")
    lme4 = pd.concat([lme4, lme4_se], ignore_index=True)
    table = ours.merge(lme4, on=["quantity", "term"], how="outer",
                       suffixes=("_statsmodels", "_lme4"), indicator=True)
    unmatched = table[table["_merge"] != "both"]
    # Quantities only lme4's file holds (its verdicts, BLUPs, profile intervals) are not compared here.
    unmatched = unmatched[unmatched["quantity"].isin(ours["quantity"])]
    if len(unmatched):
        raise LookupError(
            f"{name}: quantities not in both fits: "
            f"{unmatched[['quantity', 'term', '_merge']].to_dict('records')}"
        )
    table = table[table["_merge"] == "both"].drop(columns="_merge")
    table = table.rename(columns={"value_statsmodels": "statsmodels", "value_lme4": "lme4"})
    table["abs_diff"] = (table["statsmodels"] - table["lme4"]).abs()
    table["rel_diff"] = table["abs_diff"] / table["lme4"].abs().clip(lower=1e-8)
    order = {q: i for i, q in enumerate(["estimate", "std_error", "std_error_given_variances",
                                         "sd", "variance",
                                         "correlation", "reml_criterion", "deviance", "loglik"])}
    table = table.sort_values(["quantity", "term"], key=lambda s: s.map(order) if
                              s.name == "quantity" else s, kind="stable")
    return table.reset_index(drop=True), seconds


def _lme4_name(term: str) -> str:
    """lme4's name of a fixed effect: ``(Intercept)``, ``sectorPublic`` for ``sector[T.Public]``."""
    if term == "Intercept":
        return "(Intercept)"
    return re.sub(r"(\w+)\[T\.([^\]]+)\]", r"\1\2", term)  # also inside cses:sector[T.Public]


def _spec(name: str) -> ModelSpec:
    if not isinstance(name, str):
        raise TypeError(f"name must be a model name (str), got {type(name).__name__}")
    if name not in CATALOGUE:
        raise ValueError(f"name must be one of {sorted(CATALOGUE)}, got {name!r}")
    return CATALOGUE[name]
