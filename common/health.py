"""
The endpoints for machines, not people: the load balancer's health check (``/halsa/``), the
container's liveness check (``/halsa/live/``) and Prometheus's scrape (``/metrics``).

``/halsa/`` runs django-health-check's checks of the parts the site needs, at once:

- ``database``: ``SELECT 1`` on the default database;
- ``redis``: a PING to the Celery broker (``CELERY_BROKER_URL``);
- ``celery``: a Celery worker answers a ping within ``HEALTH_CELERY_TIMEOUT`` seconds, and
  each queue the app defines (``CELERY_TASK_QUEUES``: the default one and the reports' one)
  has a worker that consumes it (a deployment without workers fails it, rightly: no report
  would be built);
- ``storage``: a small file written to and deleted from the default storage (``MEDIA_ROOT``).

It answers 200 when every part is up and 503 when one is down, in JSON
(``{"status": "down", "parts": {"database": "up", "celery": "down", …}}``) or, for
``Accept: text/plain`` or ``?format=text``, one line per part. The body names the parts and
whether they are up, nothing else: the reasons (which host, which error) go to the log.

``ProbeMiddleware`` answers these paths before any other middleware but the request id and
django-prometheus's counter, so that a probe needs no login, session, CSRF token or HTTPS
(the load balancer may probe over plain HTTP: no redirect), is not counted by django-axes
and may name the server by its address rather than by a name in ``ALLOWED_HOSTS`` (the
answer uses no Host). Each check runs outside ``ATOMIC_REQUESTS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from health_check.checks import Database, Storage
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

logger = logging.getLogger(__name__)


def _broker_client():
    from redis.asyncio import Redis as RedisClient

    return RedisClient.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)


class CeleryPing(Ping):
    """
    django-health-check's check of the workers, whose second question (which queues the
    workers that answered consume) waits as long as the ping: it waited Celery's default
    second, which a busy worker may need longer for, and the check said "down".
    """

    def check_active_queues(self, *active_workers):
        try:
            defined_queues = {queue.name for queue in self.app.conf.task_queues}
        except TypeError:  # no task_queues: the default queue
            defined_queues = {self.app.conf.task_default_queue}
        inspect = self.app.control.inspect(list(active_workers), timeout=self.timeout.total_seconds())
        active_queues = {queue.get("name") for queues in (inspect.active_queues() or {}).values() for queue in queues}
        for queue in sorted(defined_queues - active_queues):
            raise ServiceUnavailable(f"No worker for Celery task queue {queue}")


def parts() -> dict[str, object]:
    """The checks by the name of the part each checks (the names the answer shows)."""
    from asn.celery import app

    return {
        "database": Database(),
        "redis": Redis(client_factory=_broker_client),
        "celery": CeleryPing(app=app, timeout=datetime.timedelta(seconds=settings.HEALTH_CELERY_TIMEOUT)),
        "storage": Storage(),
    }


class HealthView(HealthCheckView):
    """django-health-check's view with our parts, 503 for a part down, and no detail in the body."""

    def get_checks(self):
        yield from self.parts.values()

    def get_executor(self):
        # A check whose client hangs (a broker that does not answer) is given up after its
        # timeout; its thread is not waited for, so that the answer is not held up by it.
        @contextlib.contextmanager
        def executor():
            pool = ThreadPoolExecutor(max_workers=len(self.parts), thread_name_prefix="health")
            try:
                yield pool
            finally:
                pool.shutdown(wait=False, cancel_futures=True)

        return executor()

    async def get(self, request, *args, **kwargs):
        self.parts = parts()
        with self.get_executor() as pool:
            self.results = await asyncio.gather(*(check.get_result(pool) for check in self.get_checks()))
        status = {}
        for name, result in zip(self.parts, self.results, strict=True):
            status[name] = "down" if result.error else "up"
            if result.error:
                logger.error("Health check: %s is down: %s", name, result.error)
        down = [name for name, state in status.items() if state == "down"]
        code = 503 if down else 200
        wants_text = request.GET.get("format") == "text" or (
            request.GET.get("format") != "json" and request.headers.get("Accept", "").startswith("text/plain")
        )
        if wants_text:
            lines = [f"{name}: {state}" for name, state in status.items()]
            return HttpResponse("\n".join(lines) + "\n", status=code, content_type="text/plain; charset=utf-8")
        return JsonResponse({"status": "down" if down else "up", "parts": status}, status=code)

    async def dispatch(self, request, *args, **kwargs):
        response = await super(HealthCheckView, self).dispatch(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        add_never_cache_headers(response)
        return response


_health_view = async_to_sync(HealthView.as_view())


def health_view(request) -> HttpResponse:
    """``/halsa/``: every part's state (see the module's text)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    return _health_view(request)


def live_view(request) -> HttpResponse:
    """``/halsa/live/``: the process answers; it checks nothing else (for a container's health check)."""
    response = HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


class ProbeMiddleware:
    """Answers ``/halsa/``, ``/halsa/live/`` and ``/metrics`` before the other middleware (see above)."""

    def __init__(self, get_response):
        from .metrics import metrics_view

        self.get_response = get_response
        self.views = {"/halsa/": health_view, "/halsa/live/": live_view, "/metrics": metrics_view}

    def __call__(self, request):
        view = self.views.get(request.path_info)
        if view is None:
            return self.get_response(request)
        return view(request)
