"""Figures of power: power curves by number of schools, and at a fixed total sample size."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, NullLocator

from lmmbook.plotting.base import MARKERS, OKABE_ITO, _new_panels, new_figure
from lmmbook.validation import check_dataframe, check_real

#: Panel labels of the two places a treatment can be assigned.
_LEVEL_LABELS = {
    "school": "(a) Treatment given to whole schools",
    "student": "(b) Treatment given to half the students of each school",
}
#: Colours of the students-per-school values (blue, orange, bluish green, vermillion,
#: reddish purple), and of the two levels in the fixed-total figure.
_COLOURS = (OKABE_ITO[4], OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[3], OKABE_ITO[5])
_LEVEL_STYLES = {
    "school": {"color": OKABE_ITO[4], "marker": "o", "label": "Treatment given to whole schools"},
    "student": {"color": OKABE_ITO[3], "marker": "s",
                "label": "Treatment given to half the students of each school"},
}


def _check_power_table(table: object, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    table = check_dataframe(table, "table",
                            numeric=["n_schools", "n_per_school", "power", "mc_se", "exact", *extra],
                            columns=["level"])
    unknown = sorted(set(table["level"]) - set(_LEVEL_LABELS))
    if unknown:
        raise ValueError(f"table['level'] must be 'school' or 'student', got {unknown}")
    for col in ("power", "exact", *extra):
        if not table[col].between(0, 1).all():
            raise ValueError(f"table[{col!r}] must lie between 0 and 1")
    if (table["mc_se"] < 0).any():
        raise ValueError("table['mc_se'] must be >= 0")
    if (table["n_schools"] < 1).any() or (table["n_per_school"] < 1).any():
        raise ValueError("table['n_schools'] and table['n_per_school'] must be >= 1")
    if table.duplicated(["level", "n_schools", "n_per_school"]).any():
        raise ValueError("table must have one row per level, n_schools and n_per_school")
    return table


def _school_axis(ax, schools: np.ndarray) -> None:
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(sorted(set(schools.tolist()))))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")


def plot_power_curves(table: pd.DataFrame, target: float = 0.8) -> Figure:
    """Power against the number of schools, one curve per students-per-school value.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per design with columns ``level`` (``"school"`` or ``"student"``:
        one panel each, in that order), ``n_schools``, ``n_per_school`` (at most
        five values, one colour and marker each), ``power`` (simulated),
        ``mc_se`` (its Monte Carlo standard error), ``exact`` (the closed form)
        and, optionally, ``approx`` (the design-effect approximation).
    target : float
        A power to mark with a dotted horizontal line (e.g. 0.8).

    Returns
    -------
    matplotlib.figure.Figure
        Per panel and students-per-school value: the simulated powers as points
        with bars of plus or minus 1.96 Monte Carlo standard errors, the exact
        power as a solid line and, if given, the approximation as a dashed line.
        The x-axis (number of schools) is logarithmic; a shared legend sits
        below the panels.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"level": ["school"] * 2 + ["student"] * 2,
    ...                       "n_schools": [4, 8] * 2, "n_per_school": 10,
    ...                       "power": [0.1, 0.3, 0.5, 0.8], "mc_se": 0.01,
    ...                       "exact": [0.11, 0.29, 0.5, 0.8]})
    >>> fig = plot_power_curves(table)
    >>> [ax.get_title(loc="left")[:3] for ax in fig.axes]
    ['(a)', '(b)']
    >>> len(fig.axes[0].containers)  # one error-bar series per students-per-school value
    1
    """
    has_approx = isinstance(table, pd.DataFrame) and "approx" in table.columns
    table = _check_power_table(table, ("approx",) if has_approx else ())
    target = check_real(target, "target", minimum=0, maximum=1)
    sizes = sorted(table["n_per_school"].unique())
    if len(sizes) > len(_COLOURS):
        raise ValueError(f"table must have at most {len(_COLOURS)} n_per_school values, got {len(sizes)}")
    levels = [lv for lv in _LEVEL_LABELS if lv in set(table["level"])]
    fig, axes = _new_panels(len(levels), 5.0 * len(levels), 4.8)
    for ax, level in zip(axes, levels):
        part = table[table["level"] == level]
        ax.axhline(target, color=OKABE_ITO[7], linestyle=":", linewidth=1)
        for i, m in enumerate(sizes):
            rows = part[part["n_per_school"] == m].sort_values("n_schools")
            if rows.empty:
                continue
            x = rows["n_schools"].to_numpy(dtype=float)
            ax.plot(x, rows["exact"], color=_COLOURS[i], linewidth=1.6)
            if has_approx:
                ax.plot(x, rows["approx"], color=_COLOURS[i], linewidth=1.4, linestyle="--")
            ax.errorbar(x, rows["power"], yerr=1.96 * rows["mc_se"], fmt=MARKERS[i],
                        color=_COLOURS[i], markersize=5, capsize=2.5, linewidth=1,
                        label=f"{m:g} students per school")
        _school_axis(ax, table["n_schools"].to_numpy(dtype=float))
        ax.set_ylim(0, 1.02)
        ax.set_title(_LEVEL_LABELS[level], loc="left", fontsize="medium")
        ax.set_xlabel("Number of schools (log scale)")
    axes[0].set_ylabel("Power (share of trials rejecting no effect)")
    handles = [Line2D([], [], color=_COLOURS[i], marker=MARKERS[i], linestyle="none",
                      label=f"{m:g} students per school (simulated)") for i, m in enumerate(sizes)]
    handles.append(Line2D([], [], color="0.3", linewidth=1.6, label="Exact (noncentral t)"))
    if has_approx:
        handles.append(Line2D([], [], color="0.3", linewidth=1.4, linestyle="--",
                              label="Design-effect approximation (normal)"))
    handles.append(Line2D([], [], color=OKABE_ITO[7], linestyle=":", linewidth=1,
                          label=f"Power {target:g}"))
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False,
               fontsize="small")
    return fig


def plot_power_by_allocation(table: pd.DataFrame) -> Figure:
    """Power of designs with the same total number of students, split differently.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per design and level with columns ``level`` (``"school"`` or
        ``"student"``), ``n_schools``, ``n_per_school`` (their product, the
        total, must be the same in every row), ``power``, ``mc_se`` and
        ``exact``, as in :func:`plot_power_curves`.

    Returns
    -------
    matplotlib.figure.Figure
        One series per level: simulated powers as points with bars of plus or
        minus 1.96 Monte Carlo standard errors and the exact power as a line,
        against the number of schools (logarithmic axis, bottom) with the
        matching students per school on a second axis at the top; the legend
        sits below the axes.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"level": ["school"] * 2 + ["student"] * 2,
    ...                       "n_schools": [4, 8] * 2, "n_per_school": [20, 10] * 2,
    ...                       "power": [0.1, 0.3, 0.9, 0.9], "mc_se": 0.01,
    ...                       "exact": [0.11, 0.29, 0.9, 0.9]})
    >>> fig = plot_power_by_allocation(table)
    >>> [c.get_label() for c in fig.axes[0].containers]
    ['Treatment given to whole schools', 'Treatment given to half the students of each school']
    >>> [t.get_text() for t in fig.axes[0].child_axes[0].get_xticklabels()]
    ['20', '10']
    """
    table = _check_power_table(table)
    totals = (table["n_schools"] * table["n_per_school"]).unique()
    if len(totals) != 1:
        raise ValueError(f"table must hold designs with one total n_schools * n_per_school, "
                         f"got {sorted(totals.tolist())}")
    fig, ax = new_figure(7.5, 4.8)
    for level, style in _LEVEL_STYLES.items():
        rows = table[table["level"] == level].sort_values("n_schools")
        if rows.empty:
            continue
        x = rows["n_schools"].to_numpy(dtype=float)
        ax.plot(x, rows["exact"], color=style["color"], linewidth=1.6)
        ax.errorbar(x, rows["power"], yerr=1.96 * rows["mc_se"], fmt=style["marker"],
                    color=style["color"], markersize=6, capsize=3, linewidth=1,
                    label=style["label"])
    schools = table.drop_duplicates("n_schools").sort_values("n_schools")
    _school_axis(ax, schools["n_schools"].to_numpy(dtype=float))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Number of schools (log scale)")
    ax.set_ylabel("Power (share of trials rejecting no effect)")
    top = ax.secondary_xaxis("top")
    top.set_xscale("log")
    top.xaxis.set_major_locator(FixedLocator(schools["n_schools"].to_numpy(dtype=float).tolist()))
    top.xaxis.set_minor_locator(NullLocator())
    top.set_xticks(schools["n_schools"].to_numpy(dtype=float),
                   [f"{m:g}" for m in schools["n_per_school"]])
    top.set_xlabel(f"Students per school (total {int(totals[0])} students)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=1, frameon=False,
              fontsize="small")
    return fig
