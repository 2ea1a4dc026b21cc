"""Deep-learning answers to class imbalance behind scikit-learn estimators.

:class:`ImbalancedNetClassifier` trains a network (MLP, ResNet-32 or your own) with an
imbalance-aware loss, schedule, mixing and sampler, and drops into scikit-learn and
imbalanced-learn pipelines and grid searches.
"""

from ._classifier import ImbalancedNetClassifier

__version__ = "0.1.0"

__all__ = ["ImbalancedNetClassifier", "__version__"]
