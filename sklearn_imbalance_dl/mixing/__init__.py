"""Mixing within a batch: mixup, CutMix, Remix, PPmix and Procrustean major feature weakening."""

from ._cutmix import CutMix
from ._mixing import (
    MajorFeatureWeakening,
    Mixing,
    Mixup,
    PhasedRemix,
    Remix,
    remix_label_weight,
    weakening_probabilities,
)

__all__ = [
    "CutMix",
    "MajorFeatureWeakening",
    "Mixing",
    "Mixup",
    "PhasedRemix",
    "Remix",
    "remix_label_weight",
    "weakening_probabilities",
]
