"""``sklearn-imbalance-dl compare``: the command line in front of :func:`run_comparison`."""

import argparse
import re
import shlex
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import FitFailedWarning

from .._builder import resolve_device
from .._console import EXIT_INTERRUPTED, say
from .._validation import plain_value
from ..datasets import load_digits_lt, load_heart_disease
from ..modules._columns import column_kind, holds_text, is_object_or_string
from ._methods import DEFAULT_EPOCHS, default_methods, describe_method, unavailable_methods
from ._report import collect_notes, format_table, plot_results, settings_path, write_results
from ._runner import (
    MAX_SEED,
    MAX_SEEDS,
    MAX_SHOWN_CLASSES,
    ComparisonFitError,
    ComparisonInterrupted,
    SchedulerAddressError,
    _column_kinds,
    _first_line,
    _nested,
    check_classes_for_folds,
    run_comparison,
    summarise,
)

HELP = "compare imbalance methods on a real imbalanced table, or on your own"
# What every message of the tool to the terminal starts with.
_PREFIX = "sklearn-imbalance-dl compare:"
DESCRIPTION = """\
Compare class-imbalance methods side by side.

Without --data: the shipped Cleveland heart-disease table (UCI, CC BY 4.0): 303
patients, 6 numeric and 7 categorical columns, diagnosis in 5 classes (164, 55,
36, 35, 13 patients). --dataset digits_lt: long-tailed 8x8 digits (imbalance ratio
100, training counts 124 ... 1) on the long-tailed literature's protocol: train on
the long-tailed set, test on a balanced test set (50 per digit), repeat over seeds.

With --data FILE.csv|FILE.parquet --target COLUMN: your table. The CSV separator
(comma, semicolon or tab) and decimal mark are detected (or --sep, --decimal),
numbers with thousands separators ("2,840.80", or "2.840,80" with decimal ,) are
read as numbers, a target of codes written with leading zeros ("007", "7") keeps its
labels as text, spaces around column names are removed, and empty or constant
columns are left out with a note. Column names that repeat are refused.

Tables are compared by stratified k-fold cross-validation repeated over seeds. The
networks read the table as it is (categories one-hot encoded or embedded, gaps
imputed); the other methods, and networks behind a resampler or mixing inputs, get
categorical columns one-hot encoded and numeric ones standardised, fitted inside each
fold's pipeline, so nothing of a test fold leaks into training. Columns that look
like dates, identifiers or free text are refused (exit 2) until you --drop or encode
them. The
winner's margin over the best non-deep method comes with the corrected resampled
t-test of Nadeau and Bengio (2003) over the folds x seeds.

A fit that fails (raises) does not stop the others: the table lists its method after
the others, unranked, with a "failed:" line naming the first error, and --output keeps
each fit's error (also when every fit failed).

Exit status: 0 success, 1 the table was printed but some fits failed (or every fit
failed: one line, no table), or --output / --plot went to the fallback file, 2 usage
or data error, 130 interrupted (Ctrl-C: the program ends by SIGINT once it has
reported, so a calling script stops too); the fits that finished before Ctrl-C go to
FILE.partial.csv / .json when --output FILE is given, removed by the next run that
completes FILE. --output records what was compared (the data file and its SHA-256,
the options, each method's estimator, the versions): in a .json file's "settings", or
beside a .csv file (r.csv: in r.settings.json). --output and --plot are checked
before any fit (writable; not the --data file; a --plot format matplotlib can write
here); should the final write fail anyway, the results go to a file in the temporary
folder, which is named.
"""

# Digits-LT training counts at ratio 100 are 124, 74, 44, 26, 16, 9, 5, 3, 2, 1: the
# literature's 100/20 cut-offs would leave no many-shot class.
DIGITS_SHOT_THRESHOLDS = (50, 10)
#: The shipped data sets of ``--dataset``; the first is the default.
DATASETS = ("heart_disease", "digits_lt")
#: ``--folds`` of a table when not given.
DEFAULT_FOLDS = 5


class CompareError(Exception):
    """A user error: reported on one line with exit status 2, without a traceback."""


class _Interrupted(Exception):
    """Ctrl-C: reported on one line with exit status 130 (the message says what was kept)."""


def add_arguments(parser):
    """Declare the options of ``compare`` on ``parser``."""
    methods = "\n".join(f"  {name:<12} {describe_method(name)}" for name in default_methods())
    parser.epilog = f"methods:\n{methods}"
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    data = parser.add_argument_group("data")
    data.add_argument(
        "--data",
        metavar="FILE",
        help="a .csv or .parquet table (default: the shipped heart-disease table)",
    )
    data.add_argument("--target", metavar="COLUMN", help="the label column of --data")
    data.add_argument(
        "--dataset",
        choices=DATASETS,
        default=None,
        help="a shipped data set when there is no --data (default: heart_disease)",
    )
    data.add_argument(
        "--sep",
        default=None,
        metavar="CHAR",
        help="the column separator of a CSV --data (default: detected among , ; and tab)",
    )
    data.add_argument(
        "--decimal",
        default=None,
        choices=(".", ","),
        help="the decimal mark of a CSV --data (default: the one its numbers show, "
        "else ',' when the separator is ';')",
    )
    data.add_argument(
        "--na-values",
        action="append",
        default=[],
        metavar="MARK",
        help="cell values of a CSV --data that mean a missing value, e.g. '?' (repeatable, "
        "or comma-separated; empty cells, NA and n/a are missing already)",
    )
    data.add_argument(
        "--imbalance-ratio",
        type=float,
        default=None,
        metavar="RHO",
        help="imbalance ratio of --dataset digits_lt (default: 100)",
    )
    data.add_argument(
        "--drop",
        action="append",
        default=[],
        metavar="COL",
        help="leave out these columns of --data (repeatable, or comma-separated: a,b)",
    )
    evaluation = parser.add_argument_group("evaluation")
    evaluation.add_argument(
        "--methods",
        default=None,
        help="comma-separated method names (default: all, see below)",
    )
    evaluation.add_argument(
        "--folds",
        type=int,
        default=None,
        help=f"cross-validation folds of a table (default: {DEFAULT_FOLDS}); "
        "not with --dataset digits_lt, which has its own test set",
    )
    evaluation.add_argument(
        "--seeds",
        default="3",
        help=f"a number of seeds (0, 1, ...; at most {MAX_SEEDS}) or a comma list of seeds "
        "in [0, 2**32 - 1], e.g. 0,7 or 7, (default: 3)",
    )
    evaluation.add_argument(
        "--epochs",
        type=int,
        default=DEFAULT_EPOCHS,
        help=f"training epochs of the networks (default: {DEFAULT_EPOCHS}, the estimator's own)",
    )
    evaluation.add_argument(
        "--device",
        default="cpu",
        help="device of the networks: cpu, cuda, cuda:N or auto (default: cpu, fastest "
        "and bit-reproducible for small data)",
    )
    evaluation.add_argument(
        "--n-jobs", type=int, default=1, help="fits run in parallel by joblib (default: 1)"
    )
    evaluation.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run the fits on this Dask cluster (needs dask.distributed)",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--output",
        metavar="FILE",
        help="write per-fit rows, summary and settings: .json, or .csv with its settings "
        "beside it (r.csv: r.settings.json)",
    )
    out.add_argument("--plot", metavar="FILE", help="save a figure, e.g. results.png")
    out.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


# ---------------------------------------------------------------- option checks
def _parse_methods(text):

    valid = default_methods()
    if text is None:
        return valid
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise CompareError("--methods is empty; valid methods are: " + ", ".join(valid))
    missing = unavailable_methods()
    for name in names:
        if name in missing:
            raise CompareError(f"--methods {name}: its package is not installed: {missing[name]}")
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise CompareError(
            f"unknown method(s) {', '.join(map(repr, unknown))} in --methods; valid methods "
            f"are: {', '.join(valid)}"
        )
    return list(dict.fromkeys(names))  # drop repeats, keep the order


def _parse_seeds(text):
    """``"3"`` is three seeds 0, 1, 2; ``"0,7"`` (or ``"7,"``) the seeds themselves."""
    try:
        if "," in text:
            seeds = [int(s) for s in text.split(",") if s.strip()]
            if not seeds:
                raise ValueError
        else:
            n = int(text)
    except ValueError:
        raise CompareError(
            f"--seeds must be a number of seeds or a comma list of integers; got {text!r}"
        ) from None
    if "," in text:
        for seed in seeds:
            if not 0 <= seed <= MAX_SEED:
                raise CompareError(
                    f"--seeds {text!r}: a seed must be an integer in [0, {MAX_SEED}] "
                    f"(2**32 - 1); got {seed}"
                )
        repeated = sorted({seed for seed in seeds if seeds.count(seed) > 1})
        if repeated:
            # A seed twice would repeat its fits, count them twice in the means and pair
            # the wrong fits in the significance test.
            raise CompareError(
                f"--seeds {text!r} has repeats ({', '.join(map(str, repeated))}); give each "
                "seed once"
            )
        return seeds
    if n < 1:
        raise CompareError(f"--seeds must be at least 1; got {n}")
    if n > MAX_SEEDS:
        # Each seed repeats every fit; a large number is more likely meant as one seed.
        hint = f"; for the single seed {n}, write --seeds {n}," if n <= MAX_SEED else ""
        raise CompareError(
            f"--seeds {n} is a number of seeds: at most {MAX_SEEDS}, as each seed repeats "
            f"every fit{hint}"
        )
    return list(range(n))


def _check_options(args):
    if args.folds is not None and args.data is None and _dataset(args) == "digits_lt":
        raise CompareError(
            "--folds applies to cross-validation of a table; --dataset digits_lt is "
            "trained once per seed and scored on its own balanced test set"
        )
    if args.folds is None:
        args.folds = DEFAULT_FOLDS
    if args.folds < 2:
        raise CompareError(f"--folds must be at least 2; got {args.folds}")
    if args.epochs < 1:
        raise CompareError(f"--epochs must be at least 1; got {args.epochs}")
    if args.n_jobs == 0:
        raise CompareError("--n-jobs must not be 0 (1: no parallelism, -1: all cores)")
    if args.target is not None and args.data is None:
        raise CompareError("--target needs --data (the table it is a column of)")
    if args.data is not None and args.target is None:
        raise CompareError("--data needs --target COLUMN, the column holding the labels")
    if args.drop and args.data is None:
        raise CompareError("--drop needs --data (the table whose columns it drops)")
    for option in ("sep", "decimal", "na_values"):
        if getattr(args, option) and args.data is None:
            raise CompareError(f"--{option.replace('_', '-')} needs --data (the CSV file it reads)")
    if args.sep is not None and len(_unescape(args.sep)) != 1:
        raise CompareError(f"--sep must be one character, e.g. ';' or '\\t'; got {args.sep!r}")
    if args.sep is not None and args.decimal is not None and _unescape(args.sep) == args.decimal:
        raise CompareError(f"--sep and --decimal are both {args.decimal!r}; they must differ")
    if args.data is not None and args.dataset is not None:
        raise CompareError("--dataset names a shipped data set; give it or --data, not both")
    if args.imbalance_ratio is not None and (
        args.data is not None or _dataset(args) != "digits_lt"
    ):
        raise CompareError("--imbalance-ratio applies to --dataset digits_lt only")
    if args.imbalance_ratio is not None and not 1 <= args.imbalance_ratio <= 124:
        raise CompareError(f"--imbalance-ratio must be in [1, 124]; got {args.imbalance_ratio:g}")
    try:
        resolve_device(args.device)
    except ValueError as exc:
        raise CompareError(f"--device: {exc}") from None
    # Checked before the run, not after minutes of fitting.
    if args.output is not None:
        _check_writable(args.output, "--output")
        if Path(args.output).suffix.lower() not in (".csv", ".json"):
            raise CompareError(f"--output must end in .csv or .json; got {args.output!r}")
        if Path(args.output).suffix.lower() == ".csv":
            _check_settings_file(args.output)
        if args.data is not None:
            _check_not_data(args.output, args.data)
    if args.plot is not None:
        _check_writable(args.plot, "--plot")
        try:
            from matplotlib.backend_bases import FigureCanvasBase
        except ImportError:
            raise CompareError(
                "--plot needs matplotlib: pip install 'sklearn_imbalance_dl[plot]'"
            ) from None
        formats = FigureCanvasBase.get_supported_filetypes()
        suffix = Path(args.plot).suffix.lower().lstrip(".")
        if suffix not in formats:
            raise CompareError(
                f"--plot {args.plot!r}: unknown image format; use one of "
                f"{', '.join('.' + f for f in sorted(formats))}"
            )
        _check_plot_format(args.plot, suffix)
    if args.dask_scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise CompareError(
                "--dask-scheduler needs dask.distributed, which is not installed: "
                "pip install 'sklearn_imbalance_dl[dask]'"
            ) from None


def _check_plot_format(path, suffix):
    """Draw a small figure in the format of ``--plot``, in memory, before any fit.

    Some formats need more than matplotlib (.pgf runs LaTeX; the Pillow formats need
    Pillow; rcParams such as ``text.usetex`` need LaTeX for every format): a failure
    would otherwise come after all the fits.
    """
    import io

    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    axes = figure.subplots()
    axes.bar([0, 1], [0.5, 1.0], yerr=[0.1, 0.1], label="m")
    axes.set_title("t ± 1")
    figure.legend()
    try:
        figure.savefig(io.BytesIO(), format=suffix)
    except Exception as exc:
        raise CompareError(
            f"--plot {path!r}: matplotlib cannot write .{suffix} files here "
            f"({_first_line(f'{type(exc).__name__}: {exc}')}); "
            "use .png, .pdf or .svg"
        ) from None


def _dataset(args):
    return args.dataset or DATASETS[0]


def _unescape(sep):
    """``--sep '\\t'`` (a backslash and a t, as typed in a shell) is a tab."""
    return {"\\t": "\t", "tab": "\t"}.get(sep, sep)


def _check_not_data(output, data):
    """Refuse an ``--output`` that would overwrite the ``--data`` table (a CSV file)."""
    import os

    def same(path):
        return path.exists() and Path(data).exists() and os.path.samefile(path, data)

    if same(Path(output)):
        raise CompareError(
            f"--output {output!r} is the --data file: the results would overwrite the "
            "table; choose another name"
        )
    partial = partial_path(output)
    if same(partial):
        raise CompareError(
            f"--output {output!r}: an interrupted run writes its finished fits to "
            f"{str(partial)!r}, the --data file; choose another name"
        )


def _check_settings_file(output):
    """Refuse a CSV ``--output`` whose settings file (``r.settings.json``) is a folder."""

    beside = settings_path(output)
    if beside.is_dir():
        raise CompareError(
            f"--output {output!r}: its settings go beside it, to {str(beside)!r}, which is a "
            "folder; choose another name"
        )


def _check_writable(path, option):
    """Refuse, before any fit, an output path that cannot be written."""
    import os
    import tempfile

    target = Path(path)
    parent = target.parent
    if target.is_dir():
        raise CompareError(f"{option} {path!r} is a folder; give a file name in it")
    if not parent.is_dir():
        raise CompareError(f"{option} {path!r}: the folder {str(parent)!r} does not exist")
    if target.exists() and not os.access(target, os.W_OK):
        raise CompareError(f"{option} {path!r}: the file exists and is not writable")
    try:  # os.access alone misses read-only mounts and ACLs
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".compare-check-"):
            pass
    except OSError as exc:
        raise CompareError(
            f"{option} {path!r}: cannot write in the folder {str(parent)!r} "
            f"({exc.strerror or exc}); choose another place"
        ) from None


# ---------------------------------------------------------------- data
def _parse_names(values, columns=()):
    """A repeatable option's values, ``--drop a --drop b,c``, as ``["a", "b", "c"]``
    (repeats dropped); a value that is one of ``columns`` whole (``"date, UTC"``) is
    not split."""
    known = {c for c in columns if isinstance(c, str)}
    names = []
    for value in values or ():
        parts = [value] if value.strip() in known else value.split(",")
        names += [n.strip() for n in parts if n.strip()]
    return list(dict.fromkeys(names))


def _drop_option(columns):
    """The ``--drop`` option that leaves ``columns`` out, quoted for a shell."""
    names = [str(c) for c in columns]
    if any("," in n for n in names):  # one option each: a comma would split the name
        return " ".join(f"--drop {shlex.quote(n)}" for n in names)
    return f"--drop {shlex.quote(','.join(names))}"


def _number_pattern(decimal, group):
    """A number written with the ``decimal`` mark: grouped in thousands by ``group``
    (or a space), or ungrouped with an optional exponent ("1.5e-05", as pandas and R
    write small numbers; never after a group, so "1.530e-06" reads under "." only)."""
    groups = rf"[1-9]\d{{0,2}}(?:[{group} \u00a0\u202f]\d{{3}})+"
    fraction = rf"(?:{re.escape(decimal)}\d+)?"
    return rf"[+-]?(?:{groups}{fraction}|\d*{fraction}(?:(?<=\d)[eE][+-]?\d+)?)"


#: A number by decimal mark, and the characters that group its thousands ("2,840.80" /
#: "2.840,80"; spaces group thousands under either mark, so "12 345" decides neither).
#: A grouped number never starts with a group of 0: "0.205" and "0,125" are decimals.
_NUMBER_PATTERNS = {
    ".": (_number_pattern(".", ","), ", \u00a0\u202f"),
    ",": (_number_pattern(",", "."), ". \u00a0\u202f"),
}
_MARKS = (".", ",")


def _other(mark):
    return "," if mark == "." else "."


def _text_of(values):
    """The present values of a column as stripped text (Python strings: the patterns
    here are Python's, which pandas' Arrow-backed str dtype may not compile)."""
    return values.dropna().astype(str).astype(object).str.strip()


def _reads_under(text, mark):
    """Whether every value of ``text`` is a number written with the decimal ``mark``."""
    return bool(text.str.fullmatch(_NUMBER_PATTERNS[mark][0]).all())


def _as_numbers(values, decimal):
    """A text column as numbers if every value is one (thousands separators allowed).

    Tries the file's decimal mark first, then the other one; None when neither reads
    every value.
    """
    import pandas as pd

    text = _text_of(values)
    if len(text) == 0 or not text.str.contains(r"\d", regex=True).all():
        return None
    for mark in (decimal, _other(decimal)):
        if _reads_under(text, mark):
            cleaned = text.str.replace(f"[{_NUMBER_PATTERNS[mark][1]}]", "", regex=True)
            if mark == ",":
                cleaned = cleaned.str.replace(",", ".", regex=False)
            numbers = pd.to_numeric(cleaned, errors="coerce")
            if numbers.notna().all():
                return numbers.reindex(values.index)
    return None


def _file_decimal(raw, default, name):
    """The decimal mark of a file read as text (``raw``): one mark for the whole file.

    Columns that read as numbers under one mark only ("1.57", "0,125", "2,840.80")
    decide it; a column that reads under both ("3.185": 3.185 or 3185) follows them,
    or ``default`` when none decides. Columns deciding for both marks stop the run:
    which one the ambiguous columns follow is then the user's to say.
    """
    import pandas as pd

    # Every cell at once (one long Series): a file may have thousands of columns.
    n_rows, n_columns = raw.shape
    cells = pd.Series(raw.to_numpy(dtype=object).T.ravel())
    present = cells.notna().to_numpy()
    text = cells[present].astype(str).astype(object).str.strip().reset_index(drop=True)
    column = np.repeat(np.arange(n_columns), n_rows)[present]

    def in_every_cell(mask):
        failures = np.bincount(column, weights=~mask.to_numpy(bool), minlength=n_columns)
        return (failures == 0) & (np.bincount(column, minlength=n_columns) > 0)

    numbers = in_every_cell(text.str.contains(r"\d", regex=True))
    reads = {
        mark: numbers & in_every_cell(text.str.fullmatch(_NUMBER_PATTERNS[mark][0]))
        for mark in _MARKS
    }
    only = {}
    for mark in _MARKS:
        deciding = np.flatnonzero(reads[mark] & ~reads[_other(mark)])
        if len(deciding):
            first = deciding[0]
            values = text[column == first]
            marked = values[values.str.contains(r"[.,\s]", regex=True)]
            only[mark] = (raw.columns[first], (marked if len(marked) else values).iloc[0])
    if len(only) == 2:
        shown = ", ".join(
            f"{only[mark][0]!r} reads only with {mark!r} decimals ({only[mark][1]!r})"
            for mark in _MARKS
        )
        raise CompareError(
            f"{name} mixes decimal marks: {shown}; pass --decimal . or --decimal , to say "
            "which the file uses"
        )
    return next(iter(only), default)


def _header(path, sep):
    """The column names of a CSV file's first line, as written (pandas renames repeats)."""
    import csv

    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        return next((row for row in csv.reader(f, delimiter=sep) if row), [])


def _check_unique_names(names, name):
    """Refuse column names that repeat (spaces around them aside), naming them."""
    positions = {}
    for i, column in enumerate(names, start=1):
        key = column.strip() if isinstance(column, str) else column
        if key != "":  # unnamed columns (a trailing separator) are named by position
            positions.setdefault(key, []).append((i, column))
    repeated = [found for found in positions.values() if len(found) > 1]
    if repeated:
        listed = "; ".join(
            " and ".join(f"{column!r} (column {i})" for i, column in found) for found in repeated
        )
        raise CompareError(
            f"{name} has columns of the same name: {listed}; each would be read as a "
            "column of its own (a repeat of --target as a feature, leaking the labels): "
            "remove or rename the repeats"
        )


def read_csv(path, sep=None, decimal=None, na_values=()):
    """Read a CSV file as it comes: its separator and decimal mark, its numbers.

    Parameters
    ----------
    path : str or Path
    sep : str, default=None
        The column separator; None: detected among comma, semicolon and tab
        (``csv.Sniffer``), comma if undecided.
    decimal : {".", ","}, default=None
        The decimal mark; None: the mark of the columns that read as numbers under
        one mark only ("1.57", "0,5"), else "," when the separator is ";" (the
        spreadsheet convention of decimal-comma locales) and "." otherwise. One mark
        for the whole file: columns that read under both ("3.185") are read with it.
    na_values : sequence of str, default=()
        Cell values that mark a missing value (e.g. "?"), besides pandas' own
        ("", "NA", "n/a", ...).

    Returns
    -------
    df : DataFrame
        Text columns whose every value is a number, possibly with thousands
        separators ("2,840.80"; "2.840,80" or "2 840,80" with decimal ","), as numbers.
    sep, decimal : str
        The separator and decimal mark used.

    Raises
    ------
    CompareError
        Column names that repeat; columns that read only under "." and others only
        under "," when ``decimal`` is None.
    """
    import csv

    import pandas as pd

    if sep is None:
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            sample = f.read(64 * 1024)
        try:
            sep = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        except csv.Error:
            sep = ","
    sep = _unescape(sep)
    _check_unique_names(_header(path, sep), Path(path).name)
    options = dict(sep=sep, na_values=list(na_values) or None)
    if decimal is None:
        raw = pd.read_csv(path, dtype=str, **options)
        decimal = _file_decimal(raw, "," if sep == ";" else ".", Path(path).name)
    df = pd.read_csv(path, decimal=decimal, **options)
    for column in df.columns:
        # Text is object dtype under pandas 2, pandas' str dtype under pandas 3.
        if holds_text(df[column].dtype):
            numbers = _as_numbers(df[column], decimal)
            if numbers is not None:
                df[column] = numbers
    return df, sep, decimal


def _unsplit_hint(columns):
    """``" ...; pass --sep ';'"`` when the header looks like one unsplit field."""
    names = [str(c) for c in columns]
    if len(names) > 2:
        return ""
    counts = {sep: sum(name.count(sep) for name in names) for sep in (";", "\t", ",", "|")}
    sep, count = max(counts.items(), key=lambda item: item[1])
    if count == 0:
        return ""
    shown = "\\t" if sep == "\t" else sep
    return (
        f"; the header reads as {len(names)} column(s), so its fields seem separated by "
        f"{shown!r}: pass --sep '{shown}'"
    )


def _case_hint(name, columns):
    """``"; did you mean 'Class'?"`` when a column differs from ``name`` in case only."""
    same = [c for c in columns if isinstance(c, str) and c.casefold() == name.casefold()]
    return f"; did you mean {same[0]!r}?" if same else ""


def _headerless_hint(columns):
    """``"; ...add a header line..."`` when the names read like a row of data: at least
    half of them numbers, one with decimals (a header of years, 2019, 2020, is names)."""
    numbers = []
    for name in map(str, columns):
        try:
            numbers.append(float(name.strip()))
        except ValueError:
            pass
    if not numbers or 2 * len(numbers) < len(columns) or all(n.is_integer() for n in numbers):
        return ""
    return (
        f"; {len(numbers)} of them are numbers, as in a row of data: compare reads the "
        "first line as the column names, so add a header line naming the columns"
    )


def _useless_columns(X):
    """Columns without information: ``{column: why}`` (empty, or a single value)."""

    useless = {}
    for column in X.columns:
        values = X[column]
        if _nested(values):  # refused with the other kinds (_clean_features)
            continue
        if values.isna().all():
            useless[column] = "empty"
        elif not values.isna().any() and values.nunique() == 1:
            useless[column] = f"a single value, {plain_value(values.iloc[0])!r}"
    return useless


def load_table(path, target, folds, drop=(), sep=None, decimal=None, na_values=()):
    """Read ``path`` (.csv or .parquet) and split off ``target``, checking it for CV.

    CSV files are read by :func:`read_csv` (separator and decimal mark detected,
    thousands separators, ``na_values`` as missing); a target of codes written with
    leading zeros ("007") keeps its labels as text, which numbers would merge ("7").
    Spaces around column names are removed (the title says so), and ``target`` and
    ``drop`` name columns without them. Empty and constant columns are left out
    (named in ``left_out``). Refused, each with one line (:class:`CompareError`): a
    table without rows, column names that repeat, columns that look like dates,
    identifiers or free text (unless in ``drop``; a column of numbers but for a few
    cells, such as "?", or with a unit, is named as such), infinite values; and the
    label problems of cross-validation.

    Returns
    -------
    X : DataFrame
        The feature columns; text columns as ``category`` dtype.
    y : ndarray
    description : str
    left_out : dict
        The empty or constant columns left out, ``{column: why}``.
    """
    import pandas as pd

    path = Path(path)
    suffix = path.suffix.lower()
    # A folder is a Parquet data set: files of one table (Spark and Dask write them so,
    # in a folder named *.parquet, perhaps in partition subfolders).
    if path.is_dir():
        if not any(next(path.rglob(f"*{end}"), None) for end in (".parquet", ".pq")):
            raise CompareError(
                f"--data {str(path)!r} is a folder without Parquet files (*.parquet); give "
                "a .csv or .parquet file, or a folder of Parquet files"
            )
        suffix = ".parquet"
    if not path.exists():
        raise CompareError(f"--data: no such file: {str(path)!r}")
    if suffix != ".csv" and (sep is not None or decimal is not None or na_values):
        raise CompareError(
            f"--sep, --decimal and --na-values apply to CSV files; {path.name!r} is not one"
        )
    try:
        if suffix == ".csv":
            df, sep, decimal = read_csv(path, sep, decimal, na_values)
        elif suffix in (".parquet", ".pq"):
            # No arrow thread pool: pyarrow can abort at interpreter exit when its worker
            # threads are still alive; these tables are small.
            df = pd.read_parquet(path, use_threads=False)
            _check_unique_names(list(df.columns), path.name)
        else:
            raise CompareError(f"--data must be a .csv or .parquet file; got {path.name!r}")
    except CompareError:
        raise
    except ImportError as exc:
        if suffix == ".csv":
            raise CompareError(f"--data: cannot read {path.name!r}: {exc}") from None
        # pandas' message lists every engine it tried, over several lines.
        raise CompareError(
            f"--data: cannot read {path.name!r}: reading Parquet needs pyarrow "
            "(pip install pyarrow)"
        ) from None
    except UnicodeDecodeError as exc:
        raise CompareError(
            f"--data: {path.name!r} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
            f'position {exc.start}): save it as UTF-8 (a spreadsheet\'s "CSV UTF-8"), or '
            "read it with pandas.read_csv(..., encoding=...) and pass the table to "
            "sklearn_imbalance_dl.compare.run_comparison"
        ) from None
    except Exception as exc:  # a parser error is the user's file, not our bug
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CompareError(f"--data: cannot read {path.name!r}: {message}") from None
    # Spreadsheets leave spaces around names; names equal without them were refused
    # above, so removing them is safe and lets --target and --drop name them as seen.
    spaced = [c for c in df.columns if isinstance(c, str) and c != c.strip()]
    df = df.rename(columns={c: c.strip() for c in spaced})
    target = target.strip()
    columns = ", ".join(map(repr, df.columns))
    if target not in df.columns:
        raise CompareError(
            f"--target {target!r} is not a column of {path.name}; its columns are: "
            + columns
            + (
                _case_hint(target, df.columns)
                or _unsplit_hint(df.columns)
                or _headerless_hint(df.columns)
            )
        )
    if len(df) == 0:
        raise CompareError(f"{path.name} has no rows (only its header); nothing to compare")
    drop = _parse_names(drop, df.columns)
    unknown = [c for c in drop if c not in df.columns]
    if unknown:
        raise CompareError(
            f"--drop {', '.join(map(repr, unknown))}: not a column of {path.name}; its "
            "columns are: " + columns + "".join(_case_hint(c, df.columns) for c in unknown)
        )
    if target in drop:
        raise CompareError(f"--drop {target!r} is the --target column")
    X = df.drop(columns=[target, *drop])
    left_out = _useless_columns(X)
    X = X.drop(columns=list(left_out))
    if X.shape[1] == 0:
        raise CompareError(
            f"{path.name} has no feature column besides the target {target!r}"
            + (
                f" (left out: {', '.join(map(repr, left_out))}, empty or constant)"
                if left_out
                else ""
            )
        )
    y = df[target]
    missing = int(y.isna().sum())
    if missing:
        marks = _missing_marks(path, sep, target, y.isna().to_numpy()) if suffix == ".csv" else []
        written, rename = "", ""
        if marks:
            written = f" (cells {', '.join(map(repr, marks))}, read as a missing value)"
            rename = ", or rename a class written so in the file"
        raise CompareError(
            f"{missing} row(s) of {path.name} have no value in the target column {target!r}"
            f"{written}; drop or fill them{rename}"
        )
    if suffix == ".csv" and pd.api.types.is_numeric_dtype(y):
        codes = _codes(path, sep, target, na_values)
        y = y if codes is None else codes
    y = _labels(y, target)
    as_categories = _check_almost_numbers(X, decimal or ".", path.name)
    X, y, description = _check_table(X, y, path.name, folds, target)
    if suffix == ".csv" and (sep, decimal) != (",", "."):
        shown = "tab" if sep == "\t" else repr(sep)
        description = description.replace(": ", f" (separator {shown}, decimal {decimal!r}): ", 1)
    if spaced:
        description += f"; spaces removed around column names: {', '.join(map(repr, spaced))}"
    if as_categories:
        listed = ", ".join(f"{column!r} ({what})" for column, what in as_categories.items())
        description += f"; read as categories, though they hold numbers: {listed}"
    if left_out:
        description += f"; left out (empty or constant): {', '.join(map(str, left_out))}"
    if drop:
        description += f"; dropped: {', '.join(map(str, drop))}"
    return X, y, description, left_out


def _codes(path, sep, target, na_values):
    """The ``target`` column of a CSV file as its text when it holds whole numbers some
    written with leading zeros ("007"), else None. Read as numbers, "007" and "7" would
    be one class. The spaces around a cell, which the numbers ignore, are removed."""
    import pandas as pd

    text = pd.read_csv(
        path,
        sep=sep,
        dtype=str,
        na_values=list(na_values) or None,
        usecols=lambda column: column.strip() == target,
    ).iloc[:, 0]
    text = text.str.strip()
    # Decimals ("0.5", "07") stay numbers: such a target is refused as a regression one.
    if text.str.fullmatch(r"[+-]?\d+").all() and text.str.fullmatch(r"[+-]?0\d+").any():
        return text
    return None


def _missing_marks(path, sep, target, missing):
    """The text of the ``target`` cells of a CSV file that were read as missing values
    (``missing``, a mask of its rows): "None", "NA", "null" are pandas' marks of a
    missing value, though a file may mean them as a label. Empty cells are left out."""
    import pandas as pd

    text = pd.read_csv(
        path,
        sep=sep,
        dtype=str,
        keep_default_na=False,
        usecols=lambda column: column.strip() == target,
    ).iloc[:, 0]
    if len(text) != len(missing):
        return []
    marks = text[missing].str.strip()
    return list(dict.fromkeys(marks[marks != ""]))


_STORED_AS_TEXT = "numbers stored as text"


def _almost_numbers(values, decimal):
    """What keeps a text column of numbers from reading as numbers: ``(what, marks)``.

    ``what`` is ``"numbers except in 2 cells ('?')"``, with ``marks`` the text of those
    cells (a mark of missing values: "?" in UCI's files), ``"numbers with a unit
    ('75.8%')"`` or ``"numbers stored as text ('52.34')"`` (a Parquet string column), with
    ``marks`` empty; None for a column of other text.
    """
    text = _text_of(values)
    if len(text) == 0:
        return None
    pattern = _NUMBER_PATTERNS[decimal][0]
    numeric = text.str.fullmatch(pattern) & text.str.contains(r"\d", regex=True)
    if numeric.all():
        return f"{_STORED_AS_TEXT} ({text.iloc[0]!r})", []
    others = text[~numeric]
    marks = others.unique().tolist()
    if numeric.mean() >= 0.5 and 0 < len(marks) <= 3:
        cells = f"{len(others)} cell{'s' * (len(others) != 1)}"
        return f"numbers except in {cells} ({', '.join(map(repr, marks))})", marks
    # A unit after the number ("75.8%", "12 kg") or a sign before it ("$12"); letters
    # before digits are a code ("C0042"), not a unit.
    parts = text.str.extract(rf"^([^\w\s]*?)\s*({pattern})\s*(\D*)$")
    if parts[1].notna().all() and parts[1].str.contains(r"\d", regex=True).all():
        unit = parts[0].iloc[0] + parts[2].iloc[0]
        if unit and parts[0].nunique() == 1 and parts[2].nunique() == 1:
            return f"numbers with a unit ({text.iloc[0]!r})", []
    return None


def _check_almost_numbers(X, decimal, name):
    """Refuse, saying what is wrong, the columns of numbers that a few cells ("?") or a
    unit ("%") made text, when that text would be refused as an identifier, a date or
    free text: the fix is in the file (or --na-values), not --drop. The others are read
    as categories: returns ``{column: what keeps it from reading as numbers}``."""

    almost = {}
    for column in X.columns:
        values = X[column]
        text = is_object_or_string(values)
        # Not numbers held as objects (Parquet's DECIMAL), which are read as numbers.
        if text and not _nested(values) and column_kind(values) == "categorical":
            found = _almost_numbers(values, decimal)
            if found is not None:
                almost[column] = found
    if not almost:
        return {}
    kinds = _column_kinds(X[list(almost)])
    suspects = {**kinds["date"], **kinds["identifier"], **kinds["text"]}
    refused = [column for column in almost if column in suspects]
    if not refused:
        return {column: found[0] for column, found in almost.items()}
    listed = "; ".join(f"{column!r} holds {almost[column][0]}" for column in refused)
    marks = list(dict.fromkeys(m for column in refused for m in almost[column][1]))
    advice = []
    if marks:
        advice.append(
            f"leave missing cells empty, or name their mark: --na-values '{','.join(marks)}'"
        )
    as_text = [column for column in refused if almost[column][0].startswith(_STORED_AS_TEXT)]
    if as_text:
        advice.append("store the numbers as numbers (e.g. pandas.to_numeric before writing)")
    if any(not almost[column][1] and column not in as_text for column in refused):
        advice.append("write the numbers without their unit")
    raise CompareError(
        f"column(s) of {name} that hold numbers but read as text: {listed}; "
        f"{'; '.join(advice)} (or leave the column(s) out with {_drop_option(refused)})"
    )


def _check_table(X, y, name, folds, target="label"):
    """The class checks of cross-validation and the feature checks; ``(X, y, description)``."""
    classes, counts = np.unique(y, return_counts=True)
    if classes.shape[0] < 2:
        raise CompareError(
            f"the target column {target!r} has a single class ({plain_value(classes[0])!r}); "
            "a comparison needs at least 2 classes"
        )
    try:
        check_classes_for_folds(y, folds, "--folds")
    except ValueError as error:
        raise CompareError(str(error).rstrip(".")) from None
    X, kinds = _clean_features(X, name)
    order = np.argsort(-counts, kind="stable")
    labels = classes.tolist()  # plain Python values: 0, not np.int64(0)
    shown = ", ".join(f"{labels[i]!r}: {counts[i]}" for i in order[:MAX_SHOWN_CLASSES])
    shown += ", ..." if len(classes) > MAX_SHOWN_CLASSES else ""
    description = (
        f"{name}: {len(y)} rows, {X.shape[1]} features ({kinds['categorical']} "
        f"categorical, {kinds['numeric']} numeric); "
        f"target {target!r}, {len(classes)} classes ({shown})"
    )
    return X, y, description


def _labels(y, target):
    """Labels as a numpy array; integral floats (a CSV quirk) become ints."""
    import pandas as pd

    if pd.api.types.is_float_dtype(y):
        if not np.all(np.mod(y.to_numpy(), 1) == 0):
            raise CompareError(
                f"the target column {target!r} holds non-integer numbers, which looks like "
                "a regression target; compare needs class labels"
            )
        y = y.astype(np.int64)
    if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
        # Whole numbers most of them distinct (prices, counts): a measurement, not classes.
        n_distinct = y.nunique()
        if n_distinct > MAX_SHOWN_CLASSES and n_distinct > len(y) / 2:
            raise CompareError(
                f"the target column {target!r} holds {n_distinct} distinct numbers in "
                f"{len(y)} rows, which looks like a regression target; compare needs "
                "class labels"
            )
    if pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return y.to_numpy()
    # Strings (or mixed objects) compared as strings, so that np.unique can sort them.
    labels = y.astype(str).to_numpy()
    by_stripped = {}
    for label in np.unique(labels).tolist():
        by_stripped.setdefault(label.strip(), []).append(label)
    spaced = [variants for variants in by_stripped.values() if len(variants) > 1]
    if spaced:
        raise CompareError(
            f"the target column {target!r} has labels that differ only by spaces around "
            f"them ({', '.join(map(repr, spaced[0]))}), which would be different classes; "
            "strip them in the file"
        )
    return labels


def _clean_features(X, name):
    """Count the categorical and numeric columns; refuse what the encoding would ruin.

    Dates, identifiers and free text (by :func:`~._runner._column_kinds`, the one rule),
    columns of other non-numeric dtypes, and infinite values (which the imputer does
    not fill and the scaler turns into NaN at predict time) stop the run.
    """
    import pandas as pd

    kinds = _column_kinds(X)
    suspects = {**kinds["date"], **kinds["identifier"], **kinds["text"]}
    if suspects:
        listed = "; ".join(f"{column!r}: {what}" for column, what in suspects.items())
        example = " (e.g. a date as its month or day of week)" if kinds["date"] else ""
        raise CompareError(
            f"column(s) of {name} that one-hot encoding or scaling would turn into noise: "
            f"{listed}; leave them out with {_drop_option(suspects)}, or encode them "
            f"first{example}"
        )
    others = kinds["other"]
    if others:
        unsupported = ", ".join(
            f"{column!r} ({_nested(X[column]) or X[column].dtype})" for column in others
        )
        raise CompareError(
            f"columns of {name} that are neither numeric nor categorical: "
            f"{unsupported}; convert them or leave them out with {_drop_option(others)}"
        )
    infinite = []
    for column in kinds["numeric"]:
        where = np.flatnonzero(np.isinf(X[column].to_numpy(dtype=float, na_value=np.nan)))
        if where.size:
            infinite.append(
                f"{column!r} ({where.size} value{'s' * (where.size != 1)}, first in data "
                f"row {where[0] + 1})"
            )
    if infinite:
        raise CompareError(
            f"infinite values in column(s) of {name}: {', '.join(infinite)}; replace them by "
            "numbers, or leave the cells empty (missing values are imputed), or --drop the "
            "column(s)"
        )
    # Text columns as categories: the dtype that says "categorical" to every method.
    text = [c for c in kinds["categorical"] if not pd.api.types.is_bool_dtype(X[c])]
    X = X.astype({c: "category" for c in text if not isinstance(X[c].dtype, pd.CategoricalDtype)})
    return X, {"categorical": len(kinds["categorical"]), "numeric": len(kinds["numeric"])}


# ---------------------------------------------------------------- run
def run(args):
    """Run ``compare`` with parsed ``args``; return the exit status.

    0: success; 2: a usage or data error (one line on stderr); 130: interrupted by
    Ctrl-C (one line on stderr saying what was kept).
    """
    try:
        return _run(args)
    except CompareError as exc:
        print(f"{_PREFIX} error: {exc}", file=sys.stderr)
        return 2
    except _Interrupted as exc:
        print(f"{_PREFIX} {exc}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:  # before the fits, or while reporting them
        print(f"{_PREFIX} interrupted (Ctrl-C)", file=sys.stderr)
        return EXIT_INTERRUPTED


def partial_path(output):
    """Where the fits of an interrupted run go: ``results.csv`` -> ``results.partial.csv``."""
    output = Path(output)
    return output.with_name(f"{output.stem}.partial{output.suffix}")


def _keep_partial(interrupt, args, recorded):
    """Write the finished fits of ``interrupt`` next to ``--output``; the one-line report.

    ``recorded``: what the saved settings say of the data (:func:`_recorded`).
    """

    results = interrupt.results
    results.attrs = {**recorded, **results.attrs}
    said = f"interrupted (Ctrl-C) after {len(results)} of {interrupt.n_fits} fits"
    if args.output is None:
        return f"{said}; nothing written (with --output the finished fits are kept)"
    if len(results) == 0:
        return f"{said}; nothing written"
    summary = summarise(results)
    path = partial_path(args.output)
    try:
        write_results(results, summary, path)
    except OSError as exc:
        # A full disk, or a folder of that name: still one line, and the fits kept if
        # the temporary folder takes them.
        fallback = partial_path(_fallback_path(path.suffix))
        said += f"; cannot write {path} ({exc.strerror or exc})"
        try:
            write_results(results, summary, fallback)
        except OSError:
            return f"{said}, nor {fallback}: nothing written"
        path = fallback
    return f"{said}; the finished fits are in {path} (partial), {args.output} not written"


def _remove_partial(output):
    """Remove what an interrupted run left for ``output``, which a complete run has written."""

    partial = partial_path(output)
    if not partial.exists():
        return
    try:
        for path in (partial, settings_path(partial)):
            path.unlink(missing_ok=True)
    except OSError as exc:
        print(
            f"{_PREFIX} note: could not remove {partial}, the fits of an interrupted run "
            f"({exc.strerror or exc}); {output} has this run's complete results",
            file=sys.stderr,
        )
        return
    say(f"removed {partial} (the fits of an interrupted run; {output} has this complete run's)")


def _write(write, path, option, other_suffix=None):
    """Write with ``write(path)``; if that fails, to a file in the temporary folder.

    ``write`` returns the files it wrote (None: ``path`` alone). The fallback has the
    suffix of ``path``, or ``other_suffix`` when the failure was not the file's (an
    image format that could not be drawn). Returns the status (0, or 1 when ``path``
    was not written).
    """
    try:
        written = write(path) or [path]
    except Exception as exc:
        if isinstance(exc, OSError):
            reason, suffix = exc.strerror or str(exc), Path(path).suffix
        else:
            reason = _first_line(f"{type(exc).__name__}: {exc}")
            suffix = other_suffix
        said = f"{_PREFIX} error: cannot write {option} {str(path)!r} ({reason})"
        if suffix is None:
            print(f"{said}; nothing written", file=sys.stderr)
            return 1
        fallback = _fallback_path(suffix)
        try:
            written = write(fallback) or [fallback]
        except Exception:
            print(f"{said}; nor could it be written to {fallback}", file=sys.stderr)
            return 1
        print(f"{said}; written to {' and '.join(map(str, written))} instead", file=sys.stderr)
        return 1
    say(f"wrote {' and '.join(map(str, written))}")
    return 0


def _fallback_path(suffix):
    """A file in the temporary folder, named by the time, for an output that could not
    be written where it was asked for."""
    import tempfile

    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path(tempfile.gettempdir()) / f"sklearn-imbalance-dl-compare-{stamp}{suffix}"


def _write_output(results, summary, output):
    """Write the results of a complete run to ``--output`` (or the fallback file), and
    remove what an interrupted run left for it; the status of :func:`_write`."""

    unwritten = _write(lambda path: write_results(results, summary, path), output, "--output")
    if not unwritten:
        _remove_partial(output)
    return unwritten


def _imbalance_ratio(args):
    return 100 if args.imbalance_ratio is None else args.imbalance_ratio


def _sha256(path):
    """The SHA-256 of a file, or of a folder's files (with their names) in name order."""
    import hashlib

    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode())
        with open(file, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _recorded(args, title):
    """What ``--output`` records of the data, beside the settings of the run: the title
    of the table, and the data: the ``--data`` file (its full path, and its SHA-256 to
    tell later whether it changed) with the options that read it, or the shipped set."""
    if args.data is None:
        data = {"dataset": _dataset(args)}
        if data["dataset"] == "digits_lt":
            data["imbalance_ratio"] = _imbalance_ratio(args)
    else:
        path = Path(args.data).resolve()
        data = {
            "file": str(path),
            "sha256": _sha256(path),
            "target": args.target,
            "sep": None if args.sep is None else _unescape(args.sep),  # None: detected
            "decimal": args.decimal,
            "na_values": args.na_values,
            "drop": args.drop,
        }
    return {"title": title, "data": data}


def _load_dataset(args, seeds):
    """``(data, title, options)`` of the shipped data set or of ``--data``."""
    protocol = f"stratified {args.folds}-fold cross-validation x {len(seeds)} seed(s)"
    if args.data is None and _dataset(args) == "digits_lt":
        ratio = _imbalance_ratio(args)
        X_train, y_train, X_test, y_test = load_digits_lt(imbalance_ratio=ratio)
        counts = np.bincount(y_train).tolist()
        title = (
            f"Long-tailed digits, imbalance ratio {ratio:g}: train {len(y_train)} "
            f"(digits 0-9: {', '.join(map(str, counts))}), balanced test {len(y_test)} "
            f"({len(y_test) // 10} per digit); {len(seeds)} seed(s), {args.epochs} epochs"
        )
        return (
            (X_train, y_train, X_test, y_test),
            title,
            dict(shot_thresholds=DIGITS_SHOT_THRESHOLDS),
        )
    if args.data is None:
        X, y = load_heart_disease()
        X, y, description = _check_table(X, y, "heart_disease_cleveland.csv", args.folds, "num")
        description = description.replace(
            "heart_disease_cleveland.csv:", "Heart disease (Cleveland, UCI, CC BY 4.0):", 1
        )
    else:
        X, y, description, left_out = load_table(
            args.data, args.target, args.folds, args.drop, args.sep, args.decimal, args.na_values
        )
        if left_out:
            listed = ", ".join(f"{column!r} ({why})" for column, why in left_out.items())
            print(
                f"{_PREFIX} note: left out of {Path(args.data).name}, no information: {listed}",
                file=sys.stderr,
            )
    title = f"{description}\n{protocol}, {args.epochs} epochs"
    # run_comparison's preprocessor="auto" encodes the DataFrame for the non-deep rows.
    return (X, y), title, dict(cv=args.folds)


def _run(args):

    methods = _parse_methods(args.methods)
    seeds = _parse_seeds(args.seeds)
    args.drop = [v for v in args.drop or () if v.strip()]  # split once the columns are known
    args.na_values = _parse_names(args.na_values)
    _check_options(args)

    options = dict(
        methods=methods,
        seeds=seeds,
        epochs=args.epochs,
        device=args.device,
        n_jobs=args.n_jobs,
        dask_scheduler=args.dask_scheduler,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    data, title, data_options = _load_dataset(args, seeds)
    options.update(data_options)
    recorded = _recorded(args, title) if args.output is not None else {}

    start = time.perf_counter()
    try:
        # The methods' warnings (one per method and message) become note lines, not
        # Python's warning output with a source line of the program.
        with warnings.catch_warnings(record=True) as caught:
            # Reported once per method, under the table, instead of a warning per fit.
            warnings.simplefilter("ignore", FitFailedWarning)
            try:
                results = run_comparison(*data, **options)
            finally:
                for warning in caught:
                    print(f"{_PREFIX} note: {warning.message}", file=sys.stderr)
    # Dask missing, unreachable, or its address unreadable.
    except (ImportError, ConnectionError, SchedulerAddressError) as exc:
        raise CompareError(str(exc)) from None
    except ComparisonInterrupted as exc:
        raise _Interrupted(_keep_partial(exc, args, recorded)) from None
    except ComparisonFitError as exc:  # every fit failed: no table to print
        results = exc.results
        first = results[results["error"] != ""].iloc[0]
        written = False
        if args.output is not None:  # written first, so that the error line can name it
            results.attrs = {**recorded, **results.attrs}
            written = not _write_output(results, summarise(results), args.output)
        print(
            f"{_PREFIX} error: every fit failed ({exc.n_fits} of "
            f"{exc.n_fits}); the first, {exc.method} (seed {exc.seed}, fold {exc.fold}): "
            f"{_first_line(first['error'])}"
            + (f"; {args.output} has each fit's error" if written else ""),
            file=sys.stderr,
        )
        return 1
    elapsed = time.perf_counter() - start
    results.attrs = {**recorded, **results.attrs}  # what was compared first, for a reader
    summary = summarise(results)
    notes = collect_notes(results)
    if args.methods is None:
        notes += [
            f"{method}: not run, its package is not installed ({how})"
            for method, how in unavailable_methods().items()
        ]
    say(format_table(summary, title=title, notes=notes, results=results))
    where = (
        f"Dask at {args.dask_scheduler}"
        if args.dask_scheduler is not None
        else f"n_jobs={args.n_jobs}"
    )
    say(f"{len(results)} fits in {elapsed:.1f} s ({where})")
    status = 0
    failed = summary.loc[summary["n_failed"] > 0, ["method", "n_failed"]]
    if len(failed):
        listed = ", ".join(f"{m}: {n}" for m, n in zip(failed["method"], failed["n_failed"]))
        print(
            f"{_PREFIX} error: {failed['n_failed'].sum()} of {len(results)} "
            f"fits failed ({listed}); the table lists such methods last, unranked"
            + (f"; {args.output} has each fit's error" if args.output else ""),
            file=sys.stderr,
        )
        status = 1
    if args.output is not None:
        status |= _write_output(results, summary, args.output)
    if args.plot is not None:

        def draw(path):  # the figure plot_results returns is not a list of files written
            plot_results(summary, path, title=title)

        status |= _write(
            draw,
            args.plot,
            "--plot",
            other_suffix=".png",
        )
    return status
