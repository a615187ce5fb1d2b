import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# Debian's Chromium, as for the other browser tests.
from tests.browser.conftest import browser_context_args, browser_type_launch_args  # noqa: F401

from .payloads import Payload, payloads

MARKER = re.compile(r"xss\d{3}")


class HitRecorder:
    """A local HTTP server that records every request made to it: a payload that got to load something."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_HEAD = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def markers(self) -> set[str]:
        return {m for hit in self.hits for m in MARKER.findall(hit)}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def hit_recorder():
    recorder = HitRecorder()
    yield recorder
    recorder.close()


@pytest.fixture(scope="session")
def hostile_payloads(hit_recorder) -> list[Payload]:
    return payloads(hit_recorder.base)
