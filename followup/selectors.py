"""Reads across every kind of row that departments write for a period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from commitments.models import ReportingPeriod, ReviewStatus
from commitments.selectors import NOT_STARTED, commitment_rows, contribution_rows
from reports.selectors import section_text_rows

if TYPE_CHECKING:
    from accounts.models import User

#: The states of a row that its department has yet to submit.
LEFT_STATES = (NOT_STARTED, ReviewStatus.DRAFT, ReviewStatus.RETURNED)


@dataclass(frozen=True)
class RowLeft:
    """A row a department has yet to submit: its kind, department, name and page."""

    kind: str  # "entry", "contribution" or "text"
    department_id: int
    name: str
    path: str


def rows_left_to_submit(*, user: User | None, period: ReportingPeriod) -> list[RowLeft]:
    """
    Return the period's rows not yet submitted (not started, drafts, returned) that ``user``
    reads (all of them for None, as tasks read): entries, goal follow-ups, report texts.
    """
    here = [period.plan.committee.slug, period.slug]
    rows = [
        RowLeft(
            "entry",
            row.department_id,
            f"{row.commitment.code}. {row.commitment.text}",
            reverse("followup:entry", args=[*here, row.commitment.code, row.department.code]),
        )
        for row in commitment_rows(user=user, period=period).filter(status__in=LEFT_STATES)
    ]
    rows += [
        RowLeft(
            "contribution",
            department.pk,
            goal.short_name or goal.text,
            reverse("followup:contribution", args=[*here, goal.code, department.code]),
        )
        for goal, department, contribution in contribution_rows(user=user, period=period)
        if contribution is None or contribution.status in LEFT_STATES
    ]
    rows += [
        RowLeft(
            "text",
            section.department_id,
            section.heading,
            reverse("followup:section_text", args=[*here, section.pk]),
        )
        for section, text in section_text_rows(user=user, period=period)
        if text is None or text.status in LEFT_STATES
    ]
    return rows


def period_left_to_submit(*, user: User, period: ReportingPeriod) -> Counter:
    """Count the period's rows not yet submitted that ``user`` reads, by kind (and ``total()``)."""
    return Counter(row.kind for row in rows_left_to_submit(user=user, period=period))
