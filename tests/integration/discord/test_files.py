"""Files on Discord: /export, /export group and /tasks ics arrive as attachments, uploaded the way
Discord documents (multipart/form-data: payload_json beside files[0], the JSON's attachments naming
id 0), and only where the member who asked reads them: an ephemeral interaction answer, or their DM.
The double parses every upload strictly (multipart.py); the first tests show it refuses what
Discord refuses, so the later ones cannot pass on a kinder reading."""
import json

import pytest

import double as dd
import multipart

B = "tendboundary42"
CT = "multipart/form-data; boundary=" + B


def form(*parts, close=True):
    out = b""
    for head, data in parts:
        out += b"--" + B.encode() + b"\r\n" + head.encode() + b"\r\n\r\n" + data + b"\r\n"
    return out + (b"--" + B.encode() + b"--\r\n" if close else b"")


PAYLOAD = ('Content-Disposition: form-data; name="payload_json"\r\nContent-Type: application/json',
           json.dumps({"content": "x", "attachments": [{"id": "0", "filename": "a.json"}]}).encode())
FILE = ('Content-Disposition: form-data; name="files[0]"; filename="a.json"\r\nContent-Type: application/json',
        b'{"a": 1}')


def test_the_double_takes_a_documented_upload():
    payload, files = multipart.parse(CT, form(PAYLOAD, FILE))
    assert payload["content"] == "x"
    assert files[0]["filename"] == "a.json" and files[0]["data"] == b'{"a": 1}'


@pytest.mark.parametrize("ctype,body,why", [
    ("multipart/form-data", form(PAYLOAD, FILE), "boundary"),
    (CT, form(PAYLOAD, FILE, close=False), "closing boundary"),
    (CT, form(FILE), "no payload_json"),
    (CT, form(PAYLOAD), "without a file"),
    (CT, form(PAYLOAD, ('Content-Disposition: form-data; name="files[0]"', b"x")), "no filename"),
    (CT, form(PAYLOAD, FILE, FILE), "twice"),
    (CT, form(PAYLOAD, ('Content-Disposition: form-data; name="file"; filename="a.json"', b"x")),
     "does not take"),
    (CT, form(('Content-Disposition: form-data; name="payload_json"', b'{"content": "x"}'), FILE),
     "do not name"),
    (CT, form(PAYLOAD, (FILE[0], b"x" * (10 * 1024 * 1024 + 1))), "10 MiB"),
])
def test_the_double_refuses_what_discord_refuses(ctype, body, why):
    with pytest.raises(multipart.Refused, match=why):
        multipart.parse(ctype, body)


def uploads_for(double, iid=None, channel=None):
    token = None
    if iid is not None:
        token = next(t for t, i in double.tokens.items() if i == iid)
    out = []
    for e in double.uploads:
        if iid is not None and ("/interactions/%s/" % iid in e["path"] or "/" + token in e["path"]):
            out.append(e)
        elif channel is not None and e["path"] == "/channels/%s/messages" % channel:
            out.append(e)
    return out


def message_of(entry):
    b = entry["body"]
    return b.get("data") if isinstance(b.get("data"), dict) else b


def one_private_upload(double, iid, suffix, ctype):
    assert double.wait(lambda: uploads_for(double, iid)), "no upload answered the command"
    ups = uploads_for(double, iid)
    assert len(ups) == 1, ups
    up = ups[0]
    msg = message_of(up)
    assert msg.get("flags", 0) & 64 == 64, "the file was not ephemeral: %r" % msg
    assert msg["allowed_mentions"]["parse"] == []
    assert msg["attachments"] == [{"id": "0", "filename": up["files"][0]["filename"]}]
    f = up["files"][0]
    assert f["field"] == "files[0]" and f["filename"].endswith(suffix) and f["content_type"] == ctype
    assert f["filename"] in msg["content"] and "{" not in msg["content"], "the chat text is not a short line"
    return f["data"].decode("utf-8")


def test_export_is_an_ephemeral_attachment(tend, double):
    iid = double.slash("ana", "task", {"title": "@everyone soup"}, sub="add")
    assert double.answer(iid)
    posts_before = list(double.channel_messages)
    iid = double.slash("ben", "claim", {"task": "1"})
    assert double.answer(iid)
    iid = double.slash("ben", "export", sub="me")
    data = json.loads(one_private_upload(double, iid, ".json", "application/json"))
    assert data["profile"]["name"] == "Ben"
    assert data["claims"][0]["title"] == "@everyone soup"
    # nothing of it reached a channel anyone else reads
    assert double.channel_messages == posts_before
    assert not any(e["path"].startswith("/channels/") for e in double.uploads)


def test_the_group_export_goes_only_to_a_coordinator(tend, double):
    iid = double.slash("ben", "export", sub="group")
    bodies = double.answer(iid)
    assert bodies and "coordinators" in (bodies[0].get("data") or bodies[0])["content"]
    assert not uploads_for(double, iid)
    iid = double.slash("ana", "export", sub="group")
    data = json.loads(one_private_upload(double, iid, ".json", "application/json"))
    assert data["group"]["key"] == "discord:" + dd.GUILD_ID


def test_a_calendar_is_an_ephemeral_attachment_and_goes_by_dm_from_a_channel(tend, double):
    iid = double.slash("ana", "task", {"title": "Soup, run; @everyone", "when": "fri 18:00",
                                       "repeat": "weekly"}, sub="add")
    assert double.answer(iid)
    iid = double.slash("cai", "tasks", {"filter": "ics"})
    ics = one_private_upload(double, iid, ".ics", "text/calendar")
    assert "SUMMARY:Soup\\, run\\; @everyone\r\n" in ics and "RRULE:FREQ=WEEKLY\r\n" in ics
    # only what cai holds: nothing yet, then the task once claimed
    iid = double.slash("cai", "tasks", {"filter": "ics mine"})
    bodies = double.answer(iid)
    assert "None of the tasks you hold" in (bodies[0].get("data") or bodies[0])["content"]
    assert double.answer(double.slash("cai", "claim", {"task": "1"}))
    iid = double.slash("cai", "tasks", {"filter": "ics mine"})
    assert "Soup" in one_private_upload(double, iid, ".ics", "text/calendar")
    # typed as a mention in the channel, the calendar goes to cai's DM, not to the channel
    n = len(double.uploads)
    double.mention("cai", "<@%s> tasks ics" % dd.BOT_ID)
    assert double.wait(lambda: len(double.uploads) > n)
    up = double.uploads[n]
    dm = double.dm_channels[double.members["cai"]["id"]]
    assert up["path"] == "/channels/%s/messages" % dm, up["path"]
    assert message_of(up).get("nonce"), "a DM upload carries the row's nonce like any other"
    assert up["files"][0]["data"].decode().count("BEGIN:VEVENT") == 1


def test_a_file_over_discords_limit_leaves_its_words_and_says_why(double):
    """A group export over the 10 MiB a bot may upload: Discord would refuse it (413) and the
    coordinator would get nothing; the answer comes without the file and says so."""
    import tempfile
    import tenddb
    from conftest import Tend
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp)
        try:
            assert double.wait_ready(15), t.output()
            assert double.answer(double.slash("ana", "task", {"title": "Seed"}, sub="add"))
        finally:
            t.stop()
        # 11,000 tasks of about 1 KB each in the export: over 10 MiB of JSON
        tenddb.execute(t.db,
                       "INSERT INTO tasks (group_id, number, title, note, created_at) "
                       "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 11001) "
                       "SELECT group_id, i, 'Task ' || i || ' ' || hex(randomblob(90)), hex(randomblob(300)), "
                       "created_at FROM tasks, n WHERE number = 1",
                       # the same rows in PostgreSQL's words: random hex from md5, per row (the
                       # subqueries name i, so they run again for each; their aggregate is over k)
                       "INSERT INTO tasks (group_id, number, title, note, created_at) "
                       "SELECT group_id, i, 'Task ' || i || ' ' || "
                       "(SELECT string_agg(md5(random()::text || i || k), '') FROM generate_series(1, 6) AS g(k)), "
                       "(SELECT string_agg(md5(random()::text || i || k), '') FROM generate_series(1, 19) AS g(k)), "
                       "created_at FROM tasks, generate_series(2, 11001) AS n(i) WHERE number = 1")
        t = Tend(double, tmp)
        try:
            assert double.wait_ready(15), t.output()
            iid = double.slash("ana", "export", sub="group")
            bodies = double.answer(iid, timeout=20)
            assert double.wait(lambda: any("couldn't come along" in (b.get("data") or b).get("content", "")
                                           for b in double.callbacks[iid]), 20), double.callbacks[iid]
            said = [(b.get("data") or b) for b in bodies]
            assert all(s.get("flags", 0) & 64 for s in said), "the answer is still private"
            assert not uploads_for(double, iid), "an upload Discord would refuse went anyway"
            assert "over Discord's upload limit" in t.output()
        finally:
            t.stop()
    assert not double.violations, double.violations
