"""The ops endpoint of tend on Discord (issue 16): /healthz follows the gateway, 503 when the double
drops it and 200 again after RESUME; /metrics of a session with commands, a dropped gateway and a
429, read with the Prometheus project's parser. The scrape is printed (`pytest -s`) for the
issue's closing note. With several tends on one database (issue 21), each one's /healthz and
/metrics say which shards and leases it holds."""
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
import scrape

sys.path.insert(0, os.path.dirname(__file__))
from conftest import Tend, database  # noqa: E402
from test_tend_discord import run  # noqa: E402

MEMBERS = ["ana", "ben", "Ana", "Ben"]  # the double's members: never in a metric


def healthz(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=2) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_health(port, status, timeout=15):
    t0 = time.monotonic()
    last = None
    while time.monotonic() - t0 < timeout:
        last = healthz(port)
        if last[0] == status:
            return time.monotonic() - t0, last[1]
        time.sleep(0.02)
    raise AssertionError("/healthz never answered %d (last %r)" % (status, last))


def test_health_follows_the_gateway(tend, double):
    port = tend.ops_port()
    assert port, tend.output()
    wait_health(port, 200)
    assert healthz(port) == (200, "ok: discord up, the database answers\n")
    resumes = double.resumes
    # tend RESUMEs within milliseconds, faster than a poll can see; a slow gateway HELLO keeps it
    # away long enough to be seen (it once passed unseen on a loaded machine)
    double.hello_delay = 1.0
    double.drop()
    down, body = wait_health(port, 503, 10)
    double.hello_delay = 0.0
    assert body == "unhealthy: not connected to discord\n"
    assert double.wait(lambda: double.resumes > resumes, 15), tend.output()
    up, body = wait_health(port, 200, 10)
    run(double, "ana", "help")
    print("\nhealthz: 503 %.0f ms after the drop, 200 %.0f ms after that (RESUME)" % (down * 1000, up * 1000))


def test_health_with_shards_needs_every_shard(double):
    """Sharded, Discord is up only while every shard run here is: a server on a dropped shard
    hears nothing, so one shard down is 503 until that shard has RESUMEd."""
    double.max_concurrency = 1  # shard 1 IDENTIFYs 5 s after shard 0
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp, env={"TEND_DISCORD_SHARDS": "2"})
        try:
            assert double.wait(lambda: "shard 0 of 2)" in t.output(), 15), t.output()  # tend saw READY
            port = t.ops_port()
            assert port, t.output()
            assert double.shard_session(1) is None, "shard 1 came up in shard 0's IDENTIFY slot"
            assert healthz(port) == (503, "unhealthy: not connected to discord\n")  # shard 0 alone
            assert double.wait(lambda: double.shard_session(1), 15), t.output()
            wait_health(port, 200, 10)
            resumes = double.resumes
            double.hello_delay = 1.0  # as above: the RESUME must not pass between two polls
            double.drop(shard=1)
            _, body = wait_health(port, 503, 10)
            double.hello_delay = 0.0
            assert body == "unhealthy: not connected to discord\n"
            assert double.wait(lambda: double.resumes > resumes, 15), t.output()
            wait_health(port, 200, 10)
            assert double.shard_session(0).ws is not None  # shard 0 never left
        finally:
            t.stop()
        assert t.metrics.value("tend_platform_connected", platform="discord") == 1
        assert t.metrics.value("tend_platform_reconnects_total", platform="discord") == 1
        assert not double.violations, "\n".join(double.violations)


def test_metrics_of_a_discord_session(tend, double):
    port = tend.ops_port()
    run(double, "ana", "task", {"title": "Soup run"}, sub="add")
    run(double, "ana", "claim", {"task": "1"})
    run(double, "ben", "claim", {"task": "1"})
    run(double, "ben", "checkin", {"energy": "low", "note": "tired"})
    run(double, "ben", "team")  # not a coordinator on the double: refused
    double.fail_rest(r"^POST /interactions/", 429, retry_after=0.2)
    run(double, "ana", "help")
    resumes = double.resumes
    double.drop()
    assert double.wait(lambda: double.resumes > resumes and double.ws is not None, 15)
    wait_health(port, 200)
    # every answer is accepted by the double in the end: nothing is left waiting in the outbox
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10:
        ctype, text = scrape.fetch(port)
        if scrape.parse(text).value("tend_outbox_depth", platform="discord") == 0:
            break
        time.sleep(0.05)
    assert ctype == "text/plain; version=0.0.4; charset=utf-8"
    sc = scrape.parse(text, forbidden=["Soup", "tired"] + [double._user(m)["id"] for m in ("ana", "ben")])
    assert not sc.label_values("command") & set(MEMBERS)
    assert sc.value("tend_commands_total", command="task_add", outcome="ok") == 1
    assert sc.value("tend_commands_total", command="claim", outcome="ok") == 2
    assert sc.total("tend_commands_total", command="checkin") == 1
    assert sc.value("tend_commands_total", command="help", outcome="ok") == 1
    assert sc.total("tend_commands_total", command="team") == 1
    assert sc.value("tend_command_seconds_count", platform="discord") >= 6
    assert sc.value("tend_platform_connected", platform="discord") == 1
    assert sc.value("tend_platform_reconnects_total", platform="discord") >= 1
    assert sc.value("tend_rest_429_total", platform="discord") == 1
    assert sc.value("tend_outbox_depth", platform="discord") == 0
    assert sc.value("tend_delivery_seconds_count", platform="discord") >= 6
    assert sc.value("process_resident_memory_bytes") > 1e6
    print("\n--- /metrics after a Discord session ---\n" + text + "--- end ---")


def shards_said(body):
    """The Discord shards /healthz says this process runs: (set of shard ids, shard count), or None."""
    m = re.search(r"holds all (\d+) discord shards", body)
    if m:
        return set(range(int(m.group(1)))), int(m.group(1))
    m = re.search(r"(?:holds|runs) discord shards? ([\d,-]+) of (\d+)", body)
    if not m:
        return None
    ids = set()
    for token in m.group(1).split(","):
        first, _, last = token.partition("-")
        ids |= set(range(int(first), int(last or first) + 1))
    return ids, int(m.group(2))


def shard_lease(name):
    m = re.fullmatch(r"discord\.shard\.(\d+)-of-(\d+)", name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def leases_held(port):
    """(the shared leases a process holds, its /metrics) from tend_lease_held."""
    sc = scrape.parse(scrape.fetch(port)[1])
    fam = sc.families.get("tend_lease_held")
    held = {s.labels["lease"] for s in fam.samples if s.value == 1} if fam else set()
    return held - {"other"}, sc  # the process's own lease has a ':' the labels never keep


@pytest.mark.parametrize("setup", ["static", "leases", "standby"])
def test_health_names_the_shards_each_process_runs(double, setup):
    """Two tends on one database share one bot. Each one's /healthz names the shards it runs: by
    its [discord] shards range (static: 0-0/2 and 1-1/2), by the shard leases it holds (leases: 2
    shards, one each once they settle), or none, in standby (standby: 1 shard, held by one of
    them); and every other shared lease it holds. The two together name each shard once, and
    /metrics agrees (tend_lease_held, tend_discord_shards_held)."""
    count = 1 if setup == "standby" else 2
    double.populate(3, count)
    double.recommended_shards = count  # Discord's advice: a few servers would get one shard
    double.max_concurrency = 2
    ranges = {"a": "0-0/2", "b": "1-1/2"} if setup == "static" else {"a": None, "b": None}
    with tempfile.TemporaryDirectory() as tmp:
        db = database(tmp)
        procs = {}
        try:
            for name, shards in ranges.items():
                os.mkdir(os.path.join(tmp, name))
                env = {"TEND_DISCORD_SHARDS": shards} if shards else {}
                procs[name] = Tend(double, os.path.join(tmp, name), env=env, db=db)
            logs = lambda: "\n".join(t.output() for t in procs.values())  # noqa: E731

            def settled():
                if not all(double.shard_session(i) for i in range(count)) or not all(
                        t.ops_port() for t in procs.values()):
                    return False
                if setup == "static":
                    return True
                held = [{n for n in leases_held(t.ops_port())[0] if shard_lease(n)} for t in procs.values()]
                # each shard held once; with 2 shards, one each (the first to start gives one back)
                return sum(len(h) for h in held) == count and all(len(h) == (count == 2) for h in held) \
                    if count == 2 else sorted(len(h) for h in held) == [0, 1]
            assert double.wait(settled, 30), "%s\n%s" % (
                [leases_held(t.ops_port())[0] if t.ops_port() else None for t in procs.values()], logs())
            said_by = {}
            for name, t in procs.items():
                port = t.ops_port()
                _, body = wait_health(port, 200)
                shared, sc = leases_held(port)
                leased = {shard_lease(n) for n in shared} - {None}
                print("\n%s %s: %s" % (setup, name, body.strip()))
                said = shards_said(body)
                if leased:  # shard leases: exactly those, grouped into one phrase
                    assert body.startswith("ok: discord up, the database answers; holds "), body
                    assert said and said == ({i for i, _ in leased}, count), body
                    assert {c for _, c in leased} == {count}, leased
                elif setup == "static":
                    assert body.startswith("ok: discord up, the database answers; "), body
                    first, last = (int(x) for x in ranges[name].split("/")[0].split("-"))
                    assert said == (set(range(first, last + 1)), 2), body
                    assert body.rstrip("\n").endswith("(static)"), body
                else:  # in standby: said once, by the platform; no shard named
                    assert "discord in standby" in body and "; holds" not in body and not said, body
                    said = (set(), count)
                for lease in shared - {"discord.shard.%d-of-%d" % k for k in leased}:
                    assert lease in body, (lease, body)  # e.g. matrix.sync: every shared lease named
                assert sc.value("tend_discord_shards_held") == len(said[0]), body
                said_by[name] = said[0]
            assert said_by["a"].isdisjoint(said_by["b"]) and said_by["a"] | said_by["b"] == set(range(count)), \
                said_by
        finally:
            for t in procs.values():
                t.stop()
        assert not double.violations, "\n".join(double.violations)
