"""Schedules and mixing, checked against docs/methods.md and hand computations."""

from functools import partial

import numpy as np
import pytest
import torch
from _params import assert_invalid_parameter
from skorch.callbacks import Callback
from torch.utils.data import TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl._builder import build_training
from sklearn_imbalance_dl.callbacks import EMA, SWA, ClassDiagnostics
from sklearn_imbalance_dl.datasets import load_digits_lt
from sklearn_imbalance_dl.mixing import (
    MajorFeatureWeakening,
    PhasedRemix,
    remix_label_weight,
    weakening_probabilities,
)
from sklearn_imbalance_dl.mixing._mixing import MixPlan
from sklearn_imbalance_dl.modules import MLP, ResNet32, forward_staged
from sklearn_imbalance_dl.schedules import (
    ClassifierRetraining,
    DeferredReweighting,
    LRSchedule,
    MiSLASRetraining,
    PhasedProgressiveLearning,
    PhasedProgressiveSampling,
    ProgressiveReweighting,
)
from tests._combinations import (
    COMBINATIONS,
    LOSS_NAMES,
    PAIRWISE,
    SHORT_RETRAINING,
    SHORT_RUN_PHASES,
    VALID,
    balances_twice,
    check_trained,
    fit_combination,
    invalid_reason,
)

CIFAR10_LT_COUNTS = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]


# ----------------------------------------------------------------------------- PPW / DRW
@pytest.mark.parametrize(
    "epoch, q",
    [
        (100, 0.0),
        (120, 0.0041),
        (130, 0.0312),
        (140, 0.1317),
        (150, 0.4019),
        (155, 0.6472),
        (159, 0.9194),
        (160, 1.0),
        (199, 1.0),
    ],
)
def test_ppw_progress_matches_methods_md(epoch, q):
    ppw = ProgressiveReweighting().bind(CIFAR10_LT_COUNTS, n_epochs=200)
    # docs/methods.md rounds to 4 decimals (0.03125 is printed 0.0312).
    assert ppw.progress(epoch) == pytest.approx(q, abs=5.1e-5)


@pytest.mark.parametrize(
    "epoch, expected",
    [
        (150, [0.335, 0.411, 0.505, 0.620, 0.762, 0.936, 1.150, 1.413, 1.738, 2.130]),
        (160, [0.040, 0.067, 0.112, 0.187, 0.312, 0.520, 0.867, 1.447, 2.424, 4.024]),
        (50, [1.0] * 10),
    ],
)
def test_ppw_weights_match_methods_md(epoch, expected):
    ppw = ProgressiveReweighting().bind(CIFAR10_LT_COUNTS, n_epochs=200)
    np.testing.assert_allclose(ppw.class_weights(epoch).numpy(), expected, atol=1.5e-3)


def test_drw_weights_switch_at_160_of_200():
    drw = DeferredReweighting().bind(CIFAR10_LT_COUNTS, n_epochs=200)
    np.testing.assert_array_equal(drw.class_weights(159).numpy(), np.ones(10))
    expected = [0.051, 0.077, 0.121, 0.195, 0.319, 0.525, 0.868, 1.443, 2.409, 3.993]
    np.testing.assert_allclose(drw.class_weights(160).numpy(), expected, atol=1.5e-3)


# ------------------------------------------------------------------ phased sampler
@pytest.mark.parametrize("epoch", [0, 30, 100, 150, 160, 199])
def test_phased_sampler_mixes_the_proportions_and_balance_as_the_authors_code(epoch):
    pps = PhasedProgressiveSampling().bind(CIFAR10_LT_COUNTS, n_epochs=200)
    counts = np.array(CIFAR10_LT_COUNTS, dtype=np.float64)
    # The authors' code: epoch_min 30, epoch_max 160, alpha 5, the class drawn from
    # w * class_p + (1 - w) * instance_p.
    w = min(max((epoch - 30) / 130, 0.0), 1.0) ** 5
    expected = w * np.full(10, 0.1) + (1 - w) * counts / counts.sum()
    np.testing.assert_allclose(pps.class_probabilities(epoch).numpy(), expected, rtol=1e-12)


class BatchLabels(Callback):
    """Records the labels of each epoch's training batches."""

    def initialize(self):
        self.epochs = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.epochs.append([])

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.epochs[-1].append(batch[1].cpu())


def _minority_shares(as_dataset=False, sample_weight=None):
    """The share of the rare class in each epoch's batches of a ten-epoch fit under the
    phased sampler, on 900 rows of class 0 and 100 of class 1."""
    rng = np.random.default_rng(0)
    y = np.array([0] * 900 + [1] * 100)
    X = rng.normal(size=(1000, 4)).astype(np.float32) + y[:, None]
    clf = ImbalancedNetClassifier(
        loss="ce",
        schedule="pps",
        max_epochs=10,
        callbacks=[("labels", BatchLabels())],
        random_state=0,
    )
    clf.fit(TensorDataset(torch.as_tensor(X)) if as_dataset else X, y, sample_weight)
    epochs = dict(clf.net_.callbacks_)["labels"].epochs
    return [float(torch.cat(labels).float().mean()) for labels in epochs]


@pytest.mark.filterwarnings("ignore:TabularNet learns its input preprocessing")
@pytest.mark.parametrize("as_dataset", [False, True], ids=["arrays", "dataset"])
def test_phased_sampler_moves_the_batches_from_the_proportions_to_balance(as_dataset):
    minority_share = _minority_shares(as_dataset)
    assert len(minority_share) == 10
    # Epochs 0 and 1 (before 0.15 of 10) in the data's proportions, 8 and 9 balanced.
    for epoch in (0, 1):
        assert 0.07 < minority_share[epoch] < 0.13
    for epoch in (8, 9):
        assert 0.45 < minority_share[epoch] < 0.55
    assert minority_share[5] < minority_share[7] < minority_share[8]


def test_phased_sampler_draws_by_the_labels_not_the_sample_weights():
    # Weights that balance the classes weigh the rare rows in the loss; drawn by the
    # weighted counts too, the batches would be balanced from the first epoch on.
    y = np.array([0] * 900 + [1] * 100)
    minority_share = _minority_shares(sample_weight=np.where(y == 1, 9.0, 1.0))
    for epoch in (0, 1):
        assert 0.07 < minority_share[epoch] < 0.13
    for epoch in (8, 9):
        assert 0.45 < minority_share[epoch] < 0.55


def test_phased_sampler_keeps_the_rate_alive_and_refuses_a_sampler_of_the_users():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    clf = ImbalancedNetClassifier(loss="ce", schedule="pps", max_epochs=2, random_state=0)
    clf.fit(X, y)
    # Like the re-weighting schedules, it balances late: the rate stays constant.
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(clf.lr)
    with pytest.raises(ValueError, match=r"'pps' draws the batches itself; sampler='sqrt'"):
        clf.set_params(sampler="sqrt").fit(X, y)


def test_phased_sampler_with_a_balancing_loss_warns_of_balancing_twice():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    clf = ImbalancedNetClassifier(schedule="pps", max_epochs=2, random_state=0)
    with pytest.warns(UserWarning, match=r"loss='logit_adjusted'.*schedule='pps' draws batches"):
        clf.fit(X, y)
    clf = ImbalancedNetClassifier(loss="ce", schedule="pps", posthoc_tau=1.0, max_epochs=2)
    with pytest.warns(
        UserWarning, match=r"schedule='pps' draws batches moving to class-balanced, and posthoc_tau"
    ):
        clf.fit(X, y)


class Recorder(Callback):
    """Records the loss's class weights, the optimizer's identity and momentum buffers."""

    def initialize(self):
        self.weights, self.optimizers, self.momenta = [], [], []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.weights.append(net.criterion_.class_weights.clone())
        self.optimizers.append(id(net.optimizer_))
        state = net.optimizer_.state
        self.momenta.append(sum("momentum_buffer" in s for s in state.values()))


def test_schedule_changes_weights_in_place_and_keeps_momentum():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    recorder = Recorder()
    clf = ImbalancedNetClassifier(
        loss="ce",
        schedule="ppw",
        optimizer="sgd",
        lr=0.05,
        max_epochs=10,
        callbacks=[("recorder", recorder)],
        random_state=0,
    ).fit(X, y)
    recorder = dict(clf.net_.callbacks_)["recorder"]
    counts = torch.as_tensor(clf.class_counts_, dtype=torch.float64)
    # The schedule runs before the recorder in each epoch: weights as docs/methods.md says,
    # q(e) = r^5 between epochs 5 and 8 of 10.
    for epoch, weights in enumerate(recorder.weights):
        r = min(max((epoch - 5) / 3, 0), 1)
        expected = (1 / counts) ** (r**5)
        expected = expected / expected.sum() * len(counts)
        np.testing.assert_allclose(weights.numpy(), expected.numpy(), rtol=1e-5)
    assert len(set(recorder.optimizers)) == 1  # never rebuilt
    assert recorder.momenta[-1] > 0  # momentum buffers survived the weight changes


@pytest.mark.parametrize(
    "component, use",
    [
        (DeferredReweighting(), "schedule=DeferredReweighting"),
        (ProgressiveReweighting(), "schedule=ProgressiveReweighting"),
        (PhasedProgressiveLearning(), "schedule=PhasedProgressiveLearning"),
        (PhasedProgressiveSampling(), "schedule=PhasedProgressiveSampling"),
        (ClassifierRetraining(), "schedule=ClassifierRetraining"),
        (MiSLASRetraining(), "schedule=MiSLASRetraining"),
        (LRSchedule("cosine"), "lr_schedule='cosine'"),
        (ClassDiagnostics(), r"callbacks=\[ClassDiagnostics\(\)\]"),
        (EMA(), "weight_averaging=EMA"),
        (SWA(), "weight_averaging=SWA"),
    ],
    ids=["drw", "ppw", "ppl", "pps", "crt", "mislas", "lr_schedule", "diagnostics", "ema", "swa"],
)
def test_a_component_on_a_plain_skorch_net_is_refused_before_training(component, use):
    # Schedules and callbacks act through the hooks of the net the estimator builds.
    from skorch import NeuralNetClassifier

    X = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    y = np.arange(20) % 2
    net = NeuralNetClassifier(
        torch.nn.Linear(4, 2),
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=2,
        train_split=None,
        callbacks=[component],
    )
    with pytest.raises(TypeError, match=rf"ImbalancedNetClassifier\({use}"):
        net.fit(X, y)
    assert len(net.history) == 0


# ----------------------------------------------------------------------------- Remix
def test_remix_label_weight_rules_on_constructed_pairs():
    # Pairs (n_own, n_partner, lam) and the own-label weight after the window (rho=1),
    # before it (rho=0) and halfway in (rho=0.5), worked out from the two rules by hand.
    cases = [
        # own is the majority (ratio 10 >= kappa 3), lam < tau: label to the minority
        (100, 10, 0.3, 0.0, 0.3, 0.15),
        # own is the minority (ratio 0.1 <= 1/3), 1 - lam < tau: label stays own
        (10, 100, 0.7, 1.0, 0.7, 0.85),
        # imbalanced pair but lam >= tau: plain mixup label
        (100, 10, 0.6, 0.6, 0.6, 0.6),
        # balanced pair: plain mixup label
        (50, 40, 0.2, 0.2, 0.2, 0.2),
        # exactly kappa: the rule applies (>=)
        (30, 10, 0.4, 0.0, 0.4, 0.2),
    ]
    for n_own, n_partner, lam, after, before, half in cases:
        args = dict(kappa=3.0, tau=0.5)
        t = lambda v: torch.tensor([float(v)])  # noqa: E731
        for rho, expected in [(1.0, after), (0.0, before), (0.5, half)]:
            got = remix_label_weight(t(lam), t(n_own), t(n_partner), rho=rho, **args)
            assert got.item() == pytest.approx(expected), (n_own, n_partner, lam, rho)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"kappa": 0},
            "The 'kappa' parameter of remix_label_weight must be a float in the range "
            "[1.0, inf). Got 0 instead.",
        ),
        (
            {"tau": 2},
            "The 'tau' parameter of remix_label_weight must be a float in the range "
            "[0.0, 1.0]. Got 2 instead.",
        ),
        (
            {"rho": 1.5},
            "The 'rho' parameter of remix_label_weight must be a float in the range "
            "[0.0, 1.0]. Got 1.5 instead.",
        ),
        (
            {"n_own": [10.0]},
            "The 'n_own' parameter of remix_label_weight must be an instance of "
            "'torch.Tensor'. Got [10.0] instead.",
        ),
    ],
)
def test_remix_label_weight_refuses_bad_arguments_by_name(kwargs, message):
    args = dict(lam=torch.tensor([0.3]), n_own=torch.tensor([10.0]), n_partner=torch.tensor([1.0]))
    args.update(kappa=3.0, tau=0.5, rho=1.0)
    args.update(kwargs)
    assert_invalid_parameter(lambda: remix_label_weight(**args), message)


def test_ppmix_phase_follows_the_schedule():
    mix = PhasedRemix().bind(torch.tensor([100.0, 10.0]), n_epochs=200, n_points=1, device="cpu")
    assert mix.progress(100) == 0 and mix.progress(160) == 1
    assert mix.progress(130) == pytest.approx(0.5**3)
    ppl = PhasedProgressiveLearning(mix_power=2.0)
    assert isinstance(ppl.mixing(), PhasedRemix) and ppl.mixing().power == 2.0


# ----------------------------------------------------------------------------- MFW
def test_mfw_with_zero_probability_leaves_forward_unchanged():
    torch.manual_seed(0)
    module = MLP(16, 4, hidden_sizes=(32, 32)).eval()
    x = torch.randn(64, 16)
    y = torch.randint(0, 4, (64,))
    mfw = MajorFeatureWeakening(p_max=0.0).bind(
        torch.tensor([100.0, 50, 20, 5]), n_epochs=10, n_points=3, device="cpu"
    )
    for _ in range(10):
        plan = mfw.plan(y, epoch=0)
        logits, _ = forward_staged(module, x, mix_at=plan.point, mix_fn=plan.apply)
        torch.testing.assert_close(logits, module(x), rtol=0, atol=0)


def test_mfw_never_weakens_the_smallest_class_by_default():
    counts = torch.tensor([500.0, 120, 30, 7])
    mfw = MajorFeatureWeakening().bind(counts, n_epochs=10, n_points=3, device="cpu")
    np.testing.assert_allclose(
        mfw.weakening_probability_.numpy(), 1 - 7 / counts.numpy(), rtol=1e-6
    )
    y = torch.arange(4).repeat_interleave(250)
    weakened = torch.zeros(4)
    for _ in range(20):
        plan = mfw.plan(y, epoch=0)
        assert torch.all(plan.own_share[y == 3] == 1)
        assert torch.all(plan.own_share >= 0.5)
        # The default label policy mixes the label with the feature share.
        torch.testing.assert_close(plan.label_weight, plan.own_share)
        assert plan.point in (0, 1)  # "random": input or hidden stage 1, not penultimate
        weakened += torch.bincount(y[plan.own_share < 1], minlength=4)
    # Empirical weakening rates follow p_c (5000 draws per class).
    np.testing.assert_allclose((weakened / 5000).numpy(), 1 - 7 / counts.numpy(), atol=0.03)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        # A misspelt schedule would be read as "major_only".
        (([100, 10, 1], "powr"), {}, "'schedule' parameter of weakening_probabilities"),
        (([100, 10, 1], "power"), {"gamma": -1.0}, "'gamma' parameter"),
        (([100, 10, 1], "power"), {"p_max": 2.0}, "'p_max' parameter"),
        (([100, 10, 0], "power"), {}, "class_counts must be > 0"),
        (([100, float("nan"), 1], "linear"), {}, "class_counts must be finite"),
    ],
)
def test_weakening_probabilities_refuse_what_is_no_probability(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        weakening_probabilities(*args, **kwargs)


def test_weakening_probabilities_of_a_list_of_counts():
    p = weakening_probabilities([100, 10, 1], "power", p_max=0.5)
    torch.testing.assert_close(p, torch.tensor([0.495, 0.45, 0.0]))


@pytest.mark.parametrize(
    "counts, schedule, expected",
    [
        # Only the classes above the median count (torch's lower median when even).
        ([100, 10, 1], "major_only", [0.5, 0.0, 0.0]),
        ([100, 50, 20, 5], "major_only", [0.5, 0.5, 0.0, 0.0]),
        # ((n_c - n_min) / (n_max - n_min)) ** gamma, gamma=2.
        ([100, 10, 1], "linear", [0.5, 0.5 * (9 / 99) ** 2, 0.0]),
        ([100, 50, 20, 5], "linear", [0.5, 0.5 * (45 / 95) ** 2, 0.5 * (15 / 95) ** 2, 0.0]),
    ],
)
def test_weakening_probabilities_of_the_linear_and_major_only_schedules(counts, schedule, expected):
    p = weakening_probabilities(counts, schedule, gamma=2.0, p_max=0.5)
    torch.testing.assert_close(p, torch.tensor(expected))


def test_mix_plan_mixes_features_with_partner():
    h = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    plan = MixPlan(1, torch.tensor([1, 2, 0]), torch.tensor([1.0, 0.75, 0.5]), None)
    expected = torch.tensor([[1.0, 0.0], [0.5, 1.25], [1.5, 1.0]])
    torch.testing.assert_close(plan.apply(h), expected)


def test_resnet_random_layer_draws_input_and_two_stages():
    mfw = MajorFeatureWeakening().bind(
        torch.tensor([10.0, 1.0]), n_epochs=1, n_points=4, device="cpu"
    )
    points = {mfw.plan(torch.tensor([0, 1]), 0).point for _ in range(200)}
    assert points == {0, 1, 2}
    assert ResNet32(10).stages.__len__() == 3


# ----------------------------------------------------------------------------- combinations
def _method_params(loss, schedule, mixing):
    params = dict(loss=loss, schedule=schedule, mixing=mixing)
    return {**params, **SHORT_RUN_PHASES.get(schedule, {}), **SHORT_RETRAINING.get(schedule, {})}


@pytest.fixture(scope="module")
def tiny_digits():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10, test_per_class=50)
    return X[::4], y[::4]


@pytest.mark.parametrize("loss, schedule, mixing", COMBINATIONS)
def test_every_combination_is_checked_before_training(tiny_digits, loss, schedule, mixing):
    """Invalid combinations are refused, naming both parameters; valid ones build."""
    X, y = tiny_digits
    clf = ImbalancedNetClassifier(
        module__hidden_sizes=(16, 16), **_method_params(loss, schedule, mixing)
    )
    params = {name: getattr(clf, name) for name in clf._own_parameter_constraints}
    params["device"] = "cpu"  # as fit resolves "auto"
    build = partial(
        build_training, params, clf._routed, X.shape[1:], np.bincount(y), X,
        y_train=y, classes=np.unique(y),
    )  # fmt: skip
    reason = invalid_reason(loss, schedule, mixing)
    if reason:
        with pytest.raises(ValueError, match=reason):
            build()
    elif balances_twice(loss, schedule):
        with pytest.warns(UserWarning, match="balanced twice"):
            assert build().schedule is not None
    else:
        setup = build()
        assert (setup.schedule is None) == (schedule is None)


def test_pairwise_subset_covers_the_valid_pairs():
    assert len(PAIRWISE) < len(VALID) / 2
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        assert {(c[i], c[j]) for c in PAIRWISE} == {(c[i], c[j]) for c in VALID}


@pytest.mark.parametrize("loss, schedule, mixing", PAIRWISE)
def test_valid_combinations_train_on_the_mlp(tiny_digits, loss, schedule, mixing):
    X, y = tiny_digits
    params = _method_params(loss, schedule, mixing)
    clf = ImbalancedNetClassifier(
        max_epochs=3, batch_size=32, module__hidden_sizes=(16, 16), random_state=0, **params
    )
    check_trained(fit_combination(clf, X, y, loss, schedule), X, 3, schedule)


RESNET_COMBINATIONS = (
    [(loss, None, None) for loss in LOSS_NAMES]
    + [("ldam", schedule, None) for schedule in ("drw", "ppw", "crt")]
    + [("cri", "ppl", None)]
    + [("ce", None, mixing) for mixing in ("mixup", "remix", "mfw")]
    + [("ldam", "drw", "mfw"), ("arb", None, "mfw")]
)


@pytest.mark.parametrize("loss, schedule, mixing", RESNET_COMBINATIONS)
def test_combinations_on_resnet32_small_images(tiny_digits, loss, schedule, mixing):
    X, y = tiny_digits
    params = _method_params(loss, schedule, mixing)
    clf = ImbalancedNetClassifier(
        module="resnet32",
        max_epochs=2,
        batch_size=32,
        augment="crop_flip",
        random_state=0,
        **params,
    ).fit(X.reshape(-1, 1, 8, 8), y)
    check_trained(clf, X.reshape(-1, 1, 8, 8), 2, schedule)


def test_crt_retrains_only_the_head(tiny_digits):
    X, y = tiny_digits
    clf = ImbalancedNetClassifier(
        loss="ce", schedule="crt", schedule__epochs=2, max_epochs=3, random_state=0
    )
    probe = {}

    class Snapshot(Callback):
        def on_epoch_end(self, net, **kwargs):
            epoch = len(net.history)
            probe[epoch] = {k: v.clone() for k, v in net.module_.state_dict().items()}

    clf.set_params(callbacks=[("snapshot", Snapshot())]).fit(X, y)
    assert len(clf.net_.history) == 5  # 3 main epochs + 2 re-training epochs
    before, after = probe[3], probe[5]
    for name in before:
        changed = not torch.equal(before[name], after[name])
        assert changed == name.startswith("head"), name
