"""Rooms linked into one group, and the weekly check-in prompt answered by a reaction, against a
real Synapse. Alice is a coordinator (she made both rooms: power 100); bob is an ordinary member."""
import calendar
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from mxclient import notice_from  # noqa: E402
from test_matrix import answer_to, ask, check_notice_shape  # noqa: E402

THUMBS = "\U0001F44D"


@pytest.fixture(scope="module")
def rooms(users, tend):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    tag = os.urandom(3).hex()
    alice.catch_up()
    a = alice.api("POST", "/createRoom", {"name": "food bank", "preset": "private_chat",
                                          "room_alias_name": f"foodbank{tag}",
                                          "invite": [bob.user_id]})["room_id"]
    b = alice.create_room("food bank drivers", invite=[bob.user_id])
    for r in (a, b):
        bob.join(r)
        alice.invite(r, bot.user_id)
    for r in (a, b):
        alice.wait_for(notice_from(bot.user_id, r, "I'm tend"), 30, f"the bot's introduction in {r}")
    return {"a": a, "b": b, "alias": f"#foodbank{tag}:tend.test"}


def public_reply(client, bot, room, text):
    """A command whose answer is public in `room` (a link's other room hears of it at the same time,
    so "the next message from the bot" would be ambiguous)."""
    client.catch_up()
    cmd = client.send(room, text)
    _, ev = client.wait_for(notice_from(bot.user_id, room, reply_to=cmd), 20, f"a reply to {text}")
    return ev


def add_task(alice, bot, room, title):
    where, ann, _ = ask(alice, bot, room, f'!task add "{title}"')
    assert where == room, "the announcement is public, in the room the task was added from"
    assert title in ann["content"]["body"]
    number = "".join(ch for ch in ann["content"]["body"].split("!claim ")[1] if ch.isdigit())
    assert number, ann["content"]["body"]
    return number


def test_a_member_who_is_no_coordinator_cannot_link(users, rooms):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    where, ev, _ = ask(bob, bot, rooms["b"], f"!setup link:{rooms['alias']}")
    assert where not in (rooms["a"], rooms["b"]), "a refusal is private: a DM"
    check_notice_shape(ev)
    assert "coordinator" in ev["content"]["body"]
    assert len(ev["content"]["body"].splitlines()) == 1, "one line"
    # nothing changed: a task of A's group is unknown in B
    number = add_task(alice, bot, rooms["a"], "Fridge run")
    _, ev, _ = ask(bob, bot, rooms["b"], f"!claim {number}")
    assert "yours" not in ev["content"]["body"]


def test_a_bad_link_command_gets_one_line_and_changes_nothing(users, rooms):
    alice, bot = users["alice"], users["bot"]
    where, ev, _ = ask(alice, bot, rooms["b"], "!setup link:soup")
    assert where != rooms["b"]
    assert "!setup link:" in ev["content"]["body"] and "unlink" in ev["content"]["body"]
    where, ev, _ = ask(alice, bot, rooms["b"], f"!setup link:{rooms['b']}")
    assert where != rooms["b"] and "this room" in ev["content"]["body"]
    where, ev, _ = ask(alice, bot, rooms["b"], "!setup link:#nowhere-at-all:tend.test")
    assert where != rooms["b"] and "#nowhere-at-all:tend.test" in ev["content"]["body"]
    where, ev, _ = ask(alice, bot, rooms["b"], "!setup unlink")
    assert where != rooms["b"] and "isn't linked" in ev["content"]["body"]


def test_linked_room_acts_on_the_other_rooms_group(users, rooms, tend):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    a, b = rooms["a"], rooms["b"]
    ev = public_reply(alice, bot, b, f"!setup link:{rooms['alias']}")
    assert "Linked" in ev["content"]["body"] and a in ev["content"]["body"]
    check_notice_shape(ev)
    _, there = alice.wait_for(notice_from(bot.user_id, a, "now shares this group"), 20, "a word in room A")
    assert b in there["content"]["body"]
    # a task added in A is claimable from B, and the answer stays in B
    number = add_task(alice, bot, a, "Linked soup")
    where, ev, cmd = ask(bob, bot, b, f"!claim {number}")
    assert where not in (a, b), "a claim is answered privately"
    assert "yours" in ev["content"]["body"] and "Linked soup" in ev["content"]["body"]
    # a task added from B belongs to A's group: claimable by its number in A
    number2 = add_task(alice, bot, b, "Linked bread")
    _, ev, _ = ask(bob, bot, a, f"!claim {number2}")
    assert "yours" in ev["content"]["body"] and "Linked bread" in ev["content"]["body"]
    # the same group from both rooms: B's coordinator settings are A's
    where, ev, _ = ask(alice, bot, b, "!setup")
    assert "Channel: " + a in ev["content"]["body"]
    # a restart keeps the link: it lives in the store
    tend.stop()
    tend.start()
    number3 = add_task(alice, bot, a, "After restart")
    _, ev, _ = ask(bob, bot, b, f"!claim {number3}", timeout=40)
    assert "yours" in ev["content"]["body"] and "After restart" in ev["content"]["body"]


def test_chains_are_refused(users, rooms):
    alice, bot = users["alice"], users["bot"]
    # A is the group B shares; A cannot join B's (which is A's own) nor B join anything else
    where, ev, _ = ask(alice, bot, rooms["a"], f"!setup link:{rooms['b']}")
    assert where != rooms["a"] and "link to" in ev["content"]["body"]
    where, ev, _ = ask(alice, bot, rooms["b"], f"!setup link:{rooms['a']}")
    assert where != rooms["b"] and "already shares" in ev["content"]["body"]


def test_unlink_gives_the_room_its_own_group_back(users, rooms):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    a, b = rooms["a"], rooms["b"]
    # bob is no coordinator in either room
    where, ev, _ = ask(bob, bot, b, "!setup unlink")
    assert where != b and "coordinator" in ev["content"]["body"]
    ev = public_reply(alice, bot, b, "!setup unlink")
    assert "Unlinked" in ev["content"]["body"]
    alice.wait_for(notice_from(bot.user_id, a, "no longer shares"), 20, "a word in room A")
    number = add_task(alice, bot, a, "After unlink")
    _, ev, _ = ask(bob, bot, b, f"!claim {number}")
    assert "yours" not in ev["content"]["body"], "B is its own group again"


def test_weekly_checkin_is_answered_privately_and_no_one_else_sees_it(users, checkin_room):
    """The prompt is scheduled: set the check-in time to the current minute (UTC). The scheduler
    fires the latest unfired occurrence at once when it is newer than the group, so the prompt comes
    right after the /setup instead of up to a minute later; only when the group was born in this
    very minute (this file run alone, quickly) does the test wait for the next one.

    The group's post carries no answers (a reaction there is a room event every member receives):
    bob is asked in his direct chat, answers there with a tap, and alice's own /sync of the group
    room holds nothing that tells his answer."""
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    a = checkin_room["room"]
    ask(bob, bot, a, "!tasks")  # bob is a member the bot knows, so he is asked too
    now = time.time()
    if now // 60 * 60 <= checkin_room["group_born"] + 1:
        time.sleep(60 - now % 60 + 1)
    t = time.gmtime()
    when = f"{calendar.day_abbr[t.tm_wday].lower()} {t.tm_hour:02d}:{t.tm_min:02d}"
    alice.catch_up()
    bob.catch_up()
    bob.sync(0)
    ask(alice, bot, a, f'!setup checkin:"{when}" timezone:UTC')
    _, prompt = alice.wait_for(notice_from(bot.user_id, a, "How is everyone doing"), 30, "the check-in prompt")
    check_notice_shape(prompt)
    assert "private check-in" in prompt["content"]["body"]
    # bob's own check-in, in his direct chat, asks for his attention (m.text) with the bot's taps
    dm, mine = bob.wait_for(lambda r, e: r != a and e.get("sender") == bot.user_id
                            and e.get("type") == "m.room.message"
                            and "How are you doing" in e["content"].get("body", ""), 30, "bob's private check-in")
    assert mine["content"]["msgtype"] == "m.text"
    bob.wait_for(lambda r, e: r == dm and e.get("type") == "m.reaction" and e.get("sender") == bot.user_id
                 and e["content"]["m.relates_to"]["event_id"] == mine["event_id"]
                 and e["content"]["m.relates_to"]["key"] == THUMBS, 20, "the bot's offered 👍 in the DM")
    deadline = time.monotonic() + 10
    while bob.notifications.get(dm, 0) == 0 and time.monotonic() < deadline:
        bob.sync(500)
    assert bob.notifications.get(dm, 0) > 0, "the private check-in must notify bob"
    sent_at = int(time.time() * 1000)
    bob.react(dm, mine["event_id"], THUMBS)
    _, ev = bob.wait_for(lambda r, e: r == dm and e.get("sender") == bot.user_id
                         and e.get("origin_server_ts", 0) >= sent_at - 100
                         and "Thanks for checking in" in e["content"].get("body", ""), 20, "the thanks")
    # alice reads the group room: the prompt, and no reaction, answer or word of bob's check-in
    time.sleep(2)
    alice.sync(0)
    in_room = [e for r, e in alice.events if r == a]
    assert not [e for e in in_room if e.get("type") == "m.reaction"], "a reaction in the room: %s" % in_room
    assert not [e for e in in_room if e.get("sender") == bob.user_id], "bob's answer reached the room"
    assert not [e for e in in_room if "checking in" in e.get("content", {}).get("body", "")]
    assert not [e for r, e in alice.events if r == dm], "alice is nowhere near bob's direct chat"
    # and it was recorded: bob's own /me (in his direct chat, naming this group) shows it
    bob.catch_up()
    bob.send(dm, '!me group:"check-ins"')
    _, ev = bob.wait_for(notice_from(bot.user_id, dm, "last check-in"), 20, "bob's /me")
    assert "last check-in: ok" in ev["content"]["body"].lower()
