"""System checks of the reports app's settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def build_time_limits_check(app_configs, **kwargs) -> list[Error]:
    """
    A build is taken for stalled only when it missed several heartbeats (otherwise two attempts
    could run), and Redis gives a build's message to another worker only after Celery would
    have stopped the build.
    """
    errors = []
    if settings.REPORT_BUILD_STALE_AFTER < 3 * settings.REPORT_BUILD_HEARTBEAT_INTERVAL:
        errors.append(
            Error(
                "REPORT_BUILD_STALE_AFTER must be at least three times REPORT_BUILD_HEARTBEAT_INTERVAL.",
                hint="A build still running would otherwise be started a second time.",
                id="reports.E001",
            )
        )
    if settings.REPORT_BUILD_SOFT_TIME_LIMIT >= settings.REPORT_BUILD_TIME_LIMIT:
        errors.append(
            Error("REPORT_BUILD_SOFT_TIME_LIMIT must be shorter than REPORT_BUILD_TIME_LIMIT.", id="reports.E002")
        )
    visibility = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("visibility_timeout", 3600)
    if visibility <= settings.REPORT_BUILD_TIME_LIMIT:
        errors.append(
            Error(
                "The broker's visibility_timeout must be longer than REPORT_BUILD_TIME_LIMIT.",
                hint="Redis would otherwise deliver a build that is still running to a second worker.",
                id="reports.E003",
            )
        )
    return errors
