#!/usr/bin/env python3
"""files.py — what tend leaves on disk is its owner's alone, and a backup is one you can restore.

usage: files.py TEND_BINARY

Under the usual umask (022), the real tend makes a new database: tend.db, -wal and -shm are 0600.
While it runs, `tend --backup` copies it: the copy is 0600, one file, holds what was committed, and
a second --backup to the same name is refused without touching it. The README's restore (stop,
copy the backup over the database, remove -wal/-shm, start) brings the group's tasks back.
On a tmpfs of 1 MiB filled to the brim: starting tend, and a backup, each say the disk is full in
one line, and leave no half file. The tmpfs needs root (CI containers, this machine): without it
the case fails rather than quietly vanishing.
"""
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opskit import Failure, check, clean_env  # noqa: E402
from tendproc import Tend  # noqa: E402


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def private(path):
    check(mode(path) == 0o600, "%s is %03o, not 600" % (path, mode(path)))


def run(args, env=None):
    p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=clean_env(env), timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def titles(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check of %s failed" % db)
        return [t for (t,) in con.execute("SELECT title FROM tasks ORDER BY id")]
    finally:
        con.close()


def modes_and_backup(binary, tmp):
    db = os.path.join(tmp, "tend.db")
    copy = os.path.join(tmp, "backup-2026-11-03.db")
    t = Tend(binary, db)
    check("New task" in "\n".join(t.say('task add "Soup run"')), "the first task failed")
    for suffix in ("", "-wal", "-shm"):
        private(db + suffix)
    # tend is running, and the task lives only in the -wal so far
    rc, out, err = run([binary, "--database", db, "--backup", copy])
    check(rc == 0 and out.startswith("backed up %s to %s (" % (db, copy)) and "quick_check ok" in out,
          "the backup failed: %s%s" % (out, err))
    print("files: " + out.strip())
    check("New task" in "\n".join(t.say('task add "After the backup"')), "tend stopped working after the backup")
    private(copy)
    check(not os.path.exists(copy + "-wal"), "the backup is not one file (a -wal beside it)")
    check(titles(copy) == ["Soup run"], "the backup does not hold exactly what was committed: %s" % titles(copy))
    before = open(copy, "rb").read()
    rc, out, err = run([binary, "--database", db, "--backup", copy])
    check(rc == 1 and "already exists" in err and out == "", "a second backup overwrote: %s%s" % (out, err))
    check(open(copy, "rb").read() == before, "the refused backup changed the file")
    check(t.quit() == 0, "tend did not stop cleanly")

    # the README's restore: stop tend, copy the backup in place, remove -wal/-shm, start
    os.replace(copy, db)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    t = Tend(binary, db)
    board = "\n".join(t.say("tasks all"))
    check("Soup run" in board and "After the backup" not in board, "the restore did not bring the board back: " + board)
    check(t.quit() == 0, "tend did not stop cleanly after the restore")
    print("files: tend.db, -wal, -shm and the backup are 0600 under umask 022; the restore brought the board back")


def fill(path):
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass


def full_disk(binary, tmp):
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt],
                                           stderr=subprocess.DEVNULL).returncode != 0:
        raise Failure("a full disk needs a tmpfs, and mounting one needs root: run this case as root")
    try:
        # a database made while there was room, then the disk fills up
        db = os.path.join(mnt, "tend.db")
        t = Tend(binary, db)
        t.say('task add "Before the disk filled"')
        check(t.quit() == 0, "tend did not stop cleanly")
        fill(os.path.join(mnt, "filler"))
        rc, out, err = run([binary, "--console", "--database", db])
        lines = err.strip().split("\n")
        check(rc == 1 and len(lines) == 1 and lines[0] == "tend: the disk holding %s is full; free some space "
              "and start tend again" % db, "a start on a full disk did not say so in one line:\n" + err)
        print("files: " + lines[0])
        rc, out, err = run([binary, "--console", "--database", os.path.join(mnt, "new.db")])
        check(rc == 1 and "is full" in err and err.count("\n") == 1, "a new database on a full disk: " + err)
        copy = os.path.join(mnt, "copy.db")
        rc, out, err = run([binary, "--database", db, "--backup", copy])
        check(rc == 1 and "is full" in err and err.count("\n") == 1, "a backup onto a full disk: " + out + err)
        check(not os.path.exists(copy), "a half backup was left behind")
        print("files: " + err.strip())
    finally:
        subprocess.run(["umount", mnt])


def main():
    binary = sys.argv[1]
    os.umask(0o022)
    with tempfile.TemporaryDirectory(prefix="tend-files-") as tmp:
        modes_and_backup(binary, tmp)
        full_disk(binary, tmp)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
