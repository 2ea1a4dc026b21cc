"""Tests of sklearn_imbalance_dl.losses against independent computations.

References are written with numpy / the math module (float64) or torch's own
``F.cross_entropy``; the expected constants come from ``docs/methods.md``.
"""

import copy
import math
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _params import assert_invalid_parameter

from sklearn_imbalance_dl import losses
from sklearn_imbalance_dl.losses import (
    ARBLoss,
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    CRILoss,
    CrossEntropyLoss,
    FocalLoss,
    ImbalanceLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    WeightedCELoss,
)
from sklearn_imbalance_dl.losses import functional as LF
from sklearn_imbalance_dl.registry import _items, lookup, names

CIFAR10_LT = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
COUNTS = [50.0, 20.0, 5.0, 1.0]
N_CLASSES = len(COUNTS)


@pytest.fixture
def batch():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(12, N_CLASSES, generator=gen, dtype=torch.float64) * 2
    target = torch.tensor([0, 1, 2, 3, 0, 0, 1, 2, 0, 3, 1, 0])
    return logits, target


def np_log_softmax(z):
    z = np.asarray(z, dtype=np.float64)
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def np_ce(z, y):
    return -np_log_softmax(z)[np.arange(len(y)), np.asarray(y)]


def math_lse(values):
    m = max(values)
    return m + math.log(sum(math.exp(v - m) for v in values))


# --------------------------------------------------------------------------- helpers


def test_class_balanced_weights_match_methods_drw_values():
    expected = [0.051, 0.077, 0.121, 0.195, 0.319, 0.525, 0.868, 1.443, 2.409, 3.993]
    w = LF.class_balanced_weights(CIFAR10_LT, beta=0.9999)
    np.testing.assert_allclose(w.numpy(), expected, atol=1e-3)
    assert w.sum().item() == pytest.approx(10.0, rel=1e-6)
    np.testing.assert_allclose(LF.class_balanced_weights(CIFAR10_LT, beta=0.0).numpy(), 1.0)


@pytest.mark.parametrize(
    "power, expected",
    [
        (0.4019, [0.335, 0.411, 0.505, 0.620, 0.762, 0.936, 1.150, 1.413, 1.738, 2.130]),
        (1.0, [0.040, 0.067, 0.112, 0.187, 0.312, 0.520, 0.867, 1.447, 2.424, 4.024]),
        (0.0, [1.0] * 10),
    ],
)
def test_inverse_frequency_weights_match_methods_ppw_values(power, expected):
    w = LF.inverse_frequency_weights(CIFAR10_LT, power=power)
    np.testing.assert_allclose(w.numpy(), expected, atol=1e-3)


def test_inverse_frequency_weights_large_power_stays_finite():
    # (1/n) ** 200 underflows float64; the weights themselves are representable.
    w = LF.inverse_frequency_weights([5000, 50], power=200.0)
    np.testing.assert_allclose(w.numpy(), [0.0, 2.0], atol=1e-6)
    # 100 ** -100 / (100 ** -100 + 200 ** -100) = 1 / (1 + 2 ** -100): about 2 and 2e-30.
    w = LF.inverse_frequency_weights([200, 100], power=100.0)
    np.testing.assert_allclose(w.numpy(), [2.0 * 2.0**-100, 2.0], rtol=1e-6)


def test_ldam_margins_formula_and_methods_values():
    expected = [0.032, 0.036, 0.041, 0.046, 0.053, 0.060, 0.068, 0.077, 0.088, 0.100]
    m = LF.ldam_margins(CIFAR10_LT, max_m=0.1)
    np.testing.assert_allclose(m.numpy(), expected, atol=1e-3)
    n = np.array(COUNTS)
    ref = 0.5 * (n**-0.25) / (n**-0.25).max()
    np.testing.assert_allclose(LF.ldam_margins(COUNTS).numpy(), ref, rtol=1e-6)


def test_helpers_keep_floating_tensor_dtype():
    counts = torch.tensor(COUNTS, dtype=torch.float64)
    assert LF.inverse_frequency_weights(counts).dtype == torch.float64
    assert LF.class_balanced_weights([3, 4]).dtype == torch.float32


# --------------------------------------------------------------------------- baselines


def test_cross_entropy_matches_torch(batch):
    logits, target = batch
    w = torch.tensor([0.5, 1.0, 2.0, 4.0], dtype=torch.float64)
    assert torch.allclose(LF.cross_entropy_loss(logits, target), F.cross_entropy(logits, target))
    assert torch.allclose(
        LF.cross_entropy_loss(logits, target, weight=w), F.cross_entropy(logits, target, weight=w)
    )


def test_focal_gamma_zero_is_cross_entropy(batch):
    logits, target = batch
    assert torch.allclose(LF.focal_loss(logits, target, gamma=0.0), F.cross_entropy(logits, target))


def test_focal_matches_numpy(batch):
    logits, target = batch
    p = np.exp(np_log_softmax(logits.numpy()))[np.arange(12), target.numpy()]
    ref = (1 - p) ** 2.0 * -np.log(p)
    out = LF.focal_loss(logits, target, gamma=2.0, reduction="none")
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10)


def test_focal_no_nan_gradient_on_perfect_prediction():
    logits = torch.tensor([[200.0, -200.0], [0.0, 1.0]], requires_grad=True)
    for gamma in (0.5, 1.0, 2.0):
        LF.focal_loss(logits, torch.tensor([0, 1]), gamma=gamma).backward()
        assert torch.isfinite(logits.grad).all()
        logits.grad = None


def test_class_balanced_beta_zero_is_cross_entropy(batch):
    logits, target = batch
    out = LF.class_balanced_loss(logits, target, COUNTS, beta=0.0)
    assert torch.allclose(out, F.cross_entropy(logits, target))


def test_class_balanced_matches_weighted_cross_entropy(batch):
    logits, target = batch
    n = np.array(COUNTS)
    w = (1 - 0.999) / (1 - 0.999**n)
    w = torch.tensor(w / w.sum() * len(n))
    out = LF.class_balanced_loss(logits, target, COUNTS, beta=0.999)
    assert torch.allclose(out, F.cross_entropy(logits, target, weight=w))


def test_logit_adjusted_tau_one_equals_balanced_softmax(batch):
    logits, target = batch
    la = LF.logit_adjusted_loss(logits, target, COUNTS, tau=1.0, reduction="none")
    bs = LF.balanced_softmax_loss(logits, target, COUNTS, reduction="none")
    assert torch.allclose(la, bs)
    ref = np_ce(logits.numpy() + np.log(COUNTS), target.numpy())
    np.testing.assert_allclose(bs.numpy(), ref, rtol=1e-10)


def test_logit_adjusted_matches_numpy(batch):
    logits, target = batch
    prior = np.array(COUNTS) / sum(COUNTS)
    ref = np_ce(logits.numpy() + 0.5 * np.log(prior), target.numpy())
    out = LF.logit_adjusted_loss(logits, target, COUNTS, tau=0.5, reduction="none")
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10)


def test_ldam_matches_loop(batch):
    logits, target = batch
    m = 0.5 * np.array(COUNTS) ** -0.25 / min(COUNTS) ** -0.25
    ref = []
    for z, y in zip(logits.numpy(), target.numpy(), strict=True):
        z = z.copy()
        z[y] -= m[y]
        z = 30.0 * z
        ref.append(math_lse(list(z)) - z[y])
    out = LF.ldam_loss(logits, target, COUNTS, reduction="none")
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10)


# --------------------------------------------------------------------------- CRI

TH = -math.log(1e-50)  # (1 - 1e-50) ** gamma == 1.0 in float64


def cri_reference(logits, target, counts, *, s, max_m, gamma, correction, weight=None):
    """Plain-Python CRI following ``docs/methods.md``, step by step."""
    n_min = min(counts)
    margins = [max_m * (n_min / n) ** 0.25 for n in counts]
    per_sample, ws = [], []
    for z, y in zip(logits, target, strict=True):
        z = list(z)
        z[y] -= margins[y]
        z = [s * v for v in z]
        loss = math_lse(z) - z[y]
        fl = (1 - math.exp(-loss)) ** gamma * loss
        if correction is not None and fl > TH:
            if correction == "zero":
                fl = 0.0
            elif correction == "fix":
                fl = TH
            else:
                fl = math.exp(-loss) * TH / 1e-50
        per_sample.append(fl)
        ws.append(1.0 if weight is None else weight[y])
    return sum(w * f for w, f in zip(ws, per_sample, strict=True)) / sum(ws), per_sample


CRI_LOGITS = [[-5.0, 5.0, 0.0], [0.3, -0.2, 0.1], [0.9, -1.0, 0.2], [-3.9, 0.1, 0.0]]
CRI_TARGET = [0, 1, 0, 0]
CRI_COUNTS = [100.0, 30.0, 10.0]


@pytest.mark.parametrize("correction", ["zero", "fix", "decrease", None])
@pytest.mark.parametrize("gamma", [0.0, 1.0, 1.5])
def test_cri_matches_hand_computation(correction, gamma):
    weight = [0.2, 1.0, 3.0]
    ref_mean, ref_per = cri_reference(
        CRI_LOGITS,
        CRI_TARGET,
        CRI_COUNTS,
        s=30.0,
        max_m=0.1,
        gamma=gamma,
        correction=correction,
        weight=weight,
    )
    logits = torch.tensor(CRI_LOGITS, dtype=torch.float64, requires_grad=True)
    target = torch.tensor(CRI_TARGET)
    kwargs = dict(s=30.0, max_m=0.1, gamma=gamma, correction=correction)
    w = torch.tensor(weight, dtype=torch.float64)
    out = LF.cri_loss(logits, target, CRI_COUNTS, weight=w, **kwargs)
    assert out.item() == pytest.approx(ref_mean, rel=1e-9)
    per = LF.cri_loss(logits, target, CRI_COUNTS, reduction="none", **kwargs)
    np.testing.assert_allclose(per.detach().numpy(), ref_per, rtol=1e-9, atol=1e-12)
    out.backward()
    assert torch.isfinite(logits.grad).all()


def test_cri_correction_fires_per_sample():
    # the outlier's loss without correction exceeds the threshold
    _, per = cri_reference(
        CRI_LOGITS, CRI_TARGET, CRI_COUNTS, s=30.0, max_m=0.1, gamma=1.0, correction=None
    )
    # samples 0 (L ~ 301) and 3 (L ~ 123) are outliers, 1 and 2 are not
    assert per[0] > TH and per[3] > TH and per[1] < TH and per[2] < TH
    target = torch.tensor(CRI_TARGET)
    logits = torch.tensor(CRI_LOGITS)
    zero = LF.cri_loss(logits, target, CRI_COUNTS, reduction="none")
    assert zero[0].item() == 0.0 and zero[3].item() == 0.0
    fix = LF.cri_loss(logits, target, CRI_COUNTS, correction="fix", reduction="none")
    assert fix[0].item() == pytest.approx(TH, rel=1e-6)
    dec = LF.cri_loss(logits, target, CRI_COUNTS, correction="decrease", reduction="none")
    assert dec[0].item() < 1e-30  # exp(-301) * th / T
    assert dec[3].item() == pytest.approx(math.exp(-per[3]) * TH / 1e-50, rel=1e-4)
    assert 0 < dec[3].item() < TH
    none = LF.cri_loss(logits, target, CRI_COUNTS, correction=None, reduction="none")
    assert none[0].item() == pytest.approx(per[0], rel=1e-6)
    for out in (zero, fix, dec):
        assert torch.equal(out[1:3], none[1:3])


def test_cri_decrease_no_overflow_in_float32():
    logits = torch.tensor(CRI_LOGITS, dtype=torch.float32, requires_grad=True)
    out = LF.cri_loss(logits, torch.tensor(CRI_TARGET), CRI_COUNTS, correction="decrease")
    out.backward()
    assert torch.isfinite(out) and torch.isfinite(logits.grad).all()


def test_cri_reduces_to_scaled_cross_entropy(batch):
    logits, target = batch
    cos = torch.tanh(logits)
    out = LF.cri_loss(cos, target, COUNTS, s=30.0, max_m=0.0, gamma=0.0, weight=torch.ones(4))
    assert torch.allclose(out, F.cross_entropy(30.0 * cos, target))


# --------------------------------------------------------------------------- ARB


def test_arb_global_equals_balanced_softmax_values_and_gradients(batch):
    logits, target = batch
    a = logits.clone().requires_grad_(True)
    b = logits.clone().requires_grad_(True)
    arb = LF.arb_loss(a, target, COUNTS, counts="global")
    bs = LF.balanced_softmax_loss(b, target, COUNTS)
    arb.backward()
    bs.backward()
    assert abs(arb.item() - bs.item()) < 1e-6
    assert torch.allclose(a.grad, b.grad, atol=1e-6)


def arb_batch_reference(logits, target, clamp=30.0):
    """Loop over present classes only, the authors' ratio form."""
    logits = np.clip(np.asarray(logits, dtype=np.float64), -clamp, clamp)
    present = sorted(set(target))
    n = {c: sum(1 for t in target if t == c) for c in present}
    out = []
    for z, y in zip(logits, target, strict=True):
        denom = sum(n[j] / n[y] * math.exp(z[j]) for j in present)
        out.append(-math.log(math.exp(z[y]) / denom))
    return out


@pytest.mark.parametrize("dtype, rtol", [(torch.float64, 1e-10), (torch.float32, 1e-5)])
def test_arb_batch_matches_loop_and_absent_class_gets_no_gradient(dtype, rtol):
    gen = torch.Generator().manual_seed(1)
    logits = (torch.randn(6, 5, generator=gen, dtype=dtype) * 3).requires_grad_(True)
    target = torch.tensor([0, 0, 0, 2, 4, 0])  # classes 1 and 3 absent
    per = LF.arb_loss(logits, target, reduction="none")
    ref = arb_batch_reference(logits.detach().numpy(), target.tolist())
    np.testing.assert_allclose(per.detach().numpy(), ref, rtol=rtol)
    per.mean().backward()
    assert torch.isfinite(logits.grad).all()
    assert torch.all(logits.grad[:, [1, 3]] == 0)
    assert torch.all(logits.grad[:, [0, 2, 4]].abs().sum(0) > 0)


def test_arb_batch_clamps_logits_and_ignores_class_counts():
    logits = torch.tensor([[40.0, -50.0, 0.0], [1.0, 35.0, -2.0]], requires_grad=True)
    target = torch.tensor([1, 1])
    out = LF.arb_loss(logits, target, [1, 2, 3], reduction="none")
    np.testing.assert_allclose(
        out.detach().numpy(), arb_batch_reference(logits.detach().numpy(), [1, 1]), rtol=1e-6
    )
    out.sum().backward()
    assert torch.isfinite(logits.grad).all()
    assert logits.grad[0, 0] == 0 and logits.grad[1, 1] == 0  # clamped entries


def _arb_weighted_and_repeated(weights, target):
    """ARB with batch counts on a batch with integer sample weights, and on the batch
    with each row repeated that many times: ``(loss, gradient)`` of each, the loss a sum
    (the per-sample losses multiplied by the weights on the weighted batch)."""
    gen = torch.Generator().manual_seed(3)
    logits = (torch.randn(len(target), 4, generator=gen, dtype=torch.float64) * 2).requires_grad_()
    k = torch.tensor(weights, dtype=torch.float64)
    per_sample = ARBLoss()(logits, target, reduction="none", sample_weight=k)
    weighted = (k * per_sample).sum()
    (weighted_grad,) = torch.autograd.grad(weighted, logits)
    rows = torch.repeat_interleave(torch.arange(len(target)), k.long())
    repeated = ARBLoss()(logits[rows], target[rows], reduction="sum")
    (repeated_grad,) = torch.autograd.grad(repeated, logits)
    return (weighted, weighted_grad), (repeated, repeated_grad)


def test_arb_batch_counts_count_a_row_of_weight_k_as_k_rows():
    # Class 3 only has a row of weight 0: absent from the repeated batch, it leaves the
    # denominator of the weighted one too.
    target = torch.tensor([0, 0, 1, 2, 2, 0, 3])
    weighted, repeated = _arb_weighted_and_repeated([1, 3, 2, 1, 4, 0, 0], target)
    torch.testing.assert_close(weighted[0], repeated[0])
    torch.testing.assert_close(weighted[1], repeated[1])
    assert torch.all(weighted[1][:, 3] == 0)


def test_arb_batch_counts_equal_sample_weights_change_nothing(batch):
    logits, target = batch
    loss = ARBLoss()
    plain = loss(logits, target, reduction="none")
    assert torch.equal(loss(logits, target, reduction="none", sample_weight=None), plain)
    for value in (1.0, 0.25, 7.0):
        equal = torch.full(target.shape, value)
        weighted = loss(logits, target, reduction="none", sample_weight=equal)
        torch.testing.assert_close(weighted, plain)
    # The global counts are the training counts, whatever the batch's weights.
    weights = torch.arange(1.0, len(target) + 1)
    global_counts = ARBLoss(COUNTS, counts="global")
    weighted = global_counts(logits, target, sample_weight=weights)
    assert torch.equal(weighted, global_counts(logits, target))


def test_a_sample_weight_of_another_shape_is_refused(batch):
    logits, target = batch
    with pytest.raises(ValueError, match=r"sample_weight has shape \(3,\); expected a tensor"):
        ARBLoss()(logits, target, sample_weight=torch.ones(3))
    with pytest.raises(ValueError, match=r"sample_weight has type list, not torch.Tensor;"):
        ARBLoss()(logits, target, sample_weight=[1.0] * len(target))
    # An array of the right shape is not a tensor: its shape is not what is wrong.
    with pytest.raises(ValueError, match=r"sample_weight has type ndarray, not torch.Tensor;"):
        ARBLoss()(logits, target, sample_weight=np.ones(len(target)))


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_arb_refuses_negative_or_non_finite_sample_weights(batch, bad):
    # Such a weight made a batch count negative or NaN and the loss -inf, silently.
    logits, target = batch
    weights = torch.ones(len(target))
    weights[3] = bad
    with pytest.raises(ValueError, match="sample_weight must hold finite, non-negative"):
        ARBLoss()(logits, target, sample_weight=weights)
    # The global counts do not read the weights.
    ARBLoss(COUNTS, counts="global")(logits, target, sample_weight=weights)


def test_arb_global_requires_counts(batch):
    logits, target = batch
    with pytest.raises(ValueError, match="class_counts"):
        LF.arb_loss(logits, target, counts="global")


# --------------------------------------------------------------------------- weighting

LOSS_CALLS = {
    "focal": lambda z, y, **kw: LF.focal_loss(z, y, COUNTS, gamma=2.0, **kw),
    "class_balanced": lambda z, y, **kw: LF.class_balanced_loss(z, y, COUNTS, gamma=1.0, **kw),
    "ldam": lambda z, y, **kw: LF.ldam_loss(z, y, COUNTS, s=5.0, **kw),
    "logit_adjusted": lambda z, y, **kw: LF.logit_adjusted_loss(z, y, COUNTS, **kw),
    "balanced_softmax": lambda z, y, **kw: LF.balanced_softmax_loss(z, y, COUNTS, **kw),
    "cri": lambda z, y, **kw: LF.cri_loss(z, y, COUNTS, s=5.0, **kw),
    "arb": lambda z, y, **kw: LF.arb_loss(z, y, **kw),
    "ce": lambda z, y, **kw: LF.cross_entropy_loss(z, y, **kw),
}


@pytest.mark.parametrize("name", sorted(LOSS_CALLS))
def test_weighted_reductions(name, batch):
    logits, target = batch
    call = LOSS_CALLS[name]
    w = np.array([0.5, 1.0, 2.0, 4.0])
    # class_balanced takes its own weights unless overridden: compare against weight=ones
    plain = call(logits, target, weight=torch.ones(4, dtype=torch.float64), reduction="none")
    plain = plain.numpy()
    wy = w[target.numpy()]
    tw = torch.tensor(w)
    none = call(logits, target, weight=tw, reduction="none").numpy()
    np.testing.assert_allclose(none, wy * plain, rtol=1e-10)
    assert call(logits, target, weight=tw, reduction="sum").item() == pytest.approx(
        (wy * plain).sum(), rel=1e-10
    )
    assert call(logits, target, weight=tw).item() == pytest.approx(
        (wy * plain).sum() / wy.sum(), rel=1e-10
    )
    if name != "class_balanced":
        assert call(logits, target).item() == pytest.approx(plain.mean(), rel=1e-10)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    "call",
    [
        *LOSS_CALLS.values(),
        lambda z, y, **kw: losses.label_aware_smoothing_loss(z, y, COUNTS, **kw),
    ],
    ids=[*LOSS_CALLS, "label_aware_smoothing"],
)
def test_a_batch_of_zero_weight_classes_has_the_mean_zero_and_no_gradient(call, dtype):
    # Weights (1, 1, 0, 0) and targets of classes 2 and 3 only: sum(w_y l) / sum(w_y) is
    # 0 / 0, which the batch's loss is not; a partly weighted batch keeps its mean.
    logits = torch.randn(3, N_CLASSES, generator=torch.Generator().manual_seed(0), dtype=dtype)
    logits.requires_grad_(True)
    weight = torch.tensor([1.0, 1.0, 0.0, 0.0], dtype=dtype)
    loss = call(logits, torch.tensor([2, 3, 2]), weight=weight)
    loss.backward()
    assert loss.item() == 0.0
    assert torch.equal(logits.grad, torch.zeros_like(logits))
    target = torch.tensor([2, 0, 3])
    mixed = call(logits, target, weight=weight).item()
    assert mixed == pytest.approx(call(logits, target, weight=weight, reduction="sum").item())


def test_a_batch_of_zero_weight_classes_has_the_mean_zero_in_every_loss_face():
    from sklearn_imbalance_dl.losses._adapter import TorchLossAdapter

    weight = torch.tensor([1.0, 0.0])
    logits, target = torch.zeros(2, 2, requires_grad=True), torch.tensor([1, 1])
    ce = CrossEntropyLoss([3, 2])
    ce.class_weights.copy_(weight)  # as a schedule sets them
    adapter = TorchLossAdapter(torch.nn.CrossEntropyLoss(weight=weight))
    for loss in (ce, adapter):
        value = loss(logits, target, reduction="mean")
        value.backward()
        assert value.item() == 0.0 and torch.equal(logits.grad, torch.zeros(2, 2))
        logits.grad = None


def test_bad_reduction_message(batch):
    logits, target = batch
    assert_invalid_parameter(
        lambda: LF.focal_loss(logits, target, reduction="avg"),
        "The 'reduction' parameter of focal_loss must be a str among {'mean', 'none', 'sum'}. "
        "Got 'avg' instead.",
    )


@pytest.mark.parametrize(
    "counts, match",
    [
        ([1.0, 2.0, 3.0], "expected length 4"),
        ([1.0, 0.0, 2.0, 3.0], "> 0"),
        ([[1.0]], "1-D"),
        (["many", "some", "few", "one"], r"class_counts must hold numbers; got \['many'"),
    ],
)
def test_bad_class_counts(batch, counts, match):
    logits, target = batch
    with pytest.raises(ValueError, match=match):
        LF.ldam_loss(logits, target, counts)


@pytest.mark.parametrize("bad", [-100, -1, N_CLASSES])
@pytest.mark.parametrize(
    "loss",
    [
        CrossEntropyLoss(),
        FocalLoss(),
        WeightedCELoss(COUNTS),
        LogitAdjustedLoss(COUNTS),
        ARBLoss(),
        lambda z, t: LF.cross_entropy_loss(z, t, reduction="none"),
        lambda z, t: LF.focal_loss(z, t),
    ],
)
def test_targets_outside_the_classes_are_refused(batch, loss, bad):
    # -100 is torch's default ignore_index: it must not drop a row silently.
    logits, target = batch
    target = target.clone()
    target[-1] = bad
    message = rf"target must hold class indices in \[0, 3\].*from {min(bad, 0)} to {max(bad, 3)}"
    with pytest.raises(ValueError, match=message):
        loss(logits, target)


@pytest.mark.parametrize(
    "weight", [[1, -2, 1, 1], [0, 0, 0, 0], [1, np.nan, 1, 1], [1, np.inf, 1, 1]]
)
def test_bad_class_weights_are_refused(batch, weight):
    logits, target = batch
    with pytest.raises(ValueError, match="weight must hold finite, non-negative class weights"):
        LF.cross_entropy_loss(logits, target, weight=weight)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize(
    "loss",
    [
        WeightedCELoss(COUNTS),
        LDAMLoss(COUNTS),
        CRILoss(COUNTS),
        FocalLoss(),
        lambda z, t: LF.cross_entropy_loss(z, t, weight=[1.0, 2.0, 3.0, 4.0]),
        lambda z, t: LF.ldam_loss(z, t, COUNTS),
    ],
)
def test_half_logits_make_a_float32_loss(batch, loss, dtype):
    # As under torch's autocast: the loss of half-precision logits is computed in float32.
    logits, target = batch
    half = loss(logits.to(dtype), target)
    assert half.dtype == torch.float32
    torch.testing.assert_close(half, loss(logits.to(dtype).float(), target))


@pytest.mark.parametrize(
    "loss", [LogitAdjustedLoss, BalancedSoftmaxLoss, lambda c: ARBLoss(c, counts="global")]
)
def test_counts_beyond_float16_work_with_half_logits(batch, loss):
    # 65,504 is float16's largest number; the log prior is taken in float32.
    logits, target = batch
    counts = [40000.0, 30000.0, 100000.0, 10.0]
    full = loss(counts)(logits.float(), target)
    half = loss(counts)(logits.half(), target)
    assert torch.isfinite(half)
    torch.testing.assert_close(half.float(), full, rtol=1e-2, atol=1e-2)
    functional = LF.logit_adjusted_loss(logits.half(), target, counts)
    torch.testing.assert_close(
        functional.float(), LogitAdjustedLoss(counts)(logits.float(), target), rtol=1e-2, atol=1e-2
    )


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize(
    "loss",
    [
        LogitAdjustedLoss,
        LDAMLoss,
        WeightedCELoss,
        lambda c: ARBLoss(c, counts="global"),
        lambda c: losses.LabelAwareSmoothingLoss(c, shape="linear"),
    ],
)
def test_half_loss_keeps_its_counts(batch, loss, dtype):
    # .half() / .bfloat16() of a loss (or of a module holding it) used to round the
    # counts buffer: 100,000 was infinite in float16, the loss NaN or wrong.
    logits, target = batch
    counts = [40000.0, 30000.0, 100000.0, 10.0]
    full = loss(counts)
    converted = loss(counts).to(dtype)
    for name, buffer in converted.named_buffers():
        assert buffer.dtype == torch.float32, name
        torch.testing.assert_close(buffer, getattr(full, name))
    torch.testing.assert_close(converted(logits.to(dtype), target), full(logits.to(dtype), target))
    assert torch.nn.ModuleList([converted]).half()[0].class_counts.dtype == torch.float32
    assert converted.double().class_counts.dtype == torch.float64


# --------------------------------------------------------------------------- modules


def test_every_public_loss_class_is_registered_once():
    # A loss class exported by the package but missing from the registry could not be
    # chosen by name; two names for one class would make the docs' tables ambiguous.
    public = {
        obj
        for obj in (getattr(losses, name) for name in losses.__all__)
        if isinstance(obj, type) and issubclass(obj, ImbalanceLoss) and obj is not ImbalanceLoss
    }
    registered = [cls for _, cls in _items("loss")]
    assert set(registered) == public
    assert len(registered) == len(set(registered))


def test_which_losses_balance_the_classes_and_train_on_cosine_logits():
    # The methods' papers: these losses re-weight or shift the classes themselves (a
    # re-weighting schedule on top is refused); LDAM and CRI train on cosine logits.
    losses_by_name = dict(_items("loss"))
    reweighting = {name for name, cls in losses_by_name.items() if cls.reweights_classes}
    assert reweighting == {
        "weighted_ce",
        "class_balanced",
        "logit_adjusted",
        "balanced_softmax",
        "arb",
    }
    cosine = {name for name, cls in losses_by_name.items() if cls.uses_cosine_logits}
    assert cosine == {"ldam", "cri"}


@pytest.mark.parametrize("name", names("loss"))
def test_module_forward_pickle_deepcopy_dtype(name, batch):
    logits, target = batch
    loss = lookup("loss", name)(COUNTS)
    value = loss(logits.float(), target)
    assert value.shape == () and torch.isfinite(value)
    assert loss(logits.float(), target, reduction="none").shape == (12,)
    clone = pickle.loads(pickle.dumps(loss))
    assert torch.equal(clone(logits.float(), target), value)
    assert torch.equal(copy.deepcopy(loss)(logits.float(), target), value)
    assert torch.equal(clone.class_counts, torch.tensor(COUNTS))
    double = copy.deepcopy(loss).to(torch.float64)
    assert double.class_counts.dtype == torch.float64
    out64 = double(logits, target)
    assert out64.dtype == torch.float64
    assert out64.item() == pytest.approx(value.item(), rel=1e-4)
    assert f"n_classes={N_CLASSES}" in repr(loss)
    expected_scale = 30.0 if name in ("ldam", "cri") else 1.0
    assert loss.logit_scale == expected_scale


@pytest.mark.parametrize("name", names("loss"))
@pytest.mark.parametrize("built_with", [None, [5.0, 1.0]], ids=["no counts", "other classes"])
def test_a_state_dict_restores_the_counts_and_weights_of_a_loss(name, batch, built_with):
    # torch.save(loss.state_dict()) then loss.load_state_dict(...) into a loss built
    # without its class counts (or for other classes): the saved counts, the class
    # weights a schedule set and the factors made from them come back.
    logits, target = batch
    logits = logits.float() / 3  # cosines for LDAM and CRI
    cls = lookup("loss", name)
    trained = cls(COUNTS)
    if trained.class_weights is not None:
        trained.class_weights.copy_(torch.tensor([0.5, 1.0, 2.0, 4.0]))  # a schedule's
    restored = cls(built_with)
    restored.load_state_dict(trained.state_dict())
    for key, value in trained.state_dict().items():
        assert torch.equal(getattr(restored, key), value), key
    assert restored.n_classes == N_CLASSES
    torch.testing.assert_close(restored(logits, target), trained(logits, target))


@pytest.mark.parametrize("name", names("loss"))
def test_a_loss_compiles_into_one_graph(name, batch):
    # compile=True traces the loss: its checks must not read tensor values on the CPU,
    # which would break the graph there (and have torch log it).
    logits, target = batch
    loss = lookup("loss", name)(COUNTS)
    torch._dynamo.reset()
    compiled = torch.compile(loss, fullgraph=True, backend="eager")
    torch.testing.assert_close(compiled(logits.float(), target), loss(logits.float(), target))


@pytest.mark.parametrize("name", ["ce", "focal", "ldam", "cri"])
def test_in_place_class_weights_change_forward(name, batch):
    logits, target = batch
    logits = logits.float()
    loss = lookup("loss", name)(COUNTS)
    assert torch.equal(loss.class_weights, torch.ones(4))
    before = loss(logits, target, reduction="none")
    new = torch.tensor([0.1, 0.5, 2.0, 3.0])
    loss.class_weights.copy_(new)
    after = loss(logits, target, reduction="none")
    torch.testing.assert_close(after, new[target] * before)
    torch.testing.assert_close(
        loss(logits, target), (new[target] * before).sum() / new[target].sum()
    )
    torch.testing.assert_close(loss.per_sample_weight(target), new[target])


def test_per_sample_weight_reads_small_integer_targets_as_class_indices():
    loss = WeightedCELoss([50, 20, 5])
    target = torch.tensor([1, 1, 0])
    expected = loss.class_weights[target]
    for dtype in (torch.uint8, torch.int8, torch.int32):
        torch.testing.assert_close(loss.per_sample_weight(target.to(dtype)), expected)


@pytest.mark.parametrize(
    "target, message",
    [
        (
            torch.tensor([0, 3]),
            r"in \[0, 2\] \(WeightedCELoss has 3 classes\); got values from 0 to 3",
        ),
        (torch.tensor([-1, 0]), "got values from -1 to 0"),
        (torch.tensor([0.0, 1.0]), "integer class indices; got dtype torch.float32"),
        (torch.eye(3), r"1-D tensor of class indices; got shape \(3, 3\)"),
    ],
)
def test_per_sample_weight_refuses_targets_that_are_not_class_indices(target, message):
    with pytest.raises(ValueError, match=f"target must .*{message}"):
        WeightedCELoss([50, 20, 5]).per_sample_weight(target)


def test_module_matches_torch_cross_entropy_with_weights(batch):
    logits, target = batch
    logits = logits.float()
    w = LF.inverse_frequency_weights(COUNTS)
    loss = WeightedCELoss(COUNTS)
    torch.testing.assert_close(loss.class_weights, w)
    torch.testing.assert_close(loss(logits, target), F.cross_entropy(logits, target, weight=w))
    cb = ClassBalancedLoss(COUNTS, beta=0.99)
    torch.testing.assert_close(
        cb(logits, target),
        F.cross_entropy(logits, target, weight=LF.class_balanced_weights(COUNTS, 0.99)),
    )


def test_module_initial_weights_and_arb_has_none():
    assert ARBLoss(COUNTS).class_weights is None
    assert torch.equal(ARBLoss().per_sample_weight(torch.tensor([0, 2])), torch.ones(2))
    for cls in (
        CrossEntropyLoss,
        FocalLoss,
        LDAMLoss,
        CRILoss,
        LogitAdjustedLoss,
        BalancedSoftmaxLoss,
    ):
        assert torch.equal(cls(COUNTS).class_weights, torch.ones(4))


def test_module_counts_required_or_optional(batch):
    logits, target = batch
    for cls in (LDAMLoss, CRILoss, LogitAdjustedLoss, BalancedSoftmaxLoss, WeightedCELoss):
        with pytest.raises(RuntimeError, match="set_class_counts"):
            cls()(logits, target)
    with pytest.raises(RuntimeError, match="set_class_counts"):
        ARBLoss(counts="global")(logits, target)
    for loss in (CrossEntropyLoss(), FocalLoss(), ARBLoss()):
        assert torch.isfinite(loss(logits, target))
    loss = LDAMLoss()
    assert loss.set_class_counts(COUNTS) is loss
    assert torch.isfinite(loss(logits, target))


def test_module_wrong_class_counts_length(batch):
    logits, target = batch
    with pytest.raises(ValueError, match="4 columns"):
        LDAMLoss([1, 2, 3])(logits, target)
    with pytest.raises(ValueError, match="> 0"):
        LDAMLoss([1, 0, 3])


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (
            FocalLoss,
            {"gamma": -1},
            "The 'gamma' parameter of FocalLoss must be a float in the range [0.0, inf). "
            "Got -1 instead.",
        ),
        (
            ClassBalancedLoss,
            {"beta": 1.0},
            "The 'beta' parameter of ClassBalancedLoss must be a float in the range "
            "[0.0, 1.0). Got 1.0 instead.",
        ),
        (
            LDAMLoss,
            {"s": 0},
            "The 's' parameter of LDAMLoss must be a float in the range (0.0, inf). Got 0 instead.",
        ),
        (
            CRILoss,
            {"correction": "clip"},
            "The 'correction' parameter of CRILoss must be a str among {'decrease', 'fix', "
            "'zero'} or None. Got 'clip' instead.",
        ),
        (
            ARBLoss,
            {"counts": "epoch"},
            "The 'counts' parameter of ARBLoss must be a str among {'batch', 'global'}. "
            "Got 'epoch' instead.",
        ),
        (
            ARBLoss,
            {"clamp": 0},
            "The 'clamp' parameter of ARBLoss must be a float in the range (0.0, inf) or "
            "None. Got 0 instead.",
        ),
        (
            LogitAdjustedLoss,
            {"tau": "1"},
            "The 'tau' parameter of LogitAdjustedLoss must be a float in the range "
            "[0.0, inf). Got '1' instead.",
        ),
        (
            CrossEntropyLoss,
            {"reduction": "avg"},
            "The 'reduction' parameter of CrossEntropyLoss must be a str among "
            "{'mean', 'none', 'sum'}. Got 'avg' instead.",
        ),
    ],
)
def test_module_bad_hyperparameters(cls, kwargs, message):
    assert_invalid_parameter(lambda: cls(**kwargs), message)


def test_module_constraints_cover_every_hyperparameter():
    # Every keyword of a loss's constructor but class_counts is declared, so the
    # estimator can check ``loss__<name>`` against the constraints before fitting.
    import inspect

    for _, cls in _items("loss"):
        params = set(inspect.signature(cls).parameters) - {"class_counts"}
        assert set(cls._parameter_constraints) == params, cls.__name__


def test_module_bad_reduction_in_forward(batch):
    logits, target = batch
    assert_invalid_parameter(
        lambda: FocalLoss()(logits, target, reduction="avg"),
        "The 'reduction' parameter of FocalLoss must be a str among {'mean', 'none', 'sum'}. "
        "Got 'avg' instead.",
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda z, y: LF.focal_loss(z, y, gamma=-1),
            "The 'gamma' parameter of focal_loss must be a float in the range [0.0, inf). "
            "Got -1 instead.",
        ),
        (
            lambda z, y: LF.ldam_loss(z, y, COUNTS, s=float("nan")),
            "The 's' parameter of ldam_loss must be a float in the range (0.0, inf). "
            "Got nan instead.",
        ),
        (
            lambda z, y: LF.cri_loss(z, y, COUNTS, correction="clip"),
            "The 'correction' parameter of cri_loss must be a str among {'decrease', 'fix', "
            "'zero'} or None. Got 'clip' instead.",
        ),
        (
            lambda z, y: LF.class_balanced_weights(COUNTS, beta=1),
            "The 'beta' parameter of class_balanced_weights must be a float in the range "
            "[0.0, 1.0). Got 1 instead.",
        ),
        (
            lambda z, y: LF.inverse_frequency_weights(COUNTS, power=-0.5),
            "The 'power' parameter of inverse_frequency_weights must be a float in the range "
            "[0.0, inf). Got -0.5 instead.",
        ),
    ],
)
def test_functional_bad_hyperparameter_message(batch, call, message):
    assert_invalid_parameter(lambda: call(*batch), message)


def test_module_buffers_follow_to_device():
    loss = CRILoss(COUNTS).to("meta")
    assert loss.class_counts.device.type == "meta"
    assert loss.class_weights.device.type == "meta"
    assert ARBLoss(COUNTS).to("meta").class_weights is None


def test_torch_loss_adapter_mean_is_weighted_by_the_class_weights():
    from sklearn_imbalance_dl.losses._adapter import TorchLossAdapter

    # Two samples, logits (0, 0): each cross-entropy is log 2; class weights (1, 3).
    # Weighted per-sample losses: log 2 and 3 log 2; weighted mean: 4 log 2 / (1 + 3).
    weight = torch.tensor([1.0, 3.0])
    adapter = TorchLossAdapter(torch.nn.CrossEntropyLoss(weight=weight))
    logits, target = torch.zeros(2, 2), torch.tensor([0, 1])
    assert adapter(logits, target, reduction="mean").item() == pytest.approx(math.log(2))
    assert adapter(logits, target, reduction="sum").item() == pytest.approx(4 * math.log(2))
    # Without class weights, the plain mean: (log 2 + log 2) / 2.
    plain = TorchLossAdapter(torch.nn.CrossEntropyLoss())
    assert plain(logits, target).item() == pytest.approx(math.log(2))
    # Class 1 only, logits (0, log 3): l = log(4/3) times weight 3, divided by 3.
    one = adapter(torch.tensor([[0.0, math.log(3)]]), torch.tensor([1])).item()
    assert one == pytest.approx(math.log(4 / 3))


def test_torch_loss_adapter_mean_is_the_wrapped_losss_own_mean():
    from sklearn_imbalance_dl.losses._adapter import TorchLossAdapter

    # MultiMarginLoss weighs each sample's term by w[y] but divides by the number of
    # samples, not by the sum of the targets' weights as cross-entropy does.
    weight = torch.tensor([0.2, 1.0, 3.0])
    logits = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([0, 0, 0, 0, 1, 1, 2, 2])
    adapter = TorchLossAdapter(torch.nn.MultiMarginLoss(weight=weight))
    expected = torch.nn.MultiMarginLoss(weight=weight)(logits, target)
    assert adapter(logits, target).item() == pytest.approx(expected.item())
    # The normaliser of mixed or sample-weighted batches is that of the same mean.
    assert torch.equal(adapter.per_sample_weight(target), torch.ones(8))
