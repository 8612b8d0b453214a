"""tendproc.py — the real tend binary in console mode, driven one command at a time.

After each command we send ":as NAME" and read until tend says "now speaking as NAME": the console
answers lines in order, so everything before that marker is the command's whole answer.
"""
import os
import select
import signal
import subprocess
import time

NOW = "2026-11-03T10:00"


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def clean_env(extra=None):
    env = dict(os.environ)
    for key in list(env):
        if key.startswith(("TEND_", "DISCORD_", "MATRIX_")):
            del env[key]  # a developer's own settings must not leak into the test
    env.update(extra or {})
    return env


class Tend:
    def __init__(self, binary, database, member="you", env=None, args=(), prefix=(), stderr_path=None, keep_signals=False):
        self.member = member
        self.stderr_file = open(stderr_path, "ab") if stderr_path else subprocess.DEVNULL
        cmd = list(prefix) + [binary, "--console", "--database", database, "--now", NOW] + list(args)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr_file, env=clean_env(env),
                                     restore_signals=not keep_signals)
        self.buf = b""
        self.transcript = []
        self.say(":as " + member)  # wait until it is ready

    def _readline(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("tend did not answer in time")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise Failure("tend closed its output (exit %s)" % self.proc.poll())
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def send(self, line):
        """Writes a line without waiting for its answer (it may never come: we may kill tend)."""
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def say(self, line, timeout=30):
        """Runs one line and returns its answer as a list of output lines."""
        if line.startswith(":as "):
            self.member = line[4:].strip()
            self.send(line)
            marker = "now speaking as " + self.member
            out = []
        else:
            self.send(line)
            self.send(":as " + self.member)
            marker = "now speaking as " + self.member
            out = []
        deadline = time.monotonic() + timeout
        while True:
            got = self._readline(deadline)
            self.transcript.append(got)
            if got.startswith("[console]") and marker in got:
                return out
            out.append(got)

    def quit(self, timeout=60):
        try:
            self.send(":quit")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        rest = self.proc.stdout.read()
        self.transcript.extend(rest.decode("utf-8", "replace").splitlines())
        rc = self.proc.wait(timeout=timeout)
        self._close()
        return rc

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.wait_killed()

    def wait_killed(self):
        """After the process died: keeps what it printed before it died, then closes."""
        self.proc.wait()
        try:
            rest = self.buf + self.proc.stdout.read()
            self.buf = b""
            self.transcript.extend(rest.decode("utf-8", "replace").splitlines())
        except (OSError, ValueError):
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except (BrokenPipeError, OSError):
                pass
        self._close()

    def _close(self):
        if self.stderr_file is not subprocess.DEVNULL:
            self.stderr_file.close()
