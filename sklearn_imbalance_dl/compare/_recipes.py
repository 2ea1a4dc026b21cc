"""The registry of methods that ``compare`` puts side by side.

Every recipe is a plain function ``factory(seed, epochs, device)`` returning an
*unfitted* estimator or imbalanced-learn pipeline, so that a notebook can reuse it::

    from sklearn_imbalance_dl.compare import RECIPES
    clf = RECIPES["ldam_drw"](seed=0, epochs=100, device="cpu")

The functions live at module level (not lambdas) so that joblib and Dask can pickle
them to worker processes.
"""

import numbers

import numpy as np
from imblearn.base import BaseSampler
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from .._classifier import ImbalancedNetClassifier

__all__ = ["DESCRIPTIONS", "RECIPES", "SMOTEWithFallback", "get_recipe"]


class SMOTEWithFallback(BaseSampler):
    """SMOTE that adapts to tiny classes, with random over-sampling for singletons.

    SMOTE interpolates between a sample and one of its ``k_neighbors`` nearest
    neighbours *of the same class*, so a class needs at least ``k_neighbors + 1``
    samples, and a class with a single sample has no neighbour at all. Long-tailed
    data break both rules (long-tailed digits at ratio 100 has classes of 2 and 1
    samples). This sampler, at ``fit_resample`` time (so per training fold):

    - over-samples every minority class with at least 2 samples by SMOTE with
      ``k = min(k_neighbors, n_min - 1)``, ``n_min`` the smallest of those classes;
    - over-samples every class with exactly 1 sample by
      :class:`~imblearn.over_sampling.RandomOverSampler` (copies of that sample),
      as SMOTE cannot;

    each up to the size of the majority class. What it did is recorded in ``notes_``.

    Parameters
    ----------
    k_neighbors : int, default=5
        Upper bound on SMOTE's number of neighbours.
    random_state : int, RandomState instance or None, default=None
        Seeds both SMOTE and the random over-sampler.

    Attributes
    ----------
    k_neighbors_ : int or None
        The number of neighbours SMOTE used (None when no class needed SMOTE).
    fallback_classes_ : list
        Classes over-sampled by copying, as they have a single sample.
    notes_ : list of str
        Human-readable account of the two adjustments above, empty if none was made.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_imbalance_dl.compare import SMOTEWithFallback
    >>> X = np.arange(20, dtype=float).reshape(10, 2)
    >>> y = np.array([0] * 7 + [1] * 2 + [2])
    >>> sampler = SMOTEWithFallback(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), sampler.k_neighbors_, sampler.fallback_classes_
    ([7, 7, 7], 1, [2])
    """

    _sampling_type = "over-sampling"
    # Fixed: every class is brought up to the majority, as imbalanced-learn's "auto".
    sampling_strategy = "auto"
    _parameter_constraints = {
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, k_neighbors=5, random_state=None):
        self.k_neighbors = k_neighbors
        self.random_state = random_state

    def _fit_resample(self, X, y):
        classes, counts = np.unique(y, return_counts=True)
        target = int(counts.max())
        # One RandomState for both steps: reproducible, and the two draws differ.
        rng = check_random_state(self.random_state)
        smote_classes = [c for c, n in zip(classes, counts) if 1 < n < target]
        self.fallback_classes_ = [c.item() for c, n in zip(classes, counts) if n == 1 < target]
        self.k_neighbors_ = None
        self.notes_ = []
        if smote_classes:
            n_min = int(min(n for c, n in zip(classes, counts) if c in smote_classes))
            self.k_neighbors_ = min(self.k_neighbors, n_min - 1)
            if self.k_neighbors_ < self.k_neighbors:
                self.notes_.append(
                    f"SMOTE k_neighbors={self.k_neighbors_} (not {self.k_neighbors}): the "
                    f"smallest class with >= 2 samples has {n_min}"
                )
            X, y = SMOTE(
                sampling_strategy={c: target for c in smote_classes},
                k_neighbors=self.k_neighbors_,
                random_state=rng,
            ).fit_resample(X, y)
        if self.fallback_classes_:
            self.notes_.append(
                f"class(es) {', '.join(map(str, self.fallback_classes_))} with 1 sample: "
                "RandomOverSampler (copies) instead of SMOTE"
            )
            X, y = RandomOverSampler(
                sampling_strategy={c: target for c in self.fallback_classes_},
                random_state=rng,
            ).fit_resample(X, y)
        return X, y


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
