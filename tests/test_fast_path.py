"""The fast training path (device batches) against the normal path, and its options."""

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, cross_val_predict
from skorch.helper import SliceDataset
from torch.utils.data import TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl._data import batch_bounds, random_crop_flip
from sklearn_imbalance_dl.datasets import load_digits_lt


@pytest.fixture(scope="module")
def digit_images():
    return load_digits_lt(imbalance_ratio=10, as_images=True)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"loss": "ldam", "mixing": "mfw", "sampler": "class_balanced"},
        {"loss": "ldam", "schedule": "drw"},
        {"module": "resnet32", "augment": "crop_flip", "channels_last": True, "max_epochs": 1},
    ],
    ids=["mlp", "ldam-mfw-balanced", "ldam-drw", "resnet32-augment"],
)
def test_fast_path_equals_dataset_path(digit_images, params):
    """Same seed, same batches, same model: arrays (fast path) vs a torch Dataset."""
    X, y, X_test, _ = digit_images
    params = {"module": "mlp", "max_epochs": 4, "random_state": 0, **params}
    fast = ImbalancedNetClassifier(**params).fit(X, y)
    normal = ImbalancedNetClassifier(**params).fit(TensorDataset(torch.as_tensor(X)), y)
    np.testing.assert_array_equal(
        fast.predict_proba(X_test), normal.predict_proba(TensorDataset(torch.as_tensor(X_test)))
    )
    assert normal.n_features_in_ == 1 and fast.n_features_in_ == 1


def test_a_slice_dataset_cross_validates_as_the_arrays_do(digit_images):
    """skorch's SliceDataset: scikit-learn's splitters split it without reading items."""
    X, y, X_test, _ = digit_images
    dataset = TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
    clf = ImbalancedNetClassifier(module="mlp", max_epochs=2, random_state=0)
    as_arrays = cross_val_predict(clf, X, y, cv=3, method="predict_proba")
    sliced = cross_val_predict(clf, SliceDataset(dataset), y, cv=3, method="predict_proba")
    np.testing.assert_allclose(sliced, as_arrays, rtol=1e-5, atol=1e-6)
    # The labels sliced from the Dataset too; a grid search refits on all of it.
    search = GridSearchCV(clf, {"loss": ["ce", "logit_adjusted"]}, cv=2)
    search.fit(SliceDataset(dataset), SliceDataset(dataset, idx=1))
    refit = clone(clf).set_params(**search.best_params_).fit(X, y)
    np.testing.assert_allclose(
        search.predict_proba(SliceDataset(TensorDataset(torch.as_tensor(X_test)))),
        refit.predict_proba(X_test),
        rtol=1e-5,
        atol=1e-6,
    )


def test_a_slice_dataset_refuses_labels_out_of_order_as_the_dataset_does(digit_images):
    X, y, _, _ = digit_images
    dataset = TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
    clf = ImbalancedNetClassifier(module="mlp", max_epochs=1)
    message = r"y and the labels the Dataset X holds \(the TensorDataset's second tensor under"
    with pytest.raises(ValueError, match=message):
        clf.fit(SliceDataset(dataset)[::2], y[::-2])
    clf.fit(SliceDataset(dataset)[::2], y[::2])  # in order, and split as sklearn splits it


class ListRows(torch.utils.data.Dataset):
    """Items ``(features, label)`` with the features as a list of floats."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        return self.X[index].tolist(), int(self.y[index])


def test_a_slice_dataset_of_list_inputs_trains_as_the_dataset_does():
    # The value a SliceDataset gives is the input, even when it is a list.
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    X = X.astype(np.float32)
    clf = ImbalancedNetClassifier(module="mlp", max_epochs=2, random_state=0)
    expected = clf.fit(ListRows(X, y), y).predict_proba(ListRows(X, y))
    sliced = clf.fit(SliceDataset(ListRows(X, y)), y).predict_proba(SliceDataset(ListRows(X, y)))
    np.testing.assert_allclose(sliced, expected, rtol=1e-5, atol=1e-6)


def test_dataset_input_errors(digit_images):
    X, y, _, _ = digit_images
    dataset = TensorDataset(torch.as_tensor(X))
    clf = ImbalancedNetClassifier(max_epochs=1)
    with pytest.raises(ValueError, match="needs y, the labels of its items"):
        clf.fit(dataset, None)
    with pytest.raises(ValueError, match=r"y has 3 labels but the Dataset X has \d+ items"):
        clf.fit(dataset, y[:3])
    with pytest.raises(ValueError, match="validation_fraction is not supported"):
        clf.set_params(validation_fraction=0.2).fit(dataset, y)


def test_batch_bounds_fold_a_single_trailing_sample():
    assert batch_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert batch_bounds(9, 4) == [(0, 4), (4, 9)]
    assert batch_bounds(1, 4) == [(0, 1)]


def _crop_of_padded(image, out, pad):
    """``(top, left, flip)`` of a crop of ``image`` padded by ``pad`` equal to ``out``."""
    padded = np.pad(image, ((0, 0), (pad, pad), (pad, pad)))
    h, w = image.shape[1:]
    for top in range(2 * pad + 1):
        for left in range(2 * pad + 1):
            crop = padded[:, top : top + h, left : left + w]
            for flip in (False, True):
                if np.array_equal(out, crop[..., ::-1] if flip else crop):
                    return top, left, flip
    return None


def test_random_crop_flip_is_a_crop_of_the_padded_image():
    torch.manual_seed(0)
    images = torch.randn(16, 3, 16, 16)
    out = random_crop_flip(images, padding=2).numpy()
    found = [_crop_of_padded(images[i].numpy(), out[i], 2) for i in range(16)]
    assert all(found), "an image is not a (flipped) crop of its padded self"
    assert 0 < sum(flip for _, _, flip in found) < 16  # both flipped and unflipped occur
    # Every image gets its own offsets, in each direction.
    assert len({top for top, _, _ in found}) > 1 and len({left for _, left, _ in found}) > 1


@pytest.mark.parametrize("side, pad", [(32, 4), (8, 1), (4, 0), (2, 0), (1, 0)])
def test_random_crop_flip_pads_an_eighth_of_a_small_side(side, pad):
    # 4 pixels (the CIFAR recipe's) up to an eighth of the side: none under 8 pixels,
    # where a crop would be mostly padding.
    torch.manual_seed(0)
    images = torch.randn(32, 3, side, side)
    out = random_crop_flip(images).numpy()
    found = [_crop_of_padded(images[i].numpy(), out[i], pad) for i in range(32)]
    assert all(found), f"an image is not a (flipped) crop of its {pad}-pixel padded self"


def test_random_crop_flip_pads_each_side_by_an_eighth_of_its_own_length():
    """On 8x32 images the rows are shifted by up to 1 pixel, the columns by up to 4."""
    torch.manual_seed(0)
    out = random_crop_flip(torch.ones(256, 1, 8, 32))
    zero_rows = (out == 0).all(dim=3).sum(dim=(1, 2))
    zero_cols = (out == 0).all(dim=2).sum(dim=(1, 2))
    assert int(zero_rows.max()) == 1 and int(zero_cols.max()) == 4


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
@pytest.mark.filterwarnings("ignore:precision='fp16' on 'cpu' runs without loss scaling")
def test_mixed_precision_trains_and_predicts(digit_images, precision):
    X, y, X_test, y_test = digit_images
    clf = ImbalancedNetClassifier(
        module="mlp", precision=precision, max_epochs=5, random_state=0
    ).fit(X, y)
    proba = clf.predict_proba(X_test)
    assert np.all(np.isfinite(proba))
    assert (clf.predict(X_test) == y_test).mean() > 0.5


class _OutputDtypes(torch.nn.Module):
    """A linear layer on flattened images that records the dtype of each output."""

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)
        self.dtypes = []

    def forward(self, x):
        out = self.linear(x.flatten(1))
        self.dtypes.append(out.dtype)
        return out


@pytest.mark.parametrize("precision, dtype", [("bf16", torch.bfloat16), ("fp32", torch.float32)])
def test_precision_sets_the_dtype_of_training_and_prediction_on_cpu(digit_images, precision, dtype):
    X, y, X_test, _ = digit_images
    module = _OutputDtypes(X[0].size, len(np.unique(y)))
    clf = ImbalancedNetClassifier(
        module=module, loss="ce", precision=precision, max_epochs=1, device="cpu", random_state=0
    ).fit(X, y)
    fitted = clf.net_.module_
    assert dtype in fitted.dtypes
    assert precision == "bf16" or set(fitted.dtypes) == {torch.float32}
    fitted.dtypes.clear()
    clf.predict(X_test)
    assert set(fitted.dtypes) == {dtype}


def test_mixed_precision_steps_from_the_current_weights(digit_images):
    """Each bf16 step computes with the weights the steps before it left: autocast's
    cached casts of the weights, kept for the whole fit, would give every step (and the
    validation) those of the first. Its losses then follow those of fp32."""
    X, y, _, _ = digit_images
    params = dict(module="mlp", max_epochs=4, validation_fraction=0.2, random_state=0)
    fits = {
        precision: ImbalancedNetClassifier(precision=precision, **params).fit(X, y)
        for precision in ("fp32", "bf16")
    }
    for key in ("train_loss", "valid_loss"):
        fp32, bf16 = (np.array(fits[p].net_.history[:, key]) for p in ("fp32", "bf16"))
        assert fp32[-1] < fp32[0]
        np.testing.assert_allclose(bf16, fp32, rtol=0, atol=0.02, err_msg=key)


def test_torch_compile_path(digit_images):
    # The graphs are traced (Dynamo, AOTAutograd) and run without code generation:
    # Inductor's C++ compilation takes ~25 s here; tests/test_gpu.py runs it on CUDA.
    X, y, X_test, _ = digit_images
    params = dict(mixing="mfw", max_epochs=2, module__hidden_sizes=(16,), random_state=0)
    clf = ImbalancedNetClassifier(module="mlp", compile={"backend": "aot_eager"}, **params)
    clf.fit(X, y)
    plain = ImbalancedNetClassifier(module="mlp", **params).fit(X, y)
    assert isinstance(clf.net_.module_, torch._dynamo.eval_frame.OptimizedModule)
    assert not isinstance(plain.net_.module_, torch._dynamo.eval_frame.OptimizedModule)
    # The same operations, traced: equal but for the last bits of float32.
    np.testing.assert_allclose(
        clf.predict_proba(X_test), plain.predict_proba(X_test), rtol=0, atol=1e-5
    )
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X_test), clf.predict(X_test))


def test_compiled_default_keeps_the_weight_decay_of_each_parameter_group():
    # torch.compile renames the parameters (``_orig_mod.head.weight``); the default's
    # groups ("head.*" at 1e-4, the rest at the auto decay) still apply.
    X, y = make_classification(200, 6, weights=[0.8], random_state=0)
    params = dict(max_epochs=2, module__hidden_sizes=(16,), random_state=0)
    clf = ImbalancedNetClassifier(compile={"backend": "aot_eager"}, **params).fit(X, y)
    plain = ImbalancedNetClassifier(**params).fit(X, y)

    def decays(net):
        return [(len(g["params"]), g["weight_decay"]) for g in net.optimizer_.param_groups]

    assert decays(clf.net_) == decays(plain.net_)
    np.testing.assert_allclose(clf.predict_proba(X), plain.predict_proba(X), rtol=0, atol=1e-5)


def test_compile_options_are_checked_before_training(digit_images):
    X, y, _, _ = digit_images
    clf = ImbalancedNetClassifier(module="mlp", compile={"mdoe": "max-autotune"})
    with pytest.raises(ValueError, match=r"'mdoe' is not an option of torch.compile; its op"):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


@pytest.mark.parametrize(
    "compile, message",
    [
        ({"backend": "nope"}, r"torch.compile refuses it: Invalid backend: 'nope'"),
        ({"mode": "nope"}, r"torch.compile refuses it: Unrecognized mode=nope"),
        ({"fullgraph": "yes"}, r"'fullgraph' must be True or False"),
    ],
)
def test_compile_values_torch_refuses_are_named_before_training(digit_images, compile, message):
    X, y, _, _ = digit_images
    clf = ImbalancedNetClassifier(module="mlp", compile=compile)
    with pytest.raises(ValueError, match=rf"^compile={re.escape(repr(compile))}: {message}"):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")


def test_class_diagnostics_equal_on_both_paths(digit_images):
    from sklearn_imbalance_dl.callbacks import ClassDiagnostics, class_diagnostics

    X, y, _, _ = digit_images
    params = dict(max_epochs=3, callbacks=[ClassDiagnostics()], random_state=0)
    fast = class_diagnostics(ImbalancedNetClassifier(**params).fit(X, y))
    normal = class_diagnostics(
        ImbalancedNetClassifier(**params).fit(TensorDataset(torch.as_tensor(X)), y)
    )
    np.testing.assert_array_equal(fast["grad_norm"], normal["grad_norm"])
    np.testing.assert_array_equal(fast["train_accuracy"], normal["train_accuracy"])


def test_torch_lower_bound_has_the_torch_apis_the_package_calls():
    """The oldest torch that pyproject.toml allows has the newest torch APIs called."""
    root = Path(__file__).resolve().parents[1]
    # Read without tomllib (Python >= 3.11 only; the package supports 3.10).
    bound = re.search(
        r'^\s*"torch>=(\d+)\.(\d+)', (root / "pyproject.toml").read_text(encoding="utf-8"), re.M
    )
    first_release = {
        "torch.amp.is_autocast_available": (2, 4),
        "torch.amp.GradScaler": (2, 3),
        "torch.compiler.is_compiling": (2, 3),
    }
    source = "".join(
        path.read_text(encoding="utf-8") for path in (root / "sklearn_imbalance_dl").rglob("*.py")
    )
    called = {name: version for name, version in first_release.items() if name in source}
    assert called == first_release  # the table lists what the package calls
    assert (int(bound[1]), int(bound[2])) >= max(called.values())
