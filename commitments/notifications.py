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
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Committee, Event, EventType, Membership, Notification, ReviewStatus

Role = Membership.Role


def mail(template: str, context: dict, to: str) -> EmailMessage:
    """Write the e-mail of ``template`` (``commitments/mail/<template>.txt`` and its subject) to ``to``."""
    # Tasks run outside any request: the mails are written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"commitments/mail/{template}_subject.txt", context).strip()
        body = render_to_string(f"commitments/mail/{template}.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def send_once(message: EmailMessage, records: list[Notification]) -> int:
    """Record and send one mail in one transaction: if sending fails, nothing is recorded."""
    with transaction.atomic():
        Notification.objects.bulk_create(records)
        return message.send(fail_silently=False)


#: The submissions reviewers act on (an entry's outcomes are submitted with it).
REVIEWED_SUBMISSIONS = (EventType.ENTRY_SUBMIT, EventType.CONTRIBUTION_SUBMIT, EventType.TEXT_SUBMIT)


def absolute_url(path: str) -> str:
    """Return ``path`` as a link that works from an e-mail (``settings.SITE_URL`` before it)."""
    return settings.SITE_URL.rstrip("/") + path


def _still_submitted(events: list[Event]) -> set[int]:
    """Return the ids of the events whose rows still wait for review: one query per kind of row."""
    by_type: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        by_type[event.content_type_id][event.object_id].append(event.pk)
    waiting = set()
    for content_type_id, events_of in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        for pk in model.objects.filter(pk__in=events_of, status=ReviewStatus.SUBMITTED).values_list("pk", flat=True):
            waiting.update(events_of[pk])
    return waiting


def submission_digest_send(*, committee_id: int) -> int:
    """
    Send each reviewer of the committee one e-mail listing what was submitted since they
    became reviewers (or since their last digest) and still waits for review: entries,
    goal follow-ups and report texts, each with a link. Reviewers who turned digests off
    get none. Return the number of mails sent.
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
                Event.objects.filter(committee=committee, type__in=REVIEWED_SUBMISSIONS, created_at__gt=since)
                .select_related("actor", "department", "period__plan")
                .order_by("created_at")
            )
            waiting = _still_submitted(news)
            lines = [
                (e, absolute_url(reverse("commitments:event_subject", args=[committee.slug, e.pk])))
                for e in news
                if e.pk in waiting
            ]
            if not lines:
                continue
            today = timezone.localdate()
            context = {"reviewer": reviewer, "committee": committee, "lines": lines}
            records = [
                Notification(kind=Notification.Kind.DIGEST, user=reviewer, event=e, sent_on=today) for e in news
            ]
            sent += send_once(mail("digest", context, reviewer.email), records)
    return sent


def submission_digests_send() -> int:
    """Send the digests of every committee with submissions since the last run."""
    committees = Event.objects.filter(
        type__in=REVIEWED_SUBMISSIONS,
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
            context = {"editor": editor, "event": event, "entry": entry, "url": absolute_url(entry.get_absolute_url())}
            sent += send_once(mail("returned", context, editor.email), [record])
    return sent
