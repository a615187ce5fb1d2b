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
    sent = notifications.deadline_reminders_send(today=today)
    editors = {u.email for u in User.objects.filter(username__startswith="redaktor")}
    assert sent == len(editors) == 5
    assert {m.to[0] for m in mailoutbox} == editors
    assert "påminnelse" in mailoutbox[0].subject.lower()
    assert notifications.deadline_reminders_send(today=today) == 0


def test_no_reminder_long_before_the_deadline(helar, mailoutbox):
    today = timezone.localdate()
    ReportingPeriod.objects.filter(pk=helar.pk).update(deadline=today + datetime.timedelta(days=20))
    assert notifications.deadline_reminders_send(today=today) == 0


def test_beat_runs_the_reminder_task_every_morning():
    from django.conf import settings

    from asn.celery import app

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
