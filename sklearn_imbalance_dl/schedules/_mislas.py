"""MiSLAS stage 2 (Zhong et al., CVPR 2021): classifier re-training with label-aware smoothing.

MiSLAS trains in two stages: (1) the whole network with mixup and instance-balanced
sampling (the estimator's ``max_epochs`` with ``mixing="mixup"``); (2) the classifier
alone for a few more epochs with class-balanced sampling, label-aware smoothing and,
optionally, "shifted batch normalisation". :class:`MiSLASRetraining` is stage 2, a
schedule that adds its epochs after ``max_epochs``, as classifier re-training does.

What the authors' stage 2 does, following ``train_stage2.py`` of
github.com/dvlab-research/MiSLAS:

- the feature extractor's weights are frozen: features are computed under
  ``torch.no_grad()`` and only the classifier and a learnable weight scaling are in
  the optimizer;
- **shifted batch normalisation** (``shift_bn: True``) puts the feature extractor in
  ``train()`` mode, so that its batch-norm layers normalise with the statistics of
  the class-balanced batches and update their running mean and variance (momentum
  0.1) while their affine weights, like the convolutions, stay fixed; without it
  (``shift_bn: False``) the extractor is in ``eval()`` mode and its statistics stay
  those of stage 1. The released configurations use it for CIFAR-100-LT and the
  large data sets, not for CIFAR-10-LT;
- the classifier is **not** re-initialised: stage 2 fine-tunes the stage-1 classifier;
- the logits are multiplied by a learnable per-class scale (``LearnableWeightScaling``,
  initialised to ones), trained with the classifier;
- SGD (momentum 0.9, the stage-1 weight decay), a fresh optimizer; learning rate
  ``lr * 0.5 * (1 + cos(pi * e / E))`` at 0-based stage-2 epoch ``e`` of ``E``, times
  ``lr_factor`` for the classifier (0.5 for CIFAR-10-LT ratio 100) and 1 for the scale;
- class-balanced sampling (``ClassAwareSampler``) for about one pass of the data per
  epoch, no mixup, the loss :class:`~sklearn_imbalance_dl.losses.LabelAwareSmoothingLoss`
  from the training class counts.

The schedule talks to the net through its public hooks only: ``net.current_epoch``,
``net.freeze_stages(keep_batch_norm_statistics=...)``, ``net.stop_mixing()``,
``net.set_sampler(kind)``, ``net.replace_loss(loss)``, ``net.wrap_head(wrap)``,
``net.head_weight_decay()``, ``net.add_param_group(params, **options)`` and
``net.set_learning_rates(rate_of_group)``.
"""

import numbers

import torch
from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ..losses._label_aware import SHAPES, LabelAwareSmoothingLoss, _check_power
from ..registry import register
from ._schedules import ClassifierRetraining

__all__ = ["LearnableWeightScaling", "MiSLASRetraining"]


class LearnableWeightScaling(nn.Module):
    """A classifier head whose logits are multiplied by a learned per-class scale.

    The scale starts at ones (the authors' ``LearnableWeightScaling``).

    Parameters
    ----------
    head : nn.Module
        The classifier being wrapped.
    n_classes : int
    """

    def __init__(self, head, n_classes):
        super().__init__()
        self.head = head
        self.scale = nn.Parameter(torch.ones(n_classes))

    def forward(self, x):
        return self.head(x) * self.scale

    @property
    def member_logits(self):
        """Each member's scaled logits, ``(k, N, C)``, where the wrapped head packs
        members (``TabularNet(n_members=k)``): each member is re-trained on its own loss,
        as in the first stage. Absent otherwise (``hasattr`` is False)."""
        member_logits = self.head.member_logits  # AttributeError: no members to expose
        return lambda h: member_logits(h) * self.scale


@register("schedule", "mislas")
class MiSLASRetraining(ClassifierRetraining):
    """MiSLAS stage 2: re-train the classifier with label-aware smoothing (Zhong et al. 2021).

    After ``max_epochs`` of the first stage (train with ``mixing="mixup"``), for
    ``epochs`` more epochs: the feature stages are frozen (with ``shift_bn`` their
    batch-norm layers keep normalising with batch statistics and updating their running
    statistics on the class-balanced batches), mixing stops, batches are drawn
    class-balanced, the loss becomes label-aware smoothing, the logits get a learnable
    per-class scale, and the learning rate follows a cosine from ``lr`` (the classifier
    at ``lr_factor`` times it). See the module docstring for the authors' stage 2.
    Needs a module that follows the staged-module protocol, with a linear head.

    Parameters
    ----------
    epochs : int, default=10
        Stage-2 epochs, added after ``max_epochs`` (the fit trains ``max_epochs +
        epochs``). A number of epochs, not a fraction of ``max_epochs``: it does not
        shrink with a shorter stage 1, and one longer than ``max_epochs`` warns (set
        both for a short run of a recipe).
    lr : float or None, default=None
        Peak rate of stage 2; None: the estimator's ``lr``.
    lr_factor : float, default=0.5
        Multiplier of the classifier's rate (the scale trains at the full rate); 0.5
        for CIFAR-10-LT ratio 100 in the released configuration, 0.2 or 0.1 elsewhere.
    smooth_head, smooth_tail : float, default=0.3, 0.0
        Label-aware smoothing of the most frequent and of the rarest class.
    shape : {"concave", "linear", "convex", "exp"}, default="concave"
    power : float or None, default=None
        Exponent of ``shape="exp"``.
    shift_bn : bool, default=True
        Shifted batch normalisation (see above). The paper's method; the released
        CIFAR-10-LT configurations set it off.
    weight_scaling : bool, default=True
        Add the learnable per-class scale of the logits; it decays as the head does.
    reset_head : bool, default=False
        Re-initialise the classifier first (cRT style); MiSLAS fine-tunes it.
    sampler : {"class_balanced", "sqrt"}, default="class_balanced"

    References
    ----------
    .. [1] Zhong, Z., Cui, J., Liu, S., Jia, J. "Improving Calibration for Long-Tailed
       Recognition", CVPR 2021. Code: github.com/dvlab-research/MiSLAS.
    """

    # Label-aware smoothing trains plain logits: a cosine-head first stage is refused.
    needs_plain_logits = True
    # Stage 2 trains label-aware smoothing, not the estimator's loss: its class-balanced
    # batches balance once, whatever that loss.
    loss_resampled_by = None

    _parameter_constraints = {
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [None, Interval(numbers.Real, 0, None, closed="neither")],
        "lr_factor": [Interval(numbers.Real, 0, None, closed="neither")],
        "smooth_head": [Interval(numbers.Real, 0, 1, closed="both")],
        "smooth_tail": [Interval(numbers.Real, 0, 1, closed="both")],
        "shape": [StrOptions(set(SHAPES))],
        "power": [None, Interval(numbers.Real, 0, None, closed="neither")],
        "shift_bn": ["boolean"],
        "weight_scaling": ["boolean"],
        "reset_head": ["boolean"],
        "sampler": [StrOptions({"class_balanced", "sqrt"})],
    }

    def __init__(
        self,
        *,
        epochs=10,
        lr=None,
        lr_factor=0.5,
        smooth_head=0.3,
        smooth_tail=0.0,
        shape="concave",
        power=None,
        shift_bn=True,
        weight_scaling=True,
        reset_head=False,
        sampler="class_balanced",
    ):
        self.epochs = epochs
        self.lr = lr
        self.lr_factor = lr_factor
        self.smooth_head = smooth_head
        self.smooth_tail = smooth_tail
        self.shape = shape
        self.power = power
        self.shift_bn = shift_bn
        self.weight_scaling = weight_scaling
        self.reset_head = reset_head
        self.sampler = sampler

    def _validate(self):
        super()._validate()
        _check_power(self.shape, self.power, type(self).__name__)

    def group_lr(self, group, lr):
        # The classifier at lr_factor times the cosine rate, the weight scale at the rate.
        return lr if group.get("weight_scaling", False) else self.lr_factor * lr

    def _start_retraining(self, net):
        if net.uses_cosine_logits():
            raise ValueError(
                "MiSLASRetraining trains the classifier with label-aware smoothing on "
                "plain logits, but the first-stage loss trains a cosine head; use "
                "loss='ce' (with mixing='mixup') for stage 1."
            )
        if self.reset_head:
            net.reset_head()
        else:  # a fresh optimizer state for the classifier, as the authors' new SGD
            net.forget_head_state()
        net.freeze_stages(keep_batch_norm_statistics=not self.shift_bn)
        net.stop_mixing()
        net.set_sampler(self.sampler)
        counts = self.class_counts_
        loss = LabelAwareSmoothingLoss(
            counts,
            smooth_head=self.smooth_head,
            smooth_tail=self.smooth_tail,
            shape=self.shape,
            power=self.power,
        )
        net.replace_loss(loss)
        if self.weight_scaling:
            # The scale is part of the classifier: it decays as the head does, not at the
            # optimizer's default (the body's under weight_decay="auto").
            decay = net.head_weight_decay()
            # An optimizer without a weight decay option (Rprop) decays nothing, nor the scale.
            options = {} if decay is None else {"weight_decay": decay}
            head = net.wrap_head(lambda head: LearnableWeightScaling(head, len(counts)))
            net.add_param_group([head.scale], weight_scaling=True, **options)
