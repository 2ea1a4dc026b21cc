#!/usr/bin/env bash
# The main job of the README: compare deep imbalance methods with resampling on the
# embedded long-tailed digits (or on your table: pass --data FILE.csv --target COLUMN).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0" -e ".[plot,progress]"
.venv/bin/python -m sklearn_imbalance_dl compare --plot compare.png "$@"
