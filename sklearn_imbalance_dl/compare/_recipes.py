"""The methods ``compare`` runs: views of :mod:`sklearn_imbalance_dl.recipes`.

The one registry of methods is :mod:`sklearn_imbalance_dl.recipes` (setting
``"tabular"``): :func:`~sklearn_imbalance_dl.recipes.list_recipes` names them and
:func:`~sklearn_imbalance_dl.recipes.make_estimator` builds them. This module only
adapts them to ``compare``'s ``factory(seed, epochs, device)`` calling convention
(:class:`RecipeFactory`, a picklable object, so joblib and Dask can send it to worker
processes).

To build one of compare's methods in a notebook::

    from sklearn_imbalance_dl.recipes import make_estimator
    clf = make_estimator("ldam_drw", "tabular", random_state=0, max_epochs=100)
"""

from imblearn.pipeline import Pipeline

from .._classifier import ImbalancedNetClassifier

__all__ = ["RecipeFactory", "default_methods", "describe_method", "is_deep"]


SETTING = "tabular"


def default_methods():
    """The methods ``compare`` runs by default: every tabular recipe, in its order."""
    from ..recipes import list_recipes

    return list_recipes(SETTING)


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
    >>> from sklearn_imbalance_dl.compare._recipes import RecipeFactory
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
    net = "network, " + ", ".join(f"{k}={v}" for k, v in params.items())
    estimator = RecipeFactory(method)(0, 1, "cpu")
    if isinstance(estimator, Pipeline):
        samplers = " then ".join(type(step).__name__ for _, step in estimator.steps[:-1])
        return f"{samplers}, then the {net}"
    return net
