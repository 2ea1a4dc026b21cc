"""Losses for class-imbalanced classification.

``nn.Module`` classes here; the matching pure functions are in
:mod:`sklearn_imbalance_dl.losses.functional` (label-aware smoothing's are here).
"""

from . import functional
from ._label_aware import (
    LabelAwareSmoothingLoss,
    label_aware_smoothing_factors,
    label_aware_smoothing_loss,
)
from ._losses import (
    ARBLoss,
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    CRILoss,
    CrossEntropyLoss,
    FocalLoss,
    ImbalanceLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    WeightedCELoss,
)

__all__ = [
    "ImbalanceLoss",
    "CrossEntropyLoss",
    "WeightedCELoss",
    "ClassBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "BalancedSoftmaxLoss",
    "CRILoss",
    "ARBLoss",
    "LabelAwareSmoothingLoss",
    "label_aware_smoothing_factors",
    "label_aware_smoothing_loss",
    "functional",
]
