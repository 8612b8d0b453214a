"""The gateway half of the Discord double (mixed into double.Double): sessions that outlive their
connection, RESUME replays, shards, and the refusals Discord's gateway really makes.

What it holds the bot to, from Discord's gateway documentation:
- A session stays resumable after a dropped connection or a close with any code but 1000/1001, for
  `session_ttl` seconds ("a few minutes"); every event dispatched in it is kept, and a RESUME with
  seq N replays the ones after N, then RESUMED. A session that is gone gets op 9 d:false.
- RESUME goes to the resume_gateway_url from READY (a RESUME on the first URL is a violation).
- IDENTIFY carries `shard: [id, count]` (absent: [0, 1]); a bad one is closed with 4010, and a
  shard that would hold more than 2,500 guilds with 4011. One IDENTIFY per bucket
  (shard_id % max_concurrency) per 5 s: a faster one is a violation and gets op 9 d:false.
- Events for a guild go to the shard (guild_id >> 22) % count; events without a guild to shard 0.
  With no live session for that shard, an event is lost (kept in `undelivered`).
- Transport compression: a connection that asks compress=zlib-stream gets every payload as binary
  frames of one zlib stream (one compressor per connection, each payload flushed with
  Z_SYNC_FLUSH, so it ends 00 00 FF FF). `split_compressed` sends each payload in two websocket
  messages, as Discord's documentation warns it may. Any other compress value is a violation.
"""
import asyncio
import json
import time
import zlib

from aiohttp import web, WSMsgType

SESSION_TTL = 120        # seconds a dropped session can still be resumed
GUILDS_PER_SHARD = 2500  # past this, IDENTIFY is closed with 4011
IDENTIFY_GAP = 5.0       # seconds between IDENTIFYs of one bucket


def shard_of(guild_id, count):
    return (int(guild_id) >> 22) % count


class Session:
    def __init__(self, sid, shard, count):
        self.id = sid
        self.shard = shard
        self.count = count
        self.seq = 0
        self.events = []      # (seq, payload): what a RESUME replays
        self.ws = None        # the connection it is on, None while dropped
        self.invalid = False  # closed with 1000/1001, expired, or replaced
        self.dropped_at = None
        self.ready_at = None
        self.guilds_sent_at = None  # when the last GUILD_CREATE of the READY left


class Conn:
    def __init__(self, ws, on_resume_url):
        self.ws = ws
        self.on_resume_url = on_resume_url
        self.session = None
        self.closed_by_us = False  # the double (as Discord) closed it: 4004, 4011, a fault

    async def close(self, code, message=b""):
        self.closed_by_us = True
        await self.ws.close(code=code, message=message)


class Gateway:
    def _gateway_init(self, heartbeat_interval, token, main_guild, app_id):
        self.heartbeat_interval = heartbeat_interval
        self._token, self._main_guild, self._app_id = token, main_guild, app_id
        self.guild_ids = [main_guild]
        self.recommended_shards = None  # None: one per 1,000 guilds, as Discord advises
        self.max_concurrency = 1
        self.session_ttl = SESSION_TTL
        self.sessions = {}        # session id -> list of (seq, payload) sent in it
        self.session_objs = {}    # session id -> Session
        self.heartbeats = []      # (time, seq) of every op 1 the bot sent
        self.identifies = 0
        self.resumes = 0
        self.connections = 0
        self.identify_log = []    # dict(t, shard, count) of every IDENTIFY
        self.resume_log = []      # dict(t, session, shard, seq, on_resume_url, ok) of every RESUME
        self.close_log = []       # dict(t, code, session, shard) of every connection that ended
        self.close_events = []    # close codes the bot's connections ended with
        self.undelivered = []     # (t, d) of events no live session could take
        self.withhold_ack = False
        self.hello_delay = 0.0    # seconds a new connection waits for its HELLO (a slow gateway)
        self.last_identify = None
        self.conns = set()
        self._conn_of = {}        # websocket -> Conn
        self._zlib = {}           # websocket -> its zlib-stream compressor (compress=zlib-stream)
        self._zlib_lock = {}      # websocket -> the lock its compressed sends take turns under
        self.compress_log = []    # the compress= of every connection (None: not asked)
        self.split_compressed = False
        self.compressed_sent = 0  # payloads sent compressed, their bytes, and what they were
        self.compressed_bytes = 0
        self.plain_bytes = 0
        self._bucket_last = {}    # rate-limit key -> time of its last IDENTIFY
        self._sid = 0

    # ------------------------------------------------------------------ what tests read

    def _live(self):
        """Live sessions, newest first (a session dropped longer than session_ttl is gone)."""
        now = time.monotonic()
        for s in reversed(list(self.session_objs.values())):
            if s.dropped_at is not None and now - s.dropped_at > self.session_ttl:
                s.invalid = True
            if not s.invalid:
                yield s

    def shard_session(self, shard):
        """The newest live session of a shard, or None."""
        return next((s for s in self._live() if s.shard == shard), None)

    def _session_for(self, guild_id):
        """Where Discord sends an event of this guild (no guild: shard 0)."""
        return next((s for s in self._live() if s.shard == (shard_of(guild_id, s.count) if guild_id else 0)), None)

    def main_session(self):
        return self._session_for(self._main_guild)

    @property
    def ws(self):
        s = self.main_session()
        return s.ws if s else None

    @property
    def session_id(self):
        s = self.main_session()
        return s.id if s else None

    @property
    def seq(self):
        s = self.main_session()
        return s.seq if s else 0

    @property
    def resume_url(self):
        """Discord's is another host; here another path (a client that replaces the query with its
        own v= and encoding=, as discord.py does, keeps it)."""
        return "ws://127.0.0.1:%d/resume" % self.port

    def recommended(self):
        if self.recommended_shards:
            return self.recommended_shards
        return max(1, -(-len(self.guild_ids) // 1000))

    def populate(self, per_shard, shards):
        """Guilds so that each of `shards` shards holds exactly per_shard of them, the main guild
        included. Ids are real-looking snowflakes (a 2024 timestamp above bit 22)."""
        main = shard_of(self._main_guild, shards)
        base = 300_000_000_000 - 300_000_000_000 % shards
        ids = [self._main_guild]
        for s in range(shards):
            for k in range(per_shard - (1 if s == main else 0)):
                ids.append(str(((base + s + shards * k) << 22) | 1))
        self.guild_ids = ids

    # ------------------------------------------------------------------ the socket

    async def _send(self, ws, payload):
        text = json.dumps(payload)
        z = self._zlib.get(ws)
        if z is None:
            await ws.send_str(text)
            return
        # compressed and sent under the connection's lock: the stream's order is the send order
        async with self._zlib_lock[ws]:
            data = z.compress(text.encode()) + z.flush(zlib.Z_SYNC_FLUSH)
            self.compressed_sent += 1
            self.compressed_bytes += len(data)
            self.plain_bytes += len(text.encode())
            if self.split_compressed and len(data) > 1:
                await ws.send_bytes(data[:len(data) // 2])
                await ws.send_bytes(data[len(data) // 2:])
            else:
                await ws.send_bytes(data)

    def send_raw_binary(self, data, shard=None):
        """A binary frame that is not part of the connection's zlib stream (a broken stream)."""
        async def go():
            conn = self._target(shard)
            if conn is not None:
                async with self._zlib_lock.get(conn.ws) or asyncio.Lock():
                    await conn.ws.send_bytes(data)
        self.call(go())

    async def _dispatch(self, t, d):
        """Sends an event to the shard that takes its guild, with the session's next sequence
        number; kept for RESUME replays."""
        s = self._session_for(d.get("guild_id") if isinstance(d, dict) else None)
        if s is None:
            self.undelivered.append((t, d))
            return
        await self._dispatch_to(s, t, d)

    async def _dispatch_to(self, s, t, d):
        s.seq += 1
        payload = {"op": 0, "t": t, "s": s.seq, "d": d}
        s.events.append((s.seq, payload))
        if s.ws is not None and not s.ws.closed:
            await self._send(s.ws, payload)

    async def _ws(self, request):
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.connections += 1
        conn = Conn(ws, request.path == "/resume")
        self.conns.add(ws)
        self._conn_of[ws] = conn
        if request.query.get("v") != "10" or request.query.get("encoding") != "json":
            self.violations.append("gateway connection without v=10&encoding=json: %s" % request.query_string)
        compress = request.query.get("compress")
        self.compress_log.append(compress)
        if compress == "zlib-stream":
            self._zlib[ws] = zlib.compressobj()
            self._zlib_lock[ws] = asyncio.Lock()
        elif compress is not None:
            self.violations.append("gateway connection asks for compress=%s; this double serves only zlib-stream" % compress)
        if self.hello_delay:
            await asyncio.sleep(self.hello_delay)
        await self._send(ws, {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": self.heartbeat_interval}})
        bot_code = None  # the code of the bot's close frame; none when the socket just dropped
        try:
            while True:
                msg = await ws.receive()
                if msg.type == WSMsgType.CLOSE:
                    bot_code = msg.data
                    break
                if msg.type in (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    p = json.loads(msg.data)
                except ValueError:
                    self.violations.append("gateway payload is not JSON")
                    continue
                await self._on_gateway(conn, p)
        finally:
            self.conns.discard(ws)
            self._conn_of.pop(ws, None)
            self._zlib.pop(ws, None)
            self._zlib_lock.pop(ws, None)
            code = bot_code if bot_code is not None else ws.close_code if conn.closed_by_us else 1006
            s = conn.session
            self.close_events.append(code)
            self.close_log.append({"t": time.monotonic(), "code": code, "session": s.id if s else None,
                                   "shard": s.shard if s else None})
            if s is not None and s.ws is ws:
                s.ws = None
                s.dropped_at = time.monotonic()
                if code in (1000, 1001):
                    s.invalid = True  # the bot said goodbye: Discord ends the session
        return ws

    async def _on_gateway(self, conn, p):
        op, d = p.get("op"), p.get("d")
        if op == 1:
            self.heartbeats.append((time.monotonic(), d))
            if not self.withhold_ack:
                await self._send(conn.ws, {"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, d if isinstance(d, dict) else {})
        elif op == 6:
            await self._resume(conn, d if isinstance(d, dict) else {})
        elif op is None:
            self.violations.append("gateway payload without op")

    async def _identify(self, conn, d):
        self.identifies += 1
        self.last_identify = d
        ws = conn.ws
        if d.get("token") != self._token:
            await conn.close(4004, b"Authentication failed.")
            return
        if conn.session is not None:
            await conn.close(4005, b"Already authenticated.")
            return
        if not all(k in d.get("properties", {}) for k in ("os", "browser", "device")):
            self.violations.append("IDENTIFY without a properties block")
        shard = d.get("shard", [0, 1])
        if (not isinstance(shard, list) or len(shard) != 2 or not all(isinstance(x, int) for x in shard)
                or shard[1] < 1 or not 0 <= shard[0] < shard[1]):
            await conn.close(4010, b"Invalid shard.")
            return
        sid, count = shard
        now = time.monotonic()
        self.identify_log.append({"t": now, "shard": sid, "count": count})
        mine = [g for g in self.guild_ids if shard_of(g, count) == sid]
        if len(mine) > GUILDS_PER_SHARD:
            await conn.close(4011, b"Sharding required.")
            return
        key = sid % self.max_concurrency
        last = self._bucket_last.get(key)
        if last is not None and now - last < IDENTIFY_GAP:
            self.violations.append("IDENTIFY of shard %d %.2f s after the last one of its bucket" % (sid, now - last))
            await self._send(ws, {"op": 9, "d": False, "s": None, "t": None})
            return
        self._bucket_last[key] = now
        if self.starts_remaining <= 0:
            self.violations.append("IDENTIFY with no session starts left")
        self.starts_remaining -= 1
        self._sid += 1
        s = Session("s%d-%d" % (self._sid, int(now * 1000)), sid, count)
        self.session_objs[s.id] = s
        self.sessions[s.id] = s.events
        s.ws, conn.session = ws, s
        ready = {"v": 10, "user": self._bot_user(), "guilds": [{"id": g, "unavailable": True} for g in mine],
                 "session_id": s.id, "resume_gateway_url": self.resume_url,
                 "application": {"id": self._app_id, "flags": 0}, "shard": [sid, count], "private_channels": [],
                 "relationships": [], "presences": [], "user_settings": {}, "session_type": "normal",
                 "auth": {}, "guild_join_requests": [], "geo_ordered_rtc_regions": []}
        await self._dispatch_to(s, "READY", ready)
        s.ready_at = time.monotonic()
        self.ready_event.set()
        if len(mine) <= 50:
            await self._stream_guilds(s, mine)
        else:  # thousands: streamed beside the socket's reading, so heartbeats are answered meanwhile
            asyncio.ensure_future(self._stream_guilds(s, mine))

    async def _stream_guilds(self, s, guild_ids):
        for i, g in enumerate(guild_ids):
            if s.invalid or s.ws is None:
                return
            await self._dispatch_to(s, "GUILD_CREATE", self._guild(g))
            # Discord serves each connection on its own; here one loop serves them all, so it
            # yields often enough (compressing included) that another shard's IDENTIFY is read,
            # and timed, within milliseconds of its arrival
            if i % 20 == 19:
                await asyncio.sleep(0)
        s.guilds_sent_at = time.monotonic()

    async def _resume(self, conn, d):
        self.resumes += 1
        ws, sid, seq = conn.ws, d.get("session_id"), d.get("seq")
        s = self.session_objs.get(sid)
        now = time.monotonic()
        if s is not None and s.dropped_at is not None and now - s.dropped_at > self.session_ttl:
            s.invalid = True
        ok = d.get("token") == self._token and s is not None and not s.invalid
        self.resume_log.append({"t": now, "session": sid, "shard": s.shard if s else None, "seq": seq,
                                "on_resume_url": conn.on_resume_url, "ok": ok})
        if d.get("token") != self._token:
            await conn.close(4004, b"Authentication failed.")
            return
        if not ok:
            await self._send(ws, {"op": 9, "d": False, "s": None, "t": None})
            return
        if not conn.on_resume_url:
            self.violations.append("RESUME on the first gateway URL instead of resume_gateway_url")
        if not isinstance(seq, int) or seq > s.seq:
            await conn.close(4007, b"Invalid seq.")
            return
        s.ws, s.dropped_at, conn.session = ws, None, s
        for q, payload in list(s.events):
            if q > seq:
                await self._send(ws, payload)
        await self._dispatch_to(s, "RESUMED", None)

    # ------------------------------------------------------------------ faults

    def _target(self, shard):
        s = self.main_session() if shard is None else self.shard_session(shard)
        return self._conn_of.get(s.ws) if s and s.ws is not None else None

    def drop(self, shard=None):
        """The TCP connection ends without a close frame."""
        async def go():
            conn = self._target(shard)
            if conn is not None:
                conn.ws._writer.transport.close() if hasattr(conn.ws, "_writer") else None
                await conn.ws.close(code=1006)
        self.call(go())

    def close_with(self, code, shard=None):
        async def go():
            conn = self._target(shard)
            if conn is not None:
                await conn.close(code, b"fault")
        self.call(go())

    def send_op(self, op, d=None, shard=None):
        async def go():
            conn = self._target(shard)
            if conn is not None:
                await self._send(conn.ws, {"op": op, "d": d, "s": None, "t": None})
        self.call(go())

    def expire_sessions(self):
        """Discord's few minutes have passed: no session can be resumed any more."""
        for s in self.session_objs.values():
            s.invalid = True
