"""The validation split held out of a fit, the rows' weights of each part, and the
training data on the device.
"""

import math

import numpy as np
import torch
from sklearn.model_selection import StratifiedShuffleSplit
from torch.utils.data import Dataset

from .._data import LabelledDataset, to_device_dataset, weights_are_uniform
from .._validation import first_few


def _relative_weights(sample_weight):
    """``sample_weight`` relative to its mean, in float32; all zeros stay zeros.

    A weight of 2 then counts a row twice, in every batch (normalised within each batch
    instead, a batch of one would cancel its weight). Scaled by the largest first, so
    that the mean of huge weights does not overflow.
    """
    if not sample_weight.any():  # a held-out part whose rows all weigh 0
        return sample_weight.astype(np.float32)
    scaled = sample_weight / sample_weight.max()
    relative = (scaled / scaled.mean()).astype(np.float32)
    lost = (sample_weight > 0) & ~(relative > 0)
    if lost.any() or not np.isfinite(relative).all():
        positive = sample_weight[sample_weight > 0]
        raise ValueError(
            f"sample_weight spans {positive.min():.3g} to {positive.max():.3g}, too wide a "
            "range for training in float32: relative to their mean, the smallest weights "
            "would count as 0. Clip or rescale them (e.g. to within a factor of 1e30)."
        )
    return relative


def _check_every_class_weighs(y, sample_weight, classes, held_out):
    """Refuse a class whose rows of the training part, after ``held_out`` (the
    validation fraction), all weigh 0: it would count as absent, yet be predicted. (The
    estimator leaves out the classes that weigh 0 in all of ``y`` before the split.)"""
    weighted = np.bincount(y, weights=sample_weight, minlength=len(classes))
    zero_weight = classes[(weighted == 0) & (np.bincount(y, minlength=len(classes)) > 0)]
    if not zero_weight.size:
        return
    names = first_few(zero_weight)
    raise ValueError(
        f"validation_fraction={held_out} holds out every row of class(es) {names} that "
        "has a non-zero sample_weight, so training would count them as absent: lower "
        "validation_fraction, or leave it None."
    )


def _weighted_class_counts(y, sample_weight, counts):
    """The class counts the loss, the schedule and the mixing balance by: each row counts
    as its weight relative to the mean (a weight of 2 as two copies), so that weights
    which already balance the classes (``compute_sample_weight("balanced", y)``) are not
    balanced again, as scikit-learn's ``compute_class_weight("balanced", ...,
    sample_weight=...)`` does. The counts of rows when every weight is equal."""
    if weights_are_uniform(sample_weight):
        return counts
    weighted = np.bincount(y, weights=sample_weight.astype(np.float64), minlength=len(counts))
    return weighted * (counts.sum() / weighted.sum())


def holdout_split(X, y, sample_weight, fraction, early_stopping, seed, classes):
    """``(train, valid)`` triples ``(X, y, sample_weight)``; ``valid`` None without a fraction.

    ``classes``: the labels ``y`` encodes, named in the messages.
    """
    if fraction is None:
        if early_stopping:
            raise ValueError(
                "early_stopping=True needs a validation set: set validation_fraction, e.g. 0.1."
            )
        return (X, y, sample_weight), None
    counts = np.bincount(y, minlength=len(classes))
    single = classes[counts < 2].tolist()
    if single:
        raise ValueError(
            f"validation_fraction={fraction} needs 2 samples of every class (one to train "
            f"on, one to validate with); class(es) {first_few(single)} "
            "have 1: drop or merge them, or leave validation_fraction None (train on "
            "everything)."
        )
    n_valid = math.ceil(fraction * len(y))  # StratifiedShuffleSplit's count
    if min(n_valid, len(y) - n_valid) < len(classes):
        low = math.ceil(1000 * len(classes) / len(y)) / 1000
        # The split is stratified: the training part keeps a sample of the smallest
        # class only while it keeps about 1 / count of that class's rows.
        high = math.floor(1000 * (1 - max(len(classes) / len(y), 1 / counts.min()))) / 1000
        choice = f"a fraction between {low} and {high}" if low < high else f"{low}"
        raise ValueError(
            f"validation_fraction={fraction} splits the {len(y)} samples into {len(y) - n_valid} "
            f"to train on and {n_valid} to validate with; a stratified split needs at least "
            f"one sample of each of the {len(classes)} classes on each side: choose "
            f"{choice}, or leave it None."
        )
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
    try:
        train_idx, valid_idx = next(splitter.split(X, y))
    except ValueError as exc:
        raise ValueError(
            f"validation_fraction={fraction} cannot hold out a stratified validation set "
            f"from these data: {exc}"
        ) from exc
    train_idx, valid_idx = _hold_out_every_class(y, sample_weight, train_idx, valid_idx, seed)
    return (
        (X[train_idx], y[train_idx], sample_weight[train_idx]),
        (X[valid_idx], y[valid_idx], sample_weight[valid_idx]),
    )


def _hold_out_every_class(y, sample_weight, train_idx, valid_idx, seed):
    """Move one training sample of each class the validation split lacks into it.

    The stratified split rounds a small class's share down (2 samples at a fraction of
    0.1: 0.2 of one): the validation balanced accuracy, which early stopping watches,
    would then leave that class out. It leaves out a class whose held-out rows all
    weigh 0 too (a weight counts a row as that many copies): such a class is given a
    row of non-zero weight where it has two or more. A class keeps at least one
    training sample of non-zero weight (a class of one such row and none of weight 0
    is not validated).
    """
    held_out = np.unique(y[valid_idx])
    weighed = np.unique(y[valid_idx[sample_weight[valid_idx] > 0]])
    rng = np.random.default_rng(seed)
    moved = []
    for c in np.setdiff1d(np.unique(y[train_idx]), weighed):
        rows = train_idx[y[train_idx] == c]
        weighted = sample_weight[rows] > 0
        if weighted.sum() > 1:
            moved.append(rng.choice(rows[weighted]))
        elif c not in held_out and len(rows) > 1 and not weighted.all():
            moved.append(rng.choice(rows[~weighted]))
    if not moved:
        return train_idx, valid_idx
    return train_idx[~np.isin(train_idx, moved)], np.concatenate([valid_idx, moved])


def training_dataset(X, y, sample_weight, device, channels_last=False, input_shape=None):
    """Arrays on the device once (the fast path), or a torch Dataset with its labels.

    ``input_shape``: the shape every item of a Dataset must have (item 0's).
    """
    if isinstance(X, Dataset):  # the normal path: collated and copied batch by batch
        return LabelledDataset(
            X, torch.as_tensor(y), torch.as_tensor(sample_weight), input_shape=input_shape
        )
    dataset = to_device_dataset(X, y, sample_weight, device)
    if channels_last:
        dataset.X = dataset.X.contiguous(memory_format=torch.channels_last)
    return dataset
