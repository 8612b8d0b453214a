#!/usr/bin/env python3
"""check_files.py — the console delivers /export, /export group and /tasks ics as files.

usage: check_files.py CASE TEND_BINARY      (run with the venv's python: it imports icalendar)

export:   the console prints a path; the file is in a folder beside the database, the folder
          0700 and the file 0600; it is the member's JSON (their check-in note is in it, another
          member's is not); a second export never overwrites the first; /export typed in the group
          room writes nothing; a bad word writes nothing and is answered in one line.
calendar: /tasks ics parsed by a real iCalendar library (icalendar from PyPI): every line CRLF and
          at most 75 octets, folded only between characters; titles with commas, semicolons, a
          backslash, emoji and @everyone come back exactly; times are the group's (Europe/Berlin,
          also across the spring DST change for a weekly repeat, read through the file's own
          VTIMEZONE); repeats are RRULEs; a whole-day task is a DATE; a task without a time or
          already done is left out; UIDs are stable across exports and distinct per task;
          /tasks ics mine holds only what I hold; nothing in any chat line pings anyone.
"""
import datetime as dt
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
from zoneinfo import ZoneInfo

import icalendar

BERLIN = ZoneInfo("Europe/Berlin")
START = "2026-11-03T10:00"  # a Tuesday in Berlin's winter time
FILE_LINE = re.compile(r"^  \U0001F4CE file: (.+)$", re.M)


class Failure(Exception):
    pass


def check(cond, what, transcript=None):
    if not cond:
        if transcript is not None:
            sys.stderr.write("---- transcript ----\n" + transcript + "\n--------------------\n")
        raise Failure(what)


def run(tend, db, script, tmp):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEND_", "DISCORD_", "MATRIX_"))}
    env["XDG_DATA_HOME"] = tmp
    env["TEND_BOT_COMMANDS_PER_MINUTE"] = "0"
    proc = subprocess.run([tend, "--console", "--database", db, "--now", START], input=script.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=90)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    check("Sanitizer" not in err and "runtime error" not in err, "sanitizer report:\n" + err)
    check(proc.returncode == 0, "tend exited with %d:\n%s" % (proc.returncode, err), out)
    return out


def files_in(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def case_export(tend):
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        os.mkdir(data)
        db = os.path.join(data, "tend.db")
        folder = os.path.join(data, "tend-files")
        out = run(tend, db, "\n".join([
            ":as ana",
            "checkin low note:ana-private-note",
            ":as bea",
            "checkin ok note:bea-private-note",
            ":as ana",
            'task add "@everyone soup" when:"fri 18:00"',
            "claim 1",
            "export",
            "export",
            "export everything",
            ":room",
            "export",
            ":dm",
            "export group",
            ":quit", ""]), tmp)
        paths = FILE_LINE.findall(out)
        check(len(paths) == 3, "three exports, three files printed (not the refused ones): %s" % paths, out)
        check(all(os.path.dirname(p) == os.path.realpath(folder) for p in paths),
              "the files are in a folder beside the database: %s" % paths, out)
        check(len(set(paths)) == 3, "a second export overwrote the first: %s" % paths, out)
        check(files_in(folder) == sorted(os.path.basename(p) for p in paths),
              "only the asked-for files are written: %s" % files_in(folder), out)
        check(stat.S_IMODE(os.stat(folder).st_mode) == 0o700, "the folder is not 0700")
        for p in paths:
            check(stat.S_IMODE(os.stat(p).st_mode) == 0o600, "%s is not 0600" % p)
        mine = json.load(open(paths[0], encoding="utf-8"))
        check(mine["profile"]["name"] == "ana", "the export is not ana's: %r" % mine["profile"])
        check([c["note"] for c in mine["checkins"]] == ["ana-private-note"], "ana's check-in is missing")
        check(mine["claims"][0]["title"] == "@everyone soup", "the claim's title is not kept exactly")
        text = open(paths[0], encoding="utf-8").read()
        check("bea-private-note" not in text, "another member's check-in is in ana's export")
        check(json.load(open(paths[1], encoding="utf-8")) == mine, "the second export differs from the first")
        group = json.load(open(paths[2], encoding="utf-8"))
        check(group["tasks"][0]["title"] == "@everyone soup", "the group export lacks the task")
        gtext = open(paths[2], encoding="utf-8").read()
        check("private-note" not in gtext, "the group export holds a member's check-in note")
        # the chat lines themselves: no JSON wall, one line for the bad word, the room refusal
        chat = [l for l in out.splitlines() if l.startswith("[")]
        check(not any('"profile"' in l or '"checkins"' in l for l in out.splitlines()),
              "the export is printed into the chat as well", out)
        bad = [l for l in chat if "export everything" in l or "The export is just" in l]
        check(len(bad) == 1, "the bad word gets one line", out)
        check(any(l.startswith("[private ana]") and "didn't record it" in l for l in chat),
              "/export in the room is pointed to the private chat", out)
        check(not any(l.startswith("[public]") and "file" in l for l in chat), "a file was offered in public", out)


def physical_lines(raw):
    check(raw.endswith(b"\r\n"), "the file does not end with CRLF")
    lines = raw.split(b"\r\n")[:-1]
    for line in lines:
        check(b"\n" not in line and b"\r" not in line, "a bare LF or CR in %r" % line)
        check(len(line) <= 75, "a line of %d octets: %r" % (len(line), line))
        line.decode("utf-8")  # folding never cuts a character in two
    return lines


def events_of(path):
    raw = open(path, "rb").read()
    lines = physical_lines(raw)
    cal = icalendar.Calendar.from_ical(raw)
    check(str(cal.get("VERSION")) == "2.0" and cal.get("PRODID"), "VERSION or PRODID missing")
    return cal, {str(e.get("SUMMARY")): e for e in cal.walk("VEVENT")}, lines


def case_calendar(tend):
    soup = "Soup, run; for @everyone \\ with \U0001F372 and a very long tail that must fold " \
           "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9 \U0001F372\U0001F372\U0001F372"
    script = "\n".join([
        "setup timezone:Europe/Berlin",
        'task add "%s" when:"fri 18:00" repeat:weekly note:bring a pot; and spoons, please' % soup,
        'task add "Fix the bike" when:"2026-11-20"',
        'task add "Spring drive" when:"2027-03-26 18:30" repeat:weekly',
        'task add "Month end count" when:"2026-11-30 19:00" repeat:monthly',
        'task add "No time at all"',
        'task add "Over already" when:"2026-11-04 09:00"',
        "claim 1",
        "done 6",
        "tasks ics",
        "tasks ics",
        "tasks ics mine",
        "tasks ics bogus",
        ":quit", ""])
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "tend.db")
        out = run(tend, db, script, tmp)
        paths = FILE_LINE.findall(out)
        check(len(paths) == 3, "three calendars written (the bad word writes none): %s" % paths, out)
        check(all(p.endswith(".ics") for p in paths), "calendar files end in .ics: %s" % paths)
        check(stat.S_IMODE(os.stat(paths[0]).st_mode) == 0o600, "the calendar is not 0600")
        chat = [l for l in out.splitlines() if l.startswith("[")]
        check(sum(1 for l in chat if "tasks ics [mine]" in l) == 1, "the bad word gets one line", out)
        check(not any("BEGIN:V" in l for l in out.splitlines()), "the calendar is printed into the chat", out)

        cal, ev, lines = events_of(paths[0])
        check(any(l.startswith(b" ") for l in lines), "the long title was not folded")
        check(set(ev) == {soup, "Fix the bike", "Spring drive", "Month end count"},
              "the wrong tasks (or titles not exact): %s" % sorted(ev))
        s = ev[soup]
        start = s.decoded("DTSTART")
        check(isinstance(start, dt.datetime) and start.tzinfo is not None, "a timed task has no zone")
        check(start.astimezone(BERLIN).replace(tzinfo=None) == dt.datetime(2026, 11, 6, 18, 0),
              "fri 18:00 in Berlin came back as %s" % start)
        check(start.astimezone(dt.timezone.utc) == dt.datetime(2026, 11, 6, 17, 0, tzinfo=dt.timezone.utc),
              "fri 18:00 Berlin is 17:00 UTC in November, got %s" % start.astimezone(dt.timezone.utc))
        check(s["DTSTART"].params.get("TZID") == "Europe/Berlin", "DTSTART has no TZID=Europe/Berlin")
        check(s.get("RRULE") == {"FREQ": ["WEEKLY"]}, "weekly is not FREQ=WEEKLY: %r" % s.get("RRULE"))
        check(str(s.get("DESCRIPTION")).startswith("bring a pot; and spoons, please"),
              "the note did not come back exactly: %r" % str(s.get("DESCRIPTION")))
        check(s.get("DTSTAMP") is not None, "no DTSTAMP")
        bike = ev["Fix the bike"].decoded("DTSTART")
        check(type(bike) is dt.date and bike == dt.date(2026, 11, 20), "a whole day is not a DATE: %r" % bike)
        month = ev["Month end count"]
        check(month.get("RRULE")["FREQ"] == ["MONTHLY"] and month.get("RRULE").get("BYSETPOS") == [-1],
              "monthly on the 30th keeps the month's last day: %r" % month.get("RRULE"))

        # the file's own VTIMEZONE, not the parser's knowledge of the name, gives the right offsets
        zones = cal.walk("VTIMEZONE")
        check(len(zones) == 1 and str(zones[0]["TZID"]) == "Europe/Berlin", "one VTIMEZONE for Europe/Berlin")
        own = zones[0].to_tz()
        spring = ev["Spring drive"]
        first = spring.decoded("DTSTART")
        check(first.astimezone(BERLIN).replace(tzinfo=None) == dt.datetime(2027, 3, 26, 18, 30),
              "the spring drive moved: %s" % first)
        for day in (dt.datetime(2027, 3, 26, 18, 30), dt.datetime(2027, 4, 2, 18, 30),
                    dt.datetime(2026, 11, 6, 18, 0), dt.datetime(2027, 7, 1, 12, 0)):
            check(own.utcoffset(day) == BERLIN.utcoffset(day),
                  "the file's VTIMEZONE says %s at %s, the tz database %s" % (own.utcoffset(day), day,
                                                                          BERLIN.utcoffset(day)))
        # the week after the change the drive is still 18:30 local: 16:30 UTC, not 17:30
        nxt = first.replace(tzinfo=None) + dt.timedelta(weeks=1)
        check(nxt.replace(tzinfo=own).astimezone(dt.timezone.utc).hour == 16,
              "18:30 on 2 April 2027 in Berlin is 16:30 UTC")

        uids = {k: str(e["UID"]) for k, e in ev.items()}
        check(len(set(uids.values())) == 4, "UIDs are not distinct: %s" % uids)
        _, again, _ = events_of(paths[1])
        check({k: str(e["UID"]) for k, e in again.items()} == uids, "UIDs changed between two exports")

        _, mine, _ = events_of(paths[2])
        check(set(mine) == {soup}, "tasks ics mine holds more than my claim: %s" % sorted(mine))
        check("/tasks ics" not in open(paths[0], encoding="utf-8").read(), "a command marker in the file")


def main():
    case, tend = sys.argv[1], sys.argv[2]
    try:
        {"export": case_export, "calendar": case_calendar}[case](tend)
    except Failure as e:
        print("FAIL (%s): %s" % (case, e))
        return 1
    print("ok: %s" % case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
