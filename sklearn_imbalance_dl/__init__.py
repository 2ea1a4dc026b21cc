"""Deep-learning answers to class imbalance behind scikit-learn estimators.

:class:`ImbalancedNetClassifier` trains a network (by default TabularNet on tables and
ResNet-32 on images; an MLP, or your own) with an imbalance-aware loss, schedule,
mixing and sampler, and drops into scikit-learn and imbalanced-learn pipelines and
grid searches. :func:`register` adds a component of
your own under a name the estimator accepts (see :mod:`sklearn_imbalance_dl.registry`).
"""

__version__ = "0.2.0.dev0"

__all__ = ["ImbalancedNetClassifier", "register", "__version__"]


def __getattr__(name):
    # Imported on first use: the command line (``python -m sklearn_imbalance_dl``)
    # imports this package before it can catch Ctrl-C, and torch takes seconds.
    if name == "ImbalancedNetClassifier":
        from ._classifier import ImbalancedNetClassifier

        return ImbalancedNetClassifier
    if name == "register":
        from .registry import register

        return register
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), "ImbalancedNetClassifier", "register"])
