"""DataFrames as they come: mixed dtypes and missing values, encoded in ``fit``."""

import datetime
import pickle
import re
import statistics
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags
from torch.utils.data import TensorDataset

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.modules import ColumnEncoder, TabularNet

try:
    import pyarrow as pa
except ImportError:  # the dev extra brings it; its tests skip without it
    pa = None

needs_pyarrow = pytest.mark.skipif(pa is None, reason="needs pyarrow (pip install pyarrow)")

SMALL = {"module__hidden_sizes": (16,), "max_epochs": 3, "batch_size": 64, "random_state": 0}
NUMERIC = ["num", "num_nan", "count", "ratio", "flag", "maybe"]
WITH_MISSING = ["num_nan", "count", "ratio", "maybe"]
CATEGORICAL = ["size", "colour", "city"]
SIZES = ["S", "M", "L", "XL"]  # declared order; "XL" never occurs


def make_table(n=240, seed=0):
    rng = np.random.default_rng(seed)
    missing = lambda p: rng.random(n) < p  # noqa: E731
    count = rng.integers(0, 6, n).astype(object)
    count[missing(0.1)] = None
    ratio = rng.uniform(0, 1, n).astype(object)
    ratio[missing(0.1)] = pd.NA
    maybe = (rng.random(n) < 0.5).astype(object)
    maybe[missing(0.1)] = pd.NA
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    colour[missing(0.15)] = None
    city = rng.choice([f"city{i:02d}" for i in range(14)], n).astype(object)
    city[missing(0.05)] = pd.NA
    X = pd.DataFrame(
        {
            "num": rng.normal(10, 3, n),
            "num_nan": np.where(missing(0.2), np.nan, rng.lognormal(0, 1, n)),
            "count": pd.array(count, dtype="Int64"),
            "ratio": pd.array(ratio, dtype="Float64"),
            "flag": rng.random(n) < 0.3,
            "maybe": pd.array(maybe, dtype="boolean"),
            "size": pd.Categorical(rng.choice(SIZES[:3], n), categories=SIZES, ordered=True),
            "colour": colour,
            "city": pd.array(city, dtype="string"),
        }
    )
    score = X["num"].to_numpy() / 3 + (X["colour"] == "red").to_numpy() + (X["size"] == "L")
    y = np.where(score > np.quantile(score, 0.8), "rare", "common")
    return X, y


def hand_encode(fitted_on, X):
    """The encoding computed independently, value by value, with the standard library."""
    columns = []
    with_missing = [c for c in NUMERIC if fitted_on[c].isna().any()]
    for name in NUMERIC:
        median = statistics.median(float(v) for v in fitted_on[name] if not pd.isna(v))
        columns.append([median if pd.isna(v) else float(v) for v in X[name]])
    for name in with_missing:
        columns.append([1.0 if pd.isna(v) else 0.0 for v in X[name]])
    for name in CATEGORICAL:
        seen = {v for v in fitted_on[name] if not pd.isna(v)}
        # Category dtype: its declared order; otherwise sorted.
        order = [c for c in SIZES if c in seen] if name == "size" else sorted(seen)
        code = {c: k for k, c in enumerate(order)}
        # Missing where fit saw none: the code of an unseen category.
        missing = len(order) + (not fitted_on[name].isna().any())
        columns.append([missing if pd.isna(v) else code.get(v, len(order) + 1) for v in X[name]])
    return np.array(columns, dtype=np.float64).T.astype(np.float32)


@pytest.fixture(scope="module")
def table():
    return make_table()


@pytest.fixture(scope="module")
def fitted(table):
    X, y = table
    return ImbalancedNetClassifier(**SMALL).fit(X, y)


# ----------------------------------------------------------------------------- encoding
def test_encoder_equals_the_hand_encoding(table):
    X, _ = table
    encoder = ColumnEncoder().fit(X)
    assert encoder.numeric_columns_ == NUMERIC
    assert encoder.categorical_columns_ == CATEGORICAL
    assert encoder.indicator_columns_ == WITH_MISSING
    assert encoder.n_categories_ == (3, 3, 14)
    assert list(encoder.categories_[0]) == ["S", "M", "L"]
    np.testing.assert_array_equal(encoder.transform(X), hand_encode(X, X))
    assert list(encoder.get_feature_names_out()) == (
        NUMERIC + [c + "_missing" for c in WITH_MISSING] + CATEGORICAL
    )
    other, _ = make_table(n=50, seed=1)
    np.testing.assert_array_equal(encoder.transform(other), hand_encode(X, other))


def test_numbers_encode_alike_in_blocks_and_column_by_column():
    """Plain numpy columns are encoded a block at a time, nullable ones alone: the same
    values give the same codes, and an infinity is named by its column either way."""
    rng = np.random.default_rng(0)
    plain = pd.DataFrame(rng.normal(size=(300, 40)) * 1e3, columns=[f"x{i}" for i in range(40)])
    plain.iloc[::7, 3] = np.nan
    plain["flag"] = rng.random(300) > 0.5
    plain["count"] = rng.integers(0, 9, 300)
    nullable = plain.astype({c: "Float64" for c in plain.columns[:40]}).astype(
        {"flag": "boolean", "count": "Int64"}
    )
    encoder = ColumnEncoder().fit(plain)
    encoder._BLOCK_VALUES = 300 * 7  # blocks of 7 columns, the last one short
    expected = encoder.transform(nullable)
    np.testing.assert_array_equal(encoder.transform(plain), expected)
    np.testing.assert_array_equal(encoder.transform(plain.to_numpy(dtype=float)), expected)
    plain.iloc[5, 9] = np.inf
    with pytest.raises(ValueError, match="infinity in column 'x9'"):
        encoder.transform(plain)


def test_an_interval_column_is_refused_with_both_conversions():
    intervals = pd.DataFrame({"iv": pd.arrays.IntervalArray.from_breaks(np.arange(41.0))})
    with pytest.raises(ValueError, match=r"astype\('category'\).*\['iv'\]\.array\.mid"):
        ColumnEncoder().fit(intervals)
    for converted in (intervals["iv"].astype("category"), intervals["iv"].array.mid):
        assert ColumnEncoder().fit_transform(intervals.assign(iv=converted)).shape == (40, 1)


def test_the_encoders_output_names_are_unique():
    # An indicator's name taken by a column of the table, and labels 1 and "1".
    X = pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0], "a_missing": [0.0, 1.0, 0.0, 1.0]})
    X[1] = [1.0, 2.0, 3.0, 4.0]
    X["1"] = [4.0, 3.0, 2.0, 1.0]
    names = list(ColumnEncoder().fit(X).get_feature_names_out())
    assert names == ["a", "a_missing", "1", "1.1", "a_missing.1"]


def test_the_encoder_writes_its_output_without_float64_copies_of_the_table():
    import tracemalloc

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(100_000, 10)), columns=[f"x{j}" for j in range(10)])
    X = X.mask(rng.random(X.shape) < 0.01)  # a missing indicator for each column
    X["colour"] = pd.Categorical(rng.choice(["red", "green", "blue"], len(X)))
    encoder = ColumnEncoder().fit(X)
    tracemalloc.start()
    try:
        out = encoder.transform(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.shape == (100_000, 21) and out.dtype == np.float32
    # The float32 output, the numbers read as float64 and a column's temporaries; the
    # table in float64, then stacked in float64, took about five times the output.
    assert peak < 2.5 * out.nbytes


def test_encoder_repr_lists_the_columns(fitted):
    text = repr(fitted.column_encoder_)
    assert text == (
        "ColumnEncoder(numeric=['num', 'num_nan', 'count', 'ratio', 'flag', 'maybe'], "
        "missing_indicators=['num_nan', 'count', 'ratio', 'maybe'], "
        "categorical={'size': 3, 'colour': 3, 'city': 14})"
    )


def test_unseen_and_missing_categories_get_their_slots(fitted, table):
    X, _ = table
    new = X.iloc[:3].copy()
    new["colour"] = ["purple", None, "red"]  # unseen, missing, seen
    new["num"] = [np.nan, 1.0, 2.0]  # no missing value in fit: imputed, no indicator
    codes = fitted.column_encoder_.transform(new)
    first_code = len(NUMERIC) + len(WITH_MISSING)
    colour = first_code + 1  # size, then colour
    np.testing.assert_array_equal(codes[:, colour], [4, 3, 2])
    assert codes[0, 0] == np.float32(statistics.median(X["num"]))
    # An unseen category is all zeros in its one-hot slots: the first layer sees nothing.
    stage = fitted.net_.module_.stages[0]
    with torch.no_grad():
        one_hot = stage.categories(torch.as_tensor(codes[:, first_code:]))
    size_width, colour_width = 3 + 1, 3 + 1
    np.testing.assert_array_equal(one_hot[0, size_width : size_width + colour_width], 0)
    assert one_hot[1, size_width + 3] == 1  # the missing slot
    proba = fitted.predict_proba(new)
    assert np.all(np.isfinite(proba)) and proba.shape == (3, 2)


def test_a_row_as_a_dict_is_refused_with_the_frame_to_make(fitted, table):
    # A JSON request's body, say.
    X, _ = table
    row = X.iloc[0].to_dict()
    with pytest.raises(TypeError, match=r"X is a dict; pass a DataFrame: pd.DataFrame\(\[row\]\)"):
        fitted.predict(row)
    fitted.predict(pd.DataFrame([row]).astype(X.dtypes.to_dict()))


def test_a_column_of_categories_all_written_another_way_warns(fitted, table):
    X, _ = table
    rows = X.iloc[:20].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.predict_proba(rows)  # the fit's categories
        fitted.predict_proba(rows.assign(colour="purple"))  # one new category: may be real
    with pytest.warns(UserWarning) as caught:
        proba = fitted.predict_proba(rows.assign(colour=rows["colour"].str.upper()))
    assert [str(w.message) for w in caught] == [
        "No value of column 'colour' here ('BLUE', 'RED', 'GREEN') is one of the categories "
        "fit coded ('blue', 'green', 'red'): each reads as an unseen category, as if the "
        "column were absent. If they are those categories written another way (spaces, "
        "case, codes), pass the column as it was in fit."
    ]
    assert np.isfinite(proba).all()


def test_a_category_missing_where_fit_saw_none_reads_as_unseen(fitted, table):
    # The network never trained the missing slot of such a column (a one-hot column of
    # the first layer, an embedding row, left at their random initial values).
    X, _ = table
    encoder = fitted.column_encoder_
    assert encoder.missing_category_columns_ == ["colour", "city"]
    rows = X.iloc[:20]
    missing, unseen = rows.assign(size=None), rows.assign(size="XXL")
    size = len(NUMERIC) + len(WITH_MISSING)
    np.testing.assert_array_equal(encoder.transform(missing)[:, size], 4)
    np.testing.assert_array_equal(fitted.predict_proba(missing), fitted.predict_proba(unseen))
    np.testing.assert_array_equal(encoder.transform(rows.assign(city=None))[:, size + 2], 14)
    # An encoder pickled without the attribute keeps the missing code of every column.
    old = pickle.loads(pickle.dumps(encoder))
    del old.missing_category_columns_
    np.testing.assert_array_equal(old.transform(missing)[:, size], 3)


def test_high_cardinality_column_is_embedded_with_a_zero_unseen_row(fitted):
    assert isinstance(fitted.net_.module_, TabularNet)  # module="auto" on a table
    categories = fitted.net_.module_.stages[0].categories
    assert categories.one_hot == [0, 1] and categories.embedded == [2]
    # The one embedded column's rows: its 14 categories, missing, then the zero row of
    # every unseen code.
    embedding = categories.embedding
    assert embedding.num_embeddings == 14 + 2 and embedding.embedding_dim == 8
    assert torch.all(embedding.weight[15] == 0)  # trained, but the padding row stays 0


# ----------------------------------------------------------------------------- the model
def test_a_float32_model_predicts_the_same_under_a_float64_default_dtype(table, fitted):
    """The one-hot slots are float32 like the network, whatever torch's default dtype
    (a float64 one would meet float32 weights in the first layer)."""
    X, _ = table
    expected = fitted.predict_proba(X)
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        got = fitted.predict_proba(X)
    finally:
        torch.set_default_dtype(dtype)
    np.testing.assert_array_equal(got, expected)


def test_dataframe_fit_equals_the_fit_on_hand_encoded_arrays(table, fitted):
    """Same seed: the model trained on the DataFrame is the one trained on the hand
    encoding given to a TabularNet told which trailing columns are categorical."""
    X, y = table
    by_hand = ImbalancedNetClassifier(
        module="tabular", module__n_categories=(3, 3, 14), **SMALL
    ).fit(hand_encode(X, X), y)
    other, _ = make_table(n=60, seed=2)
    np.testing.assert_array_equal(
        fitted.predict_proba(other), by_hand.predict_proba(hand_encode(X, other))
    )
    np.testing.assert_array_equal(fitted.predict(X), by_hand.predict(hand_encode(X, X)))


@pytest.mark.parametrize("as_frame", [False, True])
def test_hand_coded_categories_with_missing_values_are_refused(as_frame):
    """Codes given by hand (module__n_categories on numbers) are the last columns as
    they are: a missing indicator appended after them would be read as the codes, and a
    missing code imputed with the column's median would read as a category."""
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=(80, 2)), rng.integers(0, 3, 80)])
    y = (X[:, 2] == 1).astype(int)
    clf = ImbalancedNetClassifier(module="tabular", module__n_categories=(3,), **SMALL)
    frame = pd.DataFrame if as_frame else np.asarray
    clf.fit(frame(X), y)  # no missing value: the codes are read as given
    assert clf.net_.module_.stages[0].n_numeric == 2
    X_missing = X.copy()
    X_missing[:5, 2] = np.nan
    with pytest.raises(ValueError, match=r"which this model reads as category codes"):
        clf.predict(frame(X_missing))
    for column, match in ((0, r"appends a 0/1 missing indicator"), (2, r"the column's median")):
        X_missing = X.copy()
        X_missing[:5, column] = np.nan
        refused = clone(clf)
        with pytest.raises(ValueError, match=match):
            refused.fit(frame(X_missing), y)
        assert not hasattr(refused, "net_")


@pytest.mark.parametrize("n_categories", [(3, 3, 20), (), (3, 3)])
def test_n_categories_that_is_not_the_encoding_of_the_dataframe_is_refused(table, n_categories):
    """Another count would read a missing or an unseen category as a category of its own,
    or the codes as numbers."""
    X, y = table
    clf = ImbalancedNetClassifier(module__n_categories=n_categories, **SMALL)
    message = (
        f"module__n_categories={n_categories!r} does not match the categorical columns of "
        "X: fit encodes them as codes with n_categories=(3, 3, 14)"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.fit(X, y)
    assert not hasattr(clf, "net_")
    # The encoding's own counts are what fit fills in.
    clf.set_params(module__n_categories=(3, 3, 14)).fit(X, y)
    assert clf.net_.module_.n_categories == (3, 3, 14)


def test_predicts_better_than_chance(table, fitted):
    X, y = table
    clf = ImbalancedNetClassifier(max_epochs=30, random_state=0).fit(X, y)
    from sklearn.metrics import balanced_accuracy_score

    assert balanced_accuracy_score(y, clf.predict(X)) > 0.8


def test_model_selection_behind_a_sampler(table):
    """GridSearchCV over an imbalanced-learn Pipeline: the sampler hands the DataFrame on
    to the net, which learns its encoding in each fit."""
    from imblearn.pipeline import make_pipeline
    from imblearn.under_sampling import RandomUnderSampler
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    X, y = table
    pipe = make_pipeline(RandomUnderSampler(random_state=0), ImbalancedNetClassifier(**SMALL))
    search = GridSearchCV(
        pipe,
        {"imbalancednetclassifier__module__dropout": [0.0, 0.15]},
        scoring="balanced_accuracy",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        error_score="raise",
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    net = search.best_estimator_[-1]
    np.testing.assert_array_equal(net.feature_names_in_, X.columns)
    # Refitted on the under-sampled table, not on all of it: its own medians.
    kept, _ = RandomUnderSampler(random_state=0).fit_resample(X, y)
    encoder = net.column_encoder_
    median = dict(zip(encoder.numeric_columns_, encoder.medians_))["num_nan"]
    assert median == pytest.approx(kept["num_nan"].median())
    assert median != pytest.approx(X["num_nan"].median())
    assert set(search.predict(X)) == set(y)


def test_pickle_and_clone(table, fitted):
    X, y = table
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert repr(loaded.column_encoder_) == repr(fitted.column_encoder_)
    twin = clone(fitted)
    assert not hasattr(twin, "column_encoder_")
    np.testing.assert_array_equal(twin.fit(X, y).predict_proba(X), fitted.predict_proba(X))


def test_feature_names_and_column_mismatch(table, fitted):
    X, _ = table
    np.testing.assert_array_equal(fitted.feature_names_in_, X.columns)
    assert fitted.n_features_in_ == 9
    with pytest.raises(ValueError, match="The feature names should match"):
        fitted.predict(X[X.columns[::-1]])
    with pytest.raises(ValueError, match="The feature names should match"):
        fitted.predict(X.rename(columns={"city": "town"}))
    with pytest.raises(ValueError, match="yet now missing:\n- num"):
        fitted.predict(X.drop(columns="num"))
    with (
        pytest.warns(UserWarning, match="does not have valid feature names"),
        pytest.raises(ValueError, match=r"pass a DataFrame with the same columns"),
    ):
        fitted.predict(hand_encode(X, X)[:, :9])


def test_one_row_with_missing_values(table, fitted):
    """One row built by hand: a None makes an object column, read as a number."""
    X, _ = table
    row = pd.DataFrame([{**X.iloc[0].to_dict(), "num": None, "count": None, "colour": None}])
    assert row["num"].dtype == object
    expected = hand_encode(X, X.iloc[:1].assign(num=np.nan, count=pd.NA, colour=None))
    np.testing.assert_array_equal(fitted.column_encoder_.transform(row), expected)
    np.testing.assert_array_equal(
        fitted.predict_proba(row), fitted.net_.predict_proba(torch.as_tensor(expected))
    )


def test_numeric_column_given_strings_at_predict(table, fitted):
    X, _ = table
    bad = X.iloc[:2].copy()
    bad["num"] = ["1.0", "x"]
    message = r"'num' was numeric in fit but holds str values \('1.0'\) here"
    with pytest.raises(ValueError, match=message):
        fitted.predict(bad)
    # Numbers as objects in fit: the value is named, not the dtype they had in fit too.
    encoder = ColumnEncoder().fit(X.astype({"num": object}))
    with pytest.raises(ValueError, match=message):
        encoder.transform(bad)


@needs_pyarrow
def test_unhashable_values_are_named_in_fit_and_predict(table, fitted):
    X, y = table
    tagged = X.assign(colour=[["red", "dark"]] * len(X))
    with pytest.raises(ValueError, match=r"'colour' holds list values.*into strings"):
        ImbalancedNetClassifier(**SMALL).fit(tagged, y)
    one_bad_row = X.iloc[:3].assign(colour=["red", {"shade": "dark"}, "blue"])
    with pytest.raises(ValueError, match=r"'colour' holds dict values"):
        fitted.predict(one_bad_row)
    # Arrow's nested columns (read_parquet(..., dtype_backend="pyarrow")) too.
    shades = pd.array(
        [{"shade": "dark"}] * 3, dtype=pd.ArrowDtype(pa.struct([("shade", pa.string())]))
    )
    with pytest.raises(ValueError, match=r"'colour' holds dict values"):
        fitted.predict(X.iloc[:3].assign(colour=shades))
    tags = pd.array([["red", "dark"]] * 3, dtype=pd.ArrowDtype(pa.list_(pa.string())))
    with pytest.raises(ValueError, match=r"'colour' holds ndarray values.*into strings"):
        fitted.predict(X.iloc[:3].assign(colour=tags))


def test_categorical_column_given_other_values_at_predict(table, fitted):
    """Values of a type no category of fit had are refused (numbers where strings were,
    strings where numbers were); numbers that are categories of fit are read as such
    (codes given as categories in fit and as integers at predict)."""
    X, y = table
    bad = X.iloc[:5].assign(colour=np.linspace(0.0, 1.0, 5))
    message = (
        r"'colour' had string categories in fit \('blue', .*number values here \(0.0, dtype float64"
    )
    with pytest.raises(ValueError, match=message):
        fitted.predict(bad)
    codes = X.assign(colour=X["colour"].map({"red": 1, "green": 2, "blue": 3}).astype("category"))
    model = ImbalancedNetClassifier(**SMALL).fit(codes, y)
    as_ints = codes.assign(colour=codes["colour"].astype("Int64"))
    np.testing.assert_array_equal(
        model.column_encoder_.transform(as_ints), model.column_encoder_.transform(codes)
    )
    as_strings = codes.assign(colour=codes["colour"].astype(str))
    with pytest.raises(ValueError, match=r"number categories in fit \(1.0, 2.0, 3.0\).*string"):
        model.predict(as_strings)


# ----------------------------------------------------------------------------- errors
@needs_pyarrow
def test_dates_and_durations_get_a_conversion_hint(table):
    X, y = table
    dated = X.assign(when=pd.date_range("2020-01-01", periods=len(X), freq="D"))
    with pytest.raises(ValueError, match=r"'when' holds dates.*number of days.*dt\.year"):
        ImbalancedNetClassifier(**SMALL).fit(dated, y)
    with pytest.raises(ValueError, match=r"'when' holds dates"):
        ImbalancedNetClassifier(module="mlp", max_epochs=1).fit(dated[NUMERIC + ["when"]], y)
    lasted = X.assign(took=pd.to_timedelta(np.arange(len(X)), unit="h"))
    with pytest.raises(ValueError, match=r"'took' holds durations.*pd\.Timedelta\(days=1\)"):
        ImbalancedNetClassifier(**SMALL).fit(lasted, y)
    arrow = lasted.astype({"took": "duration[s][pyarrow]"})
    with pytest.raises(ValueError, match=r"'took' holds durations.*pd\.Timedelta\(days=1\)"):
        ImbalancedNetClassifier(**SMALL).fit(arrow, y)


@pytest.mark.parametrize(
    "values, message",
    [
        (lambda n: pd.date_range("2020", periods=n).date, r"'when' holds dates"),
        (
            lambda n: [
                pd.Timestamp(f"2020-01-{1 + i % 28:02d}", tz=("UTC", "CET")[i % 2])
                for i in range(n)
            ],
            r"'when' holds dates.*pd\.to_datetime.*utc=True",
        ),
        (
            lambda n: [pd.Timedelta(hours=i).to_pytimedelta() for i in range(n)],
            r"'when' holds durations.*pd\.to_timedelta",
        ),
        (
            lambda n: pd.date_range("2020", periods=n, freq="min").time,
            r"'when' holds times of day",
        ),
    ],
    ids=["date", "timestamp", "timedelta", "time"],
)
def test_dates_held_as_objects_are_refused_too(table, values, message):
    """What Series.dt.date and Parquet's DATE columns give: each value would be a
    category of its own, every later date unseen."""
    X, y = table
    objects = X.assign(when=pd.Series(list(values(len(X))), index=X.index, dtype=object))
    assert objects["when"].dtype == object
    with pytest.raises(ValueError, match=message):
        ImbalancedNetClassifier(**SMALL).fit(objects, y)
    with pytest.raises(ValueError, match=message):
        ColumnEncoder().fit(objects)


@pytest.mark.parametrize("dtype", ["objects", pytest.param("arrow", marks=needs_pyarrow)])
def test_times_of_day_get_a_hint_that_works_with_missing_values(table, dtype):
    """Objects (Parquet's TIME) or Arrow's time64 (the same with dtype_backend="pyarrow")."""
    X, y = table
    dtype = object if dtype == "objects" else pd.ArrowDtype(pa.time64("us"))
    times = [datetime.time(i % 24, 30) for i in range(len(X) - 1)] + [None]
    timed = X.assign(at=pd.Series(times, index=X.index, dtype=dtype))
    with pytest.raises(ValueError, match=r"'at' holds times of day.*na_action='ignore'"):
        ImbalancedNetClassifier(**SMALL).fit(timed, y)
    # The advice, followed: hours since midnight, the missing time left missing.
    hours = timed["at"].map(lambda t: t.hour + t.minute / 60, na_action="ignore")
    assert hours.iloc[0] == 0.5 and pd.isna(hours.iloc[-1])
    ImbalancedNetClassifier(**SMALL).fit(timed.assign(at=hours), y)


def test_booleans_beside_numbers_are_not_merged_into_one_category(table):
    X, y = table
    answers = pd.Series([True, 1, 0, False, 2, "n/a"] * 40, dtype=object)
    with pytest.raises(ValueError, match=r"'answer' holds booleans beside the numbers 0 or 1"):
        ImbalancedNetClassifier(**SMALL).fit(X.assign(answer=answers), y)
    ImbalancedNetClassifier(**SMALL).fit(X.assign(answer=answers.astype(str)), y)
    # Nothing merges: booleans beside other numbers are categories of their own.
    apart = pd.Series([True, False, 2, 3] * 60, dtype=object)
    encoder = ColumnEncoder().fit(X.assign(answer=apart))
    assert encoder.n_categories_[-1] == 4


@pytest.mark.parametrize(
    "values", [[True, 1], [1, True], [False, 0], [True, False, 0]], ids=["T1", "1T", "F0", "TF0"]
)
def test_booleans_beside_0_or_1_alone_are_refused_too(table, values):
    """The distinct values keep one of True and 1: they show no number beside the
    booleans (or no boolean beside the numbers), yet the column holds both."""
    X, y = table
    answers = pd.Series(np.resize(np.array(values, dtype=object), len(X)), dtype=object)
    with pytest.raises(ValueError, match=r"'answer' holds booleans beside the numbers 0 or 1"):
        ColumnEncoder().fit(X.assign(answer=answers))


@pytest.mark.parametrize(
    "dtype", ["category", pytest.param("arrow-dictionary", marks=needs_pyarrow)]
)
def test_a_category_column_of_dates_is_taken_as_declared(table, dtype):
    """A ``category`` dtype (or Arrow's dictionary, the category of
    dtype_backend="pyarrow") declares its values categories, dates included."""
    X, y = table
    dates = np.resize(pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"]), len(X))
    if dtype == "category":
        months = pd.Categorical(dates)
    else:
        months = pd.array(
            pa.array(pd.DatetimeIndex(dates).date).dictionary_encode(),
            dtype=pd.ArrowDtype(pa.dictionary(pa.int32(), pa.date32())),
        )
    declared = X.assign(month=months)
    clf = ImbalancedNetClassifier(**SMALL).fit(declared, y)
    assert clf.column_encoder_.n_categories_[-1] == 3
    assert clf.predict(declared).shape == y.shape


def test_periods_get_a_hint_that_works(table):
    X, y = table
    monthly = X.assign(month=pd.period_range("2020-01", periods=len(X), freq="M"))
    with pytest.raises(ValueError, match=r"'month' holds periods.*dt\.to_timestamp\(\)"):
        ImbalancedNetClassifier(**SMALL).fit(monthly, y)
    # The advice, followed: periods to dates, dates to days from a fixed date (the
    # same zero for a later table, which a table's own minimum would move).
    with pytest.raises(ValueError, match=r"\(X\['month'\] - pd.Timestamp\('2000-01-01'\)\)"):
        ImbalancedNetClassifier(**SMALL).fit(X.assign(month=monthly["month"].dt.to_timestamp()), y)
    days = (monthly["month"].dt.to_timestamp() - pd.Timestamp("2000-01-01")) / pd.Timedelta(days=1)
    ImbalancedNetClassifier(**SMALL).fit(monthly.assign(month=days), y)


@pytest.mark.parametrize("second", [pd.Period("2020-02", "M"), pd.Period("2020Q2", "Q")])
def test_periods_as_objects_get_a_hint_that_works_unless_declared(table, second):
    """Periods in an object column (mixed frequencies give no other) are refused, as a
    ``period`` column is; a ``category`` column of them is taken as declared."""
    X, y = table
    periods = [pd.Period("2020-01", "M"), pd.NaT, second]
    monthly = X.assign(month=pd.Series(np.resize(periods, len(X)), dtype=object))
    with pytest.raises(ValueError, match=r"'month' holds periods \(as objects\).*to_timestamp"):
        ImbalancedNetClassifier(**SMALL).fit(monthly, y)
    # The advice, followed: periods to dates, dates to a number of days.
    dates = monthly["month"].map(lambda p: p.to_timestamp(), na_action="ignore")
    followed = monthly.assign(month=(dates - dates.min()) / pd.Timedelta(days=1))
    ImbalancedNetClassifier(**SMALL).fit(followed, y)
    months = pd.period_range("2020-01", periods=3, freq="M")
    declared = X.assign(month=pd.Categorical(np.resize(months, len(X))))
    clf = ImbalancedNetClassifier(**SMALL).fit(declared, y)
    assert clf.column_encoder_.n_categories_[-1] == 3
    assert clf.predict(declared).shape == y.shape


@pytest.mark.parametrize("module", ["mlp", "resnet32", torch.nn.Linear(9, 2)])
def test_modules_without_categories_name_the_two_fixes(table, module):
    X, y = table
    clf = ImbalancedNetClassifier(module=module, max_epochs=1)
    message = r"categorical columns.*module='tabular'.*ColumnTransformer"
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "classes_")  # all or nothing


def test_modules_without_categories_name_every_categorical_column():
    # The list goes into the ColumnTransformer the message suggests: all of it, not the first few.
    names = [f"c{k}" for k in range(7)]
    X = pd.DataFrame({name: pd.Categorical(["a", "b"] * 10) for name in names}).assign(x=1.0)
    with pytest.raises(ValueError, match=re.escape(f"X has categorical columns {names}, which")):
        ImbalancedNetClassifier(module="mlp", max_epochs=1).fit(X, [0, 1] * 10)


@pytest.mark.parametrize("module", ["mlp", torch.nn.Linear(2, 2)])
def test_modules_without_categories_check_the_columns_at_predict_too(table, module):
    X, y = table
    fitted = ImbalancedNetClassifier(module=module, max_epochs=1).fit(X[["num", "flag"]], y)
    coloured = X[["num", "colour"]].rename(columns={"colour": "flag"})
    message = r"non-numeric columns \['flag'\] \(str values \('\w+'\)\).*fitted on numbers only"
    with pytest.raises(ValueError, match=message):
        fitted.predict(coloured)
    # Numbers held as objects in fit: the value is named, not the dtype they had in fit too.
    objects = X[["num", "flag"]].astype({"num": object})
    fitted = ImbalancedNetClassifier(module=module, max_epochs=1).fit(objects, y)
    with pytest.raises(ValueError, match=r"non-numeric columns \['num'\] \(str values \('x'\)\)"):
        fitted.predict(objects.assign(num=["x"] + [1.0] * (len(X) - 1)))
    dated = X[["num"]].assign(flag=pd.date_range("2020-01-01", periods=len(X), freq="D"))
    with pytest.raises(ValueError, match=r"'flag' holds dates.*number of days"):
        fitted.predict(dated)


@pytest.mark.parametrize("module", ["mlp", torch.nn.Linear(2, 2)])
def test_modules_without_categories_read_bools_given_as_objects_at_predict(table, module):
    """True/False objects (a bool column rebuilt from rows) in a column that was bool in
    fit are read as numbers, as the column encoding of module='tabular' reads them."""
    X, y = table
    bools = X[["num", "flag"]]
    fitted = ImbalancedNetClassifier(module=module, max_epochs=1).fit(bools, y)
    objects = bools.astype({"flag": object})
    np.testing.assert_array_equal(fitted.predict_proba(objects), fitted.predict_proba(bools))
    assert objects["flag"].dtype == object  # the caller's DataFrame is left as it was
    with pytest.raises(ValueError, match=r"NaN"):
        fitted.predict(objects.assign(flag=[None] + [True] * (len(X) - 1)))


def test_missing_numbers_on_mlp_name_the_fixes(table):
    X, y = table
    numeric = X[["num", "num_nan"]]
    with pytest.raises(ValueError, match=r"NaN.*module='mlp'.*module='tabular'.*SimpleImputer"):
        ImbalancedNetClassifier(module="mlp", max_epochs=1).fit(numeric, y)


@pytest.mark.parametrize(
    "column",
    [
        pytest.param(lambda: pd.Series([1.5, pd.NA, 2.5] * 80, dtype=object), id="objects"),
        pytest.param(
            lambda: pd.Series(
                pd.array(
                    [Decimal("1.5"), None, Decimal("2.5")] * 80,
                    dtype=pd.ArrowDtype(pa.decimal128(5, 1)),
                )
            ),
            id="arrow-decimal",
            marks=needs_pyarrow,
        ),
    ],
)
def test_pandas_na_among_numbers_on_mlp_is_named_a_missing_value(table, column):
    """A DataFrame was passed: the message is the one of missing numbers, not advice to
    pass the DataFrame that numpy's pd.NA error would give."""
    X, y = table
    column = column()
    numeric = X[["num"]].assign(held=column.array)
    with pytest.raises(ValueError, match=r"NaN.*module='mlp'.*module='tabular'"):
        ImbalancedNetClassifier(module="mlp", max_epochs=1).fit(numeric, y)
    fitted = ImbalancedNetClassifier(module="mlp", max_epochs=1).fit(numeric.assign(held=1.0), y)
    with pytest.raises(ValueError, match=r"NaN.*this model cannot take"):
        fitted.predict(numeric)


@pytest.mark.filterwarnings("ignore:TabularNet learns its input preprocessing")
def test_predict_time_messages_speak_of_the_fitted_model_not_of_module_now(table):
    """A model fitted without a column encoding (a TabularNet on a torch Dataset, or an
    MLP whose module was set to "tabular" since) is not told to use module='tabular'."""
    X, y = table
    numeric = X[["num", "flag"]].astype(np.float32)
    rows = TensorDataset(torch.as_tensor(numeric.to_numpy()))
    on_rows = ImbalancedNetClassifier(module="tabular", max_epochs=1).fit(rows, y)
    mlp = ImbalancedNetClassifier(module="mlp", max_epochs=1).fit(numeric, y)
    mlp.set_params(module="tabular")
    for fitted, missing in ((on_rows, numeric.to_numpy()), (mlp, numeric.copy())):
        missing[:1] = np.nan
        with pytest.raises(ValueError, match=r"this model cannot take.*column_encoder_") as error:
            fitted.predict(missing)
        assert "module='tabular' cannot" not in str(error.value)
    with pytest.raises(ValueError, match="this model was fitted on numbers only") as error:
        mlp.predict(numeric.assign(flag="x"))
    assert "module='tabular'" not in str(error.value)


def test_mixing_at_the_input_cannot_average_codes(table):
    X, y = table
    with pytest.raises(ValueError, match=r"mixing='mixup'.*categorical.*mixing__layer=1"):
        ImbalancedNetClassifier(mixing="mixup", **SMALL).fit(X, y)
    clf = ImbalancedNetClassifier(mixing="mixup", mixing__layer=1, **SMALL).fit(X, y)
    assert np.all(np.isfinite(clf.predict_proba(X)))


# ----------------------------------------------------------------------------- numbers
def test_numeric_dataframe_works_with_every_module_as_an_array(table):
    X, y = table
    numeric = X[["num", "flag"]]
    for module in ["mlp", "tabular"]:
        params = {**SMALL, "module": module}
        on_frame = ImbalancedNetClassifier(**params).fit(numeric, y)
        on_array = ImbalancedNetClassifier(**params).fit(numeric.to_numpy(np.float32), y)
        np.testing.assert_array_equal(
            on_frame.predict_proba(numeric), on_array.predict_proba(numeric.to_numpy())
        )


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_an_array_and_a_dataframe_of_the_same_numbers_give_the_same_model():
    """An array reaches the column encoding in float64, as a DataFrame's numbers do."""
    rng = np.random.default_rng(0)
    stamps = 1.7e12 + rng.integers(0, 600_000, 200).astype(float)  # ms over 10 minutes
    y = (stamps > np.median(stamps)).astype(int)
    frame = pd.DataFrame({"stamp": stamps, "huge": rng.normal(size=200) * 1e39})
    params = {**SMALL, "max_epochs": 10}
    on_frame = ImbalancedNetClassifier(**params).fit(frame, y)
    on_array = ImbalancedNetClassifier(**params).fit(frame.to_numpy(), y)
    proba = on_frame.predict_proba(frame)
    np.testing.assert_array_equal(on_array.predict_proba(frame.to_numpy()), proba)
    np.testing.assert_array_equal(on_frame.predict_proba(frame.to_numpy()), proba)
    encoded = on_array.column_encoder_.transform(frame.to_numpy())
    assert len(np.unique(encoded[:, 0])) == 200  # float32 alone holds 5 of the stamps


def test_numpy_input_is_unchanged(table):
    """An array without missing values reaches the network as it is."""
    X, y = table
    arr = X[["num", "flag"]].to_numpy(np.float32)
    clf = ImbalancedNetClassifier(**SMALL).fit(arr, y)
    assert clf.column_encoder_.indicator_columns_ == []
    np.testing.assert_array_equal(clf.column_encoder_.transform(arr), arr)
    assert not hasattr(clf, "feature_names_in_")
    mlp = ImbalancedNetClassifier(module="mlp", **SMALL).fit(arr, y)
    assert mlp.column_encoder_ is None


def test_numpy_missing_values_are_imputed_for_the_tabular_net(table):
    X, y = table
    arr = X[["num", "num_nan"]].to_numpy(np.float64)
    clf = ImbalancedNetClassifier(**SMALL).fit(arr, y)
    assert clf.column_encoder_.indicator_columns_ == [1]
    assert np.all(np.isfinite(clf.predict_proba(arr)))
    with pytest.raises(ValueError, match=r"NaN.*module='mlp'"):
        ImbalancedNetClassifier(module="mlp", max_epochs=1).fit(arr, y)


def test_tags_follow_the_module():
    for module, expected in [("auto", True), ("tabular", True), ("mlp", False)]:
        tags = get_tags(ImbalancedNetClassifier(module=module)).input_tags
        assert tags.allow_nan is expected
        # As HistGradientBoostingClassifier's: categories come as DataFrame dtypes, and
        # these two tags describe arrays, which are read as numbers.
        assert tags.categorical is False and tags.string is False
    assert not get_tags(ImbalancedNetClassifier(module=torch.nn.Linear(2, 2))).input_tags.allow_nan


def test_ppl_mixes_the_inputs_and_is_refused_with_categories(table):
    X, y = table
    with pytest.raises(ValueError, match=r"schedule='ppl' mixes the inputs.*schedule='ppw'"):
        ImbalancedNetClassifier(loss="ldam", schedule="ppl", **SMALL).fit(X, y)


def test_only_categorical_columns(table):
    X, y = table
    clf = ImbalancedNetClassifier(**SMALL).fit(X[CATEGORICAL], y)
    assert clf.column_encoder_.numeric_columns_ == []
    assert clf.net_.module_.stages[0].n_numeric == 0
    assert np.all(np.isfinite(clf.predict_proba(X[CATEGORICAL])))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_dataframe_on_cuda_trains_on_the_device_and_loads_on_the_cpu(table):
    """The encoded table moves to the GPU once; the model pickles to a CPU machine."""
    from sklearn.metrics import balanced_accuracy_score

    X, y = table
    clf = ImbalancedNetClassifier(device="cuda", max_epochs=30, random_state=0).fit(X, y)
    stage = clf.net_.module_.stages[0]
    assert stage.categories.embedding.weight.is_cuda
    # The batch order is drawn on the device (another generator than the CPU's): the
    # model is not the CPU's bit for bit, but learns as well (see test_predicts_...).
    assert balanced_accuracy_score(y, clf.predict(X)) > 0.8
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-6)


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_string_arrays_are_pointed_to_dataframes(table, fitted):
    """An array of strings cannot say which columns are categories: fit and predict
    name the DataFrame route instead of numpy's conversion error."""
    X, y = table
    strings = X[["colour", "num"]].astype(str).to_numpy()
    with pytest.raises(ValueError, match=r"X holds strings .*Pass a pandas DataFrame"):
        ImbalancedNetClassifier(**SMALL).fit(strings, y)
    with pytest.raises(ValueError, match=r"X holds strings .*Pass a pandas DataFrame"):
        fitted.predict(X.astype(str).to_numpy())


def test_pandas_na_in_an_array_is_pointed_to_dataframes(table):
    """``pd.NA`` inside an object array (what ``to_numpy()`` gives for nullable columns)
    names the DataFrame route or NaN, not numpy's TypeError."""
    X, y = table
    numbers = X[["num"]].astype("Float64")
    numbers.iloc[0, 0] = pd.NA
    with pytest.raises(ValueError, match=r"X holds pandas.NA .*Pass the pandas DataFrame"):
        ImbalancedNetClassifier(**SMALL).fit(numbers.to_numpy(dtype=object), y)


def test_tuples_are_categories():
    pairs = [(1, 2), (3, 4), (1, 2), (3, 4)]
    X = pd.DataFrame({"pair": pd.Series(pairs, dtype=object), "n": [1.0, 2.0, 3.0, 4.0]})
    encoder = ColumnEncoder().fit(X)
    assert encoder.categories_[0].tolist() == [(1, 2), (3, 4)]
    unseen = X.assign(pair=pd.Series([(3, 4), (5, 6), None, (1, 2)], dtype=object))
    # No missing pair in fit: a missing one reads as unseen too.
    np.testing.assert_array_equal(encoder.transform(unseen)[:, 1], [1, 3, 3, 0])
    as_category = X.astype({"pair": "category"})
    np.testing.assert_array_equal(
        ColumnEncoder().fit(as_category).transform(as_category), encoder.transform(X)
    )


def test_categories_of_too_few_training_rows_read_as_unseen():
    X = pd.DataFrame({"c": ["a", "a", "b", "b", "once"], "n": [1.0, 2.0, 3.0, 4.0, 5.0]})
    encoder = ColumnEncoder(min_frequency=2).fit(X)
    assert encoder.categories_[0].tolist() == ["a", "b"]
    np.testing.assert_array_equal(encoder.transform(X)[:, 1], [0, 0, 1, 1, 3])  # 3: unseen
    for every in (ColumnEncoder(), ColumnEncoder(min_frequency=None)):  # "auto": 5 rows
        assert every.fit(X).categories_[0].tolist() == ["a", "b", "once"]
    assert ColumnEncoder(min_frequency=3).fit(X).categories_[0].tolist() == []
    # A rare value of another type is a category too rare, not a foreign value.
    stray = X.assign(c=pd.Series(["a", "a", "b", "b", 0], dtype=object))
    encoder = ColumnEncoder(min_frequency=2).fit(stray)
    np.testing.assert_array_equal(encoder.transform(stray)[:, 1], [0, 0, 1, 1, 3])
    with pytest.raises(
        ValueError, match=r"had number and string categories in fit \('a', 'b'\) but"
    ):
        encoder.transform(X.assign(c=[True] * 5))
    assert repr(ColumnEncoder(min_frequency=2)) == "ColumnEncoder(min_frequency=2)"
    for wrong in (0, 1.5, "all", True):
        with pytest.raises(ValueError, match=r"min_frequency must be 'auto', None .*got"):
            ColumnEncoder(min_frequency=wrong).fit(X)


def test_auto_min_frequency_rounds_its_share_of_the_rows_up():
    # 15,000 rows: one in 10,000 is 1.5 rows, so a category needs 2 (a single row, the
    # share rounded down, would keep "once").
    n = 15_000
    X = pd.DataFrame({"c": ["many"] * (n - 3) + ["pair", "pair", "once"]})
    encoder = ColumnEncoder().fit(X)
    assert encoder.categories_[0].tolist() == ["many", "pair"]
    np.testing.assert_array_equal(encoder.transform(X.tail(3))[:, 0], [1, 1, 3])  # 3: unseen


def test_a_column_of_ids_holds_no_category_on_a_large_table():
    n = 30_000  # "auto": a category needs 3 rows here (one in 10,000)
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "id": [f"row{i}" for i in range(n)],
            "grade": rng.choice(["twice", "thrice"], n, p=[0.5, 0.5]),
            "x": rng.normal(size=n),
        }
    )
    X.loc[:1, "grade"] = "pair"  # 2 rows: too few at this size
    X.loc[2:4, "grade"] = "triple"  # 3 rows: enough
    encoder = ColumnEncoder().fit(X)
    assert encoder.n_categories_ == (0, 3)
    assert encoder.categories_[1].tolist() == ["thrice", "triple", "twice"]
    y = (X["x"] > 1).to_numpy()
    clf = ImbalancedNetClassifier(**{**SMALL, "max_epochs": 1}).fit(X, y)
    assert clf.column_encoder_.n_categories_ == (0, 3)


def test_columns_named_by_missing_values_and_numbers_fit(table):
    X, y = table
    unnamed = pd.DataFrame({np.nan: X["num"], 1.0: X["num_nan"], 2: X["colour"]})
    clf = ImbalancedNetClassifier(**SMALL).fit(unnamed, y)
    assert clf.predict(unnamed).shape == y.shape
    assert not hasattr(clf, "feature_names_in_")  # as scikit-learn: names not all strings


@needs_pyarrow
def test_arrow_dictionary_columns_are_categories(table):
    X, y = table
    arrow = X.astype({"colour": pd.ArrowDtype(pa.dictionary(pa.int8(), pa.string()))})
    clf = ImbalancedNetClassifier(**SMALL).fit(arrow, y)
    assert "colour" in clf.column_encoder_.categorical_columns_
    np.testing.assert_array_equal(
        clf.column_encoder_.transform(arrow), ColumnEncoder().fit(X).transform(X)
    )
    np.testing.assert_array_equal(
        clf.predict_proba(arrow), ImbalancedNetClassifier(**SMALL).fit(X, y).predict_proba(X)
    )


def test_the_encoder_on_its_own_checks_its_columns():
    X = pd.DataFrame(
        {"a": [1.0, 2.0, np.nan, 4.0], "b": [10, 20, 30, 40], "c": ["x", "y", None, "x"]}
    )
    with pytest.raises(NotFittedError):
        ColumnEncoder().transform(X)
    encoder = ColumnEncoder().fit(X)
    assert list(encoder.feature_names_in_) == ["a", "b", "c"]
    with pytest.raises(ValueError, match=r"columns \['b', 'a', 'c'\], but the columns passed"):
        encoder.transform(X[["b", "a", "c"]])
    with pytest.raises(ValueError, match=r"during fit were \['a', 'b', 'c'\]"):
        encoder.transform(X.rename(columns={"c": "colour"}))
    numbers = ColumnEncoder().fit(np.ones((3, 2)))
    assert not hasattr(numbers, "feature_names_in_")
    for wrong in (np.ones((3, 3)), np.ones((3, 1)), np.ones(3)):
        with pytest.raises(ValueError, match=r"but 2 columns were passed during fit"):
            numbers.transform(wrong)
    with pytest.raises(ValueError, match=r"fitted on a DataFrame with categorical columns \['c'\]"):
        encoder.transform(X.to_numpy())
    for not_a_table in (np.arange(3.0), X.iloc[:0], np.ones((0, 2))):
        with pytest.raises(ValueError, match="ColumnEncoder fits a table of at least one row"):
            ColumnEncoder().fit(not_a_table)


def test_reordered_columns_of_integer_labels_are_named_in_terms_of_fit():
    """scikit-learn checks no integer labels: the column encoding does, speaking as
    scikit-learn does of the columns passed during fit, not of an encoder."""
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 3)))
    clf = ImbalancedNetClassifier(module="tabular", **SMALL).fit(X, np.arange(60) % 2)
    with pytest.raises(ValueError, match=r"columns passed during fit were \[0, 1, 2\]") as error:
        clf.predict(X[[2, 1, 0]])
    assert "encoder" not in str(error.value)


@pytest.mark.parametrize("dtype", ["string", pytest.param("string[pyarrow]", marks=needs_pyarrow)])
def test_column_labels_of_any_dtype_fit_and_predict(table, dtype):
    """Labels in a string Index (a pivot of a table read with convert_dtypes()) are the
    same labels as in an object Index."""
    X, y = table
    labelled = X.copy()
    labelled.columns = labelled.columns.astype(dtype)
    clf = ImbalancedNetClassifier(**SMALL).fit(labelled, y)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(labelled))
    reordered = labelled[labelled.columns[::-1]]
    with pytest.raises(ValueError, match="The feature names should match"):
        clf.predict(reordered)
    numbers = X[NUMERIC].to_numpy(dtype=float, na_value=np.nan)
    numbered = pd.DataFrame(numbers, columns=pd.Index([1, 2, 3, 4, 5, 6]))
    encoder = ColumnEncoder().fit(numbered)
    as_int64 = numbered.set_axis(numbered.columns.astype("Int64"), axis=1)
    np.testing.assert_array_equal(encoder.transform(as_int64), encoder.transform(numbered))


def test_a_refused_refit_leaves_the_encoder_as_it_was():
    X = pd.DataFrame({"num": [1.0, 2.0, 3.0], "cat": ["a", "b", "a"]})
    encoder = ColumnEncoder().fit(X)
    before = encoder.transform(X)
    state = repr(encoder), encoder.columns_, list(encoder.feature_names_in_)
    for refused in (
        pd.DataFrame({"a": [1.0, 2.0], "tags": [["x"], ["y"]]}),  # unhashable
        pd.DataFrame({"a": [1.0, 2.0], "when": pd.date_range("2020", periods=2).date}),
    ):
        with pytest.raises(ValueError, match="holds"):
            encoder.fit(refused)
        assert (repr(encoder), encoder.columns_, list(encoder.feature_names_in_)) == state
        np.testing.assert_array_equal(encoder.transform(X), before)


def test_predict_time_messages_say_what_changed(table, fitted):
    X, _ = table
    with pytest.raises(ValueError, match=r"X is one-dimensional.*X\.iloc\[\[i\]\]"):
        fitted.predict(X.iloc[0])
    # Numbers cast to a category dtype are still numbers.
    as_category = X.assign(count=X["count"].astype("category"))
    np.testing.assert_array_equal(fitted.predict_proba(as_category), fitted.predict_proba(X))


def test_a_dataset_at_predict_is_refused_where_it_would_skip_the_encoding(table, fitted):
    """A Dataset's items reach the network as they are: raw numbers would be read as
    category codes, missing indicators or shifted columns."""
    X, _ = table
    encoded_width = fitted.column_encoder_.transform(X).shape[1]
    rows = TensorDataset(torch.zeros(len(X), encoded_width))
    with pytest.raises(ValueError, match=r"Dataset.*codes the categories.*missing indicators"):
        fitted.predict(rows)
    rng = np.random.default_rng(0)
    stamps = np.c_[1.7e12 + np.round(rng.normal(size=100) * 60_000), rng.normal(size=100)]
    y = np.r_[np.zeros(70, dtype=int), np.ones(30, dtype=int)]
    clf = ImbalancedNetClassifier(**SMALL).fit(stamps, y)
    with pytest.raises(ValueError, match=r"shifts or scales .* the columns 0\b"):
        clf.predict_proba(TensorDataset(torch.as_tensor(stamps)))
    # An encoding that only reads the numbers: the Dataset's rows predict as the array's.
    plain = np.c_[rng.normal(size=100), rng.normal(size=100)]
    clf = ImbalancedNetClassifier(**SMALL).fit(plain, y)
    np.testing.assert_array_equal(
        clf.predict_proba(TensorDataset(torch.as_tensor(plain, dtype=torch.float32))),
        clf.predict_proba(plain),
    )


def test_the_encoder_keeps_numbers_float32_cannot_hold_as_they_are():
    rng = np.random.default_rng(0)
    z = rng.normal(size=200)
    X = pd.DataFrame(
        {
            "ordinary": 50 + 10 * z,
            "epoch_ms": 1.7e12 + np.round(z * 60_000),  # float32 steps of 131,072 here
            "huge": np.where(z > 0, 3e38, -3e38),
            "tiny": z * 1e-40,
        }
    )
    encoder = ColumnEncoder().fit(X)
    assert (encoder.offsets_[0], encoder.scales_[0]) == (0.0, 1.0)  # a plain float32 cast
    Z = encoder.transform(X)
    assert np.isfinite(Z).all()
    for j, column in enumerate(X.columns):
        assert len(np.unique(Z[:, j])) == X[column].nunique()
    # Beyond float32's range at predict: clipped, not infinite.
    beyond = X.iloc[:1].assign(ordinary=1e300)
    assert np.isfinite(encoder.transform(beyond)).all()


def test_numbers_near_float32s_largest_of_both_signs_fit_and_predict_without_a_warning():
    """The encoding is finite (clipped to float32's range); summed, as scikit-learn's
    check of finiteness sums it, such numbers overflow to inf - inf."""
    z = np.random.default_rng(0).normal(size=200)
    heavy = z.copy()
    heavy[:2], heavy[-2:] = 3e38, -3e38  # a heavy tail: the spread stays that of z
    X = pd.DataFrame({"z": z, "heavy": heavy})
    y = (z > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        clf = ImbalancedNetClassifier(**SMALL).fit(X, y)
        beyond = X.assign(z=np.where(z > 0, 1e300, -1e300))  # clipped to float32's range
        assert np.isfinite(clf.predict_proba(beyond)).all()
        # The same as an array: float64 numbers whose sum overflows.
        huge = np.column_stack([z, np.where(y == 1, 1.7e308, -1.7e308)])
        assert np.isfinite(ImbalancedNetClassifier(**SMALL).fit(huge, y).predict_proba(huge)).all()


@pytest.mark.parametrize("magnitude", [3e38, 1.5e308, 1e-310])
def test_the_default_trains_on_columns_beyond_float32_range(magnitude):
    # Beyond float32's range, x - median would overflow in the network's scaling (a NaN
    # loss: "diverged"); near float64's largest, the median and spread would overflow
    # (the column read as 0); on subnormal numbers, the scale (0 read as NaN).
    y = np.r_[np.zeros(60, dtype=int), np.ones(40, dtype=int)]
    zero_or_minus = np.where(np.arange(100) % 2, 0.0, -magnitude)
    X = pd.DataFrame({"x": np.where(y == 1, magnitude, zero_or_minus)})
    clf = ImbalancedNetClassifier(max_epochs=5, random_state=0).fit(X, y)
    assert clf.score(X, y) == 1.0


def test_the_encoder_keeps_numbers_at_float64s_limits_apart():
    rng = np.random.default_rng(0)
    z = rng.normal(size=200)
    X = pd.DataFrame(
        {
            "near_max": np.sign(z) * rng.uniform(1e308, 1.7e308, size=200),
            "subnormal": np.where(z > 1, 0.0, z * 1e-310),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way
        encoder = ColumnEncoder().fit(X)
        Z = encoder.transform(X)
        assert np.isfinite(encoder.transform(X.iloc[:2].assign(subnormal=[1e300, np.nan]))).all()
    assert np.isfinite(encoder.medians_).all()
    assert np.isfinite(Z).all() and np.abs(Z).max() < 1e3
    for j, column in enumerate(X.columns):
        assert len(np.unique(Z[:, j])) == X[column].nunique()


@pytest.mark.parametrize(
    "column, shown",
    [
        (pd.Series(np.array([1, 2, "1e4000", 4], dtype=np.longdouble)), "1e+4000"),
        (pd.Series([Decimal(1), Decimal(2), Decimal("-1e5000"), None]), "-1e+5000"),
        (pd.Series([1, 2, 10**400, None], dtype=object), "1.000e+400"),
    ],
    ids=["longdouble", "decimal", "python-int"],
)
def test_numbers_beyond_float64s_range_are_refused_naming_the_column(column, shown):
    """A finite number that float64 cannot hold is not an infinity of the table: refused
    as what it is, in fit and at predict, for a column of any dtype that holds it."""
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "big": column})
    y = [0, 1, 0, 1]
    message = rf"Column 'big' holds {re.escape(shown)}, beyond float64's range"
    with pytest.raises(ValueError, match=message):
        ImbalancedNetClassifier(**SMALL).fit(X, y)
    fitted = ImbalancedNetClassifier(**SMALL).fit(X.assign(big=[1.0, 2.0, 3.0, 4.0]), y)
    with pytest.raises(ValueError, match=message):
        fitted.predict(X)


def test_a_one_dimensional_x_gets_the_advice_of_its_call():
    X = np.random.default_rng(0).normal(size=32)
    y = np.r_[[0] * 24, [1] * 8]
    with pytest.raises(ValueError, match=r"Reshape your data: X\.reshape\(-1, 1\), or df\[\["):
        ImbalancedNetClassifier(**SMALL).fit(X, y)
    fitted = ImbalancedNetClassifier(**SMALL).fit(X[:, None], y)
    with pytest.raises(ValueError, match=r"X\.iloc\[\[i\]\].*reshape\(1, -1\).*reshape\(-1, 1\)"):
        fitted.predict(X)


def test_a_numbers_only_model_names_changed_columns_with_repeated_labels():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "c", "b"])
    y = np.r_[[0] * 30, [1] * 10]
    model = ImbalancedNetClassifier(module="mlp", max_epochs=1, random_state=0).fit(X, y)
    changed = pd.concat([X["a"].astype(str), X[["c", "b"]]], axis=1)
    changed.columns = ["a", "a", "b"]
    with pytest.raises(
        ValueError, match=r"non-numeric columns \['a'\] \(str values \('[-\d.]+'\)\)"
    ):
        model.predict(changed)


def test_an_encoder_holding_type_names_reads_dates_by_kind():
    """Type names of dates and durations (as an encoder pickled with them holds) are
    compared by kind with the values at transform."""
    dates = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"])
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0], "d": pd.Categorical(dates)})
    encoder = ColumnEncoder().fit(X)
    expected = encoder.transform(X)
    encoder.category_types_ = [frozenset({"Timestamp"})]
    np.testing.assert_array_equal(encoder.transform(X), expected)


@pytest.mark.parametrize(
    "labels",
    [["a", "b", "a"], [1, 1.0, 2], pd.MultiIndex.from_tuples([("a", 1), ("b", 2), ("a", 1)])],
)
def test_repeated_column_names_are_refused_by_the_encoder(labels):
    """Each column is read by its name: a repeated one would leave a column out."""
    X = pd.DataFrame([[1.0, "x", 3.0], [2.0, "y", 4.0]], columns=labels)
    encoder = ColumnEncoder()
    with pytest.raises(ValueError, match="more than one column named .*rename them"):
        encoder.fit(X)
    assert not hasattr(encoder, "columns_")


def test_repeated_column_names_are_refused_by_the_estimator(table):
    """At fit and at predict, with the reason, before scikit-learn's own check (which
    from 1.9 refuses them without it)."""
    X, y = table
    repeated = X.set_axis(["num", "num", *X.columns[2:]], axis=1)
    message = "X has more than one column named 'num'; each column is read by its name"
    with pytest.raises(ValueError, match=message):
        ImbalancedNetClassifier(**SMALL).fit(repeated, y)
    clf = ImbalancedNetClassifier(**SMALL).fit(X, y)
    with pytest.raises(ValueError, match=message):
        clf.predict(repeated)


def test_a_category_column_of_booleans_is_read_as_categories():
    """The dtype decides, as for a category of numbers: pandas also calls it boolean."""
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "flag": pd.Categorical([True, False, None, True])})
    encoder = ColumnEncoder().fit(X)
    assert encoder.categorical_columns_ == ["flag"] and encoder.indicator_columns_ == []
    np.testing.assert_array_equal(encoder.transform(X)[:, 1], [1, 0, 2, 1])
    plain = X.assign(flag=pd.array([False, None, True, True], dtype="boolean"))
    np.testing.assert_array_equal(encoder.transform(plain)[:, 1], [0, 2, 1, 1])


@needs_pyarrow
def test_an_empty_column_of_an_arrow_table_is_missing_numbers(table, fitted):
    """read_csv(..., dtype_backend="pyarrow") gives an empty column the null type; the
    numpy backend's column of NaN gives the same model."""
    X, y = table
    arrow = X.assign(empty=pd.Series([None] * len(X), dtype=pd.ArrowDtype(pa.null())))
    numpy_backend = X.assign(empty=np.nan)
    clf = ImbalancedNetClassifier(**SMALL).fit(arrow, y)
    assert clf.column_encoder_.indicator_columns_[-1] == "empty"
    expected = ImbalancedNetClassifier(**SMALL).fit(numpy_backend, y).predict_proba(numpy_backend)
    np.testing.assert_array_equal(clf.predict_proba(arrow), expected)
    # At predict a column of numbers may come empty, read the same way.
    empty_num = X.assign(num=pd.Series([None] * len(X), dtype=pd.ArrowDtype(pa.null())))
    np.testing.assert_array_equal(
        fitted.predict_proba(empty_num), fitted.predict_proba(X.assign(num=np.nan))
    )


@needs_pyarrow
@pytest.mark.parametrize("module", ["tabular", "mlp"])
def test_numbers_given_as_arrow_categories_at_predict_are_read_as_numbers(table, module):
    """Arrow's dictionary (the category of dtype_backend="pyarrow") is read as pandas'
    category is: a column of numbers in fit stays numbers."""
    X, y = table
    numbers = X[["num", "count"]].fillna({"count": 2})
    clf = ImbalancedNetClassifier(module=module, max_epochs=1, random_state=0).fit(numbers, y)
    counts = [None, *numbers["count"].iloc[1:].tolist()]
    as_numbers = numbers.assign(count=pd.array(counts, dtype="Int64"))
    for category in (
        pd.Categorical(counts),
        pd.array(
            pa.array(counts).dictionary_encode(),
            dtype=pd.ArrowDtype(pa.dictionary(pa.int32(), pa.int64())),
        ),
    ):
        given = numbers.assign(count=category)
        if module == "mlp":  # a missing value, refused as one
            with pytest.raises(ValueError, match="NaN"):
                clf.predict(given)
            given, expected = given.iloc[1:], numbers.iloc[1:]
        else:
            expected = as_numbers
        np.testing.assert_array_equal(clf.predict_proba(given), clf.predict_proba(expected))


@pytest.mark.parametrize(
    "values",
    [
        [10.5, None, 3.2, 7.25],  # SimpleImputer(strategy="most_frequent") in pandas
        [10, 3, None, 7],
        ["10.50", None, "3.20", "7.25"],  # Parquet's and SQL's DECIMAL
        ["10.50", 0, "3.20", 0.5],  # decimals beside ints and floats (imputed ones)
    ],
)
def test_numbers_held_as_objects_are_read_as_numbers(values):
    """As categories, every value not seen in fit would be an unseen one."""
    from decimal import Decimal

    values = [Decimal(v) if isinstance(v, str) else v for v in values]
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "amount": pd.Series(values, dtype=object)})
    encoder = ColumnEncoder().fit(X)
    assert encoder.numeric_columns_ == ["x", "amount"]
    as_floats = X.astype({"amount": float})
    np.testing.assert_array_equal(encoder.transform(X), ColumnEncoder().fit_transform(as_floats))
    np.testing.assert_array_equal(encoder.transform(X), encoder.transform(as_floats))
    declared = ColumnEncoder().fit(X.astype({"amount": "category"}))
    assert declared.categorical_columns_ == ["amount"]


@pytest.mark.parametrize("held_out_by", ["validation_fraction", "sample_weight"])
def test_a_category_of_rows_that_do_not_train_reads_as_unseen(held_out_by):
    # Its one-hot slot or embedding row would never move from its random start.
    rng = np.random.default_rng(0)
    n = 400
    names = np.where(
        np.arange(n) < 40, [f"one{i}" for i in range(n)], [f"c{i % 12}" for i in range(n)]
    )
    X = pd.DataFrame({"c": names, "x": rng.normal(size=n)})
    y = np.tile([0, 0, 1], n)[:n]
    weight = np.where(np.arange(n) < 10, 0.0, 1.0)  # the first ten of the single ones
    params = dict(max_epochs=2, random_state=0)
    if held_out_by == "validation_fraction":
        clf = ImbalancedNetClassifier(validation_fraction=0.2, **params).fit(X, y)
    else:
        clf = ImbalancedNetClassifier(**params).fit(X, y, sample_weight=weight)
    kept = set(clf.column_encoder_.categories_[0])
    assert {f"c{i}" for i in range(12)} <= kept and 0 < len(kept) - 12 < 40
    singles = X.iloc[:40]
    dropped = ~singles["c"].isin(kept).to_numpy()
    if held_out_by == "sample_weight":
        assert dropped.tolist() == [True] * 10 + [False] * 30
    unseen = clf.predict_proba(singles.assign(c="never seen"))
    np.testing.assert_array_equal(clf.predict_proba(singles)[dropped], unseen[dropped])


@pytest.mark.parametrize("preprocessing", ["robust", "none"])
def test_a_missing_indicator_of_rows_that_do_not_train_stays_0(preprocessing):
    # Its first-layer weights would never move from their random start: a missing
    # value there is imputed without a flag, as in a column with none in fit.
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    X.loc[:9, "x"] = np.nan
    y = (X["z"] > 0.5).astype(int)
    weight = np.where(np.arange(n) < 10, 0.0, 1.0)
    clf = ImbalancedNetClassifier(
        max_epochs=2, random_state=0, module="tabular", module__preprocessing=preprocessing
    ).fit(X, y, sample_weight=weight)
    encoder = clf.column_encoder_
    assert encoder.indicator_columns_ == encoder.untrained_indicator_columns_ == ["x"]
    rows = X.iloc[10:40]
    missing = rows.assign(x=np.nan)
    np.testing.assert_array_equal(encoder.transform(missing)[:, 2], 0)
    imputed = rows.assign(x=encoder.medians_[0])
    np.testing.assert_array_equal(clf.predict_proba(missing), clf.predict_proba(imputed))
    # A refit where trained rows miss values flags them again.
    clf.fit(X, y)
    assert clf.column_encoder_.untrained_indicator_columns_ == []
    assert not np.array_equal(clf.predict_proba(missing), clf.predict_proba(imputed))


def test_the_median_and_scaling_come_from_the_rows_that_train():
    # Rows of weight 0 far off the others: as if they were not given.
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    y = (x > 0.8).astype(int)
    x[:10] = np.nan
    weight = np.where(np.arange(400) < 200, 1.0, 0.0)
    x[200:] = x[200:] * 1000 + 5000
    X = pd.DataFrame({"x": x})
    with_zeros = ImbalancedNetClassifier(max_epochs=1, random_state=0)
    with_zeros.fit(X, y, sample_weight=weight)
    without = ImbalancedNetClassifier(max_epochs=1, random_state=0).fit(X[:200], y[:200])
    for clf in (with_zeros, without):
        stage = clf.net_.module_.stages[0]
        stats = clf.column_encoder_.medians_[0], stage.median[0].item(), stage.factor[0].item()
        np.testing.assert_allclose(stats, [np.nanmedian(x[:200]), np.nanmedian(x[:200]), 0.8111],
                                   rtol=1e-4)  # fmt: skip
    # Nor do they enter the batches or batch norm's statistics: the same model as
    # without them, in mini-batches, under a class-balanced sampler too.
    for params in ({"module__batch_norm": True}, {"sampler": "class_balanced"}):
        params = {"max_epochs": 3, "batch_size": 32, "random_state": 0, **params}
        with_zeros = ImbalancedNetClassifier(**params).fit(X, y, sample_weight=weight)
        without = ImbalancedNetClassifier(**params).fit(X[:200], y[:200])
        # (To float32's rounding of the median, from the encoded values.)
        np.testing.assert_allclose(
            with_zeros.predict_proba(X[:200]), without.predict_proba(X[:200]), atol=1e-4
        )
    # Rows held out for validation are imputed with the training part's median too.
    held = ImbalancedNetClassifier(max_epochs=1, random_state=0, validation_fraction=0.5)
    held.fit(X[:200], y[:200])
    train_rows = held.net_.module_.stages[0].median[0].item()
    assert held.column_encoder_.medians_[0] == pytest.approx(train_rows, rel=1e-6)
    assert held.column_encoder_.medians_[0] != pytest.approx(np.nanmedian(x[:200]), rel=1e-3)


def test_keep_trained_values_rewrites_every_part():
    X = pd.DataFrame({"x": [1.0, np.nan, 3.0, np.nan], "c": ["a", "b", "a", "b"]})
    encoder = ColumnEncoder().fit(X)
    Z = encoder.transform(X)
    train, held_out = Z[[0, 2]].copy(), Z[[1, 3]].copy()
    encoder.keep_trained_values(train, train, held_out)
    assert encoder.untrained_indicator_columns_ == ["x"]
    assert [list(c) for c in encoder.categories_] == [["a"]]
    np.testing.assert_array_equal(held_out, [[2.0, 0.0, 2.0], [2.0, 0.0, 2.0]])  # b: unseen
    np.testing.assert_array_equal(
        encoder.transform(X), np.vstack([train[0], held_out[0], train[1], held_out[1]])
    )
