"""
The one review workflow and the one way to save what departments write.

Entries, indicator outcomes (and later narrative sections) are ``Reviewable``: they move
draft → submitted → approved, or submitted → returned → submitted again; a reviewer can
reopen an approved row with a reason, which returns it. Each save names the version it
started from (optimistic locking), so that nothing is overwritten without the writer
seeing it. Every save and transition is kept in the row's history with the user who made
it, and every transition is an ``Event`` on record in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .events import event_transition
from .models import EDITABLE_STATES, Reviewable, ReviewStatus
from .permissions import can_edit_department, can_review

if TYPE_CHECKING:
    from accounts.models import User

R = TypeVar("R", bound=Reviewable)

#: action -> (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (EDITABLE_STATES, ReviewStatus.SUBMITTED),
    "approve": (frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.APPROVED),
    "return": (frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.RETURNED),
    "reopen": (frozenset({ReviewStatus.APPROVED}), ReviewStatus.RETURNED),
}
#: The actions of reviewers; the others are the department's.
REVIEWER_ACTIONS = frozenset({"approve", "return", "reopen"})
#: The actions that need a reason, given to the department.
ACTIONS_WITH_REASON = frozenset({"return", "reopen"})
ACTION_LABELS = {
    "submit": gettext_lazy("submit"),
    "approve": gettext_lazy("approve"),
    "return": gettext_lazy("return"),
    "reopen": gettext_lazy("reopen"),
}


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


def check_editable(obj: Reviewable) -> None:
    """Raise ``Locked`` unless the department may change ``obj`` now."""
    if obj.status not in EDITABLE_STATES:
        raise Locked(_("It is %(status)s and can no longer be changed.") % {"status": obj.get_status_display()})
    if not obj.is_open_for_department():
        raise Locked(_("The period is closed for entries."))


def reviewable_save(*, obj: R, expected_version: int, values: dict, user: User) -> R:
    """
    Save ``values`` on ``obj`` (new or existing), if nobody saved it since ``expected_version``.

    A new row has version 0 until its first save. The row is locked for the comparison, so
    two concurrent saves from the same version leave one saved and one ``Conflict``; two
    first saves of the same row race on its unique key and end the same way.
    """
    model = type(obj)
    with transaction.atomic():
        if obj.pk is not None:
            obj = model.objects.select_for_update().get(pk=obj.pk)
        if obj.version != expected_version:
            raise Conflict(obj)
        check_editable(obj)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.version += 1
        obj.updated_by = user
        obj._history_user = user
        # The unique key is left to the database, so that a concurrent first save is a conflict.
        obj.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            key = {f"{name}_id": getattr(obj, f"{name}_id") for name in model.natural_key_fields}
            raise Conflict(model.objects.get(**key)) from None
    return obj


def reviewable_transition(
    *, obj: R, action: str, user: User, reason: str = "", expected_version: int | None = None
) -> R:
    """
    Move ``obj`` by ``action``, locked, if its state and the user's role allow it, and record it.

    ``submit`` is for the department's editors while the row is open for them; ``approve``,
    ``return`` and ``reopen`` for the committee's reviewers, also after the period closed;
    ``return`` and ``reopen`` need a reason. With ``expected_version``, refuse if the row
    changed since the user saw it (approving what was edited a second ago approves nothing).
    """
    if action not in TRANSITIONS:
        raise InvalidTransition(_("Unknown action."))
    sources, target = TRANSITIONS[action]
    reason = reason.strip()
    if action in ACTIONS_WITH_REASON and not reason:
        raise ValidationError({"reason": _("Give the department a reason.")})
    with transaction.atomic():
        obj = (
            type(obj)
            .objects.select_for_update(of=("self",))
            .select_related("period__plan", "department")
            .get(pk=obj.pk)
        )
        if action in REVIEWER_ACTIONS:
            if not can_review(user, obj.period.plan.committee_id):
                raise PermissionDenied
        elif not can_edit_department(user, obj.department):
            raise PermissionDenied
        if expected_version is not None and obj.version != expected_version:
            raise Conflict(obj)
        if obj.status not in sources:
            raise InvalidTransition(
                _("Cannot %(action)s: it is %(status)s.")
                % {"action": ACTION_LABELS[action], "status": obj.get_status_display()}
            )
        if action == "submit" and not obj.is_open_for_department():
            raise Locked(_("The period is closed for entries."))
        from_state = obj.status
        obj.status = target
        obj.version += 1
        obj.updated_by = user
        obj._history_user = user
        obj._change_reason = reason
        if target == ReviewStatus.RETURNED:
            obj.returned_at = timezone.now()
        obj.save(update_fields=["status", "version", "updated_by", "updated_at", "returned_at"])
        event = event_transition(obj=obj, action=action, actor=user, from_state=from_state, reason=reason)
        _notify_after_commit(event)
    return obj


def _notify_after_commit(event) -> None:
    """Queue the e-mails an entry's transition causes, once the transaction has committed."""
    from .tasks import return_notice_task

    # Submissions are gathered into digests by a scheduled task (see CELERY_BEAT_SCHEDULE),
    # so that reviewers get one mail for many submissions.
    # Outcomes are returned with their entry, which is the one the department is told about.
    subject, _dot, action = event.type.partition(".")
    if action in ("return", "reopen") and subject != "outcome":
        event_id = event.pk
        transaction.on_commit(lambda: return_notice_task.delay(event_id))
