"""Fixtures: the signal-cli double on 127.0.0.1 and the real tend binary pointed at it."""
import os
import signal
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import double as sd  # noqa: E402
import tenddb  # noqa: E402

TEND = os.environ.get("TEND_BIN", "tend")



def database(tmp):
    return tenddb.database(tmp, "signal")


# every tend asked to stop (SIGTERM) must exit 0: a crash or a hang in the orderly stop is a bug even
# when every answer was right
BAD_STOPS = []


@pytest.fixture(scope="session", autouse=True)
def every_stop_is_clean():
    yield
    assert not BAD_STOPS, f"tend did not stop cleanly (exit statuses): {BAD_STOPS}"


@pytest.fixture
def double():
    # keep-alives every second (signal-cli: 15 s), so a dead listener is noticed quickly
    d = sd.Double(keepalive=float(os.environ.get("TEND_TEST_KEEPALIVE", "1"))).start()
    yield d
    d.stop()
    assert not d.violations, "\n".join(d.violations)


class Tend:
    def __init__(self, double, tmp, env=None):
        self.double = double
        self.tmp = tmp
        self.db = database(tmp)
        self.log_path = os.path.join(tmp, "tend.log")
        self.env = dict(os.environ)
        self.env.update({
            "TEND_SIGNAL_ACCOUNT": sd.ACCOUNT,
            "TEND_SIGNAL_RPC_URL": double.url,
            "TEND_LOG_LEVEL": "debug",
            "TEND_CONFIG": "",
        })
        self.env.update(env or {})
        self.log = open(self.log_path, "a")
        self.proc = None
        self.start()

    def start(self, env=None):
        environment = dict(self.env)
        environment.update(env or {})
        self.proc = subprocess.Popen([TEND, "--database", self.db], env=environment, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        asked = self.proc.poll() is None
        if asked:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.returncode != 0:
                BAD_STOPS.append(self.proc.returncode)

    def query(self, sql, *args):
        return tenddb.rows(self.db, sql, *args)


def check_log(text):
    """The account number and the numbers members share never reach the log; a sanitizer build
    found nothing to say."""
    assert "Sanitizer" not in text and "runtime error:" not in text, text[-4000:]
    assert sd.ACCOUNT not in text, "the account number reached the log"
    for m in sd.Double().members.values():
        if m["number"]:
            assert m["number"] not in text, "a member's number reached the log"


@pytest.fixture
def tend(double):
    with tempfile.TemporaryDirectory() as tmp:
        t = Tend(double, tmp)
        assert double.wait(double.listening, 15), "tend never opened the event stream:\n" + t.output()
        yield t
        t.stop()
        t.log.close()
        check_log(t.output())
