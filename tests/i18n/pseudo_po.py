#!/usr/bin/env python3
"""pseudo_po.py POT OUT — a pseudo-translation ("qps") of tend.pot for tests: every msgstr is its
msgid between ⟦ and ⟧, formats and command markers kept. A second catalogue whose strings differ from
both English and Spanish is what shows a language switch that leaked (gettext's cache returning the
previous language's string)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pocat  # noqa: E402

pot, out = sys.argv[1], sys.argv[2]


def pseudo(s):
    """⟦…⟧ inside any leading and trailing newlines, which msgfmt --check wants kept."""
    body = s.strip("\n")
    lead = s[:len(s) - len(s.lstrip("\n"))]
    trail = s[len(s.rstrip("\n")):] if body else ""
    return lead + "⟦" + body + "⟧" + trail


res = ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
       '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', ""]
for e in pocat.read(pot):
    if e["msgid"] == "":
        continue
    if e["msgctxt"] is not None:
        res.append("msgctxt " + pocat.quote(e["msgctxt"]))
    res.append("msgid " + pocat.quote(e["msgid"]))
    if e["msgid_plural"] is not None:
        res.append("msgid_plural " + pocat.quote(e["msgid_plural"]))
        res.append("msgstr[0] " + pocat.quote(pseudo(e["msgid"])))
        res.append("msgstr[1] " + pocat.quote(pseudo(e["msgid_plural"])))
    else:
        res.append("msgstr " + pocat.quote(pseudo(e["msgid"])))
    res.append("")
open(out, "w", encoding="utf-8").write("\n".join(res))
