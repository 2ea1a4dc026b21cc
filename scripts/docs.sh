#!/usr/bin/env bash
# The documentation command of the README: a virtual environment (.venv-docs), the package with
# its docs extra, then the Sphinx build with every warning an error. The gallery examples
# run during the build (one torch thread each); the site lands in docs/_build/html.
set -euo pipefail
unset CDPATH  # cd below goes to the clone, whatever the caller's CDPATH holds
cd "$(dirname "$0")/.."
source scripts/_venv.sh
make_venv .venv-docs
.venv-docs/bin/python -m pip install --quiet --upgrade pip
# torch pinned: 2.13.0 is the tested release (a CPU wheel on the CI machines).
.venv-docs/bin/python -m pip install --quiet "torch==2.13.0" -e ".[docs]"
# Intersphinx links need the network: DOCS_INTERSPHINX=1 bash scripts/docs.sh
MPLBACKEND=agg .venv-docs/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html "$@"
