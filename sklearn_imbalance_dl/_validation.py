"""One way to check parameters: scikit-learn's ``_parameter_constraints``.

Every component class (loss, network module, schedule, mixing, learning-rate schedule)
declares ``_parameter_constraints`` with scikit-learn's constraint objects and checks
its parameters with :func:`check_component_params` (the registry's ``Component``, the
base of schedules, mixings and the other callbacks, calls it in ``_validate``), which
raises scikit-learn's ``InvalidParameterError`` with scikit-learn's message::

    The 'gamma' parameter of FocalLoss must be a float in the range [0.0, inf). Got -1 instead.

A component checks its parameters where it first uses them: torch modules (losses,
networks) when they are built, callbacks and mixings when a fit binds them
(``bind``). The estimator checks its own parameters, and the routed ones
(``loss__gamma``, ...) against the constraints of the component they go to, at the
start of ``fit``. Public functions use scikit-learn's ``validate_params`` decorator.
"""

import os
import sys
from numbers import Integral, Real

import numpy as np
import skorch
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    make_constraint,
    validate_parameter_constraints,
    validate_params,
)

__all__ = [
    "HasMethods",
    "Interval",
    "Integral",
    "InvalidParameterError",
    "Real",
    "StrOptions",
    "TupleOf",
    "check_component_params",
    "check_label_types",
    "check_no_missing_labels",
    "label_kinds",
    "missing_labels",
    "user_stacklevel",
    "validate_params",
]


class TupleOf(Options):
    """A tuple, list or 1-D array whose items each satisfy ``item`` (an :class:`Interval`).

    scikit-learn has no constraint for sequences of numbers (``hidden_sizes=(256, 256)``,
    ``milestones=(0.8, 0.9)``); this one plugs into its machinery and its messages:
    "must be a tuple of int in the range [1, inf)".
    """

    def __init__(self, item, *, min_length=0, length=None):
        super().__init__(tuple, set())
        self.item = item
        self.min_length = min_length
        self.length = length

    def is_satisfied_by(self, val):
        return (
            (isinstance(val, (tuple, list)) or (isinstance(val, np.ndarray) and val.ndim == 1))
            and len(val) >= self.min_length
            and (self.length is None or len(val) == self.length)
            and all(self.item.is_satisfied_by(v) for v in val)
        )

    def __str__(self):
        if self.length is not None:
            size = f" of length {self.length}"
        else:
            size = f" of length >= {self.min_length}" if self.min_length else ""
        return f"a tuple{size} of {self.item}".replace(" an ", " ").replace(" a ", " ")


class Labelled(Options):
    """A constraint that says where it applies, for a parameter held to several: "a
    tuple of int in the range [1, inf) for MLP". (An ``Options``, as scikit-learn takes
    no constraint of another class.)"""

    def __init__(self, constraint, label):
        super().__init__(object, set())
        self.constraint = make_constraint(constraint)
        self.label = label

    def is_satisfied_by(self, val):
        return self.constraint.is_satisfied_by(val)

    def __str__(self):
        return f"{self.constraint} {self.label}"


def check_component_params(component, params=None):
    """Check ``component``'s parameters against its class's ``_parameter_constraints``.

    Parameters
    ----------
    component : object
        A loss, module, schedule or mixing whose class declares
        ``_parameter_constraints``.
    params : dict, optional
        The values to check; by default the component's attributes of the same names.

    Raises
    ------
    InvalidParameterError
        Naming the parameter, the component's class, what is expected and what was given.
    """
    constraints = type(component)._parameter_constraints
    if params is None:
        params = {name: getattr(component, name) for name in constraints}
    validate_parameter_constraints(constraints, params, caller_name=type(component).__name__)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# skorch's net calls the callbacks: a callback's warning passes through its frames too.
_SKORCH_DIR = os.path.dirname(os.path.abspath(skorch.__file__)) + os.sep


def user_stacklevel():
    """The ``stacklevel`` that points a warning at the user's line.

    For a ``warnings.warn`` in the caller: the first frame outside this package, skorch
    and scikit-learn's wrapper of ``fit`` (``_fit_context``), so the warning names the
    line that called ``fit`` (or the meta-estimator that did), callbacks' warnings too.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and (
        frame.f_code.co_filename.startswith((_PACKAGE_DIR, _SKORCH_DIR)) or _is_fit_context(frame)
    ):
        frame, level = frame.f_back, level + 1
    return level


def _is_fit_context(frame):
    path = frame.f_code.co_filename
    return frame.f_code.co_name == "wrapper" and path.endswith(os.path.join("sklearn", "base.py"))


def label_kinds(labels):
    """The kinds of label in a 1-D array: "string", "number" or another type's name."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "USbiuf":
        return {"string" if labels.dtype.kind in "US" else "number"}
    return {
        "string" if isinstance(v, (str, bytes)) else "number" if isinstance(v, Real) else
        type(v).__name__
        for v in labels.tolist()
    }  # fmt: skip


def listed_labels(y):
    """A 1-D list or tuple of labels as an object array, each label as given; None for
    anything else. numpy would read ``[0, "a"]`` as the strings "0", "a" (merging 1 and
    "1"), and ``["a", nan]`` as "a", "nan"."""
    if isinstance(y, (list, tuple)):
        labels = np.asarray(y, dtype=object)
        if labels.ndim == 1:
            return labels
    return None


def check_label_types(*arrays, name="y", verb="mixes"):
    """Refuse labels of mixed kinds (``[1, "a"]``) in ``arrays`` taken together: they
    neither compare nor sort together. Each array is read by its dtype where it has one
    (no loop over the labels of a numeric or string array)."""
    if len(set().union(*(label_kinds(a) for a in arrays))) > 1:
        raise ValueError(
            f"{name} {verb} labels of types {label_type_names(*arrays)}, which do not "
            "compare or sort together; "
            "give every label one type (e.g. np.asarray(y).astype(str))."
        )


def check_object_labels(labels, name="y"):
    """Refuse labels other than strings held as objects (``pd.Series([0, 1],
    dtype=object)``): scikit-learn types them as "unknown" and asks whether they are a
    regression target. The message keeps scikit-learn's "Unknown label type", which
    its estimator checks look for. Labels of mixed kinds are refused before."""
    if labels.dtype == object and len(labels) and not isinstance(labels[0], str):
        raise ValueError(
            f"Unknown label type: {name} holds {label_type_names(labels)} labels in an array "
            f"of dtype object, which scikit-learn does not read as classes; give {name} the "
            f"dtype of its labels, e.g. {name}.astype(int) for whole numbers, or "
            f"{name}.astype(str)."
        )


def label_type_names(*arrays):
    """The Python type names of the labels in ``arrays``, sorted and joined: for messages."""
    names = {type(value).__name__ for arr in arrays for value in np.asarray(arr).tolist()}
    return ", ".join(sorted(names))


def first_few(values, limit=5):
    """The first ``limit`` of ``values`` as reprs joined by commas, and how many more:
    a message names a few and says that there are others."""
    values = [plain_value(value) for value in values]
    shown = ", ".join(map(repr, values[:limit]))
    return f"{shown} and {len(values) - limit} more" if len(values) > limit else shown


def param_repr(value):
    """A parameter's value as a message names it: its repr, but a torch module instance
    as ``ClassName(...)``, since its repr lists every layer (a ResNet-32's, thousands of
    characters, would bury the message)."""
    import torch

    if isinstance(value, torch.nn.Module):
        return f"{type(value).__name__}(...)"
    return repr(value)


def plain_value(value):
    """A numpy scalar as the Python value it holds (any other value as it is): a label
    shown in a message as the user wrote it (``'a'``, not ``np.str_('a')``)."""
    return value.item() if isinstance(value, np.generic) else value


def check_no_missing_labels(labels, name="y", then="; drop those samples first."):
    """Refuse missing labels (None, NaN or pd.NA) in the 1-D array ``labels``, naming
    the first positions; ``then`` ends the message with what they would do, or what to
    do."""
    missing = np.flatnonzero(missing_labels(labels))
    if len(missing):
        raise ValueError(
            f"{name} has {len(missing)} missing label(s) (None, NaN or pd.NA), first at "
            f"position(s) {missing[:5].tolist()}{then}"
        )


def missing_labels(labels):
    """Boolean mask of the missing labels of a 1-D array: NaN (any float type), None or
    pd.NA (a pandas string or nullable column)."""
    if labels.dtype.kind == "f":
        return np.isnan(labels)
    if labels.dtype == object:
        import pandas as pd

        return np.asarray(pd.isna(labels), dtype=bool)
    return np.zeros(len(labels), dtype=bool)
