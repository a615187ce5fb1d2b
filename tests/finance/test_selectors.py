from finance.formatting import tkr
from finance.selectors import finance_tables
from finance.services import finance_import

from .conftest import read_sheet, set_cell, write_sheet


def tables_of(period) -> dict:
    return {t.key: t for t in finance_tables(period)}


def total_row(table):
    return next(r for r in table.rows if r.kind == "total")


def test_every_table_has_its_stated_totals_and_the_computed_ones(period):
    """The seed's stated totals are there, and each table's totals are computed from its rows."""
    tables = tables_of(period)
    expected = {
        "areas": ("SUMMA", (4209889, -4004), (4209889, -4004)),
        "operating_budget": ("Resultat (budgetavvikelse)", (-4004, 0, -4004), (-4004, 0, -4004)),
        "causes": ("Summa budgetavvikelser", (-4004,), (-4004,)),
        "changes": ("Summa förändringar", (-4004,), (-4004,)),
        "budget_changes": (
            "TOTAL",
            (4179332, 24056, 0, 6500, 4209889),
            (4179332, 24056, 0, 6500, 4209889),
        ),
        "grants_targeted": ("RIKTADE STATS BIDRAG", ("Summa", 66781), (None, 66781)),
        "grants_other": ("ÖVRIGA BIDRAG", ("Summa", 349606), (None, 349606)),
    }
    for key, (label, stated, computed) in expected.items():
        row = total_row(tables[key])
        assert (row.label, row.cells, row.computed) == (label, stated, computed), key
        assert tables[key].totals == computed, key
    investment = tables["investments"].rows[0]
    assert (investment.cells, investment.computed) == ((8470, 15000, 6530), (None, None, 6530))


def test_the_income_statement_computes_each_subtotal_from_its_lines(period):
    lines = {r.code: r for r in tables_of(period)["income_statement"].rows}
    assert len(lines) == 17
    assert lines["intakter"].computed == (564634, 524269, 40365)
    assert lines["personalkostnader"].computed == (-2243895, -2235773, -8122)
    assert lines["exkl_finansnetto"].computed == (-4210719, -4208648, -2071)
    assert lines["resultat"].cells == (-4003, 0, -4003)
    assert lines["resultat"].computed == (-4003, 0, -4003)
    assert lines["nettokostnad"].computed == (-4213892, -4209889, -4003)
    assert lines["finansiella_intakter"].computed == (None, None, 147)  # budget "-" counts as 0


def test_the_seeds_rounding_by_one_is_not_flagged(period):
    """AMA EBB 1 617 313 + 22 056 + 5 712 = 1 645 081, stated 1 645 080: normal rounding, no flag."""
    tables = tables_of(period)
    ama = tables["budget_changes"].rows[0]
    assert (ama.cells[-1], ama.computed[-1]) == (1645080, 1645081)
    assert ama.flags == ()
    assert [t.flags for t in tables.values()] == [()] * 9


def test_the_budget_change_columns_are_made_from_the_decisions(period):
    table = tables_of(period)["budget_changes"]
    assert [c.heading for c in table.columns] == [
        "Nämndsbudget 2024", "Beslut i KS mars 2024", "Beslut ASN vid EP, maj 2024", "Beslut i KS juni 2024",
        "SUMMA helår 2024",
    ]  # fmt: skip
    assert table.rows[0].cells == (1617313, 22056, 5712, None, 1645080)


def test_a_difference_of_two_tkr_is_flagged_and_one_is_not(period, committee_admin, finance_dir):
    set_cell(finance_dir, "verksamhetsomraden", 6, "kommunbidrag", "4 209 891")
    set_cell(finance_dir, "verksamhetsomraden", 6, "budgetavvikelse", "-4 005")
    set_cell(finance_dir, "investeringar", 2, "avvikelse", "6 528")
    finance_import(period=period, file=finance_dir, user=committee_admin)
    tables = tables_of(period)
    [flag] = tables["areas"].flags
    assert (flag.row, flag.column, flag.stated, flag.computed, flag.difference) == (
        "SUMMA", "Kommunbidrag", 4209891, 4209889, 2,
    )  # fmt: skip
    [flag] = tables["investments"].flags
    assert (flag.column, flag.stated, flag.computed, flag.difference) == ("Avvikelse", 6528, 6530, -2)


def test_the_query_count_does_not_grow_with_the_rows(period, committee_admin, finance_dir, django_assert_num_queries):
    with django_assert_num_queries(10):
        finance_tables(period)
    rows = read_sheet(finance_dir, "bidrag")
    extra = [["övriga", "rad", f"Bidrag {n}", "Givare", "1"] for n in range(30)]
    write_sheet(finance_dir, "bidrag", [*rows, *extra])
    assert finance_import(period=period, file=finance_dir, user=committee_admin).applied
    with django_assert_num_queries(10):
        tables = finance_tables(period)
    assert len(tables[-1].rows) == 42


def test_a_period_without_finance_data_has_no_tables(demo, django_assert_num_queries):
    from commitments.models import ReportingPeriod

    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")
    with django_assert_num_queries(1):
        assert finance_tables(period) == []


def test_tkr_groups_thousands_with_a_minus_sign_and_a_dash_for_none():
    assert tkr(1822631) == "1\u00a0822\u00a0631"
    assert tkr(-91106) == "\u221291\u00a0106"
    assert tkr(None) == "-"
    assert tkr(0) == "0"
    assert tkr(-5) == "\u22125"
    assert tkr(999) == "999"
