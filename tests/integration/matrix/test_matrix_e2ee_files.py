"""Files in encrypted rooms (issue 20), against the real Synapse, run with the encryption suite
(ctest: integration.matrix.e2ee): a member of an encrypted room asks for /export in the encrypted
direct chat the bot opened with her, and gets it as an encrypted attachment. Her own client
(matrix-nio) decrypts the m.file event, downloads the mxc:// upload and opens it with nio's own
decrypt_attachment (a second implementation, PyCryptodome underneath), and the bytes are her
export. The homeserver never holds it in clear: not in the media store (searched byte by byte),
not the file's name, not in its events. Tend's first upload is answered 502 by a proxy after
Synapse stored it, so tend uploads again, under a new key: the two uploads of one file differ."""
import json
import os
import sqlite3
import time

import pytest
import requests
from nio.crypto.attachments import decrypt_attachment
from nio.exceptions import EncryptionError

from e2eeclient import Human, from_bot
from gate_proxy import HOP, GateProxy
from mxclient import Tend, q, register, stop_and_keep_log

UPLOAD = "/_matrix/media/v3/upload"


class UploadGate(GateProxy):
    """The gap tests' proxy, which also keeps every upload tend makes and can lose the answer to
    the next ones: the upload reaches Synapse, and tend hears a 502."""

    def __init__(self, upstream):
        super().__init__(upstream)
        self.uploads = []      # (path, content type, bytes, Synapse's status)
        self.lose_uploads = 0

    def _forward(self, h):
        if not h.path.startswith(UPLOAD):
            return super()._forward(h)
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n) if n else b""
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP and k.lower() != "host"}
        r = requests.post(self.upstream + h.path, data=body, headers=headers, timeout=90)
        with self.lock:
            self.uploads.append((h.path, h.headers.get("Content-Type"), body, r.status_code))
            lose = self.lose_uploads > 0
            self.lose_uploads -= 1 if lose else 0
        if lose:
            self._reply(h, 502, b'{"errcode":"M_UNKNOWN","error":"gate proxy"}', [("Content-Type", "application/json")])
        else:
            self._reply(h, r.status_code, r.content, [(k, v) for k, v in r.headers.items() if k.lower() not in HOP])


@pytest.fixture(scope="module")
def gate(env):
    proxy = UploadGate(env["url"])
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def files_bot(env, workdir, gate):
    bot = register(env, f"tendfiles{os.urandom(3).hex()}")
    t = Tend(os.environ["TEND_BIN"], dict(env, url=gate.url), bot, os.path.join(workdir, "e2ee-files.db"),
             os.path.join(workdir, "e2ee-files.log")).start()
    yield {"tend": t, "user": bot}
    stop_and_keep_log(t, bot, os.environ.get("TEND_MATRIX_E2EE_LOG"), mode="a")


@pytest.fixture(scope="module")
def eve(env, workdir):
    plain = register(env, f"eve{os.urandom(3).hex()}")
    store = os.path.join(workdir, "nio-eve-files")
    os.makedirs(store)
    human = Human(env["url"], plain.user_id, plain.password, store)
    yield {"nio": human, "plain": plain}
    human.close()


def download(env, token, mxc):
    """The member's own authenticated download (Matrix 1.11): the bytes the media store holds."""
    server, media = mxc[len("mxc://"):].split("/", 1)
    r = requests.get(f"{env['url']}/_matrix/client/v1/media/download/{server}/{media}",
                     headers={"Authorization": "Bearer " + token}, timeout=20)
    r.raise_for_status()
    return r.content


def unb64(s):
    import base64
    return base64.urlsafe_b64decode(s.replace("+", "-").replace("/", "_") + "=" * (-len(s) % 4))


def media_files(env):
    root = os.path.join(env["dir"], "media_store")
    for d, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(d, name), "rb") as f:
                yield os.path.join(d, name), f.read()


def test_an_export_in_an_encrypted_dm_is_an_encrypted_file(env, files_bot, eve, gate):
    human, bot = eve["nio"], files_bot["user"]
    tag = os.urandom(4).hex()  # words only this test writes, to look for on the server
    note = f"sore-knee-{tag}"
    room = human.create_room(f"pantry {tag}", invite=[bot.user_id])
    human.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")

    # a first command in the encrypted room: the bot opens her direct chat, encrypted too
    human.catch_up()
    cmd = human.send(room, f'!task add "Stack the tins {tag}"')
    human.wait_for(from_bot(bot.user_id, room, reply_to=cmd), 40, "the task's announcement")
    dm, _ = human.wait_for(lambda r, e: r != room and e.get("sender") == bot.user_id
                           and e.get("type") == "m.room.message", 40, "the bot's direct chat")
    enc = eve["plain"].api("GET", f"/rooms/{q(dm)}/state/m.room.encryption/")
    assert enc.get("algorithm") == "m.megolm.v1.aes-sha2", "the bot's direct chat is not encrypted"
    human.send(dm, "!claim 1")
    human.wait_for(from_bot(bot.user_id, dm, "yours"), 40, "the claim's answer")
    human.send(dm, f"!checkin low note:{note}")
    human.wait_for(from_bot(bot.user_id, dm, "Thanks"), 40, "the check-in's answer")
    human.catch_up()

    # the export; Synapse stores its first upload but tend never hears so, and uploads again
    gate.lose_uploads = 1
    before = len(gate.uploads)
    human.send(dm, "!export")
    _, line = human.wait_for(from_bot(bot.user_id, dm, "as a file"), 40, "the export's line")
    assert line["_decrypted"]
    _, ev = human.wait_for(lambda r, e: r == dm and e.get("sender") == bot.user_id
                           and e.get("content", {}).get("msgtype") == "m.file", 60, "the export's m.file")
    assert ev["_decrypted"], "the m.file went out in clear"
    c = ev["content"]
    assert "url" not in c, "an encrypted file's content has its url only inside 'file'"
    f = c["file"]
    assert f["url"].startswith("mxc://") and f["v"] == "v2"
    assert f["key"]["kty"] == "oct" and f["key"]["alg"] == "A256CTR" and f["key"]["ext"] is True
    assert f["key"]["key_ops"] == ["encrypt", "decrypt"]
    assert len(unb64(f["key"]["k"])) == 32 and "=" not in f["key"]["k"] + f["iv"] + f["hashes"]["sha256"]
    iv = unb64(f["iv"])
    assert len(iv) == 16 and iv[8:] == bytes(8), "the counter half of the iv must start at zero"
    assert c["body"].endswith(".json") and c["info"]["mimetype"] == "application/json"
    assert c["m.mentions"] == {"user_ids": []}

    # what her client does with it: download, check the hash, decrypt (nio's own code)
    sealed = download(env, human.token, f["url"])
    plain = decrypt_attachment(sealed, f["key"]["k"], f["hashes"]["sha256"], f["iv"])
    data = json.loads(plain)
    assert data["profile"]["name"] and [x["note"] for x in data["checkins"]] == [note]
    assert data["claims"][0]["title"] == f"Stack the tins {tag}"
    assert c["info"]["size"] == len(plain) == len(sealed)
    assert note.encode() not in sealed and b"checkins" not in sealed

    # tend uploaded twice, each time the file sealed anew, as opaque bytes without their name
    ours = gate.uploads[before:]
    assert len(ours) == 2, [(p, t, s) for p, t, _, s in ours]
    assert all(s == 200 and t == "application/octet-stream" and "filename" not in p for p, t, _, s in ours)
    first, second = ours[0][2], ours[1][2]
    assert second == sealed and len(first) == len(second)
    assert first != second, "the retried upload reused the key and iv of the first"
    with pytest.raises(EncryptionError):  # the first upload is not what the event's key opens
        decrypt_attachment(first, f["key"]["k"], f["hashes"]["sha256"], f["iv"])

    # what the homeserver holds: the media store has the sealed bytes and never the export
    stored = list(media_files(env))
    assert [p for p, b in stored if b == sealed], "the search of the media store does not find the upload"
    leaked = [p for p, b in stored if note.encode() in b or f"Stack the tins {tag}".encode() in b]
    assert not leaked, f"the export is in Synapse's media store in clear: {leaked}"
    con = sqlite3.connect(f"file:{os.path.join(env['dir'], 'homeserver.db')}?mode=ro", uri=True)
    try:
        media_id = f["url"].rsplit("/", 1)[1]
        row = con.execute("SELECT media_type, upload_name FROM local_media_repository WHERE media_id = ?",
                          (media_id,)).fetchone()
        assert row == ("application/octet-stream", None), row
        for needle in (note, c["body"], f["key"]["k"]):
            rows = con.execute("SELECT COUNT(*) FROM event_json WHERE room_id = ? AND json LIKE ?",
                               (dm, f"%{needle}%")).fetchone()[0]
            assert rows == 0, f"{needle!r} is in Synapse's events of the direct chat in clear"
        assert con.execute("SELECT COUNT(*) FROM event_json WHERE room_id = ? AND json LIKE ?",
                           (dm, "%m.room.encrypted%")).fetchone()[0] > 0
    finally:
        con.close()
    assert not human.undecrypted, "her client could not decrypt an event"
    assert "cannot encrypt files" not in files_bot["tend"].log_text()


def test_a_calendar_asked_in_the_encrypted_room_arrives_sealed_in_the_dm(env, files_bot, eve):
    """/tasks ics typed in the group room: answered privately, a sealed .ics she can open."""
    human, bot = eve["nio"], files_bot["user"]
    room = human.create_room("calendar shed", invite=[bot.user_id])
    human.wait_for(from_bot(bot.user_id, room, "I'm tend"), 60, "the bot's introduction")
    human.catch_up()
    human.send(room, '!task add "Mend the fence" when:"tomorrow 18:00"')
    time.sleep(1)
    human.send(room, "!tasks ics")
    where, ev = human.wait_for(lambda r, e: e.get("sender") == bot.user_id
                               and e.get("content", {}).get("msgtype") == "m.file"
                               and e["content"].get("body", "").endswith(".ics"), 60, "the calendar")
    assert where != room and ev["_decrypted"] and "url" not in ev["content"]
    f = ev["content"]["file"]
    ics = decrypt_attachment(download(env, human.token, f["url"]), f["key"]["k"], f["hashes"]["sha256"],
                             f["iv"]).decode()
    assert "BEGIN:VCALENDAR\r\n" in ics and "SUMMARY:Mend the fence\r\n" in ics
    assert ev["content"]["info"]["mimetype"] == "text/calendar"
