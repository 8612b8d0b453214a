"""A small reverse proxy between tend and the local Synapse that can hold or fail tend's
/rooms/{roomId}/messages requests, so a test can crash tend in the middle of reading back a gap (a
real fill takes a few milliseconds) or make one page fail. Everything else passes through as is;
the bodies of tend's to-device sends are kept (to_device), so a test can see which devices a room
key went to.
Listens on 127.0.0.1 only; each request is one thread; stop() ends it."""
import http.server
import json
import threading

import requests

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class GateProxy:
    def __init__(self, upstream):
        self.upstream = upstream.rstrip("/")
        self.lock = threading.Condition()
        self.served = 0         # /messages answers passed back to tend
        self.waiting = 0        # /messages requests being held right now
        self.busy = 0           # /messages requests between arriving and being answered
        self.hold_after = None  # hold every /messages request once this many were served
        self.fail_next = 0      # answer this many /messages requests with fail_status
        self.fail_status = 502  # 429: a homeserver that throttles tend
        self.to_device = []     # (path, body as JSON) of every /sendToDevice/ request, in order
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy._forward(self)

            do_POST = do_PUT = do_DELETE = do_GET

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _reply(self, h, status, body, headers=()):
        h.send_response(status)
        for k, v in headers:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _forward(self, h):
        messages = "/messages?" in h.path
        if messages:
            with self.lock:
                if self.fail_next > 0:
                    self.fail_next -= 1
                    body = (b'{"errcode":"M_LIMIT_EXCEEDED","error":"gate proxy","retry_after_ms":200}'
                            if self.fail_status == 429 else b'{"errcode":"M_UNKNOWN","error":"gate proxy"}')
                    self._reply(h, self.fail_status, body, [("Content-Type", "application/json")])
                    return
                self.waiting += 1
                self.busy += 1
                self.lock.notify_all()
                # held until released (or 60 s, so a forgotten gate cannot hang a test run)
                self.lock.wait_for(lambda: self.hold_after is None or self.served < self.hold_after, 60)
                self.waiting -= 1
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n) if n else None
        if "/sendToDevice/" in h.path and body:
            with self.lock:
                self.to_device.append((h.path, json.loads(body)))
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP and k.lower() != "host"}
        try:
            r = requests.request(h.command, self.upstream + h.path, data=body, headers=headers, timeout=90)
        except requests.RequestException:
            r = None
        if messages:
            with self.lock:
                self.served += 1
                self.busy -= 1
                self.lock.notify_all()
        if r is None:
            self._reply(h, 502, b"{}")
            return
        try:
            self._reply(h, r.status_code, r.content,
                        [(k, v) for k, v in r.headers.items() if k.lower() not in HOP])
        except OSError:
            pass  # tend was killed while this answer was on its way

    def hold_messages_after(self, n):
        with self.lock:
            self.hold_after = n
            self.lock.notify_all()

    def release(self):
        """Lets held requests go on and waits until they were answered (or their tend is gone)."""
        self.hold_messages_after(None)
        with self.lock:
            self.lock.wait_for(lambda: self.busy == 0, 30)

    def wait_held(self, timeout):
        """True once a /messages request is being held."""
        with self.lock:
            return self.lock.wait_for(lambda: self.waiting > 0 and self.served >= (self.hold_after or 0),
                                      timeout)

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()
