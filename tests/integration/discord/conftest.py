"""Fixtures: the Discord double on 127.0.0.1 and the real tend binary pointed at it."""
import os
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import double as dd  # noqa: E402

TEND = os.environ.get("TEND_BIN", "tend")


@pytest.fixture
def double():
    d = dd.Double(heartbeat_interval=int(os.environ.get("TEND_TEST_HEARTBEAT_MS", "1000"))).start()
    yield d
    d.stop()


class Tend:
    def __init__(self, double, tmp, token=dd.TOKEN, env=None):
        self.double = double
        self.log_path = os.path.join(tmp, "tend.log")
        environment = dict(os.environ)
        environment.update({
            "DISCORD_TOKEN": token,
            "TEND_DISCORD_APPLICATION_ID": dd.APP_ID,
            "TEND_DISCORD_API_BASE": double.api_base,
            "TEND_LOG_LEVEL": "debug",
            "TEND_CONFIG": "",
        })
        environment.update(env or {})
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([TEND, "--database", os.path.join(tmp, "tend.db")],
                                     env=environment, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def kill(self):
        """kill -9: no close frame, nothing saved at the end."""
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10 * dd.SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def tend(double):
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp)
        assert double.wait_ready(15), "tend never identified:\n" + t.output()
        yield t
        t.stop()
        out = t.output()
        assert dd.TOKEN not in out, "the token reached the log"
        assert not double.violations, "\n".join(double.violations)


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]
