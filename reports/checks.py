"""System checks of the reports app's settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def build_time_limits_check(app_configs, **kwargs) -> list[Error]:
    """A build is only taken for stalled after Celery would have stopped it: otherwise two attempts could run."""
    if settings.REPORT_BUILD_STALE_AFTER <= settings.REPORT_BUILD_TIME_LIMIT:
        return [
            Error(
                "REPORT_BUILD_STALE_AFTER must be longer than REPORT_BUILD_TIME_LIMIT.",
                hint="A build still running would otherwise be started a second time.",
                id="reports.E001",
            )
        ]
    if settings.REPORT_BUILD_SOFT_TIME_LIMIT >= settings.REPORT_BUILD_TIME_LIMIT:
        return [Error("REPORT_BUILD_SOFT_TIME_LIMIT must be shorter than REPORT_BUILD_TIME_LIMIT.", id="reports.E002")]
    return []
