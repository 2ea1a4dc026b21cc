"""``nn.Module`` faces of the losses in :mod:`sklearn_imbalance_dl.losses.functional`."""

from __future__ import annotations

import numbers

import torch
from torch import nn

from .._validation import check_component_params
from ..registry import register
from . import _kernels as K
from . import functional as LF
from ._checks import (
    PARAMETER_CONSTRAINTS,
    check_class_counts,
    check_class_indices,
    check_inputs,
    like_dtype,
)

__all__ = [
    "ImbalanceLoss",
    "CrossEntropyLoss",
    "WeightedCELoss",
    "ClassBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "BalancedSoftmaxLoss",
    "CRILoss",
    "ARBLoss",
]


def _as_declared(value, constraints):
    """A number as a plain Python ``int`` where its constraints declare integers
    (``Interval(Integral, ...)``, ``Integral`` or ``int``), else as a ``float``; other
    values as they are."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return value
    integral = any(_declares_integers(c) for c in constraints)
    return int(value) if integral and isinstance(value, numbers.Integral) else float(value)


def _declares_integers(constraint):
    """Whether a constraint is an integer type (not ``bool``) or an interval of integers."""
    declared = constraint if isinstance(constraint, type) else getattr(constraint, "type", None)
    return (
        isinstance(declared, type)
        and issubclass(declared, numbers.Integral)
        and not issubclass(declared, bool)
    )


class ImbalanceLoss(nn.Module):
    """Base class of the imbalance-aware losses.

    A loss holds the training class counts and a per-class weight vector as buffers
    (they move with ``.to(device)`` and survive pickling and ``copy.deepcopy``; they
    stay at least float32 under ``.half()`` and ``.bfloat16()``).
    Schedules (DRW, PPW) change ``class_weights`` **in place** between epochs
    (``loss.class_weights.copy_(new)``); ``forward`` reads the buffer on every call.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
        Training samples per class. May be given later with :meth:`set_class_counts`
        (the estimator does so in ``fit``).
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` is the weighted mean ``sum_i w[y_i] l_i / sum_i w[y_i]`` (0 for a
        batch whose targets all have the weight 0); ``"none"`` returns ``w[y_i] l_i``.
    **hyper
        The subclass's hyperparameters, validated against ``_parameter_constraints``;
        numbers are stored as ``int`` where those declare integers
        (``Interval(Integral, ...)``, ``Integral`` or ``int``), else as ``float``.

    Attributes
    ----------
    class_counts : torch.Tensor of shape (n_classes,) or None
        float32 buffer.
    class_weights : torch.Tensor of shape (n_classes,) or None
        float32 buffer, from :meth:`initial_class_weights`.
    uses_cosine_logits : bool
        Class attribute: the loss expects a cosine (normalised) classifier head.
    requires_cosine_head : bool
        Class attribute: the loss is defined on cosines only, so a shipped module must
        not be given another head.
    reweights_classes : bool
        Whether the loss already balances the classes (by design, or at its
        parameters: not ``logit_adjusted`` at ``tau=0``), so that a re-weighting
        schedule must not be combined with it.
    requires_class_counts : bool
        Whether ``forward`` needs the class counts.
    logit_scale : float
        Factor turning the model's logits into the logits the loss trains on (``s`` for
        cosine-head losses); multiply by it before a prediction-time softmax.
    """

    uses_cosine_logits = False
    requires_cosine_head = False
    reweights_classes = False
    requires_class_counts = True
    _parameter_constraints: dict = {"reduction": PARAMETER_CONSTRAINTS["reduction"]}

    def __init__(self, class_counts=None, *, reduction="mean", **hyper):
        super().__init__()
        unknown = sorted(set(hyper) - set(self._parameter_constraints))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected hyperparameters: {unknown}; declare "
                "a loss's hyperparameters in its _parameter_constraints."
            )
        check_component_params(self, {"reduction": reduction, **hyper})
        for name, value in hyper.items():
            setattr(self, name, _as_declared(value, self._parameter_constraints[name]))
        self.reduction = reduction
        self.register_buffer("class_counts", None)
        self.register_buffer("class_weights", None)
        if class_counts is not None:
            self.set_class_counts(class_counts)

    # ------------------------------------------------------------------ class counts
    @property
    def logit_scale(self) -> float:
        return 1.0

    @property
    def n_classes(self) -> int | None:
        """Number of classes, or None before the class counts are set."""
        return None if self.class_counts is None else int(self.class_counts.shape[0])

    def initial_class_weights(self, class_counts: torch.Tensor) -> torch.Tensor | None:
        """Class weights before any schedule acts: ones (subclasses override).

        Parameters
        ----------
        class_counts : torch.Tensor of shape (n_classes,)
            Training samples per class.

        Returns
        -------
        weights : torch.Tensor of shape (n_classes,) or None
        """
        return torch.ones_like(class_counts)

    def set_class_counts(self, class_counts):
        """Store the training class counts and reset ``class_weights``.

        Parameters
        ----------
        class_counts : array-like of shape (n_classes,)
            Training samples per class, all > 0.

        Returns
        -------
        self : ImbalanceLoss
        """
        counts = check_class_counts(class_counts).to(torch.float32)
        reference = self.class_counts if self.class_counts is not None else self.class_weights
        if reference is not None:
            counts = counts.to(reference.device)
        self.class_counts = counts
        weights = self.initial_class_weights(counts)
        self.class_weights = None if weights is None else weights.to(counts).clone()
        return self

    def per_sample_weight(self, target: torch.Tensor) -> torch.Tensor:
        """Per-sample weights ``class_weights[target]`` (ones without class weights).

        The normaliser of the weighted mean, for callers that combine per-sample losses
        (``reduction="none"``) of several targets, e.g. mixup.

        Parameters
        ----------
        target : torch.Tensor of shape (n_samples,)
            Class indices.

        Returns
        -------
        weights : torch.Tensor of shape (n_samples,)
        """
        if not isinstance(target, torch.Tensor) or target.ndim != 1:
            got = (
                f"shape {tuple(target.shape)}"
                if isinstance(target, torch.Tensor)
                else type(target).__name__
            )
            raise ValueError(f"target must be a 1-D tensor of class indices; got {got}.")
        if self.class_weights is None:
            return torch.ones(target.shape, dtype=torch.float32, device=target.device)
        n_classes = len(self.class_weights)
        check_class_indices(
            target,
            n_classes,
            name="target",
            classes=f"{type(self).__name__} has {n_classes} classes",
        )
        # int64: uint8 indices would select the classes as a mask.
        return self.class_weights.to(target.device)[target.long()]

    def _apply(self, fn, recurse=True):
        # .half() and .bfloat16() (or .to() of either) would round the counts, and the
        # weights and factors made from them: a count beyond 65,504 becomes infinite in
        # float16. The buffers move and take the dtype asked for, at least float32 (as
        # the counts beside half-precision logits, like_dtype).
        before = {name: b for name, b in self._buffers.items() if b is not None}
        super()._apply(fn, recurse)
        for name, old in before.items():
            new = self._buffers.get(name)
            if new is not None and new.is_floating_point() and like_dtype(new) != new.dtype:
                self._buffers[name] = old.to(device=new.device, dtype=like_dtype(new))
        return self

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # The class counts (and the weights and factors made from them) are the data of
        # a fit, not a shape of the loss: a loss built without them, or for another
        # number of classes, takes those of the state dict (torch copies a saved tensor
        # only into a buffer of its shape, and skips a buffer that is None).
        present = [b for b in self._buffers.values() if b is not None]
        for name, current in self._buffers.items():
            saved = state_dict.get(prefix + name)
            if not isinstance(saved, torch.Tensor) or (
                current is not None and current.shape == saved.shape
            ):
                continue
            like = current if current is not None else (present[0] if present else saved)
            self._buffers[name] = torch.empty(saved.shape, dtype=like.dtype, device=like.device)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # ------------------------------------------------------------------ forward
    def forward(self, logits, target, reduction=None, sample_weight=None):
        """Compute the loss.

        Parameters
        ----------
        logits : torch.Tensor of shape (n_samples, n_classes)
        target : torch.Tensor of shape (n_samples,), integer
        reduction : {"mean", "sum", "none"}, default=None
            Overrides ``self.reduction`` for this call.
        sample_weight : torch.Tensor of shape (n_samples,), default=None
            The rows' weights in the class counts that a loss takes from the batch
            itself (:class:`ARBLoss` with ``counts="batch"``): a row of weight k counts
            as k rows. They do not multiply the per-sample losses: the caller weighs
            those, as the estimator does. Other losses ignore them; None: each row
            counts once.

        Returns
        -------
        loss : torch.Tensor
        """
        if reduction is None:
            reduction = self.reduction
        else:
            # scikit-learn's check of one option costs about 1 us: cheap in a training step.
            check_component_params(self, {"reduction": reduction})
        logits, target = check_inputs(logits, target)
        if sample_weight is not None and (
            not isinstance(sample_weight, torch.Tensor) or sample_weight.shape != target.shape
        ):
            got = (
                f"has shape {tuple(sample_weight.shape)}"
                if isinstance(sample_weight, torch.Tensor)
                else f"has type {type(sample_weight).__name__}, not torch.Tensor"
            )
            raise ValueError(
                f"sample_weight {got}; expected a tensor of one weight per sample, "
                f"shape {tuple(target.shape)}."
            )
        n_classes = logits.shape[1]
        counts = self._counts_for(logits, target, sample_weight)
        weight = self.class_weights
        if weight is not None:
            if weight.shape != (n_classes,):
                raise ValueError(
                    f"{type(self).__name__}.class_weights has shape {tuple(weight.shape)}; "
                    f"expected ({n_classes},) for logits with {n_classes} classes."
                )
            weight = weight.to(device=logits.device, dtype=like_dtype(logits))
        return self._loss(logits, target, counts, weight, reduction)

    def _counts_for(self, logits, target, sample_weight):
        """The class counts ``_loss`` gets: the training counts (a loss that counts
        each batch's classes overrides this)."""
        n_classes = logits.shape[1]
        if self.class_counts is None:
            if self.requires_class_counts:
                raise RuntimeError(
                    f"{type(self).__name__} needs the training class counts: pass "
                    "class_counts=... to the constructor or call "
                    "set_class_counts(counts) before the forward pass."
                )
            return None
        if self.class_counts.shape[0] != n_classes:
            raise ValueError(
                f"{type(self).__name__} was given class_counts for "
                f"{self.class_counts.shape[0]} classes, but the logits have {n_classes} "
                "columns."
            )
        return self.class_counts.to(device=logits.device, dtype=like_dtype(logits))

    def _loss(self, logits, target, counts, weight, reduction):  # pragma: no cover
        raise NotImplementedError(
            f"{type(self).__name__} defines no _loss(logits, target, counts, weight, "
            "reduction), the loss an ImbalanceLoss computes."
        )

    def _hyper_repr(self) -> list[str]:
        names = [name for name in self._parameter_constraints if name != "reduction"]
        return [f"{name}={getattr(self, name)!r}" for name in names]

    def extra_repr(self) -> str:
        parts = self._hyper_repr() + [f"reduction={self.reduction!r}"]
        parts.append(f"n_classes={self.n_classes}")
        return ", ".join(parts)


def _constraints(*names):
    """The base class's constraints plus those of ``names`` (shared with the functions)."""
    return {
        **ImbalanceLoss._parameter_constraints,
        **{name: PARAMETER_CONSTRAINTS[name] for name in names},
    }


@register("loss", "ce")
class CrossEntropyLoss(ImbalanceLoss):
    """Cross-entropy, the ``"ce"`` baseline.

    Class counts are optional; once set, ``class_weights`` are ones, so a schedule
    (DRW, PPW) can re-weight it in place.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    reduction : {"mean", "sum", "none"}, default="mean"

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import CrossEntropyLoss
    >>> loss = CrossEntropyLoss([30, 10])
    >>> round(loss(torch.zeros(2, 2), torch.tensor([0, 1])).item(), 4)
    0.6931
    """

    requires_class_counts = False

    def __init__(self, class_counts=None, *, reduction="mean"):
        super().__init__(class_counts, reduction=reduction)

    def _loss(self, logits, target, counts, weight, reduction):
        return K._cross_entropy(logits, target, weight, reduction)


@register("loss", "weighted_ce")
class WeightedCELoss(CrossEntropyLoss):
    """Inverse-frequency weighted cross-entropy, ``w_c ∝ 1 / n_c`` summing to ``C``.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    reduction : {"mean", "sum", "none"}, default="mean"

    Examples
    --------
    >>> from sklearn_imbalance_dl.losses import WeightedCELoss
    >>> WeightedCELoss([300, 100]).class_weights.tolist()
    [0.5, 1.5]
    """

    reweights_classes = True
    requires_class_counts = True

    def initial_class_weights(self, class_counts):
        return LF.inverse_frequency_weights(class_counts, 1.0)


@register("loss", "class_balanced")
class ClassBalancedLoss(ImbalanceLoss):
    """Class-balanced loss (Cui et al., 2019); see :func:`~.functional.class_balanced_loss`.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    beta : float, default=0.9999
        In ``[0, 1)``.
    gamma : float, default=0.0
        Focal exponent (0: cross-entropy).
    reduction : {"mean", "sum", "none"}, default="mean"

    References
    ----------
    .. [1] Cui, Y., Jia, M., Lin, T.-Y., Song, Y., Belongie, S. "Class-Balanced Loss
       Based on Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> from sklearn_imbalance_dl.losses import ClassBalancedLoss
    >>> ClassBalancedLoss([5000, 50]).class_weights.round(decimals=3)
    tensor([0.0250, 1.9750])
    """

    _parameter_constraints = _constraints("beta", "gamma")

    @property
    def reweights_classes(self):
        return self.beta != 0  # beta 0 weighs every class 1

    def __init__(self, class_counts=None, *, beta=0.9999, gamma=0.0, reduction="mean"):
        super().__init__(class_counts, reduction=reduction, beta=beta, gamma=gamma)

    def initial_class_weights(self, class_counts):
        return LF.class_balanced_weights(class_counts, self.beta)

    def _loss(self, logits, target, counts, weight, reduction):
        return K._focal(logits, target, self.gamma, weight, reduction)


@register("loss", "focal")
class FocalLoss(ImbalanceLoss):
    """Softmax focal loss (Lin et al., 2017); see :func:`~.functional.focal_loss`.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
        Optional; needed only for a re-weighting schedule.
    gamma : float, default=1.0
    reduction : {"mean", "sum", "none"}, default="mean"

    References
    ----------
    .. [1] Lin, T.-Y., Goyal, P., Girshick, R., He, K., Dollár, P. "Focal Loss for Dense
       Object Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import FocalLoss
    >>> FocalLoss(gamma=2.0)(torch.randn(4, 3), torch.tensor([0, 1, 2, 0])).shape
    torch.Size([])
    """

    requires_class_counts = False
    _parameter_constraints = _constraints("gamma")

    def __init__(self, class_counts=None, *, gamma=1.0, reduction="mean"):
        super().__init__(class_counts, reduction=reduction, gamma=gamma)

    def _loss(self, logits, target, counts, weight, reduction):
        return K._focal(logits, target, self.gamma, weight, reduction)


@register("loss", "ldam")
class LDAMLoss(ImbalanceLoss):
    """LDAM loss (Cao et al., 2019); see :func:`~.functional.ldam_loss`.

    Expects cosine logits (``uses_cosine_logits = True``); ``logit_scale`` is ``s``.
    With the DRW schedule this is LDAM-DRW.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    max_m : float, default=0.5
    s : float, default=30.0
    reduction : {"mean", "sum", "none"}, default="mean"

    References
    ----------
    .. [1] Cao, K., Wei, C., Gaidon, A., Arechiga, N., Ma, T. "Learning Imbalanced
       Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import LDAMLoss
    >>> loss = LDAMLoss([500, 50, 5])
    >>> loss(torch.rand(4, 3) * 2 - 1, torch.tensor([0, 1, 2, 2])).shape
    torch.Size([])
    """

    uses_cosine_logits = True
    _parameter_constraints = _constraints("max_m", "s")

    def __init__(self, class_counts=None, *, max_m=0.5, s=30.0, reduction="mean"):
        super().__init__(class_counts, reduction=reduction, max_m=max_m, s=s)

    @property
    def logit_scale(self) -> float:
        return self.s

    def _loss(self, logits, target, counts, weight, reduction):
        return K._ldam(logits, target, counts, self.max_m, self.s, weight, reduction)


@register("loss", "logit_adjusted")
class LogitAdjustedLoss(ImbalanceLoss):
    """Logit-adjusted loss (Menon et al., 2021); see :func:`~.functional.logit_adjusted_loss`.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    tau : float, default=1.0
    reduction : {"mean", "sum", "none"}, default="mean"

    References
    ----------
    .. [1] Menon, A. K., Jayasumana, S., Rawat, A. S., Jain, H., Veit, A., Kumar, S.
       "Long-tail learning via logit adjustment", ICLR 2021.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import LogitAdjustedLoss
    >>> LogitAdjustedLoss([500, 50, 5])(torch.randn(2, 3), torch.tensor([0, 2])).shape
    torch.Size([])
    """

    _parameter_constraints = _constraints("tau")

    @property
    def reweights_classes(self):
        return self.tau != 0  # tau 0 is cross-entropy

    def __init__(self, class_counts=None, *, tau=1.0, reduction="mean"):
        super().__init__(class_counts, reduction=reduction, tau=tau)

    def _loss(self, logits, target, counts, weight, reduction):
        return K._logit_adjusted(logits, target, counts, self.tau, weight, reduction)


@register("loss", "balanced_softmax")
class BalancedSoftmaxLoss(ImbalanceLoss):
    """Balanced Softmax loss (Ren et al., 2020); see :func:`~.functional.balanced_softmax_loss`.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    reduction : {"mean", "sum", "none"}, default="mean"

    References
    ----------
    .. [1] Ren, J., Yu, C., Sheng, S., Ma, X., Zhao, H., Yi, S., Li, H. "Balanced
       Meta-Softmax for Long-Tailed Visual Recognition", NeurIPS 2020.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import BalancedSoftmaxLoss
    >>> BalancedSoftmaxLoss([500, 50, 5])(torch.randn(2, 3), torch.tensor([0, 2])).shape
    torch.Size([])
    """

    reweights_classes = True

    def __init__(self, class_counts=None, *, reduction="mean"):
        super().__init__(class_counts, reduction=reduction)

    def _loss(self, logits, target, counts, weight, reduction):
        return K._balanced_softmax(logits, target, counts, weight, reduction)


@register("loss", "cri")
class CRILoss(ImbalanceLoss):
    """Coupling-regulation-imbalance loss (Xu et al., 2022); see :func:`~.functional.cri_loss`.

    Expects cosine logits (``uses_cosine_logits = True``); ``logit_scale`` is ``s``.
    The PPW/PPL schedule sets ``class_weights`` in place. The outlier correction is
    applied per sample (the official code applies it to the batch mean, where it never
    fires).

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    s : float, default=30.0
    max_m : float, default=0.1
    gamma : float, default=1.0
    correction : {"zero", "fix", "decrease"} or None, default="zero"
    reduction : {"mean", "sum", "none"}, default="mean"

    References
    ----------
    .. [1] Xu, L., et al. "Phased Progressive Learning with Coupling-Regulation-Imbalance
       Loss for Imbalanced Classification", arXiv:2205.12117, 2022.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import CRILoss
    >>> loss = CRILoss([500, 50, 5])
    >>> loss(torch.rand(4, 3) * 2 - 1, torch.tensor([0, 1, 2, 2])).shape
    torch.Size([])
    """

    uses_cosine_logits = True
    requires_cosine_head = True
    _parameter_constraints = _constraints("s", "max_m", "gamma", "correction")

    def __init__(
        self,
        class_counts=None,
        *,
        s=30.0,
        max_m=0.1,
        gamma=1.0,
        correction="zero",
        reduction="mean",
    ):
        super().__init__(
            class_counts,
            reduction=reduction,
            s=s,
            max_m=max_m,
            gamma=gamma,
            correction=correction,
        )

    @property
    def logit_scale(self) -> float:
        return self.s

    def _loss(self, logits, target, counts, weight, reduction):
        return K._cri(
            logits,
            target,
            counts,
            self.s,
            self.max_m,
            self.gamma,
            self.correction,
            weight,
            reduction,
        )


@register("loss", "arb")
class ARBLoss(ImbalanceLoss):
    """Attraction-repulsion-balanced loss (Xie et al., 2022); see :func:`~.functional.arb_loss`.

    Has no class weights (``class_weights`` is None). With ``counts="batch"`` (the
    official default) the class counts are optional; ``counts="global"`` needs them
    and then equals :class:`BalancedSoftmaxLoss`.

    The batch counts count a row of ``sample_weight`` k (a ``forward`` argument, which
    the estimator passes) as k rows: with the per-sample losses multiplied by the
    weights, a batch of integer weights gives the loss of the batch with each row
    repeated that many times. Without ``sample_weight`` each row counts once.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    counts : {"batch", "global"}, default="batch"
    clamp : float or None, default=30.0
    reduction : {"mean", "sum", "none"}, default="mean"

    References
    ----------
    .. [1] Xie, L., Yang, Y., Cai, D., He, X. "Neural Collapse Inspired
       Attraction-Repulsion-Balanced Loss for Imbalanced Learning", arXiv:2204.08735,
       2022.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import ARBLoss
    >>> ARBLoss()(torch.randn(4, 3), torch.tensor([0, 0, 0, 2])).shape
    torch.Size([])
    """

    reweights_classes = True
    _parameter_constraints = _constraints("counts", "clamp")

    def __init__(self, class_counts=None, *, counts="batch", clamp=30.0, reduction="mean"):
        super().__init__(class_counts, reduction=reduction, counts=counts, clamp=clamp)

    @property
    def requires_class_counts(self) -> bool:
        return self.counts == "global"

    def initial_class_weights(self, class_counts):
        return None

    def _counts_for(self, logits, target, sample_weight):
        counts = super()._counts_for(logits, target, sample_weight)
        if self.counts == "global":
            return counts
        if sample_weight is None:
            return None  # the kernel counts the batch's rows
        # Checked where it costs no synchronisation with a GPU, as the targets are: a
        # negative or NaN weight would make a class's count negative, its loss -inf.
        if (
            sample_weight.device.type == "cpu"
            and not torch.compiler.is_compiling()
            and not bool((sample_weight.isfinite() & (sample_weight >= 0)).all())
        ):
            bad = sample_weight[~(sample_weight.isfinite() & (sample_weight >= 0))]
            raise ValueError(
                "sample_weight must hold finite, non-negative weights (a row of weight "
                f"k counts as k rows of its class); got {len(bad)} other(s), the first "
                f"{bad[0].item()!r}."
            )
        return K._batch_counts(target, logits.shape[1], logits.dtype, sample_weight)

    def _loss(self, logits, target, counts, weight, reduction):
        return K._arb(logits, target, counts, self.clamp, weight, reduction)
