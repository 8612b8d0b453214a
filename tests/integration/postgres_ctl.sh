#!/bin/sh
# postgres_ctl.sh — a private PostgreSQL for the tests: its own data folder, listening on a unix
# socket in that folder only (no TCP port at all), started and stopped idempotently.
#
#   postgres_ctl.sh start DIR   creates DIR/data on first use, starts the server, prints the URL
#   postgres_ctl.sh url DIR     prints the URL of a server started in DIR
#   postgres_ctl.sh schema DIR NAME  (re)creates the empty schema NAME and prints a URL that uses it
#   postgres_ctl.sh stop DIR    stops it (if running) and removes DIR
#
# initdb refuses to run as root, and CI runs the tests as root: then the server runs as `nobody`
# (setpriv), owning DIR. Exit 77 with one line "skipped: no PostgreSQL" when the binaries are missing
# (outside CI); under CI=true that is a failure naming the package to install.
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: postgres_ctl.sh start|url|schema|stop DIR [NAME]" >&2; exit 2; }

bindir=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bindir=$d
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    bindir=$(dirname "$(command -v initdb)")
fi

url() {
    # the socket folder, percent-encoded as libpq wants a path in host=
    host=$(printf '%s' "$dir/sock" | sed 's|%|%25|g; s|/|%2F|g; s| |%20|g')
    echo "postgresql://tend@$host/tend"
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    if [ -z "$bindir" ]; then
        if [ "${CI:-}" = "true" ]; then
            echo "postgres_ctl: no initdb/pg_ctl found: install Debian's postgresql package (.ci/deps all)" >&2
            exit 1
        fi
        echo "skipped: no PostgreSQL"
        exit 77
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        chown nobody:nogroup "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner mkdir -p "$dir/sock"
        as_owner "$bindir/initdb" -D "$dir/data" -U tend --auth=trust --encoding=UTF8 --locale=C \
            --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        # listen_addresses='' : the socket only; fsync off: a test server, thrown away afterwards
        as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses='' -c unix_socket_directories='$dir/sock' -c fsync=off -c max_connections=200" \
            start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
        "$bindir/psql" -h "$dir/sock" -U tend -d postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname = 'tend'" |
            grep -q 1 || "$bindir/createdb" -h "$dir/sock" -U tend tend
    fi
    url
    ;;
url)
    dir=$(cd "$dir" && pwd)
    url
    ;;
schema)
    name=${3:-}
    case "$name" in ''|*[!a-z0-9_]*) echo "postgres_ctl: a schema name is [a-z0-9_]+" >&2; exit 2 ;; esac
    dir=$(cd "$dir" && pwd)
    "$bindir/psql" -h "$dir/sock" -U tend -d tend -qAt -v ON_ERROR_STOP=1 \
        -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $name CASCADE" -c "CREATE SCHEMA $name" >&2
    echo "$(url)?options=-csearch_path%3D$name"
    ;;
stop)
    if [ -d "$dir" ]; then
        if [ -n "$bindir" ] && [ -f "$dir/data/PG_VERSION" ]; then
            as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$dir"
    fi
    ;;
*)
    echo "usage: postgres_ctl.sh start|url|schema|stop DIR [NAME]" >&2
    exit 2
    ;;
esac
