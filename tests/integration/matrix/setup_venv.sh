#!/bin/sh
# Installs Synapse (and the test's own needs) from PyPI into a virtual environment under the build
# folder. Cached: when the venv already imports synapse it does nothing, so only the first run pays.
# Usage: setup_venv.sh <venv dir>
set -eu
venv=${1:?usage: setup_venv.sh VENV_DIR}
stamp="$venv/.tend-synapse-ok"
if [ -f "$stamp" ] && "$venv/bin/python" -c 'import synapse, pytest, requests' 2>/dev/null; then
    echo "synapse venv: cached ($(cat "$stamp"))"
    exit 0
fi
start=$(date +%s)
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet 'matrix-synapse' pytest requests
end=$(date +%s)
ver=$("$venv/bin/python" -c 'import synapse; print(synapse.__version__)')
echo "synapse $ver, installed in $((end - start)) s" > "$stamp"
echo "synapse venv: $(cat "$stamp")"
