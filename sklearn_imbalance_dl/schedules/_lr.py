"""Learning-rate schedules, set per epoch as a skorch callback."""

import math

from skorch.callbacks import Callback

from .._phase import current_epoch
from .._validation import check_param

LR_SCHEDULES = ("constant", "warmup_step", "cosine")


class LRSchedule(Callback):
    """Per-epoch learning rate for the main ``n_epochs`` epochs.

    ``"constant"``; ``"warmup_step"``: the long-tailed recipe (LDAM-DRW): linear
    warm-up over ``warmup_epochs`` (5) epochs, then the rate times ``factors`` (0.01,
    0.0001) from the ``milestones`` (0.8, 0.9 of the epochs: 160 and 180 of 200);
    ``"cosine"``: cosine decay to 0 after an optional warm-up. Epochs after ``n_epochs``
    (classifier re-training) are left to the schedule that adds them.
    """

    def __init__(
        self, kind="constant", *, warmup_epochs=None, milestones=(0.8, 0.9), factors=(0.01, 0.0001)
    ):
        self.kind = kind
        self.warmup_epochs = warmup_epochs
        self.milestones = milestones
        self.factors = factors

    def prepare(self, n_epochs):
        name = "lr_schedule"
        if self.warmup_epochs is not None:
            check_param(self.warmup_epochs, "warmup_epochs", name, "int", low=0)
        if len(self.milestones) != len(self.factors):
            raise ValueError(
                "lr_schedule__milestones and lr_schedule__factors must have the same "
                f"length; got {len(self.milestones)} and {len(self.factors)}."
            )
        for m in self.milestones:
            check_param(m, "milestones", name, "float", low=0, high=1)
        self.n_epochs_ = n_epochs
        default_warmup = 5 if self.kind == "warmup_step" else 0
        self.warmup_ = default_warmup if self.warmup_epochs is None else self.warmup_epochs
        return self

    def factor(self, epoch):
        """Multiplier of the base learning rate at 0-based ``epoch``."""
        if epoch < self.warmup_:
            return (epoch + 1) / self.warmup_
        if self.kind == "warmup_step":
            factor = 1.0
            for milestone, value in zip(self.milestones, self.factors):
                if epoch >= round(milestone * self.n_epochs_):
                    factor = value
            return factor
        if self.kind == "cosine":
            span = max(1, self.n_epochs_ - self.warmup_)
            return 0.5 * (1 + math.cos(math.pi * (epoch - self.warmup_) / span))
        return 1.0

    def on_epoch_begin(self, net, **kwargs):
        epoch = current_epoch(net)
        if epoch >= self.n_epochs_:
            return
        lr = net.lr * self.factor(epoch)
        for group in net.optimizer_.param_groups:
            group["lr"] = lr
