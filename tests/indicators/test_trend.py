"""The trend of an indicator on the entry page: an SVG drawn on the server, with its numbers in the facts table."""

import re
from decimal import Decimal

import pytest

from commitments.models import Department, ReportingPeriod, ReviewStatus
from followup.charts import trend_svg
from indicators.models import Indicator, Outcome, PriorOutcome, Target
from indicators.selectors import TrendPoint
from tests.indicators.test_entry_facts import entry_url, section, year_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def helar(demo) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")


@pytest.fixture
def mi08(helar) -> Indicator:
    """MI08 (%), targets 2018 55 and 2019 40 from the seeds, one for 2020, and outcomes 2016–2018 (2017 a text)."""
    indicator = Indicator.objects.get(plan=helar.plan, code="MI08")
    Target.objects.create(indicator=indicator, year=2020, comparator=Target.Comparator.AT_LEAST, value=45)
    PriorOutcome.objects.create(indicator=indicator, year=2016, value=30)
    PriorOutcome.objects.create(indicator=indicator, year=2017, text="Ny mätmetod")
    return indicator


@pytest.fixture
def jan_aug_outcome(helar, mi08):
    """AMA's January–August outcome of MI08, approved."""
    jan_aug = ReportingPeriod.objects.get(plan=helar.plan, slug="2019-jan-aug")
    outcome, _ = Outcome.objects.update_or_create(
        indicator=mi08,
        period=jan_aug,
        department=Department.objects.get(code="AMA"),
        defaults={"value": Decimal("37.5"), "status": ReviewStatus.APPROVED},
    )
    return outcome


def test_the_trend_runs_over_the_years_and_the_plan_years_periods_with_the_targets(client, editor, jan_aug_outcome):
    client.force_login(editor)
    response = client.get(entry_url())
    line = next(line for line, _ in response.context["lines"] if line.indicator.code == "MI08")
    assert [(p.label, p.value, p.target, p.current) for p in line.trend] == [
        ("2016", 30, None, False),
        ("2017", None, None, False),  # a text ("Ny mätmetod"), no figure
        ("2018", 36, 55, False),
        ("januari–augusti 2019", Decimal("37.5"), 40, False),
        ("helår 2019", None, 40, True),
        ("2020", None, 45, False),
    ]
    part = section(response.content.decode(), "MI08")
    # The numbers beside the chart: the earlier period's approved outcome in the facts table.
    assert "januari–augusti 2019 – 37,5 %" in year_rows(part)
    svg = re.search(r"<svg class=\"trend\".*?</svg>", part, flags=re.DOTALL)[0]
    assert 'role="img"' in svg
    assert 'aria-labelledby="trend-MI08-title trend-MI08-desc"' in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg)[1]
    assert desc == (
        "2016: utfall 30\u00a0%; 2018: utfall 36\u00a0%; januari–augusti 2019: utfall 37,5\u00a0%; "
        "målvärde 2018: 55\u00a0%; målvärde 2019: 40\u00a0%; målvärde 2020: 45\u00a0%."
    )
    assert svg.count("<circle") == 3
    assert "style=" not in svg  # the CSP allows no inline style


def test_an_earlier_period_not_approved_is_left_out_of_the_trend(client, editor, jan_aug_outcome):
    jan_aug_outcome.status = ReviewStatus.SUBMITTED
    jan_aug_outcome.save()
    client.force_login(editor)
    response = client.get(entry_url())
    line = next(line for line, _ in response.context["lines"] if line.indicator.code == "MI08")
    assert "januari–augusti 2019" not in [p.label for p in line.trend]
    assert "januari–augusti 2019" not in " ".join(year_rows(section(response.content.decode(), "MI08")))


def test_no_chart_with_fewer_than_two_outcomes():
    one = [TrendPoint("2018", 2018, Decimal(3), Decimal(5)), TrendPoint("2019", 2019, None, Decimal(5), current=True)]
    assert trend_svg(one, title="x") == ""
    two = [*one, TrendPoint("2020", 2020, Decimal(4), None)]
    assert trend_svg(two, title="x").startswith("<svg")


def test_a_single_target_is_drawn_as_a_dashed_mark_at_its_point():
    """A plan often gives only the plan year's target: the legend names the target, so the chart shows it."""
    points = [
        TrendPoint("2024", 2024, Decimal(55), None),
        TrendPoint("2025", 2025, Decimal(57), None),
        TrendPoint("helår 2026", 2026, None, Decimal(60), current=True),
    ]
    svg = trend_svg(points, title="x")
    dots = [tuple(map(float, c)) for c in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)]
    dashed = re.findall(r'<line x1="([\d.]+)" x2="([\d.]+)" y1="([\d.]+)" y2="([\d.]+)"[^>]*stroke-dasharray', svg)
    # The legend's sample is dashed too; the mark is the one right of the last outcome's dot.
    [(x1, x2, y1, y2)] = [tuple(map(float, d)) for d in dashed if float(d[0]) > max(x for x, _y in dots)]
    assert y1 == y2
    assert x2 - x1 == 20
    assert y1 < min(y for _x, y in dots)  # 60 is above 55 and 57


def test_the_chart_escapes_what_it_prints():
    points = [TrendPoint("<b>a</b>", 2018, Decimal(1), None), TrendPoint("b", 2019, Decimal(2), None)]
    svg = trend_svg(points, title="<script>x</script>")
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_an_indicator_without_earlier_figures_has_no_chart(client, editor, helar):
    client.force_login(editor)
    part = section(client.get(entry_url()).content.decode(), "MI07")
    assert '<svg class="trend"' not in part
    assert Indicator.objects.filter(plan=helar.plan, code="MI07").exists()
