"""
/metrics: only with the token; requests, database queries and Celery tasks counted, in this
process and, in prometheus_client's multiprocess mode, from a real Celery worker's pool.
"""

import http.client
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from asn.celery import app
from commitments.models import ReportingPeriod
from common.tasks import staged_uploads_cleanup_task
from reports.models import ReportBuild, ReportKind
from tests.conftest import celery_worker

TOKEN = "scrape-token-for-tests-0123"


def scrape(client) -> dict[tuple[str, frozenset], float]:
    """Every sample of /metrics as {(name, labels): value}."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.django_db
def test_metrics_are_not_public(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@pytest.mark.django_db
def test_requests_queries_and_tasks_are_counted(client, settings, reader):
    settings.METRICS_TOKEN = TOKEN
    before = scrape(client)
    client.force_login(reader)
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert staged_uploads_cleanup_task.delay().get() == 0  # eager, in this process
    after = scrape(client)

    view = {"view": "home", "transport": "http", "method": "GET"}
    name = "django_http_requests_total_by_view_transport_method_total"
    assert value(after, name, **view) - value(before, name, **view) == 3
    latency = "django_http_requests_latency_seconds_by_view_method_count"
    assert value(after, latency, view="home", method="GET") - value(before, latency, view="home", method="GET") == 3
    queries = {"alias": "default", "vendor": "postgresql"}
    assert value(after, "django_db_execute_total", **queries) > value(before, "django_db_execute_total", **queries)
    task = {"task": "common.tasks.staged_uploads_cleanup_task", "outcome": "success"}
    assert value(after, "asn_celery_tasks_total", **task) - value(before, "asn_celery_tasks_total", **task) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_s_tasks_and_build_times_reach_metrics_in_multiprocess_mode(
    client, demo, settings, monkeypatch, tmp_path_factory
):
    """
    As production runs: the worker's pool process writes its counts to PROMETHEUS_MULTIPROC_DIR
    and /metrics reads them from there (this process serves it with the same variable set).
    """
    settings.METRICS_TOKEN = TOKEN
    folder = tmp_path_factory.mktemp("prometheus")
    period = ReportingPeriod.objects.get(slug="2019-jan-aug")
    build = ReportBuild.objects.create(period=period, kind=ReportKind.FOLLOW_UP, trigger="nightly")
    worker_env = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "LOG_FORMAT": "json"}
    with celery_worker(tmp_path_factory, pool="prefork", env=worker_env) as node:
        settings.MEDIA_ROOT = node.media_root
        app.send_task("reports.tasks.build_report_task", args=[build.pk], queue=node.queue).get(timeout=120)
        # A task called with an argument it does not take fails.
        failed = app.send_task("common.tasks.staged_uploads_cleanup_task", args=[1], queue=node.queue)
        with pytest.raises(TypeError):
            failed.get(timeout=30)
        time.sleep(0.2)
    build.refresh_from_db()
    assert build.status == "done"
    # The worker's log is JSON, and the failed task's records carry its id.
    records = [json.loads(line) for line in node.logfile.read_text().splitlines() if line.startswith("{")]
    failure = [r for r in records if r.get("task_id") == failed.id]
    assert failure, node.logfile.read_text()
    assert any(r["level"] == "ERROR" and "TypeError" in r["message"] + r.get("exc_info", "") for r in failure), failure

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    samples = scrape(client)
    task = "asn_celery_tasks_total"
    assert value(samples, task, task="reports.tasks.build_report_task", outcome="success") == 1
    assert value(samples, task, task="common.tasks.staged_uploads_cleanup_task", outcome="failure") == 1
    assert value(samples, "asn_report_build_seconds_count", kind="ataganden", outcome="done") == 1
    assert value(samples, "asn_report_build_seconds_sum", kind="ataganden", outcome="done") > 0
    # The worker's queries too, through django-prometheus's database wrapper.
    assert value(samples, "django_db_execute_total", alias="default", vendor="postgresql") > 10


def test_gunicorn_s_workers_are_added_up_in_multiprocess_mode(tmp_path):
    """Two gunicorn workers: with PROMETHEUS_MULTIPROC_DIR every scrape counts the requests that either served."""
    from tests.test_gunicorn import get, running_gunicorn

    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "asn.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # the login page reads no table
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "METRICS_TOKEN": TOKEN,
    }
    sent = 0
    with running_gunicorn(tmp_path, env) as (port, _log):
        # Requests in batches of eight at once, until both workers have served some: one idle
        # worker may take a whole sequence (it did on a loaded machine).
        with ThreadPoolExecutor(max_workers=8) as pool:
            while sent < 80 and (sent == 0 or len(list(folder.glob("counter_*.db"))) < 2):
                assert {r.status for r in pool.map(lambda _: get(port, "/login/"), range(8))} == {200}
                sent += 8
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
    assert response.status == 200
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    view = {"view": "login", "transport": "http", "method": "GET"}
    assert value(samples, "django_http_requests_total_by_view_transport_method_total", **view) == sent
    # Both workers wrote their counts (one file of counters per process).
    assert len(list(folder.glob("counter_*.db"))) == 2
