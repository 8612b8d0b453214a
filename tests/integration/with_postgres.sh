#!/bin/sh
# with_postgres.sh DIR CMD [ARGS...] — runs CMD against the test PostgreSQL that the postgres.start
# fixture started in DIR (tests/integration/postgres_ctl.sh), with TEND_TEST_STORE_URL (the unit
# tests' store) and TEND_TEST_PG_DIR (the console checks' schemas) set. Without PostgreSQL's
# binaries: one line "skipped: no PostgreSQL" and exit 77 (ctest counts it as skipped, never as
# passed); under CI=true that is a failure naming the package.
set -eu
dir=$1
shift
have=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && have=$d
done
if [ -z "$have" ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "with_postgres: no initdb/pg_ctl found: install Debian's postgresql package (.ci/deps all)" >&2
        exit 1
    fi
    echo "skipped: no PostgreSQL"
    exit 77
fi
here=$(dirname "$0")
if [ ! -S "$(cat "$dir/server" 2>/dev/null)/sock/.s.PGSQL.5432" ]; then
    echo "with_postgres: no server in $dir (the postgres.start fixture did not run or failed)" >&2
    exit 1
fi
TEND_TEST_STORE_URL=$("$here/postgres_ctl.sh" url "$dir")
TEND_TEST_PG_DIR=$dir
export TEND_TEST_STORE_URL TEND_TEST_PG_DIR
exec "$@"
