"""Fit time of the tabular default against the number of rows (10^3 to 10^6).

A 20-feature, 5-class long-tailed table from ``make_classification`` (class weights
0.6, 0.2, 0.1, 0.07, 0.03). For each size the estimator is fitted for ``--epochs``
epochs (default 2, so that 10^6 rows stay affordable) and the time per epoch is
reported; a full fit with the default number of epochs is timed for the sizes up to
``--full-up-to``. Threads: ``torch.set_num_threads(--threads)``.

Usage::

    python benchmarks/tabular_speed.py
    python benchmarks/tabular_speed.py --sizes 1000 10000 --full-up-to 10000 --threads 2
"""

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# The estimator's own defaults (chosen by benchmarks/tabular_lt.py), so the numbers are what
# a user gets from ImbalancedNetClassifier().
DEFAULT = {}


def main(argv=None):
    import torch
    from sklearn.datasets import make_classification

    from sklearn_imbalance_dl import ImbalancedNetClassifier

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 100000, 1000000])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--full-up-to", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    weights = [0.6, 0.2, 0.1, 0.07, 0.03]
    X, y = make_classification(
        max(args.sizes), 20, n_informative=10, n_classes=5, weights=weights, random_state=0
    )
    X = X.astype(np.float32)
    print(f"threads {args.threads}; {platform.processor() or 'CPU'}; torch {torch.__version__}")
    print("| rows | s per epoch | s per epoch per 10^4 rows | full default fit (s) |")
    print("|---|---|---|---|")
    for n in args.sizes:
        clf = ImbalancedNetClassifier(**DEFAULT, max_epochs=args.epochs, random_state=0)
        start = time.perf_counter()
        clf.fit(X[:n], y[:n])
        per_epoch = (time.perf_counter() - start) / args.epochs
        full = "-"
        if n <= args.full_up_to:
            start = time.perf_counter()
            ImbalancedNetClassifier(**DEFAULT, random_state=0).fit(X[:n], y[:n])
            full = f"{time.perf_counter() - start:.1f}"
        print(f"| {n} | {per_epoch:.3f} | {per_epoch / n * 1e4:.3f} | {full} |", flush=True)


if __name__ == "__main__":
    main()
