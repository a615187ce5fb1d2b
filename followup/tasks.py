"""Celery tasks: thin; they call the notification services, which are idempotent."""

from celery import shared_task

from . import notifications


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def deadline_reminders_task() -> int:
    return notifications.deadline_reminders_send()
