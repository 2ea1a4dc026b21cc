"""Batched image augmentation on the training device (Cutout, CutMix boxes, RandAugment)."""

from ._image import RAND_AUGMENT_OPS, RandAugment, cutmix, cutout, paste_box, rand_augment

__all__ = ["RAND_AUGMENT_OPS", "RandAugment", "cutmix", "cutout", "paste_box", "rand_augment"]
