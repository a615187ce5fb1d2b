"""Write operations of the accessibility statement: a reported problem is stored and mailed to the site's admins."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from .models import AccessibilityReport
from .selectors import reports_from_client_count, site_admin_emails

#: The window in which ``ACCESSIBILITY_REPORTS_PER_HOUR`` reports from one address are taken.
REPORT_WINDOW = datetime.timedelta(hours=1)


class TooManyReports(Exception):
    """The sender has sent as many reports as an hour allows; nothing was stored."""


def client_key(ip_address: str | None) -> str:
    """A keyed hash of the sender's address: enough to count their reports, not to recover it."""
    return salted_hmac("accessibility.report.client", ip_address or "unknown").hexdigest()


def report_create(
    *, name: str, email: str, page: str, description: str, ip_address: str | None
) -> AccessibilityReport:
    """
    Store a reported problem and, once stored, have it e-mailed to the site's admins. Raise
    ``TooManyReports`` (storing nothing) if its sender's address already sent
    ``settings.ACCESSIBILITY_REPORTS_PER_HOUR`` reports in the last hour.
    """
    from .tasks import report_notice_task

    client = client_key(ip_address)
    if reports_from_client_count(client, within=REPORT_WINDOW) >= settings.ACCESSIBILITY_REPORTS_PER_HOUR:
        raise TooManyReports
    report = AccessibilityReport(name=name, email=email, page=page, description=description, client=client)
    report.full_clean()
    report.save()
    transaction.on_commit(lambda: report_notice_task.delay(report.pk))
    return report


def _mail(report: AccessibilityReport, to: str) -> EmailMessage:
    """The e-mail about ``report`` to one admin (``accessibility/mail/report.txt`` and its subject)."""
    url = settings.SITE_URL.rstrip("/") + reverse("admin:accessibility_accessibilityreport_change", args=[report.pk])
    context = {"report": report, "url": url, "site": settings.SITE_NAME}
    # Sent by a task, outside any request: in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("accessibility/mail/report_subject.txt", context).split())
        body = render_to_string("accessibility/mail/report.txt", context)
    reply_to = [report.email] if report.email else None
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], reply_to=reply_to)


def report_notice_send(*, report_id: int) -> int:
    """
    E-mail the report to every committee admin and superuser (one mail each, so that no one
    sees the others' addresses; a reply goes to the sender if they gave an address). Once:
    a report already mailed is not mailed again. Return the number of mails sent.
    """
    with transaction.atomic():
        report = AccessibilityReport.objects.select_for_update().get(pk=report_id)
        if report.mailed_at is not None:
            return 0
        messages = [_mail(report, to) for to in site_admin_emails()]
        sent = get_connection(fail_silently=False).send_messages(messages) if messages else 0
        report.mailed_at = timezone.now()
        report.save(update_fields=["mailed_at"])
    return sent
