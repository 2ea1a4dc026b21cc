"""polars DataFrames and pyarrow Tables, read as the pandas DataFrame of their columns.

The estimator and ``compare`` read tables through pandas (the column encoding of
:mod:`sklearn_imbalance_dl.modules`); a table of another library is converted once, at
their entry, by :func:`as_pandas`. Neither library is imported here: an object of one
can only exist once it is loaded.
"""

import sys

from .modules._columns import _neither_kind

__all__ = ["as_pandas"]


# How to turn a column of dates, durations or times of day into numbers, in the words of
# the library the table came from (the pandas advice would not run on it).
_TIME_ADVICE_BY_LIBRARY = {
    "polars": {
        "dates": "a number of days from a date fixed for fit and predict alike "
        "((pl.col({c!r}) - datetime.datetime(2000, 1, 1)).dt.total_days()) or separate "
        "columns (pl.col({c!r}).dt.year().alias({c!r} + '_year'), pl.col({c!r}).dt.month()"
        ".alias({c!r} + '_month'), pl.col({c!r}).dt.weekday().alias({c!r} + '_weekday')), "
        "with X.with_columns(...).drop({c!r})",
        "durations": "a number of days (pl.col({c!r}).dt.total_seconds() / 86400), with "
        "X.with_columns(...)",
        "times of day": "the hour and minute (pl.col({c!r}).dt.hour().alias({c!r} + "
        "'_hour'), pl.col({c!r}).dt.minute().alias({c!r} + '_minute')), with "
        "X.with_columns(...).drop({c!r})",
    },
    "pyarrow": {
        "dates": "a number of days from a date fixed for fit and predict alike "
        "(pc.days_between(pyarrow.scalar(datetime.datetime(2000, 1, 1)).cast(X[{c!r}].type), "
        "X[{c!r}])) or "
        "separate columns (pc.year(X[{c!r}]), pc.month(X[{c!r}]), pc.day_of_week(X[{c!r}])), "
        "with pc = pyarrow.compute",
        "durations": "a count of its unit (X[{c!r}].cast(pyarrow.int64()))",
        "times of day": "the hour and minute (pc.hour(X[{c!r}]), pc.minute(X[{c!r}])), with "
        "pc = pyarrow.compute",
    },
}


def _library_object(X, library, *names):
    """Whether ``X`` is one of the classes ``names`` of ``library`` (polars, pyarrow),
    which is imported only if already loaded: an object of it means it is."""
    module = sys.modules.get(library)
    return module is not None and isinstance(X, tuple(getattr(module, n) for n in names))


def as_pandas(X, name="X"):
    """A polars or pyarrow table as the pandas DataFrame the estimator reads; a polars
    Series or pyarrow array as a numpy array; anything else as it is.

    Every column keeps its Arrow type (``pd.ArrowDtype``): numbers and booleans stay
    numeric with their missing values (numpy's backend would make a boolean column with
    a null one of ``True``/``False``/``None`` objects, read as categories), strings
    stay strings and categoricals (Arrow's dictionary) categories, an Enum's in its
    declared order (pandas' ordered ``category``). Dates, durations and
    times of day are refused with how to convert them in the table's own library, and
    polars' 128-bit integers with the cast to Int64 (neither pandas nor numpy holds
    them); polars' Object, Binary, List, Array and Struct columns with how to turn them
    into numbers or categories in polars. A polars LazyFrame is refused: it is a query,
    not yet a table.
    """
    if _library_object(X, "polars", "LazyFrame"):
        raise TypeError(
            f"{name} is a polars LazyFrame, a query that has not run yet; pass the "
            f"DataFrame it computes, {name}.collect()."
        )
    if _library_object(X, "polars", "Series"):
        if X.dtype.base_type().__name__ in _POLARS_WIDE_INTS:
            raise ValueError(
                f"{name} holds 128-bit integers ({X.dtype}), which numpy cannot hold; "
                f"cast it first, e.g. {name}.cast(pl.Int64)."
            )
        return X.to_numpy()
    if _library_object(X, "pyarrow", "Array", "ChunkedArray"):
        return X.to_numpy(zero_copy_only=False)
    if _library_object(X, "polars", "DataFrame"):
        library, columns = "polars", X.schema.items()
    elif _library_object(X, "pyarrow", "Table", "RecordBatch"):
        library, columns = "pyarrow", zip(X.schema.names, X.schema.types)
    else:
        return X
    for column, dtype in columns:
        _check_column_type(column, dtype, library)
    try:
        import pyarrow  # polars converts through Arrow
    except ImportError:
        raise ImportError(
            f"{name} is a polars DataFrame, which is read through pyarrow, and pyarrow is "
            "not installed: pip install pyarrow."
        ) from None
    enums = ()
    if library == "polars":
        enums = {c for c, dtype in X.schema.items() if dtype.base_type().__name__ == "Enum"}
        # polars' oldest Arrow types: its newest give strings as string_view, which
        # pandas reads with the missing ones as empty strings.
        level = getattr(sys.modules["polars"], "CompatLevel", None)
        X = X.to_arrow(compat_level=level.oldest()) if level else X.to_arrow()
    X = _readable_by_pandas(X, pyarrow, enums)
    try:
        return X.to_pandas(types_mapper=_pandas_dtype)
    except (NotImplementedError, pyarrow.ArrowException):
        # An Arrow type these releases of pandas and pyarrow cannot convert (an interval
        # with pandas 2.0): named by its column, as the types pandas holds but cannot
        # read are.
        for column, dtype in zip(X.schema.names, X.schema.types):
            try:
                X.select([column]).slice(0, 1).to_pandas(types_mapper=_pandas_dtype)
            except (NotImplementedError, pyarrow.ArrowException):
                raise _neither_kind(column, dtype) from None
        raise


def _readable_by_pandas(table, pyarrow, enums=()):
    """``table`` with the Arrow types pandas reads badly or not at all made ones it reads:
    ``string_view`` (whose missing values pandas reads as empty strings) as
    ``large_string``, and a dictionary's unsigned indices (polars' Categorical: pyarrow
    before 17 cannot convert them) as signed ones. The dictionaries of the columns
    ``enums`` (polars' Enums, whose dictionary holds the declared categories in order)
    are marked ordered, as polars 1 does not."""
    if isinstance(table, pyarrow.RecordBatch):
        table = pyarrow.Table.from_batches([table])
    fields = []
    for field in table.schema:
        kind = field.type
        if str(kind) == "string_view":
            field = field.with_type(pyarrow.large_string())
        elif pyarrow.types.is_dictionary(kind):
            index = kind.index_type
            if pyarrow.types.is_unsigned_integer(index):
                index = pyarrow.int64() if index.bit_width >= 32 else pyarrow.int32()
            ordered = kind.ordered or field.name in enums
            field = field.with_type(pyarrow.dictionary(index, kind.value_type, ordered))
        fields.append(field)
    schema = pyarrow.schema(fields, table.schema.metadata)
    if schema.equals(table.schema):
        return table
    columns = [
        _cast(column, field.type, pyarrow) if column.type != field.type else column
        for column, field in zip(table.columns, schema)
    ]
    return pyarrow.Table.from_arrays(columns, schema=schema)


def _cast(column, arrow_type, pyarrow):
    """``column`` cast to ``arrow_type``; through Python strings where this pyarrow has
    no cast from ``string_view`` (before 18)."""
    try:
        return column.cast(arrow_type)
    except pyarrow.ArrowNotImplementedError:
        if str(column.type) != "string_view":
            raise
        return pyarrow.chunked_array(
            [pyarrow.array(chunk.to_pylist(), arrow_type) for chunk in column.chunks],
            arrow_type,
        )


def _check_column_type(column, dtype, library):
    """Refuse a column of ``library`` (polars, pyarrow) that pandas cannot hold or the
    network cannot read, with how to convert it in that library."""
    if library == "polars" and dtype.base_type().__name__ in _POLARS_WIDE_INTS:
        raise ValueError(
            f"Column {column!r} holds 128-bit integers ({dtype}), which pandas cannot "
            f"hold; cast it first, e.g. X.with_columns(pl.col({column!r}).cast(pl.Int64)) "
            "(pl.Float64 for values beyond Int64's range)."
        )
    if library == "polars" and dtype.base_type().__name__ in _POLARS_UNREADABLE:
        held, advice = _POLARS_UNREADABLE[dtype.base_type().__name__]
        raise ValueError(
            f"Column {column!r} holds {held} ({dtype}), which the network cannot "
            f"read as numbers or categories; first turn it into "
            f"{advice.format(c=column)}."
        )
    held = _temporal(dtype, library)
    if held is not None:
        advice = _TIME_ADVICE_BY_LIBRARY[library][held].format(c=column)
        raise ValueError(
            f"Column {column!r} holds {held} ({dtype}), which the network cannot "
            f"read; convert it to numbers first, e.g. {advice}."
        )


def _pandas_dtype(arrow_type):
    """The pandas dtype of a column of ``arrow_type``: ``pd.ArrowDtype``, but for an
    ordered dictionary (a polars Enum), which pyarrow makes pandas' ``category`` in its
    declared order. An unordered one (a polars Categorical, whose dictionary is in the
    order the rows show its values) is Arrow's dictionary, whose categories the encoding
    sorts, as it sorts those of strings: the rows' order does not change the model."""
    import pandas
    import pyarrow

    if pyarrow.types.is_dictionary(arrow_type) and arrow_type.ordered:
        return None
    return pandas.ArrowDtype(arrow_type)


# polars' integer types that neither Arrow (as pyarrow reads it) nor numpy hold.
_POLARS_WIDE_INTS = frozenset({"Int128", "UInt128"})

# The polars column types that are neither numbers nor categories: what they hold, and
# how to turn them into columns that are (in polars, which reads them as its own types;
# an Object column would reach pandas as the bytes of its pointers).
_POLARS_UNREADABLE = {
    "Object": (
        "Python objects",
        "strings, e.g. X.with_columns(pl.col({c!r}).map_elements(str, "
        "return_dtype=pl.String)), or numbers",
    ),
    "Binary": ("bytes", "strings, e.g. X.with_columns(pl.col({c!r}).cast(pl.String))"),
    "List": (
        "lists",
        "columns of numbers or categories, e.g. its first item "
        "(X.with_columns(pl.col({c!r}).list.get(0))) or its length (pl.col({c!r}).list.len())",
    ),
    "Array": (
        "arrays",
        "separate columns, e.g. X.with_columns(pl.col({c!r}).arr.to_struct()).unnest({c!r})",
    ),
    "Struct": ("structs", "separate columns, e.g. X.unnest({c!r})"),
}

_POLARS_TIME_TYPES = {
    "Date": "dates",
    "Datetime": "dates",
    "Duration": "durations",
    "Time": "times of day",
}


def _temporal(dtype, library):
    """``"dates"``, ``"durations"``, ``"times of day"`` or None for a column type of
    polars or pyarrow."""
    if library == "polars":
        kind = dtype.base_type().__name__
        return _POLARS_TIME_TYPES.get(kind)
    import pyarrow

    if pyarrow.types.is_date(dtype) or pyarrow.types.is_timestamp(dtype):
        return "dates"
    if pyarrow.types.is_duration(dtype):
        return "durations"
    return "times of day" if pyarrow.types.is_time(dtype) else None
