"""Compare class-imbalance methods side by side (``sklearn-imbalance-dl compare``).

- :data:`RECIPES`: the methods, name -> ``factory(seed, epochs, device)`` returning an
  unfitted estimator or pipeline (reusable in a notebook);
- :func:`run_comparison`: fit and score every (method, seed, fold), one row per fit;
- :func:`summarise`: mean and std per method;
- :func:`format_table`, :func:`write_results`, :func:`plot_results`: the report.

Examples
--------
>>> from sklearn_imbalance_dl.compare import RECIPES, run_comparison, summarise
>>> from sklearn_imbalance_dl.datasets import load_digits_lt
>>> results = run_comparison(*load_digits_lt(), methods=["ce", "ldam_drw"],
...                          seeds=2, epochs=5)  # doctest: +SKIP
>>> summarise(results)  # doctest: +SKIP
"""

from ._recipes import DESCRIPTIONS, RECIPES, SMOTEWithFallback, get_recipe
from ._report import format_table, plot_results, write_results
from ._runner import METRICS, SHOT_METRICS, make_preprocessor, run_comparison, summarise

__all__ = [
    "DESCRIPTIONS",
    "METRICS",
    "RECIPES",
    "SHOT_METRICS",
    "SMOTEWithFallback",
    "format_table",
    "get_recipe",
    "make_preprocessor",
    "plot_results",
    "run_comparison",
    "summarise",
    "write_results",
]
