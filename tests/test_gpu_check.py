"""``benchmarks/gpu_check.py --dry-run``: every phase end to end on the CPU, and resuming.

The GPU run itself is owed to a machine with CUDA (RESULTS.md, "GPU check").
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sklearn_imbalance_dl._console import ASCII_SPELLINGS

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "benchmarks" / "gpu_check.py"


def _run(*args, timeout=300, **environ):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore", **environ)
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--dry-run", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_dry_run_covers_every_phase_and_resumes_on_channels_last(tmp_path):
    """The first command runs under the C locale (ASCII; Python's UTF-8 mode off, as on
    a bare server): the script reads the test files, prints its tables in ASCII ("rho"
    for "ρ") and writes report.md in UTF-8, instead of raising UnicodeDecodeError or
    UnicodeEncodeError."""
    first = tmp_path / "first"
    c_locale = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    proc = _run("--seeds", "0", "--out", str(first), **c_locale)
    report = (first / "report.md").read_text(encoding="utf-8")
    assert "### CIFAR-10-LT ρ=100 recipes, " in report and "| Δ vs CE (mean last) |" in report
    assert "".join(ASCII_SPELLINGS.get(char, char) for char in report) == proc.stdout
    assert "### GPU tests (`pytest -m gpu`)" in report and "skipped" in report
    assert "tests/test_gpu.py" in report and "tests/test_cuda_graph.py" in report
    for variant in ("hand loop (eager)", "library eager", "library graphed"):
        assert f"| fp32 | False | {variant} |" in report
        assert f"| bf16 | True | {variant} |" in report
    for loss in ("ce", "ldam", "cri", "arb"):
        assert f"| {loss} | " in report
    records = [json.loads(line) for line in (first / "recipes.jsonl").read_text().splitlines()]
    assert sorted((r["method"], r["seed"]) for r in records) == [("ce", 0), ("sure", 0)]
    assert "| sure | " in report and "not run" not in report
    assert not any(r["channels_last"] for r in records)
    assert "channels-last" not in report

    # A second command given the first one's results runs only the runs it lacks (the
    # dry run's recipes on the default seeds 0 and 1), here on channels-last images.
    second = tmp_path / "second"
    proc = _run(
        "--skip-tests",
        "--skip-speed",
        "--channels-last",
        "--results",
        str(first / "recipes.jsonl"),
        "--out",
        str(second),
    )
    assert "recipes: 2 runs already finished, 2 to run" in proc.stderr
    records = [json.loads(line) for line in (second / "recipes.jsonl").read_text().splitlines()]
    assert sorted((r["method"], r["seed"], r["channels_last"]) for r in records) == [
        ("ce", 0, False),
        ("ce", 1, True),
        ("sure", 0, False),
        ("sure", 1, True),
    ]
    assert "| ce | " in proc.stdout and "not run" not in proc.stdout
    assert "On channels-last images: ce seed 1, sure seed 1" in proc.stdout


def test_runs_past_the_budget_are_stopped_and_listed(tmp_path):
    proc = _run(
        "--skip-tests",
        "--skip-speed",
        "--methods",
        "ce",
        "--parallel",
        "1",
        "--epochs",
        "200",
        "--budget",
        "8",
        "--out",
        str(tmp_path),
    )
    assert "recipes: stopped at the deadline: ce seed 0" in proc.stderr
    assert "| ce | stopped (no epoch finished) | not run |" in proc.stdout
    assert "Not started (budget spent): ce seed 1" in proc.stdout
    assert not (tmp_path / "recipes.jsonl").exists()
