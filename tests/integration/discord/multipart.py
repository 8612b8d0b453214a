"""Discord's file uploads as the double reads them: no kinder than Discord.

Discord's "Uploading Files" reference: a request that carries files replaces its JSON body with a
multipart/form-data body; the JSON goes in a `payload_json` field; each file is a `files[n]` field
whose Content-Disposition names the field and a filename, each name used once; the JSON's
`attachments` list an object with `id` n for each files[n]. A bot's upload may be at most 10 MiB
per file. parse() refuses anything else with the reason Discord would give (or a stricter one),
so a test that passes here sends what Discord takes.
"""
import json
import re

FILE_MAX = 10 * 1024 * 1024
FIELD = re.compile(r'^form-data; name="([^"]+)"(?:; filename="([^"]*)")?$')


class Refused(Exception):
    pass


def _headers(block):
    out = {}
    for line in block.split(b"\r\n"):
        if b":" not in line:
            raise Refused("a part header line without a colon: %r" % line[:80])
        k, v = line.split(b":", 1)
        key = k.strip().lower().decode("ascii")
        if key in out:
            raise Refused("part header %s given twice" % key)
        out[key] = v.strip().decode("utf-8")
    return out


def parse(content_type, raw):
    """(payload dict, [ {field, filename, content_type, data(bytes)} ]) or raises Refused."""
    m = re.match(r'^multipart/form-data;\s*boundary=("?)([^";]+)\1$', content_type or "")
    if not m:
        raise Refused("Content-Type %r is not multipart/form-data with a boundary" % content_type)
    delim = b"--" + m.group(2).encode()
    if not raw.startswith(delim + b"\r\n"):
        raise Refused("the body does not start with the boundary")
    end = raw.rfind(b"\r\n" + delim + b"--")
    if end < 0 or raw[end + len(delim) + 4:] not in (b"", b"\r\n"):
        raise Refused("the body does not end with the closing boundary")
    chunks = raw[len(delim) + 2:end].split(b"\r\n" + delim + b"\r\n")
    payload, files, seen = None, [], set()
    for chunk in chunks:
        if b"\r\n\r\n" not in chunk:
            raise Refused("a part without a blank line after its headers")
        head, data = chunk.split(b"\r\n\r\n", 1)
        h = _headers(head)
        disp = FIELD.match(h.get("content-disposition", ""))
        if not disp:
            raise Refused("a part without Content-Disposition: form-data; name=...: %r" % h)
        name, filename = disp.group(1), disp.group(2)
        if name in seen:
            raise Refused("field %s given twice" % name)
        seen.add(name)
        if name == "payload_json":
            if filename is not None:
                raise Refused("payload_json sent as a file")
            try:
                payload = json.loads(data.decode("utf-8"))
            except ValueError:
                raise Refused("payload_json is not JSON")
        elif re.fullmatch(r"files\[(0|[1-9][0-9]?)\]", name):
            if not filename:
                raise Refused("%s has no filename" % name)
            if len(data) > FILE_MAX:
                raise Refused("%s is %d bytes, over the 10 MiB a bot may upload" % (name, len(data)))
            files.append({"field": name, "n": name[6:-1], "filename": filename,
                          "content_type": h.get("content-type"), "data": data})
        else:
            raise Refused("a field Discord does not take here: %s" % name)
    if payload is None:
        raise Refused("no payload_json")
    if not files:
        raise Refused("multipart without a file")
    body = payload.get("data", payload) if isinstance(payload.get("data"), dict) else payload
    ids = sorted(str(a.get("id")) for a in body.get("attachments") or [])
    if ids != sorted(f["n"] for f in files):
        raise Refused("attachments %s do not name the files %s" % (ids, [f["field"] for f in files]))
    return payload, files
