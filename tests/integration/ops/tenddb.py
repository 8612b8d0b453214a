"""Reading tend's own database from a test, whichever backend the run gave it: a SQLite file, or a
PostgreSQL URL (the *.pg runs of tests/integration/postgres.cmake, where the conftests hand tend a
schema of the test server). PostgreSQL is read with Debian's psql, so the test venvs need no driver.

    database(tmp, "discord")   -> the database a test's tend is given (file or schema)
    count(db, "SELECT count(*) FROM feedback WHERE text = ?", idea)   -> int
    has_text(db, needle)    -> whether any text cell of any of tend's tables holds needle
    execute(db, sqlite_sql, postgres_sql)   -> runs the statement meant for db's backend
    rows(db, "SELECT energy FROM checkins")   -> [("low",)], integers as int on both backends

Queries use ? placeholders; on PostgreSQL each becomes a psql variable (:'p1', ...), quoted by psql
itself, so a value is never pasted into the SQL."""
import glob
import hashlib
import os
import sqlite3
import subprocess

_schemas = {}


def database(tmp, platform):
    """tend's database for a test folder: a SQLite file in it, or, in the *.pg runs
    (TEND_TEST_PG_DIR set), a schema of its own on the test PostgreSQL, the same one again when a
    test restarts tend on the same folder."""
    pg_dir = os.environ.get("TEND_TEST_PG_DIR")
    if not pg_dir:
        return os.path.join(tmp, "tend.db")
    if tmp not in _schemas:
        name = platform + "_" + hashlib.sha1(tmp.encode()).hexdigest()[:12]
        ctl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "postgres_ctl.sh")
        _schemas[tmp] = subprocess.run([ctl, "schema", pg_dir, name], check=True,
                                       stdout=subprocess.PIPE).stdout.decode().strip()
    return _schemas[tmp]


def is_postgres(db):
    return db.startswith("postgresql://") or db.startswith("postgres://")


def _psql(db, sql, params=()):
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    assert found, "no psql in /usr/lib/postgresql (Debian's postgresql-client)"
    args = [found[-1], "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db]
    parts = sql.split("?")
    assert len(parts) - 1 == len(params), "placeholders and values differ in number"
    text = parts[0]
    for i, part in enumerate(parts[1:], 1):
        args += ["-v", "p%d=%s" % (i, params[i - 1])]
        text += ":'p%d'" % i + part
    # variables are interpolated only in what psql reads as a script, not in -c
    p = subprocess.run(args, input=text + ";\n", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.returncode == 0, "psql: %s" % p.stderr.strip()
    return [line.split("|") for line in p.stdout.splitlines() if line]


def _sqlite(db, read_only=True):
    if read_only:
        return sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    return sqlite3.connect(db)


def count(db, sql, *params):
    """The first column of the first row of a query, as an int (a count, a sum)."""
    if is_postgres(db):
        return int(_psql(db, sql, params)[0][0])
    con = _sqlite(db)
    try:
        return int(con.execute(sql, params).fetchone()[0])
    finally:
        con.close()


def rows(db, sql, *params):
    """Every row of a query as tuples, as sqlite3 gives them: psql's text cells that are whole
    numbers come back as int, so a test compares the same values on both backends."""
    if is_postgres(db):
        def cell(v):
            return int(v) if v.lstrip("-").isdigit() else v
        return [tuple(cell(v) for v in row) for row in _psql(db, sql, params)]
    con = _sqlite(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def has_text(db, needle):
    """Whether any text cell of any table of tend's database holds needle."""
    if is_postgres(db):
        columns = _psql(db, "SELECT table_name, column_name FROM information_schema.columns "
                            "WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')")
        for table, column in columns:
            hits = _psql(db, 'SELECT count(*) FROM "%s" WHERE strpos("%s", ?) > 0' % (table, column), (needle,))
            if int(hits[0][0]):
                return True
        return False
    con = _sqlite(db)
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for t in tables:
            for row in con.execute('SELECT * FROM "%s"' % t):
                if any(isinstance(v, str) and needle in v for v in row):
                    return True
        return False
    finally:
        con.close()


def execute(db, sqlite_sql, postgres_sql):
    """A write the two dialects spell differently (tend is stopped meanwhile)."""
    if is_postgres(db):
        _psql(db, postgres_sql)
        return
    con = _sqlite(db, read_only=False)
    try:
        con.execute(sqlite_sql)
        con.commit()
    finally:
        con.close()
