"""Tests of ``python -m sklearn_imbalance_dl compare`` and the compare subpackage."""

import importlib.util
import inspect
import json
import os
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sklearn_imbalance_dl import ImbalancedNetClassifier, __version__
from sklearn_imbalance_dl.__main__ import build_parser, main
from sklearn_imbalance_dl.compare import (
    format_table,
    make_preprocessor,
    margin_line,
    plot_results,
    run_comparison,
    summarise,
    write_results,
)
from sklearn_imbalance_dl.compare._methods import RecipeFactory, default_methods, is_deep
from sklearn_imbalance_dl.compare._runner import _resolve_methods
from sklearn_imbalance_dl.mixing import Mixup
from sklearn_imbalance_dl.recipes import list_recipes, make_estimator
from sklearn_imbalance_dl.sampling import SMOTEWithFallback
from sklearn_imbalance_dl.schedules import PhasedProgressiveLearning, Schedule

TINY = ["--epochs", "2", "--seeds", "1", "--quiet"]
REPO = Path(__file__).resolve().parents[1]


def _table(n=120, seed=0):
    """A small imbalanced table with numeric, categorical, bool columns and gaps."""
    rng = np.random.default_rng(seed)
    y = np.array(["common"] * (n - 30) + ["rare"] * 20 + ["tiny"] * 10)
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n) + 2.0 * (y == "rare"),
            "x2": rng.normal(size=n) + 2.0 * (y == "tiny"),
            "colour": rng.choice(["red", "green", "blue"], size=n),
            "flag": rng.random(n) < 0.3,
            "label": y,
        }
    )
    df.loc[3, "x1"] = np.nan
    df.loc[5, "colour"] = None
    return df


@pytest.fixture
def fallback_dir(tmp_path, monkeypatch):
    """The temporary folder where compare writes an output it could not write where asked."""
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "table.csv"
    _table().to_csv(path, index=False)
    return path


def _fit_rows(document):
    """The per-fit metrics of a JSON output, without timings (which vary)."""
    return [
        {k: v for k, v in row.items() if k not in ("fit_time", "predict_time")}
        for row in document["fits"]
    ]


# ---------------------------------------------------------------- recipes
HAS_CATBOOST = importlib.util.find_spec("catboost") is not None
# compare's methods as its documentation describes them, in their order: the network's
# own parameters (besides the estimator's defaults) and the resampler before it...
NETWORK_METHODS = {
    "default": (None, {"module": "auto", "loss": "logit_adjusted"}),
    "ce": (None, {"loss": "ce"}),
    "weighted_ce": (None, {"loss": "weighted_ce"}),
    "ldam_drw": (None, {"loss": "ldam", "schedule": "drw"}),
    "cri_ppl": (None, {"loss": "cri", "schedule": "ppl"}),
    "arb": (None, {"loss": "arb"}),
    "mfw": (None, {"loss": "ce", "mixing": "mfw"}),
    "smote": ("SMOTEWithFallback", {"loss": "ce"}),
    "undersample": ("RandomUnderSampler", {"loss": "ce"}),
}
# ... and the non-deep rivals, with the parameters their notes give (seed 3).
RIVALS = {
    "logreg": ("LogisticRegression", {"class_weight": "balanced", "max_iter": 5000}),
    "hgb": ("HistGradientBoostingClassifier", {"class_weight": "balanced"}),
    "brf": ("BalancedRandomForestClassifier", {}),
    "catboost": (
        "CatBoostClassifier",
        {
            "auto_class_weights": "Balanced",
            "thread_count": 1,
            "allow_writing_files": False,
        },
    ),
}
if not HAS_CATBOOST:  # compare leaves out a method whose package is missing
    del RIVALS["catboost"]
METHODS = [*NETWORK_METHODS, *RIVALS]


def test_default_methods_are_the_documented_tabular_methods():
    assert default_methods() == METHODS
    assert list(_resolve_methods(None)) == METHODS
    assert list_recipes("tabular")[: len(NETWORK_METHODS)] == list(NETWORK_METHODS)


def test_networks_train_for_the_estimators_own_epochs_unless_told():
    # The "default" method is ImbalancedNetClassifier() as the benchmark chose it.
    estimator_default = ImbalancedNetClassifier().max_epochs
    assert inspect.signature(run_comparison).parameters["epochs"].default == estimator_default
    args = build_parser().parse_args(["compare"])
    assert args.epochs == estimator_default


@pytest.mark.parametrize("name", METHODS)
def test_a_pickled_factory_builds_the_documented_estimator(name):
    # What joblib / Dask send to a worker: the factory, pickled.
    factory = pickle.loads(pickle.dumps(_resolve_methods(None)[name]))
    assert isinstance(factory, RecipeFactory) and factory.method == name
    estimator = factory(3, 7, "cpu")
    if name in RIVALS:
        kind, params = RIVALS[name]
        assert type(estimator).__name__ == kind
        seed = "random_seed" if name == "catboost" else "random_state"
        assert estimator.get_params() | params | {seed: 3} == estimator.get_params()
    else:
        resampler, params = NETWORK_METHODS[name]
        net = estimator
        if resampler is not None:
            assert [type(step).__name__ for _, step in estimator.steps] == [
                resampler,
                "ImbalancedNetClassifier",
            ]
            assert estimator.steps[0][1].random_state == 3
            net = estimator.steps[-1][1]
        expected = ImbalancedNetClassifier(random_state=3, max_epochs=7, device="cpu", **params)
        assert net.get_params(deep=False) == expected.get_params(deep=False)
    clone(estimator)  # unfitted, scikit-learn compatible
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)


def test_factories_build_what_the_method_names_say():
    net = RecipeFactory("ldam_drw")(7, 3, "cpu")
    assert (net.loss, net.schedule, net.max_epochs, net.random_state) == ("ldam", "drw", 3, 7)
    assert RecipeFactory("mfw")(0, 3, "cpu").mixing == "mfw"
    default = RecipeFactory("default")(0, 3, "cpu")
    assert (default.module, default.loss) == ("auto", "logit_adjusted")
    smote = RecipeFactory("smote")(5, 3, "cpu")
    assert isinstance(smote.steps[0][1], SMOTEWithFallback) and smote.steps[0][1].random_state == 5
    hgb = RecipeFactory("hgb")(2, 3, "cpu")
    assert type(hgb).__name__ == "HistGradientBoostingClassifier"
    assert (hgb.class_weight, hgb.random_state) == ("balanced", 2)
    assert type(RecipeFactory("brf")(2, 3, "cpu")).__name__ == "BalancedRandomForestClassifier"
    with pytest.raises(ValueError, match="valid methods are: default, ce, weighted_ce"):
        RecipeFactory("nope")


def test_deep_means_a_network_or_a_pipeline_ending_in_one():
    deep = {name: is_deep(factory(0, 1, "cpu")) for name, factory in _resolve_methods(None).items()}
    assert {name for name, d in deep.items() if not d} == set(RIVALS)
    assert is_deep(ImbalancedNetClassifier())
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    assert not is_deep(make_pipeline(SMOTEWithFallback(), LogisticRegression()))


def _summary(rows, deep):
    summary = pd.DataFrame(
        rows, columns=["method", "balanced_accuracy_mean", "balanced_accuracy_std"]
    )
    summary.attrs["deep"] = deep
    return summary


def test_margin_line_deep_winner_non_deep_winner_and_ties():
    deep = {"arb": True, "ldam_drw": True, "hgb": False, "logreg": False}
    line = margin_line(
        _summary([("arb", 0.823, 0.006), ("hgb", 0.802, 0.004), ("ldam_drw", 0.8, 0.01)], deep)
    )
    assert line == (
        "Winner: arb, +2.1 points of balanced accuracy over the best non-deep method (hgb)"
    )
    line = margin_line(
        _summary([("hgb", 0.85, 0.001), ("logreg", 0.84, 0.0), ("ldam_drw", 0.837, 0.002)], deep)
    )
    assert line == (
        "Winner: hgb (non-deep); the best deep method, ldam_drw, is 1.3 points of balanced "
        "accuracy behind"
    )
    # Without the fits there is nothing to test the margin with: no verdict.
    line = margin_line(_summary([("arb", 0.81, 0.02), ("logreg", 0.80, 0.005)], deep))
    assert line.endswith("over the best non-deep method (logreg)")
    assert margin_line(_summary([("arb", 0.81, 0.02), ("ldam_drw", 0.8, 0.0)], deep)) is None
    assert margin_line(_summary([("arb", 0.81, 0.02), ("hgb", 0.8, 0.0)], {})) is None


def test_smote_with_fallback_on_digits_counts():
    # The long-tailed digits counts: the smallest classes have 2 and 1 samples.
    counts = [124, 74, 44, 26, 16, 9, 5, 3, 2, 1]
    y = np.repeat(np.arange(10), counts)
    X = np.random.default_rng(0).normal(size=(len(y), 4))
    sampler = SMOTEWithFallback(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [124] * 10
    assert sampler.k_neighbors_ == 1 and sampler.fallback_classes_ == [9]
    # The single sample of class 9 is copied, not interpolated.
    assert np.all(X_res[y_res == 9] == X[y == 9])
    assert "k_neighbors=1" in sampler.notes_[0] and "RandomOverSampler" in sampler.notes_[1]
    # Enough samples everywhere: plain SMOTE, no note.
    y = np.repeat([0, 1], [40, 10])
    sampler.fit_resample(np.random.default_rng(0).normal(size=(50, 2)), y)
    assert sampler.k_neighbors_ == 5 and sampler.notes_ == []


# ---------------------------------------------------------------- the default command
def test_main_digits_tiny(capsys):
    args = ["compare", *TINY, "--methods", "ce,smote,logreg", "--dataset", "digits_lt"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Long-tailed digits, imbalance ratio 100" in out
    assert "124, 74, 44, 26, 16, 9, 5, 3, 2, 1" in out
    assert "many-shot: > 50 training samples (classes 0, 1)" in out
    assert "few-shot: < 10 (classes 5, 6, 7, 8, 9)" in out
    for column in ("bal. acc", "macro-F1", "G-mean", "min. recall", "many", "medium", "few"):
        assert column in out
    table = [line for line in out.splitlines() if line[:1].isdigit() and "fits in" not in line]
    assert sorted(line.split()[1] for line in table) == ["ce", "logreg", "smote"]
    # Sorted by balanced accuracy, best first.
    scores = [float(line.split()[2]) for line in table]
    assert scores == sorted(scores, reverse=True)
    assert "note: smote: SMOTE k_neighbors=1" in out and "class(es) 9 with 1 sample" in out
    # The best network against the best non-deep row (logreg), in points.
    scores = {line.split()[1]: float(line.split()[2]) for line in table}
    best_deep = max(("ce", "smote"), key=scores.get)
    gap = 100 * (scores[best_deep] - scores["logreg"])
    margin = next(line for line in out.splitlines() if line.startswith("Winner: "))
    if gap > 0:
        found = re.match(rf"Winner: {best_deep}, \+(\d+\.\d) points .* \(logreg\)", margin)
    else:
        found = re.match(
            rf"Winner: logreg \(non-deep\); the best deep method, {best_deep}, is (\d+\.\d) ",
            margin,
        )
    # The margin is the difference of the means the table shows.
    assert found and float(found[1]) == pytest.approx(abs(gap)), margin
    # One balanced test set: the splits do not vary, so no significance is claimed.
    assert margin.endswith("(one fixed test set: no significance test)")


@pytest.mark.slow
def test_subprocess_python_m(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_imbalance_dl", "compare", *TINY]
        + ["--methods", "ce,smote,logreg"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=600,  # a guard against a hang, not a time limit
    )
    assert proc.returncode == 0, proc.stderr
    assert "bal. acc" in proc.stdout and "logreg" in proc.stdout
    # stderr is not a terminal here: no progress bar.
    assert "fit/s" not in proc.stderr and "%|" not in proc.stderr


@pytest.mark.slow
def test_a_reader_that_stops_reading_does_not_stop_the_files(csv_file, tmp_path):
    """``compare ... | head -1``: the table meets a closed pipe; no traceback, and
    --output and --plot are still written."""
    pytest.importorskip("matplotlib")
    args = ["--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    outputs = ["--output", str(tmp_path / "r.csv"), "--plot", str(tmp_path / "r.png")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sklearn_imbalance_dl", "compare", *args, "--methods", "logreg"]
        + outputs,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    proc.stdout.close()  # before the program prints anything: it takes seconds to start
    try:
        stderr = proc.stderr.read()
        assert proc.wait(timeout=600) == 0, stderr
    finally:
        proc.kill()
    assert stderr == ""
    assert (tmp_path / "r.csv").exists() and (tmp_path / "r.png").exists()


def test_a_terminal_without_the_tables_characters_gets_them_in_ascii(tmp_path, monkeypatch):
    """Under an ASCII stdout (``PYTHONIOENCODING=ascii``, a C locale, some Windows
    consoles) the table's "±" is printed as "+/-" instead of raising
    UnicodeEncodeError after the fits; the files stay UTF-8."""
    import io

    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii", write_through=True)
    monkeypatch.setattr(sys, "stdout", stdout)
    output = tmp_path / "r.csv"
    # Two seeds: cells of a mean and a spread.
    args = ["compare", "--dataset", "digits_lt", "--imbalance-ratio", "10", "--seeds", "2"]
    assert main([*args, "--quiet", "--methods", "logreg", "--output", str(output)]) == 0
    printed = stdout.buffer.getvalue().decode("ascii")
    assert "mean +/- std over 2 fits (seeds)" in printed
    # The columns line up with "+/-" in the cells.
    table = printed.split("\n\n")[1].splitlines()[:3]
    assert table[0].startswith("#  method") and len({len(line) for line in table}) == 1
    assert f"wrote {output}" in printed
    assert stdout.errors == "strict"  # as it was, once the command has returned
    assert output.exists()

    from sklearn_imbalance_dl._console import readable_output

    with readable_output():
        print("0.812 ± 0.020, 3 × 5 folds, ρ=100, ∈")
    assert (
        stdout.buffer.getvalue()
        .decode("ascii")
        .endswith("0.812 +/- 0.020, 3 x 5 folds, rho=100, \\u2208\n")
    )


def test_the_table_lines_up_names_of_wide_and_combining_characters(monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    summary = pd.DataFrame({
        "method": ["logreg", "逻辑回归", "cafe\u0301"], "n_fits": 2, "n_failed": 0,
        "balanced_accuracy_mean": [0.8, 0.7, 0.6], "balanced_accuracy_std": 0.01,
        "fit_time_mean": 0.1, "fit_time_std": 0.0,
    })  # fmt: skip
    rows = format_table(summary).splitlines()[-3:]
    # Four characters of two columns each take the eight columns of eight; a letter and
    # its accent, two characters, take one.
    assert [len(row) for row in rows] == [len(rows[0]), len(rows[0]) - 4, len(rows[0]) + 1]
    assert rows[1].index("0.700") == rows[0].index("0.800") - 4


def test_console_script_is_the_program():
    """``sklearn-imbalance-dl`` runs what ``python -m sklearn_imbalance_dl`` runs."""
    from importlib.metadata import entry_points

    import sklearn_imbalance_dl.__main__ as program

    (script,) = entry_points(group="console_scripts", name="sklearn-imbalance-dl")
    assert script.load() is program.run_program


# ---------------------------------------------------------------- user tables
def test_csv_cross_validation_and_csv_output(csv_file, tmp_path, capsys):
    out_path = tmp_path / "results.csv"
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "3", *TINY]
    args += ["--methods", "ce,smote,logreg", "--output", str(out_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "stratified 3-fold cross-validation" in out
    assert "2 categorical, 2 numeric" in out
    assert "many-shot" not in out  # shot accuracy is for the long-tailed digits
    table = pd.read_csv(out_path)
    fits, summary = table[table.row == "fit"], table[table.row == "summary"]
    assert len(fits) == 3 * 3 and sorted(set(fits.fold)) == [0, 1, 2]
    assert sorted(summary.method) == ["ce", "logreg", "smote"]
    assert set(summary.n_fits) == {3}
    for metric in ("balanced_accuracy", "macro_f1", "g_mean", "minority_recall"):
        assert fits[metric].between(0, 1).all()
        means = fits.groupby("method")[metric].mean()
        np.testing.assert_allclose(
            summary.set_index("method")[f"{metric}_mean"], means[summary.method]
        )
    assert {"recall[common]", "recall[rare]", "recall[tiny]", "fit_time"} <= set(table.columns)
    # The minority recall is the recall of the rarest training class.
    np.testing.assert_allclose(fits["minority_recall"], fits["recall[tiny]"])
    # Counts and indices are written as integers ("80", not "80.0"), empty where a
    # row has none (the summary has no seed, a fit no n_fits).
    text = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    fit_text, summary_text = text[text.row == "fit"], text[text.row == "summary"]
    assert set(fit_text.seed) == {"0"} and set(fit_text.fold) == {"0", "1", "2"}
    assert set(fit_text.n_train) == {"80"} and set(fit_text.n_test) == {"40"}
    assert set(fit_text.n_fits) == {""} and set(summary_text.seed) == {""}
    assert set(summary_text.n_fits) == {"3"} and set(summary_text.n_failed) == {"0"}
    assert set(fit_text.error) == {""}


def test_parquet_and_json_output(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    data = tmp_path / "table.parquet"
    _table().to_parquet(data)
    out_path = tmp_path / "results.json"
    args = ["compare", "--data", str(data), "--target", "label", "--folds", "2", *TINY]
    args += ["--seeds", "3,5", "--methods", "logreg,undersample", "--output", str(out_path)]
    assert main(args) == 0
    document = json.loads(out_path.read_text())
    assert set(document) == {"settings", "fits", "summary"}
    assert document["settings"]["seeds"] == [3, 5]
    assert document["settings"]["partial"] is False
    assert document["settings"]["deep"] == {"logreg": False, "undersample": True}
    assert document["settings"]["classes"] == ["common", "rare", "tiny"]
    assert len(document["fits"]) == 2 * 2 * 2
    assert {row["seed"] for row in document["fits"]} == {3, 5}
    assert [row["method"] for row in document["summary"]] == sorted(
        ["logreg", "undersample"],
        key=lambda m: (
            -np.mean([r["balanced_accuracy"] for r in document["fits"] if r["method"] == m])
        ),
    )


def test_parquet_without_pyarrow_names_the_install(tmp_path, capsys, monkeypatch):
    """One line, not pandas' list of every engine it tried."""
    pytest.importorskip("pyarrow")
    data = tmp_path / "table.parquet"
    _table().to_parquet(data)
    for engine in ("pyarrow", "fastparquet"):
        monkeypatch.setitem(sys.modules, engine, None)  # import raises ImportError
    assert main(["compare", "--data", str(data), "--target", "label", *TINY]) == 2
    err = capsys.readouterr().err
    assert "cannot read 'table.parquet': reading Parquet needs pyarrow (pip install pyarrow)" in err
    assert "engine" not in err


@pytest.mark.parametrize(
    "output, settings_file", [("r.json", "r.json"), ("r.csv", "r.settings.json")]
)
def test_the_output_says_what_was_compared(output, settings_file, tmp_path, capsys):
    import hashlib

    import sklearn_imbalance_dl

    data = tmp_path / "table.csv"
    _table().to_csv(data, sep=";", index=False)
    args = ["compare", "--data", str(data), "--target", "label", "--folds", "2", *TINY]
    args += ["--methods", "logreg", "--drop", "flag", "--output", str(tmp_path / output)]
    assert main(args) == 0
    out = capsys.readouterr().out
    settings = json.loads((tmp_path / settings_file).read_text())["settings"]
    assert settings["data"] == {
        "file": str(data.resolve()),
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
        "target": "label",
        "sep": None,  # detected: the title names it
        "decimal": None,
        "na_values": [],
        "drop": ["flag"],
    }
    assert settings["title"].startswith("table.csv (separator ';', decimal '.'): 120 rows")
    assert settings["title"] in out
    assert settings["estimators"] == {
        "logreg": "LogisticRegression(class_weight='balanced', max_iter=5000, random_state=0)"
    }
    assert settings["preprocessor"] == "auto"
    assert settings["protocol"] == "2-fold" and settings["seeds"] == [0]
    assert settings["epochs"] == 2 and settings["device"] == "cpu"
    assert settings["versions"]["sklearn_imbalance_dl"] == sklearn_imbalance_dl.__version__
    if output.endswith(".csv"):  # the table itself reads back as before
        assert f"wrote {tmp_path / output} and {tmp_path / settings_file}" in out
        assert pd.read_csv(tmp_path / output).columns[:4].tolist() == [
            "row",
            "method",
            "seed",
            "fold",
        ]


@pytest.mark.parametrize(
    "preprocessor, as_frame, recorded",
    [
        (StandardScaler(with_mean=False), False, "StandardScaler(with_mean=False)"),
        ("auto", True, "auto"),
        ("auto", False, None),  # an array: nothing in front of the methods
        (None, True, None),
    ],
)
def test_the_settings_record_the_preprocessor(preprocessor, as_frame, recorded):
    X, y = _two_class_data()
    X = pd.DataFrame(X, columns=["a", "b", "c", "d"]) if as_frame else X
    results = run_comparison(X, y, cv=2, seeds=1, methods=["logreg"], preprocessor=preprocessor)
    assert results.attrs["preprocessor"] == recorded


def test_the_output_names_the_shipped_data_set(tmp_path, capsys):
    output = tmp_path / "r.json"
    args = ["compare", "--dataset", "digits_lt", "--imbalance-ratio", "10", *TINY]
    assert main([*args, "--methods", "logreg", "--output", str(output)]) == 0
    settings = json.loads(output.read_text())["settings"]
    assert settings["data"] == {"dataset": "digits_lt", "imbalance_ratio": 10}
    assert settings["title"].startswith("Long-tailed digits, imbalance ratio 10: ")


class _RecordingScaler(TransformerMixin, BaseEstimator):
    """Records how many rows it is fitted on (to prove it sees the training fold only)."""

    fitted_on = []

    def fit(self, X, y=None):
        type(self).fitted_on.append(len(X))
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float)


def test_preprocessing_and_resampling_fitted_per_fold():
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 3)))
    y = np.repeat([0, 1], [45, 15])
    _RecordingScaler.fitted_on.clear()
    results = run_comparison(
        X, y, cv=3, methods=["smote", "logreg"], seeds=1, epochs=1, preprocessor=_RecordingScaler()
    )
    # Fitted once per (method, fold), each time on the 40 training rows, never on 60.
    assert _RecordingScaler.fitted_on == [40] * 6
    assert set(results.n_train) == {40} and set(results.n_test) == {20}


def test_a_factory_returning_one_estimator_does_not_carry_a_fit_into_the_next_fold():
    """A closure over one warm-started estimator: each fit starts from an unfitted copy,
    not from the model of the previous fold, which was trained on this fold's test rows."""
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 3)), rng.integers(0, 2, 60)  # noise: nothing to learn
    forest = RandomForestClassifier(n_estimators=5, warm_start=True, random_state=0)
    shared = run_comparison(X, y, cv=2, methods={"rf": lambda s, e, d: forest}, seeds=[0])
    fresh = run_comparison(X, y, cv=2, methods={"rf": lambda s, e, d: clone(forest)}, seeds=[0])
    np.testing.assert_array_equal(shared.balanced_accuracy, fresh.balanced_accuracy)
    assert not hasattr(forest, "estimators_")  # the user's estimator is left unfitted


def test_make_preprocessor_one_hot_and_scale():
    X = _table().drop(columns="label")  # a None among the colours, a NaN among x1
    Xt = make_preprocessor(X).fit_transform(X)
    # 2 numeric + 3 colours (after imputing the gap) + 2 flags; no missing values left.
    assert Xt.shape == (len(X), 7) and not np.isnan(Xt).any()
    np.testing.assert_allclose(Xt[:, :2].mean(0), 0, atol=1e-12)


@pytest.mark.parametrize("labels", [[1, 0], [1, 2]])
def test_make_preprocessor_picks_integer_labels_by_name_not_position(labels):
    # ColumnTransformer reads a list of integers as positions: label 1 first would pick
    # the column at position 1, and label 2 none.
    rng = np.random.default_rng(0)
    X = pd.DataFrame({labels[0]: rng.choice([True, False], 150), labels[1]: rng.normal(size=150)})
    Xt = make_preprocessor(X).fit_transform(X)
    assert Xt.shape == (150, 1 + 2)  # the number scaled, the flag one-hot
    np.testing.assert_allclose(
        Xt[:, 0], (X[labels[1]] - X[labels[1]].mean()) / X[labels[1]].std(ddof=0)
    )


def test_make_preprocessor_takes_a_str_column_with_gaps(pandas_3_text):
    """One text column with a gap, as pandas 3 reads it: its values come from the
    DataFrame as a read-only view, which the gaps were written into."""
    X = pd.DataFrame({"colour": ["red", None, "blue", "red"], "x": [0.5, 1.5, 2.5, 3.5]})
    Xt = make_preprocessor(X).fit_transform(X)
    # 1 numeric + 2 colours (the gap imputed as the most frequent, red).
    np.testing.assert_array_equal(Xt[:, 1:], [[0, 1], [0, 1], [1, 0], [0, 1]])


def test_make_preprocessor_bounds_the_width_of_a_column_of_many_categories():
    rng = np.random.default_rng(0)
    codes = rng.zipf(1.3, 5000) % 3000  # a long tail of rare codes
    X = pd.DataFrame({"code": [f"c{c}" for c in codes], "x": rng.normal(size=5000)})
    preprocessor = make_preprocessor(X)
    Xt = preprocessor.fit_transform(X)
    assert Xt.shape == (5000, 1 + 100)
    frequent = pd.Series(codes).value_counts().index[:50]  # clear of ties at the 99th
    assert np.all(Xt[np.isin(codes, frequent), -1] == 0)  # the shared column
    unseen = preprocessor.transform(X.head(1).assign(code="never seen"))
    assert unseen[0, -1] == 1 and unseen[0, 1:-1].sum() == 0


def test_make_preprocessor_splits_a_wide_table_without_comparing_every_pair_of_columns():
    # Column names that count their comparisons: picking the categorical columns
    # compared each column with every numeric one, quadratic in the columns.
    compared = []

    class Name(str):
        __hash__ = str.__hash__

        def __eq__(self, other):
            compared.append(1)
            return str.__eq__(self, other)

    n = 300
    X = pd.DataFrame(
        np.random.default_rng(0).normal(size=(30, n)), columns=[Name(f"x{i}") for i in range(n)]
    )
    X.insert(100, Name("colour"), ["red", "blue", "green"] * 10)
    compared.clear()
    preprocessor = make_preprocessor(X)
    assert len(compared) < 10 * n  # was about n**2 / 2
    (_, _, numeric), (_, _, categorical) = preprocessor.transformers
    assert numeric == [c for c in X.columns if c != "colour"] and categorical == ["colour"]


def test_make_preprocessor_under_pandas_output_keeps_the_rows_of_a_fold():
    X = _table().drop(columns="label").iloc[::2]  # a training fold: its index has gaps
    arrays = make_preprocessor(X).fit_transform(X)
    frames = make_preprocessor(X).set_output(transform="pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xt = frames.fit_transform(X)
    assert Xt.index.equals(X.index)
    np.testing.assert_array_equal(Xt.to_numpy(), arrays)
    assert list(Xt.columns) == list(frames.get_feature_names_out())
    assert "categorical__colour_red" in Xt.columns


def test_column_kinds_one_rule_for_preprocessor_and_cli(tmp_path):
    from sklearn_imbalance_dl.compare._cli import CompareError, _clean_features
    from sklearn_imbalance_dl.compare._runner import _column_kinds

    X = pd.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [0.5, 1.5, np.nan],
            "b": [True, False, True],
            "c": pd.Categorical([1, 2, 1]),
            "o": ["x", None, "y"],
            "s": pd.array(["u", "v", "u"], dtype="string"),
        }
    )
    kinds = _column_kinds(X)
    assert {k: kinds[k] for k in ("numeric", "categorical", "other")} == {
        "numeric": ["i", "f"],
        "categorical": ["b", "c", "o", "s"],
        "other": [],
    }
    assert _clean_features(X, "t.csv")[1] == {"categorical": 4, "numeric": 2}
    # 2 scaled numbers + one-hot b (2) + c (2) + o (2, gap imputed) + s (2)
    assert make_preprocessor(X).fit_transform(X).shape == (3, 10)
    dated = X.assign(d=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01"]))
    kinds = _column_kinds(dated)
    assert kinds["other"] == ["d"] and kinds["date"] == {"d": "dates, 2 distinct values in 3 rows"}
    with pytest.raises(CompareError, match="'d': dates, 2 distinct values in 3 rows; .*--drop d"):
        _clean_features(dated, "t.csv")
    # Numbers held as objects are numbers, for the network and for the rivals alike.
    held = X.assign(n=pd.Series([1.5, None, 2], dtype=object))
    assert _column_kinds(held)["numeric"] == ["i", "f", "n"]
    assert make_preprocessor(held).fit_transform(held).shape == (3, 11)
    # timedelta64[ns] under pandas 2, the unit given (here us) under pandas 3.
    spans = X.assign(t=pd.to_timedelta([1, 2, 3], unit="s"))
    with pytest.raises(CompareError, match=r"'t' \(timedelta64\[[nu]s\]\); .* --drop t"):
        _clean_features(spans, "t.csv")


def test_column_kinds_by_content():
    from sklearn_imbalance_dl.compare._runner import _column_kinds

    n = 40
    rng = np.random.default_rng(0)
    words = np.array(["the", "parcel", "arrived", "late", "and", "damaged", "again", "sadly"])
    X = pd.DataFrame(
        {
            "when": [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)],
            "row": np.arange(n) + 100,  # consecutive
            "customer": [f"C{i:05d}" for i in rng.permutation(n)],
            "comment": [" ".join(rng.choice(words, size=6)) + f" #{i}" for i in range(n)],
            "income": rng.permutation(n) * 1000 + 7,  # distinct but neither sorted nor a range
            "colour": rng.choice(["red", "green"], size=n),
            "code": rng.choice(["1", "12", "07"], size=n),  # numbers as strings, not dates
        }
    )
    kinds = _column_kinds(X)
    assert list(kinds["date"]) == ["when"]
    assert kinds["date"]["when"].startswith("dates, 40 distinct values in 40 rows, e.g. '2024-")
    assert kinds["identifier"] == {
        "row": "an identifier, 40 distinct values in 40 rows (consecutive integers)",
        "customer": "an identifier, 40 distinct values in 40 rows",
    }
    assert kinds["text"] == {"comment": "free text, 40 distinct values in 40 rows"}
    # Too few rows to judge: nothing flagged.
    small = _column_kinds(X.head(10))
    assert small["date"] == small["identifier"] == small["text"] == {}


def test_a_saved_index_of_shuffled_rows_is_refused(tmp_path, capsys):
    """The index of a table saved after filtering and shuffling is neither sorted nor a
    range, but its column has no name; on a table sorted by class it gives the labels
    away."""
    table = _numbers_with({}).drop(columns="chol").sort_values("label")
    table = table.iloc[::2].sample(frac=1, random_state=0)  # filtered, then shuffled
    path = tmp_path / "saved.csv"
    table.to_csv(path)
    assert main(["compare", "--data", str(path), "--target", "label", *TINY]) == 2
    assert (
        "'Unnamed: 0': an identifier, 20 distinct values in 20 rows (integers in a column "
        "without a name: a saved index); leave them out with --drop 'Unnamed: 0'"
    ) in capsys.readouterr().err
    # A named column of such integers is a number (an income, say).
    table.rename_axis("income").to_csv(path)
    X, *_ = _load(path)
    assert X["income"].dtype == np.int64


def test_scores_are_the_metrics_modules():
    # A deterministic model: the row's scores against scikit-learn / imbalanced-learn.
    from imblearn.metrics import geometric_mean_score
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score

    from sklearn_imbalance_dl.datasets import load_digits_lt

    X_train, y_train, X_test, y_test = load_digits_lt(imbalance_ratio=50)

    def factory(seed, epochs, device):
        return LogisticRegression(max_iter=300)

    row = run_comparison(
        X_train, y_train, X_test, y_test, methods={"lr": factory}, seeds=1, epochs=1
    ).iloc[0]
    y_pred = factory(0, 1, "cpu").fit(X_train, y_train).predict(X_test)
    assert row["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y_test, y_pred))
    assert row["macro_f1"] == pytest.approx(f1_score(y_test, y_pred, average="macro"))
    assert row["g_mean"] == pytest.approx(geometric_mean_score(y_test, y_pred))
    rarest = np.argmin(np.bincount(y_train))  # digit 9: 2 training images
    assert row["minority_recall"] == pytest.approx(
        recall_score(y_test, y_pred, labels=[rarest], average="macro")
    )


# ---------------------------------------------------------------- errors
def _write(tmp_path, name, df):
    path = tmp_path / name
    df.to_csv(path, index=False)
    return str(path)


def _with_spaced_labels(df):
    """Half the rows of class "rare" written " rare", as a hand-edited file may have them."""
    rare = np.flatnonzero(df["label"] == "rare")
    return df.assign(label=df["label"].where(~df.index.isin(rare[::2]), " rare"))


def _latin1(tmp_path, df):
    path = tmp_path / "latin1.csv"
    df.assign(colour="café").to_csv(path, index=False, encoding="latin-1")
    return str(path)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing_file", "no such file"),
        (
            "missing_column",
            "is not a column of table.csv; its columns are: 'x1', 'x2', 'colour', 'flag'",
        ),
        ("single_class", "has a single class ('common')"),
        ("single_numeric_class", "has a single class (1); a comparison"),
        ("small_class", "class 'tiny' has 3 samples: fewer than --folds 5"),
        (
            "unknown_method",
            "unknown method(s) 'nope' in --methods; valid methods are: default, ce, weighted",
        ),
        ("target_without_data", "--target needs --data"),
        ("data_without_target", "--data needs --target"),
        ("bad_output", "--output must end in .csv or .json"),
        ("bad_seeds", "--seeds must be"),
        (
            "negative_seed",
            "--seeds '-1,': a seed must be an integer in [0, 4294967295] (2**32 - 1); got -1",
        ),
        (
            "seed_too_large",
            "a seed must be an integer in [0, 4294967295] (2**32 - 1); got 4294967296",
        ),
        (
            "too_many_seeds",
            "--seeds 5000000000 is a number of seeds: at most 1000, as each seed repeats every fit",
        ),
        ("many_seeds_hint", "for the single seed 1001, write --seeds 1001,"),
        ("repeated_seeds", "--seeds '7,0,7,0' has repeats (0, 7); give each seed once"),
        (
            "folds_with_digits",
            "--folds applies to cross-validation of a table; --dataset digits_lt",
        ),
        ("one_fold", "--folds must be at least 2; got 1"),
        ("data_folder", "is a folder without Parquet files (*.parquet); give a .csv or .parquet"),
        ("latin1_data", "'latin1.csv' is not UTF-8 text (byte 0xe9 at position"),
        ("spaced_labels", "labels that differ only by spaces around them (' rare', 'rare')"),
    ],
)
def test_errors_exit_2_with_one_line(case, expected, tmp_path, csv_file, capsys):
    table = _table()
    args = {
        "missing_file": ["--data", str(tmp_path / "nope.csv"), "--target", "label"],
        "missing_column": ["--data", str(csv_file), "--target", "lab"],
        "single_class": [
            "--data",
            _write(tmp_path, "one.csv", table.assign(label="common")),
            "--target",
            "label",
        ],
        "single_numeric_class": [
            "--data",
            _write(tmp_path, "one_number.csv", table.assign(label=1)),
            "--target",
            "label",
        ],
        "small_class": [
            "--data",
            _write(tmp_path, "small.csv", table.iloc[:-7]),
            "--target",
            "label",
        ],
        "unknown_method": ["--methods", "ce,nope"],
        "target_without_data": ["--target", "label"],
        "data_without_target": ["--data", str(csv_file)],
        "bad_output": ["--output", str(tmp_path / "r.txt")],
        "bad_seeds": ["--seeds", "two"],
        "negative_seed": ["--seeds=-1,"],
        "seed_too_large": ["--seeds", "0,4294967296"],
        "too_many_seeds": ["--seeds", "5000000000"],
        "many_seeds_hint": ["--seeds", "1001"],
        "repeated_seeds": ["--seeds", "7,0,7,0"],
        "folds_with_digits": ["--dataset", "digits_lt", "--folds", "7"],
        "one_fold": ["--data", str(csv_file), "--target", "label", "--folds", "1"],
        "data_folder": ["--data", str(tmp_path), "--target", "label"],
        "latin1_data": ["--data", _latin1(tmp_path, table), "--target", "label"],
        "spaced_labels": [
            "--data",
            _write(tmp_path, "spaced.csv", _with_spaced_labels(table)),
            "--target",
            "label",
        ],
    }[case]
    assert main(["compare", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0].startswith("sklearn-imbalance-dl compare: error: ")
    assert expected in lines[0]


@pytest.mark.slow
def test_error_exits_2_in_a_subprocess(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sklearn_imbalance_dl", "compare", "--data", "missing.csv"]
        + ["--target", "y"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        timeout=600,  # a guard against a hang, not a time limit
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "sklearn-imbalance-dl compare: error: --data: no such file: 'missing.csv'"
    )


@pytest.mark.slow
def test_the_first_network_fit_is_not_timed_with_torch_imports(tmp_path):
    """Two identical networks take as long as each other: the first network fit of a
    process does not carry the seconds of torch's first optimizer (its lazy imports)."""
    script = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from sklearn.datasets import make_classification\n"
        "from sklearn_imbalance_dl.compare import run_comparison\n"
        "from sklearn_imbalance_dl.recipes import make_estimator\n"
        "X, y = make_classification(120, n_features=4, n_informative=3, n_redundant=0,\n"
        "                           weights=[0.8], random_state=0)\n"
        "def net(seed, epochs, device):\n"
        "    return make_estimator('ce', 'tabular', random_state=seed, max_epochs=epochs)\n"
        "results = run_comparison(X[:80], y[:80], X[80:], y[80:], seeds=1, epochs=2,\n"
        "                         methods={'first': net, 'second': net})\n"
        "print(*results['fit_time'])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        timeout=600,  # a guard against a hang, not a time limit
    )
    assert proc.returncode == 0, proc.stderr
    first, second = map(float, proc.stdout.split())
    assert first < 3 * second + 0.5, (first, second)


def test_dask_not_installed(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes the import fail
    assert main(["compare", *TINY, "--dask-scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "needs dask.distributed, which is not installed" in capsys.readouterr().err


@pytest.mark.parametrize(
    "address, reason",
    [("nonsense", "missing port number"), ("http://127.0.0.1:8787", "unknown address scheme")],
)
def test_a_dask_address_that_cannot_be_read_is_one_line(address, reason, capsys):
    pytest.importorskip("distributed")
    assert main(["compare", *TINY, "--methods", "logreg", "--dask-scheduler", address]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"sklearn-imbalance-dl compare: error: The Dask scheduler address {address!r} cannot "
        f"be read ({reason}"
    )
    assert lines[0].endswith("an address reads like 'tcp://127.0.0.1:8786'.")
    X, y = _table().drop(columns="label"), _table()["label"]
    with pytest.raises(ValueError, match=rf"address {re.escape(repr(address))} cannot be read"):
        run_comparison(X, y, cv=2, methods=["logreg"], seeds=1, dask_scheduler=address)


@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_dask_address_is_refused_not_run_here(address, capsys):
    """An empty address (an unset variable in a script) does not run the fits locally."""
    pytest.importorskip("distributed")
    assert main(["compare", *TINY, "--methods", "logreg", "--dask-scheduler", address]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"sklearn-imbalance-dl compare: error: The Dask scheduler address {address!r} is "
        "empty; an address reads like 'tcp://127.0.0.1:8786'."
    )
    X, y = _table().drop(columns="label"), _table()["label"]
    with pytest.raises(ValueError, match=rf"address {re.escape(repr(address))} is empty"):
        run_comparison(X, y, cv=2, methods=["logreg"], seeds=1, dask_scheduler=address)


# ---------------------------------------------------------------- plot
def test_plot_writes_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "results.png"
    assert main(["compare", *TINY, "--methods", "ce,logreg", "--plot", str(path)]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {path}" in capsys.readouterr().out


def test_plot_title_says_what_was_run(tmp_path, monkeypatch, capsys):
    """The figure names the data and the protocol (folds, seeds, epochs), as the table does."""
    pytest.importorskip("matplotlib")
    from sklearn_imbalance_dl.compare import _cli

    titles = []
    plot = _cli.plot_results
    monkeypatch.setattr(
        _cli, "plot_results", lambda *a, title, **k: titles.append(title) or plot(*a, **k)
    )
    path = tmp_path / "results.png"
    args = ["compare", *TINY, "--folds", "2", "--methods", "logreg", "--plot", str(path)]
    assert main(args) == 0
    table_title = capsys.readouterr().out.splitlines()[:2]
    assert titles == ["\n".join(table_title)]
    assert table_title[1] == "stratified 2-fold cross-validation x 1 seed(s), 2 epochs"


def test_summarise_orders_and_spreads():
    results = pd.DataFrame(
        {
            "method": ["a", "a", "b", "b"],
            "seed": [0, 1, 0, 1],
            "fold": 0,
            "balanced_accuracy": [0.5, 0.7, 0.8, 0.8],
            "fit_time": 1.0,
            "notes": "",
        }
    )
    summary = summarise(results)
    assert summary["method"].tolist() == ["b", "a"]
    np.testing.assert_allclose(summary["balanced_accuracy_mean"], [0.8, 0.6])
    np.testing.assert_allclose(summary["balanced_accuracy_std"], [0.0, np.std([0.5, 0.7], ddof=1)])


def test_summarise_keeps_the_results_order_for_ties_and_puts_failed_methods_last():
    results = pd.DataFrame(
        {
            "method": ["c", "a", "b", "c", "a", "b"],
            "seed": [0, 0, 0, 1, 1, 1],
            "fold": 0,
            "balanced_accuracy": [0.6, 0.7, 0.9, 0.8, 0.7, np.nan],
            "fit_time": 1.0,
            "notes": "",
            "error": ["", "", "", "", "", "ValueError: boom"],
        }
    )
    summary = summarise(results)
    # c and a tie at 0.7: c came first. b's mean, 0.9, is over its one fit that ended.
    assert summary["method"].tolist() == ["c", "a", "b"]
    assert summary["n_failed"].tolist() == [0, 0, 1]


# ---------------------------------------------------------------- Dask
@pytest.mark.slow
def test_dask_cluster_matches_local_run(csv_file, tmp_path):
    distributed = pytest.importorskip("distributed")
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2"]
    args += ["--seeds", "1", "--epochs", "3", "--methods", "ce,ldam_drw", "--quiet"]
    local, remote = tmp_path / "local.json", tmp_path / "dask.json"
    assert main([*args, "--output", str(local)]) == 0
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        assert (
            main([*args, "--dask-scheduler", cluster.scheduler_address] + ["--output", str(remote)])
            == 0
        )
    local_rows = _fit_rows(json.loads(local.read_text()))
    remote_rows = _fit_rows(json.loads(remote.read_text()))
    assert len(local_rows) == 4
    assert remote_rows == local_rows  # bit-identical metrics, fit for fit


# ---------------------------------------------------------------- the shipped table
def test_heart_disease_table_is_the_uci_file():
    from sklearn_imbalance_dl.datasets import load_heart_disease

    X, y = load_heart_disease()
    # The UCI documentation: 303 patients, 5 classes, 6 missing values (4 ca, 2 thal).
    assert X.shape == (303, 13) and np.bincount(y).tolist() == [164, 55, 36, 35, 13]
    assert X.isna().sum()[lambda s: s > 0].to_dict() == {"ca": 4, "thal": 2}
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    assert categorical == ["sex", "cp", "fbs", "restecg", "exang", "slope", "thal"]
    # The first row of processed.cleveland.data: 63,1,1,145,233,1,2,150,0,2.3,3,0,6 -> 0.
    first = X.iloc[0]
    assert (first["age"], first["sex"], first["cp"], first["trestbps"], first["chol"]) == (
        63,
        "male",
        "typical angina",
        145,
        233,
    )
    assert (first["oldpeak"], first["slope"], first["thal"], y[0]) == (
        2.3,
        "downsloping",
        "fixed defect",
        0,
    )


def test_heart_disease_file_is_package_data():
    import ast

    # Read without tomllib (Python >= 3.11 only; the package supports 3.10).
    found = re.search(
        r"^\[tool\.setuptools\.package-data\]\n(?:#.*\n)*"
        r'"sklearn_imbalance_dl\.datasets" = (\[.*\])$',
        (REPO / "pyproject.toml").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    patterns = ast.literal_eval(found[1])
    data = REPO / "sklearn_imbalance_dl" / "datasets" / "data"
    shipped = {p.name for pattern in patterns for p in data.glob(pattern.split("/", 1)[1])}
    assert {"heart_disease_cleveland.csv", "README.md"} <= shipped
    assert "CC BY 4.0" in (data / "README.md").read_text(encoding="utf-8")
    assert (data / "heart_disease_cleveland.csv").stat().st_size < 1_000_000


def test_main_default_is_the_heart_disease_table(capsys):
    assert main(["compare", *TINY, "--methods", "ce,logreg"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Heart disease (Cleveland, UCI, CC BY 4.0): 303 rows, 13 features (7 categorical, "
        "6 numeric); target 'num', 5 classes (0: 164, 1: 55, 2: 36, 3: 35, 4: 13)\n"
        "stratified 5-fold cross-validation x 1 seed(s), 2 epochs\n"
    )
    margin = next(line for line in out.splitlines() if line.startswith("Winner: "))
    assert re.search(
        r"; corrected resampled t-test over 5 paired fits: p (= 0\.\d{3}|< 0\.001), "
        r"(significant at 5 %|not significant at 5 %: no clear winner)$",
        margin,
    ), margin


# ---------------------------------------------------------------- significance
def test_corrected_ttest_matches_a_hand_computation():
    from sklearn_imbalance_dl.compare import corrected_ttest

    a = [0.80, 0.82, 0.78, 0.84, 0.81, 0.79]
    b = [0.76, 0.80, 0.77, 0.79, 0.78, 0.80]
    # d = 0.04, 0.02, 0.01, 0.05, 0.03, -0.01; mean 0.14 / 6 = 0.023333
    # squared deviations from the mean (x 1e-4): 2.7778, 0.1111, 1.7778, 7.1111,
    # 0.4444, 11.1111 -> sum 23.3333e-4; variance (ddof=1) 4.66667e-4
    # corrected: (1/6 + 25/100) * 4.66667e-4 = 0.416667 * 4.66667e-4 = 1.94444e-4
    # t = 0.023333 / sqrt(1.94444e-4) = 0.023333 / 0.0139443 = 1.67332, 5 df
    # two-sided p from Student's t with 5 df: 2 * 0.07757 = 0.15514
    result = corrected_ttest(a, b, n_train=100, n_test=25)
    assert result.difference == pytest.approx(0.0233333, abs=1e-6)
    assert result.statistic == pytest.approx(1.67332, abs=1e-4)
    assert result.df == 5
    assert result.pvalue == pytest.approx(0.15514, abs=2e-4)
    # The uncorrected paired t-test would have said t = 0.023333 / sqrt(4.66667e-4 / 6)
    # = 2.6458, p = 0.0456: "significant". The correction is what makes it honest.
    naive = corrected_ttest(a, b, n_train=1e12, n_test=1e-12)
    assert naive.statistic == pytest.approx(2.6458, abs=1e-3)
    # Swapping the methods flips the sign, not the p-value.
    swapped = corrected_ttest(b, a, n_train=100, n_test=25)
    assert swapped.statistic == pytest.approx(-result.statistic)
    assert swapped.pvalue == pytest.approx(result.pvalue)


def test_corrected_ttest_edge_cases():
    from sklearn_imbalance_dl.compare import corrected_ttest

    assert corrected_ttest([0.5, 0.6], [0.5, 0.6], 4, 1).pvalue == 1.0
    assert corrected_ttest([0.6, 0.7], [0.5, 0.6], 4, 1).pvalue == 0.0
    with pytest.raises(ValueError, match="paired"):
        corrected_ttest([0.5, 0.6], [0.5], 4, 1)
    with pytest.raises(ValueError, match="at least 2"):
        corrected_ttest([0.5], [0.4], 4, 1)
    with pytest.raises(ValueError, match=r"'n_train' parameter of corrected_ttest .* Got '4'"):
        corrected_ttest([0.5, 0.6], [0.5, 0.6], "4", 1)
    with pytest.raises(ValueError, match="must be sequences of numbers, one per split"):
        corrected_ttest(["a", "b"], [0.5, 0.6], 4, 1)


def test_margin_line_gives_the_test_of_the_fits():
    """The winner against the best non-deep method, paired by (seed, fold)."""
    a = [0.80, 0.82, 0.78, 0.84, 0.81, 0.79]
    b = [0.76, 0.80, 0.77, 0.79, 0.78, 0.80]
    c = [0.70, 0.71, 0.69, 0.72, 0.70, 0.70]  # a worse network: not in the test
    seeds, folds = [0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]
    rows = [
        {"method": m, "seed": s, "fold": f, "balanced_accuracy": v, "n_train": 100, "n_test": 25}
        for m, values in (("arb", a), ("hgb", b), ("ce", c))
        for s, f, v in zip(seeds, folds, values)
    ]
    results = pd.DataFrame(rows[::-1])  # the pairing must not rely on the row order
    results.attrs.update(deep={"arb": True, "ce": True, "hgb": False}, protocol="3-fold")
    summary = summarise(results)
    line = margin_line(summary, results)
    # Same numbers as the hand computation above: p = 0.155. The margin is that of the
    # means as the table shows them, 0.807 - 0.783 (the mean difference is 2.33 points).
    assert line == (
        "Winner: arb, +2.4 points of balanced accuracy over the best non-deep method (hgb); "
        "corrected resampled t-test over 6 paired fits: p = 0.155, not significant at 5 %: "
        "no clear winner"
    )
    # 5 points more, same spread: t = 0.073333 / 0.0139443 = 5.2590, p = 0.0033.
    results.loc[results.method == "hgb", "balanced_accuracy"] -= 0.05
    line = margin_line(summarise(results), results)
    assert line.endswith(
        "+7.4 points of balanced accuracy over the best non-deep method "
        "(hgb); corrected resampled t-test over 6 paired fits: p = 0.003, "
        "significant at 5 %"
    ), line
    # 10 points more: t = 8.85, p = 0.0003, below three decimals.
    results.loc[results.method == "hgb", "balanced_accuracy"] -= 0.05
    line = margin_line(summarise(results), results)
    assert line.endswith("over 6 paired fits: p < 0.001, significant at 5 %"), line


# ---------------------------------------------------------------- CSV files as they come
def _load(path, **kwargs):
    from sklearn_imbalance_dl.compare._cli import load_table

    return load_table(path, "label", 2, **kwargs)


def _messy_rows():
    labels = ["a", "a", "a", "b", "b", "a", "c", "c"]
    amounts = ["2,840.80", "1,001.50", "12.25", "3,000,000.00", "7.00", "15.75", "980.10", "0.5"]
    return labels, amounts


def test_semicolon_file_is_detected(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("colour;x1;label\nred;1.5;a\nblue;2.5;a\nred;3.5;b\nblue;4.5;b\n")
    X, y, description, left_out = _load(path)
    assert list(X.columns) == ["colour", "x1"] and y.tolist() == ["a", "a", "b", "b"]
    assert isinstance(X["colour"].dtype, pd.CategoricalDtype)
    # Under ';' a decimal comma is expected, but "1.5" says the file's mark is '.'.
    assert X["x1"].tolist() == [1.5, 2.5, 3.5, 4.5]
    assert "semi.csv (separator ';', decimal '.'): 4 rows" in description


def test_decimal_comma_file(tmp_path):
    path = tmp_path / "comma.csv"
    path.write_text(
        "colour;amount;x1;label\n"
        'red;"2.840,80";1,5;a\nblue;12,25;2,5;a\nred;"1.000.000,00";-3,25;b\nblue;0,5;4;b\n'
    )
    X, *_ = _load(path)
    assert X["amount"].tolist() == [2840.80, 12.25, 1_000_000.00, 0.5]
    assert X["x1"].tolist() == [1.5, 2.5, -3.25, 4.0]
    # The same with the decimal mark given, and a tab-separated copy.
    X, *_ = _load(path, decimal=",")
    assert X["amount"].tolist() == [2840.80, 12.25, 1_000_000.00, 0.5]
    tabbed = tmp_path / "tabbed.csv"
    tabbed.write_text(path.read_text().replace(";", "\t"))
    X, *_ = _load(tabbed, decimal=",")
    assert X["amount"].tolist() == [2840.80, 12.25, 1_000_000.00, 0.5]


def test_thousands_separators_are_numbers(tmp_path, capsys):
    labels, amounts = _messy_rows()
    path = tmp_path / "amounts.csv"
    pd.DataFrame({"amount": amounts, "label": labels}).to_csv(path, index=False)
    assert '"2,840.80"' in path.read_text()  # quoted, as spreadsheets write it
    X, *_ = _load(path)
    assert X["amount"].dtype == float
    assert X["amount"].tolist() == [2840.80, 1001.50, 12.25, 3_000_000.00, 7.0, 15.75, 980.10, 0.5]
    # Text that only starts like a number stays a category.
    pd.DataFrame({"amount": ["1,5 kg"] + amounts[1:], "label": labels}).to_csv(path, index=False)
    X, *_ = _load(path)
    assert isinstance(X["amount"].dtype, pd.CategoricalDtype)


def test_thousands_separators_are_numbers_when_pandas_reads_text_as_str(tmp_path, pandas_3_text):
    labels, amounts = _messy_rows()
    path = tmp_path / "amounts.csv"
    pd.DataFrame({"amount": amounts, "label": labels}).to_csv(path, index=False)
    X, *_ = _load(path)
    assert X["amount"].dtype == float
    assert X["amount"].tolist() == [2840.80, 1001.50, 12.25, 3_000_000.00, 7.0, 15.75, 980.10, 0.5]


def test_unsplit_header_suggests_sep(tmp_path, capsys):
    path = tmp_path / "semi.csv"
    path.write_text("colour;x1;label\nred;1.5;a\nblue;2.5;a\nred;3.5;b\nblue;4.5;b\n")
    assert main(["compare", "--data", str(path), "--target", "label", "--sep", ","]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "sklearn-imbalance-dl compare: error: --target 'label' is not a column of semi.csv; "
        "its columns are: 'colour;x1;label'; the header reads as 1 column(s), so its fields seem "
        "separated by ';': pass --sep ';'"
    ]


def test_a_file_without_header_line_is_named_as_such(tmp_path, capsys):
    path = tmp_path / "bare.csv"
    path.write_text("0.5,-2,red,a\n1.5,3,blue,a\n2.5,4,red,b\n3.5,5,blue,b\n")
    assert main(["compare", "--data", str(path), "--target", "3", *TINY]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "sklearn-imbalance-dl compare: error: --target '3' is not a column of bare.csv; its "
        "columns are: '0.5', '-2', 'red', 'a'; 2 of them are numbers, as in a row of data: compare "
        "reads the first line as the column names, so add a header line naming the columns"
    ]


def test_one_decimal_mark_per_file(tmp_path):
    # "3.185" reads as 3.185 or as 3185: the file's other columns say which.
    path = tmp_path / "dots.csv"
    path.write_text("w;h;label\n3.185;1.57;a\n4.921;1.85;a\n2.014;1.6;b\n1.500;1.7;b\n")
    X, _, description, _ = _load(path)
    assert X["w"].tolist() == [3.185, 4.921, 2.014, 1.5]
    assert "(separator ';', decimal '.')" in description
    # A grouped number never starts with a group of 0: "0.205" is a decimal.
    path.write_text("w;label\n0.205;a\n0.014;a\n3.185;b\n0.500;b\n")
    assert _load(path)[0]["w"].tolist() == [0.205, 0.014, 3.185, 0.5]
    # So is a quoted "0,125" in a comma file.
    path.write_text('w,label\n"0,125",a\n"1,5",a\n"2,25",b\n"3,75",b\n')
    assert _load(path)[0]["w"].tolist() == [0.125, 1.5, 2.25, 3.75]
    # Nothing to say otherwise: the convention of the separator.
    path.write_text("w;h;label\n3.185;1,5;a\n4.921;2;a\n2.014;3;b\n1.500;4;b\n")
    X, *_ = _load(path)
    assert X["w"].tolist() == [3185, 4921, 2014, 1500] and X["h"].tolist() == [1.5, 2, 3, 4]
    # Spaces group thousands under either mark: "12 345" decides nothing.
    rows = ['"12 345",0.25,a', '"1 234",0.5,a', "234,0.75,b", '"5 678",1.25,b']
    path.write_text("pop,ratio,label\n" + "\n".join(rows) + "\n")
    X, *_ = _load(path)
    assert X["pop"].tolist() == [12345, 1234, 234, 5678]
    assert X["ratio"].tolist() == [0.25, 0.5, 0.75, 1.25]


def test_a_file_mixing_decimal_marks_asks_for_decimal(tmp_path, capsys):
    path = tmp_path / "mixed.csv"
    rows = [f"{i}.25;{i},5;{'ab'[i % 2]}" for i in range(10)]
    path.write_text("x1;x2;label\n" + "\n".join(rows) + "\n")
    assert main(["compare", "--data", str(path), "--target", "label", *TINY]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "sklearn-imbalance-dl compare: error: mixed.csv mixes decimal marks: 'x1' reads only "
        "with '.' decimals ('0.25'), 'x2' reads only with ',' decimals ('0,5'); pass "
        "--decimal . or --decimal , to say which the file uses"
    ]
    X, *_ = _load(path, decimal=".")
    assert X["x1"].iloc[1] == 1.25 and X["x2"].iloc[1] == 1.5


@pytest.mark.parametrize("header", ["label,x1,x2,label", "label,x1,x2, label "])
def test_repeated_column_names_are_refused(header, tmp_path, capsys):
    path = tmp_path / "joined.csv"
    rows = [f"{label},{i},{i % 3},{label}" for i, label in enumerate(["yes", "no"] * 10)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    assert main(["compare", "--data", str(path), "--target", "label", *TINY]) == 2
    repeat = header.split(",")[-1]
    assert capsys.readouterr().err.strip().splitlines() == [
        "sklearn-imbalance-dl compare: error: joined.csv has columns of the same name: "
        f"'label' (column 1) and {repeat!r} (column 4); each would be read as a column of "
        "its own (a repeat of --target as a feature, leaking the labels): remove or rename "
        "the repeats"
    ]


def test_spaces_around_column_names_are_removed_and_said(tmp_path, capsys):
    path = tmp_path / "spaced.csv"
    rows = [f"{i % 7},{i % 5},{i % 3},{'ab'[i % 2]}" for i in range(20)]
    path.write_text("x1, x2,x3,label \n" + "\n".join(rows) + "\n")
    from sklearn_imbalance_dl.compare._cli import load_table

    X, y, description, _ = load_table(path, "label", 2, drop=["x3"])
    assert list(X.columns) == ["x1", "x2"] and set(y.tolist()) == {"a", "b"}
    assert description.endswith(
        "; spaces removed around column names: ' x2', 'label '; dropped: x3"
    )
    # A name that is not there is listed with the others, quoted.
    assert main(["compare", "--data", str(path), "--target", "lab", *TINY]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "--target 'lab' is not a column of spaced.csv; its columns are: 'x1', 'x2', 'x3', "
            "'label'"
        )
    )
    # One that differs in case only is pointed at, for --target and --drop alike.
    assert main(["compare", "--data", str(path), "--target", "Label", *TINY]) == 2
    assert capsys.readouterr().err.strip().endswith("'label'; did you mean 'label'?")
    assert main(["compare", "--data", str(path), "--target", "label", "--drop", "X3"]) == 2
    assert capsys.readouterr().err.strip().endswith("'label'; did you mean 'x3'?")


def _numbers_with(cells):
    """A 40-row table whose column "chol" holds numbers and ``cells`` (by row)."""
    rng = np.random.default_rng(0)
    chol = [f"{v:.1f}" for v in rng.normal(240, 40, 40)]
    for row, cell in cells.items():
        chol[row] = cell
    return pd.DataFrame(
        {"age": rng.integers(30, 80, 40), "chol": chol, "label": ["yes"] * 10 + ["no"] * 30}
    )


@pytest.mark.parametrize(
    "chol, expected",
    [
        (
            {3: "?", 17: "?"},
            "'chol' holds numbers except in 2 cells ('?'); leave missing cells empty, or name "
            "their mark: --na-values '?' (or leave the column(s) out with --drop chol)",
        ),
        (
            {row: f"{240 + row / 10:.1f}%" for row in range(40)},
            "'chol' holds numbers with a unit ('240.0%'); write the numbers without their unit "
            "(or leave the column(s) out with --drop chol)",
        ),
    ],
    ids=["question-marks", "unit"],
)
def test_numbers_with_marks_or_units_are_named_as_such(chol, expected, tmp_path, capsys):
    path = _write(tmp_path, "heart.csv", _numbers_with(chol))
    assert main(["compare", "--data", path, "--target", "label", *TINY]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "sklearn-imbalance-dl compare: error: column(s) of heart.csv that hold numbers but "
        f"read as text: {expected}"
    ]


def test_numbers_with_a_mark_read_as_categories_are_said_so(tmp_path):
    # Few distinct values: not an identifier, so read as categories, with a word.
    table = _numbers_with({3: "?", 17: "?"}).assign(chol=lambda t: t["chol"].str[:1])
    X, _, description, _ = _load(_write(tmp_path, "heart.csv", table))
    assert X["chol"].dtype == "category"
    assert description.endswith(
        "; read as categories, though they hold numbers: 'chol' (numbers except in 2 cells ('?'))"
    )


def test_numbers_in_scientific_notation_are_numbers(tmp_path, capsys):
    # pandas and R write small numbers so: "1.530e-06", with "?" a column of numbers
    # but for two cells, not an identifier.
    rng = np.random.default_rng(0)
    pval = [f"{v:.3e}" for v in 10 ** rng.uniform(-9, -4, 40)]
    table = _numbers_with({}).assign(chol=pval)
    table.loc[[3, 17], "chol"] = "?"
    path = _write(tmp_path, "genes.csv", table)
    assert main(["compare", "--data", path, "--target", "label", *TINY]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "'chol' holds numbers except in 2 cells ('?'); leave missing cells empty, or name "
            "their mark: --na-values '?' (or leave the column(s) out with --drop chol)"
        )
    )
    X, *_ = _load(path, na_values=["?"])
    assert X["chol"].dtype == float and X["chol"].isna().sum() == 2
    # With decimal commas, "1,530e-06": the exponent says nothing against the mark.
    table.loc[[3, 17], "chol"] = np.nan
    table["chol"] = table["chol"].str.replace(".", ",")
    path = tmp_path / "genes_de.csv"
    table.to_csv(path, sep=";", index=False)
    X, _, description, _ = _load(path)
    assert X["chol"].dtype == float
    np.testing.assert_allclose(X["chol"].dropna(), np.delete(np.array(pval, float), [3, 17]))
    assert "(separator ';', decimal ',')" in description


def test_parquet_columns_of_decimals_are_numbers_and_nested_ones_refused(tmp_path, capsys):
    """A database's DECIMAL column reads as numbers; a nested column (lists, structs) is
    refused naming it, as the Python API's make_preprocessor refuses it."""
    pytest.importorskip("pyarrow")
    import decimal

    from sklearn_imbalance_dl.compare import make_preprocessor

    rng = np.random.default_rng(0)
    table = _numbers_with({}).drop(columns="chol")
    table["amount"] = [decimal.Decimal(f"{v:.2f}") for v in rng.uniform(0, 100, 40)]
    path = tmp_path / "orders.parquet"
    table.to_parquet(path)
    X, _, description, _ = _load(path)
    assert "2 features (0 categorical, 2 numeric)" in description
    assert X["amount"].map(type).eq(decimal.Decimal).all()  # as it comes, for the network
    # The same numbers written as text: named as such, with the conversion to make.
    table["amount"] = table["amount"].astype(str)
    table.to_parquet(path)
    assert main(["compare", "--data", str(path), "--target", "label", *TINY]) == 2
    said = capsys.readouterr().err
    assert "'amount' holds numbers stored as text (" in said
    assert "store the numbers as numbers (e.g. pandas.to_numeric before writing)" in said
    assert "unit" not in said
    table["tags"] = [["a", "b"][: i % 3] for i in range(40)]
    table["place"] = [{"city": "Lyon", "zip": i} for i in range(40)]
    table.drop(columns="amount").to_parquet(path)
    assert main(["compare", "--data", str(path), "--target", "label", *TINY]) == 2
    assert capsys.readouterr().err.strip() == (
        "sklearn-imbalance-dl compare: error: columns of orders.parquet that are neither "
        "numeric nor categorical: 'tags' (lists), 'place' (dicts); convert them or leave "
        "them out with --drop tags,place"
    )
    with pytest.raises(ValueError, match=r"nested values.*'tags' \(lists\), 'place' \(dicts\)"):
        make_preprocessor(pd.read_parquet(path))


def test_na_values_names_the_marks_of_missing_cells(tmp_path, capsys):
    path = _write(tmp_path, "heart.csv", _numbers_with({3: "?", 17: "-"}))
    X, *_ = _load(path, na_values=["?", "-"])
    assert X["chol"].dtype == float and X["chol"].isna().sum() == 2
    args = ["compare", "--data", path, "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "logreg", "--na-values", "?,-"]) == 0
    capsys.readouterr()
    assert main(["compare", "--na-values", "?"]) == 2
    assert "--na-values needs --data" in capsys.readouterr().err
    pytest.importorskip("pyarrow")  # the rest reads Parquet
    parquet = tmp_path / "heart.parquet"
    pd.read_csv(path).to_parquet(parquet)
    assert main(["compare", "--data", str(parquet), "--target", "label", "--na-values", "?"]) == 2
    assert "--na-values apply to CSV files" in capsys.readouterr().err
    assert main(["compare", "--help"]) == 0
    assert "--na-values MARK" in capsys.readouterr().out


def test_a_target_with_missing_labels_names_the_cells_read_as_missing(tmp_path, capsys):
    rng = np.random.default_rng(0)
    labels = ["None", "Mild", "Severe", "Mild", ""] * 12
    table = pd.DataFrame({"a": rng.normal(size=60), "severity": labels})
    path = _write(tmp_path, "severity.csv", table)
    assert main(["compare", "--data", path, "--target", "severity", *TINY]) == 2
    # "None" is written in the file: pandas reads it as missing, as the empty cells.
    assert capsys.readouterr().err.strip().splitlines() == [
        "sklearn-imbalance-dl compare: error: 24 row(s) of severity.csv have no value in "
        "the target column 'severity' (cells 'None', read as a missing value); drop or "
        "fill them, or rename a class written so in the file"
    ]
    path = _write(
        tmp_path, "gaps.csv", table.assign(severity=table["severity"].replace("None", ""))
    )
    assert main(["compare", "--data", path, "--target", "severity", *TINY]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "24 row(s) of gaps.csv have no value in the target column 'severity'; drop or fill them"
        )
    )


def test_a_target_of_many_whole_numbers_looks_like_regression(tmp_path, capsys):
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"a": rng.normal(size=60), "price": rng.integers(100, 900, 60)})
    path = _write(tmp_path, "prices.csv", table)
    assert main(["compare", "--data", path, "--target", "price", *TINY]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "sklearn-imbalance-dl compare: error: the target column 'price' holds "
        f"{table['price'].nunique()} distinct numbers in 60 rows, which looks like a "
        "regression target; compare needs class labels"
    ]
    # Many small classes among large ones are classes: the list is cut short.
    labels = [0] * 80 + list(range(1, 21))
    path = _write(tmp_path, "tail.csv", pd.DataFrame({"a": rng.normal(size=100), "y": labels}))
    assert main(["compare", "--data", path, "--target", "y", *TINY]) == 2
    err = capsys.readouterr().err
    assert "class 12 has 1 sample, ...: fewer than --folds 5" in err and "class 13" not in err


def test_a_target_of_codes_with_leading_zeros_keeps_them_as_text(tmp_path):
    from sklearn_imbalance_dl.compare._cli import load_table

    rng = np.random.default_rng(0)
    # The same file, the labels as written: "007" and "7" are two codes, not one number.
    lines = ["a,code"] + [f"{a},{c}" for a, c in zip(rng.normal(size=30), ["007", "7", "8"] * 10)]
    path = tmp_path / "codes.csv"
    path.write_text("\n".join(lines) + "\n")
    _, y, description, _ = load_table(path, "code", 2)
    assert y.tolist() == ["007", "7", "8"] * 10
    assert "target 'code', 3 classes ('007': 10, '7': 10, '8': 10)" in description
    # Numbers without leading zeros are read as numbers, as ever.
    path.write_text("\n".join(line.replace("007", "9") for line in lines) + "\n")
    _, y, description, _ = load_table(path, "code", 2)
    assert y.tolist() == [9, 7, 8] * 10 and "3 classes (7: 10, 8: 10, 9: 10)" in description


def test_codes_with_leading_zeros_ignore_spaces_and_decimals_stay_numbers(tmp_path):
    from sklearn_imbalance_dl.compare._cli import CompareError, load_table

    rng = np.random.default_rng(0)
    path = tmp_path / "codes.csv"
    # Spaces after the separator, which numbers ignore: the codes are the text inside.
    rows = zip(rng.normal(size=30), ["007", "7", " 7", "8", " 8", "007"] * 5)
    path.write_text("a,code\n" + "".join(f"{a}, {c}\n" for a, c in rows))
    _, y, description, _ = load_table(path, "code", 2)
    assert sorted(set(y.tolist())) == ["007", "7", "8"]
    assert "3 classes ('007': 10, '7': 10, '8': 10)" in description
    # A target with decimals is no code, whatever its zeros: refused as a regression one.
    rows = zip(rng.normal(size=30), ["0.5", "1.5", "07"] * 10)
    path.write_text("a,y\n" + "".join(f"{a},{c}\n" for a, c in rows))
    with pytest.raises(CompareError, match="holds non-integer numbers"):
        load_table(path, "y", 2)


def test_empty_and_constant_columns_left_out_with_one_line(csv_file, tmp_path, capsys):
    import warnings

    table = _table().assign(empty=np.nan, unit="kg", weight=2.5, checked=True)
    path = tmp_path / "gaps.csv"
    table.to_csv(path, index=False)
    args = ["compare", "--data", str(path), "--target", "label", "--folds", "3", *TINY]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no imputer warning about the empty column
        assert main([*args, "--methods", "logreg,ce"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "sklearn-imbalance-dl compare: note: left out of gaps.csv, no information: "
        "'empty' (empty), 'unit' (a single value, 'kg'), 'weight' (a single value, 2.5), "
        "'checked' (a single value, True)"
    ]
    assert "left out (empty or constant): empty, unit, weight, checked" in captured.out


def test_cli_a_methods_warning_is_a_note_line(csv_file, capsys):
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "ldam_drw"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("sklearn-imbalance-dl compare: note: ldam_drw: schedule='drw' ")
    assert "UserWarning" not in err and "run_comparison(" not in err


def _unwritable_folder(tmp_path, monkeypatch):
    """A folder nothing can be written in (root ignores permissions: the check is faked)."""
    import tempfile

    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    if os.geteuid() == 0:
        real = tempfile.NamedTemporaryFile

        def refuse(*args, dir=None, **kwargs):
            if dir is not None and Path(dir) == folder:
                raise PermissionError(13, "Permission denied")
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)
    return folder


@pytest.mark.parametrize("option, name", [("--output", "r.csv"), ("--plot", "r.png")])
def test_unwritable_output_refused_before_any_fit(option, name, tmp_path, monkeypatch, capsys):
    from sklearn_imbalance_dl.compare import _cli

    folder = _unwritable_folder(tmp_path, monkeypatch)
    monkeypatch.setattr(_cli, "_load_dataset", lambda *a: pytest.fail("data loaded"))
    try:
        assert main(["compare", *TINY, option, str(folder / name)]) == 2
    finally:
        folder.chmod(0o700)
    assert capsys.readouterr().err.strip().splitlines() == [
        f"sklearn-imbalance-dl compare: error: {option} '{folder / name}': cannot write in the "
        f"folder '{folder}' (Permission denied); choose another place"
    ]


def test_csv_output_whose_settings_file_is_a_folder_refused_before_any_fit(
    tmp_path, monkeypatch, capsys
):
    from sklearn_imbalance_dl.compare import _cli

    (tmp_path / "r.settings.json").mkdir()
    monkeypatch.setattr(_cli, "_load_dataset", lambda *a: pytest.fail("data loaded"))
    assert main(["compare", *TINY, "--output", str(tmp_path / "r.csv")]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"sklearn-imbalance-dl compare: error: --output '{tmp_path / 'r.csv'}': its settings "
        f"go beside it, to '{tmp_path / 'r.settings.json'}', which is a folder; choose "
        "another name"
    ]
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("output", ["table.csv", "table.partial.csv"])
def test_output_that_would_overwrite_the_data_is_refused(output, tmp_path, capsys):
    data = tmp_path / output
    _table().to_csv(data, index=False)
    before = data.read_bytes()
    args = ["compare", "--data", str(data), "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "logreg", "--output", str(tmp_path / "table.csv")]) == 2
    assert data.read_bytes() == before
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"sklearn-imbalance-dl compare: error: --output '{tmp_path}")
    assert "the --data file" in line and line.endswith("; choose another name")


def _disk_full_at(monkeypatch, wanted):
    """``write_results`` fails with "No space left on device" for ``wanted`` only (the
    disk filled up during the run); the fallback file is written."""
    from sklearn_imbalance_dl.compare import _cli

    real = _cli.write_results

    def fail_there(results, summary, path):
        if Path(path) == wanted:
            raise OSError(28, "No space left on device")
        return real(results, summary, path)

    monkeypatch.setattr(_cli, "write_results", fail_there)


def test_failed_final_write_goes_to_a_named_fallback(
    csv_file, tmp_path, monkeypatch, capsys, fallback_dir
):
    wanted = tmp_path / "results.json"
    _disk_full_at(monkeypatch, wanted)
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "logreg", "--output", str(wanted)]) == 1
    (fallback,) = fallback_dir.glob("sklearn-imbalance-dl-compare-*.json")
    assert len(json.loads(fallback.read_text())["fits"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"sklearn-imbalance-dl compare: error: cannot write --output '{wanted}' (No space "
        f"left on device); written to {fallback} instead"
    ]


def test_a_csv_output_that_falls_back_names_its_settings_file_too(
    csv_file, tmp_path, monkeypatch, capsys, fallback_dir
):
    wanted = tmp_path / "results.csv"
    _disk_full_at(monkeypatch, wanted)
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "logreg", "--output", str(wanted)]) == 1
    (fallback,) = fallback_dir.glob("sklearn-imbalance-dl-compare-*[0-9].csv")
    settings = fallback.with_name(f"{fallback.stem}.settings.json")
    assert json.loads(settings.read_text())["settings"]["data"]["target"] == "label"
    assert capsys.readouterr().err.strip().endswith(f"written to {fallback} and {settings} instead")


def test_a_write_that_fails_midway_leaves_the_older_output_whole(
    csv_file, tmp_path, monkeypatch, capsys, fallback_dir
):
    wanted = tmp_path / "results.csv"
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    args += ["--methods", "logreg", "--output", str(wanted)]
    assert main(args) == 0
    before = {path.name: path.read_bytes() for path in tmp_path.glob("results*")}
    real = pd.DataFrame.to_csv

    def disk_fills_up(self, path, **kwargs):
        if Path(path).parent == tmp_path:
            Path(path).write_text(real(self, **kwargs)[:200])  # a part, then no space left
            raise OSError(28, "No space left on device")
        return real(self, path, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_fills_up)
    assert main([*args, "--seeds", "2"]) == 1
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*results*")} == before
    assert "written to " in capsys.readouterr().err
    (fallback,) = fallback_dir.glob("sklearn-imbalance-dl-compare-*.csv")
    assert len(pd.read_csv(fallback).query("row == 'fit'")) == 4


# ---------------------------------------------------------------- tables reach the networks
def test_networks_read_the_table_others_get_the_encoding():
    from sklearn_imbalance_dl.compare._methods import takes_raw_table
    from sklearn_imbalance_dl.compare._runner import _with_preprocessor

    prep = make_preprocessor(_table().drop(columns="label"))
    raw = {m for m in default_methods() if takes_raw_table(make_estimator(m, "tabular"))}
    # Input mixing (PPL's PPmix, MFW at a random layer) cannot average category codes,
    # and SMOTE needs numbers: those get the encoding, like the non-deep methods.
    assert raw == {"default", "ce", "weighted_ce", "ldam_drw", "arb"}
    net = make_estimator("ce", "tabular")
    assert _with_preprocessor(net, prep) is net
    wrapped = _with_preprocessor(make_estimator("smote", "tabular"), prep)
    assert [name for name, _ in wrapped.steps] == ["preprocess", "sampler", "net"]
    X = _table().drop(columns="label").astype({"colour": "category"})
    y = _table()["label"].to_numpy()
    _RecordingEncoder.fitted_on.clear()
    results = run_comparison(
        X, y, cv=2, methods=["ce", "logreg"], seeds=1, epochs=1, preprocessor=_RecordingEncoder()
    )
    # The encoding is fitted for logreg's two folds only: the network got the table itself
    # (a DataFrame with a category column, a gap in x1 and one in colour).
    assert _RecordingEncoder.fitted_on == [60, 60]
    assert len(results) == 4 and results["balanced_accuracy"].between(0, 1).all()


@pytest.mark.parametrize(
    "schedule", [PhasedProgressiveLearning(), PhasedProgressiveLearning], ids=["instance", "class"]
)
def test_ppl_given_as_an_object_gets_the_encoding_as_its_name_does(schedule):
    """PPL mixes the inputs (PPmix) however it is given: the categorical table reaches
    it encoded, and no fit fails on the category codes."""
    X = _table().drop(columns="label").astype({"colour": "category"})
    y = _table()["label"].to_numpy()

    def factory(seed, epochs, device):
        return ImbalancedNetClassifier(
            loss="cri", schedule=schedule, max_epochs=epochs, device=device, random_state=seed
        )

    with warnings.catch_warnings():
        warnings.simplefilter("error", FitFailedWarning)
        # One epoch does not reach the schedule's re-weighting, and the fit says so.
        warnings.filterwarnings("ignore", ".*schedule=.* no epoch of max_epochs", UserWarning)
        results = run_comparison(X, y, cv=2, methods={"mixes": factory}, seeds=1, epochs=1)
    assert (results["error"] == "").all()
    assert results["balanced_accuracy"].between(0, 1).all()


class _MixesLate(Schedule):
    """A schedule whose mixing depends on the epochs fit binds it to: at the input."""

    def mixing(self):
        return Mixup(alpha=0.2, layer="input") if self.n_epochs_ >= 1 else None


def test_a_schedule_whose_mixing_reads_what_fit_binds_is_compared():
    """Whether a schedule's mixing mixes the inputs cannot be asked before fit, where it
    does not yet know its epochs: the table is encoded, which suits any mixing, and its
    fits run (category codes mixed at the input would fail them)."""
    X = _table().drop(columns="label").astype({"colour": "category"})
    y = _table()["label"].to_numpy()

    def factory(seed, epochs, device):
        return ImbalancedNetClassifier(
            schedule=_MixesLate(), max_epochs=epochs, device=device, random_state=seed
        )

    with warnings.catch_warnings():
        warnings.simplefilter("error", FitFailedWarning)
        results = run_comparison(X, y, cv=2, methods={"late": factory}, seeds=1, epochs=1)
    assert (results["error"] == "").all()


def test_a_dataframe_is_encoded_for_the_other_methods_without_being_asked():
    """preprocessor="auto" (the default): a DataFrame with a category, nullable and
    boolean columns and gaps reaches the forest and logistic regression encoded, as in
    the compare program; the same as passing make_preprocessor(X) by hand."""
    X = _table().drop(columns="label")
    X = X.astype({"colour": "category", "flag": "boolean"}).assign(
        count=pd.array([1, None, 3] * 40, dtype="Int64")
    )
    y = _table()["label"].to_numpy()
    options = dict(cv=2, methods=["brf", "logreg"], seeds=1)
    auto = run_comparison(X, y, **options)
    by_hand = run_comparison(X, y, **options, preprocessor=make_preprocessor(X))
    metrics = ["balanced_accuracy", "macro_f1"]
    pd.testing.assert_frame_equal(auto[metrics], by_hand[metrics])
    # Without an encoding, the forest cannot read the table: None means nothing in front.
    with pytest.warns(FitFailedWarning), pytest.raises(ValueError, match="Every fit failed"):
        run_comparison(X, y, **options, preprocessor=None)
    with pytest.raises(ValueError, match=r"'preprocessor' parameter of run_comparison must"):
        run_comparison(X, y, **options, preprocessor="scale")


class _RecordingEncoder(TransformerMixin, BaseEstimator):
    """compare's encoding step, recording the rows it is fitted on."""

    fitted_on = []

    def fit(self, X, y=None):
        type(self).fitted_on.append(len(X))
        self.encoder_ = make_preprocessor(X).fit(X)
        return self

    def transform(self, X):
        return self.encoder_.transform(X)


def test_catboost_row_from_the_recipes(monkeypatch, capsys):
    pytest.importorskip("catboost")
    from sklearn_imbalance_dl.compare import _recipes

    assert "catboost" in default_methods() and "catboost" in list_recipes("tabular")
    model = make_estimator("catboost", "tabular", random_state=3)
    params = model.get_params()
    assert (params["auto_class_weights"], params["random_seed"]) == ("Balanced", 3)
    assert "iterations" not in params  # CatBoost's own number, as the benchmark's rival
    X = _table().drop(columns="label")
    results = run_comparison(
        X, _table()["label"], cv=2, methods=["catboost"], seeds=1, preprocessor=make_preprocessor(X)
    )
    assert results["balanced_accuracy"].between(0, 1).all() and len(results) == 2
    # Without the package: no row by default, a note; asked for by name, a one-line error.
    monkeypatch.setitem(_recipes.OPTIONAL_PACKAGES, "catboost", ("no_such_module_x", "catboost"))
    assert "catboost" not in default_methods()
    assert main(["compare", *TINY, "--methods", "catboost"]) == 2
    assert capsys.readouterr().err.strip() == (
        "sklearn-imbalance-dl compare: error: --methods catboost: its package is not "
        "installed: pip install catboost"
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seeds": 1.5}, r"'seeds' parameter of run_comparison must be"),
        ({"torch_threads": 0}, r"'torch_threads' parameter of run_comparison must be"),
        ({"y_test": None}, r"both X_test and y_test, or neither"),
        (
            {"methods": {"none": lambda seed, epochs, device: None}},
            r"methods\['none'\] returned None",
        ),
        ({"methods": []}, r"methods is empty; give method names"),
        ({"methods": {}}, r"methods is empty; give method names"),
        ({"seeds": [-3]}, r"seeds must be in \[0, 2\*\*32 - 1\] \(numpy's seeds\); got -3\."),
        ({"seeds": [0, 2**32]}, r"seeds must be in \[0, 2\*\*32 - 1\].*; got 4294967296\."),
        ({"seeds": [1.9]}, r"seeds must be integers; got 1\.9\."),
        ({"seeds": np.array([0.0, 1.0])}, r"seeds must be integers; got 0\.0\."),
        ({"seeds": [3, 0, 3]}, r"seeds has repeats \(3\); give each seed once\."),
        (
            {"seeds": True},
            r"'seeds' parameter of run_comparison must be an int in the range \[1, 1000\] "
            r"or an array-like of ints, not a bool\. Got True instead\.",
        ),
        (
            {"seeds": 5_000_000_000},
            r"'seeds' parameter of run_comparison must be an int in the range \[1, 1000\]",
        ),
        ({"error_score": "ignore"}, r"'error_score' parameter of run_comparison must be"),
    ],
    ids=[
        "seeds",
        "threads",
        "half-a-test-set",
        "factory",
        "no-methods",
        "no-methods-dict",
        "negative-seed",
        "seed-too-large",
        "float-seed",
        "float-seed-array",
        "repeated-seed",
        "bool-seeds",
        "too-many-seeds",
        "error-score",
    ],
)
def test_run_comparison_names_bad_arguments_before_fitting(kwargs, message):
    from sklearn_imbalance_dl.datasets import load_digits_lt

    X, y, X_test, y_test = load_digits_lt(imbalance_ratio=10)
    arguments = {"methods": ["logreg"], "seeds": 1, "y_test": y_test, **kwargs}
    with pytest.raises(ValueError, match=message):
        run_comparison(X, y, X_test, **arguments)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        run_comparison(X, y, X_test, y_test[:-1], methods=["logreg"], seeds=1)


# ---------------------------------------------------------------- failed fits
class _Broken(BaseEstimator):
    """A classifier whose fit always raises."""

    def fit(self, X, y):
        raise ValueError("cannot fit this\nsecond line of the message")

    def predict(self, X):
        raise NotImplementedError


def _fails_for_seed_1(seed, epochs, device):
    # Logistic regression, far better than the baseline, except that seed 1 breaks.
    from sklearn.linear_model import LogisticRegression

    return _Broken() if seed == 1 else LogisticRegression(class_weight="balanced")


def _baseline(seed, epochs, device):
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy="stratified", random_state=seed)


def _broken(seed, epochs, device):
    return _Broken()


def _two_class_data():
    from sklearn.datasets import make_classification

    return make_classification(120, 4, weights=[0.8, 0.2], random_state=0)


def _logreg(seed, epochs, device):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(class_weight="balanced")


def test_rows_whose_balanced_accuracy_reads_the_same_share_a_rank():
    # Two names for one model: the same scores, a tie, as the margin line calls it.
    X, y = _two_class_data()
    methods = {"a": _logreg, "b": _logreg, "base": _baseline}
    results = run_comparison(X, y, cv=3, seeds=1, methods=methods, preprocessor=None)
    rows = format_table(summarise(results), results=results).splitlines()[4:7]
    assert [row.split()[:2] for row in rows] == [["1", "a"], ["1", "b"], ["3", "base"]]


def _invalid_logreg(seed, epochs, device):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=-1.0)


@pytest.mark.parametrize("name", [1, ""])
def test_a_method_of_ones_own_is_named_by_a_string(name):
    X, y = _two_class_data()
    with pytest.raises(ValueError, match=f"methods has the name {name!r}; name each method"):
        run_comparison(X, y, cv=2, seeds=1, methods={name: _baseline, "baseline": _baseline})


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_method_with_an_invalid_parameter_fails_its_fits(n_jobs):
    """Each method checks its parameters in fit, in the main process as in workers."""
    X, y = _two_class_data()
    methods = {"invalid": _invalid_logreg, "baseline": _baseline}
    with pytest.warns(FitFailedWarning, match="'C' parameter of LogisticRegression"):
        results = run_comparison(X, y, cv=2, seeds=1, methods=methods, n_jobs=n_jobs)
    errors = results.set_index(["method", "fold"])["error"]
    assert errors["invalid"].str.startswith("InvalidParameterError: The 'C' parameter").all()
    assert (errors["baseline"] == "").all()


def test_n_jobs_beyond_the_fits_starts_one_worker_per_fit(monkeypatch):
    """Each worker imports torch: more workers than fits would only take memory."""
    import joblib

    asked = []
    real = joblib.Parallel

    def parallel(*args, **kwargs):
        asked.append(kwargs["n_jobs"])
        return real(*args, **{**kwargs, "n_jobs": 1})

    monkeypatch.setattr(joblib, "Parallel", parallel)
    X, y = _two_class_data()
    run_comparison(X, y, cv=2, seeds=1, methods={"baseline": _baseline}, n_jobs=5000)
    run_comparison(X, y, cv=2, seeds=1, methods={"baseline": _baseline}, n_jobs=-1)
    assert asked == [2, -1]


class _Warns(BaseEstimator, ClassifierMixin):
    """A dummy classifier whose every fit warns, as a network trained for too few epochs."""

    def fit(self, X, y):
        warnings.warn("max_epochs=1 is too few", UserWarning, stacklevel=2)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _WarnsPredicting(_Warns):
    """A dummy classifier whose every prediction warns, as an imputer meeting a column
    without values in the training fold."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        warnings.warn("Skipping features without any observed values", UserWarning, stacklevel=2)
        return super().predict(X)


@pytest.mark.parametrize(
    "estimator, message",
    [
        (_Warns, "max_epochs=1 is too few"),
        (_WarnsPredicting, "Skipping features without any observed values"),
    ],
    ids=["fit", "predict"],
)
def test_a_warning_of_the_fits_is_given_once_per_method(estimator, message):
    """Ten fits (or their predictions) warning the same: one warning naming the method,
    not ten."""
    X, y = _two_class_data()
    methods = {"warns": lambda seed, epochs, device: estimator(), "baseline": _baseline}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        run_comparison(X, y, cv=5, seeds=2, methods=methods)
    assert [(w.category, str(w.message)) for w in caught] == [(UserWarning, f"warns: {message}")]
    assert caught[0].filename == __file__  # the warning points at the caller's line


class _PredictsItsFirstClass(_WarnsPredicting):
    """A dummy classifier that predicts the first class of its training labels, quietly."""

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_a_warning_of_the_scoring_is_given_once_per_method_under_its_name():
    # A hold-out test set without the class a method predicts: scikit-learn's balanced
    # accuracy warns at every fit's scoring.
    X, y = _two_class_data()
    X_test, y_test = X[y == 1], y[y == 1]
    methods = {"first": lambda seed, epochs, device: _PredictsItsFirstClass()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        run_comparison(X, y, X_test, y_test, seeds=3, methods=methods)
    said = [str(w.message) for w in caught]
    assert said == ["first: y_pred contains classes not in y_true"]


@pytest.mark.parametrize(
    "setting, message",
    [
        ({"device": "CPU"}, r"The 'device' parameter must be 'auto', 'cpu', .* Got 'CPU'"),
        ({"n_jobs": 0}, r"n_jobs=0 runs nothing; use 1 \(no parallelism\) or -1"),
    ],
)
def test_settings_that_would_fail_every_fit_are_refused_before_any(setting, message):
    X, y = _two_class_data()
    with pytest.raises(ValueError, match=message):
        run_comparison(X, y, cv=2, seeds=1, methods={"baseline": _baseline}, **setting)


def test_threads_as_a_numpy_integer():
    X, y = _two_class_data()
    results = run_comparison(
        X, y, cv=2, seeds=1, methods={"baseline": _baseline}, torch_threads=np.int64(1)
    )
    assert (results["error"] == "").all()


def test_a_failed_fit_is_a_row_with_its_error_and_the_other_fits_go_on():
    X, y = _two_class_data()
    methods = {"flaky": _fails_for_seed_1, "baseline": _baseline}
    with pytest.warns(FitFailedWarning) as caught:
        results = run_comparison(X, y, cv=2, seeds=[0, 1], methods=methods)
    assert [str(w.message) for w in caught] == [
        f"The fit of 'flaky' (seed 1, fold {fold}) failed: ValueError: cannot fit this. Its "
        "scores are nan and the other fits go on; error_score='raise' shows the traceback."
        for fold in (0, 1)
    ]
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert len(results) == 8
    failed = results[results["error"] != ""]
    assert failed[["method", "seed", "fold"]].values.tolist() == [["flaky", 1, 0], ["flaky", 1, 1]]
    assert set(failed["error"]) == {"ValueError: cannot fit this\nsecond line of the message"}
    assert failed[["balanced_accuracy", "g_mean", "fit_time", "recall[0]"]].isna().all().all()
    scored = results[results["error"] == ""]
    assert scored["balanced_accuracy"].between(0, 1).all() and len(scored) == 6
    # The failed rows turn no integer column into floats.
    for column in ("seed", "fold", "n_train", "n_test"):
        assert pd.api.types.is_integer_dtype(results[column]), column
    summary = summarise(results)
    # flaky scores far better on the splits it finished, but it did not finish them all:
    # listed after the baseline, not ranked above it.
    assert summary["method"].tolist() == ["baseline", "flaky"]
    assert summary["n_failed"].tolist() == [0, 2] and summary["n_fits"].tolist() == [4, 4]
    flaky = summary.iloc[1]
    assert flaky["balanced_accuracy_mean"] > summary.iloc[0]["balanced_accuracy_mean"]
    assert flaky["balanced_accuracy_mean"] == pytest.approx(
        scored.loc[scored.method == "flaky", "balanced_accuracy"].mean()
    )
    lines = format_table(summary, results=results).splitlines()
    assert lines[0].startswith("mean ± std over 4 fits (seeds x folds), fewer where fits failed;")
    assert lines[2].split() == [
        "#",
        "method",
        "bal.",
        "acc",
        "macro-F1",
        "G-mean",
        "min.",
        "recall",
        "fit",
        "s",
        "failed",
    ]
    assert lines[4].startswith("1  baseline ") and not lines[4].endswith("of 4")
    assert lines[5].startswith("-  flaky ") and lines[5].endswith("  2 of 4")
    assert lines[6] == (
        "failed: flaky, 2 of 4 fits (first: seed 1, fold 0: ValueError: cannot fit this); "
        "not ranked"
    )


def test_a_method_with_failed_fits_is_no_winner():
    deep = {"arb": True, "ce": True, "hgb": False}
    summary = _summary([("hgb", 0.85, 0.01), ("arb", 0.80, 0.01), ("ce", 0.70, 0.01)], deep)
    summary["n_failed"] = [1, 0, 0]
    assert margin_line(summary) is None  # no non-deep method finished every fit
    summary["n_failed"] = [0, 1, 0]
    assert margin_line(summary) == (
        "Winner: hgb (non-deep); the best deep method, ce, is 15.0 points of balanced "
        "accuracy behind"
    )


def test_error_score_raise_names_the_fit_and_keeps_the_finished_ones():
    from sklearn_imbalance_dl.compare import ComparisonFitError

    X, y = _two_class_data()
    methods = {"baseline": _baseline, "flaky": _fails_for_seed_1}
    with pytest.raises(ComparisonFitError) as info:
        run_comparison(X, y, cv=2, seeds=[0, 1], methods=methods, error_score="raise")
    error = info.value
    assert str(error) == "The fit of 'flaky' (seed 1, fold 0) failed: ValueError: cannot fit this"
    assert (error.method, error.seed, error.fold, error.n_fits) == ("flaky", 1, 0, 8)
    assert isinstance(error.__cause__, ValueError)
    # Seed 0 and seed 1's baseline finished before it.
    assert len(error.results) == 5 and error.results.attrs["partial"] is True
    assert (error.results["error"] == "").all()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_error_score_raise_has_the_fits_own_error_as_cause(n_jobs):
    """Also when the fit ran in a worker process: its error, not the worker's traceback."""
    from sklearn_imbalance_dl.compare import ComparisonFitError

    X, y = _two_class_data()
    methods = {"invalid": _invalid_logreg}
    with pytest.raises(ComparisonFitError) as info:
        run_comparison(X, y, cv=2, seeds=1, methods=methods, error_score="raise", n_jobs=n_jobs)
    cause = info.value.__cause__
    assert type(cause).__name__ == "InvalidParameterError" and isinstance(cause, ValueError)
    assert str(cause).startswith("The 'C' parameter of LogisticRegression")
    assert "_fit_error" not in vars(info.value)


def test_a_numeric_error_score_is_the_score_of_a_failed_fit():
    X, y = _two_class_data()
    methods = {"flaky": _fails_for_seed_1, "baseline": _baseline}
    with pytest.warns(FitFailedWarning, match="Its scores are 0 and the other fits go on"):
        results = run_comparison(X, y, cv=2, seeds=[0, 1], methods=methods, error_score=0)
    failed = results[results["error"] != ""]
    assert len(failed) == 2 and (failed[["balanced_accuracy", "macro_f1"]] == 0).all().all()


def test_every_fit_failing_raises_with_the_first_error():
    from sklearn_imbalance_dl.compare import ComparisonFitError

    X, y = _two_class_data()
    with pytest.warns(FitFailedWarning), pytest.raises(ComparisonFitError) as info:
        run_comparison(X, y, cv=2, seeds=1, methods={"broken": _broken})
    assert str(info.value) == (
        "Every fit failed (2 of 2); the first, 'broken' (seed 0, fold 0): ValueError: cannot "
        "fit this. error_score='raise' shows its traceback."
    )
    assert len(info.value.results) == 2 and info.value.results["error"].ne("").all()


def _break_hgb(monkeypatch, seeds):
    """compare's 'hgb' method fails for these seeds."""
    from sklearn_imbalance_dl.compare import _runner

    real = _runner.RecipeFactory

    def factory(method):
        made = real(method)
        if method != "hgb":
            return made
        return lambda seed, epochs, device: (
            _Broken() if seed in seeds else made(seed, epochs, device)
        )

    monkeypatch.setattr(_runner, "RecipeFactory", factory)


def test_cli_reports_failed_fits_and_prints_the_other_methods(
    csv_file, tmp_path, monkeypatch, capsys
):
    _break_hgb(monkeypatch, seeds={1})
    output = tmp_path / "results.csv"
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    args += ["--seeds", "0,1", "--methods", "logreg,hgb", "--output", str(output)]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "sklearn-imbalance-dl compare: error: 2 of 8 fits failed (hgb: 2); the table lists "
        f"such methods last, unranked; {output} has each fit's error\n"
    )
    table = [
        line for line in captured.out.splitlines() if line.split()[1:2] in (["logreg"], ["hgb"])
    ]
    assert [line.split()[:2] for line in table] == [["1", "logreg"], ["-", "hgb"]]
    assert table[1].endswith("2 of 4")
    assert (
        "failed: hgb, 2 of 4 fits (first: seed 1, fold 0: ValueError: cannot fit this); not ranked"
    ) in captured.out
    assert f"wrote {output}" in captured.out
    written = pd.read_csv(output, keep_default_na=False)
    fits = written[written.row == "fit"]
    assert fits.loc[fits.error != "", ["method", "seed"]].values.tolist() == [["hgb", "1"]] * 2
    summary = written[written.row == "summary"].set_index("method")
    assert summary.loc["hgb", "n_failed"] == "2" and summary.loc["logreg", "n_failed"] == "0"


def test_cli_every_fit_failing_is_one_line(csv_file, monkeypatch, capsys):
    _break_hgb(monkeypatch, seeds={0})
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "hgb"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "sklearn-imbalance-dl compare: error: every fit failed (2 of 2); the first, hgb "
        "(seed 0, fold 0): ValueError: cannot fit this\n"
    )


def test_cli_every_fit_failing_still_writes_the_output(csv_file, tmp_path, monkeypatch, capsys):
    _break_hgb(monkeypatch, seeds={0})
    output = tmp_path / "results.csv"
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "hgb", "--output", str(output)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "sklearn-imbalance-dl compare: error: every fit failed (2 of 2); the first, hgb "
        f"(seed 0, fold 0): ValueError: cannot fit this; {output} has each fit's error\n"
    )
    assert captured.out == f"wrote {output} and {tmp_path / 'results.settings.json'}\n"
    written = pd.read_csv(output, keep_default_na=False)
    fits = written[written.row == "fit"]
    assert fits["error"].str.startswith("ValueError: cannot fit this").all() and len(fits) == 2
    summary = written[written.row == "summary"]
    assert summary[["method", "n_fits", "n_failed"]].values.tolist() == [["hgb", "2", "2"]]
    for metric in ("balanced_accuracy", "macro_f1", "g_mean", "minority_recall"):
        assert {f"{metric}_mean", f"{metric}_std"} <= set(written.columns)  # g_mean too
    settings = json.loads((tmp_path / "results.settings.json").read_text())["settings"]
    assert settings["data"]["target"] == "label" and settings["partial"] is False


def test_cli_every_fit_failing_names_the_output_only_where_it_went(
    csv_file, tmp_path, monkeypatch, capsys, fallback_dir
):
    _break_hgb(monkeypatch, seeds={0})
    wanted = tmp_path / "results.json"
    _disk_full_at(monkeypatch, wanted)
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "hgb", "--output", str(wanted)]) == 1
    (fallback,) = fallback_dir.glob("sklearn-imbalance-dl-compare-*.json")
    assert capsys.readouterr().err.strip().splitlines() == [
        f"sklearn-imbalance-dl compare: error: cannot write --output '{wanted}' (No space "
        f"left on device); written to {fallback} instead",
        "sklearn-imbalance-dl compare: error: every fit failed (2 of 2); the first, hgb "
        "(seed 0, fold 0): ValueError: cannot fit this",
    ]


# ---------------------------------------------------------------- options
def test_version_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"sklearn-imbalance-dl {__version__}"


def test_help_lists_every_method_with_a_description(capsys):
    assert main(["compare", "--help"]) == 0
    out = capsys.readouterr().out
    listed = out[out.index("methods:\n") :].splitlines()[1:]
    assert [line.split()[0] for line in listed] == default_methods()
    assert listed[0] == "  default      network, the estimator defaults (ImbalancedNetClassifier())"
    for line in listed:
        assert not line.rstrip().endswith(","), line


def test_plot_format_that_cannot_be_drawn_is_refused_before_any_fit(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    from sklearn_imbalance_dl.compare import _cli

    monkeypatch.setattr(_cli, "_load_dataset", lambda *a: pytest.fail("data loaded"))
    # .pgf runs LaTeX: with no program on the PATH it cannot be drawn.
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["compare", *TINY, "--plot", str(tmp_path / "r.pgf")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(
        f"sklearn-imbalance-dl compare: error: --plot '{tmp_path / 'r.pgf'}': matplotlib "
        "cannot write .pgf files here (RuntimeError: "
    )
    assert err[0].endswith("); use .png, .pdf or .svg")


def test_a_figure_that_fails_at_the_end_goes_to_a_png_fallback(
    csv_file, tmp_path, monkeypatch, capsys, fallback_dir
):
    pytest.importorskip("matplotlib")
    from sklearn_imbalance_dl.compare import _cli

    wanted = tmp_path / "results.svg"
    real = _cli.plot_results

    def fail_there(summary, path=None, **kwargs):
        if Path(path) == wanted:
            raise RuntimeError("the renderer gave up\ndetails")
        return real(summary, path, **kwargs)

    monkeypatch.setattr(_cli, "plot_results", fail_there)
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "2", *TINY]
    assert main([*args, "--methods", "logreg", "--plot", str(wanted)]) == 1
    (fallback,) = fallback_dir.glob("sklearn-imbalance-dl-compare-*.png")
    assert fallback.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().err == (
        f"sklearn-imbalance-dl compare: error: cannot write --plot '{wanted}' (RuntimeError: "
        f"the renderer gave up); written to {fallback} instead\n"
    )


def test_a_folder_of_parquet_files_is_a_table(tmp_path):
    pytest.importorskip("pyarrow")
    from sklearn_imbalance_dl.compare._cli import load_table

    folder = tmp_path / "table.parquet"  # as Spark or Dask write a data set
    folder.mkdir()
    _table().to_parquet(folder / "part-0.parquet")
    X, y, description, _ = load_table(folder, "label", 2)
    assert X.shape == (120, 4) and description.startswith("table.parquet: 120 rows")
    # A folder of any name, its table in two files, or in partition subfolders.
    parts = tmp_path / "parts"
    parts.mkdir()
    _table().iloc[:60].to_parquet(parts / "a.parquet")
    _table().iloc[60:].to_parquet(parts / "b.parquet")
    X, y, description, _ = load_table(parts, "label", 2)
    assert X.shape == (120, 4) and description.startswith("parts: 120 rows")
    partitioned = tmp_path / "partitioned"
    _table().assign(half=np.repeat(["a", "b"], 60)).to_parquet(partitioned, partition_cols=["half"])
    assert load_table(partitioned, "label", 2)[0].shape == (120, 5)


class _RaisingFactory:
    """A factory that raises for the seeds given, else returns a logistic regression."""

    def __init__(self, bad_seeds):
        self.bad_seeds = bad_seeds

    def __call__(self, seed, epochs, device):
        from sklearn.linear_model import LogisticRegression

        if seed in self.bad_seeds:
            raise RuntimeError(f"factory fails for seed {seed}")
        return LogisticRegression(class_weight="balanced")


def test_a_factory_failing_for_the_first_seed_gives_failed_rows():
    X, y = _two_class_data()
    methods = {"flaky": _RaisingFactory({0}), "baseline": _baseline}
    with pytest.warns(FitFailedWarning, match="RuntimeError: factory fails for seed 0. Its"):
        results = run_comparison(X, y, cv=2, seeds=[0, 1], methods=methods)
    failed = results[results["error"] != ""]
    assert failed[["method", "seed"]].values.tolist() == [["flaky", 0], ["flaky", 0]]
    assert results.attrs["deep"] == {"flaky": False, "baseline": False}


@pytest.mark.parametrize(
    "factory, message",
    [
        ("logreg", r"methods\['x'\] is 'logreg'; give a factory\(seed, epochs, device\)"),
        (lambda seed: None, r"methods\['x'\] cannot be called as factory\(seed, epochs, device\)"),
    ],
)
def test_a_factory_that_is_not_one_is_refused(factory, message):
    X, y = _two_class_data()
    with pytest.raises(ValueError, match=message):
        run_comparison(X, y, cv=2, seeds=1, methods={"x": factory})


@pytest.mark.parametrize("thresholds", [(5,), (10, 50), ("a", "b"), (100, -1)])
def test_shot_thresholds_are_checked_before_any_fit(thresholds):
    X, y = _two_class_data()
    methods = {"never": _broken}  # a fit would fail: the check comes first
    with pytest.raises(ValueError, match=r"shot_thresholds must be two numbers \(many, few\)"):
        run_comparison(X, y, cv=2, seeds=1, methods=methods, shot_thresholds=thresholds)


def test_cross_validated_shot_groups_are_those_of_the_training_folds():
    """With cv, the header names the groups the fits score: those of the training folds
    (4/5 of a class with 5 folds), not of the whole data."""
    y = np.repeat([0, 1, 2], [120, 55, 12])
    X = np.random.default_rng(0).normal(size=(len(y), 3))
    results = run_comparison(
        X, y, cv=5, seeds=1, methods={"baseline": _baseline}, shot_thresholds=(50, 10)
    )
    # Class 1 has 44 training samples in every fold: medium, as the fits score it.
    np.testing.assert_allclose(results["many"], results["recall[0]"])
    table = format_table(summarise(results), results=results)
    # Class 2 (12 samples) has 9 training samples in two folds and 10 in three.
    assert (
        "many-shot: > 50 training samples (classes 0); medium: 10-50 (classes 1, 2 in some "
        "folds); few-shot: < 10 (classes 2 in some folds)"
    ) in table.splitlines()


def test_the_report_helpers_name_the_table_they_need():
    X, y = _two_class_data()
    results = run_comparison(X, y, cv=2, seeds=1, methods={"baseline": _baseline})
    for helper in (format_table, plot_results):
        with pytest.raises(ValueError, match=rf"{helper.__name__} takes the output of summarise"):
            helper(results)
        with pytest.raises(ValueError, match=rf"{helper.__name__}: the summary has no methods"):
            helper(summarise(results).iloc[:0])
    with pytest.raises(ValueError, match=r"summarise takes the output of run_comparison.*already"):
        summarise(summarise(results))


def test_make_preprocessor_names_the_dataframe_it_needs():
    with pytest.raises(TypeError, match="make_preprocessor takes a pandas DataFrame"):
        make_preprocessor(np.zeros((3, 2)))


def test_a_table_with_a_column_name_twice_is_refused_before_any_fit():
    table = _table()
    X = pd.concat([table[["x1", "colour"]], table[["x1"]]], axis=1)  # as a join leaves them
    message = "X has more than one column named 'x1'"
    with pytest.raises(ValueError, match=message):
        run_comparison(X, table["label"], cv=2, methods=["logreg", "ce"], seeds=1, epochs=1)
    with pytest.raises(ValueError, match=message):
        make_preprocessor(X)


def test_failed_fits_read_back_from_the_csv_name_their_seed_and_fold(tmp_path):
    X, y = _two_class_data()
    methods = {"broken": _broken, "baseline": _baseline}
    with pytest.warns(FitFailedWarning):
        results = run_comparison(X, y, cv=2, seeds=1, methods=methods)
    write_results(results, summarise(results), tmp_path / "r.csv")
    fits = pd.read_csv(tmp_path / "r.csv").query("row == 'fit'")
    table = format_table(summarise(fits), results=fits)
    assert "failed: broken, 2 of 2 fits (first: seed 0, fold 0: " in table


def test_summarise_refuses_the_whole_output_csv_with_its_summary_rows(tmp_path):
    X, y = _two_class_data()
    results = run_comparison(X, y, cv=2, seeds=1, methods={"baseline": _baseline})
    write_results(results, summarise(results), tmp_path / "r.csv")
    table = pd.read_csv(tmp_path / "r.csv")
    with pytest.raises(ValueError, match=r"summarise its fits: results.query\(\"row == 'fit'\"\)"):
        summarise(table)
    assert summarise(table.query("row == 'fit'"))["n_fits"].tolist() == [2]


def test_mixed_label_types_are_named():
    X, _ = _two_class_data()
    y = np.array([0, "a"] * 60, dtype=object)
    with pytest.raises(ValueError, match="y_train mixes labels of types int, str"):
        run_comparison(X, y, cv=2, seeds=1, methods={"baseline": _baseline})


def test_summarise_and_format_table_read_the_output_csv_back(csv_file, tmp_path, capsys):
    out = tmp_path / "r.csv"
    args = ["compare", "--data", str(csv_file), "--target", "label", "--folds", "3"]
    args += ["--seeds", "2", "--methods", "logreg", "--quiet", "--output", str(out)]
    assert main(args) == 0
    table = pd.read_csv(out)
    fits = table.query("row == 'fit'")
    summary = summarise(fits)
    written = table.query("row == 'summary'").reset_index(drop=True)
    assert (
        summary.columns.tolist()
        == written.dropna(axis=1, how="all").drop(columns="row").columns.tolist()
    )
    np.testing.assert_allclose(summary["balanced_accuracy_mean"], written["balanced_accuracy_mean"])
    # The folds of the fits say what the spread is over; the summary rows alone do not.
    assert "mean ± std over 6 fits (seeds x folds); " in format_table(summary)
    assert "mean ± std over 6 fits; sorted" in format_table(written)
    assert "mean ± std over 6 fits (seeds x folds); " in format_table(written, results=fits)


@pytest.mark.parametrize(
    "make_labels",
    [
        lambda labels: pd.Series(labels, dtype=object),
        lambda labels: pd.Series([pd.NA if v is None else v for v in labels], dtype=object),
        lambda labels: pd.Series(labels, dtype="string"),
    ],
    ids=["None", "pd.NA", "string"],
)
def test_run_comparison_names_missing_labels(make_labels):
    X, y = _two_class_data()
    labels = [str(v) for v in y]
    labels[3] = None
    with pytest.raises(
        ValueError, match=r"y_train has 1 missing label\(s\).*position\(s\) \[3\]; drop"
    ):
        run_comparison(X, make_labels(labels), cv=2, seeds=1, methods={"baseline": _baseline})


def test_run_comparison_takes_a_list_of_rows():
    X, y = _two_class_data()
    as_lists = run_comparison(X.tolist(), y.tolist(), cv=2, seeds=1, methods={"b": _baseline})
    as_array = run_comparison(X, y, cv=2, seeds=1, methods={"b": _baseline})
    pd.testing.assert_series_equal(as_lists["balanced_accuracy"], as_array["balanced_accuracy"])


def test_run_comparison_refuses_classes_that_cannot_reach_every_fold():
    """A class of fewer samples than folds would be missing from some test folds, whose
    scores would then cover the other classes only; a single class has nothing to compare."""
    X, y = _two_class_data()
    y = y.copy()
    y[np.flatnonzero(y == 1)[2:]] = 0  # two samples of class 1 left
    with pytest.raises(ValueError, match=r"class 1 has 2 samples: fewer than cv=3.*lower cv or"):
        run_comparison(X, y, cv=3, seeds=1, methods={"b": _baseline})
    with pytest.raises(ValueError, match=r"y has a single class \(0\)"):
        run_comparison(X, np.zeros_like(y), cv=2, seeds=1, methods={"b": _baseline})


def test_a_class_of_one_sample_is_not_told_to_lower_the_folds(tmp_path, capsys):
    """No number of folds cross-validates a class of one sample: the advice is to drop it."""
    table = _numbers_with({}).drop(columns="chol")
    table.loc[0, "label"] = "once"
    path = _write(tmp_path, "once.csv", table)
    assert main(["compare", "--data", path, "--target", "label", "--folds", "2", *TINY]) == 2
    assert capsys.readouterr().err.strip() == (
        "sklearn-imbalance-dl compare: error: class 'once' has 1 sample: fewer than --folds 2, "
        "so stratified 2-fold cross-validation cannot put one in every fold; a class of a "
        "single sample cannot be both trained on and tested, whatever the folds: drop it"
    )
    X, y = _two_class_data()
    y = y.copy()
    y[np.flatnonzero(y == 1)[1:]] = 2  # class 1 once, class 2 many
    y[np.flatnonzero(y == 0)[:2]] = 3  # class 3 twice
    with pytest.raises(ValueError, match=r"drop it \(and lower cv or drop the others\)\.$"):
        run_comparison(X, y, cv=3, seeds=1, methods={"b": _baseline})


def test_drop_takes_a_column_whose_name_holds_a_comma(tmp_path):
    from sklearn_imbalance_dl.compare._cli import CompareError, load_table

    rng = np.random.default_rng(0)
    n = 40
    table = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "date, UTC": pd.date_range("2024-01-01", periods=n).astype(str),
            "label": ["x"] * 30 + ["y"] * 10,
        }
    )
    path = tmp_path / "comma.csv"
    table.to_csv(path, index=False)
    with pytest.raises(CompareError, match=r"leave them out with --drop 'date, UTC'"):
        load_table(path, "label", 2)
    X, _, _, _ = load_table(path, "label", 2, drop=["date, UTC"])
    assert list(X.columns) == ["a"]
    assert main(["compare", "--data", str(path), "--target", "label", "--drop", "date, UTC",
                 "--methods", "logreg", "--folds", "2", "--seeds", "1"]) == 0  # fmt: skip


def test_margin_line_names_no_winner_on_a_tie():
    deep = {"arb": True, "hgb": False}
    line = margin_line(_summary([("hgb", 0.5, 0.0), ("arb", 0.5, 0.0)], deep))
    assert line == "No winner: arb and the best non-deep method (hgb) tie on balanced accuracy"


@pytest.mark.parametrize("hgb", [0.5003, 0.4996])
def test_margin_line_names_no_winner_when_the_table_shows_a_tie(hgb):
    # Both means read 0.500 in the table, whichever is ahead: no winner by "0.0 points".
    deep = {"arb": True, "hgb": False}
    rows = sorted([("hgb", hgb, 0.0), ("arb", 0.5, 0.0)], key=lambda r: -r[1])
    summary = _summary(rows, deep).assign(n_fits=1, fit_time_mean=1.0)
    table = format_table(summary).splitlines()
    assert [line.split()[2] for line in table[-3:-1]] == ["0.500", "0.500"]
    assert table[-1] == (
        "No winner: arb and the best non-deep method (hgb) tie on balanced accuracy"
    )


def test_compare_script_reads_relative_paths_from_the_callers_directory(tmp_path):
    """``bash path/to/scripts/compare.sh --data table.csv`` from another directory reads
    the table there (the script makes its environment in the clone)."""
    clone = tmp_path / "clone"
    (clone / "scripts").mkdir(parents=True)
    for script in ("compare.sh", "_venv.sh"):
        (clone / "scripts" / script).write_text((REPO / "scripts" / script).read_text())
    # A python3 whose ``-m venv DIR`` makes DIR/bin/python (and whose version check
    # passes): a stand-in that, asked to compare, writes down where it runs and what it
    # was given (pip does nothing).
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    log = tmp_path / "log"
    venv_python = (
        "#!/usr/bin/env bash\n"
        f'if [[ "$2" == sklearn_imbalance_dl ]]; then echo "$PWD" "$@" > {log}; fi\n'
    )
    python3 = stubs / "python3"
    python3.write_text(
        "#!/usr/bin/env bash\n"
        'mkdir -p "$3/bin"\n'
        f"cat > \"$3/bin/python\" <<'STUB'\n{venv_python}STUB\n"
        'chmod +x "$3/bin/python"\n'
    )
    python3.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        ["bash", str(clone / "scripts" / "compare.sh"), "--data", "table.csv"],
        cwd=work,
        env=env,
        check=True,
    )
    assert (clone / ".venv" / "bin" / "python").exists()
    where, *args = log.read_text().split()
    assert where == str(work)
    assert args[-2:] == ["--data", "table.csv"]


@pytest.mark.parametrize("n_methods", [3, 15, 24])
def test_plot_results_gives_each_method_a_colour_of_its_own(n_methods):
    pytest.importorskip("matplotlib")
    summary = pd.DataFrame({
        "method": [f"m{i}" for i in range(n_methods)], "n_fits": 2, "n_failed": 0,
        "balanced_accuracy_mean": np.linspace(0.9, 0.5, n_methods),
        "balanced_accuracy_std": 0.01, "fit_time_mean": 0.1, "fit_time_std": 0.0,
        "recall[a]_mean": 0.5, "recall[a]_std": 0.0,
    })  # fmt: skip
    bars = plot_results(summary).axes[0].patches
    assert len({tuple(bar.get_facecolor()) for bar in bars}) == n_methods


def test_plot_results_without_matplotlib_says_how_to_install_it(monkeypatch):
    X, y = _two_class_data()
    summary = summarise(run_comparison(X, y, cv=2, seeds=1, methods={"baseline": _baseline}))
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"plot_results needs matplotlib: pip install .*\[plot\]"):
        plot_results(summary)


def _net_for(seed, epochs, device):
    return ImbalancedNetClassifier(module="mlp", max_epochs=epochs, random_state=seed)


def _unconverged(seed, epochs, device):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1)


def test_fits_in_threads_take_turns_and_keep_their_warnings():
    """Each fit records its warnings by swapping the process's warning state: fits in
    threads of one process overlapping would put back each other's state (later
    warnings lost for good), take each other's warnings, and leave the threads of torch
    and BLAS as another fit set them."""
    import joblib
    import torch
    from sklearn.datasets import make_classification

    X, y = make_classification(
        300, 8, n_informative=4, n_classes=3, weights=[0.7, 0.2, 0.1], random_state=0
    )
    methods = {"net": _net_for, "logreg": _unconverged}
    threads = torch.get_num_threads()
    for _ in range(2):
        with warnings.catch_warnings(record=True) as said, joblib.parallel_backend("threading"):
            warnings.simplefilter("always")
            run_comparison(
                X, y, cv=3, methods=methods, seeds=2, epochs=2, n_jobs=4, preprocessor=None
            )
        assert {str(w.message).split(":")[0] for w in said} == {"logreg"}
    assert torch.get_num_threads() == threads
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        warnings.warn("still shown", UserWarning, stacklevel=1)
    assert [str(w.message) for w in said] == ["still shown"]
