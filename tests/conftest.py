"""Shared fixtures. Figures are drawn off-screen in the tests."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    """The project root (the folder holding _toc.yml)."""
    return ROOT


@pytest.fixture(scope="session")
def seed42_data():
    """The book's running example: 150 students in 10 schools, seed 42."""
    from lmmbook.simulate import simulate_schools

    return simulate_schools(n_schools=10, n_per_school=15, seed=42)


@pytest.fixture(scope="session")
def seed42_fit(seed42_data):
    """The REML random-intercept fit of the running example, at the optimum.

    statsmodels' default gradient tolerance stops at a school variance of 54.324;
    ``gtol=1e-8`` reaches the REML optimum lme4 finds, 54.329.
    """
    import statsmodels.formula.api as smf

    return smf.mixedlm("score ~ hours", seed42_data, groups="school").fit(reml=True, gtol=1e-8)
