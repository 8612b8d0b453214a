#!/bin/sh
# Creates the Python environment the Discord test double and its tests run in, once per build
# folder: a second run with everything installed returns at once.
# usage: setup_venv.sh <venv dir>
set -eu
venv="$1"
stamp="$venv/.tend-ready"
reqs="aiohttp discord.py jsonschema pytest prometheus-client"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$reqs" ]; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check $reqs
"$venv/bin/python" -c 'import aiohttp, discord, jsonschema, pytest, prometheus_client'
printf '%s' "$reqs" > "$stamp"
