"""The other parts of a fit (learning-rate schedule, mixing, weight averaging,
augmentation, callbacks) and the checks across components.
"""

import copy
import math
import numbers
import pickle
import warnings

import torch
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, LoadInitState, LRScheduler
from skorch.callbacks.scoring import ScoringBase
from torch.utils.data import Dataset

from .._validation import param_repr, user_stacklevel
from ..callbacks._weight_averaging import SWA, WeightAveraging
from ..mixing import Mixing
from ..modules import (
    CosineLinear,
    is_staged,
)
from ..registry import Component, lookup
from ..schedules import Schedule
from ..schedules._lr import LRSchedule
from ._balancing import _check_double_balancing, balances_by_class_counts
from ._components import _build_optional, build_component, component_class, ignored_parameters
from ._module import _first_inputs

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
    # Ignored: not checked against each other either (factors beside milestones).
    routed = {k: v for k, v in routed.items() if k not in steps}
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


def _how_to_give_images(input_shape, module):
    """What to pass instead of samples that are not images, for a component that needs
    them: grey images without their channel axis, or rows a module reshapes."""
    if len(input_shape) == 2:
        return (
            " Grey images of shape (n_samples, height, width) need their channel axis: "
            "pass X[:, None]."
        )
    if len(input_shape) == 1 and getattr(module, "input_shape", None) is not None:
        return (
            " The module reshapes rows into images, but augmentation and mixing see the "
            "rows before it: pass the images. For a sampler that needs rows, as SMOTE, "
            "flatten the images in front of it and reshape them after it in the pipeline "
            "(a FunctionTransformer each side of the sampler)."
        )
    return ""


def _check_combinations(
    params, module, loss, schedule, mixing, input_shape, sampler_balances, *, counts
):
    """Reject combinations of parameters that make no sense, naming both; then warn of
    those that may be mistakes (balancing twice, fp16 off CUDA). ``counts``: the
    training classes' weighted counts and row counts."""
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
                + _how_to_give_images(input_shape, module)
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
    _check_double_balancing(params, loss, schedule, counts, sampler_balances)
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
