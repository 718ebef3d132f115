"""Figures of multi-factor designs: which levels meet which, and the data by factor level.

Chapter "Nested and crossed random effects" (lme4's Penicillin and Pastes)
introduces both: a grid that marks each combination of two factors' levels
present in the data (all cells filled: crossed; one block per level of the
outer factor: nested), and a dot plot of every observation by the level of one
factor, coloured by a second one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from lmmbook.plotting.base import OKABE_ITO, group_styles, new_figure
from lmmbook.validation import check_dataframe

__all__ = ["plot_design_grid", "plot_factor_dots"]

#: Most levels a factor may have in a design grid (one row or column each).
MAX_GRID_LEVELS = 60
#: Most levels of the colouring factor of a dot plot (told apart by colour and marker).
MAX_COLOUR_LEVELS = 10


def _levels(column: pd.Series) -> list[str]:
    """Levels in the order of a categorical column, else sorted; as strings."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.astype(str))
        return [str(c) for c in column.cat.categories if str(c) in present]
    return sorted(pd.unique(column.astype(str)))


def _check_factor(data: pd.DataFrame, name: str, argument: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{argument} must be a column name (str), got {type(name).__name__}")
    if name not in data.columns:
        raise ValueError(f"{argument} {name!r} is not a column of data; it has {list(data.columns)}")


def plot_design_grid(
    data: pd.DataFrame,
    rows: str,
    columns: str | Sequence[str],
) -> Figure:
    """Mark which levels of one factor meet which levels of others in the data.

    One panel per factor in ``columns``: a grid with a row per level of
    ``rows`` and a column per level of that factor, and a filled square in each
    cell that holds at least one observation. A grid filled everywhere is a
    *crossed* design (every level meets every level); a grid where each column
    has squares in one row only is *nested* (each level of the column factor
    lives inside one level of the row factor).

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per observation.
    rows : str
        Factor whose levels are the rows of every panel (top to bottom, in
        category order for a categorical column, else sorted).
    columns : str or sequence of str
        One to three factors, one panel each, whose levels are the columns.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per factor in ``columns`` (sharing the rows), each with one
        scatter collection of squares (one per observed combination) and the
        levels as tick labels; the axes are labelled with the factor names.

    Examples
    --------
    >>> data = pd.DataFrame({"batch": list("AABB"), "cask": list("abab"), "y": [1.0] * 4})
    >>> data["unique"] = data["batch"] + ":" + data["cask"]
    >>> fig = plot_design_grid(data, "batch", ["cask", "unique"])
    >>> [len(ax.collections[0].get_offsets()) for ax in fig.axes]  # crossed, then nested
    [4, 4]
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['cask', 'unique']
    """
    data = check_dataframe(data, "data")
    _check_factor(data, rows, "rows")
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, Sequence) or not 1 <= len(columns) <= 3:
        raise ValueError(f"columns must name 1 to 3 factors, got {columns!r}")
    for name in columns:
        _check_factor(data, name, "columns")
        if name == rows:
            raise ValueError(f"columns must differ from rows ({rows!r})")
    for name in (rows, *columns):
        if data[name].isna().any():
            raise ValueError(f"data[{name!r}] has missing values")
        n_levels = data[name].nunique()
        if n_levels > MAX_GRID_LEVELS:
            raise ValueError(f"data[{name!r}] has {n_levels} levels; at most {MAX_GRID_LEVELS} fit a grid")
    row_levels = _levels(data[rows])
    col_levels = [_levels(data[name]) for name in columns]
    cell = 0.22  # inches per grid cell (about square: axes labels take the rest)
    width = cell * sum(len(c) for c in col_levels) + 0.5 * len(columns) + 0.6
    height = cell * len(row_levels) + 0.9 + 0.06 * max(len(level) for c in col_levels for level in c)
    fig, first = new_figure(max(width, 3.0), max(height, 2.0))
    fig.delaxes(first)
    axes = fig.subplots(1, len(columns), sharey=True, squeeze=False,
                        gridspec_kw={"width_ratios": [len(c) for c in col_levels]})[0]
    y_of = {level: k for k, level in enumerate(row_levels)}
    for ax, name, levels in zip(axes, columns, col_levels):
        x_of = {level: k for k, level in enumerate(levels)}
        met = data[[rows, name]].astype(str).drop_duplicates()
        ax.scatter(met[name].map(x_of), met[rows].map(y_of), marker="s", s=70,
                   color=OKABE_ITO[4], linewidths=0)
        ax.set_xticks(range(len(levels)), levels, fontsize="small",
                      rotation=90 if max(map(len, levels)) > 1 else 0)
        ax.set_xlim(-0.6, len(levels) - 0.4)
        ax.set_xlabel(name)
        ax.tick_params(which="both", length=0)
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(True)
            ax.spines[side].set_color("0.6")
        # Light lines between cells, so an empty cell reads as empty.
        ax.set_xticks(np.arange(len(levels) + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(len(row_levels) + 1) - 0.5, minor=True)
        ax.grid(False)
        ax.grid(True, which="minor", color="0.85", linewidth=0.6)
    axes[0].set_yticks(range(len(row_levels)), row_levels, fontsize="small")
    axes[0].set_ylim(len(row_levels) - 0.4, -0.6)  # first level on top
    axes[0].set_ylabel(rows)
    return fig


def plot_factor_dots(
    data: pd.DataFrame,
    value: str,
    factor: str,
    colour: str,
    order: str = "data",
    xlabel: str | None = None,
) -> Figure:
    """Draw every observation on the row of its ``factor`` level, coloured by ``colour``.

    A dot plot in the manner of lme4's book: one horizontal row per level of
    ``factor``, the observations of that level as points along it, each point
    coloured (and shaped) by its level of a second factor. It shows at a glance
    how much the levels of ``factor`` differ, and whether the second factor
    shifts the points the same way in every row (as it would for a real,
    crossed effect) or not.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per observation.
    value : str
        Numeric column, plotted horizontally.
    factor : str
        Factor whose levels are the rows.
    colour : str
        Factor whose levels set the colour and marker of each point (at most 10
        levels).
    order : {"data", "mean"}
        Rows in category order (``"data"``; sorted for a non-categorical
        column), or by increasing mean of ``value`` (``"mean"``, the lowest at
        the bottom).
    xlabel : str, optional
        Horizontal axis label (default: ``value``).

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one scatter collection per level of ``colour`` (each
        set a little apart vertically, so that tied values stay visible), the
        levels of ``factor`` as tick labels and a legend titled ``colour``.

    Examples
    --------
    >>> data = pd.DataFrame({"plate": list("aabb"), "sample": list("ABAB"),
    ...                      "d": [1.0, 2.0, 3.0, 4.0]})
    >>> fig = plot_factor_dots(data, "d", "plate", "sample")
    >>> [len(c.get_offsets()) for c in fig.axes[0].collections]
    [2, 2]
    """
    data = check_dataframe(data, "data", numeric=[value] if isinstance(value, str) else ())
    if not isinstance(value, str):
        raise TypeError(f"value must be a column name (str), got {type(value).__name__}")
    _check_factor(data, factor, "factor")
    _check_factor(data, colour, "colour")
    if factor == colour:
        raise ValueError(f"colour must differ from factor ({factor!r})")
    if order not in ("data", "mean"):
        raise ValueError(f"order must be 'data' or 'mean', got {order!r}")
    colour_levels = _levels(data[colour])
    if len(colour_levels) > MAX_COLOUR_LEVELS:
        raise ValueError(
            f"colour {colour!r} has {len(colour_levels)} levels; at most {MAX_COLOUR_LEVELS} "
            "can be told apart")
    levels = _levels(data[factor])
    if len(levels) > MAX_GRID_LEVELS:
        raise ValueError(f"factor {factor!r} has {len(levels)} levels; at most {MAX_GRID_LEVELS}")
    keys = data[factor].astype(str)
    if order == "mean":
        means = data.groupby(keys)[value].mean()
        levels = sorted(levels, key=lambda level: (means[level], level), reverse=True)
    y_of = {level: k for k, level in enumerate(levels)}
    fig, ax = new_figure(6.5, 0.8 + 0.26 * len(levels))
    styles = group_styles(colour_levels)
    shades = data[colour].astype(str)
    handles = []
    # Each colour level is set slightly apart vertically, so tied values stay visible.
    step = min(0.8 / len(colour_levels), 0.25)
    for k, level in enumerate(colour_levels):
        part = data[shades == level]
        style = styles[level]
        dodge = (k - (len(colour_levels) - 1) / 2) * step
        ax.scatter(part[value].to_numpy(float), keys[shades == level].map(y_of).to_numpy(float) + dodge,
                   s=20, color=style["color"], marker=style["marker"], alpha=0.9,
                   edgecolors="white", linewidths=0.4)
        handles.append(Line2D([], [], linestyle="", color=style["color"], marker=style["marker"],
                              label=level))
    ax.set_yticks(range(len(levels)), levels, fontsize="small")
    ax.set_ylim(len(levels) - 0.5, -0.5)  # first row on top
    ax.set_xlabel(xlabel or value)
    ax.set_ylabel(factor)
    ax.legend(handles=handles, title=colour, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              frameon=False, fontsize="small")
    return fig
