"""pocat.py — a small reader of .po/.pot files for tend's catalogue tests (no third-party module).

An entry is a dict: msgctxt (or None: the word lists of bot/words.c have one), msgid, msgid_plural (or None), msgstr (a list: one string, or one per plural
form), flags (a set: "fuzzy", "c-format"), names (the MSG_ names from the TRANSLATORS comments)."""


def _unquote(s):
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    body, out, i = s[1:-1], [], 0
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(body):
        c = body[i]
        if c == "\\":
            n = body[i + 1]
            if n in escapes:
                out.append(escapes[n])
                i += 2
                continue
            if n == "x":
                j = i + 2
                while j < len(body) and body[j] in "0123456789abcdefABCDEF":
                    j += 1
                out.append(chr(int(body[i + 2:j], 16)))
                i = j
                continue
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i + 1:j], 8)))
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def read(path):
    entries = []
    for block in open(path, encoding="utf-8").read().split("\n\n"):
        e = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": [], "flags": set(), "names": [], "obsolete": False}
        field = None
        for line in block.split("\n"):
            if line.startswith("#~"):
                e["obsolete"] = True
            elif line.startswith("#,"):
                e["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#. TRANSLATORS:"):
                e["names"].append(line.split(":", 1)[1].strip())
            elif line.startswith("#"):
                continue
            elif line.startswith("msgctxt "):
                field = "msgctxt"
                e[field] = _unquote(line[len("msgctxt "):])
            elif line.startswith("msgid_plural "):
                field = "msgid_plural"
                e[field] = _unquote(line[len("msgid_plural "):])
            elif line.startswith("msgid "):
                field = "msgid"
                e[field] = _unquote(line[len("msgid "):])
            elif line.startswith("msgstr"):
                field = "msgstr"
                e["msgstr"].append(_unquote(line.split(" ", 1)[1]))
            elif line.startswith('"') and field:
                if field == "msgstr":
                    e["msgstr"][-1] += _unquote(line)
                else:
                    e[field] += _unquote(line)
        if e["msgid"] is not None:
            entries.append(e)
    return entries


def quote(s):
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    parts = s.split("\n")
    if len(parts) == 1:
        return '"' + s + '"'
    segs = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join('"' + g + '"' for g in segs)
