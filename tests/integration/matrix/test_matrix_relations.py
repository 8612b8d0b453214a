"""Events that point at other events, against the real Synapse: a command typed in a thread is
answered in that thread, a ✅ taken back unclaims (for that member only), an edited command is not
run again and tend says so once."""
import os
import sys
import time
import urllib.parse
import uuid

import pytest
import requests

sys.path.insert(0, os.path.dirname(__file__))
from mxclient import notice_from  # noqa: E402

CHECK = "\u2705"


def q(s):
    return urllib.parse.quote(s, safe="")


def send_content(client, room, content):
    return client.api("PUT", f"/rooms/{q(room)}/send/m.room.message/{uuid.uuid4().hex}", content)["event_id"]


def redact(client, room, event_id):
    return client.api("PUT", f"/rooms/{q(room)}/redact/{q(event_id)}/{uuid.uuid4().hex}",
                      {"reason": "taken back"})["event_id"]


def from_bot(bot_id, room=None):
    def pred(room_id, ev):
        return ev.get("sender") == bot_id and ev.get("type") == "m.room.message" and \
            (room is None or room_id == room)
    return pred


def task_number(body):
    return "".join(ch for ch in body.split("!claim ")[1] if ch.isdigit())


def private_answer(client, bot_id, room, contains, timeout=20):
    """A word to the member outside the group room (their direct chat with the bot)."""
    return client.wait_for(lambda r, e: from_bot(bot_id)(r, e) and r != room and
                           contains in e["content"].get("body", ""), timeout, f"a private {contains!r}")


@pytest.fixture(scope="module")
def room(users, tend):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    for c in (alice, bob):
        c.catch_up()
    room = alice.create_room("relations", invite=[bob.user_id])
    bob.join(room)
    alice.set_power(room, bob.user_id, 0)
    alice.invite(room, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the bot's introduction")
    return room


def test_a_command_typed_in_a_thread_is_answered_in_that_thread(env, users, room):
    alice, bot = users["alice"], users["bot"]
    alice.catch_up()
    root = alice.send(room, "Planning the winter drive")
    cmd = send_content(alice, room, {
        "msgtype": "m.text", "body": '!task add "Thread soup"',
        # the way Element sends a message in a thread: the fallback reply points at the last event
        "m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
                         "m.in_reply_to": {"event_id": root}}})
    _, ann = alice.wait_for(lambda r, e: from_bot(bot.user_id, room)(r, e) and
                            "Thread soup" in e["content"]["body"], 20, "the answer to the threaded command")
    rel = ann["content"]["m.relates_to"]
    assert rel["rel_type"] == "m.thread" and rel["event_id"] == root, rel
    assert rel["m.in_reply_to"]["event_id"] == cmd, "it answers the command itself, inside the thread"
    assert rel.get("is_falling_back") is False
    # Synapse itself files it under the thread (what Element reads to draw the thread)
    r = requests.get(f"{env['url']}/_matrix/client/v1/rooms/{q(room)}/relations/{q(root)}/m.thread",
                     headers={"Authorization": "Bearer " + alice.token}, timeout=10)
    r.raise_for_status()
    assert ann["event_id"] in [e["event_id"] for e in r.json()["chunk"]]
    # a command in the main timeline still answers there, with no thread
    alice.catch_up()
    plain = alice.send(room, '!task add "Timeline soup"')
    _, ev = alice.wait_for(notice_from(bot.user_id, room, reply_to=plain), 20, "a plain answer")
    assert ev["content"]["m.relates_to"].get("rel_type") is None


def test_taking_back_a_check_unclaims_for_that_member_only(users, room):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    alice.catch_up()
    bob.catch_up()
    alice.send(room, '!task add "Return the van" slots:2')
    _, ann = alice.wait_for(lambda r, e: from_bot(bot.user_id, room)(r, e) and
                            "Return the van" in e["content"]["body"], 20, "the announcement")
    number = task_number(ann["content"]["body"])
    alice.wait_for(lambda r, e: e.get("type") == "m.reaction" and e.get("sender") == bot.user_id
                   and e["content"]["m.relates_to"]["event_id"] == ann["event_id"], 20, "the bot's ✅")
    # alice claims by command, bob by ✅
    alice.send(room, f"!claim {number}")
    alice.wait_for(lambda r, e: from_bot(bot.user_id)(r, e) and "yours" in e["content"]["body"], 20,
                   "alice's claim")
    reaction = bob.react(room, ann["event_id"], CHECK)
    bob.wait_for(lambda r, e: from_bot(bot.user_id)(r, e) and "yours" in e["content"]["body"]
                 and f"#{number}" in e["content"]["body"], 20, "bob's claim by reaction")

    # a moderator tidying reactions away takes back nobody's claim
    redact(alice, room, reaction)
    bob.catch_up()
    bob.send(room, "!tasks mine")
    _, mine = bob.wait_for(lambda r, e: from_bot(bot.user_id)(r, e) and "Your tasks" in e["content"]["body"],
                           20, "bob's board")
    assert "Return the van" in mine["content"]["body"], "alice's redaction must not unclaim bob"

    # bob's own "undo": he reacts again and takes it back himself
    reaction = bob.react(room, ann["event_id"], CHECK)
    time.sleep(1)
    bob.catch_up()
    redact(bob, room, reaction)
    private_answer(bob, bot.user_id, room, f"#{number} is back on the board")
    bob.catch_up()
    bob.send(room, "!tasks mine")
    _, mine = bob.wait_for(lambda r, e: from_bot(bot.user_id)(r, e) and
                           ("Your tasks" in e["content"]["body"] or "not holding" in e["content"]["body"]),
                           20, "bob's board after his undo")
    assert "Return the van" not in mine["content"]["body"], "bob's ✅ taken back must unclaim him"
    # alice still holds her slot
    alice.catch_up()
    alice.send(room, "!tasks mine")
    _, hers = alice.wait_for(lambda r, e: from_bot(bot.user_id)(r, e) and "Your tasks" in e["content"]["body"],
                             20, "alice's board")
    assert "Return the van" in hers["content"]["body"]


def test_an_edited_command_is_not_run_again_and_said_once(users, room):
    alice, bot = users["alice"], users["bot"]
    alice.catch_up()
    original = alice.send(room, '!task add "Edit me"')
    alice.wait_for(notice_from(bot.user_id, room, "Edit me", reply_to=original), 20, "the first run")
    alice.catch_up()

    def edit(body):
        return send_content(alice, room, {
            "msgtype": "m.text", "body": body,
            "m.new_content": {"msgtype": "m.text", "body": '!task add "Edited soup"'},
            "m.relates_to": {"rel_type": "m.replace", "event_id": original}})

    edit('* !task add "Edited soup"')          # Element's way
    _, said = alice.wait_for(notice_from(bot.user_id, room, reply_to=original), 20, "the word about edits")
    assert "edited" in said["content"]["body"] and "new message" in said["content"]["body"]
    assert said["content"]["msgtype"] == "m.notice"
    edit('!task add "Edited soup"')            # a client without the "* " fallback: still not run
    probe = alice.send(room, '!task add "Probe"')  # answered after both edits were handled
    alice.wait_for(notice_from(bot.user_id, room, reply_to=probe), 20, "the probe's answer")
    alice.sync(0)
    bot_bodies = [e["content"]["body"] for _, e in alice.bot_notices(bot.user_id)]
    assert not any("Edited soup" in b for b in bot_bodies), "an edit ran a command"
    assert sum("edited" in b for b in bot_bodies) == 1, "said once per edited command"
