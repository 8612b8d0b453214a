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

from mxclient import Tend, register

ALG = "signed_curve25519"


@pytest.fixture(scope="module")
def e2ee_bot(env, workdir):
    binary = os.environ["TEND_BIN"]
    bot = register(env, f"tendcrypt{os.urandom(3).hex()}")
    db = os.path.join(workdir, "e2ee.db")
    t = Tend(binary, env, bot, db, os.path.join(workdir, "e2ee.log")).start()
    yield {"tend": t, "user": bot, "db": db}
    t.stop()


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
