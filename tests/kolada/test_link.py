"""Linking: an indicator names its Kolada KPI (plan file), a committee its municipality or unit."""

import pytest
from django.core.exceptions import ValidationError

from commitments.models import Plan
from indicators.models import Indicator
from tests.indicators.test_plan_import import edit_xlsx, exported_xlsx, header_index, run_import, set_cell

pytestmark = pytest.mark.django_db


def row_of(ws, code: str) -> int:
    codes = [c.value for c in ws[chr(ord("A") + header_index(ws, "kod") - 1)]]
    return codes.index(code) + 1


def test_the_plan_file_carries_the_kolada_column_both_ways(demo):
    plan = Plan.objects.get(committee=demo, year=2019)
    content = exported_xlsx(plan)

    def link(ws):
        assert ws.cell(row=row_of(ws, "MI03"), column=header_index(ws, "kolada")).value == "N31816"
        set_cell(ws, row_of(ws, "MI04"), "kolada", "N31807")

    result = run_import(demo, edit_xlsx(content, "Indikatorer", link))
    assert result.applied, result.errors
    assert dict(Indicator.objects.filter(plan=plan).exclude(kolada_kpi="").values_list("code", "kolada_kpi")) == {
        "MI03": "N31816",
        "MI04": "N31807",
    }


def test_a_kpi_id_of_the_wrong_form_is_refused_with_a_swedish_message_and_nothing_changes(demo):
    plan = Plan.objects.get(committee=demo, year=2019)
    content = edit_xlsx(
        exported_xlsx(plan), "Indikatorer", lambda ws: set_cell(ws, row_of(ws, "MI04"), "kolada", "n3181")
    )
    result = run_import(demo, content)
    assert not result.applied
    assert [(e.column, e.message) for e in result.errors] == [("kolada", "En versal och fem siffror, t.ex. N31816.")]
    assert Indicator.objects.get(plan=plan, code="MI04").kolada_kpi == ""


def test_a_qualitative_indicator_cannot_name_a_kpi(demo):
    plan = Plan.objects.get(committee=demo, year=2019)
    content = edit_xlsx(
        exported_xlsx(plan), "Indikatorer", lambda ws: set_cell(ws, row_of(ws, "MI01"), "kolada", "N31816")
    )
    result = run_import(demo, content)
    assert [(e.column, e.message) for e in result.errors] == [
        ("kolada", "Ett nyckeltal i Kolada är ett tal: bara en kvantitativ indikator kan ange ett.")
    ]


def test_a_committee_names_a_municipality_or_a_unit_not_both(demo):
    assert demo.kolada_municipality == "1280"  # the committee file's kolada_municipality
    demo.kolada_unit = "V15E128000101"
    with pytest.raises(ValidationError) as error:
        demo.full_clean()
    assert error.value.message_dict["kolada_unit"] == [
        "Ange kommunen eller en organisatorisk enhet i Kolada, inte båda."
    ]
    demo.kolada_municipality, demo.kolada_unit = "128", ""
    with pytest.raises(ValidationError) as error:
        demo.full_clean()
    assert error.value.message_dict["kolada_municipality"] == ["Fyra siffror, t.ex. 1280 för Malmö."]
