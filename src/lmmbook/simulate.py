"""Data-generating processes: students nested in schools.

The book's running example is

.. math::

    \\text{score}_{ij} = \\beta_0 + \\beta_1\\,\\text{hours}_{ij} + u_j + \\varepsilon_{ij},
    \\qquad u_j \\sim N(0, \\tau^2),\\ \\varepsilon_{ij} \\sim N(0, \\sigma^2),

for student ``i`` in school ``j``. The simulated data carry the truth that made
them in ``df.attrs["truth"]``, so a chapter can compare every estimate with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lmmbook.validation import check_int, check_pair, check_real, check_seed

__all__ = ["simulate_schools", "school_labels"]


def school_labels(n_schools: int) -> list[str]:
    """Return the school labels ``"School 01"``, ``"School 02"``, ...

    The labels are zero-padded so that they sort in the natural order.

    Parameters
    ----------
    n_schools : int
        Number of schools, at least 1.

    Returns
    -------
    list of str

    Examples
    --------
    >>> school_labels(3)
    ['School 01', 'School 02', 'School 03']
    >>> school_labels(100)[-1]
    'School 100'
    """
    n_schools = check_int(n_schools, "n_schools", minimum=1)
    width = max(2, len(str(n_schools)))
    return [f"School {j:0{width}d}" for j in range(1, n_schools + 1)]


def simulate_schools(
    n_schools: int = 10,
    n_per_school: int = 15,
    seed: int | np.random.Generator = 42,
    *,
    intercept: float = 50.0,
    slope: float = 3.0,
    school_sd: float = 8.0,
    noise_sd: float = 5.0,
    hours_range: tuple[float, float] = (1.0, 10.0),
    resources_effect: float | None = None,
) -> pd.DataFrame:
    """Simulate test scores of students nested in schools.

    The random draws follow the book's original loop, so the default call
    reproduces its data exactly: from ``np.random.default_rng(seed)``, first
    all school effects ``u_j ~ N(0, school_sd)``, then, school by school, the
    students' ``hours ~ U(hours_range)`` and their noise ``e_ij ~ N(0, noise_sd)``.

    Parameters
    ----------
    n_schools : int
        Number of schools, at least 1.
    n_per_school : int
        Students per school, at least 1.
    seed : int or numpy.random.Generator
        Seed of ``np.random.default_rng``, or a generator to draw from
        (used by simulation studies that draw many data sets from one stream).
    intercept, slope : float
        Fixed effects: the score of a student who studies 0 hours in an
        average school, and the points gained per hour of study.
    school_sd, noise_sd : float
        Standard deviations of the school effects (``tau``, may be 0) and of
        the student-level noise (``sigma``, must be > 0).
    hours_range : tuple of float
        Low and high end of the uniform distribution of study hours.
    resources_effect : float, optional
        If given, add a school-level covariate ``resources`` (a standardised
        index, ``N(0, 1)`` per school, drawn after everything else so the other
        columns are unchanged) with this effect on the score.

    Returns
    -------
    pandas.DataFrame
        One row per student with columns ``school``, ``hours``, ``score``
        (and ``resources`` if requested). ``df.attrs["truth"]`` holds the
        parameters and the true school effects (a Series named
        ``school_effect`` indexed by school).

    Examples
    --------
    >>> df = simulate_schools()
    >>> df.shape
    (150, 3)
    >>> df.head(3).round(2)
          school  hours  score
    0  School 01   4.34  63.69
    1  School 01   9.34  83.12
    2  School 01   6.79  74.65
    >>> df.attrs["truth"]["school_effects"].round(2).head(2)
    school
    School 01    2.44
    School 02   -8.32
    Name: school_effect, dtype: float64
    """
    n_schools = check_int(n_schools, "n_schools", minimum=1)
    n_per_school = check_int(n_per_school, "n_per_school", minimum=1)
    intercept = check_real(intercept, "intercept")
    slope = check_real(slope, "slope")
    school_sd = check_real(school_sd, "school_sd", minimum=0)
    noise_sd = check_real(noise_sd, "noise_sd", minimum=0, strict=True)
    low, high = check_pair(hours_range, "hours_range", increasing=True)
    if resources_effect is not None:
        resources_effect = check_real(resources_effect, "resources_effect")
    rng = check_seed(seed)

    labels = school_labels(n_schools)
    school_effects = rng.normal(0.0, school_sd, size=n_schools)
    hours = np.empty((n_schools, n_per_school))
    noise = np.empty((n_schools, n_per_school))
    for j in range(n_schools):
        hours[j] = rng.uniform(low, high, size=n_per_school)
        noise[j] = rng.normal(0.0, noise_sd, size=n_per_school)

    score = intercept + slope * hours + school_effects[:, None] + noise
    columns = {
        "school": np.repeat(labels, n_per_school),
        "hours": hours.ravel(),
        "score": score.ravel(),
    }
    truth = {
        "intercept": intercept,
        "slope": slope,
        "school_sd": school_sd,
        "noise_sd": noise_sd,
        "school_effects": pd.Series(
            school_effects, index=pd.Index(labels, name="school"), name="school_effect"
        ),
    }
    if resources_effect is not None:
        resources = rng.normal(0.0, 1.0, size=n_schools)
        columns["resources"] = np.repeat(resources, n_per_school)
        columns["score"] = columns["score"] + resources_effect * columns["resources"]
        truth["resources_effect"] = resources_effect
    df = pd.DataFrame(columns)
    df.attrs["truth"] = truth
    return df

