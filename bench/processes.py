#!/usr/bin/env python3
"""bench/processes.py — interactions a second with 1, 2 and 3 tend processes sharing one PostgreSQL
database and one Discord bot, against one process on SQLite (issue 21's closing figures).

Each run: a fresh database (a SQLite file, or a new schema on the PostgreSQL server), the Discord
double (tests/integration/discord/double.py) with --guilds guilds on --shards shards, and N real tend
processes, each given a static range of the shards ([discord] shards, e.g. 0-2/8, 3-5/8, 6-7/8).
Once every shard is READY, a load of slash commands (/task add, /claim, /checkin, /done, /tasks,
/help: many guilds, many members, every shard) is sent from inside the double's own event loop,
closed-loop with --window interactions in flight (as fast as the processes answer) or at --rate a
second, for --warmup + --duration seconds. Reported, over the measured --duration:
  - interactions a second answered, i.e. whose callback reached the double within Discord's 3 s;
  - p50 / p99 answer latency (INTERACTION_CREATE out -> callback in);
  - CPU per interaction: each tend process, the PostgreSQL server (postmaster and its backends), and
    the double itself (with this load generator: one Python thread), and the whole machine's busy
    share, so one can see which of them was the bottleneck;
  - the bot's global REST budget across processes: the most requests the double counted against
    Discord's 50 a second in any 1 s window, the global 429s it gave, and each process's share
    (tend_discord_rest_budget from its /metrics).
Configurations run --runs times each, alternated round by round; the table shows medians.

  build/discord-venv/bin/python bench/processes.py --tend build/tend          (~5 minutes)
  build/discord-venv/bin/python bench/processes.py --tend build/tend --smoke  (~30 s: the ctest case)

PostgreSQL: with TEND_TEST_PG_DIR set (tests/integration/with_postgres.sh) its server is used;
otherwise one is started for the run in a temporary folder (tests/integration/postgres_ctl.sh: unix
socket only, fsync off) and removed at the end. Everything listens on 127.0.0.1 or a unix socket;
every phase is bounded in time.
"""
import argparse
import asyncio
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "discord"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "ops"))
import double as dd  # noqa: E402
import limits as rl  # noqa: E402
import scrape  # noqa: E402

PG_CTL = os.path.join(ROOT, "tests", "integration", "postgres_ctl.sh")
DEADLINE = 3.0
TICK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- CPU accounting from /proc

def cpu_of(pid):
    """User + system seconds of a process (all its threads), or 0 once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children_of(ppid):
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                    kids.append(int(name))
        except (OSError, ValueError, IndexError):
            pass
    return kids


def machine_busy():
    """(busy, total) jiffies of the whole machine: every engineer's processes, not only ours."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle, sum(v[:8])


class Postgres:
    """The server the PostgreSQL runs use: the test fixture's, or one of our own for this run."""

    def __init__(self):
        self.dir = os.environ.get("TEND_TEST_PG_DIR")
        self.owned = not self.dir
        if self.owned:
            self.dir = tempfile.mkdtemp(prefix="tend-bench-pg-")
            p = subprocess.run([PG_CTL, "start", self.dir], stdout=subprocess.PIPE, text=True)
            if p.returncode == 77:
                raise SystemExit(77)
            if p.returncode != 0:
                raise SystemExit("bench: PostgreSQL did not start")
        with open(os.path.join(self.dir, "server")) as f:
            self.data = os.path.join(f.read().strip(), "data")
        self.n = 0

    def schema(self):
        self.n += 1
        name = "bench_%d_%d" % (os.getpid(), self.n)
        return subprocess.run([PG_CTL, "schema", self.dir, name], check=True, stdout=subprocess.PIPE,
                              text=True).stdout.strip()

    def pids(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            master = int(f.readline())
        return [master] + children_of(master)

    def cpu(self):
        return sum(cpu_of(p) for p in self.pids())

    def stop(self):
        if self.owned:
            subprocess.run([PG_CTL, "stop", self.dir], stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------- the double, for a load

class BenchDouble(dd.Double):
    """The Discord double with a hook on every accepted interaction callback, and the OpenAPI check
    of REST bodies made on one body in `validate_every` (jsonschema costs the double more than
    tend spends on the whole interaction; the integration suites check every body)."""

    def __init__(self, validate_every, **kw):
        super().__init__(**kw)
        self.on_answer = None
        whole, seen = self.spec.validator, [0]

        def sampled(method, path):
            template, validator = whole(method, path)
            seen[0] += 1
            return template, validator if seen[0] % validate_every == 0 else None
        self.spec.validator = sampled

    async def _route(self, method, path, body, query=None, arrived=None):
        res = await super()._route(method, path, body, query, arrived)
        if self.on_answer and method == "POST" and res.status < 300:
            m = re.match(r"^/interactions/(\d+)/[^/]+/callback$", path)
            if m:
                self.on_answer(m.group(1))
        return res


MEMBERS = 24      # per guild (the same people in every guild: Discord ids are per user)
COORDINATORS = 4  # of them, with Manage Server: they put tasks up


# "ana" owns every guild in the double's GUILD_CREATE
KEYS = ["ana"] + ["m%02d" % i for i in range(1, MEMBERS)]


def members():
    return {k: {"id": str(800000000000001000 + i), "name": "Member %d" % i, "coord": i < COORDINATORS}
            for i, k in enumerate(KEYS)}


class Load:
    """The slash commands a busy bot gets, sent on the double's loop and timed to their callback."""

    def __init__(self, double, shards, seed):
        self.d = double
        self.shards = shards
        self.rng = random.Random(seed)
        self.tasks = {}      # guild -> tasks put up so far (numbers 1..n)
        self.sent = {}       # iid -> (monotonic sent, shard, kind, measured)
        self.waiters = {}    # iid -> future, closed loop
        self.kinds = {}
        # before the clock starts, one task put up in every guild, so claims have something to claim
        self.unseeded = list(double.guild_ids)
        self.rng.shuffle(self.unseeded)
        double.on_answer = self._answered

    def _answered(self, iid):
        f = self.waiters.pop(iid, None)
        if f is not None and not f.done():
            f.set_result(True)

    def _next(self):
        d, rng = self.d, self.rng
        guild = self.unseeded.pop() if self.unseeded else rng.choice(d.guild_ids)
        n = self.tasks.get(guild, 0)
        roll = rng.randrange(100)
        if roll < 15 or n == 0:
            who = KEYS[rng.randrange(COORDINATORS)]
            self.tasks[guild] = n + 1
            return "task add", who, "task", {"title": "Soup run %d" % (n + 1), "slots": 3}, "add", guild
        who = KEYS[rng.randrange(MEMBERS)]
        if roll < 45:
            return "claim", who, "claim", {"task": str(rng.randint(1, n))}, None, guild
        if roll < 60:
            return "checkin", who, "checkin", {"energy": rng.choice(("great", "ok", "ok", "low"))}, None, guild
        if roll < 70:
            return "done", who, "done", {"task": str(rng.randint(1, n)), "note": "all delivered"}, None, guild
        if roll < 85:
            return "tasks", who, "tasks", None, None, guild
        return "help", who, "help", None, None, guild

    async def _send(self, measured):
        kind, who, name, options, sub, guild = self._next()
        iid, payload = self.d._slash_payload(who, name, options, sub, None, guild)
        now = time.monotonic()
        self.d.sent_at[iid] = now
        self.sent[iid] = (now, dd.shard_of(guild, self.shards), kind, measured)
        if measured:
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
        await self.d._dispatch("INTERACTION_CREATE", payload)
        return iid

    async def run(self, window, rate, warmup, duration):
        loop = asyncio.get_running_loop()
        self.t1 = float("inf")

        async def worker(seeding=False):
            while (self.unseeded if seeding else time.monotonic() < self.t1):
                fut = loop.create_future()
                iid = await self._send(time.monotonic() >= getattr(self, "t0", float("inf")))
                if iid in self.d.answered_at:
                    continue
                self.waiters[iid] = fut
                try:
                    await asyncio.wait_for(fut, DEADLINE)
                except asyncio.TimeoutError:
                    self.waiters.pop(iid, None)

        await asyncio.gather(*(worker(seeding=True) for _ in range(window or 16)))
        start = time.monotonic()
        self.t0, self.t1 = start + warmup, start + warmup + duration
        if rate:
            sent = 0
            while time.monotonic() < self.t1:
                due = int((time.monotonic() - start) * rate)
                while sent < due:
                    await self._send(time.monotonic() >= self.t0)
                    sent += 1
                await asyncio.sleep(0.002)
        else:
            await asyncio.gather(*(worker() for _ in range(window)))
        # what is still in flight gets its 3 s
        last = max((t for t, _, _, _ in self.sent.values()), default=0.0)
        while time.monotonic() < last + DEADLINE and any(i not in self.d.answered_at for i in self.sent):
            await asyncio.sleep(0.05)

    def results(self):
        lat, unanswered, late = [], 0, 0
        per_shard = [0] * self.shards
        for iid, (t, shard, _, measured) in self.sent.items():
            if not measured or t >= self.t1:
                continue
            got = self.d.answered_at.get(iid)
            if got is None:
                unanswered += 1
            elif got - t > DEADLINE:
                late += 1
            else:
                lat.append(got - t)
                per_shard[shard] += 1
        lat.sort()
        pick = lambda p: lat[min(len(lat) - 1, int(p / 100.0 * len(lat)))] * 1000 if lat else float("nan")  # noqa: E731
        return {"answered": len(lat), "unanswered": unanswered, "late": late, "p50": pick(50), "p99": pick(99),
                "per_shard": per_shard, "all_sent": len(self.sent),
                "all_answered": sum(1 for i in self.sent if i in self.d.answered_at)}


# ---------------------------------------------------------------- one run

def ranges(n, shards):
    """Static shard ranges for n processes, as even as they go: 8 in 3 is 0-2, 3-5, 6-7."""
    out, first = [], 0
    for k in range(n):
        size = shards // n + (1 if k < shards % n else 0)
        out.append((first, first + size - 1))
        first += size
    return out


def global_budget(double, since=0.0):
    """Requests counted against the bot's global limit (interaction endpoints are outside it, as on
    Discord): the most in one window as the double (like Discord) counts them, a window starting with
    the first request that finds none running; the most in any 1 s at all (a sliding window, which
    can see up to twice the limit across two of Discord's windows); and the global 429s answered."""
    ts = sorted(r["t"] for r in double.requests if r["t"] >= since and not rl.is_interaction_endpoint(r["path"]))
    sliding, lo = 0, 0
    for hi, t in enumerate(ts):
        while t - ts[lo] >= 1.0:
            lo += 1
        sliding = max(sliding, hi - lo + 1)
    windowed, count, end = 0, 0, 0.0
    for t in ts:
        if t >= end:
            count, end = 0, t + rl.GLOBAL_WINDOW
        count += 1
        windowed = max(windowed, count)
    refused = sum(1 for r in double.limits.refusals if r[1] == "global" and r[0] >= since)
    return {"windowed": windowed, "sliding": sliding, "refused": refused, "counted": len(ts)}


def scheduled_burst(a, double, procs, label, rng):
    """Every one of --budget-guilds groups sets its weekly check-in for the same coming minute; at
    that minute each process fires the groups it claims, and the posts (POST /channels/{id}/messages,
    counted in Discord's global 50 a second) go out. Returns what the double saw."""
    guilds = rng.sample(double.guild_ids, min(a.budget_guilds, len(double.guild_ids)))
    # the minute after the /setups are in (a group set up after its own minute would not fire)
    at = int(-(-(time.time() + 5 + len(guilds) / 100.0) // 60) * 60)
    tm = time.gmtime(at)
    when = "%s %02d:%02d" % (("mon", "tue", "wed", "thu", "fri", "sat", "sun")[tm.tm_wday], tm.tm_hour, tm.tm_min)

    async def setups():
        pending = list(guilds)

        async def one():
            while pending:
                iid, payload = double._slash_payload("ana", "setup", {"checkin": when}, None, None, pending.pop())
                double.sent_at[iid] = time.monotonic()
                await double._dispatch("INTERACTION_CREATE", payload)
                for _ in range(300):
                    if iid in double.answered_at:
                        break
                    await asyncio.sleep(0.01)
        await asyncio.gather(*(one() for _ in range(16)))
    asyncio.run_coroutine_threadsafe(setups(), double.loop).result(120)
    if time.time() >= at:
        raise RuntimeError("%s: the /setups took past their minute" % label)
    minute = time.monotonic() + (at - time.time())
    first_request = len(double.requests)
    posted = lambda: [r for r in double.requests[first_request:]  # noqa: E731
                      if r["method"] == "POST" and r["path"].endswith("/messages") and r.get("status") == 200
                      and "Weekly check-in" in ((r["body"] or {}).get("content") or "")]
    double.wait(lambda: len(posted()) >= len(guilds), (at - time.time()) + 30 + len(guilds) / 25.0)
    time.sleep(1)  # a post sent twice would come now
    got = posted()
    channels = [r["path"] for r in got]
    g = global_budget(double, since=minute - 1)
    return {"groups": len(guilds), "posts": len(got), "doubled": len(channels) - len(set(channels)),
            "seconds": (max(r["t"] for r in got) - minute) if got else float("nan"),
            "peak": g["windowed"], "sliding": g["sliding"], "global_429": g["refused"],
            "budgets": [p.metric("tend_discord_rest_budget") for p in procs],
            "fired": [p.metric("tend_scheduled_posts_total", kind="checkin", outcome="fired") for p in procs]}


class Proc:
    def __init__(self, tend, folder, db, env):
        self.log_path = os.path.join(folder, "tend.log")
        self.log = open(self.log_path, "w")
        self.p = subprocess.Popen([tend, "--database", db], env=env, stdin=subprocess.DEVNULL,
                                  stdout=self.log, stderr=subprocess.STDOUT)

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def metric(self, name, **labels):
        """A sample of its /metrics (summed over the samples with these labels), or None."""
        ports = re.findall(r"health and metrics on http://127\.0\.0\.1:(\d+)/healthz", self.output())
        if not ports or self.p.poll() is not None:
            return None
        try:
            return scrape.Scrape(scrape.fetch(int(ports[-1]))[1]).total(name, **labels)
        except OSError:
            return None

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()
        return self.p.returncode


def run_one(a, backend, nproc, pg, work, label, with_burst):
    shards = a.shards
    double = BenchDouble(a.validate_every, members=members(), heartbeat_interval=41250).start()
    double.populate(-(-a.guilds // shards), shards)
    double.recommended_shards = shards
    double.max_concurrency = 16
    folder = os.path.join(work, label)
    os.mkdir(folder)
    db = pg.schema() if backend == "postgresql" else os.path.join(folder, "tend.db")
    procs, problems = [], []
    try:
        for k, (lo, hi) in enumerate(ranges(nproc, shards)):
            sub = os.path.join(folder, "p%d" % k)
            os.mkdir(sub)
            env = dict(os.environ, DISCORD_TOKEN=dd.TOKEN, TEND_DISCORD_APPLICATION_ID=dd.APP_ID,
                       TEND_DISCORD_API_BASE=double.api_base, TEND_DISCORD_GLOBAL_COMMANDS="true",
                       TEND_DISCORD_SHARDS="%d-%d/%d" % (lo, hi, shards), TEND_LOG_LEVEL="info",
                       TEND_CONFIG="", TEND_OPS_LISTEN="127.0.0.1:0")
            procs.append(Proc(a.tend, sub, db, env))
        up = double.wait(lambda: all(double.shard_session(k) and double.shard_session(k).guilds_sent_at
                                     for k in range(shards)), a.timeout)
        if not up:
            raise RuntimeError("%s: shards not all up in %d s (logs under %s)" % (label, a.timeout, folder))
        # every shard answers before the clock starts (each process has read its guilds)
        for k in range(shards):
            guild = next(g for g in double.guild_ids if dd.shard_of(g, shards) == k)
            iid = double.slash("ana", "help", guild=guild)
            if not double.wait(lambda: iid in double.callbacks, 30):
                raise RuntimeError("%s: shard %d never answered (logs under %s)" % (label, k, folder))
        if a.burst_only:
            return {"burst": scheduled_burst(a, double, procs, label, random.Random(a.seed)), "violations":
                    list(double.violations), "global_429": 0, "peak_global": 0, "repeated": 0}
        # what the processes and the server spend with nothing to do (leases, polls, heartbeats)
        i0 = ([cpu_of(p.p.pid) for p in procs], pg.cpu() if backend == "postgresql" else 0.0, time.monotonic())
        time.sleep(a.idle)
        i1 = ([cpu_of(p.p.pid) for p in procs], pg.cpu() if backend == "postgresql" else 0.0, time.monotonic())
        load = Load(double, shards, seed=a.seed)
        owners = [[k for k in range(shards) if lo <= k <= hi] for lo, hi in ranges(nproc, shards)]
        fut = asyncio.run_coroutine_threadsafe(load.run(a.window, a.rate, a.warmup, a.duration), double.loop)
        # CPU is read from the end of the warm-up to the end of the drain
        while not hasattr(load, "t0") or time.monotonic() < load.t0:
            time.sleep(0.01)
        me = os.getpid()
        c0 = ([cpu_of(p.p.pid) for p in procs], pg.cpu() if backend == "postgresql" else 0.0, cpu_of(me),
              machine_busy(), time.monotonic())
        fut.result(a.warmup + a.duration + DEADLINE + 30)
        c1 = ([cpu_of(p.p.pid) for p in procs], pg.cpu() if backend == "postgresql" else 0.0, cpu_of(me),
              machine_busy(), time.monotonic())
        r = load.results()
        g = global_budget(double)
        budgets = [p.metric("tend_discord_rest_budget") for p in procs]
        wall = c1[4] - c0[4]
        n = max(r["answered"], 1)
        r.update({
            "throughput": r["answered"] / a.duration,
            "tend_us": [1e6 * (x1 - x0) / max(sum(r["per_shard"][k] for k in own), 1)
                        for x0, x1, own in zip(c0[0], c1[0], owners)],
            "tend_total_us": 1e6 * (sum(c1[0]) - sum(c0[0])) / n,
            "tend_cores": (sum(c1[0]) - sum(c0[0])) / wall,
            "pg_us": 1e6 * (c1[1] - c0[1]) / n,
            "pg_cores": (c1[1] - c0[1]) / wall,
            "double_cores": (c1[2] - c0[2]) / wall,
            "double_us": 1e6 * (c1[2] - c0[2]) / n,
            "machine_cores": (c1[3][0] - c0[3][0]) / max(c1[3][1] - c0[3][1], 1) * os.cpu_count(),
            "peak_global": g["windowed"], "global_429": g["refused"], "global_requests": g["counted"],
            "budgets": budgets, "violations": list(double.violations), "repeated": len(double.repeated_callbacks),
            "kinds": dict(load.kinds),
        })
        r["others_cores"] = max(0.0, r["machine_cores"] - r["tend_cores"] - r["pg_cores"] - r["double_cores"])
        r["idle_ms"] = [1e3 * (y - x) / (i1[2] - i0[2]) for x, y in zip(i0[0], i1[0])]
        r["pg_idle_ms"] = 1e3 * (i1[1] - i0[1]) / (i1[2] - i0[2])
        r["burst"] = scheduled_burst(a, double, procs, label, load.rng) if with_burst else None
        if r["burst"]:
            r["violations"] = list(double.violations)
        return r
    finally:
        for p in procs:
            rc = p.stop()
            if rc != 0:
                problems.append("%s: a tend exited %s on SIGTERM (log: %s)" % (label, rc, p.log_path))
        double.stop()
        BAD_STOPS.extend(problems)


# every tend asked to stop must exit 0: a crash or a sanitizer's report at the end fails the bench
BAD_STOPS = []
CONFIGS = [("sqlite", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 3)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tend", required=True)
    ap.add_argument("--guilds", type=int, default=1000)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--window", type=int, default=32, help="interactions in flight (closed loop)")
    ap.add_argument("--rate", type=float, default=0, help="offered interactions a second instead of a window")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=60, help="seconds for every shard to come up")
    ap.add_argument("--validate-every", type=int, default=50, help="OpenAPI-check one REST body in N")
    ap.add_argument("--config", action="append", metavar="BACKEND:N",
                    help="sqlite:1, postgresql:1, postgresql:2, postgresql:3 (default: all four)")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--idle", type=float, default=3.0, help="seconds of idle CPU measured before the load")
    ap.add_argument("--budget-guilds", type=int, default=500,
                    help="groups whose weekly check-in fires in one minute after the first round's load "
                         "(the global REST budget across processes); 0: none")
    ap.add_argument("--burst-only", action="store_true",
                    help="no load: only the scheduled minute (--budget-guilds groups), once each")
    ap.add_argument("--smoke", action="store_true", help="one short run of each, every answer checked")
    ap.add_argument("--keep", action="store_true", help="keep the logs and SQLite files")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.smoke:
        a.guilds, a.runs, a.warmup, a.duration, a.window, a.validate_every, a.timeout = 64, 1, 0.5, 2.0, 4, 1, 20
        a.idle, a.budget_guilds = 0.5, 0  # a scheduled minute is up to a minute away: not in a smoke run
    if a.burst_only:
        a.runs = 1
    configs = [(c.split(":")[0], int(c.split(":")[1])) for c in a.config] if a.config else CONFIGS
    work = tempfile.mkdtemp(prefix="tend-bench-procs-")
    pg = Postgres() if any(b == "postgresql" for b, _ in configs) else None
    got = {c: [] for c in configs}
    failures = []
    try:
        for run in range(a.runs):
            # alternated, and each round in another order: a neighbour's burst on the shared machine
            # does not always land on the same configuration
            order = configs[run % len(configs):] + configs[:run % len(configs)]
            for backend, n in order:
                label = "%s-%d-run%d" % (backend, n, run)
                try:
                    r = run_one(a, backend, n, pg, work, label, a.budget_guilds > 0 and run == 0)
                except RuntimeError as e:
                    failures.append(str(e))
                    continue
                got[(backend, n)].append(r)
                if a.verbose:
                    print(label, {k: v for k, v in r.items() if k != "violations"}, file=sys.stderr)
                if r["violations"]:
                    failures.append("%s: the double saw %d violations, first: %s"
                                    % (label, len(r["violations"]), r["violations"][0]))
                if r["global_429"] or r["peak_global"] > rl.GLOBAL_LIMIT:
                    failures.append("%s: the bot went over the global 50 requests/s (%d in 1 s, %d refused)"
                                    % (label, r["peak_global"], r["global_429"]))
                b = r["burst"]
                if b and (b["posts"] < b["groups"] or b["doubled"] or b["global_429"] or b["peak"] > rl.GLOBAL_LIMIT):
                    failures.append("%s: scheduled burst: %d of %d posted, %d twice, %d in one of Discord's 1 s "
                                    "windows at most, %d global 429s"
                                    % (label, b["posts"], b["groups"], b["doubled"], b["peak"], b["global_429"]))
                if r["repeated"]:
                    failures.append("%s: %d interactions answered twice" % (label, r["repeated"]))
                if not a.burst_only and a.smoke and (r["unanswered"] or r["late"] or r["all_answered"] < r["all_sent"]):
                    failures.append("%s: %d of %d interactions not answered within 3 s"
                                    % (label, r["all_sent"] - r["all_answered"] + r["late"], r["all_sent"]))
        report(a, configs, got)
        failures.extend(BAD_STOPS)
    finally:
        if pg:
            pg.stop()
        if not a.keep and not failures:  # a failure's logs stay, named in its line
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    return 0


def report(a, configs, got):
    if not a.burst_only:
        report_load(a, configs, got)
    bursts = [(c, r["burst"]) for c in configs for r in got[c] if r.get("burst")]
    if bursts:
        print("\nthe global REST budget under a scheduled minute: %d groups' weekly check-ins due at once, each "
              "posted to its channel (counted in Discord's 50 requests/s, which the double enforces)" % a.budget_guilds)
        print("| store, processes | posts | from the minute to the last post | most requests in one of "
              "Discord's 1 s windows (in any 1 s) | global 429s | posted twice | each process's budget | "
              "check-ins fired by each process |")
        print("|---|---|---|---|---|---|---|---|")
        show = lambda xs: "/".join("%g" % x if x is not None else "?" for x in xs)  # noqa: E731
        for (backend, n), b in bursts:
            print("| %s, %d | %d of %d | %.1f s | %d (%d) | %d | %d | %s | %s |" %
                  (backend, n, b["posts"], b["groups"], b["seconds"], b["peak"], b["sliding"], b["global_429"],
                   b["doubled"], show(b["budgets"]), show(b["fired"])))


def report_load(a, configs, got):
    load = ("%d in flight (closed loop)" % a.window) if not a.rate else ("%g/s offered" % a.rate)
    print("tend with several processes — %s; %d guilds on %d shards, %d members each; %s; %.0f s measured after "
          "%.0f s warm-up; median of %d runs a configuration, alternated; %s" %
          (machine(), a.guilds, a.shards, MEMBERS, load, a.duration, a.warmup, a.runs,
           "machine load from others: see the last column"))
    print("| store, processes (shards each) | answered in 3 s /s | p50 ms | p99 ms | tend CPU µs/interaction "
          "(each process) | PostgreSQL CPU µs/interaction | cores busy: tend / PostgreSQL / double / others | "
          "global REST: most in one of Discord's 1 s windows, 429s, each process's budget |")
    print("|---|---|---|---|---|---|---|---|")
    for backend, n in configs:
        rs = got[(backend, n)]
        if not rs:
            print("| %s, %d | failed |||||||" % (backend, n))
            continue
        med = lambda k: statistics.median(r[k] for r in rs)  # noqa: E731
        each = [statistics.median(r["tend_us"][k] for r in rs) for k in range(n)]
        split = "/".join(str(hi - lo + 1) for lo, hi in ranges(n, a.shards))
        budgets = sorted({tuple(r["budgets"]) for r in rs})
        print("| %s, %d (%s) | %.0f (%s) | %.1f | %.1f | %.0f (%s) | %s | %.2f / %.2f / %.2f / %.2f | %d (max of "
              "runs), %d, %s |" %
              (backend, n, split, med("throughput"), ", ".join("%.0f" % r["throughput"] for r in rs),
               med("p50"), med("p99"), med("tend_total_us"), " + ".join("%.0f" % x for x in each),
               "%.0f" % med("pg_us") if backend == "postgresql" else "-",
               med("tend_cores"), med("pg_cores"), med("double_cores"), med("others_cores"),
               max(r["peak_global"] for r in rs), sum(r["global_429"] for r in rs),
               "; ".join("/".join("%g" % x if x is not None else "?" for x in b) for b in budgets)))
    print("\nidle (before the load), CPU ms a second: tend each process; PostgreSQL server")
    for backend, n in configs:
        rs = got[(backend, n)]
        if rs:
            each = [statistics.median(r["idle_ms"][k] for r in rs) for k in range(n)]
            print("- %s, %d: %s; %s" % (backend, n, " + ".join("%.1f" % x for x in each),
                                        "%.1f" % statistics.median(r["pg_idle_ms"] for r in rs)
                                        if backend == "postgresql" else "-"))
    kinds = {}
    for rs in got.values():
        for r in rs:
            for k, v in r["kinds"].items():
                kinds[k] = kinds.get(k, 0) + v
    total = max(sum(kinds.values()), 1)
    print("\nmix measured: " + ", ".join("/%s %.0f%%" % (k, 100.0 * v / total) for k, v in sorted(kinds.items())))


def machine():
    model = "?"
    try:
        for line in subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "%d CPUs (%s), %s %s" % (os.cpu_count(), model, platform.system(), platform.release())


if __name__ == "__main__":
    sys.exit(main())
