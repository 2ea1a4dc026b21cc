"""Scorers for ``scoring=`` in ``GridSearchCV``, ``cross_validate`` and friends."""

import copy

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import balanced_accuracy_score, f1_score, make_scorer
from sklearn.metrics import get_scorer as _sklearn_get_scorer
from sklearn.metrics import get_scorer_names as _sklearn_scorer_names
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_sample_weight, check_consistent_length

from ._classification import minority_recall


def _g_mean(y_true, y_pred, *, sample_weight=None):
    """Geometric mean of the recalls of the classes of ``y_true``.

    imbalanced-learn's ``geometric_mean_score`` over those classes: a class that is only
    predicted (absent from a test fold), or whose samples all weigh 0 (a weight of k
    counts as k copies), is left out, as ``balanced_accuracy_score`` leaves it out,
    instead of counting as a recall of 0 (a G-mean of 0). Negative weights are refused,
    as :func:`minority_recall` refuses them (their recalls could be negative, their
    geometric mean NaN).
    """
    y_true, present, sample_weight = _present_classes(y_true, y_pred, sample_weight)
    return geometric_mean_score(y_true, y_pred, labels=present, sample_weight=sample_weight)


def _macro_f1(y_true, y_pred, *, sample_weight=None):
    """Mean of the F1 scores of the classes of ``y_true``, by the rule of :func:`_g_mean`:
    a class that is only predicted is not averaged in as an F1 of 0 (its predictions
    still count against the recall of the classes they are made on), so that on a test
    set that lacks a class every method is averaged over the same classes."""
    y_true, present, sample_weight = _present_classes(y_true, y_pred, sample_weight)
    return f1_score(
        y_true,
        y_pred,
        labels=present,
        average="macro",
        zero_division=0,
        sample_weight=sample_weight,
    )


def _balanced_accuracy(y_true, y_pred, *, sample_weight=None):
    """scikit-learn's ``balanced_accuracy_score``, negative weights refused as the other
    scorers refuse them (they could make it 1.5, or infinite)."""
    y_true, sample_weight = _checked_targets(y_true, y_pred, sample_weight)
    return balanced_accuracy_score(y_true, y_pred, sample_weight=sample_weight)


def _present_classes(y_true, y_pred, sample_weight):
    """``(y_true, classes, sample_weight)`` (see :func:`_checked_targets`): the classes
    of ``y_true`` with a row of non-zero weight."""
    y_true, sample_weight = _checked_targets(y_true, y_pred, sample_weight)
    present = y_true if sample_weight is None else y_true[sample_weight != 0]
    return y_true, np.unique(present), sample_weight


def _checked_targets(y_true, y_pred, sample_weight):
    """``(y_true, sample_weight)`` as arrays. Refuses labels that are not one class a row
    (a multilabel indicator matrix: its values, 0 and 1, would be read as two columns),
    predictions of another length, no rows, and negative weights."""
    check_consistent_length(y_true, y_pred, sample_weight)
    y_true = np.asarray(y_true)
    if len(y_true) == 0:
        raise ValueError("y_true is empty: a score needs at least one row.")
    kinds = {
        type_of_target(y, input_name=name) for y, name in ((y_true, "y_true"), (y_pred, "y_pred"))
    }
    if not kinds <= {"binary", "multiclass"}:
        raise ValueError(
            f"These scores take one class a row (binary or multiclass labels); got "
            f"{' and '.join(sorted(kinds))} targets."
        )
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, y_true, ensure_non_negative=True)
    return y_true, sample_weight


# name -> score function: the one definition of each headline metric, behind both the
# scorers below and ``compare``'s scores of its predictions.
_SCORE_FUNCTIONS = {
    "balanced_accuracy": _balanced_accuracy,
    "macro_f1": _macro_f1,
    "g_mean": _g_mean,
    "minority_recall": minority_recall,
}

SCORERS = {name: make_scorer(function) for name, function in _SCORE_FUNCTIONS.items()}
balanced_accuracy_scorer = SCORERS["balanced_accuracy"]
macro_f1_scorer = SCORERS["macro_f1"]
geometric_mean_scorer = SCORERS["g_mean"]
minority_recall_scorer = SCORERS["minority_recall"]


def _score_predictions(y_true, y_pred, *, train_counts=None):
    """Every metric of :data:`SCORERS` on predictions, ``{name: score}``.

    ``train_counts`` goes to :func:`minority_recall` (the rarest *training* class);
    without it, the rarest class of ``y_true``, as the scorer does.
    """
    scores = {}
    for name, function in _SCORE_FUNCTIONS.items():
        kwargs = {}
        if function is minority_recall and train_counts is not None:
            kwargs = {"train_counts": train_counts}
        scores[name] = float(function(y_true, y_pred, **kwargs))
    return scores


def get_scorer(scoring):
    """Get a scorer by name.

    Parameters
    ----------
    scoring : str or callable
        One of ``"balanced_accuracy"``, ``"macro_f1"`` (mean F1 of the classes of the
        scored fold: scikit-learn's ``"f1_macro"`` but for a class that is only
        predicted, which it averages in as 0),
        ``"g_mean"`` (geometric mean of the recalls of the classes of the scored fold,
        imbalanced-learn's :func:`~imblearn.metrics.geometric_mean_score` over them) and
        ``"minority_recall"``
        (:func:`minority_recall` of the rarest classes of the scored fold: the rarest
        and those within one sample of it, see :func:`minority_recall`), or any
        scikit-learn scorer name (:func:`sklearn.metrics.get_scorer_names`). A
        callable is returned unchanged.

    Returns
    -------
    scorer : callable
        A scorer ``scorer(estimator, X, y)``; a copy, so changing it does not change
        the entries of :data:`SCORERS`.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_imbalance_dl.metrics import get_scorer
    >>> X, y = make_classification(200, weights=[0.9], random_state=0)
    >>> scores = cross_val_score(LogisticRegression(), X, y, scoring=get_scorer("g_mean"))
    >>> scores.shape
    (5,)
    """
    if callable(scoring):
        return scoring
    if isinstance(scoring, str):
        if scoring in SCORERS:
            return copy.deepcopy(SCORERS[scoring])
        if scoring in _sklearn_scorer_names():
            return _sklearn_get_scorer(scoring)
    raise ValueError(
        f"Unknown scorer {scoring!r}. Valid names are {sorted(SCORERS)} and the "
        "scikit-learn scorer names (sklearn.metrics.get_scorer_names())."
    )
