"""Tests of sklearn_imbalance_dl.datasets against hand-computed counts."""

import pickle

import numpy as np
import pandas as pd
import pytest
from _pandas_options import has_infer_string_option
from _params import assert_invalid_parameter
from sklearn.datasets import load_digits

from sklearn_imbalance_dl.datasets import (
    load_cifar10_lt,
    load_digits_lt,
    load_heart_disease,
    long_tailed_counts,
    make_long_tailed,
)

# Per-class CIFAR-10-LT counts of LDAM-DRW (kaidic/LDAM-DRW, imbalance_cifar.py).
LDAM_CIFAR10 = {
    100: [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50],
    50: [5000, 3237, 2096, 1357, 878, 568, 368, 238, 154, 100],
    10: [5000, 3871, 2997, 2320, 1796, 1391, 1077, 834, 645, 500],
}


# --------------------------------------------------------------------------- counts
@pytest.mark.parametrize("ratio, total", [(100, 12406), (50, 13996), (10, 20431)])
def test_long_tailed_counts_cifar10_totals(ratio, total):
    counts = long_tailed_counts(5000, 10, ratio)
    assert counts.tolist() == LDAM_CIFAR10[ratio]
    assert counts.sum() == total
    assert counts.dtype == np.int64


def test_long_tailed_counts_cifar100():
    # CIFAR-100-LT at rho=100 has 10,847 images (Cao et al. 2019), head 500, tail 5.
    counts = long_tailed_counts(500, 100, 100)
    assert counts.sum() == 10847
    assert counts[0] == 500 and counts[-1] == 5
    assert np.all(np.diff(counts) <= 0)


def test_long_tailed_counts_step():
    assert long_tailed_counts(5000, 10, 100, "step").tolist() == [5000] * 5 + [50] * 5
    assert long_tailed_counts(100, 5, 10, "step").tolist() == [100, 100, 10, 10, 10]
    assert long_tailed_counts(7, 2, 3, "step").tolist() == [7, 2]


def test_long_tailed_counts_ratio_one_is_balanced():
    for profile in ("exponential", "step"):
        assert long_tailed_counts(40, 4, 1, profile).tolist() == [40] * 4


def test_long_tailed_counts_empty_tail():
    with pytest.raises(ValueError, match="tail class with 0 samples"):
        long_tailed_counts(50, 10, 100)


X5, Y5 = np.zeros((10, 2)), np.repeat([0, 1], 5)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: long_tailed_counts(50, 1, 10),
            "The 'n_classes' parameter of long_tailed_counts must be an int in the range "
            "[2, inf). Got 1 instead.",
        ),
        (
            lambda: long_tailed_counts(0, 3, 10),
            "The 'n_max' parameter of long_tailed_counts must be an int in the range "
            "[1, inf). Got 0 instead.",
        ),
        (
            lambda: long_tailed_counts(10, 3, 0.5),
            "The 'imbalance_ratio' parameter of long_tailed_counts must be a float in the "
            "range [1.0, inf). Got 0.5 instead.",
        ),
        (
            lambda: long_tailed_counts(10, 3, float("inf")),
            "The 'imbalance_ratio' parameter of long_tailed_counts must be a float in the "
            "range [1.0, inf). Got inf instead.",
        ),
        (
            lambda: make_long_tailed(X5, Y5, 0.5),
            "The 'imbalance_ratio' parameter of make_long_tailed must be a float in the "
            "range [1.0, inf). Got 0.5 instead.",
        ),
        (
            lambda: make_long_tailed(X5, Y5, 10, "linear"),
            "The 'profile' parameter of make_long_tailed must be a str among "
            "{'exponential', 'step'}. Got 'linear' instead.",
        ),
        (
            lambda: make_long_tailed(X5, Y5, 2, n_max=2.5),
            "The 'n_max' parameter of make_long_tailed must be an int in the range [1, inf) "
            "or None. Got 2.5 instead.",
        ),
        (
            lambda: load_digits_lt(0.5),
            "The 'imbalance_ratio' parameter of load_digits_lt must be a float in the "
            "range [1.0, inf). Got 0.5 instead.",
        ),
        (
            lambda: load_digits_lt(test_per_class=0),
            "The 'test_per_class' parameter of load_digits_lt must be an int in the range "
            "[1, inf). Got 0 instead.",
        ),
        (
            lambda: load_cifar10_lt("nowhere", 0.5),
            "The 'imbalance_ratio' parameter of load_cifar10_lt must be a float in the "
            "range [1.0, inf). Got 0.5 instead.",
        ),
        (
            lambda: load_cifar10_lt("nowhere", profile="steps"),
            "The 'profile' parameter of load_cifar10_lt must be a str among "
            "{'exponential', 'step'}. Got 'steps' instead.",
        ),
    ],
)
def test_invalid_parameters(call, message):
    # Checked before any data is read or drawn.
    assert_invalid_parameter(call, message)


# --------------------------------------------------------------------- make_long_tailed
def _balanced(n_per_class=60, n_classes=5, n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(n_classes), n_per_class)
    rng.shuffle(y)
    X = rng.normal(size=(y.shape[0], n_features))
    return X, y


@pytest.mark.parametrize("profile", ["exponential", "step"])
def test_make_long_tailed_counts_follow_profile(profile):
    X, y = _balanced()
    X_lt, y_lt, idx = make_long_tailed(X, y, 20, profile, return_indices=True)
    # hand-computed: exponential floor(60 * 20 ** (-c / 4)) = 60, 28, 13, 6, 3
    expected = {"exponential": [60, 28, 13, 6, 3], "step": [60, 60, 3, 3, 3]}[profile]
    assert np.bincount(y_lt).tolist() == expected
    assert np.all(np.diff(idx) > 0)  # sorted, no duplicates
    np.testing.assert_array_equal(X_lt, X[idx])
    np.testing.assert_array_equal(y_lt, y[idx])


def test_make_long_tailed_n_max_defaults_to_smallest_class():
    y = np.array([0] * 30 + [1] * 50 + [2] * 40)
    X = np.zeros((y.size, 1))
    _, y_lt = make_long_tailed(X, y, 4)
    assert np.bincount(y_lt).tolist() == [30, 15, 7]  # floor(30 / 2), floor(30 / 4)
    _, y_lt = make_long_tailed(X, y, 4, n_max=20)
    assert np.bincount(y_lt).tolist() == [20, 10, 5]


def test_make_long_tailed_class_order():
    X, y = _balanced()
    _, y_lt = make_long_tailed(X, y, 20, class_order=[4, 3, 2, 1, 0])
    assert np.bincount(y_lt).tolist() == [3, 6, 13, 28, 60]
    _, y_lt = make_long_tailed(X, y, 20, class_order=[2, 0, 4, 1, 3])
    assert np.bincount(y_lt).tolist() == [28, 6, 60, 3, 13]


def test_make_long_tailed_string_labels_and_nd_images():
    rng = np.random.default_rng(1)
    y = np.repeat(np.array(["cat", "dog", "emu"]), 20)
    X = rng.integers(0, 255, size=(60, 3, 4, 4), dtype=np.uint8)
    X_lt, y_lt = make_long_tailed(X, y, 4, class_order=["emu", "cat", "dog"])
    assert X_lt.shape == (20 + 10 + 5, 3, 4, 4) and X_lt.dtype == np.uint8
    labels, counts = np.unique(y_lt, return_counts=True)
    assert dict(zip(labels.tolist(), counts.tolist(), strict=True)) == {
        "emu": 20,
        "cat": 10,
        "dog": 5,
    }


def test_make_long_tailed_date_labels():
    """Dates as labels (a pandas column of datetime64[ns]) are drawn like any other."""
    X, y = _balanced()
    dates = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(y, unit="D"), name="day")
    X_lt, y_lt, idx = make_long_tailed(X, dates, 20, return_indices=True)
    assert y_lt.dtype == dates.dtype
    assert y_lt.value_counts().sort_index().tolist() == [60, 28, 13, 6, 3]
    *_, idx_int = make_long_tailed(X, y, 20, return_indices=True)
    np.testing.assert_array_equal(idx, idx_int)


def test_make_long_tailed_random_state():
    X, y = _balanced()
    *_, a = make_long_tailed(X, y, 20, random_state=3, return_indices=True)
    *_, b = make_long_tailed(X, y, 20, random_state=3, return_indices=True)
    *_, c = make_long_tailed(X, y, 20, random_state=4, return_indices=True)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    *_, d = make_long_tailed(X, y, 20, random_state=np.random.default_rng(3), return_indices=True)
    np.testing.assert_array_equal(a, d)


def test_make_long_tailed_pandas():
    X, y = _balanced()
    index = pd.Index(np.arange(1000, 1000 + y.size), name="row")
    X_df = pd.DataFrame(X, columns=["a", "b", "c"], index=index)
    y_s = pd.Series(y, index=index, name="target")
    X_lt, y_lt, idx = make_long_tailed(X_df, y_s, 20, return_indices=True)
    assert isinstance(X_lt, pd.DataFrame) and isinstance(y_lt, pd.Series)
    assert list(X_lt.columns) == ["a", "b", "c"] and y_lt.name == "target"
    np.testing.assert_array_equal(X_lt.index, index[idx])
    np.testing.assert_array_equal(X_lt.to_numpy(), X[idx])
    assert y_lt.value_counts().sort_index().tolist() == [60, 28, 13, 6, 3]
    # same selection as with numpy inputs
    *_, idx_np = make_long_tailed(X, y, 20, return_indices=True)
    np.testing.assert_array_equal(idx, idx_np)


def test_make_long_tailed_torch_dataset_gives_a_subset_the_estimator_trains_on():
    """A torch Dataset (a torchvision set, with y from its targets) is cut without
    reading its items, into a Subset of it."""
    import torch
    from torch.utils.data import Subset, TensorDataset

    from sklearn_imbalance_dl import ImbalancedNetClassifier

    y = np.repeat([0, 1, 2, 3], 20)
    images = np.random.default_rng(0).random((y.size, 1, 8, 8), dtype=np.float32)
    dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(y))
    X_lt, y_lt, idx = make_long_tailed(dataset, y, 10, return_indices=True)
    assert isinstance(X_lt, Subset) and X_lt.dataset is dataset
    np.testing.assert_array_equal(X_lt.indices, idx)
    np.testing.assert_array_equal(y_lt, y[idx])
    clf = ImbalancedNetClassifier(max_epochs=1, random_state=0, module__widths=(4, 4, 4))
    assert clf.fit(X_lt, y_lt).predict(X_lt).shape == (idx.size,)


def test_make_long_tailed_errors():
    X, y = _balanced()
    with pytest.raises(ValueError, match="X has 300, y has 299"):
        make_long_tailed(X, y[:-1], 10)
    with pytest.raises(ValueError, match="at least 2 classes"):
        make_long_tailed(X, np.zeros_like(y), 10)
    with pytest.raises(ValueError, match="class_order must list every class label"):
        make_long_tailed(X, y, 10, class_order=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="class_order must list every class label"):
        make_long_tailed(X, y, 10, class_order=[0, 1, 2, 3, 3])
    with pytest.raises(ValueError, match="class_order must list every class label"):
        make_long_tailed(X, y, 10, class_order=[0, 1, 2, 3, 9])
    # Not a sequence: the message says what the labels are to be given in.
    with pytest.raises(ValueError, match=r"1-D sequence .* got a set, which has no order"):
        make_long_tailed(X, y, 10, class_order={0, 1, 2, 3, 4})
    with pytest.raises(ValueError, match=r"1-D sequence .* got an array of shape \(1, 5\)"):
        make_long_tailed(X, y, 10, class_order=[[0, 1, 2, 3, 4]])
    # class 1 is second in line but has only 10 samples; the profile needs 21
    y_small = np.array([0] * 30 + [1] * 10 + [2] * 30)
    with pytest.raises(ValueError, match=r"Class 1 has only 10 samples.*n_max=30.*needs 21"):
        make_long_tailed(np.zeros((70, 2)), y_small, 2, n_max=30)
    with pytest.raises(ValueError, match="1-D"):
        make_long_tailed(X, np.c_[y, y], 10)
    # A ratio beyond the smallest class: the advice is one that works.
    small = np.repeat([0, 1, 2], 50)
    with pytest.raises(ValueError, match=r"imbalance_ratio=100 leaves .*use imbalance_ratio <= 50"):
        make_long_tailed(np.zeros((150, 2)), small, 100)
    assert np.bincount(make_long_tailed(np.zeros((150, 2)), small, 50)[1]).tolist() == [50, 7, 1]


# ----------------------------------------------------------------------- load_digits_lt
def test_load_digits_lt_shapes_and_counts():
    X_train, y_train, X_test, y_test = load_digits_lt(100)
    # floor(124 * 100 ** (-c / 9)), 124 = 174 (digit 8) - 50 test images
    expected = [124, 74, 44, 26, 16, 9, 5, 3, 2, 1]
    assert np.bincount(y_train).tolist() == expected
    assert np.bincount(y_train).tolist() == long_tailed_counts(124, 10, 100).tolist()
    assert np.bincount(y_test).tolist() == [50] * 10
    assert X_train.shape == (sum(expected), 64) and X_test.shape == (500, 64)
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0 and X_train.max() == 1.0


def test_load_digits_lt_step_images_and_test_size():
    X_train, y_train, X_test, y_test = load_digits_lt(10, "step", test_per_class=30, as_images=True)
    assert np.bincount(y_train).tolist() == [144] * 5 + [14] * 5
    assert X_train.shape == (5 * 144 + 5 * 14, 1, 8, 8)
    assert X_test.shape == (300, 1, 8, 8)


def test_load_digits_lt_train_test_disjoint():
    digits = load_digits()
    ref = (digits.data / 16.0).astype(np.float32)
    # the 1,797 digits images are pairwise distinct, so pixels identify the row
    row_of = {row.tobytes(): i for i, row in enumerate(ref)}
    assert len(row_of) == ref.shape[0]
    X_train, y_train, X_test, y_test = load_digits_lt(10, random_state=1)
    train_rows = np.array([row_of[x.tobytes()] for x in X_train])
    test_rows = np.array([row_of[x.tobytes()] for x in X_test])
    assert len(set(train_rows)) == len(train_rows) and len(set(test_rows)) == 500
    assert not set(train_rows) & set(test_rows)
    np.testing.assert_array_equal(digits.target[train_rows], y_train)
    np.testing.assert_array_equal(digits.target[test_rows], y_test)


def test_load_digits_lt_seed_and_errors():
    a = load_digits_lt(10, random_state=0)
    b = load_digits_lt(10, random_state=0)
    c = load_digits_lt(10, random_state=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[2], c[2])
    with pytest.raises(ValueError, match="'test_per_class' .* smaller than .*174"):
        load_digits_lt(test_per_class=174)
    with pytest.raises(
        ValueError,
        match=r"smallest digit class keeps 124 training images, so imbalance_ratio=200 leaves "
        r"the tail class with 0 samples .* Use imbalance_ratio <= 124\.$",
    ):
        load_digits_lt(200)


def test_load_digits_lt_empty_tail_names_its_own_parameters():
    # The head class size is derived from test_per_class: the advice is in its terms.
    message = (
        r"With test_per_class=173 the smallest digit class keeps 1 training image, so "
        r"imbalance_ratio=100 leaves the tail class with 0 samples \(floor\(1 / 100\) = 0\)\. "
        r"Use imbalance_ratio <= 1 or test_per_class <= 74\.$"
    )
    with pytest.raises(ValueError, match=message):
        load_digits_lt(100, test_per_class=173)
    assert np.bincount(load_digits_lt(100, test_per_class=74)[1]).min() == 1
    with pytest.raises(ValueError, match="Use imbalance_ratio <= 99 or test_per_class <= 74"):
        load_digits_lt(100, test_per_class=75)


# ---------------------------------------------------------------------- load_cifar10_lt
def _fake_cifar(n_per_class_train=12, n_per_class_test=3, seed=0):
    """Balanced fake CIFAR arrays, channels first, with the label painted in pixel 0."""
    rng = np.random.default_rng(seed)
    y_train = rng.permutation(np.repeat(np.arange(10), n_per_class_train))
    y_test = np.repeat(np.arange(10), n_per_class_test)
    X_train = rng.integers(0, 256, size=(y_train.size, 3, 32, 32), dtype=np.uint8)
    X_test = rng.integers(0, 256, size=(y_test.size, 3, 32, 32), dtype=np.uint8)
    # channel-dependent marker: pixel (c, 0, 0) = 10 * label + c
    for X, y in ((X_train, y_train), (X_test, y_test)):
        for c in range(3):
            X[:, c, 0, 0] = 10 * y + c
    return X_train, y_train, X_test, y_test


def _write_batches(directory, X_train, y_train, X_test, y_test):
    directory.mkdir()
    parts = np.array_split(np.arange(y_train.size), 5)
    for i, part in enumerate(parts, start=1):
        batch = {
            b"batch_label": f"training batch {i} of 5".encode(),
            b"labels": y_train[part].tolist(),
            b"data": X_train[part].reshape(len(part), 3072),
            b"filenames": [b"x.png"] * len(part),
        }
        with open(directory / f"data_batch_{i}", "wb") as f:
            pickle.dump(batch, f)
    with open(directory / "test_batch", "wb") as f:
        pickle.dump({b"labels": y_test.tolist(), b"data": X_test.reshape(-1, 3072)}, f)


def _check_markers(X, y):
    for c in range(3):
        np.testing.assert_array_equal(X[:, c, 0, 0], 10 * y + c)


def test_load_cifar10_lt_batches_dir(tmp_path):
    X_train, y_train, X_test, y_test = _fake_cifar()
    _write_batches(tmp_path / "cifar-10-batches-py", X_train, y_train, X_test, y_test)
    Xtr, ytr, Xte, yte = load_cifar10_lt(tmp_path / "cifar-10-batches-py", 12)
    # floor(12 * 12 ** (-c / 9))
    expected = [12, 9, 6, 5, 3, 3, 2, 1, 1, 1]
    assert np.bincount(ytr).tolist() == expected
    assert Xtr.shape == (sum(expected), 3, 32, 32) and Xtr.dtype == np.uint8
    assert Xte.shape == (30, 3, 32, 32) and np.bincount(yte).tolist() == [3] * 10
    assert ytr.dtype == np.int64
    _check_markers(Xtr, ytr)
    _check_markers(Xte, yte)
    np.testing.assert_array_equal(Xte, X_test)
    # the parent folder works too, and gives the same data
    again = load_cifar10_lt(str(tmp_path), 12)
    np.testing.assert_array_equal(again[0], Xtr)


@pytest.mark.parametrize("channels_last", [True, False])
def test_load_cifar10_lt_npz(tmp_path, channels_last):
    X_train, y_train, X_test, y_test = _fake_cifar()
    if channels_last:
        X_train, X_test = X_train.transpose(0, 2, 3, 1), X_test.transpose(0, 2, 3, 1)
    path = tmp_path / "cifar10.npz"
    np.savez(path, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
    Xtr, ytr, Xte, yte = load_cifar10_lt(path, 3, "step", as_float=True)
    assert np.bincount(ytr).tolist() == [12] * 5 + [4] * 5
    assert Xtr.shape == (80, 3, 32, 32) and Xte.shape == (30, 3, 32, 32)
    assert Xtr.dtype == np.float32 and 0 <= Xtr.min() and Xtr.max() <= 1
    _check_markers(np.rint(Xtr * 255).astype(int), ytr)
    _check_markers(np.rint(Xte * 255).astype(int), yte)


def test_load_cifar10_lt_same_data_from_both_formats(tmp_path):
    arrays = _fake_cifar()
    _write_batches(tmp_path / "cifar-10-batches-py", *arrays)
    keys = ["X_train", "y_train", "X_test", "y_test"]
    np.savez(tmp_path / "c.npz", **dict(zip(keys, arrays, strict=True)))
    a = load_cifar10_lt(tmp_path / "cifar-10-batches-py", 5, random_state=7)
    b = load_cifar10_lt(tmp_path / "c.npz", 5, random_state=7)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize(
    "labels, got",
    [
        (lambda y: np.eye(10)[y], r"dtype float64 and shape \(120, 10\) \(one-hot"),
        (lambda y: y + 0.5, r"dtype float64 and shape \(120,\), including the label \d\.5"),
        (lambda y: np.where(y == 3, np.inf, y), r"shape \(120,\), including the label inf"),
        (lambda y: np.where(y == 3, np.nan, y), r"shape \(120,\), including the label nan"),
        (lambda y: np.where(y == 3, 1e30, y), r"shape \(120,\), including the label 1e\+30"),
        (lambda y: y.astype(str), r"dtype <U\d+ and shape \(120,\)"),
    ],
)
def test_load_cifar10_lt_refuses_labels_that_are_not_class_indices(tmp_path, labels, got):
    """Read as integers, one-hot labels would count as 10 labels an image, fractional
    ones be truncated and infinite, NaN or huge ones become arbitrary integers."""
    X_train, y_train, X_test, y_test = _fake_cifar()
    path = tmp_path / "c.npz"
    np.savez(path, X_train=X_train, y_train=labels(y_train), X_test=X_test, y_test=y_test)
    with pytest.raises(ValueError, match="y_train must hold integer class labels.*" + got):
        load_cifar10_lt(path, 2)
    np.savez(path, X_train=X_train, y_train=y_train[:, None], X_test=X_test, y_test=y_test)
    assert load_cifar10_lt(path, 2)[1].ndim == 1  # Keras' (N, 1) labels


def test_load_cifar10_lt_refuses_labels_outside_the_ten_classes(tmp_path):
    """Labels counted from 1, or test labels of another set, are not CIFAR-10's 0 to 9
    (class 0 the head of the long tail)."""
    X_train, y_train, X_test, y_test = _fake_cifar()
    path = tmp_path / "c.npz"
    np.savez(path, X_train=X_train, y_train=y_train + 1, X_test=X_test, y_test=y_test)
    with pytest.raises(ValueError, match=r"y_train must hold integer class labels 0 to 9, .*10 "):
        load_cifar10_lt(path, 2)
    np.savez(path, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test - 20)
    with pytest.raises(ValueError, match=r"y_test must .* got the label -20 \(labels from -20"):
        load_cifar10_lt(path, 2)
    directory = tmp_path / "cifar-10-batches-py"
    _write_batches(directory, X_train, y_train, X_test, y_test + 10)
    with pytest.raises(ValueError, match=r"test_batch': b'labels' must hold .* 0 to 9"):
        load_cifar10_lt(directory, 2)


def test_load_cifar10_lt_errors(tmp_path):
    missing = tmp_path / "nowhere" / "cifar-10-batches-py"
    with pytest.raises(FileNotFoundError, match="No CIFAR-10 data at .*nowhere.*data_batch_1"):
        load_cifar10_lt(missing)

    path = tmp_path / "bad.npz"
    X_train, y_train, *_ = _fake_cifar()
    np.savez(path, X_train=X_train, y_train=y_train, images=X_train)
    with pytest.raises(
        ValueError,
        match=r"lacks the arrays \['X_test', 'y_test'\].*found \['X_train', 'images', 'y_train'\]",
    ):
        load_cifar10_lt(path)

    empty = tmp_path / "empty_dir"
    empty.mkdir()
    with pytest.raises(ValueError, match="missing data_batch_1.*test_batch"):
        load_cifar10_lt(empty)

    not_npz = tmp_path / "notes.txt"
    not_npz.write_text("hello")
    with pytest.raises(ValueError, match="Could not read .* as an .npz"):
        load_cifar10_lt(not_npz)

    fake = tmp_path / "fake.npz"  # 12 images per class
    np.savez(fake, X_train=X_train, y_train=y_train, X_test=X_train, y_test=y_train)
    with pytest.raises(
        ValueError,
        match=r"has 12 images, so imbalance_ratio=13 leaves the tail class with 0 "
        r"samples .* Use imbalance_ratio <= 12\.$",
    ):
        load_cifar10_lt(fake, 13)
    assert np.bincount(load_cifar10_lt(fake, 12)[1]).min() == 1

    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, X_train=X_train[:, :, :16], y_train=y_train, X_test=X_train, y_test=y_train)
    with pytest.raises(ValueError, match=r"shape \(N, 32, 32, 3\) or \(N, 3, 32, 32\)"):
        load_cifar10_lt(wrong)


def _rewrite_batch(path, changes):
    with open(path, "rb") as f:
        batch = pickle.load(f)
    with open(path, "wb") as f:
        pickle.dump({**batch, **changes}, f)


def test_load_cifar10_lt_checks_each_batch(tmp_path):
    """A batch's pixels are read as they are (float pixels in [0, 1] cast to uint8 would
    be 0), and its labels must be one per image, the test batch's too."""
    directory = tmp_path / "cifar-10-batches-py"
    X_train, y_train, X_test, y_test = _fake_cifar()
    _write_batches(directory, X_train, y_train, X_test, y_test)
    _rewrite_batch(directory / "test_batch", {b"labels": y_test[:-1].tolist()})
    with pytest.raises(ValueError, match="test_batch': b'data' has 30 images but b'labels' has 29"):
        load_cifar10_lt(directory, 2)

    _write_batches(tmp_path / "float", X_train, y_train, X_test, y_test)
    part = tmp_path / "float" / "data_batch_2"
    with open(part, "rb") as f:
        pixels = pickle.load(f)[b"data"]
    _rewrite_batch(part, {b"data": pixels.astype(np.float32) / 255})
    with pytest.raises(ValueError, match="data_batch_2': b'data' must be uint8 .* float32"):
        load_cifar10_lt(tmp_path / "float", 2)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # a download cut short
        lambda raw: b"",
        lambda raw: b"not a pickle\n",
    ],
)
def test_load_cifar10_lt_names_a_damaged_batch_file(tmp_path, damage):
    directory = tmp_path / "cifar-10-batches-py"
    _write_batches(directory, *_fake_cifar())
    part = directory / "data_batch_3"
    part.write_bytes(damage(part.read_bytes()))
    with pytest.raises(
        ValueError,
        match=r"data_batch_3' could not be read as a pickled CIFAR-10 batch \(\w+: .*\): the "
        r"file is truncated, corrupted or not a CIFAR-10 batch\. Extract it again",
    ):
        load_cifar10_lt(directory, 2)


def test_load_cifar10_lt_names_a_damaged_npz_file(tmp_path):
    path = tmp_path / "c.npz"
    X_train, y_train, X_test, y_test = _fake_cifar()
    np.savez(path, X_train=X_train, y_train=y_train, X_test=X_test, y_test=y_test)
    raw = bytearray(path.read_bytes())
    raw[2000:2100] = bytes(100)  # inside X_train's pixels: its checksum fails on reading
    path.write_bytes(bytes(raw))
    with pytest.raises(
        ValueError,
        match=r"c\.npz': the array X_train could not be read \(BadZipFile: .*\): the file is "
        "truncated or corrupted",
    ):
        load_cifar10_lt(path, 2)


def test_load_cifar10_lt_names_an_npz_array_of_objects(tmp_path):
    X_train, y_train, X_test, y_test = _fake_cifar()
    path = tmp_path / "objects.npz"
    labels = y_train.astype(object)
    np.savez(path, X_train=X_train, y_train=labels, X_test=X_test, y_test=y_test)
    with pytest.raises(ValueError, match="objects.npz': the array y_train could not be read"):
        load_cifar10_lt(path, 2)


@pytest.mark.parametrize(
    "y, message",
    [
        (np.array([0, 0, 1, 1, np.nan, 2.0]), r"1 missing label\(s\).*position\(s\) \[4\]"),
        (np.array([None, 0, 1, 1, 2, 2], dtype=object), r"missing label\(s\).*position\(s\) \[0\]"),
        (np.array([0, "a", 1, 1, 2, 2], dtype=object), r"mixes labels of types int, str"),
        (np.linspace(0, 1, 6), r"Unknown label type: continuous"),
        # Whole numbers held as objects (a pandas column after some operations): the
        # advice of the estimator, not scikit-learn's "regression target".
        (pd.Series([0, 0, 1, 1, 2, 2], dtype=object), r"int labels in an array of dtype object"),
    ],
)
def test_make_long_tailed_names_missing_mixed_and_continuous_labels(y, message):
    with pytest.raises(ValueError, match=message):
        make_long_tailed(np.zeros((6, 1)), y, imbalance_ratio=2)


# --------------------------------------------------------------------------- heart disease
@pytest.mark.parametrize("infer_string", [False, True])
def test_heart_disease_string_columns_are_categories(infer_string):
    """The seven coded columns come as categories whether pandas reads text as object or
    as its string dtype (future.infer_string, the default of pandas 3)."""
    if int(pd.__version__.split(".")[0]) >= 3:  # str always; the option is deprecated
        if not infer_string:
            pytest.skip("pandas 3 reads text as its str dtype only")
        X, y = load_heart_disease()
    else:
        if not has_infer_string_option():
            if infer_string:
                pytest.skip("pandas without the future.infer_string option")
            X, y = load_heart_disease()  # text as object, the only way these read it
        else:
            with pd.option_context("future.infer_string", infer_string):
                X, y = load_heart_disease()
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    assert categorical == ["sex", "cp", "fbs", "restecg", "exang", "slope", "thal"]
    assert X.select_dtypes("number").shape[1] == 6
    assert X["cp"].cat.categories.tolist() == [
        "asymptomatic",
        "atypical angina",
        "non-anginal pain",
        "typical angina",
    ]
    assert X.shape == (303, 13) and np.bincount(y).tolist() == [164, 55, 36, 35, 13]
