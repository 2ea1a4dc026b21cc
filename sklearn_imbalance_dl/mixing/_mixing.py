"""Mixing of samples within a batch: mixup, Remix, PPmix and Procrustean feature weakening.

A mixing object draws, for each training batch, a :class:`MixPlan`: where to mix (a
mixing point of the network, 0 being the input), with which partner, with what share
of the sample's own features, and how to weight the two labels. The network applies
the plan (``h = share * h + (1 - share) * h[partner]`` at that point) and the loss
becomes ``label_weight * loss(y) + (1 - label_weight) * loss(y[partner])``. Nothing is
mixed at predict time.
"""

from typing import NamedTuple

import torch

from .._phase import PhaseWindow
from .._validation import (
    Integral,
    Interval,
    Real,
    StrOptions,
    validate_params,
)
from ..losses._checks import check_class_counts, check_class_indices
from ..registry import Component, register

LAYER_NAMES = ("input", "penultimate", "random")


class MixPlan(NamedTuple):
    """One batch's mixing: ``point``, ``partner`` (B,), ``own_share`` (B,), ``label_weight``.

    ``label_weight`` is the weight of the sample's own label, (B,), or None when every
    sample keeps its own label.
    """

    point: int
    partner: torch.Tensor
    own_share: torch.Tensor
    label_weight: torch.Tensor | None

    def apply(self, h):
        """Mix the features ``h`` (B, ...) of the batch with those of the partners."""
        share = self.own_share.to(h.dtype).reshape(-1, *([1] * (h.ndim - 1)))
        return share * h + (1 - share) * h[self.partner]


class Mixing(Component):
    """Base class: subclasses implement :meth:`draw` and may extend ``_bind``.

    ``bind(class_counts, n_epochs=..., n_points=..., device=...)`` returns the copy that
    mixes the batches of one fit (class counts as a tensor, the main epochs, the number
    of mixing points of the module, the device).

    ``layer`` picks the mixing point: ``"input"``, ``"penultimate"``, ``"random"`` (one
    point per batch drawn uniformly among the input and the hidden stages, penultimate
    excluded: Manifold-Mixup style) or an int (the number of stages before the mix).
    Mixing anywhere but the input needs a module that follows the staged-module
    protocol (:mod:`sklearn_imbalance_dl.modules`).

    Parameters
    ----------
    layer : {"input", "penultimate", "random"} or int, default="input"
        The mixing point, as above.
    """

    _parameter_constraints = {
        "layer": [StrOptions(set(LAYER_NAMES)), Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, *, layer="input"):
        self.layer = layer

    def _validate(self):
        super()._validate()
        cls = type(self)
        if cls.draw is Mixing.draw and cls.plan is Mixing.plan:
            what = "is the base class of the mixings" if cls is Mixing else "defines no draw"
            raise ValueError(
                f"mixing={self!r} cannot mix: {cls.__name__} {what}. Use a mixing name "
                "(e.g. mixing='mixup'), or a subclass that defines draw(y, partner, epoch)."
            )

    def _bind(self, class_counts, *, n_epochs, n_points, device):
        self._check_bind_counts(n_epochs=n_epochs, n_points=n_points)
        counts = check_class_counts(class_counts)
        self.class_counts_ = counts.to(device=device, dtype=torch.float32)
        self.n_epochs_ = n_epochs
        self.n_points_ = n_points
        if self.layer == "random":
            self.points_ = list(range(max(1, n_points - 1)))
        elif self.layer == "input":
            self.points_ = [0]
        elif self.layer == "penultimate":
            self.points_ = [n_points - 1]
        else:
            # A numpy integer (a grid's np.arange) is a point as a Python int is.
            self.points_ = [int(self.layer)]
        if max(self.points_) >= n_points:
            raise ValueError(
                f"mixing layer={self.layer!r} needs a module with at least "
                f"{max(self.points_)} stages (staged-module protocol); the module has "
                f"{n_points - 1}."
            )

    def _draw_point(self):
        if len(self.points_) == 1:
            return self.points_[0]
        # A CPU draw from torch's seeded generator: reproducible and no device sync.
        return self.points_[int(torch.randint(len(self.points_), (1,)).item())]

    def plan(self, y, epoch):
        """The ``MixPlan`` of a batch with targets ``y`` at 0-based ``epoch``.

        Parameters
        ----------
        y : torch.Tensor of shape (B,)
            The batch's class indices.
        epoch : int
            The 0-based epoch.

        Returns
        -------
        MixPlan
        """
        y = self._check_targets(y)
        partner = torch.randperm(len(y), device=y.device)
        own_share, label_weight = self.draw(y, partner, epoch)
        return MixPlan(self._draw_point(), partner, own_share, label_weight)

    def _check_targets(self, y):
        """``y`` checked to be the batch's class indices of the bound classes, as int64."""
        # Read first: on a mixing that was not bound, Component's message asks for bind.
        n_classes = len(self.class_counts_)
        if not isinstance(y, torch.Tensor) or y.ndim != 1:
            got = f"shape {tuple(y.shape)}" if isinstance(y, torch.Tensor) else type(y).__name__
            raise ValueError(
                f"y must be a 1-D tensor of the batch's class indices; got {got}. One-hot "
                "or soft targets: pass their class indices (y.argmax(dim=1))."
            )
        check_class_indices(
            y,
            n_classes,
            name="y",
            classes=f"{type(self).__name__} was bound to {n_classes} classes",
        )
        return y.long()

    def draw(self, y, partner, epoch):
        """The own shares and own-label weights of a batch.

        Parameters
        ----------
        y : torch.Tensor of shape (B,)
            The batch's class indices.
        partner : torch.Tensor of shape (B,)
            The index of each sample's partner in the batch.
        epoch : int
            The 0-based epoch.

        Returns
        -------
        own_share : torch.Tensor of shape (B,)
        label_weight : torch.Tensor of shape (B,) or None
            None: each sample keeps its own label.
        """
        raise NotImplementedError


@register("mixing", "mixup")
class Mixup(Mixing):
    """Mixup (Zhang et al., ICLR 2018): one ``lam ~ Beta(alpha, alpha)`` per batch.

    Features ``lam * x_i + (1 - lam) * x_j``, loss ``lam * l(y_i) + (1 - lam) * l(y_j)``.
    With ``layer`` other than ``"input"`` this is Manifold Mixup (Verma et al. 2019).

    Parameters
    ----------
    alpha : float, default=1.0
        Concentration of the Beta distribution.
    layer : {"input", "penultimate", "random"} or int, default="input"
        Mixing point (see :class:`Mixing`).
    """

    _parameter_constraints = {
        **Mixing._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, *, alpha=1.0, layer="input"):
        super().__init__(layer=layer)
        self.alpha = alpha

    def _bind(self, class_counts, **kwargs):
        super()._bind(class_counts, **kwargs)
        self._beta = torch.distributions.Beta(float(self.alpha), float(self.alpha))

    def draw(self, y, partner, epoch):
        lam = float(self._beta.sample())
        own_share = torch.full(y.shape, lam, device=y.device)
        return own_share, self.label_weight(own_share, y, partner, epoch)

    def label_weight(self, lam, y, partner, epoch):
        return lam


class PhasedRemix(PhaseWindow, Mixup):
    """PPmix (Xu et al. 2022): mixup that turns into Remix between ``start`` and ``end``.

    Remix label weights (Chou et al., ECCV-W 2020), with ``rho = r(e)**power`` the phase
    progress: if ``lam < tau`` and ``n_i / n_j >= kappa`` the own label weight is
    ``lam * (1 - rho)`` (0 after the window: the label goes to the minority partner); if
    ``1 - lam < tau`` and ``n_i / n_j <= 1 / kappa`` it is ``lam * (1 - rho) + rho`` (1
    after the window); otherwise ``lam``.

    Parameters
    ----------
    start, end : float, default=0.5, 0.8
        Phase boundaries as fractions of the training epochs (epochs 100 and 160 of 200
        in the paper).
    power : float, default=3.0
        Exponent of the phase progress (the paper's beta).
    kappa : float, default=3.0
        Count ratio above which a pair counts as imbalanced.
    tau : float, default=0.5
        Share threshold of Remix.
    alpha : float, default=1.0
        Beta concentration of the mixing share.
    layer : {"input", "penultimate", "random"} or int, default="input"
        Mixing point (see :class:`Mixing`).
    """

    _parameter_constraints = {
        **Mixup._parameter_constraints,
        **PhaseWindow._parameter_constraints,
        "kappa": [Interval(Real, 1, None, closed="left")],
        "tau": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self, *, start=0.5, end=0.8, power=3.0, kappa=3.0, tau=0.5, alpha=1.0, layer="input"
    ):
        super().__init__(alpha=alpha, layer=layer)
        self.start = start
        self.end = end
        self.power = power
        self.kappa = kappa
        self.tau = tau

    def label_weight(self, lam, y, partner, epoch):
        return _remix_label_weight(
            lam,
            self.class_counts_[y],
            self.class_counts_[y[partner]],
            kappa=self.kappa,
            tau=self.tau,
            rho=self.progress(epoch),
        )


@register("mixing", "remix")
class Remix(PhasedRemix):
    """Remix (Chou et al., ECCV-W 2020): mixup whose label goes to the minority class.

    The Remix rules of :class:`PhasedRemix` at full strength from the first epoch.

    Parameters
    ----------
    kappa : float, default=3.0
        Count ratio from which the label goes to the minority class.
    tau : float, default=0.5
        Share threshold of the Remix rule.
    alpha : float, default=1.0
        Beta concentration of the mixing share.
    layer : {"input", "penultimate", "random"} or int, default="input"
        The mixing point (see :class:`Mixing`).
    """

    _parameter_constraints = {
        k: v
        for k, v in PhasedRemix._parameter_constraints.items()
        if k not in ("start", "end", "power")
    }

    def __init__(self, *, kappa=3.0, tau=0.5, alpha=1.0, layer="input"):
        super().__init__(start=0.0, end=0.0, kappa=kappa, tau=tau, alpha=alpha, layer=layer)

    def progress(self, epoch):
        return 1.0  # the Remix rules at full strength from the first epoch


@validate_params(
    {
        "lam": [torch.Tensor, Real],
        "n_own": [torch.Tensor],
        "n_partner": [torch.Tensor],
        "kappa": PhasedRemix._parameter_constraints["kappa"],
        "tau": PhasedRemix._parameter_constraints["tau"],
        "rho": [Interval(Real, 0, 1, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def remix_label_weight(lam, n_own, n_partner, *, kappa, tau, rho):
    """Weight of the own label under the (phased) Remix rules.

    Parameters
    ----------
    lam : torch.Tensor of shape (B,)
        Own share of each mixed sample.
    n_own, n_partner : torch.Tensor of shape (B,)
        Training counts of each sample's class and of its partner's.
    kappa : float
        Count ratio from which the label goes to the minority class, >= 1.
    tau : float
        Share threshold of the rule, in [0, 1].
    rho : float
        Strength of the rules in [0, 1] (1: Remix; the phase progress for PPmix).

    Returns
    -------
    weight : torch.Tensor of shape (B,)
        Weight of the own label; the partner's label gets ``1 - weight``.
    """
    return _remix_label_weight(lam, n_own, n_partner, kappa=kappa, tau=tau, rho=rho)


def _remix_label_weight(lam, n_own, n_partner, *, kappa, tau, rho):
    """:func:`remix_label_weight` without the checks, for the training step."""
    ratio = n_own / n_partner
    towards_partner = (lam < tau) & (ratio >= kappa)
    towards_own = (1 - lam < tau) & (ratio <= 1 / kappa)
    weight = torch.where(towards_partner, lam * (1 - rho), lam)
    return torch.where(towards_own, lam * (1 - rho) + rho, weight)


CLASS_SCHEDULES = ("power", "linear", "major_only")
LABEL_POLICIES = ("keep", "mix")


@register("mixing", "mfw")
class MajorFeatureWeakening(Mixing):
    """Procrustean major feature weakening (Ye, Zhan and Chao, ICCV 2021).

    Sample i is weakened with probability ``p[y_i]``: its features at the mixing point
    become ``w_i h_i + (1 - w_i) h_j`` with a random partner j of any class and own share
    ``w_i = max(u, 1 - u)``, ``u ~ Beta(alpha, alpha)``, so ``w_i`` is in [0.5, 1].
    Gradients flow through both terms. The label is mixed with the same share
    (``label_policy="mix"``) or stays ``y_i`` (``"keep"``).

    The paper published no code; this is a reconstruction (the methods page of the
    documentation) from the abstract ("we mix features of the major class data with
    those of other data in a mini-batch, intentionally weakening their features"); every
    unknown choice is a parameter.

    Parameters
    ----------
    layer : {"random", "input", "penultimate"} or int, default="random"
        Mixing point: "random" draws per batch among the input and the hidden stages
        (for ResNet-32: input, after stage 1, after stage 2).
    class_schedule : {"power", "linear", "major_only"}, default="power"
        ``power``: ``p_c = p_max * (1 - (n_min / n_c) ** gamma)`` (each class keeps
        about ``n_min`` clean samples per epoch; the smallest class is never weakened);
        ``linear``: ``p_max * ((n_c - n_min) / (n_max - n_min)) ** gamma``;
        ``major_only``: ``p_max`` for classes above the median count, else 0.
    gamma : float, default=1.0
        Exponent of the class schedule.
    p_max : float, default=1.0
        Largest weakening probability.
    alpha : float, default=1.0
        Beta concentration of the own share.
    label_policy : {"mix", "keep"}, default="mix"
        ``"mix"``: the loss mixes the two labels with the feature share; ``"keep"``: the
        weakened sample keeps its own label (the literal reading of the abstract).

    Notes
    -----
    The default departs from the literal reading of the abstract. With ``"keep"`` a
    weakened head sample becomes an input between two classes labelled with its head
    class, which widens the head classes' regions at the tail's expense. On the
    long-tailed digits (step profile), against the same method without MFW, keeping
    the label lost 7-8 points and mixing it gained 6-9; on the exponential profile
    mixing it helped LDAM-DRW and cost plain cross-entropy; on CIFAR-10-LT LDAM-DRW+MFW
    scored 1.1 points higher with the label mixed (benchmarks/RESULTS.md,
    "Procrustean MFW: keeping or mixing the label").

    References
    ----------
    H.-J. Ye, D.-C. Zhan, W.-L. Chao. "Procrustean Training for Imbalanced Deep
    Learning." ICCV 2021. arXiv:2104.01769.
    """

    _parameter_constraints = {
        **Mixing._parameter_constraints,
        "class_schedule": [StrOptions(set(CLASS_SCHEDULES))],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "p_max": [Interval(Real, 0, 1, closed="both")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "label_policy": [StrOptions(set(LABEL_POLICIES))],
    }

    def __init__(
        self,
        *,
        layer="random",
        class_schedule="power",
        gamma=1.0,
        p_max=1.0,
        alpha=1.0,
        label_policy="mix",
    ):
        super().__init__(layer=layer)
        self.class_schedule = class_schedule
        self.gamma = gamma
        self.p_max = p_max
        self.alpha = alpha
        self.label_policy = label_policy

    def _bind(self, class_counts, *, device, **kwargs):
        super()._bind(class_counts, device=device, **kwargs)
        self.weakening_probability_ = weakening_probabilities(
            self.class_counts_, self.class_schedule, gamma=self.gamma, p_max=self.p_max
        )
        concentration = torch.tensor(float(self.alpha), device=device)
        self._beta = torch.distributions.Beta(concentration, concentration)

    def draw(self, y, partner, epoch):
        weakened = torch.rand(y.shape, device=y.device) < self.weakening_probability_[y]
        u = self._beta.sample(y.shape)
        share = torch.maximum(u, 1 - u)
        own_share = torch.where(weakened, share, torch.ones_like(share))
        return own_share, (own_share if self.label_policy == "mix" else None)


@validate_params(
    {
        "class_counts": ["array-like", torch.Tensor],
        "schedule": MajorFeatureWeakening._parameter_constraints["class_schedule"],
        "gamma": MajorFeatureWeakening._parameter_constraints["gamma"],
        "p_max": MajorFeatureWeakening._parameter_constraints["p_max"],
    },
    prefer_skip_nested_validation=True,
)
def weakening_probabilities(class_counts, schedule, *, gamma=1.0, p_max=1.0):
    """Per-class weakening probability p_c of :class:`MajorFeatureWeakening`.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    schedule : {"power", "linear", "major_only"}
        The class schedule (see :class:`MajorFeatureWeakening`).
    gamma : float, default=1.0
        Exponent of the schedule, > 0.
    p_max : float, default=1.0
        Probability of the most frequent class, in [0, 1].

    Returns
    -------
    p : torch.Tensor of shape (n_classes,)
        float32, on the device of a tensor ``class_counts``.

    Examples
    --------
    >>> from sklearn_imbalance_dl.mixing import weakening_probabilities
    >>> weakening_probabilities([100, 10, 1], "power").round(decimals=2)
    tensor([0.9900, 0.9000, 0.0000])
    """
    counts = check_class_counts(class_counts).to(torch.float32)
    n_min, n_max = counts.min(), counts.max()
    if schedule == "power":
        p = 1 - (n_min / counts) ** gamma
    elif schedule == "linear":
        span = (n_max - n_min).clamp_min(1e-12)
        p = ((counts - n_min) / span) ** gamma
    else:
        p = (counts > counts.median()).to(torch.float32)
    return p_max * p
