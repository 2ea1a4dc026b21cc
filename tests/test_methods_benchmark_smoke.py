"""Smoke test of benchmarks/methods_digits.py: it runs and reports every method."""

import subprocess
import sys
from pathlib import Path

import pytest

# End-to-end: CI runs it; `pytest -m "not slow"` skips it while developing.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "methods_digits.py"
METHOD_ROWS = [
    "CE",
    "LDAM-DRW",
    "CRI+PPL",
    "CRI+PPS+PPmix",
    "ARB (batch)",
    "ARB (global)",
    "CE+MFW",
    "LDAM-DRW+MFW",
]


def test_methods_benchmark_quick(tmp_path):
    output = tmp_path / "results.md"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--output", str(output)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hang, not a time limit
    )
    text = output.read_text(encoding="utf-8")
    # The summary table is the first table after the data set heading.
    section = text.split("## exponential ρ=100", 1)[1].split("Per-seed", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    assert [row.split("|")[1].strip() for row in rows] == METHOD_ROWS
    assert "balanced acc." in section


def test_methods_benchmark_quick_run_leaves_results_md_alone(capsys):
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import methods_digits
    finally:
        sys.path.remove(str(SCRIPT.parent))
    # A smoke run prints its report; the full run replaces the section of RESULTS.md.
    assert methods_digits.parse_args(["--quick"]).output is None
    assert methods_digits.parse_args([]).output == str(REPO / "benchmarks" / "RESULTS.md")
    assert methods_digits.parse_args(["--quick", "--output", "r.md"]).output == "r.md"
    for argv, message in ((["--seeds", "0"], "--seeds must be at least 1"),
                          (["--ratios", "0.5"], "--ratios must be at least 1"),
                          (["--quick", "--epochs", "0"], "--epochs must be at least 1; got 0"),
                          (["--epochs", "-1"], "--epochs must be at least 1; got -1"),
                          (["--lr", "0"], "--lr must be positive; got 0.0"),
                          (["--n-jobs", "0"], "--n-jobs must not be 0")):  # fmt: skip
        with pytest.raises(SystemExit):
            methods_digits.parse_args(argv)
        assert message in capsys.readouterr().err
