"""
The period's overview: the commitment rows a user reads, counted by status per goal area and
goal and per department, and by assessment; every count a link to the list of exactly those
rows, every chart's text alternative the numbers of its table, in a fixed number of queries.
"""

import re
from collections import Counter
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import AssessmentValue, Commitment, Department, GoalArea, ProgressEntry, ReportingPeriod
from commitments.selectors import NOT_STARTED, CommitmentDepartment
from followup.selectors import OVERVIEW_STATES, period_overview
from indicators.models import Outcome, PriorOutcome
from tests.factories import CommitmentFactory, GoalAreaFactory, GoalFactory

pytestmark = pytest.mark.django_db

STATE_NAMES = ["Ej påbörjad", "Utkast", "Inskickad", "Återremitterad", "Godkänd"]


def direct_counts(period, **filters) -> Counter:
    """(goal id, department id, status) of every row of the period, read straight from the tables."""
    entries = {(e.commitment_id, e.department_id): e for e in ProgressEntry.objects.filter(period=period, **filters)}
    counts = Counter()
    for link in CommitmentDepartment.objects.filter(commitment__plan=period.plan).select_related("commitment"):
        entry = entries.get((link.commitment_id, link.department_id))
        counts[(link.commitment.goal_id, link.department_id, entry.status if entry else NOT_STARTED)] += 1
    return counts


def overview_url(period, query=""):
    return reverse("followup:overview", args=[period.plan.committee.slug, period.slug]) + (
        f"?{query}" if query else ""
    )


@pytest.fixture
def periods(demo):
    periods = [p for p in ReportingPeriod.objects.filter(plan__committee=demo) if p.plan.commitments.exists()]
    assert len(periods) >= 2
    return periods


@pytest.fixture
def busiest(periods):
    """The demo's period whose rows are in the most states (the one most worth counting)."""
    return max(periods, key=lambda p: len({s for (_g, _d, s) in direct_counts(p)}))


def test_the_counts_are_those_of_the_database_for_every_period_of_the_demo(reviewer, periods):
    for period in periods:
        direct = direct_counts(period)
        overview = period_overview(user=reviewer, period=period, data=None)
        goals = Counter()
        departments = Counter()
        for (goal, department, state), n in direct.items():
            goals[(goal, state)] += n
            departments[(department, state)] += n
        assert {
            (g.subject.pk, s): n for a in overview.commitments.areas for g in a.goals for s, n in g.counts.items() if n
        } == dict(goals)
        lines = overview.commitments.departments
        assert {(d.subject.pk, s): n for d in lines for s, n in d.counts.items() if n} == dict(departments)
        for area in overview.commitments.areas:
            assert area.counts == {s: sum(g.counts[s] for g in area.goals) for s in OVERVIEW_STATES}
        assert overview.commitments.totals.total == sum(direct.values()) > 0
        assessed = Counter(
            ProgressEntry.objects.filter(period=period, assessment__isnull=False).values_list(
                "assessment_id", flat=True
            )
        )
        assert {a.value.pk: a.count for a in overview.commitments.assessments if a.count} == dict(assessed)
        assert overview.commitments.unassessed == sum(direct.values()) - sum(assessed.values())


def table_numbers(html: str, caption_id: str) -> dict[str, list[int]]:
    """The rows of a table (header cell text -> its numbers), found by its caption's id."""
    table = html[html.index(f'id="{caption_id}"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        head = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if head:
            name = re.sub(r"<[^>]+>", "", unescape(head.group(1))).strip()
            rows[name] = [int(n) for n in re.findall(r'<td class="num">(?:<a [^>]*>)?(\d+)', row)]
    return rows


def chart_desc(html: str, chart_id: str) -> str:
    return unescape(re.search(rf'<desc id="{chart_id}-desc">(.*?)</desc>', html, re.S).group(1))


def test_the_charts_text_alternatives_say_the_numbers_of_their_tables(client, reviewer, busiest):
    client.force_login(reviewer)
    period = busiest
    html = client.get(overview_url(period)).content.decode()
    overview = period_overview(user=reviewer, period=period, data=None)

    areas = table_numbers(html, "status-caption")
    expected = "; ".join(
        f"{a.subject}: "
        + ", ".join(f"{name} {n}" for name, n in zip(STATE_NAMES, areas[str(a.subject)][:5], strict=True))
        for a in overview.commitments.areas
    )
    assert chart_desc(html, "chart-areas") == expected + "."

    departments = table_numbers(html, "department-caption")
    assert len(departments) == len(overview.commitments.departments) > 1
    expected = "; ".join(
        f"{name}: " + ", ".join(f"{s} {n}" for s, n in zip(STATE_NAMES, numbers[:5], strict=True))
        for name, numbers in departments.items()
    )
    assert chart_desc(html, "chart-departments") == expected + "."
    for numbers in departments.values():
        assert sum(numbers[:5]) == numbers[5]

    assessments = table_numbers(html, "assessment-caption")
    values = AssessmentValue.objects.filter(scale_id=period.plan.commitment_scale_id).order_by("sort_order")
    assert (
        chart_desc(html, "chart-assessments")
        == "; ".join(f"{v.symbol} {v.label}: {v.label} {assessments[f'{v.symbol} {v.label}'][0]}" for v in values)
        + "."
    )
    assert sum(n[0] for n in assessments.values()) == overview.commitments.totals.total


def overview_links(html: str) -> list[tuple[str, int]]:
    return [(unescape(href), int(n)) for href, n in re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a>', html)]


def test_every_count_leads_to_a_list_of_as_many_rows(client, reviewer, busiest):
    client.force_login(reviewer)
    period = busiest
    links = overview_links(client.get(overview_url(period)).content.decode())
    assert len(links) > 20
    assert len({n for _h, n in links}) > 3
    lists = [reverse(name, args=[period.plan.committee.slug, period.slug])
             for name in ("followup:list", "followup:contribution_list")]  # fmt: skip
    for href, n in links:
        assert href.split("?")[0] in lists
        assert len(client.get(href).context["rows"]) == n, href


def test_the_filters_choose_the_rows_counted_and_stay_in_the_links(client, reviewer, busiest):
    client.force_login(reviewer)
    period = busiest
    area = GoalArea.objects.filter(goals__commitments__isnull=False, plan=period.plan).distinct().first()
    department = Department.objects.filter(commitments__goal__goal_area=area).first()
    query = f"goal_area={area.pk}&department={department.pk}"
    response = client.get(overview_url(period, query))
    overview = response.context["overview"]
    expected = sum(
        n for (goal, dep, _s), n in direct_counts(period).items() if dep == department.pk and goal in
        set(area.goals.values_list("pk", flat=True))
    )  # fmt: skip
    assert overview.commitments.totals.total == expected > 0
    assert [a.subject for a in overview.commitments.areas] == [area]
    assert [d.subject for d in overview.commitments.departments] == [department]
    links = overview_links(response.content.decode())
    assert links
    for href, n in links:
        assert f"goal_area={area.pk}" in href
        assert f"department={department.pk}" in href
        assert len(client.get(href).context["rows"]) == n, href


def test_an_editor_sees_the_counts_of_the_departments_it_reads_only(client, editor, reviewer, periods):
    period = periods[-1]
    client.force_login(editor)
    response = client.get(overview_url(period))
    assert response.status_code == 200
    overview = response.context["overview"]
    own = {m.department_id for m in editor.memberships.all() if m.department_id}
    assert {d.subject.pk for d in overview.commitments.departments} == own
    all_rows = period_overview(user=reviewer, period=period, data=None).commitments.totals.total
    own_rows = sum(n for (_g, dep, _s), n in direct_counts(period).items() if dep in own)
    assert overview.commitments.totals.total == own_rows
    assert 0 < overview.commitments.totals.total < all_rows


def test_the_list_links_to_its_overview_with_its_filters(client, reviewer, periods):
    client.force_login(reviewer)
    period = periods[-1]
    list_url = reverse("followup:list", args=[period.plan.committee.slug, period.slug])
    html = client.get(list_url + "?status=draft").content.decode()
    assert f'href="{overview_url(period, "status=draft")}"' in html


def overview_queries(client, period) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(overview_url(period))
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_overview_reads_in_a_number_of_queries_that_does_not_grow_with_the_data(
    client, reviewer, periods, django_capture_on_commit_callbacks
):
    period = periods[-1]
    client.force_login(reviewer)
    overview_queries(client, period)  # the first request of a session reads what later ones keep
    cache.clear()  # both requests read the plan (a changed plan is read again)
    before = overview_queries(client, period)
    departments = list(Department.objects.filter(committee=period.plan.committee)[:2])
    value = AssessmentValue.objects.filter(scale_id=period.plan.commitment_scale_id).first()
    with django_capture_on_commit_callbacks(execute=True):  # the plan's change, committed
        for _ in range(3):
            goal = GoalFactory(goal_area=GoalAreaFactory(plan=period.plan))
            for _ in range(3):
                commitment = CommitmentFactory(goal=goal, departments=departments)
                ProgressEntry.objects.create(
                    commitment=commitment, period=period, department=departments[0], status="draft", assessment=value
                )
    assert Commitment.objects.filter(plan=period.plan).count() >= 9
    after = overview_queries(client, period)
    assert after == before
    assert before <= 23  # both kinds counted in four; the rest: the session, the period, the filters, the indicators


def test_the_goals_indicators_show_each_outcome_of_the_period_with_its_trend(client, reviewer, periods):
    client.force_login(reviewer)
    for period in periods:
        response = client.get(overview_url(period))
        lines = response.context["overview"].indicator_lines
        saved = Outcome.objects.filter(period=period, indicator__commitment__isnull=True)
        assert sorted(line.outcome.pk for line in lines if line.outcome.pk) == sorted(
            saved.values_list("pk", flat=True)
        )

    # An outcome with the year before's beside it: a trend, whose text alternative says the table's figures.
    outcome = Outcome.objects.filter(indicator__commitment__isnull=True, period__in=periods).first()
    period = outcome.period
    Outcome.objects.filter(pk=outcome.pk).update(value=37)
    PriorOutcome.objects.filter(indicator=outcome.indicator, year=period.plan.year - 1).delete()
    PriorOutcome.objects.create(indicator=outcome.indicator, year=period.plan.year - 1, value=21)
    response = client.get(overview_url(period))
    html = response.content.decode()
    n = next(
        i for i, line in enumerate(response.context["overview"].indicator_lines, 1) if line.outcome.pk == outcome.pk
    )
    desc = unescape(re.search(rf'<desc id="trend-ind-{n}-desc">(.*?)</desc>', html, re.S).group(1))
    assert desc.startswith(f"{period.plan.year - 1}: utfall 21")
    assert f"{period}: utfall 37" in desc
    table = html[html.index(f'id="ind-{n}-caption"') :]
    table = table[: table.index("</table>")]
    assert re.search(
        rf"<th scope=\"row\">{period.plan.year - 1}</th>\s*<td[^>]*>[^<]*</td>\s*<td class=\"num\">21", table
    )
    assert re.search(rf"<th scope=\"row\">{period}</th>\s*<td[^>]*>[^<]*</td>\s*<td class=\"num\">37", table)


def test_the_department_filter_chooses_the_indicators_outcomes(client, reviewer, periods):
    client.force_login(reviewer)
    period = max(periods, key=lambda p: Outcome.objects.filter(period=p, indicator__commitment__isnull=True).count())
    outcome = Outcome.objects.filter(period=period, indicator__commitment__isnull=True).first()
    response = client.get(overview_url(period, f"department={outcome.department_id}"))
    lines = response.context["overview"].indicator_lines
    assert outcome.pk in [line.outcome.pk for line in lines]
    assert {line.outcome.department_id for line in lines} == {outcome.department_id}
