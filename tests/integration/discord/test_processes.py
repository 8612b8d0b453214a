"""Two tends on one database and one Discord bot, each running half of the shards ([discord] shards
0-0/2 and 1-1/2), as two machines would (issue 21). One is killed between a command's commit and
its answer: the other, still running, finds that process gone and sends what it left, once; the
killed one, restarted, sends nothing twice and serves its shard again."""
import os
import tempfile
import time

from conftest import Tend, database
import double as dd
import scrape

CRASH = {"TEND_TEST_FAILPOINT": "after-commit"}
WELCOME = "Welcome! I'm tend"


def text_of(body):
    return (body.get("data") or body).get("content", "")


def guild_on(double, shard, count):
    return next(g for g in double.guild_ids if dd.shard_of(g, count) == shard)


def to_ben(double, iid):
    """Every body that reached ben for the interaction: its callbacks and follow-ups, and DMs."""
    ben = double.members["ben"]["id"]
    dm = double.dm_channels.get(ben)
    return list(double.callbacks.get(iid, [])) + [b for ch, b in double.channel_messages if dm and ch == dm]


def budget(t):
    """This process's share of the bot's 50 REST requests a second, from its /metrics."""
    port = t.ops_port()
    return scrape.Scrape(scrape.fetch(port)[1]).value("tend_discord_rest_budget") if port else None


def budget_becomes(double, t, shard, want, timeout=30):
    """The share is counted every 5 s and applied with the next request: asks on the process's
    shard until its share is `want`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        iid = double.slash("ana", "help", guild=guild_on(double, shard, 2))
        assert double.wait(lambda: iid in double.callbacks, 10), t.output()
        if budget(t) == want:
            return True
        time.sleep(1)
    return False


def test_what_a_killed_process_left_is_sent_by_the_other_once(double):
    double.populate(3, 2)
    double.max_concurrency = 2
    with tempfile.TemporaryDirectory() as tmp:
        # one database, a folder (and log) for each process
        db = database(tmp)
        for name in ("a", "b"):
            os.mkdir(os.path.join(tmp, name))
        a = Tend(double, os.path.join(tmp, "a"), env={"TEND_DISCORD_SHARDS": "0-0/2", **CRASH}, db=db)
        b = Tend(double, os.path.join(tmp, "b"), env={"TEND_DISCORD_SHARDS": "1-1/2"}, db=db)
        again = None
        try:
            assert double.wait(lambda: double.shard_session(0) and double.shard_session(1), 20), a.output()
            # b answers on its own shard
            mine = double.slash("ana", "help", guild=guild_on(double, 1, 2))
            assert double.wait(lambda: mine in double.callbacks, 5), b.output()
            # the bot's 50 REST requests a second are shared, not doubled: 25 for b while a runs
            assert budget_becomes(double, b, 1, 25), b.output()

            iid = double.slash("ben", "me", guild=guild_on(double, 0, 2))
            assert double.wait(lambda: a.proc.poll() is not None, 10), "the crash point did not stop tend"
            assert a.proc.returncode == -9
            killed = time.monotonic()
            assert iid not in double.callbacks, "answered before the crash point"
            # b finds a gone and sends its answer and ben's welcome: by the callback while the
            # interaction's 3 seconds last, else by DM
            assert double.wait(lambda: len(to_ben(double, iid)) >= 2, 15), b.output()
            took = time.monotonic() - killed
            print(f"\nthe killed process's answer sent by the other {took:.1f} s after the kill")
            time.sleep(1)
            said = to_ben(double, iid)
            assert len([x for x in said if WELCOME in text_of(x)]) == 1, said
            assert len([x for x in said if WELCOME not in text_of(x)]) == 1, said
            assert "left by a stopped tend process" in b.output()

            # the killed one comes back: nothing is sent twice, and it serves shard 0 again
            again = Tend(double, os.path.join(tmp, "a"), env={"TEND_DISCORD_SHARDS": "0-0/2"}, db=db)
            back = double.slash("ana", "help", guild=guild_on(double, 0, 2))
            assert double.wait(lambda: back in double.callbacks, 20), again.output()
            time.sleep(1)
            assert to_ben(double, iid) == said
            assert not double.violations, double.violations
            # a's return shares again (the killed run is not counted: its process is gone)
            assert budget_becomes(double, again, 0, 25), again.output()
            # b stops in order (its lease given back): the one left has the whole budget again
            b.stop()
            assert budget_becomes(double, again, 0, 50), again.output()
        finally:
            for t in (again, b):
                if t:
                    t.stop()
        assert dd.TOKEN not in a.output()
