"""Balancing twice warns: a balancing loss or re-weighting schedule with a sampler."""

import warnings

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler

from sklearn_imbalance_dl import ImbalancedNetClassifier
from tests._combinations import BALANCING_LOSSES

SAMPLERS = ["class_balanced", "sqrt", RandomOverSampler(), RandomUnderSampler()]


@pytest.fixture(scope="module")
def imbalanced():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = np.repeat([0, 1, 2], [90, 20, 10])
    return X, y


def small(**params):
    return ImbalancedNetClassifier(module="mlp", module__hidden_sizes=(8,), max_epochs=1, **params)


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


@pytest.mark.parametrize("schedule", ["drw", "ppw", "ppl"])
@pytest.mark.parametrize("sampler", ["class_balanced", "sqrt", RandomUnderSampler()], ids=str)
def test_reweighting_schedule_with_a_balancing_sampler_warns(imbalanced, schedule, sampler):
    message = rf"schedule='{schedule}' re-weights.*balanced twice.*sampler='instance'"
    with pytest.warns(UserWarning, match=message):
        small(loss="ldam", schedule=schedule, sampler=sampler).fit(*imbalanced)


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "ce", "sampler": "class_balanced"},
        {"loss": "focal", "sampler": "sqrt"},
        {"loss": "ldam", "sampler": RandomUnderSampler()},
        # ARB's default balances by the counts of each batch, which follow the sampler.
        {"loss": "arb", "sampler": "class_balanced"},
        {"loss": "logit_adjusted", "sampler": "instance"},
        {"loss": "ldam", "schedule": "drw", "sampler": "instance"},
    ],
    ids=str,
)
def test_balancing_once_does_not_warn(imbalanced, params):
    X, y = imbalanced
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert small(**params).fit(X, y).predict(X).shape == y.shape
