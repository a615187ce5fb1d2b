"""The plan proposal (``namndsbudget``): per goal area and goal, the goal indicators with their targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from commitments.models import Goal
from indicators.models import Indicator, PriorOutcome, Target
from reports import formatting, layouts
from reports.document import RichText, Section, Table

if TYPE_CHECKING:
    from . import DocumentBuilder


def plan_proposal_sections(builder: DocumentBuilder) -> list[Section]:
    """
    Per goal area and goal (in its proposal wording), the goal indicators with the year's
    target, last year's outcome and last year's target: "Målindikator | Målvärde 2019 |
    Utfall 2018 | Målvärde 2018". Columns that no indicator of a goal fills are left out,
    as in the committee's own drafts. Reads the plan only (no entries), in fixed queries.
    """
    plan = builder.plan
    year = plan.year
    values = lambda model, years: model.objects.filter(year__in=years).order_by("year", "part")  # noqa: E731
    goals = (
        Goal.objects.filter(plan=plan, level__in=Goal.GOAL_LEVELS)
        .select_related("goal_area")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(level=Indicator.Level.GOAL)
                .prefetch_related(
                    Prefetch("targets", queryset=values(Target, [year, year - 1]), to_attr="shown_targets"),
                    Prefetch("prior_outcomes", queryset=values(PriorOutcome, [year - 1]), to_attr="shown_outcomes"),
                )
                .order_by("sort_order"),
                to_attr="goal_indicators",
            )
        )
        .order_by("goal_area__sort_order", "sort_order")
    )
    layout = builder.layout
    goal_word = layouts.word(layout, "goal")
    header = (
        layouts.word(layout, "goal_indicator"),
        _("Target %(year)s") % {"year": year},
        _("Outcome %(year)s") % {"year": year - 1},
        _("Target %(year)s") % {"year": year - 1},
    )
    sections = []
    area_sections = {}
    for goal in goals:
        area = goal.goal_area
        if area.pk not in area_sections:
            heading = _("%(goal_area)s %(number)s – %(name)s") % {
                "goal_area": layouts.word(layout, "goal_area"), "number": area.number, "name": area.name
            }  # fmt: skip
            area_sections[area.pk] = Section(heading=heading if area.number else area.name)
            sections.append(area_sections[area.pk])
        label = _("New %(goal)s") % {"goal": goal_word.lower()} if goal.is_new else goal_word
        section = Section(heading=f"{label}: {goal.proposal_text or goal.text}")
        if goal.alternative_text.strip():
            section.blocks.append(
                RichText(format_html("<p>{}: {}</p>", _("Alternative wording"), goal.alternative_text.strip()))
            )
        rows = []
        for indicator in goal.goal_indicators:
            label = indicator.new_label or _("New indicator")
            name = f"{label}: {indicator.name}" if indicator.is_new else indicator.name
            rows.append(
                (
                    name,
                    formatting.year_values(indicator.shown_targets, year),
                    formatting.year_values(indicator.shown_outcomes, year - 1),
                    formatting.year_values(indicator.shown_targets, year - 1),
                )
            )
        if rows:
            used = max((i for row in rows for i, cell in enumerate(row) if cell), default=0) + 1
            used = max(used, 2)
            section.blocks.append(
                Table(
                    caption="",
                    header=header[:used],
                    rows=tuple(row[:used] for row in rows),
                    numeric=(False, *(True for _column in header[1:used])),
                )
            )
        if goal.note.strip():
            section.blocks.append(RichText(note_html(goal.note)))
        area_sections[area.pk].subsections.append(section)
    return sections


def note_html(note: str) -> str:
    """A goal's note as paragraphs (blank lines between them); lines that start with "- " as a list."""
    parts = []
    for block in note.strip().split("\n\n"):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[2:],) for line in lines))
            parts.append(format_html("<ul>{}</ul>", items))
        elif lines:
            parts.append(format_html("<p>{}</p>", " ".join(lines)))
    return "".join(parts)
