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

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lmmbook.validation import check_dataframe, check_pair, check_real, check_values

__all__ = [
    "OKABE_ITO",
    "MARKERS",
    "LABELS",
    "group_styles",
    "label_axes",
    "new_figure",
    "plot_school_scatter",
    "plot_icc_panels",
    "plot_bootstrap_distribution",
    "plot_school_lines",
    "plot_new_school_bands",
    "plot_blups_vs_truth",
    "plot_shrinkage",
    "plot_coverage",
    "plot_se_ratio",
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


def plot_school_lines(
    data: pd.DataFrame,
    lines: pd.DataFrame,
    population: tuple[float, float],
    x: str = "hours",
    y: str = "score",
    group: str = "school",
) -> Figure:
    """Draw one fitted line per group over the data, plus the population line.

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
        group's colour, spanning the range of ``x``; then the population line;
        legend outside on the right.

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
    for g, part in data.groupby(group, sort=True):
        ax.scatter(part[x], part[y], s=16, alpha=0.45, color=styles[g]["color"],
                   marker=styles[g]["marker"])
        a, b = coefs.loc[g, "intercept"], coefs.loc[g, "slope"]
        ax.plot(grid, a + b * grid, color=styles[g]["color"], linewidth=1.6,
                marker=styles[g]["marker"], markevery=[1], label=g)
    ax.plot(grid, pop_intercept + pop_slope * grid, color=OKABE_ITO[7], linestyle="--",
            linewidth=2.2, label="Population\n(fixed effects)")
    label_axes(ax, x, y)
    ax.legend(title=group.capitalize(), loc="center left", bbox_to_anchor=(1.01, 0.5),
              frameon=False, fontsize="small")
    return fig


def plot_new_school_bands(
    prediction: pd.DataFrame,
    x: str = "hours",
    data: pd.DataFrame | None = None,
    y: str = "score",
    level: float = 0.95,
) -> Figure:
    """Draw the population line with its confidence and prediction bands.

    Parameters
    ----------
    prediction : pandas.DataFrame
        As returned by :func:`lmmbook.models.predict_new_school`: columns
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

    Returns
    -------
    matplotlib.figure.Figure
        Two shaded bands (new school's line, then the population line's
        confidence band, drawn on top), two dotted lines (the new student's
        band), the dashed black estimate, and, if ``data`` is given, one
        scatter collection of the data; with a legend.

    Examples
    --------
    >>> import statsmodels.formula.api as smf
    >>> from lmmbook.models import predict_new_school
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
    label_axes(ax, x, y)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize="small")
    return fig


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


#: Tick labels for the coefficients of the coverage study.
_TERM_LABELS = {
    "hours": "Study hours\n(varies within schools)",
    "resources": "School resources\n(one value per school)",
}
#: Colours of the methods compared in a coverage figure: vermillion, blue, bluish green.
_METHOD_COLOURS = (OKABE_ITO[3], OKABE_ITO[4], OKABE_ITO[2])


def plot_coverage(summary: pd.DataFrame) -> Figure:
    """Plot each method's interval coverage per coefficient, with Monte Carlo error bars.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per method and term with columns ``method``, ``term``,
        ``coverage``, ``mc_se`` and ``level``, as returned by
        ``lmmbook.studies.summarize_coverage``.

    Returns
    -------
    matplotlib.figure.Figure
        One error-bar series per method (points at the coverage, bars of
        plus or minus 1.96 Monte Carlo standard errors), the terms side by side
        on the x-axis, and a dashed horizontal line at the nominal level.

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
    level = float(summary["level"].iloc[0])
    methods = list(dict.fromkeys(summary["method"]))
    terms = list(dict.fromkeys(summary["term"]))
    position = {t: i for i, t in enumerate(terms)}
    width = 0.6 / len(methods)
    fig, ax = new_figure(7.0, 4.5)
    ax.axhline(level, color=OKABE_ITO[7], linestyle="--", linewidth=1.2,
               label=f"Nominal level ({level:.0%})")
    for i, method in enumerate(methods):
        part = summary[summary["method"] == method]
        x = part["term"].map(position).to_numpy() + (i - (len(methods) - 1) / 2) * width
        ax.errorbar(x, part["coverage"].to_numpy(dtype=float),
                    yerr=1.96 * part["mc_se"].to_numpy(dtype=float), fmt=MARKERS[i % len(MARKERS)],
                    color=_METHOD_COLOURS[i % len(_METHOD_COLOURS)], markersize=7, capsize=4,
                    linewidth=1.5, label=method)
    ax.set_xticks(range(len(terms)), [_TERM_LABELS.get(t, t) for t in terms])
    ax.set_xlim(-0.5, len(terms) - 0.5)
    low = float((summary["coverage"] - 1.96 * summary["mc_se"]).min())
    ax.set_ylim(max(0.0, min(low, level) - 0.05), 1.02)
    ax.set_xlabel("Coefficient")
    ax.set_ylabel(f"Coverage of {level:.0%} intervals (share)")
    ax.legend(loc="lower left", frameon=False, fontsize="small")
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
