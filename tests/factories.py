import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from commitments.models import (
    Commitment,
    Committee,
    Department,
    Goal,
    GoalArea,
    Membership,
    Plan,
    ReportingPeriod,
)
from indicators.models import Indicator, Target


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("secret-pass-123")


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"nmd{n}")
    name = factory.Sequence(lambda n: f"Testnämnd {n}")
    short_name = factory.Sequence(lambda n: f"TN{n}")
    organisation = "Exempelkommunen"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    committee = factory.SubFactory(CommitteeFactory)
    code = factory.Sequence(lambda n: f"T-AVD{n}")
    name = factory.Sequence(lambda n: f"Avdelning {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    committee = factory.SubFactory(CommitteeFactory)
    role = Membership.Role.REVIEWER
    department = None


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = Plan

    committee = factory.SubFactory(CommitteeFactory)
    year = 2019


class GoalAreaFactory(DjangoModelFactory):
    class Meta:
        model = GoalArea

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"T-MO{n}")
    name = factory.Sequence(lambda n: f"Målområde {n}")
    sort_order = factory.Sequence(lambda n: 1000 + n)


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = Goal

    goal_area = factory.SubFactory(GoalAreaFactory)
    plan = factory.SelfAttribute("goal_area.plan")
    code = factory.Sequence(lambda n: f"T-NM{n}")
    text = factory.Sequence(lambda n: f"Nämndsmål nummer {n}")
    sort_order = factory.Sequence(lambda n: 1000 + n)


class CommitmentFactory(DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    goal = factory.SubFactory(GoalFactory)
    plan = factory.SelfAttribute("goal.plan")
    code = factory.Sequence(lambda n: f"T-A{n}")
    text = factory.Sequence(lambda n: f"Förvaltningen ska göra sak {n}.")
    sort_order = factory.Sequence(lambda n: 1000 + n)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create:
            self.departments.set(extracted or [DepartmentFactory(committee=self.plan.committee)])


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    goal = factory.SubFactory(GoalFactory)
    plan = factory.SelfAttribute("goal.plan")
    code = factory.Sequence(lambda n: f"T-MI{n}")
    name = factory.Sequence(lambda n: f"Andel av något {n}")
    unit = Indicator.Unit.PERCENT
    direction = Indicator.Direction.HIGHER
    sort_order = factory.Sequence(lambda n: 1000 + n)


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    year = 2019
    value = 30


class ReportingPeriodFactory(DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    plan = factory.SubFactory(PlanFactory)
    slug = factory.LazyAttribute(lambda o: f"{o.plan.year}-jan-aug")
    name = "januari–augusti"
    start = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 1, 1))
    end = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 8, 31))
    deadline = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 9, 13))


def report_outcomes_missing(entry, user, reason: str = "Mäts vid årets slut.") -> None:
    """Save, for each indicator of the entry's commitment without an outcome, that it is not available."""
    from indicators.models import Indicator
    from indicators.selectors import outcome_get_or_new
    from indicators.services import outcome_save

    for indicator in Indicator.objects.filter(commitment=entry.commitment_id):
        outcome = outcome_get_or_new(indicator=indicator, period=entry.period, department=entry.department)
        if outcome.pk is None or not outcome.has_content():
            outcome_save(
                outcome=outcome, user=user, data={"unavailable_reason": reason}, expected_version=outcome.version
            )
