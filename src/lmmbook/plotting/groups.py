"""Figures of one-way grouped data: each group's observations and mean, panel by panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lmmbook.plotting.base import OKABE_ITO, _new_panels
from lmmbook.validation import check_dataframe

__all__ = ["plot_group_strips"]


def plot_group_strips(
    panels: dict[str, pd.DataFrame],
    value: str,
    group: str,
    ylabel: str | None = None,
) -> Figure:
    """Draw each group's observations, its mean and the grand mean, one panel per data set.

    Introduced in the chapter on variances at zero, to compare how far group
    means spread with how far observations spread within groups. Panels do not
    share the vertical axis (their data sets may have different units).

    Parameters
    ----------
    panels : dict of str to pandas.DataFrame
        One to four data sets, by panel title; each has the columns ``value``
        and ``group``.
    value : str
        Numeric column plotted vertically.
    group : str
        Column of group labels, one position on the horizontal axis each.
    ylabel : str, optional
        Vertical axis label (default: ``value``).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel: the observations as small open circles (set
        slightly apart when they tie), each group mean as a short horizontal
        bar, the grand mean as a dashed line.

    Examples
    --------
    >>> data = pd.DataFrame({"g": list("aabb"), "y": [1.0, 2.0, 3.0, 5.0]})
    >>> fig = plot_group_strips({"demo": data}, "y", "g")
    >>> len(fig.axes), len(fig.axes[0].collections)  # the points are one collection
    (1, 1)
    """
    if not isinstance(panels, dict) or not 1 <= len(panels) <= 4:
        raise ValueError(
            f"panels must be a dict of 1 to 4 data frames by title, got "
            f"{len(panels) if isinstance(panels, dict) else type(panels).__name__}"
        )
    if not isinstance(value, str) or not isinstance(group, str):
        raise TypeError("value and group must be column names (str)")
    for title, data in panels.items():
        check_dataframe(data, f"panels[{title!r}]", columns=[value, group], numeric=[value])
    fig, axes = _new_panels(len(panels), 3.6 * len(panels), 3.8, share=False)
    for ax, (title, data) in zip(axes, panels.items()):
        labels = sorted(pd.unique(data[group].astype(str)))
        position = {label: k for k, label in enumerate(labels)}
        x = data[group].astype(str).map(position).to_numpy(dtype=float)
        y = data[value].to_numpy(dtype=float)
        # Tied values in a group are set apart by a small, deterministic offset.
        rank = pd.Series(y).groupby([x, y]).cumcount().to_numpy()
        ax.scatter(x + 0.08 * rank, y, s=22, facecolors="none", edgecolors=OKABE_ITO[4],
                   linewidths=1.0, label="observation")
        means = data.groupby(data[group].astype(str), observed=True)[value].mean()
        for label, mean in means.items():
            k = position[label]
            ax.plot([k - 0.3, k + 0.3], [mean, mean], color=OKABE_ITO[3], linewidth=2.2,
                    label="group mean" if k == 0 else None)
        ax.axhline(float(np.mean(y)), color="0.3", linestyle="--", linewidth=1,
                   label="grand mean")
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel(group)
        ax.set_title(title, loc="left", fontsize="medium")  # a panel label, not a figure title
    axes[0].set_ylabel(ylabel or value)
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig
