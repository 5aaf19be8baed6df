#!/bin/sh
# Create the virtualenv and install into it what pyproject.toml lists (the Makefile calls this).
#
#     scripts/install.sh PYTHON VENV runtime   # what serving needs (`make run`)
#     scripts/install.sh PYTHON VENV dev       # the project itself, editable, with the test tools
#
# The installer is uv when it can be had: on the PATH, already in the virtualenv, or installed
# into it from PyPI by the system's pip. uv installs the runtime dependencies in a few seconds
# where pip takes half a minute or more. Without uv (no pip on the system, or no uv for this
# platform) the virtualenv gets its own pip and pip installs, as before. The requirements are
# read from pyproject.toml each time, so a dependency added there needs nothing else.
set -eu

python=$1
venv=$2
what=$3
py=$venv/bin/python
uv_spec=${UV_SPEC:-uv>=0.5,<1}

if [ ! -x "$py" ]; then
    echo "==> virtualenv ($venv)"
    # Without pip: ensurepip alone takes seconds, and uv does not need it.
    "$python" -m venv --without-pip "$venv"
fi

uv=""
if [ -z "${NO_UV:-}" ]; then
    if [ -x "$venv/bin/uv" ]; then
        uv=$venv/bin/uv
    elif command -v uv >/dev/null 2>&1; then
        uv=$(command -v uv)
    elif "$python" -m pip --version >/dev/null 2>&1; then
        echo "==> uv, the installer (into $venv)"
        # pip >= 22.3 installs into another interpreter's environment with --python.
        if "$python" -m pip --python "$py" install --quiet --disable-pip-version-check \
            "$uv_spec" && [ -x "$venv/bin/uv" ]; then
            uv=$venv/bin/uv
        else
            echo "    (no uv: pip installs instead)"
        fi
    fi
fi

if [ -z "$uv" ] && ! "$py" -m pip --version >/dev/null 2>&1; then
    "$py" -m ensurepip --upgrade >/dev/null
fi

# --compile-bytecode: uv leaves the .pyc files out (pip writes them). Without them every process
# compiles each module it imports from source when it cannot or may not write __pycache__
# (PYTHONDONTWRITEBYTECODE, an install owned by another user): half a second of CPU per start of
# the MTA's pipe, which starts once per message.
install() {
    if [ -n "$uv" ]; then
        "$uv" pip install --quiet --compile-bytecode --python "$py" "$@"
    else
        "$py" -m pip install --quiet --disable-pip-version-check "$@"
    fi
}

case $what in
runtime)
    echo "==> runtime dependencies"
    "$py" -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")' \
        >"$venv/runtime.txt"
    install -r "$venv/runtime.txt"
    ;;
dev)
    echo "==> the project and its test tools"
    # editable_mode=compat: setuptools' .pth then names this folder. Its default for a flat layout
    # is a .pth that imports a finder module (and pathlib, importlib.util, urllib.parse) in every
    # Python process of the virtualenv: ~8 ms of each start of parse_bounces or the pipe.
    install -e '.[dev]' --config-settings editable_mode=compat
    ;;
*)
    echo "usage: $0 PYTHON VENV runtime|dev" >&2
    exit 2
    ;;
esac
