#!/bin/sh
# Creates the Python environment the file checks run in (a real iCalendar parser from PyPI), once
# per build folder: a second run with everything installed returns at once.
# usage: setup_venv.sh <venv dir>
set -eu
venv="$1"
stamp="$venv/.tend-ready"
reqs="icalendar"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$reqs" ]; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check $reqs
"$venv/bin/python" -c 'import icalendar'
printf '%s' "$reqs" > "$stamp"
