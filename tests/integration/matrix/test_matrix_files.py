"""Files on Matrix (issue 14): /export and /tasks ics arrive as an m.file in the member's direct
chat, uploaded to the real Synapse's media repository; the upload downloads back as the very file
(the member's JSON, a calendar a real parser could read); and nothing of it, not the event, not the
text, not the name, reaches the group room, as another member's own /sync and Synapse's stored
events show."""
import json
import os
import sqlite3
import sys
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(__file__))
from mxclient import notice_from, register  # noqa: E402

ROOM_NAME = "file shed"


@pytest.fixture(scope="module")
def shed(env, users, tend):
    alice, bot = users["alice"], users["bot"]
    dana = register(env, "dana" + os.urandom(3).hex())
    for c in (alice, dana):
        c.catch_up()
    room = alice.create_room(ROOM_NAME, invite=[dana.user_id])
    dana.join(room)
    alice.invite(room, bot.user_id)
    alice.wait_for(notice_from(bot.user_id, room, "I'm tend"), 30, "the bot's introduction")
    return {"room": room, "dana": dana}


def file_event(client, bot_id, suffix, not_in, timeout=30):
    def pred(room_id, ev):
        c = ev.get("content", {})
        return (ev.get("sender") == bot_id and ev.get("type") == "m.room.message" and
                c.get("msgtype") == "m.file" and c.get("body", "").endswith(suffix))
    room_id, ev = client.wait_for(pred, timeout, "an m.file ending in " + suffix)
    assert room_id != not_in, "the file went to the group room"
    return room_id, ev


def download(env, client, mxc):
    """The member's own authenticated download (Matrix 1.11), falling back to the older path."""
    server, media = mxc[len("mxc://"):].split("/", 1)
    headers = {"Authorization": "Bearer " + client.token}
    r = requests.get("%s/_matrix/client/v1/media/download/%s/%s" % (env["url"], server, media),
                     headers=headers, timeout=20)
    if r.status_code == 404:
        r = requests.get("%s/_matrix/media/v3/download/%s/%s" % (env["url"], server, media),
                         headers=headers, timeout=20)
    r.raise_for_status()
    return r


def synapse_rows(env, room, needle):
    """Stored events of `room` whose JSON holds needle (Synapse keeps plaintext there)."""
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(env["dir"], "homeserver.db"), uri=True)
    try:
        return [r for (r,) in con.execute("SELECT json FROM event_json WHERE room_id = ?", (room,))
                if needle in r]
    finally:
        con.close()


def test_export_is_an_m_file_in_the_dm_only(env, users, shed):
    alice, bot = users["alice"], users["bot"]
    dana, room = shed["dana"], shed["room"]
    note = "dana-only-" + os.urandom(3).hex()
    dana.catch_up()
    alice.catch_up()
    # a first command in the room opens dana's direct chat (her welcome and answers go there)
    cmd = dana.send(room, "!task add \"@room soup for @everyone\" when:\"tomorrow 18:00\"")
    dana.wait_for(notice_from(bot.user_id, room, reply_to=cmd), 30, "the task's announcement")
    dm, _ = dana.wait_for(lambda r, ev: r != room and ev.get("sender") == bot.user_id, 30, "the direct chat")
    dana.send(dm, "!claim 1")
    dana.wait_for(notice_from(bot.user_id, dm, "yours"), 30, "the claim's answer")
    dana.send(dm, "!checkin low note:" + note)
    dana.wait_for(notice_from(bot.user_id, dm, "Thanks"), 30, "the check-in's answer")
    dana.catch_up()

    t0 = time.time()
    dana.send(dm, "!export")
    where, text = dana.wait_for(notice_from(bot.user_id, dm, "as a file"), 30, "the export's line")
    assert where == dm
    _, ev = file_event(dana, bot.user_id, ".json", room)
    c = ev["content"]
    assert c["url"].startswith("mxc://") and c["info"]["mimetype"] == "application/json"
    assert c["m.mentions"] == {"user_ids": []}
    got = download(env, dana, c["url"])
    assert got.headers["Content-Type"].startswith("application/json")
    data = json.loads(got.content)
    assert data["profile"]["name"] and [x["note"] for x in data["checkins"]] == [note]
    assert data["claims"][0]["title"] == "@room soup for @everyone"
    assert c["info"]["size"] == len(got.content)
    assert "{" not in text["content"]["body"], "the JSON itself was sent as text too"
    assert time.time() - t0 < 30

    # the group room saw none of it: alice's own /sync, and what Synapse stored for the room
    alice.sync(0)
    for r, e in alice.events:
        if r == room:
            assert e.get("content", {}).get("msgtype") != "m.file"
            assert c["body"] not in json.dumps(e) and note not in json.dumps(e)
    assert synapse_rows(env, dm, c["url"]), "the search of Synapse's events finds nothing at all"
    assert not synapse_rows(env, room, c["url"]) and not synapse_rows(env, room, note)
    assert not synapse_rows(env, room, c["body"])


def test_export_typed_in_the_room_sends_no_file_anywhere(env, users, shed):
    bot = users["bot"]
    dana, room = shed["dana"], shed["room"]
    dana.catch_up()
    dana.send(room, "!export")
    dana.wait_for(notice_from(bot.user_id, None, "just between you and me"), 30, "the pointer to the DM")
    time.sleep(2)
    dana.sync(0)
    assert not [e for _, e in dana.events if e.get("content", {}).get("msgtype") == "m.file"]


def test_a_calendar_arrives_in_the_dm_and_downloads_back(env, users, shed):
    alice, bot = users["alice"], users["bot"]
    dana, room = shed["dana"], shed["room"]
    dana.catch_up()
    cmd = dana.send(room, "!tasks ics")
    _, ev = file_event(dana, bot.user_id, ".ics", room)
    assert ev["content"]["info"]["mimetype"] == "text/calendar"
    ics = download(env, dana, ev["content"]["url"]).content.decode()
    assert "BEGIN:VCALENDAR\r\n" in ics and "SUMMARY:@room soup for @everyone\r\n" in ics
    assert not synapse_rows(env, room, ev["content"]["url"])
    assert cmd  # typed in the room, answered privately: the room holds only the command itself
