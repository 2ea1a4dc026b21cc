"""One command for a GPU window: the GPU tests, the speed table, the recipe reproduction.

Made for a lent H100/H200 for at most 10 minutes a command (``--budget``, default 540 s):

1. **tests**: ``pytest -m gpu`` on the GPU test files (``--tests-timeout``);
2. **speed**: ResNet-32 at batch 128 on CIFAR-10-LT-sized data (12,406 images of
   3x32x32), crop + flip on the device, SGD: images/s of a hand-written eager loop,
   the library eager and the library with ``cuda_graph=True``, each in fp32 and bf16,
   with and without channels_last; then each loss's step cost relative to ``ce``
   (library, eager and graphed). Each figure is the last of 3 epochs (the first ones
   warm up cuDNN and capture the graphs). ``--with-compile`` adds
   ``compile={"mode": "reduce-overhead"}`` (torch.compile's own CUDA graphs) to compare
   the two ways of graphing the step (about a minute of compilation);
3. **recipes**: ``benchmarks/reproduce_cifar10_lt.py`` for every recipe x 2 seeds
   (``--seeds``), 200 epochs, ``--cuda-graph``, as parallel processes
   (``--parallel``, default all of them, at most 20) sharing the GPU through MPS
   (``nvidia-cuda-mps-control -d``), until the budget's end. Each finished run is
   appended to ``recipes.jsonl`` at once; runs still going at the deadline are stopped
   (a run is the unit of resumption: a stopped one starts over) and listed with their
   last progress line; with less than ``--min-recipe-seconds`` left none is started.
   ``--results FILE`` (the ``recipes.jsonl`` of an earlier command) skips the runs it
   holds, so the table is finished over several commands. ``--channels-last`` trains
   every run on channels-last images (the speed table shows what it gains once graphed).

The orchestrating process never touches CUDA (the tests, the speed table and every run
are subprocesses), so MPS serves every CUDA process it starts. Everything goes to
``--out`` (``$OUT`` on the device machine): ``report.md`` (the tables, also printed),
``recipes.jsonl``, ``recipes.log``, ``tests.log``.

Usage (RESULTS.md, "GPU check", has the device commands, data and wheels)::

    python benchmarks/gpu_check.py --source data_cache/cifar10-jpeg.npz --out $OUT
    python benchmarks/gpu_check.py --skip-tests --skip-speed --results prev/recipes.jsonl \\
        --source data_cache/cifar10-jpeg.npz --out $OUT
    python benchmarks/gpu_check.py --dry-run --out /tmp/gpu_check   # CPU, seconds
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO_ROOT))
BENCHMARKS = REPO_ROOT / "benchmarks"
DRY_METHODS = ("ce", "sure")

# Light (no torch): a dry run keeps the library's heavy modules out of this process.
from sklearn_imbalance_dl._console import readable_output  # noqa: E402


def gpu_test_files():
    """The test files that hold ``pytest.mark.gpu`` tests (relative to the repository)."""
    files = sorted((REPO_ROOT / "tests").glob("test_*.py"))
    return [
        str(path.relative_to(REPO_ROOT))
        for path in files
        if "pytest.mark.gpu" in path.read_text(encoding="utf-8")
    ]


# ----------------------------------------------------------------------------- speed
def speed_main(args):
    """The speed table, in this (sub)process; prints one JSON object on the last line."""
    import torch
    import torch.nn.functional as F

    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from sklearn_imbalance_dl import ImbalancedNetClassifier
    from sklearn_imbalance_dl._data import random_crop_flip
    from sklearn_imbalance_dl.modules import ResNet32

    sys.path.insert(0, str(BENCHMARKS))
    from speed import LOSS_NAMES  # the losses of the CPU speed table

    device = "cpu" if args.dry_run else "cuda"
    # A dry run: two steps of every fit (one full batch, one smaller last batch).
    n, size, batch, epochs = (24, 8, 16, 1) if args.dry_run else (12406, 32, 128, 3)
    if device == "cuda":
        torch.backends.cudnn.benchmark = True
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 3, size, size)).astype(np.float32)
    counts = np.maximum(1, (n * 0.4 * 0.6 ** np.arange(10)).astype(int))
    y = np.repeat(np.arange(10), counts)[:n]
    y = np.concatenate([y, rng.integers(0, 10, n - len(y))])
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def hand_loop(precision, channels_last):
        torch.manual_seed(0)
        model = ResNet32(10, in_channels=3).to(device)
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        model = model.to(memory_format=fmt)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=2e-4)
        Xd = torch.as_tensor(X, device=device).contiguous(memory_format=fmt)
        yd = torch.as_tensor(y, device=device)
        dtype = {"bf16": torch.bfloat16}.get(precision)
        times = []
        for _ in range(epochs):
            sync()
            start = time.perf_counter()
            order = torch.randperm(n, device=device)
            for i in range(0, n, batch):
                idx = order[i : i + batch]
                xb = random_crop_flip(Xd[idx])
                with torch.autocast(device, dtype=dtype, enabled=dtype is not None):
                    loss = F.cross_entropy(model(xb).float(), yd[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            sync()
            times.append(time.perf_counter() - start)
        return times[-1]

    def library(precision, channels_last, cuda_graph, loss="ce", compile=False):
        clf = ImbalancedNetClassifier(
            module="resnet32",
            loss=loss,
            optimizer="sgd",
            lr=0.1,
            weight_decay=2e-4,
            lr_schedule="constant",
            batch_size=batch,
            augment="crop_flip",
            max_epochs=epochs,
            precision=precision,
            channels_last=channels_last,
            cuda_graph=cuda_graph,
            compile=compile,
            device=device,
            random_state=0,
        ).fit(X, y)
        steps = getattr(clf.net_, "cuda_graph_steps_", {"graphed": 0})
        return clf.net_.history[-1, "dur"], steps["graphed"]

    # One JSON line per figure, as it comes: a timed-out run still reports what it has.
    def emit(record):
        print(json.dumps(record), flush=True)

    emit(
        {
            "kind": "meta",
            "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
            "torch": torch.__version__,
            "images": n,
            "batch": batch,
            "epochs": epochs,
        }
    )
    for precision in ("fp32", "bf16"):
        for channels_last in (False, True):
            setting = {"kind": "row", "precision": precision, "channels_last": channels_last}
            seconds = hand_loop(precision, channels_last)
            emit({**setting, "variant": "hand loop (eager)", "seconds": seconds})
            for graph in (False, True):
                seconds, graphed = library(precision, channels_last, graph)
                name = "library graphed" if graph else "library eager"
                emit({**setting, "variant": name, "seconds": seconds, "graphed": graphed})
    for loss in LOSS_NAMES:
        eager, _ = library("fp32", False, False, loss)
        graphed, _ = library("fp32", False, True, loss)
        emit({"kind": "loss", "loss": loss, "eager": eager, "graphed": graphed})
    if args.with_compile:  # torch.compile's own CUDA graphs, for the choice between them
        seconds, _ = library("fp32", False, False, compile={"mode": "reduce-overhead"})
        row = {"kind": "row", "precision": "fp32", "channels_last": False}
        emit({**row, "variant": "library compile reduce-overhead", "seconds": seconds})


def parse_speed(stdout):
    """The speed records printed so far: ``{"meta": ..., "rows": [...], "losses": [...]}``."""
    result = {"meta": None, "rows": [], "losses": []}
    for line in (stdout or "").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("kind") == "meta":
            result["meta"] = record
        elif record.get("kind") == "row":
            result["rows"].append(record)
        elif record.get("kind") == "loss":
            result["losses"].append(record)
    return result


def speed_markdown(result, complete=True):
    meta = result["meta"]
    if meta is None:
        return "### Speed\n\nno figure measured"
    n = meta["images"]
    lines = [
        f"### Speed: ResNet-32, {n} images, batch {meta['batch']}, crop + flip, SGD "
        f"({meta['device']}, torch {meta['torch']})",
        "",
        f"Last of {meta['epochs']} epochs (the first warm up cuDNN and capture the graphs)."
        + ("" if complete else " **Stopped at its time limit: the figures measured so far.**"),
        "",
        "| precision | channels_last | variant | s / epoch | images / s | vs hand loop |",
        "|---|---|---|---|---|---|",
    ]
    hand = {}
    for row in result["rows"]:
        key = (row["precision"], row["channels_last"])
        if row["variant"].startswith("hand"):
            hand[key] = row["seconds"]
        ratio = hand[key] / row["seconds"]
        lines.append(
            f"| {row['precision']} | {row['channels_last']} | {row['variant']} | "
            f"{row['seconds']:.3f} | {n / row['seconds']:,.0f} | {ratio:.2f}x |"
        )
    ce = next((r for r in result["losses"] if r["loss"] == "ce"), None)
    if ce is None:
        return "\n".join(lines)
    lines += [
        "",
        "Step cost of each loss relative to `ce` (library, fp32; target: at most 1.25x):",
        "",
        "| loss | eager s / epoch | eager vs ce | graphed s / epoch | graphed vs ce |",
        "|---|---|---|---|---|",
    ]
    for r in result["losses"]:
        lines.append(
            f"| {r['loss']} | {r['eager']:.3f} | {r['eager'] / ce['eager']:.2f}x | "
            f"{r['graphed']:.3f} | {r['graphed'] / ce['graphed']:.2f}x |"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- recipes
def finished_runs(path):
    """``{(method, seed): record}`` of the runs a recipes.jsonl holds."""
    runs = {}
    if path is not None and Path(path).exists():
        for line in Path(path).read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                runs[(record["method"], record["seed"])] = record
    return runs


def start_mps(log):
    """Start the MPS control daemon; False (and a log line) where it cannot start."""
    if shutil.which("nvidia-cuda-mps-control") is None:
        log("MPS: nvidia-cuda-mps-control not found; the runs share the GPU without it")
        return False
    proc = subprocess.run(
        ["nvidia-cuda-mps-control", "-d"], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        log(f"MPS: could not start ({proc.returncode}: {proc.stderr.strip()}); without it")
        return False
    log("MPS: control daemon started")
    return True


def stop_mps():
    subprocess.run(
        ["nvidia-cuda-mps-control"], input="quit\n", text=True, capture_output=True, check=False
    )


def run_recipes(args, jobs, results_path, deadline, log):
    """Run ``jobs`` ((method, seed) pairs) as subprocesses until done or the deadline."""
    logs_dir = Path(tempfile.mkdtemp(prefix="gpu_check_runs_"))
    pending, running, failed = list(jobs), {}, []
    while pending or running:
        while pending and len(running) < args.parallel and time.time() < deadline:
            method, seed = pending.pop(0)
            command = [
                sys.executable,
                str(BENCHMARKS / "reproduce_cifar10_lt.py"),
                "--methods",
                method,
                "--seed",
                str(seed),
                "--data",
                str(args.data),
                "--jsonl",
                str(results_path),
                "--progress",
                "10",
            ]
            if args.dry_run:
                command += [
                    "--epochs",
                    str(args.epochs),
                    "--max-train",
                    "20",
                    "--max-test",
                    "10",
                ]
                command += ["--device", "cpu", "--threads", "1"]
            else:
                command += ["--device", "cuda", "--cuda-graph", "--epochs", str(args.epochs)]
                command += ["--threads", "1"]  # up to 20 processes on the host's cores
            if args.channels_last:
                command += ["--channels-last"]
            run_log = logs_dir / f"{method}_{seed}.log"
            handle = open(run_log, "w")  # noqa: SIM115 - closed when the run ends
            proc = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
            running[(method, seed)] = (proc, handle, run_log)
            log(f"recipes: started {method} seed {seed}")
        for key, (proc, handle, run_log) in list(running.items()):
            if proc.poll() is None:
                continue
            handle.close()
            del running[key]
            if proc.returncode != 0:
                failed.append(key)
                log(f"recipes: {key[0]} seed {key[1]} FAILED ({proc.returncode}):")
                log(run_log.read_text(errors="replace")[-3000:])
            else:
                log(f"recipes: finished {key[0]} seed {key[1]}")
        if time.time() >= deadline and running:
            stopped = {}
            for key, (proc, handle, run_log) in running.items():
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                handle.close()
                progress = [
                    ln
                    for ln in run_log.read_text(errors="replace").splitlines()
                    if ": epoch " in ln
                ]
                stopped[key] = progress[-1].strip() if progress else "no epoch finished"
                log(f"recipes: stopped at the deadline: {key[0]} seed {key[1]} ({stopped[key]})")
            return failed, stopped, pending
        if pending and time.time() >= deadline:
            return failed, {}, pending
        time.sleep(0.5)
    return failed, {}, pending


def recipes_title(records, epochs, dry_run):
    """The heading of the recipe table: the epochs and the step of the runs it shows.

    Read from ``records`` (runs of earlier commands among them); ``epochs`` and
    ``dry_run``, this command's settings, where it shows no finished run.
    """
    counts = sorted({r["epochs"] for r in records}) or [epochs]
    graphed = {bool(r.get("cuda_graph")) for r in records} or {not dry_run}
    step = {
        frozenset({True}): "`cuda_graph=True`",
        frozenset({False}): "eager",
        frozenset({True, False}): "`cuda_graph=True` and eager",
    }[frozenset(graphed)]
    where = ", CPU dry run" if dry_run else ""
    epoch_text = ", ".join(map(str, counts)) + (" epoch" if counts == [1] else " epochs")
    return f"### CIFAR-10-LT ρ=100 recipes, {epoch_text}, {step}{where} (reproduce_cifar10_lt.py)"


def recipes_markdown(runs, methods, seeds, stopped, pending, failed, epochs, dry_run):
    shown = [runs[(m, s)] for m in methods for s in seeds if (m, s) in runs]
    lines = [
        recipes_title(shown, epochs, dry_run),
        "",
        "| method | " + " | ".join(f"seed {s} last / best" for s in seeds) + " | mean last | "
        "Δ vs CE (mean last) | fit s |",
        "|---|" + "---|" * (len(seeds) + 3),
    ]

    def mean_last(method):
        values = [runs[(method, s)]["last"][0] for s in seeds if (method, s) in runs]
        return float(np.mean(values)) if values else None

    ce = mean_last("ce")
    for method in methods:
        cells, seconds = [], []
        for seed in seeds:
            record = runs.get((method, seed))
            if record is None:
                state = "failed" if (method, seed) in failed else "not run"
                if (method, seed) in stopped:
                    state = f"stopped ({stopped[(method, seed)]})"
                cells.append(state)
                continue
            cells.append(f"{100 * record['last'][0]:.2f} / {100 * record['best'][0]:.2f}")
            seconds.append(record["seconds"])
        mean = mean_last(method)
        gain = "–" if mean is None or ce is None or method == "ce" else f"{100 * (mean - ce):+.1f}"
        lines.append(
            f"| {method} | "
            + " | ".join(cells)
            + f" | {'–' if mean is None else f'{100 * mean:.2f}'} | {gain} | "
            + (f"{np.mean(seconds):.0f}" if seconds else "–")
            + " |"
        )
    channels_last = sorted(f"{m} seed {s}" for (m, s), r in runs.items() if r.get("channels_last"))
    if channels_last:
        lines += ["", "On channels-last images: " + ", ".join(channels_last)]
    if pending:
        lines += [
            "",
            "Not started (budget spent): " + ", ".join(f"{m} seed {s}" for m, s in pending),
        ]
    return "\n".join(lines)


def _run_timed(command, env, timeout):
    """``(stdout, stderr, returncode)`` of ``command``; returncode None if it timed out."""
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            errors="replace",  # a child's output in another encoding than the locale's
            cwd=REPO_ROOT,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return _text(exc.stdout), _text(exc.stderr), None
    return proc.stdout, proc.stderr, proc.returncode


def _text(value):
    return value.decode(errors="replace") if isinstance(value, bytes) else (value or "")


def fake_cifar(path):
    """A tiny CIFAR-10-shaped .npz for the dry run."""
    rng = np.random.default_rng(0)
    np.savez(
        path,
        X_train=rng.integers(0, 256, (1000, 32, 32, 3), dtype=np.uint8),
        y_train=np.repeat(np.arange(10), 100),
        X_test=rng.integers(0, 256, (50, 32, 32, 3), dtype=np.uint8),
        y_test=np.repeat(np.arange(10), 5),
    )


# ----------------------------------------------------------------------------- main
def _comma_list(text):
    """The items of a comma-separated option, each once, in their order."""
    return list(dict.fromkeys(item.strip() for item in text.split(",") if item.strip()))


def check_arguments(parser, args):
    """Refuse a bad option before any work (a usage error); the seeds and recipes to run.

    Sets ``args.epochs`` to the epochs of a run (200, a dry run 1) where it is not given.
    """
    for name in ("budget", "tests_timeout", "speed_timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive; got {getattr(args, name)}")
    if args.min_recipe_seconds < 0:
        parser.error(f"--min-recipe-seconds must be at least 0; got {args.min_recipe_seconds}")
    for name in ("epochs", "parallel"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1; got {getattr(args, name)}")
    args.epochs = args.epochs or (1 if args.dry_run else 200)
    try:
        seeds = [int(s) for s in _comma_list(args.seeds)]
    except ValueError:
        parser.error(f"--seeds must be comma-separated integers; got {args.seeds!r}")
    if not seeds or min(seeds) < 0:
        parser.error(f"--seeds must be integers of at least 0; got {args.seeds!r}")
    if args.methods is None and args.dry_run:  # the library (and torch) stays out of this process
        methods = list(DRY_METHODS)
    else:
        sys.path.insert(0, str(REPO_ROOT))
        from sklearn_imbalance_dl.recipes import list_recipes

        recipes = list_recipes("cifar10_lt")
        methods = recipes if args.methods is None else _comma_list(args.methods)
        unknown = [m for m in methods if m not in recipes]
        if not methods:
            parser.error(f"--methods {args.methods!r} names no recipe; choose from {recipes}")
        if unknown:
            parser.error(
                f"--methods {args.methods!r}: unknown recipe(s) {unknown}; choose from {recipes}"
            )
    if args.skip_recipes:
        return seeds, methods
    if args.results is not None:
        if not args.results.exists():
            parser.error(f"--results: no file at {args.results}")
        try:
            finished_runs(args.results)
        except (ValueError, KeyError, TypeError) as error:
            parser.error(f"--results {args.results} is not a recipes.jsonl: {error!r}")
    if not args.dry_run and not args.data.exists():
        if args.source is None:
            parser.error(
                f"no CIFAR-10 data at {args.data}: pass --source cifar10-jpeg.npz to decode "
                "it first, or --data"
            )
        if not args.source.exists():
            parser.error(f"--source: no file at {args.source}")
    return seeds, methods


@readable_output()
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "gpu_check_out")))
    parser.add_argument("--budget", type=float, default=540, help="seconds in all (%(default)s)")
    parser.add_argument("--source", type=Path, help="cifar10-jpeg.npz to decode first")
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "data_cache" / "cifar10.npz")
    parser.add_argument("--results", type=Path, help="recipes.jsonl of an earlier command")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--methods", help="comma-separated recipes (default: all)")
    parser.add_argument("--epochs", type=int, help="200 (a dry run: 1)")
    parser.add_argument("--parallel", type=int, help="runs at once (default: all, at most 20)")
    parser.add_argument(
        "--min-recipe-seconds",
        type=float,
        default=240,
        help="start no run with less left: a stopped run is lost (%(default)s)",
    )
    parser.add_argument(
        "--channels-last",
        action="store_true",
        help="recipe runs on channels-last images (same precision, a faster graphed step)",
    )
    parser.add_argument("--tests-timeout", type=float, default=150)
    parser.add_argument("--speed-timeout", type=float, default=170)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-recipes", action="store_true")
    parser.add_argument(
        "--with-compile",
        action="store_true",
        help="add torch.compile(mode='reduce-overhead') to the speed table (compiles ~1 min)",
    )
    parser.add_argument("--no-mps", action="store_true", help="do not start MPS")
    parser.add_argument("--dry-run", action="store_true", help="CPU, tiny shapes, seconds")
    parser.add_argument("--speed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.speed_only:
        speed_main(args)
        return 0
    seeds, methods = check_arguments(parser, args)

    start = time.time()
    deadline = start + args.budget
    args.out.mkdir(parents=True, exist_ok=True)
    report = []
    log_path = args.out / "recipes.log"

    def log(message):
        print(message, file=sys.stderr, flush=True)
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(message + "\n")

    def remaining():
        return deadline - time.time()

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    if args.dry_run:
        env.update(CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1")

    # 1. GPU tests
    if not args.skip_tests:
        command = [sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-p", "no:cacheprovider"]
        command += gpu_test_files()
        stdout, stderr, returncode = _run_timed(
            command, env, max(1, min(args.tests_timeout, remaining()))
        )
        output = stdout + stderr
        summary = f"stopped after {args.tests_timeout:.0f} s" if returncode is None else None
        (args.out / "tests.log").write_text(output, encoding="utf-8")
        last = [ln for ln in output.splitlines() if ln.strip()]
        summary = summary or (last[-1] if last else "no output")
        report += ["### GPU tests (`pytest -m gpu`)", "", f"`{' '.join(command[1:])}`: {summary}"]
        failures = [ln for ln in output.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        report += [f"- {ln}" for ln in failures] + [""]
        log(f"tests: {summary}")

    # 2. speed table
    if not args.skip_speed and remaining() > 30:
        command = [sys.executable, str(Path(__file__).resolve()), "--speed-only"]
        command += ["--dry-run"] if args.dry_run else []
        command += ["--with-compile"] if args.with_compile else []
        timeout = max(1, min(args.speed_timeout, remaining() - 10))
        stdout, stderr, returncode = _run_timed(command, env, timeout)
        complete = returncode == 0
        result = parse_speed(stdout)
        (args.out / "speed.json").write_text(json.dumps(result, indent=1))
        report += [speed_markdown(result, complete), ""]
        if not complete:
            report += [f"Speed run stopped or failed after {timeout:.0f} s: {stderr[-1500:]}", ""]
        log(f"speed: {'done' if complete else 'incomplete'}")

    # 3. recipes
    if not args.skip_recipes:
        if args.dry_run:
            args.parallel = min(args.parallel or 4, 4)
            args.min_recipe_seconds = 0
            args.data = args.out / "fake_cifar10.npz"
            fake_cifar(args.data)
        elif args.source is not None and not args.data.exists():
            subprocess.run(
                [
                    sys.executable,
                    str(BENCHMARKS / "prepare_cifar10.py"),
                    "--source",
                    str(args.source),
                ]
                + ["--output", str(args.data)],
                cwd=REPO_ROOT,
                env=env,
                check=True,
            )
        results_path = args.out / "recipes.jsonl"
        runs = finished_runs(results_path)
        if args.results is not None and args.results.resolve() != results_path.resolve():
            earlier = finished_runs(args.results)
            with open(results_path, "a", encoding="utf-8") as f:
                for key, record in earlier.items():
                    if key not in runs:
                        f.write(json.dumps(record) + "\n")
            runs = finished_runs(results_path)
        jobs = [(m, s) for s in seeds for m in methods if (m, s) not in runs]
        log(f"recipes: {len(runs)} runs already finished, {len(jobs)} to run")
        args.parallel = args.parallel or max(1, min(20, len(jobs)))
        failed, stopped, pending = [], {}, jobs
        if jobs and remaining() < args.min_recipe_seconds:
            log(
                f"recipes: {remaining():.0f} s left, under --min-recipe-seconds "
                f"{args.min_recipe_seconds:.0f}: no run started (a stopped run is lost); "
                "run the recipes in a command of their own"
            )
        elif jobs:
            mps = not args.dry_run and not args.no_mps and start_mps(log)
            try:
                failed, stopped, pending = run_recipes(args, jobs, results_path, deadline - 5, log)
            finally:
                if mps:
                    stop_mps()
        runs = finished_runs(results_path)
        table = recipes_markdown(
            runs, methods, seeds, stopped, pending, failed, args.epochs, args.dry_run
        )
        report += [table, ""]

    text = "\n".join(report)
    print(text)
    (args.out / "report.md").write_text(text + "\n", encoding="utf-8")
    log(f"gpu_check: {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
