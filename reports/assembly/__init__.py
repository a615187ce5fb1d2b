"""
The assembly of the committee's documents: a report of a period read from the database in
a fixed number of queries and laid out, section by section as the plan's report template
says, as the plain document model that the renderers read.

``DocumentBuilder`` walks the template; each kind of report shows the plan's goals its own
way (``follow_up``, ``plan_proposal``, ``annual_analysis``); ``text`` holds the helpers for
the texts departments write.
"""

from __future__ import annotations

from dataclasses import replace

from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext as _

from commitments.models import AssessmentValue, Goal, GoalContribution, ReportingPeriod, ReviewStatus
from common.richtext import sanitize_rich_text
from finance.formatting import tkr
from finance.selectors import FinanceTable, finance_tables
from reports import layouts
from reports.document import Assessment, Block, Document, RichText, Section, Table, cleaned
from reports.failures import row_context, section_text_name
from reports.key_figures import key_figure_tables
from reports.models import ReportDefinition, ReportKind, ReportLayout, ReportSection, SectionText
from reports.selectors import OutlineNode, report_outline

from .annual_analysis import contribution_sections, plan_item_sections
from .follow_up import follow_up_chapters
from .plan_proposal import plan_proposal_sections
from .text import count_in_words, fill_in_facts, shift_headings


def report_document(*, period: ReportingPeriod, kind: str, draft: bool = False) -> Document:
    """
    Return the document of ``kind`` for ``period``, section by section as the plan's report
    template for that kind says (``report_outline``): the texts departments wrote for the
    period, the plan's goals as that kind of report shows them, computed summaries and
    tables. Only approved content is used, unless ``draft`` (then everything written so far,
    and the document says "Utkast"). The number of queries does not depend on the size of
    the plan or of the template.
    """
    return cleaned(DocumentBuilder(period=period, kind=kind, draft=draft).document())


def follow_up_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """The follow-up of commitments (report kind ``ataganden``) for ``period``."""
    return report_document(period=period, kind=ReportKind.FOLLOW_UP, draft=draft)


def plan_proposal_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """The plan proposal (report kind ``namndsbudget``) of the period's plan year."""
    return report_document(period=period, kind=ReportKind.PLAN_PROPOSAL, draft=draft)


def annual_analysis_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """The årsanalys (report kind ``arsanalys``) for ``period``."""
    return report_document(period=period, kind=ReportKind.ANNUAL_ANALYSIS, draft=draft)


class DocumentBuilder:
    """Reads what one document needs, once per kind of content, and lays out its sections."""

    def __init__(self, *, period: ReportingPeriod, kind: str, draft: bool) -> None:
        self.period, self.kind, self.draft = period, kind, draft
        self.plan = period.plan
        self.outline = report_outline(plan=self.plan, kind=kind)
        #: The committee's layout of this kind of report: its title, words and shape.
        self.layout = layouts.layout_for(plan=self.plan, kind=kind)
        self.states = None if draft else [ReviewStatus.APPROVED]
        self.number = 0
        #: The assessment values the document prints, for its legend (see ``mark_used``).
        self.marks: dict[tuple[int, int], Assessment] = {}
        # Read when a section first needs them.
        self.finance: dict[str, FinanceTable] | None = None
        self.key_figures: list | None = None
        #: Kolada's figures of the plan's indicators for the plan year (``kolada.selectors.kolada_figures``).
        self.kolada_figures: dict | None = None

    def document(self) -> Document:
        plan, period = self.plan, self.period
        committee = plan.committee
        self.definition = ReportDefinition.objects.filter(period=period, kind=self.kind).first()
        definition = self.definition
        contents = definition.contents if definition and definition.contents is not None else None
        document = Document(
            kind=self.kind,
            title=layouts.title(self.layout, period),
            organisation=committee.organisation,
            committee=committee.name,
            period=str(plan.year) if self.kind == ReportKind.PLAN_PROPOSAL else f"{period.name} {plan.year}",
            draft=self.draft,
            occasion=definition.occasion.strip() if definition else "",
            # A short plan proposal goes without a contents list unless the committee asks for one.
            contents=contents if contents is not None else self.kind != ReportKind.PLAN_PROPOSAL,
        )
        self.texts = self._texts()
        self.facts = self._facts() if self._needs_facts() else {}
        for node in self.outline:
            document.sections += self._sections(node, level=1)
        document.legend = tuple(self.marks[key] for key in sorted(self.marks))
        return document

    def mark_used(self, value) -> Assessment | None:
        """The assessment value (an ``AssessmentValue`` or None) as printed; its mark goes in the legend."""
        if value is None:
            return None
        assessment = Assessment(value.symbol, value.label)
        if value.symbol:
            self.marks[(value.scale_id, value.sort_order)] = assessment
        return assessment

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
                chapters = plan_item_sections(self, level=node.section.parameter, depth=depth)
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
            with row_context(lambda t=text: section_text_name(template.heading, t.department.name)):
                html = shift_headings(sanitize_rich_text(text.comment), level)
                blocks.append(RichText(fill_in_facts(html, self.facts)))
        return [block for block in blocks if block.html.strip()]

    def _introduction(self) -> list[RichText]:
        """The committee admin's introduction of this report, or the standard one of a follow-up."""
        definition = self.definition
        if definition and definition.introduction.strip():
            return [RichText(sanitize_rich_text(definition.introduction))]
        if self.kind != ReportKind.FOLLOW_UP:
            return []
        period = f"{self.period.name} {self.plan.year}"
        if self.layout.chapters == ReportLayout.Chapters.GOAL:
            text = _(
                "Each committee goal is a heading of its own, and the report describes the result for the period "
                "%(period)s."
            ) % {"period": period}
        else:
            text = _(
                "Each %(goal_area)s is a chapter of its own with its goals, and the report describes the result "
                "for the period %(period)s."
            ) % {"goal_area": layouts.word(self.layout, "goal_area").lower(), "period": period}
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
    # Sum rows are printed bold: the table's own totals and the computed sum.
    totals = tuple(i for i, row in enumerate(table.rows) if row.kind == "total")
    totals += (len(table.rows),) if len(rows) > len(table.rows) else ()
    return Table(caption=table.caption, header=header, rows=tuple(rows), numeric=numeric, totals=totals)


#: How each kind of report shows the plan's goals (a template's ``goals`` section).
GOAL_SECTIONS = {
    ReportKind.FOLLOW_UP: follow_up_chapters,
    ReportKind.PLAN_PROPOSAL: plan_proposal_sections,
    ReportKind.ANNUAL_ANALYSIS: contribution_sections,
}
KINDS = list(GOAL_SECTIONS)
