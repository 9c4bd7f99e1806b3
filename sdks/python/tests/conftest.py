import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from herald_sdk import Herald


@pytest.fixture
def herald():
    """The live Herald that scripts/sdk-check.sh started (HERALD_URL, HERALD_TOKEN)."""
    url = os.environ.get("HERALD_URL")
    if not url:
        if os.environ.get("HERALD_SDK_REQUIRE_SERVER") == "1":
            pytest.fail("HERALD_URL is not set")
        pytest.skip("HERALD_URL is not set (scripts/sdk-check.sh starts a Herald and sets it)")
    with Herald(url, os.environ.get("HERALD_TOKEN", "sdk-token")) as client:
        yield client


@pytest.fixture
def uid():
    return "py-" + uuid.uuid4().hex[:12]


class Receiver:
    """A webhook receiver on loopback: answers each request with the next of
    `statuses` (the last one repeats) and keeps what it received."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver.lock:
                    receiver.received.append((dict(self.headers.items()), body))
                    n = len(receiver.received)
                status = receiver.statuses[min(n, len(receiver.statuses)) - 1]
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_500_then_200():
    r = Receiver([500, 200])
    yield r
    r.close()
