"""Optimizers: sharpness-aware minimization (SAM)."""

import torch

from ..registry import register
from ._sam import SAM

register("optimizer", "sgd")(torch.optim.SGD)
register("optimizer", "adamw")(torch.optim.AdamW)

__all__ = ["SAM"]
