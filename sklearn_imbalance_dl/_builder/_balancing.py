"""When the classes are balanced: the schedule's re-weighting and re-sampling epochs, the
sampler's share, and the refusal or warning of a fit that balances twice.
"""

import math
import warnings

import numpy as np
import torch

from .._validation import param_repr, user_stacklevel
from ..losses._checks import valid_class_weights
from ..registry import lookup, names
from ..sampling._sampler import (
    check_class_probabilities,
    check_index_sampler,
    looks_at_features,
)
from ..schedules import MiSLASRetraining, Schedule
from ._components import _build_optional


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
    # PPL's mixing runs in every epoch (plain mixup before its window): only the
    # re-weighting is lost.
    trains_as = (
        f"the fit trains as with the schedule's mixing alone ({type(schedule.mixing()).__name__})"
        if schedule.mixing() is not None
        else "the fit trains as without the schedule"
    )
    warnings.warn(
        f"schedule={params['schedule']!r} {does} from a fraction of "
        f"max_epochs{start} that no epoch of max_epochs={params['max_epochs']} "
        f"reaches: {trains_as}. Train for more epochs"
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


def balances_by_class_counts(loss):
    """Whether the loss rebalances the classes by the counts of ``y`` (fixed in ``fit``).

    ``weighted_ce``, ``class_balanced``, ``logit_adjusted``, ``balanced_softmax`` and
    ``arb`` with ``counts="global"``. ARB's default, ``counts="batch"``, balances by
    the counts of each batch, which follow whatever sampler drew it.
    """
    return bool(loss.reweights_classes) and getattr(loss, "counts", "global") != "batch"


def _check_double_balancing(params, loss, schedule, counts, sampler_balances=None):
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

    Training classes already balanced (``counts``, weighted and by rows, all equal:
    behind an over-sampler in a pipeline) give none of them anything to correct.
    """
    if all(_all_equal(np.asarray(c, dtype=np.float64)) for c in counts):
        return
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
