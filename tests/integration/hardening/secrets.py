#!/usr/bin/env python3
"""secrets.py — tokens never show up in anything tend prints.

usage: secrets.py TEND_BINARY

Known secrets go in through every door (TEND_DISCORD_TOKEN, DISCORD_TOKEN, MATRIX_ACCESS_TOKEN,
TEND_MATRIX_PASSWORD and a config file holding a token, a password and a misspelled token key),
then tend runs --check-config on good and bad files, a console session at debug level, and the
Discord, Matrix and Telegram adapters against endpoints that refuse the connection (so their error
paths log; Telegram's token is part of every Bot API address).
Every byte of stdout and stderr is searched for every secret. A config file holding a token that
other users can read gets a warning; the same file at 0600 does not.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tendproc import Failure, check, clean_env  # noqa: E402

SECRETS = {
    "TEND_DISCORD_TOKEN": "MTIzSecretTendDiscord.Gx1.aaaa",
    "DISCORD_TOKEN": "MTIzSecretPlainDiscord.Gx2.bbbb",
    "MATRIX_ACCESS_TOKEN": "syt_SecretMatrixAccess_cccc",
    "TEND_MATRIX_PASSWORD": "SecretMatrixPassword-dddd",
}
FILE_SECRETS = ["MTIzSecretFileDiscord.Gx3.eeee", "syt_SecretFileMatrix_ffff", "SecretTypoToken-gggg",
                "SecretFilePassword-hhhh"]
# Telegram's are shaped like BotFather's; the badly shaped one is refused without being shown
TELEGRAM_SECRETS = ["123456789:AAESecretTelegramEnvToken000000iiii", "123456789:AAESecretTelegramFileToken00000jjjj",
                    "SecretTelegramMisshapen-kkkk"]
ALL = list(SECRETS.values()) + FILE_SECRETS + TELEGRAM_SECRETS
UNREACHABLE = "http://127.0.0.1:9"


def run(args, env, stdin=b"", timeout=20):
    try:
        p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=clean_env(env), timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + (e.stderr or b"")
        return None, out.decode("utf-8", "replace")


def run_for(args, env, seconds):
    """Starts tend, lets it try to connect for a while, stops it with SIGTERM."""
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=clean_env(env))
    try:
        out, err = p.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        p.terminate()
        out, err = p.communicate(timeout=20)
    check(p.returncode is None or p.returncode >= -15 and p.returncode != -11 and p.returncode != -6,
          "tend crashed (%s)" % p.returncode)
    return (out + err).decode("utf-8", "replace")


def assert_clean(what, text):
    for s in ALL:
        check(s not in text, "%s printed a secret (%s...):\n%s" % (what, s[:8], text))
        check(s[:-5] not in text, "%s printed most of a secret (%s...):\n%s" % (what, s[:8], text))


def write(path, text, mode):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "tend.db")
        good = os.path.join(tmp, "good.conf")
        write(good, "[discord]\ntoken = %s\napplication_id = 123456789012345678\n"
                    "[matrix]\nhomeserver = http://127.0.0.1:9\nuser_id = @tend:localhost\n"
                    "access_token = %s\npassword = %s\n"
              % (FILE_SECRETS[0], FILE_SECRETS[1], FILE_SECRETS[3]), 0o644)
        bad = os.path.join(tmp, "bad.conf")
        write(bad, "[discord]\ntokn = %s\ntoken = %s\napplication_id = not-a-number\n"
                   "[matrix]\naccess_token %s\nhomeserver = ftp://example.org\n[bot]\ncommands_per_minute = lots\n"
              % (FILE_SECRETS[2], FILE_SECRETS[0], FILE_SECRETS[1]), 0o600)
        outputs = []

        # --check-config, good (world-readable: warned) and bad (each problem listed)
        rc, out = run([binary, "--check-config", good], SECRETS)
        outputs.append(("--check-config good", out))
        check(rc == 0, "a good config was refused:\n" + out)
        check("chmod 600" in out, "no warning for a world-readable config holding tokens:\n" + out)
        rc, out = run([binary, "--check-config", bad], SECRETS)
        outputs.append(("--check-config bad", out))
        check(rc != 0 and ":2:" in out and ":6:" in out and "tokn" in out, "the bad config was not explained:\n" + out)
        check("chmod 600" not in out, "a 0600 config was warned about:\n" + out)
        os.chmod(good, 0o600)
        rc, out = run([binary, "--check-config", good], SECRETS)
        check(rc == 0 and "chmod 600" not in out, "a 0600 config was warned about:\n" + out)
        os.chmod(good, 0o644)

        # a console session at debug level, with every secret in the environment and the file
        env = dict(SECRETS, TEND_LOG_LEVEL="debug", TEND_BOT_COMMANDS_PER_MINUTE="0")
        session = ('task add "Soup run" slots:2\nclaim 1\n:as bea\nclaim 1\nthanks you for soup\n'
                   "me\nexport\nfeedback more soup\ndone 1\n:advance 1w\nteam\n:quit\n").encode()
        rc, out = run([binary, "--config", good, "--console", "--database", db, "--now",
                       "2026-11-03T10:00"], env, session)
        outputs.append(("console session", out))
        check(rc == 0 and "Soup run" in out, "the console session failed:\n" + out)
        check("chmod 600" in out, "the console run did not warn about the readable config")

        # the adapters' error paths: Discord, then Matrix, against a port that refuses
        discord_env = dict(SECRETS, TEND_LOG_LEVEL="debug", TEND_DISCORD_API_BASE=UNREACHABLE + "/api",
                           TEND_DISCORD_APPLICATION_ID="123456789012345678")
        del discord_env["MATRIX_ACCESS_TOKEN"], discord_env["TEND_MATRIX_PASSWORD"]
        outputs.append(("discord", run_for([binary, "--database", db], discord_env, 3)))
        matrix_env = dict(SECRETS, TEND_LOG_LEVEL="debug", TEND_MATRIX_HOMESERVER=UNREACHABLE,
                          TEND_MATRIX_USER_ID="@tend:localhost")
        del matrix_env["TEND_DISCORD_TOKEN"], matrix_env["DISCORD_TOKEN"]
        outputs.append(("matrix", run_for([binary, "--database", db], matrix_env, 3)))
        # and the file's tokens through a real start (config file, no environment)
        outputs.append(("config file start", run_for(
            [binary, "--config", good, "--database", db],
            {"TEND_LOG_LEVEL": "debug", "TEND_DISCORD_API_BASE": UNREACHABLE + "/api",
             "TEND_MATRIX_HOMESERVER": UNREACHABLE}, 3)))

        # Telegram: its token is part of every Bot API address; the start-up error path must show
        # neither, and a misshapen token in a file is refused without being echoed
        outputs.append(("telegram", run_for([binary, "--database", db],
                                            {"TELEGRAM_TOKEN": TELEGRAM_SECRETS[0], "TEND_LOG_LEVEL": "debug",
                                             "TEND_TELEGRAM_API_BASE": UNREACHABLE}, 3)))
        tg_file = os.path.join(tmp, "telegram.conf")
        write(tg_file, "[telegram]\ntoken = %s\n" % TELEGRAM_SECRETS[1], 0o600)
        outputs.append(("telegram config file start", run_for(
            [binary, "--config", tg_file, "--database", db],
            {"TEND_LOG_LEVEL": "debug", "TEND_TELEGRAM_API_BASE": UNREACHABLE}, 3)))
        write(tg_file, "[telegram]\ntoken = %s\n" % TELEGRAM_SECRETS[2], 0o600)
        rc, out = run([binary, "--check-config", tg_file], {})
        outputs.append(("--check-config telegram", out))
        check(rc != 0 and "[telegram] token" in out, "a misshapen Telegram token was not explained:\n" + out)

        for what, text in outputs:
            assert_clean(what, text)
        print("secrets: %d runs, %d secrets, none printed; readable config warned, 0600 not"
              % (len(outputs), len(ALL)))


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
