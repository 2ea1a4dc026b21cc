"""Mixing within a batch: mixup, Remix, PPmix and Procrustean major feature weakening."""

from ._mixing import (
    MajorFeatureWeakening,
    Mixing,
    MixPlan,
    Mixup,
    PhasedRemix,
    Remix,
    remix_label_weight,
    weakening_probabilities,
)

MIXINGS = {"mixup": Mixup, "remix": Remix, "mfw": MajorFeatureWeakening}

__all__ = [
    "MIXINGS",
    "MajorFeatureWeakening",
    "MixPlan",
    "Mixing",
    "Mixup",
    "PhasedRemix",
    "Remix",
    "remix_label_weight",
    "weakening_probabilities",
]
