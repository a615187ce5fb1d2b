"""The review workflow: every state × action, with its roles, reasons, versions and audit events."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import User
from commitments.models import Commitment, Department, Event, ProgressEntry, ReportingPeriod
from commitments.selectors import progress_entry_get_or_new
from commitments.services import progress_entry_save
from commitments.workflow import TRANSITIONS, Conflict, InvalidTransition, Locked, reviewable_transition
from tests.factories import report_outcomes_missing

pytestmark = pytest.mark.django_db

STATES = ("draft", "submitted", "approved", "returned")
#: How to reach each state from a fresh draft: (action, role) steps.
PATHS = {
    "draft": [],
    "submitted": [("submit", "editor")],
    "approved": [("submit", "editor"), ("approve", "reviewer")],
    "returned": [("submit", "editor"), ("return", "reviewer")],
}
ACTOR = {"submit": "editor", "approve": "reviewer", "return": "reviewer", "reopen": "reviewer"}


@pytest.fixture
def people(demo):
    return {"editor": User.objects.get(username="redaktor"), "reviewer": User.objects.get(username="granskare")}


def entry_in(state: str, people, code: str = "A05") -> ProgressEntry:
    period = ReportingPeriod.objects.get(slug="2019-helar")
    entry = progress_entry_get_or_new(
        commitment=Commitment.objects.get(plan=period.plan, code=code),
        period=period,
        department=Department.objects.get(code="AMA"),
    )
    entry = progress_entry_save(
        entry=entry, user=people["editor"], comment="<p>Text</p>", assessment=None, expected_version=0
    )
    # A05's own indicators need an outcome (or why there is none) before the entry is submitted.
    report_outcomes_missing(entry, people["editor"])
    for action, role in PATHS[state]:
        entry = reviewable_transition(obj=entry, action=action, user=people[role], reason="Skäl")
    return entry


def outcomes_of(entry: ProgressEntry):
    """The saved outcomes on the entry's page, which move with it."""
    from indicators.workflow import entry_outcomes

    return list(entry_outcomes(entry))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_state_and_action(state, action, people):
    entry = entry_in(state, people)
    outcomes = outcomes_of(entry)
    assert len(outcomes) == 2  # A05's AI1 and AI2
    assert {o.status for o in outcomes} == {state}  # moved with the entry
    events_before = Event.objects.count()
    last_before = Event.objects.latest("pk").pk
    sources, target = TRANSITIONS[action]
    user = people[ACTOR[action]]
    if state in sources:
        moved = reviewable_transition(
            obj=entry, action=action, user=user, reason="Skäl", expected_version=entry.version
        )
        assert moved.status == target
        assert moved.version == entry.version + 1
        (event,) = Event.objects.filter(pk__gt=last_before, content_type__model="progressentry")
        assert (event.type, event.from_state, event.to_state, event.actor, event.object_id) == (
            f"entry.{action}", state, target, user, entry.pk,
        )  # fmt: skip
        # The entry's outcomes moved with it, each on record too; nothing else happened.
        assert {o.status for o in outcomes_of(moved)} == {target}
        outcome_events = Event.objects.filter(pk__gt=last_before, content_type__model="outcome")
        assert sorted(outcome_events.values_list("object_id", flat=True)) == sorted(o.pk for o in outcomes)
        assert {(e.type, e.from_state, e.to_state) for e in outcome_events} == {(f"outcome.{action}", state, target)}
        assert Event.objects.count() == events_before + 1 + len(outcomes)
    else:
        with pytest.raises(InvalidTransition):
            reviewable_transition(obj=entry, action=action, user=user, reason="Skäl")
        entry.refresh_from_db()
        assert entry.status == state
        assert {o.status for o in outcomes_of(entry)} == {state}
        assert Event.objects.count() == events_before


def test_the_table_is_as_the_workflow_says():
    assert {a: (set(s), t) for a, (s, t) in TRANSITIONS.items()} == {
        "submit": ({"draft", "returned"}, "submitted"),
        "approve": ({"submitted"}, "approved"),
        "return": ({"submitted"}, "returned"),
        "reopen": ({"approved"}, "returned"),
    }


@pytest.mark.parametrize("action", ["return", "reopen"])
def test_return_and_reopen_need_a_reason(action, people):
    entry = entry_in("submitted" if action == "return" else "approved", people)
    with pytest.raises(ValidationError, match="skäl"):
        reviewable_transition(obj=entry, action=action, user=people["reviewer"], reason="  ")
    entry.refresh_from_db()
    assert entry.status in ("submitted", "approved")


def test_approving_what_was_changed_meanwhile_approves_nothing(people):
    entry = entry_in("returned", people)
    seen = entry.version
    progress_entry_save(
        entry=entry, user=people["editor"], comment="<p>Ny</p>", assessment=None, expected_version=seen
    )
    resubmitted = reviewable_transition(obj=entry, action="submit", user=people["editor"])
    with pytest.raises(Conflict):
        reviewable_transition(obj=resubmitted, action="approve", user=people["reviewer"], expected_version=seen)
    resubmitted.refresh_from_db()
    assert resubmitted.status == "submitted"


def test_roles_of_the_actions(people, reader):
    submitted = entry_in("submitted", people)
    for user in (people["editor"], reader):
        with pytest.raises(PermissionDenied):
            reviewable_transition(obj=submitted, action="approve", user=user)
    with pytest.raises(PermissionDenied):
        reviewable_transition(obj=entry_in("draft", people, "A06"), action="submit", user=people["reviewer"])


def test_after_the_close_only_rows_returned_since_are_open_to_the_department(people, committee_admin):
    from commitments.services import period_close

    editor = people["editor"]
    returned_before = entry_in("returned", people)
    draft = entry_in("draft", people, "A06")
    submitted = entry_in("submitted", people, "A07")
    period_close(period=ReportingPeriod.objects.get(slug="2019-helar"), user=committee_admin)
    for row in (returned_before, draft, submitted):
        row.refresh_from_db()
    assert not returned_before.is_open_for_department()
    with pytest.raises(Locked):
        progress_entry_save(entry=draft, user=editor, comment="<p>x</p>", assessment=None, expected_version=1)
    with pytest.raises(Locked):
        progress_entry_save(
            entry=returned_before,
            user=editor,
            comment="<p>x</p>",
            assessment=None,
            expected_version=returned_before.version,
        )
    # A reviewer returns one row after the close: that row, and only it, opens.
    reopened = reviewable_transition(obj=submitted, action="return", user=people["reviewer"], reason="Rätta siffran")
    saved = progress_entry_save(
        entry=reopened, user=editor, comment="<p>Rättat</p>", assessment=None, expected_version=reopened.version
    )
    assert reviewable_transition(obj=saved, action="submit", user=editor).status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_leave_one_transition_on_record(demo):
    people = {"editor": User.objects.get(username="redaktor"), "reviewer": User.objects.get(username="granskare")}
    second = User.objects.create(username="granskare2", first_name="Gustav", last_name="Granskare")
    from commitments.models import Membership

    Membership.objects.create(user=second, committee=demo, role="reviewer")
    entry = entry_in("submitted", people)
    barrier = threading.Barrier(2)
    results = []

    def approve(user):
        try:
            barrier.wait(timeout=10)
            reviewable_transition(obj=entry, action="approve", user=user, expected_version=entry.version)
            results.append("approved")
        except (InvalidTransition, Conflict):
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (people["reviewer"], second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["approved", "refused"]
    assert Event.objects.filter(type="entry.approve", object_id=entry.pk).count() == 1


def test_committee_admin_closes_and_reopens_a_period_on_record(committee_admin, reviewer):
    from commitments.services import period_close, period_reopen

    period = ReportingPeriod.objects.get(slug="2019-helar")
    with pytest.raises(PermissionDenied):
        period_close(period=period, user=reviewer)
    closed = period_close(period=period, user=committee_admin)
    assert not closed.is_open_for_entries()
    with pytest.raises(InvalidTransition):
        period_close(period=closed, user=committee_admin)
    period_reopen(period=closed, user=committee_admin)
    assert list(Event.objects.filter(period=period).values_list("type", "from_state", "to_state")) == [
        ("period.reopen", "closed", "open"),
        ("period.close", "open", "closed"),
    ]


def test_committee_log_lists_and_filters_the_events(client, people, reviewer):
    from django.urls import reverse

    entry_in("approved", people)
    client.force_login(reviewer)
    url = reverse("commitments:event_log", args=["asn"])
    html = client.get(url).content.decode()
    rows = html.split("<tbody>", 1)[1]  # the filter above the table names every type of event
    assert "Inrapportering godkänd" in rows
    assert "Greta Granskare" in rows
    only_submits = client.get(url, {"type": "entry.submit"})
    assert {e.type for e in only_submits.context["page_obj"]} == {"entry.submit"}
    client.force_login(people["editor"])
    assert client.get(url).status_code == 404


def test_committee_admin_closes_the_period_from_the_list(client, committee_admin, people):
    from django.urls import reverse

    client.force_login(committee_admin)
    list_url = reverse("followup:list", args=["asn", "2019-helar"])
    assert "Stäng perioden för inrapportering" in client.get(list_url).content.decode()
    response = client.post(
        reverse("followup:period_status", args=["asn", "2019-helar"]), {"action": "close"}, follow=True
    )
    assert "Perioden är stängd" in response.content.decode()
    assert ReportingPeriod.objects.get(slug="2019-helar").status == "closed"
    client.force_login(people["editor"])
    forbidden = client.post(reverse("followup:period_status", args=["asn", "2019-helar"]), {"action": "reopen"})
    assert forbidden.status_code == 403


def test_thread_of_a_returned_entry(client, people, reader):
    from django.urls import reverse

    entry = entry_in("returned", people)
    url = reverse("followup:entry_message", args=["asn", "2019-helar", "A05", "AMA"])
    page_url = reverse("followup:entry", args=["asn", "2019-helar", "A05", "AMA"])
    list_url = reverse("followup:list", args=["asn", "2019-helar"])
    client.force_login(people["editor"])
    assert "Skäl: Skäl" in client.get(list_url).content.decode()
    client.post(url, {"text": "Vi kompletterar i morgon."})
    client.force_login(people["reviewer"])
    client.post(url, {"text": "Tack, det går bra."})
    html = client.get(page_url).content.decode()
    assert html.index("Vi kompletterar i morgon.") < html.index("Tack, det går bra.")
    assert list(entry.messages.values_list("author__username", flat=True)) == ["redaktor", "granskare"]
    client.force_login(reader)
    assert client.post(url, {"text": "Får jag?"}).status_code == 403
    client.force_login(people["editor"])
    response = client.post(url, {"text": "x" * 4001}, follow=True)
    assert "för långt" in response.content.decode()
    assert entry.messages.count() == 2


def test_the_thread_is_read_only_for_an_entry_that_has_one(client, people):
    """Most entries have no thread: their page asks no query of it; a message or a reason alone makes one."""
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    entry_in("draft", people)
    page_url = reverse("followup:entry", args=["asn", "2019-helar", "A05", "AMA"])
    client.force_login(people["reviewer"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url).status_code == 200
    thread_reads = [q["sql"] for q in captured if q["sql"].startswith('SELECT "commitments_entrymessage"')]
    assert thread_reads == []
    message_url = reverse("followup:entry_message", args=["asn", "2019-helar", "A05", "AMA"])
    client.post(message_url, {"text": "Bara en fråga."})
    assert "Bara en fråga." in client.get(page_url).content.decode()
    other = entry_in("approved", people, "A06")
    other_url = reverse("followup:entry", args=["asn", "2019-helar", "A06", "AMA"])
    with CaptureQueriesContext(connection) as captured:  # submitted and approved: steps, but no thread
        assert client.get(other_url).status_code == 200
    assert not [q["sql"] for q in captured if q["sql"].startswith('SELECT "commitments_entrymessage"')]
    reviewable_transition(obj=other, action="reopen", user=people["reviewer"], reason="Siffrorna ändrades.")
    html = client.get(other_url).content.decode()
    assert "Siffrorna ändrades." in html


def test_staff_reviewer_takes_the_review_steps_as_admin_actions(client, people):
    from django.urls import reverse

    reviewer = people["reviewer"]
    User.objects.filter(pk=reviewer.pk).update(is_staff=True)
    first, second = entry_in("submitted", people), entry_in("submitted", people, "A06")
    client.force_login(reviewer)
    changelist = reverse("admin:commitments_progressentry_changelist")
    assert client.get(changelist).status_code == 200
    # Return with a reason: a page asks for it first.
    asked = client.post(changelist, {"action": "return_selected", "_selected_action": [first.pk]})
    assert "Skäl till avdelningen" in asked.content.decode()
    client.post(
        changelist,
        {"action": "return_selected", "_selected_action": [first.pk], "apply": "1", "reason": "Saknar siffror"},
    )
    client.post(changelist, {"action": "approve_selected", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("returned", "approved")
    assert Event.objects.filter(object_id=first.pk, type="entry.return", reason="Saknar siffror").exists()
    # Entries are read-only in the admin; history and events have no admin at all.
    assert client.get(reverse("admin:commitments_progressentry_change", args=[first.pk])).status_code == 200
    assert client.post(reverse("admin:commitments_progressentry_change", args=[first.pk]), {}).status_code == 403
    from django.contrib import admin

    assert Event not in admin.site._registry
    assert ProgressEntry.history.model not in admin.site._registry


def outcome_in(state: str, people):
    from indicators.models import Indicator
    from indicators.selectors import outcome_get_or_new
    from indicators.services import outcome_save

    period = ReportingPeriod.objects.get(slug="2019-helar")
    outcome = outcome_get_or_new(
        indicator=Indicator.objects.get(plan=period.plan, code="MI07"), period=period,
        department=Department.objects.get(code="AMA"),
    )  # fmt: skip
    outcome = outcome_save(outcome=outcome, user=people["editor"], data={"value": 1700}, expected_version=0)
    for action, role in PATHS[state]:
        outcome = reviewable_transition(obj=outcome, action=action, user=people[role], reason="Skäl")
    return outcome


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_outcomes_follow_the_same_table(state, action, people):
    outcome = outcome_in(state, people)
    sources, target = TRANSITIONS[action]
    user = people[ACTOR[action]]
    if state in sources:
        moved = reviewable_transition(obj=outcome, action=action, user=user, reason="Skäl")
        assert moved.status == target
        assert Event.objects.filter(type=f"outcome.{action}", object_id=outcome.pk, to_state=target).exists()
    else:
        with pytest.raises(InvalidTransition):
            reviewable_transition(obj=outcome, action=action, user=user, reason="Skäl")


def page_data(response) -> dict:
    """What the browser posts from a follow-up page as it was shown: every form's fields with their values."""
    data = {}
    for form in response.context["forms"].values():
        for name in form.fields:
            value = form[name].value()
            if value not in (None, ""):
                data[form.add_prefix(name)] = value
    return data


def test_an_empty_entry_cannot_be_submitted_through_the_page(client, people):
    from django.urls import reverse

    from indicators.models import Outcome

    period = ReportingPeriod.objects.get(slug="2019-helar")
    rows = {"commitment__code": "A05", "department__code": "AMA", "period": period}
    url = reverse("followup:entry", args=["asn", "2019-helar", "A05", "AMA"])
    client.force_login(people["editor"])
    events_before = Event.objects.count()
    response = client.post(url, {**page_data(client.get(url)), "comment": "", "action": "submit"})
    assert response.status_code == 400
    html = response.content.decode()
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Skriv en kommentar eller välj en bedömning innan du skickar in." in summary
    # Every problem at once: A05's own indicators have neither an outcome nor a reason why not.
    assert summary.count("ange utfallet, eller skriv varför det saknas.") == 2
    assert not ProgressEntry.objects.filter(**rows).exists()
    outcomes = Outcome.objects.filter(period=period, department__code="AMA", indicator__commitment__code="A05")
    assert not outcomes.exists()
    assert Event.objects.count() == events_before

    # A saved draft stays a draft, as it was, when its comment is emptied and it is submitted.
    entry = entry_in("draft", people)
    version = entry.version
    response = client.post(url, {**page_data(client.get(url)), "comment": "", "action": "submit"})
    assert response.status_code == 400
    summary = response.content.decode().split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Skriv en kommentar eller välj en bedömning innan du skickar in." in summary
    entry.refresh_from_db()
    assert (entry.status, entry.version, entry.comment) == ("draft", version, "<p>Text</p>")
    assert {o.status for o in outcomes_of(entry)} == {"draft"}
    assert Event.objects.count() == events_before


@pytest.mark.parametrize("action", ["return", "reopen"])
def test_admin_actions_return_and_reopen_move_the_entrys_outcomes_too(client, people, action):
    from django.urls import reverse

    from indicators.models import Indicator
    from indicators.selectors import outcome_get_or_new
    from indicators.services import outcome_save

    reviewer = people["reviewer"]
    User.objects.filter(pk=reviewer.pk).update(is_staff=True)
    entry = entry_in("draft", people)
    # A goal indicator's outcome on the entry's page belongs to the entry as well.
    period = entry.period
    outcome_save(
        outcome=outcome_get_or_new(
            indicator=Indicator.objects.get(plan=period.plan, code="MI07"), period=period, department=entry.department
        ),
        user=people["editor"], data={"value": 1700}, expected_version=0,
    )  # fmt: skip
    for step, role in PATHS["submitted" if action == "return" else "approved"]:
        entry = reviewable_transition(obj=entry, action=step, user=people[role])
    outcomes = outcomes_of(entry)
    assert len(outcomes) == 3
    assert {o.status for o in outcomes} == {"submitted" if action == "return" else "approved"}
    client.force_login(reviewer)
    changelist = reverse("admin:commitments_progressentry_changelist")
    response = client.post(
        changelist,
        {"action": f"{action}_selected", "_selected_action": [entry.pk], "apply": "1", "reason": "Saknar siffror"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "returned"
    assert [o.status for o in outcomes_of(entry)] == ["returned"] * 3
    for outcome in outcomes:
        assert Event.objects.filter(
            type=f"outcome.{action}", object_id=outcome.pk, to_state="returned", reason="Saknar siffror"
        ).exists()


def test_the_log_row_names_the_commitment_and_department_and_links_to_the_entry(client, people):
    import re

    from django.urls import reverse

    entry = entry_in("approved", people)
    event = Event.objects.get(type="entry.approve", object_id=entry.pk)
    link = reverse("commitments:event_subject", args=["asn", event.pk])
    client.force_login(people["reviewer"])
    html = client.get(reverse("commitments:event_log", args=["asn"])).content.decode()
    assert "Gäller" in html
    (row,) = [r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.DOTALL) if f'href="{link}"' in r]
    assert "Inrapportering godkänd" in row
    assert "A05" in row
    assert "Arbetsmarknadsavdelningen" in row
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("followup:entry", args=["asn", "2019-helar", "A05", "AMA"])
    assert client.get(response["Location"]).status_code == 200
    client.force_login(people["editor"])  # the log is for reviewers and admins
    assert client.get(link).status_code == 404
