"""A slow database, against the Bot API double and the test PostgreSQL (issue 21's store seam).

On PostgreSQL, tend hands Telegram commands to its store thread (app/host_async.c). While another
session holds, for 4 seconds, a lock every command needs (seen_events, where each command's
event id is recorded with its effect), tend's loop should keep answering /healthz at once, and then
carry out every command typed meanwhile once: none lost, none twice. A getUpdates with a higher
offset makes Telegram forget the updates below it, so tend must not send one past a command that
has not run yet (adapters/telegram/poll.c): the double's log of polls shows it, and a kill -9 in
the middle of the lock proves it, since Telegram then still has the commands for the restart.

Run only on PostgreSQL (integration.telegram.slowdb.pg); elsewhere it is skipped and says why.
"""
import glob
import re
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import PG_DIR, Tend, check_log, ready

HOLD = 4.0           # seconds the other session holds the lock
COMMANDS = 6         # commands typed while it does, 0.3 s apart
HEALTHZ_SLOW = 0.5   # seconds /healthz may take meanwhile

pytestmark = pytest.mark.skipif(not PG_DIR, reason="needs the test PostgreSQL (integration.telegram.slowdb.pg)")


def psql():
    return sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]


def hold_lock(url, seconds):
    sql = "BEGIN; LOCK TABLE seen_events IN EXCLUSIVE MODE; SELECT pg_sleep(%s); COMMIT" % seconds
    return subprocess.Popen([psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def lock_granted(url):
    sql = ("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
           "WHERE c.relname = 'seen_events' AND l.mode = 'ExclusiveLock' AND l.granted")
    out = subprocess.run([psql(), "-X", "-q", "-A", "-t", url, "-c", sql], check=True, stdout=subprocess.PIPE)
    return out.stdout.decode().strip() == "1"


def ops_port(t, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.findall(r"health and metrics on http://127\.0\.0\.1:(\d+)/healthz", t.output())
        if found:
            return int(found[-1])
        time.sleep(0.1)
    raise AssertionError("tend never said where /healthz is:\n" + t.output())


def healthz_seconds(port):
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=10) as r:
            r.read()
    except urllib.error.HTTPError as e:  # a 503 is an answer too: what counts here is how soon
        e.read()
    return time.monotonic() - t0


def posts(double, i):
    return [m for m in double.in_group() if "Slow soup %d " % i in m["text"]]


def type_during_the_lock(d, t):
    """Warm soup first (answered), then the lock and COMMANDS commands under it. Returns the
    holder, the update ids of the commands, and a time span the lock surely covered."""
    d.says("ana", '/task add "Warm soup"')
    assert d.wait(lambda: any("Warm soup" in m["text"] for m in d.in_group()), 15), t.output()
    spawned_at = time.monotonic()
    holder = hold_lock(t.db, HOLD)
    assert d.wait(lambda: lock_granted(t.db), 5), "the other session never took the lock"
    locked_at = time.monotonic()
    # it sleeps HOLD seconds once granted, and was granted after it was spawned
    held_until = spawned_at + HOLD
    assert held_until - locked_at > HOLD / 2, "the lock took too long to take for the test to mean anything"
    ids = []
    for i in range(COMMANDS):
        _msg, uid = d.says("ana", '/task add "Slow soup %d"' % i)
        ids.append(uid)
        time.sleep(0.3)
    return holder, ids, (locked_at, held_until)


def test_a_locked_database_keeps_healthz_and_answers_every_command_once(double, tmp):
    d = double
    t = Tend(d, tmp, env={"TEND_OPS_LISTEN": "127.0.0.1:0"})
    try:
        assert ready(d), t.output()
        port = ops_port(t)
        holder, ids, (locked_at, held_until) = type_during_the_lock(d, t)
        health = []
        while holder.poll() is None:
            health.append(healthz_seconds(port))
            time.sleep(0.2)
        assert holder.returncode == 0, holder.stderr.read()
        assert d.wait(lambda: all(posts(d, i) for i in range(COMMANDS)), 20), t.output()
        time.sleep(1.5)  # anything sent twice would show by now
    finally:
        t.stop()
    counts = [len(posts(d, i)) for i in range(COMMANDS)]
    assert counts == [1] * COMMANDS, "each command carried out and answered once: %r" % counts
    assert health and max(health) < HEALTHZ_SLOW, "/healthz waited on the lock: %r" % health
    # no poll while the lock surely held confirmed a command that had not run: the first one typed
    # under it cannot commit before the lock goes, so every offset asked meanwhile stays at or below it
    early = [offset for when, offset, _ in d.polls if locked_at <= when < held_until and offset > ids[0]]
    assert not early, "getUpdates confirmed commands still waiting on the database: %r (update ids %r)" % (early, ids)
    print("\nlocked %.1f s: %d commands answered once each, /healthz at most %.0f ms"
          % (HOLD, COMMANDS, max(health) * 1000))
    check_log(t.output())
    assert not d.violations, "\n".join(d.violations)


def test_kill_9_while_commands_wait_on_the_database_loses_none(double, tmp):
    d = double
    t = Tend(d, tmp)
    assert ready(d), t.output()
    holder, ids, _ = type_during_the_lock(d, t)
    # every command was given to tend at least once, and it handed the first to its store thread
    assert d.wait(lambda: all(d.deliveries.get(u) for u in ids[:1]), 10), t.output()
    time.sleep(0.5)
    t.kill9()
    assert holder.wait(HOLD + 10) == 0, holder.stderr.read()
    mark = len(d.requests)
    again = Tend(d, tmp)
    try:
        assert ready(d, mark), again.output()
        assert d.wait(lambda: all(posts(d, i) for i in range(COMMANDS)), 30), again.output()
        time.sleep(1.5)
    finally:
        again.stop()
    counts = [len(posts(d, i)) for i in range(COMMANDS)]
    assert counts == [1] * COMMANDS, "each command carried out once across the kill: %r" % counts
    check_log(again.output())
    assert not d.violations, "\n".join(d.violations)
