"""
Put the hostile payloads into every text a user or an import writes, in the demo committee.

What departments and reviewers write goes through the services, as the pages send it:
entry comments (twice, so that the history has a diff), outcome comments, motivations and
reasons, goal follow-ups with their sentences and motivations, report section texts, thread
messages, return and reopen reasons, the report's introduction and occasion line. What the
plan import or the admin writes (goal areas, goals, commitments, indicators, targets, report
section headings and instructions, department and committee names) is written to the
database directly, as an import would.

Every payload lands in at least one field and every field gets many; each placement is kept
(``Placement``), so that a test can say which payloads must show where.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import User
from commitments.models import (
    Commitment,
    Committee,
    Department,
    Goal,
    GoalArea,
    GoalContribution,
    ProgressEntry,
    ReportingPeriod,
)
from commitments.services import entry_message_post, goal_contribution_save, progress_entry_save
from commitments.workflow import reviewable_transition
from indicators.models import Indicator, Target
from indicators.selectors import outcome_get_or_new
from indicators.services import outcome_save
from indicators.workflow import entry_page_indicators
from reports.models import ReportDefinition, ReportKind, ReportSection, SectionText
from reports.services import report_definition_save, section_text_save

from .payloads import Payload

#: The departments whose 2019 entries, and 2024 goal follow-ups and texts, carry payloads, with their editors.
EDITORS = {"AMA": "redaktor", "EBB": "redaktor-ebb", "BTS": "redaktor-bts"}
FOLLOW_UP = ("2019-helar", ReportKind.FOLLOW_UP)
ANNUAL = ("2024-helar", ReportKind.ANNUAL_ANALYSIS)
#: Payloads per rich text: the sanitiser sees them side by side, as a writer could paste them.
PER_RICH_TEXT = 3


@dataclass(frozen=True)
class Placement:
    """One payload in one field: which field, whether it is rich text, and the page it is written on."""

    field: str
    payload: Payload
    rich: bool
    page: str = ""


@dataclass
class Seeded:
    """What the seeding placed, and where."""

    placements: list[Placement] = field(default_factory=list)
    #: Pages of the rows that hold payloads: entries (with their history), goal follow-ups, section texts.
    entry_pages: list[str] = field(default_factory=list)
    contribution_pages: list[str] = field(default_factory=list)
    section_text_pages: list[str] = field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        return {p.field for p in self.placements}

    def plain(self, *fields: str) -> list[Placement]:
        return [p for p in self.placements if not p.rich and (not fields or p.field in fields)]

    def markers(self) -> set[str]:
        return {p.payload.marker for p in self.placements}


class _Dealer:
    """Deals the payloads out in turn, each field getting the next ones that fit it."""

    def __init__(self, payloads: list[Payload], seeded: Seeded) -> None:
        self.cycle = itertools.cycle(payloads)
        self.count = len(payloads)
        self.seeded = seeded

    def plain(self, field_name: str, *, max_length: int = 10_000, page: str = "") -> str:
        for _ in range(self.count):
            payload = next(self.cycle)
            if len(payload.text) <= max_length:
                self.seeded.placements.append(Placement(field_name, payload, rich=False, page=page))
                return payload.text
        raise AssertionError(f"No payload fits {field_name} ({max_length} characters)")

    def rich(self, field_name: str, *, page: str = "") -> str:
        parts = []
        for _ in range(PER_RICH_TEXT):
            payload = next(self.cycle)
            self.seeded.placements.append(Placement(field_name, payload, rich=True, page=page))
            parts.append(f"<p>Text före {payload.marker}.</p>{payload.text}<p>Text efter {payload.marker}.</p>")
        return "".join(parts)


def _set(dealer: _Dealer, obj, field_name: str, label: str, **kwargs) -> None:
    max_length = obj._meta.get_field(field_name).max_length or 10_000
    setattr(obj, field_name, dealer.plain(label, max_length=max_length, **kwargs))


def seed_hostile(committee: Committee, payloads: list[Payload]) -> Seeded:
    """Write ``payloads`` into the demo committee's texts (see the module's doc); return where they went."""
    seeded = Seeded()
    deal = _Dealer(payloads, seeded)
    reviewer = User.objects.get(username="granskare")
    admin = User.objects.get(username="admin")
    helar = ReportingPeriod.objects.get(plan__committee=committee, slug=FOLLOW_UP[0])
    annual = ReportingPeriod.objects.get(plan__committee=committee, slug=ANNUAL[0])
    departments = {d.code: d for d in Department.objects.filter(committee=committee, code__in=EDITORS)}

    # The 2019 follow-up, open: entries with their outcomes, messages, returns.
    for number, (code, username) in enumerate(EDITORS.items()):
        editor, department = User.objects.get(username=username), departments[code]
        commitments = Commitment.objects.filter(plan=helar.plan, departments=department).order_by("sort_order")
        written = set()
        for commitment in commitments:
            entry = ProgressEntry(commitment=commitment, period=helar, department=department)
            page = entry.get_absolute_url()
            seeded.entry_pages.append(page)
            entry = progress_entry_save(
                entry=entry, user=editor, comment=deal.rich("entry comment", page=page), assessment=None,
                expected_version=0,
            )  # fmt: skip
            for indicator in entry_page_indicators(commitment, department.pk):
                if indicator.pk in written:  # a goal's own indicator shows on each of its commitments' pages
                    continue
                written.add(indicator.pk)
                outcome = outcome_get_or_new(indicator=indicator, period=helar, department=department)
                data = {
                    "comment": deal.rich("outcome comment", page=page),
                    "assessment_motivation": deal.plain("outcome assessment motivation", page=page),
                    "unavailable_reason": deal.plain("outcome unavailable reason", page=page),
                }
                outcome_save(outcome=outcome, user=editor, data=data, expected_version=outcome.version)
            entry_message_post(entry=entry, user=editor, text=deal.plain("thread message", page=page))
            entry_message_post(entry=entry, user=reviewer, text=deal.plain("thread message", page=page))
            entry = reviewable_transition(obj=entry, action="submit", user=editor)
            entry = reviewable_transition(
                obj=entry, action="return", user=reviewer, reason=deal.plain("return reason", page=page)
            )
            entry = progress_entry_save(
                entry=entry, user=editor, comment=deal.rich("entry comment", page=page),
                assessment=None, expected_version=entry.version,
            )  # fmt: skip
            if commitment.sort_order % 2 == number % 2:  # half are approved, half wait for the review
                entry = reviewable_transition(obj=entry, action="submit", user=editor)
                reviewable_transition(obj=entry, action="approve", user=reviewer)

    # The 2019 Jan–Aug follow-up, closed and approved: reviewers reopen entries with a reason.
    for entry in ProgressEntry.objects.filter(period__plan__committee=committee, period__slug="2019-jan-aug")[:6]:
        reason = deal.plain("reopen reason", page=entry.get_absolute_url())
        reviewable_transition(obj=entry, action="reopen", user=reviewer, reason=reason)

    # The report's own texts: introduction and occasion line.
    definition = ReportDefinition.objects.filter(period=helar, kind=FOLLOW_UP[1]).first()
    definition = definition or ReportDefinition(period=helar, kind=FOLLOW_UP[1])
    report_definition_save(
        definition=definition, user=admin, introduction=deal.rich("report introduction"),
        occasion=deal.plain("report occasion", max_length=200),
    )  # fmt: skip

    # The 2024 annual analysis, closed: reopened with a reason, rewritten, submitted, approved.
    for code, username in EDITORS.items():
        editor = User.objects.get(username=username)
        for contribution in GoalContribution.objects.filter(period=annual, department=departments[code]):
            page = contribution.get_absolute_url()
            seeded.contribution_pages.append(page)
            contribution = reviewable_transition(
                obj=contribution, action="reopen", user=reviewer, reason=deal.plain("reopen reason", page=page)
            )
            plan = annual.plan
            year = contribution.assessment or plan.goal_year_scale.values.first()
            mandate = contribution.mandate_assessment or plan.goal_mandate_scale.values.first()
            contribution = goal_contribution_save(
                contribution=contribution, user=editor, comment=deal.rich("goal contribution comment", page=page),
                assessment=year,
                assessment_sentence=deal.plain("goal contribution assessment sentence", page=page),
                assessment_motivation=deal.plain("goal contribution assessment motivation", page=page),
                mandate_assessment=mandate,
                mandate_sentence=deal.plain("goal contribution mandate sentence", page=page),
                mandate_motivation=deal.plain("goal contribution mandate motivation", page=page),
                expected_version=contribution.version,
            )  # fmt: skip
            contribution = reviewable_transition(obj=contribution, action="submit", user=editor)
            reviewable_transition(obj=contribution, action="approve", user=reviewer)
        for text in SectionText.objects.filter(period=annual, department=departments[code]):
            page = text.get_absolute_url()
            seeded.section_text_pages.append(page)
            text = reviewable_transition(
                obj=text, action="reopen", user=reviewer, reason=deal.plain("reopen reason", page=page)
            )
            text = section_text_save(
                text=text, user=editor, comment=deal.rich("report section text", page=page),
                expected_version=text.version,
            )  # fmt: skip
            text = reviewable_transition(obj=text, action="submit", user=editor)
            reviewable_transition(obj=text, action="approve", user=reviewer)
            section = text.section
            _set(deal, section, "heading", "report section heading")
            _set(deal, section, "instructions", "report section instructions")
            section.save()

    # The plans' texts, as the plan import or the admin writes them.
    for plan_period in (helar, annual):
        commitments = Commitment.objects.filter(plan=plan_period.plan, departments__in=departments.values())
        for commitment in commitments.distinct():
            _set(deal, commitment, "text", "commitment text")
            commitment.save()
        goals = Goal.objects.filter(
            Q(departments__in=departments.values()) | Q(commitments__in=commitments), plan=plan_period.plan
        ).distinct()
        for goal in goals:
            for name in ("text", "short_name", "note"):
                _set(deal, goal, name, f"goal {name.replace('_', ' ')}")
            goal.save()
        for area in GoalArea.objects.filter(goals__in=goals).distinct():
            _set(deal, area, "name", "goal area name")
            area.save()
        indicators = Indicator.objects.filter(goal__in=goals).distinct()
        for indicator in indicators:
            for name in ("name", "description"):
                _set(deal, indicator, name, f"indicator {name}")
            indicator.save()
        for target in Target.objects.filter(indicator__in=indicators, year=plan_period.plan.year):
            _set(deal, target, "text", "target text")
            target.value = None
            target.save()
    for department in departments.values():
        _set(deal, department, "name", "department name")
        department.save()
    _set(deal, committee, "name", "committee name")
    committee.save()

    missing = {p.marker for p in payloads} - seeded.markers()
    assert not missing, f"Payloads placed nowhere: {sorted(missing)}"
    return seeded


def sections_with_payloads(seeded: Seeded) -> list[ReportSection]:
    """The report sections whose headings carry payloads."""
    headings = [p.payload.text for p in seeded.plain("report section heading")]
    return list(ReportSection.objects.filter(heading__in=headings))
