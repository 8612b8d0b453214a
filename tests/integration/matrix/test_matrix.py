"""tend against a real Synapse: the humans type commands, react and read replies in their own /sync."""
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest import record  # noqa: E402
from mxclient import Tend, database, notice_from, register  # noqa: E402

CHECK = "\u2705"


def synapse_ctl(env, action):
    ctl = os.path.join(os.path.dirname(__file__), "synapse_ctl.py")
    subprocess.run([sys.executable, ctl, action, env["dir"]], check=True)


def is_welcome(ev):
    """A member's one-time welcome, sent with the answer to their first command in a group (for a
    member of several groups a private message starts with the group's name)."""
    return "Welcome! I'm tend" in ev.get("content", {}).get("body", "")


def answer_to(client, bot_id, room, event_id, sent_at, timeout=20):
    """The bot's answer to a command: a reply to it in the room, or a message in a DM room."""
    def pred(room_id, ev):
        if ev.get("sender") != bot_id or ev.get("type") != "m.room.message" or is_welcome(ev):
            return False
        if room_id == room:
            rel = ev["content"].get("m.relates_to", {}).get("m.in_reply_to", {})
            return rel.get("event_id") == event_id
        return ev.get("origin_server_ts", 0) >= sent_at - 100
    room_id, ev = client.wait_for(pred, timeout, f"an answer to {event_id}")
    return room_id, ev


def ask(client, bot, room, text, html=None, timeout=20):
    client.catch_up()
    t0 = time.monotonic()
    sent_at = int(time.time() * 1000)
    event_id = client.send(room, text, html)
    room_id, ev = answer_to(client, bot.user_id, room, event_id, sent_at, timeout)
    record("reply_ms", (time.monotonic() - t0) * 1000)
    return room_id, ev, event_id


def check_notice_shape(ev, mentioned=()):
    c = ev["content"]
    assert c["msgtype"] == "m.notice"
    assert c["format"] == "org.matrix.custom.html"
    assert "formatted_body" in c
    assert "m.mentions" in c, "m.mentions must always be present"
    assert sorted(c["m.mentions"].get("user_ids", [])) == sorted(mentioned)
    assert "room" not in c["m.mentions"]


@pytest.fixture(scope="module")
def room(env, users, tend):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    for c in (alice, bob):
        c.catch_up()
    room = alice.create_room("soup kitchen", invite=[bob.user_id])
    bob.join(room)
    alice.set_power(room, bob.user_id, 0)
    alice.invite(room, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the bot's introduction")
    return room


def test_invite_is_accepted_and_the_bot_introduces_itself_once(users, room):
    alice, bot = users["alice"], users["bot"]
    intros = [e for r, e in alice.bot_notices(bot.user_id, room) if "I'm tend" in e["content"]["body"]]
    assert len(intros) == 1
    check_notice_shape(intros[0])
    assert "!help" in intros[0]["content"]["body"]


def test_help_is_answered_privately_in_a_direct_room(users, room):
    alice, bot = users["alice"], users["bot"]
    room_id, ev, cmd = ask(alice, bot, room, "!help")
    assert room_id != room, "help is a private answer: it goes to a DM room"
    check_notice_shape(ev)
    assert "!claim" in ev["content"]["body"] or "!task" in ev["content"]["body"]
    assert "/claim" not in ev["content"]["body"]
    # the DM room was made as a direct chat: alice's membership event says so
    me = alice.api("GET", f"/rooms/{room_id}/state/m.room.member/{alice.user_id}")
    assert me["membership"] == "join"
    create = [e for r, e in alice.events if r == room_id and e.get("type") == "m.room.member"
              and e.get("state_key") == alice.user_id and e["content"].get("membership") == "invite"]
    assert not create or create[0]["content"].get("is_direct") is True


def test_unknown_command_gets_one_line_and_notices_are_ignored(users, room):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    room_id, ev, _ = ask(bob, bot, room, "!frobnicate 12")
    assert "!frobnicate" in ev["content"]["body"]
    # another bot's m.notice that looks like a command gets no answer, and neither does chat
    bob.catch_up()
    notice = bob.send(room, "!help", msgtype="m.notice")
    chat = bob.send(room, "lunch at noon?")
    help_id = bob.send(room, "/help")  # "/name" typed as text works too
    answer_to(bob, bot.user_id, room, help_id, 0)
    time.sleep(1.5)
    bob.sync(0)
    answered = [e["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
                for _, e in bob.bot_notices(bot.user_id) if not is_welcome(e)]
    assert notice not in answered and chat not in answered
    assert len(answered) == 1, "one answer, to /help only"


def test_a_first_command_in_a_group_brings_one_private_welcome(users, tend):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    alice.catch_up()
    fresh = alice.create_room("garden group", invite=[bob.user_id])
    bob.join(fresh)
    alice.invite(fresh, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, fresh, "I'm tend"), 30, "the bot's introduction")
    bob.catch_up()
    ask(bob, bot, fresh, "!tasks")
    where, welcome = bob.wait_for(lambda r, e: e.get("sender") == bot.user_id and is_welcome(e), 20,
                                  "bob's welcome")
    assert where != fresh, "the welcome is private: bob's DM room"
    check_notice_shape(welcome)
    assert "!claim" in welcome["content"]["body"] and "!help" in welcome["content"]["body"]
    bob.catch_up()
    ask(bob, bot, fresh, "!me")
    time.sleep(1.5)
    bob.sync(0)
    assert not any(is_welcome(e) for _, e in bob.bot_notices(bot.user_id)), "once"


def test_task_flow_claim_by_reaction_done_stepback_thanks(users, room):
    alice, bob, bot = users["alice"], users["bob"], users["bot"]
    # a coordinator posts a task; the title's "@room" must ping nobody
    _, ann, _ = ask(alice, bot, room, '!task add "Soup run @room" slots:2')
    assert "Soup run" in ann["content"]["body"]
    check_notice_shape(ann)
    assert "<" not in ann["content"]["body"]
    # the bot offers the claim as a ✅ reaction on its announcement
    alice.wait_for(lambda r, e: e.get("type") == "m.reaction" and e.get("sender") == bot.user_id
                   and e["content"]["m.relates_to"]["event_id"] == ann["event_id"]
                   and e["content"]["m.relates_to"]["key"] == CHECK, 20, "the bot's ✅ reaction")
    highlighted = bob.api("GET", "/notifications", params={"only": "highlight"})["notifications"]
    assert ann["event_id"] not in [n["event"]["event_id"] for n in highlighted], \
        "a title with @room must not highlight anyone"
    # bob reacts ✅: that claims it as bob
    bob.catch_up()
    sent_at = int(time.time() * 1000)
    bob.react(room, ann["event_id"], CHECK)
    _, claimed = answer_to(bob, bot.user_id, room, ann["event_id"], sent_at)
    assert "yours" in claimed["content"]["body"] or "Soup run" in claimed["content"]["body"]
    number = "".join(ch for ch in ann["content"]["body"].split("!claim ")[1] if ch.isdigit())
    assert number
    # alice claims by command too (2 slots)
    _, ev, _ = ask(alice, bot, room, f"!claim {number}")
    assert "yours" in ev["content"]["body"]
    # bob finishes it
    _, ev, _ = ask(bob, bot, room, f"!done {number}")
    assert ev["content"]["body"]
    # a rest is private: typed in the room it records nothing and alice hears so in her DM room
    where, ev, _ = ask(alice, bot, room, "!stepback 1w")
    assert where != room, "the word about it goes to a DM room"
    assert "just between you and me" in ev["content"]["body"]
    dm = alice.api("GET", f"/rooms/{where}/state/m.room.member/{bot.user_id}")
    assert dm.get("membership") == "join"
    # from the DM room it works (alice is in more than one group, so she names this one)
    alice.catch_up()
    alice.send(where, '!stepback 1w group:"soup kitchen"')
    _, ev = alice.wait_for(notice_from(bot.user_id, where, "Rest well"), 20, "the rest, in the DM room")
    check_notice_shape(ev)
    # bob thanks alice with a pill: alice is mentioned, nobody else
    pill = f'<a href="https://matrix.to/#/{alice.user_id}">Alice</a>'
    _, ev, _ = ask(bob, bot, room, "!thanks Alice for the soup", html=f"!thanks {pill} for the soup")
    check_notice_shape(ev, mentioned=[alice.user_id])
    assert f"https://matrix.to/#/{alice.user_id}" in ev["content"]["formatted_body"]
    assert "for the soup" in ev["content"]["body"]
    # the same DM room is reused for the next private answer
    where2, ev, _ = ask(alice, bot, room, "!tasks mine")
    assert where2 == where
    alice.catch_up()
    alice.send(where, '!back group:"soup kitchen"')
    alice.wait_for(notice_from(bot.user_id, where, "Welcome back"), 20, "the end of the rest")


def test_html_in_member_text_is_escaped(users, room):
    alice, bot = users["alice"], users["bot"]
    _, ann, _ = ask(alice, bot, room, '!task add "<b>bold</b> & co"')
    html = ann["content"]["formatted_body"]
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp; co" in html


def test_restart_between_commands_neither_replays_nor_misses(users, room, tend):
    alice, bot = users["alice"], users["bot"]
    ask(alice, bot, room, "!tasks")
    tend.stop()
    alice.catch_up()
    missed = alice.send(room, "!tasks mine")  # typed while tend is down
    tend.start()
    _, ev = answer_to(alice, bot.user_id, room, missed, 0, timeout=30)
    time.sleep(3)
    alice.sync(0)
    answers = [e for _, e in alice.bot_notices(bot.user_id)]
    assert len(answers) == 1, "exactly one answer after the restart: no replay of older commands"


def test_kill_9_in_a_burst_every_command_answered_exactly_once(users, room, tend):
    """The outbox across a crash: eight commands, tend killed -9 as the first answer appears; after
    the restart each command is answered once (a resend keeps its txn id, so Synapse keeps one)."""
    alice, bot = users["alice"], users["bot"]
    alice.catch_up()
    ids = [alice.send(room, '!task add "Burst %d qz9"' % i) for i in range(8)]
    alice.wait_for(lambda r, ev: ev.get("sender") == bot.user_id and "qz9" in ev.get("content", {}).get("body", ""),
                   30, "a first answer")
    tend.proc.kill()
    tend.proc.wait()
    tend.proc = None
    tend.start()
    for i in ids:
        answer_to(alice, bot.user_id, room, i, 0, timeout=60)
    time.sleep(3)
    alice.sync(0)
    replies = [e["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
               for _, e in alice.bot_notices(bot.user_id, room) if "qz9" in e["content"].get("body", "")]
    assert sorted(replies) == sorted(ids), "each command answered exactly once: %s" % replies
    record("burst_kill_answered", len(set(replies)))


def test_homeserver_restart_recovers(env, users, room, tend):
    alice, bot = users["alice"], users["bot"]
    synapse_ctl(env, "stop")
    time.sleep(2)
    t0 = time.monotonic()
    synapse_ctl(env, "start")
    deadline = time.monotonic() + 60
    while True:
        try:
            ask(alice, bot, room, "!tasks", timeout=10)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    record("recovery_s_after_homeserver_restart", time.monotonic() - t0)
    assert tend.alive()


def test_low_rate_limit_every_command_answered_once(env, users, room):
    alice, bot = users["alice"], users["bot"]
    import requests
    r = requests.post(f"{env['url']}/_synapse/admin/v1/users/{bot.user_id}/override_ratelimit",
                      json={"messages_per_second": 1, "burst_count": 1},
                      headers={"Authorization": "Bearer " + alice.token}, timeout=10)
    r.raise_for_status()
    try:
        alice.catch_up()
        ids = [alice.send(room, f'!task add "Rate {i}"') for i in range(5)]
        for i in ids:
            answer_to(alice, bot.user_id, room, i, 0, timeout=60)
        time.sleep(2)
        alice.sync(0)
        replies = [e["content"]["m.relates_to"]["m.in_reply_to"]["event_id"]
                   for _, e in alice.bot_notices(bot.user_id, room)]
        assert sorted(replies) == sorted(ids), "each command answered exactly once"
    finally:
        requests.delete(f"{env['url']}/_synapse/admin/v1/users/{bot.user_id}/override_ratelimit",
                        headers={"Authorization": "Bearer " + alice.token}, timeout=10)


def test_invite_from_a_disallowed_user_is_declined(users, tend):
    bob, bot = users["bob"], users["bot"]
    other = bob.create_room("bob's own")
    bob.invite(other, bot.user_id)
    deadline = time.monotonic() + 20
    while bob.membership(other, bot.user_id) == "invite" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert bob.membership(other, bot.user_id) == "leave", \
        "an invite the bot will not serve is declined, not left hanging"
    assert other not in bot.api("GET", "/joined_rooms")["joined_rooms"]
    assert tend.alive()


def build_has_e2ee():
    out = subprocess.run([os.environ["TEND_BIN"], "--version"], capture_output=True, text=True).stdout
    return "encryption: yes" in out


def test_encrypted_room_gets_the_plain_notice(users, room):
    alice, bot = users["alice"], users["bot"]
    alice.catch_up()
    enc = alice.create_room("secret", encrypted=True)
    alice.invite(enc, bot.user_id)
    if build_has_e2ee():
        # the bot reads and answers encrypted rooms (test_matrix_e2ee.py): to this client, which
        # holds no keys, everything it says there is ciphertext, even to a command sent in clear
        alice.wait_for(lambda r, e: r == enc and e.get("sender") == bot.user_id
                       and e.get("type") == "m.room.encrypted", 30, "the bot's encrypted introduction")
        alice.send(enc, "!task add Secret plan")
        alice.wait_for(lambda r, e: r == enc and e.get("sender") == bot.user_id and e.get("type") ==
                       "m.room.encrypted" and "m.in_reply_to" in e["content"].get("m.relates_to", {}),
                       30, "the bot's encrypted answer")
        assert not alice.bot_notices(bot.user_id, enc), "the bot said something in clear there"
        alice.leave(enc)  # her later direct chats stay plain, as this client cannot read others
        return
    _, ev = alice.wait_for(notice_from(bot.user_id, enc), 30, "the encrypted-room notice")
    assert "encrypt" in ev["content"]["body"]
    assert "invite me" in ev["content"]["body"]
    time.sleep(2)
    alice.sync(0)
    assert len(alice.bot_notices(bot.user_id, enc)) == 1, "said once"
    # a command sent unencrypted into the encrypted room (a client that does not encrypt) is not
    # run: the new task would be announced in plain text where members expect encryption
    sent_at = int(time.time() * 1000)
    alice.send(enc, "!task add Secret plan")
    help_id = alice.send(room, "!help")  # after it in the same stream: once this is answered, so was that
    answer_to(alice, bot.user_id, room, help_id, sent_at)
    time.sleep(1.5)
    alice.sync(0)
    said = [e["content"]["body"] for _, e in alice.bot_notices(bot.user_id, enc)]
    assert len(said) == 1 and "Secret plan" not in said[0], said


def test_bad_token_stops_with_one_clear_line(env, users, workdir):
    t = Tend(os.environ["TEND_BIN"], env, users["bot"], database(workdir, "bad"),
             os.path.join(workdir, "bad.log"))
    t.token = "syt_not_a_real_token"
    t.start()
    rc = t.proc.wait(20)
    log = t.log_text()
    assert rc != 0
    assert "refused the access token" in log
    assert "syt_not_a_real_token" not in log, "the token must never reach the log"


def test_password_is_exchanged_once_and_the_token_kept(env, users, workdir):
    alice = users["alice"]
    bot2 = register(env, "pwbot" + os.urandom(3).hex())
    db, log = database(workdir, "pw"), os.path.join(workdir, "pw.log")
    t = Tend(os.environ["TEND_BIN"], env, bot2, db, log)
    t.token, t.password = None, bot2.password
    t.start()
    try:
        alice.catch_up()
        r = alice.create_room("password bot")
        alice.invite(r, bot2.user_id)
        alice.wait_for(notice_from(bot2.user_id, r, "I'm tend"), 30, "the password bot's hello")
    finally:
        t.stop()
        print(t.log_text())
    # a second start with a wrong password still works: the kept token is used, no new login
    t.password = "wrong"
    t.start()
    try:
        _, ev, _ = ask(alice, bot2, r, '!task add "kept token"')
        assert "kept token" in ev["content"]["body"]
    finally:
        t.stop()
    assert bot2.password not in t.log_text()
