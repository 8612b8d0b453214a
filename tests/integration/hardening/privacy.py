#!/usr/bin/env python3
"""privacy.py — /feedback leaves no trace of who wrote it.

usage: privacy.py TEND_BINARY

The author (a member with a name found nowhere else) sends a suggestion with tend at debug level.
Then the four places a name could leak are read:
  - the database: the suggestion's row has no column that could name anyone, and the command
    changed no other row of any table (a dump before and after is compared),
  - the audit log (the audit table): nothing was added for it,
  - the process log (stderr at debug level): neither the author's name nor their key appears
    while the suggestion is handled,
  - platform messages: only the private thanks goes to the author; when the suggestions are shared
    at the monthly process check-in, no message names the author.
"""
import os
import re
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tendproc import Failure, Tend, check  # noqa: E402

AUTHOR = "Zanzibar7"
IDEA = "Could we rotate the pantry keys monthly qx81"
ENV = {"TEND_LOG_LEVEL": "debug", "TEND_BOT_COMMANDS_PER_MINUTE": "0"}


def dump(db):
    con = sqlite3.connect(db)
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                            " ORDER BY name")]
        return {t: sorted(repr(r) for r in con.execute("SELECT * FROM \"%s\"" % t)) for t in tables}
    finally:
        con.close()


def export_file(lines):
    """The group export is a file now: its path is the console's \U0001F4CE line."""
    paths = [l.split("file: ", 1)[1] for l in lines if "\U0001F4CE file: " in l]
    check(len(paths) == 1, "the group export names no file:\n" + "\n".join(lines))
    with open(paths[0], encoding="utf-8") as f:
        return f.read()


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        db, log = os.path.join(tmp, "tend.db"), os.path.join(tmp, "feedback.log")
        # the group exists and the author has done ordinary things first
        t = Tend(binary, db, member=AUTHOR, env=ENV)
        t.say('task add "Pantry keys"')
        t.say("claim 1")
        t.say(":as bea")
        t.say("thanks %s for the keys" % AUTHOR)
        check(t.quit() == 0, "setup failed")
        before = dump(db)

        # the suggestion, alone in its own run so its log is only its own
        t = Tend(binary, db, member=AUTHOR, env=ENV, stderr_path=log)
        answer = t.say("feedback " + IDEA)
        check(t.quit() == 0, "tend did not exit cleanly")
        text = "\n".join(answer)
        check(len(answer) >= 1 and all(not l.startswith("[") or l.startswith("[private %s]" % AUTHOR)
                                       for l in answer), "feedback said something beyond the private thanks:\n" + text)
        check(IDEA not in text, "the thanks repeats the suggestion")
        with open(log) as f:
            logged = f.read()
        for needle in (AUTHOR, AUTHOR.lower(), IDEA):
            check(needle not in logged, "the process log names %r:\n%s" % (needle, logged))

        after = dump(db)
        con = sqlite3.connect(db)
        cols = [c[1] for c in con.execute("PRAGMA table_info(feedback)")]
        con.close()
        check(not any(re.search("member|author|user|who|by|key|name", c) for c in cols),
              "the feedback table has a column that could name someone: %s" % cols)
        check(set(cols) <= {"id", "group_id", "text", "month", "shown"}, "unexpected feedback columns %s" % cols)
        con = sqlite3.connect(db)
        row = con.execute("SELECT id, month FROM feedback WHERE text LIKE ?", ("%" + IDEA + "%",)).fetchone()
        # every table's highest row number (a table WITHOUT ROWID, seen_events, numbers no rows)
        keyed = {r[0] for r in con.execute("SELECT name FROM pragma_table_list WHERE wr = 1")}
        top = {t: con.execute('SELECT coalesce(max(rowid), 0) FROM "%s"' % t).fetchone()[0]
               for t in after if t != "feedback" and not t.startswith("sqlite_") and t not in keyed}
        con.close()
        check(row is not None and re.fullmatch(r"\d{4}-\d{2}", row[1]), "the suggestion keeps only its month: %s" % (row,))
        # its id is drawn at random, not the next number: nothing to line up with other tables' rows
        check(row[0] > 2 ** 32 and all(abs(row[0] - n) > 2 ** 20 for n in top.values()),
              "the suggestion's id follows a sequence: %s (tops: %s)" % (row[0], top))
        for table in after:
            if table == "feedback":
                added = [r for r in after[table] if r not in before[table]]
                check(len(added) == 1 and IDEA in added[0], "the suggestion was not stored once: %s" % added)
                rest = re.sub(r"^\(\d+, ", "(", added[0])  # all but the random id
                check(not re.search(r"\d{9,}", rest), "a timestamp in the suggestion's row: " + added[0])
            else:
                check(after[table] == before[table],
                      "/feedback changed table %s (audit log or a trace): %s" % (
                          table, [r for r in after[table] if r not in before[table]]))
        check("audit" in after, "no audit table to check")

        # two more members make three suggestions; the monthly process check-in shares them. A
        # coordinator's export holds none of them before that, and then only their month.
        t = Tend(binary, db, member="bea", env=ENV, stderr_path=log)
        export = export_file(t.say("export group"))
        check(IDEA not in export, "the group export shows a suggestion the group was never shown")
        t.say("feedback Shorter meetings please")
        t.say(":as cam")
        t.say("feedback A shared calendar")
        shared = t.say(":advance 5w")
        export = export_file(t.say("export group"))
        check(IDEA in export, "a suggestion shared at the process check-in is missing from the export")
        check(re.search(r'"month":\s*"\d{4}-\d{2}"', export) and not re.search(r'"day"', export),
              "the export times a suggestion finer than its month:\n" + export)
        check(t.quit() == 0, "tend did not exit cleanly")
        shown = "\n".join(shared)
        check(IDEA in shown, "the suggestions were never shared at the process check-in:\n" + shown)
        check(AUTHOR not in "\n".join(l for l in shared if IDEA in l or "suggestion" in l.lower()),
              "the shared suggestions name the author")
        # nothing public or sent to others ever put the author next to the suggestion
        for block in re.split(r"\n(?=\[)", shown):
            if IDEA in block:
                check(AUTHOR not in block, "a message carries both the suggestion and its author:\n" + block)
        print("privacy: feedback row has only %s; no other row changed; log and messages never name the author"
              % ", ".join(cols))


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
