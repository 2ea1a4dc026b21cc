"""Training schedules (DRW, PPW, PPL, cRT) and learning-rate schedules."""

from ._lr import LR_SCHEDULES, LRSchedule
from ._schedules import (
    ClassifierRetraining,
    DeferredReweighting,
    PhasedProgressiveLearning,
    ProgressiveReweighting,
    Schedule,
)

SCHEDULES = {
    "drw": DeferredReweighting,
    "ppw": ProgressiveReweighting,
    "ppl": PhasedProgressiveLearning,
    "crt": ClassifierRetraining,
}

__all__ = [
    "LR_SCHEDULES",
    "SCHEDULES",
    "ClassifierRetraining",
    "DeferredReweighting",
    "LRSchedule",
    "PhasedProgressiveLearning",
    "ProgressiveReweighting",
    "Schedule",
]
