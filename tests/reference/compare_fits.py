"""Fail when freshly computed lme4 results differ from the stored ones.

lme4's last digits vary from run to run and between processors (about 1e-7
relative on the crossed models, from the order of floating-point sums; 1.4e-6 for
the Hsb82 slope variance on another CPU), so the comparison is numeric: every
stored row must be recomputed, and agree to ``RTOL``. Usage::

    python tests/reference/compare_fits.py STORED.csv FRESH.csv
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

# lme4's own convergence tolerance: bobyqa stops when its trust region shrinks to
# rhoend = 2e-7 on theta (the relative SDs, 0.05 and up here), so an SD can move by
# 2e-7 / theta relative and a variance by twice that: up to about 1e-5. That is still
# ten times finer than the four or five significant digits the book prints.
RTOL = 1e-5
ATOL = 1e-9


def read(path: str) -> pd.DataFrame:
    table = pd.read_csv(path, comment="#", keep_default_na=False)
    return table.set_index(["model", "quantity", "term"])["value"].astype(float)


def compare(stored_path: str, fresh_path: str) -> list[str]:
    """Return one line per difference; empty when the two files agree."""
    stored, fresh = read(stored_path), read(fresh_path)
    problems = [f"only in {stored_path}: {key}" for key in stored.index.difference(fresh.index)]
    problems += [f"only in {fresh_path}: {key}" for key in fresh.index.difference(stored.index)]
    both = stored.index.intersection(fresh.index)
    a, b = stored.loc[both], fresh.loc[both]
    off = ~np.isclose(a, b, rtol=RTOL, atol=ATOL)
    problems += [f"{key}: stored {x!r}, lme4 now gives {y!r}"
                 for key, x, y in zip(both[off], a[off], b[off])]
    return problems


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    found = compare(sys.argv[1], sys.argv[2])
    for line in found:
        print(line)
    print(f"{len(found)} differences between the stored lme4 fits and a fresh run")
    sys.exit(1 if found else 0)
