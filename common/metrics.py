"""
The application's own Prometheus metrics, beside django-prometheus's (requests, latencies,
database queries): Celery tasks by outcome and how long report builds take. All of them are
here; ``common.apps.CommonConfig.ready`` connects the Celery signals that feed them.

Several processes (gunicorn's workers, Celery's pool processes) keep their counts in files
under ``PROMETHEUS_MULTIPROC_DIR`` when it is set (prometheus_client's multiprocess mode),
and ``/metrics`` adds them up: https://prometheus.github.io/client_python/multiprocess/

``/metrics`` is not public: it answers only a request that carries ``METRICS_TOKEN`` as a
bearer token (it is not served at all while the token is unset).
"""

from __future__ import annotations

import hmac
import os

from celery import signals
from django.conf import settings
from django.http import HttpResponse
from prometheus_client import Counter, Histogram, multiprocess

TASKS = Counter(
    "asn_celery_tasks_total",
    "Celery tasks that ended, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
REPORT_BUILDS = Histogram(
    "asn_report_build_seconds",
    "How long a report build attempt took, by kind of report and outcome "
    "(done, unchanged, failed, retry, superseded).",
    ["kind", "outcome"],
    # Builds take from a second (unchanged) to several minutes (a large PDF).
    buckets=(1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, float("inf")),
)


def _task_name(sender) -> str:
    return getattr(sender, "name", None) or str(sender)


def _on_success(sender=None, **kwargs) -> None:
    TASKS.labels(task=_task_name(sender), outcome="success").inc()


def _on_failure(sender=None, **kwargs) -> None:
    TASKS.labels(task=_task_name(sender), outcome="failure").inc()


def _on_retry(sender=None, request=None, **kwargs) -> None:
    # The retry signal's sender is the task itself.
    TASKS.labels(task=_task_name(sender), outcome="retry").inc()


def _on_pool_process_shutdown(pid=None, **kwargs) -> None:
    """A Celery pool process that ends leaves its live gauges behind unless marked dead (none now, but cheap)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid or os.getpid())


def connect() -> None:
    """Connect the Celery signals that count tasks (weak=False: the handlers are module functions anyway)."""
    signals.task_success.connect(_on_success, weak=False, dispatch_uid="asn-metrics-success")
    signals.task_failure.connect(_on_failure, weak=False, dispatch_uid="asn-metrics-failure")
    signals.task_retry.connect(_on_retry, weak=False, dispatch_uid="asn-metrics-retry")
    signals.worker_process_shutdown.connect(_on_pool_process_shutdown, weak=False, dispatch_uid="asn-metrics-pool")


def report_build_ended(*, kind: str, outcome: str, seconds: float) -> None:
    """Called by the report build service when an attempt ends, however it ends."""
    REPORT_BUILDS.labels(kind=kind, outcome=outcome).observe(seconds)


def _authorised(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_view(request) -> HttpResponse:
    """
    The metrics in Prometheus's text format, for a scraper that sends ``Authorization: Bearer
    <METRICS_TOKEN>``; 404 to anyone else (nothing tells that the page exists), also while
    ``METRICS_TOKEN`` is unset.
    """
    from django_prometheus.exports import ExportToDjangoView

    if not _authorised(request):
        return HttpResponse("Not found\n", status=404, content_type="text/plain; charset=utf-8")
    return ExportToDjangoView(request)
