"""The department's pages: the list of commitments, the entry page, the conflict page, the history."""

import pytest
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
    """Return the entry page's form as the browser would post it, with ``changes``."""
    form = client.get(url).context["entry_form"]
    data = {"comment": form.initial.get("comment", ""), "version": form.initial["version"]}
    if form.initial.get("assessment"):
        data["assessment"] = form.initial["assessment"]
    for _line, outcome_form in client.get(url).context["lines"]:
        if outcome_form is None:
            continue
        for name, value in outcome_form.initial.items():
            if value is not None:
                data[outcome_form.add_prefix(name)] = value
    data.update(changes)
    return data


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


def test_list_query_count_does_not_grow_with_the_data(client, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CommitmentFactory, GoalFactory

    client.force_login(reviewer)
    client.get(list_url())  # the session's first request reads the user once more
    with CaptureQueriesContext(connection) as before:
        client.get(list_url())
    plan = reviewer.memberships.get().committee.plans.get(year=2019)
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
    before = ProgressEntry.objects.get(period__slug="2019-jan-aug", commitment__code="A05")
    response = client.post(
        entry_url(period="2019-jan-aug"), {"o-MI07-comment": "<p>Sent ute</p>", "o-MI07-version": 0}
    )
    assert response.status_code == 409
    assert "Perioden är stängd" in response.content.decode()
    assert "Sent ute" in response.content.decode()
    assert ProgressEntry.objects.get(pk=before.pk).version == before.version
    assert not Outcome.objects.filter(period__slug="2019-jan-aug", indicator__code="MI07").exists()


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
    assert "<del>börjat</del>" in html
    assert "<ins>avslutat</ins>" in html
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


def test_entry_page_query_count_does_not_grow_with_indicators(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import IndicatorFactory

    client.force_login(editor)
    client.get(entry_url())
    with CaptureQueriesContext(connection) as before:
        client.get(entry_url())
    commitment = Commitment.objects.get(plan__year=2019, code="A05")
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
    review_url = reverse("followup:entry_review", args=["asn", "2019-helar", "A05", "AMA"])
    data = entry_form_data(department_client, url, comment="<p>Första versionen</p>", action="submit")
    assert department_client.post(url, data).status_code == 302
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert entry.status == "submitted"

    # Returning needs a reason; without one nothing happens.
    review_client.post(review_url, {"action": "return", "reason": "", "version": entry.version})
    entry.refresh_from_db()
    assert entry.status == "submitted"
    review_client.post(
        review_url, {"action": "return", "reason": "Beskriv resultatet för unga kvinnor.", "version": entry.version}
    )
    entry.refresh_from_db()
    assert entry.status == "returned"

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
    from commitments.models import Event

    events = Event.objects.filter(object_id=entry.pk, type__startswith="progressentry.")
    assert list(events.values_list("type", flat=True)) == [
        "progressentry.approve", "progressentry.submit", "progressentry.return", "progressentry.submit",
    ]  # fmt: skip


def test_reviewer_approves_ticked_entries_in_bulk_and_is_told_what_was_left(editor, reviewer):
    from commitments.workflow import reviewable_transition

    department_client, review_client = Client(), Client()
    department_client.force_login(editor)
    review_client.force_login(reviewer)
    seen = []
    for code in ("A05", "A06", "A07"):
        url = entry_url(code)
        department_client.post(url, entry_form_data(department_client, url, comment=f"<p>{code}</p>", action="submit"))
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
    first = entry_form_data(department_client, url, comment="<p>Vi har börjat.</p>", action="submit")
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
    assert "<del>börjat.</del>" in html, html[html.find('class="diff"') : html.find('class="diff"') + 800]
    assert "<ins>avslutat.</ins>" in html
    assert "Mer om resultatet" in html  # the return, on record


def test_submitting_only_outcomes_creates_the_entry_reviewers_act_on(editor, reviewer):
    client = Client()
    client.force_login(editor)
    url = entry_url()
    data = entry_form_data(client, url, action="submit", **{"o-MI07-value": "1 700"})
    assert client.post(url, data).status_code == 302
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert entry.status == "submitted"
    assert Outcome.objects.get(period__slug="2019-helar", indicator__code="MI07").status == "submitted"


def test_a_second_submit_click_is_told_and_does_not_crash(editor):
    client = Client()
    client.force_login(editor)
    url = entry_url()
    data = entry_form_data(client, url, comment="<p>Klar</p>", action="submit")
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code in (302, 403)
    assert ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05").status == "submitted"
