"""Fixtures: the Discord double on 127.0.0.1 and the real tend binary pointed at it."""
import os
import re
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import tenddb  # noqa: E402
import double as dd  # noqa: E402
import scrape  # noqa: E402

TEND = os.environ.get("TEND_BIN", "tend")
# the *.pg cases (tests/integration/postgres.cmake): each session's database is a schema on the test
# PostgreSQL, the same one again when a test restarts tend on the same folder


# every tend asked to stop (SIGTERM) must exit 0: a crash or a hang in the orderly stop is a bug even
# when every answer was right
BAD_STOPS = []
# every tend started: one a failed test never got to stop is killed at the end of the session, not
# left running (reconnecting to a double that is gone) after pytest exits
STARTED = []


@pytest.fixture(scope="session", autouse=True)
def every_stop_is_clean():
    yield
    for t in STARTED:
        if t.proc.poll() is None:
            t.proc.kill()
            t.proc.wait()
    assert not BAD_STOPS, f"tend did not stop cleanly (exit statuses): {BAD_STOPS}"


PG_DIR = os.environ.get("TEND_TEST_PG_DIR")  # set in the *.pg runs (postgres.cmake)


def database(tmp):
    return tenddb.database(tmp, "discord")


@pytest.fixture
def double():
    d = dd.Double(heartbeat_interval=int(os.environ.get("TEND_TEST_HEARTBEAT_MS", "1000"))).start()
    yield d
    d.stop()


class Tend:
    def __init__(self, double, tmp, token=dd.TOKEN, env=None, db=None):
        self.double = double
        self.log_path = os.path.join(tmp, "tend.log")
        self.db = db or database(tmp)  # db: another process's database, shared (test_processes)
        environment = dict(os.environ)
        environment.update({
            "DISCORD_TOKEN": token,
            "TEND_DISCORD_APPLICATION_ID": dd.APP_ID,
            "TEND_DISCORD_API_BASE": double.api_base,
            "TEND_LOG_LEVEL": "debug",
            "TEND_CONFIG": "",
            "TEND_OPS_LISTEN": "127.0.0.1:0",  # every session is scraped at its end (stop)
        })
        environment.update(env or {})
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([TEND, "--database", self.db], env=environment,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        STARTED.append(self)

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def ops_port(self):
        # the log is appended across restarts: the last start's port is the one listening
        ports = re.findall(r"health and metrics on http://127\.0\.0\.1:(\d+)/healthz", self.output())
        return int(ports[-1]) if ports else None

    def kill(self):
        """kill -9: no close frame, nothing saved at the end."""
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        port, text, failed = self.ops_port(), None, None
        if self.proc.poll() is None and port:
            try:
                text = scrape.fetch(port)[1]
            except OSError as e:
                failed = e
        asked = self.proc.poll() is None
        if asked:
            self.proc.terminate()
            try:
                self.proc.wait(10 * dd.SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.returncode != 0:
                BAD_STOPS.append(self.proc.returncode)
        self.log.close()
        assert failed is None, "the ops endpoint did not answer at the end of the session: %s" % failed
        if text is not None:
            # the session's metrics, read by Prometheus's own parser: bounded, plain labels
            self.metrics = scrape.parse(text)


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
