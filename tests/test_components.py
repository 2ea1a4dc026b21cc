"""Common checks of every registered component, in the manner of imbalanced-learn's.

Every schedule, mixing and learning-rate schedule in the registry: each parameter of
``__init__`` has a constraint, an invalid value is refused by ``bind`` naming the
parameter, ``bind`` returns a copy and leaves the component unchanged, and the component
clones, pickles and prints as a scikit-learn estimator does.
"""

import inspect
import pickle

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

from sklearn_imbalance_dl.registry import Component, _items
from sklearn_imbalance_dl.sampling import SMOTEWithFallback

# The arguments that bind each kind to a small fit: two classes, 10 epochs.
BIND_ARGS = {
    "schedule": ((np.array([50, 5]), 10), {}),
    "mixing": ((torch.tensor([50.0, 5.0]),), {"n_epochs": 10, "n_points": 3, "device": "cpu"}),
    "lr_schedule": ((10,), {}),
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
    for name in _init_params(cls):
        constraints = [make_constraint(c) for c in cls._parameter_constraints[name]]
        for constraint in constraints:
            try:
                bad = generate_invalid_param_val(constraint)
            except NotImplementedError:
                continue
            if any(c.is_satisfied_by(bad) for c in constraints):
                continue
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


# imbalanced-learn's ``parametrize_with_checks``, its checks given as a list (pytest
# deprecates a generator of parameters).
_SMOTE_CHECKS = parametrize_with_checks([SMOTEWithFallback(random_state=0)])


@pytest.mark.parametrize(_SMOTE_CHECKS.args[0], list(_SMOTE_CHECKS.args[1]), **_SMOTE_CHECKS.kwargs)
def test_smote_with_fallback_passes_imbalanced_learn_checks(estimator, check):
    check(estimator)
