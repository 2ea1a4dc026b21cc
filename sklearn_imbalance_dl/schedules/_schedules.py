"""Training schedules: deferred re-weighting (DRW), PPW, PPL and classifier re-training.

A schedule is a skorch callback. Re-weighting schedules write the loss's class weights
**in place** at each epoch boundary (``loss.class_weights.copy_(...)``): rebuilding the
criterion through skorch ``set_params`` would re-initialise the optimizer and lose its
momentum. Phase boundaries are fractions of ``max_epochs`` so that short runs keep the
shape of the papers' 200-epoch schedules.
"""

import math

import torch
from skorch.callbacks import Callback

from .._phase import current_epoch, phase_progress
from .._validation import check_param
from ..losses.functional import class_balanced_weights, inverse_frequency_weights
from ..mixing import PhasedRemix
from ..modules import reset_head


class Schedule(Callback):
    """Base class of the schedules.

    Attributes a schedule may set: ``reweights`` (it owns the loss's class weights),
    ``extra_epochs`` (epochs it adds after ``max_epochs``), and :meth:`mixing` (a mixing
    it brings, as PPL brings PPmix).
    """

    reweights = False
    extra_epochs = 0

    def prepare(self, class_counts, n_epochs):
        """Bind to one fit: training counts (CPU tensor) and the main epochs."""
        self._validate()
        self.class_counts_ = torch.as_tensor(class_counts, dtype=torch.float64)
        self.n_epochs_ = n_epochs
        return self

    def _validate(self):
        pass

    def mixing(self):
        return None

    def class_weights(self, epoch):
        """Class weights for ``epoch``, or None to leave them alone."""
        return None

    def on_epoch_begin(self, net, **kwargs):
        weights = self.class_weights(current_epoch(net))
        if weights is not None:
            target = net.criterion_.class_weights
            target.copy_(weights.to(device=target.device, dtype=target.dtype))

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"


class DeferredReweighting(Schedule):
    """DRW (Cao et al., NeurIPS 2019): uniform class weights, then class-balanced ones.

    From epoch ``start * max_epochs`` (160 of 200 in the paper) the weights become
    ``(1 - beta) / (1 - beta ** n_c)`` normalised to sum to the number of classes.

    Parameters
    ----------
    start : float, default=0.8
        Fraction of ``max_epochs`` at which re-weighting begins.
    beta : float, default=0.9999
        Class-balanced beta (Cui et al., CVPR 2019).
    """

    reweights = True

    def __init__(self, *, start=0.8, beta=0.9999):
        self.start = start
        self.beta = beta

    def _validate(self):
        check_param(self.start, "start", type(self).__name__, "float", low=0, high=1)
        check_param(self.beta, "beta", type(self).__name__, "float", low=0, high=1, closed="left")

    def class_weights(self, epoch):
        if epoch >= round(self.start * self.n_epochs_):
            return class_balanced_weights(self.class_counts_, beta=self.beta)
        return torch.ones_like(self.class_counts_)


class ProgressiveReweighting(Schedule):
    """PPW, phased progressive re-weighting (Xu et al. 2022).

    ``w_c`` proportional to ``(1 / n_c) ** q(e)``, normalised to sum to the number of
    classes, with ``q(e)`` 0 up to ``t_min``, ``r(e) ** alpha`` inside the window and 1
    from ``t_max`` on (``r`` the fraction of the window elapsed).

    Parameters
    ----------
    t_min, t_max : float, default=0.5, 0.8
        Phase boundaries as fractions of ``max_epochs`` (100 and 160 of 200 epochs in
        the paper).
    alpha : float, default=5.0
        Exponent of the progress.

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

    reweights = True

    def __init__(self, *, t_min=0.5, t_max=0.8, alpha=5.0):
        self.t_min = t_min
        self.t_max = t_max
        self.alpha = alpha

    def _validate(self):
        name = type(self).__name__
        check_param(self.t_min, "t_min", name, "float", low=0, high=1)
        check_param(self.t_max, "t_max", name, "float", low=self.t_min, high=1)
        check_param(self.alpha, "alpha", name, "float", low=0, closed="neither")

    def progress(self, epoch):
        """q(e): the exponent of the inverse-frequency weights at 0-based ``epoch``."""
        return phase_progress(
            epoch, self.t_min * self.n_epochs_, self.t_max * self.n_epochs_, self.alpha
        )

    def class_weights(self, epoch):
        return inverse_frequency_weights(self.class_counts_, power=self.progress(epoch))


class PhasedProgressiveLearning(ProgressiveReweighting):
    """PPL = PPW + PPmix (Xu et al. 2022): progressive re-weighting and phased Remix.

    The mixing (:class:`~sklearn_imbalance_dl.mixing.PhasedRemix`) shares the phase
    boundaries; ``beta``, ``kappa``, ``tau`` and ``mix_alpha`` are its parameters. The
    phased sampler of the paper (instance- to class-balanced) is off in every released
    configuration and is not part of PPL here; ``sampler="class_balanced"`` is there
    for who wants it.
    """

    def __init__(
        self, *, t_min=0.5, t_max=0.8, alpha=5.0, beta=3.0, kappa=3.0, tau=0.5, mix_alpha=1.0
    ):
        super().__init__(t_min=t_min, t_max=t_max, alpha=alpha)
        self.beta = beta
        self.kappa = kappa
        self.tau = tau
        self.mix_alpha = mix_alpha

    def mixing(self):
        return PhasedRemix(
            t_min=self.t_min,
            t_max=self.t_max,
            beta=self.beta,
            kappa=self.kappa,
            tau=self.tau,
            alpha=self.mix_alpha,
        )


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
    lr : float or None, default=None
    sampler : {"class_balanced", "sqrt"}, default="class_balanced"
    """

    def __init__(self, *, epochs=10, lr=None, sampler="class_balanced"):
        self.epochs = epochs
        self.lr = lr
        self.sampler = sampler

    @property
    def extra_epochs(self):
        return self.epochs

    def _validate(self):
        name = type(self).__name__
        check_param(self.epochs, "epochs", name, "int", low=1)
        if self.lr is not None:
            check_param(self.lr, "lr", name, "float", low=0, closed="neither")
        check_param(self.sampler, "sampler", name, "str", options=("class_balanced", "sqrt"))

    def on_epoch_begin(self, net, **kwargs):
        epoch = current_epoch(net)
        if epoch < self.n_epochs_:
            return
        if epoch == self.n_epochs_:
            self._start_retraining(net)
        base_lr = net.lr if self.lr is None else self.lr
        progress = (epoch - self.n_epochs_) / self.epochs
        for group in net.optimizer_.param_groups:
            group["lr"] = base_lr * 0.5 * (1 + math.cos(math.pi * progress))

    def _start_retraining(self, net):
        module = net.module_
        reset_head(module)
        for param in module.stages.parameters():
            param.requires_grad_(False)
        for param in module.head.parameters():
            net.optimizer_.state.pop(param, None)
        net.frozen_stages_ = True
        net.mixing_ = None
        net.train_sampler_.set_kind(self.sampler)
