"""The year rollover: the plan 2019 copied to 2020, linked to its origin, all or nothing, 2019 untouched."""

import datetime
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commitments.models import (
    Commitment,
    Event,
    Goal,
    GoalArea,
    GoalContribution,
    MandatePeriod,
    Plan,
    ProgressEntry,
    ReportingPeriod,
)
from indicators.models import Indicator, Outcome, PriorOutcome, Target
from indicators.rollover import _next_year
from indicators.services import plan_rollover
from tests.factories import GoalFactory, MembershipFactory, PlanFactory, ReportingPeriodFactory, UserFactory

#: Each copied kind: its key in the result, its model, and the path from a row to its plan.
KINDS = (
    ("goal_areas", GoalArea, "plan"),
    ("goals", Goal, "plan"),
    ("commitments", Commitment, "plan"),
    ("indicators", Indicator, "plan"),
    ("targets", Target, "indicator__plan"),
    ("prior_outcomes", PriorOutcome, "indicator__plan"),
    ("periods", ReportingPeriod, "plan"),
)
FOLLOW_UP_MODELS = (ProgressEntry, Outcome, GoalContribution, Event)


def snapshot() -> dict:
    """Every row of every plan and follow-up with every field, updated_at included."""
    state = {"Plan": sorted(map(repr, Plan.objects.values_list()))}
    for _key, model, _path in KINDS:
        state[model.__name__] = sorted(map(repr, model.objects.values_list()))
    for model in FOLLOW_UP_MODELS:
        state[model.__name__] = sorted(map(repr, model.objects.values_list()))
    state["goal departments"] = sorted(Goal.departments.through.objects.values_list("goal_id", "department_id"))
    state["commitment departments"] = sorted(
        Commitment.departments.through.objects.values_list("commitment_id", "department_id")
    )
    return state


@pytest.fixture
def plan(demo) -> Plan:
    return Plan.objects.get(committee=demo, year=2019)


@pytest.fixture
def rolled(plan, committee_admin) -> tuple[Plan, object]:
    """The demo's plan 2019 rolled over to 2020 by the committee admin: the new plan and the result."""
    result = plan_rollover(plan=plan, user=committee_admin)
    return Plan.objects.get(pk=result.plan_id), result


def test_rollover_creates_the_next_years_plan_as_a_proposal_with_the_same_scales_and_mandate_period(plan, rolled):
    new_plan, result = rolled
    assert result.applied
    assert (new_plan.committee, new_plan.year) == (plan.committee, 2020)
    assert new_plan.status == Plan.Status.PROPOSAL
    assert new_plan.mandate_period == plan.mandate_period
    assert (new_plan.mandate_period.start_year, new_plan.mandate_period.end_year) == (2019, 2022)
    assert new_plan.commitment_scale == plan.commitment_scale
    assert (new_plan.registration_number, new_plan.adopted_on) == ("", None)


def test_rollover_copies_as_many_rows_of_each_kind_as_2019_has(plan, rolled):
    new_plan, result = rolled
    for key, model, path in KINDS:
        old = model.objects.filter(**{path: plan}).count()
        assert old > 0, key  # the demo has rows of every kind, so the count proves something
        assert model.objects.filter(**{path: new_plan}).count() == old, key
        assert result.count(key) == old, key
    assert result.count("goals") == 17
    assert result.count("commitments") == 34


def test_every_copy_links_to_its_original_with_the_same_code_text_and_order(plan, rolled):
    new_plan, _result = rolled
    for area in GoalArea.objects.filter(plan=new_plan).select_related("origin"):
        assert area.origin.plan_id == plan.pk
        assert (area.code, area.number, area.name, area.sort_order) == (
            area.origin.code, area.origin.number, area.origin.name, area.origin.sort_order,
        )  # fmt: skip
    for goal in Goal.objects.filter(plan=new_plan).select_related("origin", "goal_area"):
        assert goal.origin.plan_id == plan.pk
        assert (goal.code, goal.text, goal.level, goal.sort_order, goal.contributes) == (
            goal.origin.code, goal.origin.text, goal.origin.level, goal.origin.sort_order, goal.origin.contributes,
        )  # fmt: skip
        assert goal.goal_area.origin_id == goal.origin.goal_area_id
        assert set(goal.departments.all()) == set(goal.origin.departments.all())
    for commitment in Commitment.objects.filter(plan=new_plan).select_related("origin", "goal"):
        assert commitment.origin.plan_id == plan.pk
        assert (commitment.code, commitment.text, commitment.sort_order) == (
            commitment.origin.code, commitment.origin.text, commitment.origin.sort_order,
        )  # fmt: skip
        assert commitment.goal.origin_id == commitment.origin.goal_id
        departments = set(commitment.departments.all())
        assert departments
        assert departments == set(commitment.origin.departments.all())
    for indicator in Indicator.objects.filter(plan=new_plan).select_related("origin", "goal", "commitment"):
        original = indicator.origin
        assert original.plan_id == plan.pk
        assert (indicator.code, indicator.name, indicator.level, indicator.unit, indicator.direction) == (
            original.code, original.name, original.level, original.unit, original.direction,
        )  # fmt: skip
        assert (indicator.disaggregation, indicator.sort_order) == (original.disaggregation, original.sort_order)
        assert indicator.goal.origin_id == original.goal_id
        assert (indicator.commitment.origin_id if indicator.commitment else None) == original.commitment_id
    for model in (Target, PriorOutcome):
        for value in model.objects.filter(indicator__plan=new_plan).select_related("origin", "indicator"):
            assert value.indicator.origin_id == value.origin.indicator_id
            assert (value.year, value.part, value.value, value.text) == (
                value.origin.year, value.origin.part, value.origin.value, value.origin.text,
            )  # fmt: skip


def test_commitment_indicators_stay_on_their_commitments(plan, rolled):
    new_plan, _result = rolled
    tied = Indicator.objects.filter(plan=plan, commitment__isnull=False)
    assert tied.exists()
    copies = Indicator.objects.filter(plan=new_plan, commitment__isnull=False).select_related("commitment__origin")
    assert sorted((i.code, i.commitment.code) for i in copies) == sorted((i.code, i.commitment.code) for i in tied)
    assert all(i.commitment.plan_id == new_plan.pk for i in copies)


def test_copies_are_not_new_this_year_and_drop_the_old_proposals_wording(plan, rolled):
    new_plan, _result = rolled
    assert Goal.objects.filter(plan=plan).exclude(proposal_text="").exists()
    assert not Goal.objects.filter(plan=new_plan).exclude(proposal_text="").exists()
    assert Indicator.objects.filter(plan=plan, is_new=True).exists()
    assert not Indicator.objects.filter(plan=new_plan, is_new=True).exists()


def test_reporting_periods_are_created_a_year_later_open(plan, rolled):
    new_plan, _result = rolled
    old = {p.slug[5:]: p for p in ReportingPeriod.objects.filter(plan=plan)}
    new = {p.slug[5:]: p for p in ReportingPeriod.objects.filter(plan=new_plan)}
    assert sorted(new) == sorted(old) == ["helar", "jan-apr", "jan-aug"]
    assert ReportingPeriod.objects.filter(plan=plan, status="closed").exists()
    for rest, period in new.items():
        assert period.slug == f"2020-{rest}"
        assert period.name == old[rest].name
        assert (period.start, period.end) == (old[rest].start.replace(year=2020), old[rest].end.replace(year=2020))
        assert period.deadline == _next_year(old[rest].deadline)
        assert (period.status, period.closed_at) == (ReportingPeriod.Status.OPEN, None)


def test_nothing_the_departments_wrote_is_copied(plan, rolled):
    new_plan, result = rolled
    assert ProgressEntry.objects.filter(period__plan=plan).exists()
    assert Outcome.objects.filter(period__plan=plan).exists()
    for model in (ProgressEntry, Outcome, GoalContribution):
        assert not model.objects.filter(period__plan=new_plan).exists(), model.__name__
    assert not Event.objects.filter(period__plan=new_plan).exists()
    not_copied = dict(result.not_copied)
    assert not_copied["inrapporteringar"] == ProgressEntry.objects.filter(period__plan=plan).count()
    assert not_copied["utfall"] == Outcome.objects.filter(period__plan=plan).count()


def test_rollover_leaves_2019_untouched(plan, committee_admin):
    before = snapshot()
    result = plan_rollover(plan=plan, user=committee_admin)
    after = snapshot()
    for name, rows in before.items():
        assert set(rows) <= set(after[name]), name  # every row as it was, updated_at included
    assert len(after["Plan"]) == len(before["Plan"]) + 1
    assert Plan.objects.filter(committee=plan.committee, year=2020).get().pk == result.plan_id
    for model in FOLLOW_UP_MODELS:
        assert after[model.__name__] == before[model.__name__], model.__name__


def test_a_second_rollover_is_refused_in_swedish_and_changes_nothing(plan, rolled, committee_admin):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        plan_rollover(plan=plan, user=committee_admin)
    assert refused.value.messages == [
        "Arbetsmarknads- och socialnämnden har redan en plan för 2020: inget har kopierats."
    ]
    assert snapshot() == before


def test_dry_run_reports_the_same_and_writes_nothing(plan, committee_admin):
    before = snapshot()
    preview = plan_rollover(plan=plan, user=committee_admin, dry_run=True)
    assert snapshot() == before
    assert not preview.applied
    assert preview.plan_id is None
    assert not Plan.objects.filter(committee=plan.committee, year=2020).exists()
    done = plan_rollover(plan=plan, user=committee_admin)
    assert [(k.key, k.items) for k in preview.created] == [(k.key, k.items) for k in done.created]
    assert preview.not_copied == done.not_copied
    assert (preview.year, preview.mandate_period, preview.status_label) == (2020, "2019–2022", "förslag")


@pytest.mark.parametrize("username", ["granskare", "redaktor", "lasare"])
def test_only_the_committees_admin_may_roll_over(plan, username, django_user_model):
    before = snapshot()
    user = django_user_model.objects.get(username=username)
    with pytest.raises(PermissionDenied, match="Endast nämndens administratörer"):
        plan_rollover(plan=plan, user=user)
    with pytest.raises(PermissionDenied):
        plan_rollover(plan=plan, user=user, dry_run=True)
    assert snapshot() == before


def test_another_committees_admin_may_not_roll_over(plan):
    stranger = UserFactory()
    MembershipFactory(user=stranger, role="committee_admin")
    with pytest.raises(PermissionDenied):
        plan_rollover(plan=plan, user=stranger)
    assert not Plan.objects.filter(committee=plan.committee, year=2020).exists()


def test_the_last_year_of_a_mandate_period_rolls_into_the_next_period(db):
    first = MandatePeriod.objects.get_or_create(start_year=2019, end_year=2022)[0]
    second = MandatePeriod.objects.get_or_create(start_year=2023, end_year=2026)[0]
    plan = PlanFactory(year=2022, mandate_period=first)
    GoalFactory(goal_area__plan=plan)
    admin = UserFactory()
    MembershipFactory(user=admin, committee=plan.committee, role="committee_admin")
    result = plan_rollover(plan=plan, user=admin)
    new_plan = Plan.objects.get(pk=result.plan_id)
    assert (new_plan.year, new_plan.mandate_period) == (2023, second)
    assert (result.count("goal_areas"), result.count("goals"), result.count("periods")) == (1, 1, 0)


def test_a_year_no_mandate_period_holds_gets_none(db):
    plan = PlanFactory(year=2099)
    admin = UserFactory()
    MembershipFactory(user=admin, committee=plan.committee, role="committee_admin")
    result = plan_rollover(plan=plan, user=admin)
    assert Plan.objects.get(pk=result.plan_id).mandate_period is None
    assert result.mandate_period == ""


def test_a_period_ending_on_29_february_ends_on_28_february_a_year_later(db):
    plan = PlanFactory(year=2024)
    ReportingPeriodFactory(plan=plan, slug="2024-jan-feb", start=datetime.date(2024, 1, 1),
                           end=datetime.date(2024, 2, 29), deadline=datetime.date(2024, 3, 15))  # fmt: skip
    admin = UserFactory()
    MembershipFactory(user=admin, committee=plan.committee, role="committee_admin")
    result = plan_rollover(plan=plan, user=admin)
    period = ReportingPeriod.objects.get(plan_id=result.plan_id)
    assert (period.slug, period.end, period.deadline) == ("2025-jan-feb", datetime.date(2025, 2, 28),
                                                          datetime.date(2025, 3, 15))  # fmt: skip


# The admin: preview, then confirm.


def rollover_url(plan: Plan) -> str:
    return reverse("admin:commitments_plan_rollover", args=[plan.pk])


def test_admin_preview_shows_the_counts_and_writes_nothing(client, plan, committee_admin):
    client.force_login(committee_admin)
    before = snapshot()
    response = client.get(rollover_url(plan))
    assert response.status_code == 200
    assert snapshot() == before
    html = response.content.decode()
    assert "Förhandsgranskning: detta får planen 2020" in html
    assert re.search(r'<th scope="row">Målområden</th>\s*<td>9</td>', html)
    assert re.search(r'<th scope="row">Åtaganden</th>\s*<td>34</td>', html)
    assert re.search(r'<th scope="row">Uppföljningsperioder</th>\s*<td>3</td>', html)
    assert "Kopieras inte" in html
    assert '<th scope="row">Inrapporteringar</th>' in html
    assert 'name="confirm" value="Skapa planen 2020"' in html


def test_admin_links_to_the_rollover_from_the_plan(client, plan, committee_admin):
    client.force_login(committee_admin)
    response = client.get(reverse("admin:commitments_plan_change", args=[plan.pk]))
    assert rollover_url(plan) in response.content.decode()
    assert "Kopiera till nästa år" in response.content.decode()


def test_admin_post_without_confirm_only_previews(client, plan, committee_admin):
    client.force_login(committee_admin)
    response = client.post(rollover_url(plan), {})
    assert response.status_code == 200
    assert not Plan.objects.filter(committee=plan.committee, year=2020).exists()


def test_admin_confirm_creates_the_plan_and_goes_to_it(client, plan, committee_admin):
    client.force_login(committee_admin)
    response = client.post(rollover_url(plan), {"confirm": "Skapa planen 2020"})
    new_plan = Plan.objects.get(committee=plan.committee, year=2020)
    assert response.status_code == 302
    assert response.url == reverse("admin:commitments_plan_change", args=[new_plan.pk])
    assert Goal.objects.filter(plan=new_plan).count() == 17
    [message] = list(get_messages(response.wsgi_request))
    assert str(message).startswith("Planen 2020 är skapad som förslag, kopierad från 2019.")
    entry = LogEntry.objects.get(object_id=str(new_plan.pk), content_type__model="plan")
    assert (entry.user, entry.get_change_message()) == (committee_admin, "Kopierad från ASN 2019.")


def test_admin_refuses_when_the_next_year_exists(client, plan, rolled, committee_admin):
    client.force_login(committee_admin)
    before = snapshot()
    for response in (client.get(rollover_url(plan)), client.post(rollover_url(plan), {"confirm": "1"})):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Planen kan inte kopieras" in html
        assert "har redan en plan för 2020" in html
        assert 'name="confirm"' not in html
    assert snapshot() == before


def test_admin_rollover_is_closed_to_reviewers_even_as_staff(client, plan, reviewer):
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    assert client.get(rollover_url(plan)).status_code in (302, 403, 404)
    assert client.post(rollover_url(plan), {"confirm": "1"}).status_code in (302, 403, 404)
    assert not Plan.objects.filter(committee=plan.committee, year=2020).exists()
