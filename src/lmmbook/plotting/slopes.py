"""Figures of random slopes: one panel per group, and shrinkage of (intercept, slope) pairs.

Chapter "Repeated measures and random slopes" (lme4's sleepstudy) introduces
both: each subject's reaction times with its own least-squares line (and the
mixed model's line), and each subject's (intercept, slope) pair moving from its
own least-squares fit to the mixed model's prediction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from lmmbook.plotting.base import OKABE_ITO, new_figure
from lmmbook.validation import check_dataframe, check_int, check_pair

__all__ = ["plot_coefficient_shrinkage", "plot_group_panels"]

#: Colour and line style of the first and second set of lines in the panels:
#: Okabe-Ito blue (solid) and vermillion (dashed), told apart by style as well.
LINE_STYLES = ((OKABE_ITO[4], "-"), (OKABE_ITO[3], "--"))


def _check_lines(lines: object, groups: list, group: str) -> dict[str, pd.DataFrame]:
    """Check the ``lines`` argument of :func:`plot_group_panels`; index each table by group."""
    if not isinstance(lines, dict):
        raise TypeError(
            f"lines must be a dict of label -> DataFrame of lines, got {type(lines).__name__}"
        )
    if not 1 <= len(lines) <= len(LINE_STYLES):
        raise ValueError(f"lines must hold 1 to {len(LINE_STYLES)} tables, got {len(lines)}")
    checked = {}
    for label, table in lines.items():
        if not isinstance(label, str):
            raise TypeError(f"lines keys must be str labels, got {type(label).__name__}")
        name = f"lines[{label!r}]"
        table = check_dataframe(table, name, numeric=["intercept", "slope"], columns=[group])
        if table[group].duplicated().any():
            raise ValueError(f"{name}[{group!r}] must hold each group once")
        have = set(table[group].astype(str))
        want = {str(g) for g in groups}
        if have != want:
            raise ValueError(
                f"{name}[{group!r}] must list the groups of data exactly; "
                f"missing {sorted(want - have)}, extra {sorted(have - want)}"
            )
        checked[label] = table.assign(**{group: table[group].astype(str)}).set_index(group)
    return checked


def plot_group_panels(
    data: pd.DataFrame,
    lines: dict[str, pd.DataFrame],
    x: str = "days",
    y: str = "reaction",
    group: str = "subject",
    order: Sequence[str] | None = None,
    population: tuple[float, float] | None = None,
    ncols: int = 6,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    """Draw one small panel per group: its points and its straight lines.

    Small multiples (a lattice plot): every panel shares both axes, so lines
    can be compared by eye across groups. Each panel shows a group's
    observations and one or two lines for it, e.g. the group's own
    least-squares line and the mixed model's line.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per observation.
    lines : dict of str to pandas.DataFrame
        Legend label to a table of lines, one row per group of ``data`` (no
        more, no fewer), with columns ``group``, ``intercept`` and ``slope``.
        One or two tables: the first is drawn solid blue, the second dashed
        vermillion (Okabe-Ito colours).
    x, y : str
        Numeric columns for the axes.
    group : str
        Column holding the group labels.
    order : sequence of str, optional
        Groups in panel order (left to right, top to bottom). By default the
        groups are ordered by the slope of the first table of ``lines``,
        from the flattest to the steepest.
    population : (float, float), optional
        Intercept and slope of a line drawn in every panel, dotted black (the
        fixed effects: the average group).
    ncols : int
        Panels per row.
    xlabel, ylabel : str, optional
        Axis labels (default: the column names).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per group, in ``order``; each holds one scatter collection
        (the group's points), one line per table of ``lines`` and the
        population line if given, and one text, the group's label, above its
        top left corner. One legend for the whole figure, above the panels.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"subject": list("aabb"), "days": [0, 1, 0, 1],
    ...                      "reaction": [1.0, 3.0, 2.0, 2.5]})
    >>> lines = pd.DataFrame({"subject": ["a", "b"], "intercept": [1.0, 2.0],
    ...                       "slope": [2.0, 0.5]})
    >>> fig = plot_group_panels(data, {"Own line": lines}, ncols=2)
    >>> [ax.texts[0].get_text() for ax in fig.axes]
    ['Subject b', 'Subject a']
    >>> [len(ax.lines) for ax in fig.axes]
    [1, 1]
    """
    data = check_dataframe(data, "data", numeric=[x, y], columns=[group])
    ncols = check_int(ncols, "ncols", minimum=1)
    groups = sorted(data[group].astype(str).unique())
    tables = _check_lines(lines, groups, group)
    if population is not None:
        population = check_pair(population, "population")
    first = next(iter(tables.values()))
    if order is None:
        order = list(first.loc[groups, "slope"].sort_values(kind="stable").index)
    else:
        if isinstance(order, str) or not isinstance(order, Sequence):
            raise TypeError(f"order must be a list of group labels, got {type(order).__name__}")
        order = [str(g) for g in order]
        if sorted(order) != groups:
            raise ValueError(
                f"order must list every group of data once; got {len(order)} labels for "
                f"{len(groups)} groups"
            )

    nrows = math.ceil(len(order) / ncols)
    width, height = 1.45 * min(ncols, len(order)) + 0.8, 1.45 * nrows + 0.9
    # A fixed layout (not new_figure's constrained one, slow with many small panels).
    fig = Figure(figsize=(width, height), dpi=100)
    fig.subplots_adjust(left=0.75 / width, right=1 - 0.1 / width, bottom=0.55 / height,
                        top=1 - 0.55 / height, wspace=0.12, hspace=0.3)
    grid = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    x_all = data[x].to_numpy(float)
    x_line = np.array([x_all.min(), x_all.max()])
    # Fixed ticks, set once on the shared axes (cheaper to draw than 18 automatic locators).
    y_all = data[y].to_numpy(float)
    grid[0, 0].set_xticks(MaxNLocator(nbins=4, integer=True).tick_values(*x_line))
    grid[0, 0].set_yticks(MaxNLocator(nbins=4).tick_values(y_all.min(), y_all.max()))
    pad_x, pad_y = 0.06 * max(np.ptp(x_all), 1e-9), 0.06 * max(np.ptp(y_all), 1e-9)
    grid[0, 0].set_xlim(x_line[0] - pad_x, x_line[1] + pad_x)
    grid[0, 0].set_ylim(y_all.min() - pad_y, y_all.max() + pad_y)
    by_group = {str(g): part for g, part in data.groupby(data[group].astype(str), sort=False)}
    for k, ax in enumerate(grid.flat):
        if k >= len(order):
            fig.delaxes(ax)
            continue
        g = order[k]
        ax.grid(True, color="0.9", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        part = by_group[g]
        ax.scatter(part[x], part[y], s=10, color="0.3", zorder=3)
        for (label, table), (colour, style) in zip(tables.items(), LINE_STYLES):
            a, b = table.loc[g, "intercept"], table.loc[g, "slope"]
            ax.plot(x_line, a + b * x_line, color=colour, linestyle=style, linewidth=1.6,
                    label=label)
        if population is not None:
            ax.plot(x_line, population[0] + population[1] * x_line, color=OKABE_ITO[7],
                    linestyle=":", linewidth=1.2, label="Population (fixed effects)")
        ax.text(0.0, 1.03, f"{group.capitalize()} {g}", transform=ax.transAxes,
                ha="left", va="bottom", fontsize="small")
        ax.tick_params(labelsize="small")
        if k % ncols == 0:
            ax.set_ylabel(ylabel or y, fontsize="small")
        if k + ncols >= len(order):
            ax.set_xlabel(xlabel or x, fontsize="small")
            ax.tick_params(labelbottom=True)
    handles = [Line2D([], [], color="0.3", marker="o", linestyle="", markersize=3.5,
                      label="Observation")]
    handles += [Line2D([], [], color=c, linestyle=s, linewidth=1.6, label=label)
                for label, (c, s) in zip(tables, LINE_STYLES)]
    if population is not None:
        handles.append(Line2D([], [], color=OKABE_ITO[7], linestyle=":", linewidth=1.2,
                              label="Population (fixed effects)"))
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1.0),
               ncols=len(handles), frameon=False, fontsize="small")
    return fig


def plot_coefficient_shrinkage(
    table: pd.DataFrame,
    start: tuple[str, str] = ("ols_intercept", "ols_slope"),
    end: tuple[str, str] = ("mixed_intercept", "mixed_slope"),
    population: tuple[float, float] | None = None,
    group: str = "subject",
    xlabel: str = "Intercept",
    ylabel: str = "Slope",
) -> Figure:
    """Draw each group's (intercept, slope) pair moving from its own fit to the mixed model's.

    Shrinkage in two dimensions: an open circle at the group's own estimate
    (no pooling, e.g. its least-squares line), a filled circle at the mixed
    model's prediction (fixed effects plus the group's BLUPs), an arrow from
    the first to the second, and the population mean (the fixed effects) as a
    large black cross.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    start, end : (str, str)
        Numeric columns with the (intercept, slope) of each group's own fit
        and of the mixed model.
    population : (float, float), optional
        Intercept and slope of the average group, marked with a cross.
    group : str
        Column with the group labels (one row each), written beside the open
        circles.
    xlabel, ylabel : str
        Axis labels (with units).

    Returns
    -------
    matplotlib.figure.Figure
        One axes holding two scatter collections (own fits, then mixed
        model), a third for the population if given, one arrow annotation per
        group from ``start`` to ``end`` followed by one text label per group,
        and a legend above the axes.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"subject": ["a", "b"], "ols_intercept": [1.0, 3.0],
    ...                       "ols_slope": [2.0, -1.0], "mixed_intercept": [1.5, 2.5],
    ...                       "mixed_slope": [1.0, 0.0]})
    >>> ax = plot_coefficient_shrinkage(table, population=(2.0, 0.5)).axes[0]
    >>> [t.xy for t in ax.texts if t.arrow_patch is not None]
    [(1.5, 1.0), (2.5, 0.0)]
    >>> len(ax.collections)
    3
    """
    if not (isinstance(start, (tuple, list)) and len(start) == 2):
        raise TypeError(f"start must be a pair of column names, got {start!r}")
    if not (isinstance(end, (tuple, list)) and len(end) == 2):
        raise TypeError(f"end must be a pair of column names, got {end!r}")
    table = check_dataframe(table, "table", numeric=[*start, *end], columns=[group])
    if table[group].duplicated().any():
        raise ValueError(f"table[{group!r}] must hold each group once")
    if population is not None:
        population = check_pair(population, "population")

    fig, ax = new_figure(7.0, 5.4)
    starts = table[list(start)].to_numpy(float)
    ends = table[list(end)].to_numpy(float)
    for (x0, y0), (x1, y1) in zip(starts, ends):
        ax.annotate("", xy=(float(x1), float(y1)), xytext=(float(x0), float(y0)),
                    arrowprops={"arrowstyle": "-|>", "color": "0.45", "linewidth": 1.0,
                                "shrinkA": 4, "shrinkB": 4})
    ax.scatter(starts[:, 0], starts[:, 1], s=40, facecolors="white",
               edgecolors=OKABE_ITO[3], linewidths=1.5, zorder=3,
               label="Own line (no pooling)")
    ax.scatter(ends[:, 0], ends[:, 1], s=40, color=OKABE_ITO[4], zorder=3,
               label="Mixed model (partial pooling)")
    if population is not None:
        ax.scatter([population[0]], [population[1]], s=160, marker="X", color=OKABE_ITO[7],
                   zorder=4, label="Fixed effects (population)")
    for label, (x0, y0) in zip(table[group].astype(str), starts):
        ax.annotate(label, xy=(float(x0), float(y0)), xytext=(4, 4),
                    textcoords="offset points", fontsize="x-small", color="0.3")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False,
              fontsize="small")
    return fig
