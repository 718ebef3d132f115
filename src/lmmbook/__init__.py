"""Helpers for the tutorial book *Linear Mixed-Effects Models in Python*.

Modules, one concern each:

- :mod:`lmmbook.simulate`: data-generating processes (students in schools);
- :mod:`lmmbook.models`: tidy extraction from fitted ``MixedLM`` models
  (effects tables, variances, ICC, design effect, fit diagnosis, prediction
  for a new school);
- :mod:`lmmbook.studies`: simulation studies (coverage of confidence intervals);
- :mod:`lmmbook.bootstrap`: the parametric bootstrap of a fitted model;
- :mod:`lmmbook.plotting`: the book's figures;
- :mod:`lmmbook.validation`: input checks shared by the others.

Chapters import what they use from the modules themselves, e.g.
``from lmmbook.simulate import simulate_schools``.
"""

__version__ = "0.1.0"
