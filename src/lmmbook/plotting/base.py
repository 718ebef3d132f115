"""Shared figure plumbing: the palette, group styles, new figures and axis labels."""

from __future__ import annotations

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
#: Paul Tol's "muted" qualitative scheme: nine colours meant to stay distinct
#: for readers with the common colour-vision deficiencies (Tol, "Colour
#: schemes", SRON/EPS/TN/09-002).
TOL_MUTED = (
    "#332288",  # indigo
    "#88CCEE",  # cyan
    "#44AA99",  # teal
    "#117733",  # green
    "#999933",  # olive
    "#DDCC77",  # sand
    "#CC6677",  # rose
    "#882255",  # wine
    "#AA4499",  # purple
)
#: Colours of groups (schools): Tol's muted nine, then a mid grey for the tenth.
GROUP_COLOURS = (*TOL_MUTED, "#777777")
#: Marker shapes, one per group colour, so groups differ by shape as well.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
#: Axis labels with units for the book's variables.
LABELS = {
    "hours": "Study hours per week",
    "score": "Test score (points)",
    "resources": "School resources index (SD units)",
}


def group_styles(groups: list[str]) -> dict[str, dict[str, str]]:
    """Return a colour and a marker for each group, in the order given.

    The book's running example has ten schools, so ten groups must look
    different from each other. Six Okabe-Ito colours (their yellow is too pale
    on white and black is kept for the population line) cannot do that, so
    groups get Paul Tol's "muted" scheme, designed for nine qualitative
    categories that colour-blind readers can tell apart, plus a mid grey for
    the tenth (:data:`GROUP_COLOURS`). Each group also gets its own marker
    shape, so the first ten groups differ in colour *and* shape. From the
    eleventh group on, colours repeat and the marker sequence shifts by one
    each round, so the first 100 groups still get distinct (colour, marker)
    pairs; figures with that many groups should label groups directly instead.

    Parameters
    ----------
    groups : list of str
        Group labels.

    Returns
    -------
    dict
        ``{group: {"color": ..., "marker": ...}}``.

    Examples
    --------
    >>> styles = group_styles([f"School {i:02d}" for i in range(1, 11)])
    >>> styles["School 02"]
    {'color': '#88CCEE', 'marker': 's'}
    >>> len({s["color"] for s in styles.values()}), len({s["marker"] for s in styles.values()})
    (10, 10)
    """
    if isinstance(groups, str) or not isinstance(groups, (list, tuple)):
        raise TypeError(f"groups must be a list of group labels, got {type(groups).__name__}")
    n_colours, n_markers = len(GROUP_COLOURS), len(MARKERS)
    return {
        g: {
            "color": GROUP_COLOURS[i % n_colours],
            "marker": MARKERS[(i + i // n_colours) % n_markers],
        }
        for i, g in enumerate(groups)
    }


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


def _new_panels(
    n_panels: int, width: float, height: float, share: bool = True
) -> tuple[Figure, list[Axes]]:
    """Return a figure with ``n_panels`` side-by-side axes, sharing both axes by default.

    The figure comes from :func:`new_figure`; each panel gets its styling. Panels of
    data sets in different units pass ``share=False``.
    """
    fig, first = new_figure(width, height)
    fig.delaxes(first)
    axes = list(fig.subplots(1, n_panels, sharex=share, sharey=share, squeeze=False)[0])
    for ax in axes:
        ax.grid(True, color="0.9", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes
