"""The start page says what to do: per open period, per role, counted in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments.filters import TO_WRITE_STATUSES
from commitments.models import (
    Department,
    GoalContribution,
    Membership,
    ProgressEntry,
    ReportingPeriod,
    ReviewStatus,
)
from commitments.selectors import NOT_STARTED, commitment_rows, committee_overviews_for_user, contribution_rows
from commitments.templatetags.deadlines import days_left
from tests.factories import CommitmentFactory, DepartmentFactory, GoalFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def open_2024(demo):
    """The demo's 2024 full year (goal follow-ups) opened again beside the open 2019 full year (commitments)."""
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2024-helar")
    ReportingPeriod.objects.filter(pk=period.pk).update(
        status=ReportingPeriod.Status.OPEN, deadline=timezone.localdate() + datetime.timedelta(days=30), closed_at=None
    )
    return ReportingPeriod.objects.get(pk=period.pk)


def helar_2019(demo):
    return ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")


def expected(user, period, department, statuses):
    """Count the department's rows of both kinds in ``statuses`` by the list pages' own selectors."""
    commitments = commitment_rows(user=user, period=period).filter(department=department, status__in=statuses).count()
    goals = sum(
        1
        for _goal, dept, c in contribution_rows(user=user, period=period)
        if dept.pk == department.pk and (c.status if c else NOT_STARTED) in statuses
    )
    return commitments, goals


def overview_of(user, demo):
    return next(o for o in committee_overviews_for_user(user=user) if o.committee.pk == demo.pk)


@pytest.mark.parametrize("slug", ["2019-helar", "2024-helar"])
def test_the_editor_is_told_what_to_write_and_what_was_returned_as_the_lists_count_it(demo, editor, slug):
    period = ReportingPeriod.objects.get(plan__committee=demo, slug=slug)
    ama = Department.objects.get(committee=demo, code="AMA")
    rows = list(commitment_rows(user=editor, period=period).filter(department=ama))
    goals = [(g, c) for g, d, c in contribution_rows(user=editor, period=period) if d == ama]
    # A row of each kind returned, so that the returned are counted apart from those to write.
    if rows:
        ProgressEntry.objects.update_or_create(
            commitment=rows[0].commitment, period=period, department=ama, defaults={"status": ReviewStatus.RETURNED}
        )
    if goals:
        GoalContribution.objects.update_or_create(
            goal=goals[0][0], period=period, department=ama, defaults={"status": ReviewStatus.RETURNED}
        )

    open_period = next(p for p in overview_of(editor, demo).open_periods if p.period.pk == period.pk)
    (row,) = open_period.editing
    assert row.department == ama
    assert (row.commitments.to_write, row.goals.to_write) == expected(editor, period, ama, TO_WRITE_STATUSES)
    assert (row.commitments.returned, row.goals.returned) == expected(editor, period, ama, (ReviewStatus.RETURNED,))
    assert row.returned == 1
    assert (row.commitments.total, row.goals.total) == (len(rows), len(goals))
    assert open_period.departments == []  # an editor is not shown the other departments' progress


def test_the_reviewer_and_the_admin_see_each_departments_progress_as_the_lists_count_it(
    demo, reviewer, committee_admin
):
    for user in (reviewer, committee_admin):
        overview = overview_of(user, demo)
        assert overview.open_periods
        for open_period in overview.open_periods:
            assert open_period.editing == []
            assert open_period.departments
            for row in open_period.departments:
                for status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
                    assert (getattr(row.commitments, status), getattr(row.goals, status)) == expected(
                        user, open_period.period, row.department, (status,)
                    )
                total = expected(user, open_period.period, row.department, (*TO_WRITE_STATUSES, *ReviewStatus.values))
                assert (row.commitments.total, row.goals.total) == total


def test_a_reader_is_shown_no_counts(demo, reader):
    for open_period in overview_of(reader, demo).open_periods:
        assert open_period.editing == []
        assert open_period.departments == []


def test_an_entry_of_a_department_no_longer_responsible_is_not_counted(demo, reviewer):
    period = helar_2019(demo)
    commitment = CommitmentFactory(plan=period.plan, goal__plan=period.plan, goal__goal_area__plan=period.plan)
    (department,) = commitment.departments.all()
    ProgressEntry.objects.create(commitment=commitment, period=period, department=department, status="submitted")
    gone = DepartmentFactory(committee=demo)
    ProgressEntry.objects.create(commitment=commitment, period=period, department=gone, status="submitted")
    open_period = next(p for p in overview_of(reviewer, demo).open_periods if p.period.pk == period.pk)
    rows = {row.department.pk: row for row in open_period.departments}
    assert rows[department.pk].commitments.submitted == 1
    assert rows[department.pk].commitments.total == 1
    assert gone.pk not in rows


def page_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("username", ["redaktor", "granskare", "admin"])
def test_the_start_page_makes_as_many_queries_whatever_the_number_of_rows(client, demo, username):
    from accounts.models import User

    user = User.objects.get(username=username)
    before = page_queries(client, user)
    period = helar_2019(demo)
    ama = Department.objects.get(committee=demo, code="AMA")
    departments = [ama, *(DepartmentFactory(committee=demo) for _ in range(3))]
    for n in range(6):
        commitment = CommitmentFactory(
            plan=period.plan, goal__plan=period.plan, goal__goal_area__plan=period.plan, departments=departments
        )
        for department in departments:
            ProgressEntry.objects.create(
                commitment=commitment, period=period, department=department, status=ReviewStatus.values[n % 4]
            )
        goal = GoalFactory(plan=period.plan, goal_area__plan=period.plan, contributes=True, code=f"KFQ{n}")
        goal.departments.set(departments)
        GoalContribution.objects.create(goal=goal, period=period, department=departments[n % 4], status="submitted")
    MembershipFactory(user=user, committee=demo, department=departments[1], role=Membership.Role.EDITOR)
    user = User.objects.get(pk=user.pk)
    assert page_queries(client, user) == before
    assert before <= 15


@pytest.mark.parametrize("slug", ["2019-helar", "2024-helar"])
def test_the_page_links_to_exactly_the_rows_it_counts(client, demo, editor, slug):
    client.force_login(editor)
    period = ReportingPeriod.objects.get(plan__committee=demo, slug=slug)
    ama = Department.objects.get(committee=demo, code="AMA")
    GoalContribution.objects.filter(period=period, goal__code="KF06", department=ama).delete()  # 2024: one to write
    html = client.get(reverse("home")).content.decode()
    commitments, goals = expected(editor, period, ama, TO_WRITE_STATUSES)
    list_url = reverse("followup:list", args=[demo.slug, period.slug])
    if commitments:
        assert f'href="{list_url}?status=to_write&amp;department={ama.pk}"' in html
        listed = client.get(list_url, {"status": "to_write", "department": ama.pk}).context["rows"]
        assert len(listed) == commitments
        assert {row.status for row in listed} <= set(TO_WRITE_STATUSES)
    if goals:
        goals_url = reverse("followup:contribution_list", args=[demo.slug, period.slug])
        assert f'href="{goals_url}?status=to_write&amp;department={ama.pk}"' in html
        listed = client.get(goals_url, {"status": "to_write", "department": ama.pk}).context["rows"]
        assert len(listed) == goals
    assert commitments + goals > 0


def test_the_goal_list_filters_by_status_and_department(client, demo, reviewer, open_2024):
    period = open_2024
    client.force_login(reviewer)
    url = reverse("followup:contribution_list", args=[demo.slug, period.slug])
    everything = client.get(url).context["rows"]
    assert everything
    goal, department, _c = everything[0]
    GoalContribution.objects.update_or_create(
        goal=goal, period=period, department=department, defaults={"status": ReviewStatus.RETURNED}
    )
    returned = client.get(url, {"status": "returned", "department": department.pk}).context["rows"]
    assert [(g.pk, d.pk) for g, d, _c in returned] == [(goal.pk, department.pk)]
    to_write = client.get(url, {"status": "to_write"}).context["rows"]
    assert (goal.pk, department.pk) not in [(g.pk, d.pk) for g, d, _c in to_write]
    assert all((c.status if c else NOT_STARTED) in TO_WRITE_STATUSES for _g, _d, c in to_write)


def test_the_deadline_is_told_in_days_from_today():
    today = timezone.localdate()
    assert days_left(today + datetime.timedelta(days=5)) == "om 5 dagar"
    assert days_left(today + datetime.timedelta(days=1)) == "om 1 dag"
    assert days_left(today) == "i dag"
    assert days_left(today - datetime.timedelta(days=2)) == "2 dagar sedan"


def test_open_periods_come_first_and_the_admin_sees_the_next_deadline(client, demo, committee_admin):
    client.force_login(committee_admin)
    period = helar_2019(demo)
    ReportingPeriod.objects.filter(pk=period.pk).update(deadline=timezone.localdate() + datetime.timedelta(days=5))
    html = client.get(reverse("home")).content.decode()
    deadline = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    assert f"Nästa sista dag för inrapportering: {deadline}, om 5 dagar." in html
    assert html.index(f"Öppen period: {period.name}") < html.index("Plan ")


def test_a_user_with_no_committee_sees_no_counts(client, db):
    client.force_login(UserFactory())
    assert "Du är inte medlem" in client.get(reverse("home")).content.decode()
