"""From the estimator's parameters to the objects of one fit, checked together.

Every component (module, loss, schedule, mixing, learning-rate schedule, optimizer)
is given as a registered name, a class, or an instance, with ``<component>__<param>``
keyword arguments routed to it. :func:`resolve_component` applies the same rules (and
messages) to all of them; :func:`build_training` builds them all for one fit, rejects
combinations that make no sense, and returns one :class:`TrainingSetup`. The estimator
never writes the result back into its parameters.

:func:`build_fit` is the estimator's one entry; the parts of a fit are built in

- ``_components``: the rule by which a component is resolved and built from a name, a
  class or an instance and its routed parameters;
- ``_holdout``: the validation split, the rows' weights of each part, the training data;
- ``_module`` and ``_loss``: the network and the loss, with the checks of its output;
- ``_balancing``: the schedule, when it re-weights or re-samples, the sampler's share,
  and the refusal of a fit that balances twice;
- ``_optimizer``: the optimizer, its parameter groups and the automatic weight decay;
- ``_training``: the learning-rate schedule, mixing, weight averaging, augmentation,
  callbacks, and the checks across components.
"""

import inspect
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from skorch.callbacks import EarlyStopping
from skorch.helper import predefined_split
from torch.utils.data import Dataset, Subset

from .._net import AdjustedSoftmax, ImbalanceNet
from .._validation import first_few, user_stacklevel
from ..modules import fit_module_preprocessing
from ..schedules import Schedule
from ._balancing import (
    _batch_sampler,
    _build_schedule,
    _warn_long_retraining,
    first_resampled_epoch,
    first_reweighted_epoch,
)
from ._components import (
    ROUTED_KINDS,
    _warn_unused_routed,
    accepted_parameters,
    build_component,
    component_class,
    ignored_parameters,
    routed_constraint,
)
from ._holdout import (
    _check_every_class_weighs,
    _relative_weights,
    _weighted_class_counts,
    holdout_split,
    training_dataset,
)
from ._loss import _build_loss, _check_loss
from ._module import _build_module, _check_module_output, _check_staged_rule
from ._optimizer import _resolve_optimizer, _weight_decay
from ._training import (
    OWN_CALLBACKS,
    _bind_augment,
    _build_lr_schedule,
    _build_mixing,
    _build_weight_averaging,
    _check_augment_channels,
    _check_categorical_mixing,
    _check_combinations,
    _check_lr_factors,
    _check_pixel_range,
    _check_user_callback,
    _copy_for_the_fit,
    mixes_input,
)

__all__ = [
    "Fit",
    "OWN_CALLBACKS",
    "ROUTED_KINDS",
    "TrainingSetup",
    "accepted_parameters",
    "build_component",
    "build_fit",
    "build_training",
    "component_class",
    "first_resampled_epoch",
    "first_reweighted_epoch",
    "ignored_parameters",
    "mixes_input",
    "resolve_device",
    "routed_constraint",
]


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
        encoder.keep_trained_values(
            _rows_that_train(train)[0], train[0], *([valid[0]] if valid else [])
        )
        n_categories = encoder.n_categories_
    balancing_counts = _weighted_class_counts(train[1], train[2], class_counts)
    # A weight counts a row as that many copies: rows of weight 0 train nothing, and
    # take no place in the batches, in batch norm's statistics or in what the module
    # learns of the inputs (class_counts_ still counts them, as rows of y).
    train = _rows_that_train(train)
    setup = build_training(
        params, routed, input_shape, balancing_counts, train[0], n_categories=n_categories,
        y_train=train[1], classes=classes,
    )  # fmt: skip
    net = build_net(setup, params, balancing_counts, valid)
    data = training_dataset(*train, params["device"], params["channels_last"], input_shape)
    _warn_long_retraining(params, setup.schedule)  # once nothing is left to refuse
    return Fit(net, data, class_counts, setup.max_epochs)


def _rows_that_train(train):
    """The rows ``(X, y, sample_weight)`` of the training part whose weight is above 0,
    their weights relative to their own mean."""
    X, y, weights = train
    if weights.all():
        return train
    rows = np.flatnonzero(weights > 0)
    X = Subset(X, rows) if isinstance(X, Dataset) else X[rows]
    return X, y[rows], _relative_weights(weights[rows])


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
    _check_combinations(
        params, module, loss, schedule, mixing, input_shape, sampler_balances,
        counts=(class_counts, row_counts),
    )  # fmt: skip
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
            f"({', '.join(defaults)}); give yours another name"
            + (
                " (a PrintLog of your own prints its table beside the net's: with "
                "verbose=0 alone, give it a sink other than print, e.g. sink=lambda text: "
                "print(text))."
                if taken[0] == "print_log"
                else "."
            )
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
