"""Figures of inference for a variance: the profile likelihood, coverage by number of groups."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from lmmbook.plotting.base import MARKERS, OKABE_ITO, new_figure
from lmmbook.validation import check_dataframe, check_real

#: Colours of the curves and methods, in order (Okabe-Ito, no yellow).
_COLOURS = (OKABE_ITO[4], OKABE_ITO[3], OKABE_ITO[2], OKABE_ITO[5], OKABE_ITO[0], OKABE_ITO[1])
_STYLES = ("-", "--", "-.", ":")


def plot_profile_likelihood(
    profiles: dict[str, pd.DataFrame],
    cut: float,
    points: pd.DataFrame | None = None,
    xlabel: str = "Batch standard deviation (g)",
) -> Figure:
    """Draw profile likelihood-ratio curves of a standard deviation with the interval cut.

    Parameters
    ----------
    profiles : dict of str to pandas.DataFrame
        Curve label to a frame with columns ``group_sd`` and ``lr`` (twice
        the drop of the profile log-likelihood below its maximum), as
        :func:`lmmbook.varcomp.profile_group_sd` returns; at most four curves.
    cut : float
        The chi-square(1) quantile (3.84 for 95%), drawn as a horizontal line:
        a curve is below it over its profile-likelihood interval.
    points : pandas.DataFrame, optional
        Extra points with columns ``group_sd`` and ``lr`` (statsmodels'
        ``profile_re`` output, converted), drawn as open markers.
    xlabel : str
        Label of the horizontal axis, with units.

    Returns
    -------
    matplotlib.figure.Figure
        One line per curve, the dotted cut line, and the points if given,
        with a legend.

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.DataFrame({"group_sd": [10.0, 40.0, 90.0], "lr": [4.5, 0.0, 4.1]})
    >>> fig = plot_profile_likelihood({"REML": curve}, cut=3.84)
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['REML', '95% cut (chi-square, 1 df)']
    """
    if not isinstance(profiles, dict) or not profiles:
        raise TypeError(f"profiles must be a non-empty dict of label to DataFrame, got "
                        f"{type(profiles).__name__}")
    if len(profiles) > len(_STYLES):
        raise ValueError(f"profiles must hold at most {len(_STYLES)} curves, got {len(profiles)}")
    curves = {str(k): check_dataframe(v, f"profiles[{k!r}]", numeric=["group_sd", "lr"])
              for k, v in profiles.items()}
    cut = check_real(cut, "cut", minimum=0, strict=True)
    if points is not None:
        points = check_dataframe(points, "points", numeric=["group_sd", "lr"])
    fig, ax = new_figure(7.0, 4.2)
    for i, (label, curve) in enumerate(curves.items()):
        ax.plot(curve["group_sd"], curve["lr"], color=_COLOURS[i], linestyle=_STYLES[i],
                linewidth=2, label=label)
    ax.axhline(cut, color=OKABE_ITO[7], linestyle=":", linewidth=1.5)
    ax.lines[-1].set_label(f"{_level_of(cut):.0%} cut (chi-square, 1 df)")
    if points is not None:
        ax.plot(points["group_sd"], points["lr"], linestyle="none", marker="o", markersize=7,
                markerfacecolor="none", markeredgecolor=OKABE_ITO[5], markeredgewidth=1.5,
                label="statsmodels profile_re points")
    top = max(float(c["lr"].max()) for c in curves.values())
    ax.set_ylim(0, max(top, cut) * 1.1)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Likelihood-ratio statistic\n(2 x drop in log-likelihood)")
    ax.legend(frameon=False, fontsize="small", loc="upper center")
    return fig


def _level_of(cut: float) -> float:
    """The confidence level whose chi-square(1) quantile is ``cut``."""
    return float(stats.chi2.cdf(cut, 1))


def plot_coverage_by_groups(summary: pd.DataFrame) -> Figure:
    """Plot each interval's coverage against the number of groups, with Monte Carlo errors.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per method and number of groups with columns ``method`` (at
        most six, drawn in order of first appearance), ``n_groups`` (positive
        integers), ``coverage`` (between 0 and 1), ``mc_se`` (its Monte Carlo
        standard error, >= 0) and ``level`` (the nominal level, one value).

    Returns
    -------
    matplotlib.figure.Figure
        One line with error bars (plus or minus 1.96 Monte Carlo standard
        errors) per method against the number of groups on a log axis, and a
        dashed line at the nominal level; the legend is right of the axes.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"method": ["Wald"] * 2 + ["Profile"] * 2,
    ...                         "n_groups": [5, 50] * 2, "coverage": [0.80, 0.92, 0.93, 0.95],
    ...                         "mc_se": 0.005, "level": 0.95})
    >>> fig = plot_coverage_by_groups(summary)
    >>> [c.get_label() for c in fig.axes[0].containers]
    ['Wald', 'Profile']
    """
    summary = check_dataframe(summary, "summary", numeric=["n_groups", "coverage", "mc_se", "level"],
                              columns=["method"])
    if summary["level"].nunique() != 1:
        raise ValueError(f"summary must have one nominal level, got {sorted(summary['level'].unique())}")
    if (summary["n_groups"] < 1).any():
        raise ValueError("summary['n_groups'] must be >= 1")
    if not summary["coverage"].between(0, 1).all():
        raise ValueError("summary['coverage'] must lie between 0 and 1")
    if (summary["mc_se"] < 0).any():
        raise ValueError("summary['mc_se'] must be >= 0")
    methods = list(dict.fromkeys(summary["method"]))
    if len(methods) > len(_COLOURS):
        raise ValueError(f"summary must have at most {len(_COLOURS)} methods, got {len(methods)}")
    level = float(summary["level"].iloc[0])
    fig, ax = new_figure(7.5, 4.5)
    ax.axhline(level, color=OKABE_ITO[7], linestyle="--", linewidth=1.2,
               label=f"Nominal level ({level:.0%})")
    groups = sorted(summary["n_groups"].unique())
    for i, method in enumerate(methods):
        part = summary[summary["method"] == method].sort_values("n_groups")
        shift = 1 + 0.03 * (i - (len(methods) - 1) / 2)  # side by side on the log axis
        ax.errorbar(part["n_groups"].to_numpy(dtype=float) * shift,
                    part["coverage"].to_numpy(dtype=float),
                    yerr=1.96 * part["mc_se"].to_numpy(dtype=float), fmt=MARKERS[i] + "-",
                    color=_COLOURS[i], markersize=7, capsize=4, linewidth=1.5, label=method)
    ax.set_xscale("log")
    ax.set_xticks(groups, [f"{g:g}" for g in groups])
    ax.minorticks_off()
    low = float((summary["coverage"] - 1.96 * summary["mc_se"]).min())
    ax.set_ylim(max(0.0, min(low, level) - 0.05), 1.02)
    ax.set_xlabel("Number of groups (log scale)")
    ax.set_ylabel(f"Coverage of {level:.0%} intervals (share)")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize="small")
    return fig

