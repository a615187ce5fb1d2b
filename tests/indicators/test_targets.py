"""Targets that say what they mean: the plan file reads and writes bounds, and the rollover keeps them."""

import re
from decimal import Decimal

import pytest

from commitments.models import Plan
from indicators.models import Indicator, Target
from indicators.plan_files import read_plan_files
from indicators.resources import TargetResource
from indicators.services import plan_import, plan_rollover
from indicators.targets import read_target, written_target
from tests.factories import TargetFactory

from .test_plan_import import assert_rejected, edit_xlsx, exported_xlsx, set_cell, snapshot

AT_LEAST, AT_MOST, EXACTLY, DIRECTION = (
    Target.Comparator.AT_LEAST,
    Target.Comparator.AT_MOST,
    Target.Comparator.EXACTLY,
    Target.Comparator.DIRECTION,
)


@pytest.fixture
def plan(demo) -> Plan:
    return Plan.objects.get(committee=demo, year=2019)


@pytest.mark.parametrize(
    ("cell", "comparator", "value"),
    [
        ("Minst 80 %", AT_LEAST, "80"),
        ("minst 80", AT_LEAST, "80"),
        ("MINST 80", AT_LEAST, "80"),
        ("Lägst 36,1", AT_LEAST, "36.1"),
        ("Max 5 %", AT_MOST, "5"),
        ("max 5", AT_MOST, "5"),
        ("Max. 5", AT_MOST, "5"),
        ("Maximalt 5", AT_MOST, "5"),
        ("Högst 5", AT_MOST, "5"),
        ("≥ 80", AT_LEAST, "80"),
        ("≥80", AT_LEAST, "80"),
        (">= 80", AT_LEAST, "80"),
        ("≤ 5", AT_MOST, "5"),
        ("<= 5", AT_MOST, "5"),
        ("Exakt 80", EXACTLY, "80"),
        ("= 80", EXACTLY, "80"),
        ("80", DIRECTION, "80"),
        ("80 %", DIRECTION, "80"),
        ("36,1", DIRECTION, "36.1"),
        ("1 200", DIRECTION, "1200"),
        ("1\u00a0200", DIRECTION, "1200"),
        ("\u22123", DIRECTION, "-3"),
        ("Minst \u22123", AT_LEAST, "-3"),
        ("  Högst 1 200 ", AT_MOST, "1200"),
    ],
)
def test_read_target_reads_each_accepted_form(cell, comparator, value):
    assert read_target(cell) == (comparator, Decimal(value))


@pytest.mark.parametrize("cell", ["trettio", "Minst", "Minsta 80", "minst åttio", "> 80", "< 5", "80 procent", ""])
def test_read_target_refuses_what_is_no_target(cell):
    with pytest.raises(ValueError, match=f"^{re.escape(cell)}$"):
        read_target(cell)


@pytest.mark.parametrize(
    ("comparator", "value"),
    [(AT_LEAST, "80"), (AT_MOST, "5"), (EXACTLY, "18"), (AT_LEAST, "36.1"), (AT_MOST, "1200"), (AT_LEAST, "-3")],
)
def test_written_target_reads_back(comparator, value):
    assert read_target(written_target(comparator, Decimal(value))) == (comparator, Decimal(value))


def import_targets(plan, rows: list[tuple[str, str, str]], dry_run: bool = False):
    """Import a Målvärden sheet (CSV) of (indicator, value cell, text cell) rows for the plan year."""
    lines = ["år;indikator;målår;del;värde;text"] + [f"2019;{code};2019;;{value};{text}" for code, value, text in rows]
    return plan_import(
        user=None,
        committee=plan.committee,
        year=2019,
        datasets=read_plan_files([("malvarden.csv", "\n".join(lines).encode())]),
        dry_run=dry_run,
    )


def target_of(plan, code: str) -> Target:
    return Target.objects.get(indicator__plan=plan, indicator__code=code, year=2019, part="")


@pytest.mark.parametrize(
    ("cell", "comparator", "value"),
    [
        ("Minst 80 %", AT_LEAST, "80"),
        ("minst 80", AT_LEAST, "80"),
        ("Max 5 %", AT_MOST, "5"),
        ("max 5", AT_MOST, "5"),
        ("Högst 5", AT_MOST, "5"),
        ("≥ 80", AT_LEAST, "80"),
        (">= 80", AT_LEAST, "80"),
        ("≤ 5", AT_MOST, "5"),
        ("<= 5", AT_MOST, "5"),
        ("Exakt 80", EXACTLY, "80"),
        ("= 80", EXACTLY, "80"),
        ("80", DIRECTION, "80"),
        ("80 %", DIRECTION, "80"),
        ("36,1", DIRECTION, "36.1"),
        ("1 200", DIRECTION, "1200"),
        ("\u22123", DIRECTION, "-3"),
    ],
)
def test_plan_file_reads_each_form_of_target(plan, cell, comparator, value):
    result = import_targets(plan, [("MI03", cell, "")])
    assert result.errors == []
    target = target_of(plan, "MI03")
    assert (target.comparator, target.value, target.text) == (comparator, Decimal(value), "")


def test_a_changed_bound_alone_is_a_change_of_the_row(plan):
    assert import_targets(plan, [("MI03", "80", "")]).errors == []
    result = import_targets(plan, [("MI03", "Minst 80", "")])
    assert result.errors == []
    assert result.sheets[0].updated
    assert not result.sheets[0].unchanged
    assert target_of(plan, "MI03").comparator == AT_LEAST
    again = import_targets(plan, [("MI03", "Minst 80", "")])
    assert again.sheets[0].unchanged == 1
    assert not again.sheets[0].updated


def test_a_text_target_stays_in_the_text_column(plan):
    result = import_targets(plan, [("MI03", "", "Basårsmätning")])
    assert result.errors == []
    target = target_of(plan, "MI03")
    assert (target.comparator, target.value, target.text) == (DIRECTION, None, "Basårsmätning")
    assert target.shown() == "Basårsmätning"


def test_an_unreadable_target_gets_one_message_saying_what_is_accepted(plan):
    before = snapshot()
    result = import_targets(plan, [("MI03", "Minst åttio", ""), ("MI02", "ungefär 5", "Någon text")])
    assert [(e.row, e.column) for e in result.errors] == [(2, "värde"), (3, "värde")]
    first = result.errors[0].message
    assert first.startswith("”Minst åttio” kan inte läsas som ett målvärde.")
    for form in ("”80”", "”36,1”", "”Minst 80 %”", "”Högst 5”", "”Max 5”", "”Exakt 80”", "”≥ 80”", "”≤ 5”", "”text”"):
        assert form in first, form
    assert "ett tal eller en text" not in " ".join(e.message for e in result.errors)
    assert not result.applied
    assert snapshot() == before


def test_an_unreadable_target_in_the_workbook_is_named_once(plan):
    content = edit_xlsx(exported_xlsx(plan), "Målvärden", lambda ws: set_cell(ws, 2, "värde", "trettio"))
    result = assert_rejected(plan, content, [("Målvärden", 2, "värde", "kan inte läsas som ett målvärde")])
    assert len(result.errors) == 1, result.errors


def test_an_unreadable_prior_outcome_says_it_takes_plain_numbers(plan):
    def bad(ws):
        set_cell(ws, 2, "värde", "Minst 80")

    content = edit_xlsx(exported_xlsx(plan), "Utfall", bad)
    result = assert_rejected(plan, content, [("Utfall", 2, "värde", "”Minst 80” kan inte läsas som ett utfall.")])
    assert len(result.errors) == 1, result.errors
    assert "”36,1”" in result.errors[0].message
    assert "”text”" in result.errors[0].message


def test_a_bound_without_a_number_is_refused_by_the_model(plan):
    from django.core.exceptions import ValidationError

    target = Target(indicator=Indicator.objects.get(plan=plan, code="MI03"), year=2020, comparator=AT_LEAST, text="x")
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert "comparator" in error.value.message_dict


def test_export_writes_bounds_that_import_back_unchanged(plan):
    values = {
        "MI01": (AT_LEAST, Decimal("80")),
        "MI02": (AT_MOST, Decimal("5.5")),
        "MI03": (EXACTLY, Decimal("1200")),
        "MI04": (DIRECTION, Decimal("-3")),
    }
    for code, (comparator, value) in values.items():
        Target.objects.update_or_create(
            indicator=Indicator.objects.get(plan=plan, code=code),
            year=2019,
            part="",
            defaults={"comparator": comparator, "value": value, "text": ""},
        )
    resource = TargetResource(plan)
    exported = resource.export(resource.get_queryset())
    cells = {row["indikator"]: row["värde"] for row in exported.dict if row["målår"] == 2019 and not row["del"]}
    assert cells["MI01"] == "Minst 80"
    assert cells["MI02"] == "Högst 5,5"
    assert cells["MI03"] == "Exakt 1\u00a0200"
    assert cells["MI04"] == -3
    before = snapshot()
    result = plan_import(
        user=None,
        committee=plan.committee,
        year=2019,
        datasets=read_plan_files([("plan.xlsx", exported_xlsx(plan))]),
    )
    assert result.errors == []
    assert snapshot() == before
    for code, expected in values.items():
        target = target_of(plan, code)
        assert (target.comparator, target.value) == expected


def test_rollover_copies_the_bound(plan, committee_admin):
    target = target_of(plan, "MI03")
    target.comparator, target.value, target.text = AT_MOST, Decimal("5"), ""
    target.save()
    result = plan_rollover(plan=plan, user=committee_admin)
    copy = Target.objects.get(indicator__plan_id=result.plan_id, origin=target)
    assert (copy.comparator, copy.value, copy.year) == (AT_MOST, Decimal("5"), 2019)
    assert copy.shown() == "Högst 5\u00a0%"


def test_target_shown_prints_its_bound():
    target = TargetFactory.build(
        indicator__unit=Indicator.Unit.PERCENT, comparator=AT_LEAST, value=Decimal("80"), year=2019
    )
    assert target.shown() == "Minst 80\u00a0%"
