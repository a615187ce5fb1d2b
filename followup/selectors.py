"""Reads across every kind of row that departments write for a period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from commitments.models import ReportingPeriod, ReviewStatus
from commitments.selectors import NOT_STARTED, commitment_rows, contribution_rows
from reports.selectors import section_text_rows

if TYPE_CHECKING:
    from accounts.models import User

#: The states of a row that its department has yet to submit.
LEFT_STATES = (NOT_STARTED, ReviewStatus.DRAFT, ReviewStatus.RETURNED)


@dataclass(frozen=True)
class LeftToSubmit:
    """How many rows of each kind the departments have not submitted in a period."""

    entries: int
    contributions: int
    texts: int

    @property
    def total(self) -> int:
        return self.entries + self.contributions + self.texts


def period_left_to_submit(*, user: User, period: ReportingPeriod) -> LeftToSubmit:
    """Count the period's rows not yet submitted (not started, drafts, returned) that ``user`` reads, by kind."""
    contributions = contribution_rows(user=user, period=period)
    texts = section_text_rows(user=user, period=period)
    return LeftToSubmit(
        entries=commitment_rows(user=user, period=period).filter(status__in=LEFT_STATES).count(),
        contributions=sum(1 for _g, _d, c in contributions if c is None or c.status in LEFT_STATES),
        texts=sum(1 for _s, t in texts if t is None or t.status in LEFT_STATES),
    )
