"""
E-mails to reviewers and departments: what to send, to whom, and only once.

Each function is idempotent: every mail is recorded as ``Notification`` rows, committed
together with its sending, one recipient at a time, so that a retry after a failure sends
only what was not sent, and a task that runs twice sends nothing twice. Concurrent runs for
the same committee wait for each other on the committee's row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Committee, Event, Membership, Notification, ProgressEntry, ReportingPeriod, ReviewStatus
from .selectors import NOT_STARTED, commitment_rows

Role = Membership.Role


def _mail(template: str, context: dict, to: str) -> EmailMessage:
    # Tasks run outside any request: the mails are written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"commitments/mail/{template}_subject.txt", context).strip()
        body = render_to_string(f"commitments/mail/{template}.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _send_once(mail: EmailMessage, records: list[Notification]) -> int:
    """Record and send one mail in one transaction: if sending fails, nothing is recorded."""
    with transaction.atomic():
        Notification.objects.bulk_create(records)
        return mail.send(fail_silently=False)


def submission_digest_send(*, committee_id: int) -> int:
    """
    Send each reviewer of the committee one e-mail listing the entries submitted since they
    became reviewers (or since their last digest) that still wait for review; reviewers who
    turned digests off get none. Return the number of mails sent.
    """
    committee = Committee.objects.get(pk=committee_id)
    memberships = Membership.objects.filter(committee=committee, role=Role.REVIEWER).select_related("user")
    sent = 0
    for membership in memberships:
        reviewer = membership.user
        if not (reviewer.is_active and reviewer.email and reviewer.wants_digests):
            continue
        with transaction.atomic():
            Committee.objects.select_for_update().get(pk=committee.pk)  # one digest run at a time
            last = Notification.objects.filter(
                kind=Notification.Kind.DIGEST, user=reviewer, event__committee=committee
            ).aggregate(last=Max("event__created_at"))["last"]
            since = max(filter(None, [last, membership.created_at]))
            news = list(
                Event.objects.filter(committee=committee, type="progressentry.submit", created_at__gt=since)
                .select_related("actor", "department", "period__plan")
                .order_by("created_at")
            )
            waiting = ProgressEntry.objects.select_related("commitment").filter(status=ReviewStatus.SUBMITTED)
            entries = waiting.in_bulk([e.object_id for e in news])
            lines = [(e, entries[e.object_id]) for e in news if e.object_id in entries]
            if not lines:
                continue
            today = timezone.localdate()
            context = {"reviewer": reviewer, "committee": committee, "lines": lines}
            records = [
                Notification(kind=Notification.Kind.DIGEST, user=reviewer, event=e, sent_on=today) for e in news
            ]
            sent += _send_once(_mail("digest", context, reviewer.email), records)
    return sent


def submission_digests_send() -> int:
    """Send the digests of every committee with submissions since the last run."""
    committees = Event.objects.filter(
        type="progressentry.submit",
        created_at__gte=timezone.now() - datetime.timedelta(days=settings.DIGEST_LOOKBACK_DAYS),
    ).values_list("committee_id", flat=True)
    return sum(submission_digest_send(committee_id=c) for c in set(committees))


def return_notice_send(*, event_id: int) -> int:
    """
    Tell the department's editors that a reviewer returned (or reopened) what they wrote (an
    entry, a contribution, a report text), and why.
    """
    event = Event.objects.select_related("actor", "department", "period__plan__committee", "content_type").get(
        pk=event_id
    )
    entry = event.content_type.get_object_for_this_type(pk=event.object_id)
    editors = Membership.objects.filter(department=event.department, role=Role.EDITOR).select_related("user")
    sent = 0
    for membership in editors:
        editor = membership.user
        if not (editor.is_active and editor.email):
            continue
        with transaction.atomic():
            told = Notification.objects.select_for_update().filter(
                kind=Notification.Kind.RETURN, event=event, user=editor
            )
            if told.exists():
                continue
            record = Notification(
                kind=Notification.Kind.RETURN, user=editor, event=event, sent_on=timezone.localdate()
            )
            context = {"editor": editor, "event": event, "entry": entry}
            sent += _send_once(_mail("returned", context, editor.email), [record])
    return sent


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """
    Remind, once a day, the editors of departments with rows not yet submitted in a period
    whose deadline is within ``settings.REMINDER_DAYS_BEFORE_DEADLINE`` days: one mail per
    editor and period, listing the rows of all their departments.
    """
    today = today or timezone.localdate()
    last_day = today + datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE_DEADLINE)
    periods = ReportingPeriod.objects.filter(
        status=ReportingPeriod.Status.OPEN, deadline__gte=today, deadline__lte=last_day
    ).select_related("plan__committee")
    sent = 0
    open_states = (NOT_STARTED, ReviewStatus.DRAFT, ReviewStatus.RETURNED)
    for period in periods:
        left: dict[int, list] = defaultdict(list)
        for row in commitment_rows(user=None, period=period).filter(status__in=open_states):
            left[row.department_id].append(row)
        per_editor: dict = defaultdict(list)
        editors = Membership.objects.filter(department_id__in=left, role=Role.EDITOR).select_related("user")
        for membership in editors:
            per_editor[membership.user].extend(left[membership.department_id])
        for editor, rows in per_editor.items():
            if not (editor.is_active and editor.email):
                continue
            with transaction.atomic():
                told = Notification.objects.select_for_update().filter(
                    kind=Notification.Kind.REMINDER, user=editor, period=period, sent_on=today
                )
                if told.exists():
                    continue
                record = Notification(kind=Notification.Kind.REMINDER, user=editor, period=period, sent_on=today)
                context = {"editor": editor, "period": period, "rows": rows}
                sent += _send_once(_mail("reminder", context, editor.email), [record])
    return sent
