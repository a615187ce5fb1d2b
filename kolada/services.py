"""
Fetching from Kolada: a committee's linked indicators' values become proposed outcomes
(``Proposal``), and the KPI catalogue is copied for the admin's search.

A fetch reads everything first and writes after, in one transaction: when Kolada cannot be
read, nothing is written but the failed ``Fetch`` (shown on the builds page and logged), and
the next night tries again. It never writes an outcome: a department's outcome, typed or
confirmed, is changed only by the department, through the one workflow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.models import Committee, ReportingPeriod
from indicators.models import Indicator

from .client import DataPoint, KoladaClient, KoladaError
from .models import FIGURES, Fetch, Kpi, Proposal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValueChange:
    """One value a fetch brings: new, or revised by Kolada (``before``: the figures it replaces)."""

    indicator: str
    kpi: str
    year: int
    after: tuple[Decimal | None, ...]
    status: str
    before: tuple[Decimal | None, ...] | None = None

    @property
    def revised(self) -> bool:
        return self.before is not None


@dataclass
class FetchResult:
    committee: Committee
    years: list[int]
    dry_run: bool = False
    changes: list[ValueChange] = field(default_factory=list)
    unchanged: int = 0
    #: What was missing or unknown, each {"indicator", "kpi", "year", "message"}; the rest was fetched.
    problems: list[dict] = field(default_factory=list)
    #: Why nothing was fetched ("" when Kolada was read).
    error: str = ""
    requests: int = 0
    fetch: Fetch | None = None

    @property
    def ok(self) -> bool:
        return not self.error


def open_years(committee: Committee) -> list[int]:
    """The plan years of the committee's open periods (taking entries or in review)."""
    periods = ReportingPeriod.objects.still_open()
    return sorted(set(periods.filter(plan__committee=committee).values_list("plan__year", flat=True)))


def _problem(indicator: Indicator, year: int | None, message: str) -> dict:
    return {"indicator": indicator.code, "kpi": indicator.kolada_kpi, "year": year, "message": message}


#: Outcomes keep four decimals; Kolada's figures are rounded to them, so that a used value equals its proposal.
PLACES = Decimal("0.0001")


def _figures(point: DataPoint) -> tuple[tuple[Decimal | None, ...], str]:
    total = point.values.get("T")
    figures = tuple(
        point.values[g].value.quantize(PLACES, ROUND_HALF_UP)
        if g in point.values and point.values[g].value is not None
        else None
        for g in ("T", "K", "M")
    )
    return figures, total.status[:100] if total else ""


def kolada_fetch(
    *,
    committee: Committee,
    years: list[int] | None = None,
    trigger: str = Fetch.Trigger.MANUAL,
    dry_run: bool = False,
    client: KoladaClient | None = None,
) -> FetchResult:
    """
    Fetch the Kolada values of the committee's linked indicators in the plans of ``years``
    (None: the years of its open periods): each plan year's value, and the earlier years'
    (``KOLADA_EARLIER_YEARS``) once. Store each as a proposal, a revised one with the figures
    it replaces; record the fetch with what was missing. A dry run reads Kolada and writes nothing.
    """
    years = sorted(set(years)) if years is not None else open_years(committee)
    result = FetchResult(committee=committee, years=years, dry_run=dry_run)
    indicators = list(
        Indicator.objects.filter(plan__committee=committee, plan__year__in=years)
        .exclude(kolada_kpi="")
        .select_related("plan")
        .order_by("plan__year", "code")
    )
    if not indicators:
        return result
    area, unit = committee.kolada_unit or committee.kolada_municipality, bool(committee.kolada_unit)
    if not area:
        result.error = _("The committee names no municipality or unit of Kolada (the committee's settings).")
        return _record(result, trigger)
    existing = {(p.indicator_id, p.year): p for p in Proposal.objects.filter(indicator__in=indicators)}
    earlier = settings.KOLADA_EARLIER_YEARS

    def have(indicator: Indicator, year: int) -> bool:
        found = existing.get((indicator.pk, year))
        return found is not None and (found.kpi, found.area) == (indicator.kolada_kpi, area)

    wanted = {
        i.pk: [y for y in range(i.plan.year - earlier, i.plan.year) if not have(i, y)] + [i.plan.year]
        for i in indicators
    }
    own_client = client is None
    client = client or KoladaClient()
    try:
        kpis = {i.kolada_kpi for i in indicators}
        known = {kpi.id for kpi in client.kpis(ids=kpis)}
        points = client.data(
            kpis=kpis & known, area=area, years={y for ys in wanted.values() for y in ys}, unit=unit
        ) if known else []  # fmt: skip
    except KoladaError as error:
        result.error = str(error)
        result.requests = client.requests
        return _record(result, trigger)
    finally:
        if own_client:
            client.close()
    result.requests = client.requests
    by_key = {(p.kpi, p.year): p for p in points if p.area == area}
    now = timezone.now()
    writes: list[Proposal] = []
    unchanged: list[int] = []
    for indicator in indicators:
        if indicator.kolada_kpi not in known:
            message = _("Kolada has no KPI %(kpi)s.") % {"kpi": indicator.kolada_kpi}
            result.problems.append(_problem(indicator, None, message))
            continue
        for year in wanted[indicator.pk]:
            point = by_key.get((indicator.kolada_kpi, year))
            figures, status = _figures(point) if point else ((None, None, None), "")
            if figures[0] is None:
                if year == indicator.plan.year:  # an earlier year without a value is simply not there
                    message = _("Kolada has no value of %(kpi)s for %(area)s in %(year)s yet.") % {
                        "kpi": indicator.kolada_kpi, "area": area, "year": year,
                    }  # fmt: skip
                    result.problems.append(_problem(indicator, year, message))
                continue
            proposal = existing.get((indicator.pk, year))
            same_source = proposal is not None and (proposal.kpi, proposal.area) == (indicator.kolada_kpi, area)
            if same_source and proposal.figures() == figures:
                unchanged.append(proposal.pk)
                result.unchanged += 1
                continue
            before = proposal.figures() if same_source else None
            result.changes.append(ValueChange(indicator.code, indicator.kolada_kpi, year, figures, status, before))
            if proposal is None:
                proposal = Proposal(indicator=indicator, year=year)
            elif same_source:  # revised by Kolada
                for name, value in zip(FIGURES, before, strict=True):
                    setattr(proposal, f"previous_{name}", value)
                proposal.revised_at = now
            else:  # linked to another KPI, or the committee to another area: a new value, not a revision
                for name in FIGURES:
                    setattr(proposal, f"previous_{name}", None)
                proposal.revised_at = None
            proposal.kpi, proposal.area, proposal.status, proposal.fetched_at = indicator.kolada_kpi, area, status, now
            for name, value in zip(FIGURES, figures, strict=True):
                setattr(proposal, name, value)
            writes.append(proposal)
    for problem in result.problems:
        logger.warning("Kolada, %s: %s %s", committee.slug, problem["indicator"], problem["message"])
    if dry_run:
        return result
    try:
        with transaction.atomic():
            for proposal in writes:
                proposal.full_clean()
                proposal.save()
            Proposal.objects.filter(pk__in=unchanged).update(fetched_at=now)
            return _record(result, trigger)
    except ValidationError as error:  # a figure Kolada gave that an outcome cannot hold (too large)
        result.error = _("Kolada's answer could not be stored: %(error)s") % {"error": " ".join(error.messages)}
        result.changes, result.unchanged = [], 0
        return _record(result, trigger)


def _record(result: FetchResult, trigger: str) -> FetchResult:
    """Write the fetch's record (not for a dry run); log a failure."""
    if result.error:
        logger.warning("Kolada, %s: nothing fetched: %s", result.committee.slug, result.error)
    if result.dry_run:
        return result
    result.fetch = Fetch.objects.create(
        committee=result.committee,
        trigger=trigger,
        years=",".join(map(str, result.years)),
        ok=result.ok,
        error=result.error,
        problems=result.problems,
        new=sum(1 for c in result.changes if not c.revised),
        revised=sum(1 for c in result.changes if c.revised),
        requests=result.requests,
    )
    return result


def nightly_fetch() -> dict[str, str]:
    """
    Fetch every committee's linked indicators of its open periods; return each committee's
    outcome ("ok", or why not). One committee's failure is recorded and does not stop the others;
    it is tried again the next night.
    """
    done = {}
    for committee in committees_to_fetch():
        try:
            result = kolada_fetch(committee=committee, trigger=Fetch.Trigger.NIGHTLY)
        except Exception as error:  # an unforeseen failure of one committee: logged, the others go on
            logger.exception("Kolada, %s: the fetch failed", committee.slug)
            _fetch_failure_record(committee=committee, trigger=Fetch.Trigger.NIGHTLY, error=error)
            done[committee.slug] = repr(error)
        else:
            done[committee.slug] = "ok" if result.ok else result.error
    return done


def _fetch_failure_record(*, committee: Committee, trigger: str, error: BaseException) -> Fetch:
    """Record a fetch that failed in a way the fetch itself could not record (shown on the builds page)."""
    return Fetch.objects.create(
        committee=committee, trigger=trigger, years="", ok=False,
        error=_("The fetch failed unexpectedly (%(error)s); it is in the log.") % {"error": error.__class__.__name__},
    )  # fmt: skip


def committees_to_fetch() -> list[Committee]:
    """The committees with a linked indicator in the plan of an open period."""
    periods = ReportingPeriod.objects.still_open()
    years = periods.values_list("plan__committee_id", "plan__year")
    linked = Indicator.objects.exclude(kolada_kpi="").values_list("plan__committee_id", "plan__year").distinct()
    ids = {committee for committee, _year in set(years) & set(linked)}
    return list(Committee.objects.filter(pk__in=ids).order_by("slug"))


def kpi_catalogue_refresh(*, client: KoladaClient | None = None) -> int:
    """Copy Kolada's whole KPI catalogue (for the admin's search); return how many KPIs it holds."""
    own_client = client is None
    client = client or KoladaClient()
    try:
        kpis = client.kpis()
    finally:
        if own_client:
            client.close()
    now = timezone.now()
    rows = [
        Kpi(id=k.id[:6], title=k.title[:500], description=k.description, is_divided_by_gender=k.is_divided_by_gender,
            municipality_type=k.municipality_type[:2], has_ou_data=k.has_ou_data, refreshed_at=now)
        for k in kpis
    ]  # fmt: skip
    with transaction.atomic():
        Kpi.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["title", "description", "is_divided_by_gender", "municipality_type", "has_ou_data",
                           "refreshed_at"],
        )  # fmt: skip
        # A KPI Kolada no longer lists goes; a link to it is then reported at the next fetch.
        Kpi.objects.exclude(refreshed_at=now).delete()
    return len(rows)
