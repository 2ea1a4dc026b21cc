"""MFW's label policy on long-tailed digits: keep the own label or mix it (the default).

Same protocol and shared setting as ``methods_digits.py`` (SGD 0.1, warm-up and steps,
200 epochs, default MLP, last epoch, seeds 0-4 changing data and model), for CE and
LDAM-DRW with and without major feature weakening. Prints a markdown table of balanced
accuracy (%) and the paired difference to the same method without MFW.

    python benchmarks/mfw_label_policy.py
"""

import argparse
import time

import numpy as np
import torch
from joblib import Parallel, delayed
from methods_digits import paired, pct  # the digits benchmark's cells, one seed or several

from sklearn_imbalance_dl._console import readable_output

BASES = {"CE": {"loss": "ce"}, "LDAM-DRW": {"loss": "ldam", "schedule": "drw"}}
VARIANTS = {
    "": {},
    "+MFW (keep)": {"mixing": "mfw", "mixing__label_policy": "keep"},
    "+MFW (mix)": {"mixing": "mfw", "mixing__label_policy": "mix"},
}


def fit_score(params, seed, profile, epochs):
    torch.set_num_threads(1)  # one thread per joblib worker: no oversubscription
    from sklearn_imbalance_dl import ImbalancedNetClassifier
    from sklearn_imbalance_dl.datasets import load_digits_lt
    from sklearn_imbalance_dl.metrics import SCORERS

    X, y, X_test, y_test = load_digits_lt(100, profile=profile, random_state=seed)
    clf = ImbalancedNetClassifier(
        module="mlp",  # methods_digits.py's shared setting, pinned
        batch_size=128,
        weight_decay=1e-4,
        optimizer="sgd",
        lr=0.1,
        lr_schedule="warmup_step",
        max_epochs=epochs,
        random_state=seed,
        **params,
    ).fit(X, y)
    return SCORERS["balanced_accuracy"](clf, X_test, y_test)


@readable_output()
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)
    for name in ("seeds", "epochs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1; got {getattr(args, name)}")
    if args.n_jobs == 0:
        parser.error("--n-jobs must not be 0 (a number of processes, or -1 for all cores)")
    start = time.time()
    jobs = [
        (profile, base, variant, seed)
        for profile in ("exponential", "step")
        for base in BASES
        for variant in VARIANTS
        for seed in range(args.seeds)
    ]
    scores = Parallel(n_jobs=args.n_jobs)(
        delayed(fit_score)({**BASES[b], **VARIANTS[v]}, s, p, args.epochs) for p, b, v, s in jobs
    )
    table = {}
    for (profile, base, variant, _), score in zip(jobs, scores):
        table.setdefault((profile, base, variant), []).append(score)
    print("| profile (ρ=100) | method | balanced acc. | Δ vs same method without MFW |")
    print("|---|---|---|---|")
    for profile in ("exponential", "step"):
        for base in BASES:
            reference = np.array(table[(profile, base, "")])
            for variant in VARIANTS:
                acc = np.array(table[(profile, base, variant)])
                delta = paired(acc, reference) if variant else "–"
                print(f"| {profile} | {base}{variant} | {pct(acc)} | {delta} |")
    print(f"\n{len(jobs)} fits in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
