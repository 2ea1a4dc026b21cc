"""Compare class-imbalance methods side by side (``sklearn-imbalance-dl compare``).

The methods are the ``"tabular"`` recipes of :mod:`sklearn_imbalance_dl.recipes`
(``list_recipes("tabular")``, built by ``make_estimator``), the one registry of methods.

- :func:`run_comparison`: fit and score every (method, seed, fold), one row per fit;
  ``methods`` are recipe names or a dict name -> ``factory(seed, epochs, device)``;
- :func:`summarise`: mean and std per method;
- :func:`format_table`, :func:`write_results`, :func:`plot_results`: the report;
- :func:`corrected_ttest`: the significance of the winner's margin (Nadeau and
  Bengio's corrected resampled t-test);
- :class:`ComparisonInterrupted`: raised by :func:`run_comparison` on Ctrl-C, with the
  fits that finished;
- :class:`ComparisonFitError`: raised by :func:`run_comparison` when a fit fails with
  ``error_score="raise"``, or when every fit failed (by default a failed fit is a row
  with NaN scores and its error, and the others go on).

Examples
--------
>>> from sklearn_imbalance_dl.compare import run_comparison, summarise
>>> from sklearn_imbalance_dl.datasets import load_digits_lt
>>> results = run_comparison(*load_digits_lt(), methods=["ce", "ldam_drw", "hgb"],
...                          seeds=2, epochs=5)  # doctest: +SKIP
>>> summarise(results)  # doctest: +SKIP
"""

from ._report import format_table, margin_line, plot_results, write_results
from ._runner import (
    METRICS,
    SHOT_METRICS,
    ComparisonFitError,
    ComparisonInterrupted,
    make_preprocessor,
    run_comparison,
    summarise,
)
from ._stats import TTestResult, corrected_ttest

__all__ = [
    "METRICS",
    "SHOT_METRICS",
    "ComparisonFitError",
    "ComparisonInterrupted",
    "TTestResult",
    "corrected_ttest",
    "format_table",
    "make_preprocessor",
    "margin_line",
    "plot_results",
    "run_comparison",
    "summarise",
    "write_results",
]
