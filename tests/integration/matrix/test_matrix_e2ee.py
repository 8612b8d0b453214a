"""End-to-end encryption against the real Synapse (issue 20), run only by builds with encryption
(ctest: integration.matrix.e2ee; the plain suite leaves this file out).

Step 1, the bot's device: its identity keys are on the server signed by itself, its one-time keys
can be claimed (signed) and are replenished when used up, a fallback key stands in meanwhile, and
a restart brings back the same identity from the store, whose pickles are encrypted with a key
file made 0600 that never reaches the log."""
import os
import sqlite3
import stat
import time

import pytest
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import verify_signed_json

from mxclient import Tend, register, stop_and_keep_log

ALG = "signed_curve25519"


@pytest.fixture(scope="module")
def e2ee_bot(env, workdir):
    binary = os.environ["TEND_BIN"]
    bot = register(env, f"tendcrypt{os.urandom(3).hex()}")
    db = os.path.join(workdir, "e2ee.db")
    t = Tend(binary, env, bot, db, os.path.join(workdir, "e2ee.log")).start()
    yield {"tend": t, "user": bot, "db": db}
    stop_and_keep_log(t, bot, os.environ.get("TEND_MATRIX_E2EE_LOG"))


def device_of(client, user_id, timeout=20):
    """The bot's one device as /keys/query shows it, once it has uploaded its keys."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        devices = client.api("POST", "/keys/query", {"device_keys": {user_id: []}})["device_keys"].get(user_id, {})
        if devices:
            assert len(devices) == 1, devices
            return next(iter(devices.values()))
        time.sleep(0.3)
    raise AssertionError(f"{user_id} published no device keys within {timeout} s")


def verify(obj, user_id, device_id, ed25519):
    verify_signed_json(obj, user_id, decode_verify_key_bytes(f"ed25519:{device_id}",
                                                             _unb64(ed25519)))


def _unb64(s):
    import base64
    return base64.b64decode(s + "=" * (-len(s) % 4))


def claim(client, user_id, device_id):
    keys = client.api("POST", "/keys/claim", {"one_time_keys": {user_id: {device_id: ALG}}})
    got = keys["one_time_keys"].get(user_id, {}).get(device_id, {})
    assert len(got) == 1, keys
    return next(iter(got.items()))


def test_device_keys_signed_uploaded_and_kept_across_a_restart(e2ee_bot, users, env, workdir):
    alice, bot, t = users["alice"], e2ee_bot["user"], e2ee_bot["tend"]
    dev = device_of(alice, bot.user_id)
    device_id = dev["device_id"]
    ed = dev["keys"][f"ed25519:{device_id}"]
    curve = dev["keys"][f"curve25519:{device_id}"]
    assert dev["user_id"] == bot.user_id
    assert set(dev["algorithms"]) >= {"m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"}
    verify(dev, bot.user_id, device_id, ed)  # raises when the signature does not hold

    # one-time keys: each claimed one is signed by the device; used up, the fallback key answers,
    # and the bot uploads new ones after its next sync
    seen, fallback = set(), None
    for _ in range(200):
        key_id, key = claim(alice, bot.user_id, device_id)
        verify(key, bot.user_id, device_id, ed)
        if key.get("fallback"):
            fallback = key_id
            break
        assert key_id not in seen
        seen.add(key_id)
    assert fallback, "the one-time keys never ran out into the fallback key"
    assert len(seen) >= 10, f"only {len(seen)} one-time keys were published"
    # a message in a room the bot is in wakes its long-poll; without one it still syncs in 30 s
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        key_id, key = claim(alice, bot.user_id, device_id)
        if not key.get("fallback"):
            verify(key, bot.user_id, device_id, ed)
            assert key_id not in seen
            break
        time.sleep(1)
    else:
        raise AssertionError("the bot did not replenish its one-time keys")

    # the same identity after a restart: from the store, not made anew
    t.stop()
    t.start()
    time.sleep(1.5)
    assert t.alive()
    again = device_of(alice, bot.user_id)
    assert again["keys"] == dev["keys"]
    log = t.log_text()
    assert log.count("made new encryption keys") == 1, "the restart made a second identity"

    # the pickle key file: made once, 0600, never in the log; the store's pickle reveals no key
    key_file = e2ee_bot["db"] + ".pickle-key"
    st = os.stat(key_file)
    assert stat.S_IMODE(st.st_mode) == 0o600
    with open(key_file) as f:
        secret = f.read().strip()
    assert len(secret) == 64 and secret not in log
    con = sqlite3.connect(e2ee_bot["db"])
    rows = con.execute("SELECT kind, id, pickle FROM crypto_state WHERE platform = 'matrix'").fetchall()
    con.close()
    assert ("account", device_id) in [(k, i) for k, i, _ in rows]
    for _, _, pickle in rows:
        assert curve not in pickle and ed not in pickle and "curve25519" not in pickle


# ---------------------------------------------------------------- steps 2 and 3: a whole flow

from conftest import record  # noqa: E402
from e2eeclient import Human, from_bot  # noqa: E402

CHECK = "\u2705"


@pytest.fixture(scope="module")
def humans(env, workdir):
    tag = os.urandom(3).hex()
    made = {}
    for name in ("ann", "ben"):
        plain = register(env, f"{name}{tag}")
        store = os.path.join(workdir, f"nio-{name}")
        os.makedirs(store)
        made[name] = Human(env["url"], plain.user_id, plain.password, store)
        made[name + "_plain"] = plain
    yield made
    for name in ("ann", "ben"):
        made[name].close()


def bot_said(human, bot_id, room, cmd, sent_at=0, timeout=40):
    """The bot's answer to event cmd, as the human's client decrypted it: a reply in the room, or
    (a private answer) a message in the human's direct chat with the bot, which is encrypted too."""
    def pred(room_id, ev):
        if ev.get("sender") != bot_id or ev.get("type") != "m.room.message":
            return False
        body = ev.get("content", {}).get("body", "")
        if room_id == room:
            return ev["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == cmd
        return ev.get("origin_server_ts", 0) >= sent_at - 100 and "Welcome! I'm tend" not in body
    _, ev = human.wait_for(pred, timeout, f"the bot's answer to {cmd}")
    assert ev["_decrypted"], "the bot answered in clear"
    return ev


def ask(human, bot_id, room, text, html=None):
    human.catch_up()
    t0 = time.monotonic()
    sent_at = int(time.time() * 1000)
    cmd = human.send(room, text, html)
    ev = bot_said(human, bot_id, room, cmd, sent_at)
    record("e2ee_reply_ms", (time.monotonic() - t0) * 1000)
    return ev


def wire_events(plain, room):
    """The room's events as the homeserver holds them (what anyone without the keys sees)."""
    out, frm = [], None
    for _ in range(20):
        params = {"dir": "b", "limit": "100"}
        if frm:
            params["from"] = frm
        page = plain.api("GET", f"/rooms/{room}/messages", params=params)
        out += page.get("chunk", [])
        frm = page.get("end")
        if not frm or not page.get("chunk"):
            break
    return out


def test_a_whole_flow_in_an_encrypted_room_with_a_restart(e2ee_bot, humans, env):
    ann, ben, bot, t = humans["ann"], humans["ben"], e2ee_bot["user"], e2ee_bot["tend"]
    tag = os.urandom(4).hex()  # words no other test writes, to look for in Synapse's database
    room = ann.create_room(f"soup kitchen {tag}", invite=[ben.user_id, bot.user_id])
    ben.join(room)
    _, intro = ann.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")
    assert intro["_decrypted"] and intro["_verified"] is not None

    # a task posted, claimed by a reaction, done and thanked: every word encrypted both ways
    ann_post = ask(ann, bot.user_id, room, f'!task add "Soup run {tag}"')
    assert f"Soup run {tag}" in ann_post["content"]["body"]
    ann.wait_for(lambda r, e: r == room and e.get("sender") == bot.user_id and e.get("type") == "m.reaction"
                 and e["content"].get("m.relates_to", {}).get("event_id") == ann_post["event_id"]
                 and e["_decrypted"], 30, "the bot's encrypted ✅ offer")
    number = "".join(ch for ch in ann_post["content"]["body"].split("!claim ")[1] if ch.isdigit())
    ben.catch_up()
    sent_at = int(time.time() * 1000)
    ben.react(room, ann_post["event_id"], CHECK)
    claimed = bot_said(ben, bot.user_id, room, ann_post["event_id"], sent_at)
    assert "yours" in claimed["content"]["body"] or "Soup run" in claimed["content"]["body"]
    done = ask(ben, bot.user_id, room, f"!done {number}")
    assert done["content"]["body"]
    pill = f'<a href="https://matrix.to/#/{ben.user_id}">Ben</a>'
    thanks = ask(ann, bot.user_id, room, f"!thanks Ben for the soup {tag}", html=f"!thanks {pill} for the soup {tag}")
    assert f"for the soup {tag}" in thanks["content"]["body"]
    assert thanks["content"]["m.mentions"]["user_ids"] == [ben.user_id]

    # a check-in in an encrypted direct chat ben opens the way Element does
    dm = ben.create_room(None, invite=[bot.user_id], direct=True)
    deadline = time.monotonic() + 30
    while humans["ben_plain"].membership(dm, bot.user_id) != "join" and time.monotonic() < deadline:
        time.sleep(0.3)
    ben.catch_up()
    cmd = ben.send(dm, "!checkin ok")
    _, ev = ben.wait_for(lambda r, e: r == dm and e.get("sender") == bot.user_id
                         and "checking in" in e.get("content", {}).get("body", ""), 40, "the check-in's thanks")
    assert ev["_decrypted"]

    # the bot restarts: the same identity, and the same room key (its session came from the store)
    def bot_sessions():
        return {e["content"].get("session_id") for e in wire_events(humans["ann_plain"], room)
                if e.get("sender") == bot.user_id and e.get("type") == "m.room.encrypted"}
    before = bot_sessions()
    t.stop()
    t.start()
    after_restart = ask(ann, bot.user_id, room, "!tasks")
    assert "Soup run" in after_restart["content"]["body"] or after_restart["content"]["body"]
    assert bot_sessions() == before, "a restart made a new room key instead of keeping the stored one"
    assert t.log_text().count("made new encryption keys") == 1

    # what the server holds: every message and reaction in the room encrypted, by everyone
    wire = wire_events(humans["ann_plain"], room)
    clear = [e for e in wire if e.get("type") in ("m.room.message", "m.reaction")]
    assert not clear, f"events in clear in the encrypted room: {clear}"
    mine = [e for e in wire if e.get("sender") == bot.user_id and e.get("type") == "m.room.encrypted"]
    assert len(mine) >= 5  # the introduction, the task, its ✅, the answers to done and thanks
    assert not ann.undecrypted and not ben.undecrypted, "a human could not decrypt an event"
    dm_wire = wire_events(humans["ben_plain"], dm)
    assert not [e for e in dm_wire if e.get("type") in ("m.room.message", "m.reaction")]

    # the flow as the humans' clients decrypted it, for the record (ctest keeps it beside the log)
    log = os.environ.get("TEND_MATRIX_E2EE_LOG")
    if log:
        names = {ann.user_id: "ann", ben.user_id: "ben", bot.user_id: "tend"}
        with open(log + ".transcript", "w") as f:
            for who, human, where in (("ann", ann, room), ("ben", ben, dm)):
                for r, e in human.seen:
                    if r != where:
                        continue
                    c = e.get("content", {})
                    text = c.get("body") or c.get("m.relates_to", {}).get("key", "")
                    f.write(f"{who}'s client | {'room' if r == room else 'dm'} | {names.get(e.get('sender'), '?')} | "
                            f"{e.get('type')} | {'decrypted' if e['_decrypted'] else 'CLEAR'} | "
                            f"{text.splitlines()[0] if text else ''}\n")

    # and Synapse's own database holds none of the words
    con = sqlite3.connect(f"file:{os.path.join(env['dir'], 'homeserver.db')}?mode=ro", uri=True)
    try:
        def hits(table, column, words):
            return con.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE ?", (f"%{words}%",)).fetchone()[0]
        # the room's name is state, in clear by Matrix's design: the search does find words
        assert hits("event_json", "json", f"soup kitchen {tag}") > 0
        for words in (f"Soup run {tag}", f"for the soup {tag}"):
            for table, column in (("event_json", "json"), ("event_search", "value")):
                assert hits(table, column, words) == 0, f"{words!r} is in Synapse's {table} in clear"
    finally:
        con.close()


def test_a_late_joiner_reads_on_and_a_leaver_causes_a_new_room_key(e2ee_bot, humans, env, workdir):
    ann, ben, bot = humans["ann"], humans["ben"], e2ee_bot["user"]
    room = ann.create_room("bike repairs", invite=[ben.user_id, bot.user_id])
    ben.join(room)
    ann.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")
    ask(ann, bot.user_id, room, '!task add "Fix the trailer"')

    def bot_session():
        wire = wire_events(humans["ann_plain"], room)
        return [e["content"]["session_id"] for e in wire
                if e.get("sender") == bot.user_id and e.get("type") == "m.room.encrypted"][0]
    first = bot_session()

    # cal joins later: the bot's next words reach cal's device too
    plain = register(env, f"cal{os.urandom(3).hex()}")
    store = os.path.join(workdir, "nio-cal")
    os.makedirs(store)
    cal = Human(env["url"], plain.user_id, plain.password, store)
    try:
        ann.invite(room, cal.user_id)
        cal.join(room)
        cal.catch_up()
        ask(ann, bot.user_id, room, '!task add "Oil the chain"')
        _, seen = cal.wait_for(from_bot(bot.user_id, room, "Oil the chain"), 40, "the bot's post, read by the late joiner")
        assert seen["_decrypted"]
        assert bot_session() == first, "a member joining needs no new room key"
    finally:
        cal.close()

    # ben leaves: what the bot says next is under a room key ben never had
    ben.leave(room)
    time.sleep(1)
    ask(ann, bot.user_id, room, '!task add "Patch the tyre"')
    assert bot_session() != first, "the room key did not change when a member left"


def test_a_message_whose_key_never_comes_gets_one_notice_also_after_a_restart(e2ee_bot, humans):
    ann, ben, bot = humans["ann"], humans["ben"], e2ee_bot["user"]
    room = ann.create_room("withheld", invite=[ben.user_id, bot.user_id])
    ben.join(room)
    ann.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")
    # ben's client keeps its room key from the bot's device (blacklisted), as a client does for a
    # device it does not trust: the bot holds the message, asks for the key, and after a minute says so
    ben.sync(0)
    ben.run(ben.nio.joined_members(room))
    ben._keys()
    for device in ben.nio.device_store.active_user_devices(bot.user_id):
        ben.nio.blacklist_device(device)
    ben.catch_up()
    holds = e2ee_bot["tend"].log_text().count("waits for its key")
    t0 = time.monotonic()
    ben.send(room, "!tasks")
    # held across a restart: kept in the store, it is still noticed, a minute after it came
    deadline = time.monotonic() + 20
    while e2ee_bot["tend"].log_text().count("waits for its key") == holds and time.monotonic() < deadline:
        time.sleep(0.3)
    assert e2ee_bot["tend"].log_text().count("waits for its key") > holds
    e2ee_bot["tend"].stop()
    e2ee_bot["tend"].start()
    _, ev = ben.wait_for(from_bot(bot.user_id, room, "couldn't read a message"), 150, "the undecryptable notice")
    waited = time.monotonic() - t0
    assert ev["_decrypted"]
    assert 55 <= waited <= 150, f"the notice came after {waited:.0f} s"
    time.sleep(2)
    ben.sync(0)
    notices = [e for r, e in ben.events if r == room and e.get("sender") == bot.user_id
               and "couldn't read" in e.get("content", {}).get("body", "")]
    assert len(notices) == 1, "said once"
    assert "made new encryption keys" in e2ee_bot["tend"].log_text()


def test_figures_latency_and_start_up_with_encrypted_rooms(e2ee_bot, humans, env, users):
    """Encrypted command to encrypted reply, 30 times; then a restart with N more encrypted rooms
    the bot is in, timed from the process start to its first encrypted answer."""
    ann, bot, t = humans["ann"], e2ee_bot["user"], e2ee_bot["tend"]
    room = ann.create_room("figures", invite=[bot.user_id])
    ann.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")
    times = []
    for _ in range(30):
        ann.catch_up()
        t0 = time.monotonic()
        cmd = ann.send(room, "!tasks")
        bot_said(ann, bot.user_id, room, cmd)
        times.append((time.monotonic() - t0) * 1000)
    times.sort()
    median, p99 = times[len(times) // 2], times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    record("e2ee_reply_median_ms", median)
    record("e2ee_reply_p99_ms", p99)
    print(f"\ne2ee figures: encrypted command -> encrypted reply median {median:.0f} ms, p99 {p99:.0f} ms "
          f"over {len(times)}")

    n = int(os.environ.get("TEND_E2EE_ROOMS", "20"))
    alice = humans["ann_plain"]
    import requests
    # Synapse allows a user a few new rooms a minute: the admin lifts that for ann
    r = requests.post(f"{env['url']}/_synapse/admin/v1/users/{alice.user_id}/override_ratelimit",
                      json={"messages_per_second": 0, "burst_count": 0}, timeout=10,
                      headers={"Authorization": "Bearer " + users["alice"].token})
    r.raise_for_status()
    for i in range(n):
        r = alice.create_room(f"encrypted {i}", encrypted=True, invite=[bot.user_id])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        joined = humans["ann_plain"].api("GET", f"/rooms/{r}/joined_members")["joined"]
        if bot.user_id in joined:
            break
        time.sleep(0.5)
    time.sleep(2)
    t.stop()
    t0 = time.monotonic()
    t.start()
    ann.catch_up()
    cmd = ann.send(room, "!tasks")
    bot_said(ann, bot.user_id, room, cmd, timeout=120)
    start_s = time.monotonic() - t0
    record("e2ee_start_s", start_s)
    print(f"e2ee figures: start-up with {n + 4} encrypted rooms to the first encrypted answer {start_s:.2f} s")


def test_a_replayed_ciphertext_runs_nothing(e2ee_bot, humans):
    """Someone with access to the room (or the server) posts an earlier encrypted command again as a
    new event: Megolm would decrypt it, but its (session, index) was seen under another event id."""
    import requests
    ann, bot = humans["ann"], e2ee_bot["user"]
    room = ann.create_room("replays", invite=[bot.user_id])
    ann.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")
    ask(ann, bot.user_id, room, '!task add "Count the chairs"')
    wire = wire_events(humans["ann_plain"], room)
    original = [e for e in wire if e.get("sender") == ann.user_id and e.get("type") == "m.room.encrypted"][0]
    r = requests.put(f"{ann.base}/_matrix/client/v3/rooms/{room}/send/m.room.encrypted/replay{os.urandom(4).hex()}",
                     json=original["content"], headers={"Authorization": "Bearer " + ann.token}, timeout=30)
    r.raise_for_status()
    deadline = time.monotonic() + 20
    while "repeats another's message" not in e2ee_bot["tend"].log_text() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "repeats another's message" in e2ee_bot["tend"].log_text()
    ann.sync(0)
    posts = [e for r_, e in ann.events if r_ == room and e.get("sender") == bot.user_id
             and "Count the chairs" in e.get("content", {}).get("body", "")]
    assert len(posts) == 1, "the replayed command ran again"


# ---------------------------------------------------------------- withheld keys, removed devices

def bot_notices(human, bot_id, room, words="couldn't read"):
    human.sync(0)
    return [e for r, e in human.events if r == room and e.get("sender") == bot_id
            and words in e.get("content", {}).get("body", "")]


def test_a_withheld_room_key_gets_the_notice_at_once_but_only_from_the_sender(e2ee_bot, humans):
    """ben's client keeps its room key from the bot (as in the minute's test) and then says so with
    m.room_key.withheld: the bot gives up at once. The same words from ann, about ben's session,
    change nothing: only an event's sender can withhold its key."""
    import uuid
    from nio import ToDeviceMessage
    ann, ben, bot, t = humans["ann"], humans["ben"], e2ee_bot["user"], e2ee_bot["tend"]
    room = ann.create_room("withheld at once", invite=[ben.user_id, bot.user_id])
    ben.join(room)
    ann.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")
    ben.sync(0)
    ben.run(ben.nio.joined_members(room))
    ben._keys()
    bot_devices = list(ben.nio.device_store.active_user_devices(bot.user_id))
    assert len(bot_devices) == 1
    for device in bot_devices:
        ben.nio.blacklist_device(device)
    ben.catch_up()
    holds = t.log_text().count("waits for its key")
    t0 = time.monotonic()
    ben.send(room, "!tasks")
    deadline = time.monotonic() + 20
    while t.log_text().count("waits for its key") == holds and time.monotonic() < deadline:
        time.sleep(0.2)
    assert t.log_text().count("waits for its key") > holds, "the bot did not hold the message"

    content = {"algorithm": "m.megolm.v1.aes-sha2", "room_id": room, "code": "m.blacklisted",
               "reason": "You have been blocked",
               "session_id": ben.nio.olm.outbound_group_sessions[room].id,
               "sender_key": ben.nio.olm.account.identity_keys["curve25519"]}

    def withhold(human):
        msg = ToDeviceMessage("m.room_key.withheld", bot.user_id, bot_devices[0].id, content)
        resp = human.run(human.nio.to_device(msg, uuid.uuid4().hex))
        assert not hasattr(resp, "status_code"), resp

    # ann speaks for ben's session: the bot reads it, and still waits
    withhold(ann)
    deadline = time.monotonic() + 15
    while f"{ann.user_id} withholds a room key" not in t.log_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"{ann.user_id} withholds a room key" in t.log_text(), "the bot never got ann's withheld"
    time.sleep(3)
    assert not bot_notices(ben, bot.user_id, room), "someone else's withheld gave up ben's message"
    assert "was withheld by its sender" not in t.log_text()

    # ben's own device says it: the notice comes at once, not after the minute
    withhold(ben)
    _, ev = ben.wait_for(from_bot(bot.user_id, room, "couldn't read a message"), 15, "the notice after a withheld")
    assert ev["_decrypted"]
    assert time.monotonic() - t0 < 40, "the notice waited for the minute instead of the withheld"
    assert "was withheld by its sender" in t.log_text()
    time.sleep(3)
    assert len(bot_notices(ben, bot.user_id, room)) == 1, "said once"


def test_a_removed_device_makes_a_new_room_key_it_never_gets(env, humans, workdir):
    """ann signs in a second device; the bot's room key goes to both. The second device is removed:
    the bot's next message is under a new room key, and no to-device message (the new key) goes to
    the removed device. Its own bot, through a proxy that keeps the bot's to-device sends."""
    from gate_proxy import GateProxy
    import requests
    ann, ann_plain = humans["ann"], humans["ann_plain"]
    proxy = GateProxy(env["url"])
    bot = register(env, f"tendrot{os.urandom(3).hex()}")
    t = Tend(os.environ["TEND_BIN"], {**env, "url": proxy.url}, bot, os.path.join(workdir, "rotate.db"),
             os.path.join(workdir, "rotate.log")).start()
    store = os.path.join(workdir, "nio-ann-second")
    os.makedirs(store)
    ann2 = Human(env["url"], ann.user_id, ann_plain.password, store)
    try:
        assert ann2.device_id != ann.device_id
        room = ann.create_room("device removal", invite=[bot.user_id])
        ann.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")
        ask(ann, bot.user_id, room, '!task add "Sweep the hall"')
        _, seen = ann2.wait_for(from_bot(bot.user_id, room, "Sweep the hall"), 40, "the post on ann's second device")
        assert seen["_decrypted"]

        def bot_sessions():
            return [e["content"]["session_id"] for e in wire_events(ann_plain, room)
                    if e.get("sender") == bot.user_id and e.get("type") == "m.room.encrypted"]
        before = set(bot_sessions())
        assert len(before) == 1
        assert any(ann2.device_id in body["messages"].get(ann.user_id, {}) for _, body in proxy.to_device), \
            "the first room key never went to the second device"

        # the second device is removed (user-interactive auth with ann's password)
        url = f"{env['url']}/_matrix/client/v3/devices/{ann2.device_id}"
        headers = {"Authorization": "Bearer " + ann.token}
        r = requests.delete(url, json={}, headers=headers, timeout=30)
        assert r.status_code == 401, r.text
        auth = {"type": "m.login.password", "session": r.json()["session"], "password": ann_plain.password,
                "identifier": {"type": "m.id.user", "user": ann.user_id}}
        r = requests.delete(url, json={"auth": auth}, headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        mark = len(proxy.to_device)
        time.sleep(2)
        ask(ann, bot.user_id, room, '!task add "Mop the floor"')
        after = bot_sessions()
        assert after[0] not in before, "the room key did not change when a device that had it was removed"
        sent = proxy.to_device[mark:]
        assert any(ann.device_id in body["messages"].get(ann.user_id, {}) for _, body in sent), \
            "the new room key never went to ann's remaining device"
        assert not [p for p, body in sent if ann2.device_id in body["messages"].get(ann.user_id, {})], \
            "the removed device was sent the new room key"
        assert "a device that had the room key" in t.log_text()
    finally:
        ann2.close()
        t.stop()
        proxy.stop()
