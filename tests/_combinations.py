"""The loss × schedule × mixing combinations the tests cover, and which are invalid."""

import itertools

import numpy as np
import pytest

from sklearn_imbalance_dl.registry import lookup, names

# Every registered loss, schedule and mixing (None: without one).
LOSS_NAMES = list(names("loss"))
SCHEDULES = [None, *names("schedule")]
MIXINGS = [None, *names("mixing")]
# The losses that balance the classes themselves (their declared ``reweights_classes``).
BALANCING_LOSSES = {name for name in LOSS_NAMES if lookup("loss", name).reweights_classes}


def invalid_reason(loss, schedule, mixing):
    """The regex of the error an invalid combination raises on tabular rows (None: valid).

    The rules, from the components' declared properties, in the order they are checked:
    PPL brings its own mixing; a schedule that re-weights the classes needs a loss that
    does not balance them itself; MiSLAS re-trains on plain logits, not on a cosine
    head; cRT re-trains the loss on balanced batches, so not a loss that balances the
    classes by their counts; CutMix needs images.
    """
    loss_cls = lookup("loss", loss)
    schedule_cls = None if schedule is None else lookup("schedule", schedule)
    if schedule == "ppl" and mixing is not None:
        return rf"schedule='ppl'.*mixing='{mixing}'"
    if schedule_cls is not None and schedule_cls().reweights and loss_cls.reweights_classes:
        return rf"schedule='{schedule}'.*loss='{loss}'"
    if getattr(schedule_cls, "needs_plain_logits", False) and loss_cls.uses_cosine_logits:
        return rf"schedule='{schedule}'.*loss='{loss}'"
    # cRT re-trains the head with the loss on class-balanced batches; ARB's default
    # balances by the counts of each batch, which follow them.
    retrains_balanced = schedule_cls is not None and schedule_cls().loss_resampled_by
    if retrains_balanced and loss_cls.reweights_classes and loss != "arb":
        return rf"schedule='{schedule}'.*loss='{loss}'"
    if mixing is not None and getattr(lookup("mixing", mixing), "needs_images", False):
        return rf"mixing='{mixing}' needs images"
    return None


def balances_twice(loss, schedule):
    """Whether a valid combination warns that it balances the classes twice: a schedule
    that draws balanced batches with a loss that balances by the class counts (ARB's
    default balances by the counts of each batch, which follow them)."""
    resamples = schedule is not None and lookup("schedule", schedule).resamples
    return resamples and lookup("loss", loss).reweights_classes and loss != "arb"


def fit_combination(clf, X, y, loss, schedule):
    """``clf.fit(X, y)``, expecting the warning of balancing twice where it is due."""
    if not balances_twice(loss, schedule):
        return clf.fit(X, y)
    with pytest.warns(UserWarning, match="balanced twice"):
        return clf.fit(X, y)


def pairwise_cover(combinations):
    """A small subset holding every (loss, schedule), (loss, mixing), (schedule, mixing)
    pair that some combination holds (greedy, deterministic)."""

    def pairs(c):
        return {(0, c[0], 1, c[1]), (0, c[0], 2, c[2]), (1, c[1], 2, c[2])}

    missing = set().union(*map(pairs, combinations))
    chosen = []
    while missing:
        best = max(combinations, key=lambda c: len(pairs(c) & missing))
        chosen.append(best)
        missing -= pairs(best)
    return chosen


COMBINATIONS = list(itertools.product(LOSS_NAMES, SCHEDULES, MIXINGS))
VALID = [c for c in COMBINATIONS if invalid_reason(*c) is None]
PAIRWISE = pairwise_cover(VALID)


# One head re-training epoch after max_epochs keeps the combination tests short.
SHORT_RETRAINING = {"crt": {"schedule__epochs": 1}, "mislas": {"schedule__epochs": 1}}


# Phases, as fractions of max_epochs, that a two-epoch test run reaches (the defaults
# start at half the run or later, after its last epoch): the re-weighting runs.
SHORT_RUN_PHASES = {
    "drw": {"schedule__start": 0.5},
    "ppw": {"schedule__start": 0.0, "schedule__end": 0.5},
    "ppl": {"schedule__start": 0.0, "schedule__end": 0.5},
}


def check_trained(clf, X, max_epochs, schedule):
    """A combination trained every epoch it should, each with a finite training loss,
    re-weighted the classes when its schedule does, and predicts finite probabilities.
    (What one step of each component computes is checked against hand computations in
    tests/test_one_step.py.)"""
    history = clf.net_.history
    retraining = SHORT_RETRAINING.get(schedule, {}).get("schedule__epochs", 0)
    assert len(history) == max_epochs + retraining
    assert np.all(np.isfinite(history[:, "train_loss"]))
    if schedule in SHORT_RUN_PHASES:
        weights = clf.net_.criterion_.class_weights
        assert not bool((weights == weights[0]).all())
    assert np.all(np.isfinite(clf.predict_proba(X)))
