"""Fixtures: the running local Synapse (started by ctest's fixture), its users, and tend."""
import json
import os
import statistics
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import scrape  # noqa: E402
from mxclient import Tend, database, notice_from, register, stop_and_keep_log  # noqa: E402

FIGURES = {"reply_ms": []}


@pytest.fixture(scope="session", autouse=True)
def every_stop_is_clean():
    """After the whole session: every tend asked to stop (SIGTERM) exited 0."""
    yield
    assert not Tend.bad_stops, f"tend did not stop cleanly (log, exit status): {Tend.bad_stops}"


@pytest.fixture(scope="session")
def env():
    d = os.environ.get("TEND_SYNAPSE_DIR")
    if not d:
        pytest.fail("TEND_SYNAPSE_DIR is not set (run through ctest)")
    with open(os.path.join(d, "env.json")) as f:
        e = json.load(f)
    e["dir"] = d
    return e


@pytest.fixture(scope="session")
def users(env):
    tag = os.urandom(3).hex()
    return {
        "bot": register(env, f"tend{tag}"),
        "alice": register(env, f"alice{tag}", admin=True),
        "bob": register(env, f"bob{tag}"),
    }


@pytest.fixture(scope="session")
def workdir():
    with tempfile.TemporaryDirectory(prefix="tend-matrix-") as d:
        yield d


@pytest.fixture(scope="session")
def tend(env, users, workdir):
    binary = os.environ.get("TEND_BIN")
    if not binary:
        pytest.fail("TEND_BIN is not set (run through ctest)")
    # Only alice may invite the bot: bob's invites are the "disallowed inviter" case.
    t = Tend(binary, env, users["bot"], database(workdir, "tend"),
             os.path.join(workdir, "tend.log"),
             allowed=f"{users['alice'].user_id},:elsewhere.example").start()
    yield t
    # the session's metrics, read by Prometheus's own parser before tend stops
    port = t.ops_port() if t.alive() else None
    metrics = scrape.fetch(port)[1] if port else None
    # every line tend logged in the whole session, at debug level: no secret of the bot's
    stop_and_keep_log(t, users["bot"], os.environ.get("TEND_MATRIX_LOG"))
    if metrics is not None:
        scrape.parse(metrics, forbidden=[u.user_id for u in users.values()])


@pytest.fixture(scope="session", autouse=True)
def checkin_room(users, tend):
    """A room whose group is born before any test runs. The check-in test sets the prompt to the
    current minute, which fires at once only for a group older than that minute; made here, the
    group is old enough by the time that test runs (run alone, the test waits out the minute)."""
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    alice.catch_up()
    room = alice.create_room("check-ins", invite=[bob.user_id])
    bob.join(room)
    alice.invite(room, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the bot's introduction")
    cmd = alice.send(room, "!task add \"Sort the pantry\"")
    alice.wait_for(notice_from(bot.user_id, room, reply_to=cmd), 20, "the group's first answer")
    return {"room": room, "group_born": time.time()}


def record(name, value):
    FIGURES.setdefault(name, []).append(value)


def pytest_terminal_summary(terminalreporter):
    w = terminalreporter.write_line
    r = sorted(FIGURES["reply_ms"])
    if r:
        p99 = r[min(len(r) - 1, int(round(0.99 * (len(r) - 1))))]
        w(f"matrix figures: command->reply median {statistics.median(r):.0f} ms, "
          f"p99 {p99:.0f} ms over {len(r)} commands")
    for name, values in FIGURES.items():
        if name != "reply_ms" and values:
            w(f"matrix figures: {name} {values[-1]:.2f}")
    d = os.environ.get("TEND_SYNAPSE_DIR")
    if d and os.path.exists(os.path.join(d, "start_seconds")):
        with open(os.path.join(d, "start_seconds")) as f:
            w(f"matrix figures: synapse start {f.read().strip()} s (last start)")
    venv = os.environ.get("TEND_SYNAPSE_VENV")
    if venv and os.path.exists(os.path.join(venv, ".tend-synapse-ok")):
        with open(os.path.join(venv, ".tend-synapse-ok")) as f:
            w(f"matrix figures: {f.read().strip()}")
