"""CIFAR-10-LT from the files users have: the pickled batches or a decoded ``.npz``."""

import os
import pickle
from pathlib import Path

import numpy as np

from .._validation import validate_params
from ._long_tailed import (
    _IMBALANCE_RATIO,
    _PROFILE,
    _RANDOM_STATE,
    _tail_size,
    make_long_tailed,
)

_BATCH_DIR = "cifar-10-batches-py"
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCH = "test_batch"
_NPZ_KEYS = ("X_train", "y_train", "X_test", "y_test")
_EXPECTED = (
    f"a '{_BATCH_DIR}' directory (data_batch_1 ... data_batch_5 and test_batch, as "
    "downloaded from https://www.cs.toronto.edu/~kriz/cifar.html) or an .npz file "
    f"with arrays {', '.join(_NPZ_KEYS)} (uint8 images of shape (N, 32, 32, 3) or "
    "(N, 3, 32, 32))"
)


def _read_batch(path):
    # The official CIFAR files are Python pickles; only load files you trust.
    try:
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
    except Exception as exc:  # truncated, corrupted, or not a pickle at all
        raise ValueError(
            f"'{path}' could not be read as a pickled CIFAR-10 batch ({type(exc).__name__}: "
            f"{exc}): the file is truncated, corrupted or not a CIFAR-10 batch. Extract "
            "it again from the CIFAR-10 python archive; expected "
            f"{_EXPECTED}."
        ) from exc
    if not isinstance(batch, dict):
        raise ValueError(f"'{path}' is not a CIFAR-10 batch: expected a pickled dict.")
    data = batch.get(b"data", batch.get("data"))
    labels = batch.get(b"labels", batch.get("labels"))
    if data is None or labels is None:
        raise ValueError(
            f"'{path}' is not a CIFAR-10 batch: expected the keys b'data' and b'labels', "
            f"found {sorted(batch)!r}."
        )
    # Checked, not cast: a cast to uint8 would truncate float pixels in [0, 1] to 0.
    data = np.asarray(data)
    if data.dtype != np.uint8:
        raise ValueError(f"'{path}': b'data' must be uint8 pixel values; got dtype {data.dtype}.")
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"'{path}': expected b'data' of shape (N, 3072); got {data.shape}.")
    labels = _to_labels(labels, "b'labels'", path)
    if labels.shape[0] != data.shape[0]:
        raise ValueError(
            f"'{path}': b'data' has {data.shape[0]} images but b'labels' has "
            f"{labels.shape[0]} labels."
        )
    return data.reshape(-1, 3, 32, 32), labels


def _read_batches_dir(directory):
    if not (directory / _TEST_BATCH).is_file() and (directory / _BATCH_DIR).is_dir():
        directory = directory / _BATCH_DIR  # the parent of the extracted folder
    missing = [n for n in (*_TRAIN_BATCHES, _TEST_BATCH) if not (directory / n).is_file()]
    if missing:
        raise ValueError(
            f"The directory '{directory}' is not a CIFAR-10 '{_BATCH_DIR}' folder: "
            f"missing {', '.join(missing)}. Expected {_EXPECTED}."
        )
    train = [_read_batch(directory / n) for n in _TRAIN_BATCHES]
    X_test, y_test = _read_batch(directory / _TEST_BATCH)
    X_train = np.concatenate([X for X, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return X_train, y_train, X_test, y_test


def _to_channels_first(X, name, path):
    X = np.asarray(X)
    if X.dtype != np.uint8:
        raise ValueError(f"'{path}': {name} must be uint8 pixel values; got dtype {X.dtype}.")
    if X.ndim == 4 and X.shape[1:] == (32, 32, 3):
        return np.ascontiguousarray(X.transpose(0, 3, 1, 2))
    if X.ndim == 4 and X.shape[1:] == (3, 32, 32):
        return X
    raise ValueError(
        f"'{path}': {name} must have shape (N, 32, 32, 3) or (N, 3, 32, 32); got {X.shape}."
    )


def _to_labels(y, name, path):
    """Integer class labels 0 to 9 of shape (N,), from (N,) or Keras' (N, 1)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    integral = np.issubdtype(y.dtype, np.integer)
    found = ""
    if np.issubdtype(y.dtype, np.floating) and y.ndim == 1:
        # Whole numbers within int64's range: astype would truncate a fraction and turn
        # inf, NaN or 1e30 into arbitrary integers.
        whole = np.isfinite(y) & (y == np.round(y)) & (np.abs(y) < 2.0**63)
        integral = bool(whole.all())
        if not integral:
            found = f", including the label {y[~whole][0].item()!r}"
    if y.ndim != 1 or not integral:
        raise ValueError(
            f"'{path}': {name} must hold integer class labels of shape (N,) or (N, 1); got "
            f"dtype {y.dtype} and shape {y.shape}{found} (one-hot labels: pass "
            "y.argmax(1))."
        )
    y = y.astype(np.int64)
    outside = (y < 0) | (y > 9)
    if outside.any():
        raise ValueError(
            f"'{path}': {name} must hold integer class labels 0 to 9, CIFAR-10's ten "
            f"classes; got the label {y[outside][0].item()!r} (labels from {y.min()} to "
            f"{y.max()})."
        )
    return y


def _npz_array(archive, key, path):
    try:
        return archive[key]
    except ValueError as exc:  # an object array, which only unpickling would read
        raise ValueError(
            f"'{path}': the array {key} could not be read ({exc}). Expected {_EXPECTED}."
        ) from exc
    except Exception as exc:  # a damaged archive: a bad checksum, a truncated member
        raise ValueError(
            f"'{path}': the array {key} could not be read ({type(exc).__name__}: {exc}): "
            f"the file is truncated or corrupted. Write it again; expected {_EXPECTED}."
        ) from exc


def _read_npz(path):
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as exc:  # not a zip, truncated file, ...
        raise ValueError(f"Could not read '{path}' as an .npz file. Expected {_EXPECTED}.") from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(
            f"'{path}' holds a single array, not an .npz archive. Expected {_EXPECTED}."
        )
    with archive:
        found = sorted(archive.files)
        missing = [k for k in _NPZ_KEYS if k not in found]
        if missing:
            raise ValueError(
                f"The .npz file '{path}' lacks the arrays {missing}. Expected keys "
                f"{list(_NPZ_KEYS)}; found {found}."
            )
        X_train = _to_channels_first(_npz_array(archive, "X_train", path), "X_train", path)
        X_test = _to_channels_first(_npz_array(archive, "X_test", path), "X_test", path)
        y_train = _to_labels(_npz_array(archive, "y_train", path), "y_train", path)
        y_test = _to_labels(_npz_array(archive, "y_test", path), "y_test", path)
    for X, y, split in ((X_train, y_train, "train"), (X_test, y_test, "test")):
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                f"'{path}': X_{split} has {X.shape[0]} images but y_{split} has "
                f"{y.shape[0]} labels."
            )
    return X_train, y_train, X_test, y_test


@validate_params(
    {
        "path": [str, os.PathLike],
        "imbalance_ratio": _IMBALANCE_RATIO,
        "profile": _PROFILE,
        "random_state": _RANDOM_STATE,
        "as_float": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_cifar10_lt(
    path,
    imbalance_ratio=100,
    profile="exponential",
    *,
    random_state=0,
    as_float=False,
):
    """Load CIFAR-10-LT: a long-tailed training set and the balanced test set.

    Reads CIFAR-10 from local files (nothing is downloaded), applies
    :func:`make_long_tailed` to the 50,000 training images (class 0 "airplane" is
    the head, class 9 "truck" the tail, ``n_max`` = 5,000) and keeps the full
    balanced test set of 10,000 images. The training set has 12,406 / 13,996 /
    20,431 images at ``imbalance_ratio`` = 100 / 50 / 10, the per-class counts of
    LDAM-DRW (5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50 at 100), but the
    images of each class are drawn at random with ``random_state`` rather than
    taken in file order.

    Parameters
    ----------
    path : str or path-like
        Either the standard ``cifar-10-batches-py`` directory (pickled batches
        ``data_batch_1`` ... ``data_batch_5`` and ``test_batch``; its parent
        directory also works) or an ``.npz`` file with arrays ``X_train``,
        ``y_train``, ``X_test``, ``y_test`` (uint8 images of shape
        ``(N, 32, 32, 3)`` or ``(N, 3, 32, 32)``, integer labels 0 to 9 of shape
        ``(N,)`` or ``(N, 1)``), such as the one written by
        ``benchmarks/prepare_cifar10.py``. The batches are Python pickles: only
        load files you trust.
    imbalance_ratio : float, default=100
        Ratio between the head and tail class sizes; >= 1 (1 keeps the full
        balanced training set).
    profile : {"exponential", "step"}, default="exponential"
        Class-size profile, see :func:`long_tailed_counts`.
    random_state : int, numpy Generator, RandomState or None, default=0
        Seed of the per-class draws.
    as_float : bool, default=False
        If False, images are uint8 in [0, 255]; if True, float32 in [0, 1].

    Returns
    -------
    X_train : ndarray of shape (n_train, 3, 32, 32)
        Long-tailed training images, channels first.
    y_train : ndarray of int64, shape (n_train,)
        Training labels, 0-9.
    X_test : ndarray of shape (10000, 3, 32, 32)
        The balanced test images.
    y_test : ndarray of int64, shape (10000,)
        Test labels.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is not in one of the two formats (missing batch files, an
        ``.npz`` without the expected arrays, wrong shapes or dtype, labels outside
        0 to 9), if a file is truncated or corrupted, or for an
        invalid ``imbalance_ratio`` or ``profile``.

    See Also
    --------
    make_long_tailed : The long-tailed draw.
    load_digits_lt : The same protocol on scikit-learn's digits, no files needed.

    References
    ----------
    .. [1] A. Krizhevsky, "Learning Multiple Layers of Features from Tiny Images",
       technical report, 2009.
    .. [2] K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma, "Learning Imbalanced
       Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Examples
    --------
    >>> from sklearn_imbalance_dl.datasets import load_cifar10_lt
    >>> X_train, y_train, X_test, y_test = load_cifar10_lt(
    ...     "data_cache/cifar10.npz", imbalance_ratio=100)  # doctest: +SKIP
    >>> X_train.shape, X_test.shape  # doctest: +SKIP
    ((12406, 3, 32, 32), (10000, 3, 32, 32))
    """
    path = Path(os.fspath(path)).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"No CIFAR-10 data at '{path}'. Expected {_EXPECTED}.")
    if path.is_dir():
        X_train, y_train, X_test, y_test = _read_batches_dir(path)
    else:
        X_train, y_train, X_test, y_test = _read_npz(path)

    # The head class is the smallest class of the files (5,000 images in CIFAR-10); an
    # empty y_train is left to make_long_tailed, which names it.
    sizes = np.unique(y_train, return_counts=True)[1]
    if sizes.size and _tail_size(int(sizes.min()), imbalance_ratio) < 1:
        n_max = int(sizes.min())
        raise ValueError(
            f"The smallest class of the CIFAR-10 training images at '{path}' has {n_max} "
            f"images, so imbalance_ratio={imbalance_ratio!r} leaves the tail class with 0 "
            f"samples (floor({n_max} / {imbalance_ratio!r}) = 0). Use imbalance_ratio <= "
            f"{n_max}."
        )
    X_train, y_train = make_long_tailed(
        X_train, y_train, imbalance_ratio, profile, random_state=random_state
    )
    if as_float:
        X_train = X_train.astype(np.float32) / np.float32(255)
        X_test = X_test.astype(np.float32) / np.float32(255)
    return X_train, y_train, X_test, y_test
