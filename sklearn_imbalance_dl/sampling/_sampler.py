"""Drawing one epoch's sample order: shuffled, class-balanced, square-root, or imblearn.

One implementation serves two callers:

- the estimator (through :class:`IndexSampler` with ``generator=None``), which draws on
  its training device from torch's seeded global stream, so that a fit is
  reproducible from ``random_state`` alone;
- :class:`ImbalancedSampler`, a ``torch.utils.data.Sampler`` for a hand-written
  PyTorch loop, which draws on the CPU from its own ``torch.Generator``.
"""

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    InvalidParameterError,
)
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, column_or_1d

from .._validation import (
    check_component_params,
    check_label_types,
    check_no_missing_labels,
    listed_labels,
)
from ..registry import lookup, options, register

__all__ = [
    "ImbalancedSampler",
    "IndexSampler",
    "check_class_probabilities",
    "check_index_sampler",
    "encode_sampling_strategy",
]

# Each name's exponent q: a sample of class c is drawn with probability ~ n_c ** -q
# ("instance" shuffles instead of drawing).
register("sampler", "instance")(0.0)
register("sampler", "class_balanced")(1.0)
register("sampler", "sqrt")(0.5)

# imbalanced-learn samplers that choose rows without looking at the features.
_FEATURE_FREE = ("RandomUnderSampler", "RandomOverSampler")


def looks_at_features(sampler):
    """Whether an imbalanced-learn sampler's choice of rows depends on X (all but the
    random ones, which are shown row numbers instead: no copy of the inputs)."""
    return not any(
        cls.__name__ in _FEATURE_FREE and cls.__module__.startswith("imblearn.")
        for cls in type(sampler).__mro__
    )


def _picks_rows(sampler, X, y):
    """``(picks, y_drawn)``: whether ``sampler`` returns rows of ``X`` unchanged and says
    which, and the labels of its draw. Some samplers set ``sample_indices_`` but change
    the rows (RandomOverSampler's smoothed bootstrap, ``shrinkage``), which drawing by
    index would silently undo."""
    probe = clone(sampler)
    if "random_state" in probe.get_params():
        probe.set_params(random_state=0)  # leaves numpy's global stream alone
    X_resampled, y_drawn = probe.fit_resample(X, y)
    if not hasattr(probe, "sample_indices_"):
        return False, y_drawn
    picked = np.asarray(X)[probe.sample_indices_]
    return np.array_equal(np.asarray(X_resampled), picked, equal_nan=True), y_drawn


def encode_sampling_strategy(sampler, classes, *, owner):
    """A clone of ``sampler`` whose ``sampling_strategy`` names the encoded classes.

    Batches are drawn on the labels encoded as ``0 .. n_classes - 1``; a strategy that
    names classes (a dict ``{label: n_samples}``, a list of labels, or a callable of
    the labels returning such a dict) names the user's labels, and is translated.

    Parameters
    ----------
    sampler : imbalanced-learn sampler
        Unfitted; it is cloned, never changed.
    classes : ndarray of shape (n_classes,)
        The labels, in the order of their codes.
    owner : str
        Named in the error message.

    Returns
    -------
    imbalanced-learn sampler
    """
    sampler = clone(sampler)
    strategy = sampler.get_params().get("sampling_strategy")
    if callable(strategy):
        decoded = _DecodedLabels(strategy, classes, type(sampler).__name__, owner)
        return sampler.set_params(sampling_strategy=decoded)
    if not isinstance(strategy, (dict, list, tuple)):
        return sampler  # "auto", "majority", a ratio: no class named
    codes = _codes_of(list(strategy), classes, type(sampler).__name__, owner=owner)
    if isinstance(strategy, dict):
        return sampler.set_params(sampling_strategy=dict(zip(codes, strategy.values())))
    return sampler.set_params(sampling_strategy=codes)


def _codes_of(labels, classes, sampler_name, *, owner, returned_by_callable=False):
    """The codes of the class ``labels`` a ``sampling_strategy`` names; a ValueError
    names the first that is not among ``classes``."""
    code = {label: k for k, label in enumerate(classes.tolist())}
    unknown = [label for label in labels if label not in code]
    if unknown:
        named = "returns" if returned_by_callable else "names"
        called = (
            " It is called with the labels of y, and must return a dict keyed by them."
            if returned_by_callable
            else ""
        )
        raise ValueError(
            f"{owner}: the sampling_strategy of {sampler_name} {named} the class "
            f"{unknown[0]!r}, which is not among the classes sampled: "
            f"{', '.join(map(repr, classes.tolist()[:10]))}"
            f"{', ...' if len(classes) > 10 else ''}.{called}"
        )
    return [code[label] for label in labels]


class _DecodedLabels:
    """A callable ``sampling_strategy`` of the user's labels, called on encoded ones."""

    def __init__(self, strategy, classes, sampler_name, owner):
        self.strategy = strategy
        self.classes = classes
        self.sampler_name = sampler_name
        self.owner = owner

    def __call__(self, y, **kwargs):
        wanted = self.strategy(self.classes[y], **kwargs)
        codes = _codes_of(
            list(wanted),
            self.classes,
            self.sampler_name,
            owner=self.owner,
            returned_by_callable=True,
        )
        return dict(zip(codes, wanted.values()))

    def __repr__(self):
        # The sampler's repr, in messages, shows the user's callable.
        return repr(self.strategy)


def _picks_rows_on_a_small_problem(sampler):
    """Whether ``sampler`` picks rows, told on a small two-class problem; None where it
    fails there also with the default ``sampling_strategy`` ("auto"): its other
    parameters, or its need of a DataFrame, leave it to the real rows to decide. A
    callable strategy is tried as "auto" only."""
    X, y = np.arange(30).reshape(-1, 1), [0] * 20 + [1] * 10
    params = sampler.get_params()
    # A callable strategy is written for the user's classes, and may fail in any way on
    # two of them (a KeyError on a class it reads): it is not called here.
    candidates = [] if callable(params.get("sampling_strategy")) else [sampler]
    if "sampling_strategy" in params:
        # A strategy naming other classes (a dict of many classes, a ratio on more than
        # two) says nothing about how the sampler picks its rows.
        candidates.append(clone(sampler).set_params(sampling_strategy="auto"))
    for candidate in candidates:
        try:
            return _picks_rows(candidate, X, y)[0]
        except ValueError:
            continue
    return None


def check_index_sampler(sampler, classes, *, owner, X, y):
    """Check that an imbalanced-learn sampler picks existing rows; return a fresh clone
    whose ``sampling_strategy`` names the encoded classes (:func:`encode_sampling_strategy`),
    and the labels of its draw on ``X, y`` (seed 0), which say how far it balances.

    Batches are drawn by index, so the sampler must return a subset (with repeats) of
    its input rows, unchanged, and say which (``sample_indices_``). One that synthesises
    rows, such as SMOTE or RandomOverSampler with ``shrinkage`` (a smoothed bootstrap),
    cannot draw batches: it belongs in an imbalanced-learn ``Pipeline``.

    The sampler is tried on a small two-class problem (30 rows), which tells one that
    synthesises rows (with the default ``sampling_strategy`` where its own names other
    classes or is a callable), then on ``X, y``, the rows it will draw from, so that it
    fails here if it cannot take them (a class smaller than NearMiss's neighbourhood,
    ...). Messages name the sampler as given.

    Parameters
    ----------
    sampler : imbalanced-learn sampler
        Unfitted; it is cloned, never changed.
    classes : ndarray of shape (n_classes,)
        The labels, in the order of their codes.
    owner : str
        Named in the error message (``"ImbalancedSampler"``, ...).
    X : array-like of shape (n_samples, n_features)
        Features of the rows it will draw from (their row numbers for a sampler that
        does not read features).
    y : array-like of shape (n_samples,)
        Their labels, encoded as ``0 .. n_classes - 1``.

    Returns
    -------
    sampler : imbalanced-learn sampler
    y_drawn : ndarray
        The labels of the rows of one draw of ``sampler`` from ``X, y``.

    Raises
    ------
    InvalidParameterError
        If a parameter of the sampler is not one it takes (its own message), if it
        leaves no ``sample_indices_`` after ``fit_resample``, or if it returns rows
        other than those it names there.
    """
    expected = (
        f"The 'sampler' parameter of {owner} must pick existing rows (an "
        "imbalanced-learn sampler that sets sample_indices_, such as "
        "RandomUnderSampler, RandomOverSampler or NearMiss)"
    )
    pipeline = (
        "resample the data before training instead, e.g. in an imblearn Pipeline "
        "(imblearn.pipeline.make_pipeline(sampler, model))."
    )
    if hasattr(sampler, "_parameter_constraints") and hasattr(sampler, "_validate_params"):
        # Its parameters as given (labels, not their codes), checked here also where the
        # estimator's fit skips the validation of nested estimators, as it does for the
        # sampler's fit_resample at every epoch.
        sampler._validate_params()
    encoded = encode_sampling_strategy(sampler, classes, owner=owner)
    picks_rows = _picks_rows_on_a_small_problem(encoded)
    if picks_rows is not False:
        try:
            picks_rows, y_drawn = _picks_rows(encoded, X, y)
        except ValueError as error:
            failed = (
                f"{sampler!r} failed when tried on the training rows it would draw batches "
                f"from: {str(error).rstrip('.')}. "
            )
            if picks_rows:  # it picks rows, but its parameters do not suit these
                raise ValueError(
                    f"{failed}Choose parameters these rows allow (e.g. a neighbourhood no "
                    "larger than the smallest class, which validation_fraction makes "
                    f"smaller), or {pipeline}"
                ) from error
            # A sampler that needs categorical columns or a DataFrame (SMOTENC, SMOTEN)
            # fails on both: it synthesises rows and belongs in front anyway.
            raise ValueError(
                f"{failed}{expected}; a sampler that synthesises rows or needs a DataFrame "
                f"belongs in front: {pipeline}"
            ) from error
    if not picks_rows:
        raise InvalidParameterError(
            f"{expected}. Got {sampler!r}, which synthesises new rows, changes them, or "
            "does not name the rows it returns (sample_indices_), and so cannot draw "
            f"batches by index: {pipeline}"
        )
    return clone(encoded), y_drawn


def check_class_probabilities(probabilities, n_classes, *, what):
    """``probabilities`` as a float64 tensor of shape (n_classes,): the relative chance
    of drawing each class, finite, non-negative and not all zero.

    ``what`` begins the error's sentence, naming the value (``"set_sampler takes"``).
    """
    try:
        probabilities = torch.as_tensor(probabilities, dtype=torch.float64)
        if probabilities.shape != (n_classes,):
            problem = f"got shape {tuple(probabilities.shape)}"
        elif not bool(probabilities.isfinite().all()):
            problem = "got a NaN or infinite value"
        elif bool((probabilities < 0).any()):
            problem = "got a negative value"
        elif not bool((probabilities > 0).any()):
            problem = "got all zeros"
        else:
            return probabilities
    except (TypeError, ValueError, RuntimeError):
        problem = f"got {type(probabilities).__name__}"
    raise ValueError(
        f"{what} {n_classes} finite, non-negative class probabilities, not all zero (a tensor "
        f"of shape ({n_classes},)), one per class in the order of classes_; {problem}."
    )


# torch.multinomial draws from at most this many categories.
MAX_MULTINOMIAL_CATEGORIES = 2**24


class IndexSampler:
    """Draws one epoch's sample order where the labels live (CPU or GPU).

    ``"instance"`` is a plain shuffle; ``"class_balanced"`` draws N samples with
    replacement so that every class is equally likely (probability of sample i
    proportional to 1/n_{y_i}); ``"sqrt"`` uses 1/sqrt(n_{y_i}) (square-root sampling).
    An imbalanced-learn sampler whose output rows are a subset of its input
    (``RandomUnderSampler``, ``RandomOverSampler``, ...) is called on the rows once
    per epoch with a fresh seed, and its rows are shuffled.

    Parameters
    ----------
    kind : {"instance", "class_balanced", "sqrt"}, imbalanced-learn sampler or tensor
        Changed in place by :meth:`set_kind`; an imblearn sampler is cloned each epoch
        and the clone gets a new ``random_state`` (the sampler itself is not changed). A
        float tensor of shape (n_classes,) gives the probability of each class: N rows
        are drawn with replacement, a class by these probabilities and then a row of it
        uniformly (the phased sampler's mixtures of instance- and class-balanced drawing).
    y : torch.Tensor of int64, shape (n_samples,)
        Encoded labels ``0..C-1``; the indices are drawn on its device.
    generator : torch.Generator or None, default=None
        Source of randomness (on the device of ``y``). None: torch's global stream
        (the estimator, seeded by its ``random_state``).
    X : array-like of shape (n_samples, n_features) or None, default=None
        Features shown to an imblearn sampler (distance-based ones such as NearMiss
        need them); None shows the row index.
    """

    def __init__(self, kind, y, *, generator=None, X=None):
        self.y = y
        self.generator = generator
        self.X = X
        self.set_kind(kind)

    def set_kind(self, kind):
        """Switch the sampling (classifier re-training switches to class-balanced)."""
        self.kind = kind
        # torch.multinomial sums the row probabilities in their own dtype: in float32 a
        # row's share of a million rows or more is close to the rounding of the sum, and
        # the draws drift from the rule (the classes and the rows late in the order).
        # float64 holds them to 2**24 rows; MPS has no float64.
        dtype = torch.float32 if self.y.device.type == "mps" else torch.float64
        if isinstance(kind, torch.Tensor):
            counts = torch.bincount(self.y, minlength=len(kind)).to(dtype)
            class_probabilities = kind.to(device=self.y.device, dtype=dtype)
            # A class without rows gets no draws (0 / 0 would be NaN).
            per_row = class_probabilities / counts.clamp(min=1)
        elif isinstance(kind, str) and kind != "instance":
            counts = torch.bincount(self.y).to(dtype)
            per_row = counts.pow(-lookup("sampler", kind))
        else:
            return  # a shuffle, or an imbalanced-learn sampler
        if len(self.y) <= MAX_MULTINOMIAL_CATEGORIES:
            self._probabilities = per_row[self.y]
            return
        # Too many rows for one draw: a class by its rows' total probability, then one
        # of its rows uniformly, which is the same distribution.
        self._probabilities = None
        self._class_probabilities = torch.where(counts > 0, per_row * counts, 0.0)
        self._class_counts = counts.to(torch.int64)
        # The rows of each class, one class after the other.
        self._rows_by_class = torch.argsort(self.y, stable=True)
        self._class_starts = torch.cumsum(self._class_counts, 0) - self._class_counts

    def indices(self):
        """One epoch's order: an int64 tensor of row indices on the device of ``y``."""
        n = len(self.y)
        if isinstance(self.kind, str) and self.kind == "instance":
            return torch.randperm(n, device=self.y.device, generator=self.generator)
        if not isinstance(self.kind, (str, torch.Tensor)):
            return self._imblearn_indices()
        if self._probabilities is not None:
            return torch.multinomial(
                self._probabilities, n, replacement=True, generator=self.generator
            )
        classes = torch.multinomial(
            self._class_probabilities, n, replacement=True, generator=self.generator
        )
        # Uniform within the class: a draw over [0, 2**62) modulo its count, whose bias
        # is below count / 2**62.
        offsets = (
            torch.randint(0, 2**62, (n,), device=self.y.device, generator=self.generator)
            % self._class_counts[classes]
        )
        return self._rows_by_class[self._class_starts[classes] + offsets]

    def _imblearn_indices(self):
        # A fresh seed each epoch, drawn from the (seeded) generator, so that the
        # epochs differ and the whole run stays reproducible.
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=self.generator).item())
        # A clone is fitted, not the sampler itself: what it learns from the rows
        # (NearMiss's neighbours index holds them) would stay in a fitted model's pickle.
        sampler = clone(self.kind)
        if "random_state" in sampler.get_params():
            sampler.set_params(random_state=seed)
        y = self.y.cpu().numpy()
        X = np.arange(len(y)).reshape(-1, 1) if self.X is None else self.X
        sampler.fit_resample(X, y)
        order = torch.as_tensor(sampler.sample_indices_, device=self.y.device)
        shuffle = torch.randperm(len(order), device=order.device, generator=self.generator)
        return order[shuffle]


class ImbalancedSampler(torch.utils.data.Sampler):
    """Class-balanced, square-root or imbalanced-learn sampling for a PyTorch ``DataLoader``.

    The epoch order the estimator's ``sampler`` parameter draws, for a hand-written
    training loop: pass it as ``DataLoader(dataset, sampler=..., batch_size=...)``.
    Every iteration (every epoch) draws a new order from the sampler's own generator;
    the same ``random_state`` gives the same sequence of epochs.

    - ``"class_balanced"``: N draws with replacement, sample i with probability
      proportional to :math:`1/n_{y_i}`, so that every class is equally likely;
    - ``"sqrt"``: the same with :math:`1/\\sqrt{n_{y_i}}` (square-root sampling);
    - ``"instance"``: a shuffle (what ``DataLoader(shuffle=True)`` does);
    - an imbalanced-learn sampler that picks existing rows (``RandomUnderSampler``,
      ``RandomOverSampler``, ``NearMiss``, ...): re-run every epoch with a new seed;
      the epoch is its selected rows, shuffled. A sampler that synthesises rows
      (``SMOTE``, ``RandomOverSampler(shrinkage=...)``) is refused: resample the arrays
      once before training instead.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels of the dataset's samples (any type), in the dataset's order; not
        empty, none missing (None, NaN or pd.NA is refused, not drawn as a class), not
        continuous values (as scikit-learn's classifiers, ``[0.5, 1.5]`` is refused).
    sampler : {"class_balanced", "sqrt", "instance"} or imbalanced-learn sampler, \
            default="class_balanced"
        How to draw an epoch (see above). An imblearn sampler is cloned, never changed.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampler's ``torch.Generator`` (None: a fresh seed).
    X : array-like of shape (n_samples, n_features) or None, default=None
        Features shown to an imbalanced-learn sampler. Samplers that choose rows by
        their features (``NearMiss``, ``TomekLinks``, ...) need them, numeric and
        without missing values, and are refused without; ``RandomUnderSampler``,
        ``RandomOverSampler`` and the named samplers do not (they see the row index, or
        the labels alone), and only the length of an ``X`` given to them is checked.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted unique labels.
    class_counts_ : ndarray of shape (n_classes,)
        Number of samples of each class in ``y``.
    generator_ : torch.Generator
        The CPU generator every epoch is drawn from.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from torch.utils.data import DataLoader, TensorDataset
    >>> from sklearn_imbalance_dl.sampling import ImbalancedSampler
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> dataset = TensorDataset(torch.randn(100, 3), torch.as_tensor(y))
    >>> sampler = ImbalancedSampler(y, random_state=0)
    >>> loader = DataLoader(dataset, sampler=sampler, batch_size=20)
    >>> labels = torch.cat([yb for _, yb in loader])
    >>> len(labels), 30 < int(labels.sum()) < 70  # about half are the minority class
    (100, True)

    With an imbalanced-learn under-sampler, every epoch has 10 samples of each class:

    >>> from imblearn.under_sampling import RandomUnderSampler
    >>> sampler = ImbalancedSampler(y, RandomUnderSampler(), random_state=0)
    >>> np.bincount(y[list(sampler)]).tolist(), len(sampler)
    ([10, 10], 20)
    """

    _parameter_constraints = {
        "y": ["array-like"],
        "sampler": [options("sampler"), HasMethods(["fit_resample"])],
        "random_state": ["random_state"],
        "X": ["array-like", None],
    }

    def __init__(self, y, sampler="class_balanced", *, random_state=None, X=None):
        self.y = y
        self.sampler = sampler
        self.random_state = random_state
        self.X = X
        check_component_params(self)
        if isinstance(y, torch.Tensor):
            y = y.detach().cpu().numpy()
        labels = column_or_1d(np.asarray(y), warn=True)
        if len(labels) == 0:
            raise ValueError("y is empty: ImbalancedSampler needs the labels of the samples.")
        listed = listed_labels(y)
        as_given = labels if listed is None else listed
        check_no_missing_labels(
            as_given,
            then=": ImbalancedSampler would draw them as a class of their own. Drop those "
            "samples, or give them a label.",
        )
        check_label_types(as_given)
        if type_of_target(labels) == "continuous":
            raise ValueError(
                "y holds continuous values, not class labels: ImbalancedSampler draws by "
                "class, and would take every distinct value for a class of its own."
            )
        self.classes_, encoded = np.unique(labels, return_inverse=True)
        self.class_counts_ = np.bincount(encoded, minlength=len(self.classes_))
        reads_features = not isinstance(sampler, str) and looks_at_features(sampler)
        features = None
        if X is not None:
            features = np.asarray(X)
            if len(features) != len(labels):
                raise ValueError(
                    f"X has {len(features)} rows but y has {len(labels)} labels; "
                    "ImbalancedSampler needs one row of X per label."
                )
            if reads_features:
                # Checked here, not at the first epoch inside the DataLoader.
                features = check_array(
                    features.reshape(len(features), -1), dtype="numeric", input_name="X"
                )
            else:  # drawn by label alone: the random samplers see the row index
                features = None
        kind = sampler
        if not isinstance(sampler, str):
            probe_X = np.arange(len(labels)).reshape(-1, 1) if features is None else features
            kind, _ = check_index_sampler(
                sampler, self.classes_, owner="ImbalancedSampler", X=probe_X, y=encoded
            )
            if features is None and reads_features:
                raise ValueError(
                    f"{sampler!r} chooses rows by their features, but ImbalancedSampler got "
                    "no X (it would see row numbers): pass X=, the features of the samples "
                    "(one row per label), or use RandomUnderSampler or RandomOverSampler, "
                    "which need none."
                )
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
        self.generator_ = torch.Generator().manual_seed(seed)
        self._index_sampler = IndexSampler(
            kind, torch.as_tensor(encoded, dtype=torch.int64), generator=self.generator_, X=features
        )
        self._next_order = None

    def _draw(self):
        if self._next_order is None:
            self._next_order = self._index_sampler.indices()
        return self._next_order

    def __len__(self):
        # The next epoch is drawn ahead, so that its length is exact even for an
        # imbalanced-learn sampler whose output size depends on the seed.
        return len(self._draw())

    def __iter__(self):
        order = self._draw()
        self._next_order = None
        return iter(order.tolist())
