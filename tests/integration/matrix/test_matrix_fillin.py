"""Others fill in, on a real Synapse (issue 15): sam rests the day before a drive; members with room
are invited in their direct chats with the bot, in the spreading order, each invitation carrying
the bot's own reactions to tap (✅ claim, 👌 not this time); a 👌 asks the next one, the first ✅
fills the slot and whoever else was asked hears it is covered; the resting are never asked; the
group room hears only that the task could use a hand, naming and pinging nobody."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from mxclient import notice_from, register  # noqa: E402

CHECK = "\u2705"
OK_HAND = "\U0001F44C"
INVITE = "needs help, and you have room"


def ask(client, bot, room, text, timeout=20, answer_in=None):
    """Sends a command and waits for the bot's first message after it (in answer_in when given,
    else anywhere: the room, or the member's direct chat for a private answer)."""
    client.catch_up()
    sent_at = int(time.time() * 1000)
    client.send(room, text)

    def pred(room_id, ev):
        return ev.get("sender") == bot.user_id and ev.get("type") == "m.room.message" and \
            (answer_in is None or room_id == answer_in) and \
            "Welcome! I'm tend" not in ev["content"].get("body", "") and ev.get("origin_server_ts", 0) >= sent_at - 100
    return client.wait_for(pred, timeout, f"an answer to {text}")


def dm_of(client, bot, room):
    where, _ = ask(client, bot, room, "!help")
    assert where != room
    return where


def bot_reactions(client, bot, room, event_id):
    return {e["content"]["m.relates_to"]["key"] for r, e in client.events
            if r == room and e.get("type") == "m.reaction" and e.get("sender") == bot.user_id
            and e["content"]["m.relates_to"]["event_id"] == event_id}


def wait_reaction(client, bot, room, event_id, key):
    client.wait_for(lambda r, e: r == room and e.get("type") == "m.reaction" and e.get("sender") == bot.user_id
                    and e["content"]["m.relates_to"]["event_id"] == event_id
                    and e["content"]["m.relates_to"]["key"] == key, 20, f"the bot's {key} on its invitation")


@pytest.fixture(scope="module")
def pantry(env, users, tend):
    alice, bot = users["alice"], users["bot"]
    tag = os.urandom(3).hex()
    people = {name: register(env, name + tag) for name in ("dora", "finn", "gil", "sam")}
    for c in [alice] + list(people.values()):
        c.catch_up()
    room = alice.create_room("pantry " + tag, invite=[c.user_id for c in people.values()])
    for c in people.values():
        c.join(room)
    alice.invite(room, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the bot's introduction")
    return {"room": room, **people}


def test_a_backup_call_by_dm_with_reactions(users, pantry):
    alice, bot = users["alice"], users["bot"]
    room, dora, finn, gil, sam = (pantry[k] for k in ("room", "dora", "finn", "gil", "sam"))
    ask(alice, bot, room, '!task add "Pantry drive" when:"tomorrow 18:00" kind:driving')
    _, ev = ask(sam, bot, room, "!claim 1")
    assert "yours" in ev["content"]["body"], ev
    ask(finn, bot, room, "!tasks")
    dora_dm, gil_dm, sam_dm = dm_of(dora, bot, room), dm_of(gil, bot, room), dm_of(sam, bot, room)
    _, ev = ask(dora, bot, dora_dm, "!backup driving on", answer_in=dora_dm)
    assert "ask you first" in ev["content"]["body"], ev
    _, ev = ask(gil, bot, gil_dm, "!stepback 1w", answer_in=gil_dm)
    assert "Rest well" in ev["content"]["body"], ev
    for c in (alice, dora, finn, gil, sam):
        c.catch_up()

    # sam rests the day before the drive
    _, ev = ask(sam, bot, sam_dm, "!stepback 1w", answer_in=sam_dm)
    assert "went back to the group" in ev["content"]["body"], ev
    # dora first (a standing backup for driving), then alice (never took a task, first in the group)
    where, inv = dora.wait_for(notice_from(bot.user_id, None, INVITE), 20, "dora's invitation")
    assert where == dora_dm and "Pantry drive" in inv["content"]["body"]
    assert inv["content"]["msgtype"] == "m.text", "an invitation is an attention message: it notifies"
    assert not inv["content"]["m.mentions"].get("user_ids") and "room" not in inv["content"]["m.mentions"]
    wait_reaction(dora, bot, where, inv["event_id"], CHECK)
    wait_reaction(dora, bot, where, inv["event_id"], OK_HAND)
    alice.wait_for(notice_from(bot.user_id, None, INVITE), 20, "alice's invitation")
    # the group room: it could use a hand, naming and pinging nobody
    _, line = alice.wait_for(notice_from(bot.user_id, room, "needs help. !claim 1"), 20, "the room's line")
    assert "sam" not in line["content"]["body"].lower() and not line["content"]["m.mentions"].get("user_ids")
    assert "room" not in line["content"]["m.mentions"]

    # dora taps 👌: thanked, and finn is asked next
    dora.catch_up()
    dora.react(dora_dm, inv["event_id"], OK_HAND)
    dora.wait_for(notice_from(bot.user_id, dora_dm, "thanks for letting me know"), 20, "dora's pass answered")
    finn_dm, finv = finn.wait_for(notice_from(bot.user_id, None, INVITE), 20, "finn's invitation")
    wait_reaction(finn, bot, finn_dm, finv["event_id"], CHECK)
    # finn taps ✅: the slot is his, and alice, asked and quiet, hears it is covered
    finn.catch_up()
    finn.react(finn_dm, finv["event_id"], CHECK)
    finn.wait_for(notice_from(bot.user_id, None, "is yours"), 20, "finn's claim")
    alice.wait_for(notice_from(bot.user_id, None, "#1 is covered now"), 20, "alice told it is covered")
    # nobody resting was asked, and no one was asked twice
    time.sleep(1)
    for c in (gil, sam):
        c.sync(0)
        assert not [e for r, e in c.events if e.get("sender") == bot.user_id and INVITE in
                    e.get("content", {}).get("body", "")], c.user_id
    finn.sync(0)
    assert not [e for r, e in finn.events if INVITE in e.get("content", {}).get("body", "")]
