"""Long-tailed data sets: the standard recipe and ready-made loaders."""

from ._cifar import load_cifar10_lt
from ._digits import load_digits_lt
from ._long_tailed import long_tailed_counts, make_long_tailed

__all__ = [
    "load_cifar10_lt",
    "load_digits_lt",
    "long_tailed_counts",
    "make_long_tailed",
]
