#!/usr/bin/env python3
"""signals.py — tend under a service manager: signals, systemd's notify socket, the journal.

usage: signals.py TEND_BINARY

- SIGHUP never kills tend: the configuration is read again and a new [log] level takes effect
  (debug lines appear); a configuration broken since start is reported and changes nothing; tend
  keeps answering throughout.
- SIGTERM and SIGHUP that arrive while tend is still starting (signals held: seen in
  /proc/PID/status) wait for the loop and end in an orderly stop (exit 0, "asked to stop"), never
  death by the signal. Repeated, with the hold's length measured.
- With NOTIFY_SOCKET and WATCHDOG_USEC set (as systemd sets them), tend sends READY=1 with a
  STATUS= line, WATCHDOG=1 at half the interval, and STOPPING=1 on SIGTERM.
- With JOURNAL_STREAM naming its stderr, lines carry the journal's <priority> prefix and no
  timestamp (so `journalctl -p warning` works); with a JOURNAL_STREAM that names another file
  (inherited by a child whose stderr was redirected), plain timestamped lines.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opskit import Failure, Running, check  # noqa: E402


def console(binary, tmp, name, env=None, args=()):
    return Running(binary, ["--console", "--database", os.path.join(tmp, name + ".db")] + list(args),
                   env=env, log=os.path.join(tmp, name + ".log"))


def sighup(binary, tmp):
    conf = os.path.join(tmp, "hup.conf")
    with open(conf, "w") as f:
        f.write("[log]\nlevel = info\n")
    t = console(binary, tmp, "hup", args=["--config", conf])
    guarded(t)
    t.signal(signal.SIGHUP)
    t.wait_log(r"info ops: SIGHUP: configuration read again; log level info")
    with open(conf, "w") as f:
        f.write("[log]\nlevel = debug\n")
    t.signal(signal.SIGHUP)
    t.wait_log(r"SIGHUP: configuration read again; log level debug")
    t.say("task add \"Soup run\"")
    t.wait_log(r" debug ")  # the new level took effect without a restart
    with open(conf, "w") as f:
        f.write("[log]\nlevel = loud\n")
    t.signal(signal.SIGHUP)
    t.wait_log(r"SIGHUP: the configuration has problems now \(tend --check-config shows them\); nothing changed")
    t.say("me")
    check(t.proc.poll() is None, "tend died of SIGHUP")
    rc = t.stop()
    check(rc == 0, "tend did not stop cleanly after three SIGHUPs (exit %s)" % rc)
    print("signals: SIGHUP read the configuration again three times (level info, debug, then a broken file "
          "refused); tend kept running")


def mask(pid, field, sig):
    """Whether sig is in /proc/PID/status's field (SigBlk: held, SigCgt: a handler is installed)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1], 16) & (1 << (sig - 1)) != 0
    except OSError:
        pass
    return False


def held(pid):
    """True while tend holds SIGTERM (blocked, waiting for the loop)."""
    return mask(pid, "SigBlk", signal.SIGTERM)


def guarded(t, timeout=10):
    """Waits until signals cannot kill tend any more: held, or watched by the loop. Before that,
    tend is still in the dynamic loader, where any program dies of SIGHUP."""
    t0 = time.monotonic()
    while not (held(t.proc.pid) or mask(t.proc.pid, "SigCgt", signal.SIGHUP)):
        check(t.proc.poll() is None and time.monotonic() - t0 < timeout, "tend never got past its start")


def early_signals(binary, tmp, rounds=20):
    caught, hold_ms = 0, []
    for i in range(rounds):
        sig = signal.SIGTERM if i % 2 == 0 else signal.SIGHUP
        t = console(binary, tmp, "early%d" % i)
        t0 = time.monotonic()
        while not held(t.proc.pid) and t.proc.poll() is None and time.monotonic() - t0 < 5:
            pass
        in_hold = held(t.proc.pid)
        t.signal(sig)
        if in_hold:
            caught += 1
        if sig == signal.SIGHUP:
            t.wait_log(r"SIGHUP: configuration read again")
            check(t.proc.poll() is None, "an early SIGHUP killed tend")
        else:
            try:
                rc = t.proc.wait(10)
            except subprocess.TimeoutExpired:
                raise Failure("an early SIGTERM did not stop tend")
            check(rc == 0, "an early SIGTERM ended tend by the signal (exit %s):\n%s" % (rc, t.text()))
            check("asked to stop (SIGTERM)" in t.text(), "the early SIGTERM was not handled:\n" + t.text())
        t.stop()
    check(caught >= rounds // 2, "only %d of %d signals arrived while tend was still starting" % (caught, rounds))
    # the hold's length: poll a fresh start until the hold ends (on a loaded machine the whole
    # hold can pass before this process looks: that start gives no figure)
    for i in range(5):
        t = console(binary, tmp, "hold%d" % i)
        t0 = time.monotonic()
        while not held(t.proc.pid) and t.proc.poll() is None and time.monotonic() - t0 < 5:
            pass
        t0 = time.monotonic()
        seen = held(t.proc.pid)
        while held(t.proc.pid):
            check(time.monotonic() - t0 < 10, "tend held its signals for 10 s: its loop never started")
        if seen:
            hold_ms.append((time.monotonic() - t0) * 1000)
        t.stop()
    check(hold_ms, "no start-up of five was seen holding its signals")
    print("signals: %d/%d early SIGTERM/SIGHUP arrived during start-up (signals held, median hold %.1f ms): "
          "each an orderly stop (exit 0) or a reload" % (caught, rounds, sorted(hold_ms)[len(hold_ms) // 2]))


def notify(binary, tmp):
    path = os.path.join(tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    t0 = time.monotonic()
    t = console(binary, tmp, "notify", env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
    msgs = []
    try:
        while time.monotonic() - t0 < 1.5:
            msgs.append((time.monotonic() - t0, sock.recv(4096).decode()))
        t.signal(signal.SIGTERM)
        while not any("STOPPING=1" in m for _, m in msgs):
            msgs.append((time.monotonic() - t0, sock.recv(4096).decode()))
    except socket.timeout:
        raise Failure("the notify socket went quiet; got: %r" % msgs)
    finally:
        try:
            t.proc.wait(10)  # a second SIGTERM while it stops would be an impatient manager's
        except subprocess.TimeoutExpired:
            pass
        rc = t.stop()
        sock.close()
    first = msgs[0][1]
    check(first.startswith("READY=1\n") and "STATUS=ok: console up, the database answers" in first,
          "the first notification is not READY=1 with a status: %r" % first)
    beats = [at for at, m in msgs if "WATCHDOG=1" in m]
    check(len(beats) >= 5, "too few WATCHDOG=1 in 1.5 s at a 0.4 s watchdog: %r" % msgs)
    gaps = [b - a for a, b in zip(beats, beats[1:])]
    check(max(gaps) < 0.4, "a watchdog gap reached the watchdog's interval: %r" % gaps)
    check(rc == 0, "tend did not stop cleanly (exit %s)" % rc)
    print("signals: READY=1 with STATUS %.0f ms after the start; %d WATCHDOG=1 in 1.5 s (largest gap %.0f ms at a "
          "400 ms watchdog); STOPPING=1 on SIGTERM" % (msgs[0][0] * 1000, len(beats), max(gaps) * 1000))


def journal(binary, tmp):
    log = os.path.join(tmp, "journal.log")
    with open(log, "wb") as f:
        st = os.fstat(f.fileno())
    stream = "%d:%d" % (st.st_dev, st.st_ino)
    # Running reopens journal.log for tend's stderr: truncated, the same file, so the same inode
    t = console(binary, tmp, "journal", env={"JOURNAL_STREAM": stream, "TEND_OPS_LISTEN": "127.0.0.1:0"})
    t.wait_log(r"health and metrics")
    t.stop()
    text = open(os.path.join(tmp, "journal.log")).read()
    check(re.search(r"^<6>ops: health and metrics on http://127\.0\.0\.1:\d+/healthz", text, re.M),
          "no <6> priority prefix with JOURNAL_STREAM matching stderr:\n" + text)
    check(re.search(r"^<6>app: asked to stop \(SIGTERM\), stopping$", text, re.M), "no <6> on the stop line:\n" + text)
    check(not re.search(r"^\d{4}-\d\d-\d\dT", text, re.M), "a timestamp in journal mode:\n" + text)
    # a warning is priority 4, so `journalctl -p warning` finds it
    conf = os.path.join(tmp, "readable.conf")
    with open(conf, "w") as f:
        f.write("[discord]\ntoken = abcdefghijklmnopqrstuvwxyz0123\napplication_id = 1234\n")
    os.chmod(conf, 0o644)
    t = console(binary, tmp, "journal", env={"JOURNAL_STREAM": stream}, args=["--config", conf])
    t.wait_log(r"config: ")
    t.stop()
    text = open(os.path.join(tmp, "journal.log")).read()
    check(re.search(r"^<4>config: .*other users can read it", text, re.M), "a warning is not <4>:\n" + text)
    # JOURNAL_STREAM inherited but stderr elsewhere: plain lines
    t = console(binary, tmp, "plain", env={"JOURNAL_STREAM": stream, "TEND_OPS_LISTEN": "127.0.0.1:0"})
    t.wait_log(r"health and metrics")
    t.stop()
    text = t.text()
    check(re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ info ops: health and metrics", text, re.M),
          "plain lines expected when JOURNAL_STREAM names another file:\n" + text)
    print("signals: journal lines '<6>ops: ...', '<4>config: ...' without timestamps when stderr is the "
          "journal; plain timestamped lines otherwise")


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="tend-signals-") as tmp:
        sighup(binary, tmp)
        early_signals(binary, tmp)
        notify(binary, tmp)
        journal(binary, tmp)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
