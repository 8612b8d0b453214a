"""opskit.py — what the ops suite's scripts share: the real tend binary started the way an operator
starts it, its log read as it grows, and the ops endpoint asked over plain HTTP (urllib: the test's
HTTP client is not tend's code, so it can judge it).
"""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hardening"))
from tendproc import Failure, check, clean_env  # noqa: E402,F401


class Running:
    """tend as a service: stdin kept open (the console waits on it), stderr into a file."""

    def __init__(self, binary, args, env=None, log=None, stdin=subprocess.PIPE):
        self.log_path = log
        self.log = open(log, "wb")
        self.proc = subprocess.Popen([binary] + list(args), stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=self.log, env=clean_env(env))

    def text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_log(self, pattern, timeout=15):
        """Returns the first match of regex `pattern` in the log, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.text())
            if m:
                return m
            if self.proc.poll() is not None:
                raise Failure("tend exited (%s) before logging %r:\n%s" % (self.proc.returncode, pattern, self.text()))
            time.sleep(0.02)
        raise Failure("tend never logged %r:\n%s" % (pattern, self.text()))

    def port(self):
        return int(self.wait_log(r"health and metrics on http://[^ ]*:(\d+)/healthz").group(1))

    def say(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure("tend did not stop within %d s of SIGTERM" % timeout)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                if f:
                    f.close()
            except OSError:
                pass
        self.log.close()
        return rc


def get(port, path, method="GET", timeout=5, host="127.0.0.1"):
    """(status, body text, headers) of one request to tend's ops endpoint."""
    req = urllib.request.Request("http://%s:%d%s" % (host, port, path), method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace"), dict(e.headers)


def wait_status(port, path, status, timeout=20):
    """Polls until path answers `status`; returns (seconds waited, body)."""
    t0 = time.monotonic()
    last = None
    while time.monotonic() - t0 < timeout:
        try:
            last = get(port, path, timeout=2)
            if last[0] == status:
                return time.monotonic() - t0, last[1]
        except OSError as e:
            last = str(e)
        time.sleep(0.05)
    raise Failure("%s never answered %d (last: %r)" % (path, status, last))
