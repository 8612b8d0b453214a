#!/usr/bin/env python3
"""bench/shards.py — how long tend takes to bring up every gateway shard for N guilds.

Runs the real tend against the Discord double (tests/integration/discord/double.py, which needs
aiohttp and jsonschema: run it with the Discord test venv, e.g. build/discord-venv/bin/python).
For each layout it starts tend on a fresh database and reports, from the double's side:
  - when each IDENTIFY arrived (Discord allows one per bucket, shard_id % max_concurrency, per 5 s)
  - when every shard was READY and every GUILD_CREATE had gone out
  - when a command in a guild of the last shard to start was answered (it follows that shard's
    GUILD_CREATEs on the connection, so tend had read them all)
  - tend's CPU time and memory once up.

  build/discord-venv/bin/python bench/shards.py --tend build/tend --guilds 10000
Bounded: each layout stops after --timeout seconds. 127.0.0.1 only.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "discord"))
import double as dd  # noqa: E402


def proc_stats(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    return cpu, rss


def run(tend_bin, guilds, shards, max_concurrency, timeout):
    double = dd.Double(heartbeat_interval=41250).start()
    per_shard = -(-guilds // shards)
    double.populate(per_shard, shards)
    double.guild_ids = double.guild_ids[:guilds] if len(double.guild_ids) > guilds else double.guild_ids
    double.recommended_shards = shards
    double.max_concurrency = max_concurrency
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DISCORD_TOKEN=dd.TOKEN, TEND_DISCORD_APPLICATION_ID=dd.APP_ID,
                   TEND_DISCORD_API_BASE=double.api_base, TEND_DISCORD_GLOBAL_COMMANDS="true",
                   TEND_LOG_LEVEL="info", TEND_CONFIG="")
        log = open(os.path.join(tmp, "tend.log"), "w")
        start = time.monotonic()
        proc = subprocess.Popen([tend_bin, "--database", os.path.join(tmp, "tend.db")], env=env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            up = double.wait(lambda: all(double.shard_session(k) and double.shard_session(k).guilds_sent_at
                                         for k in range(shards)), timeout)
            if not up:
                raise SystemExit("shards did not come up in %d s (log: %s)" % (timeout, log.name))
            last = max(range(shards), key=lambda k: double.shard_session(k).ready_at)
            guild = next(g for g in double.guild_ids if dd.shard_of(g, shards) == last)
            iid = double.slash("ana", "help", guild=guild)
            if not double.wait(lambda: iid in double.callbacks, 30):
                raise SystemExit("no answer on shard %d" % last)
            answered = double.answered_at[iid] - start
            cpu, rss = proc_stats(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)
            log.close()
            double.stop()
    ids = sorted(i["t"] - start for i in double.identify_log)
    ready = max(s.ready_at for s in double.session_objs.values()) - start
    sent = max(s.guilds_sent_at for s in double.session_objs.values()) - start
    return {"identifies": ids, "ready": ready, "guilds_out": sent, "answered": answered, "cpu": cpu, "rss": rss,
            "violations": list(double.violations)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tend", required=True)
    ap.add_argument("--guilds", type=int, default=10000)
    ap.add_argument("--timeout", type=int, default=180)
    ap.add_argument("--layout", action="append", metavar="SHARDS/MAX_CONCURRENCY",
                    help="default: 10/1 (Discord's advice for 10,000 guilds), 4/1, 10/16")
    args = ap.parse_args()
    layouts = args.layout or ["%d/1" % max(1, -(-args.guilds // 1000)), "%d/1" % max(1, -(-args.guilds // 2500)),
                              "%d/16" % max(1, -(-args.guilds // 1000))]
    print("| shards / max_concurrency | IDENTIFYs at (s) | all READY | all GUILD_CREATEs out | "
          "command on the last shard answered | tend CPU / RSS once up |")
    print("|---|---|---|---|---|---|")
    for layout in layouts:
        shards, mc = (int(x) for x in layout.split("/"))
        r = run(args.tend, args.guilds, shards, mc, args.timeout)
        ids = r["identifies"]
        shown = ", ".join("%.2f" % t for t in ids) if len(ids) <= 4 else "%.2f ... %.2f (%d)" % (ids[0], ids[-1], len(ids))
        print("| %d / %d (%d guilds) | %s | %.2f s | %.2f s | %.2f s | %.2f s / %.1f MB |"
              % (shards, mc, args.guilds, shown, r["ready"], r["guilds_out"], r["answered"], r["cpu"], r["rss"]))
        if r["violations"]:
            print("violations: " + "; ".join(r["violations"]))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
