"""Others fill in, on Discord (issue 15): sam rests the day before a drive; two members with room
are invited by DM with Claim and Not-this-time buttons, in the spreading order; a press of Not this
time asks the next one; the first Claim fills the slot and the rest hear it is covered; the resting
are never asked; the group's channel hears only that the task could use a hand, naming nobody."""
import tempfile
import time

import pytest

from conftest import Tend
import double as dd

MEMBERS = {
    "ana": {"id": "800000000000000001", "name": "Ana", "coord": True},
    "ben": {"id": "800000000000000002", "name": "Ben", "coord": False},
    "cai": {"id": "800000000000000003", "name": "Cai", "coord": False},
    "dan": {"id": "800000000000000004", "name": "Dan", "coord": False},
    "eli": {"id": "800000000000000005", "name": "Eli", "coord": False},
    "sam": {"id": "800000000000000006", "name": "Sam", "coord": False},
}
NONE_PINGED = {"parse": [], "users": [], "replied_user": False}


@pytest.fixture
def six():
    d = dd.Double(members=MEMBERS).start()
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(d, tmp)
        assert d.wait_ready(15), t.output()
        yield d, t
        t.stop()
        assert dd.TOKEN not in t.output(), "the token reached the log"
        assert not d.violations, "\n".join(d.violations)
    d.stop()


def content(body):
    return (body.get("data") or body).get("content", "")


def run(double, member, name, options=None, sub=None):
    iid = double.slash(member, name, options, sub=sub)
    bodies = double.answer(iid)
    assert bodies, "no answer to /%s %s" % (name, sub or "")
    return bodies


def dms_to(double, member, words):
    uid = MEMBERS[member]["id"]
    ch = double.dm_channels.get(uid)
    return [b for c, b in double.channel_messages if ch and c == ch and words in b.get("content", "")]


def buttons(body):
    return {b["label"]: b["custom_id"] for row in body.get("components", []) for b in row["components"]}


def test_a_backup_call_by_dm_with_buttons(six):
    double, tend = six
    # everyone has met tend; eli has a full week, dan rests, ben is a standing backup for driving
    b = run(double, "ana", "task", {"title": "Pantry drive", "when": "tomorrow 18:00", "kind": "driving"}, sub="add")
    assert "Pantry drive" in content(b[0])
    run(double, "sam", "claim", {"task": "1"})
    run(double, "ben", "backup", {"kind": "driving", "setting": "on"})
    run(double, "cai", "me")
    run(double, "dan", "stepback", {"for": "1w"})
    run(double, "eli", "capacity", {"n": 1})
    run(double, "eli", "task", {"title": "Fold flyers"}, sub="add")
    run(double, "eli", "claim", {"task": "2"})
    before = len(double.channel_messages)

    # sam rests the day before: the slot is free, close to its time
    rest = double.slash("sam", "stepback", {"for": "1w"})
    b = double.answer(rest)
    assert b and "went back to the group" in content(b[0]), b
    invite = "needs help, and you have room"
    assert double.wait(lambda: dms_to(double, "ben", invite) and dms_to(double, "ana", invite), 10), tend.output()
    # ben first (a standing backup), then ana (never took a task, the first to join); one each
    for who in ("ben", "ana"):
        got = dms_to(double, who, invite)
        assert len(got) == 1, got
        assert "#1 Pantry drive" in got[0]["content"]
        assert got[0]["allowed_mentions"] == NONE_PINGED
        assert set(buttons(got[0])) == {"Claim", "Not this time"}, buttons(got[0])
    # the group's channel: it could use a hand, and nothing of who rested. The outbox sends the
    # invitations and this line side by side: the DMs arriving first says nothing about the line
    # (on PostgreSQL it often came a few ms after them)
    def public():
        return [b for c, b in double.channel_messages[before:] if c == dd.CHANNEL_ID]
    assert double.wait(lambda: [b for b in public() if "needs help" in b.get("content", "")], 10), tend.output()
    line = [b for b in public() if "needs help" in b.get("content", "")]
    assert len(line) == 1, public()
    assert "Sam" not in line[0]["content"] and "<@" not in line[0]["content"]
    assert line[0]["allowed_mentions"] == NONE_PINGED
    assert buttons(line[0]) == {"Claim": "tend:%s:claim 1" % dd.GUILD_ID}
    # ... posted in the channel on its own, never as a reply to sam's command (which would show
    # whose /stepback it answered)
    assert all("needs help" not in content(x) for x in double.callbacks[rest]), double.callbacks[rest]

    # ben taps Not this time in his DM: the next one with room, cai, is asked
    ben_buttons = buttons(dms_to(double, "ben", invite)[0])
    b = double.answer(double.press_in_dm("ben", ben_buttons["Not this time"]))
    assert b and "thanks for letting me know" in content(b[0]), b
    assert double.wait(lambda: dms_to(double, "cai", invite), 10), tend.output()
    # cai taps Claim: the slot is his, and ana, asked and not yet answering, hears it is covered
    cai_buttons = buttons(dms_to(double, "cai", invite)[0])
    b = double.answer(double.press_in_dm("cai", cai_buttons["Claim"]))
    assert b and "is yours" in content(b[0]), b
    assert double.wait(lambda: dms_to(double, "ana", "covered now"), 10), tend.output()
    time.sleep(0.5)
    # nobody else was asked: not the resting, not the full-up, not sam; and no second invitation
    for who in ("dan", "eli", "sam"):
        assert not dms_to(double, who, invite), who
    assert len(dms_to(double, "cai", invite)) == 1 and len(dms_to(double, "ana", invite)) == 1
    assert not dms_to(double, "ben", "covered now")  # he had answered already


def test_kinds_are_the_groups_own_words_offered_as_a_member_types(six):
    double, tend = six
    assert double.wait(lambda: double.registered is not None), tend.output()
    by_name = {c["name"]: c for c in double.registered}
    backup_kind = [o for o in by_name["backup"]["options"] if o["name"] == "kind"][0]
    assert backup_kind["autocomplete"] is True
    add = [o for o in by_name["task"]["options"] if o["name"] == "add"][0]
    assert [o for o in add["options"] if o["name"] == "kind"][0]["autocomplete"] is True

    def kinds(typed):
        b = double.answer(double.autocomplete("ben", "backup", "kind", typed))
        assert b and b[0]["type"] == 8, b
        return [(c["name"], c["value"]) for c in b[0]["data"]["choices"]]

    assert kinds("") == []  # a new group has no words of its own yet
    run(double, "ana", "task", {"title": "Pantry drive", "kind": "driving"}, sub="add")
    run(double, "ana", "task", {"title": "Clinic drive", "kind": "driving"}, sub="add")
    run(double, "ana", "task", {"title": "Soup for Friday", "kind": "cooking"}, sub="add")
    assert kinds("") == [("driving", "driving"), ("cooking", "cooking")]  # most used first
    assert kinds("COOK") == [("cooking", "cooking")]
    assert kinds("gardening") == []
