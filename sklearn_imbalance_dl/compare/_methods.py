"""The methods ``compare`` runs: views of :mod:`sklearn_imbalance_dl.recipes`.

The one registry of methods is :mod:`sklearn_imbalance_dl.recipes` (setting
``"tabular"``): :func:`~sklearn_imbalance_dl.recipes.list_recipes` names them and
:func:`~sklearn_imbalance_dl.recipes.make_estimator` builds them. This module only
adapts them to ``compare``'s ``factory(seed, epochs, device)`` calling convention
(:class:`RecipeFactory`, a picklable object, so joblib and Dask can send it to worker
processes).

To build one of compare's methods in a notebook::

    from sklearn_imbalance_dl.recipes import make_estimator
    clf = make_estimator("ldam_drw", "tabular", random_state=0)
"""

import inspect

from imblearn.pipeline import Pipeline

from .._builder import build_component, mixes_input
from .._classifier import ImbalancedNetClassifier

__all__ = [
    "RecipeFactory",
    "default_methods",
    "describe_method",
    "is_deep",
    "takes_raw_table",
    "unavailable_methods",
]


SETTING = "tabular"

#: Training epochs of compare's networks: the estimator's own ``max_epochs``, so that
#: the ``default`` method is ``ImbalancedNetClassifier()`` as the benchmark chose it.
DEFAULT_EPOCHS = inspect.signature(ImbalancedNetClassifier).parameters["max_epochs"].default

#: Recipes that need a package outside the requirements: method -> (module, pip name).
OPTIONAL_PACKAGES = {"catboost": ("catboost", "catboost")}


def unavailable_methods():
    """Recipes whose package is not installed, as ``{method: "pip install ..."}``."""
    from importlib.util import find_spec

    return {
        method: f"pip install {pip}"
        for method, (module, pip) in OPTIONAL_PACKAGES.items()
        if find_spec(module) is None
    }


def default_methods():
    """The methods ``compare`` runs by default: every tabular recipe, in its order.

    Recipes whose optional package is missing (:func:`unavailable_methods`) are left
    out; ``compare`` says so under its table.
    """
    from ..recipes import list_recipes

    missing = unavailable_methods()
    return [m for m in list_recipes(SETTING) if m not in missing]


def takes_raw_table(estimator):
    """Whether ``estimator`` gets a table as it comes, without compare's encoding step.

    True for a network that reads DataFrames itself (``module="tabular"`` or
    ``"auto"``: categorical columns one-hot encoded or embedded, missing values imputed with an
    indicator), unless it mixes inputs, whose category codes cannot be averaged
    (``mixing`` at the input, PPL's PPmix). Every other method (the non-deep rivals,
    pipelines whose resampler needs numbers, input mixing) gets the one-hot /
    impute / standardise step of :func:`~sklearn_imbalance_dl.compare.make_preprocessor`
    in front, fitted on the training fold.
    """
    if not isinstance(estimator, ImbalancedNetClassifier) or not estimator._takes_tables():
        return False
    try:
        mixing = _mixing(estimator)
    except (AttributeError, TypeError, ValueError):
        # Not known before fit (a schedule's mixing() may read what fit binds it to, as
        # its epochs; a mixing that cannot be built, the fit says why): the encoded
        # table suits any mixing.
        return False
    return not mixes_input(mixing)


def _mixing(estimator):
    """The mixing ``estimator`` trains with, built as its fit builds it: its own, or the
    one its schedule brings (PPL's PPmix, for ``"ppl"`` as for an instance); None
    without one."""
    if estimator.mixing is not None:
        return build_component("mixing", estimator.mixing, estimator._routed("mixing"))
    if estimator.schedule is not None:
        routed = estimator._routed("schedule")
        schedule = build_component("schedule", estimator.schedule, routed)
        brought = getattr(schedule, "mixing", None)
        return brought() if callable(brought) else None
    return None


class RecipeFactory:
    """``factory(seed, epochs, device)`` building the tabular recipe of ``method``.

    Calls :func:`~sklearn_imbalance_dl.recipes.make_estimator` (methods without a
    network ignore ``epochs`` and ``device``). An object rather than a closure, so that
    it pickles to joblib and Dask workers.

    Parameters
    ----------
    method : str
        A name from ``list_recipes("tabular")``.

    Examples
    --------
    >>> from sklearn_imbalance_dl.compare._methods import RecipeFactory
    >>> RecipeFactory("ldam_drw")(seed=0, epochs=5, device="cpu").schedule
    'drw'
    """

    def __init__(self, method):
        from ..recipes import list_recipes

        if method not in list_recipes(SETTING):
            raise ValueError(
                f"Unknown method {method!r}; valid methods are: {', '.join(list_recipes(SETTING))}."
            )
        self.method = method

    def __call__(self, seed, epochs, device):
        from ..recipes import make_estimator

        return make_estimator(
            self.method, SETTING, random_state=seed, max_epochs=epochs, device=device
        )

    def __repr__(self):
        return f"RecipeFactory({self.method!r})"


def is_deep(estimator):
    """Whether ``estimator`` is a network: an ImbalancedNetClassifier or a pipeline ending in one.

    The "non-deep" rows of the table (logistic regression, gradient boosting, random
    forests, ...) are the others.
    """
    if isinstance(estimator, Pipeline) or hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return isinstance(estimator, ImbalancedNetClassifier)


def describe_method(method):
    """One line describing a tabular recipe, for ``--help``: built from the recipe itself."""
    from ..recipes import get_recipe, recipe_notes

    try:
        params = get_recipe(method, SETTING)
    except ValueError:  # no network: the rival named by its source (nothing built)
        return recipe_notes(method, SETTING).source.split(";")[0]
    settings = ", ".join(f"{k}={v}" for k, v in params.items())
    net = f"network, {settings or 'the estimator defaults (ImbalancedNetClassifier())'}"
    estimator = RecipeFactory(method)(0, 1, "cpu")
    if isinstance(estimator, Pipeline):
        samplers = " then ".join(type(step).__name__ for _, step in estimator.steps[:-1])
        return f"{samplers}, then the {net}"
    return net
