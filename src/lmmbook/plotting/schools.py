"""Figures of the simulated schools: scatter, ICC panels, school lines, new-school bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from lmmbook.plotting.base import (
    LABELS,
    OKABE_ITO,
    _new_panels,
    group_styles,
    label_axes,
    new_figure,
)
from lmmbook.validation import check_dataframe, check_pair, check_real


def plot_school_scatter(
    data: pd.DataFrame,
    x: str = "hours",
    y: str = "score",
    group: str = "school",
) -> Figure:
    """Scatter ``y`` against ``x``, one colour and marker per group.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per observation.
    x, y : str
        Numeric columns for the axes.
    group : str
        Column holding the group labels (drawn in sorted order, legend outside).

    Returns
    -------
    matplotlib.figure.Figure
        One scatter collection per group.

    Examples
    --------
    >>> from lmmbook.simulate import simulate_schools
    >>> fig = plot_school_scatter(simulate_schools())
    >>> len(fig.axes[0].collections)
    10
    >>> fig.axes[0].get_xlabel()
    'Study hours per week'
    """
    data = check_dataframe(data, "data", numeric=[x, y], columns=[group])
    fig, ax = new_figure()
    groups = sorted(data[group].unique())
    styles = group_styles(groups)
    for g, part in data.groupby(group, sort=True):
        ax.scatter(part[x], part[y], s=22, alpha=0.85, label=g, **styles[g])
    label_axes(ax, x, y)
    ax.legend(title=group.capitalize(), loc="center left", bbox_to_anchor=(1.01, 0.5),
              frameon=False, fontsize="small")
    return fig


def plot_icc_panels(
    panels: dict[str, pd.DataFrame],
    x: str = "hours",
    y: str = "score",
    group: str = "school",
) -> Figure:
    """Scatter several data sets side by side, one colour and marker per group.

    Made to compare data sets with different intraclass correlations: the
    panels share both axes, so the spread within and between groups can be
    compared by eye.

    Parameters
    ----------
    panels : dict of str to pandas.DataFrame
        Panel label (drawn above the panel, left-aligned, e.g.
        ``"(a) ICC 0.05"``) to long data, one row per observation; 1 to 4 panels.
    x, y : str
        Numeric columns for the axes.
    group : str
        Column holding the group labels.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel, one scatter collection per group in each.

    Examples
    --------
    >>> from lmmbook.simulate import simulate_schools
    >>> fig = plot_icc_panels({"(a) low": simulate_schools(school_sd=1),
    ...                        "(b) high": simulate_schools(noise_sd=1)})
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['(a) low', '(b) high']
    >>> len(fig.axes[0].collections)
    10
    """
    if not isinstance(panels, dict):
        raise TypeError(
            f"panels must be a dict of label -> DataFrame, got {type(panels).__name__}"
        )
    if not 1 <= len(panels) <= 4:
        raise ValueError(f"panels must hold 1 to 4 data sets, got {len(panels)}")
    for label, data in panels.items():
        if not isinstance(label, str):
            raise TypeError(f"panels keys must be str labels, got {type(label).__name__}")
        check_dataframe(data, f"panels[{label!r}]", numeric=[x, y], columns=[group])
    fig, axes = _new_panels(len(panels), width=3.3 * len(panels) + 0.6, height=4.0)
    for ax, (label, data) in zip(axes, panels.items()):
        styles = group_styles(sorted(data[group].unique()))
        for g, part in data.groupby(group, sort=True):
            ax.scatter(part[x], part[y], s=14, alpha=0.85, label=g, **styles[g])
        ax.set_title(label, loc="left", fontsize="medium")
        ax.set_xlabel(LABELS.get(x, x))
    axes[0].set_ylabel(LABELS.get(y, y))
    return fig


def plot_school_lines(
    data: pd.DataFrame,
    lines: pd.DataFrame,
    population: tuple[float, float],
    x: str = "hours",
    y: str = "score",
    group: str = "school",
) -> Figure:
    """Draw one fitted line per group over the data, plus the population line.

    Ten lines of the same slope lie close together, so colour alone (even a
    colour-blind-safe one) does not tie a line to its group. Each group gets
    its own colour and marker (:func:`lmmbook.plotting.group_styles`), shown
    on its points and at the right end of its line, and each line is labelled
    directly: the group's label sits in the right margin, level with the line's
    end (labels are spread apart where lines end close together) and joined
    to it by a thin leader in the group's colour. The legend holds only the
    population line.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per observation.
    lines : pandas.DataFrame
        One row per group with columns ``group`` (same labels as in ``data``),
        ``intercept`` and ``slope``.
    population : (float, float)
        Intercept and slope of the population line (fixed effects only),
        drawn dashed and black.
    x, y : str
        Numeric columns for the axes.
    group : str
        Column holding the group labels.

    Returns
    -------
    matplotlib.figure.Figure
        One scatter collection and one line per group (sorted by label), in the
        group's colour and marker, spanning the range of ``x``; then the
        population line; one direct label (an annotation) per group.

    Examples
    --------
    >>> import pandas as pd
    >>> from lmmbook.simulate import simulate_schools
    >>> df = simulate_schools(n_schools=2)
    >>> lines = pd.DataFrame({"school": ["School 01", "School 02"],
    ...                       "intercept": [55.0, 45.0], "slope": [3.0, 3.0]})
    >>> ax = plot_school_lines(df, lines, (50.0, 3.0)).axes[0]
    >>> len(ax.lines), ax.lines[-1].get_linestyle()
    (3, '--')
    >>> sorted(t.get_text() for t in ax.texts)
    ['School 01', 'School 02']
    """
    data = check_dataframe(data, "data", numeric=[x, y], columns=[group])
    lines = check_dataframe(lines, "lines", numeric=["intercept", "slope"], columns=[group])
    if lines[group].duplicated().any():
        raise ValueError(f"lines has more than one row for some {group}")
    if set(lines[group]) != set(data[group]):
        raise ValueError(f"lines[{group!r}] must hold the same groups as data[{group!r}]")
    pop_intercept, pop_slope = check_pair(population, "population")

    fig, ax = new_figure()
    groups = sorted(data[group].unique())
    styles = group_styles(groups)
    coefs = lines.set_index(group)
    grid = np.linspace(data[x].min(), data[x].max(), 2)
    ends = {}
    for g, part in data.groupby(group, sort=True):
        ax.scatter(part[x], part[y], s=16, alpha=0.45, color=styles[g]["color"],
                   marker=styles[g]["marker"])
        a, b = coefs.loc[g, "intercept"], coefs.loc[g, "slope"]
        ax.plot(grid, a + b * grid, color=styles[g]["color"], linewidth=1.6,
                marker=styles[g]["marker"], markevery=[1], label=g)
        ends[g] = float(a + b * grid[-1])
    ax.plot(grid, pop_intercept + pop_slope * grid, color=OKABE_ITO[7], linestyle="--",
            linewidth=2.2, label="Population (fixed effects)")
    label_axes(ax, x, y)
    _label_line_ends(ax, grid[-1], ends, styles)
    ax.legend(handles=ax.lines[-1:], loc="upper left", frameon=False, fontsize="small")
    return fig


def _spread(positions: np.ndarray, gap: float, low: float, high: float) -> np.ndarray:
    """Move sorted label positions apart to at least ``gap``, staying near them.

    Labels that would crowd are merged into a block, spaced ``gap`` apart and
    centred on the mean of their wanted positions; blocks that then touch are
    merged in turn. A label with room keeps its wanted position. Finally the
    labels are kept inside ``[low, high]`` (if there is room for them all).
    """
    wanted = np.asarray(positions, dtype=float)
    blocks = [[i] for i in range(len(wanted))]

    def place(block: list[int]) -> np.ndarray:
        offsets = (np.arange(len(block)) - (len(block) - 1) / 2) * gap
        return wanted[block].mean() + offsets

    merged = True
    while merged:
        merged = False
        for k in range(len(blocks) - 1):
            if place(blocks[k])[-1] + gap > place(blocks[k + 1])[0]:
                blocks[k:k + 2] = [blocks[k] + blocks[k + 1]]
                merged = True
                break
    placed = np.concatenate([place(block) for block in blocks])
    if placed[-1] > high:
        placed = np.minimum(placed, high - gap * np.arange(len(placed))[::-1])
    if placed[0] < low:
        placed = np.maximum(placed, low + gap * np.arange(len(placed)))
    return placed


def _label_line_ends(ax, x_end: float, ends: dict, styles: dict) -> None:
    """Label each group's line in the right margin, level with its end."""
    y_low, y_high = ax.get_ylim()
    ax.set_ylim(y_low, y_high)  # fixed: the labels are placed on this scale
    order = sorted(ends, key=ends.get)
    wanted = np.array([ends[g] for g in order])
    placed = _spread(wanted, gap=0.045 * (y_high - y_low), low=y_low, high=y_high)
    margin = blended_transform_factory(ax.transAxes, ax.transData)
    for g, y_text in zip(order, placed):
        ax.annotate(g, xy=(x_end, ends[g]), xycoords="data", xytext=(1.03, y_text),
                    textcoords=margin, va="center", ha="left", fontsize="small",
                    color="0.15", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": styles[g]["color"],
                                "linewidth": 1.0, "shrinkA": 0, "shrinkB": 2})


def plot_new_school_bands(
    prediction: pd.DataFrame,
    x: str = "hours",
    data: pd.DataFrame | None = None,
    y: str = "score",
    level: float = 0.95,
    existing: pd.DataFrame | None = None,
    existing_label: str = "the school",
) -> Figure:
    """Draw the population line with its confidence and prediction bands.

    Optionally, beside them, the prediction for a school in the data: its fitted
    line and the band for a new student of that school.

    Parameters
    ----------
    prediction : pandas.DataFrame
        As returned by :func:`lmmbook.prediction.predict_new_school`: columns
        ``x``, ``estimate``, ``conf_low``, ``conf_high``, ``school_low``,
        ``school_high``, ``student_low``, ``student_high``; sorted by ``x``.
    x : str
        The covariate column.
    data : pandas.DataFrame, optional
        Observed data to show as light grey points (columns ``x`` and ``y``).
    y : str
        Response column of ``data`` (also names the vertical axis).
    level : float
        Coverage of the bands, for the legend (strictly between 0 and 1).
    existing : pandas.DataFrame, optional
        As returned by :func:`lmmbook.prediction.predict_existing_school`:
        columns ``x``, ``estimate``, ``student_low``, ``student_high``; sorted
        by ``x``. Drawn in orange: the school's line solid, its new-student
        band dash-dotted.
    existing_label : str
        The school's name in the legend.

    Returns
    -------
    matplotlib.figure.Figure
        Two shaded bands (new school's line, then the population line's
        confidence band, drawn on top), two dotted lines (the new student's
        band), the dashed black estimate, then, if ``existing`` is given, the
        school's line and its two band lines; and, if ``data`` is given, one
        scatter collection of the data; with a legend.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.prediction import predict_new_school
    >>> from lmmbook.simulate import simulate_schools
    >>> df = simulate_schools()
    >>> fit = smf.mixedlm("score ~ hours", df, groups="school").fit()
    >>> ax = plot_new_school_bands(predict_new_school(fit, [1, 10]), data=df).axes[0]
    >>> len(ax.collections), len(ax.lines)
    (3, 3)
    """
    columns = ["estimate", "conf_low", "conf_high", "school_low", "school_high",
               "student_low", "student_high"]
    prediction = check_dataframe(prediction, "prediction", numeric=[x, *columns], min_rows=2)
    if not prediction[x].is_monotonic_increasing:
        raise ValueError(f"prediction must be sorted by {x!r}")
    if data is not None:
        data = check_dataframe(data, "data", numeric=[x, y])
    if existing is not None:
        existing = check_dataframe(existing, "existing",
                                   numeric=[x, "estimate", "student_low", "student_high"],
                                   min_rows=2)
        if not existing[x].is_monotonic_increasing:
            raise ValueError(f"existing must be sorted by {x!r}")
    if not isinstance(existing_label, str):
        raise TypeError(f"existing_label must be a str, got {type(existing_label).__name__}")
    level = check_real(level, "level", minimum=0, maximum=1, strict=True)
    pct = f"{level:.0%}"

    fig, ax = new_figure()
    grid = prediction[x].to_numpy()
    if data is not None:
        ax.scatter(data[x], data[y], s=12, color="0.6", alpha=0.6, label="Observed students")
    ax.fill_between(grid, prediction["school_low"], prediction["school_high"],
                    color=OKABE_ITO[1], alpha=0.35, linewidth=0,
                    label=f"{pct} band: a new school's line")
    ax.fill_between(grid, prediction["conf_low"], prediction["conf_high"],
                    color=OKABE_ITO[4], alpha=0.55, linewidth=0,
                    label=f"{pct} band: population line")
    ax.plot(grid, prediction["student_low"], color=OKABE_ITO[3], linestyle=":", linewidth=1.8,
            label=f"{pct} band: a new student\nin a new school")
    ax.plot(grid, prediction["student_high"], color=OKABE_ITO[3], linestyle=":", linewidth=1.8)
    ax.plot(grid, prediction["estimate"], color=OKABE_ITO[7], linestyle="--", linewidth=2.2,
            label="Population line (fixed effects)")
    if existing is not None:
        own = existing[x].to_numpy()
        ax.plot(own, existing["estimate"], color=OKABE_ITO[0], linewidth=2.2,
                label=f"{existing_label}'s line")
        ax.plot(own, existing["student_low"], color=OKABE_ITO[0], linestyle="-.", linewidth=1.6,
                label=f"{pct} band: a new student\nin {existing_label}")
        ax.plot(own, existing["student_high"], color=OKABE_ITO[0], linestyle="-.", linewidth=1.6)
    label_axes(ax, x, y)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize="small")
    return fig
