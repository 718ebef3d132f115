"""Figures for checking a fitted model: residual plots, normal quantile plots, spread by group.

Chapter "Checking a model" introduces all three. The helpers only draw: the
chapter computes what they show (the residuals and fitted values, the
standardised residuals and predicted random effects, each group's residual SD
and the range sampling alone gives it) and passes the numbers in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, NullFormatter
from scipy import stats
from statsmodels.nonparametric.smoothers_lowess import lowess

from lmmbook.plotting.base import OKABE_ITO, new_figure
from lmmbook.validation import check_dataframe, check_int, check_real, check_values

__all__ = ["plot_residuals_vs_fitted", "plot_normal_qq", "plot_spread_by_group"]

_POINTS = OKABE_ITO[4]  # blue
_SMOOTH = OKABE_ITO[0]  # orange
_REFERENCE = "0.4"
_FEW_VALUES = 5  # a horizontal variable with this many distinct values or fewer is discrete


def _grid(n_panels: int, ncols: int, width: float, height: float) -> tuple[Figure, list[Axes]]:
    """Return a figure with ``n_panels`` axes on a grid of ``ncols`` columns, book-styled."""
    nrows = -(-n_panels // ncols)
    fig, first = new_figure(width * min(ncols, n_panels), height * nrows)
    fig.delaxes(first)
    grid = fig.subplots(nrows, min(ncols, n_panels), squeeze=False)
    axes = list(grid.ravel())
    for ax in axes[n_panels:]:
        fig.delaxes(ax)
    for ax in axes[:n_panels]:
        ax.grid(True, color="0.9", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    return fig, axes[:n_panels]


def _check_panels(panels: object, name: str) -> None:
    if not isinstance(panels, Mapping):
        raise TypeError(f"{name} must be a dict of panels by label, got {type(panels).__name__}")
    if not 1 <= len(panels) <= 6:
        raise ValueError(f"{name} must hold 1 to 6 panels, got {len(panels)}")
    for label in panels:
        if not isinstance(label, str):
            raise TypeError(f"{name} labels must be str, got {type(label).__name__}")


def _row_labels(ylabels: object, n_rows: int) -> list[str]:
    if isinstance(ylabels, str):
        return [ylabels] * n_rows
    if not isinstance(ylabels, Sequence) or not all(isinstance(s, str) for s in ylabels):
        raise TypeError("ylabels must be a str or a list of str, one per row of panels")
    if len(ylabels) != n_rows:
        raise ValueError(f"ylabels must hold one label per row of panels ({n_rows}), "
                         f"got {len(ylabels)}")
    return list(ylabels)


def plot_residuals_vs_fitted(
    panels: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    ylabels: str | Sequence[str] = "Residual",
    ncols: int = 2,
    jitter: Mapping[str, float] | None = None,
    frac: float = 0.6,
    seed: int = 0,
) -> Figure:
    """Plot residuals against fitted values or a predictor, with a lowess smooth.

    Introduced in the chapter "Checking a model": each panel is a scatter of
    residuals against one horizontal variable (fitted values, the fixed part of
    the fit, or a predictor), a lowess smooth of the residuals (orange) and a
    dashed line at zero. What goes on each axis is the chapter's choice; the
    helper computes only the smooth (for a variable with five distinct values or
    fewer, such as a binary predictor, the line joins the mean residual at each value).

    Parameters
    ----------
    panels : dict of str to (array-like, array-like)
        One to six panels, filled row by row; each key is the horizontal axis
        label, each value a pair ``(x, residuals)`` of equal length.
    ylabels : str or list of str, default "Residual"
        Vertical axis label, one for every panel or one per row.
    ncols : int, default 2
        Panels per row.
    jitter : dict of str to float, optional
        Half-width of a uniform horizontal jitter for the panels named (for a
        predictor with few values); the smooth uses the values unjittered.
    frac : float, default 0.6
        Share of the points in each local fit of the lowess smooth, in (0, 1).
    seed : int, default 0
        Seed of the jitter.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel, holding the points (one collection), the smooth
        (a solid line) and the zero line (a dashed line).

    Examples
    --------
    >>> x = np.linspace(0.0, 1.0, 20)
    >>> fig = plot_residuals_vs_fitted({"fitted": (x, np.sin(7 * x))})
    >>> ax = fig.axes[0]
    >>> len(ax.collections[0].get_offsets()), [line.get_linestyle() for line in ax.get_lines()]
    (20, ['-', '--'])
    """
    _check_panels(panels, "panels")
    ncols = check_int(ncols, "ncols", minimum=1)
    frac = check_real(frac, "frac", minimum=0, maximum=1, strict=True)
    jitter = {} if jitter is None else jitter
    if not isinstance(jitter, Mapping):
        raise TypeError(f"jitter must be a dict of half-widths by panel label, "
                        f"got {type(jitter).__name__}")
    unknown = sorted(set(jitter) - set(panels))
    if unknown:
        raise ValueError(f"jitter names panels that do not exist: {unknown}")
    data = {}
    for label, pair in panels.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"panels[{label!r}] must be a pair (x, residuals)")
        x = check_values(pair[0], f"panels[{label!r}] x", min_size=3)
        r = check_values(pair[1], f"panels[{label!r}] residuals", min_size=3)
        if len(x) != len(r):
            raise ValueError(f"panels[{label!r}]: x and residuals differ in length "
                             f"({len(x)} and {len(r)})")
        width = check_real(jitter.get(label, 0.0), f"jitter[{label!r}]", minimum=0)
        data[label] = (x, r, width)
    n_rows = -(-len(panels) // ncols)
    row_labels = _row_labels(ylabels, n_rows)
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    fig, axes = _grid(len(panels), ncols, 4.0, 3.0)
    for k, (ax, (label, (x, r, width))) in enumerate(zip(axes, data.items())):
        shown = x + rng.uniform(-width, width, len(x)) if width > 0 else x
        ax.scatter(shown, r, s=10, color=_POINTS, alpha=0.5, linewidths=0)
        levels = np.unique(x)
        if len(levels) <= _FEW_VALUES:  # lowess breaks down on a few distinct values
            smooth = np.column_stack([levels, [r[x == v].mean() for v in levels]])
        else:
            smooth = lowess(r, x, frac=frac)
        ax.plot(smooth[:, 0], smooth[:, 1], color=_SMOOTH, linewidth=2)
        ax.axhline(0.0, color=_REFERENCE, linestyle="--", linewidth=1)
        ax.set_xlabel(label)
        ax.set_ylabel(row_labels[k // ncols])
    return fig


def plot_normal_qq(
    panels: Mapping[str, Sequence[float]],
    ncols: int = 2,
) -> Figure:
    """Plot standardised values against standard normal quantiles, one panel each.

    Introduced in the chapter "Checking a model" for the residuals and the
    predicted random effects. The values must already be standardised (the
    chapter says how: for predicted random effects, each by its own standard
    deviation); the dashed diagonal is where standard normal values lie.

    Parameters
    ----------
    panels : dict of str to array-like
        One to six panels, filled row by row; each key is the vertical axis
        label, each value the standardised values (at least three).
    ncols : int, default 2
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel: the sorted values against the normal quantiles
        (``scipy.stats.probplot``'s plotting positions, one collection) and the
        diagonal (a dashed line).

    Examples
    --------
    >>> fig = plot_normal_qq({"residuals": [-1.2, 0.1, 0.4, 1.5]})
    >>> fig.axes[0].collections[0].get_offsets()[:, 1].tolist()
    [-1.2, 0.1, 0.4, 1.5]
    """
    _check_panels(panels, "panels")
    ncols = check_int(ncols, "ncols", minimum=1)
    values = {label: check_values(v, f"panels[{label!r}]", min_size=3)
              for label, v in panels.items()}
    fig, axes = _grid(len(panels), ncols, 4.0, 3.2)
    for ax, (label, v) in zip(axes, values.items()):
        theory, ordered = stats.probplot(v, dist="norm", fit=False)
        ax.scatter(theory, ordered, s=10, color=_POINTS, linewidths=0)
        edge = float(max(np.abs(theory).max(), np.abs(ordered).max())) * 1.05
        ax.plot([-edge, edge], [-edge, edge], color=_REFERENCE, linestyle="--", linewidth=1)
        ax.set_xlabel("Standard normal quantile")
        ax.set_ylabel(label)
    return fig


def plot_spread_by_group(
    groups: pd.DataFrame,
    band: pd.DataFrame,
    reference: float,
    highlight: str | None = None,
    xlabel: str = "Group size (log scale)",
    ylabel: str = "Residual SD in the group",
) -> Figure:
    """Plot each group's residual SD against its size, inside the range sampling gives.

    Introduced in the chapter "Checking a model": the grey band is the range
    of a group's SD from sampling alone at each size (computed by the chapter),
    the dashed line the model's residual SD, and each point a group; groups
    flagged in the ``highlight`` column are drawn in orange.

    Parameters
    ----------
    groups : pandas.DataFrame
        One row per group, with columns ``n`` (group size, a whole number of at
        least 2) and ``sd`` (its residual SD), and ``highlight`` if given.
    band : pandas.DataFrame
        Columns ``n``, ``low`` and ``high`` (``low <= high``), sorted by ``n``.
    reference : float
        The model's residual SD, drawn as a dashed line.
    highlight : str, optional
        Boolean column of ``groups`` marking the groups to draw in orange.
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the band (a filled area), the reference (a dashed line), the
        groups as one collection of points, or two (unflagged in blue, flagged
        in orange, in that order) with ``highlight``; the size axis is
        logarithmic.

    Examples
    --------
    >>> groups = pd.DataFrame({"n": [2, 5, 9], "sd": [0.2, 0.9, 0.8], "out": [True, False, False]})
    >>> band = pd.DataFrame({"n": [2, 5, 9], "low": [0.03, 0.4, 0.5], "high": [1.8, 1.4, 1.2]})
    >>> fig = plot_spread_by_group(groups, band, reference=0.8, highlight="out")
    >>> [len(c.get_offsets()) for c in fig.axes[0].collections[1:]]
    [2, 1]
    """
    check_dataframe(groups, "groups", numeric=["n", "sd"], min_rows=1)
    check_dataframe(band, "band", numeric=["n", "low", "high"], min_rows=2)
    reference = check_real(reference, "reference", minimum=0, strict=True)
    for name, label in (("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(label, str):
            raise TypeError(f"{name} must be a str, got {type(label).__name__}")
    sizes = groups["n"].to_numpy(dtype=float)
    if (sizes < 2).any() or (sizes != np.round(sizes)).any():
        raise ValueError("groups['n'] must hold whole group sizes of at least 2")
    if (groups["sd"] < 0).any():
        raise ValueError("groups['sd'] must be >= 0")
    if (band["low"] > band["high"]).any():
        raise ValueError("band['low'] must not exceed band['high']")
    if not band["n"].is_monotonic_increasing:
        raise ValueError("band must be sorted by band['n']")
    if highlight is not None:
        check_dataframe(groups, "groups", columns=[highlight])
        if not pd.api.types.is_bool_dtype(groups[highlight]):
            raise TypeError(f"highlight column groups[{highlight!r}] must be boolean, "
                            f"got dtype {groups[highlight].dtype}")
        flagged = groups[highlight].to_numpy(dtype=bool)
    else:
        flagged = np.zeros(len(groups), dtype=bool)
    fig, ax = new_figure(7.0, 4.0)
    ax.fill_between(band["n"], band["low"], band["high"], color="0.6", alpha=0.3, linewidth=0,
                    label="range from sampling alone")
    ax.axhline(reference, color=_REFERENCE, linestyle="--", linewidth=1, label="model's SD")
    sd = groups["sd"].to_numpy(dtype=float)
    ax.scatter(sizes[~flagged], sd[~flagged], s=16, color=_POINTS, linewidths=0,
               label="inside the range" if highlight else "group")
    if highlight is not None:
        ax.scatter(sizes[flagged], sd[flagged], s=22, color=_SMOOTH, marker="D", linewidths=0,
                   label="outside the range")
    ax.set_xscale("log")
    ticks = [m * 10**e for e in range(0, 5) for m in (1, 2, 5)]
    ax.set_xticks([t for t in ticks if band["n"].min() / 1.5 <= t <= band["n"].max() * 1.5])
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper right", frameon=False, fontsize="small")
    return fig
