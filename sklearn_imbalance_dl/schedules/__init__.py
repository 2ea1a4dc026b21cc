"""Training schedules (DRW, PPW, PPL, cRT, MiSLAS re-training) and learning-rate schedules."""

from ._mislas import LearnableWeightScaling, MiSLASRetraining
from ._schedules import (
    ClassifierRetraining,
    DeferredReweighting,
    PhasedProgressiveLearning,
    ProgressiveReweighting,
    Schedule,
)

__all__ = [
    "ClassifierRetraining",
    "DeferredReweighting",
    "LearnableWeightScaling",
    "MiSLASRetraining",
    "PhasedProgressiveLearning",
    "ProgressiveReweighting",
    "Schedule",
]
