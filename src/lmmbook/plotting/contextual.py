"""Figures of within-group and between-group (contextual) effects.

Chapter "Within and between effects" (students in the High School and Beyond
schools) introduces it: the school means of the outcome against the school means
of a student-level predictor, with the between-school line through them, and the
common within-school slope drawn through a few schools' own students. When the
two slopes differ, a random-intercept model that uses the raw predictor blends
them (Raudenbush and Bryk 2002, section 5.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lmmbook.plotting.base import OKABE_ITO, new_figure
from lmmbook.validation import check_dataframe, check_pair, check_real

__all__ = ["plot_within_between"]

#: Colours and markers of the highlighted groups: Okabe-Ito without its pale
#: yellow, its black (kept for the between line) and its blue (the mixed line).
_HIGHLIGHT = (
    (OKABE_ITO[0], "o"),  # orange
    (OKABE_ITO[2], "s"),  # bluish green
    (OKABE_ITO[5], "^"),  # reddish purple
    (OKABE_ITO[3], "D"),  # vermillion
    (OKABE_ITO[1], "v"),  # sky blue
)


def plot_within_between(
    data: pd.DataFrame,
    x: str,
    y: str,
    group: str,
    *,
    between: tuple[float, float],
    within_slope: float,
    highlight: list[object],
    mixed: tuple[float, float] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    """Plot group means with the between line, and a few groups' within lines.

    Each group's mean of ``y`` is drawn against its mean of ``x`` (grey
    circles), with the between-group line through them (solid black). For each
    group in ``highlight`` its own rows are drawn as small points in one colour
    and marker, and a line of slope ``within_slope`` passes through the group's
    mean over the range of its ``x`` values: the within-group relation. An
    optional dashed line shows a model's slope for the raw predictor (the
    random-intercept model's, which blends the two).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (student), with columns ``x``, ``y`` and ``group``.
    x, y : str
        Numeric columns: the predictor and the outcome.
    group : str
        Grouping column (school).
    between : (float, float)
        Intercept and slope of the between-group line.
    within_slope : float
        Common within-group slope.
    highlight : list
        One to five group labels whose rows and within lines are drawn.
    mixed : (float, float), optional
        Intercept and slope of a third line, drawn dashed in blue over the
        range of the group means.
    xlabel, ylabel : str, optional
        Axis labels (with units); default: the column names.

    Returns
    -------
    matplotlib.figure.Figure
        One axes. ``ax.collections[0]`` holds the group means (in the order of
        ``data.groupby(group)``), then one collection of rows per highlighted
        group. ``ax.lines`` holds the within lines (in ``highlight`` order),
        then the between line, then the mixed line if asked for.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"g": list("aabbcc"), "x": [0, 1, 2, 3, 4, 5],
    ...                   "y": [0.0, 1.0, 4.0, 5.0, 8.0, 9.0]})
    >>> ax = plot_within_between(d, "x", "y", "g", between=(-1.0, 2.0),
    ...                          within_slope=1.0, highlight=["b"]).axes[0]
    >>> ax.collections[0].get_offsets().tolist()
    [[0.5, 0.5], [2.5, 4.5], [4.5, 8.5]]
    >>> [line.get_ydata().tolist() for line in ax.lines]
    [[4.0, 5.0], [0.0, 8.0]]
    """
    data = check_dataframe(data, "data", numeric=[x, y], columns=[group])
    between = check_pair(between, "between")
    within_slope = check_real(within_slope, "within_slope")
    if mixed is not None:
        mixed = check_pair(mixed, "mixed")
    for label, name in ((xlabel, "xlabel"), (ylabel, "ylabel")):
        if label is not None and not isinstance(label, str):
            raise TypeError(f"{name} must be a str, got {type(label).__name__}")
    if isinstance(highlight, str) or not isinstance(highlight, (list, tuple)):
        raise TypeError(f"highlight must be a list of group labels, got {type(highlight).__name__}")
    if not 1 <= len(highlight) <= len(_HIGHLIGHT):
        raise ValueError(f"highlight must name 1 to {len(_HIGHLIGHT)} groups, got {len(highlight)}")
    if len(set(highlight)) != len(highlight):
        raise ValueError(f"highlight must not repeat a group, got {list(highlight)}")
    known = set(data[group].unique())
    unknown = [g for g in highlight if g not in known]
    if unknown:
        raise ValueError(f"highlight names groups not in data[{group!r}]: {unknown}")

    means = data.groupby(group, observed=True)[[x, y]].mean()
    fig, ax = new_figure(9.0, 4.8)
    ax.scatter(means[x], means[y], s=18, facecolors="none", edgecolors="0.55", linewidths=0.9,
               label=f"Group means ({len(means)})", zorder=2)
    for g, (colour, marker) in zip(highlight, _HIGHLIGHT):
        rows = data[data[group] == g]
        ax.scatter(rows[x], rows[y], s=14, color=colour, marker=marker, alpha=0.6,
                   linewidths=0, zorder=3, label=f"{group} {g}: rows, within line")
    for g, (colour, _) in zip(highlight, _HIGHLIGHT):
        rows = data[data[group] == g]
        xs = np.array([rows[x].min(), rows[x].max()], dtype=float)
        ax.plot(xs, means.loc[g, y] + within_slope * (xs - means.loc[g, x]), color=colour,
                linewidth=2.2, zorder=4)
    xs = np.array([means[x].min(), means[x].max()], dtype=float)
    ax.plot(xs, between[0] + between[1] * xs, color=OKABE_ITO[7], linewidth=2.0, zorder=5,
            label=f"Between groups: slope {between[1]:.2f}")
    if mixed is not None:
        ax.plot(xs, mixed[0] + mixed[1] * xs, color=OKABE_ITO[4], linewidth=2.0, linestyle="--",
                zorder=5, label=f"Mixed model, raw predictor: slope {mixed[1]:.2f}")
    ax.set_xlabel(x if xlabel is None else xlabel)
    ax.set_ylabel(y if ylabel is None else ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    return fig
