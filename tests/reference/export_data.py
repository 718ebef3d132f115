"""Write the data sets the book fits to CSV files, for the lme4 reference script.

lme4 must fit exactly the rows statsmodels fits, so the data come from the same
loaders (``lmmbook.datasets``) and the same simulation (``simulate_schools``),
not from R's own copies. Usage::

    python tests/reference/export_data.py OUTDIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from lmmbook import datasets
from lmmbook.simulate import simulate_schools


def export(folder: Path) -> list[Path]:
    """Write one CSV per data set into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        "schools_seed42": simulate_schools(n_schools=10, n_per_school=15, seed=42),
        "sleepstudy": datasets.load_sleepstudy(),
        "dyestuff": datasets.load_dyestuff(),
        "dyestuff2": datasets.load_dyestuff2(),
        "penicillin": datasets.load_penicillin(),
        "pastes": datasets.load_pastes(),
        "radon": datasets.load_radon(),
        "hsb82": datasets.load_hsb82(),
    }
    paths = []
    for name, frame in frames.items():
        path = folder / f"{name}.csv"
        # 17 significant digits: R reads back the same doubles.
        frame.to_csv(path, index=False, float_format="%.17g")
        paths.append(path)
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for written in export(Path(sys.argv[1])):
        print(written)
