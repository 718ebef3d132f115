"""Shared figure plumbing: the palette, group styles, new figures and axis labels."""

from __future__ import annotations

from itertools import cycle, islice

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lmmbook.validation import check_real

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
    if isinstance(groups, str) or not isinstance(groups, (list, tuple)):
        raise TypeError(f"groups must be a list of group labels, got {type(groups).__name__}")
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
    width = check_real(width, "width", minimum=0, strict=True)
    height = check_real(height, "height", minimum=0, strict=True)
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


def _new_panels(n_panels: int, width: float, height: float) -> tuple[Figure, list[Axes]]:
    """Return a figure with ``n_panels`` side-by-side axes sharing the y-axis.

    The figure comes from :func:`new_figure`; each panel gets its styling.
    """
    fig, first = new_figure(width, height)
    fig.delaxes(first)
    axes = list(fig.subplots(1, n_panels, sharex=True, sharey=True, squeeze=False)[0])
    for ax in axes:
        ax.grid(True, color="0.9", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes
