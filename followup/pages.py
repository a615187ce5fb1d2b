"""
The one page class of every row a department writes for a period and a reviewer reviews:
commitment entries with their outcomes, goal follow-ups and report texts.

A page names how to find its row (``get_object``), the forms of its parts (``get_forms``:
the row's own form under the target "", and for an entry one form per outcome under the
indicator's code) and how each part is saved (``get_saves``: its changes, as their services
checked them). Everything else is the same for every kind: who may write now and the
actions offered (asked of the workflow), the read-only notice, the error summary with every
problem at once, the conflict view, and the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View

from commitments.history import text_diff
from commitments.models import Reviewable, ReviewStatus
from commitments.permissions import can_edit_department, can_review
from commitments.selectors import return_reason
from commitments.workflow import (
    REVIEW_ACTIONS,
    REVIEW_DONE,
    Change,
    Conflict,
    Invalid,
    InvalidTransition,
    Locked,
    Problem,
    available_actions,
    can_write,
    reviewable_page_save,
    reviewable_transition,
    why_not_approvable,
    why_not_writable,
)


def shown(value):
    """Return a stored figure as people write it: 18, not 18,0000; 36,1, not 36,1000."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


@dataclass(frozen=True)
class SummaryItem:
    """One line of the error summary: the message and the field (or part) it links to."""

    href: str
    message: str


def error_summary(forms_by_target: dict[str, forms.Form], part_titles: dict[str, str]) -> list[SummaryItem]:
    """Return every error of the page's forms, in page order, each linking to its field or part."""
    items = []
    for target, form in forms_by_target.items():
        title = part_titles.get(target, "")
        for field, errors in form.errors.items():
            if field == forms.forms.NON_FIELD_ERRORS or field not in form.fields:
                href = f"#part-{target or 'main'}"
            else:
                widget = form[field]
                href = f"#{widget.id_for_label or widget.auto_id + '_0'}"
            for message in errors:
                # A form's message is about its field; a workflow's may already name its part.
                named = not title or str(message).startswith(title)
                items.append(SummaryItem(href, message if named else f"{title}: {message}"))
    return items


def review_from_request(request, obj: Reviewable) -> None:
    """
    Carry out the review step a reviewer posted (``action``, with ``reason`` and the
    ``version`` they read) through the one workflow, and tell the outcome as a message.
    """
    action = request.POST.get("action")
    if obj.pk is None or action not in REVIEW_ACTIONS or not can_review(request.user, obj.period.plan.committee_id):
        raise PermissionDenied
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        reviewable_transition(
            obj=obj, action=action, user=request.user, reason=request.POST.get("reason", ""), expected_version=version
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Conflict:
        messages.error(request, _("The department changed it after you opened it. Read it again first."))
    except InvalidTransition as error:
        messages.error(request, str(error))
    else:
        messages.success(request, REVIEW_DONE[action])


class FollowUpPageView(LoginRequiredMixin, View):
    """
    The page of one row a department writes and a reviewer reviews. Its editors save a
    draft, or save and submit it; the committee's reviewers approve, return or reopen it.
    What cannot be saved is never thrown away: errors, conflicts and a period that closed
    meanwhile re-show the forms as typed, with a summary of every problem at the top.
    """

    template_name: str
    context_object_name: str

    def get_object(self, request, kwargs) -> Reviewable:
        raise NotImplementedError

    def get_forms(self, obj: Reviewable, data=None) -> dict[str, forms.Form]:
        """
        Return the forms of the page's parts by target ("" is the row's own form): those the
        user may write now, and with ``data`` also every part the posted page held, so that
        what was typed in a part that stopped taking changes is refused, not dropped.
        """
        raise NotImplementedError

    def get_saves(self, obj: Reviewable, user, changed: dict[str, forms.Form]) -> list[Change]:
        """Return each changed part whose form is valid as its service checked it (``workflow.Change``)."""
        raise NotImplementedError

    def get_context_data(self, obj: Reviewable, forms_by_target: dict[str, forms.Form]) -> dict:
        return {}

    def part_titles(self, obj: Reviewable) -> dict[str, str]:
        """Return the names of the parts that the error summary puts before their messages."""
        return {}

    def workflow_children(self, obj: Reviewable) -> list[Reviewable] | None:
        """The saved rows that move with ``obj`` (``workflow.children_of``) if the page read them; else None."""
        return None

    def render(self, request, obj, forms_by_target, *, status=200, conflict=None, refused=""):
        user = request.user
        # After a refused save the forms stay as typed, even where the row no longer takes changes.
        writable = bool(forms_by_target) and (can_write(user, obj) or status >= 400)
        main_form = forms_by_target.get("")
        any_form = main_form or next(iter(forms_by_target.values()), None)
        children = self.workflow_children(obj)
        actions = available_actions(obj, user, children)
        is_reviewer = can_review(user, obj.period.plan.committee_id)
        context = {
            "committee": obj.period.plan.committee,
            "obj": obj,
            self.context_object_name: obj,
            "status": obj.status if obj.pk else "not_started",
            "form": main_form if writable else None,
            "forms": forms_by_target if writable else {},
            "department_actions": [a for a in actions if a.name not in REVIEW_ACTIONS],
            "review_actions": [a for a in actions if a.name in REVIEW_ACTIONS],
            # A reviewer who may not approve this (their own work) is told why the button is missing
            # (asked again only then: it reads the row's history).
            "cannot_approve": why_not_approvable(obj, user, children)
            if obj.pk
            and obj.status == ReviewStatus.SUBMITTED
            and is_reviewer
            and not any(a.name == "approve" for a in actions)
            else "",
            "is_editor": can_edit_department(user, obj.department),
            "is_reviewer": is_reviewer,
            "readonly_reason": "" if writable else why_not_writable(obj),
            "refused": refused,
            # A refusal (409) says why nothing was saved; the summary lists what to correct (400).
            "errors": error_summary(forms_by_target, self.part_titles(obj)) if status == 400 else [],
            "conflict": conflict,
            "return_reason": return_reason(obj),
            "unsaved": request.method == "POST",
            "editor_media": any_form.fields["comment"].widget.media.with_nonce(request.csp_nonce)
            if writable and any_form is not None
            else "",
            **self.get_context_data(obj, forms_by_target if writable else {}),
        }
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        obj = self.get_object(request, kwargs)
        forms_by_target = self.get_forms(obj) if can_write(request.user, obj) else {}
        return self.render(request, obj, forms_by_target)

    def post(self, request, **kwargs):
        obj = self.get_object(request, kwargs)
        action = request.POST.get("action", "save")
        if action in REVIEW_ACTIONS:
            review_from_request(request, obj)
            return redirect(request.path)
        if not can_edit_department(request.user, obj.department):
            raise PermissionDenied
        forms_by_target = self.get_forms(obj, request.POST)
        if not can_write(request.user, obj):
            refused = _("%(reason)s Nothing was saved; copy what you wrote.") % {"reason": why_not_writable(obj)}
            return self.render(request, obj, forms_by_target, status=409, refused=refused)
        changed = {t: f for t, f in forms_by_target.items() if f.is_valid() and f.has_changed()}
        # A part whose form is invalid already carries its messages; it only has to stop the save.
        invalid = [Problem(t, None, "") for t, f in forms_by_target.items() if not f.is_valid()]
        try:
            reviewable_page_save(
                user=request.user,
                row=obj,
                changes=self.get_saves(obj, request.user, changed),
                submit=action == "submit",
                problems=invalid,
            )
        except Invalid as error:
            for problem in error.problems:
                form = forms_by_target.get(problem.target) or forms_by_target.get("")
                if problem.message and form is not None:
                    form.add_error(problem.field if problem.field in form.fields else None, problem.message)
            return self.render(request, obj, forms_by_target, status=400)
        except Locked as error:
            reason = str(error)
            part = self.part_titles(obj).get(getattr(error, "target", ""), "")
            if part:
                reason = _("%(part)s: %(reason)s") % {"part": part, "reason": reason}
            refused = _("%(reason)s Nothing was saved; copy what you wrote.") % {"reason": reason}
            return self.render(request, obj, forms_by_target, status=409, refused=refused)
        except Conflict as error:
            return self.conflict(request, obj, forms_by_target, getattr(error, "target", ""), error.current)
        except InvalidTransition as error:
            # Submitted meanwhile (a second click, or a colleague): nothing more to do.
            messages.info(request, str(error))
            return redirect(request.path)
        messages.success(request, _("Submitted for review.") if action == "submit" else _("Your draft is saved."))
        return redirect(request.path)

    def conflict(self, request, obj, forms_by_target, target, current):
        """Show what was saved meanwhile beside what the user wrote; their input stays in the forms."""
        form = forms_by_target[target]
        data = request.POST.copy()
        data[form.add_prefix("version")] = current.version
        forms_by_target = self.get_forms(obj, data)
        for f in forms_by_target.values():
            f.is_valid()
        form = forms_by_target[target]
        mine = form.cleaned_data
        differences = []
        for name, field in form.fields.items():
            if name in ("version", "comment"):
                continue
            saved = getattr(current, name, None)
            if shown(saved) != shown(mine.get(name)) and (saved not in (None, "") or mine.get(name) not in (None, "")):
                differences.append(
                    (field.label, shown(saved) if saved is not None else "–", shown(mine.get(name)) or "–")
                )
        conflict = {
            "current": current,
            "part": self.part_titles(obj).get(target, ""),
            "theirs_html": current.comment,
            "mine_diff": text_diff(current.comment, mine.get("comment", "")),
            "differences": differences,
        }
        return self.render(request, obj, forms_by_target, status=409, conflict=conflict)
