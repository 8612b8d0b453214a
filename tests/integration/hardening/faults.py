#!/usr/bin/env python3
"""faults.py — the real tend on a full disk and on a read-only database.

usage: faults.py TEND_BINARY

As root (CI containers, this machine) the database lives on a real tiny tmpfs: a filler file eats
the free space, then is deleted ("space returns"); the read-only case remounts that tmpfs ro.
Without the right to mount, the same story is told with RLIMIT_FSIZE (writes past the limit fail
with EFBIG, which SQLite reports like a full disk; prlimit gives the space back to the running
process) and a database file and folder chmod'ed read-only. The output says which was used.
Each time: the member hears the clear sentence, the log says why, nothing of the command is
stored, PRAGMA integrity_check is ok, and tend works again once the cause is gone.
"""
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tendproc import Failure, Tend, check  # noqa: E402

ENV = {"TEND_BOT_COMMANDS_PER_MINUTE": "0"}
FULL = "disk is full"
READONLY = "read-only"


def can_mount(mnt):
    if os.geteuid() != 0 or os.environ.get("HARDENING_NO_MOUNT"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt],
                          stderr=subprocess.DEVNULL).returncode == 0


def fill(path):
    """Writes zeros until the file system says no."""
    with open(path, "wb", buffering=0) as f:
        block = b"\0" * 4096
        try:
            while True:
                f.write(block)
        except OSError:
            pass


def titles(db):
    con = sqlite3.connect(db)
    try:
        check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check failed")
        return [t for (t,) in con.execute("SELECT title FROM tasks ORDER BY id")]
    finally:
        con.close()


def until_full(t, make_space_scarce):
    """Adds tasks until one is refused for lack of space; returns (answered titles, refused title)."""
    answered = []
    make_space_scarce()
    for i in range(400):
        title = "Full %03d %s" % (i, "x" * 180)
        answer = "\n".join(t.say('task add "%s"' % title))
        if FULL in answer:
            check("New task" not in answer, "both a new task and 'full': " + answer)
            check(answer.startswith("[private you]"), "the full-disk reply is not private: " + answer)
            return answered, title
        check("New task" in answer, "neither a task nor 'full': " + answer)
        answered.append(title)
    raise Failure("the disk never filled")


def disk_full(binary, db, log, space):
    t = Tend(binary, db, env=ENV, stderr_path=log, keep_signals=True)
    check("New task" in "\n".join(t.say('task add "Before"')), "the first task failed")
    answered, refused = until_full(t, lambda: space["take"](t))
    # nothing half-written: the refused task is not on the board
    board = "\n".join(t.say("tasks all"))
    check(refused[:20] not in board, "a refused task is on the board")
    space["give"](t)
    answer = "\n".join(t.say('task add "After the cleanup"'))
    check("New task" in answer, "tend did not recover when space returned: " + answer)
    check(t.quit() == 0, "tend did not exit cleanly")
    stored = titles(db)
    check(refused not in stored, "the refused task was stored")
    for title in ["Before", "After the cleanup"] + answered:
        check(title in stored, "an answered task was lost: " + title[:20])
    with open(log) as f:
        text = f.read()
    check("disk is full" in text and "task add" in text, "the log does not say the disk is full:\n" + text)
    return len(answered)


def read_only(binary, db, log, make_ro, make_rw):
    before = titles(db)
    make_ro()
    try:
        t = Tend(binary, db, env=ENV, stderr_path=log)
        answer = "\n".join(t.say('task add "While read-only"'))
        check(READONLY in answer and answer.startswith("[private you]"),
              "no clear read-only reply: " + answer)
        check(t.quit() == 0, "tend did not exit cleanly")
    finally:
        make_rw()
    check(titles(db) == before, "a read-only database changed")
    with open(log) as f:
        text = f.read()
    check("readonly" in text, "the log does not say the database is read-only:\n" + text)
    t = Tend(binary, db, env=ENV)
    check("New task" in "\n".join(t.say('task add "Writable again"')), "no recovery after read-only")
    check(t.quit() == 0, "tend did not exit cleanly")


def with_tmpfs(binary, tmp, mnt):
    db, filler = os.path.join(mnt, "tend.db"), os.path.join(mnt, "filler")
    space = {"take": lambda t: fill(filler), "give": lambda t: os.unlink(filler)}
    n = disk_full(binary, db, os.path.join(tmp, "full.log"), space)
    read_only(binary, db, os.path.join(tmp, "ro.log"),
              lambda: subprocess.run(["mount", "-o", "remount,ro", mnt], check=True),
              lambda: subprocess.run(["mount", "-o", "remount,rw", mnt], check=True))
    print("faults: tmpfs of 1 MiB (full after %d more tasks), then remounted read-only: ok" % n)


def with_limits(binary, tmp):
    data = os.path.join(tmp, "data")
    os.mkdir(data)
    db = os.path.join(data, "tend.db")
    big = resource.RLIM_INFINITY

    def take(t):
        resource.prlimit(t.proc.pid, resource.RLIMIT_FSIZE, (os.path.getsize(db) + 4096, big))

    def give(t):
        resource.prlimit(t.proc.pid, resource.RLIMIT_FSIZE, (big, big))

    # a write past RLIMIT_FSIZE raises SIGXFSZ; ignored (inherited through exec), it fails with EFBIG
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        n = disk_full(binary, db, os.path.join(tmp, "full.log"), {"take": take, "give": give})
    finally:
        signal.signal(signal.SIGXFSZ, old)
    files = [db, db + "-wal", db + "-shm"]
    read_only(binary, db, os.path.join(tmp, "ro.log"),
              lambda: [os.chmod(p, 0o444) for p in files if os.path.exists(p)] and os.chmod(data, 0o555),
              lambda: os.chmod(data, 0o755) or [os.chmod(p, 0o644) for p in files if os.path.exists(p)])
    print("faults: no mount permitted; RLIMIT_FSIZE (full after %d more tasks) and chmod 0444: ok" % n)


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        mnt = os.path.join(tmp, "mnt")
        os.mkdir(mnt)
        if can_mount(mnt):
            try:
                with_tmpfs(binary, tmp, mnt)
            finally:
                subprocess.run(["umount", mnt])
        else:
            with_limits(binary, tmp)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
