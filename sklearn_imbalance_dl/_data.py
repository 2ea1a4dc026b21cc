"""In-memory training data on the device: batches cut by index, samplers, augmentation.

The fast path of the estimator. The whole training set is moved to the device once
per fit; every epoch draws an index order (shuffled, class-balanced, ...) on the
device and cuts batches from it, so a step costs no collation and no host-to-device
copy. Image augmentation (random crop with padding, horizontal flip) runs batched on
the device.
"""

from collections.abc import Mapping

import numpy as np
import torch
from scipy import sparse
from skorch.dataset import Dataset as SkorchDataset
from skorch.helper import SliceDataset
from torch.utils.data import Dataset, IterableDataset, Subset, TensorDataset

from ._arrow_tables import as_pandas
from ._validation import missing_labels, plain_value
from .registry import register


def tensor_to_numpy(value):
    """A torch tensor as a numpy array; anything else as it is.

    numpy reads a tensor itself only when it is on the CPU, needs no gradient and is of a
    type numpy has: a tensor of features computed on the GPU or by a network in
    ``bfloat16`` is read through a copy, in float64 for the float types numpy lacks
    (bfloat16, float8), which it holds exactly.
    """
    if not torch.is_tensor(value):
        return value
    if value.is_floating_point() and value.dtype not in (
        torch.float16,
        torch.float32,
        torch.float64,
    ):
        value = value.double()
    return value.numpy(force=True)


def plain_input(value, name="X"):
    """An input of the estimator (``X``, ``y``, ``sample_weight``) as it reads it: a
    torch tensor as a numpy array (:func:`tensor_to_numpy`), a polars or pyarrow table
    as a pandas DataFrame of the same columns and a polars Series or pyarrow array as a
    numpy array (``as_pandas``); anything else as it is. ``name``: the input's name in
    a refusal (a polars LazyFrame, a dict)."""
    if isinstance(value, Mapping) and not sparse.issparse(value):  # a JSON object
        how = (
            "a DataFrame: pd.DataFrame([row]) for one row given as {column: value}, "
            "pd.DataFrame(columns) for {column: values}"
            if name == "X"
            else "an array of one value per row of X"
        )
        raise TypeError(f"{name} is a {type(value).__name__}; pass {how}.")
    return tensor_to_numpy(as_pandas(value, name))


def weights_are_uniform(sample_weight):
    """Equal sample weights cancel in the weighted mean: batches then carry none."""
    return bool((sample_weight == sample_weight[0]).all())


# Why a user's Dataset can hold what an array cannot, and what to do about it.
DATASET_UNCHECKED_HINT = (
    "A torch Dataset goes to the network as it is, without the checks and the imputation "
    "of missing values that arrays and DataFrames get: impute or drop them in the "
    "Dataset, or pass an array or a DataFrame."
)

# Why an array or sample weights can hold NaN or infinity past the checks.
ASSUME_FINITE_HINT = (
    "sklearn.set_config(assume_finite=True) skips scikit-learn's check that refuses them"
)


class InMemoryDataset(Dataset):
    """Tensors already on the training device: inputs, encoded targets, sample weights."""

    def __init__(self, X, y, sample_weight):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.uniform_weights = weights_are_uniform(sample_weight)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        return self.X[index], self.y[index], self.sample_weight[index]


def check_channel_order(input_shape, reader):
    """Refuse images that look channels-last, (height, width, channels), where a part of
    the fit reads them as (channels, height, width).

    That part, ``reader``, is a module that reads images (``reads_images = True``, as
    ResNet-32), or an augmentation or a mixing that works on images (``needs_images =
    True``, as crop-and-flip or CutMix): an array of (n_samples, 32, 32, 3) images would
    be read as 32 channels of 32x3 pixels. A network that flattens its input (the MLP)
    takes any order alike, and a module of the user's without the attribute takes any
    layout: with neither, nothing is checked.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample.
    reader : str or None
        The parameter that reads images, as the message names it (``"module='auto'"``,
        ``"augment='crop_flip'"``), or None when none does.

    Raises
    ------
    ValueError
        If the samples are 3-D, their last dimension is 1, 3 or 4 (grey, RGB, RGBA),
        they are not square read as (channels, height, width), and either they are
        square read as (height, width, channels), as (4, 4, 3), or their first
        dimension, read as channels, is larger than 4, as (32, 24, 3). Shapes that
        read either way alike, as (3, 3, 3) or (4, 5, 3), are taken as (channels,
        height, width).
    """
    if reader is None or len(input_shape) != 3:
        return
    channels, height, width = input_shape
    # Images are mostly square: a square reading settles which end the channels are.
    square_first = height == width != channels
    square_last = channels == height != width
    if width in (1, 3, 4) and not square_first and (square_last or channels > 4):
        raise ValueError(
            f"X has images of shape {tuple(input_shape)}, read as (channels, height, width): "
            f"{channels} channels of {height}x{width} pixels. That looks like (height, width, "
            f"channels) order, but {reader} takes (n_samples, channels, height, width): "
            "pass X.transpose(0, 3, 1, 2), or X.permute(0, 3, 1, 2) for a torch tensor. (A "
            "torch Dataset: permute its items in __getitem__. A module of your own takes "
            "any layout.)"
        )


# Values read for whether an array holds whole numbers: evenly spaced through it, so
# that a large image set is not copied for the check.
_WHOLE_CHECK_VALUES = 100_000


def value_scale(X):
    """``(low, high, whole)`` of an array of samples (images): the range of its values,
    and whether they are whole numbers, as pixel values in uint8 are (read on evenly
    spaced values)."""
    at = np.linspace(0, X.size - 1, min(X.size, _WHOLE_CHECK_VALUES)).astype(np.intp)
    values = X.flat[at]
    return float(X.min()), float(X.max()), bool((values == np.round(values)).all())


def check_value_scale(X, fitted):
    """Refuse images on another scale than those ``fit`` saw (``fitted``, their
    :func:`value_scale`).

    The network reads the values as they are, in ``fit`` and in ``predict`` alike; a
    model fitted on pixels in [0, 1] given uint8 pixels in [0, 255], or the reverse,
    predicts garbage without an error. Two signs of it are refused: values more than
    ten times as large as any fit saw, and fractional values within [-1, 1] where fit
    saw whole values beyond them and more than ten times as large (uint8 pixels; whole
    values of a smaller range, counts or binary masks, say, may be given fractions).
    Only the images of a built-in module are compared (``fit`` records no scale
    otherwise): a table's values, or a module of one's own's sequences, may rightly
    leave the training range.
    """
    if fitted is None or X.ndim < 3 or X.size == 0:
        return
    low, high, whole = fitted
    got_low, got_high, got_whole = value_scale(X)
    largest, got_largest = max(-low, high), max(-got_low, got_high)
    seen = f"this model was fitted on images with values in [{low:.4g}, {high:.4g}]"
    if largest > 0 and got_largest > 10 * largest:
        raise ValueError(
            f"X holds values in [{got_low:.4g}, {got_high:.4g}], but {seen}: more than ten "
            "times as large, they look like images on another scale (uint8 pixels in "
            "[0, 255], say, given to a model fitted on pixels in [0, 1]). Pass the images "
            "scaled as the training images were (e.g. X / 255, and standardised if those "
            "were)."
        )
    # Whole values within [-1, 1] (binary masks) are not uint8 pixels, whatever the
    # fractions given them.
    if whole and not got_whole and got_largest <= 1 and largest > max(1, 10 * got_largest):
        raise ValueError(
            f"X holds fractional values in [{got_low:.4g}, {got_high:.4g}], but {seen}, "
            "all whole numbers (as uint8 pixels are): they look like pixels scaled to "
            "[0, 1] given to a model fitted on unscaled ones. Pass the images on the scale "
            "of the training images (uint8 pixels as they are, not divided by 255)."
        )


def to_device_dataset(X, y, sample_weight, device):
    """Move numpy arrays to ``device`` once and wrap them."""
    return InMemoryDataset(
        torch.as_tensor(np.ascontiguousarray(X), dtype=torch.float32).to(device),
        torch.as_tensor(y, dtype=torch.int64).to(device),
        torch.as_tensor(sample_weight, dtype=torch.float32).to(device),
    )


def batch_bounds(n, batch_size):
    """``(start, end)`` of each batch; a trailing batch of one sample joins the previous.

    Batch normalisation cannot train on a single sample.
    """
    starts = list(range(0, n, batch_size))
    if len(starts) > 1 and n - starts[-1] == 1:
        starts.pop()
    return list(zip(starts, starts[1:] + [n]))


class FixedOrder:
    """A sampler of :class:`DeviceBatchIterator` that gives the same order of the rows
    (an int64 tensor on the data's device) at every pass."""

    def __init__(self, order):
        self.order = order

    def indices(self):
        return self.order


class DeviceBatchIterator:
    """Iterable over ``(X, y, sample_weight)`` batches of an :class:`InMemoryDataset`.

    With a ``sampler`` the order is drawn each epoch; without one the data are cut in
    order (validation, diagnostics). ``sample_weight`` is None when all weights are
    equal.
    """

    def __init__(self, dataset, batch_size, *, sampler=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.sampler = sampler

    def __len__(self):
        return len(batch_bounds(len(self.dataset), self.batch_size))

    def __iter__(self):
        data = self.dataset
        order = None if self.sampler is None else self.sampler.indices()
        n = len(data) if order is None else len(order)
        weights = None if data.uniform_weights else data.sample_weight
        for start, end in batch_bounds(n, self.batch_size):
            if order is None:
                index = slice(start, end)
            else:
                index = order[start:end]
            yield data.X[index], data.y[index], None if weights is None else weights[index]


class SlicedValues(Dataset):
    """skorch's ``SliceDataset`` as a torch Dataset of the values it slices.

    scikit-learn's splitters (``GridSearchCV``, ``cross_validate``) index a
    ``SliceDataset`` into another one, without reading its items, where they would turn
    a torch Dataset into a list of all of them. Each item here is what the
    ``SliceDataset`` gives for that row: element ``idx`` of the dataset's item, through
    its ``transform``, in a 1-tuple ``(input,)``, so that a value that is itself a list
    (a row of features) is read as the input, not as an item ``(input, ...)``.
    """

    def __init__(self, sliced):
        self.sliced = sliced

    def __len__(self):
        return len(self.sliced)

    def __getitem__(self, index):
        return (self.sliced[int(index)],)


def unslice(X):
    """``X``, or a skorch ``SliceDataset`` as the torch Dataset of its values."""
    return SlicedValues(X) if isinstance(X, SliceDataset) else X


def check_map_style(X):
    """Refuse an ``IterableDataset``: the estimator reads a Dataset's items by index."""
    if isinstance(X, IterableDataset):
        raise ValueError(
            f"X is a {type(X).__name__}, an IterableDataset, whose items can only be "
            "iterated over; the estimator reads a Dataset's items by index (it counts them "
            "against y, draws its batches by index and reads item 0 for the input shape). "
            "Pass a map-style Dataset, with __len__ and __getitem__, or arrays."
        )


def item_input(item, index, input_shape=None):
    """The input of item ``index`` of a user's Dataset, as a float32 tensor.

    The item itself, or its first element when it is a tuple or a list ``(input,
    ...)``. It must be array-like with at least one dimension and, once
    ``input_shape`` is known (the shape of item 0), of that shape: a batch stacks
    its items.
    """
    x = item[0] if isinstance(item, (tuple, list)) else item
    if type(x).__module__.startswith("PIL."):
        raise ValueError(
            f"Item {index} of the Dataset X is a PIL image, which the network cannot read: "
            "give the Dataset a transform that ends in a tensor (torchvision's "
            "transforms.ToTensor() gives (channels, height, width) floats in [0, 1])."
        )
    if isinstance(x, np.ndarray):
        x = _wrappable(x)
    try:
        x = torch.as_tensor(x)
    except (TypeError, ValueError, RuntimeError):
        what = f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray) else None
        raise ValueError(
            f"Item {index} of the Dataset X is {what or 'a ' + type(x).__name__}, which the "
            "network cannot read: __getitem__ must return the input as a tensor or an array "
            "of numbers, or a tuple (input, ...)."
        ) from None
    if x.is_complex():
        raise ValueError(
            f"Item {index} of the Dataset X holds complex numbers ({x.dtype}), which the "
            "network cannot take, as an array X of them is refused: return their real "
            "part, their magnitude, or both as channels, from __getitem__."
        )
    if x.ndim == 0:
        raise ValueError(
            f"Item {index} of the Dataset X is a scalar; the network reads inputs of at "
            "least one dimension (n_features,) or (channels, height, width)."
        )
    if input_shape is not None and tuple(x.shape) != tuple(input_shape):
        raise ValueError(
            f"Item {index} of the Dataset X has shape {tuple(x.shape)}, but item 0 has "
            f"{tuple(input_shape)}: the network takes inputs of one shape (resize or crop "
            "them in the Dataset)."
        )
    return x.to(torch.float32)


def _wrappable(x):
    """A numpy item as torch wraps it, read as an array X is.

    A copy where torch cannot wrap the array itself or warns that it does: a flipped
    view (np.flip, x[:, ::-1]), non-native byte order (FITS images, '>f4'), read-only
    memory (np.load(..., mmap_mode="r")); numbers held in an object array as float64.
    """
    if x.dtype == object:
        try:
            return x.astype(np.float64)
        except (TypeError, ValueError):
            return x  # refused by the caller, naming the dtype
    if any(stride < 0 for stride in x.strides) or not x.flags.writeable:
        x = x.copy()
    if not x.dtype.isnative:
        x = x.astype(x.dtype.newbyteorder("="))
    return x


def dataset_labels(dataset):
    """The labels a user's Dataset holds beside its inputs, and where, as ``(labels,
    where)``; ``(None, None)`` when it holds none that can be read without reading its
    items (which may be image files): a skorch ``Dataset``'s ``y``, a
    ``TensorDataset``'s second tensor, those of the dataset under a ``Subset`` or a
    skorch ``SliceDataset`` of the inputs (``idx=0``). Only one
    label per item is taken (not one-hot or multi-output targets)."""
    if isinstance(dataset, Subset):
        labels, where = dataset_labels(dataset.dataset)
        if labels is None:
            return None, None
        return labels[np.asarray(dataset.indices, dtype=np.intp)], f"{where} under the Subset"
    if isinstance(dataset, SlicedValues):
        sliced = dataset.sliced
        # Only where the inputs are the items' first elements, beside those labels.
        labels, where = dataset_labels(sliced.dataset) if sliced.idx == 0 else (None, None)
        if labels is None:
            return None, None
        return labels[np.asarray(sliced.indices_, dtype=np.intp)], f"{where} under the SliceDataset"
    if isinstance(dataset, SkorchDataset):
        labels, where = dataset.y, "the skorch Dataset's y"
    elif isinstance(dataset, TensorDataset) and len(dataset.tensors) > 1:
        labels, where = dataset.tensors[1], "the TensorDataset's second tensor"
    else:
        return None, None
    if labels is None:
        return None, None
    if torch.is_tensor(labels) and labels.is_floating_point():
        labels = labels.double()  # float64 holds every float type exactly
    labels = np.asarray(tensor_to_numpy(labels))
    if labels.ndim != 1 or len(labels) != len(dataset):
        return None, None
    return labels, where


def check_dataset_labels(dataset, y):
    """Refuse a ``y`` that is out of order with the labels a Dataset holds
    (:func:`dataset_labels`).

    The estimator trains on ``y``. It is taken where one labelling is a function of the
    other: the same classes under other names (class names for codes), coarser classes
    (``y`` merging some of the Dataset's) or finer ones. A ``y`` in another order than
    the items splits classes both ways. Items whose Dataset label is missing (NaN,
    None) are not compared.
    """
    labels, where = dataset_labels(dataset)
    if labels is None:
        return
    import pandas as pd

    labelled = np.flatnonzero(~missing_labels(labels))  # the items compared
    if not len(labelled):
        return
    # Codes in order of first appearance; one labelling is a function of the other when
    # the distinct (theirs, ours) pairs are as many as the classes of either.
    theirs, ours = pd.factorize(labels[labelled])[0], pd.factorize(y[labelled])[0]
    n_pairs = np.unique(np.stack([theirs, ours]), axis=1).shape[1]
    if n_pairs in (theirs.max() + 1, ours.max() + 1):
        return
    # The first item whose Dataset label came earlier with another label in y.
    first = np.unique(theirs, return_index=True)[1]  # first compared item of each code
    at = np.flatnonzero(ours != ours[first[theirs]])[0]
    i, j = labelled[at], labelled[first[theirs[at]]]
    raise ValueError(
        f"y and the labels the Dataset X holds ({where}) disagree: items {j} and {i} have "
        f"the same label in the Dataset ({plain_value(labels[i])!r}) but not in y "
        f"({plain_value(y[j])!r} and {plain_value(y[i])!r}), and other items the same label "
        "in y but not in the Dataset. The estimator trains on y and counts its classes from "
        "it: give y in the order of the Dataset's items, or, to train on labels unrelated to "
        "the Dataset's, a Dataset of the inputs only (e.g. TensorDataset(X))."
    )


class DatasetInputs(Dataset):
    """The inputs of a user's Dataset for prediction, each as :func:`item_input` gives it."""

    def __init__(self, dataset, input_shape):
        self.dataset = dataset
        self.input_shape = input_shape

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        return item_input(self.dataset[index], index, self.input_shape)


class LabelledDataset(Dataset):
    """A user's ``torch.utils.data.Dataset`` with the estimator's encoded labels and weights.

    Item i is ``(dataset[i][0], y[i], sample_weight[i])`` (without the weight when all
    weights are equal, as on the fast path): the inputs come from the
    user's dataset (loaded lazily, e.g. image files), the targets from the ``y`` given to
    ``fit``. This is the normal path: batches are collated by a ``DataLoader`` and copied
    to the device one by one.
    """

    def __init__(self, dataset, y, sample_weight, input_shape=None):
        self.dataset = dataset
        self.y = y
        self.sample_weight = sample_weight
        self.uniform_weights = weights_are_uniform(sample_weight)
        self.input_shape = input_shape

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        x = item_input(self.dataset[index], index, self.input_shape)
        if not torch.isfinite(x).all():
            raise ValueError(
                f"Item {index} of the Dataset holds NaN or infinity, which the network "
                f"cannot train on. {DATASET_UNCHECKED_HINT}"
            )
        if self.uniform_weights:
            return x, self.y[index]
        return x, self.y[index], self.sample_weight[index]


class EpochBatchSampler(torch.utils.data.Sampler):
    """Batches of indices for a ``DataLoader``, drawn as the fast path draws them.

    The same :class:`IndexSampler` and :func:`batch_bounds`, so for the same seed the
    normal path sees the very batches the fast path sees.
    """

    def __init__(self, index_sampler, batch_size):
        self.index_sampler = index_sampler
        self.batch_size = batch_size

    def __len__(self):
        return len(batch_bounds(len(self.index_sampler.y), self.batch_size))

    def __iter__(self):
        order = self.index_sampler.indices().cpu()
        for start, end in batch_bounds(len(order), self.batch_size):
            yield order[start:end].tolist()


def random_crop_flip(images, padding=4):
    """Random crop with zero padding and random horizontal flip, batched on the device.

    Every image gets its own offsets and flip, as torchvision's ``RandomCrop(32,
    padding=4)`` + ``RandomHorizontalFlip()`` do per sample, but in three tensor ops.
    Pixels are padded with 0, which is the mean colour once inputs are standardised.
    Each side is padded by ``padding`` pixels, or by an eighth of the side where that
    is less (the CIFAR recipe's 4 of 32): 2 on 16-pixel sides, 1 on 8, none under 8
    (flips only), so that small images are shifted, not replaced by padding.
    """
    if images.ndim != 4:
        raise ValueError(
            "augment='crop_flip' needs images of shape (n_samples, channels, height, "
            f"width); got a batch of shape {tuple(images.shape)}."
        )
    n, _, h, w = images.shape
    device = images.device
    pad_h, pad_w = min(padding, h // 8), min(padding, w // 8)
    padded = torch.nn.functional.pad(images, (pad_w, pad_w, pad_h, pad_h))
    top = torch.randint(0, 2 * pad_h + 1, (n, 1), device=device)
    left = torch.randint(0, 2 * pad_w + 1, (n, 1), device=device)
    rows = top + torch.arange(h, device=device)  # (n, h)
    cols = left + torch.arange(w, device=device)  # (n, w)
    flip = torch.rand(n, device=device) < 0.5
    cols = torch.where(flip[:, None], cols.flip(1), cols)
    batch = torch.arange(n, device=device)[:, None, None]
    # Advanced indexing puts the indexed dims first: (n, h, w, channels).
    cropped = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]]
    return cropped.permute(0, 3, 1, 2).contiguous(memory_format=memory_format(images))


random_crop_flip.needs_images = True
register("augmentation", "crop_flip")(random_crop_flip)


def memory_format(tensor):
    """The memory format of an image batch, to keep it in what a transformation returns:
    channels-last where it is that and not also the default layout (one channel)."""
    if tensor.is_contiguous(memory_format=torch.channels_last) and not tensor.is_contiguous():
        return torch.channels_last
    return torch.contiguous_format
