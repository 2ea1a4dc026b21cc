#!/usr/bin/env bash
# The test command of the README: a fresh virtual environment, the package with its
# test extras, the linter, then the test suite on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-test
.venv-test/bin/python -m pip install --quiet --upgrade pip
# torch pinned: 2.13.0 is the tested release (a CPU wheel on the CI machines).
.venv-test/bin/python -m pip install --quiet "torch==2.13.0" -e ".[dev]"
.venv-test/bin/ruff check sklearn_imbalance_dl tests benchmarks
.venv-test/bin/python -m pytest -n 2 --durations=15 "$@"
