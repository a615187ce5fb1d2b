"""Errors to Sentry: sent to the DSN's server (a real sentry-sdk transport to a local one), only with SENTRY_DSN."""

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from common.sentry import sentry_init


class Receiver(BaseHTTPRequestHandler):
    """Keeps every envelope posted to it, as Sentry's ingest would."""

    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        match self.headers.get("Content-Encoding"):
            case "gzip":
                body = gzip.decompress(body)
            case "deflate":
                body = zlib.decompress(body)
            case "br":
                import brotli

                body = brotli.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], Receiver.received
    finally:
        server.shutdown()
        server.server_close()


def events(received) -> list[dict]:
    """The error events in the envelopes (an envelope: a header line, then item header and payload lines)."""
    found = []
    for _, body in received:
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


@pytest.mark.urls("tests.monitoring.urls")
@pytest.mark.django_db
def test_an_exception_in_a_view_arrives_at_the_dsn_s_server(client, sentry_server, reader):
    port, received = sentry_server
    assert sentry_init(dsn=f"http://publickey@127.0.0.1:{port}/42", environment="test", release="asn@1234abc")
    try:
        client.force_login(reader)
        client.raise_request_exception = False
        response = client.get("/test-failure/", HTTP_X_REQUEST_ID="req-for-sentry-1")
        assert response.status_code == 500
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: nothing more is sent
    assert {path for path, _ in received} == {"/api/42/envelope/"}
    [event] = [e for e in events(received) if e.get("exception")]
    [error] = event["exception"]["values"]
    assert (error["type"], error["value"]) == ("RuntimeError", "A view failed on purpose")
    assert (event["environment"], event["release"]) == ("test", "asn@1234abc")
    assert event["tags"]["request_id"] == "req-for-sentry-1"
    assert error["mechanism"] == {"type": "django", "handled": False}
    # No personal data: neither the user, nor the session cookie, nor the address.
    text = json.dumps(event)
    assert reader.username not in text
    assert "sessionid" not in text
    assert "ip_address" not in event.get("user", {})
    assert "REMOTE_ADDR" not in text


def settings_client(env: dict) -> dict:
    """How a process with the project's settings and this environment set Sentry up."""
    code = (
        "import json, django; django.setup(); import sentry_sdk; c = sentry_sdk.get_client();"
        "print(json.dumps({'active': c.is_active(), 'environment': c.options.get('environment'),"
        "'release': c.options.get('release'), 'pii': c.options.get('send_default_pii'),"
        "'integrations': sorted(getattr(c, 'integrations', {}))}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "asn.settings.test", **env},
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(result.stdout.splitlines()[-1])


def test_sentry_starts_only_with_a_dsn():
    assert settings_client({})["active"] is False
    started = settings_client(
        {"SENTRY_DSN": "http://publickey@127.0.0.1:9/1", "SENTRY_ENVIRONMENT": "staging", "SENTRY_RELEASE": "abc123"}
    )
    assert started["active"] is True
    assert (started["environment"], started["release"], started["pii"]) == ("staging", "abc123", False)
    assert {"django", "celery"} <= set(started["integrations"])
