"""Cost of the divergence check (finite loss, weights and batch-norm statistics, once per
epoch), on the CPU.

Fits the same estimator with the check and with it switched off, alternating, and
reports the median epoch time of each and their ratio. Usage::

    python benchmarks/divergence_check.py [--repeats 5]
"""

import argparse
import statistics
import time

import numpy as np
import torch

from sklearn_imbalance_dl import ImbalancedNetClassifier
from sklearn_imbalance_dl._net import ImbalanceNet

CASES = {
    # name: (n_samples, sample shape, estimator parameters)
    "TabularNet (256, 256) (the default), 20k x 20, batch 256": (
        20_000,
        (20,),
        {"module": "tabular", "batch_size": 256},
    ),
    "TabularNet (64,), 2k x 20, batch 128": (
        2_000,
        (20,),
        {"module": "tabular", "module__hidden_sizes": (64,), "batch_size": 128},
    ),
    "ResNet-32, 512 images 3x16x16": (512, (3, 16, 16), {"module": "resnet32"}),
}


def epoch_seconds(n, shape, params, epochs):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, *shape)).astype(np.float32)
    y = rng.integers(0, 5, n)
    start = time.perf_counter()
    ImbalancedNetClassifier(max_epochs=epochs, random_state=0, **params).fit(X, y)
    return (time.perf_counter() - start) / epochs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args(argv)
    for name in ("repeats", "epochs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1; got {getattr(args, name)}")
    torch.set_num_threads(1)
    check = ImbalanceNet._check_finite
    print(f"torch {torch.__version__}, 1 thread, {args.repeats} alternating repeats")
    print("| case | epoch s, no check | epoch s, with check | ratio |")
    print("|---|---|---|---|")
    for name, (n, shape, params) in CASES.items():
        times = {"off": [], "on": []}
        for _ in range(args.repeats):
            for mode in ("off", "on"):
                ImbalanceNet._check_finite = check if mode == "on" else (lambda self, losses: None)
                times[mode].append(epoch_seconds(n, shape, params, args.epochs))
        ImbalanceNet._check_finite = check
        off, on = statistics.median(times["off"]), statistics.median(times["on"])
        print(f"| {name} | {off:.4f} | {on:.4f} | {on / off:.3f}x |")


if __name__ == "__main__":
    main()
