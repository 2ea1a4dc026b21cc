"""Fit time of the tabular default against the number of rows, beside its rivals.

A 20-feature, 5-class long-tailed table from ``make_classification`` (class weights
0.6, 0.2, 0.1, 0.07, 0.03; 10 informative features). For each training size, every
method is fitted once with its defaults, as ``benchmarks/tabular_lt.py`` builds it
(the same rivals, one thread each), on the first ``n`` rows; a fixed 20,000-row part
is held out for the balanced accuracy, so that a fast fit is seen to be a useful one.
The report gives each fit's seconds and its ratio to the first method's fit of the
same size, measured in the same command, after an untimed fit of every method on 200
rows (the first fit of a process pays for imports and set-up).

Usage (from the repository root)::

    python benchmarks/tabular_speed.py
    python benchmarks/tabular_speed.py --sizes 1000 10000 100000 1000000 --methods default hgb lgbm
"""

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import tabular_lt  # noqa: E402  (the rivals, built one way for both benchmarks)

WEIGHTS = [0.6, 0.2, 0.1, 0.07, 0.03]
N_TEST = 20_000


def make_table(n_rows, seed=0):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_rows + N_TEST, 20, n_informative=10, n_classes=5, weights=WEIGHTS, random_state=seed
    )
    return X.astype(np.float32), y


def time_fit(method, X_tr, y_tr, X_te, y_te, seed):
    """Seconds of one fit on one thread, and the balanced accuracy of its predictions."""
    from sklearn.metrics import balanced_accuracy_score
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        model = tabular_lt.make_model(method, seed, [], "frame", encode=False)
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        seconds = time.perf_counter() - start
        pred = np.asarray(model.predict(X_te)).reshape(-1).astype(y_te.dtype)
    return seconds, balanced_accuracy_score(y_te, pred)


def available(methods):
    """The methods whose package is installed, and a note for each that is not."""
    kept, notes = [], []
    for m in methods:
        missing = tabular_lt.missing_packages(m)
        if missing:
            notes.append(f"- `{m}` skipped: `{'`, `'.join(missing)}` is not installed.")
        else:
            kept.append(m)
    return kept, notes


def main(argv=None):
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 100000])
    parser.add_argument(
        "--methods", nargs="+", default=["default", "hgb", "lgbm", "brf", "catboost"],
        choices=sorted(tabular_lt.METHODS) + sorted(tabular_lt.RIVALS),
        help="the first is the reference of the ratios",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", help="markdown report (default: stdout)")
    args = parser.parse_args(argv)
    if min(args.sizes) < 1:
        parser.error(f"--sizes must be at least 1; got {min(args.sizes)}")
    if args.seed < 0:
        parser.error(f"--seed must be at least 0; got {args.seed}")
    if args.output and not Path(args.output).parent.is_dir():
        parser.error(f"--output: no directory {str(Path(args.output).parent)!r} to write in")
    methods, notes = available(args.methods)
    reference = args.methods[0]
    if reference not in methods:
        parser.error(f"the reference cannot run: {notes[0][2:]}")
    X, y = make_table(max(args.sizes), args.seed)
    X_te, y_te = X[-N_TEST:], y[-N_TEST:]
    # Every fit sees all the classes that the held-out rows are scored on.
    n = min(args.sizes)
    first_rows = max(int(np.argmax(y == c)) + 1 for c in range(len(WEIGHTS)))
    if n < first_rows:
        parser.error(
            f"--sizes {n}: the first {n} rows of the table hold {len(np.unique(y[:n]))}"
            f" of its {len(WEIGHTS)} classes; the first {first_rows} hold all (the table "
            "depends on --seed and the largest size)"
        )
    torch.set_num_threads(1)

    lines = [
        "| rows | " + " | ".join(tabular_lt.label(m) for m in methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    started = time.perf_counter()
    for m in methods:  # untimed: the first fit of a process pays for imports and set-up
        time_fit(m, X[:200], y[:200], X_te[:10], y_te[:10], args.seed)
    for n in args.sizes:
        cells, ref_seconds = [], None
        for m in methods:
            seconds, bacc = time_fit(m, X[:n], y[:n], X_te, y_te, args.seed)
            ref_seconds = seconds if m == reference else ref_seconds
            cells.append(f"{seconds:.1f} s ({seconds / ref_seconds:.2f}x), {100 * bacc:.1f}")
            print(f"{n} {m}: {cells[-1]}", file=sys.stderr, flush=True)
        lines.append(f"| {n:,} | " + " | ".join(cells) + " |")

    command = "python benchmarks/tabular_speed.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    text = "\n".join(
        [
            f"Fit seconds on one thread (ratio to `{reference}`'s fit of the same size), and "
            f"balanced accuracy (%) on {N_TEST:,} held-out rows.",
            "",
            *lines,
            "",
            f"- Command: `{command.strip()}`",
            f"- {platform.machine()}, {platform.processor() or 'CPU'}; torch "
            f"{torch.__version__}; {time.perf_counter() - started:.0f} s in all.",
            *notes,
        ]
    )
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
