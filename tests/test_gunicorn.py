"""gunicorn as production runs it (deploy/gunicorn.conf.py): what its responses say of the server."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_gunicorn_names_neither_itself_nor_its_version(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "asn.settings.test",
        # The login page reads no table: an empty database will do.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = get(port, "/login/")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"gunicorn did not answer:\n{log.read()}") from None
                time.sleep(0.2)
        static = get(port, "/static/js/unsaved-changes.js")
    finally:
        server.terminate()
        server.wait(timeout=30)
    log.seek(0)
    assert response.status == 200, log.read()
    assert static.status == 200
    for answer in (response, static):
        server_header = answer.getheader("Server", "")
        assert "gunicorn" not in server_header.lower()
        assert not any(char.isdigit() for char in server_header)
    # The application's own headers come through.
    assert "camera=()" in response.getheader("Permissions-Policy")
    # The access log is written, with the request's time.
    assert '"GET /login/ HTTP/1.1" 200' in log.read()
