"""A test double of Telegram's Bot API, on 127.0.0.1 (aiohttp), as strict as Telegram documents it.

It plays one supergroup ("Soup kitchen") with a few members, their private chats with the bot, and
another bot in the group. Tests drive it through plain Python methods (from any thread) to have
members type, press buttons and open the private chat, to read what the bot sent, and to inject the
faults Telegram really produces. What it enforces, as Telegram does:
  - every answer is {"ok":true,"result":...} or {"ok":false,"error_code":N,"description":...}
    (with "parameters" for 429 retry_after and a group's migration); 401 for a wrong token, 404 for
    an unknown method;
  - getUpdates: the offset confirms updates; a second poller gets the older one a 409 ("terminated
    by other getUpdates request"); polling while a webhook is set is a 409;
  - privacy mode: in the group the bot only receives commands meant for it (/cmd@bot, or a plain
    /cmd when it was the last bot to speak there) and replies to its own messages;
  - sendMessage: chat_id, a text of 1-4096 UTF-16 units, entities inside the text (offsets and
    lengths in UTF-16 units, a text_mention with a whole User), inline keyboards with 1-64 byte
    callback_data; 403 "bot can't initiate conversation with a user" in the private chat of a member
    who never opened it; about one message a second per chat and 20 a minute per group, else 429
    with retry_after;
  - sendDocument: a file uploaded as multipart/form-data (the only way to send new bytes), the
    `document` field a file part with a file name, not empty and at most 50 MB (a bot's upload
    limit; Telegram answers 413 past it), a caption of at most 1024 characters; the same
    private-chat and rate rules as sendMessage. A document given as a string (a file_id or a URL
    for Telegram to fetch) is a violation here: tend only uploads; a file part sent to any other
    method is refused;
  - answerCallbackQuery once per press and within 15 seconds, a url only as a t.me link to this bot.
Protocol mistakes the bot makes are collected in `violations`; 429s it earned itself in `earned_429`.
"""
import asyncio
import json
import re
import threading
import time
import urllib.parse

from aiohttp import web

TOKEN = "7012345678:AAEdoubleTokenNotASecret0123456789x"
BOT = {"id": 7012345678, "is_bot": True, "first_name": "tend", "username": "tend_test_bot"}
OTHER_BOT = {"id": 7099999999, "is_bot": True, "first_name": "Weather", "username": "weather_bot"}
GROUP_ID = -1001234567890
GROUP_TITLE = "Soup kitchen"
ANSWER_WINDOW_S = 15
UPLOAD_MAX = 50 * 1024 * 1024      # "Bots can currently send files of any type of up to 50 MB in size"
CAPTION_MAX = 1024


class Upload:
    """A file part of a multipart/form-data request, as the bot sent it."""
    def __init__(self, filename, content_type, data):
        self.filename, self.content_type, self.data = filename, content_type, data

    def __repr__(self):
        return "Upload(%r, %r, %d bytes)" % (self.filename, self.content_type, len(self.data))

JSON_PARAMS = {"entities", "caption_entities", "reply_markup", "allowed_updates", "commands", "scope", "reply_parameters",
               "link_preview_options"}
ENTITY_TYPES = {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
                "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
                "code", "pre", "text_link", "text_mention", "custom_emoji"}
SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
          "chat_administrators", "chat_member"}


def units(text):
    """Length in UTF-16 code units, the way Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def unit_slice(text, offset, length):
    raw = text.encode("utf-16-le")
    return raw[offset * 2:(offset + length) * 2].decode("utf-16-le", errors="replace")


class ApiError(Exception):
    def __init__(self, code, description, parameters=None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


class Double:
    def __init__(self):
        self.members = {
            "ana": {"id": 5001, "first_name": "Ana", "username": "ana_k", "status": "creator"},
            "ben": {"id": 5002, "first_name": "Ben", "status": "member"},
            "cai": {"id": 5003, "first_name": "Cai", "username": "cai_k", "status": "member"},
            "dee": {"id": 5004, "first_name": "Dee", "last_name": "Lu", "status": "member"},
            "eve": {"id": 5005, "first_name": "Eve", "status": "member"},   # never speaks in the group
        }
        self.started = {5001, 5002}      # who opened the private chat with the bot
        self.blocked = set()
        self.privacy_mode = True
        self.webhook_url = ""
        self.lock = threading.RLock()
        self.updates = []                # pending Update dicts
        self.deliveries = {}             # update id -> how many answers carried it
        self.next_update_id = 400000
        self.allowed_updates = None
        self.polls = []                  # (time, offset, pending) of every getUpdates
        self.pending_poll = None         # future of the poll being held open
        self.poll_conflicts = 0
        self.drop_now = False            # cut the poll being held open, as a dropped connection would
        self.dropped = 0
        self.requests = []               # (time, method, params) of every call
        self.violations = []
        self.earned_429 = []
        self.faults = []                 # [method, chat or None, code, description, parameters, count]
        self.sent = []                   # messages the bot sent: dicts with chat, message_id, text, ...
        self.chat_messages = {}          # chat id -> {message_id: message}
        self.next_message_id = {}
        self.send_times = {}             # chat id -> [times of accepted sends]
        self.last_bot = {}               # chat id -> user id of the last bot to speak there
        self.callbacks = {}              # id -> dict(time, answered, answer)
        self.commands = {}               # scope type -> list of BotCommand
        self.commands_in = {}            # (scope type, language_code) -> list of BotCommand
        self.transcript = []
        self.loop = None
        self.port = None
        self.closing = False
        self.group_id = GROUP_ID
        self.upgraded = {}               # old chat id -> the supergroup it became

    # ------------------------------------------------------------------ running

    def start(self):
        started = threading.Event()

        def run():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._start())
            started.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        started.wait(10)
        return self

    async def _start(self):
        # room past Telegram's 50 MB so that the double itself answers an upload that is too big
        app = web.Application(client_max_size=UPLOAD_MAX + 8 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        self.wake = asyncio.Event()

    def stop(self):
        async def shutdown():
            # a long-poll held open would hold the shutdown up for its whole timeout
            self.closing = True
            self.wake.set()
            await self.runner.cleanup()
        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)

    @property
    def api_base(self):
        return "http://127.0.0.1:%d" % self.port

    def _notify(self):
        if self.loop:
            self.loop.call_soon_threadsafe(self.wake.set)

    @staticmethod
    def wait(pred, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():
                return True
            time.sleep(0.02)
        return pred()

    # ------------------------------------------------------------------ the HTTP side

    @staticmethod
    def _reply(result=None, error=None):
        if error is not None:
            body = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return web.json_response(body, status=error.code)
        return web.json_response({"ok": True, "result": result})

    async def _not_found(self, request):
        return self._reply(error=ApiError(404, "Not Found"))

    async def _params(self, request):
        params = dict(request.query)
        ctype = request.content_type
        if request.can_read_body:
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON")
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON body must be an object")
                params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for k, v in form.items():
                    params[k] = v if isinstance(v, str) else Upload(v.filename, v.content_type, v.file.read())
        for k in JSON_PARAMS:
            if isinstance(params.get(k), str):
                try:
                    params[k] = json.loads(params[k])
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse %s JSON object" % k)
        return params

    async def _handle(self, request):
        if request.match_info["token"] != TOKEN:
            return self._reply(error=ApiError(401, "Unauthorized"))
        method = request.match_info["method"].lower()   # Telegram's method names ignore case
        try:
            params = await self._params(request)
            with self.lock:
                self.requests.append((time.monotonic(), method, params))
            if method != "senddocument" and any(isinstance(v, Upload) for v in params.values()):
                raise ApiError(400, "Bad Request: a file was sent where none is expected")
            if method == "senddocument" and request.content_type != "multipart/form-data":
                # new bytes can only travel as multipart/form-data
                raise ApiError(400, "Bad Request: there is no document in the request")
            if method == "getupdates":
                return await self._get_updates(request, params)
            handler = getattr(self, "_m_" + method, None)
            if handler is None:
                raise ApiError(404, "Not Found")
            with self.lock:
                self._fault(method, params)
                return self._reply(handler(params))
        except ApiError as e:
            return self._reply(error=e)

    def _fault(self, method, params):
        for f in self.faults:
            fmethod, fchat, code, description, parameters, count = f
            if fmethod == method and count > 0 and (fchat is None or str(params.get("chat_id")) == str(fchat)):
                f[5] -= 1
                raise ApiError(code, description, parameters)

    # ------------------------------------------------------------------ updates

    async def _get_updates(self, request, params):
        with self.lock:
            if self.webhook_url:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                    "use deleteWebhook to delete the webhook first")
            self._fault("getupdates", params)
            offset = int(params.get("offset", 0) or 0)
            timeout = min(max(int(params.get("timeout", 0) or 0), 0), 50)
            limit = min(max(int(params.get("limit", 100) or 100), 1), 100)
            if "allowed_updates" in params:
                self.allowed_updates = params["allowed_updates"] or None
            if offset > 0:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            # Telegram answers the older poller 409 when a newer one arrives
            if self.pending_poll is not None and not self.pending_poll.done():
                self.pending_poll.set_result("conflict")
                self.poll_conflicts += 1
            me = self.loop.create_future()
            self.pending_poll = me
            self.polls.append((time.monotonic(), offset, True))
        deadline = time.monotonic() + timeout
        drop = False
        while True:
            with self.lock:
                ready = self._deliverable()[:limit]
                drop = self.drop_now
            if drop or ready or me.done() or self.closing or time.monotonic() >= deadline:
                break
            self.wake.clear()
            try:
                await asyncio.wait_for(asyncio.shield(self._either(me)), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass
        if drop:
            # a long-poll cut off mid-way: what was ready is as good as sent, and lost on the way
            with self.lock:
                self.drop_now = False
                self.dropped += 1
                if self.pending_poll is me:
                    self.pending_poll = None
                for u in self._deliverable()[:limit]:
                    self.deliveries[u["update_id"]] = self.deliveries.get(u["update_id"], 0) + 1
            request.transport.close()
            return web.Response(status=500)
        with self.lock:
            if me.done() and me.result() == "conflict":
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only "
                                    "one bot instance is running")
            if self.pending_poll is me:
                self.pending_poll = None
            ready = self._deliverable()[:limit]
            for u in ready:
                self.deliveries[u["update_id"]] = self.deliveries.get(u["update_id"], 0) + 1
            return self._reply(ready)

    async def _either(self, fut):
        waiter = asyncio.ensure_future(self.wake.wait())
        await asyncio.wait([waiter, fut], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()

    def _deliverable(self):
        allowed = self.allowed_updates or ["message", "edited_message", "channel_post", "callback_query",
                                           "my_chat_member"]
        return [u for u in self.updates if any(k in u for k in allowed)]

    def _push(self, kind, obj):
        with self.lock:
            self.next_update_id += 1
            self.updates.append({"update_id": self.next_update_id, kind: obj})
        self._notify()
        return self.next_update_id

    def confirmed(self, update_id):
        with self.lock:
            return all(u["update_id"] != update_id for u in self.updates)

    # ------------------------------------------------------------------ chats and members

    def user(self, who):
        m = self.members[who]
        u = {"id": m["id"], "is_bot": False, "first_name": m["first_name"], "language_code": "en"}
        for k in ("last_name", "username"):
            if k in m:
                u[k] = m[k]
        return u

    def _name_of(self, user_id):
        for m in self.members.values():
            if m["id"] == user_id:
                return m["first_name"]
        return "bot" if user_id in (BOT["id"], OTHER_BOT["id"]) else str(user_id)

    def chat(self, chat_id):
        chat_id = int(chat_id)
        if chat_id == self.group_id:
            return {"id": chat_id, "type": "supergroup", "title": GROUP_TITLE}
        if chat_id in self.upgraded:
            return {"id": chat_id, "type": "group", "title": GROUP_TITLE}
        for m in self.members.values():
            if m["id"] == chat_id:
                return {"id": chat_id, "type": "private", "first_name": m["first_name"]}
        raise ApiError(400, "Bad Request: chat not found")

    def _new_message(self, chat_id, sender, text, entities=None, extra=None):
        with self.lock:
            n = self.next_message_id.get(chat_id, 100) + 1
            self.next_message_id[chat_id] = n
            msg = {"message_id": n, "from": sender, "chat": self.chat(chat_id), "date": int(time.time()),
                   "text": text}
            if entities:
                msg["entities"] = entities
            msg.update(extra or {})
            self.chat_messages.setdefault(chat_id, {})[n] = msg
            return msg

    def _render_mentions(self, text):
        """'/thanks {ben} for soup' -> text with Ben's name and a text_mention entity, as an app makes
        it when a member picks someone without a username."""
        entities, out = [], ""
        for part in re.split(r"(\{\w+\})", text):
            m = re.fullmatch(r"\{(\w+)\}", part)
            if m:
                who = self.members[m.group(1)]
                entities.append({"type": "text_mention", "offset": units(out),
                                 "length": units(who["first_name"]), "user": self.user(m.group(1))})
                out += who["first_name"]
            else:
                out += part
        for m in re.finditer(r"@(\w{5,32})", out):
            entities.append({"type": "mention", "offset": units(out[:m.start()]), "length": units(m.group(0))})
        cmd = re.match(r"/[A-Za-z0-9_]+(@\w+)?", out)
        if cmd:
            entities.insert(0, {"type": "bot_command", "offset": 0, "length": units(cmd.group(0))})
        return out, sorted(entities, key=lambda e: e["offset"])

    def _bot_sees(self, text, reply_to):
        """Privacy mode, as Telegram documents it for groups."""
        if not self.privacy_mode:
            return True
        if reply_to is not None and reply_to.get("from", {}).get("id") == BOT["id"]:
            return True
        cmd = re.match(r"/[A-Za-z0-9_]+(@(\w+))?", text)
        if not cmd:
            return False
        if cmd.group(2):
            return cmd.group(2).lower() == BOT["username"]
        return self.last_bot.get(self.group_id) in (None, BOT["id"])

    def says(self, who, text, private=False, reply_to=None):
        """A member types in the group (or their private chat with the bot). Returns (message, update id
        or None when the bot does not get to see it)."""
        text, entities = self._render_mentions(text)
        chat_id = self.members[who]["id"] if private else self.group_id
        extra = {"reply_to_message": reply_to} if reply_to else None
        msg = self._new_message(chat_id, self.user(who), text, entities, extra)
        self.transcript.append("[%s] %s: %s" % ("private " + self.members[who]["first_name"] if private else "group",
                                               self.members[who]["first_name"], text))
        if private and self.members[who]["id"] not in self.started:
            self.started.add(self.members[who]["id"])
        if not private and not self._bot_sees(text, reply_to):
            return msg, None
        return msg, self._push("message", msg)

    def other_bot_says(self, text):
        with self.lock:
            self.last_bot[self.group_id] = OTHER_BOT["id"]
        self._new_message(self.group_id, OTHER_BOT, text)
        self.transcript.append("[group] Weather bot: %s" % text)

    def opens_private_chat(self, who, payload=None):
        """The member taps the deep link (or finds the bot) and presses Start."""
        self.started.add(self.members[who]["id"])
        self.blocked.discard(self.members[who]["id"])
        return self.says(who, "/start" + (" " + payload if payload else ""), private=True)

    def press(self, who, message, label_part):
        """A member taps a button of one of the bot's messages; returns the callback query id."""
        data = None
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for b in row:
                if label_part in b["text"]:
                    data = b["callback_data"]
        assert data is not None, "no button %r on %r" % (label_part, message.get("text"))
        cid = "%d%06d" % (self.members[who]["id"], len(self.callbacks) + 1)
        with self.lock:
            self.callbacks[cid] = {"time": time.monotonic(), "answered": 0, "answer": None, "who": who}
        chat_type = message["chat"]["type"]
        self.transcript.append("[%s] %s taps \"%s\"" % ("group" if chat_type != "private" else
                                                         "private " + message["chat"]["first_name"],
                                                         self.members[who]["first_name"], label_part))
        self._push("callback_query", {"id": cid, "from": self.user(who), "message": message,
                                      "chat_instance": "-42%d" % abs(message["chat"]["id"]), "data": data})
        return cid

    def upgrade_group(self, tell_the_bot=True):
        """The group becomes a supergroup with a new chat id, as Telegram does for large groups: the
        old chat says migrate_to_chat_id, the new one migrate_from_chat_id (service messages, which
        bots get whatever their privacy mode), and sends to the old id are refused with the new one."""
        old = self.group_id
        new = old - 7000000000000 if old > -1000000000000 else old - 1
        with self.lock:
            self.upgraded[old] = new
            self.group_id = new
        if tell_the_bot:
            m = self._new_message(old, self.user("ana"), None, extra={"migrate_to_chat_id": new})
            m.pop("text")
            self._push("message", m)
            m = self._new_message(new, self.user("ana"), None, extra={"migrate_from_chat_id": old})
            m.pop("text")
            self._push("message", m)
        self.transcript.append("[group] (the group became a supergroup: %d -> %d)" % (old, new))
        return old, new

    def bot_added_to_group(self):
        return self._push("my_chat_member", {
            "chat": self.chat(self.group_id), "from": self.user("ana"), "date": int(time.time()),
            "old_chat_member": {"status": "left", "user": BOT},
            "new_chat_member": {"status": "member", "user": BOT}})

    # ------------------------------------------------------------------ what the bot sent

    def sent_to(self, chat_id):
        with self.lock:
            return [m for m in self.sent if m["chat"]["id"] == int(chat_id)]

    def in_group(self):
        return self.sent_to(self.group_id)

    def in_private(self, who):
        return self.sent_to(self.members[who]["id"])

    def drop_poll(self):
        """Cuts the long-poll being held open (and what it was about to carry) like a dead connection."""
        with self.lock:
            self.drop_now = True
        self._notify()

    def honoured_429(self):
        """True when after each 429 the bot earned, its next message to that chat waited as asked."""
        with self.lock:
            for chat, _why, at, wait in self.earned_429:
                later = [t for t, m, p in self.requests
                         if m == "sendmessage" and str(p.get("chat_id")) == str(chat) and t > at]
                if later and later[0] - at < wait - 0.05:
                    return False
        return True

    def fail_next(self, method, code, description, parameters=None, count=1, chat=None):
        with self.lock:
            self.faults.append([method.lower(), chat, code, description, parameters, count])

    # ------------------------------------------------------------------ methods

    def _m_getme(self, p):
        return dict(BOT, can_join_groups=True, can_read_all_group_messages=not self.privacy_mode,
                    supports_inline_queries=False, can_connect_to_business=False, has_main_web_app=False)

    def _m_getwebhookinfo(self, p):
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self.updates)}

    def _m_setwebhook(self, p):
        if not str(p.get("url", "")).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = p["url"]
        return True

    def _m_deletewebhook(self, p):
        self.webhook_url = ""
        if p.get("drop_pending_updates") in (True, "true", "True"):
            self.updates = []
        return True

    def _m_setmycommands(self, p):
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be an array of at most 100 BotCommand")
        for c in commands:
            if not isinstance(c, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(c.get("description"), str) or not 1 <= len(c["description"]) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        scope = p.get("scope") or {"type": "default"}
        if scope.get("type") not in SCOPES:
            raise ApiError(400, "Bad Request: wrong scope type specified")
        lang = p.get("language_code") or ""
        # "A two-letter ISO 639-1 language code"; empty: for every language without its own menu
        if not isinstance(lang, str) or not (lang == "" or re.fullmatch(r"[a-z]{2}", lang)):
            raise ApiError(400, "Bad Request: invalid language code specified")
        if lang:
            self.commands_in[(scope["type"], lang)] = commands
        else:
            self.commands[scope["type"]] = commands
        return True

    def _m_getmycommands(self, p):
        scope = (p.get("scope") or {}).get("type", "default")
        lang = p.get("language_code") or ""
        return self.commands_in.get((scope, lang), []) if lang else self.commands.get(scope, [])

    def _m_getchatadministrators(self, p):
        chat = self.chat(p.get("chat_id", 0))
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        out = []
        for who, m in self.members.items():
            if m["status"] == "creator":
                out.append({"status": "creator", "user": self.user(who), "is_anonymous": False})
            elif m["status"] == "administrator":
                out.append({"status": "administrator", "user": self.user(who), "is_anonymous": False,
                            "can_be_edited": False, "can_manage_chat": True, "can_change_info": True,
                            "can_delete_messages": True, "can_invite_users": True,
                            "can_restrict_members": True, "can_pin_messages": True, "can_promote_members": False,
                            "can_manage_video_chats": True, "can_post_stories": False,
                            "can_edit_stories": False, "can_delete_stories": False})
        return out

    def _m_getchat(self, p):
        return dict(self.chat(p.get("chat_id", 0)), accent_color_id=0, max_reaction_count=11)

    def _m_answercallbackquery(self, p):
        cid = p.get("callback_query_id")
        cb = self.callbacks.get(cid)
        if cb is None or cb["answered"] or time.monotonic() - cb["time"] > ANSWER_WINDOW_S:
            if cb is not None:
                cb["late_or_again"] = cb.get("late_or_again", 0) + 1
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        url = p.get("url")
        if url and not re.fullmatch(r"https://t\.me/%s\?start=[A-Za-z0-9_-]{1,64}" % BOT["username"], url):
            raise ApiError(400, "Bad Request: URL_INVALID")
        if p.get("text") is not None and len(p["text"]) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        cb["answered"] += 1
        cb["answer"] = {k: p[k] for k in ("text", "url", "show_alert") if k in p}
        return True

    def _check_entities(self, text, entities):
        if entities is None:
            return []
        if not isinstance(entities, list):
            raise ApiError(400, "Bad Request: can't parse entities: entities must be an array")
        total = units(text)
        for e in entities:
            if not isinstance(e, dict) or e.get("type") not in ENTITY_TYPES:
                raise ApiError(400, "Bad Request: can't parse entities: unsupported entity type")
            off, ln = e.get("offset"), e.get("length")
            if not isinstance(off, int) or not isinstance(ln, int) or off < 0 or ln < 1 or off + ln > total:
                raise ApiError(400, "Bad Request: can't parse entities: entity beyond the end of the text")
            if e["type"] == "text_mention":
                u = e.get("user")
                if not isinstance(u, dict) or not isinstance(u.get("id"), int) or "is_bot" not in u \
                        or not u.get("first_name"):
                    raise ApiError(400, "Bad Request: can't parse entities: text_mention needs a User")
        return entities

    def _check_keyboard(self, markup):
        if markup is None:
            return
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be "
                                "an Object")
        for row in rows:
            for b in row:
                if not isinstance(b, dict) or not b.get("text"):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are "
                                        "unallowed in the inline keyboard")
                kinds = [k for k in ("callback_data", "url", "switch_inline_query", "pay") if k in b]
                if len(kinds) != 1:
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: exactly one of the "
                                        "optional fields must be used")
                if "callback_data" in b and not 1 <= len(b["callback_data"].encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _pings(self, text, entities):
        """Who this message notifies: the users of text_mention entities, and @usernames in the text
        (Telegram finds those itself, whatever entities were sent)."""
        pinged = {e["user"]["id"] for e in entities if e["type"] == "text_mention"}
        for m in re.finditer(r"(?<![\w@])@(\w{5,32})", text):
            for mem in self.members.values():
                if mem.get("username", "").lower() == m.group(1).lower():
                    pinged.add(mem["id"])
        return sorted(pinged)

    def _rate(self, chat_id):
        now = time.monotonic()
        times = [t for t in self.send_times.get(chat_id, []) if now - t < 60]
        self.send_times[chat_id] = times
        if times and now - times[-1] < 0.9:
            self.earned_429.append((chat_id, "more than one message a second", now, 1))
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if chat_id < 0 and len(times) >= 20:
            wait = int(60 - (now - times[-20])) + 1
            self.earned_429.append((chat_id, "more than 20 messages a minute in a group", now, wait))
            raise ApiError(429, "Too Many Requests: retry after %d" % wait, {"retry_after": wait})

    def _m_sendmessage(self, p):
        if "chat_id" not in p:
            raise ApiError(400, "Bad Request: chat_id is empty")
        raw = p["chat_id"]
        if isinstance(raw, str) and not re.fullmatch(r"-?\d+", raw):
            raise ApiError(400, "Bad Request: chat not found")
        chat = self.chat(raw)
        chat_id = chat["id"]
        if chat_id in self.upgraded:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self.upgraded[chat_id]})
        text = p.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if units(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        if chat["type"] == "private":
            if chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id not in self.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        entities = self._check_entities(text, p.get("entities"))
        self._check_keyboard(p.get("reply_markup"))
        if "parse_mode" in p and entities:
            self.violations.append("parse_mode sent with entities: %r" % p["parse_mode"])
        reply = p.get("reply_parameters")
        if reply is not None:
            target = self.chat_messages.get(chat_id, {}).get(reply.get("message_id"))
            if target is None and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        if "reply_to_message_id" in p:
            self.violations.append("reply_to_message_id is gone from the Bot API; use reply_parameters")
        self._rate(chat_id)
        extra = {}
        if p.get("reply_markup"):
            extra["reply_markup"] = p["reply_markup"]
        if reply is not None and reply.get("message_id") in self.chat_messages.get(chat_id, {}):
            extra["reply_to_message"] = self.chat_messages[chat_id][reply["message_id"]]
        msg = self._new_message(chat_id, BOT, text, entities, extra)
        self.send_times.setdefault(chat_id, []).append(time.monotonic())
        if chat_id < 0:
            self.last_bot[chat_id] = BOT["id"]
        record = dict(msg, pings=self._pings(text, entities), at=time.monotonic())
        self.sent.append(record)
        where = "group" if chat_id < 0 else "private " + chat["first_name"]
        buttons = ["%s -> %s" % (b["text"], b["callback_data"] if "callback_data" in b else b.get("url"))
                   for row in (p.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        line = "[%s] tend: %s" % (where, text.replace("\n", "\n    "))
        if record["pings"]:
            line += "   (pings %s)" % ", ".join(self._name_of(u) for u in record["pings"])
        if buttons:
            line += "\n    buttons: " + " | ".join(buttons)
        self.transcript.append(line)
        return msg

    def _m_senddocument(self, p):
        if "chat_id" not in p:
            raise ApiError(400, "Bad Request: chat_id is empty")
        raw = p["chat_id"]
        if isinstance(raw, str) and not re.fullmatch(r"-?\d+", raw):
            raise ApiError(400, "Bad Request: chat not found")
        chat = self.chat(raw)
        chat_id = chat["id"]
        if chat_id in self.upgraded:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self.upgraded[chat_id]})
        doc = p.get("document")
        if doc is None or doc == "":
            raise ApiError(400, "Bad Request: there is no document in the request")
        if not isinstance(doc, Upload):
            # a string is a file_id or an HTTP URL for Telegram to fetch: tend never has either
            self.violations.append("sendDocument with document=%r instead of an uploaded file" % str(doc)[:40])
            raise ApiError(400, "Bad Request: wrong remote file identifier specified: wrong string length")
        if not doc.filename:
            self.violations.append("sendDocument: the document part has no filename")
        if len(doc.data) == 0:
            raise ApiError(400, "Bad Request: file must be non-empty")
        if len(doc.data) > UPLOAD_MAX:
            raise ApiError(413, "Request Entity Too Large")
        caption = p.get("caption")
        if caption is not None and units(caption) > CAPTION_MAX:
            raise ApiError(400, "Bad Request: message caption is too long")
        if chat["type"] == "private":
            if chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id not in self.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        entities = self._check_entities(caption, p.get("caption_entities")) if caption else []
        self._check_keyboard(p.get("reply_markup"))
        self._rate(chat_id)
        n = len(self.sent) + 1
        document = {"file_name": doc.filename, "mime_type": doc.content_type or "application/octet-stream",
                    "file_id": "BQACAgIAAxkBAAI%06d" % n, "file_unique_id": "AgAD%06d" % n,
                    "file_size": len(doc.data)}
        extra = {"document": document}
        if caption:
            extra["caption"] = caption
            if entities:
                extra["caption_entities"] = entities
        msg = self._new_message(chat_id, BOT, None, None, extra)
        msg.pop("text")
        self.send_times.setdefault(chat_id, []).append(time.monotonic())
        if chat_id < 0:
            self.last_bot[chat_id] = BOT["id"]
        self.sent.append(dict(msg, text=caption or "", data=doc.data, pings=[], at=time.monotonic()))
        where = "group" if chat_id < 0 else "private " + chat["first_name"]
        self.transcript.append("[%s] tend: (a file: %s, %s, %d bytes)" % (where, doc.filename, document["mime_type"],
                                                                          len(doc.data)))
        return msg

    def documents_to(self, chat_id):
        with self.lock:
            return [m for m in self.sent_to(chat_id) if "document" in m]
