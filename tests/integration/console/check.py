#!/usr/bin/env python3
"""check.py — runs the real tend binary on console scripts and checks what the transcript means.

usage: check.py CASE TEND_BINARY SCRIPTS_DIR SOURCE_DIR

Each case starts tend with a fresh database in a temporary folder and a frozen clock (--now), reads
the transcript back into messages ({audience, who, lines, buttons}) and asserts the facts a member
depends on: who was told what, privately or publicly, and what the board says afterwards. Wording
may change; task numbers, slot counts, audiences and names may not.

With TEND_TEST_PG_DIR set (the console.*.pg cases, through tests/integration/with_postgres.sh) every
database is a fresh schema on that test PostgreSQL instead of a SQLite file, and the same assertions
run against it.
"""
import os
import re
import subprocess
import sys
import tempfile

START = "2026-11-03T10:00"  # a Tuesday morning: nothing scheduled falls due while the flow runs
HEAD = re.compile(r"^\[(public|private|dm|console)(?: ([^\]]+))?\] ?(.*)$")


PG_DIR = os.environ.get("TEND_TEST_PG_DIR")  # read before run() clears TEND_* for tend itself
CASE = sys.argv[1] if len(sys.argv) > 1 else ""


class Failure(Exception):
    pass


def database(tmp, name):
    """A fresh database for this case: a SQLite file in tmp, or a new schema on the test PostgreSQL."""
    if not PG_DIR:
        return os.path.join(tmp, name)
    schema = re.sub(r"[^a-z0-9_]", "_", "console_%s_%s" % (CASE, name.split(".")[0]))
    ctl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "postgres_ctl.sh")
    proc = subprocess.run([ctl, "schema", PG_DIR, schema], stdout=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        raise Failure("cannot make schema %s on the test PostgreSQL" % schema)
    return proc.stdout.decode().strip()


def column(db, sql):
    """The first column of a query's rows, from either backend."""
    if not PG_DIR:
        import sqlite3
        con = sqlite3.connect(db)
        values = [row[0] for row in con.execute(sql)]
        con.close()
        return values
    psql = sorted(__import__("glob").glob("/usr/lib/postgresql/*/bin/psql")) or ["psql"]
    proc = subprocess.run([psql[-1], "-qAt", "-d", db, "-c", sql], stdout=subprocess.PIPE, timeout=60)
    if proc.returncode != 0:
        raise Failure("psql failed on: " + sql)
    return proc.stdout.decode().splitlines()


def check(cond, what, transcript=None):
    if not cond:
        if transcript is not None:
            sys.stderr.write("---- transcript ----\n" + transcript + "\n--------------------\n")
        raise Failure(what)


def run(tend, args, stdin_text, tmp, extra_env=None):
    env = dict(os.environ)
    for key in list(env):
        if key.startswith(("TEND_", "DISCORD_", "MATRIX_")):
            del env[key]  # a developer's own settings must not leak into the test
    env["XDG_DATA_HOME"] = tmp
    env.update(extra_env or {})
    raw = stdin_text if isinstance(stdin_text, bytes) else stdin_text.encode()
    proc = subprocess.run([tend] + args, input=raw, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, timeout=90)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    check("Sanitizer" not in err and "runtime error" not in err, "sanitizer report:\n" + err)
    return proc.returncode, out, err


def parse(transcript):
    """Messages in order; continuation lines (two spaces) and the button line join their message."""
    messages = []
    for raw in transcript.splitlines():
        m = HEAD.match(raw)
        if m:
            messages.append({"audience": m.group(1), "who": m.group(2), "lines": [m.group(3)],
                             "buttons": []})
        elif raw.startswith("  \u2192 ") and messages:
            messages[-1]["buttons"] = [b.strip() for b in raw[4:].split("\u00b7")]
        elif raw.startswith("  ") and messages:
            messages[-1]["lines"].append(raw[2:])
        elif raw.strip():
            raise Failure("a line with no audience prefix: %r" % raw)
    for msg in messages:
        msg["text"] = "\n".join(msg["lines"])
    return messages


class Cursor:
    """Walks the messages in order, so each fact is checked where the script produced it."""

    def __init__(self, messages, transcript):
        self.messages, self.pos, self.transcript = messages, 0, transcript

    def expect(self, audience, who, *patterns, what):
        for i in range(self.pos, len(self.messages)):
            msg = self.messages[i]
            if msg["audience"] == audience and (who is None or msg["who"] == who) and \
                    all(re.search(p, msg["text"]) for p in patterns):
                self.pos = i + 1
                return msg
        check(False, "not found after message %d: %s" % (self.pos, what), self.transcript)


def script(dir_, name):
    with open(os.path.join(dir_, name), encoding="utf-8") as f:
        return f.read()


def case_flow(tend, dir_, src, tmp):
    db = database(tmp, "flow.db")
    rc, out, err = run(tend, ["--database", db, "--now", START], script(dir_, "flow.txt"), tmp)
    check(rc == 0, "tend exited %d: %s" % (rc, err), out)
    msgs = parse(out)
    c = Cursor(msgs, out)
    c.expect("console", None, r"speaking as ana", what=":as ana is acknowledged")
    m = c.expect("public", None, r"#1\b", r"Soup run", r"0 of 2", what="task 1 is announced with 2 slots")
    check(any("/claim 1" in b for b in m["buttons"]), "the announcement offers a Claim button", out)
    c.expect("public", None, r"#2\b", r"Pantry shift", r"0 of 1", what="task 2 is announced with 1 slot")
    c.expect("private", "ana", r"#1\b", r"1 of 2", what="ana's claim is confirmed to her alone")
    c.expect("private", "bob", r"#1\b", r"2 of 2", what="bob takes the second slot")
    c.expect("private", "bob", r"#2\b", r"1 of 1", what="bob claims task 2")
    c.expect("private", "cam", r"#1\b", r"(?i)waitlist", what="cam lands on task 1's waitlist")
    c.expect("dm", "cam", r"#1\b", what="bob's /unclaim promotes cam, who is told directly")
    c.expect("private", "bob", r"#1\b", what="bob's /unclaim is confirmed")
    c.expect("public", None, r"bob", r"@ana", r"soup", what="/thanks is a public shout-out naming ana")
    m = c.expect("private", "bob", r"/stepback", r"#2\b", what="/checkin low offers rest and lists bob's claims")
    check(any("/stepback" in b for b in m["buttons"]), "the check-in reply offers a one-tap step back", out)
    c.expect("private", "bob", r"/back", what="/stepback is confirmed privately")
    c.expect("private", "bob", r"#2 Pantry shift \(0 of 1", what="/stepback released bob's claim on task 2")
    m = c.expect("private", "bob", r"(?i)welcome back", what="/back welcomes bob back")
    check(any("/back hello" in b for b in m["buttons"]), "a welcome in the digest is offered, never assumed", out)
    m = c.expect("public", None, r"#1\b", r"Soup run", r"@ana", r"@cam", what="/done 1 celebrates ana and cam")
    check("@bob" not in m["text"], "bob gave task 1 back, so he is not credited", out)
    m = c.expect("private", "ana", r"Members: 3\b", r"still need people", what="/team shows aggregate health")
    check(not re.search(r"resting\.|\d+%", m["text"]),
          "in a group of three no count of the resting and no share of the work can be told", out)
    c.expect("private", "ana", r"1 finished", what="/me counts ana's finished task")
    c.expect("private", "ana", r"#2 Pantry shift \(0 of 1", r"#1 Soup run \(done\)",
             what="/tasks all shows the board")
    for msg in msgs:
        if msg["audience"] == "public":
            check(not re.search(r"(?i)\blow\b|rest well|welcome back", msg["text"]),
                  "a check-in or rest leaked into public: " + msg["text"], out)


def case_restart(tend, dir_, src, tmp):
    db = database(tmp, "restart.db")
    first = ":as ana\n/task add \"Soup run\" slots:2\n/task add \"Pantry shift\"\n/claim 1\n" \
            ":as bob\n/claim 2\n/stepback 3d\n:as ana\n/tasks all\n/me\n:quit\n"
    again = ":as ana\n/tasks all\n/me\n"
    rc, out1, err = run(tend, ["--console", "--database", db, "--now", START], first, tmp)
    check(rc == 0, "first run exited %d: %s" % (rc, err), out1)
    rc, out2, err = run(tend, ["--console", "--database", db, "--now", START], again, tmp)
    check(rc == 0, "second run exited %d: %s" % (rc, err), out2)
    before = [m for m in parse(out1) if m["who"] == "ana" and m["audience"] == "private"][-2:]
    after = [m for m in parse(out2) if m["who"] == "ana" and m["audience"] == "private"]
    check(len(before) == 2 and len(after) == 2, "both runs answer /tasks all and /me", out1 + out2)
    check([m["text"] for m in before] == [m["text"] for m in after],
          "the board and ana's load are the same after a restart", out1 + "\n=== restart ===\n" + out2)
    check(re.search(r"#1 Soup run \(1 of 2", after[0]["text"]), "ana's claim survived", out2)
    check(re.search(r"#2 Pantry shift \(0 of 1", after[0]["text"]), "bob's rest released task 2", out2)


def case_bad_input(tend, dir_, src, tmp):
    db = database(tmp, "bad.db")
    text = script(dir_, "bad_input.txt").replace("{{LONG}}", "\u05e9\u05dc\u05d5\u05dd x" * 1024)
    rc, out, err = run(tend, ["--database", db, "--now", START], text, tmp)
    check(rc == 0, "tend exited %d on bad input: %s" % (rc, err), out)
    msgs = parse(out)
    boards = [i for i, m in enumerate(msgs) if m["audience"] == "private" and m["text"].startswith("All tasks")]
    check(len(boards) == 2, "the script shows the board before and after the bad lines", out)
    check(msgs[boards[0]]["text"] == msgs[boards[1]]["text"], "bad input changed nothing on the board", out)
    check(len(msgs) == boards[1] + 2 and msgs[boards[0] + 1]["text"] == msgs[boards[1] + 1]["text"],
          "bad input changed nothing in bob's own /me (claims, capacity, rest)", out)
    between = msgs[boards[0] + 2:boards[1]]
    check(not any(m["audience"] in ("public", "dm") for m in between),
          "a refused command says nothing in public and sends no DM", out)
    replies = [m for m in between if m["audience"] == "private"]
    bad_part = text.split("# == bad ==")[1].split("# == end ==")[0]
    bad_commands = [line for line in bad_part.splitlines() if line.startswith("/")]
    check(len(replies) == len(bad_commands),
          "every bad command got exactly one reply (%d for %d)" % (len(replies), len(bad_commands)), out)
    for r in replies:
        check(1 <= len(r["lines"]) <= 2, "a wrong command gets one clear line (and the usage): " + r["text"], out)
    consoles = [m["text"] for m in between if m["audience"] == "console"]
    check(sum(":advance needs a duration" in t for t in consoles) == 4, "bad :advance values are explained", out)
    check(any(":as needs" in t for t in consoles), "an empty :as is explained", out)
    check(any("I know :as" in t for t in consoles), "an unknown : directive is explained", out)


def case_advance(tend, dir_, src, tmp):
    db = database(tmp, "advance.db")
    text = ":as ana\n/task add \"Soup run\"\n:advance 1w\n:advance 1w\n"
    rc, out, err = run(tend, ["--database", db, "--now", "2026-11-02T09:00"], text, tmp)
    check(rc == 0, "tend exited %d: %s" % (rc, err), out)
    msgs = parse(out)
    prompts = [m for m in msgs if m["audience"] == "public" and "private check-in" in m["text"]]
    check(len(prompts) == 2, "two weeks bring exactly two weekly check-in prompts, not %d" % len(prompts), out)
    check(all("#1" in m["text"] for m in prompts), "each prompt lists the task that needs hands", out)
    check(all(not m["buttons"] for m in prompts), "the group's prompt carries no answers to tap", out)
    asks = [m for m in msgs if m["audience"] == "dm" and any("/checkin ok" in b for b in m["buttons"])]
    check(len(asks) == 2 and all(m["who"] == "ana" for m in asks),
          "each week ana is asked privately, with one-tap answers", out)
    clocks = [m["text"] for m in msgs if m["audience"] == "console" and "clock is now" in m["text"]]
    check(clocks == ["the clock is now Mon 2026-11-09 09:00 UTC", "the clock is now Mon 2026-11-16 09:00 UTC"],
          "the clock moved a week each time", out)


def case_cli(tend, dir_, src, tmp):
    rc, out, _ = run(tend, ["--help"], "", tmp)
    check(rc == 0 and "usage: tend" in out and "--check-config" in out, "--help explains the options")
    rc, out, _ = run(tend, ["--version"], "", tmp)
    check(rc == 0 and re.match(r"^tend \d+\.\d+\.\d+\n"
                               r"Matrix end-to-end encryption: (yes \(vodozemac \d+\.\d+\.\d+\)|no: built .+)\n"
                               r"PostgreSQL store: (yes \(libpq \d+\.\d+\)|no: built without libpq .+)\n$", out),
          "--version prints the version and whether end-to-end encryption and PostgreSQL are in: " + out)
    # a PostgreSQL URL libpq cannot read (or a tend without PostgreSQL): one line, tend does not
    # start, and the password (which libpq would quote) is not in it
    rc, out, err = run(tend, ["--database", "postgresql://tend:Sec%zzretPw@/tend"], "/me\n", tmp)
    check(rc == 1 and err.count("\n") == 1 and "PostgreSQL" in err and "zzret" not in err and not out,
          "a bad PostgreSQL URL is one line without its password: " + err)
    rc, out, err = run(tend, ["--frobnicate"], "", tmp)
    check(rc == 2 and err.count("\n") == 1 and "--frobnicate" in err, "an unknown option is one line: " + err)
    rc, out, err = run(tend, ["--check-config", os.path.join(src, "config", "tend.conf")], "", tmp)
    check(rc == 0 and out == "ok\n", "the example tend.conf is valid: " + out + err)
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("[bot]\ngrace_hours = 6\n[discord]\ntokn = sekrit-token-123456\n[log]\nlevel = loud\n")
    rc, out, err = run(tend, ["--check-config", bad], "", tmp)
    check(rc == 1, "a bad config fails the check")
    check("%s:4: unknown key 'tokn' in [discord] (did you mean 'token'?)" % bad in out, "typo with line: " + out)
    check("%s:6: [log] level must be" % bad in out, "bad value with line: " + out)
    check("sekrit" not in out + err, "no secret in the output")
    rc, out, err = run(tend, ["--config", bad, "--database", os.path.join(tmp, "x.db")], "", tmp)
    check(rc == 1 and ":4: unknown key 'tokn'" in err and "sekrit" not in err, "tend refuses to start: " + err)
    rc, out, err = run(tend, ["--database", os.path.join(tmp, "no", "such", "dir", "x.db")], "", tmp)
    check(rc == 1 and err.startswith("tend: database ") and "does not exist" in err and err.count("\n") == 1,
          "an unusable database is one clear line: " + err)
    rc, out, err = run(tend, ["--database", os.path.join(tmp, "ok.db")], "/me\n", tmp)
    check(rc == 0 and "[private you]" in out, "the default member is 'you': " + out + err)
    rc, out, err = run(tend, [], "/me\n", tmp)
    check(rc == 0 and os.path.exists(os.path.join(tmp, "tend", "tend.db")),
          "with no options the database goes to $XDG_DATA_HOME/tend/tend.db: " + err)


def case_two_groups(tend, dir_, src, tmp):
    """Two console groups on one file: each run serves its own group's schedule alone."""
    db = database(tmp, "shared.db")
    alpha = {"TEND_CONSOLE_GROUP": "alpha"}
    first = ":as ana\n/task add \"Alpha soup\"\n/feedback alpha-idea-1\n:as bea\n/feedback alpha-idea-2\n" \
            ":as cam\n/feedback alpha-idea-3\n:quit\n"
    rc, out, err = run(tend, ["--console", "--database", db, "--now", "2026-11-02T09:00"], first, tmp, alpha)
    check(rc == 0, "alpha's first run exited %d: %s" % (rc, err), out)
    # beta lives a whole week on the same file: its own prompt, process check-in and digest only
    second = ":as zed\n/task add \"Beta bread\"\n:advance 1w\n:quit\n"
    rc, out, err = run(tend, ["--console", "--database", db, "--now", "2026-11-02T09:00"], second, tmp,
                       {"TEND_CONSOLE_GROUP": "beta"})
    check(rc == 0, "beta's run exited %d: %s" % (rc, err), out)
    msgs = parse(out)
    prompts = [m for m in msgs if m["audience"] == "public" and "Weekly check-in" in m["text"]]
    check(len(prompts) == 1 and "Beta bread" in prompts[0]["text"], "beta hears its own prompt, once", out)
    check("Alpha soup" not in out and "alpha-idea" not in out and "[dm ana]" not in out,
          "beta's console printed alpha's posts", out)
    # alpha's Monday evening is still alpha's: its prompt and its three suggestions come out now
    third = ":as ana\n:advance 10h\n:quit\n"
    rc, out, err = run(tend, ["--console", "--database", db, "--now", "2026-11-02T09:00"], third, tmp, alpha)
    check(rc == 0, "alpha's second run exited %d: %s" % (rc, err), out)
    msgs = parse(out)
    check(any(m["audience"] == "public" and "Weekly check-in" in m["text"] and "Alpha soup" in m["text"]
              for m in msgs), "alpha's prompt was used up by beta's run", out)
    check(all(("alpha-idea-%d" % i) in out for i in (1, 2, 3)), "alpha's suggestions were used up", out)
    check("Beta bread" not in out and "[dm zed]" not in out, "alpha's console printed beta's posts", out)


def case_names(tend, dir_, src, tmp):
    """Names as others read them: nothing invisible, and no second "Ana" that is someone else."""
    db = database(tmp, "names.db")
    text = (":as Ana\n/task add \"Soup run\"\n"
            ":as \u0410na\n"                 # a Cyrillic A: someone else passing as Ana
            ":as \u202eAna\u200b\n"          # Ana herself, with a bidi override and a zero-width space
            ":as bea\n/profile name:ana\n"   # bea cannot take Ana's name in another case
            "/thanks Ana for the soup\n:quit\n")
    rc, out, err = run(tend, ["--database", db, "--now", START], text, tmp)
    check(rc == 0, "tend exited %d: %s" % (rc, err), out)
    msgs = parse(out)
    consoles = [m["text"] for m in msgs if m["audience"] == "console"]
    check(any("already goes by a name that looks like \u0410na" in t for t in consoles),
          "a look-alike of Ana's name is refused", out)
    check(consoles.count("now speaking as Ana") == 2, "Ana with invisible characters is Ana herself", out)
    c = Cursor(msgs, out)
    c.expect("private", "bea", r"looks just like", what="bea cannot rename herself to look like Ana")
    c.expect("public", None, r"bea", r"@Ana\b", what="the thanks names the one Ana")
    check("\u200b" not in out and "\u202e" not in out, "an invisible character reached the transcript", out)
    names = sorted(column(db, "SELECT name FROM members"))
    check(names == ["Ana", "bea"], "the group has exactly Ana and bea: %s" % names, out)


def case_small_things(tend, dir_, src, tmp):
    """Issue 14's small things, as a member meets them in one piped script under a frozen clock."""
    db = database(tmp, "small.db")
    chores = "".join("/task add Chore number %d\n" % i for i in range(1, 46))  # the budget is 30 a minute
    han, emoji = "\u540d" * 60, "\U0001F600" * 60
    text = (":as ana\n" + chores +
            "/profile name:%s\n/profile name:%s\n/profile name:%s\u540d\n" % (han, emoji, emoji) +
            "/task add Fix the \"big\" fridge\n/task add \"Soup run\" slots:2\n"
            "/task add %s\n" % ("\U0001F600" * 16384) +
            "/task add %s\n" % ("x" * 201)).encode()
    text += b"/task add Soup \xff\xfe run\n/task add Bread\x00 and butter\n/tasks all\n:quit\n"
    rc, out, err = run(tend, ["--database", db, "--now", START], text, tmp)
    check(rc == 0, "tend exited %d: %s" % (rc, err), out)
    msgs = parse(out)
    check("a lot of commands" not in out, "the console's own script was held to a per-minute budget", out)
    announced = [m for m in msgs if m["audience"] == "public" and "Chore number" in m["text"]]
    check(len(announced) == 45, "every line of the script ran: %d of 45 chores announced" % len(announced), out)
    c = Cursor(msgs, out)
    c.expect("private", han, r"Saved", what="a 60-character name in Chinese is a name")
    c.expect("private", emoji, r"Saved", what="a 60-emoji name is kept whole, not cut at a byte count")
    c.expect("private", None, r"1 to 60 characters", what="the 61st character is refused with the real limit")
    c.expect("public", None, r'#46 Fix the "big" fridge', what="a quote inside a title stays")
    c.expect("public", None, r"#47 Soup run \(0 of 2", what="quotes around a title still only hold it together")
    m = c.expect("private", None, r"up to 200 characters", what="64 KB of title hears the real limit")
    check(not re.search(r"\d{4,}", m["text"]), "a huge title is not answered with a count", out)
    c.expect("private", None, r"201 characters; a title can be up to 200", what="just over: the count helps")
    consoles = [m["text"] for m in msgs if m["audience"] == "console" and "isn't text" in m["text"]]
    check(len(consoles) == 2, "broken UTF-8 and a NUL each get one console line", out)
    c.expect("private", None, r'#47 Soup run.*\n.*#46 Fix the "big" fridge', what="the board as typed")
    check("Bread" not in out and "Soup \ufffd" not in out, "a line that is not text was stored", out)
    titles = column(db, "SELECT title FROM tasks WHERE number > 45 ORDER BY number")
    names = column(db, "SELECT name FROM members")
    check(titles == ['Fix the "big" fridge', "Soup run"], "the stored titles: %r" % titles, out)
    check(names == [emoji], "ana's name is the 60 emoji, whole: %r" % names, out)


CASES = {"flow": case_flow, "restart": case_restart, "bad_input": case_bad_input,
         "advance": case_advance, "cli": case_cli, "two_groups": case_two_groups, "names": case_names,
         "small_things": case_small_things}


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in CASES:
        sys.stderr.write(__doc__)
        return 2
    name, tend, dir_, src = sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="tend-console-") as tmp:
        try:
            CASES[name](tend, dir_, src, tmp)
        except Failure as e:
            sys.stderr.write("FAIL console.%s: %s\n" % (name, e))
            return 1
    print("ok console.%s" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
