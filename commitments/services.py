"""Write operations of the commitments app: what departments and reviewers do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.richtext import rich_text_clean
from common.text import PLAIN_TEXT_MAX_LENGTH, clean_text

from .events import event_period
from .models import AssessmentValue, EntryMessage, GoalContribution, ProgressEntry, ReportingPeriod
from .permissions import can_edit_department, can_review, is_committee_admin
from .selectors import plan_responsibilities
from .workflow import Change, InvalidTransition, reviewable_save

if TYPE_CHECKING:
    from accounts.models import User


def progress_entry_change(
    *,
    entry: ProgressEntry,
    user: User,
    comment: str,
    assessment: AssessmentValue | None,
    expected_version: int,
    target: str = "",
) -> Change:
    """
    Check a department's comment and assessment on a commitment for ``reviewable_page_save``
    (``PermissionDenied`` unless its editor, on a commitment of the period's plan that the
    department is responsible for; a value of another scale is the change's ``error``).
    """
    if not can_edit_department(user, entry.department):
        raise PermissionDenied
    if entry.commitment.plan_id != entry.period.plan_id:
        raise PermissionDenied
    if (entry.commitment_id, entry.department_id) not in plan_responsibilities(entry.period.plan_id):
        raise PermissionDenied
    change = Change(target, entry, expected_version)
    scale_id = entry.period.plan.commitment_scale_id
    if assessment is not None and (scale_id is None or assessment.scale_id != scale_id):
        change.error = ValidationError({"assessment": _("Choose a value of the committee's scale.")})
    else:
        change.values = {"comment": rich_text_clean(comment), "assessment": assessment}
    return change


def progress_entry_save(
    *,
    entry: ProgressEntry,
    user: User,
    comment: str,
    assessment: AssessmentValue | None,
    expected_version: int,
) -> ProgressEntry:
    """
    Save a department's comment and assessment on a commitment, as a draft.

    Only the department's editors may, while the period is open and the entry is a draft
    or returned; a save from an old version raises ``workflow.Conflict``.
    """
    change = progress_entry_change(
        entry=entry, user=user, comment=comment, assessment=assessment, expected_version=expected_version
    )
    if change.error is not None:
        raise change.error
    return reviewable_save(obj=entry, expected_version=expected_version, values=change.values, user=user)


def goal_contribution_change(
    *,
    contribution: GoalContribution,
    user: User,
    comment: str,
    assessment: AssessmentValue | None,
    assessment_motivation: str,
    mandate_assessment: AssessmentValue | None,
    mandate_motivation: str,
    expected_version: int,
    assessment_sentence: str = "",
    mandate_sentence: str = "",
    target: str = "",
) -> Change:
    """
    Check a department's follow-up of its contribution to a goal for ``reviewable_page_save``:
    the text and the two assessments (for the year, and the expected förflyttning over the
    mandate period), each from the plan's own scale and each with its motivation, and, where
    the department words it itself, the sentence that states it (else the document prints
    the scale's). ``PermissionDenied`` unless an editor of a department assigned to the goal;
    every problem is named in the change's ``error``.
    """
    goal, period = contribution.goal, contribution.period
    if not can_edit_department(user, contribution.department):
        raise PermissionDenied
    if goal.plan_id != period.plan_id or not goal.departments.filter(pk=contribution.department_id).exists():
        raise PermissionDenied
    plan = goal.plan
    change = Change(target, contribution, expected_version)
    errors = {}
    for field, value, scale_id, motivation_field, motivation, sentence in (
        ("assessment", assessment, plan.goal_year_scale_id, "assessment_motivation", assessment_motivation,
         assessment_sentence),
        ("mandate_assessment", mandate_assessment, plan.goal_mandate_scale_id, "mandate_motivation",
         mandate_motivation, mandate_sentence),
    ):  # fmt: skip
        if value is not None and (scale_id is None or value.scale_id != scale_id):
            errors[field] = _("Choose a value of the plan's scale for this assessment.")
        elif value is not None and not (motivation or "").strip():
            errors[motivation_field] = _("Give the grounds for the assessment (“Bedömningen baseras på …”).")
        elif value is None and (sentence or "").strip():
            errors[field] = _("Choose the assessment that the sentence states.")
    if errors:
        change.error = ValidationError(errors)
        return change
    change.values = {
        "comment": rich_text_clean(comment),
        "assessment": assessment,
        "assessment_sentence": (assessment_sentence or "").strip(),
        "assessment_motivation": (assessment_motivation or "").strip(),
        "mandate_assessment": mandate_assessment,
        "mandate_sentence": (mandate_sentence or "").strip(),
        "mandate_motivation": (mandate_motivation or "").strip(),
    }
    return change


def goal_contribution_save(
    *,
    contribution: GoalContribution,
    user: User,
    comment: str,
    assessment: AssessmentValue | None,
    assessment_motivation: str,
    mandate_assessment: AssessmentValue | None,
    mandate_motivation: str,
    expected_version: int,
    assessment_sentence: str = "",
    mandate_sentence: str = "",
) -> GoalContribution:
    """
    Save a department's follow-up of its contribution to a goal, as a draft (the rules of
    ``goal_contribution_change``). Only while the period is open and the row is a draft or
    returned; a save from an old version raises ``workflow.Conflict``. Nothing is saved when
    anything is wrong; every problem is named.
    """
    change = goal_contribution_change(
        contribution=contribution, user=user, comment=comment, assessment=assessment,
        assessment_motivation=assessment_motivation, mandate_assessment=mandate_assessment,
        mandate_motivation=mandate_motivation, expected_version=expected_version,
        assessment_sentence=assessment_sentence, mandate_sentence=mandate_sentence,
    )  # fmt: skip
    if change.error is not None:
        raise change.error
    return reviewable_save(obj=contribution, expected_version=expected_version, values=change.values, user=user)


def period_close(*, period: ReportingPeriod, user: User) -> ReportingPeriod:
    """Close a period for entries (a committee admin's step); recorded as an event."""
    return _period_set_status(period=period, user=user, status=ReportingPeriod.Status.CLOSED, action="close")


def period_reopen(*, period: ReportingPeriod, user: User) -> ReportingPeriod:
    """Open a closed period again (a committee admin's step); recorded as an event."""
    return _period_set_status(period=period, user=user, status=ReportingPeriod.Status.OPEN, action="reopen")


def _period_set_status(*, period: ReportingPeriod, user: User, status: str, action: str) -> ReportingPeriod:
    if not is_committee_admin(user, period.plan.committee_id):
        raise PermissionDenied
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().select_related("plan").get(pk=period.pk)
        if period.status == status:
            raise InvalidTransition(_("The period is already %(status)s.") % {"status": period.get_status_display()})
        if action == "reopen" and period.deadline < timezone.localdate():
            raise InvalidTransition(
                _("The last day for entries has passed: move it (in the plan's periods) before reopening.")
            )
        from_state = period.status
        period.status = status
        period.closed_at = timezone.now() if status == ReportingPeriod.Status.CLOSED else None
        period.save(update_fields=["status", "closed_at", "updated_at"])
        event_period(period=period, action=action, actor=user, from_state=from_state)
    return period


MESSAGE_MAX_LENGTH = PLAIN_TEXT_MAX_LENGTH


def entry_message_post(*, entry: ProgressEntry, user: User, text: str) -> EntryMessage:
    """Add a message to the entry's thread: its department's editors and the committee's reviewers may."""
    if not (can_edit_department(user, entry.department) or can_review(user, entry.period.plan.committee_id)):
        raise PermissionDenied
    message = EntryMessage(entry=entry, author=user, text=clean_text(text or "").strip())
    if len(message.text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"text": _("The message is too long: at most %(max)s characters.") % {"max": MESSAGE_MAX_LENGTH}}
        )
    message.full_clean()
    message.save()
    return message
