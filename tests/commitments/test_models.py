"""Database constraints and model validation of the plan."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from commitments.models import Commitment, Department, Goal, Membership, ReportingPeriod
from indicators.models import Indicator, Target
from tests.factories import (
    CommitmentFactory,
    CommitteeFactory,
    DepartmentFactory,
    GoalAreaFactory,
    GoalFactory,
    IndicatorFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def assert_db_refuses(create) -> None:
    """Assert that the database refuses the write, by the end of the transaction at the latest."""

    def create_and_check():
        with transaction.atomic():
            create()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(IntegrityError):
        create_and_check()


def test_goal_codes_are_unique_within_a_plan_but_not_across_plans():
    goal = GoalFactory(code="NM01")
    other_plan_area = GoalAreaFactory(plan=PlanFactory(committee=goal.plan.committee, year=2020))
    GoalFactory(goal_area=other_plan_area, code="NM01")
    assert_db_refuses(lambda: Goal.objects.create(
        plan=goal.plan, goal_area=goal.goal_area, code="NM01", text="x", sort_order=99))  # fmt: skip


def test_goal_order_is_unique_within_its_goal_area():
    goal = GoalFactory(sort_order=1)
    assert_db_refuses(lambda: Goal.objects.create(
        plan=goal.plan, goal_area=goal.goal_area, code="NM99", text="x", sort_order=1))  # fmt: skip


def test_commitment_order_is_unique_within_its_goal():
    commitment = CommitmentFactory(sort_order=1)
    assert_db_refuses(lambda: Commitment.objects.create(
        plan=commitment.plan, goal=commitment.goal, code="A99", text="x", sort_order=1))  # fmt: skip


def test_one_target_per_indicator_year_and_part():
    target = TargetFactory(year=2019, part="")
    TargetFactory(indicator=target.indicator, year=2019, part="maj-dec")
    assert_db_refuses(lambda: Target.objects.create(indicator=target.indicator, year=2019, part="", value=1))


def test_target_needs_a_number_or_a_text():
    indicator = IndicatorFactory()
    assert_db_refuses(lambda: Target.objects.create(indicator=indicator, year=2019))
    Target.objects.create(indicator=indicator, year=2019, text="Basårsmätning")
    Target.objects.create(indicator=indicator, year=2018, value=30)


def test_goal_indicator_cannot_belong_to_a_commitment():
    commitment = CommitmentFactory()
    assert_db_refuses(lambda: Indicator.objects.create(
        plan=commitment.plan, goal=commitment.goal, commitment=commitment, level="goal", code="X",
        name="x", unit="%", direction="higher", sort_order=50))  # fmt: skip


def test_commitment_indicator_must_be_under_the_commitments_goal():
    commitment = CommitmentFactory()
    other_goal = GoalFactory(goal_area=commitment.goal.goal_area)
    indicator = Indicator(
        plan=commitment.plan, goal=other_goal, commitment=commitment, level="commitment", code="AI1",
        name="x", unit="%", direction="higher", sort_order=1,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="annat mål"):
        indicator.full_clean()


def test_goal_cannot_point_to_a_goal_area_of_another_plan():
    goal = GoalFactory()
    foreign_area = GoalAreaFactory(plan=PlanFactory(committee=goal.plan.committee, year=2021))
    goal.goal_area = foreign_area
    with pytest.raises(ValidationError, match="annan plan"):
        goal.full_clean()


def test_editor_membership_needs_a_department_and_reviewer_none():
    committee = CommitteeFactory()
    user = UserFactory()
    assert_db_refuses(lambda: Membership.objects.create(user=user, committee=committee, role="editor"))
    department = DepartmentFactory(committee=committee)
    assert_db_refuses(lambda: Membership.objects.create(
        user=user, committee=committee, department=department, role="reviewer"))  # fmt: skip
    Membership.objects.create(user=user, committee=committee, department=department, role="editor")
    Membership.objects.create(user=user, committee=committee, role="reviewer")


def test_membership_department_must_belong_to_the_committee():
    department = DepartmentFactory()
    membership = Membership(user=UserFactory(), committee=CommitteeFactory(), department=department, role="editor")
    with pytest.raises(ValidationError, match="annan nämnd"):
        membership.full_clean()


def test_department_cannot_be_placed_under_itself():
    parent = DepartmentFactory()
    child = DepartmentFactory(committee=parent.committee, parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError, match="under sig själv"):
        parent.full_clean()


def test_department_codes_are_unique_per_committee():
    department = DepartmentFactory(code="AMA")
    DepartmentFactory(code="AMA")  # another committee
    assert_db_refuses(lambda: Department.objects.create(committee=department.committee, code="AMA", name="x"))


def test_period_slug_starts_with_the_plan_year_and_is_unique_per_plan():
    period = ReportingPeriodFactory()
    period.slug = "2020-jan-aug"
    with pytest.raises(ValidationError, match="börja med planens år"):
        period.full_clean()
    assert_db_refuses(lambda: ReportingPeriod.objects.create(
        plan=period.plan, slug="2019-jan-aug", name="x", start=datetime.date(2019, 1, 1),
        end=datetime.date(2019, 8, 31), deadline=datetime.date(2019, 9, 1)))  # fmt: skip


def test_period_cannot_end_before_it_starts():
    plan = PlanFactory()
    assert_db_refuses(lambda: ReportingPeriod.objects.create(
        plan=plan, slug="2019-x", name="x", start=datetime.date(2019, 5, 1), end=datetime.date(2019, 4, 1),
        deadline=datetime.date(2019, 5, 1)))  # fmt: skip


def test_2024_shape_fits_council_goals_without_commitments():
    plan = PlanFactory(year=2024)
    area = GoalAreaFactory(plan=plan, number=None, name="Goda uppväxtvillkor")
    goal = GoalFactory(goal_area=area, level=Goal.Level.COUNCIL, text="Malmö ska ge barn och unga goda uppväxtvillkor")
    goal.full_clean()
    assert goal.commitments.count() == 0
    assert str(area) == "Goda uppväxtvillkor"
