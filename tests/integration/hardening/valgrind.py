#!/usr/bin/env python3
"""valgrind.py — full console sessions under valgrind memcheck: zero errors, zero leaks.

usage: valgrind.py TEND_BINARY CONSOLE_SCRIPTS_DIR

Runs, each under `valgrind --leak-check=full --errors-for-leak-kinds=all --error-exitcode=1`:
the console flow script (two members, slots, waitlist, stepback, thanks, team), the bad-input
script, a second start on the same database (reopening and reading it back), and a month of
scheduled posts with suggestions under a tight rate limit that the console, one person at
its own keyboard, is not held to (the scheduler's paths).
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tendproc import NOW, Failure, check, clean_env  # noqa: E402

# dlopen.supp: what the loader keeps for ICU and libstdc++, opened at run time (lib/icu.c)
VALGRIND = ["valgrind", "--leak-check=full", "--errors-for-leak-kinds=all", "--error-exitcode=1",
            "--track-fds=no", "--quiet",
            "--suppressions=" + os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dlopen.supp")]

MONTH = """:as ana
/task add "Soup run" slots:2 repeat:weekly
/claim 1
/feedback idea-one
:as bob
/feedback idea-two
/checkin low tired
/stepback 1w
:as cam
/feedback idea-three
:advance 5w
/tasks
/me
/tasks
/tasks
/tasks
:quit
"""


def valgrind(binary, db, stdin, env=None):
    p = subprocess.run(VALGRIND + [binary, "--console", "--database", db, "--now", NOW],
                       input=stdin.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=clean_env(env), timeout=240)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    report = "\n".join(l for l in err.splitlines() if l.startswith("=="))
    check(p.returncode == 0 and not report, "valgrind found something (exit %d):\n%s" % (p.returncode, err))
    return out


def main():
    binary, scripts = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "tend.db")
        with open(os.path.join(scripts, "flow.txt")) as f:
            out = valgrind(binary, db, f.read())
        check("Soup run" in out and "waitlist" in out, "the flow did not run:\n" + out)
        out = valgrind(binary, db, "/tasks all\n/me\n:quit\n")
        check("Soup run" in out, "the restart did not read the flow's tasks:\n" + out)
        with open(os.path.join(scripts, "bad_input.txt")) as f:
            out = valgrind(binary, os.path.join(tmp, "bad.db"), f.read())
        check("Usage" in out or "usage" in out, "the bad input got no usage lines:\n" + out)
        out = valgrind(binary, os.path.join(tmp, "month.db"), MONTH, {"TEND_BOT_COMMANDS_PER_MINUTE": "3"})
        # a tight budget, yet the console is one person at their own keyboard: every line runs
        check("idea-one" in out and "idea-three" in out and "a lot of commands" not in out,
              "the month did not show suggestions, or the console was held to a rate limit:\n" + out)
    print("valgrind: flow, restart, bad input and a month with the rate limit: 0 errors, 0 leaks")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
