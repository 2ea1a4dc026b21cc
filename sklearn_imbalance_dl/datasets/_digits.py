"""A long-tailed version of scikit-learn's 8x8 digits."""

import math
from numbers import Integral

import numpy as np
from sklearn.datasets import load_digits

from .._validation import Interval, validate_params
from ._long_tailed import (
    _IMBALANCE_RATIO,
    _PROFILE,
    _RANDOM_STATE,
    _as_generator,
    _tail_size,
    make_long_tailed,
)


@validate_params(
    {
        "imbalance_ratio": _IMBALANCE_RATIO,
        "profile": _PROFILE,
        "test_per_class": [Interval(Integral, 1, None, closed="left")],
        "as_images": ["boolean"],
        "random_state": _RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def load_digits_lt(
    imbalance_ratio=100,
    profile="exponential",
    *,
    test_per_class=50,
    as_images=False,
    random_state=0,
):
    """Load a long-tailed training set and a balanced test set of the digits.

    scikit-learn's :func:`~sklearn.datasets.load_digits` (1,797 8x8 grey images,
    174 to 183 per class) is split as the long-tailed literature splits CIFAR:

    1. a balanced test set of ``test_per_class`` images of every class is drawn
       (default 50 per class, 500 images);
    2. the remaining images form the training pool, from which
       :func:`make_long_tailed` draws the long-tailed training set with
       ``n_max`` = the smallest pool class (124 with the defaults), digit 0 as the
       head and digit 9 as the tail.

    With the defaults (``imbalance_ratio=100``, exponential profile,
    ``test_per_class=50``) the training counts of digits 0 to 9 are
    124, 74, 44, 26, 16, 9, 5, 3, 2, 1 (304 images); with ``profile="step"`` they
    are 124 for digits 0-4 and 1 for digits 5-9 (625 images). At
    ``imbalance_ratio=50``: 124, 80, 51, 33, 21, 14, 9, 5, 3, 2 (342 images); at
    ``imbalance_ratio=10``: 124, 96, 74, 57, 44, 34, 26, 20, 16, 12 (503 images).
    The test set has 500 images (50 per digit).

    Parameters
    ----------
    imbalance_ratio : float, default=100
        Ratio between the head and tail class sizes of the training set; >= 1.
        At most 124 with the default ``test_per_class`` (the tail class keeps
        ``floor(124 / imbalance_ratio)`` images and needs at least one).
    profile : {"exponential", "step"}, default="exponential"
        Class-size profile, see :func:`long_tailed_counts`.
    test_per_class : int, default=50
        Number of test images per class; must leave at least one training image of
        every class (the smallest digit class has 174 images).
    as_images : bool, default=False
        If False, ``X`` is a 2-D table of shape ``(n, 64)``; if True, images of
        shape ``(n, 1, 8, 8)`` (channels first, as PyTorch convolutions expect).
    random_state : int, numpy Generator, RandomState or None, default=0
        Seed of both the test split and the long-tailed draw.

    Returns
    -------
    X_train : ndarray of float32, shape (n_train, 64) or (n_train, 1, 8, 8)
        Long-tailed training images, pixel values scaled to [0, 1] (divided by 16).
    y_train : ndarray of int64, shape (n_train,)
        Training labels (digits 0-9).
    X_test : ndarray of float32, shape (10 * test_per_class, 64) or (..., 1, 8, 8)
        Balanced test images, scaled like ``X_train``.
    y_test : ndarray of int64, shape (10 * test_per_class,)
        Test labels.

    See Also
    --------
    make_long_tailed : The long-tailed draw applied to the training pool.
    load_cifar10_lt : The same protocol on CIFAR-10.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_imbalance_dl.datasets import load_digits_lt
    >>> X_train, y_train, X_test, y_test = load_digits_lt(imbalance_ratio=100)
    >>> X_train.shape, X_test.shape
    ((304, 64), (500, 64))
    >>> np.bincount(y_train).tolist()
    [124, 74, 44, 26, 16, 9, 5, 3, 2, 1]
    >>> np.bincount(y_test).tolist()
    [50, 50, 50, 50, 50, 50, 50, 50, 50, 50]
    """
    test_per_class = int(test_per_class)

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    labels, counts = np.unique(y, return_counts=True)
    if test_per_class >= counts.min():
        raise ValueError(
            "The 'test_per_class' parameter of load_digits_lt must be smaller than the "
            f"smallest digit class ({counts.min()} images) so that every class keeps "
            f"training images. Got {test_per_class} instead."
        )
    # make_long_tailed's n_max, checked here so that the advice names these parameters.
    n_max = int(counts.min()) - test_per_class
    if _tail_size(n_max, imbalance_ratio) < 1:
        advice = [f"imbalance_ratio <= {n_max}"]
        largest_test = int(counts.min()) - math.ceil(imbalance_ratio)
        if largest_test >= 1:
            advice.append(f"test_per_class <= {largest_test}")
        images = "image" if n_max == 1 else "images"
        raise ValueError(
            f"With test_per_class={test_per_class} the smallest digit class keeps "
            f"{n_max} training {images}, so imbalance_ratio={imbalance_ratio!r} leaves the "
            f"tail class with 0 samples (floor({n_max} / {imbalance_ratio!r}) = 0). Use "
            f"{' or '.join(advice)}."
        )

    rng = _as_generator(random_state)
    test_idx = np.sort(
        np.concatenate(
            [
                rng.choice(np.flatnonzero(y == label), size=test_per_class, replace=False)
                for label in labels
            ]
        )
    )
    pool_mask = np.ones(y.shape[0], dtype=bool)
    pool_mask[test_idx] = False
    pool_idx = np.flatnonzero(pool_mask)

    X_train, y_train = make_long_tailed(
        X[pool_idx], y[pool_idx], imbalance_ratio, profile, random_state=rng
    )
    X_test, y_test = X[test_idx], y[test_idx]
    if as_images:
        X_train = X_train.reshape(-1, 1, 8, 8)
        X_test = X_test.reshape(-1, 1, 8, 8)
    return X_train, y_train, X_test, y_test
