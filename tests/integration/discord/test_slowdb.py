"""A slow database, against the Discord double and the test PostgreSQL (issue 21's store seam).

While another session holds, for 4 seconds, a lock that every command writing needs, tend should
keep its gateway heartbeats on time, answer each interaction within Discord's 3 seconds (a
deferral at worst), and then carry out every command once: none lost, none twice.

Before the store seam (store/postgres/SEAM.md) each command waited on the lock on the loop thread,
and the whole loop with it: heartbeats 3 s late, half the interactions past their window, one
command lost to the lock timeout. Now commands run on the store thread, the loop's own calls on a
bounded connection of their own, and an answer slower than 1.5 s is deferred. The test prints its
timeline either way. Run only on PostgreSQL (integration.discord.slowdb.pg); elsewhere it is
skipped and says why.
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


def answers_to(double, n):
    return sum("Slow soup %d" % n in text_of(b) for b in everything_sent(double))


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
            # a public answer after a deferral goes to the channel, whose rate limit (5 posts in 5 s)
            # spaces six of them out: wait for all, then a little more for anything sent twice
            double.wait(lambda: all(answers_to(double, n) for n in range(COMMANDS)), 15)
            time.sleep(1.5)
            end = time.monotonic()

            every_beat = [when for when, _seq in double.heartbeats]
            beats = [w for w in every_beat if w < start][-1:] + [w for w in every_beat if start <= w <= end]
            gaps = [b - a for a, b in zip(beats, beats[1:])]
            interval = double.heartbeat_interval / 1000.0
            worst_beat = max(gaps) - interval if gaps else float("inf")
            waits = [double.answered_at[i] - double.sent_at[i] for i in sent if i in double.answered_at]
            saved = int(psql(t.db, "SELECT count(*) FROM tasks WHERE title LIKE 'Slow soup %'"))
            times = [answers_to(double, n) for n in range(COMMANDS)]
            twice = [n for n in range(COMMANDS) if times[n] > 1]
            unanswered = [n for n in range(COMMANDS) if times[n] == 0]
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
            assert not unanswered, "commands saved but never answered: %s" % unanswered
            # a deferral (when the answer was slow) is private until the answer's privacy is known,
            # and a public answer reached the channel with its loading message cleared
            for i in sent:
                if i in double.deferred:
                    assert double.deferred[i] & dd.EPHEMERAL, "a deferral shown to everyone"
                    assert i in double.filled or i in double.deleted_originals, "a loading message left behind"
            assert not double.violations, double.violations
            assert not double.repeated_callbacks, double.repeated_callbacks
        finally:
            t.stop()
        # what the operator reads: six deferrals, seven commands through the store thread of which
        # only the first came back within a second, and nothing left in its queue
        m = t.metrics
        print("slowdb: /metrics: %s deferred, %s commands through the store thread, %s within 1 s"
              % (m.value("tend_discord_deferred_total"),
                 m.value("tend_store_thread_command_seconds_count", platform="discord"),
                 m.value("tend_store_thread_command_seconds_bucket", platform="discord", le="1")))
        assert m.value("tend_discord_deferred_total") == COMMANDS
        assert m.value("tend_store_thread_command_seconds_count", platform="discord") == COMMANDS + 1
        assert m.value("tend_store_thread_command_seconds_bucket", platform="discord", le="1") == 1
        assert m.value("tend_store_thread_jobs") == 0


def test_a_private_answer_after_a_deferral_stays_private(double):
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp)
        try:
            assert double.wait_ready(15), t.output()
            first = double.slash("ana", "task", {"title": "Warm soup"}, sub="add")
            assert double.wait(lambda: first in double.callbacks, 10), t.output()
            holder = psql(t.db, "BEGIN; LOCK TABLE seen_events IN EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT",
                          wait=False)
            time.sleep(0.3)  # the lock is taken
            iid = double.slash("ben", "claim", {"task": "1"})
            assert holder.wait(15) == 0, holder.stderr.read()
            assert double.wait(lambda: len(double.callbacks.get(iid, [])) >= 2, 10), t.output()
            waited = double.answered_at[iid] - double.sent_at[iid]
            deferral, answer = double.callbacks[iid][:2]
            print("\nslowdb: the claim's deferral after %.2f s; its answer: %r" % (waited, text_of(answer)))
            assert waited <= dd.INTERACTION_DEADLINE
            assert deferral == {"type": 5, "data": {"flags": dd.EPHEMERAL}}, deferral
            assert "yours" in text_of(answer) and answer.get("flags", 0) & dd.EPHEMERAL, answer
            assert not any("yours" in text_of(b) for _channel, b in double.channel_messages)
            assert iid not in double.deleted_originals  # the answer is in the loading message's place
            assert not double.violations, double.violations
        finally:
            t.stop()


def test_a_crash_while_commands_wait_on_the_lock_loses_none(double):
    """tend killed while commands wait on the lock, after the gateway's session save (every second)
    ran: the saved sequence number must not cover the commands that were never committed, so the
    RESUME after the restart replays them, and each is carried out and answered once."""
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp)
        try:
            assert double.wait_ready(15), t.output()
            first = double.slash("ana", "task", {"title": "Warm soup"}, sub="add")
            assert double.wait(lambda: first in double.callbacks, 10), t.output()
            holder = psql(t.db, "BEGIN; LOCK TABLE seen_events IN EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT",
                          wait=False)
            time.sleep(0.3)  # the lock is taken
            for i in range(3):
                double.slash("ana", "task", {"title": "Crash soup %d" % i}, sub="add")
                time.sleep(0.3)
            time.sleep(1.2)  # the session was saved at least once since
            t.proc.kill()
            t.proc.wait()
            t.log.close()
        except BaseException:
            t.stop()
            raise
        assert holder.wait(15) == 0, holder.stderr.read()
        assert int(psql(t.db, "SELECT count(*) FROM tasks WHERE title LIKE 'Crash soup %'")) == 0
        again = Tend(double, tmp)
        try:
            said = lambda n: sum("Crash soup %d" % n in text_of(b) for b in everything_sent(double))  # noqa: E731
            assert double.wait(lambda: all(said(n) for n in range(3)), 15), again.output()
            time.sleep(1.0)
            saved = int(psql(t.db, "SELECT count(*) FROM tasks WHERE title LIKE 'Crash soup %'"))
            print("\nslowdb: after the crash and a RESUME: %d of 3 commands saved, answered %s times"
                  % (saved, [said(n) for n in range(3)]))
            assert saved == 3, again.output()
            assert [said(n) for n in range(3)] == [1, 1, 1]
        finally:
            again.stop()
