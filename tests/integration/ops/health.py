#!/usr/bin/env python3
"""health.py — the ops endpoint of a running tend (console), judged from outside.

usage: health.py TEND_BINARY   (run with a Python that has prometheus_client: the Discord venv)

- /healthz answers 200 "ok: ..." while the database answers, and 503 with the reason while its
  writes fail (the disk fills under a running tend), 200 again once one succeeds.
- /metrics, read by the Prometheus project's own parser while members use tend: commands by name
  and outcome, the command-time histogram, the process's memory, CPU and descriptors; no label or
  line names a member, a group, a title or a note.
- HTTP as a client meets it: 404 for other paths, 405 for POST, HEAD, keep-alive; garbage, a
  64 kB header, 200 idle connections at once and a half-sent request change nothing for members
  (the console keeps answering) and the endpoint is back as soon as they are gone.
- `tend --health` (the Docker HEALTHCHECK) exits 0 on 200 and 1 otherwise; a taken port stops
  tend with one line naming [ops] listen.
"""
import http.client
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opskit import Failure, check, clean_env, get, wait_status  # noqa: E402
from scrape import fetch, parse  # noqa: E402
from tendproc import Tend  # noqa: E402

NAMES = ["Soup run", "Pantry", "ana", "bea", "tired this week", "console:demo", "demo"]


def started(binary, tmp, name, env=None, keep_signals=False):
    log = os.path.join(tmp, name + ".log")
    t = Tend(binary, os.path.join(tmp, name + ".db"), member="ana",
             env=dict({"TEND_OPS_LISTEN": "127.0.0.1:0", "TEND_BOT_COMMANDS_PER_MINUTE": "0"}, **(env or {})),
             stderr_path=log, keep_signals=keep_signals)
    with open(log) as f:
        m = re.search(r"health and metrics on http://127\.0\.0\.1:(\d+)/healthz", f.read())
    check(m, "tend did not say where the endpoint listens")
    return t, int(m.group(1)), log


def metrics_while_members_work(t, port):
    status, body, _ = get(port, "/healthz")
    check(status == 200 and body == "ok: console up, the database answers\n", "healthz: %d %r" % (status, body))
    t.say('task add "Soup run" slots:2')
    t.say('task add "Pantry"')
    t.say("claim 1")
    t.say("checkin low tired this week")
    t.say(":as bea")
    t.say("claim 1")
    t.say("claim")          # usage
    t.say("frobnicate 2")   # not a command
    t.say("team")           # coordinators only: everyone is one on the console
    t.say("thanks ana for soup")
    t.say(":as ana")
    ctype, text = fetch(port)
    check(ctype == "text/plain; version=0.0.4; charset=utf-8", "content type: %s" % ctype)
    try:
        sc = parse(text, forbidden=NAMES)
    except AssertionError as e:
        raise Failure("%s\n%s" % (e, text))
    want = {("task_add", "ok"): 2, ("claim", "ok"): 2, ("claim", "usage"): 1, ("checkin", "ok"): 1,
            ("unknown", "unknown"): 1, ("team", "ok"): 1, ("thanks", "ok"): 1}
    for (cmd, outcome), n in want.items():
        got = sc.value("tend_commands_total", command=cmd, outcome=outcome)
        check(got == n, "tend_commands_total{%s,%s} = %s, not %d" % (cmd, outcome, got, n))
    count = sc.value("tend_command_seconds_count", platform="console")
    check(count == sum(want.values()), "the histogram counted %s commands, not %d" % (count, sum(want.values())))
    check(sc.value("tend_command_seconds_bucket", platform="console", le="+Inf") == count, "+Inf bucket != count")
    check(sc.value("process_resident_memory_bytes") > 1e6, "no resident memory")
    check(sc.value("process_cpu_seconds_total") > 0, "no CPU time")
    check(sc.value("process_open_fds") > 3, "no descriptors")
    print("health: /metrics parsed by prometheus_client: %d families, %d commands counted by name and outcome, "
          "no name in it" % (len(sc.families), count))


def http_edges(t, port):
    status, body, _ = get(port, "/")
    check(status == 404 and "/healthz" in body, "/ should be 404 pointing at /healthz: %d" % status)
    status, _, _ = get(port, "/healthz", method="POST")
    check(status == 405, "POST should be 405, was %d" % status)
    status, body, headers = get(port, "/healthz", method="HEAD")
    check(status == 200 and body == "" and headers.get("content-length") == "37", "HEAD: %d %r %r" % (status, body, headers))
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    for _ in range(3):  # one connection, several requests
        c.request("GET", "/metrics")
        r = c.getresponse()
        check(r.status == 200 and b"tend_commands_total" in r.read(), "keep-alive request failed")
    c.close()

    def raw(data, expect_close=True):
        s = socket.create_connection(("127.0.0.1", port), timeout=15)
        s.sendall(data)
        got = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            if expect_close:
                raise Failure("tend kept a bad connection open: %r" % data[:40])
        s.close()
        return got

    got = raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n")
    check(not got.startswith(b"HTTP/1.1 200"), "garbage got a 200")
    got = raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n")
    check(not got.startswith(b"HTTP/1.1 200"), "a 64 kB header got a 200")
    check(t.proc.poll() is None, "tend died of a bad request")
    check("[private ana]" in "\n".join(t.say("me")), "the console stopped answering after bad requests")

    # 200 idle connections at once: members are not held up; the endpoint returns when they go
    socks = []
    for _ in range(200):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        except OSError:
            break
    t0 = time.monotonic()
    answer = "\n".join(t.say("me"))
    during = time.monotonic() - t0
    check("[private ana]" in answer and during < 2, "the console took %.2f s with 200 idle connections" % during)
    try:  # past the cap (32 connections) a new one is closed at once, not queued
        refused = get(port, "/healthz", timeout=2)[0] != 200
    except OSError:
        refused = True
    check(refused, "the endpoint took a 201st connection")
    for s in socks:
        s.close()
    back, _ = wait_status(port, "/healthz", 200, timeout=15)
    # many connections come and go, of every kind: the count of open ones stays true
    for i in range(300):
        try:
            if i % 3 == 0:
                get(port, "/healthz")
            elif i % 3 == 1:
                raw(b"garbage\r\n\r\n")
            else:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            pass
    socks = [socket.create_connection(("127.0.0.1", port), timeout=2) for _ in range(30)]
    status, _, _ = get(port, "/healthz")
    for s in socks:
        s.close()
    check(status == 200, "after 300 connections came and went, 30 idle ones filled the cap")
    # a half-sent request is closed by lws's own timeout, not kept forever
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    t0 = time.monotonic()
    try:
        while s.recv(4096):
            pass
    except socket.timeout:
        raise Failure("a half-sent request was kept open for 30 s")
    closed_after = time.monotonic() - t0
    s.close()
    print("health: 404/405/HEAD/keep-alive as HTTP says; garbage and a 64 kB header refused; console answered "
          "in %.0f ms beside 200 idle connections (past 32 the endpoint refuses), endpoint back %.2f s after "
          "they closed; a half-sent request closed after %.1f s" % (during * 1000, back, closed_after))


def probe(binary, port, tmp):
    env = clean_env({"TEND_OPS_LISTEN": "127.0.0.1:%d" % port})
    p = subprocess.run([binary, "--health"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    check(p.returncode == 0 and p.stdout == b"ok: console up, the database answers\n",
          "tend --health: %d %r %r" % (p.returncode, p.stdout, p.stderr))
    p = subprocess.run([binary, "--health", "http://127.0.0.1:1/healthz"], env=clean_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    check(p.returncode == 1 and b"no answer from http://127.0.0.1:1/healthz" in p.stdout,
          "tend --health against nothing: %d %r" % (p.returncode, p.stdout))
    p = subprocess.run([binary, "--health"], env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=20)
    check(p.returncode == 1 and b"the health endpoint is off; set [ops] listen" in p.stderr,
          "tend --health with no endpoint: %d %r" % (p.returncode, p.stderr))
    # the same port twice: the second tend stops, saying which setting
    p = subprocess.run([binary, "--console", "--database", os.path.join(tmp, "second.db")],
                       env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    err = p.stderr.decode()
    check(p.returncode == 1 and "cannot listen on 127.0.0.1:%d for [ops] listen" % port in err,
          "a taken port: %d %r" % (p.returncode, err))
    print("health: tend --health exits 0 on 200, 1 without an answer or an endpoint; a taken port stops "
          "tend with: " + [l for l in err.splitlines() if "cannot listen" in l][0].split(" app: ")[-1])


def database_fails(binary, tmp):
    """The disk fills under a running tend (RLIMIT_FSIZE, as in hardening/faults.py: no root needed):
    503 naming it while writes fail, 200 again once one succeeds."""
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # inherited: a write past the limit fails instead
    try:
        t, port, _ = started(binary, tmp, "full", keep_signals=True)
    finally:
        signal.signal(signal.SIGXFSZ, old)
    db = os.path.join(tmp, "full.db")
    check("New task" in "\n".join(t.say('task add "Soup run"')), "the first task failed")
    wait_status(port, "/healthz", 200)
    big = resource.RLIM_INFINITY
    resource.prlimit(t.proc.pid, resource.RLIMIT_FSIZE, (os.path.getsize(db) + 4096, big))
    for i in range(400):
        if "disk is full" in "\n".join(t.say('task add "Full %03d %s"' % (i, "x" * 180))):
            break
    else:
        raise Failure("the disk never filled")
    waited, body = wait_status(port, "/healthz", 503)
    check(body == "unhealthy: the disk is full (the last database write failed; none has succeeded since)\n",
          "503 body: %r" % body)
    resource.prlimit(t.proc.pid, resource.RLIMIT_FSIZE, (big, big))
    check("New task" in "\n".join(t.say('task add "After the cleanup"')), "no recovery when space returned")
    back, _ = wait_status(port, "/healthz", 200)
    check(t.quit() == 0, "tend did not stop cleanly")
    print("health: 503 %r while the disk was full; 200 again after the next write succeeded" % body.strip())


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="tend-health-") as tmp:
        t, port, _ = started(binary, tmp, "main")
        try:
            metrics_while_members_work(t, port)
            http_edges(t, port)
            probe(binary, port, tmp)
            check(t.quit() == 0, "tend did not stop cleanly")
        finally:
            if t.proc.poll() is None:
                t.kill()
        database_fails(binary, tmp)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
