#!/usr/bin/env python3
"""compose.py — config/compose.yaml (README: "Scaling out") is checked without Docker: read with
PyYAML, its ${...} filled in from an operator's environment as `docker compose` fills them, and
held to what it promises.

usage: compose.py TEND_BINARY COMPOSE_FILE

- A PostgreSQL service (the official image) with a named volume and a healthcheck; two tend
  services built from the repository's Dockerfile (which exists), restarted by Docker, started
  once the database is healthy, on one store URL that names that service, its user and database.
- Every variable a tend service sets is one tend reads: each TEND_<SECTION>_<KEY> becomes a line of
  a config file that `tend --check-config` must accept (the file check reports unknown sections and
  keys, the environment's does not), DISCORD_TOKEN / MATRIX_ACCESS_TOKEN / TELEGRAM_TOKEN are
  tend's token variables, PGPASSWORD is libpq's; anything else fails. Then `tend --check-config`
  with the service's environment says ok, for Discord alone and for Discord with Matrix.
- The secrets are the operator's: without DISCORD_TOKEN (or the database password) compose
  refuses to start, as `${VAR:?...}` makes it; no secret is written in the file.
- No [discord] shards: the processes share Discord's advised shards through leases.
- /healthz of each process is published on the host's 127.0.0.1 only, on a port of its own.
"""
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opskit import Failure, check, clean_env  # noqa: E402

TOKEN_VARIABLES = {"DISCORD_TOKEN": ("discord", "token"), "MATRIX_ACCESS_TOKEN": ("matrix", "access_token"),
                   "TELEGRAM_TOKEN": ("telegram", "token")}
NOT_TENDS = {"PGPASSWORD"}  # libpq's own, for the URL's password

OPERATOR = {  # what README tells the operator to export
    "DISCORD_TOKEN": "MTk4NjIyNDgzNDcxOTI1MjQ4.Gh5ZqX.VbK9wQz7yXpL2mN8rT4sU6vW1aB3cD5eF7gH",
    "TEND_DISCORD_APPLICATION_ID": "1234567890123456",
    "POSTGRES_PASSWORD": "a-long-random-password",
}
WITH_MATRIX = dict(OPERATOR, TEND_MATRIX_HOMESERVER="https://matrix.example.org",
                   TEND_MATRIX_USER_ID="@tend:example.org",
                   MATRIX_ACCESS_TOKEN="syt_dGVuZA_QvRmWxYzKpLnMbVcXzAs_1Ab2Cd")

VARIABLE = re.compile(r"\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class Refused(Exception):
    """What `docker compose` stops with: a ${VAR:?message} whose VAR is unset or empty."""


def interpolate(value, env):
    """Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3)
        have = env.get(name)
        missing = have is None or (op is not None and op.startswith(":") and have == "")
        if op and op.endswith("?") and missing:
            raise Refused("%s: %s" % (name, arg))
        if op and op.endswith("-") and missing:
            return arg
        return have or ""

    return VARIABLE.sub(one, value)


def environment_of(service):
    env = service.get("environment") or {}
    if isinstance(env, list):  # the KEY=VALUE list form
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def published_port(port):
    """(host address, host port, container port) of a `ports` entry, short or long syntax; no
    address is every address, no host port one Docker picks."""
    if isinstance(port, dict):
        return str(port.get("host_ip", "0.0.0.0")), str(port.get("published", "")), str(port.get("target", ""))
    parts = str(port).split(":")
    return (parts[-3] if len(parts) >= 3 else "0.0.0.0", parts[-2] if len(parts) >= 2 else "", parts[-1])


def check_config(binary, env, ini_text=None):
    """(exit status, output) of tend --check-config on ini_text (none: /dev/null) with env."""
    with tempfile.TemporaryDirectory(prefix="tend-compose-") as tmp:
        path = os.devnull
        if ini_text is not None:
            path = os.path.join(tmp, "compose.conf")
            with open(path, "w") as f:
                f.write(ini_text)
            os.chmod(path, 0o600)
        p = subprocess.run([binary, "--check-config", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=clean_env(env), timeout=30)
        return p.returncode, p.stdout.decode("utf-8", "replace")


def as_config_file(env):
    """The variables as tend.conf lines: TEND_<SECTION>_<KEY> under [section] (sections have no '_'),
    the token variables under their keys. Raises Failure for any variable tend does not read."""
    sections = {}
    for name, value in sorted(env.items()):
        if name in NOT_TENDS:
            continue
        if name in TOKEN_VARIABLES:
            section, key = TOKEN_VARIABLES[name]
        else:
            m = re.fullmatch(r"TEND_([A-Z]+)_([A-Z0-9_]+)", name)
            check(m is not None, "%s is neither a TEND_<SECTION>_<KEY> variable nor one of tend's token "
                  "variables (%s) nor libpq's (%s)" % (name, ", ".join(TOKEN_VARIABLES), ", ".join(NOT_TENDS)))
            section, key = m.group(1).lower(), m.group(2).lower()
        sections.setdefault(section, []).append("%s = %s" % (key, value))
    return "".join("[%s]\n%s\n" % (s, "\n".join(lines)) for s, lines in sections.items())


def check_every_variable_is_tends(binary, name, env):
    text = as_config_file(env)
    rc, out = check_config(binary, {k: v for k, v in env.items() if k in NOT_TENDS}, text)
    check(rc == 0 and out == "ok\n",
          "%s: a variable tend does not read (as a config file):\n%s\n%s" % (name, text, out))
    # the service's environment as it is, the way tend in the container reads it
    rc, out = check_config(binary, env)
    check(rc == 0 and out == "ok\n", "%s: tend --check-config refuses its environment:\n%s" % (name, out))


def main():
    binary, compose_path = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(compose_path))
    with open(compose_path) as f:
        raw = yaml.safe_load(f)  # the '<<' merge of the shared x-tend part is YAML's own
    text = open(compose_path).read()
    for secret in list(OPERATOR.values()) + ["syt_"]:
        check(secret not in text, "a secret is written in the compose file")

    # the secrets come from the operator: without them compose refuses to start
    for needed in ("DISCORD_TOKEN", "POSTGRES_PASSWORD", "TEND_DISCORD_APPLICATION_ID"):
        try:
            interpolate(raw, {k: v for k, v in OPERATOR.items() if k != needed})
            raise Failure("compose starts without %s: it must be ${%s:?...}" % (needed, needed))
        except Refused as e:
            check(str(e).startswith(needed + ":"), "refused for the wrong variable: %s" % e)

    # the checker can fail: a misspelled key and a variable tend never reads are refused
    rc, out = check_config(binary, {}, as_config_file({"TEND_DISCORD_SHARD": "2"}))
    check(rc == 1 and "unknown key 'shard' in [discord]" in out, "a misspelled key passed the check:\n%s" % out)
    try:
        as_config_file({"DISCORD_BOT_TOKEN": "x"})
        raise Failure("a variable tend never reads passed the check")
    except Failure as e:
        check("DISCORD_BOT_TOKEN" in str(e), str(e))

    for scenario, operator in (("discord", OPERATOR), ("discord and matrix", WITH_MATRIX)):
        compose = interpolate(raw, operator)
        services = compose["services"]
        volumes = compose.get("volumes") or {}
        tends = {name: s for name, s in services.items() if name != "postgres"}
        check(sorted(tends) == ["tend-a", "tend-b"], "the services: %s" % sorted(services))

        pg = services["postgres"]
        check(re.fullmatch(r"postgres:\d+(\.\d+)?", pg.get("image", "")) is not None,
              "postgres: the official image with a major version, not %r" % pg.get("image"))
        pg_env = environment_of(pg)
        check("pg_isready" in " ".join(pg.get("healthcheck", {}).get("test", [])),
              "postgres: no pg_isready healthcheck")
        pg_volumes = [v.split(":")[0] for v in pg.get("volumes", [])]
        check(any(v in volumes and v for v in pg_volumes),
              "postgres: its data is not on a named volume: %s" % pg_volumes)

        urls, listens, published = set(), set(), set()
        for name, svc in tends.items():
            build = svc.get("build") or {}
            dockerfile = os.path.normpath(os.path.join(here, build.get("context", "."), build.get("dockerfile",
                                                                                                  "Dockerfile")))
            check(os.path.isfile(dockerfile), "%s: its Dockerfile %s does not exist" % (name, dockerfile))
            check(open(dockerfile).read().find("ENTRYPOINT [\"/usr/local/bin/tend\"]") >= 0,
                  "%s: %s is not tend's Dockerfile" % (name, dockerfile))
            check(svc.get("restart") in ("always", "unless-stopped", "on-failure"), "%s: no restart policy" % name)
            check((svc.get("depends_on") or {}).get("postgres", {}).get("condition") == "service_healthy",
                  "%s: does not wait for the database to be healthy" % name)
            env = environment_of(svc)
            check("TEND_DISCORD_SHARDS" not in env, "%s: sets [discord] shards: leases share them" % name)
            check(env.get("DISCORD_TOKEN") == operator["DISCORD_TOKEN"], "%s: the token is not the operator's" % name)
            check(env.get("PGPASSWORD") == pg_env.get("POSTGRES_PASSWORD") == operator["POSTGRES_PASSWORD"],
                  "%s: the database password is not the one the database was made with" % name)
            # what tend reads of it: every variable one of tend's, and the whole accepted
            check_every_variable_is_tends(binary, "%s (%s)" % (name, scenario),
                                          {k: v for k, v in env.items() if v != ""})
            url = urllib.parse.urlparse(env.get("TEND_STORE_URL", ""))
            check(url.scheme in ("postgresql", "postgres") and url.hostname == "postgres"
                  and url.username == pg_env.get("POSTGRES_USER") and url.path == "/" + pg_env.get("POSTGRES_DB", ""),
                  "%s: TEND_STORE_URL does not name the postgres service's user and database: %s"
                  % (name, url.geturl()))
            check(url.password is None, "%s: a password in the URL (PGPASSWORD holds it)" % name)
            urls.add(url.geturl())
            listen = env.get("TEND_OPS_LISTEN", "")
            check(re.fullmatch(r"0\.0\.0\.0:\d+", listen) is not None,
                  "%s: /healthz not reachable: %r" % (name, listen))
            listens.add(listen)
            for port in svc.get("ports", []):
                host_ip, host_port, inside = published_port(port)
                check(host_ip == "127.0.0.1", "%s: /metrics published beyond the host's 127.0.0.1: %s" % (name, port))
                check(inside == listen.split(":")[1], "%s: publishes %s, tend listens on %s" % (name, inside, listen))
                published.add(host_port)
        check(len(urls) == 1, "the tend services use different databases: %s" % urls)
        check(len(published) == len(tends), "each tend's /healthz needs a host port of its own: %s" % published)
        print("%-20s ok: %s; %s" % (scenario + ":", ", ".join(sorted(services)), urls.pop()))
    print("compose: every variable is one tend reads; tend --check-config accepts each service's environment")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
