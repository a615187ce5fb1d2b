"""The reminder before a period's deadline, about every kind of row a department has yet to submit."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commitments.models import Membership, Notification, ReportingPeriod
from commitments.notifications import absolute_url, mail, send_once

from .selectors import rows_left_to_submit

Role = Membership.Role


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
        left: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for row in rows_left_to_submit(user=None, period=period):
            left[row.department_id].append((row.name, absolute_url(row.path)))
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
