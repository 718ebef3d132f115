"""Figures of the predicted random effects: BLUPs against the truth, shrinkage."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lmmbook.plotting.base import (
    OKABE_ITO,
    new_figure,
)
from lmmbook.validation import check_dataframe


def plot_blups_vs_truth(
    table: pd.DataFrame,
    estimate: str = "blup",
    truth: str = "truth",
    centred: bool = False,
) -> Figure:
    """Plot predicted group effects (BLUPs) against the true ones.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group, with numeric columns ``estimate`` and ``truth``.
    estimate, truth : str
        Columns holding the predicted and the true effects (points).
    centred : bool
        If True, also draw the dotted line ``estimate = truth - mean(truth)``:
        where the points fall when the predictions are centred on zero while
        the true effects average to something else.

    Returns
    -------
    matplotlib.figure.Figure
        One scatter collection (one point per row), the dashed black identity
        line (slope 1 through the origin), the dotted centred line if asked
        for, and a legend. Both axes span the same range.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"blup": [-1.0, 0.5, 2.0], "truth": [-2.0, 1.0, 3.0]})
    >>> ax = plot_blups_vs_truth(table).axes[0]
    >>> len(ax.collections[0].get_offsets()), len(ax.lines)
    (3, 1)
    >>> ax.get_xlabel()
    'True school effect (points)'
    """
    table = check_dataframe(table, "table", numeric=[estimate, truth])
    if not isinstance(centred, bool):
        raise TypeError(f"centred must be True or False, got {type(centred).__name__}")
    values = np.concatenate([table[estimate].to_numpy(float), table[truth].to_numpy(float)])
    pad = 0.08 * max(np.ptp(values), 1.0)
    lims = (values.min() - pad, values.max() + pad)

    fig, ax = new_figure(5.6, 5.0)
    ax.scatter(table[truth], table[estimate], s=40, color=OKABE_ITO[4], zorder=3,
               label="One school")
    ax.plot(lims, lims, color=OKABE_ITO[7], linestyle="--", linewidth=1.4,
            label="Prediction = truth")
    if centred:
        shift = float(table[truth].mean())
        ax.plot(lims, (lims[0] - shift, lims[1] - shift), color=OKABE_ITO[3],
                linestyle=":", linewidth=1.8,
                label="Prediction = truth \u2212 mean of true effects")
    ax.set_xlim(lims)
    ax.set_ylim(lims)
    ax.set_aspect("equal")
    ax.set_xlabel("True school effect (points)")
    ax.set_ylabel("Predicted school effect, BLUP (points)")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    return fig


def plot_shrinkage(
    table: pd.DataFrame,
    start: str = "mean_residual",
    end: str = "blup",
    group: str = "school",
    size: str | None = None,
) -> Figure:
    """Draw, for each group, an arrow from its raw estimate to its shrunken one.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    start : str
        Numeric column with the unpooled estimate (e.g. the group's mean
        residual from the fixed part), drawn as an open circle.
    end : str
        Numeric column with the partially pooled estimate (the BLUP), drawn
        as a filled circle.
    group : str
        Column with the group labels (one row each), shown on the vertical axis.
    size : str, optional
        Numeric column with the group sizes, added to the labels as ``(n = ...)``.

    Returns
    -------
    matplotlib.figure.Figure
        Groups sorted by ``start`` from bottom to top; one arrow (an
        annotation) per group from ``start`` to ``end``; two scatter
        collections (``start`` points, then ``end`` points); a vertical black
        line at zero (the fixed part alone); a legend above the axes.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"school": ["A", "B"], "mean_residual": [-4.0, 2.0],
    ...                       "blup": [-3.0, 1.0], "n": [5, 2]})
    >>> ax = plot_shrinkage(table, size="n").axes[0]
    >>> [arrow.xy for arrow in ax.texts]
    [(-3.0, 0), (1.0, 1)]
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['A (n = 5)', 'B (n = 2)']
    """
    numeric = [start, end] if size is None else [start, end, size]
    table = check_dataframe(table, "table", numeric=numeric, columns=[group])
    if table[group].duplicated().any():
        raise ValueError(f"table[{group!r}] must hold each group once")
    ordered = table.sort_values(start, kind="stable").reset_index(drop=True)
    y = np.arange(len(ordered))

    fig, ax = new_figure(7.0, 0.9 + 0.38 * len(ordered))
    ax.axvline(0.0, color=OKABE_ITO[7], linewidth=1.2,
               label="Zero (complete pooling)")
    for pos, (a, b) in enumerate(zip(ordered[start], ordered[end])):
        ax.annotate("", xy=(float(b), int(pos)), xytext=(float(a), int(pos)),
                    arrowprops={"arrowstyle": "-|>", "color": "0.35", "linewidth": 1.2,
                                "shrinkA": 4, "shrinkB": 4})
    ax.scatter(ordered[start], y, s=42, facecolors="white", edgecolors=OKABE_ITO[3],
               linewidths=1.6, zorder=3, label="Mean residual (no pooling)")
    ax.scatter(ordered[end], y, s=42, color=OKABE_ITO[4], zorder=3,
               label="BLUP (partial pooling)")
    labels = ordered[group].astype(str)
    if size is not None:
        labels = [f"{g} (n = {int(n)})" for g, n in zip(labels, ordered[size])]
    ax.set_yticks(y, list(labels))
    ax.set_ylim(-0.7, len(ordered) - 0.3)
    ax.grid(False, axis="y")
    ax.set_xlabel("School effect (points)")
    ax.set_ylabel(group.capitalize())
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False,
              fontsize="small")
    return fig



def plot_caterpillar(
    table: pd.DataFrame,
    estimate: str = "estimate",
    low: str = "low",
    high: str = "high",
    group: str = "school",
    truth: str | None = None,
) -> Figure:
    """Draw predicted group effects sorted by size, each with its interval.

    A "caterpillar plot": one row per group, from the lowest prediction at
    the bottom to the highest at the top, a horizontal segment from ``low``
    to ``high`` and a dot at the prediction. Chapter "Fixed and random
    effects" draws the BLUPs of :func:`lmmbook.models.predict_random_effects`.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    estimate, low, high : str
        Numeric columns with the prediction and the ends of its interval
        (``low <= estimate <= high`` in every row).
    group : str
        Column with the group labels (one row each), shown on the vertical axis.
    truth : str, optional
        Numeric column with the true effects (simulated data), drawn as
        crosses.

    Returns
    -------
    matplotlib.figure.Figure
        Groups sorted by ``estimate`` from bottom to top; one line collection
        of intervals (one segment per group); a scatter collection of the
        predictions, then one of the true effects if asked for; a vertical
        line at zero; a legend above the axes.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"school": ["A", "B"], "estimate": [2.0, -1.0],
    ...                       "low": [0.5, -3.0], "high": [3.5, 1.0]})
    >>> ax = plot_caterpillar(table).axes[0]
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['B', 'A']
    >>> [seg[:, 0].tolist() for seg in ax.collections[0].get_segments()]
    [[-3.0, 1.0], [0.5, 3.5]]
    """
    numeric = [estimate, low, high] if truth is None else [estimate, low, high, truth]
    table = check_dataframe(table, "table", numeric=numeric, columns=[group])
    if table[group].duplicated().any():
        raise ValueError(f"table[{group!r}] must hold each group once")
    bad = (table[low] > table[estimate]) | (table[estimate] > table[high])
    if bad.any():
        raise ValueError(
            f"table[{low!r}] <= table[{estimate!r}] <= table[{high!r}] must hold in every "
            f"row; it fails for {list(table.loc[bad, group].astype(str))}"
        )
    ordered = table.sort_values(estimate, kind="stable").reset_index(drop=True)
    y = np.arange(len(ordered), dtype=float)

    fig, ax = new_figure(7.0, 1.1 + 0.38 * len(ordered))
    ax.axvline(0.0, color=OKABE_ITO[7], linewidth=1.0, linestyle="--",
               label="Zero (the average school)")
    ax.hlines(y, ordered[low], ordered[high], color=OKABE_ITO[4], linewidth=2.0,
              label="Interval")
    ax.scatter(ordered[estimate], y, s=40, color=OKABE_ITO[4], zorder=3,
               label="Prediction (BLUP)")
    if truth is not None:
        ax.scatter(ordered[truth], y, s=46, marker="x", color=OKABE_ITO[3],
                   linewidths=1.8, zorder=4, label="True effect")
    ax.set_yticks(y, list(ordered[group].astype(str)))
    ax.set_ylim(-0.7, len(ordered) - 0.3)
    ax.grid(False, axis="y")
    ax.set_xlabel("School effect (points)")
    ax.set_ylabel(group.capitalize())
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False,
              fontsize="small")
    return fig
