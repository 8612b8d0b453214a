#!/usr/bin/env python3
"""check_month.py — runs month.txt (five weeks of one group) through `tend --console` on a frozen
clock and checks what the weeks mean: times read and said back, a repeat that rolls forward instead
of piling up, one reminder per holder at the right local time on both sides of a daylight-saving
change (never to the waitlist, never to someone who turned them off), one "did it happen?", an edit
and a cancellation told privately to the people on the task, a check-in prompt that never asks for
hands on a task whose time passed, and nothing private in the group's channel. Wording may change;
audiences, times, counts and order may not.

usage: check_month.py TEND_BINARY SCRIPT
"""
import functools
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import console_transcript as transcript  # noqa: E402
from console_transcript import parse  # noqa: E402


def main():
    tend, script = sys.argv[1], sys.argv[2]
    with open(script, encoding="utf-8") as f:
        text = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEND_", "DISCORD_", "MATRIX_"))}
        env["XDG_DATA_HOME"] = tmp
        proc = subprocess.run([tend, "--console", "--now", "2026-10-19T09:00"] + transcript.database_args("month"), input=text.encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=90)
    out = proc.stdout.decode()
    try:
        assert proc.returncode == 0, "tend exited with %d: %s" % (proc.returncode, proc.stderr.decode())
        msgs = parse(out)
        clock = transcript.clock_index(msgs)
        find = functools.partial(transcript.find, msgs)
        between = functools.partial(transcript.between, clock)

        dm = lambda who, words: lambda m: m["audience"] == "dm" and m["who"] == who and words in m["text"]  # noqa
        public = lambda words: lambda m: m["audience"] == "public" and words in m["text"]  # noqa

        # what when: was read as, said back in full to whoever typed it
        for said in ('"tue 18:00" as Tuesday 20 October at 18:00 CEST', '"fri 6pm" as Friday 23 October at 18:00 CEST',
                     '"sat 11:00" as Saturday 31 October at 11:00 CET'):
            find(lambda m: m["audience"] == "private" and m["who"] == "ana" and said in m["text"], said, 1)

        # nobody took the fridge on Tuesday: the same task moved on a week, announced once
        rolled = find(public("Moved on to its next date"), "a roll forward")
        assert "#1 Restock the community fridge (0 of 1 person, Tue 27 Oct, 18:00, weekly)" in msgs[rolled[0]]["text"]
        between(rolled[0], "2026-10-20 09:00", "2026-10-20 17:00", "the first roll forward")

        # the soup run: one reminder each to bea and cam at 16:00 in Berlin (14:00 UTC in summer
        # time), none to dan on the waitlist; one "did it happen?" each after it
        for who in ("bea", "cam"):
            r = find(dm(who, "A reminder: #2 Soup run Friday is today at 18:00"), "%s's soup run reminder" % who, 1)
            between(r[0], "2026-10-23 13:59", "2026-10-23 14:01", "%s's soup run reminder" % who)
            q = find(dm(who, "Did #2 Soup run Friday happen?"), "%s's soup run question" % who, 1)
            assert msgs[q[0]]["buttons"] == "Done: /done 2 \u00b7 Unclaim: /unclaim 2", msgs[q[0]]["buttons"]
        find(lambda m: m["audience"] == "dm" and m["who"] == "dan" and ("A reminder" in m["text"] or "Did #" in
                                                                        m["text"]), "anything to dan", 0)
        find(public("#2 Soup run Friday is done"), "the soup run's celebration", 1)

        # after the clocks went back, 16:00 in Berlin is 15:00 UTC: bea's fridge reminder comes then
        r = find(dm("bea", "A reminder: #1 Restock the community fridge is today at 18:00"), "bea's fridge reminder", 1)
        between(r[0], "2026-10-27 14:59", "2026-10-27 15:01", "bea's fridge reminder after the change")
        # she held it at its time: next week's went up beside it, and she was asked
        nxt = find(public("The next one is up: #5 Restock the community fridge"), "the next fridge", 1)
        between(nxt[0], "2026-10-27 15:01", "2026-10-27 20:01", "the next fridge")
        find(dm("bea", "Did #1 Restock the community fridge happen?"), "bea's fridge question", 1)

        # the edit: cam, on the task, hears privately; the group sees the new line
        find(dm("cam", "ana changed a task you're on. It now reads: #4 Pantry shift (1 of 2 people, Sat 31 Oct, 11:00)"),
             "cam told of the edit", 1)
        find(public("Updated: #4 Pantry shift"), "the public update", 1)
        # the cancellation: cam hears why, privately; the group only that it is off
        c = find(dm("cam", "ana called off a task you were on"), "cam told of the cancellation", 1)
        assert '"the pantry is closed for inventory"' in msgs[c[0]]["text"]
        off = find(public("#4 Pantry shift is called off"), "the public cancellation", 1)
        assert "inventory" not in msgs[off[0]]["text"]

        # cam gave back a held fridge after its time: it left, the board holds one fridge again
        find(lambda m: m["audience"] == "private" and m["who"] == "cam" and "next one is already on the board"
             in m["text"], "the old fridge retired", 1)
        for i in find(lambda m: m["audience"] == "private" and m["text"].startswith("Open tasks:"), "boards"):
            lines = [ln for ln in msgs[i]["text"].splitlines() if "Restock the community fridge" in ln]
            assert len(lines) <= 1, "two fridges on one board:\n" + msgs[i]["text"]
            assert "Pantry shift" not in msgs[i]["text"] or i < off[0], "a cancelled task stayed on the board"

        # the weekly prompt never asks for hands on a task whose time has passed, or one called off
        prompts = find(public("Weekly check-in"), "check-in prompts")
        assert len(prompts) == 6, "six Mondays, six prompts: %d" % len(prompts)
        for i in prompts:
            assert "time passed" not in msgs[i]["text"], msgs[i]["text"]
            assert "Pantry" not in msgs[i]["text"] or i < off[0], msgs[i]["text"]

        # a first week that explains itself: a slip, one command's help, the words after /task
        find(lambda m: m["audience"] == "private" and "Did you mean /claim?" in m["text"], "did you mean", 1)
        find(lambda m: m["audience"] == "private" and "For example: /claim 12" in m["text"], "/help claim", 1)
        find(lambda m: m["audience"] == "private" and "/task goes with one of: add, edit, cancel" in m["text"],
             "/task alone", 1)
        find(lambda m: m["audience"] == "private" and "off until Friday 30 October" in m["text"], "/stepback 3 days", 1)

        # nothing private reaches the group's channel
        for m in msgs:
            if m["audience"] == "public":
                for secret in ("A reminder", "Did #", "changed a task you're on", "inventory", "Rest well", "Reminders:"):
                    assert secret not in m["text"], "private words in public: " + m["text"]
    except (AssertionError, KeyError) as e:
        sys.stderr.write("---- transcript ----\n" + out + "--------------------\n")
        sys.stderr.write("FAILED: %r\n" % e)
        return 1
    print("month: ok (%d messages)" % len(msgs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
