"""The follow-up of commitments (``ataganden``): a chapter per goal with its commitments and indicator outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from commitments.models import Commitment, Goal, ProgressEntry
from common.richtext import sanitize_rich_text
from indicators.models import Indicator, Outcome
from reports import formatting
from reports.document import (
    CommitmentRow,
    CommitmentTable,
    IndicatorRow,
    IndicatorTable,
    RichText,
    Section,
    Table,
)

from .text import place_tables, table_marks

if TYPE_CHECKING:
    from . import DocumentBuilder

GROUP_NAMES = {
    Indicator.Disaggregation.WOMEN_MEN: ("Kvinnor", "Män"),
    Indicator.Disaggregation.GIRLS_BOYS: ("Flickor", "Pojkar"),
}


def follow_up_chapters(builder: DocumentBuilder) -> list[Section]:
    """
    One chapter per goal in plan order with its commitments' comments and assessments and
    its commitment indicators' outcomes ("Åtagande | Kommentar", "Åtagandeindikator | Utfall
    | Kommentar"), in fixed queries.
    """
    period = builder.period
    entries = ProgressEntry.objects.filter(period=period).select_related("department", "assessment")
    outcomes = Outcome.objects.filter(period=period).select_related("department")
    if builder.states:
        entries = entries.filter(status__in=builder.states)
        outcomes = outcomes.filter(status__in=builder.states)
    goals = (
        Goal.objects.filter(plan=builder.plan, level__in=Goal.GOAL_LEVELS)
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
    chapters = []
    for goal in goals:
        section = Section(heading=goal.text)
        rows = [
            CommitmentRow(
                code=commitment.code,
                text=commitment.text,
                department=entry.department.name,
                assessment=builder.mark_used(entry.assessment),
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
        chapters.append(section)
    return chapters


def _indicator_row(indicator: Indicator, outcome: Outcome) -> IndicatorRow:
    unit = indicator.unit_suffix
    tables = {}
    groups = GROUP_NAMES.get(indicator.disaggregation)
    if groups and outcome.denominator is not None:
        f = formatting.number
        # Rows named as the plan names them ("Totalt antal avslut"); a table placed by the
        # department has its caption in the text above it, one that follows the text is
        # captioned with the indicator.
        placed = "" in table_marks(outcome.comment)
        tables[""] = [
            Table(
                caption="" if placed else indicator.name,
                header=("", "Samtliga", *groups),
                rows=(
                    (
                        indicator.total_label or _("Total"),
                        f(outcome.denominator),
                        f(outcome.denominator_female),
                        f(outcome.denominator_male),
                    ),
                    (
                        indicator.count_label or _("Count"),
                        f(outcome.numerator),
                        f(outcome.numerator_female),
                        f(outcome.numerator_male),
                    ),
                    (
                        indicator.share_label or _("Share"),
                        formatting.with_unit(outcome.value, unit),
                        formatting.with_unit(outcome.value_female, unit),
                        formatting.with_unit(outcome.value_male, unit),
                    ),
                ),
                numeric=(False, True, True, True),
            )
        ]
    return IndicatorRow(
        code=indicator.code,
        name=indicator.name,
        department=outcome.department.name,
        # Where there is no figure, the department's reason why stands in its place.
        outcome=formatting.with_unit(outcome.value, unit) if outcome.value is not None else outcome.unavailable_reason,
        comment=tuple(place_tables(sanitize_rich_text(outcome.comment), tables)),
    )
