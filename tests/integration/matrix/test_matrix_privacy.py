"""Private stays private on Matrix (issue 12), read where members look: what another member's own
/sync receives in the group room, what arrives in each direct chat, and what tend stored.

Carol is in exactly one group with the bot, so her direct chat needs no group name; bob is in
several (this module's room and the session's check-in room), so his must say which."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import tenddb  # noqa: E402
from mxclient import notice_from, register  # noqa: E402
from test_matrix import answer_to, ask  # noqa: E402

ROOM_NAME = "privacy garden"


def said_in_dm(client, bot_id, dm, contains, timeout=20):
    _, ev = client.wait_for(notice_from(bot_id, dm, contains), timeout, f"'{contains}' in the direct chat")
    return ev


def dm_of(client, bot, room):
    """The member's direct chat with the bot: where a private answer to !help arrives."""
    where, _, _ = ask(client, bot, room, "!help")
    assert where != room
    return where


@pytest.fixture(scope="module")
def garden(env, users, tend):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    carol = register(env, "carol" + os.urandom(3).hex())
    for c in (alice, bob, carol):
        c.catch_up()
    room = alice.create_room(ROOM_NAME, invite=[bob.user_id, carol.user_id])
    bob.join(room)
    carol.join(room)
    alice.set_power(room, bot.user_id, 50)  # enough to take down a private command typed here
    alice.invite(room, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the bot's introduction")
    return {"room": room, "carol": carol}


def test_feedback_typed_in_the_group_room_records_nothing_and_is_taken_down(users, garden, tend):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    room = garden["room"]
    idea = "rotate the keys qz-" + os.urandom(3).hex()
    alice.catch_up()
    where, ev, cmd = ask(bob, bot, room, "!feedback " + idea)
    assert where != room, "the word about it goes to bob's direct chat"
    assert "just between you and me" in ev["content"]["body"]
    assert idea not in ev["content"]["body"]
    assert not tenddb.has_text(tend.db, idea), "a suggestion typed in the open must not be stored"
    # the bot may redact here, so the command is taken down where everyone could read it
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        seen = alice.event(room, cmd)
        if not seen.get("content"):
            break
        time.sleep(0.5)
    assert seen.get("content") == {}, "the command is still readable in the room: %s" % seen
    assert "redacted_because" in seen.get("unsigned", {})
    # and nothing of it came into the room from the bot
    time.sleep(1)
    alice.sync(0)
    assert not [e for r, e in alice.events if r == room and e.get("sender") == bot.user_id
                and e.get("type") == "m.room.message"], "the bot said something in the room about it"


def test_a_member_of_one_group_uses_the_direct_chat_they_opened(users, garden, tend):
    bot, carol = users["bot"], garden["carol"]
    dm = carol.create_dm(bot.user_id)
    deadline = time.monotonic() + 20
    while carol.membership(dm, bot.user_id) != "join":
        assert time.monotonic() < deadline, "the bot did not accept carol's direct chat"
        time.sleep(0.5)
    carol.catch_up()
    note = "tired-" + os.urandom(3).hex()
    carol.send(dm, "!checkin low " + note)
    ev = said_in_dm(carol, bot.user_id, dm, "Thanks for telling me")
    assert ev["content"]["msgtype"] == "m.notice", "a reply to a command stays a notice"
    assert "(" + ROOM_NAME + ")" not in ev["content"]["body"], "one group: no label needed"
    assert tenddb.count(tend.db, "SELECT count(*) FROM checkins c JOIN members m ON m.id = c.member_id"
                    " JOIN groups g ON g.id = m.group_id WHERE c.note = ? AND g.key = ?",
                    note, "matrix:" + garden["room"]) == 1, "the check-in belongs to carol in the garden"
    carol.send(dm, "!me")
    ev = said_in_dm(carol, bot.user_id, dm, "last check-in")
    assert "last check-in: low" in ev["content"]["body"].lower()
    garden["carol_dm"] = dm


def test_a_member_of_several_groups_is_asked_which_and_can_name_it(users, garden, tend):
    bob, bot = users["bob"], users["bot"]
    dm = dm_of(bob, bot, garden["room"])
    note = "weary-" + os.urandom(3).hex()
    bob.catch_up()
    bob.send(dm, "!checkin low " + note)
    ev = said_in_dm(bob, bot.user_id, dm, "more than one group")
    assert '"%s"' % ROOM_NAME in ev["content"]["body"] and '"check-ins"' in ev["content"]["body"]
    assert not tenddb.has_text(tend.db, note), "nothing is recorded until bob says which group"
    bob.catch_up()
    bob.send(dm, '!checkin low %s group:"%s"' % (note, ROOM_NAME))
    ev = said_in_dm(bob, bot.user_id, dm, "Thanks for telling me")
    assert ev["content"]["body"].startswith("(%s) " % ROOM_NAME), "a member of two groups is told which"
    assert tenddb.count(tend.db, "SELECT count(*) FROM checkins c JOIN members m ON m.id = c.member_id"
                    " JOIN groups g ON g.id = m.group_id WHERE c.note = ? AND g.key = ?",
                    note, "matrix:" + garden["room"]) == 1
    bob.catch_up()
    bob.send(dm, "!me group:nowhere-at-all")
    ev = said_in_dm(bob, bot.user_id, dm, "nowhere-at-all")
    assert "don't know a group" in ev["content"]["body"]


def test_the_adapters_own_words_are_in_each_readers_language(users, garden):
    """What the Matrix adapter says itself (not a command's answer) is in its reader's language: a
    notice in the room in the group's (Spanish here), a question in bob's direct chat in his own
    (German, chosen with !profile). Both are put back to English after, for the tests that follow."""
    from test_matrix_relations import send_content
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    room = garden["room"]
    ask(alice, bot, room, "!setup language:es")
    alice.catch_up()
    original = alice.send(room, '!task add "Sopa"')
    alice.wait_for(notice_from(bot.user_id, room, "Sopa", reply_to=original), 20, "the task's announcement")
    alice.catch_up()
    send_content(alice, room, {
        "msgtype": "m.text", "body": '* !task add "Sopa fría"',
        "m.new_content": {"msgtype": "m.text", "body": '!task add "Sopa fría"'},
        "m.relates_to": {"rel_type": "m.replace", "event_id": original}})
    _, said = alice.wait_for(notice_from(bot.user_id, room, reply_to=original, contains="editados"), 20,
                             "the word about edits, in Spanish")
    assert said["content"]["body"].startswith("No vuelvo a ejecutar comandos editados"), said["content"]
    # bob is in two groups; he reads German in both, whatever the garden speaks
    dm = dm_of(bob, bot, room)
    for group in (ROOM_NAME, "check-ins"):
        bob.catch_up()
        bob.send(dm, '!profile language:de group:"%s"' % group)
        said_in_dm(bob, bot.user_id, dm, "Gespeichert")
    bob.catch_up()
    bob.send(dm, "!me")
    ev = said_in_dm(bob, bot.user_id, dm, "mehr als einer Gruppe")
    assert "Für welche ist das?" in ev["content"]["body"], ev["content"]
    ask(alice, bot, room, "!setup language:en")
    for group in (ROOM_NAME, "check-ins"):
        bob.catch_up()
        bob.send(dm, '!profile language:off group:"%s"' % group)
        said_in_dm(bob, bot.user_id, dm, "Saved")


def test_an_attention_dm_is_text_and_notifies(users, garden):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    room = garden["room"]
    _, ann, _ = ask(alice, bot, room, '!task add "Drive to the depot" slots:1')
    number = "".join(ch for ch in ann["content"]["body"].split("!claim ")[1] if ch.isdigit())
    ask(alice, bot, room, f"!claim {number}")
    where, ev, _ = ask(bob, bot, room, f"!claim {number}")
    assert "waitlist" in ev["content"]["body"]
    dm = where
    bob.sync(0)
    before = bob.notifications.get(dm, 0)
    bob.catch_up()
    ask(alice, bot, room, f"!unclaim {number}")
    ev = said_in_dm(bob, bot.user_id, dm, "spot opened up")
    assert ev["content"]["msgtype"] == "m.text", "a promotion asks for bob's attention: m.text"
    deadline = time.monotonic() + 10
    while bob.notifications.get(dm, 0) <= before and time.monotonic() < deadline:
        bob.sync(500)
    assert bob.notifications.get(dm, 0) > before, "the promotion must raise bob's notification count"


def test_a_direct_chat_left_is_replaced_at_most_once_a_day(users, garden, tend):
    bot, carol = users["bot"], garden["carol"]
    room = garden["room"]
    old = garden.get("carol_dm") or carol.create_dm(bot.user_id)
    time.sleep(1)
    carol.leave(old)
    deadline = time.monotonic() + 20
    while old in bot.api("GET", "/joined_rooms")["joined_rooms"]:
        assert time.monotonic() < deadline, "the bot stayed in the chat carol left"
        time.sleep(0.5)
    # the next private answer opens a new direct chat (carol's client accepts its invite)
    new, ev, _ = ask(carol, bot, room, "!help", timeout=30)
    assert new not in (room, old)
    assert "!claim" in ev["content"]["body"] or "!task" in ev["content"]["body"]
    # she leaves that one too: today there is no third
    carol.leave(new)
    deadline = time.monotonic() + 20
    while new in bot.api("GET", "/joined_rooms")["joined_rooms"]:
        assert time.monotonic() < deadline, "the bot stayed in the second chat carol left"
        time.sleep(0.5)
    invites = len(carol.invites)
    carol.catch_up()
    carol.send(room, "!help")
    time.sleep(6)
    carol.sync(0)
    assert len(carol.invites) == invites, "a second new direct chat in one day"
    assert not carol.bot_notices(bot.user_id), "nothing reached carol"
    assert "not opening a second direct chat today" in tend.log_text()


def test_a_third_person_in_a_direct_chat_ends_it(env, users, garden):
    """A member who brings someone into their direct chat with the bot makes it a room others read:
    the bot leaves it, and nothing private goes there any more."""
    alice, bot = users["alice"], users["bot"]
    room = garden["room"]
    dave = register(env, "dave" + os.urandom(3).hex())
    alice.invite(room, dave.user_id)
    dave.join(room)
    dm = dm_of(dave, bot, room)
    dave.invite(dm, alice.user_id)
    alice.join(dm)
    deadline = time.monotonic() + 20
    while dm in bot.api("GET", "/joined_rooms")["joined_rooms"]:
        assert time.monotonic() < deadline, "the bot stayed in a direct chat with a third person in it"
        time.sleep(0.5)
    alice.catch_up()
    ask_at = int(time.time() * 1000)
    dave.send(room, "!tasks mine")
    time.sleep(5)
    alice.sync(0)
    assert not [e for r, e in alice.events if r == dm and e.get("sender") == bot.user_id
                and e.get("origin_server_ts", 0) >= ask_at], "a private answer went where alice reads"
