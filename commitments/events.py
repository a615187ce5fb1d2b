"""The audit trail: one function per kind of step, each writing an ``Event`` in the caller's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType

from .models import Event, EventType, ReportingPeriod, Reviewable

if TYPE_CHECKING:
    from accounts.models import User


def event_transition(
    *, obj: Reviewable, action: str, actor: User, from_state: str, reason: str = "", own_work: bool = False
) -> Event:
    """
    Record that ``actor`` moved ``obj`` by ``action`` from ``from_state`` to its present state
    (``own_work``: an approval of what they wrote or submitted themselves, as the committee allows).
    """
    return Event.objects.create(
        type=EventType.of(obj.event_subject, action),
        actor=actor,
        committee_id=obj.period.plan.committee_id,
        period=obj.period,
        department=obj.department,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        subject_label=obj.event_label[:300],
        from_state=from_state,
        to_state=obj.status,
        reason=reason,
        own_work=own_work,
    )


def event_period(*, period: ReportingPeriod, action: str, actor: User, from_state: str, reason: str = "") -> Event:
    """Record that ``actor`` closed or reopened ``period``."""
    return Event.objects.create(
        type=EventType.of("period", action),
        actor=actor,
        committee_id=period.plan.committee_id,
        period=period,
        content_type=ContentType.objects.get_for_model(period),
        object_id=period.pk,
        subject_label=str(period)[:300],
        from_state=from_state,
        to_state=period.status,
        reason=reason,
    )
