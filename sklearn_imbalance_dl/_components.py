"""Turning the estimator's polymorphic parameters into the objects of one fit.

Every component (module, loss, schedule, mixing, learning-rate schedule) is given as a
registered name, a class, or an instance, with ``<component>__<param>`` keyword
arguments routed to it. One function builds them all, so that the rules (and the
error messages) are the same everywhere; the estimator never writes the result back
into its parameters.
"""

import copy
import inspect

import torch

OPTIMIZERS = {"sgd": torch.optim.SGD, "adamw": torch.optim.AdamW}
# SGD without momentum is rarely what anyone wants; the long-tailed recipe uses 0.9.
OPTIMIZER_DEFAULTS = {"sgd": {"momentum": 0.9}, "adamw": {}}


def accepted_parameters(cls):
    """Names ``cls(...)`` accepts, and whether it takes ``**kwargs``."""
    params = inspect.signature(cls).parameters.values()
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names, any(p.kind == p.VAR_KEYWORD for p in params)


def build_component(kind, value, registry, routed, *, from_data=None):
    """Build one component from a name, a class or an instance.

    Parameters
    ----------
    kind : str
        The parameter's name ("loss", "module", ...), used in messages.
    value : str, class or object
        The parameter's value.
    registry : dict
        Names to classes.
    routed : dict
        The ``kind__*`` keyword arguments, without the prefix.
    from_data : dict, optional
        Arguments known from the data (``n_features``, ``class_counts``, ...), passed
        when the class accepts them and the user did not set them.
    """
    if isinstance(value, str):
        cls = registry[value]
    elif isinstance(value, type):
        cls = value
    else:
        if routed:
            name = next(iter(routed))
            raise ValueError(
                f"{kind}__{name} was given, but {kind} is an instance of "
                f"{type(value).__name__}: set the parameter on the instance, or pass the "
                "class or a name so that the estimator builds it."
            )
        # A copy: fitting must not change the estimator's parameters.
        return copy.deepcopy(value)
    names, takes_any = accepted_parameters(cls)
    unknown = sorted(k for k in routed if k not in names and not takes_any)
    if unknown:
        valid = ", ".join(sorted(n for n in names if n not in (from_data or {}))) or "none"
        raise ValueError(
            f"{kind}__{unknown[0]} is not a parameter of {cls.__name__}. "
            f"Valid {kind}__ parameters: {valid}."
        )
    kwargs = {
        k: v for k, v in (from_data or {}).items() if (k in names or takes_any) and k not in routed
    }
    kwargs.update(routed)
    return cls(**kwargs)


def resolve_device(device):
    """``"auto"`` picks CUDA when present; an unavailable CUDA device is a clear error."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"The 'device' parameter must be 'auto', 'cpu', 'cuda' or 'cuda:N'. Got {device!r}."
        ) from exc
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for, but CUDA is not available on this machine; "
            "use device='auto' or 'cpu'."
        )
    return str(parsed)
