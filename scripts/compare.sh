#!/usr/bin/env bash
# The main job of the README: compare deep imbalance methods with resampling and
# gradient boosting on the shipped heart-disease table (or on your table: pass
# --data FILE.csv --target COLUMN; or --dataset digits_lt for long-tailed digits).
# Two fits at a time; a later --n-jobs N (e.g. -1: all cores) replaces it.
# The virtual environment is the clone's (.venv); the comparison runs in the directory
# the script is called from, so that a relative --data, --output or --plot (and the
# default compare.png) is read or written there.
set -euo pipefail
caller="$PWD"
unset CDPATH  # cd below goes to the clone, whatever the caller's CDPATH holds
cd "$(dirname "$0")/.."
source scripts/_venv.sh
make_venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0" -e ".[plot,progress]"
python="$PWD/.venv/bin/python"
cd "$caller"
"$python" -m sklearn_imbalance_dl compare --n-jobs 2 --plot compare.png "$@"
