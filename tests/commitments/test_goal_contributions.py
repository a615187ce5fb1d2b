"""A department's follow-up of its contribution to a goal, with the year's and the mandate period's assessments."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from commitments.models import AssessmentScale, Department, Event, Goal, GoalContribution, ReportingPeriod
from commitments.selectors import goal_contribution_get_or_new
from commitments.services import goal_contribution_save
from commitments.workflow import Conflict, reviewable_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(demo):
    """The demo's 2019 plan given the goal scales of the later plans, and NM03 followed up by EBB."""
    period = ReportingPeriod.objects.select_related("plan").get(slug="2019-helar")
    plan = period.plan
    plan.goal_year_scale = AssessmentScale.objects.get(committee=demo, code="bidrag-ar")
    plan.goal_mandate_scale = AssessmentScale.objects.get(committee=demo, code="forflyttning")
    plan.save()
    goal = Goal.objects.get(plan=plan, code="NM03")
    ebb = Department.objects.get(committee=demo, code="EBB")
    goal.departments.add(ebb)
    # The goal's own indicators stay with AMA's entries (they name their reporting department),
    # so that EBB writes only the follow-up of the goal here.
    ama = Department.objects.get(committee=demo, code="AMA")
    for indicator in goal.indicators.filter(commitment__isnull=True):
        indicator.departments.add(ama)
    year = {v.code: v for v in plan.goal_year_scale.values.all()}
    mandate = {v.code: v for v in plan.goal_mandate_scale.values.all()}
    return {
        "period": period, "goal": goal, "department": ebb, "editor": User.objects.get(username="redaktor-ebb"),
        "year": year, "mandate": mandate,
    }  # fmt: skip


def save(s, *, version=0, contribution=None, user=None, **changes):
    values = {
        "comment": "<p>Fler hushåll har blivit självförsörjande.</p><script>x()</script>",
        "assessment": s["year"]["uppnatts"],
        "assessment_motivation": "Bedömningen baseras på att fler hushåll blivit självförsörjande.",
        "mandate_assessment": s["mandate"]["forflyttning"],
        "mandate_motivation": "Bedömningen baseras på att arbetet fortsätter.",
        **changes,
    }
    contribution = contribution or goal_contribution_get_or_new(
        goal=s["goal"], period=s["period"], department=s["department"]
    )
    return goal_contribution_save(
        contribution=contribution, user=user or s["editor"], expected_version=version, **values
    )


def test_the_department_saves_its_follow_up_with_both_assessments_and_their_sentences(setting):
    contribution = save(setting)
    contribution.refresh_from_db()
    assert contribution.comment == "<p>Fler hushåll har blivit självförsörjande.</p>"  # sanitised
    assert (contribution.status, contribution.version) == ("draft", 1)
    assert contribution.assessment.sentence_for(2024) == (
        "Bedömningen är att bidraget till kommunfullmäktigemålet för 2024 har uppnåtts."
    )
    assert contribution.mandate_assessment.sentence_for(2024) == (
        "Bedömningen är att bidraget till kommunfullmäktigemålet förväntas leda till önskad förflyttning i "
        "riktning mot kommunfullmäktigemålet för mandatperioden."
    )
    assert contribution.history.count() == 1
    assert contribution.history.first().history_user == setting["editor"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"assessment_motivation": "  "}, "assessment_motivation", "Bedömningen baseras på"),
        ({"mandate_motivation": ""}, "mandate_motivation", "Bedömningen baseras på"),
        ({"assessment": "mandate:uppnas"}, "assessment", "planens skala"),
        ({"mandate_assessment": "year:delvis"}, "mandate_assessment", "planens skala"),
    ],
)
def test_an_assessment_without_motivation_or_from_another_scale_is_refused(setting, changes, field, words):
    resolved = {}
    for name, value in changes.items():
        if isinstance(value, str) and ":" in value:
            scale, code = value.split(":")
            value = setting[scale][code]
        resolved[name] = value
    with pytest.raises(ValidationError) as refused:
        save(setting, **resolved)
    assert words in " ".join(refused.value.message_dict[field])
    assert not GoalContribution.objects.filter(period=setting["period"]).exists()


def test_a_commitment_mark_is_not_a_goal_assessment(setting):
    mark = setting["period"].plan.commitment_scale.values.first()
    with pytest.raises(ValidationError, match="planens skala"):
        save(setting, assessment=mark)


def test_no_assessment_needs_no_motivation(setting):
    contribution = save(
        setting, assessment=None, assessment_motivation="", mandate_assessment=None, mandate_motivation=""
    )
    assert contribution.assessment is None


def test_only_the_editors_of_an_assigned_department_write(setting):
    other = User.objects.get(username="redaktor")  # AMA, not assigned to NM03
    with pytest.raises(PermissionDenied):
        save(setting, user=other)
    ama = Department.objects.get(code="AMA")
    unassigned = goal_contribution_get_or_new(goal=setting["goal"], period=setting["period"], department=ama)
    with pytest.raises(PermissionDenied):
        save(setting, user=other, contribution=unassigned)
    assert not GoalContribution.objects.filter(period=setting["period"]).exists()


def test_the_one_review_workflow_and_its_events_serve_contributions(setting, reviewer):
    contribution = save(setting)
    contribution = reviewable_transition(obj=contribution, action="submit", user=setting["editor"])
    contribution = reviewable_transition(obj=contribution, action="approve", user=reviewer)
    assert contribution.status == "approved"
    events = Event.objects.filter(content_type__model="goalcontribution", object_id=contribution.pk)
    assert list(events.values_list("type", flat=True).order_by("pk")) == [
        "contribution.submit",
        "contribution.approve",
    ]
    assert contribution.history.count() == 3


def test_a_save_from_an_old_version_is_a_conflict(setting):
    first = save(setting)
    save(setting, version=1, contribution=first, comment="<p>Ny text.</p>")
    stale = GoalContribution.objects.get(period=setting["period"])
    with pytest.raises(Conflict):
        save(setting, version=1, contribution=stale, comment="<p>Min text.</p>")
    assert GoalContribution.objects.get(period=setting["period"]).comment == "<p>Ny text.</p>"
