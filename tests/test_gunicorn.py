"""gunicorn as production runs it (deploy/gunicorn.conf.py): what its responses say of the server."""

import contextlib
import http.client
import os
import signal
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


@contextlib.contextmanager
def running_gunicorn(tmp_path, env: dict, *, probe: str = "/halsa/live/", stop=signal.SIGQUIT):
    """
    gunicorn with deploy/gunicorn.conf.py on a free port (one worker, two threads unless
    ``env`` says otherwise), with this process's environment and ``env`` (a value of None
    removes the variable), once ``probe`` answers. Yields ``(port, log file)``; stopped with
    ``stop`` (SIGQUIT: gunicorn's quick shutdown).
    """
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment |= {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "2"}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)], cwd=ROOT, env=environment, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, probe)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"gunicorn did not answer:\n{log.read()}") from None
                time.sleep(0.2)
        yield port, log
    finally:
        server.send_signal(stop)
        server.wait(timeout=30)


def test_gunicorn_names_neither_itself_nor_its_version(tmp_path):
    # The login page reads no table: an empty database will do.
    env = {"DJANGO_SETTINGS_MODULE": "asn.settings.test", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    with running_gunicorn(tmp_path, env, probe="/login/", stop=signal.SIGTERM) as (port, log):
        response = get(port, "/login/")
        static = get(port, "/static/js/unsaved-changes.js")
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
