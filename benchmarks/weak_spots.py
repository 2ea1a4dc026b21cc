"""Where the tabular default is weak, and what to do about it.

Five synthetic tables, each built around one property that trees take in their stride
and the default network (``ImbalancedNetClassifier()``) does not. For each, three
fits: the default on the table as it is, the default with the remedy the user guide
gives ("Tables as they come", "Where the default is weak"), and
``HistGradientBoostingClassifier(class_weight="balanced")``. Balanced accuracy on a
stratified 30 % held out, and fit seconds, per seed (the seed draws the table, the
split and the models); one thread per fit.

- ``integer codes``: a nominal code 0..199 stored as a number decides the class (15 %
  of the codes are positive); remedy: the code as a ``category`` column.
- ``noise columns``: 8 columns (``make_classification``: 4 informative, 2 of their
  combinations, 2 of noise) and 500 of pure noise; remedy: an
  ``ExtraTreesClassifier`` feature selection in front (``SelectFromModel``).
- ``categorical noise``: 100 string columns of 20 values, the class a rule on 3 of
  them; remedy: one-hot encoding and the same selection in front.
- ``sentinel values``: a count, 0 in most rows, carries the signal, and 3 rows hold
  1e6 (a code for "unknown"); remedy: the sentinel as a missing value (NaN), which the
  network imputes with a missing indicator.
- ``narrow interval``: the class is 37 < x0 < 41 on a uniform 0..100 column; remedy:
  periodic embeddings of the numbers at a larger frequency scale
  (``module__embedding="periodic", module__frequency_scale=3.0``).

Usage: ``python benchmarks/weak_spots.py [--seeds 0 1 2] [--situations ...]``
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier  # noqa: E402
from sklearn.feature_selection import SelectFromModel  # noqa: E402
from sklearn.metrics import balanced_accuracy_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder  # noqa: E402

from sklearn_imbalance_dl import ImbalancedNetClassifier  # noqa: E402
from sklearn_imbalance_dl._console import readable_output  # noqa: E402


def network(seed, **params):
    return ImbalancedNetClassifier(random_state=seed, **params)


def boosting(seed, **params):
    return HistGradientBoostingClassifier(class_weight="balanced", random_state=seed, **params)


def selected(seed, *front):
    """The default behind a tree-based feature selection (and ``front`` steps)."""
    forest = ExtraTreesClassifier(200, class_weight="balanced", random_state=seed)
    selection = SelectFromModel(forest, threshold="1.5*mean")
    return make_pipeline(*front, selection, network(seed))


def integer_codes(seed):
    rng = np.random.default_rng(seed)
    positive = rng.random(200) < 0.15
    code = rng.integers(0, 200, 3000)
    noise = rng.normal(size=(3000, 3))
    X = pd.DataFrame({"code": code.astype(float), "a": noise[:, 0], "b": noise[:, 1]})
    X["c"] = noise[:, 2]
    as_category = X.assign(code=pd.Categorical(code))
    return positive[code].astype(int), [
        (network(seed), X),
        (network(seed), as_category),
        (boosting(seed), X),
    ]


def noise_columns(seed):
    X, y = make_classification(
        3000, 8, n_informative=4, n_redundant=2, weights=[0.9], random_state=seed
    )
    X = np.column_stack([X, np.random.default_rng(seed).normal(size=(len(y), 500))])
    return y, [(network(seed), X), (selected(seed), X), (boosting(seed), X)]


def categorical_noise(seed):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 20, (5000, 100))
    y = (((codes[:, 0] < 4) & (codes[:, 1] < 10)) | (codes[:, 2] == 0)).astype(int)
    X = pd.DataFrame({f"c{j}": [f"v{v}" for v in codes[:, j]] for j in range(100)})
    one_hot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return y, [
        (network(seed), X),
        (selected(seed, one_hot), X),
        (boosting(seed, categorical_features="from_dtype"), X.astype("category")),
    ]


def sentinel_values(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(3000) < 0.1).astype(int)
    rare_count = (rng.random(3000) < 0.05) * rng.poisson(1.0, 3000)
    count = np.where(y == 1, rng.poisson(3.0, 3000), rare_count).astype(float)
    count[np.flatnonzero(y == 0)[:3]] = 1e6
    X = np.column_stack([count, rng.normal(size=(3000, 3))])
    missing = X.copy()
    missing[missing == 1e6] = np.nan
    return y, [(network(seed), X), (network(seed), missing), (boosting(seed), X)]


def narrow_interval(seed):
    X = np.random.default_rng(seed).uniform(0, 100, size=(3000, 6))
    y = ((X[:, 0] > 37) & (X[:, 0] < 41)).astype(int)
    periodic = network(seed, module__embedding="periodic", module__frequency_scale=3.0)
    return y, [(network(seed), X), (periodic, X), (boosting(seed), X)]


SITUATIONS = {
    "integer codes": (integer_codes, "the code as a category column"),
    "noise columns": (noise_columns, "ExtraTrees selection in front"),
    "categorical noise": (categorical_noise, "one-hot and ExtraTrees selection in front"),
    "sentinel values": (sentinel_values, "the sentinel as NaN"),
    "narrow interval": (narrow_interval, "periodic embeddings, frequency scale 3"),
}
FITS = ("default", "remedy", "HGB, balanced")


def measure(situation, seed):
    """Balanced accuracy and fit seconds of the three fits of one situation and seed."""
    y, fits = SITUATIONS[situation][0](seed)
    train, test = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y, random_state=seed)
    row = {}
    for name, (estimator, X) in zip(FITS, fits):
        part = X.iloc if isinstance(X, pd.DataFrame) else X
        start = time.perf_counter()
        estimator.fit(part[train], y[train])
        seconds = time.perf_counter() - start
        score = balanced_accuracy_score(y[test], estimator.predict(part[test]))
        row[name] = (score, seconds)
    return row


@readable_output()
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--situations", nargs="+", default=list(SITUATIONS), choices=SITUATIONS)
    args = parser.parse_args(argv)
    if min(args.seeds) < 0:
        parser.error(f"--seeds must be integers of at least 0; got {args.seeds}")
    for name in ("seeds", "situations"):  # a seed twice would count twice in mean and std
        values = getattr(args, name)
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            parser.error(f"--{name} {values} repeats {repeated}; give each once")
    torch.set_num_threads(1)

    print("| table | " + " | ".join(FITS) + " | the remedy |")
    print("|---|" + "---|" * (len(FITS) + 1))
    for situation in args.situations:
        rows = [measure(situation, seed) for seed in args.seeds]
        cells = []
        for name in FITS:
            scores = 100 * np.array([row[name][0] for row in rows])
            seconds = np.mean([row[name][1] for row in rows])
            cells.append(f"{scores.mean():.1f} ± {scores.std():.1f} ({seconds:.1f} s)")
        remedy = SITUATIONS[situation][1]
        print(f"| {situation} | " + " | ".join(cells) + f" | {remedy} |", flush=True)


if __name__ == "__main__":
    main()
