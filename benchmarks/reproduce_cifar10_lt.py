"""Reproduce the CIFAR-10-LT results of the long-tailed literature through the library.

Every method runs its published recipe from :mod:`sklearn_imbalance_dl.recipes`
(``get_recipe(method, "cifar10_lt")``: module, loss, schedule, mixing, optimizer, learning
rate and its steps, weight decay, epochs, batch size, augmentation; the docstring of
``get_recipe`` and ``recipe_notes`` give each source and departure), with inputs
standardised by the CIFAR-10 channel statistics. The balanced test set is evaluated
after every epoch (a skorch callback), so both the last-epoch and the best-epoch top-1
(= balanced accuracy) are reported, with many/medium/few-shot accuracy over the classes
ranked by training count ([0, 3), [3, 7), [7, 10)), and the gain of each method over CE
on the same data when CE is in the run.

Usage::

    python benchmarks/prepare_cifar10.py        # once: decode the JPEG copy of CIFAR-10
    python benchmarks/reproduce_cifar10_lt.py --device cuda --parallel 5 --output results.md
    # CPU smoke run of every recipe (not a reproduction):
    python benchmarks/reproduce_cifar10_lt.py --epochs 2 --max-train 500 --max-test 500

``--parallel N`` trains N methods at once in separate processes (on one GPU, start
``nvidia-cuda-mps-control -d`` first: 4-5 concurrent 200-epoch runs share an H100).
``--cuda-graph`` trains with ``cuda_graph=True``; ``--jsonl FILE`` appends one JSON
line per finished run (what ``benchmarks/gpu_check.py`` collects and resumes from);
``--progress N`` prints the test top-1 every N epochs.

Caveats printed beside the numbers: the images come from a lossy JPEG copy of CIFAR-10
(``prepare_cifar10.py``), so accuracies can differ from the papers'; compare methods by
their gain over CE on the same data.
"""

import argparse
import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from sklearn_imbalance_dl import ImbalancedNetClassifier  # noqa: E402
from sklearn_imbalance_dl._builder import resolve_device  # noqa: E402
from sklearn_imbalance_dl._console import readable_output  # noqa: E402
from sklearn_imbalance_dl.datasets import load_cifar10_lt  # noqa: E402
from sklearn_imbalance_dl.metrics import rank_split_accuracy  # noqa: E402
from sklearn_imbalance_dl.recipes import get_recipe, list_recipes, recipe_notes  # noqa: E402

DEFAULT_DATA = REPO_ROOT / "data_cache" / "cifar10.npz"
MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
STD = np.array([0.2023, 0.1994, 0.2010], dtype=np.float32)

METHODS = list_recipes("cifar10_lt")


class TestSetEvaluation(Callback):
    """Evaluate the balanced test set at every epoch end and record it in the history.

    Records ``test_top1`` (balanced accuracy = mean per-class recall) and
    ``test_many``, ``test_medium``, ``test_few`` (rank split of the training counts).
    """

    def __init__(self, X_test, y_test, train_counts, splits=(3, 7), progress=None, label=""):
        self.X_test = X_test
        self.y_test = y_test
        self.train_counts = train_counts
        self.splits = splits
        self.progress = progress
        self.label = label

    def on_epoch_end(self, net, **kwargs):
        logits = net.predict_logits(self.X_test)
        pred = logits.argmax(1).numpy()
        recall = [np.mean(pred[self.y_test == c] == c) for c in np.unique(self.y_test)]
        net.history.record("test_top1", float(np.mean(recall)))
        shots = rank_split_accuracy(self.y_test, pred, self.train_counts, splits=self.splits)
        for group, value in shots.items():
            net.history.record(f"test_{group}", float(value))
        epoch = len(net.history)
        if self.progress and epoch % self.progress == 0:
            print(
                f"  {self.label}: epoch {epoch}, top-1 {100 * np.mean(recall):.2f}",
                file=sys.stderr,
                flush=True,
            )


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


def run_method(method, data, args):
    """Train one recipe (in this process or a worker) and return its test curve."""
    if args.threads:
        torch.set_num_threads(args.threads)
    X_train, y_train, X_test, y_test = data
    counts = np.bincount(y_train, minlength=10)
    params = get_recipe(method, "cifar10_lt")
    evaluation = TestSetEvaluation(
        X_test, y_test, counts, progress=args.progress, label=f"{method} seed {args.seed}"
    )
    params.update(
        max_epochs=args.epochs,
        precision=args.precision,
        channels_last=args.channels_last,
        device=args.device,
        random_state=args.seed,
        callbacks=[("test_eval", evaluation)],
    )
    if args.cuda_graph:
        params["cuda_graph"] = True
    if args.device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True  # as in the authors' scripts
    if "schedule__epochs" in params and args.epochs < 200:  # re-training stages, scaled
        params["schedule__epochs"] = max(1, round(params["schedule__epochs"] * args.epochs / 200))
    clf = ImbalancedNetClassifier(**params)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    history = clf.net_.history
    top1 = np.array(history[:, "test_top1"])
    many, medium, few = (np.array(history[:, f"test_{g}"]) for g in ("many", "medium", "few"))
    best = int(np.argmax(top1))
    print(
        f"  {method}: last {100 * top1[-1]:.2f}, best {100 * top1[best]:.2f} (epoch "
        f"{best + 1}), {seconds:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    result = {
        "method": method,
        "epochs": len(top1),
        "last": (top1[-1], many[-1], medium[-1], few[-1]),
        "best": (top1[best], many[best], medium[best], few[best]),
        "best_epoch": best + 1,
        "seconds": seconds,
    }
    if args.jsonl:
        record = {
            **result,
            "last": [float(v) for v in result["last"]],
            "best": [float(v) for v in result["best"]],
            "seed": args.seed,
            "ratio": args.ratio_now,
            "train_size": len(y_train),
            "cuda_graph": bool(args.cuda_graph),
            "graphed_steps": getattr(clf.net_, "cuda_graph_steps_", {}).get("graphed", 0),
            "device": args.device,
            "precision": args.precision,
            "channels_last": bool(args.channels_last),
            "torch": torch.__version__,
        }
        with open(args.jsonl, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
    return result


def run_methods(methods, data, args):
    """Results in the order of ``methods``, ``args.parallel`` processes at a time."""
    if args.parallel <= 1:
        return [run_method(m, data, args) for m in methods]
    # spawn: CUDA cannot be used in forked children.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.parallel, mp_context=context) as pool:
        return list(pool.map(run_method, methods, [data] * len(methods), [args] * len(methods)))


def fmt(values):
    top1, many, medium, few = (100 * v for v in values)
    return f"{top1:.2f}", f"{many:.1f} / {medium:.1f} / {few:.1f}"


@readable_output()
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
    parser.add_argument("--parallel", type=int, default=1, help="methods trained at once")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--cuda-graph", action="store_true", help="fit with cuda_graph=True")
    parser.add_argument("--jsonl", type=Path, help="append one JSON line per finished run")
    parser.add_argument("--progress", type=int, help="print the test top-1 every N epochs")
    args = parser.parse_args(argv)

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if args.parallel < 1:
        parser.error("--parallel must be at least 1")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"unknown method(s) {unknown}; choose from {METHODS}")
    if not methods:
        parser.error(f"--methods {args.methods!r} names no method; choose from {METHODS}")
    try:
        ratios = [float(r) for r in args.ratios.split(",") if r.strip()]
    except ValueError:
        parser.error(f"--ratios must be comma-separated numbers; got {args.ratios!r}")
    if not ratios or min(ratios) < 1:
        parser.error(
            f"--ratios must be numbers of at least 1 (head over tail); got {args.ratios!r}"
        )
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1; got {args.epochs}")
    for name in ("max_train", "max_test", "threads", "progress"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1; got {value}")
    if args.seed < 0:
        parser.error(f"--seed must be at least 0; got {args.seed}")
    for name in ("output", "jsonl"):
        path = getattr(args, name)
        if path and not Path(path).parent.is_dir():
            parser.error(f"--{name}: no directory {str(Path(path).parent)!r} to write in")
    try:
        args.device = resolve_device(args.device)
    except ValueError as error:
        parser.error(str(error))
    if not args.data.exists():
        print(
            f"error: no CIFAR-10 data at '{args.data}'. Run `python "
            "benchmarks/prepare_cifar10.py` first (it decodes the shared JPEG copy into "
            "data_cache/cifar10.npz), or pass --data.",
            file=sys.stderr,
        )
        return 2
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
        args.ratio_now = rho
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
        results = run_methods(methods, (X_train, y_train, X_test, y_test), args)
        ce = next((r for r in results if r["method"] == "ce"), None)
        for result in results:
            notes = recipe_notes(result["method"], "cifar10_lt")
            last_top1, last_shots = fmt(result["last"])
            best_top1, best_shots = fmt(result["best"])
            gain = "–"
            if ce is not None and result is not ce:
                gain = f"{100 * (result['last'][0] - ce['last'][0]):+.1f}"
            rows.append(
                [
                    str(rho),
                    result["method"],
                    str(result["epochs"]),
                    last_top1,
                    last_shots,
                    f"{best_top1} (ep {result['best_epoch']})",
                    best_shots,
                    gain,
                    notes.reference if rho == 100 else "–",
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
        "last Δ vs CE",
        "paper top-1 (ρ=100, 200 ep.)",
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
        (
            "- Images decoded from a lossy JPEG copy of CIFAR-10 (`prepare_cifar10.py`); the "
            if args.data == DEFAULT_DATA
            else f"- Images from `{args.data}`; the "
        )
        + "long-tailed subset is drawn per class with a seeded RNG, not in file order: "
        "expect small differences from the papers.",
        "- Paper numbers: ResNet-32, 200 epochs, on the original PNG CIFAR-10 "
        "(`recipe_notes(method, 'cifar10_lt')` gives each source and departure).",
    ]
    if smoke:
        lines.append(
            f"- **Smoke run, not a reproduction**: {args.epochs} epochs"
            + (f", training subset of {args.max_train}" if args.max_train else "")
            + (f", test subset of {args.max_test}" if args.max_test else "")
            + "; the schedules (DRW at 80%, PPL between 50% and 80%, lr steps) are laid "
            "out on these epochs, the warm-up stays 5 epochs, so the numbers say nothing "
            "about the methods."
        )
    text = "\n".join(lines)
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as f:
            f.write(text + "\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
