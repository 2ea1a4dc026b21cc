"""From the estimator's parameters to the objects of one fit, checked together.

Every component (module, loss, schedule, mixing, learning-rate schedule, optimizer)
is given as a registered name, a class, or an instance, with ``<component>__<param>``
keyword arguments routed to it. :func:`resolve_component` applies the same rules (and
messages) to all of them; :func:`build_training` builds them all for one fit, rejects
combinations that make no sense, and returns one :class:`TrainingSetup`. The estimator
never writes the result back into its parameters.
"""

import contextlib
import copy
import fnmatch
import inspect
import math
import numbers
import pickle
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.model_selection import StratifiedShuffleSplit
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, LoadInitState, LRScheduler
from skorch.callbacks.scoring import ScoringBase
from skorch.helper import predefined_split
from torch.utils.data import Dataset

from ._data import LabelledDataset, item_input, to_device_dataset, weights_are_uniform
from ._net import AdjustedSoftmax, ImbalanceNet
from ._validation import Labelled, first_few, param_repr, user_stacklevel
from .callbacks._weight_averaging import SWA, WeightAveraging
from .losses import ImbalanceLoss, LogitAdjustedLoss
from .losses._adapter import TorchLossAdapter
from .losses._checks import valid_class_weights
from .mixing import Mixing
from .modules import (
    CosineLinear,
    TabularNet,
    fit_module_preprocessing,
    forward_staged,
    is_staged,
)
from .modules._protocol import parameter_dtype
from .optim import SAM  # noqa: F401 (the optimizer names are registered with it)
from .optim._sam import steps_from_a_closure
from .registry import Component, lookup, names
from .sampling._sampler import (
    check_class_probabilities,
    check_index_sampler,
    looks_at_features,
)
from .schedules import MiSLASRetraining, Schedule
from .schedules._lr import LRSchedule  # also registers the lr_schedule names

# SGD without momentum is rarely what anyone wants; the long-tailed recipe uses 0.9.
_OPTIMIZER_DEFAULTS = {
    "sgd": {"momentum": 0.9},
    "sam": {"base_optimizer": torch.optim.SGD, "momentum": 0.9},
}

# weight_decay="auto". On TabularNet with the logit-adjusted loss (the defaults) every
# parameter but the classifier head decays strongly; the head keeps the usual decay, as
# a tail class of a few rows needs large head weights to beat the adjustment's -log
# prior (decaying the head too lost the one-row tails). The total decay is capped (the
# decay alone would shrink a weight by at most 1/e over the fit): uncapped, the many
# steps of a large table lost 7-22 points on letter. With the margin losses on cosine
# heads (LDAM, CRI) the same decay lost points, so other losses keep 1e-4.
_DEFAULT_WEIGHT_DECAY = 1e-4
_TABULAR_BODY_WEIGHT_DECAY = 10.0
_TABULAR_MAX_TOTAL_DECAY = 1.0

# The components that take ``<kind>__<param>`` routed parameters, in this order.
ROUTED_KINDS = (
    "module",
    "loss",
    "schedule",
    "mixing",
    "optimizer",
    "lr_schedule",
    "weight_averaging",
)


@dataclass
class TrainingSetup:
    """Everything one fit trains with, built and checked together."""

    module: torch.nn.Module
    loss: torch.nn.Module
    schedule: Schedule | None
    mixing: object | None
    optimizer: type
    optimizer_params: dict
    callbacks: list
    augment: object | None
    sampler: object
    max_epochs: int
    prediction: AdjustedSoftmax


@dataclass
class Fit:
    """What :func:`build_fit` returns: the net, its training data, the class counts."""

    net: ImbalanceNet
    train: object
    class_counts: np.ndarray
    max_epochs: int


def build_fit(params, routed, X, y, sample_weight, *, classes, input_shape, encoder=None, seed):
    """The builder's one entry: checked data in, the net of one fit and its data out.

    Holds out the validation split (stratified, seeded by ``seed``), counts the
    training classes, builds and checks the components (:func:`build_training`), the
    net (:func:`build_net`) and the training data on the device.

    Parameters
    ----------
    params : dict
        The estimator's own parameters, ``device`` resolved.
    routed : callable
        ``routed(prefix)`` returns the ``prefix__*`` parameters without the prefix.
    X : ndarray or Dataset
        Validated inputs.
    y : ndarray of shape (n_samples,)
        Labels encoded as ``0..n_classes-1``, every class present with a non-zero weight.
    sample_weight : ndarray of shape (n_samples,)
    classes : ndarray of shape (n_classes,)
        The labels ``y`` encodes, for messages.
    input_shape : tuple
        Shape of one sample.
    encoder : ColumnEncoder, optional
        The column encoding of a table (for ``TabularNet``), which ``X`` is the output
        of; categories found only in rows that do not train (held out, or of weight 0)
        and missing values held only there read as never seen
        (:meth:`ColumnEncoder.keep_trained_values`).
    seed : int
        Seed of the validation split.

    Returns
    -------
    Fit
    """
    _relative_weights(sample_weight)  # refuses weights float32 cannot hold, for all rows
    fraction = params["validation_fraction"]
    train, valid = holdout_split(
        X, y, sample_weight, fraction, params["early_stopping"], seed, classes=classes
    )
    # Each part's weights relative to its own mean: the training loss scales as without
    # a held-out part, and the validation loss is the weighted mean of its rows' losses.
    train = (*train[:2], _relative_weights(train[2]))
    if valid is not None:
        valid = (*valid[:2], _relative_weights(valid[2]))
    class_counts = np.bincount(train[1], minlength=len(classes))
    if valid is not None and not class_counts.all():
        absent = classes[class_counts == 0]
        raise ValueError(
            f"validation_fraction={fraction} holds out every sample of class(es) "
            f"{first_few(absent)}, so training would never see "
            "them: lower validation_fraction (e.g. 0.1), or leave it None (train on "
            "everything) for classes this small."
        )
    if valid is not None:
        _check_every_class_weighs(train[1], train[2], classes, held_out=fraction)
    n_categories = ()
    if encoder is not None:
        trained = train[0][train[2] > 0] if not train[2].all() else train[0]
        encoder.keep_trained_values(trained, train[0], *([valid[0]] if valid else []))
        n_categories = encoder.n_categories_
    balancing_counts = _weighted_class_counts(train[1], train[2], class_counts)
    setup = build_training(
        params, routed, input_shape, balancing_counts, train[0], n_categories=n_categories,
        y_train=train[1], classes=classes,
    )  # fmt: skip
    net = build_net(setup, params, balancing_counts, valid)
    data = training_dataset(*train, params["device"], params["channels_last"], input_shape)
    _warn_long_retraining(params, setup.schedule)  # once nothing is left to refuse
    return Fit(net, data, class_counts, setup.max_epochs)


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


def accepted_parameters(cls):
    """Names ``cls(...)`` accepts, and whether it takes ``**kwargs``.

    A torch module class without an ``__init__`` of its own takes nothing:
    ``nn.Module``'s ``*args, **kwargs`` are there for its subclasses to pass on.
    """
    if isinstance(cls, type) and cls.__init__ is torch.nn.Module.__init__:
        return set(), False
    params = inspect.signature(cls).parameters.values()
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names, any(p.kind == p.VAR_KEYWORD for p in params)


def auto_module(input_shape):
    """``module="auto"``: the tabular backbone for rows, ResNet-32 for (C, H, W) images."""
    return {1: "tabular", 3: "resnet32"}.get(len(input_shape), "mlp")


def routed_constraint(kind, value, name):
    """The constraint of the routed parameter ``kind__name`` ("no_validation" for none).

    ``module="auto"`` builds the tabular backbone for rows, the MLP or ResNet-32 for
    other samples: where they hold the name to different constraints, a value passes
    that one of them takes (``module__hidden_sizes=()`` is an MLP's linear model on
    samples of shape (H, W)), and the module built checks it again.
    """
    constraints = getattr(component_class(kind, value), "_parameter_constraints", None)
    if not constraints or name not in constraints:
        return "no_validation"  # the builder refuses a name the component does not take
    if not (kind == "module" and value == "auto"):
        return constraints[name]
    held = {}
    for shape, where in _AUTO_SHAPES:
        cls = lookup("module", auto_module(shape))
        if name in cls._parameter_constraints:
            held[(cls.__name__, where)] = cls._parameter_constraints[name]
    if len({tuple(map(str, c)) for c in held.values()}) == 1:
        return constraints[name]
    return [
        Labelled(c, f"for {module} (module='auto' {where})")
        for (module, where), cs in held.items()
        for c in cs
    ]


# The samples' shapes that tell the modules module="auto" builds apart.
_AUTO_SHAPES = (((1,), "on rows"), ((1, 1, 1), "on images"), ((1, 1), "on other samples"))


def component_class(kind, value):
    """The class a component parameter designates (None when it designates none).

    ``module="auto"`` designates the tabular backbone here, the module of 2-D inputs:
    routed ``module__*`` names are checked against its parameters before the data's
    shape is known (and against ResNet-32's or the MLP's when it builds another;
    :func:`routed_constraint` gives their constraints).
    """
    if kind == "module" and value == "auto":
        value = auto_module((1,))
    if kind == "lr_schedule" and value == "auto":
        value = "cosine"  # every name of this kind designates one class
    if isinstance(value, str):
        # An unregistered name designates no class (the constraints refuse it).
        return lookup(kind, value) if value in names(kind) else None
    if isinstance(value, type):
        return value
    return None if value is None else type(value)


def resolve_component(kind, value, routed, *, from_data=None, settable=False):
    """The class and keyword arguments of a component given by name or class.

    Parameters
    ----------
    kind : str
        The parameter's name ("loss", "module", ...), used in messages.
    value : str or class
        The parameter's value.
    routed : dict
        The ``kind__*`` keyword arguments, without the prefix.
    from_data : dict, optional
        Arguments known from the data or the estimator (``n_features``,
        ``class_counts``, ...), passed when the class accepts them and the user did not
        set them.
    settable : bool, default=False
        Whether the ``kind__*`` parameters may set those of ``from_data`` too (a
        module's ``head`` or ``in_channels``): an unknown name's message then lists them.
    """
    from_data = from_data or {}
    cls = component_class(kind, value)
    names, takes_any = accepted_parameters(cls)
    unknown = sorted(k for k in routed if k not in names and not takes_any)
    if unknown:
        valid = ", ".join(sorted(n for n in names if n not in from_data)) or "none"
        message = (
            f"{kind}__{unknown[0]} is not a parameter of {cls.__name__}. "
            f"Valid {kind}__ parameters: {valid}"
        )
        filled = sorted(n for n in names if n in from_data) if settable else []
        if filled:
            message += (
                f"; and {', '.join(filled)}, which fit fills in (from the data and the "
                "other parameters) when they are left unset"
            )
        raise ValueError(message + "." + _grid_hint(kind, unknown[0]))
    kwargs = {k: v for k, v in from_data.items() if (k in names or takes_any) and k not in routed}
    kwargs.update(routed)
    return cls, kwargs


def _grid_hint(kind, parameter):
    """Where a parameter that this component lacks is one of other components of its
    kind (a grid over ``loss`` that keeps ``loss__gamma`` for every loss): how to give
    it to those only."""
    takers = [
        name for name in names(kind) if parameter in accepted_parameters(lookup(kind, name))[0]
    ]
    if not takers:
        return ""
    return (
        f" {kind}__{parameter} is a parameter of {kind} {first_few(takers)}: in a grid "
        f"over {kind}, give it beside those only, with a list of grids, e.g. "
        f"[{{'{kind}': [{takers[0]!r}], '{kind}__{parameter}': [...]}}, {{'{kind}': [...]}}]."
    )


def build_component(kind, value, routed, *, from_data=None, settable=False):
    """Build one component from a name, a class or an instance (copied, never shared).

    ``from_data`` and ``settable`` as in :func:`resolve_component`.
    """
    if not isinstance(value, (str, type)):
        if routed and not hasattr(value, "set_params"):
            raise ValueError(
                f"{kind}__{next(iter(routed))} was given, but {kind} is an instance of "
                f"{type(value).__name__}: set the parameter on the instance, or pass the "
                "class or a name so that the estimator builds it."
            )
        # A copy: fitting must not change the estimator's parameters. The routed ones
        # (given to the constructor) apply to it, as set_params applies them.
        built = copy.deepcopy(value)
        return built.set_params(**routed) if routed else built
    cls, kwargs = resolve_component(kind, value, routed, from_data=from_data, settable=settable)
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):  # no signature to read (a builtin): try the call
        return cls(**kwargs)
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        passed = ", ".join(f"{name}=..." for name in kwargs) or "no argument"
        reason = str(exc).rstrip(".")
        raise ValueError(
            f"{kind}={value!r} cannot be built as {cls.__name__}({passed}): {reason}. The "
            f"estimator passes what it knows from the data that the class's __init__ "
            f"names ({', '.join(from_data or {}) or 'nothing'}) and the {kind}__* "
            "parameters; give the other arguments defaults or route them, or pass an "
            "instance."
        ) from None
    return cls(**kwargs)


def build_training(
    params, routed, input_shape, class_counts, X_train, n_categories=(), *, y_train, classes
):
    """Build and check the components of one fit.

    Parameters
    ----------
    params : dict
        The estimator's own parameters (``get_params(deep=False)`` without routing).
    routed : callable
        ``routed(prefix)`` returns the ``prefix__*`` parameters without the prefix.
    input_shape : tuple
        Shape of one sample.
    class_counts : ndarray of shape (n_classes,)
        Training samples per class, counted by their sample weights
        (:func:`_weighted_class_counts`).
    X_train : ndarray or Dataset
        The training inputs, for modules that learn their preprocessing.
    n_categories : tuple of int, default=()
        Categories of each categorical column (the trailing codes of a table encoded
        by :class:`~.modules.ColumnEncoder`), passed to modules that take them.
    y_train : ndarray of shape (n_samples,)
        The training labels, encoded as ``0..n_classes-1``: an imbalanced-learn
        sampler is checked on them, and a schedule that draws the batches is bound to
        their counts.
    classes : ndarray of shape (n_classes,)
        The labels ``y_train`` encodes, which a sampler's ``sampling_strategy`` names.
    """
    _warn_unused_routed(params, routed)
    sampler, sampler_balances = _batch_sampler(params["sampler"], classes, y_train, X_train)
    loss = _build_loss(params["loss"], routed("loss"), class_counts)
    _check_loss(params["loss"], loss, len(class_counts))
    module = _build_module(
        params, routed("module"), loss, input_shape, len(class_counts), n_categories
    )
    fit_module_preprocessing(module, X_train)
    _check_module_output(
        params["module"], module, input_shape, len(class_counts), isinstance(X_train, Dataset)
    )
    row_counts = np.bincount(y_train, minlength=len(class_counts))
    schedule = _build_schedule(params, routed("schedule"), class_counts, row_counts)
    mixing = _build_mixing(params, routed("mixing"), schedule, module)
    _check_combinations(params, module, loss, schedule, mixing, input_shape, sampler_balances)
    _check_staged_rule(params, module, X_train, schedule, mixing)
    _check_categorical_mixing(params, mixing, n_categories)
    augment = _bind_augment(params["augment"])
    _check_pixel_range(augment, X_train)
    _check_augment_channels(augment, input_shape)
    lr_kind = params["lr_schedule"]
    if lr_kind == "auto":
        # A re-weighting schedule (DRW, PPW, PPL) switches on late in training; under a
        # cosine decay the rate is then a tenth of its start and the re-weighting has
        # little effect (measured on KEEL yeast4: LDAM-DRW 0.53 against 0.85). The
        # phased sampler balances late in the same way.
        balances_late = schedule is not None and (schedule.reweights or schedule.resamples)
        lr_kind = "constant" if balances_late else "cosine"
    lr_schedule = _build_lr_schedule(params["lr_schedule"], lr_kind, routed("lr_schedule"))
    lr_schedule = lr_schedule.bind(params["max_epochs"])
    _check_lr_factors(lr_kind, lr_schedule, params["max_epochs"])
    if lr_schedule.warmup_ > params["max_epochs"]:
        # A warning, not an error: short trial runs of a recipe are common.
        warnings.warn(
            f"lr_schedule={lr_kind!r} warms the learning rate up over {lr_schedule.warmup_} "
            f"epochs (lr_schedule__warmup_epochs), more than max_epochs="
            f"{params['max_epochs']}: the rate never reaches lr={params['lr']}. Train "
            f"for at least {lr_schedule.warmup_} epochs, or set lr_schedule__warmup_epochs "
            f"to at most {params['max_epochs']} (0: no warm-up).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    averaging = _build_weight_averaging(params, routed("weight_averaging"))
    n_samples = len(y_train)
    weight_decay, auto_decay = _weight_decay(
        params, module, loss, lr_schedule, averaging, n_samples
    )
    optimizer, optimizer_params = _resolve_optimizer(
        params, routed("optimizer"), weight_decay, auto_decay, module
    )

    callbacks = [("lr_schedule", lr_schedule)]
    if schedule is not None:
        callbacks.append(("schedule", schedule))
    if averaging is not None:
        callbacks.append(("weight_averaging", averaging))
    if params["early_stopping"]:
        stopper = EarlyStopping(
            monitor="valid_balanced_accuracy",
            lower_is_better=False,
            patience=params["n_iter_no_change"],
            # Any rise counts: the epoch kept is the first of the highest accuracy.
            threshold=0.0,
            load_best=True,
        )
        callbacks.append(("early_stopping", stopper))
    for i, callback in enumerate(params["callbacks"] or []):
        if isinstance(callback, tuple) and (len(callback) != 2 or not isinstance(callback[0], str)):
            raise ValueError(
                f"callbacks: the item {callback!r} is a tuple, but not (name, callback) "
                "with a string name; give the callback itself, or a (name, callback) pair."
            )
        name, callback = callback if isinstance(callback, tuple) else (None, callback)
        if name in OWN_CALLBACKS:
            raise ValueError(
                f"callbacks: the name {name!r} is one of the estimator's own callbacks "
                f"({', '.join(OWN_CALLBACKS)}); give yours another name."
            )
        _check_user_callback(callback, params)
        name = name or f"user_callback_{i}_{type(callback).__name__}"
        callbacks.append((name, _copy_for_the_fit(callback)))

    shift = None
    if params["posthoc_tau"] is not None:
        prior = torch.as_tensor(class_counts / class_counts.sum(), dtype=torch.float32)
        shift = params["posthoc_tau"] * torch.log(prior)
    return TrainingSetup(
        module=module,
        loss=loss,
        schedule=schedule,
        mixing=mixing,
        optimizer=optimizer,
        optimizer_params=optimizer_params,
        callbacks=callbacks,
        augment=augment,
        sampler=sampler,
        max_epochs=params["max_epochs"] + (schedule.extra_epochs if schedule else 0),
        prediction=AdjustedSoftmax(loss.logit_scale, shift),
    )


#: The names of the callbacks the estimator adds itself (skorch refuses two of a name),
#: each with the estimator's parameters that set it.
OWN_CALLBACKS = {
    "lr_schedule": "lr_schedule and lr_schedule__*",
    "schedule": "schedule and schedule__*",
    "weight_averaging": "weight_averaging and weight_averaging__*",
    "early_stopping": "early_stopping, n_iter_no_change and validation_fraction",
}


def _bind_augment(augment):
    """A registered augmentation by name, a checked copy of a Component, or the callable."""
    if isinstance(augment, type):
        raise ValueError(
            f"augment={augment.__name__} is a class; pass an instance "
            f"(augment={augment.__name__}()), a callable on a batch of images."
        )
    if isinstance(augment, str):
        augment = lookup("augmentation", augment)
    return augment.bind() if isinstance(augment, Component) else augment


def _batch_sampler(sampler, classes, y, X):
    """``(sampler, balances)``: a sampler name, or a checked clone of an imbalanced-learn
    sampler that picks rows; and the share of the class imbalance the latter removes
    (:func:`_share_balanced`; None for a name).

    Its ``sampling_strategy`` names the user's labels (``classes``); the batches are
    drawn on their codes ``y``. It is tried on what it will see each epoch: the
    training inputs ``X`` flattened if it reads features, else the row numbers.
    """
    if isinstance(sampler, str):
        return sampler, None
    if isinstance(sampler, type):
        raise ValueError(
            f"sampler={sampler.__name__} is a class; pass an instance, e.g. "
            f"sampler={sampler.__name__}()."
        )
    if looks_at_features(sampler):  # (fit refuses an imblearn sampler with a Dataset X)
        features = np.asarray(X, dtype=np.float32).reshape(len(y), -1)
    else:
        features = np.arange(len(y)).reshape(-1, 1)
    sampler, drawn = check_index_sampler(
        sampler, classes, owner="ImbalancedNetClassifier", X=features, y=y
    )
    return sampler, _share_balanced(y, drawn, len(classes))


def _share_balanced(y, drawn, n_classes):
    """How far a sampler's draw (labels ``drawn``, from rows labelled ``y``) moves the
    class counts toward balance: the share of ``log(n_max / n_min)`` it removes, 1 for
    balanced batches, about 0 for a sampler that cleans a few rows (TomekLinks) and 0
    or less for one that does not balance."""
    before = np.bincount(y, minlength=n_classes)
    after = np.bincount(drawn, minlength=n_classes)[before > 0]
    before = before[before > 0]
    if before.max() == before.min() or not after.all():
        return 0.0
    return 1 - math.log(after.max() / after.min()) / math.log(before.max() / before.min())


def resolve_device(device):
    """The device to train on, checked against what torch reports on this machine.

    ``"auto"`` picks CUDA when present, else the CPU (Apple's MPS only when asked for:
    it is not tested here). ``"cpu"``, ``"cuda"``, ``"cuda:N"`` (N below the number of
    GPUs) and ``"mps"`` are accepted where present; anything else is refused by name.
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    expected = "The 'device' parameter must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"{expected}. Got {device!r} instead.") from exc
    if parsed.type == "cpu":
        return "cpu"
    if parsed.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was asked for, but CUDA is not available on this "
                "machine; use device='auto' or 'cpu'."
            )
        count = torch.cuda.device_count()
        if parsed.index is not None and parsed.index >= count:
            raise ValueError(
                f"device={device!r} was asked for, but this machine has {count} CUDA "
                f"device(s): use 'cuda:0' to 'cuda:{count - 1}'."
            )
        return str(parsed)
    if parsed.type == "mps":
        if not torch.backends.mps.is_available():
            raise ValueError(
                f"device={device!r} (Apple GPU) was asked for, but MPS is not available "
                "on this machine; use device='auto' or 'cpu'."
            )
        return "mps"
    raise ValueError(
        f"{expected}; {device!r} is a torch device type this estimator does not train on."
    )


def build_net(setup, params, class_counts, valid):
    """The skorch net of one fit; ``params`` holds the estimator's (device resolved)."""
    device = params["device"]
    valid_split = None
    if valid is not None:
        valid_split = predefined_split(training_dataset(*valid, device, params["channels_last"]))
    net = ImbalanceNet(
        module=setup.module,
        criterion=setup.loss,
        optimizer=setup.optimizer,
        lr=params["lr"],
        max_epochs=setup.max_epochs,
        batch_size=params["batch_size"],
        train_split=valid_split,
        callbacks=setup.callbacks,
        predict_nonlinearity=setup.prediction,
        verbose=params["verbose"],
        device=device,
        **_compile_params(params["compile"]),
        torch_load_kwargs={"weights_only": False},
        mixing=setup.mixing,
        sampler=setup.sampler,
        augment=setup.augment,
        precision=params["precision"],
        channels_last=params["channels_last"],
        class_counts=class_counts,
        main_epochs=params["max_epochs"],
        cuda_graph=params["cuda_graph"],
        **{"optimizer__" + k: v for k, v in setup.optimizer_params.items()},
    )
    # skorch refuses a callback named as one of the net's own, in words that do not say
    # that the name is taken by the net.
    defaults = [name for name, _ in net.get_default_callbacks()]
    taken = [name for name, _ in setup.callbacks if name in defaults]
    if taken:
        raise ValueError(
            f"callbacks: the name {taken[0]!r} is one of the net's default callbacks "
            f"({', '.join(defaults)}); give yours another name."
        )
    return net


def _compile_params(compile):
    """skorch's ``compile`` and ``compile__*`` parameters for the estimator's ``compile``."""
    if not isinstance(compile, dict):
        return {"compile": compile}
    known = list(inspect.signature(torch.compile).parameters)[1:]  # all but the model
    unknown = sorted(set(compile) - set(known))
    if unknown:
        what = "is not an option" if len(unknown) == 1 else "are not options"
        raise ValueError(
            f"compile={compile!r}: {', '.join(map(repr, unknown))} {what} of "
            f"torch.compile; its options are {', '.join(known)}."
        )
    for flag in ("fullgraph", "disable"):  # torch.compile reads any value as a truth
        if flag in compile and not isinstance(compile[flag], bool):
            raise ValueError(f"compile={compile!r}: {flag!r} must be True or False.")
    try:
        # torch.compile checks the backend, mode and options when called, and compiles
        # nothing until the first forward pass: a wrong value fails here, named.
        torch.compile(torch.nn.Identity(), **compile)
    except Exception as exc:
        raise ValueError(f"compile={compile!r}: torch.compile refuses it: {exc}") from exc
    return {"compile": True, **{f"compile__{key}": value for key, value in compile.items()}}


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
    train_idx, valid_idx = _validate_every_class(y, sample_weight, train_idx, valid_idx, seed)
    return (
        (X[train_idx], y[train_idx], sample_weight[train_idx]),
        (X[valid_idx], y[valid_idx], sample_weight[valid_idx]),
    )


def _validate_every_class(y, sample_weight, train_idx, valid_idx, seed):
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


def _build_loss(value, routed, counts):
    if "class_counts" in routed:
        raise ValueError(
            "loss__class_counts cannot be set: the loss counts the classes of the data "
            "fit trains on. To weigh the classes otherwise, pass sample_weight to fit."
        )
    averaged = (
        "the estimator takes one loss per sample and averages them itself, with the "
        "sample weights and the mixing"
    )
    if "reduction" in routed:
        raise ValueError(f"loss__reduction={routed['reduction']!r} cannot be set: {averaged}.")
    # The reduction is the estimator's, as the counts are the data's: neither is listed
    # among the loss__ parameters one may set.
    from_data = {"class_counts": counts, "reduction": "mean"}
    loss = build_component("loss", value, routed, from_data=from_data)
    if getattr(loss, "reduction", "mean") not in ("mean", "none"):
        raise ValueError(
            f"loss={value!r} has reduction={loss.reduction!r}: {averaged}; leave its "
            "reduction at 'mean'."
        )
    if isinstance(loss, ImbalanceLoss):
        # Always the counts of the data being fitted, also on a user's loss object (a
        # copy) that carries counts of its own.
        loss.set_class_counts(counts)
        _check_loss_weights(value, loss.class_weights, "class_weights")
        return loss
    if isinstance(loss, torch.nn.NLLLoss):
        raise ValueError(
            f"loss={value!r} takes log-probabilities, but the module outputs logits (no "
            "log_softmax is applied before the loss): use loss='ce' or "
            "torch.nn.CrossEntropyLoss(), which is log_softmax followed by NLLLoss."
        )
    if hasattr(loss, "reduction"):
        _check_loss_weights(value, getattr(loss, "weight", None), "weight")
        return TorchLossAdapter(loss)
    raise ValueError(
        f"loss={value!r} is neither a loss name, an ImbalanceLoss, nor a torch loss with a "
        "'reduction' attribute, so per-sample losses cannot be computed."
    )


def _check_loss_weights(value, weights, name):
    """A loss's class weights finite and non-negative, not all zero, as a schedule's must
    be: a negative weight would train its class toward a higher loss, and with a negative
    total the weighted mean turns into the loss's opposite, silently."""
    if not isinstance(weights, torch.Tensor):
        return  # none, or not a tensor: the loss's first call says what is wrong
    weights = weights.detach().double().reshape(-1)
    if valid_class_weights(weights):
        return
    bad = (~weights.isfinite() | (weights < 0)).nonzero()
    found = f"{name}[{int(bad[0])}] is {weights[bad[0]].item()!r}" if len(bad) else "all are 0"
    raise ValueError(
        f"loss={param_repr(value)} has class weights ({name}) where {found}: give each "
        "class a finite weight >= 0, in the order of classes_, not all 0."
    )


def _check_loss(value, loss, n_classes):
    """One forward and backward on a dummy batch, so that a loss that does not score
    logits against class labels, one loss per sample with ``reduction="none"`` (which
    sample weights and mixing need) and their mean with ``"mean"``, fails here, clearly,
    not deep in the first step or silently (a mean for every sample ignores the weights)."""
    logits = torch.zeros((2, n_classes), requires_grad=True)
    target = torch.arange(2) % n_classes
    if isinstance(loss, TorchLossAdapter):
        advice = (
            "a torch loss must take what torch.nn.CrossEntropyLoss takes: logits of shape "
            "(n_samples, n_classes) and integer class labels of shape (n_samples,), e.g. "
            "CrossEntropyLoss(label_smoothing=0.1); regression losses (MSELoss, L1Loss) "
            "and binary ones (BCELoss, BCEWithLogitsLoss) compare tensors of equal shapes. "
            "Use a loss name such as loss='ce'"
        )
    else:
        advice = (
            "an ImbalanceLoss computes _loss(logits, target, counts, weight, reduction) and "
            "returns one loss per sample for reduction='none', their mean for 'mean' "
            "(leave forward to the base class)"
        )
    shapes = {"none": (2,), "mean": ()}
    # No warnings.catch_warnings: its filters are the whole process's, and a block that
    # another thread opens meanwhile (scikit-learn's check_array under a threading
    # backend) would restore them, ignoring every warning from then on. A torch loss that
    # compares equal shapes (MSELoss) warns of broadcasting before the error below.
    try:
        out = {r: loss(logits, target, reduction=r) for r in shapes}
        out["none"].sum().backward()
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError) as exc:
        raise ValueError(
            f"loss={value!r} cannot score logits against class labels "
            f"({type(exc).__name__}: {exc}): {advice}."
        ) from exc
    for reduction, shape in shapes.items():
        got = tuple(getattr(out[reduction], "shape", ()))
        if not isinstance(out[reduction], torch.Tensor) or got != shape:
            what = "one loss per sample" if reduction == "none" else "one number"
            raise ValueError(
                f"loss={value!r} returns losses of shape {got} for 2 samples with "
                f"reduction={reduction!r}, not {what}: {advice}."
            )


def _build_module(params, routed, loss, input_shape, n_classes, n_categories=()):
    value = params["module"]
    if value == "auto":
        value = auto_module(input_shape)
    from_data = {"n_features": int(np.prod(input_shape)), "n_classes": n_classes}
    if n_categories:
        from_data["n_categories"] = tuple(n_categories)
        given = tuple(int(n) for n in routed.get("n_categories", n_categories))
        if given != from_data["n_categories"]:
            # The codes mean what the encoding says: another count would read a missing
            # or unseen category as a category, or the codes as a number.
            raise ValueError(
                f"module__n_categories={given!r} does not match the categorical columns "
                "of X: fit encodes them as codes with n_categories="
                f"{from_data['n_categories']} (the numbers of categories of "
                "column_encoder_). Drop module__n_categories, which fit fills in."
            )
    if len(input_shape) == 3:
        from_data["in_channels"] = input_shape[0]
    # A registered module, by name or as its class (module=MLP is module="mlp"), gets the
    # head the loss trains on.
    registered = isinstance(value, str) or any(
        lookup("module", name) is value for name in names("module")
    )
    if registered:
        from_data["head"] = "cosine" if loss.uses_cosine_logits else "linear"
        if loss.requires_cosine_head and routed.get("head", "cosine") != "cosine":
            raise ValueError(
                f"loss={params['loss']!r} trains on cosine logits, but "
                f"module__head={routed['head']!r}; drop module__head or set it to 'cosine'."
            )
    # Each may be set instead (module__head="cosine", module__in_channels for a module
    # that adapts its inputs).
    module = build_component("module", value, routed, from_data=from_data, settable=True)
    # An instance, or a class of one's own, comes with its head: the shipped modules
    # name its kind in head_kind; another module's is cosine if it holds a CosineLinear.
    head_kind = _head_kind(module)
    if head_kind is None and loss.uses_cosine_logits:
        _check_own_head_for_cosine_logits(params["loss"], loss, value)
    elif loss.requires_cosine_head and head_kind != "cosine":
        taken, takes_any = accepted_parameters(type(module))
        if isinstance(value, torch.nn.Module):
            fix = "build it with head='cosine'"
        elif takes_any or "head" in taken:
            fix = "set module__head='cosine'"
        else:
            # A subclass whose __init__ fixes the head: module__head would be refused.
            fix = (
                f"have {type(module).__name__}.__init__ pass head='cosine' on to its base "
                "class (it takes no head argument that module__head could set)"
            )
        raise ValueError(
            f"loss={params['loss']!r} trains on cosine logits, but module="
            f"{param_repr(value)} has the head {head_kind!r}: {fix}."
        )
    return module


def _head_kind(module):
    """``"cosine"`` or ``"linear"`` for the shipped modules and their subclasses (their
    ``head_kind``), ``"cosine"`` for another module that holds a
    :class:`~sklearn_imbalance_dl.modules.CosineLinear`, None when it cannot be told."""
    if hasattr(module, "head_kind"):
        return module.head_kind
    if any(isinstance(layer, CosineLinear) for layer in module.modules()):
        return "cosine"
    return None


def _check_own_head_for_cosine_logits(name, loss, value):
    """A module of one's own without a cosine head, under a loss that scales cosines:
    its outputs are logits of any size, which the loss (and predict_proba) would
    multiply by ``s``."""
    fix = (
        "end the module with sklearn_imbalance_dl.modules.CosineLinear, or, if its "
        "outputs are cosines already, give it the attribute head_kind = 'cosine'"
    )
    what = (
        f"loss={param_repr(name)} trains on cosine logits in [-1, 1], scaled by s="
        f"{loss.logit_scale:g}, but module={param_repr(value)} has no CosineLinear head"
    )
    if loss.requires_cosine_head:
        raise ValueError(f"{what}: {fix}.")
    warnings.warn(
        f"{what}: its logits, multiplied by s, make the loss and predict_proba much "
        f"sharper than they would be on cosines. To train on cosines, {fix}.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _check_module_output(value, module, input_shape, n_classes, dataset=False):
    """One forward pass on zeros, so that a shape mismatch fails here, clearly; and
    something to train (torch's optimizers refuse an empty parameter list, and a loss
    without a gradient cannot go backward). ``dataset``: the samples are the items of a
    torch Dataset, which gets its own advice."""
    name = param_repr(value)
    if not any(parameter.requires_grad for parameter in module.parameters()):
        raise ValueError(
            f"module={name} has no trainable parameters (none with "
            "requires_grad=True): there is nothing for the fit to train."
        )
    probe = torch.zeros((2, *input_shape), dtype=parameter_dtype(module))
    try:
        with _probing(module):
            out = module(probe)
    except (RuntimeError, ValueError, TypeError) as exc:
        hint = ""
        if len(input_shape) == 2 and dataset:
            hint = (
                " If the Dataset X holds grayscale images of shape (height, width), give "
                "them a channel axis in __getitem__: image[None] (torchvision's "
                "transforms.ToTensor() gives (1, height, width) for a grayscale PIL image)."
            )
        elif len(input_shape) == 2:
            hint = (
                " If X holds grayscale images of shape (n_samples, height, width), give "
                "them a channel axis: X[:, None]."
            )
        raise ValueError(
            f"module={name} cannot take samples of shape {input_shape} (tried on a "
            f"batch of 2: {exc}).{hint}"
        ) from exc
    if not isinstance(out, torch.Tensor):
        raise ValueError(
            f"module={name} returns a {type(out).__name__} from forward, but the estimator "
            "needs one tensor of logits of shape (n_samples, n_classes): return the logits "
            "alone (e.g. from a wrapper module whose forward returns module(x)[0])."
        )
    if out.ndim != 2 or out.shape[1] != n_classes:
        raise ValueError(
            f"module={name} returns outputs of shape {tuple(out.shape)} for 2 samples; "
            f"expected (2, {n_classes}): one logit per class of y (but for a class "
            "whose rows all weigh 0, which the network is not trained on)."
        )
    if out.shape[0] != len(probe):
        raise ValueError(
            f"module={name} returns outputs of shape {tuple(out.shape)} for 2 samples; "
            f"expected (2, {n_classes}): one row of logits per sample (a reshape such as "
            "x.view(-1, k) with k not the number of features per sample moves values "
            "between rows; x.flatten(1) keeps one row per sample)."
        )


def _readers_inside(params, module, mixing):
    """What in this fit runs the module as ``head(stages(x))`` rather than ``forward(x)``:
    ``(trainers, reporters)``, the names of what trains through it and of what reports
    on its features."""
    trainers = []
    layer = getattr(mixing, "layer", "input")
    if layer not in ("input", 0):  # point 0 mixes the inputs, then calls forward
        trainers.append(f"mixing={params['mixing']!r} at layer={layer!r}")
    if hasattr(getattr(module, "head", None), "member_logits"):
        trainers.append("the head's member_logits")
    reporters = []
    for callback in params["callbacks"] or ():
        callback = callback[1] if isinstance(callback, tuple) else callback
        if getattr(callback, "reads_penultimate_features", False):
            reporters.append(type(callback).__name__)
    return trainers, reporters


def _check_staged_rule(params, module, X_train, schedule, mixing):
    """A module of one's own that the fit runs through its stages and head must keep
    ``forward(x) == head(stages(x))``: training would otherwise fit one network and
    predict with another, silently. Checked on a few training rows in evaluation mode.
    Re-training the head (cRT, MiSLAS) goes through ``forward`` with the stages frozen:
    it needs every parameter inside the stages or the head instead."""
    if isinstance(params["module"], str) or not is_staged(module):
        return  # the package's modules keep the rule by construction (tested)
    if schedule is not None and schedule.extra_epochs:
        _check_retrained_head(params, module)
    trainers, reporters = _readers_inside(params, module, mixing)
    if not trainers and not reporters:
        return  # a fit that only calls forward does not depend on the rule
    rows = _first_inputs(X_train, 8).to(device="cpu", dtype=parameter_dtype(module))
    rule = (
        f"module {type(module).__name__} exposes 'stages' and 'head', and "
        f"{' and '.join(trainers + reporters)} runs it through them, but its forward(x) "
        "is not head(stages[-1](...stages[0](x)))"
    )
    consequence = (
        "the fit would train one network and predict with another"
        if trainers
        else f"{' and '.join(reporters)} would report on another network than the one that predicts"
    )
    advice = (
        "Move what forward does outside them (a stem, a flattening, a final norm, a "
        "scaling) into the first stage or the head."
    )
    with _probing(module):
        direct = module(rows)
        try:
            staged, _ = forward_staged(module, rows)
        except (RuntimeError, ValueError, TypeError) as exc:
            raise ValueError(f"{rule}: head(stages(x)) fails ({exc}). {advice}") from exc
    if staged.shape != direct.shape:
        differ = f"have shapes {tuple(direct.shape)} and {tuple(staged.shape)}"
    elif not torch.allclose(direct, staged, rtol=1e-4, atol=1e-5):
        differ = f"differ by up to {(direct - staged).abs().max().item():.3g}"
    else:
        return
    raise ValueError(
        f"{rule}: on {len(rows)} training rows the logits {differ}, so {consequence}. {advice}"
    )


def _check_retrained_head(params, module):
    """Refuse parameters outside ``stages`` and ``head``: re-training freezes the one and
    re-trains the other, so they would go on training beside the head. A head without
    parameters leaves nothing to re-train."""
    if not any(True for _ in module.head.parameters()):
        raise ValueError(
            f"schedule={params['schedule']!r} freezes the 'stages' of module "
            f"{type(module).__name__} and re-trains its 'head', but the head has no "
            "parameters, so nothing would train: move the classifier layer (the last "
            "linear layer) from the stages into the head."
        )
    inside = {id(p) for part in (module.stages, module.head) for p in part.parameters()}
    outside = [name for name, p in module.named_parameters() if id(p) not in inside]
    if outside:
        raise ValueError(
            f"schedule={params['schedule']!r} freezes the 'stages' of module "
            f"{type(module).__name__} and re-trains its 'head', but its parameter(s) "
            f"{first_few(outside)} are in neither, so they would go on "
            "training beside the head: move them into a stage or the head."
        )


@contextlib.contextmanager
def _probing(module):
    """Evaluation mode without gradients for a forward pass that checks the module: no
    batch-norm update and no dropout draw, so the seed's stream is intact."""
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        module.train(was_training)


def _first_inputs(X_train, n):
    """The first ``n`` training inputs as a float32 tensor; a Dataset's items are read
    (it is not read through: it may load lazily)."""
    if isinstance(X_train, Dataset):
        first = item_input(X_train[0], 0)
        rest = [item_input(X_train[i], i, first.shape) for i in range(1, min(len(X_train), n))]
        return torch.stack([first, *rest])
    return torch.as_tensor(np.asarray(X_train[:n]), dtype=torch.float32)


def _warn_unused_routed(params, routed):
    """Routed parameters of a component switched off (``schedule=None``, ...) do nothing:
    say so (a misspelt component parameter would otherwise pass unseen too). Not an
    error, so that a grid may search over the component and its parameters together."""
    for kind in ("schedule", "mixing", "weight_averaging"):
        unused = sorted(routed(kind))
        if params[kind] is None and unused:
            warnings.warn(
                f"{', '.join(f'{kind}__{name}' for name in unused)} ignored: {kind}=None.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )


def _build_optional(kind, params, routed, base, expected):
    """The optional component ``kind`` (None when not set), checked to be a ``base``."""
    if params[kind] is None:
        return None
    component = build_component(kind, params[kind], routed)
    if not isinstance(component, base):
        raise ValueError(f"{kind} must be {expected}; got {type(component).__name__}.")
    return component


def _build_schedule(params, routed, counts, row_counts):
    expected = "a name or a sklearn_imbalance_dl.schedules.Schedule"
    schedule = _build_optional("schedule", params, routed, Schedule, expected)
    if schedule is None:
        return None
    # A schedule that draws the batches draws by the labels, as a sampler does: its
    # proportions are those of the rows, and sample weights multiply the loss on top
    # (with the weighted counts, weights would count twice before it balances anything).
    counts = row_counts if schedule.resamples else counts
    schedule = schedule.bind(counts, params["max_epochs"])
    _check_class_weights(params, schedule, counts)
    _check_class_probabilities(params, schedule, counts)
    return schedule


def _called_per_epoch(params, schedule, method, epoch):
    """``schedule.<method>(epoch)``, a call of another signature named."""
    try:
        return getattr(schedule, method)(epoch)
    except TypeError as error:
        if "positional argument" not in str(error):  # a fault inside it is its own
            raise
        raise ValueError(
            f"schedule={params['schedule']!r}: {method} is called as "
            f"{method}(epoch), the 0-based epoch ({error})."
        ) from error


def _check_class_probabilities(params, schedule, counts):
    """The class probabilities a schedule that draws the batches gives, epoch by epoch
    (``class_probabilities``, when it has one), checked before training as its class
    weights are; warns, as for those, when no epoch moves them off the proportions."""
    if not (schedule.resamples and hasattr(schedule, "class_probabilities")):
        return
    for epoch in range(params["max_epochs"]):
        probabilities = _called_per_epoch(params, schedule, "class_probabilities", epoch)
        what = f"schedule={params['schedule']!r}: class_probabilities({epoch}) must return"
        check_class_probabilities(probabilities, len(counts), what=what)
    if first_resampled_epoch(schedule, params["max_epochs"]) is None:
        _warn_never_switched_on(params, schedule, counts, "moves the batches toward balance")


def _check_class_weights(params, schedule, counts):
    """The class weights a re-weighting schedule sets, epoch by epoch, checked before
    training: a tensor of shape ``(n_classes,)``, finite and non-negative, not all zero, or
    None.

    Warns when no epoch moves them off uniform: its phases are fractions of
    ``max_epochs`` rounded to epochs (DRW's ``start=0.8`` of 2 epochs is epoch 2, after
    the fit), as a learning-rate warm-up longer than the fit: short trial runs of a
    recipe are common.
    """
    if not (schedule.reweights and _sets_class_weights(schedule)):
        return
    n_classes = len(counts)
    for epoch in range(params["max_epochs"]):
        weights = _called_per_epoch(params, schedule, "class_weights", epoch)
        if weights is None:
            continue
        try:
            weights = torch.as_tensor(weights, dtype=torch.float64)
            valid = weights.shape == (n_classes,) and valid_class_weights(weights)
        except (TypeError, ValueError, RuntimeError):
            valid = False
        if not valid:
            raise ValueError(
                f"schedule={params['schedule']!r}: class_weights({epoch}) must return None "
                f"or {n_classes} finite, non-negative class weights, not all zero (a tensor "
                f"of shape ({n_classes},)), one per class in the order of classes_."
            )
    if first_reweighted_epoch(schedule, params["max_epochs"]) is None:
        _warn_never_switched_on(params, schedule, counts, "re-weights the classes")


def _warn_never_switched_on(params, schedule, counts, does):
    """Warn that no epoch of the fit reaches the phase where ``schedule`` ``does`` what
    it does (balanced classes excepted: there it has nothing to do)."""
    if _all_equal(np.asarray(counts, dtype=np.float64)):
        return
    start = " (schedule__start)" if "start" in schedule.get_params() else ""
    warnings.warn(
        f"schedule={params['schedule']!r} {does} from a fraction of "
        f"max_epochs{start} that no epoch of max_epochs={params['max_epochs']} "
        "reaches: the fit trains as without the schedule. Train for more epochs"
        + (", or lower schedule__start." if start else "."),
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _sets_class_weights(schedule):
    """Whether the schedule's weights can be read from ``class_weights``: a schedule of
    one's own may set them otherwise."""
    return type(schedule).class_weights is not Schedule.class_weights


def _reweights_within(schedule, n_epochs):
    """Whether a re-weighting schedule moves the class weights within ``n_epochs`` (one
    that never switches on is warned about on its own)."""
    if not schedule.reweights:
        return False
    return (
        not _sets_class_weights(schedule) or first_reweighted_epoch(schedule, n_epochs) is not None
    )


def _resamples_within(schedule, n_epochs):
    """Whether a schedule that draws the batches moves them off the training proportions
    within ``n_epochs`` (one that never does is warned about on its own)."""
    if not schedule.resamples:
        return False
    return (
        not hasattr(schedule, "class_probabilities")
        or first_resampled_epoch(schedule, n_epochs) is not None
    )


def first_reweighted_epoch(schedule, n_epochs):
    """The first 0-based epoch of ``n_epochs`` whose class weights a re-weighting
    schedule moves off uniform; None if none does."""
    for epoch in range(n_epochs):
        weights = schedule.class_weights(epoch)
        if weights is not None and not _all_equal(torch.as_tensor(weights).cpu().double().numpy()):
            return epoch
    return None


def first_resampled_epoch(schedule, n_epochs):
    """The first 0-based epoch of ``n_epochs`` whose class probabilities a schedule that
    draws the batches (``class_probabilities``) moves off the training proportions; None
    if none does, or if the schedule has no class probabilities to read."""
    if not hasattr(schedule, "class_probabilities"):
        return None
    counts = torch.as_tensor(schedule.class_counts_, dtype=torch.float64)
    proportions = (counts / counts.sum()).numpy()
    for epoch in range(n_epochs):
        probabilities = torch.as_tensor(schedule.class_probabilities(epoch)).cpu().double()
        probabilities = probabilities / probabilities.sum()  # relative chances
        if not np.allclose(probabilities.numpy(), proportions, rtol=1e-6, atol=0):
            return epoch
    return None


def _all_equal(values):
    """Equal up to float rounding (weighted class counts that balance sum in float32)."""
    return bool(np.allclose(values, values[0], rtol=1e-6, atol=0))


def ignored_parameters(kind, value):
    """Routed parameters the component ``value`` of ``kind`` takes but does not read:
    the steps of ``lr_schedule="warmup_step"`` under the other learning-rate schedules
    (one class serves the three names)."""
    if kind == "lr_schedule" and value != "warmup_step":
        return {"milestone_fractions", "factors"}
    return set()


def _build_lr_schedule(value, kind, routed):
    """The learning-rate schedule of the name ``value`` (``kind`` once "auto" is resolved)."""
    if "kind" in routed:
        raise ValueError(
            f"lr_schedule__kind={routed['kind']!r} cannot be set: the name "
            f"lr_schedule={value!r} chooses the schedule. Set "
            f"lr_schedule={routed['kind']!r} instead."
        )
    steps = sorted(ignored_parameters("lr_schedule", kind) & set(routed))
    if steps:
        warnings.warn(
            f"{', '.join(f'lr_schedule__{k}' for k in steps)} ignored: they place the steps "
            f"of lr_schedule='warmup_step', and the schedule is {kind!r}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return build_component("lr_schedule", kind, routed, from_data={"kind": kind})


def _check_lr_factors(name, lr_schedule, n_epochs):
    """The rate factor of every main epoch, checked before training: a learning-rate
    schedule of one's own that returns something else than a finite number >= 0 fails
    here, named, not inside the first step or silently (a negative rate trains uphill)."""
    for epoch in range(n_epochs):
        factor = lr_schedule.factor(epoch)
        if isinstance(factor, torch.Tensor) and factor.numel() == 1:
            factor = factor.item()
        if not (
            isinstance(factor, numbers.Real)
            and not isinstance(factor, bool)
            and math.isfinite(factor)
            and factor >= 0
        ):
            raise ValueError(
                f"lr_schedule={name!r}: factor({epoch}) returned {factor!r}; it must return "
                "a finite number >= 0, the multiplier of lr at that 0-based epoch."
            )


def _build_mixing(params, routed, schedule, module):
    brought = schedule.mixing() if schedule is not None else None
    if brought is not None:
        if not isinstance(brought, Mixing):
            raise ValueError(
                f"schedule={params['schedule']!r}: mixing() returned {brought!r}; it must "
                "return None or a mixing instance (a sklearn_imbalance_dl.mixing.Mixing, "
                "e.g. Mixup(alpha=0.2))."
            )
        if params["mixing"] is not None:
            raise ValueError(
                f"schedule={params['schedule']!r} brings its own mixing ({brought!r}), so "
                f"mixing={params['mixing']!r} cannot be added; set mixing=None, or use "
                "schedule='ppw' (the re-weighting alone) with this mixing."
            )
        return brought
    if params["mixing"] is None:
        return None
    mixing = build_component("mixing", params["mixing"], routed)
    # Point 0 is the input itself, which any module can be mixed at.
    if getattr(mixing, "layer", "input") not in ("input", 0) and not is_staged(module):
        raise ValueError(
            f"mixing={params['mixing']!r} mixes at layer={mixing.layer!r}, which needs a "
            "module exposing 'stages' and 'head' (the staged-module protocol of "
            f"sklearn_imbalance_dl.modules); module={param_repr(params['module'])} does not. Use "
            "mixing__layer='input' or a staged module."
        )
    return mixing


def _build_weight_averaging(params, routed):
    expected = "'ema', 'swa' or a sklearn_imbalance_dl.callbacks.WeightAveraging"
    averaging = _build_optional("weight_averaging", params, routed, WeightAveraging, expected)
    if averaging is None:
        return None
    stopper = _early_stopper(params, restoring=True)
    if stopper:
        raise ValueError(
            f"weight_averaging={params['weight_averaging']!r} predicts with the average of "
            f"the last epochs' weights, {stopper} with the best epoch's: use one."
        )
    averaging = averaging.bind(params["max_epochs"])
    if isinstance(averaging, SWA) and averaging.n_epochs_ - averaging.start_epoch_ < 2:
        warnings.warn(
            f"weight_averaging={params['weight_averaging']!r} averages the weights of the "
            f"epochs from {averaging.start_epoch_ + 1} of max_epochs={params['max_epochs']} "
            "on: one epoch, so the average is the last weights (with batch-norm statistics "
            "recomputed). Train for more epochs, or lower weight_averaging__start.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return averaging


def _early_stopper(params, restoring=False):
    """How to name what may end the fit early or restore an earlier epoch at its end
    (``early_stopping=True``, a skorch ``EarlyStopping`` or ``Checkpoint(load_best=True)``
    in ``callbacks``), or None.

    ``restoring``: only what restores an earlier epoch's weights at the end of the fit
    (``early_stopping=True`` does; a callback with ``load_best=True``).
    """
    if params["early_stopping"]:
        return "early_stopping=True"
    for callback in params["callbacks"] or ():
        callback = callback[1] if isinstance(callback, tuple) else callback
        if isinstance(callback, EarlyStopping) and (callback.load_best or not restoring):
            return f"callbacks: EarlyStopping(load_best={callback.load_best})"
        if isinstance(callback, Checkpoint) and callback.load_best:
            return "callbacks: Checkpoint(load_best=True)"
    return None


def balances_by_class_counts(loss):
    """Whether the loss rebalances the classes by the counts of ``y`` (fixed in ``fit``).

    ``weighted_ce``, ``class_balanced``, ``logit_adjusted``, ``balanced_softmax`` and
    ``arb`` with ``counts="global"``. ARB's default, ``counts="batch"``, balances by
    the counts of each batch, which follow whatever sampler drew it.
    """
    return bool(loss.reweights_classes) and getattr(loss, "counts", "global") != "batch"


def _check_double_balancing(params, loss, schedule, sampler_balances=None):
    """Warn when two parts of the fit balance the classes (:func:`_balancings`): the
    first of them named with each of the others.

    The first is a balancing loss or re-weighting schedule, else the batches' balancing;
    a second one is the batches' (a balancing sampler, or the phased sampler) or the
    post-hoc logit adjustment (``posthoc_tau``), which also warns after the balanced
    re-training of cRT or MiSLAS. Each corrects the class imbalance on its
    own; together they over-correct toward the rare classes (logit adjustment with
    class-balanced batches subtracts the log prior that the batches no longer carry).
    This warns rather than refuses: measured on ten KEEL binary tables with a 2-5 %
    minority, the double correction by a sampler raised the mean balanced accuracy
    (0.833 against 0.818) but lowered it on three tables, so it is a setting to choose
    knowingly, not a mistake to forbid. (cRT's class-balanced re-training on such a
    loss lost on every table, and is refused in :func:`_check_combinations`.)
    """
    balancings = _balancings(params, loss, schedule, sampler_balances)
    if len(balancings) < 2:
        return
    (first, drop_first, this_first), *others = balancings
    for second, drop_second, this_second in others:
        warnings.warn(
            f"{first}, and {second}: the classes are balanced twice, which over-corrects "
            f"toward the rare classes. To balance once, use {drop_first} with "
            f"{this_second}, or {drop_second} with {this_first}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _balancings(params, loss, schedule, sampler_balances=None):
    """``(what it does, the setting without it, how to name it)`` of each part of the fit
    that balances the classes: the loss or a re-weighting schedule, the batches (a
    sampler, a schedule that draws them, or the re-training batches of cRT and MiSLAS),
    the post-hoc adjustment. An imbalanced-learn sampler counts when its draw removes at
    least a quarter of the class imbalance (``sampler_balances``, from
    :func:`_share_balanced`): the square-root sampler removes half; cleaning samplers
    (TomekLinks, EditedNearestNeighbours) a few percent."""
    balancings = []
    if balances_by_class_counts(loss):
        balancings.append(
            (
                f"loss={params['loss']!r} already balances the classes (from the class "
                "counts of y)",
                "loss='ce' (or 'focal', 'ldam')",
                "this loss",
            )
        )
    elif schedule is not None and _reweights_within(schedule, params["max_epochs"]):
        balancings.append(
            (
                f"schedule={params['schedule']!r} re-weights the classes",
                "schedule=None",
                "this schedule",
            )
        )
    sampler = params["sampler"]
    if schedule is not None and schedule.resamples:  # the user's sampler is refused beside it
        if _resamples_within(schedule, params["max_epochs"]):
            balancings.append(
                (
                    f"schedule={params['schedule']!r} draws batches moving to class-balanced",
                    "schedule=None",
                    "this schedule",
                )
            )
    elif not isinstance(sampler, str):
        if sampler_balances is None or sampler_balances >= 0.25:
            shown = type(sampler).__name__ + "(...)"
            removes = (
                ""
                if sampler_balances is None
                else f" (a draw removes {sampler_balances:.0%} of the imbalance, in log ratio)"
            )
            balancings.append(
                (
                    f"sampler={shown} resamples the classes toward balance every epoch{removes}",
                    "sampler='instance'",
                    "this sampler",
                )
            )
    elif lookup("sampler", sampler) > 0:  # q = 0 draws every row alike: no balancing
        balancings.append(
            (f"sampler={sampler!r} {_sampler_draws(sampler)}", "sampler='instance'", "this sampler")
        )
    retraining = _retraining_sampler(schedule)
    if retraining in names("sampler") and not balancings and lookup("sampler", retraining) > 0:
        # The head that predicts is re-trained on these batches. Beside a balancing loss
        # they are refused (cRT) or train a loss of their own (MiSLAS), so they count here
        # only when nothing else balances: with the post-hoc adjustment.
        balancings.append(
            (
                f"schedule={param_repr(params['schedule'])} re-trains the classifier on "
                f"batches drawn {retraining!r} (schedule__sampler) after the main epochs",
                "schedule=None",
                "this schedule",
            )
        )
    if params["posthoc_tau"]:
        balancings.append(
            (
                f"posthoc_tau={params['posthoc_tau']!r} removes the prior again at predict time",
                "posthoc_tau=None",
                "posthoc_tau",
            )
        )
    return balancings


def _retraining_sampler(schedule):
    """The sampler of the batches on which a re-training schedule (cRT, MiSLAS) trains
    the classifier after the main epochs, or None."""
    if schedule is None or not schedule.extra_epochs:
        return None
    if isinstance(schedule, MiSLASRetraining):
        return schedule.sampler
    return schedule.loss_resampled_by


def _sampler_draws(name):
    """What the batches of the sampler ``name`` are: a sample of class c drawn with
    probability proportional to ``n_c ** -q``, so each class in proportion to
    ``n_c ** (1 - q)``."""
    q = lookup("sampler", name)
    if q == 1:
        return "draws class-balanced batches"
    if q == 0.5:
        return "draws batches flattened toward balance (square-root)"
    share = f"class c in proportion to n_c ** {1 - q:g}"
    if q < 1:
        return f"draws batches flattened toward balance ({share})"
    return f"draws batches past balance, the rare classes the most ({share})"


def _copy_for_the_fit(callback):
    """A deep copy, since skorch initialises callbacks and a fit must leave its
    parameters as they were; a callback that cannot be copied (it holds an open file,
    a lock, a logging client as skorch's TensorBoard does, or a tensor of a graph) is
    used as it is."""
    try:
        return copy.deepcopy(callback)
    except (TypeError, RuntimeError, copy.Error, pickle.PicklingError):
        return callback


def _check_user_callback(callback, params):
    """Refuse a callback the fit cannot run, before training, saying what to do instead."""
    if isinstance(callback, type) and issubclass(callback, Callback):
        raise ValueError(
            f"callbacks: {callback.__name__} is a class; pass an instance "
            f"({callback.__name__}(...))."
        )
    if not isinstance(callback, Callback):
        raise ValueError(
            "callbacks must hold skorch callbacks (instances of skorch.callbacks.Callback) "
            f"or (name, callback) pairs; got {callback!r}."
        )
    if isinstance(callback, WeightAveraging):
        raise ValueError(
            f"callbacks: {type(callback).__name__} averages the weights through the "
            f"estimator's own parameter: pass weight_averaging={type(callback).__name__}"
            "(...) instead."
        )
    if isinstance(callback, Schedule):
        raise ValueError(
            f"callbacks: {type(callback).__name__} is a schedule, which the fit binds to "
            f"its epochs and loss through the estimator's own parameter: pass schedule="
            f"{type(callback).__name__}(...) instead."
        )
    if isinstance(callback, LRSchedule):
        raise ValueError(
            f"callbacks: {type(callback).__name__} is a learning-rate schedule, which the "
            "fit binds to its epochs through the estimator's own parameter: pass "
            f"lr_schedule={callback.kind!r} (its other parameters as lr_schedule__*) instead."
        )
    if isinstance(callback, LRScheduler):
        raise ValueError(
            "callbacks: skorch's LRScheduler steps the learning rate, which the estimator's "
            "lr_schedule sets again at the start of every epoch: its steps would be undone. "
            "Choose the schedule with lr_schedule ('constant', 'cosine', 'warmup_step') and "
            "lr_schedule__*, or register an LRSchedule subclass of your own "
            "(sklearn_imbalance_dl.register('lr_schedule', name))."
        )
    if isinstance(callback, LoadInitState):
        raise ValueError(
            "callbacks: skorch's LoadInitState resumes training from a checkpoint, its "
            "history included: the fit would train max_epochs more epochs after those "
            "loaded, past the epochs that lr_schedule, schedule, mixing and "
            "weight_averaging are laid out on. Each fit trains from the start over its "
            "own max_epochs. To keep a trained model, pickle the fitted estimator; a "
            "Checkpoint's files load into a fitted one with "
            "clf.net_.load_params(checkpoint=...)."
        )
    restores = isinstance(callback, (Checkpoint, EarlyStopping)) and callback.load_best
    if restores and params["early_stopping"]:
        name = type(callback).__name__
        without = (
            "keeps the files without restoring"
            if isinstance(callback, Checkpoint)
            else "stops without restoring"
        )
        raise ValueError(
            f"callbacks: {name}(load_best=True) restores the epoch of its own best "
            "score at the end of the fit, and early_stopping=True the epoch of the best "
            f"validation balanced accuracy (best_epoch_): use one ({name}(load_best=False) "
            f"{without})."
        )
    monitor = getattr(callback, "monitor", None)
    if (
        isinstance(callback, (EarlyStopping, Checkpoint))
        and isinstance(monitor, str)
        and monitor.startswith("valid_")
        and not params["validation_fraction"]
    ):
        if isinstance(callback, EarlyStopping):
            instead = (
                " (or early_stopping=True, which watches the validation balanced accuracy),"
                " or monitor 'train_loss'"
            )
        else:  # skorch's Checkpoint monitors 'valid_loss_best' unless told otherwise
            instead = ", or monitor 'train_loss_best'"
        raise ValueError(
            f"callbacks: {type(callback).__name__}(monitor={monitor!r}) needs a validation "
            f"set: set validation_fraction, e.g. 0.1{instead}."
        )
    if (
        isinstance(callback, EarlyStopping)
        and monitor == "valid_balanced_accuracy"
        and callback.lower_is_better
    ):
        raise ValueError(
            "callbacks: EarlyStopping(monitor='valid_balanced_accuracy') with skorch's "
            "default lower_is_better=True counts a rise of the accuracy as no improvement, "
            "and stops the fit as it improves: pass lower_is_better=False, or use "
            "early_stopping=True, which watches it."
        )
    if isinstance(callback, ScoringBase):
        raise ValueError(
            f"callbacks: skorch's {type(callback).__name__} cannot score this estimator's "
            "net: its batches carry sample weights and its labels are the class indices "
            "0 .. n_classes - 1, which skorch's scorers do not read. The net records the "
            "validation balanced accuracy of each epoch itself (validation_fraction > 0: "
            "net_.history[:, 'valid_balanced_accuracy']); for other scores, "
            "cross-validate the estimator (sklearn.model_selection.cross_validate) or "
            "write a callback that reads net.history."
        )


def mixes_input(mixing):
    """Whether ``mixing`` (a built component, or None) may mix the inputs themselves."""
    if mixing is None:
        return False
    # "random" draws a point among the input and the hidden layers.
    layer = getattr(mixing, "layer", "input")
    return isinstance(layer, str) and layer in ("input", "random") or layer == 0


def _check_categorical_mixing(params, mixing, n_categories):
    """Mixing at the input would average category codes, which mean nothing halfway."""
    if not n_categories or not mixes_input(mixing):
        return
    layer = getattr(mixing, "layer", "input")
    if params["mixing"] is None:  # brought by the schedule (PPL's PPmix, at the input)
        raise ValueError(
            f"schedule={params['schedule']!r} mixes the inputs (PPmix), but X has "
            "categorical columns, whose codes cannot be averaged. Use schedule='ppw' (the "
            "re-weighting alone), with mixing='remix', mixing__layer=1 if you want mixing."
        )
    raise ValueError(
        f"mixing={params['mixing']!r} mixes at layer={layer!r}, which includes the input, "
        "but X has categorical columns, whose codes cannot be averaged. Mix after the "
        "first layer, where the categories are embedded: mixing__layer=1 or 'penultimate'."
    )


@dataclass(frozen=True)
class _AutoDecay:
    """``weight_decay="auto"`` on the tabular default: the head decays at 1e-4 and every
    other parameter at 10, or at ``1 / sum_t lr_t`` where that is less, the rates of the
    fit's steps summed: the learning-rate schedule's, and in SWA's window its own
    (``weight_averaging__lr``). cRT's and MiSLAS's extra epochs are not counted: they
    train the head alone."""

    steps_per_epoch: int
    factors: tuple  # the learning-rate schedule's factor of each main epoch
    swa: SWA | None  # weight averaging that sets its own rates, if any
    head_pattern = "head.*"

    def total_rate(self, lr):
        """The sum of the rates of the fit's steps, for parameters trained at ``lr``."""
        scheduled = len(self.factors) if self.swa is None else self.swa.start_epoch_
        total = lr * (self.steps_per_epoch * sum(self.factors[:scheduled]))
        if self.swa is not None:
            at_start = lr * self.factors[scheduled]
            window = range(scheduled, len(self.factors))
            total += self.steps_per_epoch * sum(self.swa.rate(e, at_start) for e in window)
        return total

    def body(self, lr):
        """The body's decay for parameters trained at the rate ``lr``."""
        total_rate = self.total_rate(lr)
        if total_rate <= 0:
            return _TABULAR_BODY_WEIGHT_DECAY
        return min(_TABULAR_BODY_WEIGHT_DECAY, _TABULAR_MAX_TOTAL_DECAY / total_rate)

    def of(self, name, lr):
        """The decay of the parameter ``name`` trained at the rate ``lr``."""
        return _DEFAULT_WEIGHT_DECAY if fnmatch.fnmatch(name, self.head_pattern) else self.body(lr)


def _weight_decay(params, module, loss, lr_schedule, averaging, n_samples):
    """The optimizer's weight decay, and the automatic decay (an :class:`_AutoDecay`)
    where ``"auto"`` decays parameters differently, else None. ``averaging``: the bound
    weight averaging or None (SWA may set its own rates).

    A float ``weight_decay`` applies to every parameter. ``"auto"`` is 1e-4, except on
    :class:`~.modules.TabularNet` with the logit-adjusted loss and AdamW. The cap holds
    for AdamW's decoupled decay; under SGD's momentum (0.9, SAM's base too) the same
    decay would shrink the weights about ten times further.
    """
    value = params["weight_decay"]
    if value != "auto":
        return value, None
    optimizer = params["optimizer"]
    if isinstance(optimizer, str):
        optimizer = lookup("optimizer", optimizer)
    adamw = isinstance(optimizer, type) and issubclass(optimizer, torch.optim.AdamW)
    if not (adamw and isinstance(module, TabularNet) and isinstance(loss, LogitAdjustedLoss)):
        return _DEFAULT_WEIGHT_DECAY, None
    steps_per_epoch = math.ceil(n_samples / params["batch_size"])
    factors = tuple(float(lr_schedule.factor(e)) for e in range(params["max_epochs"]))
    swa = averaging if isinstance(averaging, SWA) and averaging.lr is not None else None
    auto = _AutoDecay(steps_per_epoch, factors, swa)
    return auto.body(params["lr"]), auto


def _with_auto_decay(groups, auto, module, lr):
    """The user's parameter groups under ``weight_decay="auto"``: a group that sets no
    ``weight_decay`` takes the automatic decay of its parameters (the body's at the
    group's own rate), instead of the optimizer-wide body decay; one that takes head and
    body parameters alike must set its own. A parameter belongs to the first group whose
    pattern it matches, as in skorch."""
    names = [name for name, _ in module.named_parameters()]
    claimed, resolved = set(), []
    for pattern, options in groups:
        taken = [n for n in names if n not in claimed and fnmatch.fnmatch(n, pattern)]
        claimed.update(taken)
        if "weight_decay" in options or not taken:
            resolved.append((pattern, options))
            continue
        rate = options.get("lr", lr)
        decays = {auto.of(name, rate) for name in taken}
        if len(decays) > 1:
            raise ValueError(
                f"optimizer__param_groups: the pattern {pattern!r} takes parameters of the "
                f"head and of the body, which weight_decay='auto' decays differently "
                f"({', '.join(f'{d:.3g}' for d in sorted(decays))}): give the group its "
                "own 'weight_decay', or set weight_decay to a number."
            )
        resolved.append((pattern, {**options, "weight_decay": decays.pop()}))
    return resolved


def _resolve_optimizer(params, routed, weight_decay, auto_decay, module):
    """The optimizer class and its keyword arguments (skorch builds it on the module).

    ``param_groups`` is skorch's: ``[(pattern, options), ...]`` gives the parameters
    whose names match ``pattern`` (fnmatch) their own optimizer options. The user's
    groups come first, then the head's under ``auto_decay`` (an :class:`_AutoDecay`):
    a parameter joins the first group whose pattern it matches.
    """
    value = params["optimizer"]
    if "params" in routed:
        raise ValueError(
            "optimizer__params cannot be set: the optimizer trains the module's "
            "parameters. To give some of them their own options, use "
            "optimizer__param_groups=[(pattern, {option: value}), ...], e.g. "
            "[('head.*', {'weight_decay': 0.0})]."
        )
    # The estimator's own lr and weight_decay size the schedule and the automatic
    # decay: the optimizer's copies of them would silently override both.
    for name, follows in (
        ("lr", "lr_schedule and weight_decay='auto' follow"),
        ("weight_decay", "the default's head and body groups follow"),
    ):
        if name in routed:
            raise ValueError(
                f"optimizer__{name}={routed[name]!r} would override {name}="
                f"{params[name]!r}, the estimator's own parameter (which {follows}): set "
                f"{name} instead, or optimizer__param_groups=[(pattern, {{'{name}': "
                "value})] for some parameters."
            )
    defaults = {"weight_decay": weight_decay}
    if isinstance(value, str):
        defaults.update(_OPTIMIZER_DEFAULTS.get(value, {}))
        # The momentum default is SGD's: SAM around another base optimizer gets none.
        base = routed.get("base_optimizer", defaults.get("base_optimizer"))
        if value == "sam" and base is not torch.optim.SGD:
            defaults.pop("momentum")
    if isinstance(value, type) and not issubclass(value, torch.optim.Optimizer):
        raise ValueError(
            f"optimizer={value!r} is not a torch.optim.Optimizer subclass: pass one "
            "(e.g. torch.optim.AdamW) or a registered name."
        )
    routed = dict(routed)
    groups = routed.pop("param_groups", None)
    _check_optimizer_options(component_class("optimizer", value), routed)
    cls, kwargs = resolve_component("optimizer", value, routed, from_data=defaults)
    _check_decay_taken(cls, kwargs, params["weight_decay"])
    groups = [] if groups is None else _check_param_groups(groups, cls)
    _check_optimizer_builds(value, cls, params["lr"], kwargs, groups, routed)
    if auto_decay is not None:
        groups = _with_auto_decay(groups, auto_decay, module, params["lr"])
        groups.append((auto_decay.head_pattern, {"weight_decay": _DEFAULT_WEIGHT_DECAY}))
    if groups:
        kwargs["param_groups"] = groups
    return cls, kwargs


def _check_decay_taken(cls, kwargs, weight_decay):
    """Refuse a weight decay the optimizer has no option for: it would not be applied.
    ``"auto"`` and 0 ask for none there. SAM passes its options on to its base
    optimizer, which decays or not: without the option, its ``weight_decay`` is dropped
    from ``kwargs`` (in place) for ``"auto"`` and 0."""
    decays, shown = cls, cls.__name__
    base = inspect.signature(cls).parameters.get("base_optimizer")
    if base is not None:
        decays = kwargs.get("base_optimizer", base.default)
        if not (isinstance(decays, type) and issubclass(decays, torch.optim.Optimizer)):
            return  # the optimizer refuses it when built
        shown = f"{cls.__name__} around {decays.__name__}"
    names, takes_any = accepted_parameters(decays)
    if takes_any or "weight_decay" in names:
        return
    if isinstance(weight_decay, str) or weight_decay == 0:
        kwargs.pop("weight_decay", None)
        return
    raise ValueError(
        f"weight_decay={weight_decay!r} cannot be applied: optimizer={shown} "
        "takes no weight_decay option. Set weight_decay=0 (or leave it at 'auto', which "
        "is none for such an optimizer), or use an optimizer that decays the weights, "
        "e.g. torch.optim.AdamW."
    )


def _check_optimizer_options(cls, routed):
    """Refuse an ``optimizer__*`` name the optimizer does not take, listing those it
    does: its own options (its defaults included), and ``param_groups``; not
    ``params``, ``lr`` or ``weight_decay``, which the estimator sets."""
    names, takes_any = accepted_parameters(cls)
    unknown = sorted(k for k in routed if k not in names and not takes_any)
    if unknown:
        valid = sorted(names - {"params", "lr", "weight_decay"}) + ["param_groups"]
        raise ValueError(
            f"optimizer__{unknown[0]} is not a parameter of {cls.__name__}. Valid "
            f"optimizer__ parameters: {', '.join(valid)}."
        )


def _check_optimizer_builds(value, cls, lr, kwargs, groups, given):
    """Build the optimizer once on a stand-in parameter, with its options and with each
    group's (torch checks a group's options only in the constructor), so that a bad
    value fails here, named, not at the first step inside torch. ``given``: the
    ``optimizer__*`` options the user set."""
    # The training step gives a closure to sharpness-aware optimizers (``first_step``).
    if steps_from_a_closure(cls) and not hasattr(cls, "first_step"):
        raise ValueError(
            f"optimizer={cls.__name__} needs a closure at every step (it re-evaluates the "
            "loss), which the estimator's training step does not give: use a first-order "
            "optimizer such as torch.optim.AdamW or SGD."
        )
    tries = [(f"the options {given}", {})] if given else [("its defaults", {})]
    tries += [(f"optimizer__param_groups's {p!r} options {o}", o) for p, o in groups]
    for which, options in tries:
        numbers = [
            v
            for value in {**given, **options}.values()
            for v in (value if isinstance(value, (tuple, list)) else (value,))
        ]
        if any(isinstance(v, float) and not math.isfinite(v) for v in numbers):
            raise ValueError(f"optimizer={value!r} got a value that is not finite in {which}.")
        stand_in = torch.zeros(1, requires_grad=True)
        try:
            cls([stand_in], **{"lr": lr, **kwargs, **options})
        except (ValueError, TypeError, IndexError, RuntimeError) as exc:
            # One full stop, whether the optimizer's message ends with one or not.
            reason = str(exc).rstrip(".")
            raise ValueError(
                f"optimizer={value!r} cannot be built with {which}: {reason}."
            ) from exc


def _check_param_groups(groups, cls):
    """``optimizer__param_groups`` as a list of ``(pattern, options)``, or a clear error."""
    names, takes_any = accepted_parameters(cls)
    form = "a list of (pattern, options) pairs, e.g. [('head.*', {'weight_decay': 0.0})]"
    if not isinstance(groups, (list, tuple)):
        raise ValueError(f"optimizer__param_groups must be {form}; got {groups!r}.")
    checked = []
    for group in groups:
        if not (isinstance(group, (list, tuple)) and len(group) == 2):
            raise ValueError(f"optimizer__param_groups must be {form}; got the item {group!r}.")
        pattern, options = group
        if not isinstance(pattern, str) or not isinstance(options, dict):
            raise ValueError(
                f"optimizer__param_groups must be {form}; got the item {group!r}, whose "
                "pattern is not a string or whose options are not a dict."
            )
        unknown = sorted(k for k in options if k == "params" or (k not in names and not takes_any))
        if unknown:
            valid = ", ".join(sorted(n for n in names if n != "params"))
            raise ValueError(
                f"optimizer__param_groups: {unknown[0]!r} (for {pattern!r}) is not an "
                f"option of {cls.__name__}. Valid options: {valid}."
            )
        checked.append((pattern, dict(options)))
    return checked


# Items of a Dataset read to check their pixel range: uint8 images in [0, 255] show it
# in any one of them.
_PIXEL_RANGE_ITEMS = 16


def _check_pixel_range(augment, X_train):
    """Training images outside the pixel values the (bound) augmentation works on.

    A component declares them as ``pixel_range``: an augmentation written for pixels
    in [0, 1] (or their standardised values) would turn uint8 images in [0, 255] into
    blank ones without an error. Checked once, on images in memory, and on the first
    items of a Dataset (read lazily, it is not read through for this).
    """
    expected = getattr(augment, "pixel_range", None)
    if not isinstance(expected, tuple):
        return
    if isinstance(X_train, Dataset):
        X_train = _first_inputs(X_train, _PIXEL_RANGE_ITEMS)
    if X_train.ndim != 4:
        return
    low, high = float(X_train.min()), float(X_train.max())
    tolerance = 1e-3 * (expected[1] - expected[0])
    if low < expected[0] - tolerance or high > expected[1] + tolerance:
        raise ValueError(
            f"augment={augment!r} works on pixel values in [{expected[0]:.3g}, "
            f"{expected[1]:.3g}], but the training images have values in [{low:.4g}, "
            f"{high:.4g}]; bring them into that range first (uint8 images: X / 255, then "
            "standardised per channel if the augmentation was given a mean and std)."
        )


def _check_augment_channels(augment, input_shape):
    """Images of another channel count than the augmentation's per-channel statistics."""
    channels = getattr(augment, "n_channels", None)
    if channels is not None and len(input_shape) == 3 and input_shape[0] != channels:
        raise ValueError(
            f"augment={augment!r} has a mean and std for {channels} channels, but the "
            f"images have {input_shape[0]} (shape {tuple(input_shape)}); give one mean and "
            "one std per channel."
        )


def _warn_long_retraining(params, schedule):
    """Warn where a schedule re-trains for more epochs than the main training has."""
    extra, main = getattr(schedule, "extra_epochs", 0), params["max_epochs"]
    if extra > main:
        # A warning, not an error, as for a long warm-up: a trial run, or a head
        # re-trained on a pretrained module, may mean it.
        warnings.warn(
            f"schedule={params['schedule']!r} re-trains the classifier for {extra} "
            f"epochs after the max_epochs={main} main epochs, more than them: the fit "
            f"trains {main + extra} epochs. The re-training is a number of epochs "
            "(schedule__epochs), not a fraction of max_epochs: for a short run of a "
            "recipe, shorten it too (the CIFAR recipes: 10 or 20 after 200).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def _check_combinations(params, module, loss, schedule, mixing, input_shape, sampler_balances):
    """Reject combinations of parameters that make no sense, naming both; then warn of
    those that may be mistakes (balancing twice, fp16 off CUDA)."""
    if schedule is not None and schedule.reweights:
        if loss.reweights_classes or loss.class_weights is None:
            why = (
                "already balances them"
                if loss.reweights_classes
                else "has no class weights for it to set"
            )
            raise ValueError(
                f"schedule={params['schedule']!r} re-weights the classes, but "
                f"loss={param_repr(params['loss'])} {why}; use it with a loss that has class "
                "weights and does not balance by itself, e.g. loss='ce', 'focal', 'ldam' or 'cri'."
            )
    if getattr(schedule, "needs_plain_logits", False):
        if loss.uses_cosine_logits:
            raise ValueError(
                f"schedule={params['schedule']!r} re-trains the classifier on plain logits, "
                f"but loss={params['loss']!r} trains a cosine head; use a loss on plain "
                "logits (e.g. loss='ce') for the first stage."
            )
        if isinstance(getattr(module, "head", None), CosineLinear):
            raise ValueError(
                f"schedule={params['schedule']!r} re-trains a linear classifier on plain "
                "logits, but the module's head is cosine (module__head='cosine'); use "
                "module__head='linear'."
            )
    if schedule is not None and schedule.extra_epochs:
        stopper = _early_stopper(params)
        if stopper:
            raise ValueError(
                f"schedule={params['schedule']!r} re-trains the classifier after the "
                f"max_epochs main epochs, but {stopper} may end the fit before it (the "
                "re-training never runs) or restore an epoch of the main training after it "
                "(its result is lost): use one. To choose max_epochs, early-stop a fit "
                "without the schedule."
            )
        if not is_staged(module):
            raise ValueError(
                f"schedule={params['schedule']!r} re-trains the classifier head, which needs a "
                "module exposing 'stages' and 'head'; "
                f"module={param_repr(params['module'])} does not."
            )
        if params["sampler"] != "instance":
            raise ValueError(
                f"schedule={params['schedule']!r} trains instance-balanced and then "
                f"re-samples the classes itself; sampler={params['sampler']!r} conflicts with "
                "it. Use sampler='instance' (or schedule__sampler for the second stage)."
            )
    if schedule is not None and schedule.resamples and params["sampler"] != "instance":
        raise ValueError(
            f"schedule={params['schedule']!r} draws the batches itself; "
            f"sampler={param_repr(params['sampler'])} conflicts with it. Use "
            "sampler='instance' with the schedule, or the sampler without it."
        )
    resampler = getattr(schedule, "loss_resampled_by", None)
    if resampler is not None and balances_by_class_counts(loss):
        # Unlike a balancing sampler in the main training (a warning), this collapsed
        # on every table measured (benchmarks/RESULTS.md, "Balancing twice").
        raise ValueError(
            f"schedule={params['schedule']!r} re-trains the head on batches drawn "
            f"{resampler!r}, but loss={params['loss']!r} already balances the classes: "
            "together they balance twice. Use the schedule with loss='ce' (cRT's "
            "setting), 'focal' or 'ldam', or this loss without the schedule."
        )
    is_image = len(input_shape) == 3
    augment = params["augment"]
    if isinstance(augment, str):
        augment = lookup("augmentation", augment)
    # A component declares that it works on images only (``needs_images = True``).
    for name, component in (("augment", augment), ("mixing", mixing)):
        if getattr(component, "needs_images", False) and not is_image:
            raise ValueError(
                f"{name}={params[name]!r} needs images of shape (n_samples, channels, "
                f"height, width); got samples of shape {input_shape}."
            )
    batch_norms = [
        m for m in module.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
    ]
    if params["batch_size"] == 1 and batch_norms:
        raise ValueError(
            "batch_size=1 cannot train batch normalisation (a batch of one sample has no "
            "variance), and the module has batch-norm layers: use batch_size >= 2, or "
            "module__batch_norm=False (for the MLP)."
        )
    # Sharpness-aware minimisation (SAM, by name or class) steps from a closure, which
    # the fp16 loss scaler's step does not give.
    optimizer = params["optimizer"]
    float16 = lookup("precision", params["precision"]) is torch.float16  # "fp16", or one's own
    if float16 and hasattr(component_class("optimizer", optimizer), "first_step"):
        shown = repr(optimizer) if isinstance(optimizer, str) else optimizer.__name__
        raise ValueError(
            f"optimizer={shown} steps twice per batch, which fp16 loss scaling does not "
            "support; use precision='bf16' or 'fp32' with it."
        )
    if params["cuda_graph"] and params["compile"] is not False:
        raise ValueError(
            "cuda_graph=True captures the eager step in CUDA graphs; compile="
            f"{params['compile']!r} compiles it (mode='reduce-overhead' makes its own "
            "graphs): use one of them."
        )
    if params["channels_last"] and not is_image:
        raise ValueError(
            "channels_last=True applies to images (n_samples, channels, height, width); "
            f"got samples of shape {input_shape}."
        )
    # Warnings last: a combination that is refused is refused, and only that.
    _check_double_balancing(params, loss, schedule, sampler_balances)
    if float16 and not str(params["device"]).startswith("cuda"):
        warnings.warn(
            f"precision={params['precision']!r} on {params['device']!r} runs without loss "
            "scaling (CUDA's GradScaler), so small gradients can vanish, and slowly "
            "(float16 arithmetic is emulated there); precision='bf16' keeps float32's "
            "range, and is faster than 'fp32' on CPUs with bfloat16 instructions "
            "(AVX-512 BF16, AMX) only.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
