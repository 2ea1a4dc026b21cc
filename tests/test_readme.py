"""The code of the README, the getting-started page and the user guide runs as written."""

import re
from pathlib import Path

import pytest

# End-to-end: CI runs it; `pytest -m "not slow"` skips it while developing.
pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"
GETTING_STARTED = README.parent / "docs" / "getting_started.rst"
COMPARE = README.parent / "docs" / "compare.md"


def test_quick_start_runs(capsys):
    code = re.search(
        r"## Quick start\n\n```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S
    )
    assert code, "README has no quick-start block"
    exec(compile(code.group(1), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    # The default and LDAM-DRW on digits-LT (ratio 10), balanced test set.
    assert float(printed[0]) > 0.8 and float(printed[1]) > 0.8
    assert "module__hidden_sizes" in printed[-1]


def test_getting_started_code_runs_in_order(capsys):
    """Each block runs in the namespace the blocks before it left, as a reader runs them."""
    blocks = re.findall(
        r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)",
        GETTING_STARTED.read_text(encoding="utf-8"),
    )
    assert len(blocks) >= 4
    namespace = {}
    for block in blocks:
        code = "\n".join(line[3:] for line in block.splitlines())
        exec(compile(code, str(GETTING_STARTED), "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(blocks)


def _markdown_section(path, heading):
    """The text of one ``## heading`` section of a Markdown page."""
    text = path.read_text(encoding="utf-8")
    assert f"\n{heading}\n" in text, f"{path.name} has no section {heading!r}"
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_compare_pitfall_code_gives_the_scores_it_states():
    section = _markdown_section(COMPARE, "## The pitfall: resampling before splitting")
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    namespace = {}
    for block in blocks:
        exec(compile(block, str(COMPARE), "exec"), namespace)
    leaky, honest = (float(v) for v in re.findall(r"\*\*(\d\.\d{3})\*\*", section))
    assert namespace["leaky"].mean() == pytest.approx(leaky, abs=1e-3)
    assert namespace["honest"].mean() == pytest.approx(honest, abs=1e-3)


def test_tables_page_code_runs_and_shows_the_encoder_it_states():
    """The first blocks of the tables page, in order, on the page's own four rows."""
    path = README.parent / "docs" / "user_guide" / "tables.rst"
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", path.read_text(encoding="utf-8"))
    code = ["\n".join(line[4:] for line in block.splitlines()) for block in blocks]
    namespace = {}
    exec(compile(code[0], str(path), "exec"), namespace)
    stated = re.search(r"# (ColumnEncoder\(.*?\))\n(?!#)", code[0], re.S).group(1)
    assert repr(namespace["clf"].column_encoder_) == " ".join(
        line.strip(" #") for line in stated.splitlines()
    )
    # The encoding in front of a module that reads numbers only, and the soft vote.
    encode = next(c for c in code if "make_column_transformer(" in c)
    exec(compile(encode, str(path), "exec"), namespace)
    voting = next(c for c in code if "VotingClassifier(" in c)
    exec(compile(voting, str(path), "exec"), namespace)
    X, y = namespace["X"], namespace["y"]
    for name in ("model", "vote"):
        assert len(namespace[name].fit(X, y).predict(X)) == len(y)


def test_tables_page_polars_code_shows_the_encoder_it_states():
    pytest.importorskip("polars")
    path = README.parent / "docs" / "user_guide" / "tables.rst"
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", path.read_text(encoding="utf-8"))
    code = next(
        "\n".join(line[4:] for line in block.splitlines())
        for block in blocks
        if "import polars" in block
    )
    namespace = {}
    exec(
        compile(
            "from sklearn_imbalance_dl import ImbalancedNetClassifier\n" + code, str(path), "exec"
        ),
        namespace,
    )
    stated = re.search(r"# (ColumnEncoder\(.*?\))\n(?!#)", code, re.S).group(1)
    assert repr(namespace["clf"].column_encoder_) == " ".join(
        line.strip(" #") for line in stated.splitlines()
    )
