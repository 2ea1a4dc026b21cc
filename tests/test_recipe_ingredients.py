"""Ingredients of the published recipes, each against an independent computation.

Label-aware smoothing (MiSLAS), the MiSLAS stage-2 schedule (shifted batch norm), SAM,
Cutout, CutMix and the batched RandAugment.
"""

import copy
import math
import pickle
import types

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback
from torch.utils.data import TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl._net import ImbalanceNet
from sklearn_imbalance_dl.augment import RandAugment, cutmix, cutout, paste_box, rand_augment
from sklearn_imbalance_dl.augment._image import (
    RAND_AUGMENT_OPS,
    _apply_op,
    _cutout_at,
    _magnitudes,
)
from sklearn_imbalance_dl.datasets import load_digits_lt
from sklearn_imbalance_dl.losses import CrossEntropyLoss, LDAMLoss
from sklearn_imbalance_dl.losses._label_aware import (
    LabelAwareSmoothingLoss,
    label_aware_smoothing_factors,
    label_aware_smoothing_loss,
)
from sklearn_imbalance_dl.mixing._cutmix import CutMix
from sklearn_imbalance_dl.optim import SAM
from sklearn_imbalance_dl.recipes import CIFAR10_MEAN, CIFAR10_STD, get_recipe
from sklearn_imbalance_dl.schedules._mislas import LearnableWeightScaling, MiSLASRetraining

try:
    from PIL import Image, ImageEnhance, ImageOps
except ImportError:  # the dev extra brings Pillow; the tests against it skip without it
    Image = ImageEnhance = ImageOps = None

CIFAR10_LT = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]


# ----------------------------------------------------------------- label-aware smoothing
def _mislas_factors(counts, head, tail, shape, power=None):
    """The authors' formulas (methods.LabelAwareSmoothing), in numpy."""
    n = np.asarray(counts, dtype=float)
    n_1, n_k = n.max(), n.min()
    if shape == "concave":
        return tail + (head - tail) * np.sin((n - n_k) * np.pi / (2 * (n_1 - n_k)))
    if shape == "linear":
        return tail + (head - tail) * (n - n_k) / (n_1 - n_k)
    if shape == "convex":
        return head + (head - tail) * np.sin(1.5 * np.pi + (n - n_k) * np.pi / (2 * (n_1 - n_k)))
    return tail + (head - tail) * np.power((n - n_k) / (n_1 - n_k), power)


@pytest.mark.parametrize("shape", ["concave", "linear", "convex", "exp"])
@pytest.mark.parametrize("head, tail", [(0.3, 0.0), (0.4, 0.1)])
def test_smoothing_factors_match_the_authors_formulas(shape, head, tail):
    power = 2.0 if shape == "exp" else None
    got = label_aware_smoothing_factors(
        CIFAR10_LT, smooth_head=head, smooth_tail=tail, shape=shape, power=power
    )
    expected = _mislas_factors(CIFAR10_LT, head, tail, shape, power)
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-12)
    assert got[0] == pytest.approx(head) and got[-1] == pytest.approx(tail)


def test_equal_counts_give_the_head_factor_everywhere():
    got = label_aware_smoothing_factors([7, 7, 7], smooth_head=0.2, smooth_tail=0.0)
    np.testing.assert_allclose(got.numpy(), [0.2, 0.2, 0.2])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_is_torch_label_smoothing_with_the_class_factor(reduction, weighted):
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(40, 10, generator=gen, dtype=torch.float64)
    target = torch.randint(0, 10, (40,), generator=gen)
    weight = torch.rand(10, generator=gen, dtype=torch.float64) + 0.5 if weighted else None
    eps = _mislas_factors(CIFAR10_LT, 0.3, 0.0, "concave")
    per_sample = torch.stack(
        [
            F.cross_entropy(logits[i : i + 1], target[i : i + 1], label_smoothing=eps[target[i]])
            for i in range(40)
        ]
    )
    w = weight[target] if weighted else torch.ones(40, dtype=torch.float64)
    expected = {
        "none": w * per_sample,
        "sum": (w * per_sample).sum(),
        "mean": (w * per_sample).sum() / w.sum(),
    }[reduction]
    got = label_aware_smoothing_loss(logits, target, CIFAR10_LT, weight=weight, reduction=reduction)
    torch.testing.assert_close(got, expected)


def test_loss_module_matches_the_function_and_carries_its_factors():
    gen = torch.Generator().manual_seed(1)
    logits = torch.randn(16, 10, generator=gen)
    target = torch.randint(0, 10, (16,), generator=gen)
    loss = LabelAwareSmoothingLoss(CIFAR10_LT, smooth_head=0.4, smooth_tail=0.1, shape="linear")
    expected = label_aware_smoothing_loss(
        logits, target, CIFAR10_LT, smooth_head=0.4, smooth_tail=0.1, shape="linear"
    )
    torch.testing.assert_close(loss(logits, target), expected)
    torch.testing.assert_close(
        loss(logits, target, reduction="none").mean(), expected, rtol=1e-6, atol=1e-6
    )
    # Buffers: copied with the module; class weights are ones for a schedule to change.
    clone = copy.deepcopy(loss)
    torch.testing.assert_close(clone.smoothing, loss.smoothing)
    assert "smoothing" in dict(loss.named_buffers())
    torch.testing.assert_close(loss.class_weights, torch.ones(10))
    # Counts set later (as the estimator does) give the same factors.
    late = LabelAwareSmoothingLoss(smooth_head=0.4, smooth_tail=0.1, shape="linear")
    late.set_class_counts(CIFAR10_LT)
    torch.testing.assert_close(late.smoothing, loss.smoothing)


def test_no_smoothing_is_cross_entropy():
    logits, target = torch.randn(8, 3), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    loss = LabelAwareSmoothingLoss([30, 10, 3], smooth_head=0.0, smooth_tail=0.0)
    torch.testing.assert_close(loss(logits, target), F.cross_entropy(logits, target))


@pytest.mark.parametrize(
    "params, error",
    [
        ({"smooth_head": 1.5}, InvalidParameterError),
        ({"smooth_tail": -0.1}, InvalidParameterError),
        ({"shape": "round"}, InvalidParameterError),
        ({"shape": "exp"}, ValueError),
    ],
)
def test_loss_rejects_bad_parameters(params, error):
    with pytest.raises(error):
        LabelAwareSmoothingLoss([3, 1], **params)
    with pytest.raises(error):
        label_aware_smoothing_loss(torch.zeros(2, 2), torch.tensor([0, 1]), [3, 1], **params)


# ----------------------------------------------------------------- MiSLAS stage 2
@pytest.fixture(scope="module")
def digits():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10, test_per_class=50)
    return X[::2], y[::2]


class _Recorder(Callback):
    """Snapshots the module at the end of stage 1 and the batches of stage 2."""

    def __init__(self, n_main):
        self.n_main = n_main
        self.batches = []

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.n_main:
            self.stage_one = copy.deepcopy(net.module_)

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training and len(net.history) > self.n_main:
            self.batches.append(batch[0].clone())

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.n_main + 2:  # last stage-2 epoch (2 of them)
            self.last_lrs = [g["lr"] for g in net.optimizer_.param_groups]


@pytest.mark.parametrize("shift_bn", [True, False])
def test_mislas_stage_two_freezes_features_and_shifts_batch_norm(digits, shift_bn):
    X, y = digits
    recorder = _Recorder(n_main=3)
    schedule = MiSLASRetraining(epochs=2, shift_bn=shift_bn, lr=0.2, lr_factor=0.5)
    clf = ImbalancedNetClassifier(
        module="mlp",
        mixing="mixup",
        schedule=schedule,
        max_epochs=3,
        batch_size=64,
        optimizer="sgd",
        lr=0.05,
        module__hidden_sizes=(32, 32),
        callbacks=[("recorder", recorder)],
        random_state=0,
    ).fit(X, y)
    net = clf.net_
    recorder = dict(net.callbacks_)["recorder"]  # the estimator fits a copy
    assert len(net.history) == 5
    assert isinstance(net.criterion_, LabelAwareSmoothingLoss)
    assert net.mixing_ is None
    assert isinstance(net.module_.head, LearnableWeightScaling)
    stage_one, after = recorder.stage_one.state_dict(), net.module_.state_dict()
    for name, value in stage_one.items():
        if not name.startswith("stages"):
            continue
        if "running" in name or "num_batches" in name:
            assert torch.equal(value, after[name]) != shift_bn, name
        else:  # weights and batch-norm affine parameters stay frozen
            assert torch.equal(value, after[name]), name
    assert not torch.equal(stage_one["head.weight"], after["head.head.weight"])

    # Independent replay: the stage-1 features in train mode over the recorded batches.
    replay = copy.deepcopy(recorder.stage_one).train()
    with torch.no_grad():
        for xb in recorder.batches:
            h = xb
            for stage in replay.stages:
                h = stage(h)
    expected = replay.state_dict() if shift_bn else stage_one
    for name in after:
        if "running" in name:
            torch.testing.assert_close(after[name], expected[name])

    # Cosine from lr=0.2 at stage-2 epoch 1 of 2; the classifier at half of it.
    lr = 0.2 * 0.5 * (1 + math.cos(math.pi * 1 / 2))
    assert recorder.last_lrs == pytest.approx([0.5 * lr, lr])


class _HeadMomentum(Callback):
    """Whether the head's parameters hold optimizer state at each stage-2 batch's start."""

    def __init__(self, n_main):
        self.n_main = n_main

    def initialize(self):
        self.held = []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training and len(net.history) > self.n_main:
            state = net.optimizer_.state
            self.held.append([p in state for p in net.module_.head.parameters()])


def test_mislas_stage_two_starts_the_classifier_momentum_afresh(digits):
    # reset_head=False keeps the classifier's weights but, as the authors' new SGD,
    # not the momentum it gathered in stage 1.
    X, y = digits
    clf = ImbalancedNetClassifier(
        module="mlp",
        mixing="mixup",
        schedule=MiSLASRetraining(epochs=1, weight_scaling=False, reset_head=False),
        max_epochs=2,
        batch_size=64,
        optimizer="sgd",
        optimizer__momentum=0.9,
        lr=0.05,
        module__hidden_sizes=(16,),
        callbacks=[("momentum", _HeadMomentum(n_main=2))],
        random_state=0,
    ).fit(X, y)
    held = dict(clf.net_.callbacks_)["momentum"].held
    assert len(held) > 1
    assert held[0] == [False, False]  # none carried over from stage 1
    assert all(held[-1])  # gathered again in stage 2


def test_mislas_rejects_a_cosine_head_first_stage(digits):
    X, y = digits
    clf = ImbalancedNetClassifier(
        loss="ldam", schedule=MiSLASRetraining(epochs=1), max_epochs=1, random_state=0
    )
    with pytest.raises(ValueError, match="cosine head"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"optimizer": torch.optim.Rprop},
        {"optimizer": "sam", "optimizer__base_optimizer": torch.optim.Rprop},
    ],
    ids=["Rprop", "SAM around Rprop"],
)
def test_mislas_stage_two_with_an_optimizer_without_weight_decay(digits, params):
    X, y = digits
    clf = ImbalancedNetClassifier(
        module="mlp", schedule="mislas", schedule__epochs=1, max_epochs=1, random_state=0,
        **params,
    ).fit(X, y)  # fmt: skip
    groups = clf.net_.optimizer_.param_groups
    assert groups[-1]["params"] == [clf.net_.module_.head.scale]
    assert not any("weight_decay" in group for group in groups)


def test_mislas_parameters_are_checked():
    with pytest.raises(InvalidParameterError, match="lr_factor"):
        MiSLASRetraining(lr_factor=0).bind(np.array([5, 1]), 3)


# ----------------------------------------------------------------- SAM
def _quadratic(w, a):
    return 0.5 * (a * w * w).sum()


@pytest.mark.parametrize("adaptive", [False, True])
def test_sam_step_matches_a_hand_computation_on_a_quadratic(adaptive):
    a = torch.tensor([1.0, 4.0, 0.5], dtype=torch.float64)
    # |w0| * g and g have different norms, so ASAM's scaled norm is told from the plain one.
    w0 = torch.tensor([1.0, -0.5, 3.0], dtype=torch.float64)
    rho, lr = 0.3, 0.1
    w = torch.nn.Parameter(w0.clone())
    opt = SAM([w], torch.optim.SGD, rho=rho, adaptive=adaptive, lr=lr)

    def closure():
        opt.zero_grad()
        loss = _quadratic(w, a)
        loss.backward()
        return loss

    closure()
    opt.step(closure)
    # By hand: gradient a*w; ascent e; descent with the gradient at w + e.
    g = a * w0
    if adaptive:
        e = rho * w0**2 * g / torch.linalg.norm(w0.abs() * g)
    else:
        e = rho * g / torch.linalg.norm(g)
    expected = w0 - lr * a * (w0 + e)
    torch.testing.assert_close(w.detach(), expected)


def test_sam_two_calls_equal_step_and_momentum_follows_the_base_optimizer():
    a = torch.tensor([2.0, 0.5])
    groups = [torch.tensor([1.0, 1.0]), torch.tensor([-1.0, 3.0])]
    rho, lr, momentum = 0.2, 0.05, 0.9
    params = [torch.nn.Parameter(g.clone()) for g in groups]
    opt = SAM(
        [{"params": [params[0]]}, {"params": [params[1]], "rho": 0.4}],
        rho=rho,
        lr=lr,
        momentum=momentum,
        weight_decay=0.01,
    )
    # Reference: plain SGD fed with gradients taken at the perturbed point by hand.
    ref = [torch.nn.Parameter(g.clone()) for g in groups]
    ref_opt = torch.optim.SGD(ref, lr=lr, momentum=momentum, weight_decay=0.01)
    for _ in range(3):
        opt.zero_grad()
        sum(_quadratic(p, a) for p in params).backward()
        opt.first_step(zero_grad=True)
        sum(_quadratic(p, a) for p in params).backward()
        opt.second_step(zero_grad=True)

        grads = [a * p.detach() for p in ref]
        norm = torch.sqrt(sum((g**2).sum() for g in grads))
        for p, g, r in zip(ref, grads, (rho, 0.4)):
            p.grad = a * (p.detach() + r * g / norm)
        ref_opt.step()
    for p, r in zip(params, ref):
        torch.testing.assert_close(p.detach(), r.detach())


@pytest.mark.parametrize(
    "base, momentum", [(None, 0.9), (torch.optim.SGD, 0.9), (torch.optim.AdamW, None)]
)
def test_estimator_sam_gets_sgd_momentum_only_around_sgd(base, momentum):
    """optimizer="sam" defaults to SGD with momentum 0.9; around another base optimizer
    (AdamW takes no momentum) the SGD default is not passed."""
    X = np.random.default_rng(0).normal(size=(60, 4)).astype(np.float32)
    y = np.arange(60) % 2
    routed = {} if base is None else {"optimizer__base_optimizer": base}
    clf = ImbalancedNetClassifier(optimizer="sam", max_epochs=1, random_state=0, **routed)
    inner = clf.fit(X, y).net_.optimizer_.base_optimizer
    assert type(inner) is (base or torch.optim.SGD)
    assert inner.param_groups[0].get("momentum") == momentum


class _ZeroGradients(Callback):
    """Clips every gradient to 0 (as GradientNormClipping with max_norm=0 would)."""

    def on_train_begin(self, net, **kwargs):
        self.start = {k: v.clone() for k, v in net.module_.named_parameters()}

    def on_grad_computed(self, net, named_parameters, **kwargs):
        for _, param in named_parameters:
            if param.grad is not None:
                param.grad.zero_()


@pytest.mark.parametrize("optimizer", ["sgd", "sam"])
def test_callbacks_see_the_gradient_the_optimizer_steps_with(optimizer):
    """Under SAM that is the gradient at the perturbed point: clipping the first one
    would leave the step as it was."""
    X = np.random.default_rng(0).normal(size=(60, 4)).astype(np.float32)
    y = np.arange(60) % 2
    clf = ImbalancedNetClassifier(
        module="mlp", optimizer=optimizer, weight_decay=0.0, lr=0.1, max_epochs=2,
        callbacks=[("zero", _ZeroGradients())], random_state=0,
    ).fit(X, y)  # fmt: skip
    start = dict(clf.net_.callbacks_)["zero"].start
    for name, param in clf.net_.module_.named_parameters():
        assert torch.equal(param, start[name]), name


def test_sam_shares_groups_with_the_base_optimizer():
    w = torch.nn.Parameter(torch.ones(2))
    opt = SAM([w], lr=0.1, momentum=0.9)
    opt.param_groups[0]["lr"] = 0.01  # what an lr schedule does
    assert opt.base_optimizer.param_groups[0]["lr"] == 0.01
    extra = torch.nn.Parameter(torch.ones(3))
    opt.add_param_group({"params": [extra]})  # MiSLAS's weight scaling does this
    assert opt.base_optimizer.param_groups[1]["momentum"] == 0.9
    (w.sum() + extra.sum()).backward()
    opt.first_step()
    (w.sum() + extra.sum()).backward()
    opt.second_step()
    with pytest.raises(ValueError, match="closure"):
        opt.step()
    with pytest.raises(InvalidParameterError):
        SAM([w], rho=-1.0, lr=0.1)


@pytest.mark.parametrize("base", [SAM, torch.optim.LBFGS], ids=["SAM", "LBFGS"])
def test_sam_refuses_a_base_optimizer_that_steps_from_a_closure(base):
    # SAM's second step calls the base optimizer's step without a closure.
    with pytest.raises(TypeError, match=rf"{base.__name__} re-evaluates the loss itself"):
        SAM([torch.nn.Parameter(torch.ones(2))], base, lr=0.1)
    X = np.random.default_rng(0).normal(size=(40, 4)).astype(np.float32)
    clf = ImbalancedNetClassifier(optimizer="sam", optimizer__base_optimizer=SAM, max_epochs=1)
    with pytest.raises(ValueError, match=r"SAM re-evaluates the loss itself.*SGD\.$"):
        clf.fit(X, np.arange(40) % 2)
    assert not hasattr(clf, "net_")


def _sam_steps(params, opt, n):
    a = torch.tensor([2.0, 0.5])
    for _ in range(n):
        opt.zero_grad()
        sum(_quadratic(p, a) for p in params).backward()
        opt.first_step(zero_grad=True)
        sum(_quadratic(p, a) for p in params).backward()
        opt.second_step(zero_grad=True)


def _sam_with_momentum(params):
    return SAM(
        [{"params": [params[0]]}, {"params": [params[1]], "rho": 0.4}], lr=0.05, momentum=0.9
    )


def test_sam_state_dict_resumes_with_the_base_optimizers_momentum():
    params = [torch.nn.Parameter(torch.tensor([1.0, -2.0])) for _ in range(2)]
    opt = _sam_with_momentum(params)
    _sam_steps(params, opt, 2)
    saved = copy.deepcopy(opt.state_dict())
    resumed = [torch.nn.Parameter(p.detach().clone()) for p in params]
    resumed_opt = _sam_with_momentum(resumed)
    resumed_opt.load_state_dict(saved)
    assert resumed_opt.base_optimizer.param_groups is resumed_opt.param_groups
    _sam_steps(params, opt, 2)
    _sam_steps(resumed, resumed_opt, 2)
    for p, r in zip(params, resumed):
        torch.testing.assert_close(r.detach(), p.detach())


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_sam_copies_with_its_base_optimizer(how):
    params = [torch.nn.Parameter(torch.tensor([1.0, -2.0])) for _ in range(2)]
    opt = _sam_with_momentum(params)
    _sam_steps(params, opt, 2)
    copy_of = copy.deepcopy if how == "deepcopy" else lambda o: pickle.loads(pickle.dumps(o))
    copied, copied_opt = copy_of((params, opt))
    assert copied_opt.base_optimizer.param_groups is copied_opt.param_groups
    _sam_steps(params, opt, 2)
    _sam_steps(copied, copied_opt, 2)
    for p, c in zip(params, copied):
        torch.testing.assert_close(c.detach(), p.detach())


# ----------------------------------------------------------------- Cutout and CutMix
def test_cutout_matches_the_authors_loop():
    images = torch.rand(6, 3, 10, 12)
    cy = torch.tensor([0, 9, 5, 3, 7, 2])
    cx = torch.tensor([0, 11, 6, 1, 10, 5])
    got = _cutout_at(images, cy, cx, size=4)
    expected = images.clone()
    for i in range(6):  # Cutout's code: clip(c - size // 2), clip(c + size // 2)
        y1, y2 = np.clip([cy[i] - 2, cy[i] + 2], 0, 10)
        x1, x2 = np.clip([cx[i] - 2, cx[i] + 2], 0, 12)
        expected[i, :, y1:y2, x1:x2] = 0
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("size", [1, 3, 4])
def test_cutout_cuts_a_square_of_the_size_inside_the_image(size):
    images = torch.ones(2, 3, 9, 9)
    got = _cutout_at(images, torch.tensor([4, 0]), torch.tensor([4, 0]), size=size)
    holes = (got == 0).all(dim=1).sum(dim=(1, 2))
    # The centred square whole; at the corner, its share inside the image.
    assert holes.tolist() == [size * size, (size - size // 2) ** 2]


def test_cutout_refuses_a_square_that_blanks_every_image():
    """The CIFAR side of 16 on 8x8 images covers each image whole wherever it falls:
    the network would learn from blank images, and predict the majority class."""
    with pytest.raises(
        ValueError, match=r"cutout's size=15 blanks every 8x8 image whole .*\(4 here"
    ):
        cutout(torch.ones(4, 3, 8, 8), size=15)
    # One pixel less leaves the far corner of an image whose square falls at the other.
    assert bool(
        (
            _cutout_at(torch.ones(1, 1, 8, 8), torch.tensor([0]), torch.tensor([0]), size=14) == 1
        ).any()
    )
    assert cutout(torch.ones(4, 3, 4, 32), size=16).shape == (4, 3, 4, 32)  # stripes
    with pytest.raises(ValueError, match="leave Cutout out, an image of one pixel"):
        cutout(torch.ones(4, 3, 1, 1), size=1)
    images, y, _, _ = load_digits_lt(imbalance_ratio=2, as_images=True)
    clf = ImbalancedNetClassifier(
        module="resnet32", augment=RandAugment(cutout_size=16), max_epochs=1, device="cpu"
    )
    with pytest.raises(ValueError, match="RandAugment's cutout_size=16 blanks every 8x8 image"):
        clf.fit(images, y)


def test_cutout_fills_integer_images_with_a_value_they_hold():
    """uint8 images take a whole fill in [0, 255]; a fraction (which torch would round
    to 0) or 300 (which torch refuses) is refused, named."""
    images = torch.full((4, 3, 16, 16), 200, dtype=torch.uint8)
    torch.manual_seed(0)
    out = cutout(images, size=8, fill=128)
    assert out.dtype == torch.uint8 and set(out.unique().tolist()) == {128, 200}
    for fill in (0.5, 300, -1):
        with pytest.raises(ValueError, match=rf"fill={fill}.*dtype torch.uint8.*\[0, 255\]"):
            cutout(images, size=8, fill=fill)
    with pytest.raises(ValueError, match="fill=100000.0 .* dtype torch.float16"):
        cutout(images.half(), size=8, fill=1e5)


def test_cutout_draws_from_the_global_generator_per_image():
    images = torch.ones(64, 3, 32, 32)
    torch.manual_seed(3)
    a = cutout(images, size=16)
    torch.manual_seed(3)
    b = cutout(images, size=16)
    torch.testing.assert_close(a, b)
    holes = (a == 0).all(dim=1).sum(dim=(1, 2))
    assert len(torch.unique(holes)) > 3  # squares clipped differently per image
    assert int(holes.max()) == 256 and bool((holes > 0).all())


def test_paste_box_matches_a_loop_and_reports_the_own_share():
    images = torch.arange(4, dtype=torch.float32).reshape(4, 1, 1, 1).expand(4, 2, 8, 8)
    partner = torch.tensor([1, 0, 3, 2])
    top, left = torch.tensor([0, 2, 5, 8]), torch.tensor([0, 3, 1, 8])
    bottom, right = torch.tensor([4, 8, 8, 8]), torch.tensor([8, 5, 7, 8])
    mixed, share = paste_box(images, partner, top, left, bottom, right)
    expected = images.clone()
    for i in range(4):
        expected[i, :, top[i] : bottom[i], left[i] : right[i]] = images[partner[i], 0, 0, 0]
    torch.testing.assert_close(mixed, expected)
    own = (mixed == images).all(dim=1).float().mean(dim=(1, 2))
    torch.testing.assert_close(share, own)


def test_paste_box_clips_a_box_past_the_border_in_its_own_share():
    images = torch.arange(4, dtype=torch.float32).reshape(4, 1, 1, 1).expand(4, 2, 8, 8)
    partner = torch.tensor([1, 0, 3, 2])
    # Past the bottom right, past the top left, past one border only, wholly outside.
    top, left = torch.tensor([4, -4, 6, 9]), torch.tensor([4, -4, 0, 0])
    bottom, right = torch.tensor([12, 4, 10, 12]), torch.tensor([12, 4, 8, 8])
    mixed, share = paste_box(images, partner, top, left, bottom, right)
    own = (mixed == images).all(dim=1).float().mean(dim=(1, 2))
    torch.testing.assert_close(share, own)
    torch.testing.assert_close(share, torch.tensor([0.75, 0.75, 0.75, 1.0]))


@pytest.mark.parametrize(
    "images, partner, message",
    [
        (torch.rand(3, 8, 8), torch.tensor([1, 0, 2]), r"got \(3, 8, 8\)"),
        (np.random.rand(3, 1, 8, 8), torch.tensor([1, 0, 2]), "got ndarray"),
        (
            torch.rand(3, 1, 8, 8),
            torch.tensor([1, 0]),
            r"shape \(3,\).*got a tensor of shape \(2,\)",
        ),
        (torch.rand(3, 1, 8, 8), torch.tensor([1.0, 0.0, 2.0]), "integer tensor.*torch.float32"),
        (torch.rand(3, 1, 8, 8), [1, 0, 2], "integer tensor.*got list"),
    ],
)
def test_paste_box_refuses_what_is_not_a_batch_and_its_partners(images, partner, message):
    with pytest.raises(ValueError, match=f"paste_box needs .*{message}"):
        paste_box(images, partner, 0, 0, 4, 4)


def test_paste_box_reads_uint8_partners_as_indices():
    images = torch.arange(3.0).reshape(3, 1, 1, 1).expand(3, 1, 4, 4)
    partner = torch.tensor([1, 2, 0])
    expected = paste_box(images, partner, 0, 0, 2, 2)
    got = paste_box(images, partner.to(torch.uint8), 0, 0, 2, 2)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("shape", [(2, 3, 0, 8), (2, 3, 8, 0), (2, 0, 8, 8)])
@pytest.mark.parametrize("augment", [cutout, cutmix, rand_augment])
def test_image_augmentations_refuse_images_without_pixels(augment, shape):
    with pytest.raises(ValueError, match=r"with at least one channel and one pixel; got \("):
        augment(torch.rand(shape))


def test_cutmix_share_is_the_fraction_of_own_pixels():
    torch.manual_seed(0)
    images = torch.arange(16, dtype=torch.float32).reshape(16, 1, 1, 1).expand(16, 3, 32, 32)
    mixed, partner, share = cutmix(images)
    own = (mixed == images).all(dim=1).float().mean(dim=(1, 2))
    moved = partner != torch.arange(16)
    torch.testing.assert_close(share[moved], own[moved])
    assert torch.equal(mixed[~moved], images[~moved])
    assert len(torch.unique(share)) == 1  # one box per batch, as the authors'


def test_cutmix_mixing_plan_drives_the_net_loss():
    torch.manual_seed(0)
    mixing = CutMix(p=1.0).bind(torch.tensor([30, 10, 3]), n_epochs=5, n_points=1, device="cpu")
    y = torch.tensor([0, 0, 1, 2, 0, 1])
    plan = mixing.plan(y, epoch=0)
    images = torch.randn(6, 3, 16, 16)
    mixed = plan.apply(images)
    own = (mixed == images).all(dim=1).float().mean(dim=(1, 2))
    moved = plan.partner != torch.arange(6)
    torch.testing.assert_close(plan.label_weight[moved], own[moved])
    # The net's mixed loss with these label weights, against the formula by hand.
    logits = torch.randn(6, 3)
    net = types.SimpleNamespace(criterion_=CrossEntropyLoss([30, 10, 3]))
    net.per_sample_loss = lambda *args: ImbalanceNet.per_sample_loss(net, *args)
    got = ImbalanceNet.mixed_loss(net, logits, y, None, plan)
    lam = plan.label_weight
    ce = F.cross_entropy(logits, y, reduction="none")
    ce_partner = F.cross_entropy(logits, y[plan.partner], reduction="none")
    torch.testing.assert_close(got, (lam * ce + (1 - lam) * ce_partner).mean())
    assert (
        CutMix(p=0.0).bind(torch.tensor([3, 1, 1]), n_epochs=1, n_points=1, device="cpu").plan(y, 0)
        is None
    )


def test_cutmix_trains_the_estimator_reproducibly(digits):
    X, y = digits
    images = X.reshape(-1, 1, 8, 8)
    params = dict(
        module="mlp", mixing=CutMix(p=1.0), max_epochs=2, module__hidden_sizes=(16,), random_state=0
    )
    a = ImbalancedNetClassifier(**params).fit(images, y).predict_proba(images)
    b = ImbalancedNetClassifier(**params).fit(images, y).predict_proba(images)
    plain = ImbalancedNetClassifier(**{**params, "mixing": None}).fit(images, y)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, plain.predict_proba(images))


# ----------------------------------------------------------------- RandAugment
def _uint8_batch(n=4, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, 12, 12), generator=gen).to(torch.uint8)


def _pil(image):
    pytest.importorskip("PIL", reason="the colour operations are checked against Pillow")
    return Image.fromarray(image.permute(1, 2, 0).numpy())


def _from_pil(image):
    return torch.from_numpy(np.array(image)).permute(2, 0, 1).float() / 255.0


PIL_OPS = {
    "brightness": lambda im, f: ImageEnhance.Brightness(im).enhance(f),
    "color": lambda im, f: ImageEnhance.Color(im).enhance(f),
    "contrast": lambda im, f: ImageEnhance.Contrast(im).enhance(f),
    "sharpness": lambda im, f: ImageEnhance.Sharpness(im).enhance(f),
    "posterize": lambda im, bits: ImageOps.posterize(im, bits),
    "solarize": lambda im, t: ImageOps.solarize(im, t),
    "autocontrast": lambda im, _: ImageOps.autocontrast(im),
}


@pytest.mark.parametrize("name", sorted(PIL_OPS))
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_colour_operations_match_pil(name, sign):
    batch = _uint8_batch()
    strengths = _magnitudes(15, 12, 12)
    n = batch.shape[0]
    op = torch.full((n,), RAND_AUGMENT_OPS.index(name))
    got = _apply_op(batch.float() / 255.0, op, torch.full((n,), sign), strengths)
    if name in ("brightness", "color", "contrast", "sharpness"):
        arg = 1.0 + sign * strengths[name]
    elif name == "posterize":
        arg = strengths["posterize"]
    elif name == "solarize":
        arg = round(strengths["solarize"] * 255)
    else:
        arg = None
    for i in range(n):
        expected = _from_pil(PIL_OPS[name](_pil(batch[i]), arg))
        # PIL rounds to 8 bits (and its contrast uses a rounded mean).
        torch.testing.assert_close(got[i], expected, atol=2.5 / 255, rtol=0)


def test_geometric_operations_match_hand_warps():
    gen = torch.Generator().manual_seed(1)
    images = torch.rand(3, 2, 8, 8, generator=gen)
    strengths = dict(_magnitudes(30, 8, 8))
    strengths.update(rotate=90.0, translate_x=3.0, translate_y=2.0)
    n = images.shape[0]

    def run(name, sign):
        op = torch.full((n,), RAND_AUGMENT_OPS.index(name))
        return _apply_op(images, op, torch.full((n,), sign), strengths)

    # A quarter turn maps pixel centres onto pixel centres: torch.rot90 one way or the other.
    rotated = run("rotate", 1.0)
    assert torch.equal(rotated, torch.rot90(images, 1, (2, 3))) or torch.equal(
        rotated, torch.rot90(images, -1, (2, 3))
    )
    # Whole-pixel translations with black fill.
    shifted = run("translate_x", 1.0)
    expected = torch.zeros_like(images)
    expected[..., :-3] = images[..., 3:]
    other = torch.zeros_like(images)
    other[..., 3:] = images[..., :-3]
    assert torch.equal(shifted, expected) or torch.equal(shifted, other)
    # Shear: output pixel (r, c) reads input column round(c + 0.3 * y), y about the centre.
    sheared = run("shear_x", 1.0)
    expected = torch.zeros_like(images)
    for r in range(8):
        for c in range(8):
            x_in = (c + 0.5 - 4) + 0.3 * (r + 0.5 - 4) + 4 - 0.5
            src = math.floor(x_in + 0.5)
            if 0 <= src < 8:
                expected[:, :, r, c] = images[:, :, r, src]
    torch.testing.assert_close(sheared, expected)


def test_rand_augment_chooses_an_operation_per_image():
    images = torch.rand(64, 3, 8, 8)
    torch.manual_seed(0)
    out = rand_augment(images, n_ops=1, magnitude=30, ops=("identity", "solarize"))
    solarized = torch.where(images >= 0.0, 1.0 - images, images)  # threshold 0 at m=30
    same = (out == images).flatten(1).all(1)
    flipped = torch.isclose(out, solarized).flatten(1).all(1)
    assert bool((same | flipped).all())
    assert 10 < int(same.sum()) < 54  # both choices occur, per image
    torch.manual_seed(0)
    again = rand_augment(images, n_ops=1, magnitude=30, ops=("identity", "solarize"))
    assert torch.equal(out, again)


def test_rand_augment_undoes_and_redoes_the_standardisation():
    mean, std = (0.49, 0.48, 0.45), (0.2, 0.2, 0.2)
    pixels = torch.rand(5, 3, 8, 8)
    m = torch.tensor(mean).reshape(1, 3, 1, 1)
    s = torch.tensor(std).reshape(1, 3, 1, 1)
    standardised = (pixels - m) / s
    out = rand_augment(standardised, n_ops=2, mean=mean, std=std, ops=("identity",))
    torch.testing.assert_close(out, standardised)
    torch.manual_seed(0)
    full = RandAugment(mean=mean, std=std, cutout_size=4)(standardised)
    assert full.shape == standardised.shape and torch.isfinite(full).all()
    # Checked when bound (the estimator binds it at the start of fit), not when built.
    with pytest.raises(InvalidParameterError, match="'magnitude' parameter of RandAugment"):
        RandAugment(magnitude=31).bind()
    with pytest.raises(ValueError, match="both mean and std"):
        RandAugment(mean=mean).bind()
    assert repr(RandAugment(cutout_size=4)) == "RandAugment(cutout_size=4)"


def test_the_rand_augment_function_as_augment_refuses_images_outside_0_1():
    # Its brightness, contrast, ... clamp to [0, 1]: uint8 images would come out blank.
    images = np.random.default_rng(0).integers(0, 256, (16, 3, 8, 8)).astype(np.float32)
    y = np.repeat([0, 1], 8)
    clf = ImbalancedNetClassifier(module="resnet32", augment=rand_augment, max_epochs=1)
    with pytest.raises(ValueError, match=r"augment=.*rand_augment.*pixel values in \[0, 1\]"):
        clf.fit(images, y)
    clf.fit(images / 255, y)
    with pytest.raises(ValueError, match=r"augment=.*rand_augment.* images"):
        clf.set_params(module="mlp").fit(np.zeros((16, 4), np.float32), y)  # rows of a table


def test_rand_augment_returns_an_empty_batch_as_it_is():
    # As cutout and cutmix: an empty batch is returned empty, not refused by torch.
    assert rand_augment(torch.rand(0, 3, 8, 8)).shape == (0, 3, 8, 8)


@pytest.mark.parametrize(
    ("mean", "std", "expected"),
    [
        (None, None, r"\[0, 1\].*values in \[0, 255\]"),
        (CIFAR10_MEAN, CIFAR10_STD, r"\[-2.43, 2.75\].*values in \[0, 255\]"),
    ],
    ids=["unit-range-given-uint8", "standardised-given-uint8"],
)
def test_rand_augment_refuses_images_outside_its_pixel_range(mean, std, expected):
    """Pixels it was not written for would leave blank images (the clamp to [0, 1] after
    undoing the standardisation): fit says so, with the range it found."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (16, 3, 8, 8)).astype(np.float32)
    images[0, 0, 0, :2] = (0, 255)  # the range the message reports, whatever the draw
    y = np.repeat([0, 1], 8)
    clf = ImbalancedNetClassifier(
        module="resnet32", augment=RandAugment(mean=mean, std=std), max_epochs=1
    )
    with pytest.raises(ValueError, match=r"augment=RandAugment.*pixel values in " + expected):
        clf.fit(images, y)
    assert not hasattr(clf, "net_")
    # Images read lazily from a Dataset are checked on their first items.
    with pytest.raises(ValueError, match=r"augment=RandAugment.*pixel values in " + expected):
        clf.fit(TensorDataset(torch.as_tensor(images)), y)
    # Brought into its range, the same images train.
    scaled = images / 255
    if mean is not None:
        m = np.asarray(mean, np.float32).reshape(1, 3, 1, 1)
        scaled = (scaled - m) / np.asarray(std, np.float32).reshape(1, 3, 1, 1)
    clf.fit(scaled, y)
    assert clf.predict(scaled).shape == (16,)


# ----------------------------------------------------------------- SURE's cosine classifier
def test_sure_cosine_classifier_is_cross_entropy_on_scaled_cosines():
    """The ``sure`` recipe's loss (LDAM, zero margins, s=8) on the cosine head is SURE's
    Classifier: cross-entropy on 8 * cos(feature, class weight)."""
    torch.manual_seed(0)
    features, weights = torch.randn(6, 5), torch.randn(3, 5)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    cos = F.normalize(features, dim=1) @ F.normalize(weights, dim=1).T
    expected = F.cross_entropy(8 * cos, y)
    params = get_recipe("sure", "cifar10_lt")
    assert (params["loss"], params["loss__max_m"]) == ("ldam", 0.0)
    got = LDAMLoss([10, 5, 2], max_m=0.0, s=params["loss__s"])(cos, y)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize(
    "augment, message",
    [
        (lambda x: rand_augment(x, magnitude=100), "'magnitude' parameter of rand_augment"),
        (lambda x: rand_augment(x, n_ops=-3), "'n_ops' parameter of rand_augment"),
        (lambda x: cutout(x, size=-5), "'size' parameter of cutout"),
        (lambda x: RandAugment(magnitude=100)(x), "'magnitude' parameter of RandAugment"),
        (lambda x: cutmix(x, alpha=0.0), "'alpha' parameter of cutmix"),
    ],
)
def test_augmentations_called_directly_check_their_parameters(augment, message):
    with pytest.raises(InvalidParameterError, match=message):
        augment(torch.rand(4, 3, 8, 8))


def test_rand_augment_refuses_integer_pixels():
    images = torch.full((4, 3, 8, 8), 200, dtype=torch.uint8)
    for augment in (rand_augment, RandAugment()):
        with pytest.raises(ValueError, match=r"float pixels; got .* torch.uint8.*float\(\) / 255"):
            augment(images)


def test_rand_augment_refuses_statistics_of_another_channel_count():
    with pytest.raises(ValueError, match="mean and std for 3 channels, but the images have 4"):
        rand_augment(torch.rand(4, 4, 8, 8), mean=CIFAR10_MEAN, std=CIFAR10_STD)


@pytest.mark.parametrize(
    "mean, std", [((0.5,), (0.0,)), ((0.5,), (-0.25,)), ((float("nan"),), (0.25,))]
)
def test_rand_augment_refuses_a_std_it_cannot_divide_by(mean, std):
    """A std of 0 (a constant channel) would make every augmented pixel infinite, and
    the fit diverge with advice about the learning rate."""
    images = np.random.default_rng(0).random((16, 1, 8, 8), dtype=np.float32)
    clf = ImbalancedNetClassifier(augment=RandAugment(mean=mean, std=std), max_epochs=1)
    with pytest.raises(ValueError, match="RandAugment needs finite means and positive, finite"):
        clf.fit(images, np.arange(16) % 2)
    with pytest.raises(ValueError, match="rand_augment needs finite means and positive"):
        rand_augment(torch.rand(4, 1, 8, 8), mean=mean, std=std)


def test_rand_augment_takes_its_statistics_as_arrays():
    images = torch.rand(4, 3, 8, 8)
    mean, std = np.asarray(CIFAR10_MEAN), torch.tensor(CIFAR10_STD)
    assert rand_augment(images, mean=mean, std=std).shape == images.shape


def test_randaugment_takes_its_statistics_as_arrays_as_rand_augment_does():
    images = torch.rand(4, 3, 8, 8)
    expected = []
    for mean, std in [
        (CIFAR10_MEAN, CIFAR10_STD),
        (np.asarray(CIFAR10_MEAN), np.asarray(CIFAR10_STD)),
        (torch.tensor(CIFAR10_MEAN), list(CIFAR10_STD)),
    ]:
        augment = RandAugment(mean=mean, std=std, crop_flip=False)
        torch.manual_seed(0)
        expected.append(augment(images))
        assert augment.n_channels == 3
    torch.testing.assert_close(expected[1], expected[0])
    torch.testing.assert_close(expected[2], expected[0])


def test_statistics_that_are_not_one_value_per_channel_are_refused_with_the_shape():
    """A nested list reads as statistics of shape (1, 3), not as those of one channel."""
    nested = {"mean": [list(CIFAR10_MEAN)], "std": [list(CIFAR10_STD)]}
    message = r"one value per channel, each of shape \(n_channels,\); got a mean of shape \(1, 3\)"
    with pytest.raises(ValueError, match=message):
        rand_augment(torch.rand(4, 3, 8, 8), **nested)
    with pytest.raises(ValueError, match=message):
        RandAugment(**nested)(torch.rand(4, 3, 8, 8))
    images = np.random.default_rng(0).random((16, 3, 8, 8), dtype=np.float32)
    clf = ImbalancedNetClassifier(module="resnet32", augment=RandAugment(**nested), max_epochs=1)
    with pytest.raises(ValueError, match=message):
        clf.fit(images, np.arange(16) % 2)


def test_rand_augment_shifts_by_each_side_and_takes_tiny_images():
    """A vertical shift is sized by the height, a horizontal one by the width (as
    torchvision); on images under 3 pixels a side every pixel is a border, which the
    sharpness filter leaves as it is."""
    strengths = _magnitudes(30, 8, 32)
    assert strengths["translate_y"] == int(150 / 331 * 8) and strengths["translate_x"] == int(
        150 / 331 * 32
    )
    torch.manual_seed(0)
    for side in (1, 2):
        images = torch.rand(6, 3, side, side)
        out = RandAugment(n_ops=2, magnitude=9)(images)
        assert out.shape == images.shape and torch.isfinite(out).all()
    tiny = torch.rand(4, 3, 2, 5)
    sharpened = rand_augment(tiny, n_ops=1, magnitude=30, ops=("sharpness",))
    torch.testing.assert_close(sharpened, tiny)


def test_rand_augment_draws_the_sign_of_a_strength_per_image():
    """Brightness at full magnitude darkens some images and brightens others."""
    images = torch.full((64, 3, 4, 4), 0.5)
    torch.manual_seed(0)
    out = rand_augment(images, n_ops=1, magnitude=30, ops=("brightness",))
    means = out.mean(dim=(1, 2, 3))
    assert bool((means < 0.4).any()) and bool((means > 0.6).any())


@pytest.mark.parametrize("magnitude", [0, 4, 30])
def test_randaugment_applies_its_settings(magnitude):
    images = torch.rand(16, 3, 8, 8)
    torch.manual_seed(0)
    got = RandAugment(n_ops=1, magnitude=magnitude, crop_flip=False)(images)
    torch.manual_seed(0)
    expected = rand_augment(images, n_ops=1, magnitude=magnitude)
    torch.testing.assert_close(got, expected)


def test_contrast_blends_towards_the_grayscale_mean_of_a_coloured_image():
    """PIL's Contrast blends with the mean of the grayscale image, not of the channels."""
    gen = torch.Generator().manual_seed(0)
    red = torch.stack(
        [
            torch.randint(200, 256, (4, 12, 12), generator=gen),
            torch.randint(0, 40, (4, 12, 12), generator=gen),
            torch.randint(0, 40, (4, 12, 12), generator=gen),
        ],
        dim=1,
    ).to(torch.uint8)
    strengths = _magnitudes(30, 12, 12)
    op = torch.full((4,), RAND_AUGMENT_OPS.index("contrast"))
    got = _apply_op(red.float() / 255.0, op, torch.full((4,), -1.0), strengths)
    for i in range(4):
        expected = _from_pil(PIL_OPS["contrast"](_pil(red[i]), 1.0 - strengths["contrast"]))
        torch.testing.assert_close(got[i], expected, atol=2.5 / 255, rtol=0)


def test_posterize_keeps_torchvisions_bits_at_every_magnitude():
    """torchvision: ``8 - (arange(31) / ((31 - 1) / 4)).round().int()``."""
    expected = (8 - (torch.arange(31) / 7.5).round().int()).tolist()
    assert [_magnitudes(m, 8, 8)["posterize"] for m in range(31)] == expected


def test_cutout_centres_fall_anywhere_on_a_non_square_image():
    """On 4x32 stripes the squares' centres cover the whole width, not the first 4 columns."""
    torch.manual_seed(0)
    out = cutout(torch.ones(256, 1, 4, 32), size=2)
    cut_cols = (out == 0).any(dim=2).squeeze(1).any(dim=0).nonzero().flatten()
    assert int(cut_cols.max()) >= 24
