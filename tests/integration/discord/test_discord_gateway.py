"""The real tend against the double's gateway: a restart RESUMEs the session it left (after kill -9
or SIGTERM) and receives what was sent meanwhile, each command answered once; events arrive as a
zlib stream (also split across websocket messages), and a stream that cannot be read is left for
a RESUME; close frames carry the codes Discord reads; op 9 d:true is resumed at once; fatal closes
end tend non-zero; and shards start bucket by bucket and each resumes on its own while the others
keep serving."""
import signal
import tempfile
import time

import pytest

from conftest import Tend
import double as dd


def content(body):
    return (body.get("data") or body).get("content", "")


def seq_of(double, session_id, event_id):
    return next(s for s, p in double.sessions[session_id] if isinstance(p["d"], dict) and p["d"].get("id") == event_id)


def ask_help(double, guild=dd.GUILD_ID):
    return double.slash("ana", "help", guild=guild)


def answered(double, iid, timeout=5):
    return double.wait(lambda: iid in double.callbacks, timeout)


WELCOME = "Welcome! I'm tend"


def answers(bodies):
    """What answered a command, without a member's one-time welcome on their first command."""
    return [b for b in bodies if WELCOME not in content(b)]


def welcome(double, *members):
    """Each member's first command, answered and welcomed, so a test of something else sees only
    its own answers."""
    for who in members:
        iid = double.slash(who, "me")
        assert double.wait(lambda: len(double.callbacks.get(iid, [])) == 2, 5), double.callbacks.get(iid)


def guild_on(double, shard, count):
    return next(g for g in double.guild_ids if dd.shard_of(g, count) == shard)


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory() as t:
        yield t


def finish(double, *tends):
    for t in tends:
        running = t.proc.poll() is None
        t.stop()
        # SIGTERM: a clean stop (under the sanitizers also: nothing leaked)
        assert not running or t.proc.returncode == 0, t.output()
    for t in tends:
        assert dd.TOKEN not in t.output(), "the token reached the log"
    assert not double.violations, "\n".join(double.violations)


# ---------------------------------------------------------------- RESUME after a restart

def test_a_restart_after_kill_9_resumes_and_answers_what_was_sent_meanwhile(double, tmp):
    first = Tend(double, tmp)
    assert double.wait_ready(15), first.output()
    welcome(double, "ana", "ben", "cai")
    session = double.session_id
    a = double.slash("ana", "task", {"title": "Soup run"}, sub="add")
    assert answered(double, a), first.output()
    first.kill()  # within the second before tend writes its last seq: `a` comes again
    assert double.wait(lambda: double.ws is None, 5)
    assert double.close_log[-1]["code"] == 1006
    # while tend is down, a member claims the task and another posts one by mentioning tend
    b = double.slash("ben", "claim", {"task": "1"})
    m = double.mention("cai", "<@%s> task add \"Bread run\"" % dd.BOT_ID)
    started = time.monotonic()
    second = Tend(double, tmp)
    assert answered(double, b), second.output()
    print("\nrestart -> the command sent while tend was down answered: %.0f ms"
          % ((double.answered_at[b] - started) * 1000))
    assert double.identifies == 1 and double.session_id == session, "a new session instead of a RESUME"
    resume = double.resume_log[-1]
    assert resume["ok"] and resume["on_resume_url"] and resume["session"] == session
    assert resume["seq"] < seq_of(double, session, b)
    assert "yours" in content(double.callbacks[b][0])
    assert double.wait(lambda: any("Bread run" in content(body) for _, body in double.channel_messages), 5)
    time.sleep(0.5)  # anything doubled would have arrived by now
    assert len(double.callbacks[a]) == 1 and len(double.callbacks[b]) == 1
    replies = [body for _, body in double.channel_messages if (body.get("message_reference") or {}).get("message_id") == m]
    assert len(replies) == 1, replies
    print("replayed after the restart: %d events, `a` %s" % (
        seq_of(double, session, m) - resume["seq"],
        "among them (recognised, not answered twice)" if resume["seq"] < seq_of(double, session, a) else "not (its seq was saved)"))
    finish(double, first, second)


def test_sigterm_keeps_the_session_resumable_and_the_restart_resumes_it(double, tmp):
    first = Tend(double, tmp)
    assert double.wait_ready(15), first.output()
    session = double.session_id
    first.proc.send_signal(signal.SIGTERM)
    assert first.proc.wait(10) == 0
    code = double.close_log[-1]["code"]
    assert code == 4900, "tend closed with %s; 1000 or 1001 would end the session" % code
    b = double.slash("ben", "help")
    second = Tend(double, tmp)
    assert answered(double, b), second.output()
    assert double.identifies == 1 and double.session_id == session
    assert double.resume_log[-1]["ok"] and double.resume_log[-1]["on_resume_url"]
    finish(double, first, second)


def test_a_session_discord_has_forgotten_is_identified_anew_after_1_to_5_s(double, tmp):
    first = Tend(double, tmp)
    assert double.wait_ready(15), first.output()
    first.kill()
    double.expire_sessions()  # Discord's few minutes have passed
    # and so has the 5 s its IDENTIFY bucket needs (a restart cannot know when the last one was)
    time.sleep(max(0.0, double.identify_log[-1]["t"] + 5.0 - time.monotonic()))
    second = Tend(double, tmp)
    assert double.wait(lambda: double.identifies == 2, 15), second.output()
    resume = double.resume_log[-1]
    assert not resume["ok"]
    waited = double.identify_log[-1]["t"] - resume["t"]
    assert 0.9 <= waited <= 5.5, waited
    assert answered(double, ask_help(double)), second.output()
    finish(double, first, second)


# ---------------------------------------------------------------- transport compression

def test_events_come_as_a_zlib_stream_and_a_payload_split_in_two_is_read_whole(double, tmp):
    double.split_compressed = True  # every payload in two websocket messages, as Discord may send it
    t = Tend(double, tmp)
    assert double.wait_ready(15), t.output()
    welcome(double, "ana")
    for _ in range(5):
        assert answered(double, ask_help(double)), t.output()
    assert double.compress_log and all(c == "zlib-stream" for c in double.compress_log), double.compress_log
    assert double.compressed_sent > 0
    print("\nzlib-stream: %d payloads, %d bytes of JSON arrived as %d (%.0f%%)" % (
        double.compressed_sent, double.plain_bytes, double.compressed_bytes,
        100.0 * double.compressed_bytes / double.plain_bytes))
    finish(double, t)


def test_a_stream_that_cannot_be_read_is_left_and_the_session_resumed(double, tmp):
    t = Tend(double, tmp)
    assert double.wait_ready(15), t.output()
    assert answered(double, ask_help(double)), t.output()
    n = len(double.resume_log)
    double.send_raw_binary(b"not a zlib stream\x00\x00\xff\xff")
    assert double.wait(lambda: len(double.resume_log) > n, 5), t.output()
    assert double.resume_log[n]["ok"], "the session was lost over one unreadable frame"
    assert double.close_log[-1]["code"] == 4000
    assert answered(double, ask_help(double)), t.output()
    assert double.identifies == 1
    assert "could not be read; connecting again to resume" in t.output()
    finish(double, t)


# ---------------------------------------------------------------- resuming and close frames

FAULTS = {
    "op9-resumable": (lambda double: double.send_op(9, True), 4000),
    "op7-reconnect": (lambda double: double.send_op(7), 4000),
    "dropped": (lambda double: double.drop(), 1006),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_resumed_within_100_ms_after(tend, double, fault):
    inject, code = FAULTS[fault]
    # once the start-up is over: the double validates tend's command registration against the
    # OpenAPI description for tens of milliseconds, and would be what this measures
    assert double.wait(lambda: double.registered is not None), tend.output()
    assert answered(double, ask_help(double)), tend.output()
    for _ in range(3):
        n = len(double.resume_log)
        sent = time.monotonic()
        inject(double)
        assert double.wait(lambda: len(double.resume_log) > n, 5), tend.output()
        took = double.resume_log[n]["t"] - sent
        print("\n%s -> RESUME: %.1f ms" % (fault, took * 1000))
        assert double.resume_log[n]["ok"] and took < 0.1, took
        assert double.close_log[-1]["code"] == code
        assert answered(double, ask_help(double)), tend.output()
    assert double.identifies == 1


def test_close_frames_carry_codes_that_keep_the_session(double, tmp):
    t = Tend(double, tmp)
    assert double.wait_ready(15), t.output()
    n = len(double.resume_log)
    double.send_op(7)  # RECONNECT
    assert double.wait(lambda: len(double.resume_log) > n, 5), t.output()
    assert double.close_log[-1]["code"] == 4000
    n = len(double.resume_log)
    double.withhold_ack = True  # a zombie connection: no ACK between two heartbeats
    assert double.wait(lambda: len(double.resume_log) > n, 10), t.output()
    double.withhold_ack = False
    assert double.close_log[-1]["code"] == 4000
    assert all(r["ok"] for r in double.resume_log) and double.identifies == 1
    t.proc.send_signal(signal.SIGTERM)
    assert t.proc.wait(10) == 0
    assert double.close_log[-1]["code"] == 4900
    assert not [c for c in double.close_log if c["code"] in (1000, 1001)]
    finish(double, t)


@pytest.mark.parametrize("code", [4004, 4010, 4011, 4012, 4013, 4014])
def test_a_fatal_close_ends_tend_with_a_non_zero_status(double, tmp, code):
    t = Tend(double, tmp)
    assert double.wait_ready(15), t.output()
    double.close_with(code)
    assert t.proc.wait(15) == 1
    assert "(close code %d)" % code in t.output()
    assert double.connections == 1  # not retried: retrying cannot fix it
    finish(double, t)


# ---------------------------------------------------------------- shards

def test_four_shards_of_2500_guilds_start_bucket_by_bucket_and_each_resumes_alone(double, tmp):
    double.populate(2500, 4)
    double.recommended_shards = 4
    double.max_concurrency = 2
    # 10,000 GUILD_CREATEs keep the double's one loop busy: at the suite's 1 s heartbeat an ACK can
    # come late on a loaded machine, and tend rightly reconnects. Discord's interval is ~41 s.
    double.heartbeat_interval = 5000
    t = Tend(double, tmp, env={"TEND_DISCORD_GLOBAL_COMMANDS": "true"})
    started = time.monotonic()
    assert double.wait(lambda: all(double.shard_session(k) and double.shard_session(k).guilds_sent_at
                                   for k in range(4)), 30), t.output()
    ids = sorted(double.identify_log, key=lambda i: i["t"])
    assert all(i["count"] == 4 for i in ids) and len(ids) == 4, (ids, double.violations)
    # buckets are shard_id % 2: {0, 2} and {1, 3}; 0 and 1 together, 2 and 3 five seconds later
    assert {ids[0]["shard"], ids[1]["shard"]} == {0, 1} and {ids[2]["shard"], ids[3]["shard"]} == {2, 3}
    assert ids[1]["t"] - ids[0]["t"] < 1.0
    assert 5.0 <= ids[2]["t"] - ids[0]["t"] < 7.0
    print("\n4 shards x 2,500 guilds: IDENTIFYs at +%s s; every GUILD_CREATE out by +%.2f s"
          % (", +".join("%.2f" % (i["t"] - started) for i in ids),
             max(double.shard_session(k).guilds_sent_at for k in range(4)) - started))
    guilds = [guild_on(double, k, 4) for k in range(4)]
    for k in range(4):
        assert answered(double, ask_help(double, guilds[k])), t.output()
    sessions = [double.shard_session(k).id for k in range(4)]
    for k in range(4):
        n = len(double.resume_log)
        double.drop(shard=k)
        away = ask_help(double, guilds[k])               # waits in shard k's session
        other = ask_help(double, guilds[(k + 1) % 4])    # another shard answers meanwhile
        assert answered(double, other, 1), t.output()
        assert double.wait(lambda: len(double.resume_log) > n, 5), t.output()
        assert double.resume_log[n]["shard"] == k and double.resume_log[n]["ok"]
        assert answered(double, away), t.output()
    assert len(double.identify_log) == 4
    assert [double.shard_session(k).id for k in range(4)] == sessions
    # each answered once; ana's first command in each guild also brought her welcome there, once
    assert all(len(answers(v)) == 1 for v in double.callbacks.values())
    assert sum(WELCOME in content(b) for v in double.callbacks.values() for b in v) == 4
    finish(double, t)


def test_past_2500_guilds_on_one_shard_discord_refuses_and_the_advised_count_works(double, tmp):
    double.populate(2501, 1)
    double.max_concurrency = 4
    one = Tend(double, tmp, env={"TEND_DISCORD_SHARDS": "1", "TEND_DISCORD_GLOBAL_COMMANDS": "true"})
    assert one.proc.wait(15) == 1
    assert "4011" in one.output() and "[discord] shards" in one.output()
    # unset: as many shards as GET /gateway/bot advises (one per 1,000 guilds: 3)
    advised = Tend(double, tmp, env={"TEND_DISCORD_GLOBAL_COMMANDS": "true"})
    assert double.wait(lambda: all(double.shard_session(k) for k in range(3)), 15), advised.output()
    assert sorted((i["shard"], i["count"]) for i in double.identify_log[1:]) == [(0, 3), (1, 3), (2, 3)]
    assert answered(double, ask_help(double)), advised.output()
    finish(double, one, advised)


def test_a_shard_range_runs_only_its_own_shards(double, tmp):
    double.populate(3, 4)
    double.max_concurrency = 4
    t = Tend(double, tmp, env={"TEND_DISCORD_SHARDS": "2-3/4"})
    assert double.wait(lambda: double.shard_session(2) and double.shard_session(3), 15), t.output()
    time.sleep(0.3)
    assert sorted((i["shard"], i["count"]) for i in double.identify_log) == [(2, 4), (3, 4)]
    assert answered(double, ask_help(double, guild_on(double, 2, 4))), t.output()
    lost = ask_help(double, guild_on(double, 0, 4))  # shard 0 is another process's
    assert not answered(double, lost, 0.5)
    assert double.undelivered
    finish(double, t)


def test_a_bad_shard_range_is_one_clear_line(double, tmp):
    t = Tend(double, tmp, env={"TEND_DISCORD_SHARDS": "4-7/4"})
    assert t.proc.wait(15) == 1
    lines = [line for line in t.output().splitlines() if "shards" in line]
    # problem lines never repeat the value (it could be a secret pasted into the wrong key)
    assert lines == ["TEND_DISCORD_SHARDS must be a shard count like 8 or a range of "
                     "shards like 0-3/8 (first-last/total)"], t.output()
    assert double.identifies == 0
    finish(double, t)
