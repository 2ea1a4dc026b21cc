"""Training schedules (DRW, PPW, PPL, cRT, MiSLAS re-training) and learning-rate schedules."""

from ._mislas import LearnableWeightScaling, MiSLASRetraining
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
    "mislas": MiSLASRetraining,
}

__all__ = [
    "ClassifierRetraining",
    "DeferredReweighting",
    "LearnableWeightScaling",
    "MiSLASRetraining",
    "PhasedProgressiveLearning",
    "ProgressiveReweighting",
    "Schedule",
]
