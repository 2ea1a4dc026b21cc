"""Reproduce the CIFAR-10-LT results of the long-tailed literature through the library.

The recipe of METHODS.md section 6: ResNet-32, SGD momentum 0.9, weight decay 2e-4,
batch 128, lr 0.1 with 5 linear warm-up epochs and x0.01 / x0.0001 at 80% / 90% of the
epochs (160 and 180 of 200), random crop (padding 4) + horizontal flip on the device,
inputs normalised with mean (0.4914, 0.4822, 0.4465) and std (0.2023, 0.1994, 0.2010).
The balanced test set is evaluated after every epoch (a skorch callback), so both the
last-epoch and the best-epoch top-1 (= balanced accuracy) are reported, with
many/medium/few-shot accuracy over the classes ranked by training count
([0, 3), [3, 7), [7, 10)).

Methods (``--methods``): ``ce``, ``ldam_drw`` (loss="ldam", schedule="drw"),
``cri_ppl`` (loss="cri", schedule="ppl"), ``arb_batch`` (loss="arb"), ``arb_global``
(loss="arb", loss__counts="global", equal to Balanced Softmax), ``ldam_drw_mfw``
(LDAM-DRW + Procrustean major feature weakening, mixing="mfw").

Usage::

    python benchmarks/prepare_cifar10.py        # once: decode the JPEG copy of CIFAR-10
    python benchmarks/reproduce_cifar10_lt.py --device cuda --output results.md
    # CPU smoke run (not a reproduction):
    python benchmarks/reproduce_cifar10_lt.py --epochs 2 --max-train 1000 --max-test 1000 \\
        --methods ce,cri_ppl --ratios 100

Caveats printed beside the numbers: the images come from a lossy JPEG copy of CIFAR-10
(``prepare_cifar10.py``), so accuracies can differ slightly from the papers'; the
long-tailed subset is drawn at random per class (seeded) rather than in file order.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from sklearn_imbalance_dl import ImbalancedNetClassifier  # noqa: E402
from sklearn_imbalance_dl.datasets import load_cifar10_lt  # noqa: E402
from sklearn_imbalance_dl.metrics import rank_split_accuracy  # noqa: E402

DEFAULT_DATA = REPO_ROOT / "data_cache" / "cifar10.npz"
MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
STD = np.array([0.2023, 0.1994, 0.2010], dtype=np.float32)

METHODS = {
    "ce": ("CE", {"loss": "ce"}),
    "ldam_drw": ("LDAM-DRW", {"loss": "ldam", "schedule": "drw"}),
    "cri_ppl": ("CRI+PPL", {"loss": "cri", "schedule": "ppl"}),
    "arb_batch": ("ARB (batch counts)", {"loss": "arb"}),
    "arb_global": ("ARB (global counts)", {"loss": "arb", "loss__counts": "global"}),
    "ldam_drw_mfw": ("LDAM-DRW + MFW", {"loss": "ldam", "schedule": "drw", "mixing": "mfw"}),
}

# Top-1 (%) on the balanced CIFAR-10-LT test set, ResNet-32 (METHODS.md section 6).
REFERENCE = {
    ("ce", 100): "70.4",
    ("ce", 10): "86.4",
    ("ldam_drw", 100): "77.0",
    ("ldam_drw", 10): "88.2",
    ("cri_ppl", 100): "82.85 (best epoch)",
    ("cri_ppl", 50): "85.83 (best epoch)",
    ("cri_ppl", 10): "90.56 (best epoch)",
    ("arb_global", 100): "≈76.4 (Balanced Softmax, a reproduction)",
}


class TestSetEvaluation(Callback):
    """Evaluate the balanced test set at every epoch end and record it in the history.

    Records ``test_top1`` (balanced accuracy = mean per-class recall) and
    ``test_many``, ``test_medium``, ``test_few`` (rank split of the training counts).
    """

    def __init__(self, X_test, y_test, train_counts, splits=(3, 7)):
        self.X_test = X_test
        self.y_test = y_test
        self.train_counts = train_counts
        self.splits = splits

    def on_epoch_end(self, net, **kwargs):
        logits = net.predict_logits(self.X_test)
        pred = logits.argmax(1).numpy()
        recall = [np.mean(pred[self.y_test == c] == c) for c in np.unique(self.y_test)]
        net.history.record("test_top1", float(np.mean(recall)))
        shots = rank_split_accuracy(self.y_test, pred, self.train_counts, splits=self.splits)
        for group, value in shots.items():
            net.history.record(f"test_{group}", float(value))


def normalise(images):
    """uint8 (N, 3, 32, 32) -> float32 standardised per channel."""
    X = images.astype(np.float32) / np.float32(255)
    X -= MEAN[None, :, None, None]
    X /= STD[None, :, None, None]
    return X


def subsample_train(X, y, n, seed):
    """A seeded subset of about ``n`` images keeping the long-tailed profile (>= 1 per class)."""
    counts = np.bincount(y)
    if n >= len(y):
        return X, y
    rng = np.random.default_rng(seed)
    keep = np.maximum(1, np.floor(counts * n / counts.sum()).astype(int))
    idx = np.sort(
        np.concatenate(
            [rng.choice(np.flatnonzero(y == c), k, replace=False) for c, k in enumerate(keep)]
        )
    )
    return X[idx], y[idx]


def subsample_test(X, y, n):
    """The first ``n // C`` test images of every class (stays balanced)."""
    classes = np.unique(y)
    per_class = max(1, n // len(classes))
    if per_class * len(classes) >= len(y):
        return X, y
    idx = np.sort(np.concatenate([np.flatnonzero(y == c)[:per_class] for c in classes]))
    return X[idx], y[idx]


def run_method(method, X_train, y_train, X_test, y_test, args, log):
    label, params = METHODS[method]
    counts = np.bincount(y_train, minlength=10)
    clf = ImbalancedNetClassifier(
        module="resnet32",
        optimizer="sgd",
        optimizer__momentum=0.9,
        weight_decay=2e-4,
        batch_size=128,
        lr=0.1,
        max_epochs=args.epochs,
        lr_schedule="warmup_step",
        augment="crop_flip",
        precision=args.precision,
        channels_last=args.channels_last,
        device=args.device,
        random_state=args.seed,
        callbacks=[("test_eval", TestSetEvaluation(X_test, y_test, counts))],
        **params,
    )
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    history = clf.net_.history
    top1 = np.array(history[:, "test_top1"])
    many, medium, few = (np.array(history[:, f"test_{g}"]) for g in ("many", "medium", "few"))
    best = int(np.argmax(top1))
    log(
        f"  {label}: last {100 * top1[-1]:.2f}, best {100 * top1[best]:.2f} (epoch "
        f"{best + 1}), {seconds:.0f} s"
    )
    return {
        "label": label,
        "epochs": len(top1),
        "last": (top1[-1], many[-1], medium[-1], few[-1]),
        "best": (top1[best], many[best], medium[best], few[best]),
        "best_epoch": best + 1,
        "seconds": seconds,
    }


def fmt(values):
    top1, many, medium, few = (100 * v for v in values)
    return f"{top1:.2f}", f"{many:.1f} / {medium:.1f} / {few:.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200, help="(%(default)s)")
    parser.add_argument(
        "--methods", default=",".join(METHODS), help=f"comma-separated subset of {list(METHODS)}"
    )
    parser.add_argument("--ratios", default="100", help="imbalance ratios, e.g. 100,50,10")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N (%(default)s)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="cifar10.npz (%(default)s)")
    parser.add_argument("--precision", default="fp32", choices=("fp32", "bf16", "fp16"))
    parser.add_argument("--channels-last", action="store_true", help="channels-last images")
    parser.add_argument("--output", type=Path, help="markdown file to append the table to")
    parser.add_argument("--max-train", type=int, help="subsample the LT training set (smoke runs)")
    parser.add_argument("--max-test", type=int, help="balanced test subset (smoke runs)")
    parser.add_argument("--seed", type=int, default=0, help="random_state of data and fit")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    args = parser.parse_args(argv)

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s) {unknown}; choose from {list(METHODS)}")
    try:
        ratios = [float(r) for r in args.ratios.split(",") if r.strip()]
    except ValueError:
        parser.error(f"--ratios must be comma-separated numbers; got {args.ratios!r}")
    if not args.data.exists():
        print(
            f"error: no CIFAR-10 data at '{args.data}'. Run `python "
            "benchmarks/prepare_cifar10.py` first (it decodes the shared JPEG copy into "
            "data_cache/cifar10.npz), or pass --data.",
            file=sys.stderr,
        )
        return 2
    if args.device == "auto":
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.threads:
        torch.set_num_threads(args.threads)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    command = "python benchmarks/reproduce_cifar10_lt.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    rows = []
    for ratio in ratios:
        rho = int(ratio) if float(ratio).is_integer() else ratio
        X_train, y_train, X_test, y_test = load_cifar10_lt(
            args.data, imbalance_ratio=rho, random_state=args.seed
        )
        full_train = len(y_train)
        if args.max_train:
            X_train, y_train = subsample_train(X_train, y_train, args.max_train, args.seed)
        if args.max_test:
            X_test, y_test = subsample_test(X_test, y_test, args.max_test)
        X_train, X_test = normalise(X_train), normalise(X_test)
        log(
            f"ratio {rho}: train {len(y_train)} of {full_train} (counts "
            f"{np.bincount(y_train).tolist()}), test {len(y_test)}, {args.epochs} epochs, "
            f"device {args.device}"
        )
        for method in methods:
            result = run_method(method, X_train, y_train, X_test, y_test, args, log)
            last_top1, last_shots = fmt(result["last"])
            best_top1, best_shots = fmt(result["best"])
            rows.append(
                [
                    str(rho),
                    result["label"],
                    str(result["epochs"]),
                    last_top1,
                    last_shots,
                    f"{best_top1} (ep {result['best_epoch']})",
                    best_shots,
                    REFERENCE.get((method, rho), "–"),
                    f"{result['seconds']:.0f}",
                ]
            )

    header = [
        "ratio",
        "method",
        "epochs",
        "last top-1",
        "last many / medium / few",
        "best top-1",
        "best many / medium / few",
        "reference top-1 (200 ep.)",
        "fit s",
    ]
    gpu = f", GPU {torch.cuda.get_device_name()}" if args.device.startswith("cuda") else ""
    smoke = args.epochs < 200 or args.max_train or args.max_test
    lines = [
        f"### CIFAR-10-LT through sklearn_imbalance_dl ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Command: `{command.strip()}`",
        "",
        f"Device {args.device}{gpu}; torch {torch.__version__}, {torch.get_num_threads()} "
        f"threads; precision {args.precision}; channels_last {args.channels_last}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += [
        "",
        "- top-1 = balanced accuracy on the test set (%); many / medium / few = mean "
        "accuracy of the classes ranked [0, 3), [3, 7), [7, 10) by training count.",
        "- Images decoded from a lossy JPEG copy of CIFAR-10 (`prepare_cifar10.py`); the "
        "long-tailed subset is drawn per class with a seeded RNG, not in file order: "
        "expect small differences from the papers.",
        "- References: ResNet-32, 200 epochs, on the original CIFAR-10 (METHODS.md §6); "
        "ARB and MFW have no verified published number.",
    ]
    if smoke:
        lines.append(
            f"- **Smoke run, not a reproduction**: {args.epochs} epochs"
            + (f", training subset of {args.max_train}" if args.max_train else "")
            + (f", test subset of {args.max_test}" if args.max_test else "")
            + "; the schedules (warm-up, DRW at 80%, PPL between 50% and 80%, lr steps) are "
            "laid out on these epochs, so the numbers say nothing about the methods."
        )
    text = "\n".join(lines)
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as f:
            f.write(text + "\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
