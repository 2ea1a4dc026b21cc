"""The column encoding of tables: learned in ``fit``, applied at predict time.

:class:`ColumnEncoder` turns a pandas DataFrame (or a 2-D numeric array) into the
float32 matrix that :class:`~sklearn_imbalance_dl.modules.TabularNet` reads:

``[numeric columns | missing indicators | category codes]``

- numeric columns (numbers, booleans, the nullable ``Int64``, ``Float64``,
  ``boolean`` dtypes) with their missing values imputed by the column's median in
  ``fit``;
- one 0/1 missing indicator for each numeric column that had missing values in
  ``fit`` (as ``SimpleImputer(add_indicator=True)``);
- one integer code per categorical column (``category``, ``object``, ``string``
  dtypes): ``0 .. n - 1`` for the ``n`` categories seen in ``fit`` (sorted where
  they sort), ``n`` for a missing value, ``n + 1`` for a category not seen in
  ``fit``, or seen in fewer than one in 10,000 of its rows (by default). A value
  missing in a column that had none in ``fit`` is ``n + 1`` too: the network never
  trained the slot of missing values there.

The codes travel in the same float32 matrix as the numbers (exact up to 2**24
categories), so the estimator's fast path keeps the whole table on the device as one
tensor and cuts batches from it; the network splits the columns again.
"""

import datetime
import decimal
import functools
import math
import numbers
import sys
import warnings
from collections.abc import Hashable

import numpy as np
from sklearn.exceptions import NotFittedError

from .._validation import first_few, plain_value, user_stacklevel

__all__ = ["ColumnEncoder"]

# With ``min_frequency="auto"`` a category needs this share of the training rows for a
# code of its own (the others read as unseen), so that a column holds at most 10,000
# categories: a column of ids would otherwise get an embedding row per training row,
# each updated at every step, and the fit would grow with the square of the rows.
_MIN_CATEGORY_SHARE = 1e-4
# Codes are stored in float32: integers are exact up to 2**24.
MAX_CATEGORIES = 2**24 - 2

_TIME_ADVICE = (
    "e.g. a number of days from a date fixed for fit and predict alike "
    "((X[{col!r}] - pd.Timestamp('2000-01-01')) / pd.Timedelta(days=1)) or separate columns "
    "(X[{col!r}].dt.year, X[{col!r}].dt.month, X[{col!r}].dt.dayofweek)"
)


def is_dataframe(X):
    """Whether ``X`` is a pandas DataFrame (pandas is imported only if already loaded)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(X, pd.DataFrame)


# pandas.api.types.infer_dtype's names for object columns of real numbers only.
_NUMBERS = frozenset({"integer", "floating", "mixed-integer-float", "decimal"})


def column_kind(series):
    """``"numeric"`` or ``"categorical"`` for a pandas column; raises for time columns.

    Numbers and booleans (nullable ones included), and ``object`` columns of numbers
    only, are numeric; ``category``, ``string`` and other ``object`` columns are
    categorical, as scikit-learn's
    ``HistGradientBoostingClassifier(categorical_features="from_dtype")`` reads them.
    """
    from pandas.api import types

    dtype = series.dtype
    name = series.name
    # Before the booleans: pandas calls a category dtype of booleans a boolean dtype.
    if _is_category(dtype):
        return "categorical"
    if _without_scalar_type(dtype):
        raise _neither_kind(name, dtype)
    if types.is_bool_dtype(dtype) or (
        types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype)
    ):
        return "numeric"
    if _is_arrow(dtype, "null"):
        # An empty column of an Arrow table (read_csv(..., dtype_backend="pyarrow")):
        # missing numbers, as the float column of NaN that numpy's backend reads.
        return "numeric"
    if types.is_object_dtype(dtype) and _holds_numbers_only(series):
        # Numbers held as objects (what SimpleImputer(strategy="most_frequent") outputs
        # in pandas, or Parquet's DECIMAL): numbers, as scikit-learn's gradient boosting
        # reads them; a category would make every value not seen in fit an unseen one.
        return "numeric"
    if is_object_or_string(dtype):
        return "categorical"
    if isinstance(dtype, _pandas().PeriodDtype):
        # Periods subtract to calendar offsets, not durations: go through timestamps.
        raise ValueError(
            f"Column {name!r} holds periods ({dtype}), which the network cannot read; "
            f"turn them into dates first (X[{name!r}] = X[{name!r}].dt.to_timestamp()), "
            "then into numbers, " + _TIME_ADVICE.format(col=name) + "."
        )
    if types.is_datetime64_any_dtype(dtype):
        raise ValueError(
            f"Column {name!r} holds dates ({dtype}), which the network cannot read; "
            "convert it to numbers first, " + _TIME_ADVICE.format(col=name) + "."
        )
    if types.is_timedelta64_dtype(dtype) or getattr(dtype, "kind", None) == "m":
        raise ValueError(
            f"Column {name!r} holds durations ({dtype}), which the network cannot read; "
            f"convert it to numbers first, e.g. X[{name!r}] / pd.Timedelta(days=1) "
            "(a number of days)."
        )
    if _is_arrow(dtype, "time"):
        raise _times_of_day(name)
    raise _neither_kind(name, dtype)


def _unique_names(names):
    """``names`` with a suffix ``.1``, ``.2``, ... on each one already taken (by an
    earlier name, or by a later one left as it is)."""
    taken = set(names)
    seen = set()
    unique = []
    for name in names:
        if name in seen:
            k = 1
            while f"{name}.{k}" in taken:
                k += 1
            name = f"{name}.{k}"
            taken.add(name)
        seen.add(name)
        unique.append(name)
    return unique


def _neither_kind(name, dtype):
    advice = "convert it to one of these first"
    if isinstance(dtype, _pandas().IntervalDtype):  # what pd.cut gives, as a category
        advice = (
            f"convert it first, to categories (X[{name!r}].astype('category'), as pd.cut "
            f"gives them) or to numbers (the midpoints, X[{name!r}].array.mid)"
        )
    return ValueError(
        f"Column {name!r} has dtype {dtype}, which is neither numeric, boolean nor "
        f"categorical (category, object, string); {advice}."
    )


def _without_scalar_type(dtype):
    """Whether ``dtype`` is an Arrow type that pandas has no scalar type for (an
    extension type such as ``arrow.uuid``, an interval, a union): pandas' dtype checks
    raise NotImplementedError on it."""
    if not isinstance(dtype, _pandas().ArrowDtype):
        return False
    try:
        dtype.type  # noqa: B018 (the property raises)
    except NotImplementedError:
        return True
    return False


def _holds_numbers_only(series):
    """Whether an object column holds real numbers only, missing values aside (no
    booleans: beside numbers they are refused as categories that would merge)."""
    from pandas.api import types

    inferred = types.infer_dtype(series, skipna=True)
    if inferred in _NUMBERS:
        return True
    if inferred not in ("mixed", "mixed-integer"):
        return False
    # pandas names decimals beside ints or floats "mixed": the values tell.
    return all(_is_missing(v) or _is_number(v) for v in series)


def _is_number(value):
    """Whether ``value`` is a real number (a ``Decimal`` too), not a boolean."""
    return isinstance(value, (numbers.Real, decimal.Decimal)) and not isinstance(
        value, (bool, np.bool_)
    )


def _is_arrow(dtype, kind):
    """Whether ``dtype`` is the pyarrow type ``kind``: ``"dictionary"`` (the category of
    Arrow tables), ``"null"`` (that of a column of missing values only), ``"time"`` (a
    time of day) or ``"large_string"``."""
    if not isinstance(dtype, _pandas().ArrowDtype):
        return False
    import pyarrow

    return getattr(pyarrow.types, f"is_{kind}")(dtype.pyarrow_dtype)


def _is_category(dtype):
    """Whether ``dtype`` is pandas' ``category`` or pyarrow's ``dictionary`` (the
    category of Arrow tables)."""
    return isinstance(dtype, _pandas().CategoricalDtype) or _is_arrow(dtype, "dictionary")


def _pandas():
    import pandas

    return pandas


def _distinct(present, name):
    """The distinct values of a categorical column, which must be hashable."""
    try:
        return present.unique()
    except TypeError:
        raise _unhashable(present, name) from None


def _unhashable(values, name):
    kind = next(type(v).__name__ for v in values if not isinstance(v, Hashable))
    return ValueError(
        f"Column {name!r} holds {kind} values, which cannot be categories (a category "
        "is a hashable value: a string, a number, a boolean); turn them into strings "
        "or into separate columns first."
    )


def _sorted_categories(values):
    """The distinct values, sorted where they sort (else in order of appearance)."""
    try:
        return _object_array(sorted(values))
    except TypeError:
        return _object_array(values)


def _object_array(values):
    """A 1-D object array of ``values``; tuples stay values (``np.array`` makes rows)."""
    values = list(values)
    return np.fromiter(values, dtype=object, count=len(values))


class ColumnEncoder:
    """The column encoding a :class:`~sklearn_imbalance_dl.modules.TabularNet` trains on.

    Learned from the training table by :meth:`fit`; :meth:`transform` applies it to any
    table with the same columns. The estimator fits one on the tables it trains
    ``module="tabular"`` on and keeps it as ``column_encoder_``; in a hand-written loop,
    ``TabularNet(encoder.transform(X).shape[1], n_classes,
    n_categories=encoder.n_categories_)`` reads its output.

    Parameters
    ----------
    min_frequency : "auto", int or None, default="auto"
        The training rows a category needs for a code of its own; rarer ones read as
        a category not seen in ``fit``. ``"auto"``: one in 10,000 of the rows, so that
        a column holds at most 10,000 categories (a column of ids would otherwise get
        an embedding row per training row, each updated at every step); on tables of
        up to 10,000 rows, every category. None keeps every category.

    Attributes
    ----------
    columns_ : list
        The columns of the fitted table, in order (positions ``0 .. n - 1`` for an
        array).
    feature_names_in_ : ndarray of object
        The column names of a fitted DataFrame (not set for an array): :meth:`transform`
        then takes a DataFrame with the same columns in the same order only.
    numeric_columns_ : list
        The numeric columns (numbers and booleans).
    medians_ : ndarray of shape (n_numeric,)
        The value imputed for a missing number: the column's median in ``fit`` (0 for
        a column with no value at all).
    offsets_, scales_ : ndarray of shape (n_numeric,)
        Each number is output as ``(x - offset) * scale``, computed in float64 before
        the float32 output; ``(0, 1)`` for a column that float32 holds as it is. A
        column whose values float32 cannot tell apart (a large common offset, such as
        timestamps in milliseconds: the median is subtracted) or cannot hold (a spread
        beyond 1e30 or below 1e-30: scaled by a power of two) is brought into range.
    indicator_columns_ : list
        The numeric columns that had missing values in ``fit``; each gets a 0/1
        missing indicator.
    untrained_indicator_columns_ : list
        Those of ``indicator_columns_`` whose missing values only rows that do not
        train held (see :meth:`keep_trained_values`; empty after :meth:`fit`): their
        indicator is always 0, and a missing value there is imputed without a flag.
    categorical_columns_ : list
        The categorical columns (``category``, ``object``, ``string`` dtypes).
    categories_ : list of ndarray
        The categories of each categorical column seen in ``fit`` (in at least
        ``min_frequency`` rows); code ``k`` is ``categories_[j][k]``,
        ``len(categories_[j])`` means missing and ``len(categories_[j]) + 1`` a
        category not seen in ``fit``, or too rarely.
    missing_category_columns_ : list
        The categorical columns that had missing values in ``fit``. In the others a
        missing value reads as a category not seen in ``fit`` (code
        ``len(categories_[j]) + 1``), as the network never saw their missing code.
    category_types_ : list of frozenset
        The types of the values each categorical column held in ``fit`` (``"string"``,
        ``"number"``, ``"boolean"``, ``"date"``, ``"duration"``, ``"time"``,
        ``"period"``, or a type's name), rare ones included: a value of another type
        at :meth:`transform` is refused, as the same category written another way
        (``'1'`` for the number 1).
    n_categories_ : tuple of int
        ``len(categories_[j])`` for each categorical column.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_imbalance_dl.modules import ColumnEncoder
    >>> X = pd.DataFrame({"age": [30.0, None, 50.0], "colour": ["red", "blue", None]})
    >>> encoder = ColumnEncoder().fit(X)
    >>> encoder
    ColumnEncoder(numeric=['age'], missing_indicators=['age'], categorical={'colour': 2})
    >>> encoder.transform(pd.DataFrame({"age": [None], "colour": ["green"]}))
    array([[40.,  1.,  3.]], dtype=float32)
    """

    def __init__(self, min_frequency="auto"):
        self.min_frequency = min_frequency

    def fit(self, X):
        """Learn which columns are numeric or categorical, the medians and the categories.

        Parameters
        ----------
        X : pandas DataFrame or ndarray of shape (n_samples, n_features)
            An array is all numeric (float, NaN for missing).

        Returns
        -------
        self
        """
        min_rows = self._min_rows(len(X))
        names = []
        numeric, categorical = [], []
        medians, affines, indicators, categories, types = [], [], [], [], []
        missing_categories = []
        for name, kind, values in self._read_columns(X):
            names.append(name)
            if kind == "numeric":
                missing = np.isnan(values)
                numeric.append(name)
                median, offset, scale = _numeric_statistics(values[~missing])
                medians.append(median)
                affines.append((offset, scale))
                if missing.any():
                    indicators.append(name)
            else:
                series = values
                missing = series.isna().to_numpy()
                present = series[~missing]
                if missing.any():
                    missing_categories.append(name)
                observed = _distinct(present, name)
                # The types of every value, rare ones too: transform refuses others.
                value_types = frozenset(_value_type(v) for v in observed)
                _check_category_types(present, value_types, name)
                types.append(value_types)
                if min_rows > 1:
                    counts = present.astype(object).value_counts()
                    observed = counts.index[counts.to_numpy() >= min_rows]
                if isinstance(series.dtype, _pandas().CategoricalDtype):
                    observed = set(observed)
                    cats = _object_array(c for c in series.cat.categories if c in observed)
                else:
                    cats = _sorted_categories(observed)
                if len(cats) > MAX_CATEGORIES:
                    raise ValueError(
                        f"Column {name!r} has {len(cats)} categories; at most "
                        f"{MAX_CATEGORIES} are supported."
                    )
                categorical.append(name)
                categories.append(cats)
        # Set only once every column is read: a refused table leaves a fitted encoder as it was.
        if is_dataframe(X):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        else:
            vars(self).pop("feature_names_in_", None)
        self.columns_ = names
        self.numeric_columns_, self.categorical_columns_ = numeric, categorical
        self.medians_ = np.asarray(medians, dtype=np.float64)
        self.offsets_ = np.asarray([a[0] for a in affines], dtype=np.float64)
        self.scales_ = np.asarray([a[1] for a in affines], dtype=np.float64)
        self.indicator_columns_ = indicators
        self.untrained_indicator_columns_ = []
        self.categories_ = categories
        self.missing_category_columns_ = missing_categories
        self.category_types_ = types
        self.n_categories_ = tuple(len(c) for c in categories)
        return self

    def keep_trained_values(self, trained, *encoded):
        """Read the categories and missing values that no row of ``trained`` holds as
        never seen in ``fit``, from now on.

        ``fit`` codes the values of every row it is given, but the network trains on
        fewer where the estimator holds rows out (``validation_fraction``) or a row
        weighs 0. A category (or a categorical column's missing value) found only in
        such rows would have a one-hot slot or an embedding row that training never
        moves, left at its random start: it leaves ``categories_`` (and
        ``missing_category_columns_``), and reads as the unseen code, zeros to the
        network. A numeric column whose missing values only such rows hold would have
        a missing indicator that is 0 on every row that trains: its indicator is 0 from
        now on (the column joins ``untrained_indicator_columns_``), so that a missing
        value there is imputed without a flag, as in a column with no missing value in
        ``fit``. A missing number takes the median of the rows that train (``medians_``).
        The codes, imputed numbers and indicators of ``encoded`` (matrices of
        :meth:`transform`) are rewritten in place.

        Parameters
        ----------
        trained : ndarray of shape (n_rows, n_outputs)
            The encoded rows the network trains on (read only).
        *encoded : ndarray of shape (n, n_outputs)
            The encoded rows of the fit to rewrite (the training and held-out parts).
        """
        n_numeric = len(self.numeric_columns_)
        if len(trained) < sum(len(Z) for Z in encoded):  # rows held out or of weight 0
            self._impute_trained_medians(trained, encoded)
        untrained = list(self.untrained_indicator_columns_)
        for k, name in enumerate(self.indicator_columns_):
            if name not in untrained and not trained[:, n_numeric + k].any():
                untrained.append(name)
                for Z in encoded:
                    Z[:, n_numeric + k] = 0
        self.untrained_indicator_columns_ = untrained
        first = n_numeric + len(self.indicator_columns_)
        missing_seen = set(self.missing_category_columns_)
        categories, missing = [], []
        for j, (name, cats) in enumerate(zip(self.categorical_columns_, self.categories_)):
            n = len(cats)
            coded = np.zeros(n + 2, dtype=bool)
            coded[np.unique(trained[:, first + j]).astype(np.int64)] = True
            kept = np.flatnonzero(coded[:n])
            keeps_missing = name in missing_seen and coded[n]
            categories.append(cats[kept] if len(kept) < n else cats)
            if keeps_missing:
                missing.append(name)
            if len(kept) == n and keeps_missing == (name in missing_seen):
                continue
            recode = np.full(n + 2, len(kept) + 1, dtype=trained.dtype)  # the unseen code
            recode[kept] = np.arange(len(kept))
            if keeps_missing:
                recode[n] = len(kept)
            for Z in encoded:
                Z[:, first + j] = recode[Z[:, first + j].astype(np.int64)]
        self.categories_ = categories
        self.missing_category_columns_ = missing
        self.n_categories_ = tuple(len(c) for c in categories)

    def _impute_trained_medians(self, trained, encoded):
        """Each numeric column's median, the value a missing one takes, from the values
        of the rows that train (encoded in ``trained``), not from every row of ``fit``;
        the missing values of ``encoded`` get it in place."""
        n_numeric = len(self.numeric_columns_)
        flags = {name: n_numeric + k for k, name in enumerate(self.indicator_columns_)}
        medians = self.medians_.copy()
        for k, name in enumerate(self.numeric_columns_):
            flag = flags.get(name)
            values = trained[:, k] if flag is None else trained[trained[:, flag] == 0, k]
            if values.size == 0:  # no value trains: the median of fit's rows stays
                continue
            median = float(np.median(values.astype(np.float64)))
            if flag is not None:
                for Z in encoded:
                    Z[Z[:, flag] == 1, k] = median
            # Back from the encoded values, (x - offset) * scale, to the column's own.
            medians[k] = median / self.scales_[k] + self.offsets_[k]
        self.medians_ = medians

    def transform(self, X):
        """The float32 matrix ``[numbers imputed | indicators | category codes]``.

        Parameters
        ----------
        X : pandas DataFrame or ndarray
            The fitted columns: by name for an encoder fitted on a DataFrame, else by
            count.

        Returns
        -------
        ndarray of shape (n_samples, n_numeric + n_indicators + n_categorical)
        """
        self._check_columns(X)
        n_numeric, n_flags = len(self.numeric_columns_), len(self.indicator_columns_)
        # Each column is read, converted and written into the float32 output in turn: a
        # float64 copy of the whole table would take twice the output's memory.
        out = np.empty((len(X), n_numeric + n_flags + len(self.categorical_columns_)), np.float32)
        numeric_at = {name: j for j, name in enumerate(self.numeric_columns_)}
        categorical_at = {name: j for j, name in enumerate(self.categorical_columns_)}
        flag = dict(zip(self.indicator_columns_, range(n_numeric, n_numeric + n_flags)))
        # (absent from encoders pickled before it was added)
        untrained = getattr(self, "untrained_indicator_columns_", ())
        # An encoder without the attribute (pickled by release 0.1.0) gives every column
        # its missing code.
        missed = getattr(self, "missing_category_columns_", self.categorical_columns_)
        first = n_numeric + n_flags
        write = functools.partial(self._write_numbers, out, flag=flag, untrained=untrained)
        # Numbers held in plain numpy dtypes go a block of columns at a time (a table of
        # many columns pays pandas' cost per column once a block); the rest, each alone.
        done = set()
        for positions, values in self._number_blocks(X):
            names = [self.columns_[p] for p in positions]
            write(values, [numeric_at[name] for name in names], names)
            done.update(positions)
        for name, kind, values in self._read_columns(X, fitted=True, skip=done):
            if kind != "numeric":
                j = categorical_at[name]
                cats = self.categories_[j]
                out[:, first + j] = self._codes(values, cats, name, name in missed)
                continue
            write(values[:, None], [numeric_at[name]], [name])
        return out

    # Values a block of numeric columns holds at most: its float64 temporaries stay a
    # few MB, whatever the table (a table of many rows goes a column at a time).
    _BLOCK_VALUES = 1 << 16

    def _number_blocks(self, X):
        """``(positions, float64 values)`` of blocks of the fitted numeric columns that
        hold plain numpy numbers (bool, int, float: an array's, or a DataFrame's of such
        dtypes). A block holding an infinity is left out: the column-by-column reading
        names the column."""
        numeric = set(self.numeric_columns_)
        if is_dataframe(X):
            plain = [
                position
                for position, dtype in enumerate(X.dtypes)
                if self.columns_[position] in numeric
                and isinstance(dtype, np.dtype)
                and dtype.kind in "biuf"
                and dtype.itemsize <= 8  # (a longdouble may hold numbers float64 cannot)
            ]
        elif self.categorical_columns_:
            return  # refused by the column-by-column reading
        else:
            X = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=np.float64)
            plain = list(range(len(self.columns_)))
        width = max(1, self._BLOCK_VALUES // max(len(X), 1))
        for start in range(0, len(plain), width):
            positions = plain[start : start + width]
            if is_dataframe(X):
                values = X.iloc[:, positions].to_numpy(dtype=np.float64)
            else:
                values = np.asarray(X[:, positions], dtype=np.float64)
            if not np.isinf(values).any():
                yield positions, values

    def _write_numbers(self, out, values, positions, names, *, flag, untrained):
        """Impute and scale the numeric columns ``names`` (float64 ``values``, a column
        each; ``positions`` among the fitted numbers) into ``out``, with their missing
        indicators."""
        missing = np.isnan(values)
        imputed = np.where(missing, self.medians_[positions], values)
        # In float64; values beyond float32's range at predict are clipped to it (those
        # beyond float64's too, where the scale is large: they overflow to infinity).
        with np.errstate(over="ignore"):
            scaled = (imputed - self.offsets_[positions]) * self.scales_[positions]
        out[:, positions] = np.clip(scaled, -_FLOAT32_MAX, _FLOAT32_MAX)
        for k, name in enumerate(names):
            if name in flag:
                out[:, flag[name]] = missing[:, k] if name not in untrained else 0

    def warn_of_columns_all_unseen(self, X, encoded):
        """Warn of a categorical column of the DataFrame ``X`` none of whose values (two
        distinct at least) has a code of its own (in ``encoded``, its
        :meth:`transform`): each reads as an unseen category, zeros to the network, so
        the column is as good as absent. That is far more often the fit's categories
        written another way (stripped of spaces, in another case, as codes) than all
        new ones.

        Parameters
        ----------
        X : pandas DataFrame
            The columns encoded.
        encoded : ndarray
            ``transform(X)``.
        """
        first = len(self.numeric_columns_) + len(self.indicator_columns_)
        for j, name in enumerate(self.categorical_columns_):
            n = self.n_categories_[j]
            column = X[name]
            present = column.notna().to_numpy()
            if n == 0 or not present.any() or (encoded[present, first + j] != n + 1).any():
                continue
            values = column[present].unique()
            if len(values) < 2:  # one category the fit did not see: a new one, possibly
                continue
            warnings.warn(
                f"No value of column {name!r} here ({first_few(values)}) is one of the "
                f"categories fit coded ({first_few(self.categories_[j])}): each reads as "
                "an unseen category, as if the column were absent. If they are those "
                "categories written another way (spaces, case, codes), pass the column as "
                "it was in fit.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )

    def fit_transform(self, X):
        """``fit(X)``, then ``transform(X)``.

        Parameters
        ----------
        X : pandas DataFrame or ndarray
            The columns to learn the encoding from and to encode.

        Returns
        -------
        ndarray of shape (n_samples, n_numeric + n_indicators + n_categorical)
        """
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features=None):
        """Names of the columns of :meth:`transform`'s output.

        The numeric columns, ``"<column>_missing"`` for each indicator, then the
        categorical columns (their codes). A name already taken (a column named
        ``"a_missing"`` beside the indicator of ``"a"``, or the labels ``1`` and ``"1"``)
        gets a suffix ``.1``, ``.2``, ... as pandas gives repeated column names, so
        that the names are unique.

        Parameters
        ----------
        input_features : None
            Unused: the names are those seen in :meth:`fit` (scikit-learn's signature).

        Returns
        -------
        ndarray of str
        """
        if not hasattr(self, "columns_"):
            raise NotFittedError("This ColumnEncoder is not fitted yet: call fit first.")
        names = [str(c) for c in self.numeric_columns_]
        names += [f"{c}_missing" for c in self.indicator_columns_]
        names += [str(c) for c in self.categorical_columns_]
        return np.asarray(_unique_names(names), dtype=object)

    # ------------------------------------------------------------------ helpers
    def _read_columns(self, X, fitted=False, skip=()):
        """``(name, kind, values)`` of each column in turn, but those at the positions
        ``skip``: numbers as float64 with NaN, categories as a Series. One column at a
        time, so that a float64 copy of the whole table is never held."""
        if not fitted:  # (transform checks the fitted columns first)
            shape = np.shape(X)
            if len(shape) != 2 or shape[0] == 0:
                raise ValueError(
                    "ColumnEncoder fits a table of at least one row: a DataFrame or a 2-D "
                    f"array of shape (n_samples, n_features); got shape {shape}."
                )
            if is_dataframe(X):
                check_unique_column_names(X.columns)
        if not is_dataframe(X):
            if fitted and self.categorical_columns_:
                raise ValueError(
                    "This model was fitted on a DataFrame with categorical columns "
                    f"{self.categorical_columns_}; pass a DataFrame with the same columns."
                )
            X = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=np.float64)
            names = self.columns_ if fitted else list(range(X.shape[1]))
            for j, name in enumerate(names):
                if j not in skip:
                    values = np.asarray(X[:, j], dtype=np.float64)
                    yield name, "numeric", _finite_or_nan(values, name)
            return
        kinds = (
            dict(zip(self.numeric_columns_, ["numeric"] * len(self.numeric_columns_)))
            | dict(zip(self.categorical_columns_, ["categorical"] * len(self.categorical_columns_)))
            if fitted
            else None
        )
        for position, name in enumerate(X.columns):
            if position in skip:
                continue
            series = X.iloc[:, position]
            if fitted:
                name = self.columns_[position]
                fitted_kind = kinds[name]
                try:
                    kind = column_kind(series)
                except ValueError:
                    kind = None
                if fitted_kind == "numeric" and kind != "numeric":
                    # An object column of numbers and missing values, e.g. one row with
                    # a None, is read as numbers.
                    series = numbers_from_objects(series, name)
                if fitted_kind == "categorical":
                    self._check_value_types(series, name)
                kind = fitted_kind
            else:
                kind = column_kind(series)
            if kind == "numeric":
                yield name, kind, _finite_or_nan(as_float64(series), name)
            else:
                yield name, kind, series

    def _check_columns(self, X):
        """The fitted columns, by name for a DataFrame fitted on one, else by count."""
        if not hasattr(self, "columns_"):
            raise NotFittedError(
                "This ColumnEncoder is not fitted yet: call fit (or fit_transform) first."
            )
        names = getattr(self, "feature_names_in_", None)
        if names is not None and is_dataframe(X):
            # Compared as objects: labels of a string or Int64 Index equal the same
            # labels stored as objects (and a missing name equals one).
            given = _pandas().Index(X.columns).astype(object)
            if not given.equals(_pandas().Index(names, dtype=object, tupleize_cols=False)):
                raise ValueError(
                    f"X has the columns {list(X.columns)}, but the columns passed during "
                    f"fit were {list(names)}: pass the same columns, in the same order."
                )
            return
        shape = np.shape(X)
        if len(shape) != 2 or shape[1] != len(self.columns_):
            raise ValueError(
                f"X has shape {shape}, but {len(self.columns_)} columns were passed during "
                "fit: pass a 2-D table of the same columns."
            )

    def _check_value_types(self, series, name):
        """Refuse values of a type no category of ``fit`` had (``'1'`` for the number 1).

        They could only be categories not seen in ``fit``, and are far more likely the
        same categories written another way. Numbers can be categories (codes 1, 2, 3 in a
        ``category`` column in fit), so a numeric column is read as categories where
        that matches.
        """
        column = self.categorical_columns_.index(name)
        categories, fitted = self.categories_[column], self.category_types_[column]
        if not fitted:
            return
        fitted = frozenset(_KIND_OF_TYPE_NAME.get(t, t) for t in fitted)
        try:
            present = series.dropna().unique()
        except (TypeError, NotImplementedError):
            # Unhashable values (lists; Arrow has no unique of its nested ones): the
            # encoding names them.
            return
        foreign = [v for v in present if _value_type(v) not in fitted]
        if foreign:
            value = plain_value(foreign[0])
            shown = f" ({first_few(categories)})" if len(categories) else ""
            raise ValueError(
                f"Column {name!r} had {' and '.join(sorted(fitted))} categories in fit"
                f"{shown} but holds {_value_type(value)} values here ({value!r}, "
                f"dtype {series.dtype}), which cannot be one of them; pass the column as "
                "it was in fit."
            )

    @staticmethod
    def _codes(series, categories, name, missing_seen=True):
        """Codes of a column: missing values get code ``n`` where ``fit`` saw some
        (``missing_seen``), else ``n + 1`` as an unseen category: the network never
        trained the missing code of such a column (a one-hot slot or an embedding row
        left at its random initial value)."""
        pd = _pandas()
        n = len(categories)
        missing_code = n if missing_seen else n + 1
        index = pd.Index(categories, dtype=object, tupleize_cols=False)
        if isinstance(series.dtype, pd.CategoricalDtype):
            # The code of each of the column's own categories, looked up once, then read
            # through the column's integer codes (-1, missing: the last entry).
            own = index.get_indexer(series.cat.categories.astype(object))
            lookup = np.append(np.where(own < 0, n + 1, own), missing_code)
            return lookup[series.cat.codes.to_numpy()].astype(np.float64)
        missing = series.isna().to_numpy()
        values = series.astype(object).to_numpy()
        try:
            codes = index.get_indexer(values)
        except TypeError:
            raise _unhashable(values, name) from None
        codes = np.where(codes < 0, n + 1, codes)
        return np.where(missing, missing_code, codes).astype(np.float64)

    def _min_rows(self, n_rows):
        """The training rows a category needs for a code of its own."""
        value = self.min_frequency
        if value == "auto":
            return math.ceil(n_rows * _MIN_CATEGORY_SHARE)
        if value is None:
            return 1
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1:
            return int(value)
        raise ValueError(
            f"min_frequency must be 'auto', None (every category) or an integer >= 1 (the "
            f"training rows a category needs for a code of its own); got {value!r}."
        )

    def __repr__(self):
        if not hasattr(self, "columns_"):
            shown = "" if self.min_frequency == "auto" else f"min_frequency={self.min_frequency!r}"
            return f"ColumnEncoder({shown})"
        categorical = dict(zip(self.categorical_columns_, self.n_categories_))
        return (
            f"ColumnEncoder(numeric={self.numeric_columns_!r}, "
            f"missing_indicators={self.indicator_columns_!r}, categorical={categorical!r})"
        )


# Type names of dates, durations and periods, as the kinds :func:`_value_type` gives
# them: an encoder pickled with the names themselves compares by kind too.
_KIND_OF_TYPE_NAME = {
    **dict.fromkeys(("date", "datetime", "Timestamp", "datetime64"), "date"),
    **dict.fromkeys(("timedelta", "Timedelta", "timedelta64"), "duration"),
    "Period": "period",
}


def check_unique_column_names(columns):
    """Refuse repeated column labels: the encoding reads each column by its label.

    Compared as values, as :meth:`ColumnEncoder.transform` compares them (``1`` and
    ``1.0`` are the same label).
    """
    labels = _pandas().Index(columns).astype(object)
    repeated = list(dict.fromkeys(labels[labels.duplicated()]))
    if repeated:
        raise ValueError(
            f"X has more than one column named {first_few(repeated)}; each "
            "column is read by its name: rename them so that every name occurs once "
            "(e.g. X.columns = [...])."
        )


def _value_type(value):
    """``"string"``, ``"number"`` or ``"boolean"`` (else the type's name) of a category.

    Dates, durations and times of day (Python's, pandas' and numpy's) are ``"date"``,
    ``"duration"`` and ``"time"``, before numbers: numpy's durations are integers.
    pandas' periods are ``"period"``.
    """
    if isinstance(value, (bool, np.bool_)):
        return "boolean"
    if isinstance(value, _pandas().Period):
        return "period"
    if isinstance(value, (datetime.date, np.datetime64)):
        return "date"
    if isinstance(value, (datetime.timedelta, np.timedelta64)):
        return "duration"
    if isinstance(value, datetime.time):
        return "time"
    if isinstance(value, numbers.Number):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _times_of_day(name):
    """The refusal of a column of times of day (objects, or Arrow's ``time32`` and
    ``time64``)."""
    return ValueError(
        f"Column {name!r} holds times of day, which the network cannot read; convert them "
        f"to numbers first, e.g. X[{name!r}].map(lambda t: t.hour + t.minute / 60, "
        "na_action='ignore') (hours since midnight)."
    )


def _check_category_types(present, types, name):
    """Refuse a categorical column of values that cannot serve as categories.

    ``present`` are its values (no missing ones), ``types`` the :func:`_value_type` of
    the distinct ones. Dates, durations, times and periods in an object column (what
    ``Series.dt.date`` and Parquet's DATE give) would each be a category of its own,
    every later one unseen: a ``category`` (or pyarrow ``dictionary``) column of them,
    declared so, is taken.
    Booleans beside the numbers 0 or 1 would merge into one category (``True == 1``).
    """
    col = repr(name)
    declared = _is_category(present.dtype)
    if "date" in types and not declared:
        raise ValueError(
            f"Column {col} holds dates (as objects), which the network cannot read; "
            f"convert them to numbers first: X[{col}] = pd.to_datetime(X[{col}]) (with "
            "utc=True if they mix time zones), then " + _TIME_ADVICE.format(col=name) + "."
        )
    if "period" in types and not declared:
        raise ValueError(
            f"Column {col} holds periods (as objects), which the network cannot read; "
            f"turn them into dates first (X[{col}] = X[{col}].map(lambda p: "
            "p.to_timestamp(), na_action='ignore')), then into numbers, "
            + _TIME_ADVICE.format(col=name)
            + "."
        )
    if "duration" in types and not declared:
        raise ValueError(
            f"Column {col} holds durations (as objects), which the network cannot read; "
            f"convert them to numbers first, e.g. pd.to_timedelta(X[{col}]) / "
            "pd.Timedelta(days=1) (a number of days)."
        )
    if "time" in types and not declared:
        raise _times_of_day(name)
    if types & {"boolean", "number"}:
        values = present.astype(object).tolist()
        # The distinct values keep one of True and 1 (of False and 0), equal as keys:
        # read the types of all of them (one value of each Python type tells).
        first_of_type = {}
        for value in values:
            first_of_type.setdefault(type(value), value)
        if not {"boolean", "number"} <= {_value_type(v) for v in first_of_type.values()}:
            return
        booleans = {bool(v) for v in values if isinstance(v, (bool, np.bool_))}
        numbers_seen = {v for v in values if _value_type(v) == "number"}
        if any(b in numbers_seen for b in booleans):  # True == 1 and False == 0 as keys
            raise ValueError(
                f"Column {col} holds booleans beside the numbers 0 or 1, which are equal "
                "as categories (True == 1, False == 0) and would merge; turn the column "
                f"into strings first (X[{col}].astype(str)), or split it."
            )


def _is_missing(value):
    pd = _pandas()
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, (float, np.floating)) and np.isnan(value))
    )


def first_non_number(values):
    """The first of ``values`` (objects) that is neither a number, a boolean nor missing;
    None if there is none."""
    return next(
        (
            v
            for v in values
            if not (_is_missing(v) or _is_number(v) or isinstance(v, (bool, np.bool_)))
        ),
        None,
    )


def describe_value(value):
    """``"str values ('x')"``: a value that a column holds, named for a message. By its
    value, not the column's dtype, which an object column of numbers had in fit too."""
    return f"{type(value).__name__} values ({plain_value(value)!r})"


def holds_objects(dtype):
    """Whether pandas holds the values of a column of ``dtype`` as objects or Arrow
    values, which can be ``pd.NA`` (a number missing where numpy reads none)."""
    pd = _pandas()
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.ArrowDtype)


def is_object_or_string(values):
    """Whether ``values`` (a column or a dtype) are objects or strings, as pandas'
    ``is_string_dtype`` reads them (a column of categories that are strings is), and
    Arrow's large strings, which pandas before 2.1 does not call a string dtype."""
    types = _pandas().api.types
    return (
        types.is_object_dtype(values)
        or types.is_string_dtype(values)
        or _is_arrow(getattr(values, "dtype", values), "large_string")
    )


def holds_text(dtype):
    """Whether a column of ``dtype`` holds Python objects or text: object dtype, or
    pandas' string dtypes (``str``, which pandas 3 reads text as, and ``string``)."""
    pd = _pandas()
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


def as_float64(series):
    """A numeric column as float64, its missing values (NaN, None, pd.NA) as NaN.

    Refused, naming the column, where it holds a finite number beyond float64's range
    (a ``longdouble``, a ``Decimal``, a Python int), which float64 would make infinite.
    """
    if series.dtype == np.float64:
        # NaN is already its missing value: read without a copy (pandas before 2.1 copies
        # whenever na_value is given).
        return series.to_numpy()
    try:
        with np.errstate(over="ignore"):
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    except OverflowError:  # Python ints beyond float64's range
        values = None
    if values is None or np.isinf(values).any():
        held = series.to_numpy(dtype=object)
        beyond = next(
            (v for v in (held if values is None else held[np.isinf(values)]) if _beyond_float64(v)),
            None,
        )
        if beyond is not None:
            raise ValueError(
                f"Column {series.name!r} holds {_scientific(beyond)}, beyond float64's "
                f"range (about ±{_FLOAT64_MAX:.3g}), which the network cannot read; bring "
                "the column into that range first (e.g. divide it by a power of ten), or "
                "replace such values with NaN to treat them as missing."
            )
    return values


def _beyond_float64(value):
    """Whether ``value`` is a finite number that float64 cannot hold."""
    if isinstance(value, (bool, np.bool_)) or not _is_number(value):
        return False
    if isinstance(value, np.floating):
        return bool(np.isfinite(value)) and abs(value) > _FLOAT64_MAX
    if isinstance(value, decimal.Decimal):
        return value.is_finite() and abs(value) > _FLOAT64_MAX
    return not isinstance(value, float) and abs(value) > _FLOAT64_MAX


def _scientific(value):
    """A number beyond float64's range, written short (``1e+4000``)."""
    if isinstance(value, np.floating):
        return np.format_float_scientific(value, precision=3, trim="-")
    if not isinstance(value, (numbers.Integral, decimal.Decimal)):  # fractions
        value = decimal.Decimal(value.numerator) / value.denominator
    return f"{decimal.Decimal(value):.4g}"


def numbers_from_objects(series, name):
    """A column that was numeric in fit, given as objects (or categories, pandas' or
    Arrow's) of numbers, booleans and missing values, as float64 with NaN; refused if it
    holds anything else."""
    pd = _pandas()
    dtype = series.dtype
    if _without_scalar_type(dtype) or not (holds_text(dtype) or _is_category(dtype)):
        raise ValueError(
            f"Column {name!r} was numeric in fit but has dtype {series.dtype} here; pass "
            "numbers (or booleans) in it."
        )
    values = series.to_numpy(dtype=object)
    other = first_non_number(values)
    if other is not None:
        raise ValueError(
            f"Column {name!r} was numeric in fit but holds {describe_value(other)} here; "
            "pass numbers (or booleans) in it."
        )
    values = pd.Series([np.nan if _is_missing(v) else v for v in values], dtype=object, name=name)
    return pd.Series(as_float64(values), index=series.index, name=name)


_FLOAT32_MAX = float(np.finfo(np.float32).max)
_FLOAT64_MAX = float(np.finfo(np.float64).max)
# float32 keeps 24 significant bits: a column whose spread covers fewer than this many
# of its float32 steps (around its median) loses its detail in the cast.
_MIN_FLOAT32_STEPS = 1000
# The spreads float32 and the network's scaling handle without overflow or underflow.
_FLOAT32_SPREAD = (1e-30, 1e30)


def _numeric_statistics(present):
    """``(median, offset, scale)`` of a numeric column's values, missing ones left out.

    The median (0 for a column with no value) is imputed for a missing value. Each
    number is output as ``(x - offset) * scale``, brought into float32's range:
    ``(0, 1)``, which leaves the float32 values exactly as a plain cast gives them, for
    every column but those float32 cannot tell apart or hold: centred on the median
    when the spread is below ``_MIN_FLOAT32_STEPS`` float32 steps at the median, and
    scaled by a power of two (exact) when the spread is outside ``_FLOAT32_SPREAD``.
    """
    if present.size == 0:
        return 0.0, 0.0, 1.0
    # Halved (exactly) where the values reach beyond half of float64's range: the mean
    # of the two middle values and the differences of values would overflow to inf.
    unit = 2.0 if np.abs(present).max() > _FLOAT64_MAX / 2 else 1.0
    x = present / unit
    median = float(np.median(x))
    q25, q75 = np.quantile(x, [0.25, 0.75])
    spread = (q75 - q25) or 0.5 * (x.max() - x.min())
    step = abs(median) * 2.0**-23
    offset = median if 0 < spread < _MIN_FLOAT32_STEPS * step else 0.0
    reach = float(spread or np.max(np.abs(x - offset)))
    scale = 1.0
    if reach > 0 and not _FLOAT32_SPREAD[0] / unit <= reach <= _FLOAT32_SPREAD[1] / unit:
        # At most float64's largest power of two: a spread of subnormal numbers (below
        # 2**-1022) is still brought above 2**-52.
        scale = 2.0 ** min(-math.floor(math.log2(reach)) - math.log2(unit), 1023)
    return median * unit, offset * unit, scale


def _finite_or_nan(values, name):
    if np.isinf(values).any():
        label = f"column {name!r}" if not isinstance(name, numbers.Integral) else f"column {name}"
        raise ValueError(
            f"Input X contains infinity in {label}; replace it (with a large finite value, "
            "or with NaN to treat it as missing)."
        )
    return values
