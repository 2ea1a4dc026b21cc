"""The registry of methods that ``compare`` puts side by side.

Every recipe is a plain function ``factory(seed, epochs, device)`` returning an
*unfitted* estimator or imbalanced-learn pipeline, so that a notebook can reuse it::

    from sklearn_imbalance_dl.compare import RECIPES
    clf = RECIPES["ldam_drw"](seed=0, epochs=100, device="cpu")

The functions live at module level (not lambdas) so that joblib and Dask can pickle
them to worker processes.
"""

from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.linear_model import LogisticRegression

from .._classifier import ImbalancedNetClassifier
from ..sampling import SMOTEWithFallback

__all__ = ["DESCRIPTIONS", "RECIPES", "SMOTEWithFallback", "get_recipe"]


def _net(seed, epochs, device, **params):
    return ImbalancedNetClassifier(max_epochs=epochs, device=device, random_state=seed, **params)


def ce(seed, epochs, device):
    """The network trained with plain cross-entropy (the baseline)."""
    return _net(seed, epochs, device, loss="ce")


def smote(seed, epochs, device):
    """Cross-entropy after SMOTE (k reduced for small classes; copies for singletons).

    The sampler is :class:`SMOTEWithFallback`, a pipeline step: fitted per training fold.
    """
    return Pipeline(
        [
            ("sampler", SMOTEWithFallback(random_state=seed)),
            ("net", _net(seed, epochs, device, loss="ce")),
        ]
    )


def undersample(seed, epochs, device):
    """Cross-entropy after random under-sampling of every class to the smallest."""
    return Pipeline(
        [
            ("sampler", RandomUnderSampler(random_state=seed)),
            ("net", _net(seed, epochs, device, loss="ce")),
        ]
    )


def weighted_ce(seed, epochs, device):
    """Cross-entropy with inverse-frequency class weights (loss="weighted_ce")."""
    return _net(seed, epochs, device, loss="weighted_ce")


def ldam_drw(seed, epochs, device):
    """LDAM loss with deferred re-weighting (Cao et al. 2019)."""
    return _net(seed, epochs, device, loss="ldam", schedule="drw")


def cri_ppl(seed, epochs, device):
    """CRI loss with the PPL schedule (Xu et al. 2022)."""
    return _net(seed, epochs, device, loss="cri", schedule="ppl")


def arb(seed, epochs, device):
    """ARB loss (Xie et al. 2022)."""
    return _net(seed, epochs, device, loss="arb")


def mfw(seed, epochs, device):
    """Cross-entropy with Procrustean major feature weakening (Ye et al. 2021)."""
    return _net(seed, epochs, device, loss="ce", mixing="mfw")


def logreg(seed, epochs, device):
    """scikit-learn reference: balanced logistic regression (ignores epochs, device)."""
    return LogisticRegression(class_weight="balanced", max_iter=5000, random_state=seed)


#: name -> factory(seed, epochs, device) returning an unfitted estimator or pipeline.
RECIPES = {
    "ce": ce,
    "smote": smote,
    "undersample": undersample,
    "weighted_ce": weighted_ce,
    "ldam_drw": ldam_drw,
    "cri_ppl": cri_ppl,
    "arb": arb,
    "mfw": mfw,
    "logreg": logreg,
}

#: name -> one-line description, for ``--help`` and the docs.
DESCRIPTIONS = {name: factory.__doc__.splitlines()[0] for name, factory in RECIPES.items()}


def get_recipe(name):
    """The factory registered under ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`RECIPES`.

    Returns
    -------
    factory : callable
        ``factory(seed, epochs, device)`` returning an unfitted estimator.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    """
    try:
        return RECIPES[name]
    except KeyError:
        raise ValueError(
            f"Unknown method {name!r}; valid methods are: {', '.join(RECIPES)}."
        ) from None
