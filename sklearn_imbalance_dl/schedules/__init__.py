"""Training schedules (DRW, PPW, PPL, cRT) and learning-rate schedules."""

from ._lr import LRSchedule
from ._schedules import (
    ClassifierRetraining,
    DeferredReweighting,
    PhasedProgressiveLearning,
    ProgressiveReweighting,
    Schedule,
)

_SCHEDULES = {
    "drw": DeferredReweighting,
    "ppw": ProgressiveReweighting,
    "ppl": PhasedProgressiveLearning,
    "crt": ClassifierRetraining,
}

__all__ = [
    "ClassifierRetraining",
    "DeferredReweighting",
    "LRSchedule",
    "PhasedProgressiveLearning",
    "ProgressiveReweighting",
    "Schedule",
]
