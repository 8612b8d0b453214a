"""A test double of Discord's gateway and REST API, on 127.0.0.1 (aiohttp).

It plays one guild with a few members. Tests drive it through plain Python methods (run from any
thread: they hop onto the double's own event loop) to send interactions, press buttons, read what
the bot sent, and inject the faults Discord's gateway really produces. Every JSON body the bot sends
to REST is validated against the OpenAPI description; violations are collected in `violations`.
Every REST answer carries Discord's rate-limit headers, and the limits are enforced (limits.py); an
interaction answered later than Discord's 3 seconds is refused with 10062, as Discord does.
"""
import asyncio
import gc
import json
import os
import re
import threading
import time

from aiohttp import web
import jsonschema

import limits as rl
import multipart
from double_gateway import Gateway, shard_of  # noqa: F401 (shard_of: for tests)

# The double keeps every event it dispatched (RESUME replays them): tens of thousands of small
# dicts in a test of thousands of guilds. Python's full collections over them paused the double's
# one loop for 100-250 ms, far longer than Discord's gateway stalls, and an IDENTIFY read that
# late looked too close to the next one of its bucket. Collections come ~100 times less often.
gc.set_threshold(70000, 10, 10)

API = "/api/v10"
SPEC = os.environ.get("TEND_DISCORD_SPEC", os.path.join(
    os.path.dirname(__file__), "../../../../shared/discord-api-spec/openapi.json"))

GUILD_ID = "900000000000000001"
# under valgrind (valgrind_session.sh) tend is ~30x slower: every wait stretches with it
SLOW = 8 if os.environ.get("TEND_TEST_SLOW") else 1
# Discord refuses an interaction's first response after 3 s (valgrind alone gets more)
INTERACTION_DEADLINE = 3.0 * SLOW
# an interaction's token (its follow-ups, its original response) lives 15 minutes
TOKEN_LIFETIME = 15 * 60.0 * SLOW
NONCE_WINDOW_S = 5 * 60.0  # enforce_nonce: "in the past few minutes"
EPHEMERAL = 1 << 6
LOADING = 1 << 7
CHANNEL_ID = "900000000000000002"
APP_ID = "900000000000000003"
BOT_ID = "900000000000000004"
TOKEN = "double-token-not-a-secret-0123456789"
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
BOT_ROLE_ID = "900000000000000005"     # the managed role Discord gives a bot at its invite
ANNOUNCE_ID = "900000000000000006"     # a read-only channel: the server's system channel here

_snow = [910000000000000000]


def jr(obj, status=200, headers=None):
    """JSON the way Discord sends it: content-type exactly application/json (discord.py checks)."""
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return web.Response(body=json.dumps(obj).encode(), status=status, headers=h)


def snowflake():
    _snow[0] += 1
    return str(_snow[0])


class Spec:
    """Request body schemas of the OpenAPI description, found by method and path."""

    def __init__(self, path):
        with open(path) as f:
            self.doc = json.load(f)
        self.routes = []
        for template, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
            self.routes.append((re.compile(rx), template, item))
        self.cache = {}

    def validator(self, method, path):
        for rx, template, item in self.routes:
            if rx.match(path) and method.lower() in item:
                key = (template, method.lower())
                if key not in self.cache:
                    op = item[method.lower()]
                    content = op.get("requestBody", {}).get("content", {})
                    if "application/json" not in content:
                        self.cache[key] = None
                    else:
                        ptr = "/".join(["#", "paths", template.replace("~", "~0").replace("/", "~1"),
                                        method.lower(), "requestBody", "content", "application~1json", "schema"])
                        schema = {"$ref": ptr, "paths": self.doc["paths"], "components": self.doc["components"]}
                        self.cache[key] = jsonschema.Draft202012Validator(schema)
                return template, self.cache[key]
        return None, None


class Double(Gateway):
    def __init__(self, members=None, heartbeat_interval=1000, spec_path=SPEC, tls=None):
        self.spec = Spec(spec_path)
        self.tls = tls            # an ssl.SSLContext: the gateway also listens with TLS (wss_gateway_url)
        self.tls_port = None
        self._gateway_init(heartbeat_interval, TOKEN, GUILD_ID, APP_ID)
        self.members = members or {
            "ana": {"id": "800000000000000001", "name": "Ana", "coord": True},
            "ben": {"id": "800000000000000002", "name": "Ben", "coord": False},
            "cai": {"id": "800000000000000003", "name": "Cai", "coord": False},
        }
        self.requests = []        # every REST request: dict(method, path, body, t, files)
        self.uploads = []         # the requests that carried files (multipart.parse's files)
        self.violations = []      # schema violations and protocol mistakes the bot made
        self.callbacks = {}       # interaction id -> list of callback bodies
        self.sent_at = {}         # interaction id -> when INTERACTION_CREATE left
        self.answered_at = {}     # interaction id -> when its callback arrived
        self.rest_faults = []     # (route regex, status, count, extra) consumed in order
        self.rest_delay = 0.0
        self.ready_event = None
        self.loop = None
        self.thread = None
        self.port = None
        self.starts_remaining = 999
        self.require_user_agent = True  # Discord asks bots for "DiscordBot (url, version)"
        self.registered = None
        self.tokens = {}            # interaction token -> id
        self.channel_messages = []  # (channel id, body) of POST /channels/{id}/messages
        self.dm_channels = {}       # user id -> DM channel id
        self.limits = rl.Limits()   # rate limits as Discord counts them
        self.late = []              # (interaction id, seconds) of callbacks refused as too late
        self.repeated_callbacks = []  # interaction ids whose callback came again (refused with 40060)
        self.nonces = {}  # (channel id, nonce) -> (time, message) of posts that asked enforce_nonce
        self.repeated_nonces = []  # (channel id, nonce) of posts Discord recognised and did not create
        self.deferred = {}          # interaction id -> the flags of its deferral (callback type 5)
        self.filled = set()         # deferred interactions whose loading message a follow-up replaced
        self.deleted_originals = []  # interaction ids whose original response was deleted
        self.expired_tokens = []    # interaction ids used after their token's 15 minutes
        # when the bot joined the server: long ago unless a test plays a fresh invite
        self.joined_at = "2026-01-01T00:00:00+00:00"
        # the servers' language: GUILD_CREATE's preferred_locale and each interaction's guild_locale
        self.guild_locale = "en-US"
        self.bot_role_permissions = VIEW_CHANNEL | SEND_MESSAGES

    def _token_expired(self, iid):
        if time.monotonic() - self.sent_at.get(iid, time.monotonic()) <= TOKEN_LIFETIME:
            return False
        self.expired_tokens.append(iid)
        return True

    # ------------------------------------------------------------------ running

    def start(self):
        started = threading.Event()

        def run():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._start())
            started.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        started.wait(10)
        return self

    async def _start(self):
        app = web.Application()
        app.router.add_route("GET", "/gateway", self._ws)
        app.router.add_route("GET", "/resume", self._ws)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        if self.tls:
            tls_site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=self.tls)
            await tls_site.start()
            self.tls_port = tls_site._server.sockets[0].getsockname()[1]
            # the TLS URLs name "localhost" (the certificate is checked on the name), which a stock
            # Debian /etc/hosts gives ::1 as well as 127.0.0.1; there tend's gateway connection
            # (libwebsockets 4.1) never reached a double listening on 127.0.0.1 alone, so the same
            # port answers on the IPv6 loopback too (loopback still: nothing off this machine can
            # reach it)
            try:
                await web.TCPSite(self.runner, "::1", self.tls_port, ssl_context=self.tls).start()
            except OSError:
                pass  # no IPv6 loopback here: localhost is 127.0.0.1 alone
        self.ready_event = asyncio.Event()

    def stop(self):
        async def shutdown():
            for ws in list(self.conns):
                await ws.close()
            await self.runner.cleanup()
        self.call(shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)

    def call(self, coro, timeout=10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def api_base(self):
        return "http://127.0.0.1:%d%s" % (self.port, API)

    @property
    def gateway_url(self):
        return "ws://127.0.0.1:%d/gateway" % self.port

    @property
    def https_api_base(self):
        return "https://localhost:%d%s" % (self.tls_port, API)

    @property
    def wss_gateway_url(self):
        # by name: the certificate check is made on the name (localhost is 127.0.0.1 in /etc/hosts)
        return "wss://localhost:%d/gateway" % self.tls_port

    # ------------------------------------------------------------------ REST

    async def _rest(self, request):
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        body, files, refused = None, None, None
        ctype = request.headers.get("Content-Type", "")
        if raw and ctype.startswith("multipart/"):
            try:
                body, files = multipart.parse(ctype, raw)
            except multipart.Refused as e:
                refused = str(e)
                self.violations.append("%s %s: upload refused: %s" % (request.method, path, refused))
        elif raw:
            try:
                body = json.loads(raw)
            except ValueError:
                self.violations.append("%s %s: body is not JSON" % (request.method, path))
            # a JSON body cannot bring new files: attachments it lists would be unknown to Discord
            msg = body.get("data") if isinstance(body, dict) and isinstance(body.get("data"), dict) else body
            if isinstance(msg, dict) and msg.get("attachments"):
                self.violations.append("%s %s: attachments without a multipart upload" % (request.method, path))
        entry = {"method": request.method, "path": path, "body": body, "t": time.monotonic(),
                 "headers": dict(request.headers), "files": files}
        # counted when it arrives, as Discord counts it
        verdict = self.limits.check(request.method, path, entry["t"])
        self.requests.append(entry)
        if self.require_user_agent and not request.headers.get("User-Agent", "").startswith("DiscordBot ("):
            self.violations.append("%s %s: User-Agent %r" % (request.method, path, request.headers.get("User-Agent")))
        if body is not None:
            template, validator = self.spec.validator(request.method, path)
            if template is None:
                self.violations.append("%s %s: no such route in the spec" % (request.method, path))
            elif validator is not None:
                for err in validator.iter_errors(body):
                    self.violations.append("%s %s: %s at %s" % (request.method, template, err.message[:300],
                                                               "/".join(map(str, err.absolute_path))))
        if refused:
            entry["status"] = 400
            return jr({"message": "Invalid Form Body", "code": 50035, "errors": {"_errors": [refused]}}, status=400)
        if files:
            self.uploads.append(entry)
        if self.rest_delay:
            await asyncio.sleep(self.rest_delay)
        for i, (rx, status, count, extra) in enumerate(self.rest_faults):
            if re.search(rx, request.method + " " + path):
                if count <= 1:
                    self.rest_faults.pop(i)
                else:
                    self.rest_faults[i] = (rx, status, count - 1, extra)
                entry["fault"] = status
                if status == 429:
                    glob = bool(extra.get("global"))
                    headers = {**rl.VIA, "Retry-After": str(extra.get("retry_after", 0.3)),
                               "X-RateLimit-Scope": "global" if glob else "user"}
                    if glob:
                        headers["X-RateLimit-Global"] = "true"
                    return jr({"message": "You are being rate limited.",
                                              "retry_after": extra.get("retry_after", 0.3), "global": glob},
                                             status=429, headers=headers)
                return jr({"message": "fault", "code": 0}, status=status)
        auth = request.headers.get("Authorization", "")
        if not path.startswith("/interactions/") and not path.startswith("/webhooks/") and auth != "Bot " + TOKEN:
            return jr({"message": "401: Unauthorized", "code": 0}, status=401)
        if verdict.refused:
            entry["status"], entry["limited"] = 429, verdict.refused
            return jr(verdict.body, status=429, headers=verdict.headers)
        res = await self._route(request.method, path, body, request.query, entry["t"])
        res.headers.update(verdict.headers)
        entry["status"] = res.status
        return res

    def _message(self, channel_id, body):
        return {"id": snowflake(), "channel_id": channel_id, "type": 0, "content": (body or {}).get("content", ""),
                "author": {"id": BOT_ID, "username": "tend", "discriminator": "0", "bot": True, "avatar": None},
                "timestamp": "2026-11-26T10:00:00+00:00", "edited_timestamp": None, "tts": False,
                "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
                "pinned": False, "flags": (body or {}).get("flags", 0), "components": (body or {}).get("components", [])}

    async def _route(self, method, path, body, query=None, arrived=None):
        if method == "GET" and path in ("/gateway/bot", "/gateway"):
            return jr({"url": self.gateway_url, "shards": self.recommended(),
                       "session_start_limit": {"total": 1000, "remaining": self.starts_remaining,
                                               "reset_after": 3600000, "max_concurrency": self.max_concurrency}})
        if method == "GET" and path == "/users/@me":
            return jr(self._bot_user())
        if method == "GET" and path == "/oauth2/applications/@me":
            return jr({"id": APP_ID, "name": "tend", "flags": 0, "bot_public": True,
                                      "bot_require_code_grant": False, "description": "", "icon": None,
                                      "verify_key": "00", "owner": self._bot_user()})
        m = re.match(r"^/applications/(\d+)(/guilds/\d+)?/commands$", path)
        if m and method == "PUT":
            self.registered = body
            out = []
            for c in body or []:
                perms = c.get("default_member_permissions")
                c = dict(c, id=snowflake(), application_id=APP_ID, version=snowflake(),
                         default_member_permissions=None if perms is None else str(perms))
                out.append(c)
            return jr(out)
        m = re.match(r"^/interactions/(\d+)/([^/]+)/callback$", path)
        if m and method == "POST":
            iid = m.group(1)
            waited = (arrived or time.monotonic()) - self.sent_at.get(iid, arrived or time.monotonic())
            if waited > INTERACTION_DEADLINE:
                self.late.append((iid, waited))
                self.violations.append("interaction %s answered after %.2f s: Discord refuses it" % (iid, waited))
                return jr({"message": "Unknown interaction", "code": 10062}, status=404)
            if iid in self.callbacks:
                # Discord refuses it and shows nothing more: after a crash tend may try once more
                # (its outbox cannot know the first went through); two bodies shown would be the bug
                self.repeated_callbacks.append(iid)
                return jr({"message": "Interaction has already been acknowledged.", "code": 40060},
                                         status=400)
            self.callbacks[iid] = [body]
            self.answered_at[iid] = time.monotonic()
            if (body or {}).get("type") == 5:
                self.deferred[iid] = ((body or {}).get("data") or {}).get("flags", 0)
            if (query or {}).get("with_response") in ("1", "true"):
                data = (body or {}).get("data") or {}
                msg = self._message(CHANNEL_ID, data)
                return jr({"interaction": {"id": iid, "type": 2, "response_message_id": msg["id"],
                                           "response_message_loading": False,
                                           "response_message_ephemeral": bool(data.get("flags", 0) & 64)},
                           "resource": {"type": (body or {}).get("type", 4), "message": msg}})
            return web.Response(status=204)
        m = re.match(r"^/webhooks/(\d+)/([^/]+)$", path)
        if m and method == "POST":
            token = m.group(2)
            iid = self.tokens.get(token)
            if iid is None or iid not in self.callbacks:
                self.violations.append("follow-up before the interaction was answered")
                return jr({"message": "Unknown Webhook", "code": 10015}, status=404)
            if self._token_expired(iid):
                return jr({"message": "Unknown Webhook", "code": 10015}, status=404)
            if iid in self.deferred and iid not in self.filled and iid not in self.deleted_originals:
                # Discord shows the first follow-up after a deferral in its place, as private as
                # the deferral was, whatever the follow-up's own flags say
                self.filled.add(iid)
                flags = (body or {}).get("flags", 0) or 0
                if (flags & EPHEMERAL) and not (self.deferred[iid] & EPHEMERAL):
                    self.violations.append("a private answer filled a public deferral: everyone saw it")
                body = dict(body or {}, flags=(flags & ~EPHEMERAL) | (self.deferred[iid] & EPHEMERAL))
            self.callbacks[iid].append(body)
            return jr(self._message(CHANNEL_ID, body))
        m = re.match(r"^/webhooks/(\d+)/([^/]+)/messages/@original$", path)
        if m and method == "GET":
            iid = self.tokens.get(m.group(2))
            if iid is None or iid not in self.callbacks or iid in self.deleted_originals or self._token_expired(iid):
                return jr({"message": "Unknown Message", "code": 10008}, status=404)
            if iid in self.deferred and iid not in self.filled:
                # still "thinking": Discord's LOADING flag, nothing written yet
                return jr(self._message(CHANNEL_ID, {"content": "", "flags": self.deferred[iid] | LOADING}))
            first = self.callbacks[iid][1] if iid in self.deferred else (self.callbacks[iid][0].get("data") or {})
            return jr(self._message(CHANNEL_ID, first))
        if m and method == "DELETE":
            iid = self.tokens.get(m.group(2))
            if iid is None or iid not in self.callbacks or self._token_expired(iid):
                return jr({"message": "Unknown Webhook", "code": 10015}, status=404)
            self.deleted_originals.append(iid)
            return web.Response(status=204)
        m = re.match(r"^/channels/(\d+)/messages$", path)
        if m and method == "POST" and m.group(1) == ANNOUNCE_ID:
            self.violations.append("posted in a channel where the bot may not send messages")
            return jr({"message": "Missing Permissions", "code": 50013}, status=403)
        if m and method == "POST":
            # Discord: "If enforce_nonce is true and a message was created by the same author with
            # the same nonce in the past few minutes, that message will be returned and no new
            # message will be created"
            nonce = (body or {}).get("nonce")
            key = (m.group(1), nonce)
            if nonce is not None and (body or {}).get("enforce_nonce") is True:
                earlier = self.nonces.get(key)
                if earlier and time.monotonic() - earlier[0] < NONCE_WINDOW_S:
                    self.repeated_nonces.append(key)
                    return jr(earlier[1])
            msg = self._message(m.group(1), body)
            self.channel_messages.append((m.group(1), body))
            if nonce is not None and (body or {}).get("enforce_nonce") is True:
                self.nonces[key] = (time.monotonic(), msg)
            return jr(msg)
        if path == "/users/@me/channels" and method == "POST":
            rid = (body or {}).get("recipient_id")
            ch = self.dm_channels.setdefault(rid, snowflake())
            return jr({"id": ch, "type": 1, "last_message_id": None, "flags": 0,
                                      "recipients": [self._user_by_id(rid)]})
        return jr({"message": "404: Not Found", "code": 0}, status=404)


    # ------------------------------------------------------------------ payloads

    def _bot_user(self):
        return {"id": BOT_ID, "username": "tend", "discriminator": "0", "global_name": None, "avatar": None,
                "bot": True, "flags": 0, "mfa_enabled": False, "verified": True}

    def _user(self, key):
        m = self.members[key]
        return {"id": m["id"], "username": key, "discriminator": "0", "global_name": m["name"], "avatar": None}

    def _user_by_id(self, uid):
        for key, m in self.members.items():
            if m["id"] == uid:
                return self._user(key)
        return {"id": uid, "username": "someone", "discriminator": "0", "global_name": None, "avatar": None}

    def _member(self, key):
        m = self.members[key]
        perms = str(MANAGE_GUILD | 0x800 if m["coord"] else 0x800)
        return {"user": self._user(key), "nick": None, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False, "mute": False, "flags": 0, "pending": False, "permissions": perms, "avatar": None}

    @staticmethod
    def channel_of(guild_id):
        """The one channel members talk in: CHANNEL_ID in the main guild."""
        return CHANNEL_ID if guild_id == GUILD_ID else str(int(guild_id) + 2)

    def _guild(self, guild_id=GUILD_ID):
        """A guild as GUILD_CREATE brings it: the bot's own member with its managed role, and in the
        main guild a read-only announcements channel that is the server's system channel."""
        role = lambda rid, name, perms, managed: {  # noqa: E731
            "id": rid, "name": name, "permissions": str(perms), "position": 0 if rid == guild_id else 1,
            "color": 0, "hoist": False, "managed": managed, "mentionable": False, "flags": 0}
        bot_member = {"user": self._bot_user(), "nick": None, "roles": [BOT_ROLE_ID], "joined_at": self.joined_at,
                      "deaf": False, "mute": False, "flags": 0, "pending": False, "avatar": None}
        main = guild_id == GUILD_ID
        channels = [{"id": self.channel_of(guild_id), "type": 0, "name": "general", "position": 1,
                     "guild_id": guild_id, "permission_overwrites": [], "nsfw": False, "parent_id": None}]
        if main:
            channels.insert(0, {"id": ANNOUNCE_ID, "type": 0, "name": "announcements", "position": 0,
                                "guild_id": guild_id, "permission_overwrites": [
                                    {"id": guild_id, "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}],
                                "nsfw": False, "parent_id": None})
        return {"id": guild_id, "name": "Mutual Aid" if main else "Group " + guild_id[-6:],
                "icon": None, "owner_id": self.members["ana"]["id"],
                "unavailable": False, "member_count": len(self.members), "large": False, "joined_at": self.joined_at,
                "roles": [role(guild_id, "@everyone", VIEW_CHANNEL | SEND_MESSAGES, False),
                          role(BOT_ROLE_ID, "tend", self.bot_role_permissions, True)],
                "emojis": [], "stickers": [], "features": [], "channels": channels,
                "threads": [], "members": [bot_member], "voice_states": [], "presences": [], "stage_instances": [],
                "guild_scheduled_events": [], "verification_level": 0, "default_message_notifications": 0,
                "explicit_content_filter": 0, "mfa_level": 0, "premium_tier": 0, "preferred_locale": self.guild_locale,
                "nsfw_level": 0, "system_channel_flags": 0, "application_id": None, "afk_channel_id": None,
                "afk_timeout": 300, "system_channel_id": ANNOUNCE_ID if main else None, "rules_channel_id": None,
                "vanity_url_code": None,
                "description": None, "banner": None, "splash": None, "discovery_splash": None,
                "premium_subscription_count": 0, "max_members": 1000, "public_updates_channel_id": None}

    # ------------------------------------------------------------------ what tests do

    def wait_ready(self, timeout=15):
        deadline = time.monotonic() + timeout * SLOW
        while time.monotonic() < deadline:
            if self.ready_event.is_set() and self.ws is not None:
                return True
            time.sleep(0.02)
        return False

    def wait(self, cond, timeout=10):
        deadline = time.monotonic() + timeout * SLOW
        while time.monotonic() < deadline:
            if cond():
                return True
            time.sleep(0.01)
        return False

    def _interaction(self, member, itype, data, message=None, guild=GUILD_ID):
        iid, token = snowflake(), "tok" + snowflake() + "x" * 40
        self.tokens[token] = iid
        channel = self.channel_of(guild)
        d = {"id": iid, "application_id": APP_ID, "type": itype, "data": data, "guild_id": guild,
             "guild": {"id": guild, "locale": self.guild_locale, "features": []},
             "channel_id": channel, "channel": {"id": channel, "type": 0, "guild_id": guild, "name": "general"},
             "member": self._member(member), "token": token, "version": 1, "app_permissions": "2048",
             # a member's own Discord language (members[...]["locale"]), the server's (English unless set)
             "locale": self.members.get(member, {}).get("locale", "en-US"), "guild_locale": self.guild_locale,
             "entitlements": [], "context": 0,
             "authorizing_integration_owners": {"0": guild}, "attachment_size_limit": 10485760}
        if message is not None:
            d["message"] = message
        return iid, d

    def slash(self, member, name, options=None, sub=None, resolved=None, guild=GUILD_ID):
        """Sends INTERACTION_CREATE for /name [sub] with options {name: value} in `guild` (to the
        shard that takes it); returns its id."""
        iid, d = self._slash_payload(member, name, options, sub, resolved, guild)
        return self._send_interaction(iid, d)

    def slash_burst(self, commands):
        """Sends many INTERACTION_CREATEs together, written to the socket in one go, as a busy
        Discord does: commands is a list of (member, name, options, sub). Returns their ids."""
        payloads = [self._slash_payload(*c) for c in commands]

        async def go():
            now = time.monotonic()
            for iid, d in payloads:
                self.sent_at[iid] = now
                await self._dispatch("INTERACTION_CREATE", d)
        self.call(go())
        return [iid for iid, _ in payloads]

    def _slash_payload(self, member, name, options=None, sub=None, resolved=None, guild=GUILD_ID):
        opts = []
        for k, v in (options or {}).items():
            if isinstance(v, tuple):  # ("user", key)
                uid = self.members[v[1]]["id"]
                opts.append({"name": k, "type": 6, "value": uid})
                resolved = resolved or {"users": {}, "members": {}}
                resolved["users"][uid] = self._user(v[1])
                m = self._member(v[1])
                m.pop("user")
                resolved["members"][uid] = m
            else:
                opts.append({"name": k, "type": 4 if isinstance(v, int) else 3, "value": v})
        if sub:
            opts = [{"name": sub, "type": 1, "options": opts}]
        data = {"id": snowflake(), "name": name, "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        return self._interaction(member, 2, data, guild=guild)

    def autocomplete(self, member, name, option, typed):
        data = {"id": snowflake(), "name": name, "type": 1,
                "options": [{"name": option, "type": 3, "value": typed, "focused": True}]}
        iid, d = self._interaction(member, 4, data)
        return self._send_interaction(iid, d)

    def press(self, member, custom_id):
        message = self._message(CHANNEL_ID, {"content": "", "components": []})
        iid, d = self._interaction(member, 3, {"custom_id": custom_id, "component_type": 2}, message)
        return self._send_interaction(iid, d)

    def press_in_dm(self, member, custom_id):
        """A button on a message tend sent by DM: Discord gives no guild_id and no member, only
        the user and the DM channel."""
        iid, d = self._interaction(member, 3, {"custom_id": custom_id, "component_type": 2},
                                   self._message(CHANNEL_ID, {"content": "", "components": []}))
        for k in ("guild_id", "guild", "member", "authorizing_integration_owners"):
            d.pop(k, None)
        d["user"] = self._user(member)
        d["channel_id"] = "700000000000000099"
        d["channel"] = {"id": "700000000000000099", "type": 1}
        d["context"] = 1
        return self._send_interaction(iid, d)

    def _send_interaction(self, iid, d):
        self.sent_at[iid] = time.monotonic()
        self.call(self._dispatch("INTERACTION_CREATE", d))
        return iid

    def mention(self, member, content, mentions=(), channel_id=CHANNEL_ID):
        d = {"id": snowflake(), "channel_id": channel_id, "guild_id": GUILD_ID, "content": content,
             "author": self._user(member), "member": {k: v for k, v in self._member(member).items() if k != "user"},
             "mentions": [self._user(k) for k in mentions] + [self._bot_user()], "type": 0}
        self.call(self._dispatch("MESSAGE_CREATE", d))
        return d["id"]

    def answer(self, iid, timeout=5):
        """The bodies the bot sent for an interaction: callback first, then follow-ups."""
        self.wait(lambda: iid in self.callbacks, timeout)
        return self.callbacks.get(iid)

    # faults (the gateway's: drop, close_with, send_op, expire_sessions, in double_gateway.py)

    def fail_rest(self, route_regex, status, count=1, **extra):
        self.rest_faults.append((route_regex, status, count, extra))
