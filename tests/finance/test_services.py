import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from finance.models import AreaResult, FinanceReport, Grant
from finance.selectors import finance_tables
from finance.services import finance_import

from .conftest import DEMO_FINANCE, read_sheet, set_cell, workbook_bytes, write_sheet


def snapshot(period):
    report = FinanceReport.objects.get(period=period)
    return report.pk, report.digest, AreaResult.objects.filter(report=report).count(), Grant.objects.count()


def where(result) -> set[tuple]:
    return {(e.sheet, e.row, e.column) for e in result.errors}


def test_load_demo_imports_the_seed_tables(period):
    """load_demo imports the årsanalys 2024's tables for 2024-helar, all nine of them."""
    report = FinanceReport.objects.get(period=period)
    assert report.imported_by.username == "admin"
    assert [t.key for t in finance_tables(period)] == [
        "areas", "operating_budget", "causes", "changes", "investments", "budget_changes",
        "income_statement", "grants_targeted", "grants_other",
    ]  # fmt: skip


def test_the_same_data_as_a_workbook_changes_nothing(period, committee_admin):
    """The demo's CSV sheets, as one XLSX workbook with numbers as numbers, read as the same tables."""
    before = snapshot(period)
    file = ContentFile(workbook_bytes(DEMO_FINANCE), name="ekonomi-2024.xlsx")
    result = finance_import(period=period, file=file, user=committee_admin)
    assert result.errors == []
    assert not result.changed
    assert snapshot(period) == before


def test_round_trip_into_an_empty_period_gives_the_seed_tables(period, committee_admin):
    """Imported afresh from the workbook, the tables hold every row of the seed."""
    FinanceReport.objects.filter(period=period).delete()
    file = ContentFile(workbook_bytes(DEMO_FINANCE), name="ekonomi-2024.xlsx")
    result = finance_import(period=period, file=file, user=committee_admin)
    assert result.errors == []
    assert result.applied
    tables = {t.key: t for t in finance_tables(period)}
    assert [len(tables[k].rows) for k in tables] == [5, 3, 8, 8, 1, 5, 17, 20, 12]
    assert FinanceReport.objects.get(period=period).file_name == "ekonomi-2024.xlsx"
    ifo = tables["areas"].rows[1]
    assert (ifo.label, ifo.cells, ifo.code) == ("Individ- och familjeomsorg (IFO)", (1822631, -91106), "VO-IFO")
    income = {r.code: r for r in tables["income_statement"].rows}
    assert income["finansiella_intakter"].cells == (147, None, 147)


def test_a_dry_run_shows_the_tables_and_changes_nothing(period, committee_admin, finance_dir):
    before = snapshot(period)
    set_cell(finance_dir, "investeringar", 2, "utfall", "9 000")
    result = finance_import(period=period, file=finance_dir, user=committee_admin, dry_run=True)
    assert result.errors == []
    assert result.changed
    assert not result.applied
    investments = next(t for t in result.tables if t.key == "investments")
    assert investments.rows[0].cells[0] == 9000
    assert snapshot(period) == before


def test_an_import_replaces_the_tables_as_a_whole(period, committee_admin, finance_dir):
    rows = read_sheet(finance_dir, "bidrag")
    write_sheet(finance_dir, "bidrag", [rows[0], ["riktade", "rad", "Bostad först", "Socialstyrelsen", "1 500"]])
    result = finance_import(period=period, file=finance_dir, user=committee_admin)
    assert result.applied
    assert list(Grant.objects.filter(report__period=period).values_list("label", "amount")) == [("Bostad först", 1500)]


def test_only_committee_admins_import(period, reviewer, editor):
    for user in (reviewer, editor):
        with pytest.raises(PermissionDenied):
            finance_import(period=period, file=DEMO_FINANCE, user=user)


def test_a_missing_sheet_is_named_and_nothing_changes(period, committee_admin, finance_dir):
    before = snapshot(period)
    (finance_dir / "investeringar.csv").unlink()
    result = finance_import(period=period, file=finance_dir, user=committee_admin)
    assert where(result) == {("Investeringar", None, "")}
    assert not result.applied
    assert snapshot(period) == before


def test_missing_and_unknown_columns_are_named(period, committee_admin, finance_dir):
    before = snapshot(period)
    rows = read_sheet(finance_dir, "investeringar")
    write_sheet(finance_dir, "investeringar", [[c if c != "budget" else "budge" for c in rows[0]], *rows[1:]])
    rows = read_sheet(finance_dir, "kommunbidrag")
    write_sheet(finance_dir, "kommunbidrag", [row[:-2] + row[-1:] for row in rows])  # no ks-juni column
    result = finance_import(period=period, file=finance_dir, user=committee_admin)
    assert where(result) == {
        ("Investeringar", 1, "budget"),
        ("Investeringar", 1, "budge"),
        ("Kommunbidrag", 1, "ks-juni"),
    }
    assert snapshot(period) == before


def test_every_bad_row_is_named_and_nothing_changes(period, committee_admin, finance_dir):
    """Text in an amount, an unknown operational area, a duplicate row: each named by sheet, row and column."""
    before = snapshot(period)
    set_cell(finance_dir, "verksamhetsomraden", 3, "kommunbidrag", "ca 1,8 mdkr")
    set_cell(finance_dir, "verksamhetsomraden", 4, "budgetavvikelse", "12,5")
    set_cell(finance_dir, "orsaker", 2, "verksamhetsområde", "VO-OKÄND")
    set_cell(finance_dir, "kommunbidrag", 5, "verksamhetsområde", "IFO")  # a department, not an operational area
    rows = read_sheet(finance_dir, "bidrag")
    write_sheet(finance_dir, "bidrag", [*rows[:3], rows[2], *rows[3:]])  # row 4 repeats row 3
    set_cell(finance_dir, "resultatrakning", 4, "summa_av", "bidrag+okand")
    set_cell(finance_dir, "beslut", 3, "månad", "marts")
    result = finance_import(period=period, file=finance_dir, user=committee_admin)
    assert where(result) == {
        ("Verksamhetsområden", 3, "kommunbidrag"),
        ("Verksamhetsområden", 4, "budgetavvikelse"),
        ("Orsaker", 2, "verksamhetsområde"),
        ("Kommunbidrag", 5, "verksamhetsområde"),
        ("Bidrag", 4, "benämning"),
        ("Resultaträkning", 4, "summa_av"),
        ("Beslut", 3, "månad"),
    }
    assert "VO-OKÄND" in str(next(e for e in result.errors if e.sheet == "Orsaker"))
    assert snapshot(period) == before


def test_a_second_total_row_and_an_unknown_type_are_refused(period, committee_admin, finance_dir):
    rows = read_sheet(finance_dir, "orsaker")
    write_sheet(finance_dir, "orsaker", [*rows, ["summa", "", "Summa igen", "1"], ["totalt", "", "X", "1"]])
    result = finance_import(period=period, file=finance_dir, user=committee_admin)
    assert where(result) == {("Orsaker", 10, "typ"), ("Orsaker", 11, "typ")}


def test_a_file_that_is_not_a_workbook_is_refused(period, committee_admin):
    result = finance_import(period=period, file=ContentFile(b"not a zip", name="x.xlsx"), user=committee_admin)
    assert len(result.errors) == 1
    assert not result.applied


def test_loading_the_demo_again_leaves_the_finance_tables_as_they_are(period):
    import io

    from django.core.management import call_command

    before = snapshot(period)
    call_command("load_demo", password="demo-pass-123", stdout=io.StringIO())
    assert snapshot(period) == before
