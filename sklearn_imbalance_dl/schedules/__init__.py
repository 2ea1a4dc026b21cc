"""Training schedules (DRW, PPW, PPL, the phased sampler, cRT, MiSLAS re-training) and
learning-rate schedules."""

from ._lr import LRSchedule
from ._mislas import LearnableWeightScaling, MiSLASRetraining
from ._schedules import (
    ClassifierRetraining,
    DeferredReweighting,
    PhasedProgressiveLearning,
    PhasedProgressiveSampling,
    ProgressiveReweighting,
    Schedule,
)

__all__ = [
    "ClassifierRetraining",
    "DeferredReweighting",
    "LRSchedule",
    "LearnableWeightScaling",
    "MiSLASRetraining",
    "PhasedProgressiveLearning",
    "PhasedProgressiveSampling",
    "ProgressiveReweighting",
    "Schedule",
]
