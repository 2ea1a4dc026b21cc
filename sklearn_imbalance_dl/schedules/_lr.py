"""Learning-rate schedules, set per epoch as a skorch callback."""

import math
import warnings

from skorch.callbacks import Callback

from .._net import check_imbalance_net
from .._validation import (
    Integral,
    Interval,
    InvalidParameterError,
    Real,
    TupleOf,
    user_stacklevel,
)
from ..registry import Component, options, register


@register("lr_schedule", "cosine")
@register("lr_schedule", "warmup_step")
@register("lr_schedule", "constant")
class LRSchedule(Component, Callback):
    """Per-epoch learning rate for the main ``n_epochs`` epochs.

    The estimator's ``lr_schedule`` (it binds the schedule to the fit's epochs); a plain
    skorch net, which has not the hooks it acts through, is refused at the start of its fit.

    Parameters
    ----------
    kind : {"constant", "warmup_step", "cosine"}, default="constant"
        ``"warmup_step"`` is the long-tailed recipe (LDAM-DRW): a linear warm-up over
        ``warmup_epochs`` epochs, then the rate times ``factors`` from the
        ``milestone_fractions`` of the epochs on (0.8 and 0.9: epochs 160 and 180 of
        200). ``"cosine"``: cosine decay to 0 after an optional warm-up. Epochs after
        ``n_epochs`` (classifier re-training) are left to the schedule that adds them.
    warmup_epochs : int or None, default=None
        Warm-up epochs; None means 5 for ``"warmup_step"`` and 0 otherwise.
    milestone_fractions : tuple of float, default=(0.8, 0.9)
        Where the steps of ``"warmup_step"`` happen, as fractions of the epochs.
    factors : tuple of float, default=(0.01, 0.0001)
        Multiplier of the base rate from each milestone on (not compounded).
    """

    _parameter_constraints = {
        "kind": [options("lr_schedule")],
        "warmup_epochs": [None, Interval(Integral, 0, None, closed="left")],
        "milestone_fractions": [TupleOf(Interval(Real, 0, 1, closed="both"))],
        "factors": [TupleOf(Interval(Real, 0, None, closed="left"))],
    }

    def __init__(
        self,
        kind="constant",
        *,
        warmup_epochs=None,
        milestone_fractions=(0.8, 0.9),
        factors=(0.01, 0.0001),
    ):
        self.kind = kind
        self.warmup_epochs = warmup_epochs
        self.milestone_fractions = milestone_fractions
        self.factors = factors

    def _validate(self):
        super()._validate()
        if len(self.milestone_fractions) != len(self.factors):
            raise InvalidParameterError(
                "The 'factors' parameter of LRSchedule must have one factor per milestone "
                f"({len(self.milestone_fractions)}: milestone_fractions="
                f"{self.milestone_fractions!r}). Got {self.factors!r} instead."
            )
        fractions = list(self.milestone_fractions)
        if fractions != sorted(set(fractions)):
            raise InvalidParameterError(
                "The 'milestone_fractions' parameter of LRSchedule must be increasing (each "
                "factor applies from its milestone to the next). Got "
                f"{self.milestone_fractions!r} instead."
            )

    def _bind(self, n_epochs):
        self._check_bind_counts(n_epochs=n_epochs)
        self.n_epochs_ = n_epochs
        default_warmup = 5 if self.kind == "warmup_step" else 0
        self.warmup_ = default_warmup if self.warmup_epochs is None else self.warmup_epochs

    def factor(self, epoch):
        """Multiplier of the base learning rate at an epoch.

        Parameters
        ----------
        epoch : int
            The 0-based epoch.

        Returns
        -------
        factor : float
            The learning rate of ``epoch`` is the base rate times ``factor``.
        """
        if epoch < self.warmup_:
            return (epoch + 1) / self.warmup_
        if self.kind == "warmup_step":
            factor = 1.0
            for milestone, value in zip(self.milestone_fractions, self.factors):
                if epoch >= round(milestone * self.n_epochs_):
                    factor = value
            return factor
        if self.kind == "cosine":
            span = max(1, self.n_epochs_ - self.warmup_)
            return 0.5 * (1 + math.cos(math.pi * (epoch - self.warmup_) / span))
        if self.kind == "constant":
            return 1.0
        # A subclass registered under a name of its own gets that name as its kind.
        raise ValueError(
            f"lr_schedule={self.kind!r}: LRSchedule.factor computes the rates of "
            "'constant', 'cosine' and 'warmup_step' only; a learning-rate schedule "
            "registered under another name defines its own factor(epoch)."
        )

    def on_train_begin(self, net, **kwargs):
        check_imbalance_net(net, self, f"lr_schedule={self.kind!r}")
        self.rates_in_use_ = None
        self.told_of_a_change_ = False

    def on_batch_begin(self, net, training=False, **kwargs):
        if training and self.rates_in_use_ is None:
            # The epoch's rates, once every callback has set them.
            self.rates_in_use_ = net.learning_rates()

    def on_epoch_begin(self, net, **kwargs):
        epoch = net.current_epoch
        self._tell_of_a_change(net, epoch)
        self.rates_in_use_ = None
        if epoch >= self.n_epochs_:
            return
        # A number, whatever the factor's type (a 0-d tensor as a rate fails in torch's
        # foreach and fused steps, the default on a GPU).
        factor = float(self.factor(epoch))
        # Each parameter group's own rate (optimizer__param_groups) is scaled: the one it
        # started with, kept under torch's schedulers' key.
        net.set_learning_rates(
            lambda group: factor * float(group.setdefault("initial_lr", group["lr"]))
        )

    def _tell_of_a_change(self, net, epoch):
        """Warn, once a fit, that a rate changed during an epoch (by a callback of one's
        own: torch's ReduceLROnPlateau in a callback, a halving on a plateau) is about
        to be set again, its change undone."""
        if self.told_of_a_change_ or self.rates_in_use_ is None or epoch >= self.n_epochs_:
            return
        now = net.learning_rates()
        if now == self.rates_in_use_:
            return
        self.told_of_a_change_ = True
        warnings.warn(
            f"The learning rate changed during epoch {epoch} (from {self.rates_in_use_[0]:.3g} "
            f"to {now[0]:.3g}), after lr_schedule={self.kind!r} set it, which sets it again at "
            "the start of every epoch: the change is undone. Schedule the rate with "
            "lr_schedule ('constant', 'cosine', 'warmup_step', or a schedule of one's own, "
            "registered with register('lr_schedule', name)).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
