"""The reminder before a period's deadline, about every kind of row a department has yet to submit."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commitments.models import Membership, Notification, ReportingPeriod
from commitments.notifications import absolute_url, mail, send_once
from commitments.selectors import commitment_rows, contribution_rows
from reports.selectors import section_text_rows

from .selectors import LEFT_STATES

Role = Membership.Role


def rows_left(period: ReportingPeriod) -> dict[int, list[tuple[str, str]]]:
    """Return, by department id, what it has yet to submit in the period, as (name, absolute link)."""
    here = [period.plan.committee.slug, period.slug]

    def link(name: str, *args) -> str:
        return absolute_url(reverse(f"followup:{name}", args=[*here, *args]))

    left: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for row in commitment_rows(user=None, period=period).filter(status__in=LEFT_STATES):
        url = link("entry", row.commitment.code, row.department.code)
        left[row.department_id].append((f"{row.commitment.code}. {row.commitment.text}", url))
    for goal, department, contribution in contribution_rows(user=None, period=period):
        if contribution is None or contribution.status in LEFT_STATES:
            left[department.pk].append(
                (goal.short_name or goal.text, link("contribution", goal.code, department.code))
            )
    for section, text in section_text_rows(user=None, period=period):
        if text is None or text.status in LEFT_STATES:
            left[section.department_id].append((section.heading, link("section_text", section.pk)))
    return left


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """
    Remind, once a day, the editors of departments with rows not yet submitted (entries,
    goal follow-ups, report texts) in a period that takes entries and whose deadline is
    within ``settings.REMINDER_DAYS_BEFORE_DEADLINE`` days: one mail per editor and period,
    listing the rows of all their departments with links.
    """
    today = today or timezone.localdate()
    last_day = today + datetime.timedelta(days=settings.REMINDER_DAYS_BEFORE_DEADLINE)
    periods = (
        ReportingPeriod.objects.in_phase(ReportingPeriod.Phase.ENTRY, today=today)
        .filter(deadline__lte=last_day)
        .select_related("plan__committee")
    )
    sent = 0
    for period in periods:
        left = rows_left(period)
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
                sent += send_once(mail("reminder", context, editor.email), [record])
    return sent
