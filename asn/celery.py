"""The Celery application: configured from Django settings with the CELERY_ prefix."""

import os

from celery import Celery

# As in wsgi.py: a process that names no settings gets production's, which have no defaults.
# manage.py chooses the development settings for itself.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asn.settings.prod")

app = Celery("asn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

#: The heavy tasks: each renders a whole report (HTML, Word, PDF). The nightly and stalled-build
#: tasks only queue builds, so they stay with the short tasks and run even while every report
#: worker is busy.
REPORT_TASKS = frozenset({"reports.tasks.build_report_task"})


def route_task(name, args, kwargs, options, task=None, **kw):
    """
    ``CELERY_TASK_ROUTES``' router: a report build goes to ``CELERY_REPORTS_QUEUE``, every other
    task to the default queue (``CELERY_TASK_DEFAULT_QUEUE``). The queue is read from the
    settings when the task is sent, not when the app is configured. A queue named by the
    sender (``apply_async(queue=…)``, a retry to the queue it came from) comes first.
    https://docs.celeryq.dev/en/stable/userguide/routing.html#routers
    """
    from django.conf import settings

    if name in REPORT_TASKS:
        return {"queue": settings.CELERY_REPORTS_QUEUE}
    return None
