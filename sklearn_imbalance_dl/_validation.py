"""Argument checks for the network modules, with scikit-learn-style messages.

The modules are ``torch.nn.Module`` objects, so (unlike the estimator) they check
their arguments when they are built. The message format follows scikit-learn's
``_parameter_constraints``::

    The 'dropout' parameter of MLP must be a float in the range [0, 1). Got 1.5 instead.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

__all__ = ["InvalidParameterError", "check_param"]


class InvalidParameterError(ValueError, TypeError):
    """Raised when a module argument has the wrong type or value.

    Inherits from both ``ValueError`` and ``TypeError``, as scikit-learn's error of
    the same name does, so either ``except`` clause catches it.
    """


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
