"""The finance import: a period's finance tables replaced as a whole from one file."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from commitments.models import Department, ReportingPeriod
from commitments.numbers import parse_number
from commitments.permissions import is_committee_admin
from common.tabular import RowError

from .files import SHEETS, FinanceFile, FinanceFileError, Sheet, read_finance_file
from .models import (
    AreaResult,
    BudgetChangeAmount,
    BudgetChangeLine,
    BudgetDecision,
    FinanceReport,
    Grant,
    IncomeStatementLine,
    InvestmentLine,
    OperatingBudgetLine,
    ResultItem,
    RowKind,
)
from .selectors import FinanceTable, finance_tables

if TYPE_CHECKING:
    from accounts.models import User

#: What the "typ" column says, and the kind of row it makes.
ROW_KINDS = {"": RowKind.NORMAL, "rad": RowKind.NORMAL, "delrad": RowKind.SUB, "summa": RowKind.TOTAL}
GRANT_KINDS = {"riktade": Grant.GrantKind.TARGETED, "övriga": Grant.GrantKind.OTHER, "ovriga": Grant.GrantKind.OTHER}
OCCASIONS = {
    "": BudgetDecision.Occasion.NONE,
    "nämndsbudget": BudgetDecision.Occasion.BUDGET,
    "ep": BudgetDecision.Occasion.FORECAST,
    "dr": BudgetDecision.Occasion.INTERIM,
}
NONE_MARKS = ("", "-", "–", "—")  # the dashes a document prints for none
CODE = re.compile(r"^[A-Za-z0-9ÅÄÖåäö][A-Za-z0-9ÅÄÖåäö._-]*$")
REGISTRATION_NUMBER = re.compile(r"^[A-Z]{2,4}-\d{4}-\d+$")
#: Larger than any amount in tkr a committee has; a guard against a misplaced number.
MAX_AMOUNT = 10**12
MAX_LABEL = 500


@dataclass
class FinanceImportResult:
    file_name: str = ""
    errors: list[RowError] = field(default_factory=list)
    #: The tables as they are (or, in a dry run, would be) after the import.
    tables: list[FinanceTable] = field(default_factory=list)
    #: Whether the file differs from what the period has.
    changed: bool = False
    applied: bool = False


class _SheetReader:
    """Reads the rows of one sheet into plain values, collecting an error for every bad cell."""

    def __init__(self, sheet: Sheet, errors: list[RowError], areas: dict[str, Department]) -> None:
        self.sheet, self.errors, self.areas = sheet, errors, areas
        self.row = 0
        self.values: dict = {}

    def error(self, column: str, message: str, row: int | None = -1) -> None:
        self.errors.append(RowError(self.sheet.title, self.row if row == -1 else row, column, message))

    def rows(self, data):
        """Yield the rows that are not blank, keeping track of the row number for errors."""
        for number, values in enumerate(data.dict, start=2):
            if all(v is None or str(v).strip() == "" for v in values.values()):
                continue
            self.row, self.values = number, values
            yield values

    def text(self, column: str, *, required: bool = False, max_length: int = MAX_LABEL) -> str:
        value = self.values.get(column)
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.error(column, _("This field is required."))
        elif len(text) > max_length:
            self.error(column, _("The text is longer than %(max)s characters.") % {"max": max_length})
        return text

    def amount(self, column: str) -> int | None:
        """Read a whole number of tkr: “-4 004”, “−4 004”, 4004; blank or “-” is none."""
        value = self.values.get(column)
        if value is None or (isinstance(value, str) and value.strip() in NONE_MARKS):
            return None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        else:
            try:
                parsed = parse_number(str(value))
            except ValueError:
                parsed = None
            number = int(parsed) if parsed is not None and parsed == parsed.to_integral_value() else None
        if number is None:
            self.error(column, _("“%(value)s” is not an amount in whole tkr.") % {"value": value})
        elif abs(number) >= MAX_AMOUNT:
            self.error(column, _("“%(value)s” is too large an amount in tkr.") % {"value": value})
            number = None
        return number

    def kind(self, column: str = "typ") -> str:
        word = self.text(column).casefold()
        if word not in ROW_KINDS:
            self.error(column, _("Unknown type “%(value)s”: use rad, delrad or summa.") % {"value": word})
            return RowKind.NORMAL
        return ROW_KINDS[word]

    def area(self, kind: str, *, required: bool, column: str = "verksamhetsområde") -> str:
        """Return the operational area's code as the committee has it ("" for none)."""
        code = self.text(column)
        if not code:
            if required and kind != RowKind.TOTAL:
                self.error(column, _("Name the operational area by its code."))
            return ""
        department = self.areas.get(code.casefold())
        if department is None:
            known = ", ".join(sorted(d.code for d in self.areas.values())) or _("none")
            self.error(
                column,
                _("Unknown operational area “%(code)s”. The committee's operational areas are: %(known)s.")
                % {"code": code, "known": known},
            )
            return ""
        return department.code


class _Duplicates:
    """Report a row whose key an earlier row of the same table already had."""

    def __init__(self, reader: _SheetReader) -> None:
        self.reader = reader
        self.first_seen: dict[tuple, int] = {}

    def check(self, key: tuple, column: str, shown: str) -> None:
        if key in self.first_seen:
            first = self.first_seen[key]
            if key[-1] == RowKind.TOTAL:
                message = _("The table has one total row (also on row %(first)s).") % {"first": first}
            else:
                message = _("“%(key)s” is given twice in the file (also on row %(first)s).") % {
                    "key": shown,
                    "first": first,
                }
            self.reader.error(column, message)
        else:
            self.first_seen[key] = self.reader.row


def _check_columns(sheet: Sheet, data, extra: tuple[str, ...], errors: list[RowError]) -> bool:
    """Report missing and unknown columns of a sheet; return whether its rows can be read."""
    headers = [h for h in data.headers or [] if h]
    expected = (*sheet.columns, *extra)
    found = [
        RowError(sheet.title, 1, column, _("The column is missing.")) for column in expected if column not in headers
    ]
    found += [
        RowError(sheet.title, 1, header, _("Unknown column."))
        for header in headers
        if header not in expected and header not in sheet.optional
    ]
    found += [
        RowError(sheet.title, 1, header, _("The column is given twice."))
        for i, header in enumerate(headers)
        if header in headers[:i]
    ]
    errors += found
    return not found


def _labelled_rows(reader: _SheetReader, data, *, area_column: bool, area_required: bool) -> list[dict]:
    """Read a table of labelled rows (rad / delrad / summa), keyed on area or label."""
    rows, duplicates = [], _Duplicates(reader)
    for _values in reader.rows(data):
        kind = reader.kind()
        row = {"kind": kind, "label": reader.text("benämning", required=True)}
        if area_column:
            row["area"] = reader.area(kind, required=area_required)
        if kind == RowKind.TOTAL:
            duplicates.check((kind,), "typ", "")
        elif area_required and kind == RowKind.NORMAL:
            duplicates.check((row["area"].casefold(), kind), "verksamhetsområde", row["area"])
        else:
            duplicates.check((row.get("area", ""), row["label"].casefold(), kind), "benämning", row["label"])
        rows.append(row)
    return rows


def _read_areas(reader, data) -> list[dict]:
    rows = _labelled_rows(reader, data, area_column=True, area_required=True)
    for row, _values in zip(rows, reader.rows(data), strict=True):
        row.update(municipal_grant=reader.amount("kommunbidrag"), budget_deviation=reader.amount("budgetavvikelse"))
    return rows


def _read_operating(reader, data) -> list[dict]:
    rows, duplicates = [], _Duplicates(reader)
    lines = {v: v for v in OperatingBudgetLine.Line.values}
    for _values in reader.rows(data):
        line = reader.text("rad", required=True).casefold()
        if line and line not in lines:
            message = _("Unknown line “%(value)s”: use %(lines)s.") % {"value": line, "lines": ", ".join(lines)}
            reader.error("rad", message)
            continue
        duplicates.check((line,), "rad", line)
        rows.append(
            {
                "line": line,
                "kind": RowKind.TOTAL if line == OperatingBudgetLine.Line.RESULT else RowKind.NORMAL,
                "label": reader.text("benämning", required=True),
                "outcome": reader.amount("utfall"),
                "forecast": reader.amount("prognos"),
                "change": reader.amount("förändring"),
            }
        )
    given = {r["line"] for r in rows}
    for line in lines:
        if line not in given:
            reader.error("rad", _("The line “%(line)s” is missing.") % {"line": line}, row=None)
    return rows


def _read_items(reader, data) -> list[dict]:
    rows = _labelled_rows(reader, data, area_column=True, area_required=False)
    for row, _values in zip(rows, reader.rows(data), strict=True):
        row["amount"] = reader.amount("utfall")
    return rows


def _read_investments(reader, data) -> list[dict]:
    rows = _labelled_rows(reader, data, area_column=False, area_required=False)
    for row, _values in zip(rows, reader.rows(data), strict=True):
        row.update(
            outcome=reader.amount("utfall"), budget=reader.amount("budget"), deviation=reader.amount("avvikelse")
        )
    return rows


def _read_decisions(reader, data) -> list[dict]:
    rows, duplicates = [], _Duplicates(reader)
    swedish_months = {
        m: i
        for i, m in enumerate(
            ("januari", "februari", "mars", "april", "maj", "juni", "juli",
             "augusti", "september", "oktober", "november", "december"), start=1
        )
    }  # fmt: skip
    for _values in reader.rows(data):
        code = reader.text("kod", required=True, max_length=32)
        if code and not CODE.match(code):
            reader.error("kod", _("Use letters, digits, dot, hyphen or underscore, starting with a letter or digit."))
        elif code:
            duplicates.check((code.casefold(),), "kod", code)
        month_text = reader.text("månad").casefold()
        month = None
        if month_text:
            month = swedish_months.get(month_text)
            digits = month_text.removesuffix(".0")
            if month is None and digits.isdigit() and 1 <= int(digits) <= 12:
                month = int(digits)
            if month is None:
                reader.error("månad", _("“%(value)s” is not a month: write 1–12 or its name.") % {"value": month_text})
        occasion_text = reader.text("tillfälle").casefold()
        if occasion_text not in OCCASIONS:
            reader.error(
                "tillfälle",
                _("Unknown occasion “%(value)s”: use nämndsbudget, EP, DR or leave it empty.")
                % {"value": occasion_text},
            )
        number = reader.text("diarienummer", max_length=30)
        if number and not REGISTRATION_NUMBER.match(number):
            reader.error("diarienummer", _("Use the form STK-2024-494."))
        rows.append(
            {
                "code": code,
                "heading": reader.text("rubrik", max_length=200),
                "body": reader.text("organ", required=True, max_length=40),
                "month": month,
                "occasion": OCCASIONS.get(occasion_text, ""),
                "registration_number": number,
            }
        )
    return rows


def _read_budget_changes(reader, data, decisions: list[dict]) -> list[dict]:
    codes = [d["code"].casefold() for d in decisions if d["code"]]
    rows = _labelled_rows(reader, data, area_column=True, area_required=True)
    for row, _values in zip(rows, reader.rows(data), strict=True):
        row["total"] = reader.amount("summa")
        row["amounts"] = {code: reader.amount(code) for code in codes}
    return rows


def _read_income_statement(reader, data) -> list[dict]:
    rows, duplicates = [], _Duplicates(reader)
    for _values in reader.rows(data):
        code = reader.text("kod", required=True, max_length=32)
        if code and not CODE.match(code):
            reader.error("kod", _("Use letters, digits, dot, hyphen or underscore, starting with a letter or digit."))
        elif code:
            duplicates.check((code.casefold(),), "kod", code)
        kind = reader.kind()
        if kind == RowKind.SUB:
            reader.error("typ", _("The income statement has no sub-rows: use rad or summa."))
        sums = [c.strip() for c in reader.text("summa_av").split("+") if c.strip()]
        if kind == RowKind.TOTAL and not sums:
            reader.error("summa_av", _("Name the lines this total adds up, e.g. “bidrag+ovriga_intakter”."))
        if kind != RowKind.TOTAL and sums:
            reader.error("summa_av", _("Only a total row adds up other lines."))
        rows.append(
            {
                "code": code,
                "kind": kind,
                "label": reader.text("benämning", required=True),
                "sums": "+".join(sums),
                "outcome": reader.amount("utfall"),
                "budget": reader.amount("budget"),
                "deviation": reader.amount("avvikelse"),
                "_row": reader.row,
            }
        )
    known = {r["code"].casefold() for r in rows}
    for row in rows:
        for code in row["sums"].split("+") if row["sums"] else []:
            if code.casefold() not in known:
                reader.error("summa_av", _("No line has the code “%(code)s”.") % {"code": code}, row=row["_row"])
            elif code.casefold() == row["code"].casefold():
                reader.error("summa_av", _("A line cannot add up itself."), row=row["_row"])
    for row in rows:
        del row["_row"]
    return rows


def _read_grants(reader, data) -> list[dict]:
    rows, duplicates = [], _Duplicates(reader)
    for _values in reader.rows(data):
        slag = reader.text("slag", required=True).casefold()
        grant_kind = GRANT_KINDS.get(slag)
        if slag and grant_kind is None:
            reader.error("slag", _("Unknown kind of grant “%(value)s”: use riktade or övriga.") % {"value": slag})
        kind = reader.kind()
        row = {
            "grant_kind": grant_kind or "",
            "kind": kind,
            "label": reader.text("benämning", required=True),
            "grantor": reader.text("bidragsgivare", max_length=300),
            "amount": reader.amount("utfall"),
        }
        if kind == RowKind.TOTAL:
            duplicates.check((row["grant_kind"], kind), "typ", "")
        else:
            key = (row["grant_kind"], row["label"].casefold(), row["grantor"].casefold(), kind)
            duplicates.check(key, "benämning", f"{row['label']} / {row['grantor']}".strip(" /"))
        rows.append(row)
    return rows


def _read_content(found: FinanceFile, areas: dict[str, Department]) -> tuple[dict, list[RowError]]:
    """Read every sheet into plain values; return them with every error found."""
    errors: list[RowError] = [
        RowError(name, None, "", _("Unknown sheet. The finance file's sheets are named %(sheets)s.")
                 % {"sheets": ", ".join(s.title for s in SHEETS)})
        for name in found.unknown
    ]  # fmt: skip
    content: dict[str, list] = {}
    decisions: list[dict] = []
    readers = {
        "verksamhetsomraden": _read_areas,
        "driftbudget": _read_operating,
        "orsaker": _read_items,
        "forandringar": _read_items,
        "investeringar": _read_investments,
        "beslut": _read_decisions,
        "resultatrakning": _read_income_statement,
        "bidrag": _read_grants,
    }
    for sheet in SHEETS:
        data = found.datasets.get(sheet.key)
        if data is None:
            errors.append(RowError(sheet.title, None, "", _("The sheet is missing.")))
            continue
        if sheet.decision_columns and "beslut" not in content:
            continue  # its columns are the decisions, and those could not be read
        extra = tuple(d["code"].casefold() for d in decisions if d["code"]) if sheet.decision_columns else ()
        if not _check_columns(sheet, data, extra, errors):
            continue
        reader = _SheetReader(sheet, errors, areas)
        if sheet.decision_columns:
            content[sheet.key] = _read_budget_changes(reader, data, decisions)
        else:
            content[sheet.key] = readers[sheet.key](reader, data)
        if sheet.key == "beslut":
            decisions = content[sheet.key]
    order = {s.title: i for i, s in enumerate(SHEETS)}
    errors.sort(key=lambda e: (order.get(e.sheet, -1), e.row or 0))
    return content, errors


def _digest(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _write(*, period: ReportingPeriod, content: dict, digest: str, file_name: str, user: User) -> FinanceReport:
    """Replace the period's finance tables with ``content``."""
    FinanceReport.objects.filter(period=period).delete()
    report = FinanceReport(period=period, digest=digest, file_name=file_name[:200], imported_by=user)
    report.full_clean()
    report.save()
    areas = {d.code: d for d in Department.objects.filter(committee_id=period.plan.committee_id)}

    def area(code: str) -> Department | None:
        return areas.get(code) if code else None

    def rows(key: str) -> list[tuple[int, dict]]:
        return list(enumerate(content[key], start=1))

    AreaResult.objects.bulk_create(
        AreaResult(report=report, sort_order=i, kind=r["kind"], label=r["label"], operational_area=area(r["area"]),
                   municipal_grant=r["municipal_grant"], budget_deviation=r["budget_deviation"])
        for i, r in rows("verksamhetsomraden")
    )  # fmt: skip
    OperatingBudgetLine.objects.bulk_create(
        OperatingBudgetLine(report=report, sort_order=i, kind=r["kind"], label=r["label"], line=r["line"],
                            outcome=r["outcome"], forecast=r["forecast"], change=r["change"])
        for i, r in rows("driftbudget")
    )  # fmt: skip
    ResultItem.objects.bulk_create(
        ResultItem(report=report, table=table, sort_order=i, kind=r["kind"], label=r["label"],
                   operational_area=area(r["area"]), amount=r["amount"])
        for key, table in (("orsaker", ResultItem.Table.CAUSES), ("forandringar", ResultItem.Table.CHANGES))
        for i, r in rows(key)
    )  # fmt: skip
    InvestmentLine.objects.bulk_create(
        InvestmentLine(report=report, sort_order=i, kind=r["kind"], label=r["label"], outcome=r["outcome"],
                       budget=r["budget"], deviation=r["deviation"])
        for i, r in rows("investeringar")
    )  # fmt: skip
    decisions = BudgetDecision.objects.bulk_create(
        BudgetDecision(report=report, sort_order=i, code=r["code"], heading=r["heading"], body=r["body"],
                       month=r["month"], occasion=r["occasion"], registration_number=r["registration_number"])
        for i, r in rows("beslut")
    )  # fmt: skip
    lines = BudgetChangeLine.objects.bulk_create(
        BudgetChangeLine(report=report, sort_order=i, kind=r["kind"], label=r["label"],
                         operational_area=area(r["area"]), stated_total=r["total"])
        for i, r in rows("kommunbidrag")
    )  # fmt: skip
    by_code = {d.code.casefold(): d for d in decisions}
    BudgetChangeAmount.objects.bulk_create(
        BudgetChangeAmount(line=line, decision=by_code[code], amount=amount)
        for line, r in zip(lines, content["kommunbidrag"], strict=True)
        for code, amount in r["amounts"].items()
    )
    IncomeStatementLine.objects.bulk_create(
        IncomeStatementLine(report=report, sort_order=i, kind=r["kind"], label=r["label"], code=r["code"],
                            sums=r["sums"], outcome=r["outcome"], budget=r["budget"], deviation=r["deviation"])
        for i, r in rows("resultatrakning")
    )  # fmt: skip
    Grant.objects.bulk_create(
        Grant(report=report, sort_order=i, kind=r["kind"], label=r["label"], grant_kind=r["grant_kind"],
              grantor=r["grantor"], amount=r["amount"])
        for i, r in rows("bidrag")
    )  # fmt: skip
    return report


def finance_import(*, period: ReportingPeriod, file, user: User, dry_run: bool = False) -> FinanceImportResult:
    """
    Replace the period's finance tables with those of ``file``, all or nothing.

    ``file`` is a path to a workbook or to a directory of CSV files (one per sheet), or an
    uploaded workbook. If any sheet, column or row is wrong, nothing changes and every bad
    row is reported; a dry run reports the same, and the tables the import would give,
    and changes nothing. A file that matches what the period has changes nothing either.
    Only the committee's admins may import.
    """
    if not is_committee_admin(user, period.plan.committee_id):
        raise PermissionDenied
    result = FinanceImportResult()
    try:
        result.file_name, found = read_finance_file(file)
    except FinanceFileError as e:
        result.errors = [RowError("", None, "", str(e))]
        return result
    areas = {
        d.code.casefold(): d
        for d in Department.objects.filter(
            committee_id=period.plan.committee_id, kind=Department.Kind.OPERATIONAL_AREA
        )
    }
    content, result.errors = _read_content(found, areas)
    if result.errors:
        return result
    digest = _digest(content)
    with transaction.atomic():
        # Lock the period, so that two imports of it run one after the other.
        ReportingPeriod.objects.select_for_update().filter(pk=period.pk).first()
        current = FinanceReport.objects.filter(period=period).values_list("digest", flat=True).first()
        result.changed = current != digest
        if result.changed:
            _write(period=period, content=content, digest=digest, file_name=result.file_name, user=user)
        result.tables = finance_tables(period)
        if dry_run:
            transaction.set_rollback(True)
        else:
            result.applied = result.changed
    return result
