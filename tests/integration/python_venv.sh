#!/bin/sh
# Creates a Python environment for a test double and its tests under the build folder, once: a
# second run with the same requirements installed returns at once. From PyPI, like a user would.
# usage: python_venv.sh <venv dir> "<modules to import>" <requirement>...
#   e.g. python_venv.sh build/signal-venv "aiohttp, pytest" aiohttp pytest
set -eu
venv="$1"
imports="$2"
shift 2
reqs="$*"
stamp="$venv/.tend-ready"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$reqs" ]; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
"$venv/bin/python" -c "import $imports"
printf '%s' "$reqs" > "$stamp"
