"""The reads of the reports app: a committee's whole document for a period, in fixed queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils.html import format_html
from django.utils.translation import gettext as _

from commitments.models import Commitment, Goal, ProgressEntry, ReportingPeriod, ReviewStatus
from commitments.richtext import sanitize_rich_text
from indicators.models import Indicator, Outcome

from . import formatting
from .document import (
    Assessment,
    CommitmentRow,
    CommitmentTable,
    Document,
    IndicatorRow,
    IndicatorTable,
    RichText,
    Section,
    Table,
)
from .models import ReportBuild, ReportDefinition, ReportKind

GROUP_NAMES = {
    Indicator.Disaggregation.WOMEN_MEN: ("Kvinnor", "Män"),
    Indicator.Disaggregation.GIRLS_BOYS: ("Flickor", "Pojkar"),
}


def follow_up_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """
    Return the follow-up of commitments (report kind ``ataganden``) for ``period``.

    One chapter per goal in plan order with its commitments' comments and assessments and
    its commitment indicators' outcomes. Only approved entries and outcomes are used, unless
    ``draft`` (then everything written so far, and the document says "Utkast"). The number
    of queries does not depend on the size of the plan.
    """
    plan = period.plan
    committee = plan.committee
    states = None if draft else [ReviewStatus.APPROVED]
    entries = ProgressEntry.objects.filter(period=period).select_related("department", "assessment")
    outcomes = Outcome.objects.filter(period=period).select_related("department")
    if states:
        entries = entries.filter(status__in=states)
        outcomes = outcomes.filter(status__in=states)
    goals = (
        Goal.objects.filter(plan=plan)
        .select_related("goal_area")
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.prefetch_related(
                    Prefetch("entries", queryset=entries.order_by("department__sort_order"), to_attr="shown_entries")
                ).order_by("sort_order"),
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(Q(level=Indicator.Level.COMMITMENT))
                .prefetch_related(Prefetch("outcomes", queryset=outcomes, to_attr="shown_outcomes"))
                .order_by("sort_order"),
                to_attr="commitment_indicators",
            ),
        )
        .order_by("goal_area__sort_order", "sort_order")
    )
    document = Document(
        kind="ataganden",
        title=_("Follow-up of commitments %(period)s %(year)s") % {"period": period.name, "year": plan.year},
        organisation=committee.organisation,
        committee=committee.name,
        period=f"{period.name} {plan.year}",
        draft=draft,
    )
    definition = ReportDefinition.objects.filter(period=period, kind=ReportKind.FOLLOW_UP).first()
    if definition and definition.introduction.strip():
        introduction = sanitize_rich_text(definition.introduction)
    else:
        introduction = format_html(
            "<p>{}</p>",
            _(
                "Each committee goal is a heading of its own, and the report describes the result for the period "
                "%(period)s."
            )
            % {"period": f"{period.name} {plan.year}"},
        )
    document.sections.append(Section(heading=_("Introduction"), number="1", blocks=[RichText(introduction)]))
    for number, goal in enumerate(goals, start=2):
        section = Section(heading=goal.text, number=str(number))
        rows = [
            CommitmentRow(
                code=commitment.code,
                text=commitment.text,
                department=entry.department.name,
                assessment=Assessment(entry.assessment.symbol, entry.assessment.label) if entry.assessment else None,
                comment=RichText(sanitize_rich_text(entry.comment)),
            )
            for commitment in goal.commitments.all()
            for entry in commitment.shown_entries
        ]
        if rows:
            section.blocks.append(CommitmentTable(tuple(rows)))
        indicator_rows = [
            _indicator_row(indicator, outcome)
            for indicator in goal.commitment_indicators
            for outcome in indicator.shown_outcomes
        ]
        if indicator_rows:
            section.blocks.append(IndicatorTable(tuple(indicator_rows)))
        document.sections.append(section)
    return document


def _indicator_row(indicator: Indicator, outcome: Outcome) -> IndicatorRow:
    unit = indicator.unit_suffix
    breakdown = None
    groups = GROUP_NAMES.get(indicator.disaggregation)
    if groups and outcome.denominator is not None:
        f = formatting.number
        breakdown = Table(
            caption=indicator.name,
            header=("", "Samtliga", *groups),
            rows=(
                (_("Total"), f(outcome.denominator), f(outcome.denominator_female), f(outcome.denominator_male)),
                (_("Count"), f(outcome.numerator), f(outcome.numerator_female), f(outcome.numerator_male)),
                (
                    _("Share"),
                    formatting.with_unit(outcome.value, unit),
                    formatting.with_unit(outcome.value_female, unit),
                    formatting.with_unit(outcome.value_male, unit),
                ),
            ),
        )
    return IndicatorRow(
        code=indicator.code,
        name=indicator.name,
        department=outcome.department.name,
        outcome=formatting.with_unit(outcome.value, unit),
        comment=RichText(sanitize_rich_text(outcome.comment)),
        breakdown=breakdown,
    )


DOCUMENTS = {ReportKind.FOLLOW_UP: follow_up_document}


def report_document(*, period: ReportingPeriod, kind: str, draft: bool = False) -> Document:
    """Return the document of ``kind`` for ``period`` (see ``DOCUMENTS``)."""
    return DOCUMENTS[kind](period=period, draft=draft)


def current_build(*, period: ReportingPeriod, kind: str) -> ReportBuild | None:
    """The report's current build: the latest one that is done in every format and not a draft."""
    return (
        ReportBuild.objects.filter(period=period, kind=kind, draft=False, status=ReportBuild.Status.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def builds_for_period(*, period: ReportingPeriod, kind: str, limit: int = 20) -> list[ReportBuild]:
    """The report's latest builds, newest first, without their stored content."""
    return list(
        ReportBuild.objects.filter(period=period, kind=kind)
        .select_related("requested_by")
        .defer("content")
        .order_by("-created_at", "-pk")[:limit]
    )


def build_before(build: ReportBuild) -> ReportBuild | None:
    """The approved build that was current before ``build`` (what its changes are counted from)."""
    return (
        ReportBuild.objects.filter(
            period_id=build.period_id, kind=build.kind, draft=False, status=ReportBuild.Status.DONE,
            finished_at__lt=build.finished_at,
        )
        .exclude(pk=build.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )  # fmt: skip
