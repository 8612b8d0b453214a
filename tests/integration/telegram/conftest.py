"""Fixtures: the Bot API double on 127.0.0.1 and the real tend binary pointed at it."""
import os
import signal
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
import tenddb  # noqa: E402
import double as dd  # noqa: E402

TEND = os.environ.get("TEND_BIN", "tend")
SECRET_PART = dd.TOKEN.split(":", 1)[1]


PG_DIR = os.environ.get("TEND_TEST_PG_DIR")  # set in the *.pg runs (postgres.cmake)


def database(tmp):
    return tenddb.database(tmp, "telegram")


# every tend asked to stop (SIGTERM) must exit 0: a crash or a hang in the orderly stop is a bug even
# when every answer was right
BAD_STOPS = []


@pytest.fixture(scope="session", autouse=True)
def every_stop_is_clean():
    yield
    assert not BAD_STOPS, f"tend did not stop cleanly (exit statuses): {BAD_STOPS}"


@pytest.fixture
def double():
    d = dd.Double().start()
    yield d
    d.stop()


class Tend:
    """One tend process on a database in `tmp`, its log (debug level) kept in tmp/tend.log."""

    def __init__(self, double, tmp, env=None):
        self.double = double
        self.tmp = tmp
        self.db = database(tmp)
        self.log_path = os.path.join(tmp, "tend.log")
        environment = dict(os.environ)
        for k in list(environment):
            if k.startswith("TEND_") and k not in ("TEND_BIN",):
                del environment[k]
        environment.update({
            "TELEGRAM_TOKEN": dd.TOKEN,
            "TEND_TELEGRAM_API_BASE": double.api_base,
            "TEND_LOG_LEVEL": "debug",
        })
        environment.update(env or {})
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([TEND, "--database", self.db], env=environment, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def output(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.log.close()

    def stop(self):
        asked = self.proc.poll() is None
        if asked:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.returncode != 0:
                BAD_STOPS.append(self.proc.returncode)
        if not self.log.closed:
            self.log.close()


def ready(double, since=0, timeout=15):
    """tend is polling: it asked getUpdates after the first `since` requests the double saw."""
    return double.wait(lambda: any(m == "getupdates" for _t, m, _p in double.requests[since:]), timeout)


def texts(messages):
    return [m["text"] for m in messages]


def first_with(messages, part):
    return next((m for m in messages if part in m["text"]), None)


def check_log(out):
    # a sanitizer build reports memory errors, leaks and undefined behaviour here
    for alarm in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        assert alarm not in out, out[out.index(alarm) - 200:][:3000]
    assert dd.TOKEN not in out and SECRET_PART not in out, "the bot token reached the log"
    assert "/bot" + dd.TOKEN[:10] not in out, "a Bot API address reached the log"


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory() as d:
        yield d


@pytest.fixture
def tend(double, tmp):
    t = Tend(double, tmp)
    assert ready(double), "tend never polled:\n" + t.output()
    yield t
    t.stop()
    check_log(t.output())
    assert not double.violations, "\n".join(double.violations)
    assert not double.earned_429, "tend went past Telegram's rate limits: %r" % double.earned_429
