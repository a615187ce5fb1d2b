"""
The project's Celery app for worker tests that need a build to take its time: every render
of a report format first sleeps ``SLOW_RENDER_SECONDS`` (a delay the test controls, so that
it can kill the worker in the middle of a build). Start a worker with ``-A tests.slow_worker``.
"""

import os
import time

import django

from asn.celery import app

django.setup()

from reports import services  # noqa: E402  (needs the apps loaded)

__all__ = ["app"]

_render = services.render


def _slow_render(document, fmt):
    time.sleep(float(os.environ.get("SLOW_RENDER_SECONDS", "0")))
    return _render(document, fmt)


services.render = _slow_render
