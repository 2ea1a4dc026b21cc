"""Time of TabularNet's encoding of many categorical columns, and of a fit on them.

``TabularNet`` encodes every categorical column in one operation: the one-hot slots of
all low-cardinality columns are scattered into one output, and the embedded columns
share one table with per-column row offsets. The reference encodes column by column,
a one-hot comparison or an ``nn.Embedding`` of its own per column (the layout of
``torch.nn``'s examples), with the same values (checked here). Each is timed over
the batches of one epoch (forward and backward of the encoding, batch 256).

The second table times one epoch of ``ImbalancedNetClassifier(max_epochs=1)`` on a
DataFrame of the same numbers and categorical columns, against the same DataFrame
with numbers in place of the categories (the cost of the categories in a fit).

    python benchmarks/categorical_speed.py [--rows 20000] [--columns 100 500]
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch
from torch import nn

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl.modules import TabularNet

N_NUMBERS = 20


class PerColumnReference(nn.Module):
    """The encoding column by column, with the package's module's values."""

    def __init__(self, categories):
        super().__init__()
        self.n_categories = categories.n_categories
        self.one_hot, self.embedded = categories.one_hot, categories.embedded
        table = categories.embedding.weight.detach() if self.embedded else None
        offsets = categories.embedded_offsets.tolist()
        self.embeddings = nn.ModuleList()
        for j, offset in zip(self.embedded, offsets):
            n = self.n_categories[j]
            weight = torch.cat([table[offset : offset + n + 1], torch.zeros(1, table.shape[1])])
            embedding = nn.Embedding.from_pretrained(weight, freeze=False, padding_idx=n + 1)
            self.embeddings.append(embedding)

    def forward(self, codes):
        codes = codes.long()
        parts = []
        for j in self.one_hot:
            slots = torch.arange(self.n_categories[j] + 1)
            parts.append((codes[:, j : j + 1] == slots).to(torch.float32))
        for j, embedding in zip(self.embedded, self.embeddings):
            n = self.n_categories[j]
            column = codes[:, j]
            parts.append(embedding(torch.where((column >= 0) & (column <= n), column, n + 1)))
        return torch.cat(parts, dim=1)


def _epoch_seconds(encode, parameters, codes, batch_size=256):
    start = time.perf_counter()
    for first in range(0, len(codes), batch_size):
        out = encode(codes[first : first + batch_size])
        if parameters:
            out.sum().backward()
    return time.perf_counter() - start


def _codes(rng, n_rows, n_categories):
    # Codes of seen categories, missing and unseen values alike.
    return torch.from_numpy(
        np.column_stack([rng.integers(0, n + 2, n_rows) for n in n_categories]).astype(np.float32)
    )


def _encoding_rows(rng, n_rows, n_columns):
    rows = []
    for label, cardinality in (("one-hot (5 categories)", 5), ("embedded (50 categories)", 50)):
        n_categories = (cardinality,) * n_columns
        categories = TabularNet(n_columns, 2, n_categories=n_categories).stages[0].categories
        reference = PerColumnReference(categories)
        codes = _codes(rng, n_rows, n_categories)
        with torch.no_grad():
            same = torch.equal(categories(codes[:512]), reference(codes[:512]))
        assert same, "the two encodings differ"
        package = _epoch_seconds(categories, list(categories.parameters()), codes)
        per_column = _epoch_seconds(reference, list(reference.parameters()), codes)
        rows.append((f"{n_columns} columns, {label}", package, per_column))
    return rows


def _fit_seconds(X, y):
    clf = ImbalancedNetClassifier(max_epochs=1, random_state=0)
    start = time.perf_counter()
    clf.fit(X, y)
    return time.perf_counter() - start


def _fit_rows(rng, n_rows, n_columns):
    numbers = pd.DataFrame(rng.normal(size=(n_rows, N_NUMBERS))).add_prefix("x")
    y = rng.integers(0, 2, n_rows)
    rows = []
    for label, cardinality in (("one-hot", 5), ("embedded", 50)):
        codes = rng.integers(0, cardinality, (n_rows, n_columns))
        categories = pd.DataFrame(codes).add_prefix("c").astype(str).astype("category")
        as_numbers = pd.DataFrame(codes.astype(np.float64)).add_prefix("c")
        with_categories = _fit_seconds(pd.concat([numbers, categories], axis=1), y)
        with_numbers = _fit_seconds(pd.concat([numbers, as_numbers], axis=1), y)
        rows.append((f"{n_columns} columns, {label}", with_categories, with_numbers))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--columns", type=int, nargs="+", default=[100, 500])
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    _fit_seconds(pd.DataFrame({"x": rng.normal(size=200)}), rng.integers(0, 2, 200))  # warm-up
    print(f"{args.rows} rows, batch 256, one thread; same encodings")
    print("| categorical columns | one operation (TabularNet), s | column by column, s | ratio |")
    print("|---|---|---|---|")
    for n_columns in args.columns:
        for name, package, per_column in _encoding_rows(rng, args.rows, n_columns):
            print(f"| {name} | {package:.2f} | {per_column:.2f} | {per_column / package:.1f}x |")
    print()
    print(f"One epoch of ImbalancedNetClassifier(max_epochs=1), {N_NUMBERS} numbers beside")
    print("| columns | as categories, s | as numbers, s | ratio |")
    print("|---|---|---|---|")
    for n_columns in args.columns:
        for name, with_categories, with_numbers in _fit_rows(rng, args.rows, n_columns):
            ratio = with_categories / with_numbers
            print(f"| {name} | {with_categories:.2f} | {with_numbers:.2f} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
