"""A plain torch loss (``nn.CrossEntropyLoss(label_smoothing=0.1)``, ...) as a per-sample loss."""

import torch
from torch import nn

from ._kernels import weighted_mean

# The torch losses whose weighted mean divides by the targets' class weights.
_TARGET_WEIGHTED_MEAN = (nn.CrossEntropyLoss, nn.NLLLoss)


class TorchLossAdapter(nn.Module):
    """Wraps a torch loss that has a ``reduction`` attribute.

    The estimator needs per-sample losses (for sample weights and mixing), so the
    wrapped loss is always called with ``reduction="none"``; it has no class weights
    of its own that a schedule could change. ``reduction="mean"`` is the wrapped loss's
    own mean, and the net's mixed or sample-weighted batches divide by the same
    normaliser: for ``CrossEntropyLoss`` and ``NLLLoss`` the weighted mean
    ``sum_i l_i / sum_i w_{y_i}`` (``w`` their ``weight``, ones without; a batch whose
    targets all have the weight 0 has the mean 0, as in the package's losses); for
    every other loss the plain mean over the samples, as torch's (a
    ``MultiMarginLoss(weight=w)`` weighs each sample's term by ``w_{y_i}`` and divides
    by the number of samples).

    Parameters
    ----------
    loss : torch.nn.Module
        A torch loss with a ``reduction`` attribute, e.g.
        ``torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.1)``.
    """

    logit_scale = 1.0
    uses_cosine_logits = False
    requires_cosine_head = False
    reweights_classes = False
    class_weights = None

    def __init__(self, loss):
        super().__init__()
        self.loss = loss
        self.loss.reduction = "none"

    def forward(self, logits, target, reduction="mean", sample_weight=None):
        # sample_weight: as ImbalanceLoss.forward's, ignored: a torch loss counts no
        # classes in the batch, and the caller weighs the per-sample losses.
        per_sample = self.loss(logits, target)
        if reduction == "none":
            return per_sample
        if reduction == "sum":
            return per_sample.sum()
        return weighted_mean(per_sample.sum(), self.per_sample_weight(target).sum())

    def per_sample_weight(self, target):
        # Torch's cross-entropy and NLL losses return w_y * l_y with reduction="none" and
        # divide their mean by the same w_y; every other torch loss divides by the number
        # of samples, its class weights or none (MultiMarginLoss(weight=w)).
        weight = getattr(self.loss, "weight", None)
        if weight is None or not isinstance(self.loss, _TARGET_WEIGHTED_MEAN):
            return torch.ones(target.shape, device=target.device)
        return weight.to(target.device)[target]
