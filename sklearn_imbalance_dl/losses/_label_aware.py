"""Label-aware smoothing (MiSLAS, Zhong et al. CVPR 2021): a smoothing factor per class.

Cross-entropy with label smoothing spreads a share ``eps`` of the target over all
classes; label-aware smoothing makes ``eps`` depend on the class of the target: large
for head classes (over-confident), small for tail classes. With ``n_1`` the largest
and ``n_K`` the smallest training count and ``r_y = (n_y - n_K) / (n_1 - n_K)``:

- ``"concave"``: ``eps_y = eps_K + (eps_1 - eps_K) * sin(pi r_y / 2)``
- ``"linear"``: ``eps_y = eps_K + (eps_1 - eps_K) * r_y``
- ``"convex"``: ``eps_y = eps_1 + (eps_1 - eps_K) * sin(3 pi / 2 + pi r_y / 2)``
- ``"exp"``: ``eps_y = eps_K + (eps_1 - eps_K) * r_y ** power``

and the per-sample loss ``(1 - eps_y) * (-log p_y) + eps_y * mean_k(-log p_k)``, which is
``torch.nn.functional.cross_entropy(..., label_smoothing=eps_y)`` sample by sample.
These are the formulas of the authors' ``methods.LabelAwareSmoothing``
(github.com/dvlab-research/MiSLAS).
"""

from __future__ import annotations

import math
import numbers

import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..registry import register
from . import _kernels as K
from ._checks import PARAMETER_CONSTRAINTS, check_class_counts, check_inputs, check_weight
from ._losses import ImbalanceLoss

__all__ = [
    "LabelAwareSmoothingLoss",
    "label_aware_smoothing_factors",
    "label_aware_smoothing_loss",
]

SHAPES = ("concave", "linear", "convex", "exp")

_CONSTRAINTS = {
    "smooth_head": [Interval(numbers.Real, 0, 1, closed="both")],
    "smooth_tail": [Interval(numbers.Real, 0, 1, closed="both")],
    "shape": [StrOptions(set(SHAPES))],
    "power": [None, Interval(numbers.Real, 0, None, closed="neither")],
}


def _check_power(shape, power, owner):
    if shape == "exp" and power is None:
        raise ValueError(f"{owner}: shape='exp' needs power (eps grows as r ** power).")


def _factors(counts: torch.Tensor, smooth_head, smooth_tail, shape, power) -> torch.Tensor:
    """eps_c for float ``counts``; no validation (the hot path)."""
    n_1, n_k = counts.max(), counts.min()
    span = n_1 - n_k
    # All classes equally frequent: every class is a head class (r = 1), where the
    # authors' formula divides by zero.
    r = torch.where(span > 0, (counts - n_k) / span.clamp_min(1e-12), torch.ones_like(counts))
    head, tail = float(smooth_head), float(smooth_tail)
    if shape == "concave":
        return tail + (head - tail) * torch.sin(r * (math.pi / 2))
    if shape == "linear":
        return tail + (head - tail) * r
    if shape == "convex":
        return head + (head - tail) * torch.sin(1.5 * math.pi + r * (math.pi / 2))
    return tail + (head - tail) * r.pow(float(power))


@validate_params(
    {"class_counts": ["array-like", torch.Tensor]} | _CONSTRAINTS,
    prefer_skip_nested_validation=True,
)
def label_aware_smoothing_factors(
    class_counts, *, smooth_head=0.3, smooth_tail=0.0, shape="concave", power=None
):
    """Per-class smoothing factors ``eps_c`` of label-aware smoothing.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    smooth_head : float, default=0.3
        ``eps_1``, the factor of the most frequent class (0.3 in MiSLAS's CIFAR-10-LT
        ratio-100 configuration).
    smooth_tail : float, default=0.0
        ``eps_K``, the factor of the rarest class.
    shape : {"concave", "linear", "convex", "exp"}, default="concave"
        How ``eps`` goes from the tail to the head (module docstring).
    power : float or None, default=None
        Exponent of ``shape="exp"``.

    Returns
    -------
    factors : torch.Tensor of shape (n_classes,)
        float64 on the CPU, or the dtype and device of a floating tensor ``class_counts``.

    References
    ----------
    .. [1] Zhong, Z., Cui, J., Liu, S., Jia, J. "Improving Calibration for Long-Tailed
       Recognition", CVPR 2021.

    Examples
    --------
    >>> from sklearn_imbalance_dl.losses import label_aware_smoothing_factors
    >>> label_aware_smoothing_factors([100, 50, 1], shape="linear").round(decimals=4)
    tensor([0.3000, 0.1485, 0.0000], dtype=torch.float64)
    """
    _check_power(shape, power, "label_aware_smoothing_factors")
    counts = check_class_counts(class_counts)
    return _factors(counts, smooth_head, smooth_tail, shape, power)


def _label_aware_smoothing(logits, target, smoothing, weight, reduction):
    """The loss with precomputed ``smoothing`` (C,) in the dtype/device of ``logits``."""
    log_p = F.log_softmax(logits, dim=1)
    eps = smoothing[target]
    nll = -log_p.gather(1, target[:, None]).squeeze(1)
    per_sample = (1 - eps) * nll - eps * log_p.mean(dim=1)
    # The class-weighted reduction every loss of the package shares.
    return K._reduce(per_sample, target, weight, reduction)


@validate_params(
    {
        "logits": [torch.Tensor],
        "target": [torch.Tensor],
        "class_counts": ["array-like", torch.Tensor],
        "weight": [None, "array-like", torch.Tensor],
        "reduction": PARAMETER_CONSTRAINTS["reduction"],
    }
    | _CONSTRAINTS,
    prefer_skip_nested_validation=True,
)
def label_aware_smoothing_loss(
    logits,
    target,
    class_counts,
    *,
    smooth_head=0.3,
    smooth_tail=0.0,
    shape="concave",
    power=None,
    weight=None,
    reduction="mean",
):
    """Cross-entropy with label-aware smoothing (MiSLAS).

    Sample i with label y costs ``(1 - eps_y) * (-log p_y) + eps_y * mean_k(-log p_k)``,
    ``eps`` from :func:`label_aware_smoothing_factors`.

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
    target : torch.Tensor of shape (n_samples,), integer
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    smooth_head, smooth_tail : float, default=0.3, 0.0
        ``eps`` of the most frequent and of the rarest class.
    shape : {"concave", "linear", "convex", "exp"}, default="concave"
    power : float or None, default=None
        Exponent of ``shape="exp"``.
    weight : array-like of shape (n_classes,), default=None
        Class weights, with the package's convention: ``"mean"`` is the weighted mean.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor

    References
    ----------
    .. [1] Zhong, Z., Cui, J., Liu, S., Jia, J. "Improving Calibration for Long-Tailed
       Recognition", CVPR 2021. Code: github.com/dvlab-research/MiSLAS.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import label_aware_smoothing_loss
    >>> logits, target = torch.zeros(2, 3), torch.tensor([0, 2])
    >>> round(label_aware_smoothing_loss(logits, target, [100, 10, 1]).item(), 4)
    1.0986
    """
    _check_power(shape, power, "label_aware_smoothing_loss")
    logits, target = check_inputs(logits, target)
    counts = check_class_counts(class_counts, logits.shape[1], like=logits)
    weight = check_weight(weight, logits.shape[1], logits)
    smoothing = _factors(counts, smooth_head, smooth_tail, shape, power)
    return _label_aware_smoothing(logits, target, smoothing, weight, reduction)


@register("loss", "label_aware_smoothing")
class LabelAwareSmoothingLoss(ImbalanceLoss):
    """Label-aware smoothing loss of MiSLAS (Zhong et al., CVPR 2021).

    See :func:`label_aware_smoothing_loss`. The factors ``eps_c`` are computed once from
    the class counts (buffer ``smoothing``); ``class_weights`` are ones, so a
    re-weighting schedule may change them.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,), default=None
    smooth_head : float, default=0.3
    smooth_tail : float, default=0.0
    shape : {"concave", "linear", "convex", "exp"}, default="concave"
    power : float or None, default=None
    reduction : {"mean", "sum", "none"}, default="mean"

    Attributes
    ----------
    smoothing : torch.Tensor of shape (n_classes,) or None
        ``eps_c``, float32 buffer.

    References
    ----------
    .. [1] Zhong, Z., Cui, J., Liu, S., Jia, J. "Improving Calibration for Long-Tailed
       Recognition", CVPR 2021.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses import LabelAwareSmoothingLoss
    >>> loss = LabelAwareSmoothingLoss([5000, 500, 50], shape="linear")
    >>> loss.smoothing.round(decimals=4)
    tensor([0.3000, 0.0273, 0.0000])
    >>> loss(torch.randn(4, 3), torch.tensor([0, 1, 2, 2])).shape
    torch.Size([])
    """

    _parameter_constraints = ImbalanceLoss._parameter_constraints | _CONSTRAINTS

    def __init__(
        self,
        class_counts=None,
        *,
        smooth_head=0.3,
        smooth_tail=0.0,
        shape="concave",
        power=None,
        reduction="mean",
    ):
        super().__init__(
            None,
            reduction=reduction,
            smooth_head=smooth_head,
            smooth_tail=smooth_tail,
            shape=shape,
            power=power,
        )
        _check_power(shape, power, type(self).__name__)
        self.register_buffer("smoothing", None)
        if class_counts is not None:
            self.set_class_counts(class_counts)

    def set_class_counts(self, class_counts):
        super().set_class_counts(class_counts)
        self.smoothing = _factors(
            self.class_counts, self.smooth_head, self.smooth_tail, self.shape, self.power
        )
        return self

    def _loss(self, logits, target, counts, weight, reduction):
        smoothing = self.smoothing.to(device=logits.device, dtype=logits.dtype)
        return _label_aware_smoothing(logits, target, smoothing, weight, reduction)
