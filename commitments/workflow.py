"""
The one review workflow and the one way to save what departments write.

Entries, indicator outcomes (and later narrative sections) are ``Reviewable``: they move
draft → submitted → approved, or submitted → returned → submitted again, and each save
names the version it started from (optimistic locking), so that nothing is overwritten
without the writer seeing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ReportingPeriod, Reviewable, ReviewStatus

if TYPE_CHECKING:
    from accounts.models import User

R = TypeVar("R", bound=Reviewable)

#: action -> (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({ReviewStatus.DRAFT, ReviewStatus.RETURNED}), ReviewStatus.SUBMITTED),
    "approve": (frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.APPROVED),
}

ACTION_LABELS = {"submit": gettext_lazy("submit"), "approve": gettext_lazy("approve")}

#: The states in which the department may still change what it wrote.
EDITABLE_STATES = frozenset({ReviewStatus.DRAFT, ReviewStatus.RETURNED})


class WorkflowError(Exception):
    """A write that the workflow refuses; the message is for the user."""


class InvalidTransition(WorkflowError):
    pass


class Locked(WorkflowError):
    """The period is closed, or the row is submitted or approved."""


class Conflict(WorkflowError):
    """Someone saved the row after the version this save started from."""

    def __init__(self, current: Reviewable) -> None:
        self.current = current
        super().__init__(_("Someone else saved this after you opened it."))


def period_is_open(period: ReportingPeriod) -> bool:
    """Whether departments may still write for ``period``: open, and its deadline not passed."""
    today = timezone.localdate()
    return period.status == ReportingPeriod.Status.OPEN and today <= period.deadline


def check_editable(obj: Reviewable) -> None:
    """Raise ``Locked`` unless the department may change ``obj`` now."""
    if not period_is_open(obj.period):
        raise Locked(_("The period is closed for entries."))
    if obj.status not in EDITABLE_STATES:
        raise Locked(_("It is %(status)s and can no longer be changed.") % {"status": obj.get_status_display()})


def reviewable_save(*, obj: R, expected_version: int, values: dict, user: User) -> R:
    """
    Save ``values`` on ``obj`` (new or existing), if nobody saved it since ``expected_version``.

    A new row has version 0 until its first save. The row is locked for the comparison, so
    two concurrent saves from the same version leave one saved and one ``Conflict``.
    """
    model = type(obj)
    with transaction.atomic():
        if obj.pk is not None:
            obj = model.objects.select_for_update().get(pk=obj.pk)
            current_version = obj.version
        else:
            current_version = 0
        if current_version != expected_version:
            raise Conflict(obj)
        check_editable(obj)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.version = current_version + 1
        obj.updated_by = user
        obj._change_reason = ""
        obj.full_clean()
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            # Created by someone else a moment ago, from the same empty start.
            key = {f"{name}_id": getattr(obj, f"{name}_id") for name in model.natural_key_fields}
            raise Conflict(model.objects.get(**key)) from None
    return obj


def reviewable_transition(*, obj: R, action: str, user: User, expected_version: int | None = None) -> R:
    """
    Move ``obj`` by ``action`` (``submit``, ``approve``), locked, if its state allows it.

    With ``expected_version``, refuse if the row changed since the user saw it.
    """
    if action not in TRANSITIONS:
        raise InvalidTransition(_("Unknown action."))
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and obj.version != expected_version:
            raise Conflict(obj)
        if obj.status not in sources:
            raise InvalidTransition(
                _("Cannot %(action)s: it is %(status)s.")
                % {"action": ACTION_LABELS[action], "status": obj.get_status_display()}
            )
        obj.status = target
        obj.version += 1
        obj.updated_by = user
        obj.save(update_fields=["status", "version", "updated_by", "updated_at"])
    return obj
