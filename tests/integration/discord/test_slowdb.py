"""A slow database, against the Discord double and the test PostgreSQL (issue 21's store seam).

While another session holds, for 4 seconds, a lock that every command writing needs, tend should
keep its gateway heartbeats on time, answer each interaction within Discord's 3 seconds (a
deferral at worst), and then carry out every command once: none lost, none twice.

tend does not do that yet: its store calls still run on the loop thread, so each command waits on
the lock there (up to the session's 2 s lock timeout, then "nothing was changed") and the whole
loop waits with it (store/postgres/SEAM.md). The test is therefore marked xfail(strict): it prints
today's figures, and it fails the day the seam makes it pass, so that the mark goes with it.
Run only on PostgreSQL (integration.discord.slowdb.pg); elsewhere it is skipped and says why.
"""
import glob
import subprocess
import tempfile
import time

import pytest

from conftest import PG_DIR, Tend
import double as dd

HOLD = 4.0          # seconds the other session holds the lock
COMMANDS = 6        # interactions sent while it does, 0.3 s apart
HEARTBEAT_LATE = 0.5  # seconds a heartbeat may come after its interval

pytestmark = pytest.mark.skipif(not PG_DIR, reason="needs the test PostgreSQL (integration.discord.slowdb.pg)")


def psql(url, sql, wait=True):
    binary = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
    args = [binary, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
    if not wait:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(args, check=True, stdout=subprocess.PIPE).stdout.decode().strip()


def text_of(body):
    return (body.get("data") or body).get("content", "")


def everything_sent(double):
    bodies = [b for answers in double.callbacks.values() for b in answers]
    return bodies + [b for _channel, b in double.channel_messages]


@pytest.mark.xfail(strict=True, reason="the store seam is not wired in yet (store/postgres/SEAM.md)")
def test_a_locked_database_keeps_heartbeats_and_answers_every_command_once(double):
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp)
        try:
            assert double.wait_ready(15), t.output()
            first = double.slash("ana", "task", {"title": "Warm soup"}, sub="add")
            assert double.wait(lambda: first in double.callbacks, 10), t.output()
            assert double.wait(lambda: len(double.heartbeats) >= 2, 10), "no heartbeats before the test"
            holder = psql(t.db, "BEGIN; LOCK TABLE seen_events IN EXCLUSIVE MODE; SELECT pg_sleep(%s); COMMIT"
                          % HOLD, wait=False)
            time.sleep(0.3)  # the lock is taken
            start = time.monotonic()
            sent = []
            for i in range(COMMANDS):
                sent.append(double.slash("ana", "task", {"title": "Slow soup %d" % i}, sub="add"))
                time.sleep(0.3)
            assert holder.wait(HOLD + 10) == 0, holder.stderr.read()
            double.wait(lambda: all(i in double.callbacks for i in sent), 15)
            time.sleep(1.5)  # follow-ups and anything sent twice have arrived
            end = time.monotonic()

            every_beat = [when for when, _seq in double.heartbeats]
            beats = [w for w in every_beat if w < start][-1:] + [w for w in every_beat if start <= w <= end]
            gaps = [b - a for a, b in zip(beats, beats[1:])]
            interval = double.heartbeat_interval / 1000.0
            worst_beat = max(gaps) - interval if gaps else float("inf")
            waits = [double.answered_at[i] - double.sent_at[i] for i in sent if i in double.answered_at]
            saved = int(psql(t.db, "SELECT count(*) FROM tasks WHERE title LIKE 'Slow soup %'"))
            said = [text_of(b) for b in everything_sent(double)]
            twice = [n for n in range(COMMANDS) if sum("Slow soup %d" % n in s for s in said) > 1]
            # the timeline, in seconds from the first command: when each heartbeat came, when each
            # command was sent and when its callback came (none: it never had one in time)
            print("\nslowdb: heartbeats at", " ".join("%.2f" % (b - start) for b in beats))
            print("slowdb: sent at", " ".join("%.2f" % (double.sent_at[i] - start) for i in sent),
                  "; answered at", " ".join("%.2f" % (double.answered_at[i] - start) if i in double.answered_at
                                            else "none" for i in sent))
            print("slowdb: lock held %.1f s; heartbeats at worst %.2f s late; first answers after %s s;"
                  " %d of %d commands saved; answered twice: %s"
                  % (HOLD, worst_beat, ", ".join("%.2f" % w for w in waits), saved, COMMANDS, twice or "none"))

            assert worst_beat < HEARTBEAT_LATE, "the loop stalled: a heartbeat %.2f s late" % worst_beat
            assert len(waits) == COMMANDS and max(waits) <= dd.INTERACTION_DEADLINE, waits
            assert not double.late, double.late
            assert saved == COMMANDS, "commands lost while the database was slow"
            assert not twice, twice
            assert not double.repeated_callbacks, double.repeated_callbacks
        finally:
            t.stop()
