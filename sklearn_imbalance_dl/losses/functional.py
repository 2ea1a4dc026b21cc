"""Loss functions for class-imbalanced classification, as pure functions.

Every loss takes ``logits`` of shape ``(n_samples, n_classes)`` and integer
``target`` of shape ``(n_samples,)`` and shares two conventions:

* **Class weights.** An optional per-class ``weight`` vector ``w`` of shape
  ``(n_classes,)``. With weights, ``reduction="none"`` returns the per-sample
  vector ``w[y_i] * l_i``, ``"sum"`` its sum and ``"mean"`` the *weighted* mean
  ``sum_i w[y_i] l_i / sum_i w[y_i]`` (the same as
  ``torch.nn.functional.cross_entropy(weight=...)``), except that a batch whose
  targets all have the weight 0 has the mean 0, with no gradient (torch's is
  ``0 / 0``, NaN). Without weights, ``"mean"`` is the plain mean.
* **Class counts.** ``class_counts`` is a 1-D array-like with the number of
  training samples of each class (length ``n_classes``, all > 0).

The formulas and defaults follow the documentation's methods page. The
``nn.Module`` wrappers live in :mod:`sklearn_imbalance_dl.losses`.
"""

from __future__ import annotations

import math

import torch

from .._validation import validate_params
from ._checks import PARAMETER_CONSTRAINTS as _PARAMETER_CONSTRAINTS
from ._checks import check_class_counts, check_inputs, check_weight
from ._kernels import (
    _arb,
    _balanced_softmax,
    _cri,
    _cross_entropy,
    _focal,
    _ldam,
    _logit_adjusted,
    _margins,
)

__all__ = [
    "inverse_frequency_weights",
    "class_balanced_weights",
    "ldam_margins",
    "cross_entropy_loss",
    "focal_loss",
    "class_balanced_loss",
    "ldam_loss",
    "logit_adjusted_loss",
    "balanced_softmax_loss",
    "cri_loss",
    "arb_loss",
]


def _validated(*names):
    """scikit-learn's ``validate_params`` for the named hyperparameters.

    Only the public functions are validated (about 30 us a call); the loss modules call
    the kernels of ``_kernels``, whose hyperparameters were checked when the module was
    built, so a training step pays nothing for it.
    """
    return validate_params(
        {name: _PARAMETER_CONSTRAINTS[name] for name in names},
        prefer_skip_nested_validation=True,
    )


# --------------------------------------------------------------------------- helpers


def _counts_float64(class_counts) -> torch.Tensor:
    """Counts as a float64 tensor (on CPU for devices without float64, e.g. MPS)."""
    counts = check_class_counts(class_counts)
    if counts.device.type == "mps":
        counts = counts.cpu()
    return counts.to(torch.float64)


def _output_like(values: torch.Tensor, class_counts) -> torch.Tensor:
    """Return ``values`` in ``class_counts``' floating dtype/device, else the default dtype."""
    if isinstance(class_counts, torch.Tensor) and class_counts.is_floating_point():
        return values.to(device=class_counts.device, dtype=class_counts.dtype)
    device = class_counts.device if isinstance(class_counts, torch.Tensor) else "cpu"
    return values.to(device=device, dtype=torch.get_default_dtype())


def _normalise_to_n_classes(weights: torch.Tensor) -> torch.Tensor:
    return weights / weights.sum() * weights.shape[0]


@_validated("power")
def inverse_frequency_weights(class_counts, power=1.0) -> torch.Tensor:
    """Inverse-frequency class weights ``w_c ∝ (1 / n_c) ** power``, summing to ``C``.

    Used by ``weighted_ce`` (``power=1``) and by the PPW schedule of the CRI paper
    (``power=q(e)`` growing from 0 to 1).

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    power : float, default=1.0
        Exponent ``q >= 0``; ``power=0`` gives all ones.

    Returns
    -------
    weights : torch.Tensor of shape (n_classes,)
        ``sum(weights) == n_classes``. Same dtype and device as ``class_counts`` when it
        is a floating tensor, else the default dtype (float32) on its device.

    References
    ----------
    .. [1] Xu, L., et al. "Phased Progressive Learning with Coupling-Regulation-Imbalance
       Loss for Imbalanced Classification", arXiv:2205.12117, 2022.

    Examples
    --------
    >>> from sklearn_imbalance_dl.losses.functional import inverse_frequency_weights
    >>> inverse_frequency_weights([300, 100]).tolist()
    [0.5, 1.5]
    """
    counts = _counts_float64(class_counts)
    # Normalised in log space: n ** -power underflows float64 for a large power
    # (50 ** -200 is 0), which would make every weight 0 / 0.
    weights = torch.softmax(-float(power) * counts.log(), dim=0) * counts.shape[0]
    return _output_like(weights, class_counts)


@_validated("beta")
def class_balanced_weights(class_counts, beta=0.9999) -> torch.Tensor:
    """Class-balanced weights ``w_c = (1 - beta) / (1 - beta ** n_c)``, summing to ``C``.

    The inverse "effective number of samples" of Cui et al. (2019); these are also the
    weights of the DRW schedule (Cao et al. 2019) after its switch epoch.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    beta : float, default=0.9999
        In ``[0, 1)``; ``beta=0`` gives all ones, ``beta -> 1`` approaches inverse
        frequency.

    Returns
    -------
    weights : torch.Tensor of shape (n_classes,)
        ``sum(weights) == n_classes``; dtype and device as in
        :func:`inverse_frequency_weights`.

    References
    ----------
    .. [1] Cui, Y., Jia, M., Lin, T.-Y., Song, Y., Belongie, S. "Class-Balanced Loss
       Based on Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> from sklearn_imbalance_dl.losses.functional import class_balanced_weights
    >>> class_balanced_weights([5000, 50]).round(decimals=3)
    tensor([0.0250, 1.9750])
    """
    counts = _counts_float64(class_counts)
    beta = float(beta)
    effective = -torch.expm1(counts * math.log(beta)) if beta > 0 else torch.ones_like(counts)
    weights = _normalise_to_n_classes((1.0 - beta) / effective)
    return _output_like(weights, class_counts)


@_validated("max_m")
def ldam_margins(class_counts, max_m=0.5) -> torch.Tensor:
    """LDAM per-class margins ``m_c = C_m / n_c ** (1/4)`` with ``max_c m_c = max_m``.

    Parameters
    ----------
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    max_m : float, default=0.5
        Margin of the rarest class (LDAM's default; CRI uses 0.1).

    Returns
    -------
    margins : torch.Tensor of shape (n_classes,)

    References
    ----------
    .. [1] Cao, K., Wei, C., Gaidon, A., Arechiga, N., Ma, T. "Learning Imbalanced
       Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Examples
    --------
    >>> from sklearn_imbalance_dl.losses.functional import ldam_margins
    >>> ldam_margins([1600, 100], max_m=0.5).tolist()
    [0.25, 0.5]
    """
    return _output_like(_margins(_counts_float64(class_counts), float(max_m)), class_counts)


# --------------------------------------------------------------------------- public losses


def _prepare(owner, logits, target, weight, class_counts=None, *, need_counts=True, zero=False):
    logits, target = check_inputs(logits, target)
    n_classes = logits.shape[1]
    weight = check_weight(weight, n_classes, logits)
    counts = None
    if class_counts is not None or need_counts:
        if class_counts is None:
            raise ValueError(f"{owner} requires class_counts (one training count per class).")
        counts = check_class_counts(class_counts, n_classes, allow_zero=zero, like=logits)
    return logits, target, weight, counts


@_validated("reduction")
def cross_entropy_loss(logits, target, *, weight=None, reduction="mean"):
    """Cross-entropy ``-log softmax(z)_y``, optionally class-weighted.

    The ``ce`` and ``weighted_ce`` losses (``weighted_ce`` passes
    ``weight=inverse_frequency_weights(class_counts)``).

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
    target : torch.Tensor of shape (n_samples,), integer
    weight : array-like of shape (n_classes,), default=None
        Per-class weights (see the module docstring for the reductions).
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor
        A scalar, or the per-sample vector for ``reduction="none"``.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses.functional import cross_entropy_loss
    >>> round(cross_entropy_loss(torch.zeros(2, 4), torch.tensor([0, 3])).item(), 4)
    1.3863
    """
    logits, target, weight, _ = _prepare(
        "cross_entropy_loss", logits, target, weight, need_counts=False
    )
    return _cross_entropy(logits, target, weight, reduction)


@_validated("gamma", "reduction")
def focal_loss(logits, target, class_counts=None, *, gamma=1.0, weight=None, reduction="mean"):
    """Softmax focal loss ``(1 - p_y) ** gamma * CE`` (Lin et al., 2017).

    The multi-class form with ``p_y = exp(-CE_i)`` from the unweighted per-sample
    cross-entropy, computed with ``1 - p = -expm1(-CE)`` for stability; ``gamma=0``
    gives cross-entropy. Class weights weigh each sample's term and the mean is taken
    over the weights (``sum w_y FL_i / sum w_y``, as cross-entropy's). Without weights
    this is LDAM-DRW's code; with them that code differs: it takes ``p_y`` from the
    weighted cross-entropy and a plain mean.

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
    target : torch.Tensor of shape (n_samples,), integer
    class_counts : array-like of shape (n_classes,), default=None
        Not used by the loss; validated when given (uniform signature).
    gamma : float, default=1.0
        Focusing parameter ``>= 0`` (1.0 is LDAM-DRW's CIFAR setting; Lin et al. use
        2 with a sigmoid form for detection).
    weight : array-like of shape (n_classes,), default=None
        Per-class weights.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor

    References
    ----------
    .. [1] Lin, T.-Y., Goyal, P., Girshick, R., He, K., Dollár, P. "Focal Loss for Dense
       Object Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses.functional import focal_loss
    >>> logits, target = torch.tensor([[2.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 0])
    >>> focal_loss(logits, target, gamma=2.0, reduction="none").shape
    torch.Size([2])
    """
    logits, target, weight, _ = _prepare(
        "focal_loss", logits, target, weight, class_counts, need_counts=False
    )
    return _focal(logits, target, float(gamma), weight, reduction)


@_validated("beta", "gamma", "reduction")
def class_balanced_loss(
    logits, target, class_counts, *, beta=0.9999, gamma=0.0, weight=None, reduction="mean"
):
    """Class-balanced loss (Cui et al., 2019): CB weights times CE, or times focal.

    The class weights are ``class_balanced_weights(class_counts, beta)`` (summing to
    ``C``) and the result is their weighted mean. ``gamma > 0`` uses the softmax focal
    loss of :func:`focal_loss`; the authors' CB-focal variant is sigmoid-based, ours is
    the softmax form used by LDAM-DRW.

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
    target : torch.Tensor of shape (n_samples,), integer
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    beta : float, default=0.9999
        In ``[0, 1)``; ``beta=0`` gives plain (focal) cross-entropy.
    gamma : float, default=0.0
        Focal exponent; 0 gives cross-entropy.
    weight : array-like of shape (n_classes,), default=None
        Overrides the class-balanced weights when given.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor

    References
    ----------
    .. [1] Cui, Y., Jia, M., Lin, T.-Y., Song, Y., Belongie, S. "Class-Balanced Loss
       Based on Effective Number of Samples", CVPR 2019.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses.functional import class_balanced_loss
    >>> logits, target = torch.randn(4, 3), torch.tensor([0, 1, 2, 2])
    >>> class_balanced_loss(logits, target, [500, 50, 5]).shape
    torch.Size([])
    """
    logits, target, weight, counts = _prepare(
        "class_balanced_loss", logits, target, weight, class_counts
    )
    if weight is None:
        weight = class_balanced_weights(counts, float(beta))
    return _focal(logits, target, float(gamma), weight, reduction)


@_validated("max_m", "s", "reduction")
def ldam_loss(logits, target, class_counts, *, max_m=0.5, s=30.0, weight=None, reduction="mean"):
    """LDAM loss ``CE(s * (z - m_y e_y), y)`` (Cao et al., 2019).

    The margin ``m_c = C_m / n_c ** (1/4)`` (see :func:`ldam_margins`) is subtracted
    from the target logit only, then all logits are scaled by ``s``. The logits are
    meant to be cosine similarities (a normalised classifier head, as in the authors'
    ``NormedLinear``), but any logits are accepted. Combine with the DRW schedule for
    LDAM-DRW.

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
    target : torch.Tensor of shape (n_samples,), integer
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    max_m : float, default=0.5
        Largest margin (the rarest class's).
    s : float, default=30.0
        Logit scale, > 0.
    weight : array-like of shape (n_classes,), default=None
        Per-class weights (DRW sets class-balanced weights).
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor

    References
    ----------
    .. [1] Cao, K., Wei, C., Gaidon, A., Arechiga, N., Ma, T. "Learning Imbalanced
       Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses.functional import ldam_loss
    >>> cosines, target = torch.rand(4, 3) * 2 - 1, torch.tensor([0, 1, 2, 2])
    >>> ldam_loss(cosines, target, [500, 50, 5]).shape
    torch.Size([])
    """
    logits, target, weight, counts = _prepare("ldam_loss", logits, target, weight, class_counts)
    return _ldam(logits, target, counts, float(max_m), float(s), weight, reduction)


@_validated("tau", "reduction")
def logit_adjusted_loss(logits, target, class_counts, *, tau=1.0, weight=None, reduction="mean"):
    """Logit-adjusted loss ``CE(z + tau * log(pi), y)``, ``pi_c = n_c / N`` (Menon et al.).

    With ``tau=1`` it equals :func:`balanced_softmax_loss` (``log pi`` and ``log n``
    differ by a constant shift).

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
    target : torch.Tensor of shape (n_samples,), integer
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    tau : float, default=1.0
        Adjustment strength, ``>= 0`` (0 gives cross-entropy).
    weight : array-like of shape (n_classes,), default=None
        Per-class weights.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor

    References
    ----------
    .. [1] Menon, A. K., Jayasumana, S., Rawat, A. S., Jain, H., Veit, A., Kumar, S.
       "Long-tail learning via logit adjustment", ICLR 2021.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses.functional import logit_adjusted_loss
    >>> logits, target = torch.randn(4, 3), torch.tensor([0, 1, 2, 2])
    >>> logit_adjusted_loss(logits, target, [500, 50, 5], tau=1.0).shape
    torch.Size([])
    """
    logits, target, weight, counts = _prepare(
        "logit_adjusted_loss", logits, target, weight, class_counts
    )
    return _logit_adjusted(logits, target, counts, float(tau), weight, reduction)


@_validated("reduction")
def balanced_softmax_loss(logits, target, class_counts, *, weight=None, reduction="mean"):
    """Balanced Softmax loss ``CE(z + log n, y)`` (Ren et al., 2020).

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
    target : torch.Tensor of shape (n_samples,), integer
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    weight : array-like of shape (n_classes,), default=None
        Per-class weights.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor

    References
    ----------
    .. [1] Ren, J., Yu, C., Sheng, S., Ma, X., Zhao, H., Yi, S., Li, H. "Balanced
       Meta-Softmax for Long-Tailed Visual Recognition", NeurIPS 2020.

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses.functional import balanced_softmax_loss
    >>> logits, target = torch.zeros(2, 2), torch.tensor([0, 1])
    >>> balanced_softmax_loss(logits, target, [3, 1], reduction="none").round(decimals=4)
    tensor([0.2877, 1.3863])
    """
    logits, target, weight, counts = _prepare(
        "balanced_softmax_loss", logits, target, weight, class_counts
    )
    return _balanced_softmax(logits, target, counts, weight, reduction)


@_validated("s", "max_m", "gamma", "correction", "reduction")
def cri_loss(
    logits,
    target,
    class_counts,
    *,
    s=30.0,
    max_m=0.1,
    gamma=1.0,
    correction="zero",
    weight=None,
    reduction="mean",
):
    """CRI loss of Xu et al. (2022): LDAM margin, focal modulation, outlier correction.

    Per sample, following the documentation's methods page and the authors' code:

    1. ``z`` are cosine logits (normalised features and weights, no bias);
    2. LDAM margin on the target logit: ``z'_y = z_y - m_y``, ``m_c ∝ n_c ** (-1/4)``,
       ``max_c m_c = max_m``;
    3. ``L_i = CE(s * z', y_i)``;
    4. ``FL_i = (1 - exp(-L_i)) ** gamma * L_i``;
    5. correction of outliers with ``T = 1e-50`` and ``th = -(1 - T) ** gamma * ln T``
       (about 115.13): a sample with ``FL_i > th`` is set to 0 (``"zero"``), capped at
       ``th`` (``"fix"``) or replaced by ``exp(-L_i) * th / T`` (``"decrease"``,
       computed as ``th * exp(-L_i - ln T)`` to avoid overflow); ``None`` disables it;
    6. class weights: the weighted mean ``sum_i w_{y_i} FL_i / sum_i w_{y_i}`` (the PPW
       schedule sets ``w``; uniform otherwise).

    **Departure from the authors' code.** The official implementation applies the
    correction to the *batch mean* of the loss, where it practically never fires (the
    mean exceeds 115 only if the whole batch is an outlier). We apply it **per sample**
    before the weighted mean, as the documentation's methods page specifies. With cosine logits and
    ``s = 30`` a per-sample loss reaches ``th`` only for extreme margins, so in the
    default setting the correction rarely fires either way.

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
        Cosine logits in ``[-1, 1]`` (any logits are accepted).
    target : torch.Tensor of shape (n_samples,), integer
    class_counts : array-like of shape (n_classes,)
        Training samples per class, all > 0.
    s : float, default=30.0
        Logit scale (CIFAR-10 setting; the paper uses 10 for CIFAR-100).
    max_m : float, default=0.1
        Largest margin (0.2 for CIFAR-100 in the paper).
    gamma : float, default=1.0
        Focal exponent (1.5 for CIFAR-100 in the paper).
    correction : {"zero", "fix", "decrease"} or None, default="zero"
        How outlier samples (``FL_i > th``) are treated.
    weight : array-like of shape (n_classes,), default=None
        Per-class weights.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor

    References
    ----------
    .. [1] Xu, L., et al. "Phased Progressive Learning with Coupling-Regulation-Imbalance
       Loss for Imbalanced Classification", arXiv:2205.12117, 2022. Code:
       simonustc/Imbalance_PPL_CRI (folder ``CRI+PPL``).

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses.functional import cri_loss
    >>> cosines, target = torch.rand(4, 3) * 2 - 1, torch.tensor([0, 1, 2, 2])
    >>> cri_loss(cosines, target, [500, 50, 5], correction="fix").shape
    torch.Size([])
    """
    logits, target, weight, counts = _prepare("cri_loss", logits, target, weight, class_counts)
    return _cri(
        logits,
        target,
        counts,
        float(s),
        float(max_m),
        float(gamma),
        correction,
        weight,
        reduction,
    )


@_validated("counts", "clamp", "reduction")
def arb_loss(
    logits,
    target,
    class_counts=None,
    *,
    counts="batch",
    clamp=30.0,
    weight=None,
    reduction="mean",
):
    """ARB loss of Xie et al. (2022), with batch or global class counts.

    ``L_i = -log(e^{z_y} / sum_j (n_j / n_y) e^{z_j})``, computed as
    ``logsumexp_j(z_j + log n_j) - log n_y - z_y`` after clamping the logits to
    ``[-clamp, clamp]`` (``torch.clamp``: no gradient outside the range, as in the
    authors' code).

    * ``counts="batch"`` (the official default): ``n_j`` is the number of samples of
      class ``j`` in this mini-batch, computed from ``target``; classes absent from the
      batch leave the denominator (their logits get zero gradient from this loss).
      ``class_counts`` is not used (validated if given). :class:`~.ARBLoss` counts
      rows by their sample weights (its ``forward``'s ``sample_weight``).
    * ``counts="global"``: ``n = class_counts``; then ARB equals
      :func:`balanced_softmax_loss` exactly (when no logit is clamped), since
      ``logsumexp(z + log n) - log n_y - z_y = -log softmax(z + log n)_y
      = CE(z + log n, y)``.

    Departure from the authors' code: they compute ``exp`` and a ratio of sums; we use
    the equivalent log-sum-exp form, and count the batch classes with a comparison
    against ``arange(C)`` rather than ``bincount`` (no device synchronisation).

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
        Logits of a plain linear head (with bias).
    target : torch.Tensor of shape (n_samples,), integer
    class_counts : array-like of shape (n_classes,), default=None
        Training samples per class; required for ``counts="global"``.
    counts : {"batch", "global"}, default="batch"
        Where the class counts ``n`` come from.
    clamp : float or None, default=30.0
        Logits are clamped to ``[-clamp, clamp]``; ``None`` disables it.
    weight : array-like of shape (n_classes,), default=None
        Per-class weights (not part of the method; for uniformity).
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    loss : torch.Tensor

    References
    ----------
    .. [1] Xie, L., Yang, Y., Cai, D., He, X. "Neural Collapse Inspired
       Attraction-Repulsion-Balanced Loss for Imbalanced Learning", arXiv:2204.08735,
       2022. Code: lilydedbb/ARBLOSS (``train_stage1.py``, class ``ARB_Loss``).

    Examples
    --------
    >>> import torch
    >>> from sklearn_imbalance_dl.losses.functional import arb_loss
    >>> logits, target = torch.randn(4, 3), torch.tensor([0, 0, 0, 2])
    >>> arb_loss(logits, target).shape
    torch.Size([])
    """
    is_global = counts == "global"
    logits, target, weight, n = _prepare(
        "arb_loss with counts='global'" if is_global else "arb_loss",
        logits,
        target,
        weight,
        class_counts,
        need_counts=is_global,
        zero=not is_global,
    )
    return _arb(
        logits,
        target,
        n if is_global else None,
        None if clamp is None else float(clamp),
        weight,
        reduction,
    )
