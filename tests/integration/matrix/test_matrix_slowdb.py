"""A slow database costs Matrix members a wait, never a command, and never the bot's loop (issue 21;
store/postgres/SEAM.md). On PostgreSQL the Matrix adapter hands commands to the store thread
(app/host_async.c): while another session holds the table every command writes to for 4 s, the
loop keeps answering /healthz, every command typed meanwhile is carried out once and answered once
when the lock goes, and the sync position is saved only behind them (the write-behind).

Run only on PostgreSQL (integration.matrix.pytest.pg); the SQLite run leaves this file out
(tests/integration/matrix.cmake). Its own tend and bot account, so the session's tend is never held."""
import glob
import os
import subprocess
import sys
import time
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import scrape  # noqa: E402
import tenddb  # noqa: E402
from mxclient import PG_DIR, Tend, database, notice_from, register  # noqa: E402
from test_matrix_gap import bot_messages, replies_to, wait_until  # noqa: E402

HOLD = 4.0           # seconds the other session holds the lock
COMMANDS = 3         # commands typed while it does, 0.5 s apart
HEALTHZ_SLOW = 0.5   # seconds /healthz may take meanwhile (it took the whole lock on the loop before)

pytestmark = pytest.mark.skipif(not PG_DIR, reason="needs the test PostgreSQL (integration.matrix.pytest.pg)")


def hold_lock(url, seconds):
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
    sql = "BEGIN; LOCK TABLE seen_events IN EXCLUSIVE MODE; SELECT pg_sleep(%s); COMMIT" % seconds
    return subprocess.Popen([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def healthz_seconds(port):
    t0 = time.monotonic()
    with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=10) as r:
        r.read()
    return time.monotonic() - t0


def test_a_locked_database_delays_commands_and_loses_none(env, users, workdir):
    alice = users["alice"]
    bot = register(env, "slowbot" + os.urandom(3).hex())
    t = Tend(os.environ["TEND_BIN"], env, bot, database(workdir, "slow"),
             os.path.join(workdir, "slow.log"), allowed=alice.user_id).start()
    try:
        alice.catch_up()
        room = alice.create_room("slow pantry")
        alice.invite(room, bot.user_id)
        alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the slow bot's introduction")
        first = alice.send(room, '!task add "Warm soup"')
        wait_until(lambda: replies_to(bot_messages(alice, room, bot.user_id), first), 20, "the first answer")
        assert "store thread" in t.log_text(), "Matrix on PostgreSQL runs its commands on the store thread"
        port = t.ops_port()

        holder = hold_lock(t.db, HOLD)
        time.sleep(0.5)  # the lock is taken
        sent, health = [], []
        for i in range(COMMANDS):
            sent.append(alice.send(room, '!task add "Slow soup %d"' % i))
            time.sleep(0.5)
            health.append(healthz_seconds(port))
        while holder.poll() is None:
            health.append(healthz_seconds(port))
            time.sleep(0.2)
        assert holder.returncode == 0, holder.stderr.read().decode()

        wait_until(lambda: all(replies_to(bot_messages(alice, room, bot.user_id), e) for e in sent), 30,
                   "an answer to every command typed during the lock")
        time.sleep(1.5)  # anything said twice would be here by now
        msgs = bot_messages(alice, room, bot.user_id)
        times = [len(replies_to(msgs, e)) for e in sent]
        saved = tenddb.count(t.db, "SELECT count(*) FROM tasks WHERE title LIKE 'Slow soup %'")
        failed = [m["content"]["body"] for e in sent for m in replies_to(msgs, e)
                  if "nothing was changed" in m["content"]["body"].lower()]
        print("\nmatrix slowdb: lock held %.1f s; /healthz at worst %.3f s over %d calls; %d of %d saved;"
              " answers per command %s" % (HOLD, max(health), len(health), saved, COMMANDS, times))
        assert max(health) < HEALTHZ_SLOW, "the loop stalled: /healthz took %.2f s" % max(health)
        assert not failed, failed
        assert saved == COMMANDS, "commands lost while the database was slow"
        assert times == [1] * COMMANDS, "each command answered once: %s" % times

        sc = scrape.Scrape(scrape.fetch(port)[1])
        through = sc.value("tend_store_thread_command_seconds_count", platform="matrix")
        assert through == COMMANDS + 1, "commands through the store thread: %s" % through
        assert sc.value("tend_store_thread_jobs") == 0
    finally:
        t.stop()
