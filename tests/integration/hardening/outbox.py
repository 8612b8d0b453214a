#!/usr/bin/env python3
"""outbox.py — a crash between a commit and its send loses nothing and doubles nothing.

usage: outbox.py TEND_BINARY

tend is stopped exactly there with its test-only crash point (TEND_TEST_FAILPOINT, SIGKILL as a
power cut would), then started again on the same database:
  - a command committed but not answered: after the restart its answer is printed once, and the
    outbox is empty at rest;
  - a weekly check-in prompt committed (fired) but not posted: after the restart it is posted once
    and not fired a second time.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tendproc import Failure, Tend, check, clean_env  # noqa: E402


def outbox_rows(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        con.close()


def run_script(binary, db, now, lines, env=None):
    """Runs tend on a script; returns (exit code, printed lines)."""
    p = subprocess.run([binary, "--console", "--database", db, "--now", now], input="\n".join(lines) + "\n",
                       capture_output=True, text=True, env=clean_env(env), timeout=60)
    return p.returncode, p.stdout.splitlines()


def count(lines, needle):
    return sum(1 for line in lines if needle in line)


def command_answer_survives(binary, tmp):
    db = os.path.join(tmp, "command.db")
    rc, out = run_script(binary, db, "2026-11-02T09:00", ['task add "Pantry run qx41"'],
                         {"TEND_TEST_FAILPOINT": "after-commit"})
    check(rc == -9, "the crash point did not stop tend (exit %s)" % rc)
    check(count(out, "qx41") == 0, "answered before the crash point: %s" % out)
    check(outbox_rows(db) == 1, "the answer was not kept with its command")
    rc, out = run_script(binary, db, "2026-11-02T09:01", [":quit"])
    check(rc == 0, "restart failed")
    check(count(out, "New task: #1 Pantry run qx41") == 1, "answer after the restart: %s" % out)
    check(outbox_rows(db) == 0, "the outbox is not empty at rest")
    rc, out = run_script(binary, db, "2026-11-02T09:02", [":quit"])
    check(count(out, "qx41") == 0, "the answer came twice: %s" % out)
    # and the task itself exists once
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM tasks WHERE title = 'Pantry run qx41'").fetchone()[0]
    con.close()
    check(n == 1, "the task is stored %d times" % n)


def scheduled_post_survives(binary, tmp):
    db = os.path.join(tmp, "prompt.db")
    # Monday 17:00; the default check-in is Monday 18:00 in the group's zone (UTC)
    rc, out = run_script(binary, db, "2026-11-02T17:00", ["tasks", ":advance 2h"],
                         {"TEND_TEST_FAILPOINT": "after-fire"})
    check(rc == -9, "the crash point did not stop tend at the prompt (exit %s)" % rc)
    check(count(out, "Weekly check-in") == 0, "the prompt was posted before the crash point")
    check(outbox_rows(db) >= 1, "the fired prompt was not kept")
    rc, out = run_script(binary, db, "2026-11-02T19:00", [":quit"])
    check(rc == 0, "restart failed")
    check(count(out, "Weekly check-in") == 1, "the prompt after the restart: %s" % out)
    rc, out = run_script(binary, db, "2026-11-02T19:30", [":quit"])
    check(count(out, "Weekly check-in") == 0, "the prompt came twice: %s" % out)
    check(outbox_rows(db) == 0, "the outbox is not empty at rest")


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        command_answer_survives(binary, tmp)
        scheduled_post_survives(binary, tmp)
    print("outbox: a command's answer and a check-in prompt cut off by a crash each arrived once after the restart")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
