#!/bin/sh
# postgres_ctl.sh — a private PostgreSQL for the tests: its own data folder, listening on a unix
# socket in that folder only (no TCP port at all), started and stopped idempotently.
#
#   postgres_ctl.sh start DIR        creates the server on first use, starts it, prints the URL
#   postgres_ctl.sh url DIR          prints the URL of the server started for DIR
#   postgres_ctl.sh schema DIR NAME  (re)creates the empty schema NAME and prints a URL that uses it
#   postgres_ctl.sh stop DIR         stops it (if running) and removes its files and DIR
#
# The server's files live in a short folder under /tmp that DIR/server names: a unix socket path
# must stay under 108 bytes whatever the build folder's depth, and when the tests run as root (as in
# CI) the server runs as `nobody` (initdb refuses root), which may not be able to reach the build
# folder (a checkout under /root). Exit 77 with one line "skipped: no PostgreSQL" when the binaries
# are missing (outside CI); under CI=true that is a failure naming the package to install.
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: postgres_ctl.sh start|url|schema|stop DIR [NAME]" >&2; exit 2; }

bindir=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bindir=$d
done

server() { cat "$dir/server" 2>/dev/null || true; }

url() {
    # the socket folder, percent-encoded as libpq wants a path in the host part
    host=$(printf '%s' "$(server)/sock" | sed 's|%|%25|g; s|/|%2F|g; s| |%20|g')
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
            echo "postgres_ctl: no initdb/pg_ctl in /usr/lib/postgresql: install Debian's postgresql package (.ci/deps all)" >&2
            exit 1
        fi
        echo "skipped: no PostgreSQL"
        exit 77
    fi
    mkdir -p "$dir"
    srv=$(server)
    if [ -z "$srv" ] || [ ! -f "$srv/data/PG_VERSION" ]; then
        srv=$(mktemp -d /tmp/tend-pg.XXXXXX)
        [ "$(id -u)" -eq 0 ] && chown nobody:nogroup "$srv"
        as_owner mkdir "$srv/sock"
        as_owner "$bindir/initdb" -D "$srv/data" -U tend --auth=trust --encoding=UTF8 --locale=C --no-sync \
            >"$srv/initdb.log" 2>&1 || { cat "$srv/initdb.log" >&2; rm -rf "$srv"; exit 1; }
        echo "$srv" >"$dir/server"
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$srv/data" status >/dev/null 2>&1; then
        # listen_addresses='' : the socket only; fsync off: a test server, thrown away afterwards
        as_owner "$bindir/pg_ctl" -D "$srv/data" -l "$srv/server.log" -w -t 60 \
            -o "-c listen_addresses='' -c unix_socket_directories='$srv/sock' -c fsync=off -c max_connections=200" \
            start >/dev/null || { cat "$srv/server.log" >&2; exit 1; }
        "$bindir/psql" -h "$srv/sock" -U tend -d postgres -qAt -c "SELECT 1 FROM pg_database WHERE datname = 'tend'" |
            grep -q 1 || "$bindir/createdb" -h "$srv/sock" -U tend tend
    fi
    url
    ;;
url)
    url
    ;;
schema)
    name=${3:-}
    case "$name" in '' | *[!a-z0-9_]*) echo "postgres_ctl: a schema name is [a-z0-9_]+" >&2; exit 2 ;; esac
    "$bindir/psql" -h "$(server)/sock" -U tend -d tend -qAt -v ON_ERROR_STOP=1 \
        -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $name CASCADE" -c "CREATE SCHEMA $name" >&2
    echo "$(url)?options=-csearch_path%3D$name"
    ;;
stop)
    srv=$(server)
    if [ -n "$srv" ] && [ -n "$bindir" ] && [ -f "$srv/data/PG_VERSION" ]; then
        as_owner "$bindir/pg_ctl" -D "$srv/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    case "$srv" in /tmp/tend-pg.*) rm -rf "$srv" ;; esac
    rm -rf "$dir"
    ;;
*)
    echo "usage: postgres_ctl.sh start|url|schema|stop DIR [NAME]" >&2
    exit 2
    ;;
esac
