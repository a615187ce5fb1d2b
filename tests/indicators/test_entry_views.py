"""The department's pages: the list of commitments, the entry page, the conflict page, the history."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from commitments.models import Commitment, Department, ProgressEntry, ReportingPeriod
from indicators.models import Indicator, Outcome

pytestmark = pytest.mark.django_db


def list_url(period="2019-jan-aug"):
    return reverse("followup:list", args=["asn", period])


def entry_url(commitment="A05", department="AMA", period="2019-helar"):
    return reverse("followup:entry", args=["asn", period, commitment, department])


def entry_form_data(client, url, **changes):
    """Return the entry page's forms as the browser would post them, with ``changes``."""
    forms = client.get(url).context["forms"]  # by target: "" the entry's own, an indicator's code its outcome's
    assert "" in forms, "the user has no entry form on the page"
    data = {}
    for form in forms.values():
        for name, value in form.initial.items():
            if value is not None:
                data[form.add_prefix(name)] = value
    data.update(changes)
    return data


def outcomes_missing(client, url, reason="Mäts vid årets slut."):
    """Return the form data saying why each indicator of the commitment has no outcome yet (so it can be submitted)."""
    context = client.get(url).context
    commitment_id = context["entry"].commitment_id
    return {
        form.add_prefix("unavailable_reason"): reason
        for line, form in context["lines"]
        if form is not None and line.indicator.commitment_id == commitment_id and not line.outcome.has_content()
    }


def test_editor_sees_their_departments_commitments_with_status(client, editor):
    client.force_login(editor)
    response = client.get(list_url())
    rows = response.context["rows"]
    assert {row.department.code for row in rows} == {"AMA"}
    assert [row.commitment.code for row in rows] == ["A03", "A05", "A06", "A07", "A08"]
    # The January–August comment on A03 was written by EBB, the other responsible department.
    assert [row.status for row in rows] == ["not_started", "approved", "approved", "approved", "approved"]
    html = response.content.decode()
    assert "Godkänd" in html
    assert "1 inrapportering kvar att skicka in" in html


def test_each_row_shows_its_entry_as_the_entry_itself_is(client, editor, reviewer):
    """The list reads each entry with its rows (in part): what it shows is the entry's, the rest is read if asked."""
    client.force_login(editor)
    url = entry_url()
    level = ReportingPeriod.objects.get(slug="2019-helar").plan.commitment_scale.values.last()
    data = entry_form_data(client, url, comment="<p>Pågår.</p>", assessment=level.pk)
    assert client.post(url, data).status_code == 302
    client.force_login(reviewer)
    response = client.get(list_url("2019-helar"))
    row = next(r for r in response.context["rows"] if (r.commitment.code, r.department.code) == ("A05", "AMA"))
    entry = ProgressEntry.objects.select_related("assessment", "updated_by").get(pk=row.entry_id)
    listed = row.entry
    assert (listed.pk, listed.version, listed.status, listed.returned_at, listed.updated_at) == (
        entry.pk, entry.version, entry.status, entry.returned_at, entry.updated_at,
    )  # fmt: skip
    assert (listed.assessment, listed.updated_by, str(listed.updated_by)) == (level, editor, "Rasmus Redaktör")
    html = response.content.decode()
    assert f"{level.label}</td>" in html
    assert '<span class="muted">Rasmus Redaktör</span>' in html
    assert listed.comment == "<p>Pågår.</p>"  # not listed: read when asked for
    assert [r.entry for r in response.context["rows"] if r.entry_id is None] == [None] * 35


def test_reviewer_sees_every_commitment_and_department(client, reviewer):
    client.force_login(reviewer)
    rows = client.get(list_url()).context["rows"]
    assert len(rows) == 36  # 34 commitments, two of them with two departments
    assert client.get(list_url("2019-helar")).context["counts"]["not_started"] == 36


def test_list_filters_by_status_goal_area_department_and_search(client, reviewer, demo):
    client.force_login(reviewer)
    area = demo.plans.get(year=2019).goal_areas.get(code="MO2")
    # MO2 holds NM03–NM06 with A03 (EBB and AMA), A04, A05, A06, A07, A08.
    assert len(client.get(list_url(), {"goal_area": area.pk}).context["rows"]) == 7
    assert len(client.get(list_url(), {"status": "draft"}).context["rows"]) == 0
    ifo = demo.departments.get(code="IFO")
    assert {r.department.code for r in client.get(list_url(), {"department": ifo.pk}).context["rows"]} == {"IFO"}
    found = client.get(list_url(), {"q": "jourhem"}).context["rows"]
    assert [r.commitment.code for r in found] == ["A09"]


def test_list_query_count_does_not_grow_with_the_data(client, reviewer, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CommitmentFactory, GoalFactory

    client.force_login(reviewer)
    client.get(list_url())  # the session's first request reads the user once more
    cache.clear()  # both requests read the plan (a changed plan is read again)
    with CaptureQueriesContext(connection) as before:
        client.get(list_url())
    plan = reviewer.memberships.get().committee.plans.get(year=2019)
    with django_capture_on_commit_callbacks(execute=True):  # the plan's change, committed
        goal = GoalFactory(goal_area=plan.goal_areas.first(), plan=plan)
        for _ in range(5):
            CommitmentFactory(goal=goal, plan=plan, departments=[plan.committee.departments.get(code="AMA")])
    with CaptureQueriesContext(connection) as after:
        response = client.get(list_url())
    assert len(response.context["rows"]) == 41
    extra = [q["sql"] for q in after.captured_queries[len(before.captured_queries) :]]
    assert len(after.captured_queries) == len(before.captured_queries) <= 20, extra


def test_editor_saves_a_draft_and_sees_it_after_reload(client, editor):
    client.force_login(editor)
    url = entry_url()
    data = entry_form_data(
        client,
        url,
        comment="<p>Arbetet pågår med <em>Ung Malmö</em>.</p><ul><li>Första steget</li></ul>",
        **{"o-AI1-numerator": "116", "o-AI1-denominator": "628", "o-AI1-numerator_female": "52",
           "o-AI1-denominator_female": "257", "o-AI1-numerator_male": "64", "o-AI1-denominator_male": "371"},
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(url)
    html = page.content.decode()
    assert "Ditt utkast är sparat." in html
    assert "&lt;em&gt;Ung Malmö&lt;/em&gt;" in html  # in the editor's textarea
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert entry.comment == "<p>Arbetet pågår med <em>Ung Malmö</em>.</p><ul><li>Första steget</li></ul>"
    outcome = Outcome.objects.get(indicator__code="AI1", period__slug="2019-helar")
    assert (outcome.value, outcome.value_female, outcome.value_male) == (18, 20, 17)
    assert outcome.updated_by == editor


def test_bad_outcome_keeps_what_was_typed_and_says_why(client, editor):
    client.force_login(editor)
    url = entry_url()
    data = entry_form_data(
        client,
        url,
        comment="<p>Min text som inte får försvinna</p>",
        **{"o-AI1-numerator": "116", "o-AI1-denominator": "628", "o-AI1-numerator_female": "80",
           "o-AI1-denominator_female": "257", "o-AI1-numerator_male": "64", "o-AI1-denominator_male": "371",
           "o-MI07-value": "tolv"},
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fyll i ett tal." in html
    assert "mer än totalen" in html  # the service's check of the other outcome, in the same answer
    assert "Min text som inte får försvinna" in html
    assert 'value="tolv"' in html
    data["o-MI07-value"] = "1 800"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "mer än totalen" in response.content.decode()
    assert 'value="80"' in response.content.decode()
    assert not ProgressEntry.objects.filter(period__slug="2019-helar").exists()


def test_second_save_after_another_gets_the_conflict_page_and_can_merge(editor):
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(editor)
    url = entry_url()
    data_first = entry_form_data(first, url, comment="<p>Annas version</p>")
    data_second = entry_form_data(second, url, comment="<p>Bos version</p>")
    assert first.post(url, data_first).status_code == 302
    response = second.post(url, data_second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Någon annan har sparat" in html
    assert "Annas version" in html  # the saved text
    assert "Bos version" in html  # the user's own, still in the form
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert entry.comment == "<p>Annas version</p>"
    merged = dict(data_second, comment="<p>Annas version</p><p>Bos version</p>", version=entry.version)
    assert second.post(url, merged).status_code == 302
    entry.refresh_from_db()
    assert entry.comment == "<p>Annas version</p><p>Bos version</p>"
    assert entry.history.count() == 2


def test_reader_sees_the_entry_read_only(client, reader):
    client.force_login(reader)
    response = client.get(entry_url(period="2019-jan-aug"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-warn-unsaved" not in html
    assert "Ung Malmö" in html
    assert client.post(entry_url(period="2019-jan-aug"), {}).status_code == 403


def test_post_to_a_closed_period_saves_nothing_and_keeps_the_text(client, editor):
    client.force_login(editor)
    # AMA has written nothing on A03 in January–August, which is closed.
    assert not ProgressEntry.objects.filter(
        period__slug="2019-jan-aug", commitment__code="A03", department__code="AMA"
    ).exists()
    # The page as it was before the period closed: the entry's form and one form per indicator (MI03–MI06).
    data = {"comment": "<p>Min kommentar</p>", "version": 0, "o-MI03-comment": "<p>Sent ute</p>"}
    data |= {f"o-{code}-version": 0 for code in ("MI03", "MI04", "MI05", "MI06")}
    response = client.post(entry_url("A03", period="2019-jan-aug"), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Perioden är stängd" in html
    assert "Ingenting sparades; kopiera det du har skrivit." in html
    assert "Sent ute" in html
    assert "Min kommentar" in html
    assert not ProgressEntry.objects.filter(
        period__slug="2019-jan-aug", commitment__code="A03", department__code="AMA"
    ).exists()
    assert not Outcome.objects.filter(
        period__slug="2019-jan-aug", indicator__code="MI03", department__code="AMA"
    ).exists()

    # An approved entry of the closed period: refused the same way, saying why.
    before = ProgressEntry.objects.get(period__slug="2019-jan-aug", commitment__code="A05")
    data = {"comment": "<p>Sent ute</p>", "version": before.version}
    data |= {f"o-{code}-version": 0 for code in ("MI07", "MI08", "MI09")}  # the goal's indicators, not yet reported
    response = client.post(entry_url(period="2019-jan-aug"), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Den är godkänd." in html
    assert "Ingenting sparades; kopiera det du har skrivit." in html
    assert "Sent ute" in html
    assert ProgressEntry.objects.get(pk=before.pk).version == before.version


def test_submitted_outcome_is_shown_read_only_and_the_rest_can_be_saved(client, editor):
    from commitments.workflow import reviewable_transition
    from indicators.selectors import outcome_get_or_new
    from indicators.services import outcome_save

    period_url = entry_url()
    outcome = outcome_get_or_new(
        indicator=Indicator.objects.get(plan__year=2019, code="MI07"),
        period=ReportingPeriod.objects.get(slug="2019-helar"),
        department=Department.objects.get(code="AMA"),
    )
    outcome = outcome_save(outcome=outcome, user=editor, data={"value": 1700}, expected_version=0)
    reviewable_transition(obj=outcome, action="submit", user=editor)
    client.force_login(editor)
    page = client.get(period_url)
    assert [line.indicator.code for line, form in page.context["lines"] if form is None] == ["MI07"]
    data = entry_form_data(client, period_url, comment="<p>Kommentaren sparas ändå</p>")
    assert client.post(period_url, data).status_code == 302
    assert ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05").comment.startswith(
        "<p>Kommentaren"
    )


def test_stored_comment_is_escaped_where_it_must_be(client, editor):
    """Markup that got into the database by another path is still sanitised on the way out."""
    entry = ProgressEntry.objects.get(period__slug="2019-jan-aug", commitment__code="A05")
    ProgressEntry.objects.filter(pk=entry.pk).update(
        comment='<p>Ok</p><script>alert("x")</script><img src=x onerror=a()>'
    )
    client.force_login(editor)
    html = client.get(entry_url(period="2019-jan-aug")).content.decode()
    assert "<script>alert" not in html
    assert "onerror" not in html


def test_history_lists_versions_and_shows_a_diff(client, editor):
    client.force_login(editor)
    url = entry_url()
    client.post(url, entry_form_data(client, url, comment="<p>Vi har börjat arbetet.</p>"))
    client.post(url, entry_form_data(client, url, comment="<p>Vi har avslutat arbetet.</p>"))
    response = client.get(reverse("followup:entry_history", args=["asn", "2019-helar", "A05", "AMA"]))
    html = response.content.decode()
    assert len(response.context["history"].entry_versions) == 2
    assert '<del><span class="visually-hidden">borttaget: </span>börjat</del>' in html
    assert '<ins><span class="visually-hidden">tillagt: </span>avslutat</ins>' in html
    assert "Rasmus Redaktör" in html


def test_entry_page_query_count_is_fixed(client, editor, django_assert_max_num_queries):
    client.force_login(editor)
    with django_assert_max_num_queries(25):
        response = client.get(entry_url())
    assert len(response.context["lines"]) == 5


def test_other_committees_entries_do_not_exist_for_the_user(client, db):
    from commitments.models import Membership
    from tests.factories import CommitteeFactory, UserFactory

    outsider = UserFactory()
    Membership.objects.create(user=outsider, committee=CommitteeFactory(), role="reviewer")
    client.force_login(outsider)
    assert client.get(entry_url(period="2019-jan-aug")).status_code == 404
    assert client.get(list_url()).status_code == 404


def test_editor_of_another_department_reads_nothing_of_amas(client, demo):
    client.force_login(User.objects.get(username="redaktor-ebb"))
    assert client.get(entry_url(period="2019-jan-aug")).status_code == 404


def test_entry_page_query_count_does_not_grow_with_indicators(client, editor, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import IndicatorFactory

    client.force_login(editor)
    client.get(entry_url())
    cache.clear()  # both requests read the plan (a changed plan is read again)
    with CaptureQueriesContext(connection) as before:
        client.get(entry_url())
    commitment = Commitment.objects.get(plan__year=2019, code="A05")
    with django_capture_on_commit_callbacks(execute=True):  # the plan's change, committed
        for _ in range(5):
            IndicatorFactory(goal=commitment.goal, plan=commitment.plan, commitment=commitment, level="commitment")
    with CaptureQueriesContext(connection) as after:
        response = client.get(entry_url())
    assert len(response.context["lines"]) == 10
    extra = [q["sql"] for q in after.captured_queries[len(before.captured_queries) :]]
    assert len(after.captured_queries) == len(before.captured_queries), extra


def test_outcome_history_names_what_changed_between_versions(client, editor):
    client.force_login(editor)
    url = entry_url()
    client.post(url, entry_form_data(client, url, **{"o-MI07-value": "1 700"}))
    client.post(url, entry_form_data(client, url, **{"o-MI07-value": "1 750"}))
    response = client.get(reverse("followup:entry_history", args=["asn", "2019-helar", "A05", "AMA"]))
    (indicator, versions), *_ = response.context["history"].outcome_versions
    assert indicator.code == "MI07"
    assert versions[0].changes == [("utfall", "1700", "1750")]
    assert versions[0].who == editor


def test_submit_return_with_reason_edit_resubmit_and_approve(editor, reviewer):
    department_client, review_client = Client(), Client()
    department_client.force_login(editor)
    review_client.force_login(reviewer)
    url = entry_url()
    review_url = url  # reviewers post their steps to the entry page itself
    data = entry_form_data(
        department_client, url, comment="<p>Första versionen</p>", action="submit",
        **outcomes_missing(department_client, url),
    )  # fmt: skip
    assert department_client.post(url, data).status_code == 302
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert entry.status == "submitted"

    # Returning needs a reason; without one nothing happens.
    review_client.post(review_url, {"action": "return", "reason": "", "version": entry.version})
    entry.refresh_from_db()
    assert entry.status == "submitted"
    response = review_client.post(
        review_url, {"action": "return", "reason": "Beskriv resultatet för unga kvinnor.", "version": entry.version}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "returned"
    # The outcomes moved with the entry.
    assert set(Outcome.objects.filter(period__slug="2019-helar", indicator__code__in=["AI1", "AI2"])
               .values_list("status", flat=True)) == {"returned"}  # fmt: skip

    page = department_client.get(url).content.decode()
    assert "Beskriv resultatet för unga kvinnor." in page
    assert "Greta Granskare" in page
    data = entry_form_data(
        department_client, url, comment="<p>Andra versionen, med unga kvinnor.</p>", action="submit"
    )
    assert department_client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "submitted"

    # Approving from the version read before the resubmission approves nothing.
    review_client.post(review_url, {"action": "approve", "version": entry.version - 2})
    entry.refresh_from_db()
    assert entry.status == "submitted"
    review_client.post(review_url, {"action": "approve", "version": entry.version})
    entry.refresh_from_db()
    assert entry.status == "approved"
    assert set(Outcome.objects.filter(period__slug="2019-helar", indicator__code__in=["AI1", "AI2"])
               .values_list("status", flat=True)) == {"approved"}  # fmt: skip
    from commitments.models import Event

    events = Event.objects.filter(object_id=entry.pk, type__startswith="entry.")
    assert list(events.values_list("type", flat=True)) == [
        "entry.approve", "entry.submit", "entry.return", "entry.submit",
    ]  # fmt: skip


def test_reviewer_approves_ticked_entries_in_bulk_and_is_told_what_was_left(editor, reviewer):
    from commitments.workflow import reviewable_transition

    department_client, review_client = Client(), Client()
    department_client.force_login(editor)
    review_client.force_login(reviewer)
    seen = []
    for code in ("A05", "A06", "A07"):
        url = entry_url(code)
        data = entry_form_data(
            department_client,
            url,
            comment=f"<p>{code}</p>",
            action="submit",
            **outcomes_missing(department_client, url),
        )
        assert department_client.post(url, data).status_code == 302
        seen.append(ProgressEntry.objects.get(period__slug="2019-helar", commitment__code=code))
    listing = review_client.get(list_url("2019-helar"), {"status": "submitted"})
    assert [r.commitment.code for r in listing.context["rows"]] == ["A05", "A06", "A07"]
    # A07 is returned and resubmitted after the reviewer read the list.
    a07 = reviewable_transition(obj=seen[2], action="return", user=reviewer, reason="Komplettera")
    reviewable_transition(obj=a07, action="submit", user=editor)
    response = review_client.post(
        reverse("followup:bulk_approve", args=["asn", "2019-helar"]),
        {"entry": [f"{e.pk}:{e.version}" for e in seen]},
        follow=True,
    )
    html = response.content.decode()
    assert "2 inrapporteringar godkända." in html
    assert "A07 (AMA)" in html
    statuses = dict(
        ProgressEntry.objects.filter(pk__in=[e.pk for e in seen]).values_list("commitment__code", "status")
    )
    assert statuses == {"A05": "approved", "A06": "approved", "A07": "submitted"}


def test_history_offers_the_diff_since_the_return(editor, reviewer):
    from commitments.workflow import reviewable_transition

    department_client, review_client = Client(), Client()
    department_client.force_login(editor)
    review_client.force_login(reviewer)
    url = entry_url()
    first = entry_form_data(
        department_client, url, comment="<p>Vi har börjat.</p>", action="submit",
        **outcomes_missing(department_client, url),
    )  # fmt: skip
    assert department_client.post(url, first).status_code == 302
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    reviewable_transition(obj=entry, action="return", user=reviewer, reason="Mer om resultatet")
    second = entry_form_data(department_client, url, comment="<p>Vi har avslutat.</p>", action="submit")
    response = department_client.post(url, second)
    assert response.status_code == 302, response.content.decode()[-3000:]
    history_url = reverse("followup:entry_history", args=["asn", "2019-helar", "A05", "AMA"])
    history = review_client.get(history_url).context["history"]
    assert history.returned_version.record.status == "returned"
    pair = {"a": history.returned_version.history_id, "b": history.entry_versions[0].history_id}
    html = review_client.get(history_url, pair).content.decode()
    assert '<del><span class="visually-hidden">borttaget: </span>börjat.</del>' in html, html[
        html.find('class="diff"') : html.find('class="diff"') + 800
    ]
    assert '<ins><span class="visually-hidden">tillagt: </span>avslutat.</ins>' in html
    assert "Mer om resultatet" in html  # the return, on record


def test_submitting_only_outcomes_needs_the_entry_written_and_then_submits_both(editor):
    """Outcomes alone do not submit an empty entry: refused, naming what is missing; with a comment, both go."""
    client = Client()
    client.force_login(editor)
    url = entry_url()
    data = entry_form_data(client, url, action="submit", **{"o-MI07-value": "1 700"}, **outcomes_missing(client, url))
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Skriv en kommentar eller välj en bedömning innan du skickar in." in html
    assert 'href="#id_comment"' in html
    assert 'value="1 700"' in html  # what was typed is kept
    assert not ProgressEntry.objects.filter(period__slug="2019-helar", commitment__code="A05").exists()
    assert not Outcome.objects.filter(period__slug="2019-helar", department__code="AMA").exists()

    data["comment"] = "<p>Insatserna har kommit igång.</p>"
    assert client.post(url, data).status_code == 302
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert entry.status == "submitted"
    assert Outcome.objects.get(period__slug="2019-helar", indicator__code="MI07").status == "submitted"
    assert set(Outcome.objects.filter(period__slug="2019-helar", indicator__code__in=["AI1", "AI2"])
               .values_list("status", "unavailable_reason")) == {("submitted", "Mäts vid årets slut.")}  # fmt: skip


def test_a_second_submit_click_is_told_and_does_not_crash(editor):
    client = Client()
    client.force_login(editor)
    url = entry_url()
    data = entry_form_data(client, url, comment="<p>Klar</p>", action="submit", **outcomes_missing(client, url))
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 409
    html = again.content.decode()
    assert "Den är inskickad för granskning." in html
    assert "Ingenting sparades; kopiera det du har skrivit." in html
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert entry.status == "submitted"
    assert entry.version == 2  # saved once, submitted once


# Issue 12: the read-only page of a closed period, one error summary for every part, submission needs content.


def test_in_a_closed_period_the_entry_page_has_no_form_and_says_why(client, editor, committee_admin):
    from commitments.selectors import progress_entry_get_or_new
    from commitments.services import period_close, progress_entry_save

    period = ReportingPeriod.objects.get(plan__committee__slug="asn", slug="2019-helar")
    entry = progress_entry_get_or_new(
        commitment=Commitment.objects.get(plan=period.plan, code="A05"),
        period=period,
        department=Department.objects.get(code="AMA"),
    )
    progress_entry_save(
        entry=entry, user=editor, comment="<p>Skrivet innan perioden stängdes</p>", assessment=None, expected_version=0
    )
    client.force_login(editor)
    url = entry_url()
    open_page = client.get(url)
    assert open_page.context["form"] is not None  # while open, the draft can be changed
    assert "Spara utkast" in open_page.content.decode()

    period_close(period=period, user=committee_admin)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"] is None
    assert response.context["forms"] == {}
    assert all(form is None for _line, form in response.context["lines"])
    assert 'name="comment"' not in html
    assert not re.search(r'name="o-[^"]+-', html)  # no outcome form either
    assert "Spara utkast" not in html
    assert "Spara och skicka in" not in html
    assert "data-warn-unsaved" not in html
    notice = re.search(r'<section class="notice" aria-labelledby="readonly-heading">(.*?)</section>', html, re.S)
    assert notice is not None, html
    assert "Du kan läsa men inte ändra" in notice.group(1)
    assert "Perioden är stängd för inrapportering." in notice.group(1)
    assert "Skrivet innan perioden stängdes" in html  # shown read-only


def test_a_refused_save_lists_the_problems_of_every_part_in_one_summary_at_the_top(client, editor):
    from common.richtext import MAX_LENGTH

    client.force_login(editor)
    url = entry_url()
    data = entry_form_data(
        client,
        url,
        comment="<p>" + "x" * (MAX_LENGTH + 1) + "</p>",  # the entry's own part: too long
        **{"o-MI07-value": "tolv",  # an outcome's form: not a number
           # another outcome, refused by the service: the groups add up to more than the total
           "o-AI1-numerator": "116", "o-AI1-denominator": "628", "o-AI1-numerator_female": "80",
           "o-AI1-denominator_female": "257", "o-AI1-numerator_male": "64", "o-AI1-denominator_male": "371"},
    )  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="error-summary"') == 1
    start = html.index('<div class="error-summary"')
    assert html.index("<main") < start < html.index("<form", html.index("<main"))  # at the top, before the first form
    summary = html[start : html.index("</div>", start)]
    assert "Det finns 3 problem: inget sparades" in summary
    links = dict(re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary))
    assert set(links) == {"id_comment", "id_o-MI07-value", "id_o-AI1-numerator"}, summary
    assert "för lång" in links["id_comment"]
    assert "Fyll i ett tal." in links["id_o-MI07-value"]
    assert "mer än totalen" in links["id_o-AI1-numerator"]
    for field_id in links:
        assert f'id="{field_id}"' in html  # each link leads to its field
    assert 'value="tolv"' in html  # what was typed is kept
    assert not ProgressEntry.objects.filter(period__slug="2019-helar", commitment__code="A05").exists()
    assert not Outcome.objects.filter(period__slug="2019-helar", department__code="AMA").exists()


def test_submitting_needs_each_indicator_of_the_commitment_reported_or_explained(client, editor):
    from commitments.models import Event

    client.force_login(editor)
    url = entry_url()
    ai1 = Indicator.objects.get(plan__year=2019, code="AI1")
    ai2 = Indicator.objects.get(plan__year=2019, code="AI2")
    mi07 = Indicator.objects.get(plan__year=2019, code="MI07")  # the goal's own: may wait
    assert (ai1.commitment.code, ai2.commitment.code, mi07.commitment) == ("A05", "A05", None)
    data = entry_form_data(
        client, url, comment="<p>Insatserna har kommit igång.</p>", action="submit", **{"o-AI2-value": "40"}
    )
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    missing = f"{ai1.name}: ange utfallet, eller skriv varför det saknas."
    assert missing in html
    assert 'href="#id_o-AI1-value"' in html
    assert f"{ai2.name}: ange utfallet" not in html
    assert f"{mi07.name}: ange utfallet" not in html
    assert not ProgressEntry.objects.filter(period__slug="2019-helar", commitment__code="A05").exists()
    assert not Outcome.objects.filter(period__slug="2019-helar", department__code="AMA").exists()

    data["o-AI1-unavailable_reason"] = "Statistiken för helåret kommer i februari."
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert entry.status == "submitted"
    outcome = Outcome.objects.get(period=entry.period, department=entry.department, indicator=ai1)
    assert (outcome.status, outcome.value, outcome.unavailable_reason) == (
        "submitted", None, "Statistiken för helåret kommer i februari."
    )  # fmt: skip
    assert Outcome.objects.get(period=entry.period, department=entry.department, indicator=ai2).status == "submitted"
    assert Event.objects.filter(object_id=outcome.pk, type="outcome.submit").count() == 1
