"""Plain-HTTP Matrix helpers for the tests: registration with the shared secret, a tiny client
whose /sync collects every event it sees, and a handle on a running tend process."""
import hashlib
import hmac
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse
import uuid

import requests


# the *.pg runs (tests/integration/postgres.cmake): tend's databases are schemas on the test
# PostgreSQL, as the Discord conftest does
PG_DIR = os.environ.get("TEND_TEST_PG_DIR")
_databases = {}


def database(workdir, name):
    """Where a tend of the session keeps its data: NAME.db in workdir, or under TEND_TEST_PG_DIR a
    schema of its own on the test PostgreSQL; the same one again for the same name, so a test that
    restarts a tend finds what it left."""
    if not PG_DIR:
        return os.path.join(workdir, name + ".db")
    key = (workdir, name)
    if key not in _databases:
        ctl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "postgres_ctl.sh")
        schema = "matrix_%s_%s" % (re.sub(r"[^a-z0-9_]", "_", name.lower()), os.urandom(3).hex())
        _databases[key] = subprocess.run([ctl, "schema", PG_DIR, schema], check=True,
                                         stdout=subprocess.PIPE).stdout.decode().strip()
    return _databases[key]


def q(s):
    return urllib.parse.quote(s, safe="")


def register(env, localpart, admin=False):
    url = env["url"] + "/_synapse/admin/v1/register"
    nonce = requests.get(url, timeout=10).json()["nonce"]
    password = "pw-" + localpart
    mac = hmac.new(env["secret"].encode(), digestmod=hashlib.sha1)
    mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                             b"admin" if admin else b"notadmin"]))
    r = requests.post(url, json={"nonce": nonce, "username": localpart, "password": password,
                                 "admin": admin, "mac": mac.hexdigest()}, timeout=10)
    r.raise_for_status()
    body = r.json()
    return Client(env["url"], body["user_id"], body["access_token"], password)


class Client:
    def __init__(self, base, user_id, token, password=None):
        self.base = base
        self.user_id = user_id
        self.token = token
        self.password = password
        self.since = None
        self.events = []      # (room_id, event) for every timeline event seen, in order
        self.invites = []     # room ids
        self.highlights = {}  # room id -> highlight_count
        self.notifications = {}  # room id -> notification_count (what would reach a phone)
        self.autojoin = True

    def api(self, method, path, body=None, http_timeout=40, params=None):
        r = requests.request(method, self.base + "/_matrix/client/v3" + path, json=body,
                             params=params, timeout=http_timeout,
                             headers={"Authorization": "Bearer " + self.token})
        r.raise_for_status()
        return r.json()

    def create_room(self, name="coordination", encrypted=False, invite=()):
        body = {"name": name, "preset": "private_chat", "invite": list(invite)}
        if encrypted:
            body["initial_state"] = [{"type": "m.room.encryption", "state_key": "",
                                      "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
        return self.api("POST", "/createRoom", body)["room_id"]

    def invite(self, room, user_id):
        self.api("POST", f"/rooms/{q(room)}/invite", {"user_id": user_id})

    def join(self, room):
        self.api("POST", f"/join/{q(room)}", {})

    def leave(self, room):
        self.api("POST", f"/rooms/{q(room)}/leave", {})

    def create_dm(self, user_id):
        """A direct chat the way Element opens one (without encryption: tend cannot read that)."""
        return self.api("POST", "/createRoom", {"is_direct": True, "preset": "trusted_private_chat",
                                                "invite": [user_id]})["room_id"]

    def event(self, room, event_id):
        return self.api("GET", f"/rooms/{q(room)}/event/{q(event_id)}")

    def membership(self, room, user_id):
        try:
            return self.api("GET", f"/rooms/{q(room)}/state/m.room.member/{q(user_id)}").get("membership")
        except requests.HTTPError:
            return None

    def send(self, room, body, html=None, msgtype="m.text"):
        content = {"msgtype": msgtype, "body": body}
        if html:
            content.update(format="org.matrix.custom.html", formatted_body=html)
        return self.api("PUT", f"/rooms/{q(room)}/send/m.room.message/{uuid.uuid4().hex}",
                        content)["event_id"]

    def react(self, room, event_id, key):
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        return self.api("PUT", f"/rooms/{q(room)}/send/m.reaction/{uuid.uuid4().hex}", content)["event_id"]

    def set_power(self, room, user_id, level):
        pl = self.api("GET", f"/rooms/{q(room)}/state/m.room.power_levels/")
        pl.setdefault("users", {})[user_id] = level
        self.api("PUT", f"/rooms/{q(room)}/state/m.room.power_levels/", pl)

    def sync(self, timeout_ms=1000):
        # a timeline limit well above a test's burst: the default (10) drops the older events of a
        # busy sync ("limited"), and a test would wait for an answer it was never shown
        params = {"timeout": str(timeout_ms), "filter": '{"room":{"timeline":{"limit":200}}}'}
        if self.since:
            params["since"] = self.since
        else:
            params["timeout"] = "0"
        body = self.api("GET", "/sync", http_timeout=timeout_ms / 1000 + 30, params=params)
        self.since = body["next_batch"]
        new = []
        for room_id, data in body.get("rooms", {}).get("join", {}).items():
            for ev in data.get("timeline", {}).get("events", []):
                self.events.append((room_id, ev))
                new.append((room_id, ev))
            counts = data.get("unread_notifications", {})
            self.highlights[room_id] = counts.get("highlight_count", 0)
            self.notifications[room_id] = counts.get("notification_count", 0)
        for room_id in body.get("rooms", {}).get("invite", {}):
            if room_id not in self.invites:
                self.invites.append(room_id)
                if self.autojoin:
                    self.join(room_id)  # the bot's DM rooms: a person would accept them
        return new

    def catch_up(self):
        """Moves past everything so far, so later waits see only what comes next."""
        self.sync(0)
        self.events = []

    def wait_for(self, pred, timeout=20, what="an event"):
        deadline = time.monotonic() + timeout
        for room_id, ev in self.events:
            if pred(room_id, ev):
                return room_id, ev
        while time.monotonic() < deadline:
            for room_id, ev in self.sync(1000):
                if pred(room_id, ev):
                    return room_id, ev
        raise AssertionError(f"{self.user_id} did not see {what} within {timeout} s")

    def bot_notices(self, bot_id, room=None):
        return [(r, e) for r, e in self.events
                if e.get("sender") == bot_id and e.get("type") == "m.room.message"
                and (room is None or r == room)]


def notice_from(bot_id, room=None, contains=None, reply_to=None):
    def pred(room_id, ev):
        c = ev.get("content", {})
        if ev.get("sender") != bot_id or ev.get("type") != "m.room.message":
            return False
        if room is not None and room_id != room:
            return False
        if contains is not None and contains not in c.get("body", ""):
            return False
        if reply_to is not None and \
                c.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") != reply_to:
            return False
        return True
    return pred


def stop_and_keep_log(t, bot, keep_as=None, mode="w"):
    """Stops a test's own tend, copies its log to keep_as (ctest keeps it beside the build) and
    checks that none of the bot's secrets reached it. Returns the exit status."""
    rc = t.stop()
    text = t.log_text()
    if keep_as:
        with open(keep_as, mode) as f:
            f.write(text)
    for secret in (bot.token, bot.password):
        if secret:
            assert secret not in text, "a secret of the bot reached tend's log"
    return rc


class Tend:
    """The real tend binary, pointed at the local Synapse with a temporary database."""

    def __init__(self, binary, env, bot, db, log, allowed=None):
        self.binary, self.env, self.bot, self.db, self.log = binary, env, bot, db, log
        self.allowed = allowed
        self.proc = None
        self.token = bot.token
        self.password = None
        self.args = []        # extra command-line arguments for the next start (e.g. --now)
        self.extra_env = {}   # extra environment for the next start (e.g. a pickle key file)

    def start(self):
        e = dict(os.environ)
        e.update(TEND_MATRIX_HOMESERVER=self.env["url"], TEND_MATRIX_USER_ID=self.bot.user_id,
                 TEND_LOG_LEVEL="debug", TEND_OPS_LISTEN="127.0.0.1:0")
        e.pop("MATRIX_ACCESS_TOKEN", None)
        if self.token:
            e["TEND_MATRIX_ACCESS_TOKEN"] = self.token
        if self.password:
            e["TEND_MATRIX_PASSWORD"] = self.password
        if self.allowed:
            e["TEND_MATRIX_ALLOWED_INVITERS"] = self.allowed
        e.update(self.extra_env)
        self.proc = subprocess.Popen([self.binary, "--database", self.db, *self.args], env=e,
                                     stdin=subprocess.DEVNULL, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT)
        return self

    # (log, exit status) of every run that did not exit 0 when asked to stop: a crash or a hang in
    # the orderly stop (a double free, a handle left open) is a bug even when every answer was right
    bad_stops = []

    def stop(self):
        asked = False
        if self.proc and self.proc.poll() is None:
            asked = True
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        if asked and rc != 0:
            Tend.bad_stops.append((self.log, rc))
        return rc

    def kill(self):
        """kill -9: no orderly stop, whatever was in memory is gone."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ops_port(self):
        """The port of this run's health and metrics endpoint (the last one logged)."""
        ports = re.findall(r"health and metrics on http://127\.0\.0\.1:(\d+)/healthz", self.log_text())
        return int(ports[-1]) if ports else None

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()
