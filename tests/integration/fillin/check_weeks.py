#!/usr/bin/env python3
"""check_weeks.py — runs weeks.txt (six weeks of one group) through `tend --console` on a frozen clock
and checks what others filling in means: who is asked, privately, in which order, and what the group
hears. Wording may change; audiences, order, who and how often may not.

usage: check_weeks.py TEND_BINARY SCRIPT
"""
import functools
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import console_transcript as transcript  # noqa: E402
from console_transcript import parse  # noqa: E402

MEMBERS = ("ana", "bea", "cam", "dan", "eve", "fen", "gus", "sam")


def run(tend, script, tmp):
    with open(script, encoding="utf-8") as f:
        text = f.read()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEND_", "DISCORD_", "MATRIX_"))}
    env["XDG_DATA_HOME"] = tmp
    proc = subprocess.run([tend, "--console", "--now", "2026-11-02T09:00"] + transcript.database_args("fillin"), input=text.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=90)
    assert proc.returncode == 0, "tend exited with %d: %s" % (proc.returncode, proc.stderr.decode())
    return proc.stdout.decode()


def exported(text):
    """An export's JSON: in the message itself, or in the file the console says it wrote."""
    if '"standing_backup_for"' in text:
        return text
    for path in re.findall(r"(/\S+\.json)", text):
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    return ""


def main():
    with tempfile.TemporaryDirectory() as tmp:  # kept until the checks are done: exports are files
        out = run(sys.argv[1], sys.argv[2], tmp)
        return report(out)


def report(out):
    try:
        check(parse(out))
    except AssertionError as e:
        sys.stdout.write(out)
        sys.stdout.write("\nFAILED: %s\n" % e)
        return 1
    print("ok: six weeks of others filling in")
    return 0


def check(msgs):
    clock = transcript.clock_index(msgs)
    find = functools.partial(transcript.find, msgs)
    between = functools.partial(transcript.between, clock)

    def kind(k):
        return lambda m: m["audience"] == "dm" and k(m["text"])  # noqa

    # ---------------------------------------------------------------- backups
    invite = lambda m: m["audience"] == "dm" and "needs help, and you have room" in m["text"]  # noqa
    invites = find(invite, "backup invitations")
    assert [msgs[i]["who"] for i in invites] == ["fen", "gus", "bea"], \
        "invited, in order: fen (a standing backup for driving), gus (never took a task), then, after fen " \
        "passed, bea (took one longest ago); got %s" % [msgs[i]["who"] for i in invites]
    for i in invites:
        assert "#3 Pantry drive" in msgs[i]["text"], msgs[i]["text"]
        assert msgs[i]["buttons"] == "Claim: /claim 3 \u00b7 Not this time: /pass 3", msgs[i]["buttons"]
    # someone not yet a standing backup hears how to become one; fen, who is, does not
    assert "/backup driving on" in msgs[invites[1]]["text"] and "/backup" not in msgs[invites[0]]["text"]
    # the first two at once when sam rested, the third only after fen's "not this time"
    between(invites[0], "2026-11-03 09:00", "2026-11-03 10:00", "the first invitations")
    between(invites[1], "2026-11-03 09:00", "2026-11-03 10:00", "the first invitations")
    passed = find(lambda m: m["audience"] == "private" and m["who"] == "fen" and "thanks for letting me know"
                  in m["text"], "fen's pass answered", 1)[0]
    assert passed < invites[2], "bea was asked before fen passed"
    # the resting, the full-up, the quiet and the one who stepped back are never asked
    for who in ("sam", "dan", "cam", "eve", "ana"):
        find(lambda m: invite(m) and m["who"] == who, "an invitation to %s" % who, 0)
    # gus's claim fills the slot: no one is asked after it, and bea, asked and unanswered, hears so
    claimed = find(lambda m: m["audience"] == "private" and m["who"] == "gus" and
                   m["text"].startswith("#3 Pantry drive (1 of 1 person"), "gus's claim", 1)[0]
    assert all(i < claimed for i in invites), "an invitation after the slot was filled"
    covered = find(kind(lambda t: t.startswith("#3 is covered now")), "covered notes", 1)[0]
    assert msgs[covered]["who"] == "bea" and covered > claimed, msgs[covered]
    # the group hears once that it could use a hand, naming nobody
    public = find(lambda m: m["audience"] == "public" and "needs help. /claim 3" in m["text"],
                  "the public line", 1)[0]
    between(public, "2026-11-03 09:00", "2026-11-03 10:00", "the public line")
    for m in msgs:
        if m["audience"] == "public":
            low = m["text"].lower()
            assert "sam" not in low and "rest" not in low.replace("restock", ""), \
                "the group heard something of sam's rest: %r" % m["text"]
            assert "pass" not in low, "the group heard about a pass: %r" % m["text"]

    # fen's own view of it, privately: listed, stopped, and her export says none is left
    find(lambda m: m["audience"] == "private" and m["who"] == "fen" and "standing backup for: driving" in m["text"],
         "fen's list", 1)
    find(lambda m: m["audience"] == "private" and m["who"] == "fen" and "won't ask you first for driving"
         in m["text"], "fen's off", 1)
    export = [exported(m["text"]) for m in msgs if m["audience"] == "private" and m["who"] == "fen"]
    export = [e for e in export if e]
    assert len(export) == 1, "fen's export: expected 1, found %d" % len(export)
    assert re.search(r'"standing_backup_for":\s*\[\]', export[0]), export[0]

    # ---------------------------------------------------------------- rotation
    offer = lambda m: m["audience"] == "dm" and m["text"].startswith("It's your turn for this one")  # noqa
    holders = ["bea"]  # week 1, claimed from the board
    hosted = find(lambda m: m["audience"] == "public" and "Host the meeting is done" in m["text"], "meetings")
    for i in hosted[1:]:
        holders.append(re.search(r"Thank you, @(\w+)\.", msgs[i]["text"]).group(1))
    assert len(holders) >= 7, "seven meetings held (six weeks and the seventh): %s" % holders
    for a, b in zip(holders, holders[1:]):
        assert a != b, "the same host twice in a row while others could: %s" % holders
    assert set(holders) >= {"ana", "bea", "dan", "eve", "fen", "gus"}, \
        "the role went round everyone with room who said yes: %s" % holders
    # cam (full up) is never offered it; each offer has Accept and Pass and names nobody else
    find(lambda m: offer(m) and m["who"] == "cam", "an offer to cam", 0)
    for i in find(offer, "rotation offers"):
        assert re.fullmatch(r"Accept: /claim (\d+) \u00b7 Pass: /pass \1", msgs[i]["buttons"]), msgs[i]["buttons"]
        for who in MEMBERS:
            assert who not in msgs[i]["text"], msgs[i]["text"]
    # the first copy went to ana (never held it, first to join), not to bea who held it last
    first = find(lambda m: offer(m) and "#6 Host the meeting" in m["text"], "offers of #6")
    assert [msgs[i]["who"] for i in first] == ["ana"], [msgs[i]["who"] for i in first]
    # week 2: dan passes, and the offer moves on to eve at once; the group never hears who passed
    second = find(lambda m: offer(m) and "#8 Host the meeting" in m["text"], "offers of #8")
    assert [msgs[i]["who"] for i in second] == ["dan", "eve"], [msgs[i]["who"] for i in second]
    dan_passed = find(lambda m: m["audience"] == "private" and m["who"] == "dan" and "thanks for letting me know"
                      in m["text"], "dan's pass answered", 1)[0]
    assert second[1] == dan_passed + 1, "eve's turn came at once after dan's pass, not a day later"
    # week 6: sam does not answer; a day later it moves on, to bea, who held it least recently
    sixth = find(lambda m: offer(m) and "#16 Host the meeting" in m["text"], "offers of #16")
    assert [msgs[i]["who"] for i in sixth] == ["sam", "bea"], [msgs[i]["who"] for i in sixth]
    between(sixth[0], "2026-12-02 20:00", "2026-12-09 20:00", "sam's turn")
    between(sixth[1], "2026-12-09 20:00", "2026-12-10 20:00", "a day later, bea's turn")
    # a copy someone accepted was never announced to the group as open to anyone
    find(lambda m: m["audience"] == "public" and "Host the meeting" in m["text"] and "open to anyone" in m["text"],
         "a host announced though someone accepted", 0)

    # ---------------------------------------------------------------- learning together
    board = find(lambda m: m["audience"] == "private" and m["who"] == "gus" and
                 m["text"].startswith("Tasks someone is happy to teach"), "gus's /tasks learn", 1)[0]
    assert "Pharmacy run" in msgs[board]["text"] and "Bookkeeping" in msgs[board]["text"]
    assert "Host the meeting" not in msgs[board]["text"]
    find(lambda m: m["audience"] == "private" and m["who"] == "gus" and "learning #4 Pharmacy run" in m["text"]
         and "with ana" in m["text"], "gus joined as a learner", 1)
    find(kind(lambda t: t.startswith("gus would like to learn #4")), "ana told, privately", 1)
    thanks = find(kind(lambda t: t.startswith("Thank you for learning #4")), "the learner's thanks", 1)[0]
    assert msgs[thanks]["who"] == "gus"
    taught = find(kind(lambda t: t.startswith("Thank you for showing someone how #4")), "the teacher's thanks", 1)
    assert msgs[taught[0]]["who"] == "ana"
    nxt = find(kind(lambda t: t.startswith("You learned this one last time")), "the learner's offer", 1)[0]
    assert msgs[nxt]["who"] == "gus" and "#7 Pharmacy run" in msgs[nxt]["text"] and nxt > thanks
    # the books do not repeat: their two learners are thanked without a promise of a next time
    books = find(kind(lambda t: t.startswith("Thank you for learning #5 Bookkeeping")), "the books' learners", 2)
    assert sorted(msgs[i]["who"] for i in books) == ["eve", "fen"]
    assert all("Next time" not in msgs[i]["text"] for i in books)
    # the learner took no slot: the pharmacy run said 1 of 1 person (ana) while gus learned
    done4 = find(lambda m: m["audience"] == "public" and "#4 Pharmacy run is done" in m["text"], "done #4", 1)[0]
    assert "@gus" not in msgs[done4]["text"], "a learner is not credited as a doer"
    # the digest: three learned (gus, fen, eve), as a number only
    digests = find(lambda m: m["audience"] == "public" and "3 people learned a new task this month" in m["text"],
                   "the digest's learning line")
    assert digests, "no digest said how many learned"
    for i in digests:
        for who in MEMBERS:
            assert "@" + who not in msgs[i]["text"].split("3 people learned")[1], msgs[i]["text"]

    # ---------------------------------------------------------------- three drives
    nudges = find(lambda m: m["audience"] == "dm" and m["who"] == "bea" and "doing a lot" in m["text"], "nudges")
    assert nudges and "three driving tasks this week" in msgs[nudges[0]]["text"], msgs[nudges[0]]["text"]
    between(nudges[0], "2026-11-18 20:00", "2026-11-19 20:00", "bea's nudge after her third drive")
    # nothing about others filling in ever named a member in the group's channel except a celebration
    for m in msgs:
        if m["audience"] == "public" and "is done!" not in m["text"] and "Our week" not in m["text"]:
            for who in MEMBERS:
                assert "@" + who not in m["text"], "a public line named %s: %r" % (who, m["text"])


if __name__ == "__main__":
    sys.exit(main())
