"""lmmbook's boundary (singular) rule is lme4's ``isSingular``.

lme4 calls a fit singular when a diagonal element of the relative Cholesky
factor theta (a standard deviation over the residual one) is below 1e-4. These
tests pin the rule on the standard-deviation scale, on correlated random
effects, on ``vc_formula`` variance components, and on statsmodels fits that
stop near, not at, zero.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from lmmbook.models import BOUNDARY_TOL, diagnose_fit, relative_cholesky
from lmmbook.simulate import simulate_schools


def quiet_fit(model, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(**kwargs)


def test_threshold_is_lme4s_on_the_sd_scale():
    assert BOUNDARY_TOL == 1e-4


def test_relative_cholesky_of_a_random_intercept_is_tau_over_sigma(seed42_fit):
    theta = relative_cholesky(seed42_fit)
    tau2 = float(seed42_fit.cov_re.iloc[0, 0])
    assert theta.shape == (1,)
    assert np.isclose(theta[0], np.sqrt(tau2 / seed42_fit.scale))


def test_relative_cholesky_matches_numpy_cholesky_for_random_slopes():
    data = simulate_schools(n_schools=20, seed=3)
    fit = quiet_fit(smf.mixedlm("score ~ hours", data, groups="school", re_formula="~hours"),
                    method="powell")
    cov = np.asarray(fit.cov_re, dtype=float) / fit.scale
    expected = np.diag(np.linalg.cholesky(cov))
    assert np.allclose(relative_cholesky(fit), expected)


class _FakeFit:
    """The attributes diagnose_fit reads, for covariances chosen by hand."""

    def __init__(self, real, cov_re, scale=1.0):
        self.__class__ = type("MixedLMResults", (_FakeFit,), {})
        self._real = real
        self.cov_re = pd.DataFrame(cov_re)
        self.scale = scale
        self.vcomp = np.array([])
        self.converged = True
        self.llf = real.llf
        self.fe_params = real.fe_params
        self.model = real.model
        self.method = real.method


def test_a_variance_ratio_of_1e_6_is_not_singular_but_1e_10_is(seed42_fit, monkeypatch):
    """The old rule (variance ratio < 1e-4) was 100 times looser on the SD scale."""
    import lmmbook.models as models

    monkeypatch.setattr(models, "check_mixedlm_result", lambda r, name="result": r)
    monkeypatch.setattr(models, "_optimum_at_zero", lambda r, theta, tol: np.zeros(theta.shape, bool))
    sd_ratio_1e_3 = _FakeFit(seed42_fit, [[1e-6]])   # theta = 1e-3
    sd_ratio_1e_5 = _FakeFit(seed42_fit, [[1e-10]])  # theta = 1e-5
    assert not models.diagnose_fit(sd_ratio_1e_3).boundary
    assert models.diagnose_fit(sd_ratio_1e_5).boundary


def test_perfectly_correlated_random_effects_are_singular(seed42_fit, monkeypatch):
    import lmmbook.models as models

    monkeypatch.setattr(models, "check_mixedlm_result", lambda r, name="result": r)
    monkeypatch.setattr(models, "_optimum_at_zero", lambda r, theta, tol: np.zeros(theta.shape, bool))
    fake = _FakeFit(seed42_fit, [[4.0, 2.0], [2.0, 1.0]])  # correlation exactly 1
    theta = models.relative_cholesky(fake)
    assert theta[0] == pytest.approx(2.0) and theta[1] < 1e-6
    diagnosis = models.diagnose_fit(fake)
    assert diagnosis.boundary and "covariance matrix is singular" in str(diagnosis)


def test_a_statsmodels_fit_that_stops_near_zero_is_singular():
    """Powell stops at theta of about 1.3e-4 on data with no school variance, where
    lme4 lands on 0; the log-likelihood at zero is as high, so the fit is singular."""
    model = smf.mixedlm("score ~ hours", simulate_schools(school_sd=0, seed=0), groups="school")
    fit = quiet_fit(model, method="powell")
    theta = relative_cholesky(fit)
    assert BOUNDARY_TOL < theta[0] < 1e-2  # not below the threshold by itself ...
    assert diagnose_fit(fit).boundary      # ... but its optimum is at zero


def test_a_small_but_real_school_variance_is_not_singular():
    model = smf.mixedlm("score ~ hours", simulate_schools(school_sd=1.0, seed=3), groups="school")
    fit = quiet_fit(model, reml=True)
    assert relative_cholesky(fit)[0] > 0.05
    assert not diagnose_fit(fit).boundary


def test_the_rule_reads_the_criterion_of_the_fit_not_of_the_models_latest_fit():
    model = smf.mixedlm("score ~ hours", simulate_schools(school_sd=0, seed=0), groups="school")
    reml = quiet_fit(model, reml=True, method="powell")
    quiet_fit(model, reml=False, method="powell")  # the model now says reml=False
    assert diagnose_fit(reml).boundary
    assert model.reml is False  # and diagnose_fit left it as it was


def test_variance_components_count_too():
    """A vc_formula component estimated at zero makes the fit singular."""
    rng = np.random.default_rng(7)
    rows = []
    for school in range(12):
        u = rng.normal(0, 5)
        for klass in range(3):  # classes within schools: no class variance at all
            for _ in range(6):
                rows.append((f"s{school}", f"c{klass}", 50 + u + rng.normal(0, 3)))
    data = pd.DataFrame(rows, columns=["school", "klass", "score"])
    model = smf.mixedlm("score ~ 1", data, groups="school", re_formula="1",
                        vc_formula={"klass": "0 + C(klass)"})
    fit = quiet_fit(model, method="powell")
    theta = relative_cholesky(fit)
    assert theta.shape == (2,) and theta[0] > 0.5
    diagnosis = diagnose_fit(fit)
    assert diagnosis.boundary
    assert "klass" in str(diagnosis)
