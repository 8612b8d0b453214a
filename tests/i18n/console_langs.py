#!/usr/bin/env python3
"""console_langs.py TEND LOCALE_DIR — a short session in each of the other shipped languages.

For Brazilian Portuguese (chosen as plain "pt", which finds the one Portuguese catalogue), French
and German: the coordinator's /setup is answered in the new language and names it, the group's
announcement carries the task number, the places counted in that language's plural and the day in
that language, the claim is answered privately in it with the task number, a low check-in is met
kindly in it, an impossible time is explained in it, and a
thank you reads with one word for "for" (the member's own when they typed one). English never leaks into those lines."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import console_session  # noqa: E402

tend, locale_dir = sys.argv[1], sys.argv[2]

SCRIPT = (":as ana\n/setup language:{code}\n/task add Soup run when:fri 18:00 slots:2\n"
          ":as bea\n/claim 1\n/checkin low\n:as ana\n/task add Bread when:31 nov\n/thanks bea {thanks}\n:quit\n")

LANGS = {
    "pt": {
        "setup": r"^Salvo\..*Idioma: português \(Brasil\) \(pt_BR\)",
        "announce": r"^Nova tarefa: #1 Soup run \(0 de 2 pessoas, sex 6 de nov, 18:00\)\. /claim 1",
        "claim": r"^#1 Soup run \(1 de 2 pessoas, .*\) está com você\. Valeu!",
        "low": r"^Valeu por me contar\. .*/stepback",
        "nov31": r"^when:\"31 nov\" .*(não existe|inexistente)",
        # a reason with its own "for" (a contraction: por + a) is shown as typed, never "por pela"
        "thanks_typed": "pela carona",
        "thanks": r"@bea pela carona!$",
    },
    "fr": {
        "setup": r"^Enregistré\..*Langue\s:\sfrançais \(fr\)",
        "announce": r"^Nouvelle tâche\s:\s#1 Soup run \(0 sur 2 personnes, ven\. 6 nov\., 18:00\)\. /claim 1",
        "claim": r"^#1 Soup run \(1 sur 2 personnes, .*\) est à toi\. Merci\s!",
        "low": r"^Merci de me le dire\. .*/stepback",
        "nov31": r"when:\"31 nov\" .*(n'existe pas|existe pas)",  # French typography: U+00A0 before : and !
        "thanks_typed": "pour le pain",
        "thanks": r"@bea pour le pain\s?!$",
    },
    "de": {
        "setup": r"^Gespeichert\..*Sprache: Deutsch \(de\)",
        "announce": r"^Neue Aufgabe: #1 Soup run \(0 von 2 Personen, Fr\., 6\. Nov\., 18:00\)\. Mit /claim 1",
        "claim": r"^#1 Soup run \(1 von 2 Personen, .*\) gehört dir\. Danke!",
        "low": r"^Danke, dass du es mir sagst\. .*/stepback",
        "nov31": r"when:\"31 nov\" .*(den es nicht gibt|existiert nicht)",
        "thanks_typed": "die Suppe",  # no "für" typed: the translation's own is put in front
        "thanks": r"@bea für die Suppe!$",
    },
}
ENGLISH = ("Thank you", "is yours", "New task", "people", "Saved", "doesn't exist")


def run(code, tmp):
    script = SCRIPT.format(code=code, thanks=LANGS[code]["thanks_typed"])
    return console_session.run(tend, locale_dir, os.path.join(tmp, code + ".db"), script)


def one(msgs, aud, who, pattern, what, out):
    found = [m for m in msgs if m["aud"] == aud and m["who"] == who and re.search(pattern, m["text"], re.S)]
    if len(found) != 1:
        sys.stderr.write(out)
        raise SystemExit("%s: expected one line matching %r, found %d" % (what, pattern, len(found)))
    leaked = [w for w in ENGLISH if w in found[0]["text"]]
    if leaked:
        sys.stderr.write(out)
        raise SystemExit("%s: English %r in %r" % (what, leaked, found[0]["text"]))


with tempfile.TemporaryDirectory() as tmp:
    for code, want in LANGS.items():
        out, msgs = run(code, tmp)
        one(msgs, "private", "ana", want["setup"], code + ": /setup answered in the new language", out)
        one(msgs, "public", None, want["announce"], code + ": the announcement, with number, places and day", out)
        one(msgs, "private", "bea", want["claim"], code + ": the claim answered privately, with the number", out)
        one(msgs, "private", "bea", want["low"], code + ": a low check-in met kindly", out)
        one(msgs, "private", "ana", want["nov31"], code + ": an impossible day explained", out)
        one(msgs, "public", None, want["thanks"], code + ": a thank you whose reason reads once, in the language", out)
print("pt_BR, fr, de: each language's session reads as it should")
