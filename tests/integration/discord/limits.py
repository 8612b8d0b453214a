"""Discord's REST rate limits, as strict as Discord: what the double answers and enforces.

From Discord's "Rate Limits" documentation: a limit is a bucket (named by X-RateLimit-Bucket, shared
by similar routes) counted per top-level resource in the path (a channel, a guild, a webhook id +
token; an interaction's callback per interaction token), so the same hash counts separately in two
channels. Every answer carries X-RateLimit-Limit, -Remaining, -Reset, -Reset-After and -Bucket. Past
the limit the answer is 429 with a JSON body (message, retry_after in seconds, global) and
X-RateLimit-Scope ("user" for a route's limit, "global" for the bot's), Retry-After, and for the
global limit X-RateLimit-Global: true. The global limit is 50 requests a second for a bot and does
not apply to interaction endpoints. A window starts with the first request that finds none running.
Discord's answers come through its proxy and say so (Via); clients such as discord.py take a 429
without it for a Cloudflare ban, so every answer here carries it too.
"""
import hashlib
import math
import re
import time

GLOBAL_LIMIT = 50       # requests per second, bot-wide
GLOBAL_WINDOW = 1.0
VIA = {"Via": "1.1 google"}

# name -> (limit, window seconds); tests may change them on a Limits object
DEFAULT_BUCKETS = {
    "callback": (5, 5.0),        # per interaction token
    "followup": (5, 5.0),        # per webhook id + token (an interaction's follow-ups)
    "messages": (5, 5.0),        # per channel: the well-known 5 posts per 5 s
    "dm": (10, 10.0),            # opening a DM channel, per bot
    "commands": (5, 20.0),       # registering slash commands, per guild (or globally)
    "gateway": (10, 5.0),        # GET /gateway/bot
    "other": (50, 1.0),
}

# (methods, path pattern, bucket name, top-level resource from the match)
ROUTES = [
    ({"POST"}, re.compile(r"^/interactions/\d+/([^/]+)/callback$"), "callback", lambda m: "interaction/" + m.group(1)),
    ({"GET", "POST", "PATCH", "DELETE"}, re.compile(r"^/webhooks/(\d+)/([^/]+)(/.*)?$"), "followup",
     lambda m: "webhook/%s/%s" % (m.group(1), m.group(2))),
    ({"POST"}, re.compile(r"^/channels/(\d+)/messages$"), "messages", lambda m: "channel/" + m.group(1)),
    ({"POST"}, re.compile(r"^/users/@me/channels$"), "dm", lambda m: ""),
    ({"PUT"}, re.compile(r"^/applications/\d+/guilds/(\d+)/commands$"), "commands", lambda m: "guild/" + m.group(1)),
    ({"PUT"}, re.compile(r"^/applications/\d+/commands$"), "commands", lambda m: ""),
    ({"GET"}, re.compile(r"^/gateway/bot$"), "gateway", lambda m: ""),
]


def is_interaction_endpoint(path):
    return path.startswith("/interactions/") or path.startswith("/webhooks/")


def bucket_hash(name):
    """An opaque hash per bucket, the same for every resource (as Discord's are)."""
    return hashlib.md5(("tend-double-" + name).encode()).hexdigest()


class Verdict:
    def __init__(self, headers, refused=None, body=None):
        self.headers = headers      # rate-limit headers for the answer
        self.refused = refused      # None, "user" or "global"
        self.body = body


class Limits:
    def __init__(self):
        self.buckets = dict(DEFAULT_BUCKETS)
        self.global_limit = GLOBAL_LIMIT
        self.windows = {}           # (bucket name, resource) -> [count, window end (monotonic)]
        self.global_window = [0, 0.0]
        self.refusals = []          # (monotonic time, scope, method, path) of every enforced 429

    def classify(self, method, path):
        for methods, rx, name, resource in ROUTES:
            m = rx.match(path)
            if m and method in methods:
                return name, resource(m)
        return "other", method + " " + re.sub(r"\d{5,}", ":id", path)

    def spend(self, name, resource, now=None):
        """Uses up a bucket's window for a resource, as if other requests had just done so."""
        now = time.monotonic() if now is None else now
        limit, window = self.buckets[name]
        self.windows[(name, resource)] = [limit, now + window]

    def check(self, method, path, now=None):
        """Counts one request; says which headers it gets, or that it is refused."""
        now = time.monotonic() if now is None else now
        name, resource = self.classify(method, path)
        limit, window = self.buckets[name]
        if not is_interaction_endpoint(path):
            g = self.global_window
            if now >= g[1]:
                g[0], g[1] = 0, now + GLOBAL_WINDOW
            g[0] += 1
            if g[0] > self.global_limit:
                retry = g[1] - now
                self.refusals.append((now, "global", method, path))
                return Verdict(dict(VIA, **{"Retry-After": str(math.ceil(retry)), "X-RateLimit-Global": "true",
                                            "X-RateLimit-Scope": "global"}), "global",
                               {"message": "You are being rate limited.", "retry_after": round(retry, 3),
                                "global": True})
        w = self.windows.get((name, resource))
        if w is None or now >= w[1]:
            w = self.windows[(name, resource)] = [0, now + window]
        w[0] += 1
        reset_after = max(0.0, w[1] - now)
        headers = {**VIA, "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, limit - w[0])),
                   "X-RateLimit-Reset": "%.3f" % (time.time() + reset_after),
                   "X-RateLimit-Reset-After": "%.3f" % reset_after, "X-RateLimit-Bucket": bucket_hash(name)}
        if w[0] > limit:
            self.refusals.append((now, "user", method, path))
            headers.update({"Retry-After": str(math.ceil(reset_after)), "X-RateLimit-Scope": "user"})
            return Verdict(headers, "user", {"message": "You are being rate limited.",
                                             "retry_after": round(reset_after, 3), "global": False})
        return Verdict(headers)
