"""Published training recipes: every method on its paper's settings.

:func:`get_recipe` gives the estimator's parameters, :func:`make_estimator` the unfitted
estimator or pipeline, :func:`list_recipes` the methods of a setting and
:func:`recipe_notes` each recipe's source, published number and departures.
"""

from ._recipes import (
    CIFAR10_MEAN,
    CIFAR10_STD,
    SETTINGS,
    RecipeNotes,
    get_recipe,
    list_recipes,
    make_estimator,
    rand_augment_cutout,
    recipe_notes,
)

__all__ = [
    "CIFAR10_MEAN",
    "CIFAR10_STD",
    "SETTINGS",
    "RecipeNotes",
    "get_recipe",
    "list_recipes",
    "make_estimator",
    "rand_augment_cutout",
    "recipe_notes",
]
