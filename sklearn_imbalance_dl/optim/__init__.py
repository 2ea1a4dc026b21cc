"""Optimizers: sharpness-aware minimization (SAM)."""

from ._sam import SAM

__all__ = ["SAM"]
