"""Data sets: long-tailed loaders, the standard recipe and a real imbalanced table."""

from ._cifar import load_cifar10_lt
from ._digits import load_digits_lt
from ._heart import load_heart_disease
from ._long_tailed import long_tailed_counts, make_long_tailed

__all__ = [
    "load_cifar10_lt",
    "load_digits_lt",
    "load_heart_disease",
    "long_tailed_counts",
    "make_long_tailed",
]
