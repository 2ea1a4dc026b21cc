"""Faults a demanding user runs into: each ends in a clear error or a documented behaviour."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

from sklearn_imbalance_dl import ImbalancedNetClassifier


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:300] / 16).astype(np.float32), y[:300]


def small(**params):
    params.setdefault("max_epochs", 2)
    params.setdefault("module__hidden_sizes", (16,))
    params.setdefault("random_state", 0)
    return ImbalancedNetClassifier(**params)


def test_divergence_is_an_error_naming_the_causes(digits):
    clf = small(lr=1e6, optimizer="sgd", max_epochs=3)
    with pytest.raises(ValueError, match=r"Training diverged in epoch \d.*learning rate too high"):
        clf.fit(*digits)
    with pytest.raises(NotFittedError):
        clf.predict(digits[0])


def test_divergence_of_the_weights_alone_is_caught(digits):
    class PoisonWeights(Callback):
        def on_batch_end(self, net, training, **kwargs):
            if training:  # after the step: the batch's loss was finite
                with torch.no_grad():
                    next(net.module_.parameters())[0, 0] = float("nan")

    clf = small(max_epochs=1, batch_size=512, callbacks=[PoisonWeights()])
    with pytest.raises(ValueError, match=r"epoch 1: the network's weights became non-finite"):
        clf.fit(*digits)


def test_a_failed_first_fit_leaves_the_estimator_unfitted(digits):
    clf = small(module__hidden_sizes=(16,), loss__gamma=1.0)  # ce has no gamma
    with pytest.raises(ValueError, match="loss__gamma is not a parameter"):
        clf.fit(*digits)
    assert not hasattr(clf, "classes_") and not hasattr(clf, "n_features_in_")
    with pytest.raises(NotFittedError):
        clf.predict(digits[0])


def test_a_failed_refit_keeps_the_previous_model(digits):
    X, y = digits
    clf = small().fit(X, y)
    before = clf.predict_proba(X[:5])
    clf.set_params(lr=1e6, optimizer="sgd", max_epochs=3)
    with pytest.raises(ValueError, match="diverged"):
        clf.fit(X[:200], y[:200])
    np.testing.assert_array_equal(clf.predict_proba(X[:5]), before)
    assert clf.net_.history[-1]["epoch"] == 2


class InterruptAt(Callback):
    """Raises KeyboardInterrupt as Ctrl-C would, at the start of an epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if net.current_epoch == self.epoch:
            raise KeyboardInterrupt


def test_ctrl_c_during_training_keeps_the_model_and_says_so(digits):
    clf = small(max_epochs=5, callbacks=[InterruptAt(2)])
    with pytest.warns(UserWarning, match=r"interrupted \(KeyboardInterrupt\) after 2 of 5 epochs"):
        clf.fit(*digits)
    assert clf.interrupted_ and clf.n_epochs_ == 2
    assert clf.predict(digits[0]).shape == (300,)


def test_a_complete_fit_records_its_epochs(digits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = small(max_epochs=3, schedule="crt", schedule__epochs=2).fit(*digits)
    assert not clf.interrupted_ and clf.n_epochs_ == 5


def test_ctrl_c_during_set_up_leaves_the_estimator_unfitted(digits):
    class Interrupting(torch.nn.Module):
        def __init__(self):
            raise KeyboardInterrupt

    clf = ImbalancedNetClassifier(module=Interrupting)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(*digits)
    assert not hasattr(clf, "classes_")


def test_batch_size_one_with_batch_norm_names_both_parameters(digits):
    with pytest.raises(ValueError, match=r"batch_size=1 .* module__batch_norm=False"):
        small(batch_size=1).fit(*digits)


def test_batch_size_one_without_batch_norm_trains(digits):
    X, y = digits
    clf = small(batch_size=1, module__batch_norm=False, max_epochs=1).fit(X[:60], y[:60])
    assert np.isfinite(clf.predict_proba(X[:5])).all()


@pytest.mark.parametrize(
    "device, message",
    [
        ("meta", r"'meta' is a torch device type this estimator does not train on"),
        ("tpu", r"must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'. Got 'tpu'"),
        ("mps", r"MPS is not available on this machine"),
        ("cuda:7", r"CUDA is not available on this machine|this machine has \d CUDA device"),
    ],
)
def test_devices_are_checked_against_the_machine(digits, device, message):
    if device == "mps" and torch.backends.mps.is_available():
        pytest.skip("this machine has MPS")
    with pytest.raises(ValueError, match=message):
        small(device=device).fit(*digits)


def test_mixed_int_and_str_labels_are_refused_clearly(digits):
    X, _ = digits
    y = np.array([1, "a"] * 10, dtype=object)
    with pytest.raises(ValueError, match="y mixes string and numeric labels"):
        small().fit(X[:20], y)


def test_messages_show_labels_not_numpy_reprs(digits):
    X, _ = digits
    with pytest.raises(ValueError, match=r"got 1 class: 0\.$"):
        small().fit(X[:20], np.zeros(20, dtype=np.int64))
