"""
Export resources of a period's follow-up (django-import-export): the entries, the goal
follow-ups and the outcomes, each a sheet, read from ``selectors.followup_export``'s rows.

Comments are rich text and come out as plain text (a line per paragraph and list item);
numbers stay numbers. Nothing here makes a cell inert: ``common.tabular`` writes the files.
"""

from __future__ import annotations

import tablib
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from commitments.filters import STATUS_CHOICES
from common.richtext import rich_text_lines
from indicators.models import Outcome

from .pages import shown
from .selectors import ExportRow, FollowUpExport

STATUS_LABELS = dict(STATUS_CHOICES)


def column(name: str, label) -> fields.Field:
    """A column whose value its resource's ``dehydrate_<name>`` gives."""
    return fields.Field(column_name=label, dehydrate_method=f"dehydrate_{name}")


class RowResource(resources.Resource):
    """Base of the sheets: the columns every kind of row has, and the export of ``ExportRow``s."""

    #: The sheet's title in the workbook, and the URL's name of its CSV file.
    sheet_title = ""
    part = ""

    def export_rows(self, rows: list[ExportRow]) -> tablib.Dataset:
        data = self.export(rows)
        data.title = str(self.sheet_title)
        return data

    def dehydrate_code(self, row: ExportRow) -> str:
        return row.subject.code

    def dehydrate_text(self, row: ExportRow) -> str:
        return row.subject.text

    def dehydrate_department(self, row: ExportRow) -> str:
        return row.department.name

    def dehydrate_status(self, row: ExportRow) -> str:
        return str(STATUS_LABELS.get(row.status, row.status))

    def dehydrate_assessment(self, row: ExportRow) -> str:
        return row.row.assessment.label if row.row and row.row.assessment else ""

    def dehydrate_comment(self, row: ExportRow) -> str:
        return rich_text_lines(row.row.comment) if row.row else ""

    def dehydrate_approved_by(self, row: ExportRow) -> str:
        return row.approval.actor_label if row.approval else ""

    def dehydrate_approved_at(self, row: ExportRow) -> str:
        return timezone.localtime(row.approval.created_at).strftime("%Y-%m-%d %H:%M") if row.approval else ""


class EntryResource(RowResource):
    sheet_title = _("Commitments")
    part = "ataganden"

    goal = column("goal", _("Goal"))
    code = column("code", _("Commitment"))
    text = column("text", _("Text"))
    department = column("department", _("Department"))
    status = column("status", _("Status"))
    assessment = column("assessment", _("Assessment"))
    comment = column("comment", _("Comment"))
    approved_by = column("approved_by", _("Approved by"))
    approved_at = column("approved_at", _("Approved at"))

    def dehydrate_goal(self, row: ExportRow) -> str:
        return row.subject.goal.code


class ContributionResource(RowResource):
    sheet_title = _("Goals")
    part = "mal"

    code = column("code", _("Goal"))
    text = column("text", _("Text"))
    department = column("department", _("Department"))
    status = column("status", _("Status"))
    assessment = column("assessment", _("Assessment"))
    motivation = column("motivation", _("Motivation"))
    mandate_assessment = column("mandate_assessment", _("Assessment for the mandate period"))
    mandate_motivation = column("mandate_motivation", _("Motivation for the mandate period"))
    comment = column("comment", _("Comment"))
    approved_by = column("approved_by", _("Approved by"))
    approved_at = column("approved_at", _("Approved at"))

    def dehydrate_motivation(self, row: ExportRow) -> str:
        return row.row.assessment_motivation if row.row else ""

    def dehydrate_mandate_assessment(self, row: ExportRow) -> str:
        return row.row.mandate_assessment.label if row.row and row.row.mandate_assessment else ""

    def dehydrate_mandate_motivation(self, row: ExportRow) -> str:
        return row.row.mandate_motivation if row.row else ""


class FigureWidget(widgets.Widget):
    """An outcome's figure, left a number (80, not "80.0000"), or empty."""

    def render(self, value, obj=None, **kwargs):
        return shown(value)


def figure(name: str) -> fields.Field:
    """A figure of the outcome, headed as the outcome's field is named ("count, women / girls")."""
    return fields.Field(
        attribute=f"row__{name}",
        column_name=capfirst(Outcome._meta.get_field(name).verbose_name),
        widget=FigureWidget(),
    )


class OutcomeResource(RowResource):
    sheet_title = _("Outcomes")
    part = "utfall"

    code = column("code", _("Indicator"))
    name = column("name", _("Name"))
    department = column("department", _("Department"))
    year = column("year", _("Year"))
    period = column("period", _("Period"))
    unit = column("unit", _("Unit"))
    # The total and each group (women / men, girls / boys): the value (for a share, the share)
    # and the counts it is computed from.
    value = figure("value")
    value_female = figure("value_female")
    value_male = figure("value_male")
    numerator = figure("numerator")
    numerator_female = figure("numerator_female")
    numerator_male = figure("numerator_male")
    denominator = figure("denominator")
    denominator_female = figure("denominator_female")
    denominator_male = figure("denominator_male")
    target = column("target", _("Target"))
    status = column("status", _("Status"))
    assessment = column("assessment", _("Assessment"))
    motivation = column("motivation", _("Motivation"))
    unavailable_reason = column(
        "unavailable_reason", capfirst(Outcome._meta.get_field("unavailable_reason").verbose_name)
    )
    comment = column("comment", _("Comment"))
    approved_by = column("approved_by", _("Approved by"))
    approved_at = column("approved_at", _("Approved at"))

    def dehydrate_name(self, row: ExportRow) -> str:
        return row.subject.name

    def dehydrate_year(self, row: ExportRow) -> int:
        return row.row.period.plan.year

    def dehydrate_period(self, row: ExportRow) -> str:
        return row.row.period.name

    def dehydrate_unit(self, row: ExportRow) -> str:
        return row.subject.get_unit_display()

    def dehydrate_target(self, row: ExportRow) -> str:
        if row.target is None:
            return ""
        return row.target.shown().replace("\N{NO-BREAK SPACE}", " ").replace("\N{NARROW NO-BREAK SPACE}", " ")

    def dehydrate_motivation(self, row: ExportRow) -> str:
        return row.row.assessment_motivation

    def dehydrate_unavailable_reason(self, row: ExportRow) -> str:
        return row.row.unavailable_reason


#: The sheets of the export, in the workbook's order.
RESOURCES = (EntryResource, ContributionResource, OutcomeResource)
RESOURCES_BY_PART = {resource.part: resource for resource in RESOURCES}


def export_book(export: FollowUpExport) -> tablib.Databook:
    """The follow-up as a workbook: a sheet per kind of row."""
    book = tablib.Databook()
    for resource_class, rows in zip(RESOURCES, (export.entries, export.contributions, export.outcomes), strict=True):
        book.add_sheet(resource_class().export_rows(rows))
    return book


def export_sheet(export: FollowUpExport, part: str) -> tablib.Dataset:
    """One sheet of the follow-up (``part``: a key of ``RESOURCES_BY_PART``), as its CSV file holds it."""
    rows = {"ataganden": export.entries, "mal": export.contributions, "utfall": export.outcomes}[part]
    return RESOURCES_BY_PART[part]().export_rows(rows)
