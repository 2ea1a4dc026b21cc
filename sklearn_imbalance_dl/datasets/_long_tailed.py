"""Long-tailed subsets of a balanced data set (see the documentation's methods page)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import _safe_indexing
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples
from torch.utils.data import Dataset, Subset

from .._validation import (
    Interval,
    StrOptions,
    check_label_types,
    check_no_missing_labels,
    check_object_labels,
    validate_params,
)

# Added before flooring so that an exact product such as 5000 * 100 ** -1 = 50.0 that
# lands a hair below the integer in floating point is not floored to 49.
_FLOOR_EPS = 1e-9

# scikit-learn constraints shared by the public functions of this subpackage.
_IMBALANCE_RATIO = [Interval(Real, 1, None, closed="left")]
_PROFILE = [StrOptions({"exponential", "step"})]
_RANDOM_STATE = ["random_state", np.random.Generator]


def _tail_size(n_max, imbalance_ratio):
    """Samples the tail class keeps under either profile: ``floor(n_max / imbalance_ratio)``."""
    return int(np.floor(n_max / float(imbalance_ratio) + _FLOOR_EPS))


def _as_generator(random_state):
    """Turn a (validated) ``random_state`` into a :class:`numpy.random.Generator`.

    A legacy ``RandomState`` seeds a new generator from its stream, so scikit-learn style
    ``check_random_state`` objects also work.
    """
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(random_state)


@validate_params(
    {
        "n_max": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "imbalance_ratio": _IMBALANCE_RATIO,
        "profile": _PROFILE,
    },
    prefer_skip_nested_validation=True,
)
def long_tailed_counts(n_max, n_classes, imbalance_ratio=100, profile="exponential"):
    """Per-class sample counts of a long-tailed profile, head class first.

    Parameters
    ----------
    n_max : int
        Size of the head (largest) class.
    n_classes : int
        Number of classes ``C`` (at least 2).
    imbalance_ratio : float, default=100
        Ratio ``rho = n_max / n_min`` between the head and the tail class; must be
        >= 1 (1 gives a balanced set).
    profile : {"exponential", "step"}, default="exponential"
        - ``"exponential"``: ``n_c = floor(n_max * rho ** (-c / (C - 1)))`` for
          ``c = 0, ..., C - 1`` (Cui et al. 2019; Cao et al. 2019).
        - ``"step"``: the first ``C // 2`` classes keep ``n_max``, the others get
          ``floor(n_max / rho)`` (Buda et al. 2018).

    Returns
    -------
    counts : ndarray of shape (n_classes,), dtype int64
        Number of samples of each class, in head-to-tail order.

    Raises
    ------
    ValueError
        If a parameter is out of range, or if the tail class would get no sample
        (``n_max`` too small for ``imbalance_ratio``).

    References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma, "Learning Imbalanced
       Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019.
    .. [2] Y. Cui, M. Jia, T.-Y. Lin, Y. Song, S. Belongie, "Class-Balanced Loss
       Based on Effective Number of Samples", CVPR 2019.

    Examples
    --------
    The CIFAR-10-LT training set of LDAM-DRW (5,000 images per class, rho = 100):

    >>> from sklearn_imbalance_dl.datasets import long_tailed_counts
    >>> counts = long_tailed_counts(5000, 10, imbalance_ratio=100)
    >>> counts.tolist()
    [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    >>> int(counts.sum())
    12406
    >>> long_tailed_counts(100, 4, imbalance_ratio=10, profile="step").tolist()
    [100, 100, 10, 10]
    """
    n_max, n_classes, ratio = int(n_max), int(n_classes), float(imbalance_ratio)
    if profile == "exponential":
        exponents = -np.arange(n_classes) / (n_classes - 1)
        raw = n_max * ratio**exponents
    else:  # step
        raw = np.full(n_classes, n_max / ratio)
        raw[: n_classes // 2] = n_max
    counts = np.floor(raw + _FLOOR_EPS).astype(np.int64)
    counts[0] = n_max  # the head class is exactly n_max by definition
    if counts.min() < 1:
        raise ValueError(
            f"With n_max={n_max} and imbalance_ratio={imbalance_ratio!r} the "
            f"{profile} profile leaves the tail class with 0 samples "
            f"(floor({n_max} / {imbalance_ratio!r}) = 0). Use n_max >= imbalance_ratio "
            "or a smaller imbalance_ratio."
        )
    return counts


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "imbalance_ratio": _IMBALANCE_RATIO,
        "profile": _PROFILE,
        "class_order": ["array-like", None],
        "n_max": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": _RANDOM_STATE,
        "return_indices": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_long_tailed(
    X,
    y,
    imbalance_ratio=100,
    profile="exponential",
    *,
    class_order=None,
    n_max=None,
    random_state=0,
    return_indices=False,
):
    """Draw a long-tailed subset of a (roughly balanced) data set.

    Classes are ranked head first; class ``c`` (``c = 0`` is the head) keeps
    ``long_tailed_counts(n_max, C, imbalance_ratio, profile)[c]`` samples, drawn
    without replacement by a seeded random generator. This is the standard recipe
    that builds CIFAR-10-LT / CIFAR-100-LT from the balanced CIFAR sets.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...), pandas DataFrame or torch Dataset
        Samples. Any number of dimensions (tables, ``(N, C, H, W)`` images); indexed
        along the first axis (``.iloc`` for pandas; a torch Dataset gives a
        ``torch.utils.data.Subset`` of its items, which are not read).
    y : array-like of shape (n_samples,) or pandas Series
        Class labels of any type.
    imbalance_ratio : float, default=100
        Ratio ``rho`` between the head and the tail class sizes; must be >= 1.
    profile : {"exponential", "step"}, default="exponential"
        Shape of the class-size profile, see :func:`long_tailed_counts`.
    class_order : array-like of labels, default=None
        Head-to-tail order of the classes: ``class_order[0]`` keeps ``n_max``
        samples, ``class_order[-1]`` is the tail. It must contain every label of
        ``y`` exactly once. ``None`` uses the sorted unique labels (so for CIFAR-10,
        class 0 "airplane" is the head and class 9 "truck" the tail, as in LDAM-DRW).
    n_max : int, default=None
        Size of the head class. ``None`` uses the size of the smallest class in
        ``y``, so that every class can supply its quota: for CIFAR-10 (5,000 images
        per class) this gives the LDAM-DRW counts 5000, 2997, ..., 50 at ``rho = 100``.
    random_state : int, numpy Generator, RandomState or None, default=0
        Seed of the per-class draws (``numpy.random.default_rng(random_state)``).
        The same seed gives the same subset.
    return_indices : bool, default=False
        Also return the selected row positions.

    Returns
    -------
    X_lt : same type as X, or a Subset of a torch Dataset
        The long-tailed subset, rows in their original order (pandas keeps its
        index).
    y_lt : same type as y
        Its labels.
    indices : ndarray of shape (n_selected,), dtype int64
        Positions of the selected rows in ``X`` (sorted). Only with
        ``return_indices=True``.

    Raises
    ------
    ValueError
        For a ratio below 1, an unknown profile, ``X``/``y`` length mismatch, fewer
        than 2 classes, a ``class_order`` that does not match the labels, or a class
        with fewer samples than its quota.

    See Also
    --------
    long_tailed_counts : The per-class counts alone.
    load_digits_lt : A long-tailed version of scikit-learn's digits.
    load_cifar10_lt : CIFAR-10-LT from the standard CIFAR-10 files.

    References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma, "Learning Imbalanced
       Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_imbalance_dl.datasets import make_long_tailed
    >>> X = np.arange(400).reshape(200, 2)
    >>> y = np.repeat([0, 1, 2, 3], 50)
    >>> X_lt, y_lt = make_long_tailed(X, y, imbalance_ratio=10)
    >>> np.bincount(y_lt).tolist()
    [50, 23, 10, 5]
    >>> X_lt, y_lt = make_long_tailed(X, y, imbalance_ratio=10, class_order=[3, 2, 1, 0])
    >>> np.bincount(y_lt).tolist()
    [5, 10, 23, 50]
    """
    y_arr = np.asarray(y)
    if y_arr.ndim != 1:
        raise ValueError(
            f"y must be a 1-D array of class labels; got an array of shape {y_arr.shape}."
        )
    n_samples = _num_samples(X)
    if n_samples != y_arr.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples}, "
            f"y has {y_arr.shape[0]}."
        )

    check_no_missing_labels(y_arr)
    check_label_types(y_arr)
    check_object_labels(y_arr)
    check_classification_targets(y_arr)  # a continuous y names itself
    labels, codes, available = np.unique(y_arr, return_inverse=True, return_counts=True)
    if labels.shape[0] < 2:
        raise ValueError(
            f"make_long_tailed needs at least 2 classes in y; got {labels.shape[0]} "
            f"({labels.tolist()})."
        )
    count_of = dict(zip(labels.tolist(), available.tolist(), strict=True))
    # Rows are found by their label's position in labels: tolist() gives a datetime64[ns]
    # label as an int, which no element of y equals.
    code_of = {label: code for code, label in enumerate(labels.tolist())}

    if class_order is None:
        order = labels
    else:
        order = np.asarray(class_order)
        if isinstance(class_order, (set, frozenset)) or order.ndim != 1:
            got = (
                f"a {type(class_order).__name__}, which has no order"
                if isinstance(class_order, (set, frozenset))
                else f"an array of shape {order.shape}"
            )
            raise ValueError(
                "class_order must be a 1-D sequence (list, tuple or array) of the labels "
                f"of y in head-to-tail order; got {got}: {class_order!r}."
            )
        order_list = order.tolist()
        if (
            len(order_list) != len(labels)
            or len(set(order_list)) != len(order_list)
            or set(order_list) != set(count_of)
        ):
            raise ValueError(
                "class_order must list every class label of y exactly once. "
                f"The labels of y are {labels.tolist()}; got class_order="
                f"{np.asarray(class_order).tolist()}."
            )

    if n_max is None:
        n_max = int(available.min())
        # Checked here, so that the advice fits an n_max that is the smallest class.
        if _tail_size(n_max, imbalance_ratio) < 1:
            raise ValueError(
                f"The smallest class of y has {n_max} samples, the head class's count "
                f"(n_max) at most, so imbalance_ratio={imbalance_ratio!r} leaves the tail "
                f"class with 0; use imbalance_ratio <= {n_max}."
            )
    n_max = int(n_max)
    quotas = long_tailed_counts(n_max, labels.shape[0], imbalance_ratio, profile)

    for label, quota in zip(order.tolist(), quotas.tolist(), strict=True):
        if count_of[label] < quota:
            raise ValueError(
                f"Class {label!r} has only {count_of[label]} samples, but the {profile} "
                f"profile with n_max={n_max} and imbalance_ratio={imbalance_ratio!r} "
                f"needs {quota} of it. Lower n_max or change class_order."
            )

    rng = _as_generator(random_state)
    chosen = []
    for label, quota in zip(order.tolist(), quotas.tolist(), strict=True):
        members = np.flatnonzero(codes == code_of[label])
        chosen.append(rng.choice(members, size=quota, replace=False))
    indices = np.sort(np.concatenate(chosen)).astype(np.int64)

    # A torch Dataset is a sequence of items to sklearn's indexing, which would read
    # them all into a list.
    X_lt = Subset(X, indices.tolist()) if isinstance(X, Dataset) else _safe_indexing(X, indices)
    y_lt = _safe_indexing(y, indices)
    if return_indices:
        return X_lt, y_lt, indices
    return X_lt, y_lt
