"""console_session.py — the real tend in the console with the build's catalogues, for the i18n
scripts: runs a script of console lines and reads back the messages members saw, through
console_transcript.parse (each also under "aud", the key these scripts match on)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from console_transcript import parse  # noqa: E402


def run(tend, locale_dir, db, script, now="2026-11-03T10:00"):
    """(what tend printed, its messages) for script, with the database db (its folder is the data
    home) and the console's clock at now."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEND_", "DISCORD_", "MATRIX_"))}
    env.update({"XDG_DATA_HOME": os.path.dirname(db), "TEND_BOT_LOCALE_DIR": locale_dir})
    p = subprocess.run([tend, "--console", "--database", db, "--now", now], input=script.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=90)
    assert p.returncode == 0, p.stderr.decode()
    out = p.stdout.decode()
    return out, [dict(m, aud=m["audience"]) for m in parse(out)]
