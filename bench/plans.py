#!/usr/bin/env python3
"""EXPLAIN QUERY PLAN for every SQL statement tend's store prepares, against a seeded database.

The statements are read from store/sqlite/*.c (every store_stmt(..., "literal" "literal") call), so
the list cannot drift from the code. A plan line that SCANs a table whose size grows with the data
(tasks, claims, members, checkins, thanks, ...) without an index is flagged: such a query makes the
per-interaction cost grow with the database.

usage: plans.py DATABASE [SOURCE_DIR]   (exit 1 when a growing table is scanned)
"""
import glob
import os
import re
import sqlite3
import sys

# Tables that grow with use; a full scan of one of these is a cost that grows with the data.
GROWING = {"members", "tasks", "claims", "handoffs", "checkins", "rests", "thanks", "feedback",
           "agreements", "audit", "fired", "nudges", "seen_events", "groups"}

# store_stmt(store, <string literals and column-list macros>)
# Scans that are the point of the query, with why; anything else that scans is reported.
EXPECTED = {
    "FROM groups ORDER BY id": "the scheduler's walk of every group: once per tick, not per interaction",
    "UPDATE audit SET detail = '' WHERE member_id": "/forgetme only: rare, and an index would cost every write",
}

# Lookups that must use a given index. members_key is a partial index (WHERE key <> ''): a query
# that does not repeat that condition cannot use it, and SQLite quietly walks the whole group's
# members by another index instead; a SEARCH, so the scan check above does not see it.
MUST_USE = {
    "FROM members WHERE group_id = ?1 AND key = ?2": "members_key",
}

CALL = re.compile(r'store_stmt\s*\(\s*\w+\s*,\s*((?:(?:"(?:[^"\\]|\\.)*"|[A-Z_]+)\s*)+)\)', re.S)
TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([A-Z_]+)')
# forget_step(store, "...", member_id) and similar helpers that take the SQL as their argument
HELPER = re.compile(r'\w+_step\s*\(\s*\w+\s*,\s*((?:"(?:[^"\\]|\\.)*"\s*)+),', re.S)


def macros(text):
    out = {}
    for m in re.finditer(r'#define\s+([A-Z_]+)\s+((?:[^\n\\]|\\\n)*)', text):
        body = m.group(2).replace("\\\n", " ")
        lits = re.findall(r'"((?:[^"\\]|\\.)*)"', body)
        if lits:
            out[m.group(1)] = "".join(lits)
    return out


def join(arg, defs):
    parts = []
    for lit, name in TOKEN.findall(arg):
        parts.append(lit if not name else defs.get(name, ""))
    return "".join(parts)


def statements(src_dir):
    # macros shared by the backend's files (STORE_TASK_COLUMNS) live in internal.h
    shared = {}
    for header in glob.glob(os.path.join(src_dir, "*.h")):
        shared.update(macros(open(header, encoding="utf-8").read()))
    for path in sorted(glob.glob(os.path.join(src_dir, "*.c"))):
        text = open(path, encoding="utf-8").read()
        defs = dict(shared, **macros(text))
        for m in list(CALL.finditer(text)) + list(HELPER.finditer(text)):
            sql = join(m.group(1), defs).encode().decode("unicode_escape")
            line = text.count("\n", 0, m.start()) + 1
            yield os.path.basename(path), line, sql


def plan(db, sql):
    # parameters are bound as NULL: the plan depends on the shape of the query, not the values
    n = sql.count("?")
    names = re.findall(r"\?(\d+)", sql)
    count = max([int(x) for x in names] + [n if not names else 0])
    return db.execute("EXPLAIN QUERY PLAN " + sql, [None] * count).fetchall()


def scans_growing(detail):
    m = re.match(r"SCAN (\w+)", detail)
    if not m or "USING" in detail:
        return None
    table = m.group(1)
    return table if table in GROWING else None


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    src = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "store", "sqlite")
    db = sqlite3.connect(sys.argv[1])
    flagged = 0
    total = 0
    for fname, line, sql in statements(src):
        if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT|WITH)", sql, re.I):
            continue
        total += 1
        try:
            rows = plan(db, sql)
        except sqlite3.Error as e:
            print(f"{fname}:{line}: cannot plan: {e}\n  {sql}\n")
            continue
        bad = [scans_growing(r[3]) for r in rows]
        need = next((v for k, v in MUST_USE.items() if k in sql), None)
        if need and not any(need in r[3] for r in rows):
            print(f"{fname}:{line} <-- does not use the index {need}")
            flagged += 1
        why = next((v for k, v in EXPECTED.items() if k in sql), None)
        if any(bad) and why:
            mark = f" (scan expected: {why})"
        else:
            mark = " <-- SCAN of a growing table" if any(bad) else ""
            flagged += 1 if any(bad) else 0
        print(f"{fname}:{line}{mark}\n  {' '.join(sql.split())}")
        for r in rows:
            print(f"    {r[3]}")
    print(f"\n{total} statements planned, {flagged} flagged (a scan of a growing table, or a lookup missing its index)")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
