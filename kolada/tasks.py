"""Celery tasks of Kolada: thin; beat starts them at night, the services do the work."""

import logging

from celery import shared_task

from . import services
from .models import Fetch

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=20 * 60, time_limit=25 * 60)
def nightly_fetch_task() -> dict[str, str]:
    """
    Fetch every committee's linked indicators of its open periods; return each committee's
    outcome ("ok", or why not). One committee's failure is recorded and does not stop the others;
    it is tried again the next night.
    """
    done = {}
    for committee in services.committees_to_fetch():
        try:
            result = services.kolada_fetch(committee=committee, trigger=Fetch.Trigger.NIGHTLY)
        except Exception as error:  # an unforeseen failure of one committee: logged, the others go on
            logger.exception("Kolada, %s: the fetch failed", committee.slug)
            services.fetch_failure_record(committee=committee, trigger=Fetch.Trigger.NIGHTLY, error=error)
            done[committee.slug] = repr(error)
        else:
            done[committee.slug] = "ok" if result.ok else result.error
    return done


@shared_task(soft_time_limit=10 * 60, time_limit=15 * 60)
def catalogue_refresh_task() -> int:
    """Copy Kolada's KPI catalogue, weekly; return how many KPIs it holds."""
    return services.kpi_catalogue_refresh()
