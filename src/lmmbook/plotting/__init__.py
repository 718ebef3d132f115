"""Figures of the book.

Every helper returns a :class:`matplotlib.figure.Figure` made without pyplot
(so nothing is shown or kept behind the reader's back); a chapter cell ends
with the figure to display it (the chapters' setup cell runs ``%matplotlib inline``,
which lets Jupyter show such figures). Conventions: no in-plot title (the caption is
the title), labelled axes with units, and colour-blind-safe palettes (Okabe and
Ito for a few categories, Paul Tol's "muted" plus grey for up to ten groups) in which
groups are also told apart by marker shape or direct labels.

The helpers live in one module per subject (``base``, ``schools``, ``effects``,
``inference``, ``slopes``, ``pooling``, ``contextual``, ``groups``, ``designs``, ``varcomp``); every public name
is importable from ``lmmbook.plotting``.
"""

from lmmbook.plotting.base import (
    LABELS,
    MARKERS,
    OKABE_ITO,
    group_styles,
    label_axes,
    new_figure,
)
from lmmbook.plotting.contextual import plot_within_between
from lmmbook.plotting.designs import plot_design_grid, plot_factor_dots
from lmmbook.plotting.diagnostics import (
    plot_normal_qq,
    plot_residuals_vs_fitted,
    plot_spread_by_group,
)
from lmmbook.plotting.effects import plot_blups_vs_truth, plot_caterpillar, plot_shrinkage
from lmmbook.plotting.groups import plot_group_strips
from lmmbook.plotting.inference import (
    plot_bootstrap_distribution,
    plot_coverage,
    plot_se_ratio,
)
from lmmbook.plotting.pooling import (
    plot_group_estimates,
    plot_pooling_by_size,
    plot_shrinkage_by_size,
)
from lmmbook.plotting.power import plot_power_by_allocation, plot_power_curves
from lmmbook.plotting.schools import (
    plot_icc_panels,
    plot_new_school_bands,
    plot_school_lines,
    plot_school_scatter,
)
from lmmbook.plotting.slopes import plot_coefficient_shrinkage, plot_group_panels
from lmmbook.plotting.varcomp import plot_coverage_by_groups, plot_profile_likelihood

__all__ = [
    "plot_group_strips",
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
    "plot_caterpillar",
    "plot_coverage",
    "plot_se_ratio",
    "plot_group_panels",
    "plot_coefficient_shrinkage",
    "plot_pooling_by_size",
    "plot_shrinkage_by_size",
    "plot_group_estimates",
    "plot_within_between",
    "plot_residuals_vs_fitted",
    "plot_normal_qq",
    "plot_spread_by_group",
    "plot_design_grid",
    "plot_factor_dots",
    "plot_power_curves",
    "plot_power_by_allocation",
    "plot_profile_likelihood",
    "plot_coverage_by_groups",
]

