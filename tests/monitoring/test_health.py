"""
The health check the load balancer asks (/halsa/): every part up with a real Celery worker,
the worker stopped, and the database and the broker out of reach (gunicorn with production's
settings, so also over plain HTTP and with an address as Host).
"""

import json
import time

import pytest
from kombu import Queue

from asn.celery import app
from tests.conftest import celery_worker
from tests.test_gunicorn import free_port, running_gunicorn


def closed_port() -> int:
    """A port on which nothing listens (bound, then released)."""
    return free_port()


@pytest.mark.django_db
def test_every_part_is_up_with_a_worker_and_celery_is_down_once_it_stops(client, settings, monkeypatch,
                                                                          tmp_path_factory):  # fmt: skip
    default_queue, queues = app.conf.task_default_queue, app.conf.task_queues
    with celery_worker(tmp_path_factory) as node:
        # /halsa/ asks for a worker on each queue the app defines (the default queue and the
        # reports' queue): here this test's worker's own, which takes both.
        app.conf.task_default_queue = node.queue
        app.conf.task_queues = [Queue(node.queue)]
        monkeypatch.setattr(settings, "CELERY_TASK_DEFAULT_QUEUE", node.queue)
        # A live worker answers at once, but on a loaded machine not always within the 2 s default.
        monkeypatch.setattr(settings, "HEALTH_CELERY_TIMEOUT", 8)
        response = client.get("/halsa/")
        assert response.status_code == 200, response.content
        assert response.json() == {
            "status": "up",
            "parts": {"database": "up", "redis": "up", "celery": "up", "storage": "up"},
        }
        assert "no-cache" in response["Cache-Control"]
        text = client.get("/halsa/", HTTP_ACCEPT="text/plain")
        assert text["Content-Type"].startswith("text/plain")
        assert text.content.decode() == "database: up\nredis: up\ncelery: up\nstorage: up\n"
        node.process.terminate()
        node.process.wait(timeout=20)
    monkeypatch.setattr(settings, "HEALTH_CELERY_TIMEOUT", 2)
    try:
        started = time.monotonic()
        response = client.get("/halsa/")
    finally:
        app.conf.task_default_queue, app.conf.task_queues = default_queue, queues
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "parts": {"database": "up", "redis": "up", "celery": "down", "storage": "up"},
    }
    assert client.get("/halsa/?format=text").content.decode().splitlines()[2] == "celery: down"
    # The storage check left no file behind.
    media = settings.MEDIA_ROOT
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_the_liveness_check_answers_without_login_or_database(client):
    response = client.get("/halsa/live/")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def get(port, path, *, host="127.0.0.1", headers=None):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers={"Host": host, **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.fixture
def production_server(tmp_path, django_db_setup):
    """
    gunicorn with production's settings (JSON logs, HTTPS redirect, a real host name in
    ALLOWED_HOSTS) whose database and Celery broker are both out of reach. Yields
    ``(port, log file)``.
    """
    unreachable = closed_port()
    env = {
        "DJANGO_SETTINGS_MODULE": "asn.settings.prod",
        "SECRET_KEY": "test-only-secret-key-for-the-production-settings-0123456789",
        "ALLOWED_HOSTS": "uppfoljning.example.se",
        "SITE_URL": "https://uppfoljning.example.se",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{unreachable}/nothing",
        # The broker, the results and the cache too (make test exports CELERY_BROKER_URL).
        "REDIS_URL": f"redis://127.0.0.1:{unreachable}/0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{unreachable}/0",
        "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{unreachable}/0",
        "CACHE_URL": f"redis://127.0.0.1:{unreachable}/1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "METRICS_TOKEN": "scrape-token-123",
        "LOG_FORMAT": None,
        "SENTRY_DSN": None,
    }
    with running_gunicorn(tmp_path, env) as server:
        yield server


def test_an_unreachable_database_and_broker_are_named_over_plain_http_by_address(production_server):
    port, log = production_server
    # The load balancer probes over HTTP, by the server's address: no redirect, no 400.
    live, body = get(port, "/halsa/live/", host="10.0.0.7")
    assert (live.status, body) == (200, b"ok\n")
    started = time.monotonic()
    health, body = get(port, "/halsa/", host="10.0.0.7", headers={"X-Request-ID": "lb-probe-42"})
    assert time.monotonic() - started < 10
    assert health.status == 503, body
    assert json.loads(body) == {
        "status": "down",
        "parts": {"database": "down", "redis": "down", "celery": "down", "storage": "up"},
    }
    assert b"127.0.0.1" not in body  # no address, port or error text in the answer
    assert health.getheader("X-Request-ID") == "lb-probe-42"
    # The rest of the site still goes to HTTPS and still checks the Host.
    login, _ = get(port, "/login/", host="uppfoljning.example.se")
    assert (login.status, login.getheader("Location")) == (301, "https://uppfoljning.example.se/login/")
    bad_host, _ = get(port, "/login/", host="10.0.0.7")
    assert bad_host.status == 400
    # The reasons are in the log, as JSON, with the probe's request id.
    time.sleep(0.5)
    log.seek(0)
    records = []
    for line in log.read().splitlines():
        with __import__("contextlib").suppress(ValueError):
            records.append(json.loads(line))
    down = {r["message"].split(":")[1].strip().split()[0] for r in records
            if r.get("message", "").startswith("Health check:")}  # fmt: skip
    assert down == {"database", "redis", "celery"}
    assert all(r["request_id"] == "lb-probe-42" for r in records if r.get("message", "").startswith("Health check:"))
