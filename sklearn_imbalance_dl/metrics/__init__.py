"""Metrics and scorers for class-imbalanced and long-tailed classification."""

from ._classification import (
    minority_recall,
    per_class_accuracy,
    rank_split_accuracy,
    shot_accuracy,
    shot_groups,
)
from ._scorers import (
    SCORERS,
    balanced_accuracy_scorer,
    geometric_mean_scorer,
    get_scorer,
    macro_f1_scorer,
    minority_recall_scorer,
)

__all__ = [
    "SCORERS",
    "balanced_accuracy_scorer",
    "geometric_mean_scorer",
    "get_scorer",
    "macro_f1_scorer",
    "minority_recall",
    "minority_recall_scorer",
    "per_class_accuracy",
    "rank_split_accuracy",
    "shot_accuracy",
    "shot_groups",
]
