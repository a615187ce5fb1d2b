"""
E-mails to reviewers and departments: what to send, to whom, and only once.

Each function is idempotent: what was sent is kept as a ``Notification``, so a task that
runs twice (a retry, two digests queued close together) sends nothing twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Committee, Event, Membership, Notification, ProgressEntry, ReportingPeriod, ReviewStatus
from .selectors import NOT_STARTED, commitment_rows

Role = Membership.Role


def _mail(template: str, context: dict, to: str) -> tuple[str, str, str, list[str]]:
    # Tasks run outside any request: the mails are written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"commitments/mail/{template}_subject.txt", context).strip()
        body = render_to_string(f"commitments/mail/{template}.txt", context)
    return subject, body, settings.DEFAULT_FROM_EMAIL, [to]


def submission_digest_send(*, committee_id: int) -> int:
    """
    Send each reviewer of the committee one e-mail listing the submissions they have not
    been told of yet; reviewers who turned digests off get none. Return the mails sent.
    """
    committee = Committee.objects.get(pk=committee_id)
    reviewers = [
        m.user
        for m in Membership.objects.filter(committee=committee, role=Role.REVIEWER).select_related("user")
        if m.user.is_active and m.user.email and m.user.wants_digests
    ]
    submitted = list(
        Event.objects.filter(committee=committee, type__endswith=".submit")
        .select_related("actor", "department", "period__plan")
        .order_by("created_at")
    )
    entries = ProgressEntry.objects.select_related("commitment").in_bulk(
        [e.object_id for e in submitted if e.type == "progressentry.submit"]
    )
    told = set(
        Notification.objects.filter(kind=Notification.Kind.DIGEST, event__in=submitted).values_list(
            "user_id", "event_id"
        )
    )
    today = timezone.localdate()
    messages, records = [], []
    for reviewer in reviewers:
        news = [e for e in submitted if (reviewer.pk, e.pk) not in told and e.type == "progressentry.submit"]
        if not news:
            continue
        lines = [(e, entries.get(e.object_id)) for e in news]
        messages.append(
            _mail("digest", {"reviewer": reviewer, "committee": committee, "lines": lines}, reviewer.email)
        )
        records += [Notification(kind=Notification.Kind.DIGEST, user=reviewer, event=e, sent_on=today) for e in news]
    with transaction.atomic():
        Notification.objects.bulk_create(records, ignore_conflicts=True)
        sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    return sent


def return_notice_send(*, event_id: int) -> int:
    """Tell the department's editors that a reviewer returned (or reopened) an entry, and why."""
    event = Event.objects.select_related("actor", "department", "period__plan__committee").get(pk=event_id)
    entry = ProgressEntry.objects.select_related("commitment").get(pk=event.object_id)
    editors = [
        m.user
        for m in Membership.objects.filter(department=event.department, role=Role.EDITOR).select_related("user")
        if m.user.is_active and m.user.email
    ]
    told = set(
        Notification.objects.filter(kind=Notification.Kind.RETURN, event=event).values_list("user_id", flat=True)
    )
    today = timezone.localdate()
    messages, records = [], []
    for editor in editors:
        if editor.pk in told:
            continue
        messages.append(_mail("returned", {"editor": editor, "event": event, "entry": entry}, editor.email))
        records.append(Notification(kind=Notification.Kind.RETURN, user=editor, event=event, sent_on=today))
    with transaction.atomic():
        Notification.objects.bulk_create(records, ignore_conflicts=True)
        sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    return sent


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """
    Remind, once a day, the editors of departments with rows not yet submitted in a period
    whose deadline is within ``settings.REMINDER_DAYS_BEFORE_DEADLINE`` days.
    """
    today = today or timezone.localdate()
    last_day = today + datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE_DEADLINE)
    periods = ReportingPeriod.objects.filter(
        status=ReportingPeriod.Status.OPEN, deadline__gte=today, deadline__lte=last_day
    ).select_related("plan__committee")
    messages, records = [], []
    for period in periods:
        left: dict[int, list] = defaultdict(list)
        open_states = (NOT_STARTED, ReviewStatus.DRAFT, ReviewStatus.RETURNED)
        for row in commitment_rows(user=None, period=period).filter(status__in=open_states):
            left[row.department_id].append(row)
        told = set(
            Notification.objects.filter(kind=Notification.Kind.REMINDER, period=period, sent_on=today).values_list(
                "user_id", flat=True
            )
        )
        editors = Membership.objects.filter(department_id__in=left, role=Role.EDITOR).select_related(
            "user", "department"
        )
        for membership in editors:
            editor = membership.user
            if editor.pk in told or not editor.is_active or not editor.email:
                continue
            context = {"editor": editor, "period": period, "rows": left[membership.department_id]}
            messages.append(_mail("reminder", context, editor.email))
            records.append(Notification(kind=Notification.Kind.REMINDER, user=editor, period=period, sent_on=today))
            told.add(editor.pk)
    with transaction.atomic():
        Notification.objects.bulk_create(records, ignore_conflicts=True)
        sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    return sent
