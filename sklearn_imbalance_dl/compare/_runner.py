"""Fitting every (method, seed, fold) and scoring it: the evaluation behind ``compare``."""

import inspect
import numbers
import re
import sys
import time
import warnings
from collections import Counter
from contextlib import nullcontext

import numpy as np
import pandas as pd
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_consistent_length

from .. import _fit_lock
from .._arrow_tables import as_pandas
from .._builder import resolve_device
from .._validation import (
    HasMethods,
    Integral,
    Interval,
    InvalidParameterError,
    Real,
    StrOptions,
    check_label_types,
    check_no_missing_labels,
    plain_value,
    validate_params,
)
from ..metrics import per_class_accuracy, shot_accuracy
from ..metrics._scorers import _SCORE_FUNCTIONS, _score_predictions
from ..modules._columns import check_unique_column_names, column_kind, is_object_or_string
from ._methods import DEFAULT_EPOCHS, RecipeFactory, default_methods, is_deep, takes_raw_table

__all__ = [
    "METRICS",
    "SHOT_METRICS",
    "ComparisonFitError",
    "ComparisonInterrupted",
    "make_preprocessor",
    "run_comparison",
    "summarise",
]

#: Headline metrics of every fit, in table order: those of ``metrics.SCORERS``.
METRICS = tuple(_SCORE_FUNCTIONS)
#: Added when ``shot_thresholds`` is given.
SHOT_METRICS = ("many", "medium", "few")
#: The largest number of seeds ``seeds=n`` may ask for (each seed repeats every fit).
MAX_SEEDS = 1000
#: Seeds are numpy's: integers in [0, 2**32 - 1].
MAX_SEED = 2**32 - 1


#: Fewer non-missing values than this and a column is not judged date, identifier or text.
_MIN_VALUES_TO_JUDGE = 20

#: Values of a string column parsed when looking for dates.
_DATE_SAMPLE = 200


#: Values of an object column that are neither numbers nor categories (a nested column
#: of a Parquet file: lists come back as arrays, structs as dicts), by what they are.
_NESTED = {"lists": (list, tuple, np.ndarray), "dicts": (dict,), "sets": (set, frozenset)}


def _nested(values):
    """What the nested values of an object column are (``"lists"``, ``"dicts"`` or
    ``"sets"``, by the first one), or None when it has none."""
    if not pd.api.types.is_object_dtype(values):
        return None
    for value in values:
        for kind, types in _NESTED.items():
            if isinstance(value, types):
                return kind
    return None


def _column_kinds(X):
    """The columns of the DataFrame ``X`` by kind: the one rule of ``compare``.

    By dtype, a partition of the columns: ``"categorical"``: bool, category, object or
    string dtype; ``"numeric"``: the other numeric dtypes, and object columns of
    numbers only (read as the network's :class:`~..modules.ColumnEncoder` reads them);
    ``"other"``: the rest (dates, intervals, nested values such as lists, ...).
    :func:`make_preprocessor`
    standardises the numeric ones and one-hot encodes the others.

    By content, columns that one-hot encoding (or scaling) would turn into noise,
    each as ``{column: what was seen}``:

    - ``"date"``: datetime dtype, or a string column where more than 90 % of a sample
      of its values parse as dates (and hold a digit);
    - ``"text"``: a string column with more than half its values distinct and a
      median length of 20 characters or more, holding spaces (free text);
    - ``"identifier"``: a string column with (nearly, >= 95 %) one distinct value per
      row, or an integer column whose values are all distinct and consecutive or
      sorted (row numbers, a saved index, ascending ids), or in a column without a
      name (pandas' ``Unnamed: 0``: the index of a table saved after its rows were
      filtered and shuffled).

    Columns with fewer than 20 non-missing values are not judged by content.
    """
    kinds = {
        "numeric": [],
        "categorical": [],
        "other": [],
        "date": {},
        "text": {},
        "identifier": {},
    }
    for column in X.columns:
        values = X[column]
        if _nested(values):
            kinds["other"].append(column)
            continue
        stringy = is_object_or_string(values)
        if pd.api.types.is_object_dtype(values) and column_kind(values) == "numeric":
            kinds["numeric"].append(column)  # numbers held as objects, as the network reads them
            stringy = False  # numbers (Parquet's DECIMAL): not judged as text
        elif (
            pd.api.types.is_bool_dtype(values)
            or isinstance(values.dtype, pd.CategoricalDtype)
            or stringy
        ):
            kinds["categorical"].append(column)
        elif pd.api.types.is_numeric_dtype(values):
            kinds["numeric"].append(column)
        else:
            kinds["other"].append(column)
        present = values.dropna()
        n, n_distinct = len(present), int(present.nunique())
        cardinality = f"{n_distinct} distinct values in {n} rows"
        if pd.api.types.is_datetime64_any_dtype(values):
            kinds["date"][column] = f"dates, {cardinality}"
        if n < _MIN_VALUES_TO_JUDGE or pd.api.types.is_bool_dtype(values):
            continue
        if stringy and not pd.api.types.is_bool_dtype(values):
            text = present.astype(str)
            sample = text.sample(min(n, _DATE_SAMPLE), random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas' "could not infer format"
                parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
            dated = parsed.notna() & sample.str.contains(r"\d", regex=True)
            if dated.mean() > 0.9:
                kinds["date"][column] = f"dates, {cardinality}, e.g. {sample.iloc[0]!r}"
            elif (
                n_distinct > 0.5 * n
                and text.str.len().median() >= 20
                and text.str.contains(" ", regex=False).mean() > 0.5
            ):
                kinds["text"][column] = f"free text, {cardinality}"
            elif n_distinct >= 0.95 * n:
                kinds["identifier"][column] = f"an identifier, {cardinality}"
        elif pd.api.types.is_integer_dtype(values) and n_distinct == n:
            consecutive = int(present.max()) - int(present.min()) + 1 == n
            if consecutive or present.is_monotonic_increasing or present.is_monotonic_decreasing:
                kinds["identifier"][column] = (
                    f"an identifier, {cardinality} "
                    f"({'consecutive' if consecutive else 'sorted'} integers)"
                )
            elif isinstance(column, str) and re.fullmatch(r"Unnamed: \d+", column):
                # pandas' name for a column without a header: the index of a table
                # saved after filtering and shuffling its rows (the row order can
                # follow the labels).
                kinds["identifier"][column] = (
                    f"an identifier, {cardinality} (integers in a column without a "
                    "name: a saved index)"
                )
    return kinds


def _as_categories(X):
    """Categorical columns as strings, with NaN (not None, not pd.NA) for the gaps.

    One value type per column, so the encoder can sort the categories, and one
    missing-value marker, so the imputer finds them all. A DataFrame with X's index and
    columns: under ``set_output(transform="pandas")`` its rows line up with those of
    the numeric columns, and the encoder names its columns after X's.
    """
    frame = pd.DataFrame(X)
    missing = frame.isna().to_numpy()
    # A copy: under copy-on-write (pandas 3) the array can be a read-only view of X.
    values = frame.astype(str).to_numpy(dtype=object, copy=True)
    values[missing] = np.nan
    return pd.DataFrame(values, index=frame.index, columns=frame.columns)


#: The widest one-hot encoding of one column in :func:`make_preprocessor`.
_MAX_ONE_HOT = 100


def make_preprocessor(X):
    """One-hot encode the categorical columns of ``X`` and standardise the numeric ones.

    Categorical means object, string, category or bool dtype; columns of other
    non-numeric dtypes (dates, ...) are encoded as categories too. Missing values are
    imputed (most frequent category, median number). A column of more than 100
    categories gets 100 columns: its 99 most frequent categories and one the others
    share (a dense one-hot of 5,000 categories over 100,000 rows would take 4 GB).
    Meant as the first step of a pipeline, so that all of it is fitted on the training
    fold only. Which columns are numeric and which categorical is decided here, from
    the X given (its dtypes, and for object columns whether every value is a
    number): give it the table whose columns the pipeline will see; no statistic of
    its rows is kept.

    Parameters
    ----------
    X : DataFrame

    Returns
    -------
    preprocessor : ColumnTransformer
        Unfitted; its output is a dense float array (networks need dense input), a
        DataFrame with X's index under ``set_output(transform="pandas")``.

    Raises
    ------
    ValueError
        For columns of nested values (lists, dicts, ...: Parquet's nested columns), and
        for column names that occur more than once.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_imbalance_dl.compare import make_preprocessor
    >>> X = pd.DataFrame({"colour": ["red", "blue", "red"], "size": [1.0, 2.0, 3.0]})
    >>> make_preprocessor(X).fit_transform(X).shape
    (3, 3)
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    if not hasattr(X, "columns"):
        raise TypeError(
            "make_preprocessor takes a pandas DataFrame (it picks the columns to encode by "
            f"their dtypes); got {type(X).__name__}. An array holds numbers only: scale it "
            "with StandardScaler instead."
        )
    check_unique_column_names(X.columns)  # each column is picked by its name
    kinds = _column_kinds(X)
    nested = {c: kind for c in kinds["other"] if (kind := _nested(X[c]))}
    if nested:
        listed = ", ".join(f"{c!r} ({kind})" for c, kind in nested.items())
        raise ValueError(
            f"Columns of X that hold nested values, neither numbers nor categories: "
            f"{listed}; flatten them into columns of their own, or leave them out."
        )
    numeric = kinds["numeric"]
    # A set: a list would compare each column with every numeric one (quadratic in the
    # columns: seconds on a table of 16,000).
    numeric_set = set(numeric)
    categorical = [c for c in X.columns if c not in numeric_set]
    if not all(isinstance(c, str) for c in X.columns):
        # ColumnTransformer reads a list of integers as positions: labels 1, 0 (or 1, 2,
        # 3 of a sliced frame) would pick other columns. A mask picks by place.
        is_numeric = np.array([c in numeric_set for c in X.columns])
        numeric, categorical = is_numeric, ~is_numeric
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                numeric,
            ),
            (
                "categorical",
                make_pipeline(
                    FunctionTransformer(_as_categories, feature_names_out="one-to-one"),
                    SimpleImputer(strategy="most_frequent"),
                    # At most _MAX_ONE_HOT columns per column: the rarest categories
                    # share one (as do those first seen in a test fold, else all
                    # zeros), so that a column of thousands of values stays a few MB.
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist",
                        max_categories=_MAX_ONE_HOT,
                        sparse_output=False,
                    ),
                ),
                categorical,
            ),
        ],
        sparse_threshold=0.0,
    )


def _recall_column(label):
    return f"recall[{label}]"


class ComparisonInterrupted(KeyboardInterrupt):
    """Ctrl-C (or an interrupted fit) ended :func:`run_comparison` early.

    A ``KeyboardInterrupt``, so code that does not look for it stops as on any Ctrl-C.

    Parameters
    ----------
    results : DataFrame
        The fits that finished.
    n_fits : int
        The number of fits the comparison planned.

    Attributes
    ----------
    results : DataFrame
        The fits that finished, as :func:`run_comparison` returns them, with
        ``results.attrs["partial"] = True``; the interrupted fit is not among them.
    n_fits : int
        The number of fits the comparison planned.
    """

    def __init__(self, results, n_fits):
        super().__init__(f"interrupted after {len(results)} of {n_fits} fits")
        self.results = results
        self.n_fits = n_fits


class ComparisonFitError(ValueError):
    """A fit of :func:`run_comparison` failed, and the comparison could not go on.

    Raised at the first failed fit with ``error_score="raise"`` (the fit's own error is
    its ``__cause__``), or at the end when every fit failed. A ``ValueError``, as
    scikit-learn's ``cross_validate`` raises when all its fits failed.

    Parameters
    ----------
    message : str
    method, seed, fold : str, int, int, default=None
        The fit that failed (the first one, when every fit failed).

    Attributes
    ----------
    method, seed, fold : str, int, int
        The fit that failed (the first one, when every fit failed).
    results : DataFrame
        The fits that finished, as :func:`run_comparison` returns them, failed ones
        included; ``results.attrs["partial"]`` is True when the run stopped early.
    n_fits : int
        The number of fits the comparison planned.
    """

    def __init__(self, message, *, method=None, seed=None, fold=None):
        super().__init__(message)
        self.method, self.seed, self.fold = method, seed, fold
        self.results = None
        self.n_fits = None


class _FitInterrupted(Exception):
    """A network fit that caught Ctrl-C (``interrupted_``): raised in the worker.

    An ``Exception``, not a ``KeyboardInterrupt``, so that joblib and Dask carry it
    back to the parent like any error; :func:`run_comparison` turns it into
    :class:`ComparisonInterrupted`.
    """


def _resolve_methods(methods):
    """``methods`` as a dict name -> factory (names are tabular recipes)."""
    if methods is None:
        methods = default_methods()
    if isinstance(methods, str):
        methods = [methods]
    if len(methods) == 0:
        raise ValueError(
            "methods is empty; give method names (sklearn_imbalance_dl.recipes."
            "list_recipes('tabular')), a dict name -> factory(seed, epochs, device), or "
            "None for every method."
        )
    if isinstance(methods, dict):
        for name in methods:
            # The names label the rows of the table, the results and the files.
            if not isinstance(name, str) or not name.strip():
                raise ValueError(
                    f"methods has the name {plain_value(name)!r}; name each method by a "
                    "non-empty string, e.g. {'my_forest': factory}."
                )
        return dict(methods)
    return {name: RecipeFactory(name) for name in methods}


def _check_shot_thresholds(thresholds):
    """``(many, few)`` as two numbers with ``many >= few >= 0``, or a clear error."""
    values = list(thresholds) if not isinstance(thresholds, str) else [thresholds]
    numbers_ = all(
        isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) and v >= 0
        for v in values
    )
    if len(values) != 2 or not numbers_ or values[0] < values[1]:
        raise ValueError(
            "shot_thresholds must be two numbers (many, few) with many >= few >= 0, e.g. "
            f"(100, 20); got {thresholds!r}."
        )
    return tuple(values)


def _first_estimator(name, factory, seeds, epochs, device):
    """The estimator of the first seed whose factory call succeeds, checked; None if none.

    Read for what the method is (a network or not). A factory that raises is not an
    error here: its fits are, and ``error_score`` says what they give.
    """
    shape = "a factory(seed, epochs, device) returning an unfitted scikit-learn classifier"
    if not callable(factory):
        raise ValueError(f"methods[{name!r}] is {factory!r}; give {shape}.")
    try:
        inspect.signature(factory).bind(seeds[0], epochs, device)
    except TypeError:
        raise ValueError(
            f"methods[{name!r}] cannot be called as factory(seed, epochs, device); give {shape}."
        ) from None
    except ValueError:  # a callable without a signature (a builtin): try it
        pass
    for seed in seeds:
        try:
            estimator = factory(seed, epochs, device)
        except Exception:
            continue
        if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
            raise ValueError(f"methods[{name!r}] returned {estimator!r}; give {shape}.")
        return estimator
    return None


def _resolve_seeds(seeds):
    """``seeds`` as a list of distinct integers in [0, 2**32 - 1] (numpy's seeds)."""
    if isinstance(seeds, bool):  # an int to validate_params: True would be one seed
        raise InvalidParameterError(
            f"The 'seeds' parameter of run_comparison must be an int in the range "
            f"[1, {MAX_SEEDS}] or an array-like of ints, not a bool. Got {seeds!r} instead."
        )
    if isinstance(seeds, numbers.Integral):  # a number of seeds, bounded by validate_params
        return list(range(int(seeds)))
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds is empty; give a number of seeds or a list of seeds.")
    for seed in seeds:
        # A float would be truncated (1.9 -> 1) and a bool is no seed.
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
            raise ValueError(f"seeds must be integers; got {plain_value(seed)!r}.")
        if not 0 <= seed <= MAX_SEED:
            raise ValueError(f"seeds must be in [0, 2**32 - 1] (numpy's seeds); got {seed}.")
    seeds = [int(seed) for seed in seeds]
    repeated = sorted(seed for seed, n in Counter(seeds).items() if n > 1)
    if repeated:
        # The same (seed, fold) twice would pair the wrong fits in the significance test.
        raise ValueError(
            f"seeds has repeats ({', '.join(map(str, repeated))}); give each seed once."
        )
    return seeds


def _resolve_preprocessor(preprocessor, X):
    """``preprocessor="auto"``: :func:`make_preprocessor` for a DataFrame, else None."""
    if isinstance(preprocessor, str):  # "auto", the one string the parameter takes
        return make_preprocessor(X) if hasattr(X, "columns") else None
    return preprocessor


def _take(X, idx):
    return _safe_indexing(X, idx)  # rows of a DataFrame, an array or a list


#: Classes named in a title or a message; more are cut short with "...".
MAX_SHOWN_CLASSES = 12


def check_classes_for_folds(y, folds, option="cv"):
    """Refuse a single class, or a class with fewer samples than ``folds`` (the value of
    ``option``, ``"cv"`` or the program's ``"--folds"``): stratified folds would leave it
    out of some test folds, whose scores would then cover the other classes only."""
    classes, counts = np.unique(y, return_counts=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"y has a single class ({classes.tolist()[0]!r}); a comparison needs at least 2 "
            "classes."
        )
    small = [(c, n) for c, n in zip(classes.tolist(), counts.tolist()) if n < folds]
    if small:
        listed = ", ".join(
            f"class {c!r} has {n} sample{'s' * (n != 1)}" for c, n in small[:MAX_SHOWN_CLASSES]
        )
        listed += ", ..." if len(small) > MAX_SHOWN_CLASSES else ""
        given = f"{option} {folds}" if option.startswith("--") else f"{option}={folds}"
        singles = [c for c, n in small if n == 1]
        if singles:
            # No number of folds helps: the sample would have to be in training and test.
            advice = (
                "a class of a single sample cannot be both trained on and tested, whatever "
                "the folds: drop it"
            )
            if len(singles) < len(small):
                advice += f" (and lower {option} or drop the others)"
        else:
            advice = f"lower {option} or drop the class"
        raise ValueError(
            f"{listed}: fewer than {given}, so stratified {folds}-fold cross-validation "
            f"cannot put one in every fold; {advice}."
        )


def _with_preprocessor(estimator, preprocessor):
    """Put a fresh copy of ``preprocessor`` in front, so it is fitted on the training fold.

    Not in front of a network that reads tables itself (:func:`takes_raw_table`): it
    gets the DataFrame as it comes.
    """
    if preprocessor is None or takes_raw_table(estimator):
        return estimator
    steps = list(estimator.steps) if isinstance(estimator, Pipeline) else [("model", estimator)]
    return Pipeline([("preprocess", clone(preprocessor))] + steps)


def _unfitted(estimator):
    """An unfitted copy of what a factory returned, as ``cross_validate`` clones.

    A factory that returns one estimator for every call (a closure over it) would
    otherwise carry each fit into the next: with ``warm_start``, a fold's model would
    go on from one trained on that fold's test rows. An object that scikit-learn cannot
    clone is used as it is.
    """
    try:
        return clone(estimator)
    except (TypeError, RuntimeError):
        return estimator


def _notes_of(estimator):
    """Notes left by steps that adapt themselves to the data (SMOTEWithFallback)."""
    steps = estimator.steps if isinstance(estimator, Pipeline) else [("model", estimator)]
    notes = []
    for _, step in steps:
        notes.extend(getattr(step, "notes_", []))
    return "; ".join(notes)


#: The key of a fit's row holding the warnings of its fit, ``[(category, message)]``.
_WARNINGS = "_warnings"


def _fit_and_score(task, torch_threads):
    """One fit and its scores: the unit of work sent to joblib (or Dask) workers.

    A fit that raises is a row with the error (``error_score``), or, with
    ``error_score="raise"``, a :class:`ComparisonFitError` naming the fit. The error is
    caught here, in the worker, because joblib stops every fit at the first exception
    it collects.
    """
    name, factory, seed, fold, data, settings = task
    try:
        return _fit_and_score_one(task, torch_threads)
    except _FitInterrupted:
        raise
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if settings["error_score"] == "raise":
            failure = ComparisonFitError(
                f"The fit of {name!r} (seed {seed}, fold {fold}) failed: {_first_line(error)}",
                method=name,
                seed=seed,
                fold=fold,
            )
            # A worker's error comes back pickled, and pickling drops __cause__ (joblib
            # puts the worker's traceback text there): kept as state, restored by
            # run_comparison.
            failure._fit_error = exc if _pickles(exc) else None
            raise failure from exc
        return _failed_row(task, error)


def _pickles(exc):
    """Whether ``exc`` comes back from a worker process as it went."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True


def _restore_fit_error(error):
    """Make the fit's own error the ``__cause__`` of ``error`` (a ComparisonFitError)
    again after a worker sent it back; the worker's traceback becomes the cause of that."""
    fit_error = error.__dict__.pop("_fit_error", None)
    if fit_error is not None and error.__cause__ is not fit_error:
        if fit_error.__cause__ is None:
            fit_error.__cause__ = error.__cause__
        error.__cause__ = fit_error


def _first_line(text):
    """The first line of an error's text, without its closing full stop (the messages
    that quote it go on after it)."""
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else text


def _failed_row(task, error):
    """The row of a fit that raised: ``error_score`` for the metrics, NaN for the rest."""
    name, _, seed, fold, (_, y_train, _, y_test), settings = task
    shots = list(SHOT_METRICS) if settings["shot_thresholds"] is not None else []
    metrics = list(METRICS) + shots
    row = {"method": name, "seed": seed, "fold": fold}
    row.update({metric: float(settings["error_score"]) for metric in metrics})
    row.update(
        fit_time=np.nan,
        predict_time=np.nan,
        n_train=len(y_train),
        n_test=len(y_test),
        notes="",
        error=error,
    )
    row.update({_recall_column(c): np.nan for c in settings["classes"].tolist()})
    return row


def _fit_and_score_one(task, torch_threads):
    """:func:`_fit_and_score` of a fit that does not fail.

    Torch's float reductions depend on its number of threads, so a fit is only
    bit-reproducible across machines and backends when that number is fixed; it is
    set here, inside the worker, and restored afterwards. The fits of one process take
    turns (``_fit_lock``), its warnings recorded and its threads set alone.
    """
    with _fit_lock.FIT_LOCK:
        return _fit_and_score_alone(task, torch_threads)


def _fit_and_score_alone(task, torch_threads):
    import torch
    from threadpoolctl import threadpool_limits

    name, factory, seed, fold, data, settings = task
    X_train, y_train, X_test, y_test = data
    previous = torch.get_num_threads()
    torch.set_num_threads(torch_threads)
    try:
        with threadpool_limits(limits=torch_threads):
            estimator = _with_preprocessor(
                _unfitted(factory(seed, settings["epochs"], settings["device"])),
                settings["preprocessor"],
            )
            if is_deep(estimator):
                _warm_up_torch()
            # Recorded, not shown: run_comparison warns once per method and message,
            # not once per fit, and also for the fits that ran in worker processes.
            # The prediction's too (an imputer meeting a column without values).
            with warnings.catch_warnings(record=True) as caught:
                # Reported as the interrupt of the whole run, not as a warning per fit.
                warnings.filterwarnings("ignore", "Training was interrupted", UserWarning)
                start = time.perf_counter()
                estimator.fit(X_train, y_train)
                fit_time = time.perf_counter() - start
                # The estimator catches Ctrl-C during training and keeps the weights
                # reached: a cut-short fit must not be scored as a finished one.
                final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
                if getattr(final, "interrupted_", False):
                    raise _FitInterrupted(f"{name} (seed {seed}, fold {fold}) was interrupted")
                start = time.perf_counter()
                # CatBoost predicts a column (n, 1) for several classes.
                y_pred = np.asarray(estimator.predict(X_test)).reshape(len(y_test))
                predict_time = time.perf_counter() - start
    finally:
        torch.set_num_threads(previous)

    # Scoring warns too (a predicted class that the test part lacks): reported with the
    # fit's warnings, under the method's name.
    with warnings.catch_warnings(record=True) as caught_scoring:
        classes = settings["classes"]
        train_labels, train_counts = np.unique(y_train, return_counts=True)
        count_of = dict(zip(train_labels.tolist(), train_counts.tolist()))
        # Every class of the comparison, 0 for one absent from this training set.
        counts = {c: count_of.get(c, 0) for c in classes.tolist()}
        row = {"method": name, "seed": seed, "fold": fold}
        # minority_recall of the rarest *training* class: on a balanced test set the
        # rarest test class would be arbitrary.
        row.update(_score_predictions(y_test, y_pred, train_counts=counts))
        if settings["shot_thresholds"] is not None:
            many, few = settings["shot_thresholds"]
            row.update(
                shot_accuracy(
                    y_test, y_pred, counts, many_threshold=many, few_threshold=few, labels=classes
                )
            )
        recalls = per_class_accuracy(y_test, y_pred, labels=classes)
        row.update(
            fit_time=fit_time,
            predict_time=predict_time,
            n_train=len(y_train),
            n_test=len(y_test),
            notes=_notes_of(estimator),
            error="",
        )
        row.update({_recall_column(c): r for c, r in zip(classes.tolist(), recalls)})
    caught = [*caught, *caught_scoring]
    row[_WARNINGS] = [(w.category, str(w.message)) for w in caught]
    return row


def _warm_up_torch():
    """Build a throwaway torch optimizer before a network's fit is timed.

    A process's first optimizer imports what torch loads lazily (``torch._dynamo``:
    seconds, against a fraction of a second for a small network's fit), which would
    otherwise be counted in the ``fit_time`` of whichever network is fitted first in
    each process (or worker). Later calls take microseconds.
    """
    import torch

    torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)


class SchedulerAddressError(ValueError):
    """A ``dask_scheduler`` that is not the address of a Dask scheduler."""


def _dask_backend(scheduler):
    """A context manager running joblib on the Dask cluster at ``scheduler``."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError(
            "Running on a Dask cluster needs dask.distributed, which is not installed: "
            "pip install 'sklearn_imbalance_dl[dask]'."
        ) from exc
    from contextlib import contextmanager

    import joblib

    @contextmanager
    def backend():
        if not scheduler.strip():
            # Client("") would start a cluster of its own on this machine.
            raise SchedulerAddressError(
                f"The Dask scheduler address {scheduler!r} is empty; an address reads like "
                "'tcp://127.0.0.1:8786'."
            )
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ConnectionError(
                f"Cannot connect to the Dask scheduler at {scheduler!r}: {exc}"
            ) from exc
        except Exception as exc:  # distributed's parsing of the address
            reason = _first_line(str(exc)) or type(exc).__name__
            raise SchedulerAddressError(
                f"The Dask scheduler address {scheduler!r} cannot be read ({reason}); an "
                "address reads like 'tcp://127.0.0.1:8786'."
            ) from exc
        try:
            with joblib.parallel_backend("dask"):
                yield
        finally:
            client.close()

    return backend()


@validate_params(
    {
        "X_train": ["array-like"],
        "y_train": ["array-like"],
        "X_test": ["array-like", None],
        "y_test": ["array-like", None],
        "cv": [Interval(Integral, 2, None, closed="left"), None],
        "methods": [list, tuple, dict, str, None],
        "seeds": [Interval(Integral, 1, MAX_SEEDS, closed="both"), "array-like"],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "preprocessor": [StrOptions({"auto"}), HasMethods(["fit", "transform"]), None],
        "shot_thresholds": ["array-like", None],
        "n_jobs": [Integral, None],
        "dask_scheduler": [str, None],
        "torch_threads": [Interval(Integral, 1, None, closed="left")],
        "error_score": [StrOptions({"raise"}), Real],
        "progress": ["boolean"],
    },
    # The methods are estimators of the user's: each checks its own parameters in fit.
    prefer_skip_nested_validation=False,
)
def run_comparison(
    X_train,
    y_train,
    X_test=None,
    y_test=None,
    *,
    cv=None,
    methods=None,
    seeds=3,
    epochs=DEFAULT_EPOCHS,
    device="cpu",
    preprocessor="auto",
    shot_thresholds=None,
    n_jobs=1,
    dask_scheduler=None,
    torch_threads=1,
    error_score=np.nan,
    progress=False,
):
    """Fit and score every method for every seed (and fold): one row per fit.

    Two protocols:

    - hold-out, the long-tailed literature's: pass ``X_test, y_test``; every method
      is trained on ``X_train`` once per seed and scored on the (balanced) test set;
    - cross-validation: pass ``cv`` (a number of folds) and no test set; for every
      seed, a stratified k-fold split of ``X_train`` shuffled with that seed, and a
      fit per fold. Preprocessing and resampling are steps of the pipeline, so they
      are fitted on the training fold only.

    Parameters
    ----------
    X_train : array-like or DataFrame of shape (n_samples, n_features)
        A polars DataFrame or pyarrow Table is read as the pandas DataFrame of the
        same columns.
    y_train : array-like of shape (n_samples,)
    X_test, y_test : array-like, default=None
        The test set of the hold-out protocol.
    cv : int, default=None
        Number of stratified folds of the cross-validation protocol.
    methods : list of str or dict, default=None
        Names of ``"tabular"`` recipes (``sklearn_imbalance_dl.recipes.list_recipes(
        "tabular")``, built by ``make_estimator``), or a dict name (a string) ->
        ``factory(seed, epochs, device)`` returning an unfitted estimator. None: every
        tabular recipe.
    seeds : int or list of int, default=3
        A number of seeds (0, 1, ...; at most 1000) or the seeds themselves, distinct
        integers in [0, 2**32 - 1]. A seed seeds the model, the sampler and, with
        ``cv``, the fold shuffle.
    epochs : int, default=50
        Training epochs of the networks; the default is the estimator's own
        ``max_epochs``.
    device : str, default="cpu"
        Device of the networks.
    preprocessor : "auto", transformer or None, default="auto"
        Put (a clone) in front of every method that does not read tables itself,
        fitted on each training fold. ``"auto"``: for a DataFrame, the
        ``ColumnTransformer`` of :func:`make_preprocessor` (categories one-hot, gaps
        imputed, numbers standardised), as the ``compare`` program does; for an
        array, nothing. None: nothing. The networks that read tables themselves
        (``module="tabular"``, the default, without input mixing:
        ``compare._methods.takes_raw_table``) get ``X`` as it is: they encode the
        categories of a DataFrame (one-hot or embedded) and impute its gaps.
    shot_thresholds : tuple (many, few), default=None
        Also report many-shot (> many training samples), medium-shot and few-shot
        (< few) accuracy with :func:`~sklearn_imbalance_dl.metrics.shot_accuracy`.
    n_jobs : int, default=1
        joblib parallelism over fits; at most one worker per fit is started.
    dask_scheduler : str, default=None
        Address of a Dask scheduler; the fits then run on that cluster through
        ``joblib.parallel_backend("dask")`` (``n_jobs`` is ignored).
    torch_threads : int, default=1
        Torch (and BLAS) threads inside each fit. Fixed so that results do not depend
        on the machine or the backend: torch's sums change with its thread count.
    error_score : "raise" or float, default=np.nan
        What a fit that raises (in ``fit``, ``predict`` or its factory) gives, as in
        scikit-learn's ``cross_validate``. A number: the fit is a row with that number
        for every metric, NaN for the rest, and its error (type and message) in the
        ``error`` column; a ``FitFailedWarning`` names the method, seed and fold, and
        the other fits go on. ``"raise"``: :class:`ComparisonFitError` at once, naming
        the fit, with the fit's own error as its ``__cause__``.
    progress : bool, default=False
        Show a tqdm progress bar on stderr.

    Returns
    -------
    results : DataFrame
        One row per fit: ``method, seed, fold``, the metrics of :data:`METRICS` (and
        :data:`SHOT_METRICS`), ``fit_time, predict_time, n_train, n_test, notes,
        error`` and one ``recall[<class>]`` column per class, head (most training
        samples) to tail. ``error`` is empty for a fit that succeeded, else the
        ``"Type: message"`` of its error (see ``error_score``). ``results.attrs`` holds
        ``classes`` (head to tail), ``class_counts``, ``shot_thresholds``,
        ``protocol``, ``epochs``, ``seeds``, ``deep`` (method -> whether it is a
        network: an ``ImbalancedNetClassifier`` or a pipeline ending in one),
        ``estimators`` (method -> the estimator of the first seed, as scikit-learn
        shows it: ``"ImbalancedNetClassifier(loss='ldam', max_epochs=50,
        random_state=0, schedule='drw')"``; None when its factory always raised),
        ``preprocessor`` (``"auto"`` for :func:`make_preprocessor`'s, a transformer of
        yours as scikit-learn shows it, None for none), ``device``, ``versions`` (of
        ``sklearn_imbalance_dl``, scikit-learn, imbalanced-learn and torch) and
        ``partial`` (False).

    Raises
    ------
    ComparisonInterrupted
        On Ctrl-C, also when a network's fit caught it (``interrupted_``): a
        ``KeyboardInterrupt`` carrying the fits that finished. A cut-short fit is
        never scored. joblib's worker processes are stopped; on a Dask cluster,
        fits not started are cancelled and those running finish unused.
    ComparisonFitError
        With ``error_score="raise"``, at the first fit that fails; otherwise when every
        fit failed, with the first error. Its ``results`` are the fits that finished.
    ValueError
        A ``dask_scheduler`` that is not an address (``"tcp://host:8786"``), before any fit.
    ConnectionError
        A ``dask_scheduler`` that cannot be reached, before any fit.

    Warns
    -----
    FitFailedWarning
        Per failed fit (see ``error_score``).
    Warning
        What the methods warn while fitting or predicting (a schedule that ``epochs`` is
        too few for, ...): once per method and message, prefixed by the method's name, not once
        per fit; also from the fits that ran in joblib's worker processes.

    Examples
    --------
    >>> from sklearn_imbalance_dl.datasets import load_digits_lt
    >>> from sklearn_imbalance_dl.compare import run_comparison, summarise
    >>> data = load_digits_lt(imbalance_ratio=100)
    >>> results = run_comparison(*data, methods=["ce", "logreg"], seeds=1, epochs=2)
    >>> summarise(results)["method"].tolist()  # doctest: +SKIP
    ['logreg', 'ce']
    """
    # A polars or pyarrow table as the pandas DataFrame the estimators read, once.
    X_train, y_train, X_test, y_test = (
        as_pandas(value, name)
        for value, name in zip(
            (X_train, y_train, X_test, y_test), ("X_train", "y_train", "X_test", "y_test")
        )
    )
    methods = _resolve_methods(methods)
    seeds = _resolve_seeds(seeds)
    if n_jobs == 0:
        raise ValueError("n_jobs=0 runs nothing; use 1 (no parallelism) or -1 (all cores).")
    if dask_scheduler is None:  # a cluster's workers may have devices this machine lacks
        resolve_device(device)  # a typo would fail every network's fit, one by one
    torch_threads = int(torch_threads)  # torch and threadpoolctl take no numpy integer
    if shot_thresholds is not None:  # checked before any fit: scoring is at the end
        shot_thresholds = _check_shot_thresholds(shot_thresholds)
    # What the settings record: "auto" names make_preprocessor's (its repr would list
    # every column), a transformer of the user's is shown as scikit-learn shows it.
    auto = isinstance(preprocessor, str)
    preprocessor = _resolve_preprocessor(preprocessor, X_train)
    described = "auto" if auto and preprocessor is not None else _describe_estimator(preprocessor)
    y_train = np.asarray(y_train)
    check_consistent_length(X_train, y_train)
    holdout = X_test is not None
    if holdout == (cv is not None):
        raise ValueError("Give either a test set (X_test, y_test) or cv, not both or neither.")
    if (X_test is None) != (y_test is None):
        raise ValueError("Give the test set whole: both X_test and y_test, or neither.")
    # Before the type check: a None among strings is a gap, not a label of another type.
    check_no_missing_labels(y_train, name="y_train")
    check_label_types(y_train, name="y_train")
    if holdout:
        check_consistent_length(X_test, y_test)
        y_test = np.asarray(y_test)
        check_no_missing_labels(y_test, name="y_test")
        check_label_types(y_train, y_test, name="y_train and y_test", verb="mix")
        classes = np.unique(np.concatenate([y_train, y_test]))
    else:
        check_classes_for_folds(y_train, cv)
        classes = np.unique(y_train)
    labels, counts = np.unique(y_train, return_counts=True)
    count_of = dict(zip(labels.tolist(), counts.tolist()))
    # Head to tail: most training samples first (ties in label order).
    classes = np.asarray(sorted(classes.tolist(), key=lambda c: -count_of.get(c, 0)))
    settings = {
        "epochs": epochs,
        "device": device,
        "preprocessor": preprocessor,
        "shot_thresholds": shot_thresholds,
        "classes": classes,
        "error_score": error_score,
    }

    def tasks():
        for seed in seeds:
            if holdout:
                splits = [(0, (X_train, y_train, X_test, y_test))]
            else:
                folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
                splits = (
                    (i, (_take(X_train, tr), y_train[tr], _take(X_train, te), y_train[te]))
                    for i, (tr, te) in enumerate(folds.split(np.zeros(len(y_train)), y_train))
                )
            for fold, data in splits:
                for name, factory in methods.items():
                    yield (name, factory, seed, fold, data, settings)

    n_fits = len(methods) * len(seeds) * (1 if holdout else cv)
    first = {name: _first_estimator(name, f, seeds, epochs, device) for name, f in methods.items()}
    attrs = dict(
        classes=classes.tolist(),
        class_counts=[count_of.get(c, 0) for c in classes.tolist()],
        shot_thresholds=shot_thresholds,
        protocol="holdout" if holdout else f"{cv}-fold",
        epochs=epochs,
        seeds=seeds,
        # Which rows are networks: the table compares the best of them with the rest.
        deep={
            name: estimator is not None and is_deep(estimator) for name, estimator in first.items()
        },
        # What each row was, so that a saved comparison says it.
        estimators={name: _describe_estimator(estimator) for name, estimator in first.items()},
        preprocessor=described,
        device=device,
        versions=_versions(),
    )
    import joblib

    rows = []
    on_dask = dask_scheduler is not None  # "" is an address left empty, not "no cluster"
    backend = _dask_backend(dask_scheduler) if on_dask else nullcontext()
    try:
        with backend:
            parallel = joblib.Parallel(
                n_jobs=-1 if on_dask else _workers(n_jobs, n_fits),
                return_as="generator_unordered",
            )
            fits = parallel(joblib.delayed(_fit_and_score)(t, torch_threads) for t in tasks())
            # Collected one by one, so that an interrupt keeps the fits that finished.
            warned = set()
            for row in _progress(fits, n_fits, progress):
                rows.append(row)
                # Not while a fit of a thread of this process records its warnings,
                # which would take these for its own.
                with _fit_lock.FIT_LOCK:
                    for category, message in row.pop(_WARNINGS, ()):
                        if (row["method"], category, message) not in warned:
                            warned.add((row["method"], category, message))
                            warnings.warn(f"{row['method']}: {message}", category, stacklevel=3)
                    if row["error"]:
                        # Warned here, not in the worker: a worker process's warnings are
                        # lost.
                        warnings.warn(
                            f"The fit of {row['method']!r} (seed {row['seed']}, fold "
                            f"{row['fold']}) failed: {_first_line(row['error'])}. Its "
                            f"scores are {error_score} and the other fits go on; "
                            "error_score='raise' shows the traceback.",
                            FitFailedWarning,
                            stacklevel=3,
                        )
    except ComparisonFitError as exc:
        _restore_fit_error(exc)
        exc.results = _results_frame(rows, methods, attrs)
        exc.results.attrs["partial"] = True
        exc.n_fits = n_fits
        raise
    except (KeyboardInterrupt, _FitInterrupted):
        # joblib has already torn its pool down (it aborts on any error while
        # collecting); tasks already running on a Dask cluster finish there unused.
        results = _results_frame(rows, methods, attrs)
        results.attrs["partial"] = True
        raise ComparisonInterrupted(results, n_fits) from None
    results = _results_frame(rows, methods, attrs)
    failed = results[results["error"] != ""]
    if len(failed) == len(results):
        first = failed.iloc[0]
        error = ComparisonFitError(
            f"Every fit failed ({n_fits} of {n_fits}); the first, {first['method']!r} "
            f"(seed {first['seed']}, fold {first['fold']}): {_first_line(first['error'])}. "
            "error_score='raise' shows its traceback.",
            method=first["method"],
            seed=int(first["seed"]),
            fold=int(first["fold"]),
        )
        error.results, error.n_fits = results, n_fits
        raise error
    return results


def _workers(n_jobs, n_fits):
    """``n_jobs`` for joblib, at most one worker per fit: each worker process imports
    torch, and thousands of them (``n_jobs=5000``) would exhaust the memory."""
    if n_jobs is None or n_jobs < 0:  # joblib's own count, bounded by the cores
        return n_jobs
    return min(n_jobs, n_fits)


def _describe_estimator(estimator):
    """``estimator`` on one line as scikit-learn shows it (the parameters set); None for none.

    Parameters
    ----------
    estimator : object or None

    Returns
    -------
    text : str or None
        E.g. ``"ImbalancedNetClassifier(loss='ldam', random_state=0, schedule='drw')"``.
    """
    if estimator is None:
        return None
    if isinstance(estimator, BaseEstimator):
        text = estimator.__repr__(N_CHAR_MAX=sys.maxsize)  # whole, not cut at 700 characters
    elif hasattr(estimator, "get_params"):  # CatBoost's own repr names no parameter
        params = ", ".join(f"{k}={v!r}" for k, v in estimator.get_params().items())
        text = f"{type(estimator).__name__}({params})"
    else:
        text = repr(estimator)
    return " ".join(text.split())


def _versions():
    """The versions of the packages a comparison's numbers depend on."""
    import imblearn
    import sklearn
    import torch

    from .. import __version__

    return {
        "sklearn_imbalance_dl": __version__,
        "scikit-learn": sklearn.__version__,
        "imbalanced-learn": imblearn.__version__,
        "torch": torch.__version__,
    }


def _results_frame(rows, methods, attrs):
    """The fit rows in a stable order (seed, fold, method as given), with ``attrs``."""
    order = {name: i for i, name in enumerate(methods)}
    results = pd.DataFrame(rows)
    if len(results):
        results = results.sort_values(
            ["seed", "fold", "method"], key=lambda s: s.map(order) if s.name == "method" else s
        ).reset_index(drop=True)
    results.attrs.update(attrs, partial=False)
    return results


def _progress(iterable, total, enabled):
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: no bar, same results.
        return iterable
    return tqdm(iterable, total=total, desc="compare", unit="fit", leave=False)


def summarise(results):
    """Mean and standard deviation over seeds (and folds) of every metric, per method.

    Parameters
    ----------
    results : DataFrame
        The output of :func:`run_comparison`, or its fits read back from the CSV file
        of :func:`~sklearn_imbalance_dl.compare.write_results`
        (``pd.read_csv(path).query("row == 'fit'")``; the summary's columns, empty on
        those rows, are left out). The whole file, its summary rows with its fits, is
        refused.

    Returns
    -------
    summary : DataFrame
        One row per method: ``method``, ``n_fits``, ``n_failed`` (the fits that raised,
        see ``error_score`` of :func:`run_comparison`) and ``<metric>_mean`` /
        ``<metric>_std`` for every metric, ``fit_time`` and per-class recall column,
        NaN left out (so with the default ``error_score``, NaN, over the fits that did
        not fail). The standard deviation is the sample one (ddof=1), NaN for a single
        fit. Sorted best balanced accuracy first, the methods with a failed fit after
        all the others: their scores do not come from every split, so they are not
        ranked with them.
    """
    if "method" not in results.columns:
        raise ValueError("results has no fits (no 'method' column); nothing to summarise.")
    if "balanced_accuracy" not in results.columns:
        already = " (it looks summarised already)" if "n_fits" in results.columns else ""
        raise ValueError(
            "summarise takes the output of run_comparison: one row per fit, with a "
            f"'balanced_accuracy' column; got a table with the columns "
            f"{list(results.columns)[:8]}{already}."
        )
    if "row" in results.columns and (results["row"] != "fit").any():
        # The whole CSV file of write_results: its summary rows would count as fits.
        raise ValueError(
            "results holds summary rows (row == 'summary') besides the fits, as the CSV "
            "file of write_results does; summarise its fits: "
            "results.query(\"row == 'fit'\")."
        )
    errors = results["error"] if "error" in results.columns else pd.Series("", results.index)
    # A CSV read back has NaN for the empty error of a fit that succeeded (a float
    # column, which pandas 3 warns against filling with text).
    failed = errors.notna() & (errors.astype(str) != "")
    # The fits of write_results' CSV read back also have its "row" column and the
    # summary's columns (empty on fit rows): the quantities are the fits' own numbers.
    summary_columns = results.columns[
        results.columns.isin(["n_fits", "n_failed"])
        | results.columns.str.endswith(("_mean", "_std"))
    ].difference(METRICS + SHOT_METRICS)  # g_mean is a metric of the fits
    values = [
        c
        for c in results.columns
        if c not in ("method", "seed", "fold", "notes", "n_train", "n_test", "error", "row")
        and not (c in summary_columns and results[c].isna().all())
    ]
    grouped = results.groupby("method", sort=False)[values]
    mean = grouped.mean().add_suffix("_mean")
    std = grouped.std(ddof=1).add_suffix("_std")
    # Interleave mean and std of each quantity, in the order of the results.
    columns = [f"{c}_{s}" for c in values for s in ("mean", "std")]
    summary = pd.concat([mean, std], axis=1)[columns]
    summary.insert(0, "n_fits", results.groupby("method", sort=False).size())
    summary.insert(1, "n_failed", failed.groupby(results["method"], sort=False).sum())
    summary = summary.reset_index()
    order = np.lexsort(
        (
            np.arange(len(summary)),  # ties keep the order of the results
            -summary["balanced_accuracy_mean"].fillna(-np.inf).to_numpy(),
            summary["n_failed"].to_numpy() > 0,
        )
    )
    summary = summary.iloc[order].reset_index(drop=True)
    summary.attrs.update(results.attrs)
    if "protocol" not in summary.attrs:
        protocol = protocol_from_folds(results)
        if protocol is not None:
            summary.attrs["protocol"] = protocol
    return summary


def protocol_from_folds(results):
    """``"k-fold"`` for fits of several folds, else None: fits read back from a file have
    no ``attrs``, and a test set of its own has fold 0 only."""
    if "fold" in results.columns and results["fold"].nunique() > 1:
        return f"{int(results['fold'].max()) + 1}-fold"
    return None
