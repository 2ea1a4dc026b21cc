"""Weight averaging: an exponential moving average (EMA) or stochastic weight averaging (SWA).

The estimator takes one as ``weight_averaging="ema"`` or ``"swa"`` (parameters as
``weight_averaging__*``), which binds it to the fit's epochs; a plain skorch net is
refused. The callback keeps averaged copies of the network's weights during training
and writes them into the network when the main epochs end, so that
``predict`` uses the averaged weights (and so does anything that reads ``net_``; the
``valid_*`` scores of the history are those of the weights being trained). Extra
epochs a schedule adds after the main ones (``schedule="crt"`` or ``"mislas"``) start
from the averaged network: averaging, then a short re-balancing fine-tune.
"""

import math
import warnings

import torch
from skorch.callbacks import Callback

from .._net import check_imbalance_net
from .._validation import Integral, Interval, Real, user_stacklevel
from ..registry import Component, register

__all__ = ["EMA", "SWA", "WeightAveraging"]


class WeightAveraging(Component, Callback):
    """Base class: averaged copies of the trainable parameters, written back at the end.

    Subclasses define when to update (:meth:`on_batch_end` or :meth:`on_epoch_end`)
    and how (:meth:`fold`, or :meth:`update` itself). ``start`` is the fraction of the
    main epochs after which averaging begins. ``bind(n_epochs)`` returns the copy that
    averages one fit of ``n_epochs`` main epochs; it refuses this base class, and a
    subclass that defines neither :meth:`fold` nor :meth:`update`, which would average
    nothing. The estimator binds it (``weight_averaging=``); a plain skorch net, which
    has not the hooks it acts through, is refused.

    The average is written in at the end of the last main epoch, in this callback's
    turn, before the callbacks given in ``callbacks=`` (after the estimator's learning
    rate and schedule, whose rate it may set): at that epoch theirs see the averaged
    weights (a ``Checkpoint`` saves them, ``ClassDiagnostics`` records them), while
    the epoch's scores in the history are of the weights trained.

    Parameters
    ----------
    start : float, default=0.0
        Fraction of the main epochs after which averaging begins.
    """

    _parameter_constraints: dict = {"start": [Interval(Real, 0, 1, closed="left")]}

    def __init__(self, *, start=0.0):
        self.start = start

    def _validate(self):
        super()._validate()
        cls = type(self)
        if cls.fold is WeightAveraging.fold and cls.update is WeightAveraging.update:
            what = (
                "WeightAveraging is the base class of the weight averagings"
                if cls is WeightAveraging
                else f"{cls.__name__} defines neither fold nor update"
            )
            raise ValueError(
                f"weight_averaging={self!r} would average nothing: {what}. Use "
                "weight_averaging='ema' or 'swa' (EMA(), SWA()), or a subclass that defines "
                "fold(average, current) and calls update(net) from on_batch_end or "
                "on_epoch_end."
            )

    def _bind(self, n_epochs):
        self._check_bind_counts(n_epochs=n_epochs)
        self.n_epochs_ = n_epochs
        self.start_epoch_ = min(int(round(self.start * n_epochs)), n_epochs - 1)

    def on_train_begin(self, net, **kwargs):
        check_imbalance_net(net, self, f"weight_averaging={type(self).__name__}(...)")
        self.average_ = None
        self.n_averaged_ = 0
        self.applied_ = False

    def averaged_tensors(self, net):
        """The tensors the average is kept of: trainable parameters (subclasses add).

        Parameters
        ----------
        net : ImbalanceNet
            The net being trained.

        Returns
        -------
        list of torch.Tensor
        """
        return [p for p in net.module_.parameters()]

    def update(self, net):
        """Fold the network's current weights into the average.

        Parameters
        ----------
        net : ImbalanceNet
            The net being trained.
        """
        current = [t.detach() for t in self.averaged_tensors(net)]
        with torch.no_grad():
            if self.average_ is None:
                self.average_ = [t.clone() for t in current]
            else:
                self.fold(self.average_, current)
        self.n_averaged_ += 1

    def fold(self, average, current):
        """Fold ``current`` into ``average`` in place (both lists of tensors).

        Parameters
        ----------
        average : list of torch.Tensor
            The average so far.
        current : list of torch.Tensor
            The network's current tensors, in the same order.
        """
        raise NotImplementedError

    def in_window(self, net):
        return self.start_epoch_ <= net.current_epoch < self.n_epochs_

    def on_epoch_end(self, net, dataset_train=None, **kwargs):
        # The main epochs end: the averaged weights replace the trained ones.
        if net.current_epoch == self.n_epochs_ - 1:
            self.apply(net, dataset_train)

    def on_train_end(self, net, X=None, **kwargs):
        # A fit stopped early (interrupted) still gets the average of what it trained.
        if not self.applied_:
            self.apply(net, X)
        if self.applied_ or getattr(net, "interrupted_", False):
            return
        if len(net.history) > self.start_epoch_:
            # The epochs it averages were trained: nothing called update (a subclass
            # that defines fold but no hook that calls update).
            warnings.warn(
                f"{type(self).__name__} averaged no weights: update(net) was never called "
                f"in the epochs it averages (from epoch {self.start_epoch_ + 1} of "
                f"{self.n_epochs_}), so the model keeps the weights reached. A subclass "
                "that defines fold calls self.update(net) from on_batch_end or "
                "on_epoch_end (as EMA and SWA do).",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        else:
            warnings.warn(
                f"{type(self).__name__} averaged no weights: the fit ended after "
                f"{len(net.history)} epochs, before the averaging started (epoch "
                f"{self.start_epoch_ + 1} of {self.n_epochs_}); the model keeps the weights "
                "reached. An early stopping callback that fires sooner ends it; lower "
                "weight_averaging__start, or let the fit run.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )

    def apply(self, net, dataset):
        """Write the average into the network (once).

        Parameters
        ----------
        net : ImbalanceNet
            The net being trained.
        dataset : Dataset or None
            The training data (SWA recomputes the batch-norm statistics on it).
        """
        if self.applied_ or self.average_ is None:
            return
        with torch.no_grad():
            for target, value in zip(self.averaged_tensors(net), self.average_):
                target.copy_(value)
        self.applied_ = True
        self.average_ = None  # the network holds it now


@register("weight_averaging", "ema")
class EMA(WeightAveraging):
    """Exponential moving average of the weights, updated after every training step.

    ``avg = decay * avg + (1 - decay) * w`` (``torch.optim.swa_utils``'s EMA), started
    from the weights after the first step of epoch ``start * max_epochs``. Batch-norm
    running statistics are averaged the same way, as buffers (``AveragedModel(...,
    use_buffers=True)``, timm's ``ModelEmaV2``), so no pass over the data is needed at
    the end; integer buffers (batch counts) are copied.

    With ``warmup=True`` the decay of the n-th update is ``min(decay, (1 + n) / (10 +
    n))`` (TensorFlow's ``ExponentialMovingAverage(num_updates=...)``): a short fit (a
    table: 50 epochs of a few batches, a few hundred steps) would otherwise keep mostly
    its first, untrained weights in the average.

    Parameters
    ----------
    decay : float, default=0.999
        Weight of the past average at each step; about ``1 / (1 - decay)`` steps are
        averaged (1,000 steps: ~10 epochs of CIFAR-10-LT at batch 128).
    start : float, default=0.0
        Fraction of the main epochs after which averaging begins.
    warmup : bool, default=True
        Lower the decay over the first updates, as above; False: ``decay`` from the
        first update on (``torch.optim.swa_utils.get_ema_multi_avg_fn``).
    """

    _parameter_constraints = {
        **WeightAveraging._parameter_constraints,
        "decay": [Interval(Real, 0, 1, closed="neither")],
        "warmup": ["boolean"],
    }

    def __init__(self, *, decay=0.999, start=0.0, warmup=True):
        super().__init__(start=start)
        self.decay = decay
        self.warmup = warmup

    def averaged_tensors(self, net):
        buffers = [b for b in net.module_.buffers() if b.is_floating_point()]
        return super().averaged_tensors(net) + buffers

    def fold(self, average, current):
        decay = self.decay
        if self.warmup:  # n_averaged_ updates so far: this is update n = n_averaged_
            decay = min(decay, (1 + self.n_averaged_) / (10 + self.n_averaged_))
        torch._foreach_lerp_(average, current, 1.0 - decay)

    def on_batch_end(self, net, training=False, **kwargs):
        if training and self.in_window(net):
            self.update(net)


@register("weight_averaging", "swa")
class SWA(WeightAveraging):
    """Stochastic weight averaging (Izmailov et al., UAI 2018), as ``torch.optim.swa_utils``.

    The equal-weight average of the weights at the end of every epoch from
    ``start * max_epochs`` on; at the end, batch-norm statistics are recomputed for the
    averaged weights by one pass over the training data (augmented as in training,
    not mixed), as ``torch.optim.swa_utils.update_bn`` does: the running averages of
    the trained weights do not belong to the averaged ones.

    Parameters
    ----------
    start : float, default=0.75
        Fraction of the main epochs after which averaging begins.
    lr : float or None, default=None
        SWA's learning rate (``SWALR``'s ``swa_lr``): after epoch ``start``, the rate
        goes from the one the learning-rate schedule gave at ``start`` to ``lr`` along
        a half cosine over ``anneal_epochs`` epochs, then stays there (``SWALR`` stepped
        after each epoch from ``start`` on). None: the rate follows the learning-rate
        schedule. ``weight_decay="auto"`` counts these rates in its cap on the body's
        decay.
    anneal_epochs : int, default=10
        Epochs of the move to ``lr`` (SWALR's default).

    References
    ----------
    .. [1] Izmailov, P., Podoprikhin, D., Garipov, T., Vetrov, D., Wilson, A. G.
       "Averaging Weights Leads to Wider Optima and Better Generalization", UAI 2018.
    """

    _parameter_constraints = {
        **WeightAveraging._parameter_constraints,
        "lr": [None, Interval(Real, 0, None, closed="neither")],
        "anneal_epochs": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, start=0.75, lr=None, anneal_epochs=10):
        super().__init__(start=start)
        self.lr = lr
        self.anneal_epochs = anneal_epochs

    def fold(self, average, current):
        # avg += (w - avg) / (n + 1)
        torch._foreach_lerp_(average, current, 1.0 / (self.n_averaged_ + 1))

    def rate(self, epoch, rate_at_start):
        """SWA's learning rate at 0-based ``epoch`` (``start_epoch_ <= epoch``).

        Parameters
        ----------
        epoch : int
            The 0-based epoch.
        rate_at_start : float
            The schedule's rate when averaging began.

        Returns
        -------
        float
        """
        # The loop of torch's SWA example: epoch ``start`` trains at the schedule's
        # rate, then ``SWALR.step()`` after every epoch.
        t = min(1.0, (epoch - self.start_epoch_) / self.anneal_epochs)
        alpha = (1 - math.cos(math.pi * t)) / 2
        return self.lr * alpha + rate_at_start * (1 - alpha)

    def on_epoch_begin(self, net, **kwargs):
        if self.lr is None or not self.in_window(net):
            return
        if net.current_epoch == self.start_epoch_:
            self.rates_at_start_ = net.learning_rates()
        rates = iter(self.rates_at_start_)  # one per parameter group, in order
        net.set_learning_rates(lambda group: self.rate(net.current_epoch, next(rates)))

    def on_epoch_end(self, net, dataset_train=None, **kwargs):
        if self.in_window(net):
            self.update(net)
        super().on_epoch_end(net, dataset_train=dataset_train, **kwargs)

    def apply(self, net, dataset):
        applying = not self.applied_ and self.average_ is not None
        super().apply(net, dataset)
        if applying and dataset is not None:
            recompute_batch_norm(net, dataset)


def recompute_batch_norm(net, dataset):
    """Batch-norm running statistics of ``net.module_`` recomputed on ``dataset``.

    As ``torch.optim.swa_utils.update_bn``: statistics reset, then the cumulative
    average (``momentum=None``) over one pass in training mode, without gradients;
    batches augmented by the net's ``augment``, not mixed.
    """
    module = net.module_
    norms = [m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    norms = [m for m in norms if m.track_running_stats]
    if not norms:
        return
    momenta = {}
    for m in norms:
        m.reset_running_stats()
        momenta[m] = m.momentum
        m.momentum = None
    was_training = module.training
    module.train()
    try:
        with torch.no_grad(), net._autocast():
            for Xb, _, _ in net.training_batches(dataset):
                if net.augment is not None:
                    Xb = net.augmented(Xb)  # checked and in the inputs' dtype, as in training
                module(Xb)
    finally:
        for m, momentum in momenta.items():
            m.momentum = momentum
        module.train(was_training)
