"""Figures of uncertainty: bootstrap distributions, interval coverage, SE ratios."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from lmmbook.plotting.base import (
    MARKERS,
    OKABE_ITO,
    new_figure,
)
from lmmbook.validation import check_dataframe, check_pair, check_real, check_values


def plot_bootstrap_distribution(
    values: object,
    estimate: float,
    interval: tuple[float, float],
    truth: float | None = None,
    xlabel: str = "Intraclass correlation (ICC)",
    level: float = 0.95,
) -> Figure:
    """Histogram of bootstrap replicates with the estimate and interval marked.

    Parameters
    ----------
    values : array-like of float
        The bootstrap replicates (finite, at least two).
    estimate : float
        The estimate from the original data (solid black line).
    interval : (float, float)
        Lower and upper end of the interval (dashed blue lines), low < high.
    truth : float, optional
        The true value, when known (dotted vermillion line).
    xlabel : str
        Label of the horizontal axis, with units.
    level : float
        Coverage of the interval, for the legend (strictly between 0 and 1).

    Returns
    -------
    matplotlib.figure.Figure
        Histogram bars, then one vertical line each for the estimate, the two
        interval ends and (if given) the truth, with a legend.

    Examples
    --------
    >>> fig = plot_bootstrap_distribution([0.5, 0.6, 0.7, 0.8], 0.7, (0.52, 0.79))
    >>> [line.get_xdata()[0] for line in fig.axes[0].lines]
    [0.7, 0.52, 0.79]
    """
    array = check_values(values, "values", min_size=2)
    estimate = check_real(estimate, "estimate")
    low, high = check_pair(interval, "interval", increasing=True)
    if truth is not None:
        truth = check_real(truth, "truth")
    level = check_real(level, "level", minimum=0, maximum=1, strict=True)

    fig, ax = new_figure(7.0, 4.0)
    ax.hist(array, bins=30, color=OKABE_ITO[1], edgecolor="white", linewidth=0.5)
    ax.axvline(estimate, color=OKABE_ITO[7], linewidth=2, label="Estimate")
    ax.axvline(low, color=OKABE_ITO[4], linestyle="--", linewidth=1.5,
               label=f"{level:.0%} percentile interval")
    ax.axvline(high, color=OKABE_ITO[4], linestyle="--", linewidth=1.5)
    if truth is not None:
        ax.axvline(truth, color=OKABE_ITO[3], linestyle=":", linewidth=2, label="Truth")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Bootstrap replicates (count)")
    ax.legend(frameon=False, loc="upper left", fontsize="small")
    return fig


_TERM_LABELS = {
    "hours": "Study hours\n(one value per student)",
    "resources": "School resources\n(one value per school)",
}
#: Colours of the methods compared in a coverage figure, in order: vermillion, sky
#: blue, blue, orange, bluish green, reddish purple, black (Okabe-Ito; no yellow,
#: which is hard to see on white). Each method also gets its own marker.
_METHOD_COLOURS = (OKABE_ITO[3], OKABE_ITO[1], OKABE_ITO[4], OKABE_ITO[0], OKABE_ITO[2],
                   OKABE_ITO[5], OKABE_ITO[7])


def plot_coverage(summary: pd.DataFrame) -> Figure:
    """Plot each method's interval coverage per coefficient, with Monte Carlo error bars.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per method and term with columns ``method`` (at most seven
        methods, drawn in order of first appearance), ``term``, ``coverage``
        (share of intervals containing the truth), ``mc_se`` (its Monte Carlo
        standard error) and ``level`` (the nominal level, one value).

    Returns
    -------
    matplotlib.figure.Figure
        One error-bar series per method (points at the coverage, bars of
        plus or minus 1.96 Monte Carlo standard errors), each with its own
        colour and marker, the terms side by side on the x-axis, a dashed
        horizontal line at the nominal level, and the legend right of the axes.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"method": ["OLS", "OLS", "Mixed model", "Mixed model"],
    ...                         "term": ["hours", "resources"] * 2,
    ...                         "coverage": [0.95, 0.44, 0.94, 0.91],
    ...                         "mc_se": [0.01, 0.02, 0.01, 0.013], "level": 0.95})
    >>> fig = plot_coverage(summary)
    >>> [c.get_label() for c in fig.axes[0].containers]
    ['OLS', 'Mixed model']
    >>> fig.axes[0].get_ylabel()
    'Coverage of 95% intervals (share)'
    """
    summary = check_dataframe(summary, "summary", numeric=["coverage", "mc_se", "level"],
                              columns=["method", "term"])
    if summary["level"].nunique() != 1:
        raise ValueError(f"summary must have one nominal level, got {sorted(summary['level'].unique())}")
    if summary.duplicated(["method", "term"]).any():
        raise ValueError("summary must have one row per method and term")
    if not summary["coverage"].between(0, 1).all():
        raise ValueError("summary['coverage'] must lie between 0 and 1")
    if (summary["mc_se"] < 0).any():
        raise ValueError("summary['mc_se'] must be >= 0")
    methods = list(dict.fromkeys(summary["method"]))
    if len(methods) > len(_METHOD_COLOURS):
        raise ValueError(f"summary must have at most {len(_METHOD_COLOURS)} methods, "
                         f"got {len(methods)}")
    level = float(summary["level"].iloc[0])
    terms = list(dict.fromkeys(summary["term"]))
    position = {t: i for i, t in enumerate(terms)}
    width = 0.6 / len(methods)
    fig, ax = new_figure(7.5, 4.5)
    ax.axhline(level, color=OKABE_ITO[7], linestyle="--", linewidth=1.2,
               label=f"Nominal level ({level:.0%})")
    for i, method in enumerate(methods):
        part = summary[summary["method"] == method]
        x = part["term"].map(position).to_numpy() + (i - (len(methods) - 1) / 2) * width
        ax.errorbar(x, part["coverage"].to_numpy(dtype=float),
                    yerr=1.96 * part["mc_se"].to_numpy(dtype=float), fmt=MARKERS[i],
                    color=_METHOD_COLOURS[i], markersize=7, capsize=4, linewidth=1.5,
                    label=method)
    ax.set_xticks(range(len(terms)), [_TERM_LABELS.get(t, t) for t in terms])
    ax.set_xlim(-0.5, len(terms) - 0.5)
    low = float((summary["coverage"] - 1.96 * summary["mc_se"]).min())
    ax.set_ylim(max(0.0, min(low, level) - 0.05), 1.02)
    ax.set_xlabel("Coefficient")
    ax.set_ylabel(f"Coverage of {level:.0%} intervals (share)")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize="small")
    return fig


def plot_se_ratio(table: pd.DataFrame) -> Figure:
    """Plot, per term, the OLS standard error divided by the mixed model's.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per term with columns ``term`` and ``se_ratio`` (OLS standard
        error divided by the mixed model's, positive), first term drawn on top.

    Returns
    -------
    matplotlib.figure.Figure
        One point per term on a logarithmic x-axis, joined to a vertical
        reference line at 1 (equal standard errors); points left of the line
        (OLS smaller) and right of it (OLS larger) get different colours and
        markers.

    Examples
    --------
    >>> import pandas as pd
    >>> fig = plot_se_ratio(pd.DataFrame({"term": ["Intercept", "hours"],
    ...                                   "se_ratio": [0.5, 1.8]}))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Intercept', 'hours']
    >>> fig.axes[0].get_xscale()
    'log'
    """
    table = check_dataframe(table, "table", numeric=["se_ratio"], columns=["term"])
    ratios = table["se_ratio"].to_numpy(dtype=float)
    if (ratios <= 0).any():
        raise ValueError("table['se_ratio'] must be positive")
    y = list(range(len(table)))[::-1]
    fig, ax = new_figure(7.0, 1.2 + 0.6 * len(table))
    ax.axvline(1.0, color=OKABE_ITO[7], linewidth=1.2, label="Equal standard errors")
    styles = {
        True: {"color": OKABE_ITO[3], "marker": "o", "label": "OLS standard error smaller"},
        False: {"color": OKABE_ITO[4], "marker": "s", "label": "OLS standard error larger"},
    }
    for smaller, style in styles.items():
        keep = (ratios < 1) == smaller
        if keep.any():
            rows = [yi for yi, k in zip(y, keep) if k]
            ax.hlines(rows, 1.0, ratios[keep], color=style["color"], linewidth=2)
            ax.plot(ratios[keep], rows, linestyle="none", markersize=9, **style)
    ax.set_xscale("log")
    span = max(2.0, float(max(ratios.max(), 1 / ratios.min())) * 1.3)
    ax.set_xlim(1 / span, span)
    ticks = [t for t in (0.125, 0.25, 0.5, 1, 2, 4, 8) if 1 / span <= t <= span]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(y, table["term"].astype(str).tolist())
    ax.set_ylim(-0.6, len(table) - 0.4)
    ax.set_xlabel("OLS standard error / mixed-model standard error (log scale)")
    ax.set_ylabel("Term")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize="small")
    return fig
