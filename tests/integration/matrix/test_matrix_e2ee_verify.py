"""The bot's cross-signing identity and a member verifying the bot with emoji (issue 20), against
the real Synapse, in builds with encryption (ctest: integration.matrix.e2ee).

The member's side of the verification is written here from the Matrix spec, on libolm's SAS
(python-olm, an implementation independent of the bot's vodozemac), and driven over both
transports clients use: to-device messages, and events in an encrypted direct chat (what Element
does when a coordinator presses "Verify" on the bot). Signatures are checked with signedjson
(Synapse's own library), the emoji against matrix-nio's copy of the spec's table."""
import base64
import hashlib
import os
import time
import uuid

import olm
import pytest
from canonicaljson import encode_canonical_json
from nio import ToDeviceMessage
from nio.crypto.sas import Sas as NioSas
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import verify_signed_json

from e2eeclient import Human
from mxclient import Tend, register, stop_and_keep_log

SAS_V2 = "hkdf-hmac-sha256.v2"
SAS_LEGACY = "hkdf-hmac-sha256"


def unb64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def b64(raw):
    return base64.b64encode(raw).decode().rstrip("=")


@pytest.fixture(scope="module")
def bot(env, workdir):
    user = register(env, f"tendverify{os.urandom(3).hex()}")
    db = os.path.join(workdir, "verify.db")
    t = Tend(os.environ["TEND_BIN"], env, user, db, os.path.join(workdir, "verify.log")).start()
    yield {"tend": t, "user": user, "db": db}
    log = os.environ.get("TEND_MATRIX_E2EE_LOG")
    stop_and_keep_log(t, user, log and log + ".verify")  # its exit status: conftest's every_stop_is_clean


@pytest.fixture(scope="module")
def coordinator(env, workdir):
    plain = register(env, f"coord{os.urandom(3).hex()}")
    store = os.path.join(workdir, f"nio-coord-{os.urandom(2).hex()}")
    os.makedirs(store)
    human = Human(env["url"], plain.user_id, plain.password, store)
    human.plain = plain
    yield human
    human.close()


def identity_of(client, user_id, timeout=30):
    """The bot's master and self-signing keys and its device, as any member's client sees them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = client.api("POST", "/keys/query", {"device_keys": {user_id: []}})
        master = got.get("master_keys", {}).get(user_id)
        ssk = got.get("self_signing_keys", {}).get(user_id)
        devices = got["device_keys"].get(user_id, {})
        if master and ssk and devices:
            device = next(iter(devices.values()))
            ssk_id = next(iter(ssk["keys"]))
            if ssk_id in device.get("signatures", {}).get(user_id, {}):
                return master, ssk, device
        time.sleep(0.3)
    raise AssertionError(f"{user_id} published no signed cross-signing identity within {timeout} s")


def only_key(obj):
    (key_id, key), = obj["keys"].items()
    return key_id, key


def check_signed(obj, user_id, key_id, key):
    verify_signed_json(obj, user_id, decode_verify_key_bytes(key_id, unb64(key)))


def test_the_bot_has_a_cross_signing_identity_that_signs_its_device_and_survives_a_restart(bot, coordinator):
    t, user = bot["tend"], bot["user"]
    master, ssk, device = identity_of(coordinator.plain, user.user_id)
    assert master["usage"] == ["master"] and ssk["usage"] == ["self_signing"]
    master_id, master_key = only_key(master)
    ssk_id, ssk_key = only_key(ssk)
    device_id = device["device_id"]
    device_key = device["keys"][f"ed25519:{device_id}"]
    # the chain a member's client walks: master -> self-signing -> device; the device vouches too
    check_signed(ssk, user.user_id, master_id, master_key)
    check_signed(device, user.user_id, ssk_id, ssk_key)
    check_signed(master, user.user_id, f"ed25519:{device_id}", device_key)
    check_signed(device, user.user_id, f"ed25519:{device_id}", device_key)
    assert master_key in t.log_text(), "the log does not name the master key for the operator"

    # the same identity after a restart, published once
    assert t.stop() == 0, "tend did not stop cleanly"
    t.start()
    again, _, again_device = identity_of(coordinator.plain, user.user_id)
    assert again == master and again_device["keys"] == device["keys"]
    log = t.log_text()
    assert log.count("made the bot's cross-signing identity") == 1
    assert log.count("cross-signing identity is published") == 1, "published again after the restart"


# ---------------------------------------------------------------- the member's side, from the spec

class Verifier:
    """One member's device verifying the bot, over to-device messages or in a room."""

    def __init__(self, human, bot_id, bot_device, room=None, macs=(SAS_V2, SAS_LEGACY)):
        self.h, self.bot_id, self.bot_device, self.room, self.macs = human, bot_id, bot_device, room, macs
        self.txn = uuid.uuid4().hex
        self.sas = olm.Sas()
        self.inbox = []

    # -- transport
    def send(self, type_, content):
        content = dict(content)
        if self.room:
            content["m.relates_to"] = {"rel_type": "m.reference", "event_id": self.txn}
            self.h._send(self.room, type_, content)
        else:
            content["transaction_id"] = self.txn
            resp = self.h.run(self.h.nio.to_device(ToDeviceMessage(type_, self.bot_id, self.bot_device, content),
                                                   tx_id=uuid.uuid4().hex))
            assert not hasattr(resp, "status_code"), resp
        return content

    def receive(self, type_, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, (t, c) in enumerate(self.inbox):
                if t == type_:
                    del self.inbox[i]
                    return c
            if self.room:
                for _, ev in self.h.sync(1000):
                    c = ev.get("content", {})
                    if ev.get("sender") == self.bot_id and c.get("m.relates_to", {}).get("event_id") == self.txn:
                        assert ev["_decrypted"], f"the bot's {ev['type']} went out in clear in an encrypted room"
                        self.inbox.append((ev["type"], c))
            else:
                resp = self.h.run(self.h.nio.sync(timeout=1000, full_state=False))
                for ev in getattr(resp, "to_device_events", []):
                    src = ev.source
                    if src.get("sender") == self.bot_id and src.get("content", {}).get("transaction_id") == self.txn:
                        self.inbox.append((src["type"], src["content"]))
        kinds = [t for t, _ in self.inbox]
        raise AssertionError(f"no {type_} from the bot within {timeout} s (got {kinds})")

    # -- the protocol
    def request(self):
        common = {"from_device": self.h.device_id, "methods": ["m.sas.v1"]}
        if self.room:
            self.txn = self.h._send(self.room, "m.room.message", dict(
                common, msgtype="m.key.verification.request", to=self.bot_id,
                body="is asking to verify your key, but your client does not support that"))
        else:
            self.send("m.key.verification.request", dict(common, timestamp=int(time.time() * 1000)))
        ready = self.receive("m.key.verification.ready")
        assert ready["from_device"] == self.bot_device and "m.sas.v1" in ready["methods"]

    def start(self):
        self.start_content = self.send("m.key.verification.start", {
            "from_device": self.h.device_id, "method": "m.sas.v1",
            "key_agreement_protocols": ["curve25519-hkdf-sha256"], "hashes": ["sha256"],
            "message_authentication_codes": list(self.macs), "short_authentication_string": ["decimal", "emoji"]})
        accept = self.receive("m.key.verification.accept")
        assert accept["key_agreement_protocol"] == "curve25519-hkdf-sha256" and accept["hash"] == "sha256"
        self.mac_method = accept["message_authentication_code"]
        assert self.mac_method == (SAS_V2 if SAS_V2 in self.macs else SAS_LEGACY)
        self.commitment = accept["commitment"]
        self.send("m.key.verification.key", {"key": self.sas.pubkey})
        self.bot_key = self.receive("m.key.verification.key")["key"]
        # the bot committed to its key before it saw ours
        expected = b64(hashlib.sha256(self.bot_key.encode() + encode_canonical_json(self.start_content)).digest())
        assert self.commitment == expected, "the bot's key is not the one it committed to"
        self.sas.set_their_pubkey(self.bot_key)

    def shown(self):
        """What this member's screen shows: the emoji and the three numbers."""
        info = (f"MATRIX_KEY_VERIFICATION_SAS|{self.h.user_id}|{self.h.device_id}|{self.sas.pubkey}|"
                f"{self.bot_id}|{self.bot_device}|{self.bot_key}|{self.txn}")
        raw = self.sas.generate_bytes(info, 6)
        bits = int.from_bytes(raw, "big")
        emoji = [NioSas.emoji[(bits >> (48 - 6 * (i + 1))) & 63][0] for i in range(7)]
        numbers = [((bits >> (48 - 13 * (i + 1))) & 0x1FFF) + 1000 for i in range(3)]
        return emoji, numbers

    def mac(self, key, info):
        if self.mac_method == SAS_V2:
            return self.sas.calculate_mac_fixed_base64(key, info)
        return self.sas.calculate_mac(key, info)

    def check_bot_mac(self, bot_device_key, master_key):
        content = self.receive("m.key.verification.mac")
        base = f"MATRIX_KEY_VERIFICATION_MAC{self.bot_id}{self.bot_device}{self.h.user_id}{self.h.device_id}{self.txn}"
        macs = content["mac"]
        ids = sorted(macs)
        assert ids == sorted([f"ed25519:{self.bot_device}", f"ed25519:{master_key}"]), ids
        assert content["keys"] == self.mac(",".join(ids), base + "KEY_IDS")
        assert macs[f"ed25519:{self.bot_device}"] == self.mac(bot_device_key, base + f"ed25519:{self.bot_device}")
        assert macs[f"ed25519:{master_key}"] == self.mac(master_key, base + f"ed25519:{master_key}")

    def send_mac(self, tamper=False):
        base = f"MATRIX_KEY_VERIFICATION_MAC{self.h.user_id}{self.h.device_id}{self.bot_id}{self.bot_device}{self.txn}"
        key_id = f"ed25519:{self.h.device_id}"
        mine = self.h.nio.olm.account.identity_keys["ed25519"]
        mac = self.mac(mine, base + key_id)
        if tamper:  # what a homeserver in the middle would have to send: a MAC of another key
            mac = self.mac(b64(os.urandom(32)), base + key_id)
        self.send("m.key.verification.mac", {"mac": {key_id: mac}, "keys": self.mac(key_id, base + "KEY_IDS")})


def shown_lines(t, human):
    return [line for line in t.log_text().splitlines()
            if f"verification with {human.user_id} (device {human.device_id})" in line and "the bot shows" in line]


def bot_line(t, verifier, before, timeout=10):
    """The line tend writes for the operator: what the bot's screen would show (this verification's:
    the first after the `before` earlier ones)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = shown_lines(t, verifier.h)
        if len(lines) > before:
            assert len(lines) == before + 1, lines
            return lines[-1]
        time.sleep(0.2)
    raise AssertionError("tend's log does not show the verification's emoji")


def lines_for(t, verifier, words):
    return [l for l in t.log_text().splitlines() if verifier.h.user_id in l and words in l]


def run_verification(bot, coordinator, room=None, macs=(SAS_V2, SAS_LEGACY)):
    t, user = bot["tend"], bot["user"]
    master, _, device = identity_of(coordinator.plain, user.user_id)
    _, master_key = only_key(master)
    device_id = device["device_id"]
    v = Verifier(coordinator, user.user_id, device_id, room, macs)
    before = len(shown_lines(t, coordinator))
    v.request()
    v.start()
    emoji, numbers = v.shown()
    # the coordinator compares: the operator reads the bot's emoji from tend's log
    line = bot_line(t, v, before)
    shown = line.split("the bot shows ", 1)[1]
    assert [part.split(" ", 1)[0] for part in shown.split(";", 1)[0].split(", ")] == emoji, (emoji, line)
    assert f"the numbers {numbers[0]} {numbers[1]} {numbers[2]}." in line, (numbers, line)
    v.check_bot_mac(device["keys"][f"ed25519:{device_id}"], master_key)
    return v


def test_a_coordinator_verifies_the_bot_with_emoji_over_to_device_messages(bot, coordinator):
    v = run_verification(bot, coordinator)
    v.send_mac()
    v.receive("m.key.verification.done")
    v.send("m.key.verification.done", {})
    assert lines_for(bot["tend"], v, "is complete")


def test_an_older_client_that_offers_only_the_legacy_mac_is_answered_in_it(bot, coordinator):
    v = run_verification(bot, coordinator, macs=(SAS_LEGACY,))
    v.send_mac()
    v.receive("m.key.verification.done")


def test_a_mac_of_another_key_is_refused_and_the_bot_never_says_done(bot, coordinator):
    v = run_verification(bot, coordinator)
    v.send_mac(tamper=True)
    cancel = v.receive("m.key.verification.cancel")
    assert cancel["code"] == "m.key_mismatch"
    with pytest.raises(AssertionError):
        v.receive("m.key.verification.done", timeout=3)


def test_out_of_order_and_unknown_steps_change_nothing(bot, coordinator):
    t, user = bot["tend"], bot["user"]
    _, _, device = identity_of(coordinator.plain, user.user_id)
    v = Verifier(coordinator, user.user_id, device["device_id"])
    # a key with no verification under way: nothing answers, nothing breaks
    v.send("m.key.verification.key", {"key": v.sas.pubkey})
    v.send("m.key.verification.mac", {"mac": {}, "keys": "x"})
    # a request for a method tend does not speak is cancelled, politely
    v.txn = uuid.uuid4().hex
    v.send("m.key.verification.request", {"from_device": coordinator.device_id, "methods": ["m.qr_code.show.v1"],
                                          "timestamp": int(time.time() * 1000)})
    assert v.receive("m.key.verification.cancel")["code"] == "m.unknown_method"
    assert t.alive()


def test_element_s_way_in_an_encrypted_direct_chat(bot, coordinator):
    """Element verifies another user in a direct chat: every step an encrypted room event."""
    user = bot["user"]
    room = coordinator.create_room("", invite=[user.user_id], direct=True)
    coordinator.wait_for(lambda r, ev: r == room and ev.get("sender") == user.user_id, 60,
                         "the bot in the direct chat")
    coordinator.sync(2000)
    since = int(time.time() * 1000)
    v = run_verification(bot, coordinator, room=room)
    v.send_mac()
    v.receive("m.key.verification.done")
    v.send("m.key.verification.done", {})
    assert lines_for(bot["tend"], v, "is complete")
    # no step ran as a command: the bot said nothing else in the chat
    coordinator.sync(2000)
    said = [ev for r, ev in coordinator.events if r == room and ev.get("sender") == user.user_id
            and ev.get("type") == "m.room.message" and ev.get("origin_server_ts", 0) >= since]
    assert not said, said
