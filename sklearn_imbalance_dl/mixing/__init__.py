"""Mixing within a batch: mixup, Remix, PPmix and Procrustean major feature weakening."""

from ._mixing import (
    MajorFeatureWeakening,
    Mixing,
    Mixup,
    PhasedRemix,
    Remix,
    remix_label_weight,
    weakening_probabilities,
)

_MIXINGS = {"mixup": Mixup, "remix": Remix, "mfw": MajorFeatureWeakening}

__all__ = [
    "MajorFeatureWeakening",
    "Mixing",
    "Mixup",
    "PhasedRemix",
    "Remix",
    "remix_label_weight",
    "weakening_probabilities",
]
