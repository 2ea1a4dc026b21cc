"""The optimizer of a fit: its options, its parameter groups and the automatic weight
decay (``weight_decay="auto"``).
"""

import fnmatch
import inspect
import math
from dataclasses import dataclass

import numpy as np
import torch

from ..callbacks._weight_averaging import SWA
from ..losses import LogitAdjustedLoss
from ..modules import TabularNet
from ..optim._sam import steps_from_a_closure
from ..registry import lookup
from ._components import accepted_parameters, component_class, resolve_component

# SGD without momentum is rarely what anyone wants; the long-tailed recipe uses 0.9.
_OPTIMIZER_DEFAULTS = {
    "sgd": {"momentum": 0.9},
    "sam": {"base_optimizer": torch.optim.SGD, "momentum": 0.9},
}


# weight_decay="auto". On TabularNet with the logit-adjusted loss (the defaults) every
# parameter but the classifier head decays strongly; the head keeps the usual decay, as
# a tail class of a few rows needs large head weights to beat the adjustment's -log
# prior (decaying the head too lost the one-row tails). The total decay is capped (the
# decay alone would shrink a weight by at most 1/e over the fit): uncapped, the many
# steps of a large table lost 7-22 points on letter. With the margin losses on cosine
# heads (LDAM, CRI) the same decay lost points, so other losses keep 1e-4.
_DEFAULT_WEIGHT_DECAY = 1e-4
_TABULAR_BODY_WEIGHT_DECAY = 10.0
_TABULAR_MAX_TOTAL_DECAY = 1.0


@dataclass(frozen=True)
class _AutoDecay:
    """``weight_decay="auto"`` on the tabular default: the head decays at 1e-4 and every
    other parameter at 10, or at ``1 / sum_t lr_t`` where that is less, the rates of the
    fit's steps summed: the learning-rate schedule's, and in SWA's window its own
    (``weight_averaging__lr``). cRT's and MiSLAS's extra epochs are not counted: they
    train the head alone."""

    steps_per_epoch: int
    factors: tuple  # the learning-rate schedule's factor of each main epoch
    swa: SWA | None  # weight averaging that sets its own rates, if any
    head_pattern = "head.*"

    def total_rate(self, lr):
        """The sum of the rates of the fit's steps, for parameters trained at ``lr``."""
        scheduled = len(self.factors) if self.swa is None else self.swa.start_epoch_
        total = lr * (self.steps_per_epoch * sum(self.factors[:scheduled]))
        if self.swa is not None:
            at_start = lr * self.factors[scheduled]
            window = range(scheduled, len(self.factors))
            total += self.steps_per_epoch * sum(self.swa.rate(e, at_start) for e in window)
        return total

    def body(self, lr):
        """The body's decay for parameters trained at the rate ``lr``."""
        total_rate = self.total_rate(lr)
        if total_rate <= 0:
            return _TABULAR_BODY_WEIGHT_DECAY
        return min(_TABULAR_BODY_WEIGHT_DECAY, _TABULAR_MAX_TOTAL_DECAY / total_rate)

    def of(self, name, lr):
        """The decay of the parameter ``name`` trained at the rate ``lr``."""
        return _DEFAULT_WEIGHT_DECAY if fnmatch.fnmatch(name, self.head_pattern) else self.body(lr)


def _weight_decay(params, module, loss, lr_schedule, averaging, n_samples):
    """The optimizer's weight decay, and the automatic decay (an :class:`_AutoDecay`)
    where ``"auto"`` decays parameters differently, else None. ``averaging``: the bound
    weight averaging or None (SWA may set its own rates).

    A float ``weight_decay`` applies to every parameter. ``"auto"`` is 1e-4, except on
    :class:`~.modules.TabularNet` with the logit-adjusted loss and AdamW. The cap holds
    for AdamW's decoupled decay; under SGD's momentum (0.9, SAM's base too) the same
    decay would shrink the weights about ten times further.
    """
    value = params["weight_decay"]
    if value != "auto":
        return value, None
    optimizer = params["optimizer"]
    if isinstance(optimizer, str):
        optimizer = lookup("optimizer", optimizer)
    adamw = isinstance(optimizer, type) and issubclass(optimizer, torch.optim.AdamW)
    if not (adamw and isinstance(module, TabularNet) and isinstance(loss, LogitAdjustedLoss)):
        return _DEFAULT_WEIGHT_DECAY, None
    steps_per_epoch = math.ceil(n_samples / params["batch_size"])
    factors = tuple(float(lr_schedule.factor(e)) for e in range(params["max_epochs"]))
    swa = averaging if isinstance(averaging, SWA) and averaging.lr is not None else None
    auto = _AutoDecay(steps_per_epoch, factors, swa)
    return auto.body(params["lr"]), auto


def _with_auto_decay(groups, auto, module, lr):
    """The user's parameter groups under ``weight_decay="auto"``: a group that sets no
    ``weight_decay`` takes the automatic decay of its parameters (the body's at the
    group's own rate), instead of the optimizer-wide body decay; one that takes head and
    body parameters alike must set its own. A parameter belongs to the first group whose
    pattern it matches, as in skorch."""
    names = [name for name, _ in module.named_parameters()]
    claimed, resolved = set(), []
    for pattern, options in groups:
        taken = [n for n in names if n not in claimed and fnmatch.fnmatch(n, pattern)]
        claimed.update(taken)
        if "weight_decay" in options or not taken:
            resolved.append((pattern, options))
            continue
        rate = options.get("lr", lr)
        decays = {auto.of(name, rate) for name in taken}
        if len(decays) > 1:
            raise ValueError(
                f"optimizer__param_groups: the pattern {pattern!r} takes parameters of the "
                f"head and of the body, which weight_decay='auto' decays differently "
                f"({', '.join(f'{d:.3g}' for d in sorted(decays))}): give the group its "
                "own 'weight_decay', or set weight_decay to a number."
            )
        resolved.append((pattern, {**options, "weight_decay": decays.pop()}))
    return resolved


def _resolve_optimizer(params, routed, weight_decay, auto_decay, module):
    """The optimizer class and its keyword arguments (skorch builds it on the module).

    ``param_groups`` is skorch's: ``[(pattern, options), ...]`` gives the parameters
    whose names match ``pattern`` (fnmatch) their own optimizer options. The user's
    groups come first, then the head's under ``auto_decay`` (an :class:`_AutoDecay`):
    a parameter joins the first group whose pattern it matches.
    """
    value = params["optimizer"]
    if "params" in routed:
        raise ValueError(
            "optimizer__params cannot be set: the optimizer trains the module's "
            "parameters. To give some of them their own options, use "
            "optimizer__param_groups=[(pattern, {option: value}), ...], e.g. "
            "[('head.*', {'weight_decay': 0.0})]."
        )
    # The estimator's own lr and weight_decay size the schedule and the automatic
    # decay: the optimizer's copies of them would silently override both.
    for name, follows in (
        ("lr", "lr_schedule and weight_decay='auto' follow"),
        ("weight_decay", "the default's head and body groups follow"),
    ):
        if name in routed:
            raise ValueError(
                f"optimizer__{name}={routed[name]!r} would override {name}="
                f"{params[name]!r}, the estimator's own parameter (which {follows}): set "
                f"{name} instead, or optimizer__param_groups=[(pattern, {{'{name}': "
                "value})] for some parameters."
            )
    defaults = {"weight_decay": weight_decay}
    if isinstance(value, str):
        defaults.update(_OPTIMIZER_DEFAULTS.get(value, {}))
        # The momentum default is SGD's: SAM around another base optimizer gets none.
        base = routed.get("base_optimizer", defaults.get("base_optimizer"))
        if value == "sam" and base is not torch.optim.SGD:
            defaults.pop("momentum")
    if isinstance(value, type) and not issubclass(value, torch.optim.Optimizer):
        raise ValueError(
            f"optimizer={value!r} is not a torch.optim.Optimizer subclass: pass one "
            "(e.g. torch.optim.AdamW) or a registered name."
        )
    routed = dict(routed)
    groups = routed.pop("param_groups", None)
    _check_optimizer_options(component_class("optimizer", value), routed)
    cls, kwargs = resolve_component("optimizer", value, routed, from_data=defaults)
    _check_decay_taken(cls, kwargs, params["weight_decay"])
    groups = [] if groups is None else _check_param_groups(groups, cls)
    _check_optimizer_builds(value, cls, params["lr"], kwargs, groups, routed, params["device"])
    if auto_decay is not None:
        groups = _with_auto_decay(groups, auto_decay, module, params["lr"])
        groups.append((auto_decay.head_pattern, {"weight_decay": _DEFAULT_WEIGHT_DECAY}))
    if groups:
        kwargs["param_groups"] = groups
    return cls, kwargs


def _check_decay_taken(cls, kwargs, weight_decay):
    """Refuse a weight decay the optimizer has no option for: it would not be applied.
    ``"auto"`` and 0 ask for none there. SAM passes its options on to its base
    optimizer, which decays or not: without the option, its ``weight_decay`` is dropped
    from ``kwargs`` (in place) for ``"auto"`` and 0."""
    decays, shown = cls, cls.__name__
    base = inspect.signature(cls).parameters.get("base_optimizer")
    if base is not None:
        decays = kwargs.get("base_optimizer", base.default)
        if not (isinstance(decays, type) and issubclass(decays, torch.optim.Optimizer)):
            return  # the optimizer refuses it when built
        shown = f"{cls.__name__} around {decays.__name__}"
    names, takes_any = accepted_parameters(decays)
    if takes_any or "weight_decay" in names:
        return
    if isinstance(weight_decay, str) or weight_decay == 0:
        kwargs.pop("weight_decay", None)
        return
    raise ValueError(
        f"weight_decay={weight_decay!r} cannot be applied: optimizer={shown} "
        "takes no weight_decay option. Set weight_decay=0 (or leave it at 'auto', which "
        "is none for such an optimizer), or use an optimizer that decays the weights, "
        "e.g. torch.optim.AdamW."
    )


def _check_optimizer_options(cls, routed):
    """Refuse an ``optimizer__*`` name the optimizer does not take, listing those it
    does: its own options (its defaults included), and ``param_groups``; not
    ``params``, ``lr`` or ``weight_decay``, which the estimator sets."""
    names, takes_any = accepted_parameters(cls)
    unknown = sorted(k for k in routed if k not in names and not takes_any)
    if unknown:
        valid = sorted(names - {"params", "lr", "weight_decay"}) + ["param_groups"]
        raise ValueError(
            f"optimizer__{unknown[0]} is not a parameter of {cls.__name__}. Valid "
            f"optimizer__ parameters: {', '.join(valid)}."
        )


def _check_optimizer_builds(value, cls, lr, kwargs, groups, given, device):
    """Build the optimizer once on a stand-in parameter on ``device``, with its options
    and with each group's, and take a step (torch checks some options only in the
    constructor, others only in the step), so that a bad value fails here, named, not
    at the first step inside torch. ``given``: the ``optimizer__*`` options the user
    set."""
    # The training step gives a closure to sharpness-aware optimizers (``first_step``).
    if steps_from_a_closure(cls) and not hasattr(cls, "first_step"):
        raise ValueError(
            f"optimizer={cls.__name__} needs a closure at every step (it re-evaluates the "
            "loss), which the estimator's training step does not give: use a first-order "
            "optimizer such as torch.optim.AdamW or SGD."
        )
    tries = [(f"the options {given}", {})] if given else [("its defaults", {})]
    tries += [(f"optimizer__param_groups's {p!r} options {o}", o) for p, o in groups]
    for which, options in tries:
        numbers = [
            v
            for value in {**given, **options}.values()
            for v in (value if isinstance(value, (tuple, list)) else (value,))
        ]
        if any(isinstance(v, float) and not math.isfinite(v) for v in numbers):
            raise ValueError(f"optimizer={value!r} got a value that is not finite in {which}.")
        _check_flags(value, cls, {**kwargs, **options}, {**given, **options}, which)
        stand_in = torch.zeros(1, requires_grad=True, device=device)
        try:
            optimizer = cls([stand_in], **{"lr": lr, **kwargs, **options})
        except (ValueError, TypeError, IndexError, RuntimeError) as exc:
            # One full stop, whether the optimizer's message ends with one or not.
            reason = str(exc).rstrip(".")
            raise ValueError(
                f"optimizer={value!r} cannot be built with {which}: {reason}."
            ) from exc
        if hasattr(cls, "first_step"):  # sharpness-aware: steps from a closure
            continue
        stand_in.grad = torch.zeros_like(stand_in)
        try:
            # Two: a momentum buffer is only read (SGD's dampening) from the second on.
            optimizer.step()
            optimizer.step()
        except (ValueError, TypeError, IndexError, RuntimeError, AssertionError) as exc:
            reason = str(exc).strip().rstrip(".") or type(exc).__name__
            raise ValueError(
                f"optimizer={value!r} cannot take a step at lr={options.get('lr', lr)} with "
                f"{which}: {reason}."
            ) from exc


def _check_flags(value, cls, kwargs, given, which):
    """Refuse a non-bool for an option that is a flag (its default a bool; ``foreach``
    and ``fused``, None by default): torch reads it by its truth, so that
    ``maximize="False"`` would train uphill."""
    signatures = [cls, kwargs.get("base_optimizer")]  # SAM passes its options on
    defaults = {}
    for taker in signatures:
        if isinstance(taker, type):
            for parameter in inspect.signature(taker).parameters.values():
                defaults.setdefault(parameter.name, parameter.default)
    for name, option in given.items():
        default = defaults.get(name, inspect.Parameter.empty)
        flag = isinstance(default, bool) or (default is None and name in ("foreach", "fused"))
        if (
            flag
            and not isinstance(option, (bool, np.bool_))
            and not (default is None and option is None)
        ):
            allowed = "True or False" + (" (or None)" if default is None else "")
            raise ValueError(
                f"optimizer={value!r} option {name} is a flag, {allowed}; got {option!r} in "
                f"{which}."
            )


def _check_param_groups(groups, cls):
    """``optimizer__param_groups`` as a list of ``(pattern, options)``, or a clear error."""
    names, takes_any = accepted_parameters(cls)
    form = "a list of (pattern, options) pairs, e.g. [('head.*', {'weight_decay': 0.0})]"
    if not isinstance(groups, (list, tuple)):
        raise ValueError(f"optimizer__param_groups must be {form}; got {groups!r}.")
    checked = []
    for group in groups:
        if not (isinstance(group, (list, tuple)) and len(group) == 2):
            raise ValueError(f"optimizer__param_groups must be {form}; got the item {group!r}.")
        pattern, options = group
        if not isinstance(pattern, str) or not isinstance(options, dict):
            raise ValueError(
                f"optimizer__param_groups must be {form}; got the item {group!r}, whose "
                "pattern is not a string or whose options are not a dict."
            )
        unknown = sorted(k for k in options if k == "params" or (k not in names and not takes_any))
        if unknown:
            valid = ", ".join(sorted(n for n in names if n != "params"))
            raise ValueError(
                f"optimizer__param_groups: {unknown[0]!r} (for {pattern!r}) is not an "
                f"option of {cls.__name__}. Valid options: {valid}."
            )
        checked.append((pattern, dict(options)))
    return checked
