"""Celery tasks: thin; they take ids and call the services, which are idempotent."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def report_notice_task(report_id: int) -> int:
    return services.report_notice_send(report_id=report_id)
