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
import subprocess
import sys
import tempfile

tend, locale_dir = sys.argv[1], sys.argv[2]
HEAD = re.compile(r"^\[(public|private|dm|console)(?: ([^\]]+))?\] ?(.*)$")

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
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEND_", "DISCORD_", "MATRIX_"))}
    env.update({"XDG_DATA_HOME": tmp, "TEND_BOT_LOCALE_DIR": locale_dir})
    p = subprocess.run([tend, "--console", "--database", os.path.join(tmp, code + ".db"), "--now",
                        "2026-11-03T10:00"], input=SCRIPT.format(code=code, thanks=LANGS[code]["thanks_typed"]).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=90)
    assert p.returncode == 0, p.stderr.decode()
    msgs = []
    for line in p.stdout.decode().splitlines():
        m = HEAD.match(line)
        if m:
            msgs.append({"aud": m.group(1), "who": m.group(2), "text": m.group(3)})
        elif line.startswith("  ") and msgs:
            msgs[-1]["text"] += "\n" + line[2:]
    return p.stdout.decode(), msgs


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
