#!/usr/bin/python3
"""crosscheck.py — tend's encryption (lib/olm over vodozemac) against a second implementation,
libolm through Debian's python3-olm: what one encrypts, the other decrypts, both ways, for Olm
(to-device) and Megolm (rooms), and libolm verifies our signature. Usage: crosscheck.py HELPER,
where HELPER is the crosscheck program built from crosscheck.c. Exits non-zero on any mismatch."""
import json
import subprocess
import sys

try:
    import olm
except ImportError:
    sys.exit("crosscheck: python3-olm is missing (Debian package python3-olm; .ci/deps installs it)")

failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


def helper(request):
    out = subprocess.run([sys.argv[1]], input=json.dumps(request), capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        sys.exit("crosscheck: helper failed: " + out.stderr.strip())
    return json.loads(out.stdout)


ana = olm.Account()
ana.generate_one_time_keys(1)
otk = next(iter(ana.one_time_keys["curve25519"].values()))
ana.mark_keys_as_published()
room = olm.OutboundGroupSession()
ana_key = room.session_key
ana_texts = ['{"body":"ana %d"}' % i for i in range(3)]
ana_cts = [room.encrypt(t) for t in ana_texts]

got = helper({"identity_key": ana.identity_keys["curve25519"], "one_time_key": otk,
              "megolm_key": ana_key, "megolm_messages": ana_cts})

# our signature verifies under libolm's Ed25519
try:
    olm.ed25519_verify(got["identity_keys"]["ed25519"], got["signed"], got["signature"])
    check(True, "libolm verifies tend's Ed25519 signature")
except olm.OlmVerifyError:
    check(False, "libolm verifies tend's Ed25519 signature")
try:
    olm.ed25519_verify(got["identity_keys"]["ed25519"], got["signed"] + " ", got["signature"])
    check(False, "libolm refuses the signature for other bytes")
except olm.OlmVerifyError:
    check(True, "libolm refuses the signature for other bytes")

# our Olm pre-key message opens a session in libolm, and its reply comes back to us
check(got["olm"]["type"] == 0, "tend's first Olm message is a pre-key message")
tend_curve = got["identity_keys"]["curve25519"]
pre_key = olm.OlmPreKeyMessage(got["olm"]["body"])
session = olm.InboundSession(ana, pre_key, tend_curve)
check(session.decrypt(pre_key) == got["olm"]["plaintext"], "libolm decrypts tend's Olm pre-key message")
reply_text = '{"type":"m.dummy","content":{}}'
reply = session.encrypt(reply_text)
check(reply.message_type == 1, "libolm's answer is a normal message")
back = helper({"account": got["account"], "session": got["session"],
               "reply": {"type": reply.message_type, "body": reply.ciphertext}})
check(back["reply_plaintext"] == reply_text, "tend, restarted from its pickles, decrypts libolm's Olm answer")

# Megolm both ways, with message indexes
theirs = olm.InboundGroupSession(got["megolm_key"])
check(theirs.id == got["megolm_id"], "libolm derives the same Megolm session id")
for i, (ct, text) in enumerate(zip(got["megolm_messages"], got["megolm_plaintexts"])):
    plaintext, index = theirs.decrypt(ct)
    check(plaintext == text and index == i, "libolm decrypts tend's Megolm message %d" % i)
check([d["plaintext"] for d in got["decrypted"]] == ana_texts and [d["index"] for d in got["decrypted"]] == [0, 1, 2],
      "tend decrypts libolm's Megolm messages with their indexes")

print("crosscheck: %d failed" % failures)
sys.exit(1 if failures else 0)
