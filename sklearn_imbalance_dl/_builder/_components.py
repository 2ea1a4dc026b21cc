"""Components by name, class or instance: the one rule (and its messages) by which
every component of the estimator is resolved and built, with its routed parameters.
"""

import copy
import inspect
import warnings

import torch

from .._validation import Labelled, first_few, user_stacklevel
from ..registry import lookup, names

# The components that take ``<kind>__<param>`` routed parameters, in this order.
ROUTED_KINDS = (
    "module",
    "loss",
    "schedule",
    "mixing",
    "optimizer",
    "lr_schedule",
    "weight_averaging",
)


def accepted_parameters(cls):
    """Names ``cls(...)`` accepts, and whether it takes ``**kwargs``.

    A torch module class without an ``__init__`` of its own takes nothing:
    ``nn.Module``'s ``*args, **kwargs`` are there for its subclasses to pass on.
    """
    if isinstance(cls, type) and cls.__init__ is torch.nn.Module.__init__:
        return set(), False
    params = inspect.signature(cls).parameters.values()
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names, any(p.kind == p.VAR_KEYWORD for p in params)


def auto_module(input_shape):
    """``module="auto"``: the tabular backbone for rows, ResNet-32 for (C, H, W) images."""
    return {1: "tabular", 3: "resnet32"}.get(len(input_shape), "mlp")


def routed_constraint(kind, value, name):
    """The constraint of the routed parameter ``kind__name`` ("no_validation" for none).

    ``module="auto"`` builds the tabular backbone for rows, the MLP or ResNet-32 for
    other samples: where they hold the name to different constraints, a value passes
    that one of them takes (``module__hidden_sizes=()`` is an MLP's linear model on
    samples of shape (H, W)), and the module built checks it again.
    """
    constraints = getattr(component_class(kind, value), "_parameter_constraints", None)
    if not constraints or name not in constraints:
        return "no_validation"  # the builder refuses a name the component does not take
    if not (kind == "module" and value == "auto"):
        return constraints[name]
    held = {}
    for shape, where in _AUTO_SHAPES:
        cls = lookup("module", auto_module(shape))
        if name in cls._parameter_constraints:
            held[(cls.__name__, where)] = cls._parameter_constraints[name]
    if len({tuple(map(str, c)) for c in held.values()}) == 1:
        return constraints[name]
    return [
        Labelled(c, f"for {module} (module='auto' {where})")
        for (module, where), cs in held.items()
        for c in cs
    ]


# The samples' shapes that tell the modules module="auto" builds apart.
_AUTO_SHAPES = (((1,), "on rows"), ((1, 1, 1), "on images"), ((1, 1), "on other samples"))


def component_class(kind, value, input_shape=(1,)):
    """The class a component parameter designates (None when it designates none).

    ``module="auto"`` designates the module it builds for samples of ``input_shape``;
    by default the tabular backbone, the module of 2-D inputs: routed ``module__*``
    names are checked against its parameters before the data's shape is known (and
    against ResNet-32's or the MLP's when it builds another; :func:`routed_constraint`
    gives their constraints).
    """
    if kind == "module" and value == "auto":
        value = auto_module(input_shape)
    if kind == "lr_schedule" and value == "auto":
        value = "cosine"  # every name of this kind designates one class
    if isinstance(value, str):
        # An unregistered name designates no class (the constraints refuse it).
        return lookup(kind, value) if value in names(kind) else None
    if isinstance(value, type):
        return value
    return None if value is None else type(value)


def resolve_component(kind, value, routed, *, from_data=None, settable=False):
    """The class and keyword arguments of a component given by name or class.

    Parameters
    ----------
    kind : str
        The parameter's name ("loss", "module", ...), used in messages.
    value : str or class
        The parameter's value.
    routed : dict
        The ``kind__*`` keyword arguments, without the prefix.
    from_data : dict, optional
        Arguments known from the data or the estimator (``n_features``,
        ``class_counts``, ...), passed when the class accepts them and the user did not
        set them.
    settable : bool, default=False
        Whether the ``kind__*`` parameters may set those of ``from_data`` too (a
        module's ``head`` or ``in_channels``): an unknown name's message then lists them.
    """
    from_data = from_data or {}
    cls = component_class(kind, value)
    names, takes_any = accepted_parameters(cls)
    unknown = sorted(k for k in routed if k not in names and not takes_any)
    if unknown:
        valid = ", ".join(sorted(n for n in names if n not in from_data)) or "none"
        message = (
            f"{kind}__{unknown[0]} is not a parameter of {cls.__name__}. "
            f"Valid {kind}__ parameters: {valid}"
        )
        filled = sorted(n for n in names if n in from_data) if settable else []
        if filled:
            message += (
                f"; and {', '.join(filled)}, which fit fills in (from the data and the "
                "other parameters) when they are left unset"
            )
        raise ValueError(message + "." + _grid_hint(kind, unknown[0]))
    kwargs = {k: v for k, v in from_data.items() if (k in names or takes_any) and k not in routed}
    kwargs.update(routed)
    return cls, kwargs


def _grid_hint(kind, parameter):
    """Where a parameter that this component lacks is one of other components of its
    kind (a grid over ``loss`` that keeps ``loss__gamma`` for every loss): how to give
    it to those only."""
    takers = [
        name for name in names(kind) if parameter in accepted_parameters(lookup(kind, name))[0]
    ]
    if not takers:
        return ""
    return (
        f" {kind}__{parameter} is a parameter of {kind} {first_few(takers)}: in a grid "
        f"over {kind}, give it beside those only, with a list of grids, e.g. "
        f"[{{'{kind}': [{takers[0]!r}], '{kind}__{parameter}': [...]}}, {{'{kind}': [...]}}]."
    )


def build_component(kind, value, routed, *, from_data=None, settable=False):
    """Build one component from a name, a class or an instance (copied, never shared).

    ``from_data`` and ``settable`` as in :func:`resolve_component`.
    """
    if not isinstance(value, (str, type)):
        if routed and not hasattr(value, "set_params"):
            raise ValueError(
                f"{kind}__{next(iter(routed))} was given, but {kind} is an instance of "
                f"{type(value).__name__}: set the parameter on the instance, or pass the "
                "class or a name so that the estimator builds it."
            )
        # A copy: fitting must not change the estimator's parameters. The routed ones
        # (given to the constructor) apply to it, as set_params applies them.
        built = copy.deepcopy(value)
        return built.set_params(**routed) if routed else built
    cls, kwargs = resolve_component(kind, value, routed, from_data=from_data, settable=settable)
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):  # no signature to read (a builtin): try the call
        return cls(**kwargs)
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        passed = ", ".join(f"{name}=..." for name in kwargs) or "no argument"
        reason = str(exc).rstrip(".")
        raise ValueError(
            f"{kind}={value!r} cannot be built as {cls.__name__}({passed}): {reason}. The "
            f"estimator passes what it knows from the data that the class's __init__ "
            f"names ({', '.join(from_data or {}) or 'nothing'}) and the {kind}__* "
            "parameters; give the other arguments defaults or route them, or pass an "
            "instance."
        ) from None
    return cls(**kwargs)


def _warn_unused_routed(params, routed):
    """Routed parameters of a component switched off (``schedule=None``, ...) do nothing:
    say so (a misspelt component parameter would otherwise pass unseen too). Not an
    error, so that a grid may search over the component and its parameters together."""
    for kind in ("schedule", "mixing", "weight_averaging"):
        unused = sorted(routed(kind))
        if params[kind] is None and unused:
            warnings.warn(
                f"{', '.join(f'{kind}__{name}' for name in unused)} ignored: {kind}=None.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )


def _build_optional(kind, params, routed, base, expected):
    """The optional component ``kind`` (None when not set), checked to be a ``base``."""
    if params[kind] is None:
        return None
    component = build_component(kind, params[kind], routed)
    if not isinstance(component, base):
        raise ValueError(f"{kind} must be {expected}; got {type(component).__name__}.")
    return component


def ignored_parameters(kind, value):
    """Routed parameters the component ``value`` of ``kind`` takes but does not read:
    the steps of ``lr_schedule="warmup_step"`` under the other learning-rate schedules
    (one class serves the three names)."""
    if kind == "lr_schedule" and value != "warmup_step":
        return {"milestone_fractions", "factors"}
    return set()
