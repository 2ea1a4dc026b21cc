"""One way to check parameters: scikit-learn's ``_parameter_constraints``.

Every component class (loss, network module, schedule, mixing, learning-rate schedule)
declares ``_parameter_constraints`` with scikit-learn's constraint objects and checks
its parameters with :func:`check_component_params`, which raises scikit-learn's
``InvalidParameterError`` with scikit-learn's message::

    The 'gamma' parameter of FocalLoss must be a float in the range [0, inf). Got -1 instead.

A component checks its parameters where it first uses them: torch modules (losses,
networks) when they are built, callbacks and mixings when a fit binds them
(``prepare``). The estimator checks its own parameters, and the routed ones
(``loss__gamma``, ...) against the constraints of the component they go to, at the
start of ``fit``. Public functions use scikit-learn's ``validate_params`` decorator.
"""

import math
import numbers
from collections.abc import Iterable
from numbers import Integral, Real

from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
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
    "validate_params",
]


class TupleOf(Options):
    """A tuple or list whose items each satisfy ``item`` (an :class:`Interval`).

    scikit-learn has no constraint for sequences of numbers (``hidden_sizes=(256, 256)``,
    ``milestones=(0.8, 0.9)``); this one plugs into its machinery and its messages:
    "must be a tuple of int in the range [1, inf)".
    """

    def __init__(self, item, *, min_length=0):
        super().__init__(tuple, set())
        self.item = item
        self.min_length = min_length

    def is_satisfied_by(self, val):
        return (
            isinstance(val, (tuple, list))
            and len(val) >= self.min_length
            and all(self.item.is_satisfied_by(v) for v in val)
        )

    def __str__(self):
        at_least = f" of length >= {self.min_length}" if self.min_length else ""
        return f"a tuple{at_least} of {self.item}".replace(" an ", " ").replace(" a ", " ")


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


# ---- Legacy checker, being replaced by the constraints above (issue 8); deleted when unused.


def _fmt_bound(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(value)


def _interval_text(low: float, high: float, closed: str) -> str:
    left = "[" if closed in ("both", "left") else "("
    right = "]" if closed in ("both", "right") else ")"
    if math.isinf(low):
        left = "("
    if math.isinf(high):
        right = ")"
    return f"{left}{_fmt_bound(low)}, {_fmt_bound(high)}{right}"


def _in_interval(value: float, low: float, high: float, closed: str) -> bool:
    lo_ok = value >= low if closed in ("both", "left") else value > low
    hi_ok = value <= high if closed in ("both", "right") else value < high
    return lo_ok and hi_ok


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_param(
    value,
    name: str,
    owner: str,
    kind: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    closed: str = "both",
    options: Iterable[str] | None = None,
    allow_none: bool = False,
):
    """Check one argument and return it (ints as ``int``, reals as ``float``).

    Parameters
    ----------
    value : object
        The argument to check.
    name, owner : str
        Parameter and class names, used in the message.
    kind : {"int", "float", "bool", "str", "int_tuple"}
        ``"float"`` accepts any real number (ints included); ``"int_tuple"`` accepts a
        tuple or list of ints, each in the interval, and returns a tuple.
    low, high, closed : float, float, {"both", "left", "right", "neither"}
        Interval for numbers (and for each element of an ``int_tuple``).
    options : iterable of str, optional
        Allowed values for ``kind="str"``.
    allow_none : bool
        Whether ``None`` is accepted (and returned as is).

    Raises
    ------
    InvalidParameterError
        With the message "The '<name>' parameter of <owner> must be <what>. Got
        <value!r> instead."
    """
    if allow_none and value is None:
        return None
    interval = _interval_text(low, high, closed)
    ok = False
    if kind == "int":
        what = f"an int in the range {interval}"
        ok = _is_int(value) and _in_interval(value, low, high, closed)
        result = int(value) if ok else None
    elif kind == "float":
        what = f"a float in the range {interval}"
        ok = _is_real(value) and not math.isnan(value) and _in_interval(value, low, high, closed)
        result = float(value) if ok else None
    elif kind == "bool":
        what = "a bool"
        ok = isinstance(value, bool)
        result = value
    elif kind == "str":
        opts = sorted(options or ())
        what = "a str among {" + ", ".join(repr(o) for o in opts) + "}"
        ok = isinstance(value, str) and value in opts
        result = value
    elif kind == "int_tuple":
        what = f"a tuple of ints in the range {interval}"
        ok = isinstance(value, (tuple, list)) and all(
            _is_int(v) and _in_interval(v, low, high, closed) for v in value
        )
        result = tuple(int(v) for v in value) if ok else None
    else:  # pragma: no cover - programming error
        raise ValueError(f"Unknown kind {kind!r}.")
    if allow_none:
        what = f"{what} or None"
    if not ok:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {what}. Got {value!r} instead."
        )
    return result
