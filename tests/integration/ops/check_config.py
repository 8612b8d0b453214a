#!/usr/bin/env python3
"""check_config.py — `tend --check-config` tells the truth, and a start agrees with it.

usage: check_config.py TEND_BINARY

Each case is a configuration an operator really writes (a file, the environment, or both): half a
Discord, Matrix, Signal or Telegram setup, a Signal number without its +, a folder where the file
should be (what a Docker bind mount of a missing file makes), a UTF-8 byte order mark, a token pasted into the wrong keys, a database folder that
does not exist. For each: the check's exact lines and exit code, then a real start with the same
configuration, which must fail with the same lines (never quietly run the console instead) or
start when the check said ok. No five characters in a row of any secret appear anywhere.
Prints every case's line, for the issue's closing note.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opskit import Failure, check, clean_env  # noqa: E402

TOKEN = "MTk4NjIyNDgzNDcxOTI1MjQ4.Gh5ZqX.VbK9wQz7yXpL2mN8rT4sU6vW1aB3cD5eF7gH"
MX_TOKEN = "syt_dGVuZA_QvRmWxYzKpLnMbVcXzAs_1Ab2Cd"
SECRETS = [TOKEN, MX_TOKEN]


def run(args, env, stdin=b""):
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=clean_env(env), timeout=30)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def no_piece_of_a_secret(what, text):
    for s in SECRETS:
        for i in range(len(s) - 4):
            piece = s[i:i + 5]
            check(piece not in text, "%s printed part of a secret (%r):\n%s" % (what, piece, text))


def case(binary, tmp, name, text, env, want_lines, bom=False, path=None, own_database=False):
    """Runs the check and a start on one configuration; returns the check's output."""
    if path is None:
        path = os.path.join(tmp, name.replace(" ", "_") + ".conf")
        if text is not None:
            with open(path, "wb") as f:
                f.write((b"\xef\xbb\xbf" if bom else b"") + text.encode())
            os.chmod(path, 0o600)
    db = [] if own_database else ["--database", os.path.join(tmp, name.replace(" ", "_") + ".db")]
    rc, out, err = run([binary, "--check-config", path] + db, env)
    no_piece_of_a_secret(name + " (check)", out + err)
    if want_lines is None:
        check(rc == 0 and out == "ok\n", "%s: the check should say ok:\n%s%s" % (name, out, err))
    else:
        got = out.rstrip("\n").split("\n")
        check(rc == 1 and got == want_lines,
              "%s: the check said (rc %d):\n%s\nwanted:\n%s" % (name, rc, out, "\n".join(want_lines)))
    # a start with the same configuration agrees: refuses with the same lines, or runs
    rc2, out2, err2 = run([binary, "--config", path] + db, env, b"/me\n")
    no_piece_of_a_secret(name + " (start)", out2 + err2)
    if want_lines is None:
        check(rc2 == 0 and "[private you]" in out2, "%s: did not start:\n%s%s" % (name, out2, err2))
    else:
        check(rc2 == 1, "%s: a start exited %d, not 1:\n%s%s" % (name, rc2, out2, err2))
        check(out2 == "", "%s: tend ran something (a console?) instead of stopping:\n%s" % (name, out2))
        for line in want_lines:
            check(line in err2, "%s: a start does not say %r:\n%s" % (name, line, err2))
    print("%-34s %s" % (name + ":", out.rstrip("\n").replace("\n", "\n" + " " * 35)))
    return out


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="tend-check-") as tmp:
        p = lambda name: os.path.join(tmp, name.replace(" ", "_") + ".conf")  # noqa: E731

        case(binary, tmp, "discord token, no application id", None, {"DISCORD_TOKEN": TOKEN},
             ["Discord is half set up (DISCORD_TOKEN is set): [discord] application_id is missing "
              "(or TEND_DISCORD_APPLICATION_ID)"], path=os.devnull)
        case(binary, tmp, "discord application id, no token", "[discord]\napplication_id = 1234567890\n", {},
             ["Discord is half set up ([discord] application_id is set): [discord] token is missing "
              "(or DISCORD_TOKEN)"])
        case(binary, tmp, "matrix homeserver only", "[matrix]\nhomeserver = https://matrix.example.org\n", {},
             ["Matrix is half set up ([matrix] homeserver is set): [matrix] user_id is missing "
              "(or TEND_MATRIX_USER_ID)",
              "Matrix is half set up ([matrix] homeserver is set): [matrix] access_token or [matrix] password "
              "is missing (or MATRIX_ACCESS_TOKEN / TEND_MATRIX_PASSWORD)"])
        case(binary, tmp, "matrix user and token, no server", None,
             {"TEND_MATRIX_USER_ID": "@tend:example.org", "MATRIX_ACCESS_TOKEN": MX_TOKEN},
             ["Matrix is half set up (TEND_MATRIX_USER_ID is set): [matrix] homeserver is missing "
              "(or TEND_MATRIX_HOMESERVER)"], path=os.devnull)
        case(binary, tmp, "signal daemon, no account", "[signal]\nrpc_url = http://127.0.0.1:7583\n", {},
             ["Signal is half set up ([signal] rpc_url is set): [signal] account is missing "
              "(or TEND_SIGNAL_ACCOUNT)"])
        out = case(binary, tmp, "a signal number without its +", None, {"TEND_SIGNAL_ACCOUNT": "015550001234"},
                   ["TEND_SIGNAL_ACCOUNT must be a phone number in international form, like +15551234567"],
                   path=os.devnull)
        check("015550001234" not in out, "the account number was repeated:\n" + out)
        case(binary, tmp, "telegram api base, no token", None, {"TEND_TELEGRAM_API_BASE": "http://127.0.0.1:8081"},
             ["Telegram is half set up (TEND_TELEGRAM_API_BASE is set): [telegram] token is missing "
              "(or TELEGRAM_TOKEN)"], path=os.devnull)
        folder = os.path.join(tmp, "tend.conf")
        os.mkdir(folder)
        case(binary, tmp, "a folder as the config file", None, {},
             ["%s: is a folder, not a config file (a bind mount of a missing file makes one)" % folder],
             path=folder)
        case(binary, tmp, "a UTF-8 byte order mark", "[bot]\r\ngrace_hours = 3\r\n", {}, None, bom=True)
        name = "a token in the wrong keys"
        case(binary, tmp, name,
             "[discord]\ntoken = %s\napplication_id = %s\n[log]\nlevel = %s\n[bot]\n%s = 3\n"
             % (TOKEN, TOKEN, TOKEN, TOKEN), {"TEND_BOT_GRACE_HOURS": TOKEN},
             ["%s:3: [discord] application_id must be the application's numeric id" % p(name),
              "%s:5: [log] level must be debug, info, warn or error" % p(name),
              "%s:7: unknown key in [bot] (its name is not repeated here)" % p(name),
              "TEND_BOT_GRACE_HOURS must be a whole number from 0 to 168"])
        case(binary, tmp, "nothing set: the console", "[bot]\ngrace_hours = 4\n", {}, None)
        name = "a database folder that is missing"
        case(binary, tmp, name, "[store]\ndatabase = %s/no/such/tend.db\n" % tmp, {},
             ["database %s/no/such/tend.db: its folder %s/no/such does not exist" % (tmp, tmp)],
             own_database=True)
        name = "a host name to listen on"
        case(binary, tmp, name, "[ops]\nlisten = localhost:9464\n", {},
             ["%s:2: [ops] listen must be an address and port like 127.0.0.1:9464 (numbers, no host name)"
              % p(name)])
    print("check_config: every case's line as above; starts agree; no piece of a secret printed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
