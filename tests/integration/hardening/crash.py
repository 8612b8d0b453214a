#!/usr/bin/env python3
"""crash.py — kill -9 tend at random moments during a stream of commands; nothing answered is lost.

usage: crash.py TEND_BINARY [KILLS] [SEED]

Each round starts tend on the same database file, runs a few commands waiting for each answer
(those are "answered": the member saw them happen), then writes a burst without waiting and kills
tend -9 after a random short delay, often mid-command. After every kill, with tend down:
  - PRAGMA integrity_check is ok (python's sqlite3 opens the file and replays the WAL),
  - every answered command is in the store: its task, claim, completion or thanks,
  - nothing happened twice: every title and thanks reason we sent (answered or not) is stored at
    most once, and the answered ones exactly once.
At the end, after one more clean start that delivers what the kills left in the outbox:
  - the outbox is empty at rest;
  - nothing committed went unsaid: every stored task's announcement was printed at least once
    over all the runs (what a killed run printed before it died counts: it reached the terminal).
The console cannot recognise a line it printed just before a kill, so a line may come twice there
(the platforms recognise a resend by its txn id or nonce, and their suites check exactly once);
how often that happened is printed, not judged.
"""
import os
import random
import re
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tendproc import Failure, Tend, check  # noqa: E402

ENV = {"TEND_BOT_COMMANDS_PER_MINUTE": "0", "TEND_BOT_THANKS_PER_DAY": "100"}
MEMBERS = ["m%02d" % i for i in range(30)]


class Ledger:
    """What the member saw answered, and everything that was ever sent."""

    def __init__(self):
        self.sent_titles, self.answered_titles = set(), set()
        self.sent_reasons, self.answered_reasons = set(), set()
        self.claimed = {}   # task number -> member, answered "is yours"
        self.done = set()   # task numbers answered as done
        self.n = 0

    def token(self, kind):
        self.n += 1
        return "%s%06d" % (kind, self.n)


def one_command(led, rng, numbers):
    """A random command and what to remember if it is answered."""
    roll = rng.random()
    if roll < 0.45 or not numbers:
        title = led.token("T")
        led.sent_titles.add(title)
        return 'task add "%s" slots:2' % title, ("task", title)
    if roll < 0.7:
        n = rng.choice(numbers)
        return "claim %d" % n, ("claim", n)
    if roll < 0.85:
        n = rng.choice(numbers)
        return "done %d" % n, ("done", n)
    reason = led.token("R")
    led.sent_reasons.add(reason)
    to = rng.choice(MEMBERS)
    return "thanks %s for %s" % (to, reason), ("thanks", reason)


def remember(led, what, member, answer, numbers):
    text = "\n".join(answer)
    kind, val = what
    if kind == "task" and "New task" in text:
        led.answered_titles.add(val)
        m = re.search(r"#(\d+) " + val, text)
        check(m, "task add answered without its number: " + text)
        numbers.append(int(m.group(1)))
    elif kind == "claim" and "is yours" in text:
        led.claimed.setdefault(val, set()).add(member)
    elif kind == "done" and re.search(r"#%d .*is done" % val, text):
        led.done.add(val)
    elif kind == "thanks" and val in text:
        led.answered_reasons.add(val)


def verify(db, led):
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        check(ok == "ok", "integrity_check: " + ok)
        titles = {}
        for (t,) in con.execute("SELECT title FROM tasks"):
            titles[t] = titles.get(t, 0) + 1
        for t, c in titles.items():
            check(c == 1, "task %s stored %d times" % (t, c))
            check(t in led.sent_titles, "a task nobody sent: " + t)
        for t in led.answered_titles:
            check(t in titles, "answered task lost: " + t)
        reasons = {}
        for (r,) in con.execute("SELECT reason FROM thanks"):
            reasons[r] = reasons.get(r, 0) + 1
        for r, c in reasons.items():
            check(c == 1, "thanks %s stored %d times" % (r, c))
        stored_reasons = " ".join(reasons)
        for r in led.answered_reasons:
            check(r in stored_reasons, "answered thanks lost: " + r)
        for n, who in led.claimed.items():
            rows = {m for (m,) in con.execute(
                "SELECT m.key FROM claims c JOIN tasks t ON t.id = c.task_id JOIN members m"
                " ON m.id = c.member_id WHERE t.number = ? AND c.state IN ('active','done')", (n,))}
            check(who <= rows, "answered claim on #%d lost: %s vs %s" % (n, who, rows))
        for n in led.done:
            st = con.execute("SELECT state FROM tasks WHERE number = ?", (n,)).fetchone()
            check(st and st[0] == "done", "answered done #%d lost" % n)
        per_claim = con.execute("SELECT count(*) FROM claims GROUP BY task_id, member_id, state"
                                " HAVING state = 'active' AND count(*) > 1").fetchall()
        check(not per_claim, "a member holds the same task twice")
        return len(titles)
    finally:
        con.close()


def verify_outbox(db, transcript):
    """Nothing left undelivered at rest, every stored task announced: (undelivered, lost, doubled)."""
    con = sqlite3.connect(db)
    try:
        undelivered = con.execute("SELECT count(*) FROM outbox").fetchone()[0]
        check(undelivered == 0, "%d messages still in the outbox at rest" % undelivered)
        stored = [(n, t) for (n, t) in con.execute("SELECT number, title FROM tasks")]
    finally:
        con.close()
    said = {}
    for line in transcript:
        m = re.match(r"\[public\] New task: #(\d+) (T\d{6})", line)
        if m:
            said[m.group(2)] = said.get(m.group(2), 0) + 1
    lost = [t for (_n, t) in stored if said.get(t, 0) == 0]
    check(not lost, "committed tasks never announced: %s" % lost[:10])
    return undelivered, len(lost), sum(1 for c in said.values() if c > 1)


def main():
    binary = sys.argv[1]
    kills = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    rng = random.Random(seed)
    led = Ledger()
    numbers = []
    started = time.monotonic()
    mid_command = 0
    transcript = []
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "tend.db")
        for k in range(kills):
            member = rng.choice(MEMBERS)
            t = Tend(binary, db, member=member, env=ENV)
            for _ in range(rng.randint(0, 4)):
                cmd, what = one_command(led, rng, numbers)
                remember(led, what, member, t.say(cmd), numbers)
            burst = rng.randint(1, 30)
            for _ in range(burst):
                cmd, _what = one_command(led, rng, numbers)
                t.send(cmd)
            time.sleep(rng.random() * 0.004)
            if t.proc.poll() is None:
                mid_command += 1
            t.kill()
            transcript.extend(t.transcript)
            stored = verify(db, led)
        # and it still starts and answers after all that (a thanks: the board may be at its
        # 500-open-task limit by now, and a full board is answered with a refusal)
        t = Tend(binary, db, member="m00", env=ENV)
        reason = led.token("R")
        led.sent_reasons.add(reason)
        remember(led, ("thanks", reason), "m00", t.say("thanks m01 for %s" % reason), numbers)
        check(reason in led.answered_reasons, "tend did not answer after the last restart")
        check(t.quit() == 0, "tend did not exit cleanly")
        verify(db, led)
        transcript.extend(t.transcript)
        undelivered, lost, doubled = verify_outbox(db, transcript)
    took = time.monotonic() - started
    print("crash: %d kills (%d while tend was still running) in %.1f s; %d tasks answered, %d thanks"
          " answered, %d claims, %d done; %d titles sent in all, %d stored; integrity ok every time;"
          " outbox: %d undelivered at rest, %d announcements lost, %d printed twice by the console"
          % (kills, mid_command, took, len(led.answered_titles), len(led.answered_reasons),
             len(led.claimed), len(led.done), len(led.sent_titles), stored, undelivered, lost, doubled))


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
