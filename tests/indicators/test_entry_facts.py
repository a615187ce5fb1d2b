"""The entry page's facts of an indicator: every target and earlier outcome, the proposal with its level's colour."""

import html as html_lib
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Department, ReportingPeriod, ReviewStatus
from indicators.models import Indicator, Outcome, PriorOutcome, Target
from indicators.selectors import indicators_with_facts, outcome_get_or_new, outcome_lines
from indicators.services import outcome_save

pytestmark = pytest.mark.django_db


def entry_url(commitment="A05", department="AMA", period="2019-helar"):
    return reverse("followup:entry", args=["asn", period, commitment, department])


def section(html: str, code: str) -> str:
    """The HTML of one indicator's section of the page."""
    start = html.index(f'id="part-{code}"')
    end = html.find('<section class="outcome"', start)
    return html[start : end if end != -1 else None]


def year_rows(part: str) -> list[str]:
    """The rows of the targets-and-outcomes table as text, one string per row."""
    table = part[part.index('class="data year-facts"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.DOTALL)
    texts = [html_lib.unescape(re.sub(r"<[^>]+>", " ", row)).replace("\u00a0", " ") for row in rows]
    return [" ".join(text.split()) for text in texts][1:]  # without the header


@pytest.fixture
def helar(demo) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")


@pytest.fixture
def mi08(helar) -> Indicator:
    """MI08 (higher is better, %) with targets for 2018, 2019 and 2020 and a part of 2019, and outcomes 2016–2018."""
    indicator = Indicator.objects.get(plan=helar.plan, code="MI08")
    Target.objects.create(indicator=indicator, year=2020, comparator=Target.Comparator.AT_LEAST, value=45)
    Target.objects.create(
        indicator=indicator, year=2019, part="maj-dec", comparator=Target.Comparator.AT_MOST, value=Decimal("38.5")
    )
    PriorOutcome.objects.create(indicator=indicator, year=2016, value=30)
    PriorOutcome.objects.create(indicator=indicator, year=2017, text="Ny mätmetod")
    return indicator


def test_entry_page_shows_every_target_and_earlier_outcome_by_year(client, editor, mi08):
    client.force_login(editor)
    rows = year_rows(section(client.get(entry_url()).content.decode(), "MI08"))
    assert rows == [
        "2016 – 30 %",
        "2017 – Ny mätmetod",
        "2018 55 % 36 %",
        "2019 (planåret) 40 % –",
        "2019 (maj-dec) Högst 38,5 % –",
        "2020 Minst 45 % –",
    ]


def test_the_plan_years_row_shows_the_outcome_so_far(client, editor, helar, mi08):
    outcome = outcome_get_or_new(indicator=mi08, period=helar, department=Department.objects.get(code="AMA"))
    outcome_save(outcome=outcome, user=editor, data={"value": Decimal("41.5")}, expected_version=0)
    client.force_login(editor)
    rows = year_rows(section(client.get(entry_url()).content.decode(), "MI08"))
    assert "2019 (planåret) 40 % 41,5 % (denna period, hittills)" in rows


def test_an_indicator_without_targets_or_earlier_outcomes_says_so(client, editor):
    # AI1 has no target and no outcome of earlier years; its January–August outcome, not approved, does not count.
    Outcome.objects.filter(indicator__code="AI1", period__slug="2019-jan-aug").update(status=ReviewStatus.SUBMITTED)
    client.force_login(editor)
    part = section(client.get(entry_url()).content.decode(), "AI1")
    assert "year-facts" not in part
    assert "Planen anger inget målvärde och inget tidigare utfall för indikatorn." in part


def test_the_year_s_earlier_approved_outcome_is_a_row_of_the_facts(client, editor):
    client.force_login(editor)
    part = section(client.get(entry_url()).content.decode(), "AI1")
    assert year_rows(part)[0].startswith("januari–augusti 2019 – ")
    assert year_rows(part)[-1].startswith("2019 (planåret) –")


def test_the_proposed_level_shows_its_colour_beside_its_symbol_and_label(client, editor, helar):
    scale = helar.plan.commitment_scale
    values = {v.meaning: v for v in scale.values.all()}
    values["not_achieved"].colour = "#b00020"
    values["not_achieved"].save()
    outcome = outcome_get_or_new(
        indicator=Indicator.objects.get(plan=helar.plan, code="MI08"),
        period=helar,
        department=Department.objects.get(code="AMA"),
    )
    outcome_save(outcome=outcome, user=editor, data={"value": Decimal(36)}, expected_version=0)  # target 40
    client.force_login(editor)
    part = section(client.get(entry_url()).content.decode(), "MI08")
    proposed = re.search(r"<dt>Föreslagen bedömning</dt>\s*<dd>(.*?)</dd>", part, flags=re.DOTALL)[1]
    swatch = '<svg class="swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">'
    assert swatch in proposed
    assert 'fill="#b00020"' in proposed
    not_achieved = values["not_achieved"]
    assert f'<span aria-hidden="true">{not_achieved.symbol}</span> {not_achieved.label}' in proposed
    # The same level among the choices carries the same swatch; a level without colour has none.
    labels = re.findall(r"<label for=\"id_o-MI08-assessment_\d\">(.*?)</label>", part, flags=re.DOTALL)
    with_swatch = [label for label in labels if 'fill="#b00020"' in label]
    assert len(with_swatch) == 1
    assert with_swatch[0].endswith(str(not_achieved))
    assert sum("swatch" in label for label in labels) == 1
    assert len(labels) == 1 + len(values)  # “Ingen bedömning” and each level


def test_a_chosen_level_with_a_colour_shows_it_on_the_read_only_page(client, reader, helar, editor):
    values = {v.meaning: v for v in helar.plan.commitment_scale.values.all()}
    values["achieved"].colour = "#1b5e20"
    values["achieved"].save()
    outcome = outcome_get_or_new(
        indicator=Indicator.objects.get(plan=helar.plan, code="MI08"),
        period=helar,
        department=Department.objects.get(code="AMA"),
    )
    outcome_save(
        outcome=outcome, user=editor, data={"value": Decimal(45), "assessment": values["achieved"]}, expected_version=0
    )
    client.force_login(reader)
    part = section(client.get(entry_url()).content.decode(), "MI08")
    assessment = re.search(r'<p class="assessment">(.*?)</p>', part, flags=re.DOTALL)[1]
    assert 'fill="#1b5e20"' in assessment
    assert assessment.rstrip().endswith(values["achieved"].label)


def test_more_years_and_colours_add_no_query(client, editor, helar, django_capture_on_commit_callbacks):
    client.force_login(editor)
    client.get(entry_url())
    cache.clear()  # both requests read the plan (a changed plan is read again)
    with CaptureQueriesContext(connection) as before:
        client.get(entry_url())
    with django_capture_on_commit_callbacks(execute=True):  # the plan's change, committed
        for indicator in Indicator.objects.filter(plan=helar.plan):
            for year in (2020, 2021):
                Target.objects.create(indicator=indicator, year=year, comparator=Target.Comparator.AT_LEAST, value=10)
            for year in (2015, 2016, 2017):
                PriorOutcome.objects.create(indicator=indicator, year=year, value=5)
        for value in helar.plan.commitment_scale.values.all():
            value.colour = "#123456"
            value.save()
    with CaptureQueriesContext(connection) as after:
        response = client.get(entry_url())
    assert response.content.decode().count("Minst 10") == 10
    extra = [q["sql"] for q in after.captured_queries[len(before.captured_queries) :]]
    assert len(after.captured_queries) == len(before.captured_queries), extra


def test_the_facts_partial_needs_only_the_line(helar, mi08, django_assert_num_queries):
    """Another page (a goal's follow-up) may include it: it reads the plan year from the line, and no query."""
    lines = outcome_lines(
        indicators=indicators_with_facts(Indicator.objects.filter(pk=mi08.pk), helar.plan.year),
        period=helar,
        department=Department.objects.get(code="AMA"),
        is_editor=False,
        scale_values=list(helar.plan.commitment_scale.values.all()),
    )
    with django_assert_num_queries(0):
        html = render_to_string("followup/_outcome_facts.html", {"line": lines[0]})
    assert year_rows(html)[3] == "2019 (planåret) 40 % –"
    assert "Minst 45\u00a0%" in html
