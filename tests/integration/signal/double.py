"""A test double of signal-cli's JSON-RPC daemon over HTTP (`signal-cli daemon --http`), version
0.13.19, on 127.0.0.1, with a pretend Signal network behind it.

It answers the way signal-cli does (checked against the real daemon by test_real_signal_cli.py):
POST /api/v1/rpc takes JSON-RPC 2.0 (single or batch; 201 for a notification; 415 without an
application/json body; 405 for another method), errors with signal-cli's codes and messages
(-32700, -32600, -32601, -32602 "Specified account does not exist" / "Method requires valid
account parameter", -1 user errors, -3, -5 rate limits with retryAfterSeconds); GET
/api/v1/events is a server-sent-events stream whose headers, like 0.13.19's, leave only with the
first event or keep-alive; GET /api/v1/check. It runs in multi-account mode.

Like the real daemon, it receives only while a client listens to the event stream: what members
send meanwhile waits (as Signal's server keeps it) and is handed over when someone listens again.
An event written to a stream counts as delivered.

Stricter than signal-cli where signal-cli would quietly do the wrong thing, each recorded in
`violations`: a parameter signal-cli does not know (it would ignore a typo like "mentions"), a
mention range outside the text or not on an "@name", a mention of someone who is not in the
chat, a member addressed by phone number instead of uuid, a quote of a message that chat never had.

Attachments (`attachments`, or `attachment`) are read the way signal-cli 0.13 reads them
(lib/.../util/DataURI.java and Utils.createStreamDetails): each entry is a data URI
"data:<type>;filename=<name>;base64,<data>" (RFC 2397, parameter values URL-decoded, the data
strict base64 without line breaks), and anything that is not one is taken for a path on the
daemon's disk, which fails here as it would there (-32603 "... (No such file or directory)
(AttachmentInvalidException)"); tend never names a path, so that is also a violation. An
attachment with no file name, or past Signal's 100 MiB, is a violation too.
"""
import asyncio
import base64
import itertools
import json
import re
import threading
import time
import urllib.parse

from aiohttp import web

VERSION = "0.13.19"
ACCOUNT = "+15550001000"
SELF_UUID = "0b1c2d3e-4f50-4a61-8b72-c3d4e5f60718"
SLOW = 1.0

SEND_PARAMS = {
    "account", "recipient", "groupId", "group-id", "username", "noteToSelf", "notifySelf", "message",
    "messageFromStdin", "attachment", "attachments", "viewOnce", "endSession", "mention", "textStyle",
    "quoteTimestamp", "quoteAuthor", "quoteMessage", "quoteMention", "quoteAttachment", "quoteTextStyle",
    "sticker", "previewUrl", "previewTitle", "previewDescription", "previewImage", "storyTimestamp",
    "storyAuthor", "editTimestamp", "noUrgent", "voiceNote",
}
REACTION_PARAMS = {"account", "recipient", "groupId", "username", "noteToSelf", "notifySelf", "emoji",
                   "targetAuthor", "targetTimestamp", "remove", "story"}
KNOWN_METHODS = {"version", "listAccounts", "listGroups", "listContacts", "send", "sendReaction",
                 "subscribeReceive", "unsubscribeReceive"}
ATTACHMENT_MAX = 100 * 1024 * 1024     # Signal's largest attachment
# signal-cli's DataURI.DATA_URI_PATTERN and PARAMETER_PATTERN (Java's \z is Python's \Z; "." stops at a
# line break in both)
DATA_URI_RE = re.compile(r"\Adata:(?P<type>.+?/.+?)?(?P<parameters>;.+?=.+?)?(?P<base64>;base64)?,(?P<data>.+)\Z",
                         re.IGNORECASE)
PARAMETER_RE = re.compile(r";(?P<key>.+)=(?P<value>.+)", re.IGNORECASE)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def read_data_uri(uri):
    """(type, parameters, data bytes) as signal-cli's DataURI.of reads uri, or None where it throws
    (signal-cli then takes the string for a file name). The cross-check holds this to the real one."""
    m = DATA_URI_RE.match(uri)
    if not m:
        return None
    try:
        data = (base64.b64decode(m.group("data"), validate=True) if m.group("base64")
                else urllib.parse.unquote_plus(m.group("data")).encode())
    except ValueError:
        return None
    parameters = {}
    if m.group("parameters"):
        p = PARAMETER_RE.match(m.group("parameters"))
        parameters[p.group("key")] = urllib.parse.unquote_plus(p.group("value"))
    return m.group("type") or "text/plain", parameters, data


def group_id(name):
    return base64.b64encode((name.encode() * 32)[:32]).decode()


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def utf16_slice(s, start, length):
    return s.encode("utf-16-le")[2 * start:2 * (start + length)].decode("utf-16-le", "replace")


class RpcError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


class Double:
    def __init__(self, keepalive=15.0):
        self.keepalive = keepalive
        self.accounts = [ACCOUNT]
        # who is who: ana and cai hide their number (Signal's default), ben shares it
        self.members = {
            "ana": {"uuid": "a1a1a1a1-0000-4000-8000-000000000001", "number": None, "name": "Ana"},
            "ben": {"uuid": "b2b2b2b2-0000-4000-8000-000000000002", "number": "+15550002002", "name": "Ben"},
            "cai": {"uuid": "c3c3c3c3-0000-4000-8000-000000000003", "number": None, "name": "Cai"},
            "dee": {"uuid": "d4d4d4d4-0000-4000-8000-000000000004", "number": None, "name": "Dee"},
        }
        self.groups = {
            group_id("foodbank"): {"name": "Food Bank", "members": ["ana", "ben", "cai"], "admins": ["ana"]},
        }
        self.pending = []          # envelopes Signal holds until someone listens
        self.streams = []          # the tasks serving open event streams
        self.sent = []             # what tend sent: dicts with ts, to, group, text, mentions, quote
        self.violations = []
        self.calls = []            # (method, params) of every call
        self.faults = []           # [method, code, count]: the next `count` calls fail with `code`
        self.transcript = []       # what a reader of the chats would have seen
        self.chat_messages = {}    # chat -> {timestamp: author uuid}, for quotes and reactions
        self.stream_connections = 0
        self.hold_answers = 0.0    # seconds a `send` answer waits after Signal took the message
        self.clock = itertools.count(int(time.time() * 1000))
        self.loop = None
        self.port = None
        self.runner = None
        self.wake = None

    # ------------------------------------------------------------------ running

    def start(self):
        started = threading.Event()

        def run():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._listen())
            started.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        started.wait(10)
        return self

    async def _listen(self):
        self.wake = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/api/v1/rpc", self._rpc)
        app.router.add_route("*", "/api/v1/events", self._events)
        app.router.add_route("*", "/api/v1/check", self._check)
        self.runner = web.AppRunner(app, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", self.port or 0, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def _close(self):
        self._cut()
        await self.runner.cleanup()

    def stop(self):
        self.call(self._close())
        self.loop.call_soon_threadsafe(self.loop.stop)

    def restart(self, down_seconds=1.0):
        """The daemon stops (connections cut, nothing answers) and comes back on the same port."""
        self.call(self._close())
        time.sleep(down_seconds)
        self.call(self._listen())

    def call(self, coro, timeout=10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def wait(self, cond, timeout=10):
        end = time.time() + timeout * SLOW
        while time.time() < end:
            if cond():
                return True
            time.sleep(0.02)
        return cond()

    # ------------------------------------------------------------------ members' side

    def uuid(self, who):
        return self.members[who]["uuid"] if who in self.members else who

    def who(self, uuid):
        for key, m in self.members.items():
            if m["uuid"] == uuid:
                return key
        return uuid

    def _envelope(self, who, data_message):
        m = self.members[who]
        ts = data_message["timestamp"]
        return {"account": ACCOUNT, "envelope": {
            "source": m["number"] or m["uuid"], "sourceNumber": m["number"], "sourceUuid": m["uuid"],
            "sourceName": m["name"], "sourceDevice": 1, "timestamp": ts, "serverReceivedTimestamp": ts + 3,
            "serverDeliveredTimestamp": ts + 5, "dataMessage": data_message}}

    def _deliver(self, event):
        def go():
            self.pending.append(event)
            self.wake.set()
        self.loop.call_soon_threadsafe(go)

    def say(self, who, text, group="Food Bank", mentions=()):
        """A member sends text in a group (by name) or, with group=None, in their 1:1 chat with tend.
        mentions: (member, start, length) in UTF-16 units; the text holds U+FFFC there."""
        ts = next(self.clock)
        dm = {"timestamp": ts, "message": text, "expiresInSeconds": 0, "viewOnce": False}
        if mentions:
            dm["mentions"] = [{"name": self.members[w]["number"] or self.uuid(w), "number": self.members[w]["number"],
                               "uuid": self.uuid(w), "start": s, "length": n} for w, s, n in mentions]
        chat = self._chat(group, who)
        if group:
            dm["groupInfo"] = {"groupId": chat, "groupName": group, "revision": 3, "type": "DELIVER"}
        self.chat_messages.setdefault(chat, {})[ts] = self.uuid(who)
        self.transcript.append("[%s] %s: %s" % (group or "1:1 " + self.members[who]["name"],
                                                self.members[who]["name"], text.replace("\ufffc", "@…")))
        self._deliver(self._envelope(who, dm))
        return ts

    def react(self, who, target_ts, emoji, group=None):
        """A member reacts to one of tend's messages, in their 1:1 chat unless a group is named."""
        ts = next(self.clock)
        dm = {"timestamp": ts, "message": None, "expiresInSeconds": 0, "viewOnce": False,
              "reaction": {"emoji": emoji, "targetAuthor": ACCOUNT, "targetAuthorNumber": ACCOUNT,
                           "targetAuthorUuid": SELF_UUID, "targetSentTimestamp": target_ts, "isRemove": False}}
        if group:
            dm["groupInfo"] = {"groupId": self._chat(group, who), "groupName": group, "revision": 3,
                               "type": "DELIVER"}
        self.transcript.append("[%s] %s reacts %s" % (group or "1:1 " + self.members[who]["name"],
                                                      self.members[who]["name"], emoji))
        self._deliver(self._envelope(who, dm))
        return ts

    def group_update(self, group="Food Bank", who="ana"):
        ts = next(self.clock)
        dm = {"timestamp": ts, "message": None, "expiresInSeconds": 0, "viewOnce": False,
              "groupInfo": {"groupId": self._chat(group, who), "groupName": group, "revision": 4,
                            "type": "UPDATE"}}
        self._deliver(self._envelope(who, dm))

    def sync_message(self, text):
        """tend's account typing on its phone: signal-cli hands it over as a sync message."""
        ts = next(self.clock)
        self._deliver({"account": ACCOUNT, "envelope": {
            "source": ACCOUNT, "sourceNumber": ACCOUNT, "sourceUuid": SELF_UUID, "sourceName": "tend",
            "sourceDevice": 1, "timestamp": ts, "serverReceivedTimestamp": ts, "serverDeliveredTimestamp": ts,
            "syncMessage": {"sentMessage": {"destination": None, "destinationNumber": None,
                                            "destinationUuid": None, "timestamp": ts, "message": text,
                                            "expiresInSeconds": 0, "viewOnce": False,
                                            "groupInfo": {"groupId": group_id("foodbank"),
                                                          "groupName": "Food Bank", "revision": 3,
                                                          "type": "DELIVER"}}}}})

    def _chat(self, group, who):
        if group is None:
            return self.uuid(who)
        for gid, g in self.groups.items():
            if g["name"] == group:
                return gid
        raise KeyError(group)

    def drop_streams(self):
        """Cuts every open event stream, as a network hiccup or a proxy would."""
        async def go():
            self._cut()
        self.call(go())

    def _cut(self):
        for task, request in list(self.streams):
            if request.transport is not None:
                request.transport.abort()  # no clean end: the connection just dies
            task.cancel()
        self.streams.clear()

    def listening(self):
        return bool(self.streams)

    def fail_next(self, method, code, count=1):
        self.faults.append([method, code, count])

    def sent_to(self, who=None, group=None):
        """What tend sent to a member's 1:1 chat or to a group (by name)."""
        target = self._chat(group, who) if group else self.uuid(who)
        return [s for s in self.sent if s["to"] == target]

    def texts_to(self, who=None, group=None):
        return [s["text"] for s in self.sent_to(who, group)]

    # ------------------------------------------------------------------ HTTP

    async def _check(self, request):
        if request.method != "GET":
            return web.Response(status=405)
        return web.Response(status=200)

    async def _events(self, request):
        if request.method != "GET":
            return web.Response(status=405)
        account = request.query.get("account")
        if account is not None and account != "" and account not in self.accounts:
            return web.Response(status=400)
        resp = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream"})
        entry = (asyncio.current_task(), request)
        self.streams.append(entry)
        self.stream_connections += 1
        prepared = False
        last = time.time()
        try:
            while True:
                while self.pending:
                    event = self.pending.pop(0)
                    if not prepared:
                        await resp.prepare(request)  # 0.13.19: headers leave with the first write
                        prepared = True
                    await resp.write(("event:receive\ndata:%s\n\n" % json.dumps(event)).encode())
                    last = time.time()
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=max(0.01, self.keepalive - (time.time() - last)))
                except asyncio.TimeoutError:
                    if not prepared:
                        await resp.prepare(request)
                        prepared = True
                    await resp.write(b":\n")
                    last = time.time()
        except ConnectionResetError:
            pass
        finally:
            if entry in self.streams:
                self.streams.remove(entry)
        return resp

    async def _rpc(self, request):
        if request.method != "POST":
            return web.Response(status=405)
        if not (request.headers.get("Content-Type") or "").startswith("application/json"):
            return web.Response(status=415)
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            return web.json_response({"jsonrpc": "2.0", "error": {
                "code": -32700, "message": "Unrecognized token: was expecting (JSON String, Number, Array, "
                "Object or token 'null', 'true' or 'false')", "data": None}, "id": None})
        if isinstance(body, list):
            answers = [a for a in (self._one(b) for b in body) if a is not None]
            return web.json_response(answers) if answers else web.Response(status=201)
        answer = self._one(body)
        if self.hold_answers and body.get("method") == "send":
            await asyncio.sleep(self.hold_answers)
        return web.json_response(answer) if answer is not None else web.Response(status=201)

    def _one(self, req):
        rid = req.get("id") if isinstance(req, dict) else None

        def error(code, message, data=None):
            return {"jsonrpc": "2.0", "error": {"code": code, "message": message, "data": data}, "id": rid}

        if not isinstance(req, dict) or req.get("jsonrpc") != "2.0":
            return error(-32600, "only jsonrpc version 2.0 is supported")
        method = req.get("method")
        if not isinstance(method, str):
            return error(-32600, "method field must be set")
        params = req.get("params")
        if params is not None and not isinstance(params, dict):
            return error(-32600, "Cannot deserialize value of type `java.util.LinkedHashMap<java.lang.String,"
                                 "java.lang.Object>` from Array value (token `JsonToken.START_ARRAY`)")
        params = dict(params or {})
        self.calls.append((method, params))
        try:
            result = self._dispatch(method, params)
        except RpcError as e:
            answer = error(e.code, e.message, e.data)
        else:
            answer = {"jsonrpc": "2.0", "result": result, "id": rid}
        return None if "id" not in req else answer

    def _account(self, params):
        account = params.pop("account", None)
        if account is not None:
            if account not in self.accounts:
                raise RpcError(-32602, "Specified account does not exist")
            return account
        if len(self.accounts) == 1:
            return self.accounts[0]
        raise RpcError(-32602, "Method requires valid account parameter")

    def _dispatch(self, method, params):
        if method == "version":
            if params.get("account") is not None:
                self._account(params)  # a command of one account too: an unknown one is refused
            return {"version": VERSION}
        if method == "listAccounts":
            return [{"number": a} for a in self.accounts]
        if method not in KNOWN_METHODS:
            raise RpcError(-32601, "Method not implemented")
        self._account(params)
        for fault in self.faults:
            if fault[0] == method and fault[2] > 0:
                fault[2] -= 1
                self._fault(fault[1], params)
        if method == "listGroups":
            return [self._group_json(gid, g) for gid, g in self.groups.items()]
        if method == "listContacts":
            return self._contacts(params)
        if method == "send":
            return self._send(params)
        if method == "sendReaction":
            return self._send_reaction(params)
        raise RpcError(-32601, "Method not implemented")

    def _fault(self, code, params):
        ts = next(self.clock)
        if code == -5:
            raise RpcError(-5, "Failed to send message due to rate limiting", {"response": {
                "timestamp": ts, "results": [{"recipientAddress": {"uuid": None, "number": None, "username": None},
                                              "type": "RATE_LIMIT_FAILURE", "retryAfterSeconds": 2}]}})
        if code == -3:
            raise RpcError(-3, "Failed to send message: Connection reset (IOException)")
        raise RpcError(code, "injected failure")

    # ------------------------------------------------------------------ methods

    def _address(self, key):
        m = self.members[key]
        return {"number": m["number"], "uuid": m["uuid"]}

    def _group_json(self, gid, g):
        members = [self._address(k) for k in g["members"]] + [{"number": ACCOUNT, "uuid": SELF_UUID}]
        return {"id": gid, "name": g["name"], "description": "", "isMember": True, "isBlocked": False,
                "messageExpirationTime": 0, "members": members, "pendingMembers": [], "requestingMembers": [],
                "admins": [self._address(k) for k in g["admins"]], "banned": [],
                "permissionAddMember": "EVERY_MEMBER", "permissionEditDetails": "EVERY_MEMBER",
                "permissionSendMessage": "EVERY_MEMBER", "groupInviteLink": None}

    def _contacts(self, params):
        wanted = params.get("recipient")
        wanted = [wanted] if isinstance(wanted, str) else (wanted or [])
        out = []
        for key, m in self.members.items():
            if wanted and m["uuid"] not in wanted and m["number"] not in wanted:
                continue
            out.append({"number": m["number"], "uuid": m["uuid"], "username": None, "name": "",
                        "givenName": None, "familyName": None, "nickName": None, "nickGivenName": None,
                        "nickFamilyName": None, "note": None, "color": None, "isBlocked": False,
                        "isHidden": False, "messageExpirationTime": 0, "profileSharing": False,
                        "unregistered": False, "profile": {"lastUpdateTimestamp": 0, "givenName": m["name"],
                                                           "familyName": None, "about": None, "aboutEmoji": None,
                                                           "hasAvatar": False, "mobileCoinAddress": None}})
        return out

    def _recipients(self, params):
        recipients = params.get("recipient")
        if isinstance(recipients, str):
            recipients = [recipients]
        recipients = recipients or []
        for r in recipients:
            if not isinstance(r, str):
                raise RpcError(-1, "Invalid recipient")
            if r.startswith("+"):
                self.violations.append("a member was addressed by phone number, not by uuid")
            elif not UUID_RE.match(r):
                raise RpcError(-1, "Invalid phone number '%s': The string supplied did not seem to be a phone "
                                   "number." % r)
        groups = params.get("groupId")
        if isinstance(groups, str):
            groups = [groups]
        groups = groups or []
        for gid in groups:
            try:
                raw = base64.b64decode(gid, validate=True)
            except ValueError:
                raise RpcError(-1, "Invalid group id: Failed to decode")
            if len(raw) not in (16, 32):
                raise RpcError(-1, "Invalid group id: Wrong group id length")
            if gid not in self.groups:
                raise RpcError(-1, "Group not found: " + gid)
        if not recipients and not groups:
            raise RpcError(-1, "No recipients given")
        return recipients, groups

    def _check_params(self, params, allowed, method):
        for name in params:
            if name not in allowed:
                self.violations.append("%s: parameter %r is unknown to signal-cli (it would be ignored)" % (method, name))

    def _attachments(self, params):
        """The files of a send, read as signal-cli reads them: [{filename, contentType, data}]."""
        raw = params.get("attachment")
        if raw is None:
            raw = params.get("attachments")
        if raw is None:
            return []
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise RpcError(-32602, "Cannot deserialize attachments: expected a list of strings")
        files = []
        for a in raw:
            read = read_data_uri(a)
            if read is None:
                # not a data URI signal-cli can read: it takes the string for a file name
                self.violations.append("an attachment that is not a readable data URI: %r" % a[:60])
                raise RpcError(-32603, "Failed to send message: %s: %s (No such file or directory) "
                                       "(AttachmentInvalidException) (UnexpectedErrorException)" % (a, a))
            ctype, parameters, data = read
            if not parameters.get("filename"):
                self.violations.append("an attachment with no file name (the member sees a made-up one)")
            if len(data) > ATTACHMENT_MAX:
                self.violations.append("an attachment of %d bytes, past Signal's 100 MiB" % len(data))
                raise RpcError(-32603, "Failed to send message: Attachment too large (IOException) "
                                       "(UnexpectedErrorException)")
            files.append({"filename": parameters.get("filename"), "contentType": ctype, "data": data})
        return files

    def _send(self, params):
        self._check_params(params, SEND_PARAMS, "send")
        recipients, groups = self._recipients(params)
        files = self._attachments(params)
        text = params.get("message") or ""
        if not isinstance(text, str) or (text == "" and not files):
            raise RpcError(-1, "Sending empty message is not allowed, either a message, attachment or sticker "
                               "must be given.")
        mentions = params.get("mention") or []
        if isinstance(mentions, str):
            mentions = [mentions]
        parsed = []
        for m in mentions:
            match = re.fullmatch(r"(\d+):(\d+):(.+)", m) if isinstance(m, str) else None
            if not match:
                raise RpcError(-1, "Invalid mention syntax (%s) expected 'start:length:recipientNumber'" % m)
            parsed.append((int(match.group(1)), int(match.group(2)), match.group(3)))
        quote = params.get("quoteTimestamp")
        if quote is not None and not params.get("quoteAuthor"):
            raise RpcError(-1, "Quote author parameter is missing")
        unknown = [r for r in recipients if self.who(r) == r]
        ts = next(self.clock)
        if unknown:
            raise RpcError(-1, "Failed to send message", {"response": {"timestamp": ts, "results": [
                {"recipientAddress": {"uuid": r, "number": None, "username": None},
                 "type": "UNREGISTERED_FAILURE"} for r in unknown]}})
        results = []
        for target in groups + recipients:
            in_chat = self.groups[target]["members"] if target in self.groups else [self.who(target)]
            for start, length, who in parsed:
                covered = utf16_slice(text, start, length)
                if start + length > utf16_len(text) or not covered.startswith("@"):
                    self.violations.append("a mention range %d:%d does not cover an @name in %r" % (start, length, text))
                if self.who(who) not in in_chat:
                    self.violations.append("a mention of someone who is not in the chat")
            if quote is not None and quote not in self.chat_messages.get(target, {}):
                self.violations.append("a quote of a message this chat never had")
            self.chat_messages.setdefault(target, {})[ts] = SELF_UUID
            entry = {"ts": ts, "to": target, "group": target in self.groups, "text": text,
                     "mentions": [(s, n, self.who(w)) for s, n, w in parsed], "quote": quote,
                     "attachments": files}
            self.sent.append(entry)
            where = self.groups[target]["name"] if target in self.groups else "1:1 " + self.members[self.who(target)]["name"]
            self.transcript.append("[%s] tend: %s" % (where, text.replace("\n", "\n    ")))
            for f in files:
                self.transcript.append("[%s] tend: (a file: %s, %s, %d bytes)" % (where, f["filename"], f["contentType"],
                                                                                  len(f["data"])))
            for k in (in_chat if target in self.groups else [self.who(target)]):
                a = self._address(k)
                results.append({"recipientAddress": {"uuid": a["uuid"], "number": a["number"], "username": None},
                                **({"groupId": target} if target in self.groups else {}), "type": "SUCCESS"})
        return {"timestamp": ts, "results": results}

    def _send_reaction(self, params):
        self._check_params(params, REACTION_PARAMS, "sendReaction")
        recipients, groups = self._recipients(params)
        if not params.get("emoji") or not params.get("targetAuthor") or params.get("targetTimestamp") is None:
            raise RpcError(-32603, "Cannot invoke \"String.length()\" because \"identifier\" is null "
                                   "(NullPointerException)")
        return {"timestamp": next(self.clock), "results": []}
