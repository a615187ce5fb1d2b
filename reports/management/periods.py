"""What the report commands share: the period that --committee and --period name."""

from django.core.management.base import CommandError

from commitments.models import ReportingPeriod


def period_named(committee: str, period: str) -> ReportingPeriod:
    """The committee's period of that short name, or a Swedish ``CommandError`` that says which is missing."""
    found = (
        ReportingPeriod.objects.select_related("plan__committee")
        .filter(plan__committee__slug=committee, slug=period)
        .first()
    )
    if found is None:
        if not ReportingPeriod.objects.filter(plan__committee__slug=committee).exists():
            raise CommandError(f"Nämnden finns inte eller har inga perioder: {committee}")
        raise CommandError(f"Perioden finns inte för {committee}: {period}")
    return found
