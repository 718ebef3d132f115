"""Figures of the book.

Every helper returns a :class:`matplotlib.figure.Figure` made without pyplot
(so nothing is shown or kept behind the reader's back); a chapter cell ends
with the figure to display it (the chapters' setup cell runs ``%matplotlib inline``,
which lets Jupyter show such figures). Conventions: no in-plot title (the caption is
the title), labelled axes with units, and a colour-blind-safe palette (Okabe and
Ito) in which groups are also told apart by marker shape.
"""

from __future__ import annotations

from itertools import cycle, islice

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lmmbook.validation import check_dataframe

__all__ = [
    "OKABE_ITO",
    "MARKERS",
    "LABELS",
    "group_styles",
    "label_axes",
    "new_figure",
    "plot_school_scatter",
]

#: Okabe-Ito colour-blind-safe palette (black last: used for population lines).
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#0072B2",  # blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
#: Marker shapes, so groups with the same colour stay distinguishable.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
#: Axis labels with units for the book's variables.
LABELS = {
    "hours": "Study hours per week",
    "score": "Test score (points)",
    "resources": "School resources index (SD units)",
}

_GROUP_COLOURS = OKABE_ITO[:6]  # yellow and black are kept for emphasis


def group_styles(groups: list[str]) -> dict[str, dict[str, str]]:
    """Return a colour and a marker for each group, in the order given.

    Parameters
    ----------
    groups : list of str
        Group labels.

    Returns
    -------
    dict
        ``{group: {"color": ..., "marker": ...}}``; colours cycle through six
        Okabe-Ito colours and markers through ten shapes, so the first 30
        groups all get distinct (colour, marker) pairs.

    Examples
    --------
    >>> styles = group_styles(["School 01", "School 02"])
    >>> styles["School 02"]
    {'color': '#56B4E9', 'marker': 's'}
    """
    colours = islice(cycle(_GROUP_COLOURS), len(groups))
    markers = islice(cycle(MARKERS), len(groups))
    return {g: {"color": c, "marker": m} for g, c, m in zip(groups, colours, markers)}


def new_figure(width: float = 7.0, height: float = 4.5) -> tuple[Figure, Axes]:
    """Return a new figure with one axes, not registered with pyplot.

    Parameters
    ----------
    width, height : float
        Size in inches.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> fig.get_size_inches().tolist()
    [7.0, 4.5]
    """
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.grid(True, color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def label_axes(ax: Axes, x: str, y: str) -> None:
    """Label the axes with the book's wording and units for known variables."""
    ax.set_xlabel(LABELS.get(x, x))
    ax.set_ylabel(LABELS.get(y, y))


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
