"""The reads of the reports app: a committee's whole document for a period, in fixed queries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commitments.models import (
    AssessmentValue,
    Commitment,
    Goal,
    GoalContribution,
    Plan,
    ProgressEntry,
    ReportingPeriod,
    ReviewStatus,
)
from commitments.permissions import can_read_department, readable_department_ids
from common.richtext import sanitize_rich_text
from finance.formatting import tkr
from finance.selectors import FinanceTable, finance_tables
from indicators.models import Indicator, Outcome, PriorOutcome, Target

from . import formatting
from .document import (
    Assessment,
    Block,
    CommitmentRow,
    CommitmentTable,
    Document,
    IndicatorRow,
    IndicatorTable,
    RichText,
    Section,
    Table,
)
from .key_figures import key_figure_tables
from .models import ReportBuild, ReportDefinition, ReportKind, ReportSection, SectionText
from .outlines import default_sections

GROUP_NAMES = {
    Indicator.Disaggregation.WOMEN_MEN: ("Kvinnor", "Män"),
    Indicator.Disaggregation.GIRLS_BOYS: ("Flickor", "Pojkar"),
}


def report_document(*, period: ReportingPeriod, kind: str, draft: bool = False) -> Document:
    """
    Return the document of ``kind`` for ``period``, section by section as the plan's report
    template for that kind says (``report_outline``): the texts departments wrote for the
    period, the plan's goals as that kind of report shows them, computed summaries and
    tables. Only approved content is used, unless ``draft`` (then everything written so far,
    and the document says "Utkast"). The number of queries does not depend on the size of
    the plan or of the template.
    """
    return _DocumentBuilder(period=period, kind=kind, draft=draft).document()


def follow_up_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """The follow-up of commitments (report kind ``ataganden``) for ``period``."""
    return report_document(period=period, kind=ReportKind.FOLLOW_UP, draft=draft)


def plan_proposal_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """The plan proposal (report kind ``namndsbudget``) of the period's plan year."""
    return report_document(period=period, kind=ReportKind.PLAN_PROPOSAL, draft=draft)


def annual_analysis_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """The årsanalys (report kind ``arsanalys``) for ``period``."""
    return report_document(period=period, kind=ReportKind.ANNUAL_ANALYSIS, draft=draft)


@dataclass
class OutlineNode:
    """A report section with its subsections, in order."""

    section: ReportSection
    children: list[OutlineNode] = field(default_factory=list)


def report_outline(*, plan: Plan, kind: str) -> list[OutlineNode]:
    """
    The sections of the plan's report of ``kind`` as a tree: the ones the committee admin
    keeps for it, or, where there are none, the standard ones (``outlines.DEFAULT``, not
    saved). One query.
    """
    sections = list(
        ReportSection.objects.filter(plan=plan, kind=kind).select_related("department").order_by("sort_order", "pk")
    )
    if not sections:
        return [OutlineNode(section) for section in default_sections(plan=plan, kind=kind)]
    nodes = {section.pk: OutlineNode(section) for section in sections}
    roots = []
    for section in sections:
        parent = nodes.get(section.parent_id)
        (parent.children if parent else roots).append(nodes[section.pk])
    return roots


_UNREAD = object()


class _DocumentBuilder:
    """Reads what one document needs, once per kind of content, and lays out its sections."""

    def __init__(self, *, period: ReportingPeriod, kind: str, draft: bool) -> None:
        self.period, self.kind, self.draft = period, kind, draft
        self.plan = period.plan
        self.outline = report_outline(plan=self.plan, kind=kind)
        self.states = None if draft else [ReviewStatus.APPROVED]
        self.number = 0
        # Read when a section first needs them.
        self.finance: dict[str, FinanceTable] | None = None
        self.key_figures: list | None = None
        self.definition = _UNREAD

    def document(self) -> Document:
        plan, period = self.plan, self.period
        committee = plan.committee
        titles = {
            ReportKind.FOLLOW_UP: _("Follow-up of commitments %(period)s %(year)s"),
            ReportKind.PLAN_PROPOSAL: _("Committee budget %(year)s: proposed committee goals and indicators"),
            ReportKind.ANNUAL_ANALYSIS: _("Annual analysis %(year)s"),
        }
        document = Document(
            kind=self.kind,
            title=titles[self.kind] % {"period": period.name, "year": plan.year},
            organisation=committee.organisation,
            committee=committee.name,
            period=str(plan.year) if self.kind == ReportKind.PLAN_PROPOSAL else f"{period.name} {plan.year}",
            draft=self.draft,
        )
        self.texts = self._texts()
        self.facts = self._facts() if self._needs_facts() else {}
        for node in self.outline:
            document.sections += self._sections(node, level=1)
        return document

    def walk(self):
        """Every section of the template, in no particular order."""
        stack = list(self.outline)
        while stack:
            node = stack.pop()
            yield node.section
            stack += node.children

    def _texts(self) -> dict[int, list[SectionText]]:
        """The period's texts of the narrative sections, by section (one query, none without such sections)."""
        ids = [s.pk for s in self.walk() if s.source == ReportSection.Source.NARRATIVE and s.pk]
        if not ids:
            return {}
        # The text of the section's writing department (see ``ReportSection.clean``).
        texts = SectionText.objects.filter(
            section_id__in=ids, period=self.period, department_id=F("section__department_id")
        ).order_by("department__sort_order")
        if self.states:
            texts = texts.filter(status__in=self.states)
        found: dict[int, list[SectionText]] = {}
        for text in texts:
            found.setdefault(text.section_id, []).append(text)
        return found

    def _needs_facts(self) -> bool:
        return any(s.source == ReportSection.Source.SUMMARY for s in self.walk()) or any(
            "{" in text.comment for texts in self.texts.values() for text in texts
        )

    def _facts(self) -> dict[str, str]:
        """The figures a text may name with ``{name}`` (see ``FACTS``), computed from the assessments."""
        contributions = GoalContribution.objects.filter(
            period=self.period, goal__level=Goal.Level.COUNCIL, goal__contributes=True
        )
        if self.states:
            contributions = contributions.filter(status__in=self.states)
        meanings = list(contributions.filter(assessment__isnull=False).values_list("assessment__meaning", flat=True))
        goals = Goal.objects.filter(plan=self.plan, level=Goal.Level.COUNCIL).values_list("contributes", flat=True)
        goals = list(goals)
        return {
            "mål_totalt": count_in_words(len(goals)),
            "mål_bidrag": count_in_words(sum(goals)),
            "uppnått": count_in_words(meanings.count(AssessmentValue.Meaning.ACHIEVED)),
            "delvis_uppnått": count_in_words(meanings.count(AssessmentValue.Meaning.PARTLY)),
            "ej_uppnått": count_in_words(meanings.count(AssessmentValue.Meaning.NOT_ACHIEVED)),
        }

    def _sections(self, node: OutlineNode, *, level: int) -> list[Section]:
        """The document's sections for one template section: usually one, for the goals as many as the plan says."""
        source = node.section.source
        Source = ReportSection.Source
        if source == Source.GOALS:
            # The chapters sit where the section is, or below its heading.
            depth = level + 1 if node.section.heading else level
            if node.section.parameter:  # the plan's priorities or budget assignments
                chapters = _plan_item_sections(self, level=node.section.parameter, depth=depth)
            else:
                chapters = GOAL_SECTIONS[self.kind](self)
            if not node.section.heading:
                if node.section.numbered and level == 1:
                    for chapter in chapters:
                        chapter.number = self._next_number()
                return chapters
            section = self._section(node.section, level)
            section.subsections = chapters
        else:
            section = self._section(node.section, level)
            if source == Source.NARRATIVE:
                section.blocks += self._narrative(node.section, level)
            elif source == Source.INTRODUCTION:
                section.blocks += self._introduction()
            elif source == Source.SUMMARY:
                section.blocks.append(RichText(self._summary()))
            elif source in TABLE_SOURCES:
                section.blocks += self._table_blocks(node.section)
        for child in node.children:
            if child.section.source in TABLE_SOURCES and not child.section.heading:
                section.blocks += self._table_blocks(child.section)  # a table in its parent, after its text
            else:
                section.subsections += self._sections(child, level=level + 1)
        if not section.blocks and not section.subsections and source != Source.GOALS:
            # Nothing to show: left out, except that a draft marks what is still missing.
            missing = {
                Source.NARRATIVE: _("No approved text yet."),
                Source.FINANCE: _("The finance file of the period has no such table yet."),
                Source.KEY_FIGURES: _("No key-figure table with this code in the plan."),
            }
            if not self.draft or source not in missing:
                if section.number:
                    self.number -= 1
                return []
            section.blocks.append(RichText(format_html("<p><i>{}</i></p>", missing[source])))
        return [section]

    def _table_blocks(self, template: ReportSection) -> list[Block]:
        """The finance or key-figure table the section names; none if it has no data for the period."""
        if template.source == ReportSection.Source.FINANCE:
            if self.finance is None:
                self.finance = {table.key: table for table in finance_tables(self.period)}
            table = self.finance.get(template.parameter)
            if table is None:
                return []
            block = finance_table_block(table)
            # A caption that only repeats the section's heading is left to the heading.
            return [replace(block, caption="") if block.caption == template.heading else block]
        return next((blocks for table, blocks in self.key_figure_tables() if table.code == template.parameter), [])

    def key_figure_tables(self):
        """The plan's key-figure tables with their blocks, read once per document."""
        if self.key_figures is None:
            self.key_figures = key_figure_tables(self.plan)
        return self.key_figures

    def _section(self, template: ReportSection, level: int) -> Section:
        """The section's heading; chapters (the top level) are numbered where the template says so."""
        numbered = template.numbered and level == 1
        return Section(heading=template.heading, number=self._next_number() if numbered else None)

    def _next_number(self) -> str:
        self.number += 1
        return str(self.number)

    def _narrative(self, template: ReportSection, level: int) -> list[RichText]:
        blocks = []
        for text in self.texts.get(template.pk, []):
            html = shift_headings(sanitize_rich_text(text.comment), level)
            blocks.append(RichText(fill_in_facts(html, self.facts)))
        return [block for block in blocks if block.html.strip()]

    def _introduction(self) -> list[RichText]:
        """The committee admin's introduction of this report (read once), or the standard one of a follow-up."""
        if self.definition is _UNREAD:
            self.definition = ReportDefinition.objects.filter(period=self.period, kind=self.kind).first()
        definition = self.definition
        if definition and definition.introduction.strip():
            return [RichText(sanitize_rich_text(definition.introduction))]
        if self.kind != ReportKind.FOLLOW_UP:
            return []
        period = f"{self.period.name} {self.plan.year}"
        text = _(
            "Each committee goal is a heading of its own, and the report describes the result for the period "
            "%(period)s."
        ) % {"period": period}
        return [RichText(format_html("<p>{}</p>", text))]

    def _summary(self) -> str:
        facts = self.facts
        summary = _(
            "The committee contributes to %(goals)s of the city council's goals. The contribution is assessed as "
            "achieved for %(achieved)s goals and partly achieved for %(partly)s goals."
        ) % {"goals": facts["mål_bidrag"], "achieved": facts["uppnått"], "partly": facts["delvis_uppnått"]}
        if facts["ej_uppnått"] != count_in_words(0):
            summary += " " + _("It is not achieved for %(n)s goals.") % {"n": facts["ej_uppnått"]}
        return format_html("<p>{}</p>", summary)


#: Sections that show a table; without a heading of their own they sit in their parent section.
TABLE_SOURCES = (ReportSection.Source.FINANCE, ReportSection.Source.KEY_FIGURES)


def finance_table_block(table: FinanceTable) -> Table:
    """
    A finance table as the document prints it: the figures as stated in tkr ("1 822 631",
    "−91 106", "-" for none); where the table states no total of its own, the computed one.
    """
    header = (table.label_heading, *(column.heading for column in table.columns))
    cell = lambda value, column: tkr(value) if column.numeric else (value or "")  # noqa: E731
    rows = [(row.label, *(cell(v, c) for v, c in zip(row.cells, table.columns, strict=True))) for row in table.rows]
    normal = [row for row in table.rows if row.kind == "normal"]
    if len(normal) > 1 and not any(row.kind == "total" for row in table.rows):
        rows.append(
            (_("Sum"), *(tkr(v) if c.numeric else "" for v, c in zip(table.totals, table.columns, strict=True)))
        )
    numeric = (False, *(column.numeric for column in table.columns))
    return Table(caption=table.caption, header=header, rows=tuple(rows), numeric=numeric)


def _follow_up_chapters(builder: _DocumentBuilder) -> list[Section]:
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
        chapters.append(section)
    return chapters


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


def _plan_proposal_sections(builder: _DocumentBuilder) -> list[Section]:
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
    header = (
        _("Goal indicator"),
        _("Target %(year)s") % {"year": year},
        _("Outcome %(year)s") % {"year": year - 1},
        _("Target %(year)s") % {"year": year - 1},
    )
    sections = []
    area_sections = {}
    for goal in goals:
        area = goal.goal_area
        if area.pk not in area_sections:
            heading = _("Goal area %(number)s – %(name)s") % {"number": area.number, "name": area.name}
            area_sections[area.pk] = Section(heading=heading if area.number else area.name)
            sections.append(area_sections[area.pk])
        label = _("New committee goal") if goal.is_new else _("Committee goal")
        section = Section(heading=f"{label}: {goal.proposal_text or goal.text}")
        rows = []
        for indicator in goal.goal_indicators:
            name = _("New indicator: %(name)s") % {"name": indicator.name} if indicator.is_new else indicator.name
            rows.append(
                (
                    name,
                    _year_values(indicator, indicator.shown_targets, year),
                    _year_values(indicator, indicator.shown_outcomes, year - 1),
                    _year_values(indicator, indicator.shown_targets, year - 1),
                )
            )
        if rows:
            used = max((i for row in rows for i, cell in enumerate(row) if cell), default=0) + 1
            used = max(used, 2)
            section.blocks.append(Table(caption="", header=header[:used], rows=tuple(row[:used] for row in rows)))
        area_sections[area.pk].subsections.append(section)
    return sections


def _year_values(indicator: Indicator, items, year: int) -> str:
    """
    Targets or outcomes of a year as printed: the text as written, else the figure with its
    unit. Parts of the year come first, named ("maj-dec: 3 089"), then the whole year, named
    "helår" only beside parts.
    """
    chosen = sorted((item for item in items if item.year == year), key=lambda item: (item.part == "", item.part))
    has_parts = any(item.part for item in chosen)
    shown = []
    for item in chosen:
        text = item.text or formatting.with_unit(item.value, indicator.unit_suffix)
        label = item.part or (_("whole year") if has_parts else "")
        shown.append(f"{label}: {text}" if label else text)
    return " ".join(shown)


NUMBER_WORDS = ("inga", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")
#: A text's own subheadings (h3, h4 in the editor) go below the heading of its section.
_TEXT_HEADING = re.compile(r"<(/?)h([3-6])>")
#: ``{name}`` in a text: a figure computed from the data (see ``_DocumentBuilder._facts``).
_FACT = re.compile(r"\{([a-zåäö_]+)\}")

#: The figures a text may name, with what each counts (shown to writers and admins).
FACTS = {
    "mål_totalt": gettext_lazy("the city council's goals in the plan"),
    "mål_bidrag": gettext_lazy("the city council's goals the committee contributes to"),
    "uppnått": gettext_lazy("contributions assessed as achieved for the year"),
    "delvis_uppnått": gettext_lazy("contributions assessed as partly achieved for the year"),
    "ej_uppnått": gettext_lazy("contributions assessed as not achieved for the year"),
}


def count_in_words(n: int) -> str:
    """A count as Swedish prose writes it: in words up to twelve ("tio mål"), in figures above ("14 mål")."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else formatting.number(n)


def shift_headings(html: str, level: int) -> str:
    """
    Move a text's subheadings below its section's heading: the section at ``level`` (1 for
    a chapter) is an h(level + 1), so the text's h3 becomes h(level + 2), capped at h6.
    """
    return _TEXT_HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) - 1 + level)}>", html)


def fill_in_facts(html: str, facts: dict[str, str]) -> str:
    """Replace each ``{name}`` of a known figure with its value; other braces stay as written."""
    if not facts:
        return html
    return _FACT.sub(lambda m: escape(facts[m[1]]) if m[1] in facts else m[0], html)


def _contribution_sections(builder: _DocumentBuilder) -> list[Section]:
    """
    The follow-up and assessment of the contributions to the city council's goals, per goal
    area and goal, with the three fixed subheadings and both assessments with their
    sentences and motivations.
    """
    plan = builder.plan
    contributions = GoalContribution.objects.filter(period=builder.period).select_related(
        "department", "assessment", "mandate_assessment"
    )
    if builder.states:
        contributions = contributions.filter(status__in=builder.states)
    goals = (
        Goal.objects.filter(plan=plan, level=Goal.Level.COUNCIL, contributes=True)
        .select_related("goal_area")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=contributions.order_by("department__sort_order"),
                to_attr="shown_contributions",
            )
        )
        .order_by("goal_area__sort_order", "sort_order")
    )
    # A table goes with its goal, unless a section of the report shows it elsewhere.
    named = {s.parameter for s in builder.walk() if s.source == ReportSection.Source.KEY_FIGURES}
    tables: dict[int, list[Block]] = {}
    for table, blocks in builder.key_figure_tables():
        if table.code not in named:
            tables.setdefault(table.goal_id, []).extend(blocks)
    areas: dict[int, Section] = {}
    for goal in goals:
        if goal.goal_area_id not in areas:
            areas[goal.goal_area_id] = Section(heading=_("Goal area – %(name)s") % {"name": goal.goal_area.name})
        section = Section(heading=_("City council goal – %(text)s") % {"text": goal.text})
        # Part, goal area, goal, fixed subheading: the texts' own subheadings come below those.
        texts = [shift_headings(sanitize_rich_text(c.comment), 4) for c in goal.shown_contributions]
        year = [c for c in goal.shown_contributions if c.assessment]
        mandate = [c for c in goal.shown_contributions if c.mandate_assessment]
        section.subsections = [
            Section(
                heading=_("Follow-up of the contribution to the city council goal"),
                blocks=[RichText("".join(texts)), *tables.get(goal.pk, [])],
            ),
            Section(
                heading=_("Assessment of the contribution to the city council goal for the year"),
                blocks=[
                    RichText(_assessment_html(c.assessment, c.assessment_motivation, plan.year, label=True))
                    for c in year
                ],
            ),
            Section(
                heading=_("Assessment of the expected progress over the mandate period"),
                blocks=[
                    RichText(_assessment_html(c.mandate_assessment, c.mandate_motivation, plan.year, label=False))
                    for c in mandate
                ],
            ),
        ]
        areas[goal.goal_area_id].subsections.append(section)
    return list(areas.values())


def _plan_item_sections(builder: _DocumentBuilder, *, level: str, depth: int) -> list[Section]:
    """
    The plan's priorities or budget assignments (``level``), each a section headed by its
    wording with its departments' follow-up (and an assessment where one was given);
    those in a goal area grouped under it ("Målområde – …"), as the årsanalys reports its
    budgetuppdrag. ``depth`` is the level of the first sections made. Two queries.
    """
    contributions = GoalContribution.objects.filter(period=builder.period).select_related("department", "assessment")
    if builder.states:
        contributions = contributions.filter(status__in=builder.states)
    items = (
        Goal.objects.filter(plan=builder.plan, level=level)
        .select_related("goal_area")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=contributions.order_by("department__sort_order"),
                to_attr="shown_contributions",
            )
        )
        .order_by("goal_area__sort_order", "sort_order")
    )
    sections: list[Section] = []
    areas: dict[int, Section] = {}
    for item in items:
        in_area = item.goal_area_id is not None
        blocks = [
            RichText(shift_headings(sanitize_rich_text(c.comment), depth + in_area))
            for c in item.shown_contributions
            if c.comment.strip()
        ]
        blocks += [
            RichText(_assessment_html(c.assessment, c.assessment_motivation, builder.plan.year, label=True))
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
            areas[item.goal_area_id] = Section(heading=_("Goal area – %(name)s") % {"name": item.goal_area.name})
            sections.append(areas[item.goal_area_id])
        areas[item.goal_area_id].subsections.append(section)
    return sections


def _assessment_html(value, motivation: str, year: int, *, label: bool) -> str:
    """The assessment as the årsanalys prints it: the label (with its mark), the sentence, the motivation."""
    parts = []
    if label:
        parts.append(format_html('<p><b><span aria-hidden="true">{}</span> {}</b></p>', value.symbol, value.label))
    parts.append(format_html("<p>{}</p>", value.sentence_for(year)))
    if motivation:
        parts.append(format_html("<p>{}</p>", motivation))
    return "".join(parts)


#: How each kind of report shows the plan's goals (a template's ``goals`` section).
GOAL_SECTIONS = {
    ReportKind.FOLLOW_UP: _follow_up_chapters,
    ReportKind.PLAN_PROPOSAL: _plan_proposal_sections,
    ReportKind.ANNUAL_ANALYSIS: _contribution_sections,
}
KINDS = list(GOAL_SECTIONS)


def report_kinds_for(period: ReportingPeriod) -> list[str]:
    """The kinds of report the period's plan has content for: commitments, goal indicators, council goals."""
    plan = period.plan
    kinds = []
    if Commitment.objects.filter(plan=plan).exists():
        kinds.append(ReportKind.FOLLOW_UP)
    if Indicator.objects.filter(plan=plan, level=Indicator.Level.GOAL).exists():
        kinds.append(ReportKind.PLAN_PROPOSAL)
    if Goal.objects.filter(plan=plan, level=Goal.Level.COUNCIL, contributes=True).exists():
        kinds.append(ReportKind.ANNUAL_ANALYSIS)
    return kinds


def section_text_rows(*, user, period: ReportingPeriod) -> list[tuple[ReportSection, SectionText | None]]:
    """
    The text sections of the period's reports that the user reads (their departments', or
    all for reviewers and admins), in report and template order, each with its text for the
    period (None before the first save). Two queries whatever the template's size.
    """
    readable = readable_department_ids(user, period.plan.committee)
    sections = ReportSection.objects.filter(plan=period.plan, source=ReportSection.Source.NARRATIVE).select_related(
        "department", "parent__parent"
    )
    if readable is not None:
        sections = sections.filter(department_id__in=readable)
    texts = {
        text.section_id: text
        for text in SectionText.objects.filter(
            period=period, section__in=sections, department_id=F("section__department_id")
        ).select_related("updated_by")
    }
    kinds = {kind: n for n, kind in enumerate(KINDS)}
    ordered = sorted(sections, key=lambda s: (kinds.get(s.kind, 99), _template_position(s)))
    return [(section, texts.get(section.pk)) for section in ordered]


def _template_position(section: ReportSection) -> tuple:
    path, node = [], section
    while node is not None:
        path.insert(0, node.sort_order)
        node = node.parent
    return tuple(path)


def section_text_get_for_user(*, user, period: ReportingPeriod, section_id: int) -> SectionText:
    """The text of a section named by a URL (unsaved before its first save), or Http404 if the user may not read it."""
    section = (
        ReportSection.objects.filter(pk=section_id, plan=period.plan, source=ReportSection.Source.NARRATIVE)
        .select_related("department", "plan")
        .first()
    )
    if section is None or not can_read_department(user, section.department):
        raise Http404
    text = SectionText.objects.filter(section=section, period=period, department=section.department).first()
    text = text or SectionText(section=section, period=period, department=section.department)
    text.section, text.period = section, period
    return text


def current_build(*, period: ReportingPeriod, kind: str) -> ReportBuild | None:
    """The report's current build: the latest one that is done in every format and not a draft."""
    return (
        ReportBuild.objects.filter(period=period, kind=kind, draft=False, status=ReportBuild.Status.DONE)
        .defer("content")
        .order_by("-finished_at", "-pk")
        .first()
    )


def builds_for_period(*, period: ReportingPeriod, limit: int = 20) -> list[ReportBuild]:
    """The period's latest builds of every kind, newest first, without their stored content."""
    return list(
        ReportBuild.objects.filter(period=period)
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
