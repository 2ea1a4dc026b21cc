"""Balancing twice: a balancing loss or re-weighting schedule with a sampler or the
post-hoc logit adjustment warns; with cRT's class-balanced re-training it is refused."""

import warnings

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.under_sampling import EditedNearestNeighbours, RandomUnderSampler, TomekLinks

from sklearn_imbalance_dl import ImbalancedNetClassifier
from tests._combinations import BALANCING_LOSSES, SHORT_RUN_PHASES

SAMPLERS = ["class_balanced", "sqrt", RandomOverSampler(), RandomUnderSampler()]


@pytest.fixture(scope="module")
def imbalanced():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = np.repeat([0, 1, 2], [90, 20, 10])
    return X, y


def small(**params):
    params.setdefault("max_epochs", 1)
    return ImbalancedNetClassifier(module="mlp", module__hidden_sizes=(8,), **params)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=str)
@pytest.mark.parametrize("loss", sorted(BALANCING_LOSSES - {"arb"}) + ["arb_global"])
def test_balancing_loss_with_a_balancing_sampler_warns(imbalanced, loss, sampler):
    params = {"loss": "arb", "loss__counts": "global"} if loss == "arb_global" else {"loss": loss}
    name = type(sampler).__name__ if not isinstance(sampler, str) else sampler
    message = (
        rf"loss='{params['loss']}' already balances.*sampler='?{name}.*balanced twice.*"
        r"loss='ce'.*with this sampler, or sampler='instance' with this loss"
    )
    clf = small(sampler=sampler, **params)
    with pytest.warns(UserWarning, match=message):
        clf.fit(*imbalanced)
    assert hasattr(clf, "classes_")  # a warning: the combination is trained


@pytest.mark.parametrize("params", [
    {"sampler": "class_balanced"}, {"sampler": "sqrt"}, {"posthoc_tau": 1.0},
    {"loss": "ldam", "schedule": "drw", "sampler": "class_balanced", "max_epochs": 5},
], ids=str)  # fmt: skip
def test_classes_balanced_already_are_not_balanced_twice(imbalanced, params):
    # As behind an over-sampler in a pipeline: nothing is left to correct, once or twice.
    X, y = imbalanced
    X, y = RandomOverSampler(random_state=0).fit_resample(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        small(**params).fit(X, y)
    assert not [w for w in caught if "balanced twice" in str(w.message)]
    # Balanced by the rows but not by the weights: the loss still balances.
    weights = np.where(y == 0, 3.0, 1.0)
    with pytest.warns(UserWarning, match="balanced twice"):
        small(**params).fit(X, y, sample_weight=weights)


@pytest.mark.parametrize(
    "sampler, balanced",
    [
        (TomekLinks(), False),  # cleans a few rows of the boundary
        (EditedNearestNeighbours(), False),
        (RandomUnderSampler(sampling_strategy={0: 80}), False),  # 9:1 to 8:1
        (RandomUnderSampler(sampling_strategy={0: 40}), True),  # 9:1 to 4:1
    ],
    ids=str,
)
def test_an_imbalanced_learn_sampler_counts_as_balancing_by_what_its_draw_does(
    imbalanced, sampler, balanced
):
    # Measured on one draw from the training rows: the share of log(n_max / n_min) removed.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        small(sampler=sampler).fit(*imbalanced)
    twice = [str(w.message) for w in caught if "balanced twice" in str(w.message)]
    assert bool(twice) == balanced
    if balanced:
        assert "(a draw removes 37% of the imbalance, in log ratio)" in twice[0]


@pytest.mark.parametrize("schedule", ["drw", "ppw", "ppl"])
@pytest.mark.parametrize("sampler", ["class_balanced", "sqrt", RandomUnderSampler()], ids=str)
def test_reweighting_schedule_with_a_balancing_sampler_warns(imbalanced, schedule, sampler):
    message = rf"schedule='{schedule}' re-weights.*balanced twice.*sampler='instance'"
    with pytest.warns(UserWarning, match=message):
        phases = SHORT_RUN_PHASES[schedule]
        small(loss="ldam", schedule=schedule, sampler=sampler, max_epochs=2, **phases).fit(
            *imbalanced
        )


@pytest.mark.parametrize("retraining", ["class_balanced", "sqrt"])
@pytest.mark.parametrize("loss", ["logit_adjusted", "weighted_ce"])
def test_balancing_loss_with_classifier_retraining_is_refused(imbalanced, loss, retraining):
    message = (
        rf"schedule='crt' re-trains the head on batches drawn '{retraining}', but "
        rf"loss='{loss}' already balances the classes.*loss='ce'"
    )
    clf = small(loss=loss, schedule="crt", schedule__sampler=retraining)
    with pytest.raises(ValueError, match=message), warnings.catch_warnings():
        # Refused, and only that: not also warned that its re-training is long.
        warnings.simplefilter("error")
        clf.fit(*imbalanced)
    assert not hasattr(clf, "classes_")


@pytest.mark.parametrize(
    "params",
    [{"loss": "logit_adjusted"}, {"loss": "ldam", "schedule": "drw", "schedule__start": 0.0}],
)
def test_balancing_loss_or_schedule_with_posthoc_adjustment_warns(imbalanced, params):
    message = r"posthoc_tau=1.0 removes the prior again.*balanced twice.*posthoc_tau=None"
    with pytest.warns(UserWarning, match=message):
        small(posthoc_tau=1.0, **params).fit(*imbalanced)


def test_a_balancing_sampler_with_posthoc_adjustment_warns(imbalanced):
    message = (
        r"sampler='class_balanced' draws class-balanced batches, and posthoc_tau=1.0 removes.*"
        r"use sampler='instance' with posthoc_tau, or posthoc_tau=None with this sampler"
    )
    with pytest.warns(UserWarning, match=message):
        small(loss="ce", sampler="class_balanced", posthoc_tau=1.0).fit(*imbalanced)


@pytest.mark.parametrize("schedule", ["crt", "mislas"])
@pytest.mark.parametrize("retraining", ["class_balanced", "sqrt"])
def test_posthoc_adjustment_after_the_balanced_retraining_warns(imbalanced, schedule, retraining):
    # The head that predicts is re-trained on balancing batches: the prior is gone from
    # its logits before posthoc_tau removes it again.
    message = (
        rf"schedule='{schedule}' re-trains the classifier on batches drawn '{retraining}'.*"
        r"posthoc_tau=1.0 removes the prior again.*balanced twice.*"
        r"use schedule=None with posthoc_tau, or posthoc_tau=None with this schedule"
    )
    clf = small(
        loss="ce",
        schedule=schedule,
        schedule__epochs=1,
        schedule__sampler=retraining,
        posthoc_tau=1.0,
    )
    with pytest.warns(UserWarning, match=message):
        clf.fit(*imbalanced)


def test_the_warning_points_at_the_line_that_calls_fit(imbalanced):
    with pytest.warns(UserWarning, match="balanced twice") as record:
        small(sampler="sqrt").fit(*imbalanced)
    assert [w.filename for w in record] == [__file__]


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "ce", "schedule": "crt", "schedule__epochs": 1},
        {"loss": "ce", "schedule": "mislas", "schedule__epochs": 1},
        # MiSLAS re-trains with a loss of its own: the first stage's balancing is not kept.
        {"loss": "logit_adjusted", "schedule": "mislas", "schedule__epochs": 1},
        {"loss": "ce", "posthoc_tau": 1.0},
        {"loss": "logit_adjusted", "posthoc_tau": 0.0},
        {"loss": "ce", "sampler": "class_balanced"},
        {"loss": "focal", "sampler": "sqrt"},
        {"loss": "ldam", "sampler": RandomUnderSampler()},
        # ARB's default balances by the counts of each batch, which follow the sampler.
        {"loss": "arb", "sampler": "class_balanced"},
        {"loss": "logit_adjusted", "sampler": "instance"},
        {"loss": "ldam", "schedule": "drw", "sampler": "instance", "max_epochs": 5},
        # A loss whose parameter turns its balancing off: tau 0 is cross-entropy, beta 0
        # weighs every class 1.
        {"loss": "logit_adjusted", "loss__tau": 0.0, "sampler": "class_balanced"},
        {"loss": "class_balanced", "loss__beta": 0.0, "sampler": "sqrt"},
    ],
    ids=str,
)
def test_balancing_once_does_not_warn(imbalanced, params):
    X, y = imbalanced
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert small(**params).fit(X, y).predict(X).shape == y.shape


def test_a_schedule_that_never_switches_on_is_not_a_first_balancing(imbalanced):
    # DRW from epoch round(0.8 * 2) = 2 of 2: one warning, that it never switches on;
    # the sampler is the fit's only balancing.
    with pytest.warns(UserWarning) as said:
        small(loss="ce", schedule="drw", sampler="class_balanced", max_epochs=2).fit(*imbalanced)
    messages = [str(w.message) for w in said]
    assert len(messages) == 1 and "the fit trains as without the schedule" in messages[0]


def test_ppl_that_never_reweights_says_its_mixing_still_runs(imbalanced):
    # PPL's mixing is plain mixup before its window: a fit of 2 epochs mixes every batch.
    with pytest.warns(UserWarning, match=r"as with the schedule's mixing alone \(PhasedRemix\)"):
        small(loss="ce", schedule="ppl", max_epochs=2).fit(*imbalanced)


@pytest.mark.parametrize("loss", ["ce", "logit_adjusted"])
def test_a_phased_sampler_that_never_moves_warns_so_and_is_not_a_balancing(imbalanced, loss):
    # The phased sampler moves after 0.15 of the epochs: the one epoch of max_epochs=1
    # draws in the data's proportions. One warning, that it never switches on; the
    # balancing loss is the fit's only balancing.
    with pytest.warns(UserWarning) as said:
        small(loss=loss, schedule="pps", max_epochs=1).fit(*imbalanced)
    messages = [str(w.message) for w in said]
    assert len(messages) == 1
    assert "schedule='pps' moves the batches toward balance" in messages[0]
    assert "the fit trains as without the schedule" in messages[0]


def test_a_refused_combination_is_refused_without_the_warning_of_balancing_twice(imbalanced):
    clf = small(sampler="class_balanced", mixing="cutmix")  # cutmix needs images
    with pytest.raises(ValueError, match="mixing='cutmix' needs images"), warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(*imbalanced)
