"""Two tend processes, one bot, one database (issue 21): the Matrix account is synced by one
process at a time, under a lease in the shared database. The other waits in standby and says so
on /healthz; when the syncing one freezes (SIGSTOP: a stalled machine) the other takes over once
the lease runs out, answers what was said meanwhile, and the frozen one, woken, stops itself; when
the syncing one stops in order, the other takes over at once. Every command is answered once.

These tests run their own tends (their own bot account; one database for both: a SQLite file, or
under integration.matrix.leases.pg a schema on the test PostgreSQL, as two machines would share it)
so the session's tend is never disturbed."""
import os
import re
import signal
import sys
import time
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import scrape  # noqa: E402
from conftest import record  # noqa: E402
from mxclient import Tend, database, notice_from, register  # noqa: E402
from test_matrix_gap import bot_messages, replies_to, wait_until  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")


def c_define(name):
    """A number #defined in app/leases.h, so the test follows the code's own times."""
    with open(os.path.join(ROOT, "app", "leases.h")) as f:
        m = re.search(r"#define " + name + r"\s+(\d+)", f.read())
    assert m, f"{name} is not defined in app/leases.h"
    return int(m.group(1)) / 1000.0


TTL_S = c_define("TEND_LEASE_TTL_MS")
RENEW_S = c_define("TEND_LEASE_RENEW_MS")
RETRY_S = c_define("TEND_LEASE_RETRY_MS")


def healthz(t):
    with urllib.request.urlopen(f"http://127.0.0.1:{t.ops_port()}/healthz", timeout=5) as r:
        return r.status, r.read().decode()


def lease_held(t):
    sc = scrape.Scrape(scrape.fetch(t.ops_port())[1])
    return sc.value("tend_lease_held", lease="matrix.sync")


def answered_once(alice, room, bot, event_id, timeout, what):
    wait_until(lambda: replies_to(bot_messages(alice, room, bot.user_id), event_id), timeout, what)
    return len(replies_to(bot_messages(alice, room, bot.user_id), event_id))


@pytest.fixture(scope="module")
def pair(env, users, workdir):
    alice, bob = users["alice"], users["bob"]
    bot = register(env, "leasebot" + os.urandom(3).hex())
    db = database(workdir, "lease")  # a SQLite file, or a schema on the test PostgreSQL
    binary = os.environ["TEND_BIN"]
    # the key that seals the encryption state: the same for both, as on two machines
    keys = {"TEND_MATRIX_PICKLE_KEY_FILE": os.path.join(workdir, "lease.pickle-key")}
    a = Tend(binary, env, bot, db, os.path.join(workdir, "lease-a.log"), allowed=alice.user_id)
    b = Tend(binary, env, bot, db, os.path.join(workdir, "lease-b.log"), allowed=alice.user_id)
    a.extra_env = b.extra_env = keys
    a.start()
    wait_until(lambda: "holding matrix.sync" in a.log_text(), 30, "the first tend taking the lease")
    b.start()
    wait_until(lambda: "waits in standby" in b.log_text() and b.ops_port(), 30, "the second tend in standby")
    alice.catch_up()
    room = alice.create_room("lease crew", invite=[bob.user_id])
    bob.join(room)
    alice.invite(room, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the lease bot's introduction")
    yield {"bot": bot, "a": a, "b": b, "room": room, "cmds": []}
    for t in (a, b):
        if t.proc and t.proc.poll() is None:
            os.kill(t.proc.pid, signal.SIGCONT)
        t.stop()
    print(a.log_text()[-3000:])
    print(b.log_text()[-3000:])


def test_one_process_syncs_the_other_waits_and_says_so(users, pair):
    alice, bot, a, b, room = users["alice"], pair["bot"], pair["a"], pair["b"], pair["room"]
    cmd = alice.send(room, '!task add "Lease pantry run"')
    pair["cmds"].append(cmd)
    assert answered_once(alice, room, bot, cmd, 30, "the answer while both run") == 1
    time.sleep(2)  # a second answer, from the standby, would have come by now
    assert len(replies_to(bot_messages(alice, room, bot.user_id), cmd)) == 1, "one answer, not two"
    assert lease_held(a) == 1 and lease_held(b) == 0
    status, body = healthz(b)
    assert status == 200 and "matrix in standby" in body, body
    assert "; holds" not in body, body  # standby is said once, by the platform
    status, body = healthz(a)  # what each process holds, at the end of its line
    assert status == 200 and body == "ok: matrix up, the database answers; holds matrix.sync\n", body
    assert "signed in as" not in b.log_text(), "the standby must not start the Matrix adapter at all"


def test_a_frozen_holder_loses_the_lease_and_stops_itself(users, pair):
    alice, bot, a, b, room = users["alice"], pair["bot"], pair["a"], pair["b"], pair["room"]
    os.kill(a.proc.pid, signal.SIGSTOP)  # alive, so not taken from at once: only the lease's time frees it
    frozen = time.monotonic()
    cmd = alice.send(room, '!task add "Lease soup run"')
    pair["cmds"].append(cmd)
    count = answered_once(alice, room, bot, cmd, TTL_S + 30, "the standby's answer after the takeover")
    took = time.monotonic() - frozen
    record("lease_takeover_after_freeze_s", took)
    print(f"\nthe frozen holder's command answered by the other process {took:.1f} s after the freeze")
    assert count == 1
    assert took >= TTL_S - RENEW_S - 1, "taken over only once the frozen holder's lease ran out"
    assert took <= TTL_S + RETRY_S + 15
    assert "took over matrix.sync from" in b.log_text()
    assert lease_held(b) == 1
    # woken, the old holder finds the lease gone, stops itself, and answers nothing
    os.kill(a.proc.pid, signal.SIGCONT)
    assert a.proc.wait(30) == 1, "the woken process must stop: another syncs the account now"
    assert "lost matrix.sync" in a.log_text()
    time.sleep(2)
    assert len(replies_to(bot_messages(alice, room, bot.user_id), cmd)) == 1, "one answer, not two"


def test_an_orderly_stop_hands_over_at_once_and_a_restart_waits(users, pair):
    alice, bot, a, b, room = users["alice"], pair["bot"], pair["a"], pair["b"], pair["room"]
    # the stopped process comes back: b holds the lease now, so a waits in standby
    offset = len(a.log_text())
    a.start()
    wait_until(lambda: "waits in standby" in a.log_text()[offset:], 30, "the restarted tend in standby")
    started = time.monotonic()
    assert b.stop() == 0
    cmd = alice.send(room, '!task add "Lease bread run"')
    pair["cmds"].append(cmd)
    assert answered_once(alice, room, bot, cmd, 30, "the answer after the orderly hand-over") == 1
    took = time.monotonic() - started
    record("lease_handover_after_stop_s", took)
    print(f"\nan orderly stop handed the account over; the next command answered {took:.1f} s later")
    assert took < TTL_S, "a released lease is taken at once, not after it would have run out"
    assert "gave back matrix.sync" in b.log_text()
    assert "took over matrix.sync" in a.log_text()[offset:]
    # every command of the module answered exactly once, after all the hand-overs
    time.sleep(2)
    msgs = bot_messages(alice, room, bot.user_id)
    assert [len(replies_to(msgs, c)) for c in pair["cmds"]] == [1] * len(pair["cmds"])


def test_a_killed_holder_on_this_host_is_taken_over_at_once(users, pair):
    alice, bot, a, b, room = users["alice"], pair["bot"], pair["a"], pair["b"], pair["room"]
    offset = len(b.log_text())
    b.start()  # a holds the lease since the last test
    wait_until(lambda: "waits in standby" in b.log_text()[offset:], 30, "b in standby again")
    started = time.monotonic()
    a.kill()  # kill -9: no lease given back, but its process is gone from this host
    cmd = alice.send(room, '!task add "Lease tea run"')
    pair["cmds"].append(cmd)
    assert answered_once(alice, room, bot, cmd, 30, "the answer after the holder was killed") == 1
    took = time.monotonic() - started
    record("lease_takeover_after_kill_s", took)
    print(f"\nthe holder killed (kill -9); the next command answered {took:.1f} s later")
    assert took < TTL_S - RENEW_S, "a holder whose process is gone is not waited for until its lease runs out"
    assert "took over matrix.sync from" in b.log_text()[offset:]
    time.sleep(2)
    msgs = bot_messages(alice, room, bot.user_id)
    assert [len(replies_to(msgs, c)) for c in pair["cmds"]] == [1] * len(pair["cmds"])
