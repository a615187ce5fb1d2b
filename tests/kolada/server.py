"""
A local stand-in for Kolada's API, started by the tests (a thread with ``http.server``): it
serves the hand-made answers of ``responses/`` (see its README) and whatever a test sets, and
records every request. No test reads the real Kolada: this machine cannot, and a test must not.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

RESPONSES = Path(__file__).parent / "responses"


def hand_made(name: str) -> dict:
    """A hand-made answer of ``responses/`` (its ``_hand_made`` note left out)."""
    data = json.loads((RESPONSES / name).read_text(encoding="utf-8"))
    data.pop("_hand_made", None)
    return data


@dataclass
class Reply:
    body: dict | str
    status: int = 200
    delay: float = 0.0  # seconds before answering (a timeout)


@dataclass
class KoladaServer:
    """
    ``routes`` maps a path with its query ("/v3/kpi/N31816?per_page=5000") or without it to a
    ``Reply`` or a list of them, given in turn (the last one again when they run out). An answer's
    text may hold ``{base}``, the server's own address (for ``next_page``). Anything else: 404.
    """

    routes: dict[str, Reply | list[Reply]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    base: str = ""

    def reply(self, target: str) -> Reply:
        self.requests.append(target)
        path = urlsplit(target).path
        found = self.routes.get(target, self.routes.get(path))
        if found is None:
            return Reply({"error": "not found"}, status=404)
        if isinstance(found, list):
            return found.pop(0) if len(found) > 1 else found[0]
        return found

    def set(self, path: str, *replies: Reply | dict) -> None:
        made = [r if isinstance(r, Reply) else Reply(r) for r in replies]
        self.routes[path] = made if len(made) > 1 else made[0]

    def data_path(self, kpis: str, area: str, years: str, *, unit: bool = False) -> str:
        return f"/v3/oudata/kpi/{kpis}/ou/{area}/year/{years}" if unit else (
            f"/v3/data/kpi/{kpis}/municipality/{area}/year/{years}"
        )  # fmt: skip


@contextmanager
def kolada_server() -> Iterator[KoladaServer]:
    """Start the stand-in on a free port of 127.0.0.1; yield it with ``base`` (the API's base URL, …/v3)."""
    state = KoladaServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            reply = state.reply(self.path)
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body, ensure_ascii=False)
            payload = body.replace("{base}", state.base).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}/v3"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
