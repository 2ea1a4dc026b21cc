"""Samplers for class-imbalanced training.

- :class:`ImbalancedSampler`: a ``torch.utils.data.Sampler`` drawing each epoch
  class-balanced, with square-root frequencies, shuffled, or through an
  index-preserving imbalanced-learn sampler, for a hand-written PyTorch loop. The
  estimator's ``sampler`` parameter draws its batches with the same code.
- :class:`SMOTEWithFallback`: SMOTE that adapts to tiny classes (an imbalanced-learn
  sampler, for a ``Pipeline``).
"""

from ._sampler import ImbalancedSampler
from ._smote import SMOTEWithFallback

__all__ = ["ImbalancedSampler", "SMOTEWithFallback"]
