"""Peak memory and time of TabularNet's robust scaling, learnt at the start of fit.

``TabularNet.fit_preprocessing`` takes the quartiles of each numeric column in float64,
one column at a time; the reference takes them along the axis of a float64 copy of the
whole table (``np.quantile(x.astype(np.float64), q, axis=0)``, which sorts another
copy). Both give the same statistics (checked here); peaks are tracemalloc's, in units
of the float32 input's size.

    python benchmarks/preprocessing_memory.py [--rows 1000000] [--columns 20]
"""

import argparse
import time
import tracemalloc

import numpy as np
import torch

from sklearn_imbalance_dl.modules import TabularNet


def _measure(function, *args):
    tracemalloc.start()
    start = time.perf_counter()
    result = function(*args)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, peak, seconds


def _package(net, X):
    net.fit_preprocessing(X)
    return net.stages[0].median.numpy()


def _whole_table(X):
    x = X.numpy().astype(np.float64)
    return np.quantile(x, [0.25, 0.5, 0.75], axis=0)[1].astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = torch.from_numpy(rng.normal(size=(args.rows, args.columns)).astype(np.float32))
    size = X.numel() * 4
    median, peak, seconds = _measure(_package, TabularNet(args.columns, 2), X)
    reference, reference_peak, reference_seconds = _measure(_whole_table, X)
    np.testing.assert_array_equal(median, reference)
    print(f"X: {args.rows} x {args.columns} float32 ({size / 2**20:.0f} MiB); same medians")
    print("| quartiles | peak (x input) | s |")
    print("|---|---|---|")
    rows = [
        ("column by column (fit_preprocessing)", peak, seconds),
        ("along the axis of a float64 copy", reference_peak, reference_seconds),
    ]
    for name, row_peak, row_seconds in rows:
        print(f"| {name} | {row_peak / size:.2f} | {row_seconds:.2f} |")


if __name__ == "__main__":
    main()
