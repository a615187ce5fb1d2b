"""Celery tasks of Kolada: thin; beat starts them at night, the services do the work."""

from celery import shared_task

from . import services


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def nightly_fetch_task() -> dict[str, str]:
    """Fetch every committee's linked indicators of its open periods (``services.nightly_fetch``)."""
    return services.nightly_fetch()


@shared_task(soft_time_limit=10 * 60, time_limit=15 * 60)
def catalogue_refresh_task() -> int:
    """Copy Kolada's KPI catalogue, weekly; return how many KPIs it holds."""
    return services.kpi_catalogue_refresh()
