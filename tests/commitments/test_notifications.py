"""E-mails after review steps: digests to reviewers, notices of returns, reminders before the deadline."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from commitments import notifications
from commitments.models import Commitment, Department, ReportingPeriod
from commitments.selectors import progress_entry_get_or_new
from commitments.services import progress_entry_save
from commitments.workflow import reviewable_transition
from followup import notifications as followup_notifications
from tests.factories import report_outcomes_missing

pytestmark = pytest.mark.django_db


@pytest.fixture
def helar(demo):
    return ReportingPeriod.objects.get(slug="2019-helar")


def submitted(code, editor, period):
    entry = progress_entry_get_or_new(
        commitment=Commitment.objects.get(plan=period.plan, code=code), period=period,
        department=Department.objects.get(code="AMA"),
    )  # fmt: skip
    entry = progress_entry_save(
        entry=entry, user=editor, comment=f"<p>{code}</p>", assessment=None, expected_version=0
    )
    report_outcomes_missing(entry, editor)  # A05's own indicators
    return reviewable_transition(obj=entry, action="submit", user=editor)


def test_submissions_make_one_digest_per_reviewer(helar, editor, reviewer, mailoutbox):
    submitted("A05", editor, helar)
    submitted("A06", editor, helar)
    assert notifications.submission_digests_send() == 1
    (digest,) = mailoutbox
    assert digest.to == [reviewer.email]
    assert "A05" in digest.body
    assert "A06" in digest.body
    # The January–August entries, approved long ago, are not news.
    assert "A01" not in digest.body
    assert "inskickade för granskning" in digest.subject
    assert notifications.submission_digests_send() == 0
    submitted("A07", editor, helar)
    assert notifications.submission_digests_send() == 1
    assert "A07" in mailoutbox[1].body
    assert "A05" not in mailoutbox[1].body


def test_mails_are_plain_text_not_html_escaped(
    helar, editor, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    entry = submitted("A05", editor, helar)
    with django_capture_on_commit_callbacks(execute=True):
        reviewable_transition(obj=entry, action="return", user=reviewer, reason="Siffror för 'unga' & <18 år>")
    assert "Siffror för 'unga' & <18 år>" in mailoutbox[-1].body


def test_reviewer_who_turned_digests_off_gets_none(helar, editor, reviewer, mailoutbox):
    User.objects.filter(pk=reviewer.pk).update(wants_digests=False)
    submitted("A05", editor, helar)
    assert notifications.submission_digests_send() == 0
    assert mailoutbox == []


def test_return_tells_the_department_why(helar, editor, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    entry = submitted("A05", editor, helar)
    with django_capture_on_commit_callbacks(execute=True):
        reviewable_transition(obj=entry, action="return", user=reviewer, reason="Lägg till siffror för unga kvinnor.")
    notices = [m for m in mailoutbox if editor.email in m.to]
    assert len(notices) == 1
    assert "A05" in notices[0].subject
    assert "Lägg till siffror för unga kvinnor." in notices[0].body


def test_daily_reminder_goes_once_to_departments_with_entries_left(helar, mailoutbox):
    today = timezone.localdate()
    ReportingPeriod.objects.filter(pk=helar.pk).update(deadline=today + datetime.timedelta(days=2))
    sent = followup_notifications.deadline_reminders_send(today=today)
    editors = {u.email for u in User.objects.filter(username__startswith="redaktor")}
    assert sent == len(editors) == 5
    assert {m.to[0] for m in mailoutbox} == editors
    assert "påminnelse" in mailoutbox[0].subject.lower()
    assert followup_notifications.deadline_reminders_send(today=today) == 0


def test_no_reminder_long_before_the_deadline(helar, mailoutbox):
    today = timezone.localdate()
    ReportingPeriod.objects.filter(pk=helar.pk).update(deadline=today + datetime.timedelta(days=20))
    assert followup_notifications.deadline_reminders_send(today=today) == 0


def test_beat_runs_the_reminder_task_every_morning():
    from django.conf import settings

    from asn.celery import app

    # Let Celery find the apps' tasks modules as a worker does when it starts.
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {7}
    assert entry["schedule"].minute == {0}
    digests = settings.CELERY_BEAT_SCHEDULE["submission-digests"]
    assert digests["task"] in app.tasks
    assert digests["schedule"] == 15 * 60


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_digest(celery_worker_process, demo, settings, tmp_path):
    """Enqueued on Redis, run by the worker started for the tests, read from the worker's mail folder."""
    import time

    from asn.celery import app
    from commitments.tasks import submission_digests_task

    period = ReportingPeriod.objects.get(slug="2019-helar")
    app.conf.task_always_eager = False
    try:
        submitted("A05", User.objects.get(username="redaktor"), period)
        result = submission_digests_task.delay()
        assert result.get(timeout=30) == 1
    finally:
        app.conf.task_always_eager = True
    mail_dir = celery_worker_process.mail_dir
    deadline = time.monotonic() + 10
    while not any(mail_dir.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    sent = "".join(p.read_text() for p in mail_dir.iterdir())
    assert "granskare@example.org" in sent
    assert "A05" in sent


def test_a_user_turns_digests_off_on_the_settings_page(client, reviewer):
    from django.urls import reverse

    client.force_login(reviewer)
    url = reverse("accounts:preferences")
    assert "checked" in client.get(url).content.decode()
    response = client.post(url, {}, follow=True)
    assert "Dina inställningar är sparade." in response.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.wants_digests is False


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_reminder_task_runs_on_a_real_worker(celery_worker_process, demo):
    """Beat's task, sent by name as beat sends it, runs on the worker and mails the editors."""
    from django.conf import settings

    from asn.celery import app

    period = ReportingPeriod.objects.get(slug="2019-helar")
    ReportingPeriod.objects.filter(pk=period.pk).update(deadline=timezone.localdate() + datetime.timedelta(days=1))
    before = set(celery_worker_process.mail_dir.iterdir())
    app.conf.task_always_eager = False
    try:
        result = app.send_task(settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]["task"])
        assert result.get(timeout=30) == 5
    finally:
        app.conf.task_always_eager = True
    sent = "".join(p.read_text() for p in set(celery_worker_process.mail_dir.iterdir()) - before)
    assert "redaktor-ebb@example.org" in sent
    assert "Din avdelning har ännu inte skickat in" in sent


SITE_URL = "https://uppfoljning.example.se"


def test_a_digest_lists_goal_follow_ups_and_report_texts_with_links(
    helar, editor, reviewer, mailoutbox, settings, client
):
    import re

    from django.urls import reverse

    from commitments.models import Event, Goal
    from commitments.selectors import goal_contribution_get_or_new
    from commitments.services import goal_contribution_save
    from reports.models import ReportSection, SectionText
    from reports.services import section_text_save

    settings.SITE_URL = SITE_URL
    ama = Department.objects.get(code="AMA")
    entry = submitted("A05", editor, helar)
    goal = Goal.objects.get(plan=helar.plan, code="NM04")
    goal.departments.add(ama)
    contribution = goal_contribution_save(
        contribution=goal_contribution_get_or_new(goal=goal, period=helar, department=ama), user=editor,
        comment="<p>Fler unga har gått vidare till arbete.</p>", assessment=None, assessment_motivation="",
        mandate_assessment=None, mandate_motivation="", expected_version=0,
    )  # fmt: skip
    # AMA follows up the goal, so it reports the goal's own indicators on the goal's page too.
    from indicators.selectors import outcome_get_or_new
    from indicators.services import outcome_save
    from indicators.workflow import goal_page_indicators

    for indicator in goal_page_indicators(goal.pk, ama.pk):
        outcome = outcome_get_or_new(indicator=indicator, period=helar, department=ama)
        outcome_save(
            outcome=outcome, user=editor, data={"unavailable_reason": "Mäts vid årets slut."}, expected_version=0
        )
    contribution = reviewable_transition(obj=contribution, action="submit", user=editor)
    section = ReportSection.objects.create(
        plan=helar.plan, kind="arsanalys", sort_order=900, heading="Arbetsmarknaden i staden", source="narrative",
        department=ama,
    )  # fmt: skip
    text = section_text_save(
        text=SectionText(section=section, period=helar, department=ama), user=editor,
        comment="<p>Arbetslösheten sjönk.</p>", expected_version=0,
    )  # fmt: skip
    text = reviewable_transition(obj=text, action="submit", user=editor)

    assert notifications.submission_digests_send() == 1
    (digest,) = mailoutbox
    assert digest.to == [reviewer.email]
    links = re.findall(r"\S+://\S+", digest.body)
    assert len(links) == 3
    client.force_login(reviewer)
    for row, label in (
        (entry, "A05 · Arbetsmarknadsavdelningen"),
        (contribution, "NM04 · Arbetsmarknadsavdelningen"),
        (text, "“Arbetsmarknaden i staden” · Arbetsmarknadsavdelningen"),
    ):
        event = Event.objects.get(content_type__model=row._meta.model_name, object_id=row.pk, to_state="submitted")
        assert label in digest.body
        link = SITE_URL + reverse("commitments:event_subject", args=["asn", event.pk])
        assert link in links
        # The link opens the row's page.
        response = client.get(link.removeprefix(SITE_URL))
        assert (response.status_code, response["Location"]) == (302, row.get_absolute_url())


def test_the_return_mail_links_to_the_entrys_page(
    helar, editor, reviewer, mailoutbox, settings, django_capture_on_commit_callbacks
):
    import re

    from django.urls import reverse

    settings.SITE_URL = SITE_URL
    entry = submitted("A05", editor, helar)
    with django_capture_on_commit_callbacks(execute=True):
        reviewable_transition(obj=entry, action="return", user=reviewer, reason="Lägg till siffror för unga kvinnor.")
    (notice,) = [m for m in mailoutbox if editor.email in m.to]
    links = re.findall(r"\S+://\S+", notice.body)
    assert links == [SITE_URL + reverse("followup:entry", args=["asn", "2019-helar", "A05", "AMA"])]
