"""A plain torch loss (``nn.CrossEntropyLoss(label_smoothing=0.1)``, ...) as a per-sample loss."""

import torch
from torch import nn


class TorchLossAdapter(nn.Module):
    """Wraps a torch loss that has a ``reduction`` attribute.

    The estimator needs per-sample losses (for sample weights and mixing), so the
    wrapped loss is always called with ``reduction="none"``; it has no class weights
    of its own that a schedule could change.
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

    def forward(self, logits, target, reduction="mean"):
        per_sample = self.loss(logits, target)
        if reduction == "none":
            return per_sample
        return per_sample.sum() if reduction == "sum" else per_sample.mean()

    def per_sample_weight(self, target):
        # A wrapped loss with its own class weights returns w_y * l_y with
        # reduction="none"; its weighted mean divides by the same w_y.
        weight = getattr(self.loss, "weight", None)
        if weight is None:
            return torch.ones(target.shape, device=target.device)
        return weight.to(target.device)[target]
