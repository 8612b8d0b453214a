"""tend was down while a room talked on: more messages than one /sync timeline holds came after a
member's command. After the restart tend reads back through the gap (/messages from prev_batch) and
runs the command once; a gap beyond its bound gets one notice, and tend carries on.

These tests run their own tend (its own bot account and database) so stopping, killing and
moving its clock never disturbs the session's tend."""
import datetime
import json
import os
import re
import sys
import time
import uuid

import pytest
import requests

sys.path.insert(0, os.path.dirname(__file__))
from conftest import record  # noqa: E402
from gate_proxy import GateProxy  # noqa: E402
from mxclient import Tend, database, notice_from, q, register  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import scrape  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..")
GAP_NOTICE = "I was away for a while"


def c_define(name):
    """A number #defined in the Matrix adapter, so the test follows the code's own limits."""
    with open(os.path.join(ROOT, "adapters", "matrix", "internal.h")) as f:
        m = re.search(r"#define " + name + r"\s+(\d+)", f.read())
    assert m, f"{name} is not defined in adapters/matrix/internal.h"
    return int(m.group(1))


TIMELINE_LIMIT = c_define("TEND_MATRIX_TIMELINE_LIMIT")
GAP_MAX_EVENTS = c_define("TEND_MATRIX_GAP_MAX_EVENTS")


def flood(client, room, n, tag):
    """n ordinary messages, one after another (kept in order), on one kept-alive connection."""
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + client.token
    for i in range(n):
        r = s.put(f"{client.base}/_matrix/client/v3/rooms/{q(room)}/send/m.room.message/{uuid.uuid4().hex}",
                  json={"msgtype": "m.text", "body": f"{tag} chatter {i}: who has the van keys?"}, timeout=30)
        r.raise_for_status()


def bot_messages(client, room, bot_id):
    """Every message the bot sent in the room, oldest first, read from the server's own history
    (a member's /sync may skip events in a busy room, so counting there could miss a double)."""
    out, frm = [], None
    flt = json.dumps({"senders": [bot_id], "types": ["m.room.message"]})
    for _ in range(50):
        params = {"dir": "b", "limit": "100", "filter": flt}
        if frm:
            params["from"] = frm
        body = client.api("GET", f"/rooms/{q(room)}/messages", params=params)
        out.extend(body.get("chunk", []))
        frm = body.get("end")
        if not frm:
            break
    return list(reversed(out))


def replies_to(msgs, event_id):
    return [m for m in msgs
            if m["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == event_id]


def gap_notices(msgs):
    return [m for m in msgs if GAP_NOTICE in m["content"].get("body", "")]


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def board(client, room, bot_id):
    """The text of the bot's answer to a fresh `!tasks all` (in the room or the member's DM)."""
    client.catch_up()
    sent_at = int(time.time() * 1000)
    cmd = client.send(room, "!tasks all")

    def pred(room_id, ev):
        if ev.get("sender") != bot_id or ev.get("type") != "m.room.message":
            return False
        rel = ev["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
        return rel == cmd or (room_id != room and ev.get("origin_server_ts", 0) >= sent_at - 100)
    _, ev = client.wait_for(pred, 30, "the board")
    return ev["content"]["body"]


def answered(client, room, bot_id, event_id):
    msgs = bot_messages(client, room, bot_id)
    return msgs if replies_to(msgs, event_id) else None


def log_since(t, offset):
    return t.log_text()[offset:]


@pytest.fixture(scope="module")
def gap(env, users, workdir):
    alice, bob = users["alice"], users["bob"]
    bot = register(env, "gapbot" + os.urandom(3).hex())
    t = Tend(os.environ["TEND_BIN"], env, bot, database(workdir, "gap"),
             os.path.join(workdir, "gap.log"), allowed=alice.user_id).start()
    alice.catch_up()
    room = alice.create_room("pantry crew", invite=[bob.user_id])
    bob.join(room)
    alice.invite(room, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the gap bot's introduction")
    yield {"bot": bot, "tend": t, "room": room}
    t.stop()
    print(t.log_text()[-4000:])


def test_commands_in_a_gap_run_once_in_order_before_the_timeline(users, gap):
    alice, bob = users["alice"], users["bob"]
    bot, t, room = gap["bot"], gap["tend"], gap["room"]
    t.stop()
    # while tend is down: a command, chatter, a second command, more chatter than one /sync holds,
    # and a third command that lands in the /sync timeline itself
    first = alice.send(room, '!task add "Gap soup run"')
    flood(bob, room, 60, "a")
    second = alice.send(room, '!task add "Gap bread run"')
    flood(bob, room, TIMELINE_LIMIT + 20, "b")
    third = alice.send(room, '!task add "Gap tea run"')
    offset = len(t.log_text())
    t0 = time.monotonic()
    t.start()
    msgs = wait_until(lambda: answered(alice, room, bot.user_id, third), 60,
                      "the answer to the command after the gap")
    record("gap_s_from_restart_to_last_answer", time.monotonic() - t0)
    log = log_since(t, offset)
    m = re.search(r"read back (\d+) events tend missed", log)
    assert m, "the restart must have met a limited timeline and read it back:\n" + log[-2000:]
    assert int(m.group(1)) >= 60 + 2, "the gap holds at least the first command and the chatter after it"
    record("gap_events_read_back", int(m.group(1)))
    # answered in the order they were typed: the gap's commands before the timeline's
    answered_to = [m["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") for m in msgs]
    order = [e for e in answered_to if e in (first, second, third)]
    assert order == [first, second, third], "each command answered once, oldest first"
    assert not gap_notices(msgs), "a gap within the bound needs no notice"

    # a second restart replays nothing
    t.stop()
    t.start()
    text = board(alice, room, bot.user_id)
    for title in ("Gap soup run", "Gap bread run", "Gap tea run"):
        assert text.count(title) == 1, f"{title!r} is on the board exactly once:\n{text}"
    msgs = bot_messages(alice, room, bot.user_id)
    for cmd in (first, second, third):
        assert len(replies_to(msgs, cmd)) == 1, "one answer per command, also after another restart"


@pytest.fixture
def proxied(env, gap):
    """The gap bot's tend talks to Synapse through a proxy that can hold or fail /messages."""
    proxy = GateProxy(env["url"])
    t = gap["tend"]
    t.stop()
    t.env = dict(env, url=proxy.url)
    yield proxy
    t.stop()
    t.env = env
    proxy.stop()


def test_killed_while_reading_back_the_gap_still_runs_the_command_once(users, gap, proxied):
    alice, bob = users["alice"], users["bob"]
    bot, t, room = gap["bot"], gap["tend"], gap["room"]
    cmd = alice.send(room, '!task add "Gap crash run"')
    flood(bob, room, 4 * TIMELINE_LIMIT, "c")  # several pages of /messages to read back
    # an orderly stop while a page is in flight drops the fill cleanly (and runs nothing)
    proxied.hold_messages_after(1)
    t.start()
    assert proxied.wait_held(30), "tend should be reading back the gap, page 2 held by the proxy"
    assert t.stop() == 0, "stopping in the middle of a fill exits cleanly"
    proxied.release()
    assert not replies_to(bot_messages(alice, room, bot.user_id), cmd), "nothing ran before the stop"

    proxied.hold_messages_after(proxied.served + 2)
    t.start()
    assert proxied.wait_held(30), "tend should be reading back the gap, page 3 held by the proxy"
    t.kill()  # kill -9 with two pages read and the third in flight
    proxied.release()
    assert not replies_to(bot_messages(alice, room, bot.user_id), cmd), "nothing ran before the kill"

    offset = len(t.log_text())
    t.start()
    wait_until(lambda: answered(alice, room, bot.user_id, cmd), 60, "the answer after the restart")
    assert re.search(r"read back \d+ events tend missed", log_since(t, offset)), "the same gap was read again"
    time.sleep(3)
    assert len(replies_to(bot_messages(alice, room, bot.user_id), cmd)) == 1
    assert board(alice, room, bot.user_id).count("Gap crash run") == 1


def test_a_failed_page_leaves_the_gap_to_be_read_again(users, gap, proxied):
    alice, bob = users["alice"], users["bob"]
    bot, t, room = gap["bot"], gap["tend"], gap["room"]
    cmd = alice.send(room, '!task add "Gap retry run"')
    flood(bob, room, TIMELINE_LIMIT + 20, "r")
    proxied.fail_next = 2  # the homeserver stumbles twice, then answers
    offset = len(t.log_text())
    t.start()
    wait_until(lambda: answered(alice, room, bot.user_id, cmd), 60, "the answer once the homeserver answers")
    log = log_since(t, offset)
    assert len([ln for ln in log.splitlines() if "could not read back" in ln]) == 1, "one line per outage"
    assert proxied.fail_next == 0
    time.sleep(2)
    assert len(replies_to(bot_messages(alice, room, bot.user_id), cmd)) == 1


def test_a_throttled_page_is_said_counted_and_read_again(users, gap, proxied):
    """A 429 on /messages is the homeserver throttling tend, as on /sync and sends: the admin hears
    of it in the log and in tend_rest_429_total, and the gap is read once the wait is over."""
    alice, bob = users["alice"], users["bob"]
    bot, t, room = gap["bot"], gap["tend"], gap["room"]
    cmd = alice.send(room, '!task add "Gap throttled run"')
    flood(bob, room, TIMELINE_LIMIT + 20, "t")
    proxied.fail_next, proxied.fail_status = 1, 429
    offset = len(t.log_text())
    t.start()
    wait_until(lambda: answered(alice, room, bot.user_id, cmd), 60, "the answer once the wait is over")
    assert proxied.fail_next == 0
    throttled = [ln for ln in log_since(t, offset).splitlines() if "rate-limiting tend (HTTP 429)" in ln]
    assert len(throttled) == 1, "one line for the 429"
    counted = scrape.parse(scrape.fetch(t.ops_port())[1]).value("tend_rest_429_total", platform="matrix")
    assert counted >= 1, "the 429 was not counted"
    time.sleep(2)
    assert len(replies_to(bot_messages(alice, room, bot.user_id), cmd)) == 1


def test_a_gap_that_cannot_be_read_is_given_up_with_the_notice(users, gap, proxied):
    """/messages keeps failing while /sync works: tend must not stay deaf in every room for it."""
    alice, bob = users["alice"], users["bob"]
    bot, t, room = gap["bot"], gap["tend"], gap["room"]
    before = len(gap_notices(bot_messages(alice, room, bot.user_id)))
    unread = alice.send(room, '!task add "Gap unread run"')
    flood(bob, room, TIMELINE_LIMIT + 20, "u")
    proxied.fail_next = 10 ** 6
    offset = len(t.log_text())
    t0 = time.monotonic()
    t.start()
    wait_until(lambda: len(gap_notices(bot_messages(alice, room, bot.user_id))) > before, 90,
               "the notice once tend gives up on the gap")
    record("gap_s_until_an_unreadable_gap_is_given_up", time.monotonic() - t0)
    log = log_since(t, offset)
    assert len([ln for ln in log.splitlines() if "trying again" in ln]) == 1, "one line while it retries"
    gave_up = [ln for ln in log.splitlines() if "not all that happened" in ln and "did not give it" in ln]
    assert len(gave_up) == 1, "one line when it gives up"
    assert "Gap unread run" not in board(alice, room, bot.user_id), "tend carries on; that command was not read"
    assert not replies_to(bot_messages(alice, room, bot.user_id), unread)


def test_a_gap_beyond_the_bound_gets_one_notice_and_tend_carries_on(users, gap):
    alice, bob = users["alice"], users["bob"]
    bot, t, room = gap["bot"], gap["tend"], gap["room"]
    before = len(gap_notices(bot_messages(alice, room, bot.user_id)))
    t.stop()
    lost = alice.send(room, '!task add "Gap lost run"')
    # the command is followed by more than the bound plus one /sync timeline
    flood(bob, room, GAP_MAX_EVENTS + TIMELINE_LIMIT + 20, "d")
    offset = len(t.log_text())
    t0 = time.monotonic()
    t.start()
    notices = wait_until(lambda: gap_notices(bot_messages(alice, room, bot.user_id))[before:], 60,
                         "the gap notice")
    record("gap_s_from_restart_to_notice_over_the_bound", time.monotonic() - t0)
    log = log_since(t, offset)
    m = re.search(r"read back (\d+) events tend missed in 1 room \((\d+) ms\)", log)
    assert m and int(m.group(1)) == GAP_MAX_EVENTS, "it reads back as far as the bound, no further"
    record("gap_ms_to_read_back_the_bound", int(m.group(2)))
    too_long = [ln for ln in log.splitlines()
                if "not all that happened" in ln and f"{GAP_MAX_EVENTS} events" in ln]
    assert len(too_long) == 1, "one line in the log"
    assert notices[0]["content"]["msgtype"] == "m.notice"
    # carries on: a new command is answered, and a restart does not repeat the notice
    t.stop()
    t.start()
    assert "Gap lost run" not in board(alice, room, bot.user_id), \
        "the command lies beyond the bound (the notice tells the member to send it again)"
    msgs = bot_messages(alice, room, bot.user_id)
    assert len(gap_notices(msgs)) == before + 1, "the notice is given once"
    assert not replies_to(msgs, lost)


def test_a_gap_older_than_a_day_gets_the_notice_too(users, gap):
    """tend's clock is moved a day and an hour ahead: everything in the gap is older than a day."""
    alice, bob = users["alice"], users["bob"]
    bot, t, room = gap["bot"], gap["tend"], gap["room"]
    before = len(gap_notices(bot_messages(alice, room, bot.user_id)))
    t.stop()
    old = alice.send(room, '!task add "Gap stale run"')
    flood(bob, room, TIMELINE_LIMIT + 20, "e")
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=25)
    t.args = ["--now", later.strftime("%Y-%m-%dT%H:%M:%S")]
    try:
        t.start()
        wait_until(lambda: len(gap_notices(bot_messages(alice, room, bot.user_id))) > before, 60,
                   "the notice for a day-old gap")
        assert "Gap stale run" not in board(alice, room, bot.user_id)
        assert not replies_to(bot_messages(alice, room, bot.user_id), old)
    finally:
        t.stop()
        t.args = []
