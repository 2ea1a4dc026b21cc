"""Per-class and head/tail accuracy metrics for long-tailed classification."""

from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import _check_sample_weight

from .._validation import (
    Interval,
    TupleOf,
    check_label_types,
    check_no_missing_labels,
    check_object_labels,
    first_few,
    label_kinds,
    label_type_names,
    validate_params,
)

__all__ = [
    "minority_recall",
    "per_class_accuracy",
    "rank_split_accuracy",
    "shot_accuracy",
    "shot_groups",
]

_Y = ["array-like"]
_LABELS = ["array-like", None]
_TRAIN_COUNTS = [Mapping, "array-like"]
_THRESHOLD = [Interval(Real, 0, None, closed="left")]


def _check_y(y_true, y_pred):
    """Return ``y_true`` and ``y_pred`` as 1-D arrays of equal, non-zero length."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        if arr.ndim != 1:
            if arr.ndim == 2 and arr.shape[1] == 1:
                continue
            raise ValueError(f"{name} must be a 1-D array of labels; got shape {arr.shape}.")
    y_true, y_pred = y_true.ravel(), y_pred.ravel()
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"y_true and y_pred have different lengths: {y_true.shape[0]} and {y_pred.shape[0]}."
        )
    if y_true.shape[0] == 0:
        raise ValueError("y_true and y_pred are empty; at least one sample is needed.")
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        check_no_missing_labels(arr, name)
    check_label_types(y_true, y_pred, name="y_true and y_pred", verb="mix")
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        check_object_labels(arr, name)
        if type_of_target(arr) == "continuous":
            raise ValueError(
                f"{name} holds continuous values, not class labels: these metrics score "
                "a classifier's predicted labels."
            )
    return y_true, y_pred


def _check_labels(labels, y_true, y_pred):
    if labels is None:
        return unique_labels(y_true, y_pred)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] == 0:
        raise ValueError("labels must be a non-empty 1-D list of class labels.")
    check_no_missing_labels(labels, "labels", then="; give the classes to score.")
    if len(set(labels.tolist())) != labels.shape[0]:
        raise ValueError(f"labels contains duplicates: {labels.tolist()}.")
    # A label of another type than y's (0 for "0") matches no sample: every score of
    # it would be NaN, silently.
    stray = label_kinds(labels) - (label_kinds(y_true) | label_kinds(y_pred))
    if stray:
        raise ValueError(
            f"labels {labels.tolist()} are of type {label_type_names(labels)}, but y_true and "
            f"y_pred hold labels of type {label_type_names(y_true, y_pred)}, so they match no "
            "sample; give the labels as they are in y_true and y_pred."
        )
    return labels


def _counts_mapping(train_counts):
    """``train_counts`` as a dict label -> count if it is a mapping (a pandas Series
    too), else None (an array of counts)."""
    if not (isinstance(train_counts, Mapping) or hasattr(train_counts, "items")):
        return None
    if getattr(train_counts, "ndim", 1) != 1:
        # A DataFrame's items are its columns: its column name would be read as a label.
        raise ValueError(
            f"train_counts must be a dict label -> count, a pandas Series or an array of "
            f"counts; got a {type(train_counts).__name__} of shape {train_counts.shape}. "
            "Give its counts keyed by label, e.g. df.set_index('label')['count']."
        )
    mapping = dict(train_counts.items())
    several = [label for label, count in mapping.items() if np.ndim(count) != 0]
    if several:
        raise ValueError(
            f"train_counts must map each label to one count; got several for the labels "
            f"{first_few(several)}."
        )
    return mapping


def _mapping_labels(mapping):
    """The keys of a ``train_counts`` mapping as an array, checked to be of one type."""
    keys = list(mapping)
    check_label_types(np.asarray(keys, dtype=object), name=f"train_counts ({keys!r})")
    return np.asarray(keys)


def _as_counts(values):
    """``values`` as a float array, checked to be non-negative numbers."""
    try:
        counts = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        counts = None
    if counts is None or np.any(~np.isfinite(counts)) or np.any(counts < 0):
        shown = counts.tolist() if counts is not None else np.asarray(values, dtype=object).tolist()
        raise ValueError(f"train_counts must be non-negative numbers; got {shown}.")
    return counts


def _per_class_accuracy(y_true, y_pred, labels, sample_weight=None):
    weight = np.ones(y_true.shape[0]) if sample_weight is None else sample_weight
    acc = np.full(labels.shape[0], np.nan)
    for i, label in enumerate(labels):
        mask = y_true == label
        total = weight[mask].sum()
        if total > 0:
            acc[i] = weight[mask][y_pred[mask] == label].sum() / total
    return acc


@validate_params(
    {"y_true": _Y, "y_pred": _Y, "labels": _LABELS}, prefer_skip_nested_validation=True
)
def per_class_accuracy(y_true, y_pred, *, labels=None):
    """Accuracy of each class: the fraction of its samples predicted correctly.

    The accuracy of class ``k`` is its recall, ``#{i : y_true_i = k, y_pred_i = k} /
    #{i : y_true_i = k}``. Its mean over classes is the balanced accuracy, the
    "top-1 accuracy on the balanced test set" of the long-tailed literature.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_classes,), default=None
        Classes to report, in this order. ``None`` uses the sorted union of the
        labels in ``y_true`` and ``y_pred``
        (:func:`sklearn.utils.multiclass.unique_labels`).

    Returns
    -------
    accuracy : ndarray of float, shape (n_classes,)
        Accuracy of each class of ``labels``; NaN for a class with no sample in
        ``y_true`` (its accuracy is undefined; scikit-learn's ``recall_score``
        would report 0 with a warning).

    See Also
    --------
    shot_accuracy : Mean accuracy of the many-, medium- and few-shot classes.
    sklearn.metrics.recall_score : With ``average=None``, the same numbers.

    Examples
    --------
    >>> from sklearn_imbalance_dl.metrics import per_class_accuracy
    >>> per_class_accuracy([0, 0, 1, 1, 2], [0, 1, 1, 1, 0]).tolist()
    [0.5, 1.0, 0.0]
    """
    y_true, y_pred = _check_y(y_true, y_pred)
    labels = _check_labels(labels, y_true, y_pred)
    return _per_class_accuracy(y_true, y_pred, labels)


def _check_train_counts(train_counts, labels, y_true, y_pred):
    """Return ``(labels, counts)`` with ``counts`` aligned to ``labels``."""
    mapping = _counts_mapping(train_counts)
    if mapping is not None:
        if labels is None:
            keys = _mapping_labels(mapping)
            extra = sorted(set(unique_labels(y_true, y_pred).tolist()) - set(mapping), key=str)
            if extra:
                raise ValueError(
                    f"train_counts has no entry for the labels {extra} found in y_true or "
                    "y_pred. Give a count for every class."
                )
            labels = np.sort(keys)
        else:
            labels = _check_labels(labels, y_true, y_pred)
            missing = [label for label in labels.tolist() if label not in mapping]
            if missing:
                raise ValueError(f"train_counts has no entry for the labels {missing}.")
        counts = _as_counts([mapping[label] for label in labels.tolist()])
    else:
        given = labels is not None
        labels = _check_labels(labels, y_true, y_pred)
        counts = _as_counts(train_counts)
        if counts.ndim != 1 or counts.shape[0] != labels.shape[0]:
            # Without labels, the classes are those of y_true and y_pred, which an
            # evaluation set need not hold all of.
            source = "labels" if given else "y_true and y_pred (give labels=, e.g. classes_)"
            raise ValueError(
                f"train_counts must be a dict label -> count or an array with one count "
                f"per class of {source}: {labels.shape[0]} classes, {labels.tolist()}; "
                f"got shape {counts.shape}."
            )
    return labels, counts


def _shot_masks(counts, many_threshold, few_threshold):
    """The many/medium/few-shot masks of classes with training ``counts``: the one rule."""
    if few_threshold > many_threshold:
        raise ValueError(
            f"few_threshold ({few_threshold!r}) must not exceed many_threshold "
            f"({many_threshold!r}): few-shot classes have fewer than few_threshold "
            "training samples, many-shot classes more than many_threshold."
        )
    counts = np.asarray(counts, dtype=float)
    return {
        "many": counts > many_threshold,
        "medium": (counts >= few_threshold) & (counts <= many_threshold),
        "few": counts < few_threshold,
    }


@validate_params(
    {
        "train_counts": _TRAIN_COUNTS,
        "many_threshold": _THRESHOLD,
        "few_threshold": _THRESHOLD,
        "labels": _LABELS,
    },
    prefer_skip_nested_validation=True,
)
def shot_groups(train_counts, *, many_threshold=100, few_threshold=20, labels=None):
    """The many-, medium- and few-shot classes, by their number of training samples.

    Many-shot ``n > many_threshold``, medium-shot ``few_threshold <= n <=
    many_threshold``, few-shot ``n < few_threshold`` (Liu et al. 2019 use 100 and 20);
    the groups :func:`shot_accuracy` scores.

    Parameters
    ----------
    train_counts : dict or array-like of shape (n_classes,)
        Training-set size of every class: a mapping label -> count (a pandas Series
        works too), or an array aligned with ``labels``.
    many_threshold : float, default=100
        Classes with more training samples than this are many-shot.
    few_threshold : float, default=20
        Classes with fewer training samples than this are few-shot; at most
        ``many_threshold``.
    labels : array-like of shape (n_classes,), default=None
        The classes of an array ``train_counts``; None: ``0, ..., n_classes - 1``.
        Ignored for a mapping.

    Returns
    -------
    groups : dict
        ``{"many": ndarray, "medium": ndarray, "few": ndarray}``, the labels of each
        group in the order of ``train_counts``.

    Examples
    --------
    >>> from sklearn_imbalance_dl.metrics import shot_groups
    >>> groups = shot_groups([124, 74, 44, 26, 16, 9, 5], many_threshold=50, few_threshold=10)
    >>> {name: members.tolist() for name, members in groups.items()}
    {'many': [0, 1], 'medium': [2, 3, 4], 'few': [5, 6]}
    """
    mapping = _counts_mapping(train_counts)
    if mapping is not None:
        labels, counts = _mapping_labels(mapping), _as_counts(list(mapping.values()))
    else:
        counts = _as_counts(train_counts)
        if labels is not None and np.ndim(labels) != 1:
            raise ValueError(
                f"labels must be a 1-D list of class labels; got shape {np.shape(labels)}."
            )
        if labels is not None:
            given = np.asarray(labels, dtype=object)
            check_no_missing_labels(given, "labels", then="; give the classes of the counts.")
            if len(set(given.tolist())) != len(given):
                raise ValueError(f"labels contains duplicates: {given.tolist()}.")
            check_label_types(given, name=f"labels ({given.tolist()!r})")
        labels = np.arange(counts.shape[0]) if labels is None else np.asarray(labels)
        if counts.ndim != 1 or labels.shape != counts.shape:
            raise ValueError(
                f"train_counts must be a 1-D array with one count per label; got shape "
                f"{counts.shape} for {labels.shape[0]} labels."
            )
    if counts.size == 0:
        raise ValueError("train_counts is empty: give the training count of every class.")
    masks = _shot_masks(counts, many_threshold, few_threshold)
    return {name: labels[mask] for name, mask in masks.items()}


def _group_means(acc, groups):
    out = {}
    for name, mask in groups.items():
        values = acc[mask]
        values = values[~np.isnan(values)]
        out[name] = float(values.mean()) if values.size else float("nan")
    return out


@validate_params(
    {
        "y_true": _Y,
        "y_pred": _Y,
        "train_counts": _TRAIN_COUNTS,
        "many_threshold": _THRESHOLD,
        "few_threshold": _THRESHOLD,
        "labels": _LABELS,
    },
    prefer_skip_nested_validation=True,
)
def shot_accuracy(
    y_true, y_pred, train_counts, *, many_threshold=100, few_threshold=20, labels=None
):
    """Mean per-class accuracy of the many-, medium- and few-shot classes.

    Classes are grouped by their number of *training* samples ``n``:
    many-shot ``n > many_threshold``, medium-shot
    ``few_threshold <= n <= many_threshold``, few-shot ``n < few_threshold``
    (the usual thresholds 100 and 20 of Liu et al. 2019). Each group's score is
    the mean of :func:`per_class_accuracy` over its classes; :func:`shot_groups` lists
    the classes of each group.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels of the evaluation set.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    train_counts : dict or array-like of shape (n_classes,)
        Training-set size of every class: a mapping label -> count (a pandas
        Series works too), or an array aligned with ``labels``.
    many_threshold : float, default=100
        Classes with more training samples than this are many-shot.
    few_threshold : float, default=20
        Classes with fewer training samples than this are few-shot. Must not exceed
        ``many_threshold``.
    labels : array-like, default=None
        Classes to score. ``None`` uses the keys of a ``train_counts`` mapping (which
        must then cover every label of ``y_true`` and ``y_pred``), or the sorted
        labels of ``y_true`` and ``y_pred`` for an array ``train_counts``.

    Returns
    -------
    scores : dict
        ``{"many": float, "medium": float, "few": float}``. A group with no class
        (or whose classes have no evaluation sample) is NaN.

    See Also
    --------
    shot_groups : The classes of each group.
    rank_split_accuracy : Groups by rank of training count (the CIFAR-10 rule).

    References
    ----------
    .. [1] Z. Liu, Z. Miao, X. Zhan, J. Wang, B. Gong, S. X. Yu, "Large-Scale
       Long-Tailed Recognition in an Open World", CVPR 2019.

    Examples
    --------
    >>> from sklearn_imbalance_dl.metrics import shot_accuracy
    >>> y_true = [0, 0, 1, 1, 2, 2]
    >>> y_pred = [0, 0, 1, 0, 0, 0]
    >>> shot_accuracy(y_true, y_pred, {0: 500, 1: 50, 2: 5})
    {'many': 1.0, 'medium': 0.5, 'few': 0.0}
    """
    y_true, y_pred = _check_y(y_true, y_pred)
    labels, counts = _check_train_counts(train_counts, labels, y_true, y_pred)
    groups = _shot_masks(counts, many_threshold, few_threshold)
    return _group_means(_per_class_accuracy(y_true, y_pred, labels), groups)


@validate_params(
    {
        "y_true": _Y,
        "y_pred": _Y,
        "train_counts": _TRAIN_COUNTS,
        "splits": [TupleOf(Interval(Integral, 0, None, closed="left"), min_length=2)],
        "labels": _LABELS,
    },
    prefer_skip_nested_validation=True,
)
def rank_split_accuracy(y_true, y_pred, train_counts, *, splits=(3, 7), labels=None):
    """Many/medium/few-shot accuracy with groups cut by rank of training count.

    Classes are sorted by training count, largest first (ties keep the order of
    ``labels``); ranks ``[0, splits[0])`` are many-shot, ``[splits[0], splits[1])``
    medium-shot and ``[splits[1], C)`` few-shot. With the default ``(3, 7)`` this is
    the CIFAR-10-LT convention: classes 0-2, 3-6 and 7-9 of the long-tailed
    training set.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels of the evaluation set.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    train_counts : dict or array-like of shape (n_classes,)
        Training-set size of every class, as in :func:`shot_accuracy`.
    splits : tuple of two ints, default=(3, 7)
        Rank boundaries ``0 <= splits[0] <= splits[1] <= C``.
    labels : array-like, default=None
        Classes to score, as in :func:`shot_accuracy`.

    Returns
    -------
    scores : dict
        ``{"many": float, "medium": float, "few": float}``; NaN for an empty group.

    See Also
    --------
    shot_accuracy : Groups by thresholds on the training count.

    Examples
    --------
    >>> from sklearn_imbalance_dl.metrics import rank_split_accuracy
    >>> y_true = [0, 1, 2, 3]
    >>> y_pred = [0, 1, 2, 0]
    >>> rank_split_accuracy(y_true, y_pred, [100, 50, 20, 5], splits=(1, 3))
    {'many': 1.0, 'medium': 1.0, 'few': 0.0}
    """
    y_true, y_pred = _check_y(y_true, y_pred)
    labels, counts = _check_train_counts(train_counts, labels, y_true, y_pred)
    n_classes = labels.shape[0]
    if len(splits) != 2 or not splits[0] <= splits[1] <= n_classes:
        raise ValueError(
            "splits must be two rank boundaries 0 <= splits[0] <= splits[1] <= n_classes "
            f"({n_classes}); got {tuple(splits)!r}."
        )
    lo, hi = splits
    acc = _per_class_accuracy(y_true, y_pred, labels)
    order = np.argsort(-counts, kind="stable")
    rank = np.empty(n_classes, dtype=int)
    rank[order] = np.arange(n_classes)
    return _group_means(
        acc, {"many": rank < lo, "medium": (rank >= lo) & (rank < hi), "few": rank >= hi}
    )


@validate_params(
    {
        "y_true": _Y,
        "y_pred": _Y,
        "train_counts": [Mapping, "array-like", None],
        "n_minority": [Interval(Integral, 1, None, closed="left")],
        "labels": _LABELS,
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def minority_recall(
    y_true, y_pred, *, train_counts=None, n_minority=1, labels=None, sample_weight=None
):
    """Mean recall of the classes that were rarest in training.

    The minority classes are the ``n_minority`` classes with the fewest training
    samples, together with every class tied with the last of them (a tie is averaged,
    never broken by label order); classes with no training sample are not candidates.
    The score is the mean recall of the minority classes that have samples in
    ``y_true`` (NaN if none has).

    The training counts are ``train_counts``. Without them (a scorer only sees the
    evaluation fold) they are estimated by the class frequencies of ``y_true``, which
    stratified cross-validation folds keep proportional to the training data up to
    the rounding of one sample per class: classes within one sample of the
    ``n_minority``-th fewest count as tied with it (the rounding could not tell them
    apart, and taking the fewer would often pick the class that had more training
    samples). A ``y_true`` whose classes are all that close (the balanced test sets of
    the long-tailed literature) carries no such information, and a ValueError asks for
    ``train_counts``, which give the exact rarest classes.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    train_counts : dict or array-like of shape (n_classes,), default=None
        Training-set size of every class, as in :func:`shot_accuracy`; None: the class
        frequencies of ``y_true``.
    n_minority : int, default=1
        Number of rarest classes (ties included, see above); at most the number of
        candidate classes.
    labels : array-like, default=None
        The classes of ``train_counts``, as in :func:`shot_accuracy`; only with
        ``train_counts``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples of ``y_true`` in the recalls (a weight of k as k
        copies); the rarest classes are still chosen by counts.

    Returns
    -------
    score : float
        Mean recall of the minority classes, in [0, 1].

    Examples
    --------
    >>> from sklearn_imbalance_dl.metrics import minority_recall
    >>> y_true = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2]
    >>> y_pred = [0, 0, 0, 0, 0, 0, 1, 1, 0, 2]
    >>> minority_recall(y_true, y_pred)
    1.0
    >>> round(minority_recall(y_true, y_pred, n_minority=2), 3)
    0.833
    >>> round(minority_recall(y_true, y_pred, train_counts={0: 500, 1: 5, 2: 50}), 3)
    0.667
    """
    y_true, y_pred = _check_y(y_true, y_pred)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, y_true, ensure_non_negative=True)
    if train_counts is None:
        if labels is not None:
            raise ValueError(
                "labels are the classes of train_counts, which were not given: without "
                "them the classes are those of y_true. Pass train_counts, or leave labels out."
            )
        labels, counts = np.unique(y_true, return_counts=True)
    else:
        labels, counts = _check_train_counts(train_counts, labels, y_true, y_pred)
    candidates = counts > 0
    n_candidates = int(candidates.sum())
    if n_minority > n_candidates:
        of = "of y_true" if train_counts is None else "with training samples"
        raise ValueError(f"n_minority={n_minority} exceeds the {n_candidates} classes {of}.")
    fewest = np.sort(counts[candidates])[n_minority - 1]
    # Estimated from y_true: one sample is the rounding of stratified folds.
    margin = 1 if train_counts is None else 0
    minority = candidates & (counts <= fewest + margin)
    if train_counts is None and minority.all() and n_minority < n_candidates:
        raise ValueError(
            "minority_recall cannot tell the rarest classes apart: every class of y_true "
            f"has {counts.min()} to {counts.max()} samples (a balanced test set?). Pass "
            "train_counts, the training-set size of every class."
        )
    recalls = _per_class_accuracy(y_true, y_pred, labels[minority], sample_weight)
    recalls = recalls[~np.isnan(recalls)]
    return float(recalls.mean()) if recalls.size else float("nan")
