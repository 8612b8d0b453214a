#!/usr/bin/env python3
"""Generates, starts and stops the local Synapse the Matrix integration tests run against.

    synapse_ctl.py start DIR     writes DIR/homeserver.yaml (SQLite, 127.0.0.1 only, a registration
                                 shared secret, rate limits we set) on first use, starts Synapse and
                                 waits until /versions answers; prints the start time
    synapse_ctl.py stop DIR      stops it (SIGTERM, then SIGKILL after 15 s)

Runs with the venv's python (the one that has synapse installed). DIR/env.json tells the tests the
URL, the server name and the shared secret.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

SERVER_NAME = "tend.test"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(d):
    port = free_port()
    secret = secrets.token_hex(16)
    os.makedirs(os.path.join(d, "media_store"), exist_ok=True)
    log_config = os.path.join(d, "log.config")
    with open(log_config, "w") as f:
        f.write(f"""version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: {d}/homeserver.log
root:
  level: WARNING
  handlers: [file]
disable_existing_loggers: false
""")
    # Rate limits are generous for the humans; the low-limit test lowers the bot's own with the
    # admin API (override_ratelimit), so nothing here needs a restart.
    with open(os.path.join(d, "homeserver.yaml"), "w") as f:
        f.write(f"""server_name: "{SERVER_NAME}"
listeners:
  - port: {port}
    tls: false
    type: http
    x_forwarded: false
    bind_addresses: ['127.0.0.1']
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: {d}/homeserver.db
log_config: {log_config}
media_store_path: {d}/media_store
signing_key_path: {d}/signing.key
registration_shared_secret: "{secret}"
enable_registration: false
report_stats: false
macaroon_secret_key: "{secrets.token_hex(16)}"
form_secret: "{secrets.token_hex(16)}"
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
presence:
  enabled: false
url_preview_enabled: false
rc_message: {{per_second: 1000, burst_count: 1000}}
rc_registration: {{per_second: 1000, burst_count: 1000}}
rc_login:
  address: {{per_second: 1000, burst_count: 1000}}
  account: {{per_second: 1000, burst_count: 1000}}
  failed_attempts: {{per_second: 1000, burst_count: 1000}}
rc_joins:
  local: {{per_second: 1000, burst_count: 1000}}
  remote: {{per_second: 1000, burst_count: 1000}}
rc_invites:
  per_room: {{per_second: 1000, burst_count: 1000}}
  per_user: {{per_second: 1000, burst_count: 1000}}
  per_issuer: {{per_second: 1000, burst_count: 1000}}
rc_joins_per_room: {{per_second: 1000, burst_count: 1000}}
""")
    with open(os.path.join(d, "env.json"), "w") as f:
        json.dump({"url": f"http://127.0.0.1:{port}", "server_name": SERVER_NAME, "secret": secret}, f)


def read_env(d):
    with open(os.path.join(d, "env.json")) as f:
        return json.load(f)


def answers(url):
    try:
        with urllib.request.urlopen(url + "/_matrix/client/versions", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def pid_of(d):
    try:
        with open(os.path.join(d, "synapse.pid")) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start(d):
    d = os.path.abspath(d)
    os.makedirs(d, exist_ok=True)
    if not os.path.exists(os.path.join(d, "homeserver.yaml")):
        write_config(d)
        subprocess.run([sys.executable, "-m", "synapse.app.homeserver", "-c",
                        os.path.join(d, "homeserver.yaml"), "--generate-keys"], check=True,
                       stdout=subprocess.DEVNULL)
    env = read_env(d)
    if pid_of(d) and answers(env["url"]):
        print(f"synapse already running at {env['url']}")
        return 0
    t0 = time.monotonic()
    out = open(os.path.join(d, "stdout.log"), "ab")
    proc = subprocess.Popen([sys.executable, "-m", "synapse.app.homeserver", "-c",
                             os.path.join(d, "homeserver.yaml")], stdout=out, stderr=out,
                            start_new_session=True)
    with open(os.path.join(d, "synapse.pid"), "w") as f:
        f.write(f"{proc.pid}\n")
    deadline = t0 + 120
    while time.monotonic() < deadline:
        if answers(env["url"]):
            took = time.monotonic() - t0
            with open(os.path.join(d, "start_seconds"), "w") as f:
                f.write(f"{took:.2f}\n")
            print(f"synapse started at {env['url']} in {took:.2f} s")
            return 0
        time.sleep(0.1)
    print("synapse did not answer within 120 s; see", os.path.join(d, "homeserver.log"))
    return 1


def stop(d):
    d = os.path.abspath(d)
    pid = pid_of(d)
    if not pid:
        print("synapse not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    for _ in range(150):
        if not pid_of(d):
            print("synapse stopped")
            return 0
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    print("synapse killed after 15 s")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        print(__doc__)
        sys.exit(2)
    sys.exit(start(sys.argv[2]) if sys.argv[1] == "start" else stop(sys.argv[2]))
