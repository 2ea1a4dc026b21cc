"""Common checks of every registered component, in the manner of imbalanced-learn's.

Every schedule, mixing and learning-rate schedule in the registry: each parameter of
``__init__`` has a constraint, an invalid value is refused by ``bind`` naming the
parameter, ``bind`` returns a copy and leaves the component unchanged, and the component
clones, pickles and prints as a scikit-learn estimator does. Every registered loss: each
parameter has a constraint, an invalid value is refused when the loss is built, and the
loss pickles with its parameters and class counts.
"""

import inspect
import pickle
import re

import numpy as np
import pytest
import torch
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.base import clone
from sklearn.utils._param_validation import (
    InvalidParameterError,
    generate_invalid_param_val,
    make_constraint,
)

from sklearn_imbalance_dl.mixing import Remix
from sklearn_imbalance_dl.registry import Component, _items
from sklearn_imbalance_dl.sampling import SMOTEWithFallback
from sklearn_imbalance_dl.schedules import DeferredReweighting

# The arguments that bind each kind to a small fit: two classes, 10 epochs.
BIND_ARGS = {
    "schedule": ((np.array([50, 5]), 10), {}),
    "mixing": ((torch.tensor([50.0, 5.0]),), {"n_epochs": 10, "n_points": 3, "device": "cpu"}),
    "lr_schedule": ((10,), {}),
    "weight_averaging": ((10,), {}),
}
# One entry per class (the learning-rate schedule's names share one class).
COMPONENTS = {
    cls: kind for kind in BIND_ARGS for _, cls in _items(kind) if issubclass(cls, Component)
}
IDS = [cls.__name__ for cls in COMPONENTS]
PARAMS = pytest.mark.parametrize("cls, kind", list(COMPONENTS.items()), ids=IDS)


def _bind(component, kind):
    args, kwargs = BIND_ARGS[kind]
    return component.bind(*args, **kwargs)


def _init_params(cls):
    return [
        p.name
        for p in inspect.signature(cls).parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _invalid_values(cls, names):
    """``(name, value)`` pairs that break every constraint of the parameter ``name``."""
    for name in names:
        constraints = [make_constraint(c) for c in cls._parameter_constraints[name]]
        for constraint in constraints:
            try:
                bad = generate_invalid_param_val(constraint)
            except NotImplementedError:
                continue
            if not any(c.is_satisfied_by(bad) for c in constraints):
                yield name, bad


def test_every_registered_schedule_mixing_and_lr_schedule_is_a_component():
    for kind in BIND_ARGS:
        for name, cls in _items(kind):
            assert issubclass(cls, Component), f"{kind} {name!r}"


@PARAMS
def test_every_parameter_has_a_constraint(cls, kind):
    assert set(_init_params(cls)) <= set(cls._parameter_constraints), cls.__name__


@PARAMS
def test_invalid_values_are_refused_by_bind_naming_the_parameter(cls, kind):
    checked = 0
    for name, bad in _invalid_values(cls, _init_params(cls)):
        component = cls(**{name: bad})
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of"):
            _bind(component, kind)
        checked += 1
    assert checked or not _init_params(cls)


@PARAMS
def test_bind_returns_a_bound_copy_and_leaves_the_component_alone(cls, kind):
    component = cls()
    before = dict(vars(component))
    bound = _bind(component, kind)
    assert bound is not component
    assert vars(component) == before  # no fitted state written on the component
    assert bound.n_epochs_ == 10
    assert bound.get_params() == component.get_params()


@PARAMS
def test_clone_pickle_and_repr(cls, kind):
    component = cls()
    bound = _bind(component, kind)
    cloned = clone(bound)
    assert cloned.get_params() == component.get_params()
    assert not hasattr(cloned, "n_epochs_")  # clone drops the fit's state
    restored = pickle.loads(pickle.dumps(bound))
    assert restored.get_params() == bound.get_params()
    assert restored.n_epochs_ == bound.n_epochs_
    assert repr(component) == f"{cls.__name__}()"
    name = _init_params(cls)[-1]
    changed = cls(**{name: getattr(component, name)})
    assert repr(changed) == f"{cls.__name__}()"  # a default value is not shown


@PARAMS
@pytest.mark.parametrize("n_epochs", [0, -3, 2.5, None, "10"])
def test_bind_refuses_a_number_of_epochs_that_is_not_a_positive_int(cls, kind, n_epochs):
    args, kwargs = BIND_ARGS[kind]
    if "n_epochs" in kwargs:
        kwargs = {**kwargs, "n_epochs": n_epochs}
    else:
        args = (*args[:-1], n_epochs)
    message = (
        f"The 'n_epochs' parameter of {cls.__name__}.bind must be an int in the range "
        f"[1, inf). Got {n_epochs!r} instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        cls().bind(*args, **kwargs)


@PARAMS
def test_the_state_of_a_fit_read_on_an_unbound_component_asks_for_bind(cls, kind):
    bound = _bind(cls(), kind)
    state = sorted(name for name in vars(bound) if name.endswith("_"))
    assert state  # n_epochs_ at least
    for name in state:
        with pytest.raises(AttributeError, match=rf"{cls.__name__} has no attribute '{name}', "):
            getattr(cls(), name)
    with pytest.raises(AttributeError, match=r"not bound to one\. bind\(\.\.\.\) returns"):
        DeferredReweighting().class_weights(3)
    assert getattr(cls(), "missing_", None) is None  # getattr's default still applies


SCHEDULES = [cls for cls, kind in COMPONENTS.items() if kind == "schedule"]


@pytest.mark.parametrize("cls", SCHEDULES, ids=[cls.__name__ for cls in SCHEDULES])
@pytest.mark.parametrize(
    "counts, message",
    [
        ([50, 0], "> 0 for every class"),
        ([50, np.nan], "finite"),
        ([[50, 5]], "1-D"),
        (50, "1-D"),
        ([], "empty"),
        (["a", "b"], "numbers"),
    ],
)
def test_a_schedule_refuses_class_counts_that_are_not_counts_when_bound(cls, counts, message):
    with pytest.raises(ValueError, match=f"class_counts must .*{message}"):
        cls().bind(counts, 10)


MIXINGS = [cls for cls, kind in COMPONENTS.items() if kind == "mixing"]
MIXING_PARAMS = pytest.mark.parametrize("cls", MIXINGS, ids=[cls.__name__ for cls in MIXINGS])


def _mixing(cls, counts=(50.0, 5.0)):
    # p=1: CutMix mixes every batch, so that every mixing draws a plan.
    params = {"p": 1.0} if "p" in cls._parameter_constraints else {}
    return cls(**params).bind(counts, n_epochs=10, n_points=3, device="cpu")


@MIXING_PARAMS
@pytest.mark.parametrize("counts", [[50, 5], np.array([50, 5]), torch.tensor([50, 5])])
def test_a_mixing_binds_to_counts_of_any_array_type(cls, counts):
    bound = _mixing(cls, counts)
    assert torch.equal(bound.class_counts_, torch.tensor([50.0, 5.0]))
    assert bound.plan(torch.tensor([0, 1, 1]), 0) is not None


@MIXING_PARAMS
@pytest.mark.parametrize(
    "counts, message",
    [([50, 0], "> 0 for every class"), ([50, -5], "> 0"), ([[50, 5]], "1-D"), ("ab", "numbers")],
)
def test_a_mixing_refuses_class_counts_that_are_not_counts(cls, counts, message):
    with pytest.raises(ValueError, match=f"class_counts must .*{message}"):
        _mixing(cls, counts)


@MIXING_PARAMS
@pytest.mark.parametrize(
    "y, message",
    [
        (torch.tensor([0, 2]), r"y must hold class indices in \[0, 1\] \(\w+ was bound to 2 "),
        (torch.tensor([-1, 0]), r"y must hold class indices in \[0, 1\].*from -1 to 0"),
        (torch.tensor([0.0, 1.0]), "y must hold integer class indices; got dtype torch.float32"),
        (torch.eye(2), r"y must be a 1-D tensor of the batch's class indices; got shape \(2, 2\)"),
        ([0, 1], "y must be a 1-D tensor of the batch's class indices; got list"),
    ],
)
def test_a_mixing_plan_refuses_targets_that_are_not_class_indices(cls, y, message):
    with pytest.raises(ValueError, match=message):
        _mixing(cls).plan(y, 0)


@MIXING_PARAMS
def test_an_unbound_mixing_asks_for_bind_before_plan(cls):
    with pytest.raises(AttributeError, match=rf"this {cls.__name__} is not bound to one\. bind\("):
        cls().plan(torch.tensor([0, 1]), 0)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int32])
def test_remix_reads_small_integer_targets_as_class_indices(dtype):
    # uint8 indices would select the classes as a mask; the label weights must be those
    # of the same targets in int64.
    y = torch.tensor([1, 1, 0, 1])
    plans = []
    for targets in (y, y.to(dtype)):
        torch.manual_seed(0)
        plans.append(_mixing(Remix, (300.0, 3.0)).plan(targets, 0))
    torch.testing.assert_close(plans[1].label_weight, plans[0].label_weight)
    torch.testing.assert_close(plans[1].own_share, plans[0].own_share)


# ------------------------------------------------------------------- losses
# The losses are torch modules that check their parameters when built (``__init__``):
# the same common checks, at that point.
LOSSES = [cls for _, cls in _items("loss")]
LOSS_PARAMS = pytest.mark.parametrize("cls", LOSSES, ids=[cls.__name__ for cls in LOSSES])


def _loss_params(cls):
    return [name for name in _init_params(cls) if name != "class_counts"]


@LOSS_PARAMS
def test_every_loss_parameter_has_a_constraint_and_bad_values_are_refused(cls):
    assert set(_loss_params(cls)) <= set(cls._parameter_constraints), cls.__name__
    checked = 0
    for name, bad in _invalid_values(cls, _loss_params(cls)):
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of"):
            cls(**{name: bad})
        checked += 1
    assert checked


@LOSS_PARAMS
def test_every_loss_pickles_with_its_parameters_and_counts(cls):
    loss = cls(np.array([50, 5]))
    restored = pickle.loads(pickle.dumps(loss))
    for name in _loss_params(cls):
        assert getattr(restored, name) == getattr(loss, name), name
    assert torch.equal(restored.class_counts, torch.tensor([50.0, 5.0]))
    logits, y = torch.tensor([[1.0, -1.0], [0.5, 2.0]]), torch.tensor([0, 1])
    if cls.uses_cosine_logits:
        logits = logits / 3  # cosines
    torch.testing.assert_close(restored(logits, y), loss(logits, y))


# imbalanced-learn's ``parametrize_with_checks``, its checks given as a list (pytest
# deprecates a generator of parameters).
_SMOTE_CHECKS = parametrize_with_checks([SMOTEWithFallback(random_state=0)])


@pytest.mark.parametrize(_SMOTE_CHECKS.args[0], list(_SMOTE_CHECKS.args[1]), **_SMOTE_CHECKS.kwargs)
def test_smote_with_fallback_passes_imbalanced_learn_checks(estimator, check):
    check(estimator)


# ------------------------------------------------------------- one step by hand


@pytest.mark.parametrize("loss", ["ce", "weighted_ce"])
def test_one_training_step_is_the_hand_computed_sgd_step(loss):
    # One batch holding all samples, plain SGD (the first momentum step is the gradient),
    # no weight decay: W1 = W0 - lr * grad of sum_i sw_i w_{y_i} l_i / sum_i w_{y_i},
    # with l_i the cross-entropy, w the class weights (n / (C n_c) for weighted_ce,
    # normalised to mean 1 over the classes, n_c the class's weighted count) and sw the
    # sample weights over their mean.
    from sklearn_imbalance_dl import ImbalancedNetClassifier

    torch.manual_seed(0)
    module = torch.nn.Linear(3, 2)
    X = np.array([[1, 0, 2], [0, 1, -1], [2, 2, 0], [-1, 0, 1]], dtype=np.float32)
    y = np.array([0, 0, 0, 1])
    sw = np.array([1.0, 2.0, 1.0, 0.5], dtype=np.float32)
    lr = 0.1
    clf = ImbalancedNetClassifier(
        module=module,
        loss=loss,
        optimizer="sgd",
        lr=lr,
        weight_decay=0.0,
        lr_schedule="constant",
        max_epochs=1,
        batch_size=4,
        random_state=0,
    ).fit(X, y, sample_weight=sw)

    W0 = module.weight.detach().clone().requires_grad_(True)
    b0 = module.bias.detach().clone().requires_grad_(True)
    logits = torch.as_tensor(X) @ W0.T + b0
    log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    nll = -log_p[torch.arange(4), torch.as_tensor(y)]
    if loss == "ce":
        class_weight = torch.ones(2)
    else:  # inverse frequency of the weighted counts (4, 0.5) / 1.125, scaled to sum 2
        inverse = 1 / torch.tensor([4.0, 0.5])
        class_weight = inverse * 2 / inverse.sum()
    w = class_weight[torch.as_tensor(y)]
    hand_loss = (torch.as_tensor(sw / sw.mean()) * w * nll).sum() / w.sum()
    hand_loss.backward()
    trained = clf.net_.module_
    np.testing.assert_allclose(
        trained.weight.detach().numpy(), (W0 - lr * W0.grad).detach().numpy(), rtol=1e-5
    )
    np.testing.assert_allclose(
        trained.bias.detach().numpy(), (b0 - lr * b0.grad).detach().numpy(), rtol=1e-5
    )
