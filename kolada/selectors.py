"""Reads of Kolada's proposals for the pages and the documents, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from commitments.models import Committee
from indicators.models import Indicator, Outcome

from .models import Fetch, Proposal


def _split(indicator: Indicator) -> bool:
    return indicator.disaggregation != Indicator.Disaggregation.NONE


def figures_match(indicator: Indicator, outcome: Outcome, figures: tuple | None) -> bool:
    """
    Whether the outcome's figures are Kolada's ``figures`` (total, women, men): the total, and
    for an indicator split by sex each group Kolada gives. Then the outcome is Kolada's value,
    however it was entered, and the document names Kolada as its source.
    """
    if figures is None or figures[0] is None or outcome is None or outcome.value != figures[0]:
        return False
    if not _split(indicator):
        return True
    return all(
        figure is None or getattr(outcome, name) == figure
        for name, figure in zip(("value_female", "value_male"), figures[1:], strict=True)
    )


@dataclass
class ProposalLine:
    """What an outcome's page shows of Kolada: the year's proposal, how the outcome stands to it, earlier years."""

    proposal: Proposal
    #: "proposed" (not used), "used" (the outcome is the value), "revised" (the outcome is the value
    #: Kolada has since revised).
    state: str
    earlier: list[Proposal] = field(default_factory=list)

    @property
    def split(self) -> bool:
        return _split(self.proposal.indicator)


def proposal_state(indicator: Indicator, outcome: Outcome | None, proposal: Proposal) -> str:
    if figures_match(indicator, outcome, proposal.figures()):
        return "used"
    if figures_match(indicator, outcome, proposal.previous_figures()):
        return "revised"
    return "proposed"


def attach_proposals(lines: list, year: int) -> None:
    """
    Set ``kolada`` (a ``ProposalLine``, or None) on each outcome line of a page (``OutcomeLine``:
    ``indicator``, ``outcome``) whose indicator has Kolada's value for ``year``; one query.
    """
    linked = {line.indicator.pk: line for line in lines if line.indicator.kolada_kpi}
    for line in lines:
        line.kolada = None
    if not linked:
        return
    proposals = Proposal.objects.filter(
        indicator__in=linked, year__gte=year - settings.KOLADA_EARLIER_YEARS, year__lte=year
    ).order_by("year")
    by_indicator: dict[int, list[Proposal]] = {}
    for proposal in proposals:
        proposal.indicator = linked[proposal.indicator_id].indicator
        by_indicator.setdefault(proposal.indicator_id, []).append(proposal)
    for pk, line in linked.items():
        found = by_indicator.get(pk, [])
        if found and found[-1].year == year:
            current = found[-1]
            earlier = [p for p in found[:-1] if (p.kpi, p.area) == (current.kpi, current.area)]
            line.kolada = ProposalLine(current, proposal_state(line.indicator, line.outcome, current), earlier)


def kolada_figures(*, indicator_ids, year: int) -> dict[int, list[tuple]]:
    """Kolada's figures for ``year`` by indicator id: the current ones and those before a revision; one query."""
    figures: dict[int, list[tuple]] = {}
    for proposal in Proposal.objects.filter(indicator__in=indicator_ids, year=year):
        figures[proposal.indicator_id] = [f for f in (proposal.figures(), proposal.previous_figures()) if f]
    return figures


def from_kolada(indicator: Indicator, outcome: Outcome | None, figures: dict[int, list[tuple]]) -> bool:
    """Whether the outcome is Kolada's value (now, or before Kolada's last revision), as ``kolada_figures`` read it."""
    return any(figures_match(indicator, outcome, f) for f in figures.get(indicator.pk, ()))


def kolada_linked(plan) -> bool:
    """Whether the plan has an indicator linked to Kolada."""
    return Indicator.objects.filter(plan=plan).exclude(kolada_kpi="").exists()


def latest_fetch(committee: Committee) -> Fetch | None:
    """The committee's latest fetch from Kolada, or None."""
    return Fetch.objects.filter(committee=committee).first()


def shown_figure(value: Decimal | None) -> str:
    """A figure as a form field takes it (“41,2”), or ""."""
    if value is None:
        return ""
    return format(value.normalize(), "f").replace(".", ",")
