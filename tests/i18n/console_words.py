#!/usr/bin/env python3
"""console_words.py TEND LOCALE_DIR — members type in their own language, and tend reads it.

In a Spanish group and in a German one, through the real binary's console, a member adds a task
for Friday, checks in, steps back for two weeks and turns nudges off using only their language's
words (no English option value anywhere). What is asserted is what was stored, as the member reads
it back: the task's day in the announcement, the rest's last day and the check-in in /me, nudges
off in /me. A word of the other language is refused and changes nothing. Now is Tuesday
2026-11-03 10:00 UTC: Friday is 6 November, two weeks of rest end on Tuesday 17 November."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console_session  # noqa: E402

tend, locale_dir = sys.argv[1], sys.argv[2]

LANGS = {
    "es": {
        "script": ":as ana\n/setup language:es\n:as bea\n/task add Sopa when:viernes 18:00\n"
                  "/checkin müde\n/checkin cansada semana larga\n/stepback 2 semanas\n/nudges no\n/me\n:quit\n",
        "task": r"^Nueva tarea: #1 Sopa \(0 de 1 persona, vie 6 nov, 18:00\)",
        "read": r"^Entendí when:\"viernes 18:00\" como viernes 6 de noviembre a las 18:00",
        # müde is German: not read in a Spanish group; the refusal names the Spanish words
        "refused": r"^Entiendo great, ok, low u out\. En español: genial, bien, bajo, agotado\.",
        "rest": r"^Descansa bien\. Estás de descanso hasta martes 17 de noviembre",
        "nudges": r"no te enviaré avisos",
        "me": [r"Estás de descanso hasta martes 17 de noviembre", r"Tu último check-in: bajo\.",
               r"Avisos: desactivados"],
    },
    "de": {
        "script": ":as ana\n/setup language:de\n:as bea\n/task add Suppe when:Fr 18 Uhr\n"
                  "/checkin cansada\n/checkin müde lange Woche\n/stepback 2 Wochen\n/nudges aus\n/me\n:quit\n",
        "task": r"^Neue Aufgabe: #1 Suppe \(0 von 1 Person, Fr\., 6\. Nov\., 18:00\)",
        "read": r"^Ich habe when:\"Fr 18 Uhr\" als Freitag, 6\. November um 18:00 UTC gelesen",
        "refused": r"^Ich verstehe great, ok, low oder out\. Auf Deutsch: super, gut, müde, erschöpft\.",
        "rest": r"^Erhol dich gut\. Du hast Pause bis Dienstag, 17\. November",
        "nudges": r"keine Anstupser",
        "me": [r"Du machst Pause bis Dienstag, 17\. November", r"Dein letzter Check-in: müde\.",
               r"Anstupser: aus"],
    },
}


def run(code, script, tmp):
    return console_session.run(tend, locale_dir, os.path.join(tmp, code + ".db"), script)


def one(msgs, aud, who, pattern, what, out):
    found = [m for m in msgs if m["aud"] == aud and m["who"] == who and re.search(pattern, m["text"], re.S | re.M)]
    if len(found) != 1:
        sys.stderr.write(out)
        raise SystemExit("%s: expected one message matching %r, found %d" % (what, pattern, len(found)))
    return found[0]


with tempfile.TemporaryDirectory() as tmp:
    for code, want in LANGS.items():
        out, msgs = run(code, want["script"], tmp)
        one(msgs, "public", None, want["task"], code + ": the task is on Friday for the group", out)
        one(msgs, "private", "bea", want["read"], code + ": the time read back as Friday 18:00", out)
        one(msgs, "private", "bea", want["refused"], code + ": the other language's word refused", out)
        one(msgs, "private", "bea", want["rest"], code + ": two weeks of rest, to Tuesday the 17th", out)
        one(msgs, "private", "bea", want["nudges"], code + ": nudges turned off", out)
        me = [m for m in msgs if m["aud"] == "private" and m["who"] == "bea"][-1]
        for pattern in want["me"]:
            if not re.search(pattern, me["text"]):
                sys.stderr.write(out)
                raise SystemExit("%s: /me lacks %r: %r" % (code, pattern, me["text"]))
        if re.search(r"check-in: (low|out|great|ok)\.", me["text"]):
            raise SystemExit("%s: /me says the check-in in English: %r" % (code, me["text"]))
print("es, de: check-in, rest, a Friday task and nudges typed in the member's own words, read back right")
