"""One training step of the estimator against the same step computed by hand.

Each case trains a tiny module with fixed initial weights by plain SGD (no momentum, no
weight decay, a constant rate unless the rate is tested, the whole data set in one batch)
and records the parameters and the batch of every step. The test then recomputes a step
with plain torch operations, from the formulas of the methods page (losses, class
weights, label weights, mixed inputs, rates), and compares the result with the
parameters the estimator reached. The losses' kernels and the components' own helpers
are never called: only the random draws of a mixing (partner permutation, mixing share,
CutMix box centre) are read from the plan the estimator drew.
"""

import math

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_imbalance_dl import ImbalancedNetClassifier

LR = 0.1
# Six rows of three features; counts (3, 2, 1). Remix's tests set kappa = 1.5, so that every
# pair of two classes is imbalanced and a Remix rule applies whichever way lam falls.
X = np.array(
    [
        [1.0, 0.0, 2.0],
        [0.0, 1.0, -1.0],
        [2.0, 2.0, 0.0],
        [-1.0, 0.5, 1.0],
        [0.5, -2.0, 1.0],
        [1.5, 1.0, -0.5],
    ],
    dtype=np.float32,
)
Y = np.array([0, 0, 0, 1, 1, 2])
COUNTS = torch.tensor([3.0, 2.0, 1.0], dtype=torch.float64)
N_CLASSES = 3


class StepRecorder(Callback):
    """Records, before each training step: the epoch, the parameters, the batch; and the
    mixing plan each step draws."""

    def initialize(self):
        self.steps = []
        return self

    def on_train_begin(self, net, **kwargs):
        mixing = net.mixing_
        if mixing is not None:
            draw_plan = mixing.plan

            def recording_plan(y, epoch):
                plan = draw_plan(y, epoch)
                self.steps[-1]["plan"] = plan
                return plan

            mixing.plan = recording_plan

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            params = {n: p.detach().clone() for n, p in net.module_.named_parameters()}
            self.steps.append(
                {"epoch": net.current_epoch, "params": params, "batch": batch, "plan": None}
            )


class Cosine(torch.nn.Module):
    """A cosine classifier, written out: normalize(x) @ normalize(W) (columns)."""

    head_kind = "cosine"  # what the losses on cosines ask of a module without CosineLinear

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(n_features, n_classes))

    def forward(self, x):
        return _cosine(x, self.weight)


def _cosine(x, weight):
    return (x / x.norm(dim=1, keepdim=True)) @ (weight / weight.norm(dim=0, keepdim=True))


def _fit(module, X=X, y=Y, sample_weight=None, **params):
    """Fit with plain SGD, full batches; returns the estimator and its recorded steps."""
    clf = ImbalancedNetClassifier(
        module=module,
        optimizer="sgd",
        optimizer__momentum=0.0,
        lr=LR,
        weight_decay=0.0,
        batch_size=len(X),
        random_state=0,
        callbacks=[("steps", StepRecorder())],
        **{"max_epochs": 1, "lr_schedule": "constant", **params},
    ).fit(X, y, sample_weight=sample_weight)
    return clf, dict(clf.net_.callbacks_)["steps"].steps


def _hand_step(params, loss_of, lr=LR):
    """``p - lr * d loss / d p`` for every parameter, in float64; ``lr`` a number or a
    function of the parameter's name."""
    rate = lr if callable(lr) else (lambda name: lr)
    leaves = {n: p.double().requires_grad_(True) for n, p in params.items()}
    loss_of(leaves).backward()
    return {n: (p if p.grad is None else p - rate(n) * p.grad).detach() for n, p in leaves.items()}


def _assert_params(got, expected, names=None):
    """``got``: a module (its parameters after training) or recorded parameters."""
    if isinstance(got, torch.nn.Module):
        got = dict(got.named_parameters())
    for name in names or expected:
        np.testing.assert_allclose(
            got[name].detach().double().numpy(),
            expected[name].numpy(),
            rtol=1e-4,
            atol=1e-6,
            err_msg=name,
        )


def _log_softmax(z):
    return z - torch.logsumexp(z, dim=1, keepdim=True)


def _nll(z, y):
    return -_log_softmax(z)[torch.arange(len(y)), y]


def _weighted_mean(per_sample, weight):
    return (weight * per_sample).sum() / weight.sum()


def _normalise(w):
    """Class weights scaled to sum to the number of classes."""
    return w / w.sum() * len(w)


def _margins(max_m):
    m = COUNTS.pow(-0.25)
    return m * max_m / m.max()


def _minus_target(z, y, margins):
    shift = torch.zeros_like(z)
    shift[torch.arange(len(y)), y] = margins[y]
    return z - shift


# ----------------------------------------------------------------------------- losses
# Per-sample losses of the methods page (section 1, 2, 3; label-aware smoothing from
# MiSLAS), as functions of the logits z, the labels y; with the class weights w_c they
# reduce to sum_i w_{y_i} l_i / sum_i w_{y_i} (uniform w: the plain mean).


def _class_balanced(z, y):
    beta = 0.9999  # the documented default
    w = _normalise((1 - beta) / (1 - beta**COUNTS))
    return _weighted_mean(_nll(z, y), w[y])


def _focal(z, y):
    ce = _nll(z, y)
    return ((1 - torch.exp(-ce)) ** 1.0 * ce).mean()  # gamma = 1


def _ldam(z, y):
    return _nll(30.0 * _minus_target(z, y, _margins(0.5)), y).mean()  # s = 30, max_m = 0.5


def _logit_adjusted(z, y):
    return _nll(z + 1.0 * torch.log(COUNTS / COUNTS.sum()), y).mean()  # tau = 1


def _balanced_softmax(z, y):
    return _nll(z + torch.log(COUNTS), y).mean()


def _cri(z, y):
    # s = 30, max_m = 0.1, gamma = 1; correction "zero": FL_i > -(1 - T) ln T set to 0.
    margin_loss = _nll(30.0 * _minus_target(z, y, _margins(0.1)), y)
    focal = (1 - torch.exp(-margin_loss)) * margin_loss
    threshold = -(1 - 1e-50) * math.log(1e-50)
    return torch.where(focal > threshold, torch.zeros_like(focal), focal).mean()


def _arb(z, y):
    # counts="batch": n_j counted in the batch; logits clamped to [-30, 30].
    z = z.clamp(-30.0, 30.0)
    n = torch.bincount(y, minlength=z.shape[1]).double()
    per_sample = [
        -(z[i, y[i]] - torch.log((n / n[y[i]] * torch.exp(z[i])).sum())) for i in range(len(y))
    ]
    return torch.stack(per_sample).mean()


def _label_aware_smoothing(z, y):
    # Concave shape, eps from 0.3 (most frequent class) to 0.0 (rarest).
    r = (COUNTS - COUNTS.min()) / (COUNTS.max() - COUNTS.min())
    eps = (0.0 + (0.3 - 0.0) * torch.sin(math.pi / 2 * r))[y]
    log_p = _log_softmax(z)
    per_sample = (1 - eps) * _nll(z, y) - eps * log_p.mean(dim=1)
    return per_sample.mean()


# ce and weighted_ce: tests/test_components.py::test_one_training_step_is_the_hand_computed_sgd_step
HAND_LOSSES = {
    "class_balanced": _class_balanced,
    "focal": _focal,
    "ldam": _ldam,
    "logit_adjusted": _logit_adjusted,
    "balanced_softmax": _balanced_softmax,
    "cri": _cri,
    "arb": _arb,
    "label_aware_smoothing": _label_aware_smoothing,
}
COSINE_LOSSES = {"ldam", "cri"}


@pytest.mark.parametrize("loss", sorted(HAND_LOSSES))
def test_one_sgd_step_of_each_loss_is_the_hand_step(loss):
    torch.manual_seed(0)
    if loss in COSINE_LOSSES:  # LDAM and CRI train on cosine logits
        module, forward = Cosine(3, N_CLASSES), lambda p, x: _cosine(x, p["weight"])
    else:
        module = torch.nn.Linear(3, N_CLASSES)
        forward = lambda p, x: x @ p["weight"].T + p["bias"]  # noqa: E731
    clf, steps = _fit(module, loss=loss)
    (step,) = steps
    Xb, yb = torch.as_tensor(step["batch"][0]).double(), torch.as_tensor(step["batch"][1])
    expected = _hand_step(step["params"], lambda p: HAND_LOSSES[loss](forward(p, Xb), yb))
    _assert_params(clf.net_.module_, expected)


# ----------------------------------------------------------------------------- schedules
def _linear_step(step, class_weight, loss_of=None):
    """The hand SGD step of a Linear module on the recorded batch, weighted CE."""
    Xb, yb = torch.as_tensor(step["batch"][0]).double(), torch.as_tensor(step["batch"][1])

    def loss(p):
        z = Xb @ p["weight"].T + p["bias"]
        return _weighted_mean(_nll(z, yb), class_weight[yb])

    return _hand_step(step["params"], loss_of or loss)


def _drw_weights():
    beta = 0.9999
    return _normalise((1 - beta) / (1 - beta**COUNTS))


def _ppw_weights(epoch, n_epochs=10):
    # q(e) = r(e)^5 between epochs 0.5 * 10 = 5 and 0.8 * 10 = 8; w_c ∝ (1/n_c)^q.
    r = min(max((epoch - 0.5 * n_epochs) / (0.3 * n_epochs), 0.0), 1.0)
    return _normalise((1 / COUNTS) ** (r**5))


UNIFORM = torch.ones(N_CLASSES, dtype=torch.float64)
SCHEDULE_CASES = [
    # (schedule, max_epochs, epoch of the checked step, hand class weights of that step)
    ("drw", 5, 3, UNIFORM),  # uniform until 0.8 * 5 = epoch 4
    ("drw", 5, 4, _drw_weights()),  # then class-balanced, beta = 0.9999
    ("ppw", 10, 5, _ppw_weights(5)),  # q = 0 up to the start
    ("ppw", 10, 6, _ppw_weights(6)),  # q = (1/3)^5 inside the window
    ("ppw", 10, 8, _ppw_weights(8)),  # q = 1 from the end: w ∝ 1 / n
]


@pytest.mark.parametrize("schedule, max_epochs, epoch, weights", SCHEDULE_CASES)
def test_reweighting_schedule_step_uses_the_documented_weights(
    schedule, max_epochs, epoch, weights
):
    torch.manual_seed(0)
    clf, steps = _fit(
        torch.nn.Linear(3, N_CLASSES), loss="ce", schedule=schedule, max_epochs=max_epochs
    )
    assert [s["epoch"] for s in steps] == list(range(max_epochs))
    expected = _linear_step(steps[epoch], weights)
    after = (
        steps[epoch + 1]["params"]
        if epoch + 1 < max_epochs
        else dict(clf.net_.module_.named_parameters())
    )
    for name, value in expected.items():
        np.testing.assert_allclose(
            after[name].detach().double().numpy(), value.numpy(), rtol=1e-4, atol=1e-6
        )


LR_CASES = [
    # (lr_schedule and its parameters, the rate's factor at epochs 0..3, by hand)
    ({"lr_schedule": "cosine"}, [1.0, (1 + math.cos(math.pi / 4)) / 2, 0.5, 0.1464466]),
    (
        {
            "lr_schedule": "warmup_step",
            "lr_schedule__warmup_epochs": 2,
            "lr_schedule__milestone_fractions": (0.5, 0.75),
            "lr_schedule__factors": (0.1, 0.01),
        },
        [0.5, 1.0, 0.1, 0.01],  # linear warm-up (e + 1) / 2, then x0.1 at 2, x0.01 at 3
    ),
    # The cosine spans the epochs after the warm-up: from 1 at epoch 2 to 0 at epoch 4.
    ({"lr_schedule": "cosine", "lr_schedule__warmup_epochs": 2}, [0.5, 1.0, 1.0, 0.5]),
]


@pytest.mark.parametrize(
    "params, factors", LR_CASES, ids=["cosine", "warmup_step", "cosine_after_warmup"]
)
def test_each_epoch_steps_at_the_scheduled_rate(params, factors):
    torch.manual_seed(0)
    clf, steps = _fit(torch.nn.Linear(3, N_CLASSES), loss="ce", max_epochs=4, **params)
    after = [s["params"] for s in steps[1:]] + [clf.net_.module_]
    for epoch, factor in enumerate(factors):
        Xb = torch.as_tensor(steps[epoch]["batch"][0]).double()
        yb = torch.as_tensor(steps[epoch]["batch"][1])

        def loss(p, Xb=Xb, yb=yb):
            return _nll(Xb @ p["weight"].T + p["bias"], yb).mean()

        _assert_params(after[epoch], _hand_step(steps[epoch]["params"], loss, LR * factor))


def _remix_label_weight(lam, y, partner, rho, kappa=1.5, tau=0.5):
    """Own-label weights of Remix / PPmix (methods page, section 2), sample by sample."""
    out = []
    for i, j in enumerate(partner.tolist()):
        ratio = COUNTS[y[i]] / COUNTS[y[j]]
        if lam < tau and ratio >= kappa:
            out.append(lam * (1 - rho))
        elif 1 - lam < tau and ratio <= 1 / kappa:
            out.append(lam * (1 - rho) + rho)
        else:
            out.append(lam)
    return torch.tensor(out, dtype=torch.float64)


def _mixed_step(step, own_share, label_weight, class_weight=UNIFORM, images=False):
    """Hand step on the mixed batch: inputs s_i x_i + (1 - s_i) x_j, loss
    sum_i (l_i w_{y_i} ce(y_i) + (1 - l_i) w_{y_j} ce(y_j)) / sum_i (l_i w_{y_i} + (1 - l_i)
    w_{y_j}), with s the own shares and l the own-label weights."""
    Xb, yb = torch.as_tensor(step["batch"][0]).double(), torch.as_tensor(step["batch"][1])
    partner = step["plan"].partner
    if own_share is not None:
        share = own_share.reshape(-1, *([1] * (Xb.ndim - 1)))
        mixed = share * Xb + (1 - share) * Xb[partner]
    else:
        mixed = images
    y_partner = yb[partner]

    def loss(p):
        z = mixed.reshape(len(yb), -1) @ p["weight"].T + p["bias"]
        lam = label_weight
        num = lam * class_weight[yb] * _nll(z, yb) + (1 - lam) * class_weight[y_partner] * _nll(
            z, y_partner
        )
        den = lam * class_weight[yb] + (1 - lam) * class_weight[y_partner]
        return num.sum() / den.sum()

    return _hand_step(step["params"], loss)


def test_ppl_step_reweights_and_remixes_by_the_phase():
    # PPL = PPW + PPmix. At epoch 7 of 10: r = (7 - 5) / 3, class weights (1/n)^(r^5),
    # Remix label weights at rho = r^3.
    torch.manual_seed(0)
    _, steps = _fit(
        torch.nn.Linear(3, N_CLASSES),
        loss="ce",
        schedule="ppl",
        schedule__kappa=1.5,
        max_epochs=10,
    )
    step = steps[7]
    plan = step["plan"]
    lam = float(plan.own_share[0])
    assert torch.all(plan.own_share == lam)  # one lam per batch
    r = 2 / 3
    yb = torch.as_tensor(step["batch"][1])
    label_weight = _remix_label_weight(lam, yb, plan.partner, rho=r**3)
    assert not torch.allclose(label_weight, plan.own_share.double())  # a rule applies
    np.testing.assert_allclose(plan.label_weight.double().numpy(), label_weight.numpy(), rtol=1e-6)
    expected = _mixed_step(step, plan.own_share.double(), label_weight, _ppw_weights(7))
    _assert_params(steps[8]["params"], expected)


def _staged_mlp_step(step, lr, head_only):
    """Hand step of an MLP with one hidden ReLU stage and a linear head."""
    Xb, yb = torch.as_tensor(step["batch"][0]).double(), torch.as_tensor(step["batch"][1])

    def loss(p):
        h = torch.relu(Xb @ p["stages.0.1.weight"].T + p["stages.0.1.bias"])
        if head_only:
            h = h.detach()
        return _nll(h @ p["head.weight"].T + p["head.bias"], yb).mean()

    return _hand_step(step["params"], loss, lr=lr)


def _fit_retraining(schedule, max_epochs):
    """An MLP (one hidden ReLU stage of 4, no batch norm) trained with CE, then re-trained
    by ``schedule`` for 2 epochs."""
    return _fit(
        "mlp",
        loss="ce",
        schedule=schedule,
        schedule__epochs=2,
        max_epochs=max_epochs,
        module__hidden_sizes=(4,),
        module__batch_norm=False,
    )


def test_crt_switches_to_head_retraining_after_max_epochs():
    # cRT: after max_epochs = 2, the head is re-initialised and trained alone for
    # schedule__epochs = 2 epochs, its rate restarting at lr with a cosine decay:
    # lr * (1 + cos(pi * k / 2)) / 2 at re-training epoch k = 0, 1.
    clf, steps = _fit_retraining("crt", max_epochs=2)
    assert [s["epoch"] for s in steps] == [0, 1, 2, 3]
    # Epoch 1: the whole network learns at lr.
    expected = _staged_mlp_step(steps[1], LR, head_only=False)
    _assert_params(steps[2]["params"], expected, ["stages.0.1.weight"])
    # Epoch 2: a new head (not the one epoch 1 ended with), features kept.
    assert not torch.allclose(steps[2]["params"]["head.weight"].double(), expected["head.weight"])
    after = [steps[3]["params"], clf.net_.module_]
    for k, lr in [(0, LR), (1, LR * 0.5)]:
        expected = _staged_mlp_step(steps[2 + k], lr, head_only=True)
        _assert_params(after[k], expected)  # the hidden stage unchanged, the head stepped


@pytest.mark.filterwarnings("ignore:schedule='mislas' re-trains the classifier for 2 epochs")
def test_mislas_stage_two_fine_tunes_the_head_with_label_aware_smoothing():
    # MiSLAS stage 2 after max_epochs = 1, for schedule__epochs = 2: the stage-1 head
    # kept (not re-initialised), features frozen, logits times a learnable per-class
    # scale (ones at first), label-aware smoothing (concave, 0.3 -> 0.0), rates
    # lr * (1 + cos(pi * k / 2)) / 2 for the scale and lr_factor = 0.5 times that for
    # the head, at stage-2 epoch k.
    clf, steps = _fit_retraining("mislas", max_epochs=1)
    assert [s["epoch"] for s in steps] == [0, 1, 2]
    stage_one = _staged_mlp_step(steps[0], LR, head_only=False)
    first = steps[1]["params"]
    _assert_params(
        {"stages.0.1.weight": first["stages.0.1.weight"], "head.weight": first["head.head.weight"]},
        stage_one,
        ["stages.0.1.weight", "head.weight"],
    )
    np.testing.assert_array_equal(first["head.scale"].numpy(), np.ones(N_CLASSES))
    after = [steps[2]["params"], clf.net_.module_]
    for k, rate in [(0, LR), (1, LR * 0.5)]:
        _assert_params(after[k], _mislas_step(steps[1 + k], rate))


def _mislas_step(step, rate):
    """Hand step of stage 2: label-aware smoothing on scaled logits of frozen features;
    the scale at ``rate``, the head at half of it."""
    Xb, yb = torch.as_tensor(step["batch"][0]).double(), torch.as_tensor(step["batch"][1])

    def loss(p):
        h = torch.relu(Xb @ p["stages.0.1.weight"].T + p["stages.0.1.bias"]).detach()
        z = (h @ p["head.head.weight"].T + p["head.head.bias"]) * p["head.scale"]
        return _label_aware_smoothing(z, yb)

    return _hand_step(
        step["params"], loss, lambda name: rate if name == "head.scale" else 0.5 * rate
    )


# ----------------------------------------------------------------------------- mixings
@pytest.mark.parametrize("mixing", ["mixup", "remix", "mfw"])
def test_one_mixed_step_is_the_hand_step(mixing):
    torch.manual_seed(0)
    params = {"mixing": mixing, "mixing__kappa": 1.5} if mixing == "remix" else {"mixing": mixing}
    if mixing == "mfw":
        params["mixing__layer"] = "input"
    clf, steps = _fit(torch.nn.Linear(3, N_CLASSES), loss="ce", **params)
    (step,) = steps
    plan = step["plan"]
    assert plan.point == 0  # at the input
    yb = torch.as_tensor(step["batch"][1])
    share = plan.own_share.double()
    if mixing in ("mixup", "remix"):
        lam = float(share[0])
        assert torch.all(share == lam)  # one lam per batch
        if mixing == "mixup":  # the label weight is the share
            label_weight = share
        else:  # Remix: its rules at full strength (rho = 1) from the first epoch
            label_weight = _remix_label_weight(lam, yb, plan.partner, rho=1.0)
            assert not torch.allclose(label_weight, share)  # a rule applies
    else:
        # Weakening probability 1 - n_min / n_c: the rarest class is never weakened; a
        # weakened sample keeps a share max(u, 1 - u) >= 0.5; the label follows the share.
        assert torch.all(share[yb == 2] == 1) and torch.all(share >= 0.5)
        label_weight = share
    np.testing.assert_allclose(plan.label_weight.double().numpy(), label_weight.numpy(), rtol=1e-6)
    expected = _mixed_step(step, share, label_weight)
    _assert_params(clf.net_.module_, expected)


def test_one_mixed_arb_step_counts_the_partner_labels_with_their_own_weights():
    # ARB's batch counts count a row of weight k as k rows. A partner's label comes with
    # its own row's weight: the partner term's counts are the batch's, as the own term's.
    torch.manual_seed(0)
    sample_weight = np.array([2.0, 1.0, 1.0, 1.0, 3.0, 1.0])
    clf, steps = _fit(
        torch.nn.Linear(3, N_CLASSES),
        loss="arb",
        mixing="mixup",
        sample_weight=sample_weight,
    )
    (step,) = steps
    Xb, yb, wb = step["batch"]
    Xb, yb, wb = torch.as_tensor(Xb).double(), torch.as_tensor(yb), torch.as_tensor(wb).double()
    plan = step["plan"]
    lam = float(plan.own_share[0])
    mixed = lam * Xb + (1 - lam) * Xb[plan.partner]
    n = torch.zeros(N_CLASSES, dtype=torch.float64).index_add_(0, yb, wb)
    # Counted by the weights (relative to their mean): classes 0 and 1 weigh the same.
    torch.testing.assert_close(n / n.sum(), torch.tensor([4.0, 4.0, 1.0]).double() / 9)

    def arb(z, y):
        return torch.logsumexp(z + n.log(), dim=1) - n.log()[y] - z.gather(1, y[:, None])[:, 0]

    def loss(p):
        z = (mixed @ p["weight"].T + p["bias"]).clamp(-30.0, 30.0)
        per_sample = lam * arb(z, yb) + (1 - lam) * arb(z, yb[plan.partner])
        return (wb * per_sample).sum() / len(yb)

    _assert_params(clf.net_.module_, _hand_step(step["params"], loss))


def test_one_cutmix_step_is_the_hand_step():
    # Images 1 x 6 x 6. CutMix (Yun et al.'s rand_bbox): box sides int(6 sqrt(1 - lam)),
    # centred at the drawn (cy, cx), clipped; the partner's box pasted; the own label
    # weighted by the own pixels kept.
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    images = rng.normal(size=(6, 1, 6, 6)).astype(np.float32)
    module = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(36, N_CLASSES))
    clf, steps = _fit(module, X=images, loss="ce", mixing="cutmix", mixing__p=1.0)
    (step,) = steps
    plan = step["plan"]
    Xb = torch.as_tensor(step["batch"][0]).double()
    cut = math.sqrt(1 - plan.lam)
    cut_h, cut_w = int(6 * cut), int(6 * cut)
    cy, cx = int(plan.centre[0] * 6), int(plan.centre[1] * 6)
    top, bottom = np.clip(cy - cut_h // 2, 0, 6), np.clip(cy + cut_h // 2, 0, 6)
    left, right = np.clip(cx - cut_w // 2, 0, 6), np.clip(cx + cut_w // 2, 0, 6)
    mixed = Xb.clone()
    mixed[:, :, top:bottom, left:right] = Xb[plan.partner][:, :, top:bottom, left:right]
    own = 1 - (bottom - top) * (right - left) / 36
    # A sample paired with itself keeps all of its own pixels.
    own = torch.where(plan.partner == torch.arange(6), 1.0, own).double()
    np.testing.assert_allclose(plan.label_weight.double().numpy(), own.numpy(), rtol=1e-6)
    params = {n.replace("1.", "", 1): p for n, p in step["params"].items()}
    step = {**step, "params": params}
    expected = _mixed_step(step, None, own, images=mixed)
    _assert_params(clf.net_.module_[1], expected)


# ----------------------------------------------------------------------------- members
class TwoMembers(torch.nn.Module):
    """A staged module whose head packs two members (the head of ``TabularNet(n_members=2)``):
    one linear stage gives (N, 2 * 2), each member's linear head reads its half."""

    def __init__(self):
        super().__init__()
        from sklearn_imbalance_dl.modules._tabular import _EnsembleHead

        self.stages = torch.nn.ModuleList([torch.nn.Linear(3, 4)])
        self.head = _EnsembleHead("linear", 2, N_CLASSES, 2)

    def forward(self, x):
        return self.head(self.stages[0](x))


def test_packed_members_each_train_on_their_own_loss():
    """TabM's rule: the step descends the mean of the members' losses, not the loss of
    their mean logit (which the module predicts with)."""
    torch.manual_seed(0)
    clf, steps = _fit(TwoMembers(), loss="ce")
    (step,) = steps
    Xb, yb = torch.as_tensor(step["batch"][0]).double(), torch.as_tensor(step["batch"][1])

    def loss(p):
        h = Xb @ p["stages.0.weight"].T + p["stages.0.bias"]
        member_losses = [
            _nll(h[:, 2 * j : 2 * j + 2] @ p[f"head.members.{j}.weight"].T
                 + p[f"head.members.{j}.bias"], yb).mean()
            for j in range(2)
        ]  # fmt: skip
        return sum(member_losses) / 2

    _assert_params(clf.net_.module_, _hand_step(step["params"], loss))
    logits = clf.net_.module_(torch.as_tensor(X))
    members = clf.net_.module_.head.member_logits(clf.net_.module_.stages[0](torch.as_tensor(X)))
    torch.testing.assert_close(logits, members.mean(0))
