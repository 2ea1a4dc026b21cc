"""Latency of small predictions on tables: numbers encoded by blocks of columns or one
column at a time.

``ColumnEncoder.transform`` converts the numeric columns held in plain numpy dtypes a
block of columns at a time (at most ``ColumnEncoder._BLOCK_VALUES`` values); the
reference, measured in the same command, sets the block to one column, what reading
the table column by column costs (pandas' work per column). Each case fits the default
for one epoch on 200 rows of random numbers (with missing values), then times
``predict_proba`` on a few rows: the median of ``--repeats`` calls, after one untimed
call. One thread.

Usage (from the repository root)::

    python benchmarks/predict_latency.py
"""

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# (rows predicted, columns, input kind)
CASES = [
    (1, 20, "DataFrame"),
    (10, 2000, "DataFrame"),
    (1000, 20, "DataFrame"),
    (10, 2000, "array"),
]


def fitted(n_columns, kind):
    import pandas as pd

    from sklearn_imbalance_dl import ImbalancedNetClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, n_columns))
    X[rng.random(X.shape) < 0.02] = np.nan
    y = np.arange(200) % 2
    if kind == "DataFrame":
        X = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_columns)])
    return ImbalancedNetClassifier(max_epochs=1, random_state=0).fit(X, y), X


def median_seconds(clf, X, repeats):
    clf.predict_proba(X)  # untimed: the first call pays for lazy set-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        clf.predict_proba(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    from sklearn_imbalance_dl.modules import ColumnEncoder

    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}")
    print("| rows x columns | X | by blocks (ms) | a column at a time (ms) | ratio |")
    print("|---|---|---|---|---|")
    for n_rows, n_columns, kind in CASES:
        clf, X = fitted(n_columns, kind)
        X = X[:n_rows] if kind == "array" else X.iloc[:n_rows]
        encoder = clf.column_encoder_
        blocks = median_seconds(clf, X, args.repeats)
        encoder._BLOCK_VALUES = 1  # one column a block (an instance attribute)
        columns = median_seconds(clf, X, args.repeats)
        assert encoder._BLOCK_VALUES != ColumnEncoder._BLOCK_VALUES
        print(
            f"| {n_rows} x {n_columns} | {kind} | {blocks * 1e3:.1f} | {columns * 1e3:.1f} "
            f"| {columns / blocks:.1f} |"
        )


if __name__ == "__main__":
    main()
