#!/bin/sh
# Creates the Python environment the Telegram Bot API double and its tests run in, once per build
# folder: a second run with everything installed returns at once. python-telegram-bot is the
# third-party client that checks the double speaks the Bot API as Telegram documents it.
# usage: setup_venv.sh <venv dir>
set -eu
venv="$1"
stamp="$venv/.tend-ready"
reqs="aiohttp python-telegram-bot pytest"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$reqs" ]; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check $reqs
"$venv/bin/python" -c 'import aiohttp, telegram, pytest'
printf '%s' "$reqs" > "$stamp"
