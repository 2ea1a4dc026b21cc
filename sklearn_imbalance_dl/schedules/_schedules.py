"""Training schedules: deferred re-weighting (DRW), PPW, PPL and classifier re-training.

A schedule is a skorch callback. Re-weighting schedules write the loss's class weights
**in place** at each epoch boundary (``loss.class_weights.copy_(...)``): rebuilding the
criterion through skorch ``set_params`` would re-initialise the optimizer and lose its
momentum. Phase boundaries are fractions of ``max_epochs`` so that short runs keep the
shape of the papers' 200-epoch schedules. The re-training that cRT and MiSLAS add after
``max_epochs`` is a number of epochs of its own (``epochs``), not a fraction: the fit
trains ``max_epochs + epochs`` epochs, whatever ``max_epochs`` (with a warning when the
re-training is the longer, as for a warm-up longer than ``max_epochs``).
"""

import math

import torch
from skorch.callbacks import Callback

from .._net import check_imbalance_net
from .._phase import PhaseWindow
from .._validation import (
    Integral,
    Interval,
    Real,
    StrOptions,
)
from ..losses._checks import check_class_counts
from ..losses.functional import class_balanced_weights, inverse_frequency_weights
from ..mixing import PhasedRemix
from ..registry import Component, register

# The hooks skorch calls on a callback (a method named on_* otherwise is never called).
_HOOKS = frozenset(
    name for name in dir(Callback) if name.startswith("on_") and callable(getattr(Callback, name))
)


class Schedule(Component, Callback):
    """Base class of the schedules: a :class:`~sklearn_imbalance_dl.registry.Component`
    and a skorch callback.

    ``bind(class_counts, n_epochs)`` returns the copy that trains one fit (training
    counts, the main epochs). Attributes a schedule may set: ``reweights`` (it owns the
    loss's class weights; by default, whether it overrides :meth:`class_weights`),
    ``loss_resampled_by`` (the balancing sampler under which the estimator's loss goes
    on training, as in cRT's re-training), ``resamples`` (it draws the main training's
    batches itself, moving them toward class balance, as the phased sampler does through
    ``net.set_sampler``; with a ``class_probabilities(epoch)`` method, which the
    estimator checks for every epoch at the start of ``fit``, early stopping that keeps
    an epoch before they move warns), ``extra_epochs`` (epochs it adds after
    ``max_epochs``), and :meth:`mixing` (a mixing it brings, as PPL brings
    PPmix). A subclass that overrides none of these nor a skorch hook (``on_epoch_begin``,
    ...) would do nothing, and is refused (naming a method ``on_*`` that is not a skorch
    hook, if it has one: it would never be called). A schedule acts through the hooks of
    the net the estimator builds (``schedule=``); a plain skorch net is refused at the
    start of its fit.
    """

    loss_resampled_by = None
    resamples = False
    extra_epochs = 0
    _parameter_constraints: dict = {}

    @property
    def reweights(self):
        """Whether this schedule sets the loss's class weights: the estimator then checks
        that the loss has class weights to set and does not balance them already."""
        return type(self).class_weights is not Schedule.class_weights

    def _validate(self):
        super()._validate()
        cls = type(self)
        if cls is Schedule:
            raise ValueError(
                "schedule=Schedule() would do nothing: Schedule is the base class of the "
                "schedules. Use a schedule name (e.g. schedule='drw'), or a subclass."
            )
        # Compared with Schedule's own, not called: a property may read fit-time state.
        overridable = ("class_weights", "mixing", "_bind", "extra_epochs", "loss_resampled_by")
        acts = any(getattr(cls, name) is not getattr(Schedule, name) for name in overridable)
        acts = acts or any(getattr(cls, name) is not getattr(Schedule, name) for name in _HOOKS)
        if acts or {"extra_epochs", "loss_resampled_by"} & set(vars(self)):
            return
        misnamed = sorted(
            name
            for name in dir(cls)
            if name.startswith("on_") and callable(getattr(cls, name)) and name not in _HOOKS
        )
        hint = (
            f"; {misnamed[0]} is not a skorch callback hook (those are {', '.join(sorted(_HOOKS))})"
            if misnamed
            else ""
        )
        raise ValueError(
            f"schedule={self!r} would do nothing: {cls.__name__} overrides no method of "
            "Schedule (class_weights, mixing) nor a skorch callback hook, and adds no "
            f"extra_epochs{hint}."
        )

    def _bind(self, class_counts, n_epochs):
        self._check_bind_counts(n_epochs=n_epochs)
        self.class_counts_ = check_class_counts(class_counts).to(torch.float64)
        self.n_epochs_ = n_epochs

    def mixing(self):
        """The mixing this schedule brings (an unbound component), or None."""
        return None

    def class_weights(self, epoch):
        """Class weights for ``epoch``, or None to leave them alone.

        Parameters
        ----------
        epoch : int
            The 0-based epoch.

        Returns
        -------
        weights : torch.Tensor of shape (n_classes,) or None
        """
        return None

    def on_train_begin(self, net, **kwargs):
        check_imbalance_net(net, self, f"schedule={type(self).__name__}(...)")

    def on_epoch_begin(self, net, **kwargs):
        weights = self.class_weights(net.current_epoch)
        if weights is not None:
            net.set_class_weights(weights)


@register("schedule", "drw")
class DeferredReweighting(Schedule):
    """DRW (Cao et al., NeurIPS 2019): uniform class weights, then class-balanced ones.

    From epoch ``round(start * max_epochs)`` (0-based; 160 of 200 in the paper) the
    weights become ``(1 - beta) / (1 - beta ** n_c)`` normalised to sum to the number
    of classes.

    Parameters
    ----------
    start : float, default=0.8
        Fraction of ``max_epochs`` at which re-weighting begins.
    beta : float, default=0.9999
        Class-balanced beta (Cui et al., CVPR 2019).
    """

    _parameter_constraints = {
        "start": [Interval(Real, 0, 1, closed="both")],
        "beta": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(self, *, start=0.8, beta=0.9999):
        self.start = start
        self.beta = beta

    def class_weights(self, epoch):
        if epoch >= round(self.start * self.n_epochs_):
            return class_balanced_weights(self.class_counts_, beta=self.beta)
        return torch.ones_like(self.class_counts_)


@register("schedule", "ppw")
class ProgressiveReweighting(PhaseWindow, Schedule):
    """PPW, phased progressive re-weighting (Xu et al. 2022).

    ``w_c`` proportional to ``(1 / n_c) ** q(e)``, normalised to sum to the number of
    classes, with ``q(e)`` 0 up to ``start``, ``r(e) ** power`` inside the window and 1
    from ``end`` on (``r`` the fraction of the window elapsed).

    Parameters
    ----------
    start, end : float, default=0.5, 0.8
        Phase boundaries as fractions of ``max_epochs`` (epochs 100 and 160 of 200 in
        the paper, where they are called T_min and T_max).
    power : float, default=5.0
        Exponent of the progress (the paper's alpha).

    Notes
    -----
    Follows the authors' code (simonustc/Imbalance_PPL_CRI) except that the phase
    boundaries are fractions of ``max_epochs`` rather than epoch numbers, so that a
    60-epoch run has the shape of the paper's 200-epoch one.

    References
    ----------
    L. Xu et al. "Phased Progressive Learning with Coupling-Regulation-Imbalance Loss
    for Imbalanced Classification." arXiv:2205.12117, 2022.
    """

    def __init__(self, *, start=0.5, end=0.8, power=5.0):
        self.start = start
        self.end = end
        self.power = power

    def class_weights(self, epoch):
        # q(e) is the exponent of the inverse-frequency weights.
        return inverse_frequency_weights(self.class_counts_, power=self.progress(epoch))


@register("schedule", "ppl")
class PhasedProgressiveLearning(ProgressiveReweighting):
    """PPL = PPW + PPmix (Xu et al. 2022): progressive re-weighting and phased Remix.

    The mixing (:class:`~sklearn_imbalance_dl.mixing.PhasedRemix`) shares the phase
    boundaries; ``mix_power`` (the paper's beta), ``kappa``, ``tau`` and ``mix_alpha``
    (the Beta concentration of the mixing share) are its parameters. The
    phased sampler of the authors' code (instance- to class-balanced batches), off in
    all their released configurations, is not part of PPL: it is
    :class:`PhasedProgressiveSampling` (``schedule="pps"``), in place of PPW.

    Parameters
    ----------
    start, end : float, default=0.5, 0.8
        The phase window, as fractions of the epochs.
    power : float, default=5.0
        Exponent of the re-weighting's phase function.
    mix_power : float, default=3.0
        Exponent of the mixing's phase function (the paper's beta).
    kappa : float, default=3.0
        Count ratio of the Remix rule.
    tau : float, default=0.5
        Share threshold of the Remix rule.
    mix_alpha : float, default=1.0
        Beta concentration of the mixing share.
    """

    _parameter_constraints = {
        **ProgressiveReweighting._parameter_constraints,
        "mix_power": PhasedRemix._parameter_constraints["power"],
        "kappa": PhasedRemix._parameter_constraints["kappa"],
        "tau": PhasedRemix._parameter_constraints["tau"],
        "mix_alpha": PhasedRemix._parameter_constraints["alpha"],
    }

    def __init__(
        self, *, start=0.5, end=0.8, power=5.0, mix_power=3.0, kappa=3.0, tau=0.5, mix_alpha=1.0
    ):
        super().__init__(start=start, end=end, power=power)
        self.mix_power = mix_power
        self.kappa = kappa
        self.tau = tau
        self.mix_alpha = mix_alpha

    def mixing(self):
        return PhasedRemix(
            start=self.start,
            end=self.end,
            power=self.mix_power,
            kappa=self.kappa,
            tau=self.tau,
            alpha=self.mix_alpha,
        )


@register("schedule", "pps")
class PhasedProgressiveSampling(PhaseWindow, Schedule):
    """The phased sampler of Xu et al.'s code: batches move from instance- to class-balanced.

    Each epoch draws N rows with replacement: a class c with probability
    ``(1 - q(e)) n_c / N + q(e) / C``, then one of its rows uniformly, with ``q(e)`` the
    phase function of PPW: 0 up to ``start`` (the classes in their training
    proportions), ``r(e) ** power`` inside the window and 1 from ``end`` on (every class
    equally likely, as ``sampler="class_balanced"``). Like a sampler, it counts the rows
    by their labels, not their sample weights, which multiply the loss on top.

    The authors' code offers it as an option (``weighted_sampler="pps"``) that is off in
    all their released configurations, with the window at epochs 30 and 160 of 200 and
    ``power=5``: the defaults here, as fractions of ``max_epochs``. It balances the
    classes by sampling, so it goes with a loss that does not (``loss="ce"``,
    ``"focal"``, ``"ldam"``, ``"cri"``; a balancing loss warns, as with a balancing
    ``sampler``), in place of PPW's re-weighting; ``mixing=PhasedRemix()`` adds PPmix.
    The estimator's ``sampler`` must stay ``"instance"``.

    Parameters
    ----------
    start, end : float, default=0.15, 0.8
        Phase boundaries as fractions of ``max_epochs`` (epochs 30 and 160 of 200 in the
        authors' code).
    power : float, default=5.0
        Exponent of the progress (the code's alpha).

    References
    ----------
    L. Xu et al. "Phased Progressive Learning with Coupling-Regulation-Imbalance Loss
    for Imbalanced Classification." arXiv:2205.12117, 2022.

    Examples
    --------
    >>> from sklearn_imbalance_dl.schedules import PhasedProgressiveSampling
    >>> pps = PhasedProgressiveSampling().bind([90, 10], n_epochs=10)
    >>> [round(p, 3) for p in pps.class_probabilities(0).tolist()]  # as in the data
    [0.9, 0.1]
    >>> [round(p, 3) for p in pps.class_probabilities(9).tolist()]  # balanced
    [0.5, 0.5]
    """

    resamples = True

    def __init__(self, *, start=0.15, end=0.8, power=5.0):
        self.start = start
        self.end = end
        self.power = power

    def class_probabilities(self, epoch):
        """The probability of drawing each class in ``epoch``.

        Parameters
        ----------
        epoch : int
            The 0-based epoch.

        Returns
        -------
        probabilities : torch.Tensor of shape (n_classes,)
        """
        share = self.progress(epoch)
        counts = self.class_counts_
        return (1 - share) * counts / counts.sum() + share / len(counts)

    def on_epoch_begin(self, net, **kwargs):
        net.set_sampler(self.class_probabilities(net.current_epoch))


@register("schedule", "crt")
class ClassifierRetraining(Schedule):
    """cRT, classifier re-training (Kang et al., ICLR 2020).

    After ``max_epochs`` of instance-balanced training, the classifier head is
    re-initialised and trained alone for ``epochs`` more epochs with class-balanced
    sampling, the feature stages frozen (no gradient, batch-norm statistics fixed) and
    no mixing; its learning rate restarts at ``lr`` (default: the estimator's ``lr``)
    and follows a cosine decay. Needs a module that follows the staged-module protocol.

    Parameters
    ----------
    epochs : int, default=10
        Re-training epochs, added after ``max_epochs`` (the fit trains ``max_epochs +
        epochs``). A number of epochs, not a fraction of ``max_epochs``: it does not
        shrink with a shorter first stage, and one longer than ``max_epochs`` warns (set
        both for a short run of a recipe).
    lr : float or None, default=None
    sampler : {"class_balanced", "sqrt"}, default="class_balanced"
    """

    _parameter_constraints = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "lr": [None, Interval(Real, 0, None, closed="neither")],
        "sampler": [StrOptions({"class_balanced", "sqrt"})],
    }

    def __init__(self, *, epochs=10, lr=None, sampler="class_balanced"):
        self.epochs = epochs
        self.lr = lr
        self.sampler = sampler

    @property
    def extra_epochs(self):
        return self.epochs

    @property
    def loss_resampled_by(self):
        return self.sampler

    def on_epoch_begin(self, net, **kwargs):
        epoch = net.current_epoch
        if epoch < self.n_epochs_:
            return
        if epoch == self.n_epochs_:
            self._start_retraining(net)
        base_lr = net.lr if self.lr is None else self.lr
        progress = (epoch - self.n_epochs_) / self.epochs
        lr = base_lr * 0.5 * (1 + math.cos(math.pi * progress))
        net.set_learning_rates(lambda group: self.group_lr(group, lr))

    def group_lr(self, group, lr):
        """The rate of one parameter group in re-training, given the schedule's rate.

        Parameters
        ----------
        group : dict
            An optimizer parameter group.
        lr : float
            The schedule's rate at this epoch.

        Returns
        -------
        float
        """
        return lr

    def _start_retraining(self, net):
        net.reset_head()
        net.freeze_stages(keep_batch_norm_statistics=True)
        net.stop_mixing()
        net.set_sampler(self.sampler)
