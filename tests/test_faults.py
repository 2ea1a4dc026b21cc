"""Faults a demanding user runs into: each ends in a clear error or a documented behaviour."""

import copy
import json
import os
import re
import signal
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import NotFittedError
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.fixes import parse_version
from skorch.callbacks import (
    BatchScoring,
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    LoadInitState,
    LRScheduler,
    PrintLog,
)
from skorch.dataset import Dataset as SkorchDataset
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import Subset, TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.callbacks import EMA, SWA, ClassDiagnostics, class_diagnostics
from sklearn_imbalance_dl.losses import ImbalanceLoss
from sklearn_imbalance_dl.optim import SAM
from sklearn_imbalance_dl.schedules import (
    ClassifierRetraining,
    DeferredReweighting,
    LRSchedule,
    Schedule,
)

try:
    from PIL import Image
except ImportError:  # the dev extra brings Pillow; the test of a PIL image skips without it
    Image = None


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:300] / 16).astype(np.float32), y[:300]


def small(**params):
    # The small MLP setting these tests were written for, not the estimator's defaults.
    for name, value in {"module": "mlp", "loss": "ce", "lr_schedule": "constant"}.items():
        params.setdefault(name, value)
    params.setdefault("batch_size", 128)
    params.setdefault("max_epochs", 2)
    params.setdefault("module__hidden_sizes", (16,))
    params.setdefault("random_state", 0)
    return ImbalancedNetClassifier(**params)


@pytest.mark.parametrize(
    "default_dtype, precision, message",
    [
        (torch.float16, "fp32", r"The module's parameters are torch.float16 \(torch.get_"),
        (torch.bfloat16, "fp32", "trains in float32 or float64 parameters"),
        (torch.float64, "bf16", "leaves the operations of a float64 module in float64"),
        (torch.float64, "fp16", r"would train as with precision='fp32'. Use precision='fp32'"),
    ],
)
@pytest.mark.parametrize("module", ["auto", "mlp"])
def test_a_module_in_a_dtype_the_fit_does_not_train_is_refused(
    digits, module, default_dtype, precision, message
):
    previous = torch.get_default_dtype()
    torch.set_default_dtype(default_dtype)
    try:
        clf = small(module=module, precision=precision, max_epochs=1)
        with pytest.raises(ValueError, match=message):
            clf.fit(*digits)
    finally:
        torch.set_default_dtype(previous)


def test_a_loss_non_finite_from_the_start_names_the_losss_settings(digits):
    clf = small(loss="ldam", loss__s=1e300, max_epochs=1)
    with pytest.raises(
        ValueError,
        match=r"first training batch is non-finite .* Likely causes: .*the loss's settings "
        r"\(LDAMLoss: max_m=0.5, s=1e\+300\)",
    ):
        clf.fit(*digits)


def test_divergence_is_an_error_naming_the_causes(digits):
    clf = small(lr=1e6, optimizer="sgd", max_epochs=3)
    with pytest.raises(ValueError, match=r"Training diverged in epoch \d.*learning rate too high"):
        clf.fit(*digits)
    with pytest.raises(NotFittedError):
        clf.predict(digits[0])
    # A weight decay that overshoots is named first, then the rate.
    clf = small(lr=0.1, weight_decay=1e4, optimizer="sgd", max_epochs=3)
    with pytest.raises(
        ValueError,
        match=r"Likely causes: a weight decay too strong \(weight_decay=1e\+04 at rate .*; "
        r"a learning rate too high",
    ):
        clf.fit(*digits)


@pytest.mark.parametrize("module", ["mlp", "tabular"])
def test_divergence_names_the_scale_of_the_inputs_only_where_the_module_leaves_it(digits, module):
    # TabularNet learns a robust scaling of the features in fit: no scaler to advise.
    clf = small(module=module, lr=1e6, optimizer="sgd", max_epochs=3)
    with pytest.raises(ValueError, match=r"Training diverged") as caught:
        clf.fit(*digits)
    assert ("unscaled inputs" in str(caught.value)) == (module == "mlp")


def test_divergence_is_named_with_optimizer_options_that_are_not_numbers(digits):
    # Adafactor's eps defaults to (None, 1e-3).
    if not hasattr(torch.optim, "Adafactor"):
        pytest.skip("torch.optim.Adafactor needs torch >= 2.5")
    X, y = digits
    clf = small(optimizer=torch.optim.Adafactor, weight_decay=0.0, max_epochs=2)
    with pytest.raises(ValueError, match=r"Training diverged in epoch \d"):
        clf.fit((X * 1e30).astype(np.float32), y)  # inputs far beyond the network's scale


def test_divergence_of_the_weights_alone_is_caught(digits):
    class PoisonWeights(Callback):
        def on_batch_end(self, net, training, **kwargs):
            if training:  # after the step: the batch's loss was finite
                with torch.no_grad():
                    next(net.module_.parameters())[0, 0] = float("nan")

    clf = small(max_epochs=1, batch_size=512, callbacks=[PoisonWeights()])
    with pytest.raises(ValueError, match=r"epoch 1: the network's weights became non-finite"):
        clf.fit(*digits)


def test_divergence_of_the_batch_norm_statistics_alone_is_caught(digits):
    # An infinite running variance makes every prediction NaN, the weights finite.
    class PoisonStatistics(Callback):
        def on_batch_end(self, net, training, **kwargs):
            if training:
                norm = next(m for m in net.module_.modules() if hasattr(m, "running_var"))
                norm.running_var[0] = float("inf")

    clf = small(max_epochs=1, batch_size=512, callbacks=[PoisonStatistics()])
    with pytest.raises(ValueError, match=r"epoch 1: the network's batch-norm statistics became"):
        clf.fit(*digits)


def test_validation_outputs_that_give_nan_probabilities_are_an_error_naming_the_epoch(digits):
    # A held-out row far beyond the training rows' scale overflows the logits: the fit
    # stops as a diverging one does, instead of recording a NaN validation loss and a
    # balanced accuracy counting NaN outputs as a class (whichever part the row lands in).
    X, y = digits
    X, y = X.copy(), y.copy()
    y[:2] = 10  # a class of two rows: one trains, one is held out
    X[0] = 3e38
    clf = small(module__hidden_sizes=(256,), module__batch_norm=False, validation_fraction=0.2)
    clf.set_params(early_stopping=True)
    fitted = clf.fit(X[2:], y[2:]).net_
    message = (
        r"outputs on the validation part \(validation_fraction\) became non-finite \(NaN or "
        r"inf\) in epoch 1, .*held-out rows far beyond the scale of the training rows"
    )
    # Whichever part the row lands in, the fit is refused: in training as a non-finite
    # loss, in the validation part as outputs giving NaN probabilities.
    held_out = 0
    for seed in range(4):
        with pytest.raises(ValueError) as error:
            clf.set_params(random_state=seed).fit(X, y)
        if "validation part" in str(error.value):
            assert re.search(message, str(error.value))
            held_out += 1
        else:
            assert "loss became non-finite" in str(error.value)
        assert clf.net_ is fitted  # the previous model is kept
    assert held_out

    # A module of one's own that computes NaN in evaluation mode only.
    class NaNWhenEvaluating(torch.nn.Module):
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.linear = torch.nn.Linear(n_features, n_classes)

        def forward(self, x):
            logits = self.linear(x)
            return logits if self.training else logits * float("nan")

    clf = ImbalancedNetClassifier(
        NaNWhenEvaluating, loss="ce", max_epochs=2, validation_fraction=0.2, random_state=0
    )
    with pytest.raises(ValueError, match=r"validation part .* in epoch 1, .*evaluation mode"):
        clf.fit(*digits)
    with pytest.raises(NotFittedError):
        clf.predict(digits[0])


def test_outputs_that_overflow_at_predict_are_an_error_not_nan(digits):
    X, y = digits
    clf = small().fit(X, y)
    with torch.no_grad():
        clf.net_.module_.head.weight.fill_(3e38)  # finite, but the logits overflow
    message = r"outputs overflowed float32 on some rows of X, which gives NaN probabilities"
    for predict in (clf.predict, clf.predict_proba, clf.predict_log_proba):
        with pytest.raises(ValueError, match=message):
            predict(X)


@pytest.mark.filterwarnings("ignore:precision='fp16' on 'cpu' runs without loss scaling")
def test_fp16_overflow_at_predict_is_named(digits):
    X, y = digits
    clf = small(precision="fp16").fit(X, y)
    with pytest.raises(ValueError, match=r"overflowed precision='fp16'.*precision='bf16'"):
        clf.predict(X * 1e6)


def test_nan_pixels_get_advice_for_images():
    images = np.random.default_rng(0).random((20, 3, 8, 8), dtype=np.float32)
    images[0, 0, 0, 0] = np.nan
    # Not the table's advice (module='tabular', SimpleImputer: neither takes images).
    with pytest.raises(
        ValueError, match=r"X of shape \(20, 3, 8, 8\) holds NaN.*nan_to_num"
    ) as error:
        ImbalancedNetClassifier(module="resnet32", max_epochs=1).fit(images, np.repeat([0, 1], 10))
    assert "SimpleImputer" not in str(error.value)


def test_infinite_values_get_advice_for_images_and_tables(digits):
    images = np.random.default_rng(0).random((20, 3, 8, 8), dtype=np.float32)
    images[0, 0, 0, 0] = np.inf
    clf = ImbalancedNetClassifier(module="resnet32", max_epochs=1)
    with pytest.raises(ValueError, match=r"contains infinity.*finite pixel values.*nan_to_num"):
        clf.fit(images, np.repeat([0, 1], 10))
    clf.fit(np.nan_to_num(images, posinf=1.0), np.repeat([0, 1], 10))
    with pytest.raises(ValueError, match=r"contains infinity.*finite pixel values"):
        clf.predict(images)
    X, y = digits
    X = X.copy()
    X[3, 5] = -np.inf
    with pytest.raises(ValueError, match=r"contains infinity.*large finite values.*'tabular'"):
        small().fit(X, y)


def test_finite_values_beyond_float32_are_not_called_infinite():
    # module="mlp" reads float32: 1e39 is finite but does not fit; the advice is to
    # rescale, not to replace infinities, and numpy's overflow warning stays quiet.
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.repeat([0, 1], 20)
    clf = small(module="mlp").fit(X, y)
    X[0, 0] = 1e39
    for call in (lambda: small(module="mlp").fit(X, y), lambda: clf.predict(X)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(
                ValueError, match=r"finite values beyond float32's range.*1e\+39.*rescale"
            ):
                call()


@pytest.mark.parametrize("unit", ["datetime64[ns]", "datetime64[D]", "timedelta64[s]"])
def test_an_array_of_dates_or_durations_is_refused(unit):
    # A cast to float would read the ticks, whose unit the model would not keep, and NaT
    # as -2**63: refused as a DataFrame's date column is.
    dates = unit.startswith("datetime")
    X = (
        (np.datetime64("2020-01-01") + np.arange(40)).astype(unit)
        if dates
        else np.arange(40).astype(unit)
    )
    y = np.repeat([0, 1], 20)
    what = "dates" if dates else "durations"
    for module in ("auto", "mlp"):
        with pytest.raises(
            ValueError, match=rf"X holds {what} \({re.escape(unit)}\).*number of days"
        ):
            small(module=module).fit(X.reshape(-1, 1), y)
    clf = small().fit(np.arange(40.0).reshape(-1, 1), y)
    with pytest.raises(ValueError, match=rf"X holds {what}"):
        clf.predict(X.reshape(-1, 1))


def test_an_object_array_of_dates_says_how_to_convert_them():
    # What df.to_numpy() gives a table with a date column.
    frame = pd.DataFrame({"x": np.arange(40.0), "when": pd.date_range("2020", periods=40)})
    y = np.repeat([0, 1], 20)
    for X in (frame.to_numpy(), frame[["when"]].map(lambda t: t.date()).to_numpy()):
        with pytest.raises(ValueError, match=r"X holds dates.*as objects.*pd.Timedelta\(days=1\)"):
            small().fit(X, y)


def test_nan_in_a_dataset_is_named_in_fit_and_at_predict(digits):
    X, y = digits
    holed = X.copy()
    holed[3, 5] = np.nan
    dataset = TensorDataset(torch.as_tensor(holed))
    clf = small()
    with pytest.raises(ValueError, match=r"Item 3 of the Dataset holds NaN or infinity.*impute"):
        clf.fit(dataset, y)
    assert not hasattr(clf, "classes_")
    clf.fit(TensorDataset(torch.as_tensor(X)), y)
    with pytest.raises(ValueError, match=r"X contains NaN or infinity.*A torch Dataset goes"):
        clf.predict(dataset)


def test_non_finite_values_that_assume_finite_lets_through_are_named(digits):
    # scikit-learn checks neither X nor sample_weight for NaN and infinity under
    # assume_finite=True: the errors say what is wrong, not a weight range or a Dataset.
    X, y = digits
    weights = np.ones(len(y))
    weights[3] = np.nan
    infinite = X.copy()
    infinite[3, 5] = np.inf
    let_through = r"NaN or infinity \(sklearn.set_config\(assume_finite=True\) skips"
    with sklearn.config_context(assume_finite=True):
        with pytest.raises(ValueError, match=rf"sample_weight contains {let_through}"):
            small().fit(X, y, sample_weight=weights)
        with pytest.raises(ValueError, match=rf"inputs that hold {let_through}"):
            small().fit(infinite, y)
        clf = small().fit(X, y)
        with pytest.raises(ValueError, match=r"cannot read \(sklearn.set_config\(assume") as error:
            clf.predict(infinite)
    assert "Dataset" not in str(error.value)


@pytest.mark.parametrize(
    "callback, message",
    [
        (1, r"callbacks must hold skorch callbacks .*got 1"),
        (PrintLog, r"^callbacks: PrintLog is a class; pass an instance \(PrintLog\(\.\.\.\)\)\.$"),
        (EMA(), r"EMA averages the weights .*weight_averaging=EMA\(\.\.\.\)"),
        (SWA(), r"weight_averaging=SWA\(\.\.\.\)"),
        (EarlyStopping(), r"EarlyStopping\(monitor='valid_loss'\) needs a validation set"),
        (
            Checkpoint(),
            r"Checkpoint\(monitor='valid_loss_best'\) needs a validation set: set "
            r"validation_fraction, e\.g\. 0\.1, or monitor 'train_loss_best'\.$",
        ),
    ],
    ids=[
        "not-a-callback",
        "a-class",
        "ema",
        "swa",
        "early-stopping-without-validation",
        "checkpoint",
    ],
)
def test_callbacks_the_fit_cannot_run_are_refused_before_training(digits, callback, message):
    clf = small(callbacks=[callback])
    with pytest.raises(ValueError, match=message):
        clf.fit(*digits)
    assert not hasattr(clf, "classes_")


def test_skorch_early_stopping_on_the_training_loss_needs_no_validation_set(digits):
    clf = small(max_epochs=3, callbacks=[EarlyStopping(monitor="train_loss")]).fit(*digits)
    assert clf.n_epochs_ >= 1


def test_skorch_early_stopping_on_the_balanced_accuracy_must_be_told_higher_is_better(digits):
    # skorch's default, lower_is_better=True, would stop the fit as the accuracy rises.
    stopper = EarlyStopping(monitor="valid_balanced_accuracy")
    clf = small(validation_fraction=0.2, callbacks=[stopper])
    with pytest.raises(ValueError, match=r"^callbacks: EarlyStopping\(monitor='valid_balanced_"):
        clf.fit(*digits)
    assert not hasattr(clf, "classes_")
    stopper.set_params(lower_is_better=False)
    assert small(validation_fraction=0.2, callbacks=[stopper]).fit(*digits).n_epochs_ == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda path: EarlyStopping(monitor="valid_acc"),
        lambda path: Checkpoint(monitor="valid_acc_best", dirname=str(path)),
    ],
    ids=["EarlyStopping", "Checkpoint"],
)
def test_a_monitor_the_history_does_not_record_is_named_with_the_keys_it_does(
    digits, make, tmp_path
):
    callback = make(tmp_path)
    clf = small(validation_fraction=0.2, callbacks=[callback])
    name, monitor = type(callback).__name__, re.escape(repr(callback.monitor))
    with pytest.raises(
        ValueError,
        match=rf"^callbacks: {name}\(monitor={monitor}\) watches a key that the epoch's "
        r"history does not hold when it runs; it holds .*'valid_balanced_accuracy'",
    ):
        clf.fit(*digits)
    assert not hasattr(clf, "classes_")


class _RecordsAScore(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("my_score", 0.5)


def test_a_monitor_recorded_by_a_callback_listed_after_it_is_named(digits):
    stopper = EarlyStopping(monitor="my_score", patience=1)
    clf = small(callbacks=[stopper, _RecordsAScore()])
    with pytest.raises(ValueError, match=r"list the callback of yours that records the key bef"):
        clf.fit(*digits)
    # Listed before, it records the key in time.
    assert small(max_epochs=4, callbacks=[_RecordsAScore(), stopper]).fit(*digits).stopped_early_


@pytest.mark.parametrize("scorer", [EpochScoring, BatchScoring], ids=lambda cls: cls.__name__)
def test_skorch_scoring_callbacks_are_refused_before_training(digits, scorer):
    clf = small(callbacks=[scorer("accuracy")])
    with pytest.raises(ValueError, match=r"skorch's \w+Scoring cannot score.*valid_balanced"):
        clf.fit(*digits)
    assert not hasattr(clf, "classes_")


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


class StopAtEpoch(Callback):
    """A stopper of one's own: ends the fit as skorch's EarlyStopping does, raising
    KeyboardInterrupt at the end of an epoch; with ``ctrl_c``, a Ctrl-C arrives there."""

    def __init__(self, epoch, ctrl_c=False):
        self.epoch = epoch
        self.ctrl_c = ctrl_c

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            if self.ctrl_c:
                signal.raise_signal(signal.SIGINT)
            raise KeyboardInterrupt


def test_a_stopper_of_ones_own_ends_the_fit_as_early_stopping(digits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = small(max_epochs=5, callbacks=[StopAtEpoch(2)]).fit(*digits)
    assert clf.stopped_early_ and not clf.interrupted_ and clf.n_epochs_ == 2
    assert isinstance(clf.net_.stopped_by_, StopAtEpoch)


def test_a_ctrl_c_while_a_callback_ends_its_epoch_is_the_users(digits):
    clf = small(max_epochs=5, callbacks=[StopAtEpoch(2, ctrl_c=True)])
    with pytest.warns(UserWarning, match=r"interrupted \(KeyboardInterrupt\) after 2 of 5"):
        clf.fit(*digits)
    assert clf.interrupted_ and not clf.stopped_early_
    # The handler of Ctrl-C is the one before the fit again.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_ctrl_c_that_a_handler_of_ones_own_takes_does_not_make_a_stop_an_interrupt(digits):
    taken = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: taken.append(signum))
    try:

        class CtrlCAtFirstEpoch(Callback):
            def on_epoch_end(self, net, **kwargs):
                if len(net.history) == 1:
                    signal.raise_signal(signal.SIGINT)

        clf = small(max_epochs=5, callbacks=[CtrlCAtFirstEpoch(), StopAtEpoch(3)])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clf.fit(*digits)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert taken == [signal.SIGINT]
    assert clf.stopped_early_ and not clf.interrupted_ and clf.n_epochs_ == 3


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks only where the OS does")
def test_a_process_forked_while_a_fit_holds_the_lock_can_fit():
    import multiprocessing

    from sklearn_imbalance_dl import _fit_lock

    def fit_in_child(queue):
        X, y = _rows()
        queue.put(small().fit(X, y).n_epochs_)

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with _fit_lock.FIT_LOCK:  # as a fit in another thread holds it
        child = context.Process(target=fit_in_child, args=(queue,))
        child.start()
    child.join(timeout=120)
    if child.is_alive():
        child.kill()
    assert queue.get(timeout=5) == 2


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


@pytest.mark.parametrize("as_given", [lambda y: np.array(y, dtype=object), list])
def test_mixed_int_and_str_labels_are_refused_clearly(digits, as_given):
    # A plain list too, which numpy would turn into the strings "1" and "a".
    X, _ = digits
    y = as_given([1, "a"] * 10)
    with pytest.raises(ValueError, match="y mixes labels of types int, str, which do not compare"):
        small().fit(X[:20], y)


def test_numbers_held_as_objects_are_refused_as_what_they_are(digits):
    # scikit-learn calls them "unknown" and asks whether y is a regression target.
    X, _ = digits
    y = pd.Series([0, 1] * 10, dtype=object)
    with pytest.raises(ValueError, match=r"y holds int labels in an array of dtype object.*astype"):
        small().fit(X[:20], y)


@pytest.mark.parametrize(
    "make_labels",
    [
        lambda labels: np.array(labels, dtype=object),  # None among strings
        lambda labels: pd.Series(labels, dtype="string"),  # pd.NA, which cannot be compared
        lambda labels: pd.Categorical(labels),
        lambda labels: pd.Series([1.0 if v == "a" else 0.0 if v else None for v in labels]),
    ],
    ids=["object-None", "string-NA", "categorical-NaN", "float-NaN"],
)
def test_missing_labels_are_named_with_their_positions(digits, make_labels):
    X, _ = digits
    labels = ["a", "b"] * 10
    labels[3] = labels[7] = None
    with pytest.raises(ValueError, match=r"y has 2 missing label\(s\).*position\(s\) \[3, 7\]"):
        small().fit(X[:20], make_labels(labels))


def test_messages_show_labels_not_numpy_reprs(digits):
    X, _ = digits
    with pytest.raises(ValueError, match=r"got 1 class: 0\.$"):
        small().fit(X[:20], np.zeros(20, dtype=np.int64))
    # Strings as Python objects (a pandas column of them) are shown as they are.
    with pytest.raises(ValueError, match=r"got 1 class: 'a'\.$"):
        small().fit(X[:20], pd.Series(["a"] * 20, dtype=object))


# ---------------------------------------------------------------- compare
# The command's faults: one line on stderr and exit 2 for data it cannot use, exit 130
# and the finished fits kept (marked partial) on Ctrl-C.
COMPARE_TINY = ["--epochs", "2", "--seeds", "1", "--folds", "2", "--quiet"]


def _compare_table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["common"] * (n - 15) + ["rare"] * 15)
    return pd.DataFrame(
        {
            "x1": rng.normal(size=n) + 2.0 * (y == "rare"),
            "colour": rng.choice(["red", "green", "blue"], size=n),
            "label": y,
        }
    )


def _run_compare(capsys, path, *extra):
    from sklearn_imbalance_dl.__main__ import main

    status = main(["compare", "--data", str(path), "--target", "label", *COMPARE_TINY, *extra])
    return status, capsys.readouterr()


def _one_error_line(captured):
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert lines[0].startswith("sklearn-imbalance-dl compare: error: ")
    return lines[0]


def test_compare_header_only_csv_exits_2(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("x1,colour,label\n")
    status, captured = _run_compare(capsys, path)
    assert status == 2 and captured.out == ""
    assert _one_error_line(captured).endswith(
        "empty.csv has no rows (only its header); nothing to compare"
    )


def test_compare_inf_in_a_feature_names_the_column(tmp_path, capsys):
    table = _compare_table()
    table.loc[[7, 30], "x1"] = [np.inf, -np.inf]
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    assert pd.read_csv(path)["x1"].isin([np.inf, -np.inf]).sum() == 2  # written as inf
    status, captured = _run_compare(capsys, path)
    assert status == 2
    assert _one_error_line(captured).endswith(
        "infinite values in column(s) of t.csv: 'x1' (2 values, first in data row 8); "
        "replace them by numbers, or leave the cells empty (missing values are imputed), "
        "or --drop the column(s)"
    )


def test_compare_date_column_is_refused_with_drop_advice(tmp_path, capsys):
    table = _compare_table()
    table.insert(0, "when", pd.date_range("2024-01-01", periods=len(table)).astype(str))
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    status, captured = _run_compare(capsys, path)
    assert status == 2
    assert re.search(
        r"error: column\(s\) of t\.csv that one-hot encoding or scaling would turn into "
        r"noise: 'when': dates, 60 distinct values in 60 rows, e\.g\. '2024-\d\d-\d\d'; "
        r"leave them out with --drop when, or encode them first \(e\.g\. a date as its "
        r"month or day of week\)$",
        _one_error_line(captured),
    )


def test_compare_identifier_columns_are_refused(tmp_path, capsys):
    table = _compare_table()
    table.insert(0, "customer", [f"C{i:04d}" for i in range(len(table))])
    table.insert(0, "Unnamed: 0", np.arange(len(table)))  # a saved pandas index
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    status, captured = _run_compare(capsys, path)
    assert status == 2
    line = _one_error_line(captured)
    assert (
        "'Unnamed: 0': an identifier, 60 distinct values in 60 rows (consecutive integers); "
        "'customer': an identifier, 60 distinct values in 60 rows; "
        "leave them out with --drop 'Unnamed: 0,customer', or encode them first"
    ) in line
    assert line.endswith("encode them first")  # the example of a date is for dates


def test_compare_drop_makes_the_run_go(tmp_path, capsys):
    table = _compare_table()
    table.insert(0, "customer", [f"C{i:04d}" for i in range(len(table))])
    table.insert(0, "when", pd.date_range("2024-01-01", periods=len(table)).astype(str))
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    status, captured = _run_compare(
        capsys, path, "--drop", "when", "--drop", "customer", "--methods", "logreg"
    )
    assert status == 0, captured.err
    assert "2 features (1 categorical, 1 numeric" in captured.out
    assert "dropped: when, customer" in captured.out
    status, captured = _run_compare(capsys, path, "--drop", "when,nope")
    assert status == 2
    assert "--drop 'nope': not a column of t.csv" in _one_error_line(captured)


def _logreg(seed, epochs, device):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=200)


def _cut_short(seed, epochs, device):
    # A network whose fit is cut short by Ctrl-C (caught by the estimator).
    return small(max_epochs=3, callbacks=[InterruptAt(1)], random_state=seed)


def test_compare_runner_stops_on_an_interrupted_fit(digits):
    from sklearn_imbalance_dl.compare import ComparisonInterrupted, run_comparison

    X, y = digits
    methods = {"logreg": _logreg, "cut": _cut_short}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the estimator's warning is not repeated per fit
        with pytest.raises(ComparisonInterrupted) as info:
            run_comparison(X[:200], y[:200], X[200:], y[200:], methods=methods, seeds=2)
    interrupt = info.value
    assert isinstance(interrupt, KeyboardInterrupt)
    # Seed 0's logreg finished; the cut-short fit is not scored, and nothing after it ran.
    assert interrupt.n_fits == 4 and interrupt.results["method"].tolist() == ["logreg"]
    assert interrupt.results.attrs["partial"] is True
    assert str(interrupt) == "interrupted after 1 of 4 fits"


def test_compare_cli_ctrl_c_exits_130_and_keeps_the_finished_fits(tmp_path, capsys, monkeypatch):
    from sklearn_imbalance_dl.compare import _runner

    real, calls = _runner._fit_and_score, []

    def interrupting(task, torch_threads):
        calls.append(task[0])
        if len(calls) == 3:  # Ctrl-C during the third fit
            raise KeyboardInterrupt
        return real(task, torch_threads)

    monkeypatch.setattr(_runner, "_fit_and_score", interrupting)
    path = tmp_path / "t.csv"
    _compare_table().to_csv(path, index=False)
    output = tmp_path / "results.json"
    status, captured = _run_compare(
        capsys, path, "--methods", "logreg,hgb", "--output", str(output)
    )
    assert status == 130 and captured.out == ""
    partial = tmp_path / "results.partial.json"
    assert captured.err == (
        f"sklearn-imbalance-dl compare: interrupted (Ctrl-C) after 2 of 4 fits; the finished "
        f"fits are in {partial} (partial), {output} not written\n"
    )
    assert not output.exists()
    document = json.loads(partial.read_text())
    assert document["settings"]["partial"] is True
    assert [row["method"] for row in document["fits"]] == ["logreg", "hgb"]
    assert {row["n_fits"] for row in document["summary"]} == {1}


def test_compare_cli_ctrl_c_with_an_unwritable_partial_file_is_still_one_line(
    tmp_path, capsys, monkeypatch
):
    import tempfile

    from sklearn_imbalance_dl.compare import _runner

    real, calls = _runner._fit_and_score, []

    def interrupting(task, torch_threads):
        calls.append(task[0])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(task, torch_threads)

    monkeypatch.setattr(_runner, "_fit_and_score", interrupting)
    fallback_dir = tmp_path / "tmp"
    fallback_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(fallback_dir))
    path = tmp_path / "t.csv"
    _compare_table().to_csv(path, index=False)
    output = tmp_path / "results.json"
    partial = tmp_path / "results.partial.json"
    partial.mkdir()  # a folder where the finished fits would go
    status, captured = _run_compare(
        capsys, path, "--methods", "logreg,hgb", "--output", str(output)
    )
    assert status == 130 and captured.out == ""
    (fallback,) = fallback_dir.glob("sklearn-imbalance-dl-compare-*.partial.json")
    assert captured.err == (
        f"sklearn-imbalance-dl compare: interrupted (Ctrl-C) after 1 of 4 fits; cannot write "
        f"{partial} (Is a directory); the finished fits are in {fallback} (partial), {output} "
        "not written\n"
    )
    assert [row["method"] for row in json.loads(fallback.read_text())["fits"]] == ["logreg"]


def test_compare_complete_run_removes_the_partial_fits_of_an_interrupted_one(
    tmp_path, capsys, monkeypatch
):
    from sklearn_imbalance_dl.compare import _runner

    real = _runner._fit_and_score

    def interrupting(task, torch_threads):
        if task[0] == "hgb":
            raise KeyboardInterrupt
        return real(task, torch_threads)

    path = tmp_path / "t.csv"
    _compare_table().to_csv(path, index=False)
    output = tmp_path / "results.csv"
    partial = tmp_path / "results.partial.csv"
    partial_settings = tmp_path / "results.partial.settings.json"
    with monkeypatch.context() as patch:
        patch.setattr(_runner, "_fit_and_score", interrupting)
        status, _ = _run_compare(capsys, path, "--methods", "logreg,hgb", "--output", str(output))
    assert status == 130 and partial.exists() and not output.exists()
    settings = json.loads(partial_settings.read_text())["settings"]
    assert settings["partial"] is True and settings["data"]["file"] == str(path.resolve())

    status, captured = _run_compare(capsys, path, "--methods", "logreg", "--output", str(output))
    assert status == 0 and output.exists()
    assert not partial.exists() and not partial_settings.exists()
    assert f"removed {partial} (the fits of an interrupted run; " in captured.out


@pytest.mark.slow
@pytest.mark.parametrize("n_jobs", ["1", "2"])
def test_compare_ctrl_c_in_a_terminal_ends_the_run(tmp_path, n_jobs):
    # Ctrl-C in a terminal sends SIGINT to the whole process group: the command and,
    # with --n-jobs 2, its joblib workers.
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    output = tmp_path / "r.csv"
    # 20,000 epochs: a ce fit takes a minute or more on any machine, so the signal always
    # lands in the middle of one, after the quick logreg fits.
    command = [sys.executable, "-m", "sklearn_imbalance_dl", "compare", "--epochs", "20000"]
    command += ["--dataset", "digits_lt", "--seeds", "4", "--methods", "logreg,ce", "--quiet"]
    command += ["--n-jobs", n_jobs]
    proc = subprocess.Popen(
        [*command, "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A terminal's Ctrl-C reaches a program whose SIGINT is not ignored; a test run
        # started in the background of a non-interactive shell inherits SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])),
    )
    try:
        # Interrupt, usually inside the first ce fit: after 6 s of CPU time per process
        # of its session (the command and its joblib workers). On a loaded machine the
        # signal may still land while the command loads its libraries: reported in the
        # same one line, without the count of fits.
        busy = 6.0 * (1 + (n_jobs == "2") * 2)
        deadline = time.monotonic() + 600
        while _cpu_seconds(proc.pid) < busy and proc.poll() is None:
            assert time.monotonic() < deadline, "compare did not start training"
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # Ended by SIGINT after its report, so that a calling shell script stops too.
    assert proc.returncode == -signal.SIGINT, err
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith("sklearn-imbalance-dl compare: interrupted (Ctrl-C)"), err
    assert not output.exists()
    if err == "sklearn-imbalance-dl compare: interrupted (Ctrl-C)\n":  # before any fit
        assert not (tmp_path / "r.partial.csv").exists()
        return
    assert err.startswith("sklearn-imbalance-dl compare: interrupted (Ctrl-C) after ")
    partial = tmp_path / "r.partial.csv"
    if partial.exists():  # some fits finished (the logreg ones at least, usually)
        fits = pd.read_csv(partial).query("row == 'fit'")
        assert f"the finished fits are in {partial} (partial)" in err
        assert f"after {len(fits)} of 8 fits" in err
    else:
        assert "nothing written" in err


def _cpu_seconds(session):
    """CPU time (user + system) of the live processes of a Linux session, from /proc:
    the command and, with --n-jobs 2, its joblib workers."""
    import os

    ticks = 0
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # not a process, or it ended meanwhile
            continue
        if int(fields[3]) == session:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- early stopping
def _stopping_early(**params):
    # Patience 2 out of 40 epochs: on these digits the validation balanced accuracy
    # stops improving within a few epochs.
    params = {
        "validation_fraction": 0.2,
        "early_stopping": True,
        "n_iter_no_change": 2,
        "max_epochs": 40,
        "lr": 0.05,
        **params,
    }
    return small(**params)


def test_early_stopping_is_not_an_interrupt(digits, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = _stopping_early().fit(*digits)
    assert clf.stopped_early_ and not clf.interrupted_
    # Stopped after patience epochs without improvement on the best one.
    history = clf.net_.history
    assert clf.n_epochs_ == len(history) < 40
    # The epoch kept is the first of the highest validation balanced accuracy.
    scores = history[:, "valid_balanced_accuracy"]
    assert clf.best_epoch_ == scores.index(max(scores)) + 1 == clf.n_epochs_ - 2
    assert capsys.readouterr().out == ""  # silent without verbose


class _PlannedRecalls(torch.nn.Module):
    """Right on the training rows; at validation epoch k, right on the first
    ``PLAN[k][c]`` validation rows of class c (the label is in X's first column)."""

    PLAN = [(1, 7), (3, 5), (0, 0)]

    def __init__(self):
        super().__init__()
        self.unused = torch.nn.Parameter(torch.zeros(()))
        self.epoch = 0

    def forward(self, X):
        label = X[:, 0].long()
        predicted = label.clone()
        if not self.training:
            for c, right in enumerate(self.PLAN[min(self.epoch, len(self.PLAN) - 1)]):
                predicted[torch.nonzero(label == c).flatten()[right:]] = 1 - c
        return torch.nn.functional.one_hot(predicted, 2).float() + 0 * self.unused


class _TellEpoch(Callback):
    def on_epoch_begin(self, net, **kwargs):
        net.module_.epoch = len(net.history) - 1


def test_equal_accuracies_of_different_recalls_keep_the_first_epoch():
    """Recalls 0.1 and 0.7, then 0.3 and 0.5 (10 validation rows a class): the same
    balanced accuracy, 0.4, though a float mean puts the first a rounding below."""
    y = np.repeat([0, 1], 100)
    X = np.column_stack([y, np.arange(200)]).astype(np.float32)
    clf = ImbalancedNetClassifier(
        module=_PlannedRecalls, loss="ce", validation_fraction=0.1, early_stopping=True,
        n_iter_no_change=2, max_epochs=10, batch_size=256, random_state=0,
        callbacks=[_TellEpoch()],
    ).fit(X, y)  # fmt: skip
    history = clf.net_.history
    assert history[:, "valid_balanced_accuracy"] == [0.4, 0.4, 0.0]
    assert history[:, "valid_balanced_accuracy_best"] == [True, False, False]
    assert clf.best_epoch_ == 1 and clf.n_epochs_ == 3


def test_the_validation_score_is_that_of_predict_with_the_posthoc_adjustment():
    X, y = make_classification(
        400, n_features=6, n_informative=4, n_classes=3, weights=[0.8, 0.15, 0.05],
        flip_y=0.05, random_state=0,
    )  # fmt: skip
    clf = ImbalancedNetClassifier(
        loss="ce", posthoc_tau=1.0, validation_fraction=0.25, max_epochs=5, random_state=0
    ).fit(X, y)
    # The estimator's validation rows: its split is seeded from random_state.
    seed = check_random_state(0).randint(np.iinfo(np.int32).max)
    _, valid = next(StratifiedShuffleSplit(1, test_size=0.25, random_state=seed).split(X, y))
    score = balanced_accuracy_score(y[valid], clf.predict(X[valid]))
    assert clf.net_.history[-1, "valid_balanced_accuracy"] == pytest.approx(score)
    # With sample weights, the weighted score: a row of weight k counts as k rows.
    weight = np.random.default_rng(0).choice([0.0, 1.0, 3.0], len(y))
    clf.fit(X, y, sample_weight=weight)
    score = balanced_accuracy_score(y[valid], clf.predict(X[valid]), sample_weight=weight[valid])
    assert clf.net_.history[-1, "valid_balanced_accuracy"] == pytest.approx(score)


def test_early_stopping_says_so_under_verbose(digits, capsys):
    clf = _stopping_early(verbose=1).fit(*digits)
    out = capsys.readouterr().out
    assert "Stopping since valid_balanced_accuracy has not improved in the last 2 epochs." in out
    assert f"Restoring best model from epoch {clf.best_epoch_}." in out


def _user_stopper(**params):
    # No epoch improves the training loss tenfold: it ends the fit at epoch 2.
    return EarlyStopping(monitor="train_loss", patience=1, threshold=10.0, **params)


@pytest.mark.parametrize("stopper", ["estimator's", "user's"])
def test_the_callbacks_see_the_epoch_that_stops_the_fit(digits, stopper):
    callbacks = [ClassDiagnostics()]
    if stopper == "user's":  # before the diagnostics, after the estimator's stopper
        callbacks.insert(0, _user_stopper())
    clf = _stopping_early(callbacks=callbacks).fit(*digits)
    assert clf.stopped_early_ and not clf.interrupted_
    recorded = class_diagnostics(clf)["train_accuracy"]
    assert len(recorded) == clf.n_epochs_ == len(clf.net_.history)
    # The estimator's stopper saw the last epoch too: the first of its highest scores.
    scores = clf.net_.history[:, "valid_balanced_accuracy"]
    assert clf.best_epoch_ == np.argmax(scores) + 1


def _printed_epochs(out):
    """The epochs of the rows of skorch's printed table, and the lines after the last row."""
    lines = out.splitlines()
    rows = [i for i, line in enumerate(lines) if line.split()[:1] and line.split()[0].isdigit()]
    return [int(lines[i].split()[0]) for i in rows], lines[rows[-1] + 1 :]


def test_the_epoch_early_stopping_keeps_is_the_best_in_the_history_and_table(
    digits, capsys, tmp_path
):
    saver = Checkpoint(monitor="valid_balanced_accuracy_best", dirname=tmp_path)
    clf = _stopping_early(verbose=1, callbacks=[saver]).fit(*digits)
    history = clf.net_.history
    scores, best = history[:, "valid_balanced_accuracy"], history[:, "valid_balanced_accuracy_best"]
    assert best == [score > max(scores[:i], default=-1) for i, score in enumerate(scores)]
    assert np.flatnonzero(best)[-1] + 1 == clf.best_epoch_
    assert history[:, "event_cp"] == best  # a Checkpoint can save the epochs kept
    # The printed table highlights the accuracy of those epochs, as skorch the losses'.
    lines = capsys.readouterr().out.splitlines()
    column = lines[0].split().index("valid_balanced_accuracy")
    rows = [line.split() for line in lines if line.split()[:1] and line.split()[0].isdigit()]
    highlighted = [row[column].startswith("\x1b[") for row in rows]
    assert highlighted == best


def test_verbose_prints_the_epoch_that_stops_the_fit_then_says_so(digits, capsys):
    clf = _stopping_early(verbose=1).fit(*digits)
    epochs, after = _printed_epochs(capsys.readouterr().out)
    assert epochs == list(range(1, clf.n_epochs_ + 1))
    assert after == [
        "Stopping since valid_balanced_accuracy has not improved in the last 2 epochs.",
        f"Restoring best model from epoch {clf.best_epoch_}.",
    ]
    # A user's stopper with a sink of its own: the sink gets its message.
    said = []
    clf = small(max_epochs=10, verbose=1, callbacks=[_user_stopper(sink=said.append)])
    clf.fit(*digits)
    assert clf.stopped_early_ and clf.n_epochs_ == 2
    assert _printed_epochs(capsys.readouterr().out) == ([1, 2], [])
    assert said == ["Stopping since train_loss has not improved in the last 1 epochs."]


def test_a_fit_that_runs_all_its_epochs_did_not_stop_early(digits):
    clf = small(max_epochs=2, validation_fraction=0.2, early_stopping=True).fit(*digits)
    assert not clf.stopped_early_ and not clf.interrupted_ and clf.best_epoch_ in (1, 2)
    clf = small(max_epochs=2).fit(*digits)
    assert not clf.stopped_early_ and clf.best_epoch_ is None


class EpochWeights(Callback):
    """The module's weights at the end of every epoch."""

    def initialize(self):
        self.weights = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.weights.append(copy.deepcopy(net.module_.state_dict()))


def test_ctrl_c_in_a_fit_with_a_restoring_callback_names_the_epoch_it_keeps(digits):
    # The training loss falls at every epoch: the callback's best epoch is the last one
    # that ended, which it restores at the interrupt over the weights reached since.
    stopper = EarlyStopping(monitor="train_loss", patience=5, load_best=True)
    clf = small(max_epochs=5, callbacks=[stopper, InterruptAt(2)])
    message = (
        r"after 2 of 5 epochs; the model keeps the weights of epoch 2, as its "
        r"EarlyStopping\(load_best=True\) among callbacks restores them"
    )
    with pytest.warns(UserWarning, match=message):
        clf.fit(*digits)
    assert clf.interrupted_ and clf.best_epoch_ is None


def test_ctrl_c_in_a_fit_with_early_stopping_is_still_an_interrupt(digits):
    # Patience 20: the interrupt comes first, a few epochs after the best one.
    clf = _stopping_early(n_iter_no_change=20, callbacks=[InterruptAt(12), EpochWeights()])
    with pytest.warns(
        UserWarning, match=r"interrupted \(KeyboardInterrupt\) after 12 of 40"
    ) as said:
        clf.fit(*digits)
    assert clf.interrupted_ and not clf.stopped_early_
    # Early stopping restores its best epoch when training ends, Ctrl-C or not.
    assert f"the model keeps the weights of its best epoch so far, epoch {clf.best_epoch_}" in str(
        said[0].message
    )
    history = clf.net_.history[:, "valid_balanced_accuracy"]
    assert clf.best_epoch_ == 1 + int(np.argmax(history))
    (epochs,) = [cb for _, cb in clf.net_.callbacks_ if isinstance(cb, EpochWeights)]
    kept, best = clf.net_.module_.state_dict(), epochs.weights[clf.best_epoch_ - 1]
    assert all(torch.equal(kept[name], best[name]) for name in best)
    # Stopped before any epoch ended: no best epoch.
    with pytest.warns(UserWarning, match=r"after 0 of 40 epochs; the model keeps the weights"):
        clf.set_params(callbacks=[InterruptAt(0)]).fit(*digits)
    assert clf.best_epoch_ is None


def test_a_stop_at_the_last_epoch_is_not_early(digits):
    from skorch.callbacks import EarlyStopping

    # No epoch improves the training loss by 100: the stopper fires after epoch 3 of 3.
    stopper = EarlyStopping(monitor="train_loss", patience=2, threshold=100.0, threshold_mode="abs")
    clf = small(max_epochs=3, callbacks=[stopper]).fit(*digits)
    assert clf.n_epochs_ == 3 and not clf.stopped_early_


def test_a_callback_that_cannot_be_copied_is_used_as_it_is(digits, tmp_path):
    class EpochLog(Callback):
        def __init__(self, file):
            self.file = file  # an open file cannot be deep-copied

        def on_epoch_end(self, net, **kwargs):
            self.file.write(f"epoch {len(net.history)}\n")

    with open(tmp_path / "log.txt", "w") as file:
        small(max_epochs=2, callbacks=[EpochLog(file)]).fit(*digits)
    assert (tmp_path / "log.txt").read_text() == "epoch 1\nepoch 2\n"


def test_a_skorch_early_stopping_callback_is_not_an_interrupt(digits):
    from skorch.callbacks import EarlyStopping

    stopper = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = small(max_epochs=10, callbacks=[stopper]).fit(*digits)
    assert clf.stopped_early_ and not clf.interrupted_ and clf.n_epochs_ == 2


def _stops_early(seed, epochs, device):
    return _stopping_early(random_state=seed)


def test_compare_runner_scores_fits_that_stopped_early(digits):
    from sklearn_imbalance_dl.compare import run_comparison

    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = run_comparison(
            X[:200], y[:200], X[200:], y[200:], methods={"es": _stops_early}, seeds=2
        )
    assert results["method"].tolist() == ["es", "es"] and not results.attrs["partial"]
    assert results["balanced_accuracy"].between(0.5, 1).all()


def test_grid_search_runs_estimators_that_stop_early(digits):
    from sklearn.model_selection import GridSearchCV

    grid = GridSearchCV(_stopping_early(), {"n_iter_no_change": [1, 2]}, cv=2, error_score="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid.fit(*digits)
    assert grid.best_estimator_.stopped_early_ and not grid.best_estimator_.interrupted_
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


# ---------------------------------------------------------------- inputs refused at fit
def _rows(n=60, n_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    return rng.normal(size=(n, 5)).astype(np.float32) + y[:, None], y


@pytest.mark.parametrize(
    "shape",
    [(24, 32, 32, 3), (24, 28, 28, 1), (24, 16, 16, 4), (24, 4, 4, 3), (24, 3, 3, 1)]
    + [(24, 2, 2, 3), (24, 32, 24, 3)],
)
def test_channels_last_images_are_refused_with_the_transposition(shape):
    X = np.random.default_rng(0).random(shape, dtype=np.float32)
    y = np.arange(shape[0]) % 2
    h, w, c = shape[1:]
    message = (
        f"X has images of shape {(h, w, c)}, read as (channels, height, width): {h} channels "
        f"of {w}x{c} pixels. That looks like (height, width, channels) order, but "
        "module='auto' takes (n_samples, channels, height, width): pass "
        "X.transpose(0, 3, 1, 2), or X.permute(0, 3, 1, 2) for a torch tensor."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        ImbalancedNetClassifier(max_epochs=1).fit(X, y)
    # A tensor's transpose swaps two dimensions: it is told its own method.
    with pytest.raises(ValueError, match=re.escape(message)):
        ImbalancedNetClassifier(max_epochs=1).fit(torch.as_tensor(X), y)
    assert torch.as_tensor(X).permute(0, 3, 1, 2).shape == X.transpose(0, 3, 1, 2).shape
    # ResNet-32 given as its class reads images as its name does.
    from sklearn_imbalance_dl.modules import ResNet32

    with pytest.raises(ValueError, match=r"module=<class '.*ResNet32'> takes \(n_samples, c"):
        ImbalancedNetClassifier(module=ResNet32, max_epochs=1).fit(X, y)
    # The MLP flattens the samples, whatever their order, but an image augmentation
    # beside it reads them as (channels, height, width).
    small().fit(X, y)
    with pytest.raises(ValueError, match=r"augment='crop_flip' takes \(n_samples, channels"):
        small(augment="crop_flip").fit(X, y)


def test_components_that_need_images_say_how_to_give_them():
    rng = np.random.default_rng(0)
    y = np.arange(24) % 2
    grey = rng.random((24, 8, 8), dtype=np.float32)
    with pytest.raises(ValueError, match=r"needs images .*channel axis: pass X\[:, None\]"):
        small(augment="crop_flip").fit(grey, y)
    # Rows that the module reshapes into images (after SMOTE, say) reach the
    # augmentation as rows.
    rows = ImbalancedNetClassifier(
        module="resnet32", module__input_shape=(1, 8, 8), augment="crop_flip", max_epochs=1
    )
    with pytest.raises(ValueError, match=r"module reshapes rows.*FunctionTransformer"):
        rows.fit(grey.reshape(24, -1), y)


def test_images_of_several_sizes_are_refused_with_their_fix():
    images = [np.zeros((1, 8, 8), dtype=np.float32)] * 12 + [np.zeros((1, 6, 6))] * 12
    with pytest.raises(ValueError, match=r"samples of different shapes .*resize or crop"):
        ImbalancedNetClassifier(max_epochs=1).fit(images, np.arange(24) % 2)


@pytest.mark.parametrize("shape", [(24, 3, 0, 0), (24, 0, 8, 8), (24, 3, 8, 0)])
def test_images_without_pixels_or_channels_are_refused_with_their_shape(shape):
    """Not torch's kernel-size error, nor a refused in_channels=0 that fit filled in."""
    y = np.arange(24) % 2
    message = rf"X has samples of shape \({', '.join(map(str, shape[1:]))}\), which hold no values"
    for X in (np.zeros(shape, dtype=np.float32), TensorDataset(torch.zeros(shape))):
        with pytest.raises(ValueError, match=message):
            ImbalancedNetClassifier(module="resnet32", max_epochs=1).fit(X, y)


@pytest.mark.parametrize("shape", [(24, 3, 4, 4), (24, 16, 4, 4), (24, 8, 1, 1), (24, 3, 3, 3)])
def test_small_channels_first_images_are_not_refused(shape):
    # Square read as (channels, height, width), or square either way: channels first.
    X = np.random.default_rng(0).random(shape, dtype=np.float32)
    y = np.arange(24) % 2
    assert small(max_epochs=1).fit(X, y).n_epochs_ == 1


def test_channels_first_images_and_own_modules_are_not_refused():
    X = np.random.default_rng(0).random((24, 3, 8, 8), dtype=np.float32)
    y = np.arange(24) % 2
    assert small(max_epochs=1).fit(X, y).n_epochs_ == 1

    class ChannelsLast(torch.nn.Module):  # takes (N, H, W, C) itself
        def __init__(self, n_classes):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, n_classes, 3)

        def forward(self, x):
            return self.conv(x.permute(0, 3, 1, 2)).mean((2, 3))

    X = X.transpose(0, 2, 3, 1)
    clf = ImbalancedNetClassifier(module=ChannelsLast, loss="ce", max_epochs=1, batch_size=8)
    assert clf.fit(X, y).n_epochs_ == 1


_TORCH_LOSS_ADVICE = (
    "a torch loss must take what torch.nn.CrossEntropyLoss takes: logits of shape "
    "(n_samples, n_classes) and integer class labels of shape (n_samples,)"
)


# torch warns of the broadcast (MSELoss) before the estimator refuses the loss.
@pytest.mark.filterwarnings("ignore:Using a target size")
@pytest.mark.parametrize(
    "loss, n_classes, problem",
    [
        (torch.nn.MSELoss(), 3, "cannot score logits against class labels (RuntimeError: The"),
        # torch 2.4's backward refuses the integer labels; 2.13's broadcasts them.
        (
            torch.nn.MSELoss(),
            2,
            (
                "returns losses of shape (2, 2) for 2 samples with reduction=",
                "cannot score logits against class labels (RuntimeError: Found dtype Long",
            ),
        ),
        (torch.nn.BCEWithLogitsLoss(), 2, "cannot score logits against class labels (ValueError"),
        (torch.nn.L1Loss, 3, "cannot score logits against class labels"),
    ],
)
def test_torch_losses_that_do_not_score_logits_are_refused(loss, n_classes, problem):
    name = repr(loss)
    problems = problem if isinstance(problem, tuple) else (problem,)
    match = "|".join(re.escape(f"loss={name} {text}") for text in problems)
    with pytest.raises(ValueError, match=match) as info:
        small(loss=loss).fit(*_rows(n_classes=n_classes))
    assert _TORCH_LOSS_ADVICE in str(info.value) and "loss='ce'" in str(info.value)


def test_nll_loss_is_refused_as_the_module_outputs_logits():
    message = (
        "loss=NLLLoss() takes log-probabilities, but the module outputs logits (no "
        "log_softmax is applied before the loss): use loss='ce' or "
        "torch.nn.CrossEntropyLoss(), which is log_softmax followed by NLLLoss."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        small(loss=torch.nn.NLLLoss()).fit(*_rows())


def test_a_torch_loss_that_fits_trains():
    clf = small(loss=torch.nn.CrossEntropyLoss(label_smoothing=0.1)).fit(*_rows(n_classes=3))
    assert clf.n_epochs_ == 2


class _TupleOut(torch.nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        logits = self.linear(x)
        return logits, x


def test_a_module_returning_a_tuple_is_refused_clearly():
    message = (
        " returns a tuple from forward, but the estimator needs one tensor of logits of "
        "shape (n_samples, n_classes): return the logits alone (e.g. from a wrapper module "
        "whose forward returns module(x)[0])."
    )
    clf = ImbalancedNetClassifier(module=_TupleOut, max_epochs=1)
    with pytest.raises(ValueError, match=r"^module=<class '.*_TupleOut'>" + re.escape(message)):
        clf.fit(*_rows())


class _NoGradientOut(torch.nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        with torch.no_grad():
            return self.linear(x)


def test_a_module_returning_logits_without_a_gradient_is_refused_clearly():
    clf = ImbalancedNetClassifier(module=_NoGradientOut, max_epochs=1)
    with pytest.raises(
        ValueError,
        match=r"^module _NoGradientOut returned logits without a gradient \(requires_grad=False\) "
        r"in a training step.*torch\.no_grad\(\)",
    ):
        clf.fit(*_rows())
    assert not hasattr(clf, "net_")


def test_a_module_instance_is_named_by_its_class_not_its_layers():
    """A ResNet-32 instance's repr lists its layers in thousands of characters."""
    from sklearn_imbalance_dl.modules import ResNet32

    images = np.random.default_rng(0).random((20, 1, 8, 8), dtype=np.float32)
    y = np.arange(20) % 2
    for module, message in [
        (ResNet32(2), r"module=ResNet32\(\.\.\.\) cannot take samples of shape \(1, 8, 8\)"),
        (ResNet32(5, in_channels=1), r"module=ResNet32\(\.\.\.\) returns outputs of shape"),
    ]:
        with pytest.raises(ValueError, match="^" + message) as info:
            ImbalancedNetClassifier(module=module, max_epochs=1).fit(images, y)
        assert len(str(info.value)) < 400


@pytest.mark.parametrize("n_rare", [2, 3])
def test_every_class_of_two_samples_or_more_is_validated_on(n_rare):
    # At a fraction of 0.1 the stratified split gives the rare class 0.2-0.3 of a
    # validation sample, rounded to none: the validation balanced accuracy would not
    # see it.
    X = np.random.default_rng(0).normal(size=(200 + n_rare, 5)).astype(np.float32)
    y = np.repeat([0, 1, 2], [180, 20, n_rare])
    clf = small(validation_fraction=0.1, max_epochs=1).fit(X, y)
    validated = np.bincount(y) - clf.class_counts_
    assert validated[2] == 1 and clf.class_counts_[2] == n_rare - 1
    assert validated.sum() == int(np.ceil(0.1 * len(y))) + 1  # the split's, and the one moved


def test_a_validation_fraction_that_empties_a_class_is_named():
    # 20 training samples of 196 + 4: the stratified split gives the rare class 0.4 of a
    # sample, rounded to none.
    X = np.random.default_rng(0).normal(size=(200, 5)).astype(np.float32)
    y = np.array(["common"] * 196 + ["rare"] * 4)
    message = (
        "validation_fraction=0.9 holds out every sample of class(es) 'rare', so training "
        "would never see them: lower validation_fraction (e.g. 0.1), or leave it None "
        "(train on everything) for classes this small."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        small(validation_fraction=0.9).fit(X, y)
    with pytest.raises(ValueError, match=r"^validation_fraction=0.99 splits the 60 samples "):
        small(validation_fraction=0.99).fit(*_rows(n=60))


@pytest.mark.filterwarnings("ignore:The number of unique classes")
def test_a_validation_fraction_names_the_classes_too_small_to_split_in_their_labels():
    X = np.random.default_rng(0).normal(size=(120, 3)).astype(np.float32)
    y = np.array([f"sp_{k:03d}" for k in range(100)] + ["sp_000"] * 20)
    message = (
        "validation_fraction=0.5 needs 2 samples of every class (one to train on, one to "
        "validate with); class(es) 'sp_001', 'sp_002', 'sp_003', 'sp_004', 'sp_005' and "
        "94 more have 1: drop or merge them"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        small(validation_fraction=0.5).fit(X, y)
    # Every class has 2 samples, but 0.1 of 200 validates on 20, fewer than 100 classes.
    pairs = np.repeat(np.arange(100), 2)
    # Only 0.5 splits them: it is named alone, not as a range from itself to itself.
    with pytest.raises(ValueError, match=r"to validate with; .* each of the 100 classes .*"
                       r"choose 0\.5, or leave it None"):  # fmt: skip
        small(validation_fraction=0.1).fit(np.ones((200, 3), np.float32), pairs)
    # The bounds it gives work, rounded inward (2 classes of 3 rows: 1/3 to 2/3).
    X, y = np.ones((6, 3), np.float32), np.repeat([0, 1], 3)
    with pytest.raises(ValueError, match=r"between 0\.334 and 0\.666, or leave it None"):
        small(validation_fraction=0.7).fit(X, y)
    for fraction in (0.334, 0.666):
        small(validation_fraction=fraction, max_epochs=1).fit(X, y)


@pytest.mark.parametrize(
    "routed, message",
    [
        ({"weight_decay": 1e-3, "optimizer__weight_decay": 0.5},
         "optimizer__weight_decay=0.5 would override weight_decay=0.001"),
        ({"optimizer__lr": 0.01}, "optimizer__lr=0.01 would override lr=0.001"),
    ],
)  # fmt: skip
def test_a_routed_rate_or_decay_is_pointed_to_the_estimators_own(digits, routed, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        small(**routed).fit(*digits)


@pytest.mark.parametrize("fractions", [(0.6, 0.2), (0.5, 0.5)])
def test_milestones_out_of_order_are_refused(digits, fractions):
    clf = small(
        lr_schedule="warmup_step",
        lr_schedule__milestone_fractions=fractions,
        lr_schedule__factors=(0.1, 0.01),
    )
    with pytest.raises(ValueError, match=r"'milestone_fractions' parameter of LRSchedule must"):
        clf.fit(*digits)


def test_a_warm_up_longer_than_the_training_is_warned_about():
    message = (
        "lr_schedule='warmup_step' warms the learning rate up over 5 epochs "
        "(lr_schedule__warmup_epochs), more than max_epochs=3: the rate never reaches "
        "lr=0.05. Train for at least 5 epochs, or set lr_schedule__warmup_epochs to at "
        "most 3 (0: no warm-up)."
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        clf = small(lr_schedule="warmup_step", lr=0.05, max_epochs=3).fit(*_rows())
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.05 * 3 / 5)
    with pytest.warns(UserWarning, match=r"lr_schedule='cosine' warms .* over 4 epochs"):
        small(lr_schedule="cosine", lr_schedule__warmup_epochs=4, max_epochs=3).fit(*_rows())
    # A warm-up as long as the training reaches the base rate in its last epoch.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = small(lr_schedule="warmup_step", max_epochs=5).fit(*_rows())
    assert clf.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-3)


def test_samples_of_other_shapes_are_flattened_by_the_mlp():
    # (n, 8, 8) samples: module="auto" is the MLP on the 64 values of each sample, the
    # very fit of module="mlp" on the same values given as rows (n, 64).
    X, y = load_digits(return_X_y=True)
    X, y = (X[:120] / 16).astype(np.float32), y[:120]
    square = ImbalancedNetClassifier(max_epochs=2, random_state=0).fit(X.reshape(-1, 8, 8), y)
    rows = ImbalancedNetClassifier(module="mlp", max_epochs=2, random_state=0).fit(X, y)
    assert type(square.net_.module_) is type(rows.net_.module_)
    np.testing.assert_array_equal(square.predict_proba(X.reshape(-1, 8, 8)), rows.predict_proba(X))


def test_module_auto_takes_the_parameters_of_the_module_it_builds():
    # On (n, 8, 8) samples module="auto" is the MLP, whose hidden_sizes=() is a linear
    # model; the tabular backbone of rows needs a hidden layer and says so.
    X, y = _rows(n=40)
    square = np.repeat(X[:, :4, None], 4, axis=2)
    clf = ImbalancedNetClassifier(module__hidden_sizes=(), max_epochs=1).fit(square, y)
    assert clf.net_.module_.hidden_sizes == () and not clf.net_.module_.stages
    with pytest.raises(
        InvalidParameterError, match=r"'hidden_sizes' parameter of TabularNet.* Got \(\) instead"
    ):
        ImbalancedNetClassifier(module__hidden_sizes=(), max_epochs=1).fit(X, y)
    # A value that neither takes is refused before either is built, saying which takes what.
    with pytest.raises(
        InvalidParameterError,
        match=r"'module__hidden_sizes' parameter of ImbalancedNetClassifier must be a tuple "
        r"of length >= 1 of int in the range \[1, inf\) for TabularNet \(module='auto' on "
        r"rows\) or a tuple of int in the range \[1, inf\) for MLP \(module='auto' on other "
        r"samples\)\. Got \(0,\) instead",
    ):
        ImbalancedNetClassifier(module__hidden_sizes=(0,), max_epochs=1).fit(square, y)


# ---------------------------------------------------------------- ImbalancedSampler
def test_sampler_refuses_a_feature_based_imblearn_sampler_without_x():
    from imblearn.under_sampling import NearMiss, RandomUnderSampler, TomekLinks

    from sklearn_imbalance_dl.sampling import ImbalancedSampler

    y = np.repeat([0, 1], [20, 10])
    for sampler in (NearMiss(), TomekLinks()):
        message = (
            f"{sampler!r} chooses rows by their features, but ImbalancedSampler got no X (it "
            "would see row numbers): pass X=, the features of the samples (one row per "
            "label), or use RandomUnderSampler or RandomOverSampler, which need none."
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            ImbalancedSampler(y, sampler)
    X = np.random.default_rng(0).normal(size=(30, 2))
    assert len(ImbalancedSampler(y, NearMiss(), X=X)) == 20
    assert len(ImbalancedSampler(y, RandomUnderSampler(), random_state=0)) == 20


def test_estimator_shows_its_inputs_to_a_feature_based_sampler():
    from imblearn.under_sampling import NearMiss

    class RecordingNearMiss(NearMiss):
        seen = []

        def fit_resample(self, X, y, **params):
            type(self).seen.append(np.array(X))
            return super().fit_resample(X, y, **params)

    X, _ = _rows(n=60)
    y = np.where(np.arange(60) < 45, 0, 1)
    small(sampler=RecordingNearMiss(), max_epochs=2).fit(X, y)
    # Each epoch's draw saw the training inputs, not the row numbers.
    for epoch_input in RecordingNearMiss.seen[-2:]:
        np.testing.assert_array_equal(epoch_input, X.astype(np.float32))


@pytest.mark.parametrize(
    "y, message",
    [
        (
            np.r_[np.zeros(5), np.nan, np.ones(5)],
            r"y has 1 missing label\(s\) \(None, NaN or pd\.NA\), first at position\(s\) "
            r"\[5\]: ImbalancedSampler would draw them as a class of their own\. "
            r"Drop those samples, or give them a label\.",
        ),
        (
            np.array(["a", None, "b"], dtype=object),
            r"y has 1 missing label\(s\) .* position\(s\) \[1\]",
        ),
        (np.array([]), r"^y is empty: ImbalancedSampler needs the labels of the samples\.$"),
    ],
)
def test_sampler_refuses_missing_and_empty_labels(y, message):
    from sklearn_imbalance_dl.sampling import ImbalancedSampler

    with pytest.raises(ValueError, match=message):
        ImbalancedSampler(y)


# ---------------------------------------------------------------- import order
_ROUTED_SCORE = """
import numpy as np, sklearn
sklearn.set_config(enable_metadata_routing=True)
{first}
from sklearn.metrics import balanced_accuracy_score, make_scorer
from sklearn.model_selection import cross_validate
scorer = make_scorer(balanced_accuracy_score).set_score_request(sample_weight=True)
{second}
X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
y = np.arange(40) % 2
clf = ImbalancedNetClassifier(module="mlp", max_epochs=1).set_fit_request(sample_weight=True)
scores = cross_validate(clf, X, y, scoring=scorer, params={{"sample_weight": np.ones(40)}}, cv=2)
print(len(scores["test_score"]))
"""


@pytest.mark.parametrize("documented_order", [True, False])
def test_metadata_routing_needs_the_package_imported_before_the_requests(documented_order):
    # The order the estimator's Notes give works; the other fails in imbalanced-learn's
    # patch of scikit-learn 1.9 and later, as the Notes say (this test says when that
    # changes); with 1.6 to 1.8 it works too.
    import subprocess
    import sys
    from pathlib import Path

    imports = "from sklearn_imbalance_dl import ImbalancedNetClassifier"
    first, second = (imports, "") if documented_order else ("", imports)
    result = subprocess.run(
        [sys.executable, "-c", _ROUTED_SCORE.format(first=first, second=second)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
    )
    if documented_order or parse_version(sklearn.__version__) < parse_version("1.9"):
        assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    else:
        assert "'MetadataRequest' object has no attribute 'fit_resample'" in result.stderr


def test_ctrl_c_while_the_command_line_loads_is_one_line(monkeypatch, capsys):
    # The command's modules (torch, scikit-learn) load inside run_program, which reports
    # a Ctrl-C there as the commands do, and ends by SIGINT (here: KeyboardInterrupt).
    import sys

    from sklearn_imbalance_dl import __main__ as cli

    def interrupted_import(name):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.importlib, "import_module", interrupted_import)
    monkeypatch.setattr(sys, "argv", ["sklearn-imbalance-dl", "compare", "--data", "x.csv"])
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    with pytest.raises((KeyboardInterrupt, SystemExit)) as info:
        cli.run_program()
    assert capsys.readouterr().err == "sklearn-imbalance-dl compare: interrupted (Ctrl-C)\n"
    if isinstance(info.value, SystemExit):  # not POSIX
        assert info.value.code == 130


# ----------------------------------------------------------------- torch Datasets
def small_images(**params):
    """A narrow ResNet-32 (what module="auto" is on images), one epoch."""
    params = {"max_epochs": 1, "batch_size": 32, "random_state": 0, **params}
    return ImbalancedNetClassifier(module="auto", module__widths=(4, 8, 8), **params)


class _Items(torch.utils.data.Dataset):
    """A Dataset whose items are ``make(i)``."""

    def __init__(self, make, n=48):
        self.make, self.n = make, n

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        return self.make(index)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda i: {"image": torch.rand(3, 8, 8)}, "Item 0 of the Dataset X is a dict, which"),
        pytest.param(
            lambda i: (Image.new("RGB", (8, 8)), i % 3),
            r"Item 0 of the Dataset X is a PIL image.*transforms.ToTensor\(\)",
            marks=pytest.mark.skipif(Image is None, reason="needs Pillow (pip install pillow)"),
        ),
        (lambda i: torch.tensor(float(i)), "Item 0 of the Dataset X is a scalar"),
        (
            lambda i: torch.rand(3, 8, 8, dtype=torch.complex64),
            r"Item 0 of the Dataset X holds complex numbers \(torch.complex64\)",
        ),
        (
            lambda i: np.fft.fft2(np.ones((3, 8, 8))),
            r"Item 0 of the Dataset X holds complex numbers \(torch.complex128\)",
        ),
        (lambda i: torch.rand(3, 8 + (i == 5), 8), r"Item 5 of the Dataset X has shape \(3, 9"),
    ],
)  # fmt: skip
def test_dataset_items_the_network_cannot_read_are_named(make, message):
    y = np.arange(48) % 3
    with pytest.raises(ValueError, match=message):
        small_images().fit(_Items(make), y)


def test_dataset_items_flipped_with_numpy_train_and_predict_as_their_copies():
    """An item that is a view with negative strides (np.flip in __getitem__), which torch
    cannot wrap, is read as its copy, in fit and predict."""
    images = np.random.default_rng(0).random((48, 3, 8, 8), dtype=np.float32)
    y = np.arange(48) % 3
    flipped = _Items(lambda i: (np.flip(images[i], -1), y[i]))
    copied = _Items(lambda i: (np.flip(images[i], -1).copy(), y[i]))
    clf = small_images().fit(flipped, y)
    reference = small_images().fit(copied, y)
    np.testing.assert_array_equal(clf.predict_proba(flipped), reference.predict_proba(copied))


def test_dataset_items_of_numpy_arrays_are_read_as_an_array_x_is(tmp_path):
    """Items in non-native byte order (FITS images), read-only memory (np.load with
    mmap_mode) or an object array of numbers train and predict as their native copies,
    as an array X of them does, without torch's warning about non-writable arrays."""
    images = np.random.default_rng(0).random((48, 3, 8, 8), dtype=np.float32)
    y = np.arange(48) % 3
    np.save(tmp_path / "images.npy", images)
    mapped = np.load(tmp_path / "images.npy", mmap_mode="r")
    reference = small_images().fit(_Items(lambda i: images[i]), y)
    expected = reference.predict_proba(images)
    for stored in (images.astype(">f4"), mapped, images.astype(object)):
        items = _Items(lambda i, stored=stored: stored[i])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clf = small_images().fit(items, y)
            np.testing.assert_array_equal(clf.predict_proba(items), expected)


def test_dataset_items_of_arrays_that_hold_no_numbers_name_their_dtype():
    words = np.array([["a"] * 8] * 8, dtype=object)
    with pytest.raises(ValueError, match="Item 0 of the Dataset X is an array of dtype object"):
        small_images().fit(_Items(lambda i: words), np.arange(48) % 3)


def test_a_dataset_split_by_scikit_learn_into_its_items_is_refused():
    """cross_validate indexes a Dataset into a list of its items; a 1-tuple of an
    image read as an array is a 4-D sample, which module="auto" would send to the MLP."""
    from sklearn.model_selection import cross_validate

    images = torch.rand(40, 3, 8, 8)
    y = np.arange(40) % 2
    arrays = images.numpy()
    datasets = (
        TensorDataset(images),
        TensorDataset(images, torch.from_numpy(y)),
        _Items(lambda i: (arrays[i],), n=40),  # items of numpy arrays
        _Items(lambda i: (arrays[i], y[i]), n=40),
    )
    message = r"X is a list of 20 tuples \(input, ...\) of tensors or arrays: the items"
    for dataset in datasets:
        with pytest.raises(ValueError, match=message):
            cross_validate(small_images(), dataset, y, cv=2, error_score="raise")


def test_an_empty_dataset_is_refused():
    with pytest.raises(ValueError, match="The Dataset X has no items"):
        small().fit(_Items(lambda i: torch.rand(4), n=0), np.array([], dtype=int))


class _Stream(torch.utils.data.IterableDataset):
    """Items that can only be iterated over, with a length (as a streaming loader has)."""

    def __iter__(self):
        return (torch.rand(3, 8, 8) for _ in range(40))

    def __len__(self):
        return 40


def test_an_iterable_dataset_is_refused_in_fit_and_at_predict():
    y = np.arange(40) % 2
    message = "X is a _Stream, an IterableDataset, whose items can only be iterated over"
    with pytest.raises(ValueError, match=message):
        small_images().fit(_Stream(), y)
    clf = small_images().fit(torch.rand(40, 3, 8, 8).numpy(), y)
    with pytest.raises(ValueError, match=message):
        clf.predict(_Stream())


def test_a_dataset_of_integer_images_predicts_as_the_same_array(digits):
    images = torch.randint(0, 256, (60, 3, 8, 8), dtype=torch.uint8)
    y = np.arange(60) % 3
    from_dataset = small_images().fit(TensorDataset(images), y)
    from_array = small_images().fit(images.numpy(), y)
    np.testing.assert_allclose(
        from_dataset.predict_proba(TensorDataset(images)), from_array.predict_proba(images.numpy())
    )


def test_a_dataset_of_channels_last_images_is_refused_like_an_array():
    images = torch.rand(40, 16, 16, 3)
    with pytest.raises(ValueError, match=r"pass X.transpose\(0, 3, 1, 2\)"):
        small_images().fit(TensorDataset(images), np.arange(40) % 2)


@pytest.mark.parametrize(
    "holding, where",
    [
        (lambda X, y: TensorDataset(X, torch.as_tensor(y)), "the TensorDataset's second tensor"),
        (lambda X, y: SkorchDataset(X, y), "the skorch Dataset's y"),
        (  # the items in reverse, put back in order by the Subset
            lambda X, y: Subset(
                TensorDataset(X.flip(0), torch.as_tensor(y[::-1].copy())),
                range(len(y) - 1, -1, -1),
            ),
            "the TensorDataset's second tensor under the Subset",
        ),
    ],
    ids=["TensorDataset", "skorch", "Subset"],
)
def test_a_dataset_holding_other_labels_than_y_is_refused(digits, holding, where):
    # The estimator trains on y: a Dataset whose own labels group the items otherwise
    # means that one of the two is out of order.
    X, y = digits
    dataset = holding(torch.as_tensor(X), y)
    message = (
        rf"y and the labels the Dataset X holds \({re.escape(where)}\) disagree: items 0 and "
        rf"10 have the same label in the Dataset \(0\) but not in y \(1 and 0\),.*order"
    )
    swapped = y.copy()
    swapped[[0, 1]] = y[[1, 0]]  # digits 0 and 1; item 10 is the next 0
    clf = small()
    with pytest.raises(ValueError, match=message):
        clf.fit(dataset, swapped)
    assert not hasattr(clf, "classes_")


def test_a_dataset_trains_on_y_where_its_own_labels_are_renamed_or_merged(digits):
    X, y = digits
    inputs = torch.as_tensor(X)
    holding = TensorDataset(inputs, torch.as_tensor(y))
    # The same classes under other names, and coarser ones, label the items consistently
    # with the Dataset's: taken, trained on y as without the Dataset's labels.
    names = np.array([f"digit {c}" for c in range(10)])[y]
    for labels in (names, y % 2):
        held = small(max_epochs=1).fit(holding, labels)
        bare = small(max_epochs=1).fit(TensorDataset(inputs), labels)
        np.testing.assert_array_equal(held.predict_proba(X), bare.predict_proba(X))
    # Finer classes than the Dataset's (y the digits, the Dataset their parity) too.
    assert small(max_epochs=1).fit(TensorDataset(inputs, torch.as_tensor(y % 2)), y)
    # Labels unrelated to the Dataset's need a Dataset of the inputs only.
    unrelated = np.random.default_rng(0).permutation(y)
    message = (
        r"and other items the same label in y but not in the Dataset.*to train on labels "
        r"unrelated to the Dataset's, a Dataset of the inputs only \(e.g. TensorDataset\(X\)\)"
    )
    with pytest.raises(ValueError, match=message):
        small().fit(holding, unrelated)
    assert small(max_epochs=1).fit(TensorDataset(inputs), unrelated).classes_.tolist() == list(
        range(10)
    )


def test_a_dataset_holding_labels_of_any_type_names_the_items_they_disagree_on(digits):
    # Labels as Python objects (a pandas column of strings gives them) are shown as
    # they are; tensors numpy cannot read (bfloat16, ones that require grad) are read.
    X, y = digits
    inputs = torch.as_tensor(X)
    names = np.array([f"digit {c}" for c in range(10)], dtype=object)
    swapped = y.copy()
    swapped[[0, 1]] = y[[1, 0]]
    message = r"items 0 and 10 have the same label in the Dataset \({}\) but not in y \({}\)"
    with pytest.raises(ValueError, match=message.format("0", "'digit 1' and 'digit 0'")):
        small().fit(TensorDataset(inputs, torch.as_tensor(y)), names[swapped])
    held = SkorchDataset(X, names[y])
    with pytest.raises(ValueError, match=message.format("'digit 0'", "1 and 0")):
        small().fit(held, swapped)
    for labels in (torch.as_tensor(y).bfloat16(), torch.as_tensor(y).float().requires_grad_()):
        with pytest.raises(ValueError, match=message.format("0.0", "1 and 0")):
            small().fit(TensorDataset(inputs, labels), swapped)
        assert small(max_epochs=1).fit(TensorDataset(inputs, labels), y).n_epochs_ == 1


def test_a_dataset_missing_some_labels_is_checked_on_the_others(digits):
    # Items without a label of their own (NaN) say nothing about y's order.
    X, y = digits
    labels = torch.as_tensor(y, dtype=torch.float32)
    labels[::3] = float("nan")
    dataset = TensorDataset(torch.as_tensor(X), labels)
    assert small(max_epochs=1).fit(dataset, y).n_epochs_ == 1
    swapped = y.copy()
    swapped[[1, 2]] = y[[2, 1]]  # items 1 and 2 (digits 1 and 2) are labelled in the Dataset
    message = r"items 1 and 11 have the same label in the Dataset \(1.0\) but not in y \(2 and 1\)"
    with pytest.raises(ValueError, match=message):
        small().fit(dataset, swapped)


def test_a_refit_on_a_dataset_forgets_the_column_names(digits):
    X, y = digits
    clf = small().fit(pd.DataFrame(X[:, :6], columns=list("abcdef")), y)
    clf.fit(TensorDataset(torch.as_tensor(X[:, :4])), y)
    assert not hasattr(clf, "feature_names_in_") and clf.n_features_in_ == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.predict(X[:3, :4])
    with pytest.warns(UserWarning, match="X has feature names, but .* fitted without feature"):
        clf.predict(pd.DataFrame(X[:3, :4], columns=list("wxyz")))


# ----------------------------------------------------------------- shapes at predict
def test_samples_of_another_shape_are_named_by_shape_not_features(digits):
    X, y = digits
    clf = small().fit(X.reshape(-1, 8, 8), y)
    message = r"X has samples of shape \(64,\), but .* fitted on samples of shape \(8, 8\)"
    with pytest.raises(ValueError, match=message):
        clf.predict(X)
    assert clf.predict(X[:2].reshape(-1, 8, 8).tolist()).shape == (2,)  # a nested list
    images = np.random.default_rng(0).random((40, 3, 16, 16), dtype=np.float32)
    clf = small_images().fit(images, np.arange(40) % 2)
    with pytest.raises(ValueError, match=r"samples of shape \(1, 16, 16\), but .* \(3, 16, 16\)"):
        clf.predict(images[:, :1])
    with pytest.raises(ValueError, match=r"pass X.transpose\(0, 3, 1, 2\)"):
        clf.predict(images.transpose(0, 2, 3, 1))


def test_an_empty_dataframe_at_predict_is_named_by_its_own_shape():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 4)), columns=list("abcd"))
    X.loc[::7, "a"] = np.nan  # a missing-value indicator column in the encoding
    clf = small(module="auto").fit(X, np.arange(60) % 2)
    with pytest.raises(ValueError, match=re.escape("Found array with 0 sample(s) (shape=(0, 4))")):
        clf.predict(X.iloc[:0])


# ----------------------------------------------------------------- augmentation
def test_randaugment_statistics_of_another_channel_count_are_refused():
    from sklearn_imbalance_dl.augment import RandAugment

    images = np.random.default_rng(0).random((40, 4, 16, 16), dtype=np.float32)
    three = RandAugment(mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    with pytest.raises(ValueError, match="mean and std for 3 channels, but the images have 4"):
        small_images(augment=three).fit(images, np.arange(40) % 2)
    uneven = RandAugment(mean=(0.5, 0.5, 0.5, 0.5), std=(0.25,))
    with pytest.raises(ValueError, match="mean has 4 values and its std 1"):
        small_images(augment=uneven).fit(images, np.arange(40) % 2)


def test_an_augmentation_that_returns_no_batch_is_named():
    images = np.random.default_rng(0).random((40, 3, 8, 8), dtype=np.float32)
    clf = small_images(augment=lambda batch: None)
    with pytest.raises(
        ValueError, match=r"returned a NoneType for a batch of shape \(32, 3, 8, 8\)"
    ):
        clf.fit(images, np.arange(40) % 2)
    assert not hasattr(clf, "net_")


@pytest.mark.parametrize(
    "augment, returned",
    [
        (lambda batch: batch[:, :2], r"\(32, 2, 8, 8\)"),  # another channel count
        (lambda batch: batch[:, :, :6, :6], r"\(32, 3, 6, 6\)"),  # another image size
    ],
)
def test_an_augmentation_that_changes_the_samples_shape_is_named(augment, returned):
    images = np.random.default_rng(0).random((40, 3, 8, 8), dtype=np.float32)
    clf = small_images(augment=augment)
    message = rf"augment=.* returned a Tensor of shape {returned} .* batch of shape \(32, 3, 8, 8\)"
    with pytest.raises(ValueError, match=message):
        clf.fit(images, np.arange(40) % 2)
    assert not hasattr(clf, "net_")


def test_an_augmentation_in_another_float_type_trains_and_integers_are_named():
    """An augmentation computing in float64 (numpy constants) trains in the inputs'
    dtype; one that returns integer pixels is named, not a dtype error of a layer."""
    images = np.random.default_rng(0).random((40, 3, 8, 8), dtype=np.float32)
    y = np.arange(40) % 2
    clf = small_images(augment=lambda batch: batch * torch.tensor(1.0, dtype=torch.float64))
    assert clf.fit(images, y).predict(images).shape == (40,)
    clf = small_images(augment=lambda batch: (batch * 255).to(torch.uint8))
    with pytest.raises(ValueError, match=r"returned a Tensor .* and dtype torch.uint8.*floating"):
        clf.fit(images, y)
    assert not hasattr(clf, "net_")


# ----------------------------------------------------------------- parameters
def test_parameters_of_a_component_instance_are_set_on_it(digits):
    from sklearn.model_selection import GridSearchCV

    from sklearn_imbalance_dl.mixing import Mixup

    clf = small(mixing=Mixup(alpha=0.2))
    assert {"mixing__alpha", "mixing__layer"} <= set(clf.get_params(deep=True))
    clf.set_params(mixing__alpha=0.4)
    assert clf.mixing.alpha == 0.4 and "mixing__alpha" not in clf.get_params(deep=False)
    clf.fit(*digits)
    with_ema = small(weight_averaging=EMA())
    with_ema.set_params(**with_ema.get_params(deep=True)).fit(*digits)
    search = GridSearchCV(small(mixing=Mixup()), {"mixing__alpha": [0.2, 0.4]}, cv=2)
    search.set_params(error_score="raise").fit(*digits)
    assert search.best_params_["mixing__alpha"] in (0.2, 0.4)


def test_a_copy_keeps_its_own_routed_parameters():
    import copy

    original = small(loss__tau=1.0)
    copy.copy(original).set_params(loss__tau=2.0)
    assert original.get_params()["loss__tau"] == 1.0


def test_hidden_sizes_may_be_an_array(digits):
    clf = small(module__hidden_sizes=np.array([16, 8])).fit(*digits)
    linear = [m for m in clf.net_.module_.modules() if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linear][:2] == [16, 8]


# ----------------------------------------------------------------- sample weights
def test_sample_weights_act_in_batches_of_one(digits):
    X, y = digits
    X, y = X[:60], (y[:60] > 4).astype(int)
    params = {"batch_size": 1, "max_epochs": 2, "module__batch_norm": False}
    plain = small(**params).fit(X, y).predict_proba(X)
    heavy = small(**params).fit(X, y, sample_weight=np.where(y == 1, 10.0, 1.0)).predict_proba(X)
    assert heavy[:, 1].mean() > plain[:, 1].mean() + 0.05


# ----------------------------------------------------------------- schedules
@pytest.mark.parametrize("schedule", ["crt", "mislas"])
def test_a_retraining_longer_than_the_main_epochs_warns(digits, schedule):
    # A recipe's 10 re-training epochs kept in a short trial run: the fit trains them all.
    message = (
        rf"schedule='{schedule}' re-trains the classifier for 3 epochs after the "
        r"max_epochs=2 main epochs, more than them: the fit trains 5 epochs.*shorten it too"
    )
    with pytest.warns(UserWarning, match=message):
        clf = small(schedule=schedule, schedule__epochs=3).fit(*digits)
    assert clf.n_epochs_ == 5
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*re-trains the classifier for")
        small(schedule=schedule, schedule__epochs=2).fit(*digits)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"callbacks": [("schedule", PrintLog())]}, "one of the estimator's own callbacks"),
        ({"compile": {"no_such_option": 1}}, "'no_such_option' is not an option"),
    ],
)
def test_a_refused_fit_does_not_also_warn_of_a_long_retraining(digits, params, message):
    # The refusal alone says what to change; the re-training never starts.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*re-trains the classifier for")
        with pytest.raises(ValueError, match=message):
            small(schedule="crt", schedule__epochs=3, **params).fit(*digits)


@pytest.mark.parametrize("schedule", ["crt", "mislas"])
@pytest.mark.parametrize(
    "stopping, named",
    [
        ({"early_stopping": True}, "early_stopping=True"),
        ({"callbacks": [EarlyStopping(monitor="train_loss")]}, "EarlyStopping(load_best=False)"),
    ],
)
def test_early_stopping_is_refused_with_a_retraining_schedule(digits, schedule, stopping, named):
    clf = small(schedule=schedule, schedule__epochs=2, validation_fraction=0.2, **stopping)
    message = rf"schedule='{schedule}' re-trains the classifier after .* but .*{re.escape(named)}"
    with pytest.raises(ValueError, match=message):
        clf.fit(*digits)


def test_weight_averaging_is_refused_beside_a_restoring_early_stopping(digits):
    stopper = EarlyStopping(monitor="valid_loss", load_best=True)
    clf = small(weight_averaging="swa", validation_fraction=0.2, callbacks=[stopper])
    with pytest.raises(
        ValueError, match=r"callbacks: EarlyStopping\(load_best=True\) with the best"
    ):
        clf.fit(*digits)


def test_a_restoring_early_stopping_callback_is_refused_beside_early_stopping(digits):
    # Both would restore their best epoch at the end of the fit, the callback last: the
    # model would not be that of best_epoch_.
    stopper = EarlyStopping(monitor="valid_loss", load_best=True)
    clf = small(validation_fraction=0.2, early_stopping=True, callbacks=[stopper])
    with pytest.raises(
        ValueError,
        match=r"^callbacks: EarlyStopping\(load_best=True\) restores the epoch of its own "
        r"best score .*\(EarlyStopping\(load_best=False\) stops without restoring\)\.$",
    ):
        clf.fit(*digits)
    assert not hasattr(clf, "classes_")
    stopper.set_params(load_best=False)
    small(validation_fraction=0.2, early_stopping=True, callbacks=[stopper]).fit(*digits)


@pytest.mark.parametrize(
    "params",
    [
        {"schedule": "drw", "max_epochs": 2},
        {"schedule": "ppw", "max_epochs": 2},
        {"schedule": "drw", "schedule__start": 1.0, "max_epochs": 4},
    ],
)
def test_a_reweighting_phase_that_never_starts_warns(digits, params):
    with pytest.warns(UserWarning, match=r"no epoch of max_epochs=\d reaches: the fit trains as"):
        small(**params).fit(*digits)


@pytest.mark.parametrize("start, warns", [(0.8, True), (0.0, False)])
def test_early_stopping_that_keeps_an_epoch_before_the_reweighting_warns(digits, start, warns):
    X, y = digits
    # A rate too small to learn anything: the fit stops within a few epochs.
    clf = small(
        loss="ldam", schedule="drw", schedule__start=start, max_epochs=30, lr=1e-12,
        validation_fraction=0.2, early_stopping=True, n_iter_no_change=2,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, y)
    assert clf.stopped_early_ and clf.best_epoch_ < 25
    said = [str(w.message) for w in caught if "before schedule='drw'" in str(w.message)]
    assert said == ([
        f"early_stopping kept epoch {clf.best_epoch_}, before schedule='drw' re-weights the "
        "classes (from epoch 25 of 30): the model is one trained without the schedule (it "
        "ended the fit before the re-weighting; raise n_iter_no_change, or choose max_epochs "
        "by early-stopping a fit without the schedule, then fit with it and without early "
        "stopping)."
    ] if warns else [])  # fmt: skip
    # Ctrl-C has its own warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.set_params(callbacks=[InterruptAt(2)]).fit(X, y)
    assert not [w for w in caught if "before schedule='drw'" in str(w.message)]


@pytest.mark.parametrize(
    "make, said",
    [
        (
            lambda path: EarlyStopping(
                monitor="train_loss", patience=1, threshold=10.0, load_best=True
            ),
            "callbacks: EarlyStopping(load_best=True) kept epoch 1, before schedule='drw' "
            "re-weights the classes (from epoch 4 of 6): the model is one trained without "
            "the schedule (it ended the fit before the re-weighting; raise its patience, or "
            "choose max_epochs by early-stopping a fit without the schedule, then fit with it "
            "and without early stopping).",
        ),
        (
            lambda path: Checkpoint(
                monitor=_saves_the_first_epoch, dirname=str(path), load_best=True
            ),
            "callbacks: Checkpoint(load_best=True) kept epoch 1, before schedule='drw' "
            "re-weights the classes (from epoch 4 of 6): the model is one trained without "
            "the schedule (its last checkpoint was saved before the re-weighting; choose "
            "max_epochs by early-stopping a fit without the schedule, then fit with it and "
            "without restoring a checkpoint).",
        ),
    ],
    ids=["EarlyStopping", "Checkpoint"],
)
def test_a_callback_that_restores_an_epoch_before_the_reweighting_warns(
    digits, make, said, tmp_path
):
    clf = small(
        loss="ldam", schedule="drw", schedule__start=0.5, max_epochs=6, callbacks=[make(tmp_path)]
    )
    with pytest.warns(UserWarning, match=re.escape(said)):
        clf.fit(*digits)


@pytest.mark.parametrize(
    "schedule, does, first", [("drw", "re-weights", 4), ("pps", "re-samples", 5)]
)
def test_a_callback_that_stops_before_the_schedule_and_restores_nothing_warns(
    digits, schedule, does, first
):
    # load_best=False keeps the last epoch, which the schedule has not reached either.
    stopper = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0, load_best=False)
    clf = small(
        loss="ldam", schedule=schedule, schedule__start=0.5, max_epochs=6, callbacks=[stopper]
    )
    with pytest.warns(UserWarning) as caught:
        clf.fit(*digits)
    assert clf.stopped_early_ and clf.n_epochs_ == 2
    said = [str(w.message) for w in caught if f"before schedule={schedule!r}" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(
        f"callbacks: EarlyStopping(load_best=False) kept epoch 2, before "
        f"schedule={schedule!r} {does} the classes (from epoch {first} of 6): the model is one "
        "trained without the schedule (it ended the fit before the re-"
    )


def test_a_stop_before_ppl_reweights_says_its_mixing_trained(digits):
    # PPL mixes in every epoch: a model kept before its window is not one trained
    # without the schedule, as PPW's would be.
    stopper = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0, load_best=False)
    clf = small(schedule="ppl", max_epochs=6, callbacks=[stopper])
    with pytest.warns(UserWarning) as caught:
        clf.fit(*digits)
    said = [str(w.message) for w in caught if "before schedule='ppl'" in str(w.message)]
    assert len(said) == 1 and (
        "the model is one trained with the schedule's mixing alone (PhasedRemix), without "
        "its re-weighting (it ended the fit" in said[0]
    )


def test_early_stopping_that_keeps_an_epoch_before_the_phased_sampler_moves_warns(digits):
    X, y = digits
    clf = small(
        loss="ce", schedule="pps", schedule__start=0.8, max_epochs=30, lr=1e-12,
        validation_fraction=0.2, early_stopping=True, n_iter_no_change=2,
    )  # fmt: skip
    with pytest.warns(UserWarning, match=r"before schedule='pps' re-samples the classes "):
        clf.fit(X, y)
    assert clf.stopped_early_ and clf.best_epoch_ < 25


def test_class_weights_equal_up_to_rounding_do_not_reweight():
    from sklearn_imbalance_dl._builder import first_reweighted_epoch
    from sklearn_imbalance_dl.schedules import DeferredReweighting as DRW

    # Weighted class counts that balance are equal up to float32 rounding.
    balanced = DRW().bind(np.array([1000.0, 1000.0 * (1 + 1e-7)]), 10)
    assert first_reweighted_epoch(balanced, 10) is None
    assert first_reweighted_epoch(DRW().bind(np.array([1000.0, 10.0]), 10), 10) == 8


def test_a_reweighting_phase_that_starts_does_not_warn(digits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small(schedule="drw", max_epochs=5).fit(*digits)


def test_mislas_refuses_a_cosine_head(digits):
    clf = small(module="tabular", schedule="mislas", module__head="cosine", schedule__epochs=1)
    with pytest.raises(
        ValueError, match=r"but the module's head is cosine \(module__head='cosine'\)"
    ):
        clf.fit(*digits)


def test_divergence_names_the_rate_of_the_epoch(digits):
    clf = small(module="tabular", schedule="crt", schedule__epochs=2, schedule__lr=1e30)
    with pytest.raises(ValueError, match=r"lr=0.001; this epoch's rate 1e\+30"):
        clf.fit(*digits)


def test_the_base_classes_of_schedules_and_mixings_are_refused(digits):
    from sklearn_imbalance_dl.mixing import Mixing
    from sklearn_imbalance_dl.schedules import Schedule

    with pytest.raises(ValueError, match=r"schedule=Schedule\(\) would do nothing"):
        small(schedule=Schedule()).fit(*digits)
    with pytest.raises(ValueError, match=r"Mixing is the base class of the mixings"):
        small(mixing=Mixing()).fit(*digits)

    class NoDraw(Mixing):
        pass

    with pytest.raises(ValueError, match=r"NoDraw defines no draw"):
        small(mixing=NoDraw()).fit(*digits)


def test_a_schedule_that_sets_its_weights_itself_is_not_said_to_do_nothing(digits):
    from sklearn_imbalance_dl.schedules import Schedule

    class Halve(Schedule):
        reweights = True

        def on_epoch_begin(self, net, **kwargs):
            net.set_class_weights(torch.linspace(0.5, 1.5, len(self.class_counts_)))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small(schedule=Halve(), max_epochs=2).fit(*digits)


# ----------------------------------------------------------------------------- user parts
class _MeanOnly(ImbalanceLoss):
    requires_class_counts = False

    def _loss(self, logits, target, counts, weight, reduction):
        return torch.nn.functional.cross_entropy(logits, target)  # whatever `reduction`


class _PerSampleOnly(ImbalanceLoss):
    requires_class_counts = False

    def _loss(self, logits, target, counts, weight, reduction):
        return torch.nn.functional.cross_entropy(logits, target, reduction="none")


class _NoLoss(ImbalanceLoss):
    pass


@pytest.mark.parametrize(
    "loss, message",
    [
        # A mean for every sample would make sample weights and mixing do nothing.
        (_MeanOnly, r"returns losses of shape \(\) for 2 samples with reduction='none', not "
                    r"one loss per sample: an ImbalanceLoss computes _loss\("),
        (_PerSampleOnly, r"returns losses of shape \(2,\) for 2 samples with "
                         r"reduction='mean', not one number"),
        (_NoLoss, r"cannot score logits .*NotImplementedError: _NoLoss defines no _loss\("),
    ],
    ids=["mean-only", "per-sample-only", "no-loss"],
)  # fmt: skip
def test_a_loss_of_your_own_is_checked_at_the_start_of_fit(loss, message):
    with pytest.raises(ValueError, match=r"^loss=<class '.*" + loss.__name__ + "'> " + message):
        small(loss=loss).fit(*_rows())


def test_a_torch_loss_class_without_init_is_built_without_arguments():
    class PerSampleCE(torch.nn.Module):
        reduction = "none"

        def forward(self, logits, target):
            return torch.nn.functional.cross_entropy(logits, target, reduction="none")

    clf = small(loss=PerSampleCE).fit(*_rows())
    assert isinstance(clf.net_.criterion_.loss, PerSampleCE)


def test_a_module_class_needing_other_arguments_is_named():
    class InOut(torch.nn.Module):
        def __init__(self, in_dim, out_dim):
            super().__init__()
            self.linear = torch.nn.Linear(in_dim, out_dim)

    message = (
        r"^module=<class '.*InOut'> cannot be built as InOut\(no argument\): missing a "
        r"required argument: 'in_dim'\. The estimator passes .* \(n_features, n_classes\)"
    )
    with pytest.raises(ValueError, match=message):
        ImbalancedNetClassifier(module=InOut, max_epochs=1).fit(*_rows())


def test_a_schedule_of_your_own_that_sets_class_weights_is_checked_as_one_that_reweights():
    class InverseFrequency(Schedule):
        def class_weights(self, epoch):
            return 1 / self.class_counts_

    assert InverseFrequency().reweights and not ClassifierRetraining().reweights
    with pytest.raises(
        ValueError,
        match=r"re-weights the classes, but loss='logit_adjusted' already balances them; use "
        r"it with a loss that has class weights and does not balance by itself, e\.g\.",
    ):
        ImbalancedNetClassifier(schedule=InverseFrequency, max_epochs=1).fit(*_rows())
    with pytest.raises(
        ValueError, match=r"re-weights the classes, but loss=<class.*has no class weights for"
    ):
        small(loss=torch.nn.CrossEntropyLoss, schedule=InverseFrequency).fit(*_rows())
    X, y = _rows()
    clf = small(loss="ce", schedule=InverseFrequency).fit(X, y)
    weights = clf.net_.criterion_.class_weights.numpy()
    np.testing.assert_allclose(weights, 1 / np.bincount(y), rtol=1e-6)


def test_a_schedule_of_your_own_is_held_to_its_contract():
    class FiveWeights(Schedule):
        def class_weights(self, epoch):
            return torch.ones(5)

    class AsList(Schedule):
        def class_weights(self, epoch):
            return [1.0, 2.0]

    class MixingName(Schedule):
        def mixing(self):
            return "mixup"

    with pytest.raises(ValueError, match=r"class_weights\(0\) must return None or 2 finite"):
        small(loss="ce", schedule=FiveWeights).fit(*_rows())
    clf = small(loss="ce", schedule=AsList).fit(*_rows())  # anything torch.as_tensor reads
    np.testing.assert_array_equal(clf.net_.criterion_.class_weights, [1.0, 2.0])
    message = r"mixing\(\) returned 'mixup'; it must return None or a mixing instance"
    with pytest.raises(ValueError, match=message):
        small(schedule=MixingName).fit(*_rows())


def test_a_schedule_whose_class_weights_are_all_zero_is_refused_before_training():
    # Every batch's loss would be 0: the network would train on nothing.
    class Zeros(Schedule):
        def class_weights(self, epoch):
            return torch.zeros(2) if epoch == 1 else None

    clf = small(loss="ce", schedule=Zeros)
    with pytest.raises(ValueError, match=r"class_weights\(1\) must return .* not all zero"):
        clf.fit(*_rows())
    assert not hasattr(clf, "classes_")


def test_a_batch_of_classes_of_weight_zero_only_trains_with_the_loss_zero():
    # Batches of one row: those of class 2 weigh 0 in sum(w_y l) / sum(w_y), in every
    # path of the net's loss (the loss's own mean, sample weights, mixing).
    class NoClassTwo(Schedule):
        def class_weights(self, epoch):
            return torch.tensor([1.0, 1.0, 0.0])

    X, y = _rows(n_classes=3)
    one = {"batch_size": 1, "module__batch_norm": False}
    fits = {
        "schedule": (small(schedule=NoClassTwo, **one), {}),
        "torch loss": (
            small(
                loss=torch.nn.CrossEntropyLoss, loss__weight=torch.tensor([1.0, 1.0, 0.0]), **one
            ),
            {},
        ),
        "sample weights": (small(schedule=NoClassTwo, **one), {"sample_weight": 1.0 + y}),
        "mixing": (small(schedule=NoClassTwo, mixing="mixup", **one), {}),
    }
    for name, (clf, fit_params) in fits.items():
        clf.fit(X, y, **fit_params)
        assert np.isfinite(clf.net_.history[:, "train_loss"]).all(), name
        net, logits = clf.net_, torch.zeros(2, 3, requires_grad=True)
        assert net.mixed_loss(logits, torch.tensor([2, 2])).item() == 0.0, name
        assert net.mixed_loss(logits, torch.tensor([2, 2]), torch.ones(2)).item() == 0.0, name


def test_routed_parameters_of_a_component_instance_apply_as_set_params_applies_them():
    from sklearn_imbalance_dl.mixing import Mixup

    given = Mixup()
    in_constructor = small(mixing=given, mixing__alpha=0.2).fit(*_rows())
    assert in_constructor.net_.mixing.alpha == 0.2 and given.alpha != 0.2  # a copy
    assert in_constructor.get_params()["mixing__alpha"] == 0.2
    # A torch module instance has no set_params: its parameters are set on it.
    module = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match=r"module__bias was given, but module is an instance"):
        small(module=module, module__bias=False).fit(*_rows())


def test_the_class_counts_of_a_loss_come_from_the_data():
    with pytest.raises(ValueError, match=r"^loss__class_counts cannot be set: the loss counts"):
        small(loss="ldam", loss__class_counts=[1, 1]).fit(*_rows())


def test_a_mixing_of_your_own_is_held_to_its_contract():
    from sklearn_imbalance_dl.mixing import Mixing

    class Shares(Mixing):
        def __init__(self, share=0.7):
            super().__init__()
            self.share = share

        def draw(self, y, partner, epoch):
            return torch.full(y.shape, self.share), None

    class Floats(Mixing):
        def draw(self, y, partner, epoch):
            return 0.5, 0.5

    contract = r"draw\(y, partner, epoch\) must return \(own_share, label_weight\)"
    with pytest.raises(ValueError, match=contract + r".*own_share is <class 'float'>"):
        small(mixing=Floats).fit(*_rows())
    with pytest.raises(ValueError, match=contract + r".*values outside \[0, 1\] \(3 to 3\)"):
        small(mixing=Shares(share=3.0)).fit(*_rows())
    small(mixing=Shares).fit(*_rows())
    # The draw checked gives its random numbers back: the fit draws as unchecked.
    clf = small(mixing="mixup").fit(*_rows())
    state = torch.get_rng_state()
    clf.net_._check_mixing_draw()
    assert torch.equal(torch.get_rng_state(), state)


def test_a_callback_of_your_own_may_not_take_the_name_of_one_of_the_estimators():
    callback = ("lr_schedule", Callback())
    with pytest.raises(ValueError, match=r"^callbacks: the name 'lr_schedule' is one of the "):
        small(callbacks=[callback]).fit(*_rows())
    small(callbacks=[("mine", Callback())]).fit(*_rows())


@pytest.mark.parametrize("name", ["epoch_timer", "train_loss", "valid_loss", "print_log"])
def test_a_callback_of_your_own_may_not_take_the_name_of_one_of_the_nets(name):
    clf = small(callbacks=[(name, PrintLog())])
    with pytest.raises(
        ValueError,
        match=rf"^callbacks: the name '{name}' is one of the net's default callbacks "
        r"\(epoch_timer, train_loss, valid_loss, print_log\); give yours another name"
        + (
            r" \(a PrintLog of your own .*sink=lambda text: print\(text\)\)\.$"
            if name == "print_log"
            else r"\.$"
        ),
    ):
        clf.fit(*_rows())
    assert not hasattr(clf, "classes_")


def test_the_nets_table_is_not_configured_by_parameters_and_the_advice_works(capsys):
    with pytest.raises(ValueError, match=r"'print_log' is the net's own table.*verbose=0"):
        small(callbacks__print_log__keys_ignored=["dur"]).fit(*_rows())
    mine = PrintLog(keys_ignored=["dur"], sink=lambda text: print(text))
    small(verbose=0, callbacks=[("my_log", mine)]).fit(*_rows())
    table = capsys.readouterr().out
    assert "train_loss" in table and "dur" not in table


def test_fp16_on_the_cpu_says_it_runs_without_loss_scaling(digits):
    with pytest.warns(UserWarning, match=r"precision='fp16' on 'cpu' runs without loss scaling"):
        small(precision="fp16", max_epochs=1).fit(*digits)


@pytest.mark.parametrize("optimizer", ["sam", SAM], ids=["name", "class"])
def test_sharpness_aware_minimisation_with_fp16_is_refused_before_training(digits, optimizer):
    # The fp16 loss scaler steps the optimizer without the closure SAM steps from.
    clf = small(precision="fp16", optimizer=optimizer)
    with pytest.raises(ValueError, match=r"optimizer=('sam'|SAM) steps twice per batch"):
        clf.fit(*digits)
    assert not hasattr(clf, "net_")


def test_ctrl_c_under_weight_averaging_says_the_average_is_kept(digits):
    clf = small(max_epochs=6, weight_averaging="ema", callbacks=[InterruptAt(3)])
    with pytest.warns(UserWarning, match=r"the model keeps the average of the weights so far"):
        clf.fit(*digits)
    assert clf.interrupted_


def test_ctrl_c_in_the_re_training_after_weight_averaging_says_the_average_was_re_trained(
    digits,
):
    # 3 main epochs averaged, then cRT re-trains the head: Ctrl-C in its second epoch.
    clf = small(
        max_epochs=3,
        weight_averaging="ema",
        schedule="crt",
        schedule__epochs=2,
        callbacks=[InterruptAt(4)],
    )
    with pytest.warns(
        UserWarning,
        match=r"the model keeps the averaged weights that weight averaging wrote in after "
        r"the main epochs, re-trained by the schedule's epochs so far",
    ):
        clf.fit(*digits)
    assert clf.interrupted_ and clf.n_epochs_ == 4


def test_a_sparse_x_says_how_to_give_dense_rows():
    # OneHotEncoder's default output is sparse: the encoder in front is what to change.
    from scipy import sparse
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(0)
    X = rng.integers(0, 5, size=(60, 3))
    y = np.repeat([0, 1], [45, 15])
    message = r"sparse csr_(matrix|array), and the network reads dense rows.*OneHotEncoder\(spar"
    with pytest.raises(TypeError, match=message):
        make_pipeline(OneHotEncoder(), small()).fit(X, y)
    clf = small().fit(X, y)
    with pytest.raises(TypeError, match=message):
        clf.predict(sparse.csr_array(X))
    dense = make_pipeline(OneHotEncoder(sparse_output=False), small()).fit(X, y)
    assert dense.predict(X).shape == (60,)


def test_a_dataframe_of_sparse_columns_says_how_to_make_it_dense():
    # A DataFrame has no .toarray(): the advice is pandas' own densifying.
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.integers(0, 2, size=(60, 3)).astype(float), columns=["a", "b", "c"])
    y = np.repeat([0, 1], [45, 15])
    sparse_frame = X.astype(pd.SparseDtype(float, 0.0))
    message = r"DataFrame of sparse columns .*X\.sparse\.to_dense\(\)"
    with pytest.raises(TypeError, match=message):
        small(module="mlp").fit(sparse_frame, y)
    clf = small(module="mlp").fit(sparse_frame.sparse.to_dense(), y)
    with pytest.raises(TypeError, match=message):
        clf.predict(sparse_frame)


@pytest.mark.parametrize(
    "callback, advice",
    [
        (LRScheduler(StepLR, step_size=1), r"skorch's LRScheduler steps the learning rate.*"),
        (LRSchedule("cosine"), r"LRSchedule is a learning-rate schedule.*lr_schedule='cosine'"),
        (DeferredReweighting(), r"DeferredReweighting is a schedule.*schedule=Deferred"),
    ],
    ids=["LRScheduler", "LRSchedule", "Schedule"],
)
def test_callbacks_that_the_estimators_own_parameters_set_are_refused(callback, advice):
    # lr_schedule would undo the steps of skorch's LRScheduler at every epoch; the
    # library's schedules run only as bound by the fit, through their own parameters.
    clf = small(callbacks=[callback])
    with pytest.raises(ValueError, match=r"^callbacks: " + advice):
        clf.fit(*_rows())
    assert not hasattr(clf, "classes_")


def _saves_the_first_epoch(net):
    return len(net.history) == 1


def test_a_checkpoint_restored_at_the_end_keeps_the_history_of_every_epoch(tmp_path):
    # skorch's Checkpoint(load_best=True) loads the checkpoint's history with its weights.
    saver = Checkpoint(monitor=_saves_the_first_epoch, dirname=tmp_path, load_best=True)
    clf = small(max_epochs=3, callbacks=[saver]).fit(*_rows())
    assert clf.n_epochs_ == 3
    assert clf.net_.history[:, "epoch"] == [1, 2, 3]
    assert clf.net_.history[:, "event_cp"] == [True, False, False]
    # The weights are the checkpoint's, those of the first epoch.
    first = small(max_epochs=1).fit(*_rows())
    X = _rows()[0]
    np.testing.assert_allclose(clf.predict_proba(X), first.predict_proba(X), atol=1e-6)


def test_ctrl_c_before_a_checkpoint_restoring_its_best_saved_loads_no_other_fits(tmp_path):
    # Interrupted before the first save, the Checkpoint would load the files in its
    # directory: another fit's, or none (skorch's FileNotFoundError).
    saver = Checkpoint(monitor="train_loss_best", dirname=tmp_path / "empty", load_best=True)
    with pytest.warns(UserWarning, match=r"after 0 of 3 epochs; the model keeps the weights re"):
        small(max_epochs=3, callbacks=[saver, InterruptAt(0)]).fit(*_rows())
    saver.set_params(dirname=tmp_path / "used")
    other = small(max_epochs=3, callbacks=[saver]).fit(*_rows())
    with pytest.warns(UserWarning, match=r"after 0 of 3 epochs; the model keeps the weights re"):
        clf = small(max_epochs=3, random_state=1, callbacks=[saver, InterruptAt(0)]).fit(*_rows())
    X = _rows()[0]
    assert not np.allclose(clf.predict_proba(X), other.predict_proba(X))


def test_resuming_a_checkpoint_with_load_init_state_is_refused(tmp_path):
    # Resumed, the fit would train max_epochs more epochs after the checkpoint's, past
    # the epochs that the learning rate and the schedules are laid out on.
    saver = Checkpoint(monitor=None, dirname=tmp_path)
    saved = small(max_epochs=2, callbacks=[saver]).fit(*_rows())
    clf = small(max_epochs=2, callbacks=[saver, LoadInitState(saver)])
    with pytest.raises(ValueError, match=r"^callbacks: skorch's LoadInitState resumes training"):
        clf.fit(*_rows())
    assert not hasattr(clf, "classes_")
    # The advice works: the checkpoint's files load into a fitted estimator.
    other = small(max_epochs=1, random_state=1).fit(*_rows())
    other.net_.load_params(checkpoint=saver)
    X = _rows()[0]
    np.testing.assert_array_equal(other.predict_proba(X), saved.predict_proba(X))


def test_the_bounds_a_validation_fraction_is_given_keep_the_smallest_class_in_training():
    # 170 + 30 rows: beyond 1 - 1/30 the stratified split trains on none of the 30.
    X = np.random.default_rng(0).normal(size=(200, 3)).astype(np.float32)
    y = np.repeat([0, 1], [170, 30])
    with pytest.raises(ValueError, match=r"between 0\.01 and 0\.966, or leave it None"):
        small(validation_fraction=0.001).fit(X, y)
    for fraction in (0.01, 0.966):
        small(validation_fraction=fraction, max_epochs=1).fit(X, y)


def test_large_values_that_vary_little_are_named_where_float32_blurs_them():
    # Timestamps near 1.6e9 seconds varying by a minute: float32 (steps of 128 there)
    # keeps one or two values. module='mlp' reads them as they are; the tabular encoding
    # shifts them.
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 100)
    X = np.c_[1.6e9 + 60 * y + rng.normal(size=200), rng.normal(size=200)]
    with pytest.warns(UserWarning, match=r"column\(s\) 0 vary over less than 1e-4 of their .* "
                      r"float32, which holds about [12] distinct value\(s\)"):  # fmt: skip
        small(max_epochs=1).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small(module="tabular", max_epochs=1).fit(X, y)
        small(max_epochs=1).fit(X - [1.6e9, 0], y)
        small(max_epochs=1).fit(X.astype(np.float32), y)  # blurred before it came


def test_the_float32_check_leaves_the_warning_filters_alone(monkeypatch):
    """warnings.catch_warnings swaps the whole process's filters: a block that another
    thread opens meanwhile would restore them, ignoring every warning from then on. An
    all-NaN column (np.nanmin warns there) is skipped without it."""
    from sklearn_imbalance_dl._classifier import _warn_if_float32_blurs

    def refuse():
        raise AssertionError("warnings.catch_warnings used")

    monkeypatch.setattr(warnings, "catch_warnings", refuse)
    X = np.c_[1.6e9 + np.arange(200.0) / 100, np.full(200, np.nan), np.r_[np.nan, np.ones(199)]]
    with pytest.warns(UserWarning, match=r"column\(s\) 0 vary") as record:
        _warn_if_float32_blurs(X, "mlp")
    assert [type(w.message) for w in record] == [UserWarning]
