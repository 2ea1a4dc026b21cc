"""Deep-learning answers to class imbalance behind scikit-learn estimators."""

__version__ = "0.1.0"
