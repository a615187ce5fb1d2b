"""
The overview and the start page of a committee that follows up its goals directly (the
example committee of docs/examples, no åtaganden): both count the goal follow-ups by the one
selector, agree with each other and with the database, and each count of the overview leads
to the goal list of exactly the rows it counts, in a fixed number of queries.
"""

import re
from collections import Counter
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from commitments.models import AssessmentValue, Department, Goal, GoalContribution, ReviewStatus
from commitments.selectors import NOT_STARTED, committee_overviews_for_user
from followup.selectors import OVERVIEW_STATES, period_overview
from tests.factories import GoalFactory
from tests.onboarding.test_example_committee import example  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db

#: The states the rows of the example are put in, in turn (the rest stay not started).
STATES = [ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.RETURNED, ReviewStatus.APPROVED,
          ReviewStatus.SUBMITTED, ReviewStatus.APPROVED]  # fmt: skip


def links(period):
    """(goal, department) of every goal follow-up row of the period, from the tables."""
    return [
        (goal, department)
        for goal in Goal.objects.filter(plan=period.plan, contributes=True).order_by("pk")
        for department in goal.departments.order_by("pk")
    ]


@pytest.fixture
def written(example):  # noqa: F811 -- the fixture imported above
    """The example's full year with its goal follow-ups in every state, most with an assessment."""
    period = example
    values = list(AssessmentValue.objects.filter(scale_id=period.plan.goal_year_scale_id).order_by("sort_order"))
    for n, (goal, department) in enumerate(links(period)[: len(STATES)]):
        GoalContribution.objects.create(
            goal=goal, period=period, department=department, status=STATES[n],
            assessment=values[n % len(values)] if n % 3 else None, comment=f"<p>{goal.code}</p>",
        )  # fmt: skip
    return period


def direct_counts(period) -> Counter:
    """(goal id, department id, status) of each goal follow-up row, read straight from the tables."""
    pages = {(c.goal_id, c.department_id): c for c in GoalContribution.objects.filter(period=period)}
    counts = Counter()
    for goal, department in links(period):
        page = pages.get((goal.pk, department.pk))
        counts[(goal.pk, department.pk, page.status if page else NOT_STARTED)] += 1
    return counts


def user(role):
    return User.objects.get(memberships__committee__slug="kfn", memberships__role=role)


def overview_url(period, query=""):
    url = reverse("followup:overview", args=["kfn", period.slug])
    return f"{url}?{query}" if query else url


def test_the_overview_counts_the_goal_follow_ups_as_the_database_holds_them(written):
    period = written
    overview = period_overview(user=user("reviewer"), period=period, data=None)
    assert overview.commitments is None  # no åtaganden: no section of them
    goals = overview.goals
    direct = direct_counts(period)
    assert len({s for (_g, _d, s) in direct}) == len(OVERVIEW_STATES)  # every state is counted
    by_goal, by_department = Counter(), Counter()
    for (goal, department, state), n in direct.items():
        by_goal[(goal, state)] += n
        by_department[(department, state)] += n
    assert {(g.subject.pk, s): n for a in goals.areas for g in a.goals for s, n in g.counts.items() if n} == dict(
        by_goal
    )
    assert {(d.subject.pk, s): n for d in goals.departments for s, n in d.counts.items() if n} == dict(by_department)
    assert goals.totals.total == sum(direct.values()) == len(links(period))
    assessed = Counter(
        GoalContribution.objects.filter(period=period, assessment__isnull=False).values_list("assessment", flat=True)
    )
    assert {a.value.pk: a.count for a in goals.assessments if a.count} == dict(assessed)
    assert goals.unassessed == goals.totals.total - sum(assessed.values())


def overview_links(html: str) -> list[tuple[str, int]]:
    return [(unescape(href), int(n)) for href, n in re.findall(r'<td class="num"><a href="([^"]+)">(\d+)</a>', html)]


def status_of(row) -> str:
    return row[2].status if row[2] else NOT_STARTED


def test_every_count_leads_to_the_goal_list_of_exactly_the_rows_it_counts(client, written):
    period = written
    client.force_login(user("reviewer"))
    html = client.get(overview_url(period)).content.decode()
    found = overview_links(html)
    assert len(found) > 20
    goal_list = reverse("followup:contribution_list", args=["kfn", period.slug])
    everything = client.get(goal_list).context["rows"]
    for href, n in found:
        assert href.startswith(goal_list + "?"), href
        params = dict(re.findall(r"([a-z_]+)=([^&]+)", href.split("?", 1)[1]))
        rows = client.get(href).context["rows"]
        assert len(rows) == n, href
        # The rows listed are those that the link's values choose, not only as many.
        expected = [
            r for r in everything
            if params.get("status", status_of(r)) == status_of(r)
            and int(params.get("goal", r[0].pk)) == r[0].pk
            and int(params.get("goal_area", r[0].goal_area_id)) == r[0].goal_area_id
            and int(params.get("department", r[1].pk)) == r[1].pk
            and ("assessment" not in params or (r[2] and r[2].assessment_id == int(params["assessment"])))
        ]  # fmt: skip
        assert [(g.pk, d.pk) for g, d, _c in rows] == [(g.pk, d.pk) for g, d, _c in expected], href


def test_the_filters_choose_the_goal_follow_ups_counted_and_stay_in_the_links(client, written):
    period = written
    client.force_login(user("reviewer"))
    submitted = GoalContribution.objects.filter(period=period, status="submitted").first()
    kul = submitted.department
    response = client.get(overview_url(period, f"department={kul.pk}&status=submitted"))
    goals = response.context["overview"].goals
    expected = sum(n for (_g, d, s), n in direct_counts(period).items() if d == kul.pk and s == "submitted")
    assert goals.totals.total == expected > 0
    assert [d.subject for d in goals.departments] == [kul]
    for href, n in overview_links(response.content.decode()):
        assert f"department={kul.pk}" in href
        assert len(client.get(href).context["rows"]) == n, href


def test_the_start_page_and_the_overview_agree_for_every_role(written):
    period = written
    for role in ("reviewer", "committee_admin", "editor"):
        for member in User.objects.filter(memberships__committee__slug="kfn", memberships__role=role):
            (committee,) = [o for o in committee_overviews_for_user(user=member) if o.committee.slug == "kfn"]
            (open_period,) = [p for p in committee.open_periods if p.period.pk == period.pk]
            overview = period_overview(user=member, period=period, data=None).goals
            counted = {line.subject.pk: line.counts for line in overview.departments}
            rows = open_period.departments if role != "editor" else open_period.editing
            assert rows, role
            assert {row.department.pk for row in rows} == set(counted)
            for row in rows:
                assert row.commitments.total == 0
                counts = counted[row.department.pk]
                assert row.goals.total == sum(counts.values())
                assert row.goals.submitted == counts["submitted"]
                assert row.goals.approved == counts["approved"]
                assert row.goals.returned == counts["returned"]
                assert row.goals.to_write == counts[NOT_STARTED] + counts["draft"]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["reviewer", "editor"])
def test_the_overview_and_the_start_page_read_in_as_many_queries_whatever_the_number_of_goal_follow_ups(
    client, written, role
):
    period = written
    member = User.objects.filter(memberships__committee__slug="kfn", memberships__role=role).order_by("pk").first()
    client.force_login(member)
    queries(client, overview_url(period))  # the first request of a session reads what later ones keep
    before = queries(client, overview_url(period)), queries(client, reverse("home"))
    departments = list(Department.objects.filter(committee__slug="kfn", kind="department"))
    area = Goal.objects.filter(plan=period.plan).first().goal_area
    for n in range(5):
        goal = GoalFactory(plan=period.plan, goal_area=area, code=f"X{n}", contributes=True)
        goal.departments.set(departments)
        for department in departments[: n % len(departments) + 1]:
            GoalContribution.objects.create(goal=goal, period=period, department=department, status=STATES[n])
    after = queries(client, overview_url(period)), queries(client, reverse("home"))
    assert after == before
    assert period_overview(user=user("reviewer"), period=period, data=None).goals.totals.total == len(links(period))
