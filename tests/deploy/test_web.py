"""
The web process as production runs it: `deploy/entrypoint.sh web` (gunicorn with
deploy/gunicorn.conf.py) on asn.settings.prod and PostgreSQL, behind a reverse proxy that
terminates TLS; and deploy/healthcheck.py, which compose asks whether it is alive.
"""

import http.client
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from gunicorn.config import Config

from .conftest import ENTRYPOINT, ROOT, free_port, new_database, production_env, tables

HOST = "uppfoljning.example.se"  # .env.example's ALLOWED_HOSTS and SITE_URL


def get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.fixture(scope="module")
def web_database() -> str:
    """An empty database the web tests share: serving never writes to it (one test checks)."""
    with new_database() as url:
        yield url


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> str:
    """
    The static files as the image's collectstatic leaves them (hashed names and their manifest,
    which the production storage requires), without the gzip and Brotli copies: compressing
    them takes a minute and changes nothing of what is tested here.
    """
    root = tmp_path_factory.mktemp("collected") / "static"
    code = (
        "import django; from django.conf import settings; django.setup();"
        "from django.core.management import call_command; from django.test.utils import override_settings;"
        "storage = {'BACKEND': 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'};"
        "override_settings(STORAGES={**settings.STORAGES, 'staticfiles': storage})"
        "(call_command)('collectstatic', '--noinput', verbosity=0)"
    )
    env = production_env("postgres://unused@127.0.0.1:5432/unused", STATIC_ROOT=str(root))
    env["DJANGO_SETTINGS_MODULE"] = "asn.settings.prod"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    assert (root / "staticfiles.json").exists()
    return str(root)


def test_gunicorn_serves_the_app_with_the_production_settings(web_database, static_root, tmp_path):
    port = free_port()
    env = production_env(
        web_database,
        STATIC_ROOT=static_root,
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="2",
    )
    log = (tmp_path / "web.log").open("w+")
    server = subprocess.Popen([str(ENTRYPOINT), "web"], cwd="/", env=env, stdout=log, stderr=log)
    proxied = {"Host": HOST, "X-Forwarded-Proto": "https"}
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                login = get(port, "/login/", proxied)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"gunicorn did not answer:\n{log.read()}") from None
                time.sleep(0.2)
        plain_http = get(port, "/login/", {"Host": HOST})
        unknown_host = get(port, "/login/", {"Host": "evil.example.com", "X-Forwarded-Proto": "https"})
        health = subprocess.run(
            [sys.executable, str(ROOT / "deploy" / "healthcheck.py"), "/login/"],
            env=env, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        missing = subprocess.run(
            [sys.executable, str(ROOT / "deploy" / "healthcheck.py"), "/no-such-page/"],
            env=env, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        status = server.wait(timeout=60)
    log.seek(0)
    output = log.read()
    assert login.status == 200, output
    # The production settings' security headers, over the proxy's https.
    assert login.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert login.getheader("X-Content-Type-Options") == "nosniff"
    assert login.getheader("X-Frame-Options") == "DENY"
    assert login.getheader("Referrer-Policy") == "same-origin"
    assert "default-src 'self'" in login.getheader("Content-Security-Policy")
    cookie = login.getheader("Set-Cookie")
    assert "csrftoken=" in cookie
    assert "Secure" in cookie
    # The page links its static files by their hashed names (the manifest is used).
    assert b"/static/css/" in login.body
    assert "gunicorn" not in login.getheader("Server", "").lower()
    # Plain http is sent to https; a host not in ALLOWED_HOSTS is refused.
    assert plain_http.status == 301
    assert plain_http.getheader("Location") == f"https://{HOST}/login/"
    assert unknown_host.status == 400
    # The health check answers as compose expects: 0 when the page answers 200, else 1 and why.
    assert health.returncode == 0, health.stderr
    assert missing.returncode == 1
    assert "answered 404" in missing.stderr
    # The access log goes to standard output; SIGTERM ends gunicorn cleanly.
    assert '"GET /login/ HTTP/1.1" 200' in output
    assert "Shutting down: Master" in output
    assert status == 0
    # Serving never migrates: the database is as empty as it was.
    assert tables(web_database) == set()


def test_gunicorn_takes_the_socket_systemd_holds(web_database, static_root, tmp_path):
    """
    As under asn-web.socket: systemd listens, and starts the service on the first connection,
    which waits in the socket meanwhile; gunicorn takes the socket over (LISTEN_FDS) and answers
    it, whatever GUNICORN_BIND says. systemd-socket-activate does what systemd does for a socket unit.
    """
    if not shutil.which("systemd-socket-activate"):
        pytest.skip("systemd-socket-activate is not installed (Debian package systemd)")
    port = free_port()
    env = production_env(
        web_database,
        STATIC_ROOT=static_root,
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND="127.0.0.1:1",  # not where it listens
        GUNICORN_WORKERS="1",
    )
    # systemd-socket-activate passes on only the variables it is told to (as a unit's Environment=).
    passed = [f"--setenv={name}" for name in sorted(env)]
    log = (tmp_path / "web.log").open("w+")
    server = subprocess.Popen(
        ["systemd-socket-activate", "--listen", f"127.0.0.1:{port}", *passed, str(ENTRYPOINT), "web"],
        cwd="/", env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:  # until systemd-socket-activate listens; the connection then waits for gunicorn
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "systemd-socket-activate ended"
                assert time.monotonic() < deadline, "systemd-socket-activate did not listen"
                time.sleep(0.1)
        response = get(port, "/login/", {"Host": HOST, "X-Forwarded-Proto": "https"})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    log.seek(0)
    output = log.read()
    assert response.status == 200, output
    assert f"Listening at: http://127.0.0.1:{port}" in output
    assert "127.0.0.1:1 " not in output


def test_the_gunicorn_configuration_reads_the_environment(monkeypatch):
    """deploy/gunicorn.conf.py read as gunicorn reads it, each value through gunicorn's own validation."""
    for name, value in {
        "GUNICORN_BIND": "0.0.0.0:8000",
        "GUNICORN_WORKERS": "7",
        "GUNICORN_MAX_REQUESTS": "500",
        "GUNICORN_MAX_REQUESTS_JITTER": "50",
        "GUNICORN_FORWARDED_ALLOW_IPS": "10.0.0.0/8,127.0.0.1",
        "GUNICORN_TIMEOUT": "45",
    }.items():
        monkeypatch.setenv(name, value)
    namespace = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = Config()
    for name, value in namespace.items():
        if name in config.settings:
            config.set(name, value)
    assert config.bind == ["0.0.0.0:8000"]
    assert config.workers == 7
    assert config.max_requests == 500
    assert config.max_requests_jitter == 50
    assert config.forwarded_allow_ips == ["10.0.0.0/8", "127.0.0.1"]
    assert config.timeout == 45
    assert config.worker_tmp_dir == "/dev/shm"  # noqa: S108 (memory, gunicorn's advice for containers)
    assert config.accesslog == "-"
    assert config.errorlog == "-"
    assert config.wsgi_app == "asn.wsgi:application"
    assert config.control_socket_disable is True
    # Everything the file sets is a gunicorn setting (a misspelt one would be ignored silently).
    ours = {name for name in namespace if not name.startswith("_") and name.islower()} - {"multiprocessing", "os"}
    assert ours - {"gunicorn"} <= set(config.settings)
