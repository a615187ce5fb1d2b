"""
The årsanalys (``arsanalys``): the contributions to the city council's goals with both
assessments, and the plan's priorities and budget assignments with their follow-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext as _

from commitments.models import Goal, GoalContribution
from common.richtext import sanitize_rich_text
from reports import layouts
from reports.document import Assessment, Block, RichText, Section
from reports.failures import contribution_name, row_context
from reports.models import ReportSection

from .text import place_tables, shift_headings, table_marks

if TYPE_CHECKING:
    from . import DocumentBuilder


def _with_contributions(
    builder: DocumentBuilder, goals: QuerySet[Goal], contributions: QuerySet[GoalContribution]
) -> QuerySet[Goal]:
    """
    Return ``goals`` in plan order with their goal areas, each with the period's
    ``contributions`` that the document shows (approved ones, unless a draft) as
    ``shown_contributions``, in department order. Two queries when evaluated.
    """
    contributions = contributions.filter(period=builder.period)
    if builder.states:
        contributions = contributions.filter(status__in=builder.states)
    return (
        goals.select_related("goal_area")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=contributions.order_by("department__sort_order"),
                to_attr="shown_contributions",
            )
        )
        .order_by("goal_area__sort_order", "sort_order")
    )


def _comment(goal: Goal, contribution: GoalContribution) -> str:
    """The contribution's comment as printed; a failure names the goal and the department."""
    with row_context(lambda: contribution_name(goal.text, contribution.department.name)):
        return sanitize_rich_text(contribution.comment)


def contribution_sections(builder: DocumentBuilder) -> list[Section]:
    """
    The follow-up and assessment of the contributions to the city council's goals, per goal
    area and goal, with the three fixed subheadings and both assessments with their
    sentences and motivations.
    """
    plan = builder.plan
    goals = _with_contributions(
        builder,
        Goal.objects.filter(plan=plan, level=Goal.Level.COUNCIL, contributes=True),
        GoalContribution.objects.select_related("department", "assessment", "mandate_assessment"),
    )
    # A table goes with its goal, where its text places it ({tabell:KOD}) or after the text,
    # unless a section of the report shows it elsewhere; a text may also place a table of no goal.
    named = {s.parameter for s in builder.walk() if s.source == ReportSection.Source.KEY_FIGURES}
    available = [(table, blocks) for table, blocks in builder.key_figure_tables() if table.code not in named]
    # A text may also place a table of no goal (once: the first text that names it).
    by_code: dict[str, list[Block]] = {table.code.upper(): blocks for table, blocks in available if not table.goal_id}
    tables: dict[int, dict[str, list[Block]]] = {}
    for table, blocks in available:
        tables.setdefault(table.goal_id, {})[table.code.upper()] = blocks
    goal_area_word, goal_word = layouts.word(builder.layout, "goal_area"), layouts.word(builder.layout, "goal")
    areas: dict[int, Section] = {}
    for goal in goals:
        if goal.goal_area_id not in areas:
            areas[goal.goal_area_id] = Section(heading=f"{goal_area_word} – {goal.goal_area.name}")
        section = Section(heading=f"{goal_word} – {goal.text}")
        # Part, goal area, goal, fixed subheading: the texts' own subheadings come below those.
        text = "".join(shift_headings(_comment(goal, c), 4) for c in goal.shown_contributions)
        own = tables.get(goal.pk, {})
        placed = own | {code: by_code.pop(code) for code in sorted(table_marks(text)) if code in by_code}
        year = [c for c in goal.shown_contributions if c.assessment]
        mandate = [c for c in goal.shown_contributions if c.mandate_assessment]
        section.subsections = [
            Section(
                heading=_("Follow-up of the contribution to the city council goal"),
                blocks=place_tables(text, placed),
            ),
            Section(
                heading=_("Assessment of the contribution to the city council goal for the year"),
                blocks=[
                    RichText(
                        _assessment_html(
                            builder.mark_used(c.assessment), c.year_sentence(plan.year), c.assessment_motivation
                        )
                    )
                    for c in year
                ],
            ),
            Section(
                heading=_("Assessment of the expected progress over the mandate period"),
                blocks=[
                    RichText(_assessment_html(None, c.mandate_period_sentence(plan.year), c.mandate_motivation))
                    for c in mandate
                ],
            ),
        ]
        areas[goal.goal_area_id].subsections.append(section)
    return list(areas.values())


def plan_item_sections(builder: DocumentBuilder, *, level: str, depth: int) -> list[Section]:
    """
    The plan's priorities or budget assignments (``level``), each a section headed by its
    wording with its departments' follow-up (and an assessment where one was given);
    those in a goal area grouped under it ("Målområde – …"), as the årsanalys reports its
    budgetuppdrag. ``depth`` is the level of the first sections made. Two queries.
    """
    items = _with_contributions(
        builder,
        Goal.objects.filter(plan=builder.plan, level=level),
        GoalContribution.objects.select_related("department", "assessment"),
    )
    sections: list[Section] = []
    areas: dict[int, Section] = {}
    for item in items:
        in_area = item.goal_area_id is not None
        blocks = [
            RichText(shift_headings(_comment(item, c), depth + in_area))
            for c in item.shown_contributions
            if c.comment.strip()
        ]
        blocks += [
            RichText(
                _assessment_html(
                    builder.mark_used(c.assessment), c.year_sentence(builder.plan.year), c.assessment_motivation
                )
            )
            for c in item.shown_contributions
            if c.assessment
        ]
        if not blocks:
            if not builder.draft:
                continue
            blocks = [RichText(format_html("<p><i>{}</i></p>", _("No approved text yet.")))]
        section = Section(heading=item.text, blocks=blocks)
        if not in_area:
            sections.append(section)
            continue
        if item.goal_area_id not in areas:
            heading = f"{layouts.word(builder.layout, 'goal_area')} – {item.goal_area.name}"
            areas[item.goal_area_id] = Section(heading=heading)
            sections.append(areas[item.goal_area_id])
        areas[item.goal_area_id].subsections.append(section)
    return sections


def _assessment_html(mark: Assessment | None, sentence: str, motivation: str) -> str:
    """
    The assessment as the årsanalys prints it: the label with its mark (for the year's
    assessment; the mandate period's is only worded), the sentence, the motivation.
    """
    parts = []
    if mark:
        parts.append(format_html('<p><b><span aria-hidden="true">{}</span> {}</b></p>', mark.symbol, mark.label))
    if sentence:
        parts.append(format_html("<p>{}</p>", sentence))
    if motivation:
        parts.append(linebreaks(motivation, autoescape=True))  # a paragraph, its line breaks kept
    return "".join(parts)
