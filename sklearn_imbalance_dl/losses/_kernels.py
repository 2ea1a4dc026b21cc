"""The losses' kernels: the computations on validated tensors.

Counts and weights are already on the logits' device and dtype. The public functions of
:mod:`sklearn_imbalance_dl.losses.functional` validate their inputs and call these; the
``nn.Module`` losses call them directly, so that a training step does no host-device
synchronisation for validation.
"""

import math

import torch
import torch.nn.functional as F

# CRI correction term: T = 1e-50, kept in Python floats (1e-50 underflows float32).
_CRI_LOG_T = math.log(1e-50)


def _margins(counts: torch.Tensor, max_m: float) -> torch.Tensor:
    m = counts.pow(-0.25)
    return m * (max_m / m.max())


def weighted_mean(weighted_sum, total_weight):
    """``weighted_sum / total_weight``, and 0 where ``total_weight`` is 0.

    A batch of classes of weight 0 only has both sums 0: its loss is 0, with no
    gradient, rather than 0 / 0. ``torch.where`` decides on the device (no host sync);
    a positive total divides exactly as it is.
    """
    return weighted_sum / torch.where(total_weight > 0, total_weight, 1.0)


def _reduce(per_sample, target, weight, reduction):
    if weight is not None:
        sample_weight = weight[target]
        per_sample = sample_weight * per_sample
        if reduction == "mean":
            return weighted_mean(per_sample.sum(), sample_weight.sum())
    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum()
    return per_sample.mean()


# torch skips the targets equal to ``ignore_index`` (-100 by default): none is skipped
# here, so that every target is a class (an out-of-range one fails in torch's kernel).
_NO_IGNORED_TARGET = torch.iinfo(torch.int64).min


def _ce(logits, target):
    return F.cross_entropy(logits, target, reduction="none", ignore_index=_NO_IGNORED_TARGET)


def _focal_modulation(ce, gamma):
    """``(1 - p) ** gamma * ce`` with ``p = exp(-ce)``, via ``1 - p = -expm1(-ce)``."""
    if gamma == 0:
        return ce
    one_minus_p = (-torch.expm1(-ce)).clamp_min(torch.finfo(ce.dtype).tiny)
    return one_minus_p.pow(gamma) * ce


def _subtract_target_margin(logits, target, margins):
    shift = torch.zeros_like(logits).scatter(1, target[:, None], margins[target][:, None])
    return logits - shift


def _cross_entropy(logits, target, weight, reduction):
    if reduction == "mean":
        # One fused kernel; torch's weighted mean is sum(w_y l) / sum(w_y), as ours.
        if weight is None:
            return F.cross_entropy(logits, target, ignore_index=_NO_IGNORED_TARGET)
        # Where the batch's weights are all 0, torch's 0 / 0 is NaN, also in the gradient:
        # the kernel then takes ones (a finite mean) and the batch's loss is 0, as in
        # weighted_mean. Positive weights pass through both selections unchanged.
        weighs = weight[target].sum() > 0
        mean = F.cross_entropy(
            logits,
            target,
            weight=torch.where(weighs, weight, 1.0),
            ignore_index=_NO_IGNORED_TARGET,
        )
        return torch.where(weighs, mean, 0.0)
    return _reduce(_ce(logits, target), target, weight, reduction)


def _focal(logits, target, gamma, weight, reduction):
    return _reduce(_focal_modulation(_ce(logits, target), gamma), target, weight, reduction)


def _ldam(logits, target, counts, max_m, s, weight, reduction):
    adjusted = _subtract_target_margin(logits, target, _margins(counts, max_m))
    return _reduce(_ce(s * adjusted, target), target, weight, reduction)


def _logit_adjusted(logits, target, counts, tau, weight, reduction):
    log_prior = counts.log() - counts.sum().log()
    return _reduce(_ce(logits + tau * log_prior, target), target, weight, reduction)


def _balanced_softmax(logits, target, counts, weight, reduction):
    return _reduce(_ce(logits + counts.log(), target), target, weight, reduction)


def _cri(logits, target, counts, s, max_m, gamma, correction, weight, reduction):
    adjusted = _subtract_target_margin(logits, target, _margins(counts, max_m))
    margin_loss = _ce(s * adjusted, target)
    focal = _focal_modulation(margin_loss, gamma)
    if correction is not None:
        threshold = -((1.0 - 1e-50) ** gamma) * _CRI_LOG_T
        over = focal > threshold
        if correction == "zero":
            replacement = torch.zeros_like(focal)
        elif correction == "fix":
            replacement = torch.full_like(focal, threshold)
        else:  # "decrease": exp(-L) * th / T, as th * exp(-L - ln T).
            # Where the correction fires, L >= FL > th = -ln T, so the exponent is < 0;
            # clamping keeps the unselected branch finite (no inf * 0 = NaN gradient).
            replacement = threshold * torch.exp((-margin_loss - _CRI_LOG_T).clamp_max(0.0))
        focal = torch.where(over, replacement, focal)
    return _reduce(focal, target, weight, reduction)


def _batch_counts(target, n_classes, dtype, sample_weight=None):
    """Per-class counts of a mini-batch: its rows, or their sample weights summed (a row
    of weight k counts as k rows).

    A comparison against ``arange(C)`` rather than ``bincount`` or ``index_add_``: no
    device synchronisation, and the same sums on every device.
    """
    rows = target[:, None] == torch.arange(n_classes, device=target.device)
    if sample_weight is None:
        return rows.sum(0).to(dtype)
    return torch.where(rows, sample_weight[:, None].to(dtype), 0.0).sum(0)


def _arb(logits, target, counts, clamp, weight, reduction):
    z = logits if clamp is None else logits.clamp(-clamp, clamp)
    if counts is None:  # counts="batch": per-class counts of this mini-batch
        counts = _batch_counts(target, z.shape[1], z.dtype)
    present = counts > 0
    log_n = torch.where(present, counts, torch.ones_like(counts)).log()
    # Absent classes (log 0 = -inf) leave the denominator; a finite fill and
    # torch.where keep both the value and the gradient free of NaN.
    shifted = torch.where(present, z + log_n, torch.finfo(z.dtype).min)
    z_y = z.gather(1, target[:, None]).squeeze(1)
    per_sample = torch.logsumexp(shifted, dim=1) - log_n[target] - z_y
    return _reduce(per_sample, target, weight, reduction)
