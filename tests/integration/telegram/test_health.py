"""/healthz on Telegram (issue 16): 200 while the Bot API answers the long-poll, 503 naming Telegram
while getUpdates fails, 200 again once it answers, the comeback counted as one reconnect."""
import re
import time
import urllib.error
import urllib.request

from conftest import Tend, check_log, ready


def healthz(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def ops_port(t, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = re.findall(r"health and metrics on http://127\.0\.0\.1:(\d+)/healthz", t.output())
        if found:
            return int(found[-1])
        time.sleep(0.05)
    raise AssertionError("tend never said where /healthz is:\n" + t.output())


def until(port, status, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        answer = healthz(port)
        if answer[0] == status:
            return answer
        time.sleep(0.05)
    return healthz(port)


def test_healthz_follows_the_long_poll(double, tmp):
    d = double
    t = Tend(d, tmp, env={"TEND_OPS_LISTEN": "127.0.0.1:0"})
    try:
        assert ready(d), "tend never polled:\n" + t.output()
        port = ops_port(t)
        # up as soon as the poll runs, not only when the first 30 s long-poll comes back
        assert until(port, 200, 10) == (200, "ok: telegram up, the database answers\n"), t.output()
        d.fail_next("getUpdates", 429, "Too Many Requests: retry after 3", {"retry_after": 3})
        d.drop_poll()  # the poll being held ends; the next one gets the 429 and waits 3 s
        assert until(port, 503, 10) == (503, "unhealthy: not connected to telegram\n"), t.output()
        assert until(port, 200, 15) == (200, "ok: telegram up, the database answers\n"), t.output()
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
            metrics = r.read().decode()
        assert 'tend_platform_connected{platform="telegram"} 1' in metrics, metrics
        assert 'tend_platform_reconnects_total{platform="telegram"} 1' in metrics, metrics
    finally:
        t.stop()
    check_log(t.output())
