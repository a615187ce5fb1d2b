"""
The follow-up (``ataganden``) as the committee's report layout shapes it: ASN's follow-up of
commitments (a chapter per goal with its commitments and commitment indicators' outcomes), or
a follow-up of goals (a chapter per goal area or perspective, a subsection per goal with the
departments' follow-up and its indicators' outcomes over the years against their targets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext as _

from commitments.models import Commitment, Goal, GoalContribution, ProgressEntry
from common.richtext import sanitize_rich_text
from indicators.models import Indicator, Outcome, PriorOutcome, Target
from kolada.selectors import from_kolada, kolada_figures
from reports import formatting, layouts
from reports.document import (
    Block,
    CommitmentRow,
    CommitmentTable,
    IndicatorRow,
    IndicatorTable,
    RichText,
    Section,
    Table,
)
from reports.failures import commitment_row_name, contribution_name, indicator_row_name, row_context
from reports.models import ReportLayout

from .text import place_tables, shift_headings, table_marks

if TYPE_CHECKING:
    from . import DocumentBuilder

GROUP_NAMES = {
    Indicator.Disaggregation.WOMEN_MEN: ("Kvinnor", "Män"),
    Indicator.Disaggregation.GIRLS_BOYS: ("Flickor", "Pojkar"),
}
Column = ReportLayout.Column
#: The indicators a layout shows, by level, in the order their tables follow each other.
INDICATOR_LEVELS = {
    ReportLayout.Indicators.COMMITMENT: (Indicator.Level.COMMITMENT,),
    ReportLayout.Indicators.GOAL: (Indicator.Level.GOAL,),
    ReportLayout.Indicators.BOTH: (Indicator.Level.GOAL, Indicator.Level.COMMITMENT),
    ReportLayout.Indicators.NONE: (),
}
#: The columns of the classic indicator table ("Åtagandeindikator | Utfall | Kommentar").
CLASSIC_COLUMNS = [Column.OUTCOME, Column.COMMENT]


def follow_up_chapters(builder: DocumentBuilder) -> list[Section]:
    """
    The plan's goals as the layout says, in plan order: a chapter per goal (headed by its
    wording) or per goal area (its goals as subsections, "Mål: …"); under each goal, as the
    layout chooses, the following-up departments' comments and assessments, the commitments
    with their comments and assessments ("Åtagande | Kommentar"), and a table per level of
    indicators shown. Read in fixed queries (one for the goals and one per kind of row shown).
    """
    layout = builder.layout
    goals = _goals(builder)
    if layout.chapters == ReportLayout.Chapters.GOAL:
        return [Section(heading=goal.text, blocks=_goal_blocks(builder, goal, level=1)) for goal in goals]
    area_word, goal_word = layouts.word(layout, "goal_area"), layouts.word(layout, "goal")
    chapters: dict[int, Section] = {}
    for goal in goals:
        area = goal.goal_area
        if area.pk not in chapters:
            name = f"{area.number} – {area.name}" if area.number else area.name
            chapters[area.pk] = Section(heading=f"{area_word} {name}" if area.number else f"{area_word} – {name}")
        section = Section(heading=f"{goal_word}: {goal.text}", blocks=_goal_blocks(builder, goal, level=2))
        chapters[area.pk].subsections.append(section)
    return list(chapters.values())


def _goals(builder: DocumentBuilder):
    """The plan's goals in order with what the layout shows of them prefetched (only approved rows unless a draft)."""
    layout, period, year = builder.layout, builder.period, builder.plan.year
    states = builder.states
    prefetches = []
    if layout.show_goal_follow_up:
        contributions = GoalContribution.objects.filter(period=period).select_related("department", "assessment")
        if states:
            contributions = contributions.filter(status__in=states)
        contributions = contributions.order_by("department__sort_order")
        prefetches.append(Prefetch("contributions", queryset=contributions, to_attr="shown_contributions"))
    if layout.show_commitments:
        entries = ProgressEntry.objects.filter(period=period).select_related("department", "assessment")
        if states:
            entries = entries.filter(status__in=states)
        prefetches.append(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.prefetch_related(
                    Prefetch("entries", queryset=entries.order_by("department__sort_order"), to_attr="shown_entries")
                ).order_by("sort_order"),
            )
        )
    levels = INDICATOR_LEVELS[layout.indicators]
    if levels:
        outcomes = Outcome.objects.filter(period=period).select_related("department")
        if Column.ASSESSMENT in layout.columns:
            outcomes = outcomes.select_related("department", "assessment")
        if states:
            outcomes = outcomes.filter(status__in=states)
        indicators = Indicator.objects.filter(level__in=levels).prefetch_related(
            Prefetch("outcomes", queryset=outcomes, to_attr="shown_outcomes")
        )
        if Column.TARGETS in layout.columns:
            targets = Target.objects.order_by("year", "part")
            if layout.target_years == ReportLayout.TargetYears.YEAR:
                targets = targets.filter(year=year)
            indicators = indicators.prefetch_related(Prefetch("targets", queryset=targets, to_attr="shown_targets"))
        if Column.PRIOR_OUTCOMES in layout.columns and layout.prior_years:
            prior = PriorOutcome.objects.filter(year__gte=year - layout.prior_years, year__lt=year, part="")
            indicators = indicators.prefetch_related(Prefetch("prior_outcomes", queryset=prior, to_attr="shown_prior"))
        indicators = indicators.order_by("sort_order")
        prefetches.append(Prefetch("indicators", queryset=indicators, to_attr="shown_indicators"))
    return (
        Goal.objects.filter(plan=builder.plan, level__in=Goal.GOAL_LEVELS)
        .select_related("goal_area")
        .prefetch_related(*prefetches)
        .order_by("goal_area__sort_order", "sort_order")
    )


def _goal_blocks(builder: DocumentBuilder, goal: Goal, *, level: int) -> list[Block]:
    """What the layout shows of one goal, its section at ``level``."""
    layout = builder.layout
    blocks: list[Block] = []
    if layout.show_goal_follow_up:
        for c in goal.shown_contributions:
            with row_context(lambda c=c: contribution_name(goal.text, c.department.name)):
                blocks.append(RichText(_contribution_html(builder, c, level)))
    if layout.show_commitments:
        rows = []
        for commitment in goal.commitments.all():
            for entry in commitment.shown_entries:
                with row_context(lambda c=commitment, e=entry: commitment_row_name(c.code, e.department.name)):
                    rows.append(
                        CommitmentRow(
                            code=commitment.code,
                            text=commitment.text,
                            department=entry.department.name,
                            assessment=builder.mark_used(entry.assessment),
                            comment=RichText(sanitize_rich_text(entry.comment)),
                        )
                    )
        if rows:
            header = (layouts.word(layout, "commitment"), _("Comment"))
            standard = (_("Commitment"), _("Comment"))
            blocks.append(CommitmentTable(tuple(rows), header=() if header == standard else header))
    for indicator_level in INDICATOR_LEVELS[layout.indicators]:
        indicators = [i for i in goal.shown_indicators if i.level == indicator_level]
        name = layouts.word(layout, f"{indicator_level}_indicator")
        if list(layout.columns) == CLASSIC_COLUMNS:
            indicator_rows = []
            for i in indicators:
                for outcome in i.shown_outcomes:
                    with row_context(lambda i=i, o=outcome: indicator_row_name(i.name, o.department.name)):
                        indicator_rows.append(_indicator_row(i, outcome))
            if indicator_rows:
                header = (name, _("Outcome"), _("Comment"))
                standard = (_("Commitment indicator"), _("Outcome"), _("Comment"))
                blocks.append(IndicatorTable(tuple(indicator_rows), header=() if header == standard else header))
                blocks += _kolada_source(builder, indicators)
        elif indicators:
            blocks.append(_indicator_table(builder, indicators, name))
            blocks += _kolada_source(builder, indicators)
    return blocks


def _kolada_source(builder: DocumentBuilder, indicators: list[Indicator]) -> list[Block]:
    """
    "Källa: Kolada" under a table where an outcome shown is Kolada's value (Kolada's terms ask
    for the attribution); nothing otherwise. Kolada's figures are read once per document.
    """
    linked = [i for i in indicators if i.kolada_kpi]
    if not linked:
        return []
    if builder.kolada_figures is None:
        builder.kolada_figures = kolada_figures(
            indicator_ids=Indicator.objects.filter(plan=builder.plan).exclude(kolada_kpi="").values("pk"),
            year=builder.plan.year,
        )
    if any(from_kolada(i, outcome, builder.kolada_figures) for i in linked for outcome in i.shown_outcomes):
        return [RichText(format_html("<p><em>{}</em></p>", _("Source: Kolada")))]
    return []


def _contribution_html(builder: DocumentBuilder, contribution: GoalContribution, level: int) -> str:
    """A department's follow-up of a goal: who, the assessment with its mark, sentence and motivation, the comment."""
    parts = [format_html("<p><b>{}</b></p>", contribution.department.name)]
    mark = builder.mark_used(contribution.assessment)
    if mark:
        parts.append(
            format_html(
                '<p><b>{}:</b> <span aria-hidden="true">{}</span> {}</p>', _("Assessment"), mark.symbol, mark.label
            )
            if mark.symbol
            else format_html("<p><b>{}:</b> {}</p>", _("Assessment"), mark.label)
        )
    sentence = contribution.year_sentence(builder.plan.year)
    if sentence:
        parts.append(format_html("<p>{}</p>", sentence))
    if contribution.assessment_motivation.strip():
        # A paragraph, its line breaks kept.
        parts.append(linebreaks(contribution.assessment_motivation.strip(), autoescape=True))
    parts.append(shift_headings(sanitize_rich_text(contribution.comment), level))
    return "".join(parts)


def _indicator_table(builder: DocumentBuilder, indicators: list[Indicator], name: str) -> Table:
    """
    The indicators' table with the layout's columns: one row per department's outcome (an
    indicator without one yet: a row with the plan's figures only). Without a department
    column, an indicator that several departments report names the department after its name.
    """
    layout, period, year = builder.layout, builder.period, builder.plan.year
    columns = list(layout.columns)
    prior_years = list(range(year - layout.prior_years, year)) if Column.PRIOR_OUTCOMES in columns else []
    target_years = [year]
    if Column.TARGETS in columns and layout.target_years == ReportLayout.TargetYears.ALL:
        target_years = sorted({t.year for i in indicators for t in i.shown_targets}) or [year]
    header, numeric, rich = [name], [False], [False]

    def add(heading: str, *, figure: bool = False, text: bool = False) -> None:
        header.append(heading)
        numeric.append(figure)
        rich.append(text)

    for column in columns:
        if column == Column.DEPARTMENT:
            add(_("Department"))
        elif column == Column.PRIOR_OUTCOMES:
            for prior in prior_years:
                add(_("Outcome %(year)s") % {"year": prior}, figure=True)
        elif column == Column.OUTCOME:
            add(_("Outcome %(period)s %(year)s") % {"period": period.name, "year": year}, figure=True)
        elif column == Column.TARGETS:
            for target_year in target_years:
                add(_("Target %(year)s") % {"year": target_year}, figure=True)
        elif column == Column.ASSESSMENT:
            add(_("Assessment"))
        elif column == Column.COMMENT:
            add(_("Comment"), text=True)
    rows = []
    for indicator in indicators:
        outcomes = indicator.shown_outcomes or [None]
        for outcome in outcomes:
            department = outcome.department.name if outcome else ""
            with row_context(lambda i=indicator, d=department: indicator_row_name(i.name, d)):
                rows.append(
                    _indicator_table_row(
                        builder, indicator, outcome, several=len(outcomes) > 1, columns=columns,
                        years=(prior_years, target_years),
                    )
                )  # fmt: skip
    return Table(
        caption="",
        header=tuple(header),
        rows=tuple(rows),
        numeric=tuple(numeric),
        rich=tuple(rich) if any(rich) else (),
    )


def _indicator_table_row(
    builder: DocumentBuilder, indicator: Indicator, outcome: Outcome | None, *, several: bool, columns, years
) -> tuple[str, ...]:
    """One row of ``_indicator_table``: a department's outcome (None: none yet) in the layout's columns."""
    prior_years, target_years = years
    label = indicator.name
    if outcome is not None and several and Column.DEPARTMENT not in columns:
        label = f"{label} ({outcome.department.name})"
    row = [label]
    for column in columns:
        if column == Column.DEPARTMENT:
            row.append(outcome.department.name if outcome else "")
        elif column == Column.PRIOR_OUTCOMES:
            row += [_prior_outcome(indicator, prior) for prior in prior_years]
        elif column == Column.OUTCOME:
            row.append(_outcome_text(indicator, outcome) if outcome else "")
        elif column == Column.TARGETS:
            row += [formatting.year_values(indicator.shown_targets, target_year) for target_year in target_years]
        elif column == Column.ASSESSMENT:
            mark = builder.mark_used(outcome.assessment) if outcome else None
            row.append(f"{mark.symbol} {mark.label}".strip() if mark else "")
        elif column == Column.COMMENT:
            row.append(sanitize_rich_text(outcome.comment) if outcome else "")
    return tuple(row)


def _outcome_text(indicator: Indicator, outcome: Outcome) -> str:
    """The outcome as printed; where there is no figure, the department's reason why stands in its place."""
    if outcome.value is not None:
        return formatting.with_unit(outcome.value, indicator.unit_suffix)
    return outcome.unavailable_reason


def _prior_outcome(indicator: Indicator, year: int) -> str:
    """The whole year's outcome as the plan states it: the text as written, else the figure with its unit."""
    prior = next((p for p in indicator.shown_prior if p.year == year), None)
    if prior is None:
        return ""
    return formatting.unbreakable(prior.text) or formatting.with_unit(prior.value, indicator.unit_suffix)


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
        outcome=_outcome_text(indicator, outcome),
        comment=tuple(place_tables(sanitize_rich_text(outcome.comment), tables)),
    )
