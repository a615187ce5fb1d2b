"""Celery tasks: thin; they take ids and call the notification services, which are idempotent."""

from celery import shared_task

from . import notifications


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def submission_digests_task() -> int:
    return notifications.submission_digests_send()


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def return_notice_task(event_id: int) -> int:
    return notifications.return_notice_send(event_id=event_id)
