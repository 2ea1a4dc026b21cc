"""Peak memory and time of TabularNet's robust scaling, learnt at the start of fit.

``TabularNet.fit_preprocessing`` takes the quartiles of each numeric column in float64,
one column at a time; the reference takes them along the axis of a float64 copy of the
whole table (``np.quantile(x.astype(np.float64), q, axis=0)``, which sorts another
copy). Both give the same statistics (checked here); peaks are tracemalloc's, in units
of the float32 input's size.

The second table gives the peaks of the column encoding that the estimator learns on a
DataFrame (``ColumnEncoder.fit`` and ``transform``) on the same numbers, 1 % of them
missing (so that every column gets a missing indicator: the output is twice the
input), in units of the input's size. It reads, converts and writes one column at a
time: its peak is the output's, not a float64 copy of the table.

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

    import pandas as pd

    from sklearn_imbalance_dl.modules import ColumnEncoder

    values = X.numpy().copy()
    values[rng.random(values.shape) < 0.01] = np.nan
    frame = pd.DataFrame(values).add_prefix("x")
    encoder, fit_peak, fit_seconds = _measure(ColumnEncoder().fit, frame)
    encoded, peak, seconds = _measure(encoder.transform, frame)
    print()
    ratio = encoded.nbytes / size
    print(
        f"ColumnEncoder on the same table as a DataFrame, 1 % missing: output {ratio:.2f} x input"
    )
    print("| step | peak (x input) | s |")
    print("|---|---|---|")
    print(f"| fit | {fit_peak / size:.2f} | {fit_seconds:.2f} |")
    print(f"| transform (output included) | {peak / size:.2f} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
