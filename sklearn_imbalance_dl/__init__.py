"""Deep-learning answers to class imbalance behind scikit-learn estimators.

:class:`ImbalancedNetClassifier` trains a network (MLP, ResNet-32 or your own) with an
imbalance-aware loss, schedule, mixing and sampler, and drops into scikit-learn and
imbalanced-learn pipelines and grid searches. :func:`register` adds a component of
your own under a name the estimator accepts (see :mod:`sklearn_imbalance_dl.registry`).
"""

from ._classifier import ImbalancedNetClassifier
from .registry import register

__version__ = "0.1.0"

__all__ = ["ImbalancedNetClassifier", "register", "__version__"]
