"""Write operations on indicators and on the plan as a whole."""

from collections import Counter
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import RowResult

from commitments.models import Committee, Plan

from .plan_files import SHEETS, SHEETS_BY_KEY


@dataclass(frozen=True)
class RowError:
    """A problem in the file: sheet, spreadsheet row number (header = 1), column, message."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("sheet “%(sheet)s”, row %(row)s") % {"sheet": self.sheet, "row": self.row}
        if self.column:
            where += _(", column “%(column)s”") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass
class SheetSummary:
    title: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class PlanImportResult:
    plan_created: bool
    sheets: list[SheetSummary] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def changed(self) -> bool:
        return self.plan_created or any(s.new or s.updated for s in self.sheets)


def _check_columns(resource, data: tablib.Dataset, title: str) -> list[RowError]:
    headers = set(data.headers or [])
    errors = [
        RowError(title, 1, column, _("The column is missing."))
        for column in resource.columns()
        if column not in headers and column not in resource.optional_columns
    ]
    known = set(resource.columns())
    errors += [
        RowError(title, 1, header, _("Unknown column."))
        for header in data.headers or []
        if header and header not in known
    ]
    return errors


def _check_duplicates(resource, data: tablib.Dataset, title: str) -> list[RowError]:
    key_columns = [c for c in resource.key_columns if c in (data.headers or [])]
    if len(key_columns) != len(resource.key_columns):
        return []
    first_seen: dict[tuple, int] = {}
    errors = []
    for number, row in enumerate(data.dict, start=2):
        key = tuple(str(row[c] if row[c] is not None else "").strip() for c in key_columns)
        if not any(key):
            continue
        if key in first_seen:
            errors.append(
                RowError(
                    title,
                    number,
                    key_columns[0],
                    _("“%(key)s” is given twice in the file (also on row %(first)s).")
                    % {"key": " / ".join(k for k in key if k), "first": first_seen[key]},
                )
            )
        else:
            first_seen[key] = number
    return errors


def _row_errors(resource, result, title: str) -> list[RowError]:
    column_of = {f.attribute: f.column_name for f in resource.get_import_fields() if f.attribute}
    column_of.update({name: f.column_name for name, f in resource.fields.items()})
    errors = []
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = column_of.get(attribute, "" if attribute == "__all__" else attribute)
            for message in messages:
                errors.append(RowError(title, invalid.number + 1, column, str(message)))
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append(RowError(title, number + 1, "", str(error.error)))
    for error in result.base_errors:
        errors.append(RowError(title, 1, "", str(error.error)))
    return errors


def plan_import(
    *, committee: Committee, year: int, datasets: dict[str, tablib.Dataset], dry_run: bool = False
) -> PlanImportResult:
    """
    Import a committee's plan for a year from the plan file's sheets, all or nothing.

    Rows are matched on their codes, so importing the same file twice changes nothing.
    If any row of any sheet is wrong, nothing is changed and every bad row is reported;
    a dry run reports the same and changes nothing either.
    """
    with transaction.atomic():
        plan, created = Plan.objects.get_or_create(committee=committee, year=year)
        result = PlanImportResult(plan_created=created)
        for sheet in SHEETS:
            data = datasets.get(sheet.key)
            if data is None:
                continue
            resource = sheet.resource_class(plan)
            structural = _check_columns(resource, data, sheet.title)
            result.errors += structural
            if structural:
                continue
            result.errors += _check_duplicates(resource, data, sheet.title)
            outcome = resource.import_data(data, dry_run=False, use_transactions=True, raise_errors=False)
            result.errors += _row_errors(resource, outcome, sheet.title)
            counts = Counter(row.import_type for row in outcome.rows)
            result.sheets.append(
                SheetSummary(
                    title=sheet.title,
                    new=counts[RowResult.IMPORT_TYPE_NEW],
                    updated=counts[RowResult.IMPORT_TYPE_UPDATE],
                    unchanged=counts[RowResult.IMPORT_TYPE_SKIP],
                )
            )
        unknown = [key for key in datasets if key not in SHEETS_BY_KEY]
        result.errors += [RowError(key, 1, "", _("Unknown sheet.")) for key in unknown]
        sheet_order = {s.title: i for i, s in enumerate(SHEETS)}
        result.errors.sort(key=lambda e: (sheet_order.get(e.sheet, len(SHEETS)), e.row))
        if dry_run or result.errors:
            transaction.set_rollback(True)
        else:
            result.applied = True
    return result
