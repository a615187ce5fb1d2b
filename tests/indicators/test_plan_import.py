"""The plan import: idempotent on codes, all or nothing, every bad row named in Swedish."""

import io

import pytest
import tablib
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from commitments.models import Commitment, Goal, GoalArea, Plan
from common.tabular import csv_bytes
from indicators.models import Indicator, PriorOutcome, Target
from indicators.plan_files import PlanFileError, read_plan_files
from indicators.selectors import plan_export
from indicators.services import plan_import

PLAN_MODELS = (Plan, GoalArea, Goal, Commitment, Indicator, Target, PriorOutcome)


def snapshot() -> dict:
    """Every plan row with every field, updated_at included: equal snapshots mean nothing changed."""
    state = {}
    for model in PLAN_MODELS:
        state[model.__name__] = sorted(map(repr, model.objects.values_list()))
    state["departments"] = sorted(Commitment.departments.through.objects.values_list("commitment_id", "department_id"))
    return state


def exported_xlsx(plan: Plan) -> bytes:
    return plan_export(plan=plan).export("xlsx")


def edit_xlsx(content: bytes, sheet: str, edit) -> bytes:
    """Return the workbook with ``edit(worksheet)`` applied to one sheet."""
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook[sheet])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def header_index(ws, column: str) -> int:
    return [c.value for c in ws[1]].index(column) + 1


def set_cell(ws, row: int, column: str, value) -> None:
    ws.cell(row=row, column=header_index(ws, column)).value = value


def run_import(committee, content: bytes, name: str = "plan.xlsx", year: int = 2019, dry_run: bool = False):
    return plan_import(
        user=None, committee=committee, year=year, datasets=read_plan_files([(name, content)]), dry_run=dry_run
    )


@pytest.fixture
def plan(demo) -> Plan:
    return Plan.objects.get(committee=demo, year=2019)


def test_demo_plan_has_17_goals_and_34_commitments(plan):
    assert Goal.objects.filter(plan=plan).count() == 17
    assert Commitment.objects.filter(plan=plan).count() == 34
    assert GoalArea.objects.filter(plan=plan).count() == 9
    assert Indicator.objects.filter(plan=plan, level="goal").count() == 41
    assert Indicator.objects.filter(plan=plan, level="commitment").count() == 5


def test_demo_goals_follow_the_order_of_the_follow_up_document(plan):
    goals = list(Goal.objects.filter(plan=plan))
    assert goals[0].text == "Arbetsmarknads- och socialnämnden ska utveckla dialogen med Malmöborna"
    assert goals[-1].code == "NM17"
    assert [g.code for g in goals] == [f"NM{n:02}" for n in range(1, 18)]


def test_demo_keeps_targets_and_2018_outcomes(plan):
    indicator = Indicator.objects.get(plan=plan, code="MI05")
    assert "biståndstiden" in indicator.name
    assert indicator.direction == Indicator.Direction.LOWER
    assert indicator.targets.get(year=2019, part="").value == 35
    assert str(indicator.prior_outcomes.get(year=2018).value.normalize()) == "36.1"
    assert Target.objects.filter(indicator__plan=plan, text__icontains="Basårsmätning").exists()


def test_load_demo_twice_changes_no_count(demo):
    from django.apps import apps

    models = [m for m in apps.get_models() if m._meta.app_label in ("accounts", "commitments", "indicators")]
    before = {m: m.objects.count() for m in models}
    call_command("load_demo", password="x-another-pass", stdout=io.StringIO())
    assert {m: m.objects.count() for m in models} == before


def test_exporting_and_importing_the_demo_plan_changes_nothing(plan):
    before = snapshot()
    result = run_import(plan.committee, exported_xlsx(plan))
    assert result.errors == []
    assert not result.changed
    assert sum(s.unchanged for s in result.sheets) == 9 + 17 + 34 + 46 + 69 + 37
    assert all(not s.new and not s.updated for s in result.sheets)
    assert snapshot() == before


def test_csv_export_of_each_sheet_imports_back_unchanged(plan):
    before = snapshot()
    book = plan_export(plan=plan)
    files = [
        (f"{key}.csv", csv_bytes(sheet))
        for key, sheet in zip(
            ["malomraden", "mal", "ataganden", "indikatorer", "malvarden", "utfall"], book.sheets(), strict=True
        )
    ]
    result = plan_import(user=None, committee=plan.committee, year=2019, datasets=read_plan_files(files))
    assert result.errors == []
    assert not result.changed
    assert snapshot() == before


def test_import_into_an_empty_year_creates_the_plan(plan):
    content = exported_xlsx(plan)

    def to_2020(ws):
        for row in range(2, ws.max_row + 1):
            set_cell(ws, row, "år", 2020)

    for sheet in ("Målområden", "Mål", "Åtaganden", "Indikatorer", "Målvärden", "Utfall"):
        content = edit_xlsx(content, sheet, to_2020)
    result = run_import(plan.committee, content, year=2020)
    assert result.errors == []
    new_plan = Plan.objects.get(committee=plan.committee, year=2020)
    assert Goal.objects.filter(plan=new_plan).count() == 17
    assert Commitment.objects.filter(plan=new_plan).count() == 34
    # The codes are the same in both years and do not collide.
    assert Goal.objects.filter(code="NM01").count() == 2


def test_changed_wording_updates_the_row_matched_on_its_code(plan):
    content = edit_xlsx(exported_xlsx(plan), "Mål", lambda ws: set_cell(ws, 2, "text", "Ny lydelse av målet"))
    result = run_import(plan.committee, content)
    assert result.errors == []
    assert [s.updated for s in result.sheets if s.title == "Mål"] == [["NM01"]]
    assert Goal.objects.get(plan=plan, code="NM01").text == "Ny lydelse av målet"
    assert Goal.objects.filter(plan=plan).count() == 17


def test_dry_run_reports_and_changes_nothing(plan):
    before = snapshot()
    content = edit_xlsx(exported_xlsx(plan), "Mål", lambda ws: set_cell(ws, 2, "text", "Ändrad"))
    result = run_import(plan.committee, content, dry_run=True)
    assert result.errors == []
    assert result.changed
    assert not result.applied
    assert snapshot() == before


# Bad input: each kind gives a Swedish message naming row and column, and changes nothing.


def assert_rejected(plan, content: bytes, expected: list[tuple[str, int, str, str]], name: str = "plan.xlsx"):
    before = snapshot()
    result = run_import(plan.committee, content, name=name)
    found = [(e.sheet, e.row, e.column) for e in result.errors]
    for sheet, row, column, words in expected:
        assert (sheet, row, column) in found, result.errors
        message = next(e.message for e in result.errors if (e.sheet, e.row, e.column) == (sheet, row, column))
        assert words in message, message
    assert not result.applied
    assert snapshot() == before
    return result


def test_missing_column_is_named(plan):
    content = edit_xlsx(exported_xlsx(plan), "Åtaganden", lambda ws: ws.delete_cols(header_index(ws, "mål")))
    assert_rejected(plan, content, [("Åtaganden", 1, "mål", "Kolumnen saknas")])


def test_unknown_goal_area_is_named(plan):
    content = edit_xlsx(exported_xlsx(plan), "Mål", lambda ws: set_cell(ws, 4, "målområde", "MO99"))
    assert_rejected(plan, content, [("Mål", 4, "målområde", "MO99")])


def test_duplicate_commitment_is_named_with_both_rows(plan):
    def duplicate(ws):
        set_cell(ws, 6, "kod", "A02")

    result = assert_rejected(
        plan, edit_xlsx(exported_xlsx(plan), "Åtaganden", duplicate), [("Åtaganden", 6, "kod", "rad 3")]
    )
    assert any("två gånger" in e.message for e in result.errors)


def test_target_that_is_neither_number_nor_text(plan):
    def bad_targets(ws):
        set_cell(ws, 2, "värde", "trettio")
        set_cell(ws, 3, "värde", None)
        set_cell(ws, 3, "text", None)

    result = assert_rejected(
        plan,
        edit_xlsx(exported_xlsx(plan), "Målvärden", bad_targets),
        [("Målvärden", 2, "värde", "kan inte läsas som ett målvärde"), ("Målvärden", 3, "värde", "tal eller en text")],
    )
    assert len(result.errors) == 2, result.errors


def test_wrong_year_is_named(plan):
    content = edit_xlsx(exported_xlsx(plan), "Indikatorer", lambda ws: set_cell(ws, 5, "år", 2018))
    assert_rejected(plan, content, [("Indikatorer", 5, "år", "2018")])


def test_every_bad_row_of_every_sheet_is_reported(plan):
    content = exported_xlsx(plan)
    content = edit_xlsx(content, "Mål", lambda ws: set_cell(ws, 3, "nivå", "stadsmål"))
    content = edit_xlsx(content, "Åtaganden", lambda ws: set_cell(ws, 10, "ansvariga", "XYZ"))
    content = edit_xlsx(content, "Indikatorer", lambda ws: set_cell(ws, 7, "riktning", "uppåt"))
    result = assert_rejected(
        plan,
        content,
        [
            ("Mål", 3, "nivå", "stadsmål"),
            ("Åtaganden", 10, "ansvariga", "XYZ"),
            ("Indikatorer", 7, "riktning", "uppåt"),
        ],
    )
    assert len(result.errors) == 3


def test_file_that_is_not_xlsx_is_refused():
    with pytest.raises(PlanFileError, match="inte en Excel-arbetsbok"):
        read_plan_files([("plan.xlsx", b"%PDF-1.7 not a workbook")])


def test_empty_file_is_refused():
    with pytest.raises(PlanFileError, match="tom"):
        read_plan_files([("plan.xlsx", b"")])
    with pytest.raises(PlanFileError, match="tom"):
        read_plan_files([("mal.csv", b"")])


def test_workbook_without_plan_sheets_is_refused():
    workbook = Workbook()
    workbook.active.title = "Blad1"
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(PlanFileError, match="Målområden"):
        read_plan_files([("plan.xlsx", out.getvalue())])


def test_csv_with_semicolons_and_swedish_numbers_is_read(plan):
    text = "år;indikator;målår;del;värde;text\n2019;MI03;2019;;33,5 %;\n"
    result = plan_import(
        user=None, committee=plan.committee, year=2019, datasets=read_plan_files([("malvarden.csv", text.encode())])
    )
    assert result.errors == []
    assert str(Target.objects.get(indicator__plan=plan, indicator__code="MI03", year=2019).value.normalize()) == "33.5"


def test_plan_export_query_count_does_not_grow_with_the_plan(plan, django_assert_num_queries):
    from tests.factories import CommitmentFactory, IndicatorFactory, PlanFactory, TargetFactory

    small = PlanFactory(committee=plan.committee, year=2030)
    for _ in range(2):
        commitment = CommitmentFactory(goal__goal_area__plan=small)
        TargetFactory(indicator=IndicatorFactory(goal=commitment.goal))
    # One query per sheet, plus a count and a prefetch for the departments of the goals, the
    # commitments and the indicators.
    with django_assert_num_queries(12):
        small_book = plan_export(plan=small)
    with django_assert_num_queries(12):
        big_book = plan_export(plan=plan)
    assert isinstance(big_book, tablib.Databook)
    assert len(big_book.sheets()[2]) == 34
    assert len(small_book.sheets()[2]) == 2


def test_swapping_and_renumbering_orders_is_accepted(plan):
    def swap(ws):
        set_cell(ws, 2, "ordning", 2)  # NM01
        set_cell(ws, 3, "ordning", 1)  # NM02

    result = run_import(plan.committee, edit_xlsx(exported_xlsx(plan), "Mål", swap))
    assert result.errors == []
    assert Goal.objects.get(plan=plan, code="NM01").sort_order == 2
    assert Goal.objects.get(plan=plan, code="NM02").sort_order == 1


def test_new_goal_inserted_first_with_the_others_renumbered(plan):
    def insert(ws):
        area_rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, header_index(ws, "målområde")).value == "MO2"]
        for r in area_rows:
            set_cell(ws, r, "ordning", ws.cell(r, header_index(ws, "ordning")).value + 1)
        row = {"år": 2019, "kod": "NM18", "målområde": "MO2", "nivå": "nämndsmål",
               "text": "Ett nytt mål först i området", "ny": "ja", "bidrar": "ja", "ordning": 1}  # fmt: skip
        ws.append([row.get(cell.value, "") for cell in ws[1]])

    result = run_import(plan.committee, edit_xlsx(exported_xlsx(plan), "Mål", insert))
    assert result.errors == []
    assert list(GoalArea.objects.get(plan=plan, code="MO2").goals.values_list("code", flat=True)) == [
        "NM18", "NM03", "NM04", "NM05", "NM06",
    ]  # fmt: skip


def test_order_taken_by_another_row_is_named(plan):
    content = edit_xlsx(exported_xlsx(plan), "Mål", lambda ws: set_cell(ws, 3, "ordning", 1))  # NM02 onto NM01
    result = assert_rejected(plan, content, [("Mål", 3, "ordning", "NM01")])
    assert any(e.row == 2 and "NM02" in e.message for e in result.errors)


def test_blank_rows_in_the_middle_of_a_sheet_are_ignored(plan):
    before = snapshot()
    content = edit_xlsx(exported_xlsx(plan), "Mål", lambda ws: ws.insert_rows(5, amount=2))
    result = run_import(plan.committee, content)
    assert result.errors == []
    assert snapshot() == before


def test_unknown_sheet_name_is_refused(plan):
    content = edit_xlsx(exported_xlsx(plan), "Målvärden", lambda ws: setattr(ws, "title", "Malvarden"))
    with pytest.raises(PlanFileError, match=r"Okänt blad.*Malvarden"):
        read_plan_files([("plan.xlsx", content)])


def test_unknown_indicator_of_a_target_is_named_in_its_column(plan):
    content = edit_xlsx(exported_xlsx(plan), "Målvärden", lambda ws: set_cell(ws, 4, "indikator", "MI99"))
    assert_rejected(plan, content, [("Målvärden", 4, "indikator", "MI99")])


def test_target_year_error_is_named_in_its_own_column(plan):
    content = edit_xlsx(exported_xlsx(plan), "Målvärden", lambda ws: set_cell(ws, 4, "målår", 1899))
    assert_rejected(plan, content, [("Målvärden", 4, "målår", "2000")])


def test_goal_indicator_tied_to_a_commitment_is_named(plan):
    def tie(ws):
        set_cell(ws, 2, "åtagande", "A01")  # MI01 is a goal indicator of NM01, whose commitment is A01

    content = edit_xlsx(exported_xlsx(plan), "Indikatorer", tie)
    assert_rejected(plan, content, [("Indikatorer", 2, "åtagande", "målindikator")])


def test_huge_exponent_is_refused_at_once(plan):
    content = edit_xlsx(exported_xlsx(plan), "Mål", lambda ws: set_cell(ws, 2, "ordning", "1e1000000"))
    assert_rejected(plan, content, [("Mål", 2, "ordning", "inte ett tal")])


def test_csv_saved_by_swedish_excel_is_read(plan):
    text = "år;indikator;målår;del;värde;text\n2019;MI02;2019;;;Förväntas inga stora effekter för brukare\n"
    result = plan_import(
        user=None,
        committee=plan.committee,
        year=2019,
        datasets=read_plan_files([("malvarden.csv", text.encode("cp1252"))]),
    )
    assert result.errors == []
    assert Target.objects.get(indicator__code="MI02", year=2019).text == "Förväntas inga stora effekter för brukare"


def test_unreadable_csv_and_broken_workbook_are_refused(plan):
    with pytest.raises(PlanFileError, match="inte en läsbar CSV-fil"):
        read_plan_files([("mal.csv", b'"' + b"x" * 200_000)])
    content = bytearray(exported_xlsx(plan))
    broken = bytes(content[: len(content) // 2])
    with pytest.raises(PlanFileError, match="inte en Excel-arbetsbok"):
        read_plan_files([("plan.xlsx", broken)])


def test_year_outside_the_allowed_range_creates_no_plan(demo):
    content = "år,kod,nummer,namn,ordning\n1899,MO1,1,Ett område,1\n".encode()
    result = run_import(demo, content, name="malomraden.csv", year=1899)
    assert result.errors
    assert result.errors[0].column == "år"
    assert not Plan.objects.filter(year=1899).exists()


def test_a_goal_without_goal_area_is_named_but_a_priority_may_stand_alone(plan):
    content = edit_xlsx(exported_xlsx(plan), "Mål", lambda ws: set_cell(ws, 4, "målområde", None))
    assert_rejected(plan, content, [("Mål", 4, "målområde", "Ett mål hör till ett målområde.")])

    def priority(ws):
        set_cell(ws, 4, "målområde", None)
        set_cell(ws, 4, "nivå", "prioritering")

    result = run_import(plan.committee, edit_xlsx(exported_xlsx(plan), "Mål", priority))
    assert result.errors == []
    assert plan.goals.get(level="priority").goal_area is None


def test_the_2024_plan_carries_its_priorities_and_budget_assignments(demo):
    plan = demo.plans.get(year=2024)
    priorities = plan.goals.filter(level="priority").order_by("sort_order")
    assert [g.text for g in priorities][:2] == ["Hållbara boendelösningar", "Skadligt bruk och beroende"]
    assert priorities.count() == 5
    assert not priorities.filter(goal_area__isnull=False).exists()
    assignments = plan.goals.filter(level="assignment").order_by("goal_area__sort_order", "sort_order")
    assert [(g.code, g.goal_area.code, [d.code for d in g.departments.all()]) for g in assignments] == [
        ("B1", "MO2", ["AMA"]), ("B2", "MO2", ["AMA"]), ("B3", "MO4", ["IFO"]),
    ]  # fmt: skip
    assert assignments[0].text.startswith("Kommunstyrelsen ges i uppdrag att, tillsammans med berörda nämnder")
