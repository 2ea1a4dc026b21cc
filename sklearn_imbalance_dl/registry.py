"""The one table of component names the estimator accepts.

Every name that a string parameter of
:class:`~sklearn_imbalance_dl.ImbalancedNetClassifier` accepts (``loss="ldam"``,
``schedule="drw"``, ``mixing="mfw"``, ...) is an entry of this registry, and every list
of names is read from it: the estimator's parameter constraints, the modules' ``head``
and ``activation`` options, the documentation's tables and the tests' combination
matrix. A component of your own becomes a name the estimator accepts by registering it
(for the rest of the session)::

    from sklearn_imbalance_dl import ImbalancedNetClassifier, register
    from sklearn_imbalance_dl.losses import FocalLoss

    @register("loss", "focal_3")
    class Focal3(FocalLoss):
        def __init__(self, class_counts=None, *, gamma=3.0, reduction="mean"):
            super().__init__(class_counts, gamma=gamma, reduction=reduction)

    clf = ImbalancedNetClassifier(loss="focal_3")

The estimator takes the name with it when it is pickled: joblib's and Dask's worker
processes (``GridSearchCV(clf, ..., n_jobs=2)``) and a session loading a saved model
register ``"focal_3"`` as they unpickle it, the class defined in a notebook included
(see the Notes of :func:`register`).

The shipped names:

>>> from sklearn_imbalance_dl.registry import lookup, names
>>> names("schedule")
('crt', 'drw', 'mislas', 'ppl', 'pps', 'ppw')
>>> lookup("loss", "ce").__name__
'CrossEntropyLoss'

Kinds, and what an entry is:

- ``"module"``: a ``torch.nn.Module`` class (``module=``);
- ``"loss"``: an :class:`~sklearn_imbalance_dl.losses.ImbalanceLoss` class, or a torch
  loss class such as ``torch.nn.CrossEntropyLoss`` (``loss=``);
- ``"schedule"``: a :class:`~sklearn_imbalance_dl.schedules.Schedule` class (``schedule=``);
- ``"mixing"``: a :class:`~sklearn_imbalance_dl.mixing.Mixing` class (``mixing=``);
- ``"lr_schedule"``: a learning-rate schedule class; the name is its ``kind``
  (``lr_schedule=``), and the class defines ``factor(epoch)``, the multiplier of ``lr``
  at that 0-based epoch (a finite number >= 0);
- ``"optimizer"``: a ``torch.optim.Optimizer`` class (``optimizer=``);
- ``"sampler"``: the exponent ``q`` of a batch sampler drawing each sample with
  probability proportional to ``n_c ** -q`` (``sampler=``);
- ``"augmentation"``: a callable on a batch of images on the device (``augment=``);
- ``"precision"``: a torch dtype for autocast, or None (``precision=``);
- ``"head"``: a classifier head class, called as ``cls(in_features, n_classes)``
  (``module__head=``);
- ``"activation"``: a ``torch.nn.Module`` class without arguments
  (``module__activation=``);
- ``"weight_averaging"``: a
  :class:`~sklearn_imbalance_dl.callbacks.WeightAveraging` class (``weight_averaging=``).

:func:`register` refuses, naming the kind, an entry that is not what its kind takes.

A component states what it needs as class attributes that the estimator reads at the
start of ``fit``: ``needs_images = True`` (a mixing or augmentation that works on
images of shape (channels, height, width) only) is refused on tabular rows, naming the
parameter; an augmentation's ``pixel_range = (low, high)`` (an attribute or property)
is checked against the training images, which must lie in it; a module's
``reads_images = True`` (a network of convolutions over images of shape (channels,
height, width), as ResNet-32) has images that look channels-last refused, with the
transposition that fixes them.
"""

import copy
import importlib
import inspect
import math
import pickle
import reprlib
import sys
import types
import warnings
from numbers import Integral, Real

import cloudpickle
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    _Constraint,
    validate_parameter_constraints,
)

from ._validation import check_component_params

__all__ = ["KINDS", "Component", "lookup", "names", "register"]

KINDS = (
    "module",
    "loss",
    "schedule",
    "mixing",
    "lr_schedule",
    "optimizer",
    "sampler",
    "augmentation",
    "precision",
    "head",
    "activation",
    "weight_averaging",
)

_TABLE = {kind: {} for kind in KINDS}
_SHIPPED_LOADED = False
# ``(kind, name)`` of the package's own entries, and of those registered in this process
# from a pickled estimator (see ``register_carried``) rather than by ``register``.
_SHIPPED = set()
_ARRIVED = set()
# ``(kind, name) -> (entry, its pickle)``: each entry is pickled once, not at every copy
# of an estimator naming it, and one that came with a pickle is known when it comes again.
_PICKLED = {}


def _table(kind):
    if not isinstance(kind, str) or kind not in _TABLE:
        raise ValueError(f"Unknown component kind {kind!r}; the kinds are {', '.join(KINDS)}.")
    return _TABLE[kind]


def _entries(kind):
    """The table of ``kind``, the shipped components registered first.

    The package imports its components lazily (the command line starts without torch);
    the first read of the registry imports them, so that their names are there.
    """
    global _SHIPPED_LOADED
    if not _SHIPPED_LOADED:
        _SHIPPED_LOADED = True
        importlib.import_module("sklearn_imbalance_dl._shipped")
    return _table(kind)


def register(kind, name):
    """Register a component under ``name``: a decorator that returns it unchanged.

    Parameters
    ----------
    kind : str
        One of :data:`~sklearn_imbalance_dl.registry.KINDS` ("loss", "schedule", "mixing", ...).
    name : str
        The name the estimator's parameter of that kind accepts from now on.

    Returns
    -------
    decorator : callable
        ``decorator(obj)`` registers ``obj`` and returns it.

    Raises
    ------
    ValueError
        If ``kind`` is unknown, or ``name`` is taken by another object of that kind
        (the shipped names included; a number equal to the registered one is no other,
        and a class or function defined again under its module and qualified name, as a
        notebook cell run twice gives, replaces its entry), or
        reserved (``"auto"`` for modules and learning-rate schedules).
    TypeError
        If the decorated object is not what an entry of ``kind`` is (see the module's
        list of kinds): a loss that is not a ``torch.nn.Module`` class, a head class
        that cannot be called as ``cls(in_features, n_classes)``, ...

    Notes
    -----
    The table lives in the Python process, and worker processes (``n_jobs > 1`` in
    ``GridSearchCV`` or ``cross_val_score``, a Dask cluster) start with the shipped
    names only. A pickled :class:`~sklearn_imbalance_dl.ImbalancedNetClassifier`
    carries the entries registered with this function, pickled with cloudpickle, so
    that classes and functions defined in a notebook travel by value; unpickling it
    registers those missing in the process that loads it (a joblib or Dask worker, or a
    later session loading a saved model). An unfitted estimator, what a search or
    ``cross_validate`` sends to its workers, carries every entry of the process, since
    the worker may set any name of the grid: ``GridSearchCV(ImbalancedNetClassifier(),
    {"loss": ["ce", "my_loss"]}, n_jobs=2)`` trains with ``my_loss`` in the workers. A
    fitted one, a saved model, carries those its parameters name (``loss="my_loss"``,
    ``module__head="my_head"``, ``schedule__sampler="my_q"``, the parameters of a
    component given as an instance).

    - A name the loading process has registered for another object keeps its entry
      there: a ``UserWarning`` names both, and a fit in that process uses its own entry.
      An entry that came with an earlier pickle gives way to the one of a later pickle
      (a class edited and registered again, sent to the same workers), and to a
      ``register`` in that process.
    - An entry that cannot be pickled (it holds a lock or an open file) is not carried,
      and a worker refuses its name as before.
    """
    # The shipped components register themselves as their modules load; one of the
    # user's loads them first, so that a clash with their names is refused here (not
    # later, inside the package's own import).
    shipped = sys._getframe(1).f_globals.get("__name__", "").startswith(__package__ + ".")
    entries = _table(kind) if shipped else _entries(kind)
    if not isinstance(name, str) or not name:
        raise ValueError(f"A {kind} name must be a non-empty string; got {name!r}.")
    name = str(name)  # a numpy string too, stored as the str it equals
    if name in _RESERVED.get(kind, ()):
        raise ValueError(
            f"The {kind} name {name!r} is reserved: {kind}={name!r} chooses among the "
            f"registered {kind}s by the data; choose another name."
        )

    def decorator(obj):
        if name in entries and _same(entries[name], obj):
            _ARRIVED.discard((kind, name))
            return obj
        # An entry that came with a pickled estimator gives way to the process's own.
        if name in entries and not _redefined(entries[name], obj) and (kind, name) not in _ARRIVED:
            raise ValueError(
                f"The {kind} name {name!r} is already registered for {entries[name]!r}; "
                "choose another name."
            )
        if not shipped:  # the shipped entries are checked by the package's tests
            _check_entry(kind, name, obj)
        entries[name] = obj
        _ARRIVED.discard((kind, name))
        if shipped:
            _SHIPPED.add((kind, name))
        return obj

    return decorator


# Names the estimator's parameters give a meaning of their own.
_RESERVED = {"module": ("auto",), "lr_schedule": ("auto",)}


def _same(old, new):
    """Whether ``new`` is the entry ``old``: the same object or, for numbers (a sampler's
    exponent, which a cell run again makes anew), the same value."""
    if old is new:
        return True
    numbers = [isinstance(x, Real) and not isinstance(x, bool) for x in (old, new)]
    return all(numbers) and old == new


def _redefined(old, new):
    """Whether ``new`` is ``old`` defined again: a class or function of the same module
    and qualified name, as a notebook cell run twice or a reloaded module gives (the new
    one replaces it)."""
    return (
        any(isinstance(old, kind) and isinstance(new, kind) for kind in _DEFINITIONS)
        # A factory's classes (<locals>) and lambdas share their names but differ.
        and "<" not in new.__qualname__
        and (old.__module__, old.__qualname__) == (new.__module__, new.__qualname__)
    )


_DEFINITIONS = (type, types.FunctionType)


def _entry_rules():
    """``kind -> (check, what an entry is)``; read once the components are loaded."""
    import torch  # here: the registry itself loads without torch (the command line)

    from .callbacks import WeightAveraging
    from .mixing import Mixing
    from .schedules import LRSchedule, Schedule

    def subclass(base):
        return lambda obj: isinstance(obj, type) and issubclass(obj, base)

    def called_with(*args):
        # A module class, or a factory of one (functools.partial(nn.LeakyReLU, 0.2)).
        def check(obj):
            module_or_factory = subclass(torch.nn.Module)(obj) or (
                callable(obj) and not isinstance(obj, type)
            )
            return module_or_factory and _accepts(obj, *args)

        return check

    return {
        "module": (subclass(torch.nn.Module), "a torch.nn.Module class"),
        "loss": (
            subclass(torch.nn.Module),
            "a loss class: a sklearn_imbalance_dl.losses.ImbalanceLoss subclass or a torch "
            "loss class (a torch.nn.Module subclass such as torch.nn.CrossEntropyLoss)",
        ),
        "schedule": (
            subclass(Schedule),
            "a sklearn_imbalance_dl.schedules.Schedule subclass",
        ),
        "mixing": (subclass(Mixing), "a sklearn_imbalance_dl.mixing.Mixing subclass"),
        "lr_schedule": (
            subclass(LRSchedule),
            "a subclass of sklearn_imbalance_dl.schedules.LRSchedule, whose 'kind' is the name",
        ),
        "optimizer": (subclass(torch.optim.Optimizer), "a torch.optim.Optimizer class"),
        "sampler": (
            lambda obj: isinstance(obj, Real) and not isinstance(obj, bool) and math.isfinite(obj),
            "a number: the exponent q of the sampling probability n_c ** -q (0: instance, "
            "1: class-balanced)",
        ),
        "augmentation": (
            lambda obj: callable(obj) and not isinstance(obj, type) and _accepts(obj, None),
            "a callable on a batch of images (a function, or an instance such as "
            "RandAugment()), not a class, called as augment(images)",
        ),
        "precision": (
            lambda obj: obj is None or obj in (torch.bfloat16, torch.float16),
            "a dtype autocast takes (torch.bfloat16, torch.float16) or None (full precision)",
        ),
        "head": (
            called_with(1, 1),
            "a torch.nn.Module class (or a factory of one) called as cls(in_features, n_classes)",
        ),
        "activation": (
            called_with(),
            "a torch.nn.Module class (or a factory of one) called without arguments",
        ),
        "weight_averaging": (
            subclass(WeightAveraging),
            "a sklearn_imbalance_dl.callbacks.WeightAveraging subclass",
        ),
    }


def _accepts(cls, *args):
    """Whether ``cls(*args)`` binds to its signature (True when it cannot be read)."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return True
    try:
        signature.bind(*args)
    except TypeError:
        return False
    return True


def _check_entry(kind, name, obj):
    """Refuse an entry that is not what ``kind`` takes, at registration."""
    check, expected = _entry_rules()[kind]
    if not check(obj):
        if isinstance(obj, type):
            got = f"the class {obj.__name__}"
        else:
            got = f"{reprlib.repr(obj)} of type {type(obj).__name__}"
            if check(type(obj)):
                got += " (register the class, not an instance)"
        raise TypeError(f"register({kind!r}, {name!r}) takes {expected}; got {got}.")


def lookup(kind, name):
    """The component registered under ``name``.

    Parameters
    ----------
    kind : str
        One of :data:`~sklearn_imbalance_dl.registry.KINDS`.
    name : str
        A registered name.

    Returns
    -------
    component : object
        What was registered (a class for most kinds).

    Raises
    ------
    ValueError
        If nothing of that kind is registered under ``name`` (the message lists the
        names that are).
    """
    entries = _entries(kind)
    if not isinstance(name, str) or name not in entries:
        raise ValueError(
            f"{name!r} is not a registered {kind}; the registered names are "
            f"{', '.join(map(repr, names(kind)))}."
        )
    return entries[name]


def is_shipped(kind, entry):
    """Whether ``entry`` is one of the package's own entries of ``kind`` (not one of the
    user's)."""
    entries = _entries(kind)
    return any(k == kind and entries.get(name) is entry for k, name in _SHIPPED)


def names(kind):
    """The names registered for ``kind``, sorted.

    Parameters
    ----------
    kind : str
        One of :data:`~sklearn_imbalance_dl.registry.KINDS`.

    Returns
    -------
    names : tuple of str
    """
    return tuple(sorted(_entries(kind)))


class Component(BaseEstimator):
    """Base class of the schedules, mixings, learning-rate schedules and weight averagings.

    In scikit-learn's manner: ``__init__`` stores its keyword arguments unchanged,
    ``get_params``/``set_params``, ``clone`` and the repr come from
    :class:`~sklearn.base.BaseEstimator`, and the class declares
    ``_parameter_constraints`` for every parameter of ``__init__``. The parameters are
    checked at one point, :meth:`bind`, which returns a copy bound to one fit (class
    counts, epochs, ...) and leaves the component itself unchanged, so that one object
    can configure many fits.

    A subclass declares ``_parameter_constraints``, may extend :meth:`_validate` with
    checks across parameters (calling ``super()._validate()``), and implements
    ``_bind(*args, **kwargs)``, which sets the fit's state on the copy in attributes
    ending with ``_``.
    """

    _parameter_constraints: dict = {}

    def _validate(self):
        """Check the parameters against ``_parameter_constraints``."""
        unset = [name for name in self._parameter_constraints if not hasattr(self, name)]
        if unset:
            raise TypeError(
                f"{type(self).__name__} has no attribute {unset[0]!r}, a parameter it "
                "declares in _parameter_constraints: its __init__ must set every parameter, "
                "those of the class it extends through super().__init__(...)."
            )
        check_component_params(self)

    def bind(self, *args, **kwargs):
        """A validated copy of this component, bound to one fit.

        Parameters
        ----------
        *args, **kwargs
            What the subclass's ``_bind`` takes (the fit's class counts, epochs, ...).

        Returns
        -------
        bound : Component
            A deep copy with the fit's state set; ``self`` is not modified.
        """
        bound = copy.deepcopy(self)
        bound._validate()
        bound._bind(*args, **kwargs)
        return bound

    def _bind(self, *args, **kwargs):
        """Set the fit's state on this copy (attributes ending with ``_``)."""

    def __getattr__(self, name):
        # Only for an attribute not found: a fit's state read on an unbound component
        # (DeferredReweighting().class_weights(3) reads n_epochs_) says what to do.
        if name.endswith("_") and not name.startswith("__"):
            cls = type(self).__name__
            raise AttributeError(
                f"{cls} has no attribute {name!r}, the state of a fit: this {cls} is not "
                "bound to one. bind(...) returns a copy bound to a fit (its class counts, "
                "epochs, ...); call its methods on that copy: bound = component.bind(...)."
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _check_bind_counts(self, **values):
        """Check numbers ``bind`` takes (``n_epochs=...``, ...): each an int >= 1."""
        validate_parameter_constraints(
            {name: [Interval(Integral, 1, None, closed="left")] for name in values},
            values,
            caller_name=f"{type(self).__name__}.bind",
        )


def carried_entries(values=None):
    """The user's entries (not the shipped ones) that ``values`` name, pickled.

    Parameters
    ----------
    values : iterable or None
        Parameter values: each string is looked up in every kind; lists, tuples, sets,
        dicts (their values) and objects with ``get_params`` (their parameters) are
        read through. None: every entry of the user's, whatever names it.

    Returns
    -------
    carried : dict
        ``(kind, name) -> bytes``, each entry pickled with cloudpickle (a class or
        function of ``__main__`` by value); an entry that cannot be pickled is left out.
    """
    carried = {}
    named = None if values is None else _strings(values, set())
    for kind in KINDS:
        entries = _entries(kind)
        for name in sorted(entries if named is None else named):
            if name not in entries or (kind, name) in _SHIPPED:
                continue
            data = _pickled(kind, name, entries[name])
            if data is not None:
                carried[(kind, name)] = data
    return carried


def _strings(values, seen):
    """The strings among ``values`` and inside them (see ``carried_entries``)."""
    found = set()
    for value in values:
        if isinstance(value, str):
            found.add(value)
            continue
        if id(value) in seen or isinstance(value, type):
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            found |= _strings(value.values(), seen)
        elif isinstance(value, (list, tuple, set, frozenset)):
            found |= _strings(value, seen)
        elif hasattr(value, "get_params"):
            try:
                params = value.get_params(deep=False)
            except Exception:  # not scikit-learn's: reading names must not stop a pickle
                continue
            if isinstance(params, dict):
                found |= _strings(params.values(), seen)
    return found


def _pickled(kind, name, entry):
    """``entry`` pickled with cloudpickle (once per entry), or None if it cannot be."""
    known = _PICKLED.get((kind, name))
    if known is not None and known[0] is entry:
        return known[1]
    try:
        data = cloudpickle.dumps(entry)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    _PICKLED[(kind, name)] = (entry, data)
    return data


def register_carried(carried):
    """Register the entries a pickled estimator carried that this process lacks.

    Parameters
    ----------
    carried : dict
        ``(kind, name) -> bytes``, as :func:`carried_entries` returns.

    Warns
    -----
    UserWarning
        For a name registered here for another object, which keeps its entry.
    """
    for (kind, name), data in carried.items():
        entries = _entries(kind)
        known = _PICKLED.get((kind, name))
        if name in entries and known is not None and known[0] is entries[name] and known[1] == data:
            continue  # this very entry (a copy in this process, or a worker's next task)
        entry = pickle.loads(data)
        if name in entries and _same(entries[name], entry):
            _PICKLED[(kind, name)] = (entries[name], data)
        elif name not in entries or (kind, name) in _ARRIVED:
            entries[name] = entry
            _ARRIVED.add((kind, name))
            _PICKLED[(kind, name)] = (entry, data)
        else:
            warnings.warn(
                f"The estimator being unpickled names the {kind} {name!r}, registered "
                f"where it was pickled for {entry!r}; this process has {name!r} registered "
                f"for {entries[name]!r}, which it keeps: a fit here uses that one.",
                UserWarning,
                stacklevel=3,
            )


def _items(kind):
    """``(name, component)`` pairs of ``kind``, sorted by name."""
    return sorted(_entries(kind).items())


class _RegisteredNames(StrOptions):
    """A ``StrOptions`` constraint read from the registry when checked.

    A name registered after the estimator's module was imported is accepted too.
    """

    def __init__(self, kind, extra=(), hint=""):
        _Constraint.__init__(self)
        _table(kind)
        self.kind = kind
        self.extra = frozenset(extra)
        self.hint = hint
        self.type = str
        self.deprecated = set()

    @property
    def options(self):
        return set(_entries(self.kind)) | self.extra

    def __str__(self):
        # A name registered in a notebook is unknown to a worker process (n_jobs > 1)
        # unless the estimator sent there named it (see the Notes of register).
        names = ", ".join(map(repr, sorted(self.options)))
        return f"a str among {{{names}}} (the names registered in this process{self.hint})"


def options(kind, *extra, hint=""):
    """The constraint "a name registered for ``kind``" (or one of ``extra``); ``hint``
    ends the parenthesis of its description."""
    return _RegisteredNames(kind, extra, hint)
