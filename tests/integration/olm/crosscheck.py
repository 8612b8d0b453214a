#!/usr/bin/python3
"""crosscheck.py — tend's encryption (lib/olm over vodozemac) against a second implementation,
libolm through Debian's python3-olm: what one encrypts, the other decrypts, both ways, for Olm
(to-device) and Megolm (rooms), libolm verifies our signatures (device and cross-signing keys), and
both show the same emoji and decimals and accept each other's MACs in an interactive (SAS)
verification. Usage: crosscheck.py HELPER,
where HELPER is the crosscheck program built from crosscheck.c. Exits non-zero on any mismatch."""
import json
import subprocess
import sys
import threading

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

# ---- SAS (interactive verification) and a cross-signing key, in a two-line dialogue with the helper ----


def spec_emoji(sas_bytes):
    """The spec's emoji method: the first 42 bits of the 6 bytes, as seven 6-bit indices."""
    bits = int.from_bytes(sas_bytes, "big") >> 6
    return [(bits >> (6 * (6 - i))) & 63 for i in range(7)]


def spec_decimals(sas_bytes):
    """The spec's decimal method: the first 39 bits of the first 5 bytes, as three 13-bit numbers + 1000."""
    bits = int.from_bytes(sas_bytes[:5], "big") >> 1
    return [((bits >> (13 * (2 - i))) & 0x1FFF) + 1000 for i in range(3)]


ana_sas = olm.Sas()
# the shape of the spec's info (tend's ephemeral key is not known yet when the request is written)
infos = ["MATRIX_KEY_VERIFICATION_SAS|@ana:localhost|ANA|%s|@tend:localhost|TEND|txn1" % ana_sas.pubkey,
         "MATRIX_KEY_VERIFICATION_SAS|another transaction"]
macs = [{"input": "ed25519 device key of ana", "info": "MATRIX_KEY_VERIFICATION_MAC@ana:localhostANAtxn1ed25519:ANA"},
        {"input": "ed25519:ANA,ed25519:MASTER", "info": "MATRIX_KEY_VERIFICATION_MAC@ana:localhostANAtxn1KEY_IDS"}]
signed = '{"keys":{"ed25519:K":"K"},"usage":["master"],"user_id":"@tend:localhost"}'
proc = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
stuck = threading.Timer(60, proc.kill)  # a helper that never answers fails the check, not the whole run
stuck.start()
try:
    proc.stdin.write(json.dumps({"sas": {"their_key": ana_sas.pubkey, "infos": infos, "macs": macs, "signed": signed}}) + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    if not line:
        sys.exit("crosscheck: helper failed: " + proc.stderr.read().strip())
    got = json.loads(line)
    ana_sas.set_their_pubkey(got["sas_key"])
    check(len(got["strings"]) == len(infos) and len(got["macs"]) == len(macs), "tend answers every info and MAC")
    for info, theirs_str in zip(infos, got["strings"]):
        sas_bytes = ana_sas.generate_bytes(info, 6)
        check(theirs_str["emoji"] == spec_emoji(sas_bytes), "tend shows libolm's emoji for " + info[:40])
        check(theirs_str["decimals"] == spec_decimals(sas_bytes), "tend shows libolm's decimals for " + info[:40])
    check(got["strings"][0] != got["strings"][1], "another info gives another string")
    for m, theirs_mac in zip(macs, got["macs"]):
        check(theirs_mac["legacy"] == ana_sas.calculate_mac(m["input"], m["info"]),
              "tend's legacy MAC is libolm's hkdf-hmac-sha256 (calculate_mac)")
        check(theirs_mac["v2"] == ana_sas.calculate_mac_fixed_base64(m["input"], m["info"]),
              "tend's MAC is libolm's hkdf-hmac-sha256.v2 (calculate_mac_fixed_base64)")
    # libolm's MACs, genuine and altered, for tend to verify
    asks, want = [], []
    for m in macs:
        for legacy, mac in ((False, ana_sas.calculate_mac_fixed_base64(m["input"], m["info"])),
                            (True, ana_sas.calculate_mac(m["input"], m["info"]))):
            asks.append(dict(m, mac=mac, legacy=legacy))
            want.append(True)
            asks.append(dict(m, mac=mac, legacy=not legacy))
            want.append(False)
            asks.append(dict(m, input=m["input"] + " ", mac=mac, legacy=legacy))
            want.append(False)
    proc.stdin.write(json.dumps({"verify": asks}) + "\n")
    proc.stdin.close()
    line = proc.stdout.readline()
    if proc.wait(timeout=60) != 0 or not line:
        sys.exit("crosscheck: helper failed: " + proc.stderr.read().strip())
    accepted = json.loads(line)["accepted"]
    check(accepted == want, "tend accepts libolm's MACs in both encodings, and only those")
finally:
    stuck.cancel()
    if proc.poll() is None:
        proc.kill()

try:
    olm.ed25519_verify(got["signing_key"], signed, got["signature"])
    check(True, "libolm verifies tend's cross-signing key's signature")
except olm.OlmVerifyError:
    check(False, "libolm verifies tend's cross-signing key's signature")
try:
    olm.ed25519_verify(got["signing_key"], signed.replace("master", "self_signing"), got["signature"])
    check(False, "libolm refuses it for other bytes")
except olm.OlmVerifyError:
    check(True, "libolm refuses it for other bytes")

print("crosscheck: %d failed" % failures)
sys.exit(1 if failures else 0)
