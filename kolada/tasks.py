"""Celery tasks of Kolada: thin; beat starts them at night, the services do the work."""

from celery import shared_task

from . import services
from .models import Fetch


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def nightly_fetch_task() -> dict[str, str]:
    """
    Fetch every committee's linked indicators of its open periods; return each committee's
    outcome ("ok", or why not). One committee's failure is recorded and does not stop the others;
    it is tried again the next night.
    """
    done = {}
    for committee in services.committees_to_fetch():
        result = services.kolada_fetch(committee=committee, trigger=Fetch.Trigger.NIGHTLY)
        done[committee.slug] = "ok" if result.ok else result.error
    return done


@shared_task(soft_time_limit=10 * 60, time_limit=15 * 60)
def catalogue_refresh_task() -> int:
    """Copy Kolada's KPI catalogue, weekly; return how many KPIs it holds."""
    return services.kpi_catalogue_refresh()
