"""SMOTE for long-tailed data: fewer neighbours for small classes, copies for singletons."""

import numbers

import numpy as np
from imblearn.base import BaseSampler
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from .._validation import check_label_types, listed_labels, plain_value

__all__ = ["SMOTEWithFallback"]


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
    sampling_strategy_ : dict
        Number of samples added to each class below the majority's size (class label
        -> count), as imbalanced-learn's samplers record it.
    n_features_in_ : int
        Number of features of ``X``.
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names (pandas).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_imbalance_dl.sampling import SMOTEWithFallback
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

    def fit_resample(self, X, y, **params):
        # imbalanced-learn sorts the labels first, which labels of mixed types
        # ([1, "a"]) cannot do: refused here with a message, not numpy's TypeError.
        listed = listed_labels(y)
        check_label_types(np.asarray(y).ravel() if listed is None else listed)
        return super().fit_resample(X, y, **params)

    def _fit_resample(self, X, y):
        classes, counts = np.unique(y, return_counts=True)
        target = int(counts.max())
        # One RandomState for both steps: reproducible, and the two draws differ.
        rng = check_random_state(self.random_state)
        smote_classes = [c for c, n in zip(classes, counts) if 1 < n < target]
        self.fallback_classes_ = [
            plain_value(c) for c, n in zip(classes, counts) if n == 1 < target
        ]
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
