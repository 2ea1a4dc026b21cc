# Sourced by the scripts: make_venv DIR makes DIR a virtual environment of python3,
# the Python the package requires (pyproject.toml: 3.10 or later).
make_venv() {
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        echo "error: the package needs Python 3.10 or later; python3 is" \
            "$(python3 --version 2>&1 || echo 'missing')" >&2
        return 1
    fi
    # venv keeps an existing environment's interpreter: one left by another python3, or
    # whose interpreter is gone, is made anew.
    local wanted
    wanted="$(python3 -c 'import sys; print(sys.version_info[:2])')"
    if [[ -e "$1" ]] &&
        [[ "$("$1/bin/python" -c 'import sys; print(sys.version_info[:2])' 2>/dev/null)" != "$wanted" ]]; then
        python3 -m venv --clear "$1"
    else
        python3 -m venv "$1"
    fi
}
