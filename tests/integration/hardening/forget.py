#!/usr/bin/env python3
"""forget.py — /forgetme confirm leaves nothing of the member on disk, checked while tend runs.

usage: forget.py TEND_BINARY

A member with a name found nowhere else tells tend private things (pronouns, a check-in note, a
rest's reason, a note on a done task) and is thanked by name; then erases themselves. Without
stopping tend, every byte of the database file, its -wal and its -shm is searched (what `strings`
would show, and more: any run of bytes, not only printable runs of four) for the name and each
private word. The same search before /forgetme must find them, or the check proves nothing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tendproc import Failure, Tend, check  # noqa: E402

NAME = "Zorblattine"
SECRETS = [NAME, "qx-pronoun", "qx-checkin-sadness", "qx-rest-reason", "qx-done-note"]


def files_of(db):
    return [p for p in (db, db + "-wal", db + "-shm") if os.path.exists(p)]


def found(db):
    """{secret: [files holding it]}, from the raw bytes and from `strings` where it is installed."""
    hits = {}
    for path in files_of(db):
        with open(path, "rb") as f:
            data = f.read()
        printable = ""
        if shutil.which("strings"):
            printable = subprocess.run(["strings", "-a", path], stdout=subprocess.PIPE, check=True).stdout.decode(
                "utf-8", "replace")
        for s in SECRETS:
            if s.encode() in data or s in printable:
                hits.setdefault(s, []).append(os.path.basename(path))
    return hits


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "tend.db")
        t = Tend(binary, db, member=NAME, env={"TEND_BOT_COMMANDS_PER_MINUTE": "0"})
        try:
            t.say("profile pronouns:qx-pronoun")
            t.say('task add "Carry the soup"')
            t.say("claim 1")
            t.say("done 1 qx-done-note")
            t.say("checkin low qx-checkin-sadness")
            t.say("stepback 1w qx-rest-reason")
            t.say(":as bea")
            t.say("thanks %s for the soup" % NAME)
            t.say(":as " + NAME)
            before = found(db)
            check(set(before) == set(SECRETS), "the search cannot see what it looks for: %s" % before)

            t.member = "bea"  # after the command the script speaks as bea, not as the erased member
            answer = t.say("forgetme confirm")
            check(any("erased" in line for line in answer), "forgetme did not confirm: %s" % answer)
            during = found(db)
            check(t.proc.poll() is None, "tend stopped")
            check(not during, "while tend runs, the files still hold %s" % during)
            # tend goes on working on the same files, and writes none of it back
            t.say('task add "After the erasure"')
            check(not found(db), "a later write brought something back: %s" % found(db))
        finally:
            rc = t.quit()
        check(rc == 0, "tend did not exit cleanly")
        check(not found(db), "after exit the files hold %s" % found(db))
        print("forget: %s, its -wal and -shm hold none of the member's name or words while tend runs"
              % os.path.basename(db))


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
