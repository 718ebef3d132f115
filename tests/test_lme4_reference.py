"""Every model of the catalogue, fitted by statsmodels, agrees with lme4.

The lme4 results are stored in ``src/lmmbook/data/lme4_fits.csv`` by
``tests/reference/fit_lme4.R`` (``make references``); CI re-runs the script and
fails if the file changes. These tests need no R.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from conftest import ROOT
from lmmbook.models import diagnose_fit
from lmmbook.reference import CATALOGUE, compare_with_lme4, fit_catalogue_model, load_lme4_fits

#: The book prints at most four or five significant digits.
REL_TOL = 1e-4
#: ... and values near zero (a variance at the boundary) to about 1e-4.
ABS_TOL = 1e-4
#: Balanced designs, where statsmodels' and lme4's standard errors coincide.
BALANCED = {"schools_empty", "schools_ri", "schools_ri_ml", "sleep_ri", "sleep_rs",
            "sleep_rs_ml", "sleep_ri_ml", "sleep_uncorrelated", "dyestuff", "dyestuff2",
            "penicillin", "pastes_nested", "pastes_cask_only", "pastes_crossed"}
AGREE = ["estimate", "std_error_given_variances", "sd", "variance", "correlation",
         "reml_criterion", "deviance", "loglik"]


@cache
def fit(name: str):
    return fit_catalogue_model(name)


@cache
def comparison(name: str):
    table, _ = compare_with_lme4(name, fit(name))
    return table


def test_the_r_script_fits_every_catalogue_model_and_nothing_else():
    script = (ROOT / "tests" / "reference" / "fit_lme4.R").read_text()
    in_script = re.findall(r'^\s*list\("(\w+)", ', script, re.M)
    assert sorted(in_script) == sorted(CATALOGUE)
    stored = set(load_lme4_fits()["model"])
    assert stored == set(CATALOGUE), "re-run `make references`"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_statsmodels_agrees_with_lme4_to_the_printed_digits(name):
    table = comparison(name)
    checked = table[table["quantity"].isin(AGREE)]
    assert {"estimate", "sd", "loglik"} <= set(checked["quantity"])
    bad = checked[(checked["rel_diff"] > REL_TOL) & (checked["abs_diff"] > ABS_TOL)]
    assert bad.empty, f"{name}: statsmodels differs from lme4:\n{bad.to_string()}"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_statsmodels_standard_errors_match_lme4_only_for_balanced_designs(name):
    """statsmodels' bse_fe inverts the full observed information (variances
    included); lme4's are (X'V^-1 X)^-1, conditional on the variances. The two
    coincide for balanced designs and differ, by up to 15% here, otherwise."""
    se = comparison(name).query("quantity == 'std_error'")
    worst = float(se["rel_diff"].max())
    if name in BALANCED:
        assert worst < 1e-3
    else:
        assert worst < 0.15


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_boundary_report_agrees_with_lme4s_is_singular(name):
    singular = load_lme4_fits().query("model == @name and quantity == 'singular'")["value"]
    assert len(singular) == 1
    assert diagnose_fit(fit(name)).boundary == bool(singular.iloc[0])


def test_the_book_s_reference_values_are_in_the_file():
    """The sleepstudy values the book quotes, to the digits it prints. lme4 1.1.31
    gives an intercept SD of 24.7404 (older versions printed 24.741)."""
    fits = load_lme4_fits().query("model == 'sleep_rs'").set_index(["quantity", "term"])["value"]
    assert round(fits["estimate", "(Intercept)"], 3) == 251.405
    assert round(fits["std_error", "(Intercept)"], 3) == 6.825
    assert round(fits["estimate", "days"], 3) == 10.467
    assert round(fits["std_error", "days"], 3) == 1.546
    assert round(fits["sd", "subject|(Intercept)|"], 3) == 24.740
    assert round(fits["sd", "subject|days|"], 3) == 5.922
    assert round(fits["correlation", "subject|(Intercept)|days"], 3) == 0.066
    assert round(fits["sd", "Residual"], 3) == 25.592
    assert round(fits["reml_criterion", ""], 3) == 1743.628
    ml = load_lme4_fits().query("model == 'sleep_rs_ml' and quantity == 'deviance'")["value"]
    assert round(float(ml.iloc[0]), 3) == 1751.939


def test_the_ci_check_catches_an_edited_or_missing_reference(tmp_path):
    """CI re-runs lme4 and compares with tests/reference/compare_fits.py: an edited
    value or a dropped row must fail it, lme4's run-to-run noise (1e-7) must not."""
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "reference"))
    try:
        from compare_fits import compare
    finally:
        sys.path.pop(0)
    stored = ROOT / "src" / "lmmbook" / "data" / "lme4_fits.csv"
    lines = stored.read_text().splitlines()
    header = [i for i, line in enumerate(lines) if line.startswith("model,")][0]

    def write(name, edit):
        rows = [edit(line) if i > header else line for i, line in enumerate(lines)]
        path = tmp_path / name
        path.write_text("\n".join(r for r in rows if r is not None) + "\n")
        return str(path)

    def nudge(line, factor):
        *key, value = line.split(",")
        return ",".join([*key, repr(float(value) * factor)])

    assert compare(str(stored), write("same.csv", lambda line: line)) == []
    assert compare(str(stored), write("noise.csv", lambda line: nudge(line, 1 + 1e-7))) == []
    edited = write("edited.csv", lambda line: nudge(line, 1.001) if line.startswith("sleep_rs,sd,") else line)
    assert any("sleep_rs" in problem for problem in compare(str(stored), edited))
    dropped = write("dropped.csv", lambda line: None if line.startswith("dyestuff2,") else line)
    assert any("only in" in problem and "dyestuff2" in problem for problem in compare(str(stored), dropped))
