"""Training-speed benchmark: the library against a hand-written PyTorch loop and skorch.

In one process, the same model, data, batch size, optimizer (SGD, momentum 0.9,
weight decay 1e-4), constant learning rate and epochs go through

(a) ``library``: ``ImbalancedNetClassifier(module="mlp" | "resnet32", optimizer="sgd")``;
(b) ``hand loop``: the floor, a minimal PyTorch loop: data as tensors on the device,
    ``randperm`` per epoch, index batches, forward, cross-entropy, backward, SGD step,
    with the same module class (``sklearn_imbalance_dl.modules``) and initialisation seed;
(c) ``skorch``: ``skorch.NeuralNetClassifier`` with its defaults (20% stratified
    validation split scored every epoch, ``DataLoader`` collation of numpy rows, no
    shuffling, one ``.item()`` sync per batch); only module, criterion
    (``CrossEntropyLoss``, since the module returns logits), optimizer, lr, batch size
    and epochs are set.

Cases (``--cases``, default all):

- ``mlp``: MLP (64 -> 256 -> 256 -> 10, batch norm) on a 200,000 x 64 imbalanced
  synthetic table with 10 classes, batch 256, 3 epochs;
- ``resnet``: ResNet-32 on 32x32 RGB images, batch 128 (CPU: 2,000 images, 1 epoch;
  CUDA: 50,000 images, 2 epochs);
- ``losses``: the library's per-step cost of each loss relative to ``ce`` (fixed MLP and
  batch, one epoch of library fit per loss; target: none over 1.25x);
- ``scaling``: library (and hand loop) fit time against n_samples (10^4, 10^5, 10^6;
  a smaller MLP, 1 epoch): time per sample should stay flat.

Every timing is repeated ``--repeats`` times after a warm-up, the variants interleaved
in rotating order (to spread machine noise over all of them), and the median taken.
Peak host memory is the ``ru_maxrss`` increase over one fit run in a fresh subprocess
(``--no-memory`` skips it); peak device memory is ``torch.cuda.max_memory_allocated``.

Usage::

    python benchmarks/speed.py                       # full CPU run (about 15 min on 2 cores)
    python benchmarks/speed.py --device cuda         # GPU sizes
    python benchmarks/speed.py --quick               # tiny sizes, CI smoke test
    python benchmarks/speed.py --output benchmarks/RESULTS.md   # append the markdown there
"""

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO_ROOT))

from sklearn_imbalance_dl import ImbalancedNetClassifier  # noqa: E402
from sklearn_imbalance_dl._builder import resolve_device  # noqa: E402
from sklearn_imbalance_dl.modules import MLP, ResNet32  # noqa: E402

LOSS_NAMES = (
    "ce",
    "weighted_ce",
    "class_balanced",
    "focal",
    "ldam",
    "logit_adjusted",
    "balanced_softmax",
    "cri",
    "arb",
)
VARIANTS = ("library", "hand loop", "skorch")
SEED = 0
N_CLASSES = 10
LR = 0.05
MOMENTUM = 0.9
WEIGHT_DECAY = 1e-4
TARGET_LIBRARY = 1.10
TARGET_LOSS = 1.25


# ----------------------------------------------------------------------------- settings
def case_settings(case, device, quick):
    """Sizes of one case: a dict with n, shape, hidden, batch, epochs."""
    cuda = device.startswith("cuda")
    if case == "mlp":
        if quick:
            return dict(n=2_000, shape=(16,), hidden=(32,), batch=256, epochs=1)
        return dict(n=200_000, shape=(64,), hidden=(256, 256), batch=256, epochs=3)
    if case == "resnet":
        if quick:
            return dict(n=64, shape=(3, 16, 16), hidden=None, batch=32, epochs=1)
        if cuda:
            return dict(n=50_000, shape=(3, 32, 32), hidden=None, batch=128, epochs=2)
        return dict(n=2_000, shape=(3, 32, 32), hidden=None, batch=128, epochs=1)
    if case == "losses":
        if quick:
            return dict(n=1_000, shape=(16,), hidden=(32,), batch=128, epochs=1)
        return dict(n=50_000, shape=(64,), hidden=(256, 256), batch=256, epochs=1)
    if case == "scaling":
        sizes = (1_000, 10_000) if quick else (10_000, 100_000, 1_000_000)
        return dict(sizes=sizes, shape=(64,), hidden=(64,), batch=256, epochs=1)
    raise ValueError(case)


def make_data(n, shape, seed=SEED, imbalance_ratio=100):
    """Imbalanced synthetic data: exponential class profile, Gaussian class clusters.

    Generated in float32 chunks so that no large temporary inflates the peak RSS.
    """
    rng = np.random.default_rng(seed)
    prior = imbalance_ratio ** (-np.arange(N_CLASSES) / (N_CLASSES - 1))
    y = rng.choice(N_CLASSES, size=n, p=prior / prior.sum()).astype(np.int64)
    d = int(np.prod(shape))
    centers = rng.standard_normal((N_CLASSES, d), dtype=np.float32)
    X = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, 50_000):
        stop = min(n, start + 50_000)
        X[start:stop] = rng.standard_normal((stop - start, d), dtype=np.float32)
        X[start:stop] += 0.5 * centers[y[start:stop]]
    return X.reshape(n, *shape), y


def library_seed(random_state=SEED):
    """The torch seed ``ImbalancedNetClassifier(random_state=...)`` draws in ``fit``."""
    return int(np.random.RandomState(random_state).randint(np.iinfo(np.int32).max))


def build_module(settings, head="linear"):
    if settings["hidden"] is None:
        return ResNet32(N_CLASSES, in_channels=settings["shape"][0], head=head)
    n_features = int(np.prod(settings["shape"]))
    return MLP(n_features, N_CLASSES, hidden_sizes=settings["hidden"], head=head)


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


# ----------------------------------------------------------------------------- runners
def run_library(X, y, settings, device, loss="ce", epochs=None, head=None):
    module = "resnet32" if settings["hidden"] is None else "mlp"
    routed = {} if settings["hidden"] is None else {"module__hidden_sizes": settings["hidden"]}
    if head is not None:
        routed["module__head"] = head
    clf = ImbalancedNetClassifier(
        module=module,
        loss=loss,
        optimizer="sgd",
        lr=LR,
        lr_schedule="constant",  # the hand loop's and skorch's rate, not the cosine default
        weight_decay=WEIGHT_DECAY,
        batch_size=settings["batch"],
        max_epochs=epochs or settings["epochs"],
        device=device,
        random_state=SEED,
        **routed,
    )
    clf.fit(X, y)
    sync(device)
    return {"train_samples": len(y), "last_loss": clf.net_.history[-1, "train_loss"]}


def run_hand_loop(X, y, settings, device, epochs=None):
    """The floor: what any training loop must do, and nothing else."""
    torch.manual_seed(library_seed())
    model = build_module(settings).to(device)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY
    )
    Xt = torch.from_numpy(X).to(device)
    yt = torch.from_numpy(y).to(device)
    n, batch = len(yt), settings["batch"]
    model.train()
    for _ in range(epochs or settings["epochs"]):
        order = torch.randperm(n, device=device)
        losses = []
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            if len(idx) < 2:  # batch norm cannot train on one sample (library folds it)
                continue
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())
        last = torch.stack(losses).mean().item()  # one sync per epoch, as the library
    sync(device)
    return {"train_samples": n, "last_loss": last}


def run_skorch(X, y, settings, device, epochs=None):
    from skorch import NeuralNetClassifier

    if settings["hidden"] is None:
        module_params = {"module__n_classes": N_CLASSES, "module__in_channels": X.shape[1]}
        module = ResNet32
    else:
        module_params = {
            "module__n_features": int(np.prod(settings["shape"])),
            "module__n_classes": N_CLASSES,
            "module__hidden_sizes": settings["hidden"],
        }
        module = MLP
    torch.manual_seed(library_seed())
    net = NeuralNetClassifier(
        module,
        criterion=torch.nn.CrossEntropyLoss,  # the module returns logits
        optimizer=torch.optim.SGD,
        optimizer__momentum=MOMENTUM,
        optimizer__weight_decay=WEIGHT_DECAY,
        lr=LR,
        batch_size=settings["batch"],
        max_epochs=epochs or settings["epochs"],
        device=device,
        verbose=0,
        **module_params,
    )
    net.fit(X, y)
    sync(device)
    n_train = sum(b.get("train_batch_size", 0) for b in net.history[-1]["batches"])
    return {"train_samples": n_train, "last_loss": net.history[-1, "train_loss"]}


RUNNERS = {"library": run_library, "hand loop": run_hand_loop, "skorch": run_skorch}


def timed(fn, device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    start, cpu_start = time.perf_counter(), time.process_time()
    out = fn()
    out["seconds"] = time.perf_counter() - start
    out["cpu_seconds"] = time.process_time() - cpu_start
    if device.startswith("cuda"):
        out["device_peak_mb"] = (torch.cuda.max_memory_allocated() - base) / 2**20
    return out


def interleaved(jobs, repeats, device, log):
    """Run each ``name -> thunk`` ``repeats`` times in rotating order; median seconds."""
    names = list(jobs)
    results = {name: [] for name in names}
    for r in range(repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            gc.collect()
            results[name].append(timed(jobs[name], device))
            log(f"    repeat {r + 1}/{repeats} {name}: {results[name][-1]['seconds']:.2f} s")
    summary = {}
    for name, runs in results.items():
        summary[name] = dict(runs[-1])
        summary[name]["seconds"] = statistics.median(run["seconds"] for run in runs)
        summary[name]["cpu_seconds"] = statistics.median(run["cpu_seconds"] for run in runs)
        summary[name]["all_seconds"] = [run["seconds"] for run in runs]
        if "device_peak_mb" in runs[-1]:
            summary[name]["device_peak_mb"] = max(run["device_peak_mb"] for run in runs)
    return summary


# ----------------------------------------------------------------------------- memory
def memory_probe(case, variant, device, quick, threads):
    """Peak host memory (ru_maxrss increase, MiB) of one fit, in a fresh subprocess."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--_probe",
        f"{case}:{variant}",
        "--device",
        device,
        "--threads",
        str(threads),
    ] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines()[::-1]:
        if line.startswith("PROBE "):
            return json.loads(line[6:])["rss_delta_mb"]
    sys.stderr.write(proc.stderr[-2000:])
    return float("nan")


def probe_main(spec, device, quick):
    case, variant = spec.split(":", 1)
    settings = case_settings(case, device, quick)
    X, y = make_data(settings["n"], settings["shape"])
    gc.collect()
    if _reset_peak_rss():
        # Linux: the high-water mark was reset to the current RSS, so VmHWM - VmRSS is
        # exactly the peak increase during the fit.
        before = _proc_status_kib("VmRSS")
        RUNNERS[variant](X, y, settings, device)
        delta_kib = _proc_status_kib("VmHWM") - before
    else:  # ru_maxrss delta: only counts a peak above every earlier one
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        RUNNERS[variant](X, y, settings, device)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        delta_kib = (after - before) / (1024 if sys.platform == "darwin" else 1)
    print("PROBE " + json.dumps({"rss_delta_mb": delta_kib / 1024}))


def _reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _proc_status_kib("VmHWM") is not None
    except OSError:
        return False


def _proc_status_kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


# ----------------------------------------------------------------------------- cases
def case_compare(case, args, log):
    settings = case_settings(case, args.device, args.quick)
    X, y = make_data(settings["n"], settings["shape"])
    log(f"  {case}: X {X.shape}, batch {settings['batch']}, {settings['epochs']} epoch(s)")
    # Warm-up: one short run of each variant (allocator, kernels, lazy imports).
    Xw, yw = X[: min(len(y), 4 * settings["batch"])], y[: min(len(y), 4 * settings["batch"])]
    for name in VARIANTS:
        RUNNERS[name](Xw, yw, settings, args.device, epochs=1)
    jobs = {name: (lambda f=RUNNERS[name]: f(X, y, settings, args.device)) for name in VARIANTS}
    summary = interleaved(jobs, args.repeats, args.device, log)
    if args.memory:
        for name in VARIANTS:
            summary[name]["host_peak_mb"] = memory_probe(
                case, name, args.device, args.quick, args.threads
            )
    floor = summary["hand loop"]["seconds"]
    cpu_floor = summary["hand loop"]["cpu_seconds"]
    rows = []
    for name in VARIANTS:
        s = summary[name]
        rows.append(
            [
                name,
                f"{s['seconds']:.2f}",
                f"{s['seconds'] / settings['epochs']:.2f}",
                f"{s['train_samples'] * settings['epochs'] / s['seconds']:,.0f}",
                f"{s['seconds'] / floor:.2f}x",
                f"{s['cpu_seconds']:.2f}",
                f"{s['cpu_seconds'] / cpu_floor:.2f}x",
                _fmt_mb(s.get("host_peak_mb")),
                _fmt_mb(s.get("device_peak_mb")),
                f"{s['last_loss']:.4f}",
                " / ".join(f"{t:.2f}" for t in s["all_seconds"]),
            ]
        )
    title = (
        f"{case}: {'MLP ' + str(settings['hidden']) if settings['hidden'] else 'ResNet-32'}, "
        f"X {X.shape}, batch {settings['batch']}, {settings['epochs']} epoch(s), SGD"
    )
    header = [
        "variant",
        "fit s (median)",
        "s / epoch",
        "train samples / s",
        "vs hand loop",
        "CPU s (median)",
        "CPU vs hand loop",
        "peak host MB",
        "peak device MB",
        "last-epoch loss",
        "runs (s)",
    ]
    ratio = summary["library"]["seconds"] / floor
    cpu_ratio = summary["library"]["cpu_seconds"] / cpu_floor
    verdict = "within" if ratio <= TARGET_LIBRARY else "OVER"
    notes = [
        f"library / hand loop = {ratio:.2f}x wall ({cpu_ratio:.2f}x process CPU time): "
        f"{verdict} the {TARGET_LIBRARY:.2f}x target; skorch / hand loop = "
        f"{summary['skorch']['seconds'] / floor:.2f}x wall "
        f"({summary['skorch']['cpu_seconds'] / cpu_floor:.2f}x CPU).",
        "Peak host MB: increase of the peak resident set over the pre-fit RSS during one "
        "fit in a fresh subprocess (data already in memory).",
        "skorch defaults: 20% stratified validation split (trains on 80% of the rows, "
        "then predicts the held-out 20% and scores valid_acc every epoch), DataLoader "
        "collating numpy rows per batch, no shuffling, a `.item()` sync per batch.",
        "Fit time is the whole `fit` call (validation, set-up, host->device copy, epochs).",
    ]
    return {"title": title, "header": header, "rows": rows, "notes": notes, "ratio": ratio}


def case_losses(args, log):
    settings = case_settings("losses", args.device, args.quick)
    X, y = make_data(settings["n"], settings["shape"])
    log(f"  losses: X {X.shape}, batch {settings['batch']}")
    # "ce (cosine head)" isolates the cost of the cosine head that ldam and cri train.
    names = LOSS_NAMES + ("ce (cosine head)",)

    def job(name, X, y):
        if name == "ce (cosine head)":
            return run_library(X, y, settings, args.device, loss="ce", head="cosine")
        return run_library(X, y, settings, args.device, loss=name)

    for name in names:  # warm-up
        job(name, X[:512], y[:512])
    jobs = {name: (lambda name=name: job(name, X, y)) for name in names}
    summary = interleaved(jobs, args.repeats, args.device, log)
    n_steps = -(-settings["n"] // settings["batch"]) * settings["epochs"]
    ce = summary["ce"]["seconds"]
    ce_cpu = summary["ce"]["cpu_seconds"]
    rows = []
    worst = 0.0
    for name in names:
        s, cpu = summary[name]["seconds"], summary[name]["cpu_seconds"]
        cosine = name in ("ldam", "cri", "ce (cosine head)")
        same_head = summary["ce (cosine head)"] if cosine else summary["ce"]
        if name in LOSS_NAMES:
            worst = max(worst, s / ce)
        rows.append(
            [
                name,
                "cosine" if cosine else "linear",
                f"{s:.2f}",
                f"{1e3 * s / n_steps:.2f}",
                f"{s / ce:.2f}x",
                f"{cpu / ce_cpu:.2f}x",
                f"{cpu / same_head['cpu_seconds']:.2f}x",
                "ok" if s / ce <= TARGET_LOSS else "OVER",
            ]
        )
    title = (
        f"losses: library fit, MLP {settings['hidden']}, X {X.shape}, batch "
        f"{settings['batch']}, {n_steps} steps"
    )
    header = [
        "loss",
        "head",
        "fit s (median)",
        "ms / step",
        "vs ce (wall)",
        "vs ce (CPU)",
        "vs ce, same head (CPU)",
        f"<= {TARGET_LOSS}x",
    ]
    notes = [
        f"worst loss / ce = {worst:.2f}x wall (target: none over {TARGET_LOSS:.2f}x). ms / step "
        "is the whole step: forward, loss, backward, SGD. `ldam` and `cri` train a cosine "
        "head (the library's default for them); the last column compares them with `ce` on "
        "the same cosine head, i.e. the cost of the loss alone."
    ]
    return {"title": title, "header": header, "rows": rows, "notes": notes}


def case_scaling(args, log):
    settings = case_settings("scaling", args.device, args.quick)
    rows = []
    per_sample = {}
    for n in settings["sizes"]:
        s = dict(settings, n=n)
        X, y = make_data(n, settings["shape"])
        log(f"  scaling: n = {n:,}")
        run_library(X[:1024], y[:1024], s, args.device)
        run_hand_loop(X[:1024], y[:1024], s, args.device)
        jobs = {
            "library": lambda X=X, y=y, s=s: run_library(X, y, s, args.device),
            "hand loop": lambda X=X, y=y, s=s: run_hand_loop(X, y, s, args.device),
        }
        summary = interleaved(jobs, args.repeats, args.device, log)
        lib, hand = summary["library"]["seconds"], summary["hand loop"]["seconds"]
        lib_cpu, hand_cpu = summary["library"]["cpu_seconds"], summary["hand loop"]["cpu_seconds"]
        per_sample[n] = (lib / n, lib_cpu / n, hand_cpu / n)
        rows.append(
            [
                f"{n:,}",
                f"{lib:.2f}",
                f"{1e6 * lib / n:.2f}",
                f"{1e6 * lib_cpu / n:.2f}",
                f"{hand:.2f}",
                f"{1e6 * hand / n:.2f}",
                f"{1e6 * hand_cpu / n:.2f}",
                f"{lib / hand:.2f}x",
                f"{lib_cpu / hand_cpu:.2f}x",
            ]
        )
        del X, y
        gc.collect()
    sizes = list(per_sample)
    growth = [
        f"{per_sample[b][0] / per_sample[a][0]:.2f} wall, {per_sample[b][1] / per_sample[a][1]:.2f}"
        f" CPU (hand loop {per_sample[b][2] / per_sample[a][2]:.2f} CPU) ({a:,} -> {b:,})"
        for a, b in zip(sizes, sizes[1:])
    ]
    title = (
        f"scaling: library fit time against n_samples, MLP {settings['hidden']}, "
        f"{settings['shape'][0]} features, batch {settings['batch']}, 1 epoch"
    )
    header = [
        "n_samples",
        "library s",
        "library us / sample",
        "library CPU us / sample",
        "hand loop s",
        "hand loop us / sample",
        "hand loop CPU us / sample",
        "library / hand (wall)",
        "library / hand (CPU)",
    ]
    notes = [
        "Ratio of library time per sample between consecutive sizes (1.00 = linear): "
        + ", ".join(growth)
        + "."
    ]
    return {"title": title, "header": header, "rows": rows, "notes": notes}


# ----------------------------------------------------------------------------- output
def _fmt_mb(value):
    if value is None:
        return "-"
    return "n/a" if value != value else f"{value:,.0f}"


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def hardware():
    cpu = platform.processor() or "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    parts = [
        f"CPU: {cpu}, {os.cpu_count()} logical cores",
        f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads",
        f"Python {platform.python_version()}",
    ]
    try:
        import skorch

        parts.append(f"skorch {skorch.__version__}")
    except ImportError:  # pragma: no cover
        pass
    if torch.cuda.is_available():
        parts.append(f"GPU: {torch.cuda.get_device_name()}")
    return "; ".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto (%(default)s)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI smoke test)")
    parser.add_argument("--output", type=Path, help="markdown file to append the results to")
    parser.add_argument(
        "--cases",
        default="mlp,resnet,losses,scaling",
        help="comma-separated subset of mlp,resnet,losses,scaling (%(default)s)",
    )
    parser.add_argument("--repeats", type=int, help="timed runs per variant (3; quick: 1)")
    parser.add_argument(
        "--threads",
        type=int,
        help="torch intra-op threads, the same for every variant (default: 1 on the CPU, "
        "torch's default on CUDA; on a shared 2-core machine 2 threads made every step "
        "wait on OpenMP barriers for a descheduled thread, up to 100x slower)",
    )
    parser.add_argument(
        "--memory",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="peak host memory per variant in fresh subprocesses (default: on, off with --quick)",
    )
    parser.add_argument("--_probe", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("repeats", "threads"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1; got {getattr(args, name)}")

    try:
        args.device = resolve_device(args.device)
    except ValueError as error:
        parser.error(str(error))
    if args.threads is None:
        args.threads = 1 if args.device == "cpu" else torch.get_num_threads()
    torch.set_num_threads(args.threads)
    # skorch's default stratified split warns about tail classes with < 5 samples.
    warnings.filterwarnings("ignore", message="The least populated class")
    if args._probe:
        probe_main(args._probe, args.device, args.quick)
        return 0
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.memory is None:
        args.memory = not args.quick
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = sorted(set(cases) - {"mlp", "resnet", "losses", "scaling"})
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from mlp, resnet, losses, scaling")
    if not cases:
        parser.error(
            f"--cases {args.cases!r} names no case; choose from mlp, resnet, losses, scaling"
        )
    if args.output and not args.output.parent.is_dir():
        parser.error(f"--output: no directory {str(args.output.parent)!r} to write in")

    def log(message):
        print(message, file=sys.stderr, flush=True)

    command = "python benchmarks/speed.py " + " ".join(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    sections = []
    for case in cases:
        log(f"case {case}")
        if case in ("mlp", "resnet"):
            sections.append(case_compare(case, args, log))
        elif case == "losses":
            sections.append(case_losses(args, log))
        else:
            sections.append(case_scaling(args, log))

    out = [
        f"### speed.py results ({time.strftime('%Y-%m-%d %H:%M')}, device {args.device}"
        f"{', quick' if args.quick else ''})",
        "",
        f"Command: `{command.strip()}`",
        "",
        f"Hardware: {hardware()}. Repeats: {args.repeats} (median), variants interleaved; "
        f"total {time.perf_counter() - started:.0f} s.",
        "",
    ]
    for section in sections:
        table = markdown_table(section["header"], section["rows"])
        out += [f"#### {section['title']}", "", table, ""]
        out += [f"- {note}" for note in section["notes"]] + [""]
    text = "\n".join(out)
    print(text)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
