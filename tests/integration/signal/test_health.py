"""/healthz on Signal (issue 16): 200 while signal-cli's event stream is open, 503 naming Signal
while the daemon is away, 200 again once the stream is back, the comeback counted as one
reconnect."""
import re
import threading
import time
import urllib.error
import urllib.request

from conftest import Tend, check_log


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


def test_healthz_follows_the_event_stream(double, tmp_path):
    d = double
    t = Tend(d, str(tmp_path), env={"TEND_OPS_LISTEN": "127.0.0.1:0"})
    try:
        assert d.wait(d.listening, 15), "tend never opened the event stream:\n" + t.output()
        port = ops_port(t)
        assert until(port, 200, 10) == (200, "ok: signal up, the database answers\n"), t.output()
        # the daemon goes away for 3 s: its stream is cut and nothing answers
        away = threading.Thread(target=d.restart, kwargs={"down_seconds": 3.0})
        away.start()
        try:
            assert until(port, 503, 10) == (503, "unhealthy: not connected to signal\n"), t.output()
        finally:
            away.join(30)
        assert until(port, 200, 20) == (200, "ok: signal up, the database answers\n"), t.output()
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
            metrics = r.read().decode()
        assert 'tend_platform_connected{platform="signal"} 1' in metrics, metrics
        assert 'tend_platform_reconnects_total{platform="signal"} 1' in metrics, metrics
    finally:
        t.stop()
        t.log.close()
    check_log(t.output())
