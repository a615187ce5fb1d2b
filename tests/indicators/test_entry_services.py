"""Saving entries and outcomes: sanitised, checked, versioned, never overwritten silently."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import User
from commitments.models import Commitment, Department, ProgressEntry, ReportingPeriod
from commitments.selectors import progress_entry_get_or_new
from commitments.services import progress_entry_save
from commitments.workflow import Conflict, Locked, reviewable_transition
from common.richtext import MAX_LENGTH
from indicators.models import Indicator
from indicators.selectors import outcome_get_or_new
from indicators.services import outcome_save
from tests.factories import report_outcomes_missing

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">klick</a>',
    '<a href="JaVaScRiPt:alert(1)">klick</a>',
    '<a href="&#106;avascript:alert(1)">klick</a>',
    '<a href="java\tscript:alert(1)">klick</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klick</a>',
    '<a href="vbscript:msgbox(1)">klick</a>',
    '<p style="background:url(javascript:alert(1))">stil</p>',
    '<p style="color:red">stil</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    '<form action="https://evil.example"><input name=x></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<body onload=alert(1)>",
    '<p onclick="alert(1)">klick</p>',
    "<p onmouseover=alert(1)>hover</p>",
    "<div><style>p{background:url(https://evil.example)}</style></div>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<table><tr><td background="javascript:alert(1)">cell</td></tr></table>',
    '<a href="https://malmo.se" target="_blank" onfocus="alert(1)" autofocus>länk</a>',
    '"><script>alert(document.cookie)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
]
FORBIDDEN = ("<script", "onerror", "onload", "onclick", "onmouseover", "ontoggle", "onfocus", "javascript:",
             "vbscript:", "data:text", "style=", "<iframe", "<object", "<embed", "<form", "<style", "<link", "<meta",
             "<base", "<svg", "<math", "background=", "target=", "formaction")  # fmt: skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def helar(demo) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")


@pytest.fixture
def entry(helar) -> ProgressEntry:
    return progress_entry_get_or_new(
        commitment=Commitment.objects.get(plan=helar.plan, code="A05"),
        period=helar,
        department=Department.objects.get(code="AMA"),
    )


def save(entry, user, comment="<p>Text</p>", version=None, assessment=None):
    return progress_entry_save(
        entry=entry,
        user=user,
        comment=comment,
        assessment=assessment,
        expected_version=entry.version if version is None else version,
    )


def test_first_save_creates_version_one_with_history(entry, editor):
    saved = save(entry, editor, "<p>Vi har <i>börjat</i>.</p><ul><li>ett</li></ul>")
    assert saved.version == 1
    assert saved.status == "draft"
    assert saved.comment == "<p>Vi har <i>börjat</i>.</p><ul><li>ett</li></ul>"
    record = saved.history.get()
    assert record.history_user == editor
    assert record.updated_by == editor


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markup_is_removed_before_storage(entry, editor, payload):
    saved = save(entry, editor, f"<p>Före</p>{payload}<p>Efter</p>")
    stored = saved.comment.lower()
    for forbidden in FORBIDDEN:
        assert forbidden not in stored, (payload, saved.comment)
    assert "Före" in saved.comment


def test_save_from_an_old_version_is_a_conflict_and_changes_nothing(entry, editor):
    first = save(entry, editor, "<p>Första</p>")
    save(first, editor, "<p>Andra</p>")
    with pytest.raises(Conflict) as conflict:
        save(first, editor, "<p>Gammal kopia</p>", version=1)
    assert conflict.value.current.comment == "<p>Andra</p>"
    assert ProgressEntry.objects.get(pk=first.pk).comment == "<p>Andra</p>"
    assert ProgressEntry.objects.get(pk=first.pk).version == 2


def test_editor_of_another_department_cannot_save(entry):
    other = User.objects.get(username="redaktor-ebb")
    with pytest.raises(PermissionDenied):
        save(entry, other)
    assert not ProgressEntry.objects.filter(commitment=entry.commitment, period=entry.period).exists()


def test_reader_and_reviewer_cannot_save(entry, reader, reviewer):
    for user in (reader, reviewer):
        with pytest.raises(PermissionDenied):
            save(entry, user)


def test_closed_period_and_submitted_entry_are_locked(entry, editor, helar):
    saved = save(entry, editor)
    report_outcomes_missing(saved, editor)
    reviewable_transition(obj=saved, action="submit", user=editor)
    saved.refresh_from_db()
    with pytest.raises(Locked, match="inskickad"):
        save(saved, editor, "<p>Ändrad</p>")
    helar.status = ReportingPeriod.Status.CLOSED
    helar.save()
    fresh = progress_entry_get_or_new(
        commitment=Commitment.objects.get(plan=helar.plan, code="A06"), period=helar, department=entry.department
    )
    with pytest.raises(Locked, match="stängd"):
        save(fresh, editor)


def test_passed_deadline_locks_the_period(entry, editor, helar):
    helar.deadline = datetime.date(2020, 1, 31)
    helar.save()
    with pytest.raises(Locked):
        save(entry, editor)


def test_assessment_must_come_from_the_committees_scale(entry, editor, demo):
    from commitments.models import AssessmentValue

    foreign = AssessmentValue.objects.exclude(scale=entry.commitment.plan.commitment_scale).first()
    with pytest.raises(ValidationError) as error:
        save(entry, editor, assessment=foreign)
    assert "assessment" in error.value.message_dict


def test_comment_over_the_size_limit_is_refused(entry, editor):
    with pytest.raises(ValidationError, match="för lång"):
        save(entry, editor, "<p>" + "x" * (MAX_LENGTH + 1) + "</p>")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_from_the_same_version_keep_one_and_refuse_the_other(demo):
    """Two connections save the same entry at once: one wins, the other gets a conflict."""
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")
    commitment = Commitment.objects.get(plan=period.plan, code="A05")
    department = Department.objects.get(code="AMA")
    editor = User.objects.get(username="redaktor")
    start = save(progress_entry_get_or_new(commitment=commitment, period=period, department=department), editor)
    barrier = threading.Barrier(2)
    outcomes = []

    def writer(text):
        try:
            barrier.wait(timeout=10)
            entry = ProgressEntry.objects.get(pk=start.pk)
            save(entry, editor, f"<p>{text}</p>", version=1)
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("Anna", "Bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    final = ProgressEntry.objects.get(pk=start.pk)
    assert final.version == 2
    assert final.history.count() == 2


# Outcomes


@pytest.fixture
def ai1(helar):
    return outcome_get_or_new(
        indicator=Indicator.objects.get(plan=helar.plan, code="AI1"),
        period=helar,
        department=Department.objects.get(code="AMA"),
    )


SEED_COUNTS = {
    "numerator": 116, "denominator": 628,
    "numerator_female": 52, "denominator_female": 257,
    "numerator_male": 64, "denominator_male": 371,
}  # fmt: skip


def test_shares_are_computed_from_counts_as_the_document_rounds_them(ai1, editor):
    saved = outcome_save(outcome=ai1, user=editor, data=dict(SEED_COUNTS), expected_version=0)
    assert (saved.value, saved.value_female, saved.value_male) == (Decimal(18), Decimal(20), Decimal(17))


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"numerator_female": 60, "numerator_male": 64}, "numerator", "mer än totalen"),
        ({"denominator_female": 300}, "denominator", "mer än totalen"),
        ({"numerator": -1}, "numerator", "negativt"),
        ({"numerator": 700}, "numerator", "större än totalen"),
        ({"denominator": None}, "denominator", "både antal och totalt"),
    ],
)
def test_bad_counts_are_refused_on_their_field(ai1, editor, change, field, words):
    with pytest.raises(ValidationError) as error:
        outcome_save(outcome=ai1, user=editor, data=SEED_COUNTS | change, expected_version=0)
    assert any(words in m for m in error.value.message_dict[field]), error.value.message_dict
    assert ai1.pk is None


def test_share_above_100_per_cent_is_refused(ai1, editor):
    with pytest.raises(ValidationError, match="över 100"):
        outcome_save(outcome=ai1, user=editor, data={"value": Decimal("101")}, expected_version=0)


def test_other_assessment_than_proposed_needs_a_motivation(helar, editor):
    outcome = outcome_get_or_new(
        indicator=Indicator.objects.get(plan=helar.plan, code="MI08"),  # target 40 %, higher is better
        period=helar,
        department=Department.objects.get(code="AMA"),
    )
    values = {v.meaning: v for v in helar.plan.commitment_scale.values.all()}
    data = {"value": Decimal(45), "assessment": values["not_achieved"]}
    with pytest.raises(ValidationError) as error:
        outcome_save(outcome=outcome, user=editor, data=data, expected_version=0)
    assert "assessment_motivation" in error.value.message_dict
    saved = outcome_save(
        outcome=outcome,
        user=editor,
        data=data | {"assessment_motivation": "Målgruppen har ändrats."},
        expected_version=0,
    )
    assert saved.assessment == values["not_achieved"]
    # The proposed one needs none.
    saved = outcome_save(
        outcome=saved, user=editor, data={"value": Decimal(45), "assessment": values["achieved"]}, expected_version=1
    )
    assert saved.assessment_motivation == ""


def test_an_outcome_is_given_or_explained_not_both_and_every_problem_is_named_at_once(helar, editor):
    outcome = outcome_get_or_new(
        indicator=Indicator.objects.get(plan=helar.plan, code="MI08"),  # target 40 %, higher is better
        period=helar,
        department=Department.objects.get(code="AMA"),
    )
    values = {v.meaning: v for v in helar.plan.commitment_scale.values.all()}
    data = {
        "value": Decimal(45),
        "unavailable_reason": "Mäts inte i år.",
        "assessment": values["not_achieved"],  # not the proposed one, and no motivation
        "comment": "<p>" + "x" * (MAX_LENGTH + 1) + "</p>",
    }
    with pytest.raises(ValidationError) as error:
        outcome_save(outcome=outcome, user=editor, data=data, expected_version=0)
    assert set(error.value.message_dict) == {"unavailable_reason", "assessment_motivation", "comment"}
    assert "inte båda" in error.value.message_dict["unavailable_reason"][0]
    assert outcome.pk is None
    saved = outcome_save(
        outcome=outcome, user=editor, data={"unavailable_reason": "  Mäts inte i år. "}, expected_version=0
    )
    assert (saved.value, saved.unavailable_reason, saved.has_content()) == (None, "Mäts inte i år.", True)


def test_count_groups_cannot_exceed_the_total(helar, editor):
    outcome = outcome_get_or_new(
        indicator=Indicator.objects.get(plan=helar.plan, code="MI07"),  # antal, kvinnor-män
        period=helar,
        department=Department.objects.get(code="AMA"),
    )
    data = {"value": Decimal(100), "value_female": Decimal(80), "value_male": Decimal(70)}
    with pytest.raises(ValidationError, match="mer än totalen"):
        outcome_save(outcome=outcome, user=editor, data=data, expected_version=0)


def test_a_typed_share_that_disagrees_with_the_counts_is_refused(ai1, editor):
    with pytest.raises(ValidationError) as error:
        outcome_save(outcome=ai1, user=editor, data=SEED_COUNTS | {"value": Decimal(50)}, expected_version=0)
    assert "18 %" in error.value.message_dict["value"][0]
    saved = outcome_save(outcome=ai1, user=editor, data=SEED_COUNTS | {"value": Decimal(18)}, expected_version=0)
    assert saved.value == 18


def test_services_refuse_rows_outside_the_departments_plan_and_responsibility(helar, editor):
    from tests.factories import CommitmentFactory, PlanFactory

    foreign = CommitmentFactory(goal__goal_area__plan=PlanFactory(year=2019))
    entry = progress_entry_get_or_new(commitment=foreign, period=helar, department=Department.objects.get(code="AMA"))
    with pytest.raises(PermissionDenied):
        save(entry, editor)
    # A commitment of the plan that another department is responsible for.
    bts = Commitment.objects.get(plan=helar.plan, code="A21")
    assert not bts.departments.filter(code="AMA").exists()
    entry = progress_entry_get_or_new(commitment=bts, period=helar, department=Department.objects.get(code="AMA"))
    with pytest.raises(PermissionDenied):
        save(entry, editor)
    assert not ProgressEntry.objects.filter(commitment=bts, department__code="AMA").exists()
    not_ours = outcome_get_or_new(
        indicator=Indicator.objects.get(plan=helar.plan, code="AI5"),  # BTS's commitment A21
        period=helar,
        department=Department.objects.get(code="AMA"),
    )
    with pytest.raises(PermissionDenied):
        outcome_save(outcome=not_ours, user=editor, data={"value": Decimal(1)}, expected_version=0)


def test_only_reviewers_approve_and_only_editors_submit(entry, editor, reviewer, reader):
    saved = save(entry, editor)
    report_outcomes_missing(saved, editor)
    with pytest.raises(PermissionDenied):
        reviewable_transition(obj=saved, action="submit", user=reviewer)
    submitted = reviewable_transition(obj=saved, action="submit", user=editor)
    for user in (editor, reader):
        with pytest.raises(PermissionDenied):
            reviewable_transition(obj=submitted, action="approve", user=user)
    approved = reviewable_transition(obj=submitted, action="approve", user=reviewer)
    assert approved.status == "approved"
    assert approved.history.first().history_user == reviewer


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_saves_of_the_same_entry_end_in_one_conflict(demo):
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")
    commitment = Commitment.objects.get(plan=period.plan, code="A06")
    department = Department.objects.get(code="AMA")
    editor = User.objects.get(username="redaktor")
    barrier = threading.Barrier(2)
    outcomes = []

    def writer(text):
        try:
            entry = progress_entry_get_or_new(commitment=commitment, period=period, department=department)
            barrier.wait(timeout=10)
            save(entry, editor, f"<p>{text}</p>", version=0)
            outcomes.append("saved")
        except Conflict as e:
            outcomes.append("conflict" if e.current.pk else "conflict without row")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("Anna", "Bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert ProgressEntry.objects.filter(commitment=commitment, period=period).count() == 1
