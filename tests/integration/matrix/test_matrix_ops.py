"""The ops endpoint of tend on Matrix (issue 16), against the real Synapse: /healthz says the
homeserver is reached, /metrics (read by Prometheus's own parser) counts the session's commands
and its connection; when the homeserver throttles the bot (Synapse's admin API lowers its rate
limit, the way an admin would raise it), tend says so in its log, once a minute at most, and counts
the 429s, and every command is still answered."""
import os
import sys
import time
import urllib.error
import urllib.request

import requests

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import scrape  # noqa: E402
from test_matrix import answer_to, room  # noqa: E402,F401  (room is a fixture)


def healthz(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_health_and_metrics_of_the_session(users, tend, room):  # noqa: F811
    port = tend.ops_port()
    assert port, "tend did not log its ops endpoint"
    deadline = time.monotonic() + 20
    while healthz(port)[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert healthz(port) == (200, "ok: matrix up, the database answers\n")
    _, text = scrape.fetch(port)
    sc = scrape.parse(text, forbidden=[u.user_id for u in users.values()] + [room])
    assert sc.value("tend_platform_connected", platform="matrix") == 1
    assert sc.total("tend_commands_total") >= 1
    assert sc.value("tend_command_seconds_count", platform="matrix") >= 1
    print("\n--- /metrics during the Matrix session ---\n" + text + "--- end ---")


def test_throttling_is_logged_counted_and_survived(env, users, tend, room):  # noqa: F811
    alice, bot = users["alice"], users["bot"]
    port = tend.ops_port()
    before = scrape.parse(scrape.fetch(port)[1]).value("tend_rest_429_total", platform="matrix") or 0
    url = f"{env['url']}/_synapse/admin/v1/users/{bot.user_id}/override_ratelimit"
    auth = {"Authorization": "Bearer " + alice.token}
    requests.post(url, json={"messages_per_second": 1, "burst_count": 1}, headers=auth, timeout=10).raise_for_status()
    try:
        alice.catch_up()
        sent_at = int(time.time() * 1000)
        ids = [alice.send(room, f'!task add "Throttled {i}"') for i in range(4)]
        for i in ids:
            answer_to(alice, bot.user_id, room, i, sent_at, timeout=90)
    finally:
        requests.delete(url, headers=auth, timeout=10)
    after = scrape.parse(scrape.fetch(port)[1]).value("tend_rest_429_total", platform="matrix") or 0
    assert after > before, "no 429 was counted while the bot was throttled"
    lines = [line for line in tend.log_text().splitlines() if "rate-limiting tend (HTTP 429)" in line]
    assert lines, "tend said nothing while throttled"
    assert "README: Matrix rate limits" in lines[-1]
    print("\nthrottled: %d 429s counted; the log said: %s" % (after - before, lines[-1]))
