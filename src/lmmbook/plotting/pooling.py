"""Figures of complete, no and partial pooling against group size.

Chapter "Partial pooling" (radon in Minnesota counties) introduces both: the
county estimates of the three approaches against the number of homes per
county (Gelman and Hill 2007, figure 12.1), the shrinkage factor
``n tau^2 / (n tau^2 + sigma^2)`` against the same sizes, and the county
estimates against a county-level predictor with the fitted line (figure 12.6).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, NullFormatter

from lmmbook.plotting.base import OKABE_ITO, _new_panels, new_figure
from lmmbook.validation import check_dataframe, check_real

__all__ = ["plot_pooling_by_size", "plot_shrinkage_by_size", "plot_group_estimates"]


def _check_sizes(table: pd.DataFrame, size: str) -> np.ndarray:
    sizes = table[size].to_numpy(dtype=float)
    if (sizes < 1).any() or (sizes != np.round(sizes)).any():
        raise ValueError(f"table[{size!r}] must hold whole group sizes of at least 1")
    return sizes


def _check_label(label: object, name: str) -> None:
    if not isinstance(label, str):
        raise TypeError(f"{name} must be a str, got {type(label).__name__}")


def _log_size_axis(ax: Axes, sizes: np.ndarray) -> None:
    """Log-scaled horizontal axis with plain tick labels 1, 2, 5, 10, 20, ... in range."""
    ax.set_xscale("log")
    ticks = [m * 10**e for e in range(0, 5) for m in (1, 2, 5)]
    ax.set_xticks([t for t in ticks if sizes.min() / 1.5 <= t <= sizes.max() * 1.5])
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _spread(sizes: np.ndarray, jitter: float) -> np.ndarray:
    """Sizes moved apart, evenly and deterministically, where several groups share one.

    Groups of equal size are spread over a factor ``10 ** (+-jitter)`` around
    their size (a log axis), in the order they come; a size held by one group
    stays put.
    """
    positions = sizes.copy()
    if jitter == 0:
        return positions
    for value in np.unique(sizes):
        where = np.flatnonzero(sizes == value)
        if len(where) > 1:
            positions[where] = value * 10 ** np.linspace(-jitter, jitter, len(where))
    return positions


def plot_pooling_by_size(
    table: pd.DataFrame,
    complete: float,
    size: str = "n",
    no_pooling: str = "no_pooling",
    partial_pooling: str = "partial_pooling",
    no_pooling_se: str | None = None,
    partial_pooling_se: str | None = None,
    ylabel: str = "Estimate",
    xlabel: str = "Group size (log scale)",
    jitter: float = 0.03,
) -> Figure:
    """Plot group estimates of no and partial pooling against group size.

    Two panels share the vertical axis: on the left each group's own estimate
    (no pooling), on the right the mixed model's (partial pooling), both against
    the group's size on a log axis, with the complete-pooling estimate (one
    number for every group) as a dashed black line in each panel. The layout is
    Gelman and Hill's (2007, figure 12.1).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    complete : float
        The complete-pooling estimate.
    size : str
        Column with the group sizes (whole numbers >= 1).
    no_pooling, partial_pooling : str
        Numeric columns with the two sets of estimates.
    no_pooling_se, partial_pooling_se : str, optional
        Numeric columns (>= 0) with standard errors; when given, each point
        gets a bar of plus and minus one standard error.
    ylabel, xlabel : str
        Labels of the shared vertical axis (with units) and of the horizontal axes.
    jitter : float
        Groups of equal size are spread over ``10 ** (+-jitter)`` times their
        size (deterministically), so they do not hide each other; 0 to 0.2.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes (titled ``"No pooling"`` and ``"Partial pooling"``, left-aligned),
        each with one error-bar container (markers, and bars if asked for) whose
        points are the groups in table order, one dashed horizontal line at
        ``complete``, a log-scaled horizontal axis and a legend.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"n": [1, 4, 20], "no_pooling": [2.0, 0.5, 1.2],
    ...                       "partial_pooling": [1.4, 0.8, 1.2]})
    >>> fig = plot_pooling_by_size(table, complete=1.3, jitter=0)
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['No pooling', 'Partial pooling']
    >>> fig.axes[1].containers[0].lines[0].get_ydata().tolist()
    [1.4, 0.8, 1.2]
    >>> fig.axes[0].get_xscale(), list(fig.axes[0].lines[-1].get_ydata())
    ('log', [1.3, 1.3])
    """
    errors = [c for c in (no_pooling_se, partial_pooling_se) if c is not None]
    table = check_dataframe(table, "table", numeric=[size, no_pooling, partial_pooling, *errors])
    complete = check_real(complete, "complete")
    jitter = check_real(jitter, "jitter", minimum=0, maximum=0.2)
    _check_label(ylabel, "ylabel")
    _check_label(xlabel, "xlabel")
    for column in errors:
        if (table[column] < 0).any():
            raise ValueError(f"table[{column!r}] must hold standard errors >= 0")
    x = _spread(_check_sizes(table, size), jitter)

    fig, axes = _new_panels(2, width=9.0, height=4.2)
    panels = (
        ("No pooling", no_pooling, no_pooling_se, "Group's own estimate", OKABE_ITO[3], "o"),
        ("Partial pooling", partial_pooling, partial_pooling_se, "Mixed-model estimate",
         OKABE_ITO[4], "s"),
    )
    for ax, (title, column, se, label, colour, marker) in zip(axes, panels):
        yerr = None if se is None else table[se].to_numpy(dtype=float)
        ax.errorbar(x, table[column].to_numpy(dtype=float), yerr=yerr, fmt=marker,
                    markersize=4.5, color=colour, ecolor=colour, elinewidth=0.9,
                    alpha=0.85, label=label + ("" if se is None else " \u00b1 1 SE"))
        _log_size_axis(ax, x)
        ax.axhline(complete, color=OKABE_ITO[7], linestyle="--", linewidth=1.4,
                   label="Complete pooling")
        ax.set_title(title, loc="left", fontsize="medium")
        ax.set_xlabel(xlabel)
        ax.legend(loc="upper right", frameon=False, fontsize="small")
    axes[0].set_ylabel(ylabel)
    return fig


def plot_shrinkage_by_size(
    table: pd.DataFrame,
    tau2: float,
    sigma2: float,
    size: str = "n",
    factor: str = "shrinkage",
    xlabel: str = "Group size (log scale)",
    jitter: float = 0.0,
) -> Figure:
    """Plot each group's shrinkage factor against its size, with the theoretical curve.

    In a random-intercept model a group's predicted effect (BLUP) is its mean
    residual times ``lambda(n) = n tau^2 / (n tau^2 + sigma^2)``. The helper
    draws the factors observed in ``table`` (e.g. BLUP over mean residual) as
    points, the curve ``lambda(n)`` as a solid line, and a dotted vertical line
    at ``n = sigma^2 / tau^2``, where a group is shrunk halfway.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    tau2, sigma2 : float
        Between-group and residual variances (> 0) of the curve.
    size : str
        Column with the group sizes (whole numbers >= 1).
    factor : str
        Numeric column with the observed shrinkage factors.
    xlabel : str
        Label of the horizontal axis.
    jitter : float
        Groups of equal size are spread over ``10 ** (+-jitter)`` times their
        size; 0 (the default) keeps the points on the curve; at most 0.2.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with a log-scaled horizontal axis: one scatter collection
        (the groups, in table order), then ``ax.lines`` holding the curve
        (solid) and the halfway line (dotted), and a legend.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"n": [1, 4], "shrinkage": [0.2, 0.5]})
    >>> ax = plot_shrinkage_by_size(table, tau2=1.0, sigma2=4.0).axes[0]
    >>> ax.collections[0].get_offsets().tolist()
    [[1.0, 0.2], [4.0, 0.5]]
    >>> ax.lines[1].get_xdata().tolist()  # halfway at n = sigma2 / tau2
    [4.0, 4.0]
    """
    table = check_dataframe(table, "table", numeric=[size, factor])
    tau2 = check_real(tau2, "tau2", minimum=0, strict=True)
    sigma2 = check_real(sigma2, "sigma2", minimum=0, strict=True)
    jitter = check_real(jitter, "jitter", minimum=0, maximum=0.2)
    _check_label(xlabel, "xlabel")
    sizes = _check_sizes(table, size)
    x = _spread(sizes, jitter)
    half = sigma2 / tau2
    grid = np.geomspace(min(1.0, sizes.min()), max(sizes.max(), 2 * half), 200)

    fig, ax = new_figure(7.0, 4.2)
    ax.scatter(x, table[factor], s=24, color=OKABE_ITO[4], alpha=0.8, zorder=3,
               label="One group: BLUP / mean residual")
    ax.plot(grid, grid * tau2 / (grid * tau2 + sigma2), color=OKABE_ITO[7], linewidth=1.6,
            label=r"$n\tau^2 / (n\tau^2 + \sigma^2)$")
    ax.plot([half, half], [0, 1], color=OKABE_ITO[3], linestyle=":", linewidth=1.6,
            label=r"Halfway: $n = \sigma^2 / \tau^2$")
    _log_size_axis(ax, np.concatenate([x, grid]))
    ax.set_ylim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Shrinkage factor (weight on the group's own data)")
    ax.legend(loc="lower right", frameon=False, fontsize="small")
    return fig


def plot_group_estimates(
    table: pd.DataFrame,
    x: str,
    estimate: str,
    se: str | None = None,
    line: tuple[float, float] | None = None,
    xlabel: str | None = None,
    ylabel: str = "Estimate",
) -> Figure:
    """Plot group estimates against a group-level predictor, with the fitted line.

    With a group-level predictor in a random-intercept model, each group's
    intercept is ``b0 + b1 * x_j + u_j``: the fixed line plus the group's
    BLUP. Drawing the estimates with the line (Gelman and Hill 2007,
    figure 12.6) shows that partial pooling now pulls each group towards the
    line rather than towards one overall mean. Chapter "Partial pooling" draws
    radon's county intercepts against soil uranium.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    x : str
        Numeric column with the group-level predictor.
    estimate : str
        Numeric column with the group estimates.
    se : str, optional
        Numeric column (>= 0) with standard errors, drawn as bars of plus and
        minus one standard error.
    line : (float, float), optional
        Intercept and slope of the fixed line, drawn solid black over the
        range of ``x``.
    xlabel : str, optional
        Label of the horizontal axis (default: ``x``).
    ylabel : str
        Label of the vertical axis (with units).

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one error-bar container (the groups, in table order),
        the line as the last of ``ax.lines`` if asked for, and a legend.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"u": [-0.5, 0.0, 0.4], "est": [1.0, 1.5, 1.6]})
    >>> ax = plot_group_estimates(table, "u", "est", line=(1.4, 0.7)).axes[0]
    >>> ax.containers[0].lines[0].get_ydata().tolist()
    [1.0, 1.5, 1.6]
    >>> [round(float(v), 2) for v in ax.lines[-1].get_ydata()]
    [1.05, 1.68]
    """
    numeric = [x, estimate] if se is None else [x, estimate, se]
    table = check_dataframe(table, "table", numeric=numeric)
    if se is not None and (table[se] < 0).any():
        raise ValueError(f"table[{se!r}] must hold standard errors >= 0")
    if line is not None:
        if not isinstance(line, (tuple, list)) or len(line) != 2:
            raise TypeError("line must be a pair (intercept, slope)")
        line = (check_real(line[0], "line intercept"), check_real(line[1], "line slope"))
    _check_label(ylabel, "ylabel")
    if xlabel is not None:
        _check_label(xlabel, "xlabel")

    fig, ax = new_figure(7.0, 4.5)
    yerr = None if se is None else table[se].to_numpy(dtype=float)
    ax.errorbar(table[x].to_numpy(dtype=float), table[estimate].to_numpy(dtype=float),
                yerr=yerr, fmt="s", markersize=4.5, color=OKABE_ITO[4], ecolor=OKABE_ITO[4],
                elinewidth=0.9, alpha=0.85,
                label="Group estimate" + ("" if se is None else " \u00b1 1 SE"))
    if line is not None:
        xs = np.array([table[x].min(), table[x].max()], dtype=float)
        ax.plot(xs, line[0] + line[1] * xs, color=OKABE_ITO[7], linewidth=1.6,
                label="Fixed part of the model")
    ax.set_xlabel(x if xlabel is None else xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    return fig
