"""polars DataFrames and pyarrow Tables taken as the pandas DataFrames they hold."""

import datetime
import sys

import numpy as np
import pandas as pd
import pytest

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.compare import run_comparison

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

TWO_EPOCHS = {"module__hidden_sizes": (16,), "max_epochs": 2, "batch_size": 64, "random_state": 0}
SIZES = ["S", "M", "L", "XL"]  # declared order, not sorted; "XL" never occurs


@pytest.fixture(scope="module")
def tables():
    """The same table in polars and in pandas built by hand, with labels."""
    n = 240
    rng = np.random.default_rng(0)
    gap = lambda p: rng.random(n) < p  # noqa: E731
    num = rng.normal(10, 3, n)
    num_gap = gap(0.2)
    count = rng.integers(0, 6, n).astype(object)
    count[gap(0.1)] = None
    maybe = (rng.random(n) < 0.5).astype(object)
    maybe[gap(0.1)] = None
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    colour[gap(0.15)] = None
    size = rng.choice(SIZES[:3], n).astype(object)
    size[gap(0.05)] = None
    # Rows show "city09" first: the categories are sorted, not in order of appearance.
    city = np.concatenate([["city09"], rng.choice([f"city{i:02d}" for i in range(10)], n - 1)])
    flag = rng.random(n) < 0.3
    X_pl = pl.DataFrame(
        {
            "num": pl.Series(np.where(num_gap, None, num).tolist(), dtype=pl.Float64),
            "count": pl.Series(count.tolist(), dtype=pl.Int64),
            "flag": flag,
            "maybe": pl.Series(maybe.tolist(), dtype=pl.Boolean),
            "colour": pl.Series(colour.tolist(), dtype=pl.String),
            "size": pl.Series(size.tolist(), dtype=pl.Enum(SIZES)),
            "city": pl.Series(city.tolist(), dtype=pl.Categorical),
        }
    )
    X_pd = pd.DataFrame(
        {
            "num": np.where(num_gap, np.nan, num),
            "count": pd.array(count, dtype="Int64"),
            "flag": flag,
            "maybe": pd.array(maybe, dtype="boolean"),
            "colour": colour,
            "size": pd.Categorical(size, categories=SIZES, ordered=True),
            "city": pd.Categorical(city),
        }
    )
    score = num / 3 + (colour == "red") + (size == "L")
    y = np.where(score > np.quantile(score, 0.8), "rare", "common")
    return X_pl, X_pd, y


def as_arrow(X_pl):
    """The polars table as an Arrow table whose dictionary of the Enum is ordered, as
    polars 2 writes it (polars 1 leaves it unordered: the Arrow table then holds no order,
    and its categories are sorted)."""
    table = X_pl.to_arrow()
    i = table.schema.get_field_index("size")
    kind = table.schema.field(i).type
    ordered = pa.dictionary(kind.index_type, kind.value_type, ordered=True)
    return table.set_column(i, "size", table.column(i).cast(ordered))


@pytest.fixture(scope="module")
def on_pandas(tables):
    _, X_pd, y = tables
    return ImbalancedNetClassifier(**TWO_EPOCHS).fit(X_pd, y)


@pytest.mark.parametrize("kind", ["polars", "pyarrow"])
def test_a_table_trains_as_the_pandas_one(tables, on_pandas, kind):
    """Numbers, nullable ints, booleans with nulls, strings, an Enum and a Categorical,
    with missing values: the same encoding, the same model as pandas'."""
    X_pl, X_pd, y = tables
    X = X_pl if kind == "polars" else as_arrow(X_pl)
    clf = ImbalancedNetClassifier(**TWO_EPOCHS).fit(X, pl.Series(y))
    encoder = clf.column_encoder_
    assert encoder.numeric_columns_ == ["num", "count", "flag", "maybe"]
    assert encoder.indicator_columns_ == ["num", "count", "maybe"]
    assert encoder.categorical_columns_ == ["colour", "size", "city"]
    assert [list(c) for c in encoder.categories_[1:]] == [
        ["S", "M", "L"],
        [f"city{i:02d}" for i in range(10)],
    ]
    np.testing.assert_array_equal(
        encoder.transform(X_pd), on_pandas.column_encoder_.transform(X_pd)
    )
    assert list(clf.feature_names_in_) == list(X_pd.columns)
    expected = on_pandas.predict_proba(X_pd)
    np.testing.assert_array_equal(clf.predict_proba(X), expected)
    np.testing.assert_array_equal(clf.predict_proba(X_pd), expected)  # either kind later
    np.testing.assert_array_equal(on_pandas.predict_proba(X), expected)
    np.testing.assert_array_equal(clf.predict_log_proba(X), on_pandas.predict_log_proba(X_pd))
    np.testing.assert_array_equal(clf.predict(X), on_pandas.predict(X_pd))
    assert clf.score(X, pl.Series(y)) == on_pandas.score(X_pd, y)


def test_series_labels_and_weights(tables, on_pandas):
    X_pl, X_pd, y = tables
    weights = np.linspace(0.5, 2, len(y))
    clf = ImbalancedNetClassifier(**TWO_EPOCHS).fit(X_pl, pl.Series(y), pl.Series(weights))
    expected = ImbalancedNetClassifier(**TWO_EPOCHS).fit(X_pd, y, weights).predict_proba(X_pd)
    np.testing.assert_array_equal(clf.predict_proba(X_pl), expected)
    assert list(clf.classes_) == ["common", "rare"]
    arrow = ImbalancedNetClassifier(**TWO_EPOCHS).fit(as_arrow(X_pl), pa.array(y))
    np.testing.assert_array_equal(arrow.predict_proba(X_pd), on_pandas.predict_proba(X_pd))


def test_predict_checks_the_columns(tables):
    X_pl, _, y = tables
    clf = ImbalancedNetClassifier(**TWO_EPOCHS).fit(X_pl, y)
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        clf.predict(X_pl.select(reversed(X_pl.columns)))
    with pytest.raises(ValueError, match="unseen at fit time"):
        clf.predict(X_pl.rename({"num": "number"}))


def test_numbers_only_module(tables):
    """module="mlp" refuses the categorical columns with its advice, and trains on the
    numbers as on pandas'."""
    X_pl, X_pd, y = tables
    with pytest.raises(ValueError, match=r"categorical columns \['colour', 'size', 'city'\]"):
        ImbalancedNetClassifier(module="mlp", **TWO_EPOCHS).fit(X_pl, y)
    numbers = X_pl.select("count", "flag").fill_null(0)
    clf = ImbalancedNetClassifier(module="mlp", **TWO_EPOCHS).fit(numbers, y)
    expected = ImbalancedNetClassifier(module="mlp", **TWO_EPOCHS).fit(numbers.to_pandas(), y)
    np.testing.assert_array_equal(clf.predict_proba(numbers), expected.predict_proba(numbers))
    assert list(clf.feature_names_in_) == ["count", "flag"]
    with pytest.raises(ValueError, match="missing values"):
        ImbalancedNetClassifier(module="mlp", **TWO_EPOCHS).fit(X_pl.select("maybe"), y)


@pytest.mark.parametrize(
    ("column", "held", "advice"),
    [
        (pl.Series([datetime.date(2024, 1, 1)] * 4), "dates", ".dt.total_days()"),
        (pl.Series([datetime.datetime(2024, 1, 1)] * 4), "dates", "pl.col('when').dt.year()"),
        (pl.Series([datetime.timedelta(hours=1)] * 4), "durations", ".dt.total_seconds()"),
        (pl.Series([datetime.time(1, 30)] * 4), "times of day", "pl.col('when').dt.hour()"),
    ],
    ids=["date", "datetime", "duration", "time"],
)
def test_time_columns_are_refused_with_polars_advice(column, held, advice):
    X = pl.DataFrame({"num": [1.0, 2.0, 3.0, 4.0], "when": column})
    for module in ("auto", "mlp"):
        with pytest.raises(ValueError, match=f"Column 'when' holds {held}") as error:
            ImbalancedNetClassifier(module=module, max_epochs=1).fit(X, [0, 1, 0, 1])
        assert advice in str(error.value) and "pd." not in str(error.value)


def test_time_columns_of_an_arrow_table_are_refused_with_its_advice():
    X = pa.table({"num": [1.0, 2.0, 3.0, 4.0], "when": [datetime.date(2024, 1, 1)] * 4})
    with pytest.raises(ValueError, match=r"Column 'when' holds dates.*pc\.days_between"):
        ImbalancedNetClassifier(max_epochs=1).fit(X, [0, 1, 0, 1])


def test_a_lazy_frame_is_refused(tables):
    X_pl, _, y = tables
    with pytest.raises(TypeError, match=r"X is a polars LazyFrame.*X\.collect\(\)"):
        ImbalancedNetClassifier(max_epochs=1).fit(X_pl.lazy(), y)
    clf = ImbalancedNetClassifier(max_epochs=1).fit(X_pl, y)
    with pytest.raises(TypeError, match="X is a polars LazyFrame"):
        clf.predict(X_pl.lazy())


def test_without_pyarrow_the_refusal_says_so(tables, monkeypatch):
    X_pl, _, y = tables
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    with pytest.raises(ImportError, match="read through pyarrow.*pip install pyarrow"):
        ImbalancedNetClassifier(max_epochs=1).fit(X_pl, y)


def test_run_comparison_takes_a_polars_table(tables):
    X_pl, X_pd, y = tables
    options = {"cv": 2, "methods": ["ce", "logreg"], "seeds": [0], "epochs": 2}
    got = run_comparison(X_pl, pl.Series(y), **options)
    expected = run_comparison(X_pd, y, **options)
    assert not got["error"].any()
    pd.testing.assert_series_equal(got["balanced_accuracy"], expected["balanced_accuracy"])


def test_arrow_string_views_keep_their_nulls():
    """pandas reads a null of Arrow's string_view (polars' newest export) as ''."""
    if not hasattr(pa, "string_view"):
        pytest.skip("pyarrow without string_view")
    strings = pa.array(["a", None, "b", "a"], type=pa.string_view())
    X = pa.table({"num": [1.0, 2.0, 3.0, 4.0], "s": strings})
    clf = ImbalancedNetClassifier(max_epochs=1).fit(X, [0, 1, 0, 1])
    assert clf.column_encoder_.missing_category_columns_ == ["s"]
    assert list(clf.column_encoder_.categories_[0]) == ["a", "b"]


@pytest.mark.parametrize("dtype", ["Int128", "UInt128"])
def test_128_bit_integers_are_refused_with_a_cast(dtype):
    """Neither pyarrow nor numpy holds them: the column (or y) is named, with the cast."""
    if not hasattr(pl, dtype):
        pytest.skip(f"polars without {dtype}")
    wide = pl.Series([1, 2, 3, 4], dtype=getattr(pl, dtype))
    X = pl.DataFrame({"num": [1.0, 2.0, 3.0, 4.0], "big": wide})
    with pytest.raises(
        ValueError, match=r"Column 'big' holds 128-bit integers.*\.cast\(pl\.Int64\)"
    ):
        ImbalancedNetClassifier(max_epochs=1).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"y holds 128-bit integers.*y\.cast\(pl\.Int64\)"):
        ImbalancedNetClassifier(max_epochs=1).fit(X.select("num"), wide)
    with pytest.raises(ValueError, match="sample_weight holds 128-bit integers"):
        ImbalancedNetClassifier(max_epochs=1).fit(X.select("num"), [0, 1, 0, 1], wide)


@pytest.mark.parametrize(
    ("column", "held", "advice"),
    [
        (pl.Series([object()] * 4, dtype=pl.Object), r"Python objects \(Object\)", "map_elements"),
        (pl.Series([b"a", b"b"] * 2), r"bytes \(Binary\)", r"\.cast\(pl\.String\)"),
        (pl.Series([[1, 2]] * 4), r"lists \(List\(Int64\)\)", r"\.list\.get\(0\)"),
        (
            pl.Series([[1, 2]] * 4, dtype=pl.Array(pl.Int64, 2)),
            r"arrays \(Array\(Int64",
            r"\.arr\.to_struct\(\)\)\.unnest\('c'\)",
        ),
        (pl.Series([{"a": 1, "b": "x"}] * 4), r"structs \(Struct", r"X\.unnest\('c'\)"),
    ],
    ids=["object", "binary", "list", "array", "struct"],
)
def test_nested_binary_and_object_columns_are_refused_with_polars_advice(column, held, advice):
    """Named by their polars type (an Object column reaches Arrow as fixed_size_binary)."""
    X = pl.DataFrame({"num": [1.0, 2.0, 3.0, 4.0], "c": column})
    for module in ("auto", "mlp"):
        with pytest.raises(ValueError, match=f"Column 'c' holds {held}.*{advice}"):
            ImbalancedNetClassifier(module=module, max_epochs=1).fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize(
    "column",
    [
        pytest.param(lambda: pa.array([pa.MonthDayNano([1, 2, 3])] * 4), id="interval"),
        pytest.param(lambda: pa.array(['{"a": 1}'] * 4, pa.json_()), id="json"),
        pytest.param(lambda: pa.array([b"0123456789abcdef"] * 4, pa.uuid()), id="uuid"),
    ],
)
def test_arrow_types_without_a_pandas_scalar_are_refused_naming_the_column(column):
    """pandas' dtype checks raise NotImplementedError on them."""
    try:
        values = column()
    except AttributeError:
        pytest.skip("pyarrow without this type")
    X = pa.table({"num": [1.0, 2.0, 3.0, 4.0], "c": values})
    clf = ImbalancedNetClassifier(max_epochs=1)
    with pytest.raises(ValueError, match="Column 'c' has dtype .*neither numeric"):
        clf.fit(X, [0, 1, 0, 1])
    clf.fit(X.set_column(1, "c", pa.array([0.5, 1.5, 2.5, 3.5])), [0, 1, 0, 1])
    # Older pandas and pyarrow cannot convert an interval: refused there as in fit.
    with pytest.raises(ValueError, match="Column 'c' .*(numeric in fit|neither numeric)"):
        clf.predict(X)
