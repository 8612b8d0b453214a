"""console_transcript.py — reads what `tend --console` printed as the messages members saw, for the
scripted-weeks checks (week/, month/, fillin/). Each message: its audience (public, private, dm or
console), who it was for, its text (continuation lines, two spaces in, joined with newlines) and its
button line. A line with no audience prefix fails: the console contract says every line has one."""
import os
import re
import subprocess

HEAD = re.compile(r"^\[(public|private|dm|console)(?: ([^\]]+))?\] ?(.*)$")
CLOCK = re.compile(r"the clock is now \w+ (\d{4}-\d\d-\d\d \d\d:\d\d) UTC")


def database_args(name):
    """[] for tend's default SQLite file; under TEND_TEST_PG_DIR (the *.pg cases of
    tests/integration/postgres.cmake) --database with a fresh schema on the test PostgreSQL."""
    pg_dir = os.environ.get("TEND_TEST_PG_DIR")
    if not pg_dir:
        return []
    ctl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "postgres_ctl.sh")
    url = subprocess.run([ctl, "schema", pg_dir, name], check=True, stdout=subprocess.PIPE,
                         timeout=60).stdout.decode().strip()
    return ["--database", url]


def parse(transcript):
    """Messages in order; continuation lines (two spaces) and the button line join their message."""
    messages = []
    for raw in transcript.splitlines():
        m = HEAD.match(raw)
        if m:
            messages.append({"audience": m.group(1), "who": m.group(2), "text": m.group(3), "buttons": ""})
        elif raw.startswith("  \u2192 ") and messages:
            messages[-1]["buttons"] = raw[4:]
        elif raw.startswith("  ") and messages:
            messages[-1]["text"] += "\n" + raw[2:]
        elif raw.strip():
            raise AssertionError("a line with no audience prefix: %r" % raw)
    return messages


def clock_index(messages):
    """"2026-10-23 13:59" -> the index of the console line saying the clock got there."""
    clock = {}
    for i, m in enumerate(messages):
        c = CLOCK.search(m["text"]) if m["audience"] == "console" else None
        if c:
            clock[c.group(1)] = i
    return clock


def find(messages, pred, what, count=None):
    """The indexes of the messages pred takes; exactly `count` of them when count is given."""
    found = [i for i, m in enumerate(messages) if pred(m)]
    if count is not None:
        assert len(found) == count, "%s: expected %d, found %d" % (what, count, len(found))
    return found


def between(clock, i, start, end, what):
    """Message i came after the clock reached start and before it reached end (UTC)."""
    assert clock[start] < i < clock[end], "%s: not between %s and %s UTC" % (what, start, end)
