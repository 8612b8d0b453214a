"""The real tend binary against the Discord double: slash commands, buttons, and the faults
Discord's gateway and REST API really produce. Every REST body is checked against the OpenAPI
description by the double; the `tend` fixture fails a test that caused a violation."""
import os
import statistics
import tempfile
import time

from conftest import Tend, percentile
import double as dd
from double_gateway import IDENTIFY_GAP

LATENCIES = []


def content(body):
    return (body.get("data") or body).get("content", "")


def run(double, member, name, options=None, sub=None):
    iid = double.slash(member, name, options, sub=sub)
    bodies = double.answer(iid)
    assert bodies, "no answer to /%s %s" % (name, sub or "")
    LATENCIES.append(double.answered_at[iid] - double.sent_at[iid])
    return bodies


def private(body):
    return (body.get("data") or body).get("flags", 0) & 64 == 64


WELCOME = "Welcome! I'm tend"


def answers(double, iid):
    """The bodies that answer a command, without a first-timer's one-time welcome follow-up."""
    return [b for b in double.callbacks[iid] if WELCOME not in content(b)]


def test_identifies_with_few_intents_and_registers_every_command(tend, double):
    ident = double.last_identify
    assert ident["intents"] == (1 << 0) | (1 << 9) | (1 << 12)
    assert ident["properties"] == {"os": "linux", "browser": "tend", "device": "tend"}
    assert double.wait(lambda: double.registered is not None), tend.output()
    by_name = {c["name"]: c for c in double.registered}
    assert {"claim", "task", "done", "thanks", "stepback", "help", "agreements", "export",
            "handoff", "pause-new", "resume-new"} <= set(by_name)
    claim_opt = by_name["claim"]["options"][0]
    assert claim_opt["autocomplete"] is True and claim_opt["required"] is True
    subs = {o["name"] for o in by_name["agreements"]["options"]}
    assert subs == {"show", "add", "amend"}
    assert {o["name"] for o in by_name["task"]["options"]} == {"add", "edit", "cancel"}
    assert {"quiet", "tz", "remind"} <= {o["name"] for o in by_name["profile"]["options"]}
    # coordinator commands stay out of members' command pickers
    for name in ("setup", "team", "pause-new", "resume-new"):
        assert by_name[name].get("default_member_permissions") == dd.MANAGE_GUILD, name
    for name in ("claim", "task", "help", "profile"):
        assert by_name[name].get("default_member_permissions") is None, name


def test_core_flow_through_slash_commands_and_buttons(tend, double):
    # /task add: a public announcement with a Claim button, pinging nobody
    b = run(double, "ana", "task", {"title": "Soup run @everyone", "when": "fri 18:00", "slots": 2}, sub="add")
    ann = b[0]["data"]
    assert "Soup run @everyone" in ann["content"] and not private(b[0])
    assert ann["allowed_mentions"] == {"parse": [], "users": [], "replied_user": False}
    button = ann["components"][0]["components"][0]
    assert button["custom_id"] == "tend:%s:claim 1" % dd.GUILD_ID
    # a press of the button claims as the presser, privately
    iid = double.press("ben", button["custom_id"])
    b = double.answer(iid)
    assert b and private(b[0]) and "#1" in content(b[0]) and "yours" in content(b[0])
    # autocomplete offers the open task
    iid = double.autocomplete("cai", "claim", "task", "soup")
    b = double.answer(iid)
    assert b[0]["type"] == 8 and b[0]["data"]["choices"][0] == {"name": "#1 Soup run @everyone", "value": "1"}
    b = run(double, "cai", "claim", {"task": "1"})
    assert private(b[0]) and "yours" in content(b[0])
    b = run(double, "ben", "done", {"task": "1", "note": "all delivered"})
    assert any(not private(x) for x in b), b
    b = run(double, "cai", "stepback", {"for": "1w"})
    assert private(b[0])
    b = run(double, "ben", "thanks", {"member": ("user", "ana"), "for": "the soup"})
    thanks = b[0]["data"]
    assert "<@%s>" % double.members["ana"]["id"] in thanks["content"]
    assert thanks["allowed_mentions"]["users"] == [double.members["ana"]["id"]]
    assert thanks["allowed_mentions"]["parse"] == []
    # a wrong command: one line, nothing changed
    b = run(double, "ben", "claim", {"task": "99"})
    assert private(b[0]) and content(b[0]).count("\n") <= 1
    # coordinator-only commands check Manage Server from the interaction
    b = run(double, "ben", "pause-new")
    assert "coordinator" in content(b[0]).lower()
    b = run(double, "ana", "team")
    assert "coordinator" not in content(b[0]).lower()


def test_a_first_command_gets_one_private_welcome(tend, double):
    iid = double.slash("ben", "tasks")
    assert double.wait(lambda: len(double.callbacks.get(iid, [])) >= 2), double.callbacks.get(iid)
    b = double.callbacks[iid]  # the answer, then the welcome as an ephemeral follow-up
    assert len(b) == 2 and all(private(x) for x in b), b
    assert WELCOME in content(b[1]) and "/claim" in content(b[1]) and "/help" in content(b[1])
    iid = double.slash("ben", "me")
    assert double.answer(iid)
    time.sleep(0.5)
    assert not any(WELCOME in content(x) for x in double.callbacks[iid])


def test_the_bot_token_goes_only_where_discord_needs_it(tend, double):
    """An interaction's callback and its follow-ups carry their own token in the path (Discord's
    OpenAPI: no bot token needed there): the bot's token is sent on the other routes only."""
    iid = double.slash("cai", "tasks")  # a first command: the answer, then the welcome follow-up
    assert double.wait(lambda: len(double.callbacks.get(iid, [])) >= 2), double.callbacks.get(iid)
    by_token = [r for r in double.requests if r["path"].startswith(("/interactions/", "/webhooks/"))]
    others = [r for r in double.requests if r not in by_token]
    assert any(r["path"].endswith("/callback") for r in by_token), by_token
    assert any(r["path"].startswith("/webhooks/%s/" % dd.APP_ID) for r in by_token), by_token
    assert others, "no bot-authenticated request at all (registration, /gateway/bot)"
    for r in by_token:
        assert not any(k.lower() == "authorization" for k in r["headers"]), (r["method"], r["path"])
    for r in others:
        assert r["headers"].get("Authorization") == "Bot " + dd.TOKEN, (r["method"], r["path"])


def test_a_fresh_invite_says_hello_once_where_it_may_post():
    d = dd.Double().start()
    try:
        d.joined_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 60))
        with tempfile.TemporaryDirectory() as tmp:
            t = Tend(d, tmp)
            assert d.wait_ready(15), t.output()
            hello = lambda: [(c, b) for c, b in d.channel_messages if "/setup" in b.get("content", "")]  # noqa: E731
            assert d.wait(hello, 10), t.output()
            channel, body = hello()[0]
            # the system channel is read-only for everyone here: the first channel it may post in
            assert channel == dd.CHANNEL_ID
            assert "/help" in body["content"] and "tend" in body["content"]
            assert body["allowed_mentions"] == {"parse": [], "users": [], "replied_user": False}
            # a new session brings GUILD_CREATE again; a restart too: no second hello
            ids = d.identifies
            d.send_op(9, False)
            assert d.wait(lambda: d.identifies > ids, 15)
            t.stop()
            # a restart RESUMEs (no GUILD_CREATE); past Discord's minutes it identifies anew and
            # every server comes again (once the IDENTIFY bucket, which a new process cannot know
            # about, has room)
            d.expire_sessions()
            time.sleep(max(0.0, d.identify_log[-1]["t"] + IDENTIFY_GAP - time.monotonic()))
            ids = d.identifies
            t = Tend(d, tmp)
            assert d.wait(lambda: d.identifies > ids and d.ws is not None, 15), t.output()
            run(d, "ana", "help")
            time.sleep(0.5)
            t.stop()
            assert len(hello()) == 1
            assert not d.violations, d.violations
    finally:
        d.stop()


def test_a_message_that_mentions_tend_runs_as_a_command(tend, double):
    run(double, "ana", "task", {"title": "Fix bike"}, sub="add")
    before = len(double.channel_messages)
    double.mention("ben", "<@%s> claim 1" % dd.BOT_ID)
    assert double.wait(lambda: len(double.channel_messages) > before), tend.output()
    said = lambda *words: [c for c, b in double.channel_messages[before:]  # noqa: E731
                           if any(w in b.get("content", "") for w in words)]
    assert double.wait(lambda: len(said("yours", WELCOME)) == 2), double.channel_messages[before:]
    dm = double.dm_channels[double.members["ben"]["id"]]
    # the private answer went by DM, and so did ben's one-time welcome
    assert said("yours") == [dm] and said(WELCOME) == [dm]
    assert len(double.channel_messages) == before + 2
    # a message that does not start by mentioning tend is not a command
    n = len(double.requests)
    double.mention("ben", "claim 1 please")
    time.sleep(0.3)
    assert len(double.requests) == n


def test_a_suggestion_typed_in_a_channel_records_nothing(tend, double):
    """@tend feedback ... sits in the channel under its author's name: tend keeps none of it and
    tells the author, by DM, to use the slash command, which only they see."""
    import tenddb
    idea = "rotate the keys qz-" + os.urandom(3).hex()
    before = len(double.channel_messages)
    double.mention("ben", "<@%s> feedback %s" % (dd.BOT_ID, idea))
    assert double.wait(lambda: len(double.channel_messages) > before), tend.output()
    time.sleep(0.3)
    new = double.channel_messages[before:]
    assert len(new) == 1, new
    channel, body = new[0]
    assert channel == double.dm_channels[double.members["ben"]["id"]], "the word about it goes by DM"
    assert "slash command" in body["content"] and idea not in body["content"]
    assert tenddb.count(tend.db, "SELECT count(*) FROM feedback") == 0
    # as a slash command it is private and kept, with no name on it
    b = run(double, "ben", "feedback", {"text": idea})
    assert private(b[0]) and "no name" in content(b[0])
    assert tenddb.count(tend.db, "SELECT count(*) FROM feedback WHERE text = ?", idea) == 1


def test_autocomplete_for_done_and_unclaim_offers_the_members_own_claims(tend, double):
    for title in ("Soup run", "Pantry shift", "Bike repair"):
        run(double, "ana", "task", {"title": title}, sub="add")
    run(double, "ben", "claim", {"task": "2"})

    def choices(member, command, typed=""):
        b = double.answer(double.autocomplete(member, command, "task", typed))
        assert b and b[0]["type"] == 8, b
        return [c["value"] for c in b[0]["data"]["choices"]]

    assert choices("ben", "done") == ["2"]
    assert choices("ben", "unclaim") == ["2"]
    assert choices("ben", "claim") == ["1", "3"]
    assert choices("cai", "done") == []
    assert choices("cai", "claim", "bike") == ["3"]


def test_a_replayed_interaction_is_answered_once(tend, double):
    iid = double.slash("ana", "help")
    assert double.answer(iid)
    payload = [p for s, p in double.sessions[double.session_id] if p["t"] == "INTERACTION_CREATE"][-1]
    double.call(double._dispatch("INTERACTION_CREATE", payload["d"]))
    time.sleep(0.5)
    assert len(answers(double, iid)) == 1
    assert not double.violations


def _resume_then_answer(tend, double, fault, expect_identify=False):
    ids, res = double.identifies, double.resumes
    t0 = time.monotonic()
    fault()
    if expect_identify:
        assert double.wait(lambda: double.identifies > ids, 15), tend.output()
    else:
        assert double.wait(lambda: double.resumes > res, 15), tend.output()
    assert double.wait(lambda: double.ws is not None, 5)
    elapsed = time.monotonic() - t0
    b = run(double, "ana", "help")
    assert b[0]["type"] == 4
    return elapsed


def test_drop_resume_and_nothing_lost(tend, double):
    ids = double.identifies
    double.drop()
    # a command sent while tend is away is replayed on RESUME and answered exactly once
    iid = double.slash("ben", "help")
    assert double.wait(lambda: iid in double.callbacks, 15), tend.output()
    assert double.identifies == ids and double.resumes >= 1
    t0 = time.monotonic()
    double.drop()
    assert double.wait(lambda: double.resumes >= 2 and double.ws is not None, 15)
    print("\nreconnect after a drop: %.0f ms" % ((time.monotonic() - t0) * 1000))
    run(double, "ana", "help")
    time.sleep(0.3)
    assert len(answers(double, iid)) == 1


def test_reconnect_op7(tend, double):
    _resume_then_answer(tend, double, lambda: double.send_op(7))


def test_invalid_session_resumable(tend, double):
    _resume_then_answer(tend, double, lambda: double.send_op(9, True))


def test_invalid_session_not_resumable_identifies_again(tend, double):
    elapsed = _resume_then_answer(tend, double, lambda: double.send_op(9, False), expect_identify=True)
    assert elapsed >= 0.9  # waited 1-5 s before identifying again


def test_missing_heartbeat_ack_reconnects(tend, double):
    double.withhold_ack = True
    res = double.resumes
    assert double.wait(lambda: double.resumes > res, 10), tend.output()
    double.withhold_ack = False
    run(double, "ana", "help")


def test_rate_limits_and_server_errors_are_retried_once_each(tend, double):
    double.fail_rest(r"^POST /interactions/", 429, retry_after=0.2)
    b = run(double, "ana", "help")
    assert b[0]["type"] == 4
    double.fail_rest(r"^POST /interactions/", 429, retry_after=0.2, **{"global": True})
    run(double, "ana", "help")
    double.fail_rest(r"^POST /interactions/", 500, count=2)
    run(double, "ana", "help")
    faults = [r for r in double.requests if r.get("fault")]
    assert len(faults) == 4
    # 429 per route then a following request on it waited: no answer came twice
    assert all(len(answers(double, k)) == 1 for k in double.callbacks)


def test_heartbeats_keep_their_rhythm_while_rest_is_slow(tend, double):
    double.rest_delay = 1.5
    start = time.monotonic()
    ids = [double.slash("ana", "help") for _ in range(3)]
    time.sleep(4.5)
    double.rest_delay = 0
    assert double.wait(lambda: all(i in double.callbacks for i in ids), 10)
    beats = [t for t, _ in double.heartbeats if t >= start]
    gaps = [b - a for a, b in zip(beats, beats[1:])]
    assert len(gaps) >= 3, gaps
    assert max(gaps) < 1.3 and min(gaps) > 0.7, gaps


def test_close_4004_stops_with_a_clear_message(tend, double):
    double.close_with(4004)
    # a service manager must see the failure: a refused token is not a clean stop
    assert tend.proc.wait(15) != 0
    assert "token" in tend.output() and "4004" in tend.output()


def test_exhausted_session_starts_and_bad_token_refuse_to_start(double):
    double.starts_remaining = 0
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp)
        assert t.proc.wait(15) != 0
        out = t.output()
        t.stop()
    assert "no more gateway sessions" in out
    assert double.identifies == 0
    double.starts_remaining = 10
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp, token="wrong-token-value")
        assert t.proc.wait(15) != 0
        out = t.output()
        t.stop()
    assert "401" in out and "wrong-token-value" not in out
    assert "[discord] token" in out and "discord_token" not in out
    assert double.identifies == 0


def test_a_missing_application_id_is_named_the_way_the_config_names_it(double):
    import subprocess
    from conftest import TEND
    env = dict(os.environ, DISCORD_TOKEN=dd.TOKEN, TEND_DISCORD_API_BASE=double.api_base, TEND_CONFIG="")
    env.pop("TEND_DISCORD_APPLICATION_ID", None)
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([TEND, "--database", os.path.join(tmp, "tend.db")], env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=15 * dd.SLOW)
    assert p.returncode != 0
    assert "[discord] application_id" in p.stdout and "TEND_DISCORD_APPLICATION_ID" in p.stdout, p.stdout
    assert "discord_application_id" not in p.stdout and "discord_token" not in p.stdout
    assert dd.TOKEN not in p.stdout


def test_zz_latency_report():
    assert LATENCIES, "no interaction was timed"
    ms = [x * 1000 for x in LATENCIES]
    print("\nINTERACTION_CREATE -> callback over %d interactions: median %.1f ms, p99 %.1f ms"
          % (len(ms), statistics.median(ms), percentile(ms, 99)))
    assert statistics.median(ms) < 3000


def test_a_button_pressed_in_a_dm_runs_in_its_group(tend, double):
    # nudges and reminders arrive by DM with buttons; their presses carry no guild of their own
    run(double, "ana", "task", {"title": "Pantry shift"}, sub="add")
    run(double, "ben", "claim", {"task": "1"})
    iid = double.press_in_dm("ben", "tend:%s:keep 1" % dd.GUILD_ID)
    b = double.answer(iid)
    assert b and "#1 stays with you" in content(b[0]), b


def test_the_weekly_check_in_prompt_arrives_with_buttons_that_record_a_check_in(tend, double):
    # a coordinator sets the coming minute as the check-in time (this group is new this minute,
    # and nothing fires for a time before its group existed); the prompt arrives on time, in the
    # group's channel, with one-tap answers
    at = time.gmtime(time.time() + 60)
    day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][at.tm_wday]
    b = run(double, "ana", "setup", {"checkin": "%s %02d:%02d" % (day, at.tm_hour, at.tm_min)})
    assert "Check-in prompt" in content(b[0]) and private(b[0])
    assert double.wait(lambda: any("Weekly check-in" in (body or {}).get("content", "")
                                   for _, body in double.channel_messages), 90)
    channel, prompt = next((c, body) for c, body in double.channel_messages
                           if "Weekly check-in" in body.get("content", ""))
    assert channel == dd.CHANNEL_ID
    assert prompt["allowed_mentions"] == {"parse": [], "users": [], "replied_user": False}
    buttons = [btn for row in prompt["components"] for btn in row["components"]]
    ok = next(btn for btn in buttons if btn["custom_id"].endswith(":checkin ok"))
    # ben taps "OK": a private thank-you, and /me remembers it
    b = double.answer(double.press("ben", ok["custom_id"]))
    assert b and private(b[0]) and "checking in" in content(b[0]), b
    b = run(double, "ben", "me")
    assert "last check-in: ok" in content(b[0]), content(b[0])
