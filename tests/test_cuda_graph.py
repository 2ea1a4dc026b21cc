"""Training steps replayed from CUDA graphs (``cuda_graph=True``).

On the CPU: the fallback and its note, the decisions (which batches share a graph,
what forces eager steps, when graphs are dropped), the learning rate and class weights
written in place, and the parameter checks. With CUDA (``pytest -m gpu``): graphed
fits against eager fits of the same seed.
"""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback

from sklearn_imbalance_dl import ImbalancedNetClassifier, _cuda_graph
from sklearn_imbalance_dl._cuda_graph import (
    augments_in_graph,
    batch_key,
    prepare_optimizer,
    reasons_for_eager,
    structure_signature,
    sync_learning_rates,
)
from sklearn_imbalance_dl.augment import RandAugment, cutmix
from sklearn_imbalance_dl.datasets import load_digits_lt
from sklearn_imbalance_dl.mixing import Mixup
from sklearn_imbalance_dl.mixing._cutmix import CutMix
from sklearn_imbalance_dl.registry import lookup

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.fixture(scope="module")
def digit_images():
    return load_digits_lt(imbalance_ratio=10, as_images=True)


@pytest.fixture
def fitted(digit_images):
    X, y, _, _ = digit_images
    return ImbalancedNetClassifier(
        module="resnet32", optimizer="sgd", lr=0.05, max_epochs=1, random_state=0
    ).fit(X, y)


# ---------------------------------------------------------------- CPU: fallback, decisions
def test_cpu_falls_back_to_eager_with_a_note(digit_images, capsys):
    X, y, X_test, _ = digit_images
    params = {"loss": "ldam", "schedule": "drw", "max_epochs": 3, "random_state": 0}
    eager = ImbalancedNetClassifier(**params).fit(X, y)
    capsys.readouterr()
    graphed = ImbalancedNetClassifier(cuda_graph=True, verbose=1, **params).fit(X, y)
    out = capsys.readouterr().out
    assert "cuda_graph: training steps run eagerly: the device is 'cpu', not CUDA." in out
    assert graphed.net_.cuda_graph_notes_ == [
        "training steps run eagerly: the device is 'cpu', not CUDA."
    ]
    assert graphed.net_.cuda_graph_steps_ == {"graphed": 0, "eager": 0}
    # The very same eager steps: the same model, bit for bit on the CPU.
    np.testing.assert_array_equal(graphed.predict_proba(X_test), eager.predict_proba(X_test))
    assert "cuda_graph_" not in vars(graphed.net_)


def test_reasons_for_eager_name_each_obstacle(fitted):
    net = fitted.net_
    net.device = "cuda:0"  # the decision only, no CUDA call is made
    try:
        assert reasons_for_eager(net) == []
        net.autocast_dtype_ = torch.float16  # what fit resolves precision="fp16" to
        assert reasons_for_eager(net) == [
            "fp16 loss scaling reads the scale on the host at every step"
        ]
        net.autocast_dtype_ = None
        saved = net.optimizer_
        net.optimizer_ = torch.optim.RMSprop(net.module_.parameters())
        (reason,) = reasons_for_eager(net)
        assert reason.startswith("the optimizer RMSprop is not SGD, Adam or AdamW")
        net.optimizer_ = saved

        class Clip(Callback):
            def on_grad_computed(self, net, named_parameters, **kwargs):
                pass

        net.batch_listeners_ = {"on_grad_computed": [Clip()]}
        assert reasons_for_eager(net) == ["callbacks read the gradients at every step: Clip"]
    finally:
        net.device, net.autocast_dtype_ = "cpu", None
        net.__dict__.pop("batch_listeners_", None)


def test_batch_key_separates_what_a_graph_is_specialised_to():
    X, y = torch.zeros(8, 3, 4, 4), torch.zeros(8, dtype=torch.long)
    key, reason = batch_key(X, y, None, None)
    assert reason is None
    assert batch_key(X.clone(), y.clone(), None, None) == (key, None)
    # The last, smaller batch of an epoch gets a graph of its own.
    assert batch_key(X[:5], y[:5], None, None)[0] != key
    assert batch_key(X, y, torch.ones(8), None)[0] != key
    channels_last = X.contiguous(memory_format=torch.channels_last)
    assert batch_key(channels_last, y, None, None)[0] != key

    mixing = Mixup().bind(torch.tensor([6, 2]), n_epochs=3, n_points=3, device="cpu")
    plan = mixing.plan(y, epoch=0)
    keyed = batch_key(X, y, None, plan)[0]
    assert keyed != key
    # Another draw of the same mixing replays the same graph (its tensors are copied in).
    assert batch_key(X, y, None, mixing.plan(y, epoch=1))[0] == keyed
    assert batch_key(X, y, None, plan._replace(label_weight=None))[0] != keyed
    assert batch_key(X, y, None, plan._replace(point=1))[0] != keyed

    cutmix = CutMix(p=1.0).bind(torch.tensor([6, 2]), n_epochs=3, n_points=1, device="cpu")
    key, reason = batch_key(X, y, None, cutmix.plan(y, epoch=0))
    assert key is None
    assert "BoxMixPlan" in reason


def test_only_device_drawn_crop_flip_is_augmented_inside_the_graph():
    assert augments_in_graph(lookup("augmentation", "crop_flip"))
    # cutmix draws its share on the host (a float a graph would freeze); RandAugment
    # copies host constants to the device: both run eagerly before the graph.
    assert not augments_in_graph(cutmix)
    assert not augments_in_graph(RandAugment())
    assert not augments_in_graph(None)


def test_structure_signature_changes_with_a_stage_change_only(fitted):
    net = fitted.net_
    X = torch.zeros(4, 1, 8, 8)
    y = torch.tensor([0, 1, 0, 1])
    # A fitted network has no optimizer state (it trains no further): a first step
    # makes it, as at the start of a fit.
    net.optimizer_step((X, y), (X, y, None, None))
    before = structure_signature(net)
    assert structure_signature(net) == before
    # An ordinary step changes values, not structure.
    net.optimizer_step((X, y), (X, y, None, None))
    assert structure_signature(net) == before
    net.forget_optimizer_state(net.module_.head.parameters())
    forgotten = structure_signature(net)
    assert forgotten != before
    net.freeze_stages()
    assert structure_signature(net) != forgotten
    net.set_training(True)  # frozen stages stay in eval mode: another signature again
    assert structure_signature(net)[1] != forgotten[1]


def _sgd_by_hand(w, grads, rates, momentum, weight_decay):
    """SGD with momentum and weight decay, as its documentation writes it, in numpy."""
    w, buf = np.array(w, dtype=np.float64), None
    for g, lr in zip(grads, rates):
        d = np.asarray(g) + weight_decay * w
        buf = d if buf is None else momentum * buf + d
        w = w - lr * buf
    return w


def test_learning_rate_becomes_a_tensor_written_in_place():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01)
    (rate,) = prepare_optimizer(optimizer, torch.device("cpu"))
    assert optimizer.param_groups[0]["lr"] is rate
    assert optimizer.param_groups[0]["fused"] is True
    pointer = rate.data_ptr()
    grads = [[0.5, -1.0, 2.0], [1.0, 1.0, -1.0], [-0.3, 0.2, 0.1]]
    rates = [0.1, 0.1, 0.02]
    for g, lr in zip(grads, rates):
        optimizer.param_groups[0]["lr"] = lr  # as a schedule writes it: a float
        sync_learning_rates(optimizer, [rate])
        assert optimizer.param_groups[0]["lr"] is rate
        assert rate.data_ptr() == pointer
        assert rate.item() == pytest.approx(lr)
        w.grad = torch.tensor(g)
        optimizer.step()
    expected = _sgd_by_hand([1.0, -2.0, 0.5], grads, rates, 0.9, 0.01)
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-6)


class _WeightsRecorder(Callback):
    def initialize(self):
        self.pointers, self.values = [], []
        return self

    def on_epoch_begin(self, net, **kwargs):
        weights = net.criterion_.class_weights
        self.pointers.append(weights.data_ptr())
        self.values.append(weights.clone())


def test_drw_writes_the_class_weights_in_place(digit_images):
    X, y, _, _ = digit_images
    clf = ImbalancedNetClassifier(
        loss="ldam",
        schedule="drw",
        schedule__start=0.5,
        max_epochs=4,
        cuda_graph=True,
        callbacks=[("weights", _WeightsRecorder())],
        random_state=0,
    ).fit(X, y)
    recorder = dict(clf.net_.callbacks_)["weights"]
    assert len(set(recorder.pointers)) == 1  # the buffer a graph reads keeps its storage
    counts = np.bincount(np.searchsorted(clf.classes_, y)).astype(float)
    beta = 0.9999
    balanced = (1 - beta) / (1 - beta**counts)
    balanced *= len(counts) / balanced.sum()
    for epoch, values in enumerate(recorder.values):
        expected = np.ones_like(counts) if epoch < 2 else balanced
        np.testing.assert_allclose(values.numpy(), expected, rtol=1e-5)


def test_cuda_graph_parameter_is_checked(digit_images):
    X, y, _, _ = digit_images
    with pytest.raises(InvalidParameterError, match="'cuda_graph' parameter"):
        ImbalancedNetClassifier(cuda_graph="yes", max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="cuda_graph=True .* compile=True .* use one of them"):
        ImbalancedNetClassifier(cuda_graph=True, compile=True, max_epochs=1).fit(X, y)
    # torch.compile's options compile too (mode="reduce-overhead" makes its own graphs).
    options = {"mode": "reduce-overhead"}
    with pytest.raises(ValueError, match="cuda_graph=True .* compile=.*reduce-overhead.* use one"):
        ImbalancedNetClassifier(cuda_graph=True, compile=options, max_epochs=1).fit(X, y)


# ---------------------------------------------------------------- CPU: the step without CUDA
class _EagerGraph(_cuda_graph._Graph):
    """A graph's stand-in on the CPU: the captured step, run eagerly on the static tensors.

    Everything but the CUDA capture is the real code: which batches share a graph,
    warm-up, the copies into the static tensors, the rates written in place, the fused
    SGD, the drop and re-capture at a stage change. The step reads the rates as a graph
    does: a group's tensor rate as it is now, a float rate as it was at the capture.
    """

    captures = []

    def capture(self, net, augment):
        self.net, self.augment = net, augment
        self.captured_rates = [group["lr"] for group in net.optimizer_.param_groups]
        _EagerGraph.captures.append(tuple(self.X.shape))

    def run(self):
        groups = self.net.optimizer_.param_groups
        rates = [group["lr"] for group in groups]
        for group, rate in zip(groups, self.captured_rates):
            group["lr"] = rate
        try:
            self.step_on_statics(self.net, self.augment)
        finally:
            for group, rate in zip(groups, rates):
                group["lr"] = rate


@pytest.fixture
def eager_graphs(monkeypatch):
    monkeypatch.setattr(_cuda_graph, "_Graph", _EagerGraph)
    monkeypatch.setattr(_cuda_graph, "reasons_for_eager", lambda net: [])
    _EagerGraph.captures = []
    return _EagerGraph


@pytest.mark.parametrize(
    "params",
    [
        {
            "loss": "ldam",
            "schedule": "drw",
            "schedule__start": 0.5,
            "mixing": "mixup",
            "lr_schedule": "warmup_step",
            "lr_schedule__warmup_epochs": 2,
        },
        {"loss": "cri", "schedule": "ppl", "optimizer": "sam", "max_epochs": 6},
        {"loss": "ce", "schedule": "crt", "schedule__epochs": 2, "mixing": "mfw"},
        {"loss": "focal", "sample_weight": True},
        {"loss": "ce", "weight_averaging": "ema", "weight_averaging__decay": 0.9},
        # Stage 2 adds the weight scale's group, whose rate follows the cosine too.
        {"loss": "ce", "mixing": "mixup", "schedule": "mislas", "schedule__epochs": 3},
    ],
    ids=["ldam-drw-mixup-steps", "cri-ppl-sam", "crt-mfw", "sample-weights", "ema", "mislas"],
)
def test_captured_step_matches_eager_with_graphs_run_eagerly(eager_graphs, params):
    X, y, X_test, _ = load_digits_lt(imbalance_ratio=10)
    params = dict(params)
    fit_params = {}
    if params.pop("sample_weight", False):
        fit_params["sample_weight"] = np.random.default_rng(0).uniform(0.5, 2, len(y))
    params = {
        "module": "mlp",
        "module__hidden_sizes": (32,),
        "optimizer": "sgd",
        "optimizer__fused": True,  # the graph's SGD kernel, for the eager fit too
        "lr": 0.05,
        "batch_size": 64,
        "max_epochs": 4,
        "random_state": 0,
        **params,
    }
    eager = ImbalancedNetClassifier(**params).fit(X, y, **fit_params)
    graphed = ImbalancedNetClassifier(cuda_graph=True, **params).fit(X, y, **fit_params)
    # The same batches, mixing draws, rates, class weights and optimizer kernel.
    np.testing.assert_allclose(
        graphed.predict_proba(X_test), eager.predict_proba(X_test), rtol=0, atol=1e-6
    )
    steps, notes = graphed.net_.cuda_graph_steps_, graphed.net_.cuda_graph_notes_
    assert len(y) % 64 > 1  # a last, smaller batch, with a graph of its own
    assert (64, 64) in eager_graphs.captures and (len(y) % 64, 64) in eager_graphs.captures
    if params.get("schedule") == "drw":
        # Two structures, each trained eagerly twice before its capture.
        assert steps == {"graphed": 4 * 8 - 4, "eager": 4}
        assert eager_graphs.captures == [(64, 64), (len(y) % 64, 64)]
    if params.get("schedule") == "crt":
        assert any("captured again" in n for n in notes), notes
        # Re-training without mixing: the full batch is captured again after two warm-up
        # steps; the last batch would be in its third epoch, after these two.
        assert eager_graphs.captures == [(64, 64), (len(y) % 64, 64), (64, 64)]
    assert steps["graphed"] > steps["eager"]


# ---------------------------------------------------------------- CUDA: graphed vs eager
def _fit_pair(X, y, X_test, **overrides):
    """Probabilities of two eager fits and one graphed fit of the same seed.

    All three with the optimizer kernels a graph uses (fused SGD, capturable AdamW):
    fused and foreach SGD round apart, and training amplifies it (measured on the CPU:
    up to 3e-3 in probabilities after 4 epochs), which is not what is tested here.
    """
    params = _graph_kernels(**overrides)
    eager = ImbalancedNetClassifier(**params).fit(X, y).predict_proba(X_test)
    again = ImbalancedNetClassifier(**params).fit(X, y).predict_proba(X_test)
    graphed = ImbalancedNetClassifier(cuda_graph=True, **params).fit(X, y)
    return eager, again, graphed


def _graph_kernels(**overrides):
    """The parameters of ``_fit_pair``'s fits: 4 epochs, seed 0, a graph's kernels."""
    kernels = (
        {"optimizer__fused": True}
        if overrides.get("optimizer") in ("sgd", "sam")
        else {"optimizer__capturable": True}
    )
    return {"max_epochs": 4, "batch_size": 64, "random_state": 0, "device": "cuda",
            **kernels, **overrides}  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"module": "resnet32", "optimizer": "sgd", "lr": 0.05, "lr_schedule": "warmup_step"},
        {"loss": "ldam", "schedule": "drw", "schedule__start": 0.5, "mixing": "mixup"},
        {"loss": "cri", "schedule": "ppl", "optimizer": "sam", "lr": 0.05},
        {"module": "resnet32", "schedule": "crt", "schedule__epochs": 2, "loss": "ce"},
        {"module": "resnet32", "precision": "bf16", "channels_last": True, "loss": "ce"},
    ],
    ids=["resnet32-sgd-steps", "mlp-ldam-drw-mixup", "mlp-cri-ppl-sam", "resnet32-crt", "bf16"],
)
@pytest.mark.gpu
@needs_cuda
def test_graphed_fit_matches_eager_fit(digit_images, params):
    """No random draw inside the graph (no augmentation): the same batches, mixing
    draws, rates and class weights as eager; only fused-SGD rounding and cuDNN's
    run-to-run nondeterminism differ. Held to what two eager fits differ by."""
    X, y, X_test, _ = digit_images
    eager, again, graphed = _fit_pair(X, y, X_test, **params)
    steps = graphed.net_.cuda_graph_steps_
    assert steps["graphed"] > steps["eager"] > 0, graphed.net_.cuda_graph_notes_
    probabilities = graphed.predict_proba(X_test)
    run_to_run = np.abs(eager - again).max()
    if params.get("precision") == "bf16":
        # bf16 rounds the captured kernels' sums apart from the eager ones, and four
        # epochs of a net still far from converged amplify it; how far is not measured
        # on a GPU with uncached casts in both paths, so the bound is the spread of
        # another seed: the graphed fit must agree with eager as well as an eager fit
        # of seed 1 does, and score as well.
        _, y_test = digit_images[2:]
        other = ImbalancedNetClassifier(**_graph_kernels(**params, random_state=1))
        other = other.fit(X, y).predict_proba(X_test)
        agreement = (probabilities.argmax(1) == eager.argmax(1)).mean()
        seed_agreement = (other.argmax(1) == eager.argmax(1)).mean()
        assert agreement >= seed_agreement - 0.01, (agreement, seed_agreement)
        accuracy = [(p.argmax(1) == y_test).mean() for p in (probabilities, eager, other)]
        assert accuracy[0] >= min(accuracy[1:]) - 0.02, accuracy
    else:
        np.testing.assert_allclose(probabilities, eager, rtol=0, atol=max(2e-3, 3 * run_to_run))
    if params.get("schedule") == "crt":
        assert any("captured again" in n for n in graphed.net_.cuda_graph_notes_)


@pytest.mark.gpu
@needs_cuda
def test_graphed_augmentation_keeps_the_accuracy_of_eager(digit_images):
    """Crop and flip drawn inside the graph use other random numbers than eager: the
    graphed fit is held to the spread of eager fits over seeds, not to one fit."""
    X, y, X_test, y_test = digit_images
    params = {"module": "resnet32", "augment": "crop_flip", "max_epochs": 6, "device": "cuda"}
    eager = [
        ImbalancedNetClassifier(random_state=s, **params).fit(X, y).score(X_test, y_test)
        for s in (0, 1, 2)
    ]
    clf = ImbalancedNetClassifier(random_state=0, cuda_graph=True, **params).fit(X, y)
    assert clf.net_.cuda_graph_steps_["graphed"] > 0
    spread = max(eager) - min(eager)
    assert clf.score(X_test, y_test) >= min(eager) - max(spread, 0.03)


@pytest.mark.gpu
@needs_cuda
def test_last_smaller_batch_gets_its_own_graph(digit_images):
    X, y, _, _ = digit_images
    n = len(y)
    batch = next(b for b in range(64, n) if n % b > 1)
    clf = ImbalancedNetClassifier(
        batch_size=batch, max_epochs=4, device="cuda", cuda_graph=True, random_state=0
    ).fit(X, y)
    per_epoch = -(-n // batch)
    # Two structures (full and last batch), each trained eagerly twice before capture.
    assert clf.net_.cuda_graph_steps_ == {"graphed": 4 * per_epoch - 4, "eager": 4}


@pytest.mark.gpu
@needs_cuda
def test_cutmix_steps_run_eagerly_and_say_so(digit_images, capsys):
    X, y, _, _ = digit_images
    clf = ImbalancedNetClassifier(
        module="resnet32",
        mixing=CutMix(p=1.0),
        max_epochs=2,
        device="cuda",
        cuda_graph=True,
        verbose=1,
        random_state=0,
    ).fit(X, y)
    assert clf.net_.cuda_graph_steps_["graphed"] == 0
    assert "BoxMixPlan" in capsys.readouterr().out
