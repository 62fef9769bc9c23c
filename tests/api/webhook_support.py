"""What the webhook tests share: a real HTTP receiver on 127.0.0.1, and a buyer that posts demands."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.factories import MembershipFactory


class Receiver:
    """A real HTTP server that records what it is sent and answers with the statuses it is given."""

    def __init__(self, statuses=(), default=200, headers=None):
        self.requests = []
        self.statuses = list(statuses)
        self.default = default
        self.extra_headers = headers or {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                answer = b'{"ok": true}' if status < 300 else b"receiver says no"
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/greenbridge/events"

    def count(self):
        with self.lock:
            return len(self.requests)

    def wait_for(self, n, timeout=45):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= n:
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_for(condition, timeout=45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def buyer_admin():
    return MembershipFactory(role="admin", organisation__name="Beijing Drainage Group", organisation__country="CN")


def demand_fields(title="Sludge treatment plant"):
    return {"title": title, "description": "Thermal hydrolysis and biogas", "kind": "procurement"}
