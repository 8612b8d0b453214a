#!/usr/bin/env python3
"""check_catalogue.py SOURCE_DIR BUILT_POT — the message catalogue is whole, in every language.

- every MSG_ define of bot/messages.h is in the .pot the build extracted (named in its TRANSLATORS
  comments), and a counted one (name ending _N) has a plural;
- po/tend.pot, the copy translators start from, has exactly the built .pot's msgids;
- every po/*.po translates every msgid, none fuzzy, none left over, every plural form filled, and
  keeps each command marker (\\x1D, shown as the platform's / or !) and each line break around it.
Formats (%s, %d in order) are msgfmt --check-format's job (i18n.msgfmt.*)."""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pocat  # noqa: E402

src, built = sys.argv[1], sys.argv[2]
problems = []

header = open(os.path.join(src, "bot/messages.h"), encoding="utf-8").read()
names = re.findall(r"^#define (MSG_[A-Z0-9_]+)", header, re.M)
pot = [e for e in pocat.read(built) if e["msgid"]]
in_pot = {n: e for e in pot for n in e["names"]}
for n in names:
    if n not in in_pot:
        problems.append("%s is not in the .pot" % n)
    elif n.endswith("_N") and in_pot[n]["msgid_plural"] is None:
        problems.append("%s is counted (_N) but has no plural in the .pot" % n)
if len(names) < 300:
    problems.append("only %d MSG_ defines found in bot/messages.h: the reader is broken" % len(names))

key = lambda e: (e["msgctxt"], e["msgid"], e["msgid_plural"])  # noqa: E731
want = {key(e) for e in pot}
committed = {key(e) for e in pocat.read(os.path.join(src, "po/tend.pot")) if e["msgid"]}
for k in sorted(want - committed, key=str):
    problems.append("po/tend.pot lacks %r: copy the build's tend.pot over it" % (k[1][:60],))
for k in sorted(committed - want, key=str):
    problems.append("po/tend.pot has %r, which the code no longer says" % (k[1][:60],))

pos = sorted(glob.glob(os.path.join(src, "po", "*.po")))
if not pos:
    problems.append("no po/*.po at all")
for po in pos:
    lang = os.path.basename(po)[:-3]
    have = {}
    for e in pocat.read(po):
        if e["msgid"] and not e["obsolete"]:
            have[key(e)] = e
    for k in sorted(want - set(have), key=str):
        problems.append("%s: missing %r" % (lang, k[1][:60]))
    for k in sorted(set(have) - want, key=str):
        problems.append("%s: %r is no longer in the code (msgmerge drops it)" % (lang, k[1][:60]))
    for k, e in have.items():
        if k not in want:
            continue
        short = e["msgid"][:50]
        if "fuzzy" in e["flags"]:
            problems.append("%s: fuzzy %r" % (lang, short))
        if not e["msgstr"] or any(not s for s in e["msgstr"]):
            problems.append("%s: untranslated %r" % (lang, short))
            continue
        if e["msgid_plural"] is not None and len(e["msgstr"]) < 2:
            problems.append("%s: %r lacks a plural form" % (lang, short))
        for s in e["msgstr"]:
            if s.count("\x1d") != e["msgid"].count("\x1d"):
                problems.append("%s: %r has %d command markers, the English %d" %
                                (lang, short, s.count("\x1d"), e["msgid"].count("\x1d")))
            if "\x1e" in s or "\x1f" in s:
                problems.append("%s: %r carries a mention marker" % (lang, short))

for p in problems:
    print(p)
print("%d messages, %d languages besides English, %d problems" % (len(want), len(pos), len(problems)))
sys.exit(1 if problems else 0)
