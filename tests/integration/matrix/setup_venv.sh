#!/bin/sh
# Installs Synapse (and the test's own needs) from PyPI into a virtual environment under the build
# folder. Cached: when the venv already imports synapse it does nothing, so only the first run pays.
# Usage: setup_venv.sh <venv dir>
set -eu
venv=${1:?usage: setup_venv.sh VENV_DIR}
stamp="$venv/.tend-synapse-ok"
if [ -f "$stamp" ] && "$venv/bin/python" -c 'import synapse, pytest, requests, nio, olm' 2>/dev/null; then
    echo "synapse venv: cached ($(cat "$stamp"))"
    exit 0
fi
start=$(date +%s)
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet 'matrix-synapse' pytest requests
# the encryption suite's humans: matrix-nio with libolm's Python binding (a manylinux wheel on
# PyPI for CPython 3.11, bookworm's, so nothing is compiled; test code only, never tend's)
"$venv/bin/pip" install --quiet 'matrix-nio[e2e]' python-olm
end=$(date +%s)
ver=$("$venv/bin/python" -c 'import synapse; print(synapse.__version__)')
echo "synapse $ver, installed in $((end - start)) s" > "$stamp"
echo "synapse venv: $(cat "$stamp")"
