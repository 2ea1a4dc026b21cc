"""Weight averaging (``weight_averaging="ema"`` or ``"swa"``) against hand computations."""

import copy

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback
from torch.utils.data import DataLoader, TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.callbacks import EMA, SWA, WeightAveraging
from sklearn_imbalance_dl.datasets import load_digits_lt


@pytest.fixture(scope="module")
def digits():
    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    return X, y


class _Snapshots(Callback):
    """The module's state after every training step, and at the end of every epoch."""

    def initialize(self):
        self.steps, self.epochs, self.rates = [], [], []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.rates.append([float(g["lr"]) for g in net.optimizer_.param_groups])

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            self.steps.append((net.current_epoch, copy.deepcopy(net.module_.state_dict())))

    def on_epoch_end(self, net, **kwargs):
        # The last step's state: the averaging callback (before this one) may already
        # have written the average into the module.
        self.epochs.append(self.steps[-1][1])


def _fit(X, y, averaging, **params):
    module = {"module": "mlp", "module__hidden_sizes": (16,)} if "module" not in params else {}
    params = {
        **module,
        "optimizer": "sgd",
        "lr": 0.05,
        "max_epochs": 4,
        "batch_size": 64,
        "random_state": 0,
        **params,
    }
    clf = ImbalancedNetClassifier(
        weight_averaging=averaging, callbacks=[("snapshots", _Snapshots())], **params
    ).fit(X, y)
    return clf, dict(clf.net_.callbacks_)["snapshots"]


@pytest.mark.parametrize("warmup", [False, True])
def test_ema_is_the_moving_average_of_every_step_from_start(digits, warmup):
    X, y = digits
    clf, snaps = _fit(
        X,
        y,
        "ema",
        weight_averaging__decay=0.9,
        weight_averaging__start=0.5,
        weight_averaging__warmup=warmup,
    )
    states = [state for epoch, state in snaps.steps if epoch >= 2]
    assert len(states) < len(snaps.steps)
    final = clf.net_.module_.state_dict()
    for name, value in final.items():
        if not value.is_floating_point():  # batch counts: the trained network's
            assert torch.equal(value, states[-1][name]), name
            continue
        average = states[0][name].double()
        for n, state in enumerate(states[1:], start=1):
            # TensorFlow's num_updates rule: 2/11, 3/12, ... until it reaches 0.9.
            decay = min(0.9, (1 + n) / (10 + n)) if warmup else 0.9
            average = decay * average + (1 - decay) * state[name].double()
        torch.testing.assert_close(value.double(), average, rtol=1e-5, atol=1e-6)
    # The network predicts with the average: not the last step's weights.
    assert not torch.equal(final["head.weight"], states[-1]["head.weight"])


def test_swa_is_the_mean_of_epoch_ends_with_batch_norm_recomputed(digits):
    X, y = digits
    clf, snaps = _fit(X, y, "swa", weight_averaging__start=0.5, module__batch_norm=True)
    states = snaps.epochs[2:]  # epochs 2 and 3 of 4
    reference = copy.deepcopy(clf.net_.module_)
    final = clf.net_.module_.state_dict()
    params = {name for name, _ in reference.named_parameters()}
    for name in params:
        expected = torch.stack([s[name] for s in states]).double().mean(0)
        torch.testing.assert_close(final[name].double(), expected, rtol=1e-5, atol=1e-6)
    # Batch-norm statistics: torch's own update_bn on the averaged weights, in order.
    loader = DataLoader(TensorDataset(torch.as_tensor(X)), batch_size=64)
    torch.optim.swa_utils.update_bn(loader, reference)
    buffers = [n for n, b in final.items() if "running" in n]
    assert buffers
    for name in buffers:
        torch.testing.assert_close(final[name], reference.state_dict()[name], rtol=1e-5, atol=1e-6)
        assert not torch.equal(final[name], states[-1][name])


def test_swa_learning_rate_follows_torch_swalr(digits):
    X, y = digits
    _, snaps = _fit(
        X,
        y,
        "swa",
        max_epochs=8,
        lr_schedule="constant",
        weight_averaging__start=0.25,
        weight_averaging__lr=0.01,
        weight_averaging__anneal_epochs=3,
    )
    rates = [r[0] for r in snaps.rates]
    w = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([w], lr=0.05)
    swalr = torch.optim.swa_utils.SWALR(optimizer, swa_lr=0.01, anneal_epochs=3)
    expected = [0.05, 0.05, 0.05]  # epoch 2 (start) trains at the schedule's rate
    for _ in range(5):
        optimizer.step()
        swalr.step()
        expected.append(optimizer.param_groups[0]["lr"])
    assert rates == pytest.approx(expected)


def test_a_retraining_schedule_fine_tunes_the_averaged_network(digits):
    X, y = digits
    images = X.reshape(-1, 1, 8, 8)
    clf, snaps = _fit(
        images,
        y,
        "swa",
        module="resnet32",
        loss="ce",
        schedule="crt",
        schedule__epochs=2,
        weight_averaging__start=0.5,
    )
    assert clf.n_epochs_ == 6
    final = clf.net_.module_.state_dict()
    # The frozen stages keep the average of main epochs 2 and 3 (not epoch 3's weights).
    stage = next(n for n in final if n.startswith("stages") and n.endswith("conv1.weight"))
    expected = torch.stack([s[stage] for s in snaps.epochs[2:4]]).double().mean(0)
    torch.testing.assert_close(final[stage].double(), expected, rtol=1e-5, atol=1e-6)
    # The head was re-trained after the average was written, not replaced by it.
    head = next(n for n in final if n.startswith("head") and n.endswith("weight"))
    averaged_head = torch.stack([s[head] for s in snaps.epochs[2:4]]).double().mean(0)
    assert not torch.allclose(final[head].double(), averaged_head)


def test_weight_averaging_parameters_are_checked(digits):
    X, y = digits
    with pytest.raises(InvalidParameterError, match="'weight_averaging__decay' parameter"):
        ImbalancedNetClassifier(weight_averaging="ema", weight_averaging__decay=1.5).fit(X, y)
    with pytest.raises(ValueError, match="weight_averaging__rho is not a parameter of SWA"):
        ImbalancedNetClassifier(weight_averaging="swa", weight_averaging__rho=1).fit(X, y)
    with pytest.raises(ValueError, match="early_stopping=True .* use one"):
        ImbalancedNetClassifier(
            weight_averaging=EMA(), early_stopping=True, validation_fraction=0.2
        ).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'weight_averaging' parameter"):
        ImbalancedNetClassifier(weight_averaging="polyak").fit(X, y)
    assert isinstance(SWA(start=0.9).bind(10), SWA)


def test_an_averaging_that_averages_nothing_is_refused_before_training(digits):
    # The base class has no update of its own: it would train as if none were given.
    X, y = digits

    class NoFold(WeightAveraging):
        def on_epoch_end(self, net, **kwargs):
            self.update(net)

    for averaging, what in [
        (WeightAveraging(), "WeightAveraging is the base class"),
        (WeightAveraging, "WeightAveraging is the base class"),
        (NoFold(), "NoFold defines neither fold nor update"),
    ]:
        clf = ImbalancedNetClassifier(weight_averaging=averaging, max_epochs=1)
        with pytest.raises(ValueError, match=f"would average nothing: {what}.*'ema' or 'swa'"):
            clf.fit(X, y)
        assert not hasattr(clf, "net_")


def test_a_subclass_that_never_calls_update_is_told_so_not_to_lower_start(digits):
    # fold is defined, but no hook calls update: the epochs it averages were all trained.
    X, y = digits

    class FoldOnly(WeightAveraging):
        def fold(self, average, current):
            torch._foreach_lerp_(average, current, 0.5)

    clf = ImbalancedNetClassifier(module="mlp", weight_averaging=FoldOnly(), max_epochs=2)
    with pytest.warns(
        UserWarning, match=r"FoldOnly averaged no weights: update\(net\) was never"
    ) as record:
        clf.fit(X, y)
    assert not any("lower weight_averaging__start" in str(w.message) for w in record)


def test_swa_over_a_single_epoch_says_so(digits):
    X, y = digits
    # start 0.75 of 4 epochs: epoch 3 alone, its own weights.
    with pytest.warns(
        UserWarning, match=r"averages the weights of the epochs from 4 of max_epochs=4"
    ):
        ImbalancedNetClassifier(weight_averaging="swa", max_epochs=4).fit(X, y)


def test_a_fit_ended_before_the_averaging_window_says_nothing_was_averaged():
    from skorch.callbacks import EarlyStopping

    X, y, _, _ = load_digits_lt(imbalance_ratio=10)
    # No epoch improves the training loss by 100: the stopper ends the fit at epoch 2.
    stopper = EarlyStopping(monitor="train_loss", patience=1, threshold=100.0, threshold_mode="abs")
    clf = ImbalancedNetClassifier(
        module="mlp", max_epochs=10, weight_averaging="swa", callbacks=[stopper], random_state=0
    )
    with pytest.warns(
        UserWarning, match=r"SWA averaged no weights: the fit ended after 2 epochs"
    ) as record:
        clf.fit(X, y)
    # Raised in a callback, which skorch calls: it points at the line that calls fit.
    assert [w.filename for w in record] == [__file__]


def test_swa_recomputes_batch_norm_on_batches_augmented_as_in_training(digits):
    """An augmentation may compute in float64 (numpy constants): training takes its batch
    in the inputs' dtype, and so does the pass that recomputes the batch-norm statistics."""
    X, y = digits
    images = X.reshape(-1, 1, 8, 8)
    clf = ImbalancedNetClassifier(
        module="resnet32",
        module__widths=(4,),
        module__blocks_per_stage=1,
        weight_averaging="swa",
        weight_averaging__start=0.5,
        augment=lambda batch: batch.double() * 0.5,
        max_epochs=4,
        random_state=0,
    ).fit(images, y)
    assert clf.predict(images).shape == y.shape


def test_swa_on_a_dataset_recomputes_batch_norm_on_the_batches_of_an_array(digits):
    """A Dataset of one row more than a whole number of batches: the pass that recomputes
    the batch-norm statistics cuts it as training does (the single last row joins the
    batch before it, which batch norm needs), so the model is the one an array gives."""
    X, y = digits
    X, y = X[:129], y[:129]  # two batches of 64 and one row
    params = {"weight_averaging__start": 0.5, "module__batch_norm": True}
    from_array, _ = _fit(X, y, "swa", **params)
    from_dataset, _ = _fit(TensorDataset(torch.as_tensor(X)), y, "swa", **params)
    np.testing.assert_array_equal(from_dataset.predict_proba(X), from_array.predict_proba(X))
