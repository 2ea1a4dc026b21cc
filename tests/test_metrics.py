"""Tests of sklearn_imbalance_dl.metrics against scikit-learn and hand computations."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from _params import assert_invalid_parameter
from imblearn.metrics import geometric_mean_score as imblearn_gmean
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate

from sklearn_imbalance_dl.metrics import (
    SCORERS,
    balanced_accuracy_scorer,
    get_scorer,
    minority_recall,
    per_class_accuracy,
    rank_split_accuracy,
    shot_accuracy,
    shot_groups,
)
from sklearn_imbalance_dl.metrics._scorers import _SCORE_FUNCTIONS, _score_predictions


def _random_predictions(n=400, n_classes=5, seed=0):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, n_classes, n))
    return y_true, y_pred


# ------------------------------------------------------------------ per_class_accuracy
def test_per_class_accuracy_matches_recall_score():
    y_true, y_pred = _random_predictions()
    np.testing.assert_allclose(
        per_class_accuracy(y_true, y_pred), recall_score(y_true, y_pred, average=None)
    )
    labels = [3, 0, 4]
    np.testing.assert_allclose(
        per_class_accuracy(y_true, y_pred, labels=labels),
        recall_score(y_true, y_pred, labels=labels, average=None),
    )
    assert np.isclose(
        per_class_accuracy(y_true, y_pred).mean(), balanced_accuracy_score(y_true, y_pred)
    )


def test_per_class_accuracy_string_labels_and_absent_class():
    y_true = ["b", "a", "a", "c", "c", "c"]
    y_pred = ["b", "a", "b", "c", "a", "d"]
    # labels a, b, c, d: 1/2, 1/1, 1/3, d never true -> NaN
    acc = per_class_accuracy(y_true, y_pred)
    np.testing.assert_allclose(acc, [0.5, 1.0, 1 / 3, np.nan])


def test_per_class_accuracy_errors():
    with pytest.raises(ValueError, match="different lengths: 3 and 2"):
        per_class_accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        per_class_accuracy([], [])
    with pytest.raises(ValueError, match="1-D"):
        per_class_accuracy(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="duplicates"):
        per_class_accuracy([0, 1], [0, 1], labels=[0, 0])


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: per_class_accuracy(["a", None, "b"], ["a", "b", "b"]),
            r"y_true has 1 missing label\(s\) \(None, NaN or pd\.NA\), first at "
            r"position\(s\) \[1\]",
        ),
        (
            lambda: per_class_accuracy([0.0, 1.0], [np.nan, 1.0]),
            r"y_pred has 1 missing label\(s\).*position\(s\) \[0\]",
        ),
        (
            lambda: minority_recall(np.array([0, "a", "a"], dtype=object), [0, 0, 0]),
            r"y_true and y_pred mix labels of types int, str",
        ),
        (
            lambda: shot_accuracy([0, 1], [0, 1], {0: 500, 1: 5, "z": 3}),
            r"train_counts \(\[0, 1, 'z'\]\) mixes labels of types int, str",
        ),
        (
            lambda: shot_groups({0: 500, "z": 3}),
            r"train_counts \(\[0, 'z'\]\) mixes labels of types int, str",
        ),
        # A missing class in labels would be scored NaN, or grouped.
        (
            lambda: per_class_accuracy([0.0, 1.0], [0.0, 1.0], labels=[0.0, np.nan]),
            r"labels has 1 missing label\(s\).*position\(s\) \[1\]; give the classes to score",
        ),
        (
            lambda: shot_groups([5, 50], labels=["a", None]),
            r"labels has 1 missing label\(s\).*; give the classes of the counts",
        ),
        # Numbers held as objects (a pandas object column): scikit-learn's "unknown" type.
        (
            lambda: per_class_accuracy(pd.Series([0, 1, 1], dtype=object), [0, 1, 0]),
            r"y_true holds int labels in an array of dtype object.*y_true\.astype\(int\)",
        ),
        (
            lambda: minority_recall([0, 1, 1], np.array([0.0, 1.0, 0.0], dtype=object)),
            r"y_pred holds float labels in an array of dtype object",
        ),
    ],
)
def test_missing_and_mixed_labels_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_labels_of_another_type_than_y_are_refused():
    # They match no sample: every accuracy would be NaN.
    with pytest.raises(
        ValueError,
        match=r"labels \[0, 1, 2\] are of type int, but y_true and y_pred hold "
        r"labels of type str",
    ):
        per_class_accuracy(["a", "b", "c"], ["a", "b", "c"], labels=[0, 1, 2])
    with pytest.raises(ValueError, match=r"labels \['0'\] are of type str.*of type int"):
        shot_accuracy([0, 1], [0, 1], [5], labels=["0"])
    # Labels of y's type that y lacks stay allowed (NaN: no sample of that class).
    np.testing.assert_array_equal(per_class_accuracy(["a"], ["a"], labels=["a", "z"]), [1, np.nan])


# ------------------------------------------------------------------------ shot_accuracy
def _hand_example():
    # class: (n test samples, n correct) -> per-class accuracy
    #   0: 4, 3 -> 0.75   1: 2, 2 -> 1.0   2: 2, 1 -> 0.5
    #   3: 1, 0 -> 0.0    4: 4, 1 -> 0.25  5: 2, 2 -> 1.0
    y_true = [0, 0, 0, 0, 1, 1, 2, 2, 3, 4, 4, 4, 4, 5, 5]
    y_pred = [0, 0, 0, 1, 1, 1, 2, 0, 4, 4, 0, 0, 0, 5, 5]
    train_counts = {0: 500, 1: 101, 2: 100, 3: 20, 4: 19, 5: 3}
    return y_true, y_pred, train_counts


def test_shot_accuracy_by_hand():
    y_true, y_pred, counts = _hand_example()
    # many (> 100): classes 0, 1; medium [20, 100]: 2, 3; few (< 20): 4, 5
    expected = {"many": (0.75 + 1.0) / 2, "medium": (0.5 + 0.0) / 2, "few": (0.25 + 1.0) / 2}
    out = shot_accuracy(y_true, y_pred, counts)
    assert out.keys() == expected.keys()
    for key, value in expected.items():
        assert out[key] == pytest.approx(value)
    # array aligned with labels, and a pandas Series, give the same
    array_out = shot_accuracy(y_true, y_pred, [500, 101, 100, 20, 19, 3])
    series_out = shot_accuracy(y_true, y_pred, pd.Series(counts))
    for key, value in expected.items():
        assert array_out[key] == pytest.approx(value)
        assert series_out[key] == pytest.approx(value)


def test_shot_accuracy_thresholds_and_empty_groups():
    y_true, y_pred, counts = _hand_example()
    # many > 19: classes 0-3; few < 5: class 5; medium [5, 19]: class 4
    out = shot_accuracy(y_true, y_pred, counts, many_threshold=19, few_threshold=5)
    assert out["many"] == pytest.approx((0.75 + 1.0 + 0.5 + 0.0) / 4)
    assert out["medium"] == pytest.approx(0.25)
    assert out["few"] == pytest.approx(1.0)
    out = shot_accuracy(y_true, y_pred, {k: 1000 for k in counts})
    assert out["many"] == pytest.approx(np.mean([0.75, 1.0, 0.5, 0.0, 0.25, 1.0]))
    assert np.isnan(out["medium"]) and np.isnan(out["few"])


def test_shot_accuracy_class_without_test_samples_is_skipped():
    y_true, y_pred, counts = _hand_example()
    counts = {**counts, 6: 2}  # a few-shot class absent from the evaluation set
    assert shot_accuracy(y_true, y_pred, counts)["few"] == pytest.approx(0.625)


def test_counts_of_a_class_absent_from_the_evaluation_set_ask_for_labels():
    # The classifier's counts cover a class that neither y_true nor y_pred holds.
    y_true, y_pred = [0, 1, 1], [0, 1, 0]
    with pytest.raises(ValueError, match=r"per class of y_true and y_pred \(give labels="):
        shot_accuracy(y_true, y_pred, [200, 50, 5])
    scores = shot_accuracy(y_true, y_pred, [200, 50, 5], labels=[0, 1, 2])
    assert scores == pytest.approx({"many": 1.0, "medium": 0.5, "few": float("nan")}, nan_ok=True)


def test_shot_accuracy_errors():
    y_true, y_pred, counts = _hand_example()
    with pytest.raises(ValueError, match=r"few_threshold \(200\) must not exceed many_threshold"):
        shot_accuracy(y_true, y_pred, counts, few_threshold=200)
    with pytest.raises(ValueError, match=r"no entry for the labels \[5\]"):
        shot_accuracy(y_true, y_pred, {k: v for k, v in counts.items() if k != 5})
    with pytest.raises(ValueError, match="one count per class .*6 classes"):
        shot_accuracy(y_true, y_pred, [1, 2, 3])
    with pytest.raises(ValueError, match="different lengths"):
        shot_accuracy(y_true, y_pred[:-1], counts)
    with pytest.raises(ValueError, match="empty"):
        shot_accuracy([], [], counts)


# ------------------------------------------------------------------ rank_split_accuracy
def test_rank_split_accuracy_cifar10_rule():
    # class c has 10 test samples, c of them correct -> accuracy c / 10
    y_true = np.repeat(np.arange(10), 10)
    y_pred = np.array([c if i < c else (c + 1) % 10 for c in range(10) for i in range(10)])
    np.testing.assert_allclose(per_class_accuracy(y_true, y_pred), np.arange(10) / 10)
    ldam = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    out = rank_split_accuracy(y_true, y_pred, ldam)
    assert out["many"] == pytest.approx(np.mean([0.0, 0.1, 0.2]))
    assert out["medium"] == pytest.approx(np.mean([0.3, 0.4, 0.5, 0.6]))
    assert out["few"] == pytest.approx(np.mean([0.7, 0.8, 0.9]))
    # head at the other end: class 9 largest -> many = 9, 8, 7
    out = rank_split_accuracy(y_true, y_pred, dict(zip(range(10), ldam[::-1], strict=True)))
    assert out["many"] == pytest.approx(0.8)
    assert out["medium"] == pytest.approx(0.45)
    assert out["few"] == pytest.approx(0.1)
    out = rank_split_accuracy(y_true, y_pred, ldam, splits=(0, 10))
    assert np.isnan(out["many"]) and np.isnan(out["few"])
    assert out["medium"] == pytest.approx(0.45)


def test_rank_split_accuracy_errors():
    y_true, y_pred, counts = _hand_example()  # 6 classes
    for splits in [(4, 2), (2, 7), (1, 2, 3)]:
        with pytest.raises(ValueError, match=r"0 <= splits\[0\] <= splits\[1\] <= n_classes \(6\)"):
            rank_split_accuracy(y_true, y_pred, counts, splits=splits)


def test_shot_groups_match_shot_accuracy():
    y_true, y_pred, counts = _hand_example()
    groups = shot_groups(counts)
    assert {k: v.tolist() for k, v in groups.items()} == {
        "many": [0, 1],
        "medium": [2, 3],
        "few": [4, 5],
    }
    acc = dict(zip(sorted(counts), per_class_accuracy(y_true, y_pred), strict=True))
    scores = shot_accuracy(y_true, y_pred, counts)
    for name, members in groups.items():
        assert scores[name] == pytest.approx(np.mean([acc[c] for c in members]))
    array_groups = shot_groups([500, 3], many_threshold=10, few_threshold=5, labels=["a", "b"])
    assert array_groups["many"].tolist() == ["a"] and array_groups["few"].tolist() == ["b"]
    assert array_groups["medium"].tolist() == []


@pytest.mark.parametrize(
    "train_counts, shown",
    [
        ([-5, 50, 500], r"\[-5.0, 50.0, 500.0\]"),
        ({"a": float("nan"), "b": 50, "c": 500}, r"\[nan, 50.0, 500.0\]"),
        ([np.inf, 5], r"\[inf, 5.0\]"),
        ({"a": "many", "b": 5}, r"\['many', 5\]"),
    ],
)
def test_shot_groups_refuses_the_counts_shot_accuracy_refuses(train_counts, shown):
    # One check for both: a negative count would be few-shot, a NaN count in no group.
    message = f"train_counts must be non-negative numbers; got {shown}"
    with pytest.raises(ValueError, match=message):
        shot_groups(train_counts)
    labels = (
        list(train_counts) if isinstance(train_counts, dict) else [0, 1, 2][: len(train_counts)]
    )
    with pytest.raises(ValueError, match=message):
        shot_accuracy(labels, labels, train_counts)


@pytest.mark.parametrize(
    "train_counts, message",
    [
        # A DataFrame's items are its columns: its column name read as the one label.
        (
            pd.DataFrame({"count": [50, 5]}),
            r"got a DataFrame of shape \(2, 1\).*keyed by label, e\.g\. "
            r"df\.set_index\('label'\)\['count'\]",
        ),
        ({0: [40, 10], 1: 5}, r"must map each label to one count; got several for the labels 0\."),
    ],
)
def test_counts_of_a_table_or_of_lists_are_refused(train_counts, message):
    for call in (
        lambda: shot_groups(train_counts),
        lambda: shot_accuracy([0, 1], [0, 1], train_counts),
        lambda: minority_recall([0, 1], [0, 1], train_counts=train_counts),
    ):
        with pytest.raises(ValueError, match=message):
            call()


Y, P = [0, 1, 1], [0, 1, 0]


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: shot_accuracy(Y, P, [5, 1], many_threshold=-1),
            "The 'many_threshold' parameter of shot_accuracy must be a float in the range "
            "[0.0, inf). Got -1 instead.",
        ),
        (
            lambda: shot_accuracy(Y, P, 5),
            "The 'train_counts' parameter of shot_accuracy must be an instance of "
            "'collections.abc.Mapping' or an array-like. Got 5 instead.",
        ),
        (
            lambda: shot_groups([5, 1], few_threshold="20"),
            "The 'few_threshold' parameter of shot_groups must be a float in the range "
            "[0.0, inf). Got '20' instead.",
        ),
        (
            lambda: rank_split_accuracy(Y, P, [5, 1], splits=(-1, 2)),
            "The 'splits' parameter of rank_split_accuracy must be a tuple of length >= 2 of "
            "int in the range [0, inf). Got (-1, 2) instead.",
        ),
        (
            lambda: minority_recall(Y, P, n_minority=0),
            "The 'n_minority' parameter of minority_recall must be an int in the range "
            "[1, inf). Got 0 instead.",
        ),
        (
            lambda: per_class_accuracy(Y, P, labels=3),
            "The 'labels' parameter of per_class_accuracy must be an array-like or None. "
            "Got 3 instead.",
        ),
    ],
)
def test_invalid_parameters(call, message):
    assert_invalid_parameter(call, message)


# ---------------------------------------------------------------------- minority_recall
def test_minority_recall_matches_recall_score():
    y_true = np.array([0] * 50 + [1] * 20 + [2] * 5 + [3] * 10)
    rng = np.random.default_rng(0)
    y_pred = np.where(rng.random(y_true.size) < 0.7, y_true, rng.integers(0, 4, y_true.size))
    assert minority_recall(y_true, y_pred) == pytest.approx(
        recall_score(y_true, y_pred, labels=[2], average="macro")
    )
    assert minority_recall(y_true, y_pred, n_minority=2) == pytest.approx(
        recall_score(y_true, y_pred, labels=[2, 3], average="macro")
    )
    with pytest.raises(ValueError, match="n_minority=5 exceeds the 4 classes of y_true"):
        minority_recall(y_true, y_pred, n_minority=5)
    with pytest.raises(ValueError, match="n_minority=5 exceeds the 3 classes with training"):
        minority_recall(y_true, y_pred, n_minority=5, train_counts=[90, 9, 0, 40])
    # labels name the classes of train_counts: alone they would restrict nothing.
    with pytest.raises(ValueError, match="labels are the classes of train_counts, which were"):
        minority_recall(y_true, y_pred, labels=[3])


def test_minority_recall_uses_the_training_counts():
    # A balanced test set: the rarest *training* class decides, ties are averaged and a
    # class never seen in training is no candidate.
    y_true = np.repeat([0, 1, 2, 3], 4)
    y_pred = np.array([0] * 4 + [1, 1, 1, 0] + [2, 0, 0, 0] + [3, 3, 0, 0])
    recall = recall_score(y_true, y_pred, average=None)  # 1, 0.75, 0.25, 0.5
    assert minority_recall(y_true, y_pred, train_counts={0: 90, 1: 9, 2: 30, 3: 40}) == (
        pytest.approx(recall[1])
    )
    assert minority_recall(y_true, y_pred, train_counts=[90, 9, 9, 40]) == pytest.approx(
        recall[[1, 2]].mean()
    )
    assert minority_recall(y_true, y_pred, train_counts=[90, 0, 9, 40]) == pytest.approx(recall[2])
    assert minority_recall(
        y_true, y_pred, train_counts=[90, 9, 30, 40], n_minority=2
    ) == pytest.approx(recall[[1, 2]].mean())


def test_minority_recall_refuses_a_balanced_y_true_without_train_counts():
    # On a balanced test set every class is "rarest": no silent pick of class 0.
    y_true = np.repeat([0, 1, 2], 10)
    with pytest.raises(ValueError, match="Pass train_counts"):
        minority_recall(y_true, y_true)
    assert minority_recall(y_true, y_true, n_minority=3) == 1.0


def test_minority_recall_from_the_fold_does_not_let_rounding_pick_the_class():
    """Two classes of equal training counts get test counts one apart in stratified
    folds: both count as the rarest (the fold cannot tell them apart), in every fold."""
    y = np.array([0] * 100 + [1] * 10 + [2] * 10)
    always_misses_1 = np.where(y == 1, 0, y)
    for _, test in StratifiedKFold(3, shuffle=True, random_state=0).split(y, y):
        assert minority_recall(y[test], always_misses_1[test]) == pytest.approx(0.5)
    # Classes within one sample of each other: a balanced test set, refused.
    with pytest.raises(ValueError, match=r"every class of y_true has 16 to 17 samples"):
        minority_recall(np.repeat([0, 1, 2], [17, 17, 16]), np.repeat([0, 1, 2], [17, 17, 16]))


def test_continuous_values_are_refused_as_labels():
    values = np.array([0.5, 0.5, 1.5, 2.25])
    for call in (
        lambda: minority_recall(values, values),
        lambda: per_class_accuracy(values, values, labels=[0.5, 1.5]),
        lambda: shot_accuracy(values, values, {0.5: 10, 1.5: 5, 2.25: 1}),
    ):
        with pytest.raises(ValueError, match="y_true holds continuous values, not class labels"):
            call()


def test_every_scorer_takes_sample_weight():
    """A weight of k counts as k copies in every metric of SCORERS, and the scorers
    take the weights that metadata routing gives them."""
    y_true = np.array([0, 0, 0, 0, 0, 1, 1, 1, 2])
    y_pred = np.array([0, 1, 0, 0, 0, 1, 0, 1, 2])
    weight = np.array([1, 2, 1, 1, 1, 3, 1, 1, 2])
    copies = np.repeat(np.arange(len(y_true)), weight)
    for name, function in _SCORE_FUNCTIONS.items():
        weighted = function(y_true, y_pred, sample_weight=weight)
        assert weighted == pytest.approx(function(y_true[copies], y_pred[copies])), name
    X, y = make_classification(120, 4, weights=[0.8], random_state=0)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = {n: get_scorer(n).set_score_request(sample_weight=True) for n in SCORERS}
        model = LogisticRegression().set_fit_request(sample_weight=False)
        scores = cross_validate(model, X, y, scoring=scoring, params={"sample_weight": w}, cv=3)
    assert all(np.isfinite(scores[f"test_{n}"]).all() for n in SCORERS)


# ---------------------------------------------------------------------------- scorers
@pytest.mark.parametrize("labels", [["neg", "pos"], [0, 2]])
def test_scorers_score_binary_problems_without_the_label_1(labels):
    X, y = make_classification(120, 4, weights=[0.8], random_state=0)
    y = np.asarray(labels)[y]
    model = LogisticRegression()
    scores = cross_validate(model, X, y, scoring=SCORERS, cv=3, error_score="raise")
    pred = clone(model).fit(X, y).predict(X)
    for name, scorer in SCORERS.items():
        assert np.isfinite(scores[f"test_{name}"]).all(), name
        assert scorer(clone(model).fit(X, y), X, y) == pytest.approx(
            _score_predictions(y, pred)[name]
        ), name


def test_scorers_in_cross_validate_match_manual_folds():
    X, y = make_classification(
        n_samples=300,
        n_features=8,
        n_informative=5,
        n_classes=3,
        weights=[0.75, 0.18, 0.07],
        random_state=0,
    )
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    model = LogisticRegression(max_iter=500)
    res = cross_validate(model, X, y, cv=cv, scoring=SCORERS)
    minority = np.argmin(np.bincount(y))
    for k, (train, test) in enumerate(cv.split(X, y)):
        pred = clone(model).fit(X[train], y[train]).predict(X[test])
        yt = y[test]
        assert res["test_balanced_accuracy"][k] == pytest.approx(balanced_accuracy_score(yt, pred))
        assert res["test_macro_f1"][k] == pytest.approx(f1_score(yt, pred, average="macro"))
        assert res["test_g_mean"][k] == pytest.approx(imblearn_gmean(yt, pred))
        assert res["test_minority_recall"][k] == pytest.approx(
            recall_score(yt, pred, labels=[minority], average="macro")
        )
    # scorer names work as strings
    scores = cross_validate(model, X, y, cv=cv, scoring=get_scorer("g_mean"))["test_score"]
    np.testing.assert_allclose(scores, res["test_g_mean"])


def test_scorers_in_grid_search():
    X, y = make_classification(n_samples=200, weights=[0.85], random_state=1)
    search = GridSearchCV(
        LogisticRegression(max_iter=500),
        {"C": [0.01, 1.0]},
        scoring=SCORERS,
        refit="balanced_accuracy",
        cv=3,
    ).fit(X, y)
    assert set(SCORERS) <= {
        k[len("mean_test_") :] for k in search.cv_results_ if k.startswith("mean_test_")
    }
    assert 0.0 <= search.best_score_ <= 1.0


def test_get_scorer():
    scorer = get_scorer("minority_recall")
    assert scorer is not SCORERS["minority_recall"]
    assert repr(scorer) == repr(SCORERS["minority_recall"])
    assert get_scorer("accuracy") is not None  # scikit-learn names pass through
    assert get_scorer(balanced_accuracy_scorer) is balanced_accuracy_scorer
    with pytest.raises(
        ValueError, match=r"Unknown scorer 'gmean'.*\['balanced_accuracy', 'g_mean'"
    ):
        get_scorer("gmean")
    with pytest.raises(ValueError, match="Unknown scorer 3"):
        get_scorer(3)


# scikit-learn's balanced accuracy, scored beside it, warns of the class only predicted.
@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_g_mean_leaves_out_a_class_only_predicted():
    # Class 3 is absent from y_true (a test fold without it): recalls 2/3, 1 and 1/2.
    y_true, y_pred = [0, 0, 0, 1, 1, 2, 2], [0, 0, 3, 1, 1, 2, 0]
    scores = _score_predictions(np.array(y_true), np.array(y_pred), train_counts=[30, 20, 10, 5])
    assert scores["g_mean"] == pytest.approx((2 / 3 * 1 * 0.5) ** (1 / 3))


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_macro_f1_averages_the_classes_of_the_test_part():
    # As the G-mean: a method that predicts the absent class 3 is not averaged over one
    # class more (an F1 of 0) than a method that does not.
    y_true, y_pred = np.array([0, 0, 0, 1, 1, 2, 2]), np.array([0, 0, 3, 1, 1, 2, 0])
    scores = _score_predictions(y_true, y_pred, train_counts=[30, 20, 10, 5])
    f1 = f1_score(y_true, y_pred, labels=[0, 1, 2], average=None)
    assert scores["macro_f1"] == pytest.approx(f1.mean())
    assert get_scorer("macro_f1")._score_func is _SCORE_FUNCTIONS["macro_f1"]


# scikit-learn's balanced accuracy warns of the class whose samples all weigh 0.
@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_g_mean_leaves_out_a_class_whose_samples_all_weigh_0():
    """As balanced accuracy does, and as the weights' copies (none of class 2) would."""
    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 1, 0, 1, 1, 2])
    weight = np.array([1, 1, 2, 1, 1, 0])
    g_mean = _SCORE_FUNCTIONS["g_mean"]
    copies = np.repeat(np.arange(len(y_true)), weight)
    assert g_mean(y_true, y_pred, sample_weight=weight) == pytest.approx((3 / 4 * 1) ** (1 / 2))
    assert g_mean(y_true, y_pred, sample_weight=weight) == pytest.approx(
        g_mean(y_true[copies], y_pred[copies])
    )
    assert balanced_accuracy_score(y_true, y_pred, sample_weight=weight) == pytest.approx(
        (3 / 4 + 1) / 2
    )


@pytest.mark.parametrize("name", ["balanced_accuracy", "macro_f1", "g_mean", "minority_recall"])
def test_negative_sample_weights_are_refused(name):
    # A negative weight can make a recall negative, and the G-mean NaN.
    function = _SCORE_FUNCTIONS[name]
    y_true, y_pred = [0, 0, 1, 1, 1], [0, 1, 1, 0, 1]
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        function(y_true, y_pred, sample_weight=[1, -2, 1, 1, 1])


@pytest.mark.parametrize("name", ["balanced_accuracy", "macro_f1", "g_mean"])
def test_scores_take_one_class_a_row_and_as_many_predictions_as_labels(name):
    # A label matrix's values, 0 and 1, would be read as two of its columns.
    function = _SCORE_FUNCTIONS[name]
    matrix = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="one class a row .*multilabel-indicator"):
        function(matrix, matrix[::-1])
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 2\]"):
        function([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="y_true is empty"):
        function([], [])


@pytest.mark.parametrize(
    "train_counts, labels, message",
    [
        ([5, 50, 500], [0, 0, 1], r"labels contains duplicates: \[0, 0, 1\]"),
        ([5, 50], [0, "a"], r"labels \(\[0, 'a'\]\) mixes labels of types int, str"),
        ([], None, r"train_counts is empty"),
        ({}, None, r"train_counts is empty"),
        ([5, 50, 500], [["a", "b", "c"]], r"labels must be a 1-D list .*shape \(1, 3\)"),
    ],
)
def test_shot_groups_refuses_labels_per_class_accuracy_refuses(train_counts, labels, message):
    with pytest.raises(ValueError, match=message):
        shot_groups(train_counts, labels=labels)
