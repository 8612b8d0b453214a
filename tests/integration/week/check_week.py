#!/usr/bin/env python3
"""check_week.py — runs week.txt through `tend --console` on a frozen clock and checks what the
week means: each scheduled thing happened once, at its moment, to the right audience, and nothing
private reached the group. Wording may change; audiences, order and counts may not.

usage: check_week.py TEND_BINARY SCRIPT
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import console_transcript as transcript  # noqa: E402
from console_transcript import parse  # noqa: E402


def index_of(messages, pred, what):
    found = [i for i, m in enumerate(messages) if pred(m)]
    assert len(found) == 1, "%s: expected exactly one, found %d" % (what, len(found))
    return found[0]


def main():
    tend, script = sys.argv[1], sys.argv[2]
    with open(script, encoding="utf-8") as f:
        text = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEND_", "DISCORD_", "MATRIX_"))}
        env["XDG_DATA_HOME"] = tmp
        proc = subprocess.run([tend, "--console", "--now", "2026-11-02T09:00"] + transcript.database_args("week"), input=text.encode(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=90)
    out = proc.stdout.decode()
    try:
        assert proc.returncode == 0, "tend exited with %d: %s" % (proc.returncode, proc.stderr.decode())
        msgs = parse(out)
        clock = [i for i, m in enumerate(msgs) if m["audience"] == "console" and "clock is now" in m["text"]]
        assert len(clock) == 3, "three :advance lines expected"
        monday_evening, tuesday, sunday = clock

        prompt = index_of(msgs, lambda m: m["audience"] == "public" and "weekly check-in" in m["text"].lower(),
                          "weekly check-in prompt")
        assert prompt < monday_evening, "the prompt comes on Monday evening, during the first :advance"
        assert "#5 Fold flyers" in msgs[prompt]["text"], "the prompt lists the task still needing hands"
        assert "#1 Soup run" not in msgs[prompt]["text"], "a task with its hands is not listed"
        assert not msgs[prompt]["buttons"], "no answer is tapped on the group's post, where all would see it"
        for who in ("ana", "bea"):
            ask = index_of(msgs, lambda m: m["audience"] == "dm" and m["who"] == who
                           and "/checkin great" in m["buttons"], "%s's private check-in" % who)
            assert prompt < ask < monday_evening, "each member is asked privately with the prompt"
            for answer in ("checkin ok", "checkin low", "checkin out"):
                assert answer in msgs[ask]["buttons"], "one-tap answer " + answer

        third_done = index_of(msgs, lambda m: m["audience"] == "public" and "#3 Bike repair is done" in m["text"],
                              "third done task")
        nudge = index_of(msgs, lambda m: m["audience"] == "dm" and "/handoff" in m["text"], "nudge")
        assert msgs[nudge]["who"] == "ana", "the nudge goes to ana alone"
        assert third_done < nudge < sunday, "the nudge follows ana's third done task and her extra claim"
        assert "stepback 1w" in msgs[nudge]["buttons"] and "No thanks" in msgs[nudge]["buttons"], \
            "the nudge is an offer with a one-tap no"

        stale = index_of(msgs, lambda m: m["audience"] == "dm" and "Still on #4" in m["text"], "stale claim")
        assert msgs[stale]["who"] == "bea" and "unclaim 4" in msgs[stale]["buttons"]
        assert tuesday < stale < sunday

        digest = index_of(msgs, lambda m: m["audience"] == "public" and "#1 Soup run" in m["text"]
                          and "#3 Bike repair" in m["text"] and "bea to ana" in m["text"], "digest")
        assert stale < digest < sunday, "the digest comes on Sunday evening"
        # one member did all the month's work, but in a group of three the gentle note would point
        # at her: aggregates are told only when they cover three people or more
        assert "pair up" not in msgs[digest]["text"], "the concentration note points at one person"

        for m in msgs:
            if m["audience"] == "public":
                low = m["text"].lower()
                assert "capacity" not in low and "carrying a lot" not in low, "load stays private: " + m["text"]
                assert "glad to hear" not in low, "a check-in answer stays private"
    except AssertionError as e:
        sys.stderr.write("---- transcript ----\n" + out + "--------------------\n")
        sys.stderr.write("FAILED: %s\n" % e)
        return 1
    print("week: ok (%d messages)" % len(msgs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
