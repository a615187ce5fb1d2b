"""Celery tasks of the reports app: thin; they take ids and call the build services."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services


@shared_task(
    bind=True,
    acks_late=True,  # a build whose worker dies is delivered again…
    reject_on_worker_lost=True,  # …also when the pool process is killed
    soft_time_limit=settings.REPORT_BUILD_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_BUILD_TIME_LIMIT,
    max_retries=settings.REPORT_BUILD_MAX_ATTEMPTS - 1,
)
def build_report_task(self, build_id: int) -> str | None:
    """Build one report in every format (idempotent: a build that is done is not built again)."""
    try:
        build = services.build_run(build_id=build_id, task_id=self.request.id)
    except SoftTimeLimitExceeded:
        raise  # out of time: trying again would take as long (the build is marked failed)
    except Exception as error:
        raise self.retry(exc=error, countdown=30 * (self.request.retries + 1)) from error
    return build.status if build else None


@shared_task
def nightly_builds_task() -> int:
    """Request the nightly build of every committee's open periods; returns how many were requested."""
    return len(services.nightly_builds_request())


@shared_task
def stalled_builds_task() -> int:
    """Put back in the queue the builds whose worker died."""
    return services.stalled_builds_recover()
