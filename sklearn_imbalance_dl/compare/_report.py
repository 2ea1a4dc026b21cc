"""Presenting a comparison: the terminal table, the output files and the figure."""

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._console import shown_width
from .._validation import plain_value
from ..metrics import shot_groups
from ._runner import METRICS, SHOT_METRICS, protocol_from_folds

__all__ = ["format_table", "margin_line", "plot_results", "write_results"]

HEADERS = {
    "balanced_accuracy": "bal. acc",
    "macro_f1": "macro-F1",
    "g_mean": "G-mean",
    "minority_recall": "min. recall",
    "many": "many",
    "medium": "medium",
    "few": "few",
}
#: File extensions :func:`write_results` understands.
OUTPUT_FORMATS = (".csv", ".json")


def _metrics_of(summary):
    return [m for m in METRICS + SHOT_METRICS if f"{m}_mean" in summary.columns]


def _check_summary(summary, caller):
    """Refuse anything but the output of ``summarise`` (one row per method)."""
    needed = ("method", "n_fits", "balanced_accuracy_mean")
    if not isinstance(summary, pd.DataFrame) or any(c not in summary.columns for c in needed):
        columns = list(summary.columns)[:8] if isinstance(summary, pd.DataFrame) else None
        what = f"a table with the columns {columns}" if columns is not None else repr(summary)
        raise ValueError(
            f"{caller} takes the output of summarise(results): one row per method, with "
            f"'n_fits' and '<metric>_mean' columns; got {what}. For the fits of "
            "run_comparison, pass summarise(results)."
        )
    if len(summary) == 0:
        raise ValueError(f"{caller}: the summary has no methods.")


def _n_failed(summary):
    """Failed fits per summary row (0 where the summary has no ``n_failed`` column)."""
    if "n_failed" not in summary.columns:
        return pd.Series(0, index=summary.index)
    return summary["n_failed"].fillna(0).astype(int)


def _n_fits(summary):
    """Fits per summary row, as integers (a summary read back from a CSV has floats)."""
    return summary["n_fits"].fillna(0).astype(int)


def _spread(summary, results):
    """What the fits of a row vary over, or None when the summary does not say (one
    read back from a file has no ``attrs``; its fits' folds may tell)."""
    protocol = summary.attrs.get("protocol")
    if protocol is None and results is not None:
        protocol = protocol_from_folds(results)
    if protocol is None:
        return None
    return "seeds" if protocol == "holdout" else "seeds x folds"


# Decimals of the table's scores; the margin line reads the means as the table shows them.
_DECIMALS = 3


def _cell(mean, std):
    if math.isnan(mean):
        return "-"
    if math.isnan(std):  # a single fit has no spread
        return f"{mean:.{_DECIMALS}f}"
    return f"{mean:.{_DECIMALS}f} ± {std:.{_DECIMALS}f}"


def describe_groups(classes, counts, shot_thresholds, folds=None):
    """One line naming the many/medium/few-shot classes (:func:`~..metrics.shot_groups`).

    ``counts`` are the training counts of the classes. With ``folds`` (stratified k-fold
    cross-validation), they are those of the whole data, and the groups are those of the
    training folds, which the fits score: a class of n samples has n - ceil(n / k) or
    n - floor(n / k) of them in a training fold, and a class in a group in some folds
    only is named there with ``in some folds``.
    """
    many, few = shot_thresholds
    if folds is None:
        variants = [counts]
    else:
        variants = [[n - math.ceil(n / folds) for n in counts], [n - n // folds for n in counts]]
    grouped = [
        {
            group: members.tolist()
            for group, members in shot_groups(
                dict(zip(classes, variant)), many_threshold=many, few_threshold=few
            ).items()
        }
        for variant in variants
    ]
    names = {
        "many": f"many-shot: > {many} training samples",
        "medium": f"medium: {few}-{many}",
        "few": f"few-shot: < {few}",
    }
    parts = []
    for group, name in names.items():
        members = [
            f"{c}{'' if all(c in g[group] for g in grouped) else ' in some folds'}"
            for c in classes
            if any(c in g[group] for g in grouped)
        ]
        parts.append(f"{name} (classes {', '.join(members) or 'none'})")
    return "; ".join(parts)


def margin_line(summary, results=None):
    """One line: the winner's margin in balanced accuracy over the best row of the other kind.

    Deep rows are networks (``summary.attrs["deep"]``, set by
    :func:`~sklearn_imbalance_dl.compare.run_comparison`); the others are the rivals a
    user would pick without this library (gradient boosting, random forests,
    logistic regression). Methods with a failed fit (``n_failed``) take no part. The
    margin is that of the means as :func:`format_table` shows them (3 decimals): two
    rows shown equal give ``No winner``. With
    the fits of a cross-validation (``results``), the line adds the corrected resampled
    t-test (:func:`~.corrected_ttest`, Nadeau and Bengio 2003) of the two rows'
    balanced accuracies, paired by (seed, fold): the p-value and whether the
    difference is significant at 5 %. On a single test set (the
    hold-out protocol) the splits do not vary, so no test is made and the line says so.

    Parameters
    ----------
    summary : DataFrame
        The output of :func:`~sklearn_imbalance_dl.compare.summarise`.
    results : DataFrame, default=None
        The output of :func:`~sklearn_imbalance_dl.compare.run_comparison`, for the test.

    Returns
    -------
    line : str or None
        None when there are no deep rows, or no other rows, or no ``deep`` attribute.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_imbalance_dl.compare import margin_line
    >>> summary = pd.DataFrame({"method": ["arb", "hgb"],
    ...                         "balanced_accuracy_mean": [0.823, 0.802],
    ...                         "balanced_accuracy_std": [0.006, 0.004]})
    >>> summary.attrs["deep"] = {"arb": True, "hgb": False}
    >>> margin_line(summary)
    'Winner: arb, +2.1 points of balanced accuracy over the best non-deep method (hgb)'
    """
    deep = summary.attrs.get("deep")
    complete = summary[_n_failed(summary) == 0]
    if not deep or len(complete) == 0:
        return None
    is_deep = complete["method"].map(lambda m: bool(deep.get(m, False)))
    if is_deep.all() or not is_deep.any():
        return None
    # The summary is sorted best first: the first row of each kind is its best.
    best_deep = complete[is_deep].iloc[0]
    best_other = complete[~is_deep].iloc[0]
    # The gap between the means as the table shows them, so that the line and the table
    # agree: rows shown equal tie, whatever their order.
    shown_deep, shown_other = (
        round(float(row["balanced_accuracy_mean"]), _DECIMALS) for row in (best_deep, best_other)
    )
    gap = 100 * (shown_deep - shown_other)
    if gap == 0:  # the row order alone would name a winner
        return (
            f"No winner: {best_deep['method']} and the best non-deep method "
            f"({best_other['method']}) tie on balanced accuracy"
        )
    if is_deep.iloc[0]:
        line = (
            f"Winner: {best_deep['method']}, {gap:+.1f} points of balanced accuracy over the "
            f"best non-deep method ({best_other['method']})"
        )
        winner, other = best_deep["method"], best_other["method"]
    else:
        line = (
            f"Winner: {best_other['method']} (non-deep); the best deep method, "
            f"{best_deep['method']}, is {abs(gap):.1f} points of balanced accuracy behind"
        )
        winner, other = best_other["method"], best_deep["method"]
    if results is None:
        return line
    if summary.attrs.get("protocol", "holdout") == "holdout":
        return line + " (one fixed test set: no significance test)"
    test = paired_test(results, winner, other)
    if test is None:
        return line
    verdict = (
        "significant at 5 %" if test.pvalue < 0.05 else "not significant at 5 %: no clear winner"
    )
    return (
        f"{line}; corrected resampled t-test over {test.df + 1} paired fits: "
        f"{_pvalue(test.pvalue)}, {verdict}"
    )


def _pvalue(p):
    """``p = 0.012``, or ``p < 0.001`` below three decimals."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def paired_test(results, method_a, method_b, metric="balanced_accuracy"):
    """:func:`~.corrected_ttest` of two methods' ``metric``, paired by (seed, fold).

    Only the splits both methods finished count (an interrupted run has gaps). None
    with fewer than 2 pairs.
    """
    from ._stats import corrected_ttest

    keys = ["seed", "fold"]
    a = results.loc[results["method"] == method_a, keys + [metric, "n_train", "n_test"]]
    b = results.loc[results["method"] == method_b, keys + [metric]]
    pairs = a.merge(b, on=keys, suffixes=("_a", "_b")).dropna()
    if len(pairs) < 2:
        return None
    return corrected_ttest(
        pairs[f"{metric}_a"],
        pairs[f"{metric}_b"],
        n_train=pairs["n_train"].mean(),
        n_test=pairs["n_test"].mean(),
    )


def format_table(summary, *, title=None, notes=(), results=None):
    """The summary as an aligned plain-text table, best balanced accuracy first.

    Parameters
    ----------
    summary : DataFrame
        The output of :func:`~sklearn_imbalance_dl.compare.summarise`.
    title : str, default=None
        First line(s), e.g. the data and protocol.
    notes : iterable of str, default=()
        Printed under the table (adjustments made by the methods, e.g. SMOTE's).
        Before them, the winner's margin over the best row of the other kind
        (:func:`margin_line`), when the summary has both deep and non-deep rows, and
        a ``failed:`` line per method with failed fits. Such a method is listed after
        the others without a rank (``-``), with a ``failed`` column.
    results : DataFrame, default=None
        The fits (:func:`~sklearn_imbalance_dl.compare.run_comparison`): with them the
        margin line gives the significance of the difference, and a ``failed:`` line
        the first error of the method.

    Returns
    -------
    table : str
    """
    _check_summary(summary, "format_table")
    attrs = summary.attrs
    metrics = _metrics_of(summary)
    n_fits = _n_fits(summary)
    lines = [title] if title else []
    spread = _spread(summary, results)
    failed = _n_failed(summary)
    fewer = ", fewer where fits failed" if failed.any() else ""
    lines.append(
        f"mean ± std over {n_fits.max()} fits{f' ({spread})' if spread else ''}{fewer}; sorted by "
        "balanced accuracy; min. recall = recall of the rarest training class; "
        "fit s = seconds per fit"
    )
    if "many" in metrics and attrs.get("shot_thresholds") is not None:
        protocol = attrs.get("protocol") or ""
        # Cross-validated: the groups of the training folds, not of the whole data.
        folds = int(protocol.split("-")[0]) if protocol.endswith("-fold") else None
        lines.append(
            describe_groups(
                attrs["classes"], attrs["class_counts"], attrs["shot_thresholds"], folds
            )
        )
    header = ["#", "method"] + [HEADERS[m] for m in metrics] + ["fit s"]
    if failed.any():
        header.append("failed")
    rows = []
    ranked, rank, shown_before = 0, 0, None
    for (_, row), n_failed, n in zip(summary.iterrows(), failed, n_fits):
        # A method with failed fits was not scored on every split: no rank. Rows whose
        # balanced accuracy reads the same share a rank (1, 2, 2, 4), as the margin line
        # calls them a tie.
        if n_failed == 0:
            ranked += 1
            shown = _cell(row["balanced_accuracy_mean"], math.nan)
            rank = rank if shown == shown_before else ranked
            shown_before = shown
        cells = (
            [str(rank) if n_failed == 0 else "-", row["method"]]
            + [_cell(row[f"{m}_mean"], row[f"{m}_std"]) for m in metrics]
            + ["-" if math.isnan(row["fit_time_mean"]) else f"{row['fit_time_mean']:.2f}"]
        )
        if failed.any():
            cells.append(f"{n_failed} of {n}" if n_failed else "")
        rows.append(cells)
    # In the columns the cells take where they are printed: "±" is "+/-" on an ASCII
    # terminal, a method's name may hold wide or combining characters.
    widths = [max(shown_width(r[i]) for r in [header] + rows) for i in range(len(header))]

    def fmt(cells):
        # Left-align the names, right-align the numbers.
        pads = [" " * (w - shown_width(c)) for c, w in zip(cells, widths)]
        out = [pads[0] + cells[0], cells[1] + pads[1]]
        out += [pad + c for c, pad in zip(cells[2:], pads[2:])]
        return "  ".join(out).rstrip()

    lines.append("")
    lines.append(fmt(header))
    lines.append(fmt(["-" * w for w in widths]))
    lines.extend(fmt(r) for r in rows)
    margin = margin_line(summary, results)
    if margin:
        lines.append(margin)
    lines.extend(_failure_lines(summary, results))
    for note in notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def _failure_lines(summary, results):
    """``failed: method, k of n fits (first error); not ranked``, per method with failures."""
    lines = []
    for (_, row), n_failed, n in zip(summary.iterrows(), _n_failed(summary), _n_fits(summary)):
        if not n_failed:
            continue
        what = f"{n_failed} of {n} fits"
        if results is not None and "error" in results.columns:
            errors = results[
                (results["method"] == row["method"]) & (results["error"].fillna("") != "")
            ]
            if len(errors):
                first = errors.iloc[0]
                message = str(first["error"]).strip().splitlines()[0]
                # int(): the fits of a CSV file read back hold them as floats.
                where = f"seed {int(first['seed'])}, fold {int(first['fold'])}"
                what += f" ({'first: ' if len(errors) > 1 else ''}{where}: {message})"
        lines.append(f"failed: {row['method']}, {what}; not ranked")
    return lines


def collect_notes(results):
    """Distinct notes of the fits, as ``"method: note"`` lines."""
    seen = []
    for method, note in zip(results["method"], results["notes"]):
        if note and f"{method}: {note}" not in seen:
            seen.append(f"{method}: {note}")
    return seen


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    value = plain_value(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _write_json(path, document):
    path.write_text(json.dumps(document, indent=2) + "\n")


def _write_whole(writers):
    """Write the files of ``writers``, ``{path: write(file)}``, whole or not at all.

    Each is written to a temporary file beside it, then all are renamed into place: a
    write that fails (a disk that fills up, Ctrl-C) leaves no half-written file that
    would read back as fewer fits, and an older file of that name as it was.
    """
    temporaries = {}
    try:
        for path, write in writers.items():
            path = Path(os.path.realpath(path))  # through a link, to the file it names
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporaries[temporary] = path
            write(temporary)
        for temporary, path in temporaries.items():
            os.replace(temporary, path)
    finally:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)


def settings_path(path):
    """The file beside a CSV output that holds its settings: ``r.csv`` -> ``r.settings.json``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.settings.json")


def write_results(results, summary, path):
    """Write the per-fit rows, the summary and the settings of a comparison.

    CSV: the fit rows (``row="fit"``) then the summary rows (``row="summary"``, with
    ``<metric>_mean`` and ``<metric>_std`` columns) in one table; read it back with
    ``pd.read_csv(path).query("row == 'summary'")`` (or ``"row == 'fit'"``, which
    :func:`~sklearn_imbalance_dl.compare.summarise` takes). Its settings go beside it,
    to ``<name>.settings.json`` (``results.csv`` -> ``results.settings.json``), an
    object with ``"settings"``. The table has no ``attrs``:
    :func:`format_table` of the summary rows says over how many fits, and over seeds x
    folds when given the fits (``results=``) or the summary of them. JSON: an object with
    ``"settings"``, ``"fits"`` and ``"summary"`` (lists of records, NaN as null).

    The settings are the ``attrs`` of ``results``: what was compared and how (the
    classes, protocol, seeds, epochs, device, each method's estimator, the package
    versions; ``"partial": true`` when the run was interrupted). ``compare`` adds
    ``"title"``, the lines above its table, and ``"data"``: the ``--data`` file (its
    full path and SHA-256), ``--target`` and the options that read it, or the shipped
    data set.

    Each file is written whole or not at all: a write that fails leaves an older file
    of that name as it was.

    Parameters
    ----------
    results : DataFrame
        The output of :func:`~sklearn_imbalance_dl.compare.run_comparison`.
    summary : DataFrame
        The output of :func:`~sklearn_imbalance_dl.compare.summarise`.
    path : str or Path
        Ends in ``.csv`` or ``.json``.

    Returns
    -------
    written : list of Path
        The files written: ``path``, and for a CSV file its settings file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    settings = _jsonable(dict(results.attrs))
    if suffix == ".csv":
        # Integer columns of one part are missing in the other (seed in the summary,
        # n_fits in the fits): nullable integers keep them "0", not "0.0".
        integers = {
            column: "Int64"
            for part, other in ((results, summary), (summary, results))
            for column, dtype in part.dtypes.items()
            if pd.api.types.is_integer_dtype(dtype)
            and (column not in other or pd.api.types.is_integer_dtype(other[column]))
        }
        table = pd.concat(
            [results.assign(row="fit"), summary.assign(row="summary")], ignore_index=True
        )
        table = table.astype(integers)
        table = table[["row"] + [c for c in table.columns if c != "row"]]
        beside = settings_path(path)
        _write_whole(
            {
                path: lambda file: table.to_csv(file, index=False),
                beside: lambda file: _write_json(file, {"settings": settings}),
            }
        )
        return [path, beside]
    if suffix == ".json":
        document = {
            "settings": settings,
            "fits": _jsonable(results.to_dict(orient="records")),
            "summary": _jsonable(summary.to_dict(orient="records")),
        }
        _write_whole({path: lambda file: _write_json(file, document)})
        return [path]
    raise ValueError(
        f"Cannot write {path.name!r}: the output must end in {' or '.join(OUTPUT_FORMATS)}."
    )


def plot_results(summary, path=None, *, title=None):
    """Per-method metrics (bars with std error bars) and per-class recall, head to tail.

    Needs matplotlib (``pip install "sklearn_imbalance_dl[plot]"``).

    Parameters
    ----------
    summary : DataFrame
        The output of :func:`~sklearn_imbalance_dl.compare.summarise`.
    path : str or Path, default=None
        Where to save the figure (format from the extension); None: do not save.
    title : str, default=None

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    _check_summary(summary, "plot_results")
    # A bare Figure, not pyplot: no display or backend switch is needed to save it,
    # and a notebook still shows the returned figure.
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "plot_results needs matplotlib: pip install 'sklearn_imbalance_dl[plot]'"
        ) from exc
    attrs = summary.attrs
    metrics = _metrics_of(summary)
    methods = summary["method"].tolist()
    classes = attrs.get("classes") or [
        c[len("recall[") : -len("]_mean")]
        for c in summary.columns
        if c.startswith("recall[") and c.endswith("_mean")
    ]
    counts = attrs.get("class_counts")

    fig = Figure(figsize=(15, 5.5))
    ax_bars, ax_recall = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    width = 0.8 / max(len(methods), 1)
    x = np.arange(len(metrics))
    # A colour of its own for each method: more than tab20 holds, drawn from a
    # continuous map (a listed map gives every index past its end the last colour).
    if len(methods) <= 20:
        cmap = matplotlib.colormaps["tab10" if len(methods) <= 10 else "tab20"]
    else:
        cmap = matplotlib.colormaps["turbo"].resampled(len(methods))
    rows = zip(summary.iterrows(), _n_failed(summary), _n_fits(summary))
    for i, ((_, row), n_failed, n) in enumerate(rows):
        label = row["method"]
        if n_failed:  # its bars are not over every split (none at all if every fit failed)
            label += f" ({n_failed} of {n} fits failed)"
        means = [row[f"{m}_mean"] for m in metrics]
        stds = np.nan_to_num([row[f"{m}_std"] for m in metrics])
        ax_bars.bar(
            x + (i - (len(methods) - 1) / 2) * width,
            means,
            width,
            yerr=stds,
            capsize=2,
            label=label,
            color=cmap(i),
        )
        recall = [row.get(f"recall[{c}]_mean", np.nan) for c in classes]
        ax_recall.plot(range(len(classes)), recall, marker="o", label=label, color=cmap(i))
    ax_bars.set_xticks(x, [HEADERS[m] for m in metrics])
    ax_bars.set_ylim(0, 1.05)
    ax_bars.set_ylabel("score (mean ± std)")
    ax_bars.set_title("Metrics per method")
    ticks = [f"{c}\n({n})" for c, n in zip(classes, counts)] if counts else list(map(str, classes))
    ax_recall.set_xticks(range(len(classes)), ticks)
    counted = "training samples" if attrs.get("protocol") == "holdout" else "samples in the data"
    ax_recall.set_xlabel(f"class ({counted}), head to tail")
    ax_recall.set_ylabel("recall (mean over fits)")
    ax_recall.set_ylim(-0.03, 1.03)
    ax_recall.set_title("Per-class recall")
    ax_recall.grid(alpha=0.3)
    # One legend for both panels (same colours), below them, clear of the bars.
    handles, labels = ax_bars.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 9), frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
