"""The README's quick start runs as written."""

import re
from pathlib import Path

import pytest

# End-to-end: CI runs it; `pytest -m "not slow"` skips it while developing.
pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_runs(capsys):
    code = re.search(r"## Quick start\n\n```python\n(.*?)```", README.read_text(), re.S)
    assert code, "README has no quick-start block"
    exec(compile(code.group(1), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    # The default and LDAM-DRW on digits-LT (ratio 10), balanced test set.
    assert float(printed[0]) > 0.8 and float(printed[1]) > 0.8
    assert "module__hidden_sizes" in printed[-1]
