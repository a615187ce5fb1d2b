"""
The seams of the review workflow: a page read before its rows moved saves nothing and says
so; outcomes are read-only while the rows that hold them are submitted or approved; nobody
approves their own work unless the committee allows it; bulk approval takes only ids it reads.
"""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from commitments.models import Committee, Department, Event, Membership, ProgressEntry, ReportingPeriod
from commitments.workflow import Locked, OwnWork, available_actions, reviewable_transition
from followup.views import EntryView
from indicators.models import Indicator, Outcome
from indicators.selectors import outcome_get_or_new
from indicators.services import entries_approve, outcome_save
from tests.indicators.test_entry_views import entry_form_data, entry_url, outcomes_missing

pytestmark = pytest.mark.django_db

SAVED = "Ditt utkast är sparat."
NOTHING_SAVED = "Ingenting sparades; kopiera det du har skrivit."


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def entry(code="A05", period="2019-helar") -> ProgressEntry | None:
    return ProgressEntry.objects.filter(period__slug=period, commitment__code=code, department__code="AMA").first()


def outcome(code: str, period="2019-helar") -> Outcome | None:
    return Outcome.objects.filter(period__slug=period, indicator__code=code, department__code="AMA").first()


def submitted_by_page(client, code="A05", **changes) -> ProgressEntry:
    url = entry_url(code)
    data = entry_form_data(client, url, action="submit", **outcomes_missing(client, url), **changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return entry(code)


@pytest.fixture
def writing_reviewer(demo) -> User:
    """A committee admin who gave themself the editor role in AMA and the reviewer role."""
    user = User.objects.get(username="admin")
    ama = Department.objects.get(committee=demo, code="AMA")
    Membership.objects.create(user=user, committee=demo, department=ama, role=Membership.Role.EDITOR)
    Membership.objects.create(user=user, committee=demo, role=Membership.Role.REVIEWER)
    return user


# Finding 2: a save that says it saved and did not.


def test_an_outcome_submitted_with_another_entry_meanwhile_refuses_the_old_page_and_keeps_the_text(editor):
    """
    MI10 is a goal indicator on the entry pages of both A06 and A07. A page of A07 read
    before A06 was submitted with MI10 saves nothing, not even A07's comment: 409 naming
    MI10, with what was typed still in the forms, and no "saved" message.
    """
    old, other = Client(), Client()
    old.force_login(editor)
    other.force_login(editor)
    url = entry_url("A07")
    stale = entry_form_data(
        old, url, comment="<p>A07 i gamla fliken</p>", **{"o-MI10-comment": "<p>MI10 i gamla fliken</p>"}
    )
    submitted_by_page(other, "A06", comment="<p>A06</p>", **{"o-MI10-value": "17"})
    assert outcome("MI10").status == "submitted"
    mi10_before = outcome("MI10").version

    response = old.post(url, stale)

    assert response.status_code == 409
    html = response.content.decode()
    assert NOTHING_SAVED in html
    assert "Den är inskickad för granskning." in html
    assert "A07 i gamla fliken" in html
    assert "MI10 i gamla fliken" in html
    assert SAVED not in messages_of(response)
    assert entry("A07") is None  # all or nothing: the entry's own part was not saved either
    assert outcome("MI10").version == mi10_before
    assert outcome("MI10").comment != "<p>MI10 i gamla fliken</p>"


@pytest.mark.parametrize("elsewhere", ["submit", "approve"])
def test_a_page_read_just_before_its_entry_moved_saves_none_of_its_parts(editor, reviewer, monkeypatch, elsewhere):
    """
    The entry is submitted (or submitted and approved) between the moment the POST reads it
    and the save: a changed outcome never saved before (MI07) is refused, and so is a changed
    comment (a conflict); 409 both, nothing written, no "saved" message, the text kept.
    """
    client = Client()
    client.force_login(editor)
    url = entry_url()
    first = entry_form_data(client, url, comment="<p>Utkast</p>", **outcomes_missing(client, url))
    assert client.post(url, first).status_code == 302
    get_object = EntryView.get_object

    def moved_after_reading(self, request, kwargs):
        row = get_object(self, request, kwargs)
        moved = reviewable_transition(obj=entry(), action="submit", user=editor)
        if elsewhere == "approve":
            reviewable_transition(obj=moved, action="approve", user=reviewer)
        return row

    for changes in ({"o-MI07-comment": "<p>Ny kommentar om MI07</p>"}, {"comment": "<p>Ändrat i gamla fliken</p>"}):
        if entry().status != "draft":  # back to the department for the next try
            action = "reopen" if entry().status == "approved" else "return"
            reviewable_transition(obj=entry(), action=action, user=reviewer, reason="En gång till")
        data = entry_form_data(client, url, **changes)
        assert "o-MI07-version" in data  # the page holds the form of an outcome never saved
        monkeypatch.setattr(EntryView, "get_object", moved_after_reading)
        response = client.post(url, data)
        monkeypatch.setattr(EntryView, "get_object", get_object)

        assert response.status_code == 409, changes
        assert SAVED not in messages_of(response)
        typed = next(iter(changes.values())).removeprefix("<p>").removesuffix("</p>")
        assert typed in response.content.decode()
        assert entry().comment == "<p>Utkast</p>"
        assert outcome("MI07") is None


# Finding 6: outcomes editable after approval.


def test_an_outcome_of_an_approved_entry_cannot_be_saved_or_submitted_on_its_own(editor, reviewer):
    """
    A05 is approved while its goal indicator MI07 has no outcome: the outcome service refuses
    to write one, and one written before the rule (a draft) cannot be submitted on its own.
    """
    client = Client()
    client.force_login(editor)
    a05 = submitted_by_page(client, comment="<p>Klart</p>")
    reviewable_transition(obj=a05, action="approve", user=reviewer)
    mi07 = outcome_get_or_new(
        indicator=Indicator.objects.get(plan__year=2019, code="MI07"),
        period=ReportingPeriod.objects.get(slug="2019-helar"),
        department=Department.objects.get(code="AMA"),
    )
    with pytest.raises(Locked, match="godkänd"):
        outcome_save(outcome=mi07, user=editor, data={"value": 1700}, expected_version=0)
    assert outcome("MI07") is None

    # A draft left from before (the row as an old save left it) stays a draft.
    mi07.version, mi07.updated_by = 1, editor
    mi07.save()
    with pytest.raises(Locked, match="A05"):
        reviewable_transition(obj=mi07, action="submit", user=editor)
    with pytest.raises(Locked):
        outcome_save(outcome=mi07, user=editor, data={"value": 1700}, expected_version=1)
    mi07.refresh_from_db()
    assert (mi07.status, mi07.value) == ("draft", None)

    # Reopened, the department can write it again, and it moves with the entry.
    reviewable_transition(obj=entry(), action="reopen", user=reviewer, reason="Lägg till MI07")
    outcome_save(outcome=mi07, user=editor, data={"value": 1700}, expected_version=1)
    reviewable_transition(obj=entry(), action="submit", user=editor)
    assert outcome("MI07").status == "submitted"

    # MI10 is on A06's and A07's pages: with A06 approved without it, A07 still reports it, and
    # once both are approved it is read-only too.
    a06 = submitted_by_page(client, "A06", comment="<p>A06</p>")
    reviewable_transition(obj=a06, action="approve", user=reviewer)
    a07 = submitted_by_page(client, "A07", comment="<p>A07</p>", **{"o-MI10-value": "12"})
    assert outcome("MI10").status == "submitted"
    reviewable_transition(obj=a07, action="approve", user=reviewer)
    assert outcome("MI10").status == "approved"
    # Both holders approved: the outcome is read-only on every path.
    with pytest.raises(Locked):
        outcome_save(
            outcome=outcome("MI10"), user=editor, data={"value": 13}, expected_version=outcome("MI10").version
        )


def test_an_outcome_of_a_submitted_entry_cannot_be_saved_through_the_service(editor):
    """The service refuses what the page would: an outcome whose entry is submitted is not written behind it."""
    client = Client()
    client.force_login(editor)
    submitted_by_page(client, comment="<p>Inskickat</p>")
    mi08 = outcome_get_or_new(
        indicator=Indicator.objects.get(plan__year=2019, code="MI08"),
        period=ReportingPeriod.objects.get(slug="2019-helar"),
        department=Department.objects.get(code="AMA"),
    )
    with pytest.raises(Locked, match="inskickad"):
        outcome_save(outcome=mi08, user=editor, data={"value": 5}, expected_version=0)
    assert outcome("MI08") is None


# Finding 5: four eyes.


def test_a_reviewer_who_submitted_an_entry_is_not_offered_approve_and_cannot_approve_it(writing_reviewer, reviewer):
    client = Client()
    client.force_login(writing_reviewer)
    a05 = submitted_by_page(client, comment="<p>Skrivet och inskickat av Alva</p>")
    url = entry_url()

    page = client.get(url)
    assert [a.name for a in page.context["review_actions"]] == ["return"]
    assert "en annan granskare måste godkänna den" in page.content.decode()

    response = client.post(url, {"action": "approve", "version": a05.version})
    assert response.status_code == 302
    assert "en annan granskare måste godkänna den" in " ".join(messages_of(response))
    assert entry().status == "submitted"
    with pytest.raises(OwnWork):
        reviewable_transition(obj=a05, action="approve", user=writing_reviewer)

    # The bulk approval skips it and says why; so does the admin's action.
    response = client.post(
        reverse("followup:bulk_approve", args=["asn", "2019-helar"]), {"entry": [f"{a05.pk}:{a05.version}"]}
    )
    assert "1 godkändes inte eftersom du själv skrev eller skickade in den" in " ".join(messages_of(response))
    assert "A05 (AMA)" in " ".join(messages_of(response))
    assert entry().status == "submitted"
    writing_reviewer.is_staff = True
    writing_reviewer.save()
    response = client.post(
        reverse("admin:commitments_progressentry_changelist"),
        {"action": "approve_selected", "_selected_action": [a05.pk]},
        follow=True,
    )
    assert "1 godkändes inte eftersom du själv skrev eller skickade in den" in response.content.decode()
    assert entry().status == "submitted"
    assert not Event.objects.filter(type="entry.approve", object_id=a05.pk).exists()

    # Another reviewer approves it.
    assert [a.name for a in available_actions(entry(), reviewer)] == ["approve", "return"]
    reviewable_transition(obj=entry(), action="approve", user=reviewer, expected_version=a05.version)
    assert entry().status == "approved"


def test_who_last_wrote_the_comment_or_an_outcome_cannot_approve_what_a_colleague_submitted(
    writing_reviewer, editor, reviewer
):
    alva, rasmus = Client(), Client()
    alva.force_login(writing_reviewer)
    rasmus.force_login(editor)
    url = entry_url()
    # Alva writes the outcome, Rasmus the comment and submits: Alva's outcome is part of what is approved.
    assert alva.post(url, entry_form_data(alva, url, **{"o-AI1-value": "40"})).status_code == 302
    a05 = submitted_by_page(rasmus, comment="<p>Rasmus skrev</p>")
    assert entry().updated_by == editor
    # The page asks it of the outcomes it shows (not read again), as the transition does.
    page = alva.get(url)
    assert [a.name for a in page.context["review_actions"]] == ["return"]
    assert "en annan granskare måste godkänna den" in page.content.decode()
    with pytest.raises(OwnWork):
        reviewable_transition(obj=a05, action="approve", user=writing_reviewer)
    reviewable_transition(obj=a05, action="return", user=reviewer, reason="Mer om unga")

    # Alva writes the comment, Rasmus submits it unchanged: still Alva's work.
    assert alva.post(url, entry_form_data(alva, url, comment="<p>Alva skrev</p>")).status_code == 302
    a05 = submitted_by_page(rasmus)
    assert entry().comment == "<p>Alva skrev</p>"
    with pytest.raises(OwnWork):
        reviewable_transition(obj=a05, action="approve", user=writing_reviewer)
    assert entry().status == "submitted"


def test_a_committee_may_allow_approving_own_work_and_the_log_says_when_it_was_used(writing_reviewer, demo):
    Committee.objects.filter(pk=demo.pk).update(approve_own_work=True)
    client = Client()
    client.force_login(writing_reviewer)
    a05 = submitted_by_page(client, comment="<p>Liten förvaltning</p>")
    assert "approve" in [a.name for a in available_actions(entry(), writing_reviewer)]
    response = client.post(entry_url(), {"action": "approve", "version": a05.version})
    assert response.status_code == 302
    assert entry().status == "approved"
    event = Event.objects.get(type="entry.approve", object_id=a05.pk)
    assert event.own_work
    assert Event.objects.filter(type="outcome.approve", own_work=True).count() == 2  # AI1, AI2 moved with it
    history = client.get(reverse("followup:entry_history", args=["asn", "2019-helar", "A05", "AMA"]))
    assert "Godkänd av någon som själv skrev eller skickade in den" in history.content.decode()


def test_the_committee_admin_page_offers_the_setting(client, demo):
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    html = client.get(reverse("admin:commitments_committee_change", args=[demo.pk])).content.decode()
    assert 'name="approve_own_work"' in html
    assert "ingen godkänner det den själv har skickat in eller senast ändrat" in html


# Finding 9 (part): bulk approval takes only ids it can read.


@pytest.mark.parametrize("value", ["99999999999999999999:1", "²:1", "12:²", "abc:1", "12"])
def test_bulk_approval_with_an_id_it_cannot_read_approves_nothing_and_says_so(editor, reviewer, value):
    department = Client()
    department.force_login(editor)
    a05 = submitted_by_page(department, comment="<p>Klar</p>")
    client = Client()
    client.force_login(reviewer)
    response = client.post(
        reverse("followup:bulk_approve", args=["asn", "2019-helar"]), {"entry": [f"{a05.pk}:{a05.version}", value]}
    )
    assert response.status_code == 302
    assert "Listan som skickades gick inte att läsa; ingenting godkändes." in " ".join(messages_of(response))
    assert entry().status == "submitted"


def test_entries_approve_reports_own_work_apart(writing_reviewer, reviewer):
    client = Client()
    client.force_login(writing_reviewer)
    a05 = submitted_by_page(client, comment="<p>Alva</p>")
    result = entries_approve(user=writing_reviewer, period=a05.period, seen={a05.pk: a05.version})
    assert (result.approved, result.refused, result.own_work) == ([], [], [a05])
    result = entries_approve(user=reviewer, period=a05.period, seen={a05.pk: a05.version})
    assert result.approved == [a05]
