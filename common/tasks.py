"""
The periodic task of the generic helpers: staged uploads left behind (a preview never
confirmed) are removed. Listed in ``CELERY_IMPORTS``, since ``common`` is not an app.
"""

from celery import shared_task

from .uploads import staged_uploads_remove_expired


@shared_task(time_limit=5 * 60, soft_time_limit=4 * 60)
def staged_uploads_cleanup_task() -> int:
    """Remove the staged uploads older than ``settings.UPLOAD_STAGE_SECONDS``; return how many files."""
    return staged_uploads_remove_expired()
