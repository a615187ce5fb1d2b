"""The entry page: a department's comment, assessment and indicator outcomes on a commitment."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from commitments.history import text_diff
from commitments.models import Goal
from commitments.permissions import can_review
from commitments.selectors import contribution_get_for_user, contribution_rows, period_get_for_user
from commitments.services import entry_message_post, goal_contribution_save
from commitments.views import REVIEW_DONE, ReviewableEntryView
from commitments.workflow import Conflict, InvalidTransition, Locked

from .forms import ContributionForm, EntryForm, OutcomeForm
from .selectors import EntryPage, entry_history_get, entry_page_get
from .services import OUTCOME_NUMBER_FIELDS, entries_approve, entry_page_review, entry_page_save


def shown(value):
    """Return a stored figure as people write it: 18, not 18,0000; 36,1, not 36,1000."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


def entry_initial(entry) -> dict:
    return {"comment": entry.comment, "assessment": entry.assessment_id, "version": entry.version}


def outcome_initial(outcome) -> dict:
    initial = {name: shown(getattr(outcome, name)) for name in OUTCOME_NUMBER_FIELDS}
    return initial | {
        "comment": outcome.comment,
        "assessment": outcome.assessment_id,
        "assessment_motivation": outcome.assessment_motivation,
        "version": outcome.version,
    }


def entry_page_from_url(request, kwargs) -> EntryPage:
    """Return the entry page named by the URL, or raise Http404 (see ``entry_page_get``)."""
    user = request.user
    period = period_get_for_user(user=user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])
    return entry_page_get(
        user=user, period=period, commitment_code=kwargs["commitment"], department_code=kwargs["department"]
    )


class EntryView(LoginRequiredMixin, View):
    """
    Show the entry page; an editor of the department saves drafts of the comment, the
    assessment and the outcomes there. What cannot be saved is never thrown away: errors,
    conflicts and a period that closed meanwhile re-show the form with what was typed.
    """

    template_name = "indicators/entry.html"

    def forms(self, page: EntryPage, data=None):
        """Return the entry form and one form per outcome; None where the user may not write."""
        scale_values = page.scale_values
        entry_form = None
        if page.entry_writable:
            entry_form = EntryForm(data, initial=entry_initial(page.entry), scale_values=scale_values)
        outcome_forms = [
            OutcomeForm(
                data, initial=outcome_initial(line.outcome), indicator=line.indicator, scale_values=scale_values
            )
            if line.writable
            else None
            for line in page.lines
        ]
        return entry_form, outcome_forms

    def render(self, request, page, entry_form, outcome_forms, *, conflict=None, status=200):
        any_form = entry_form or next((f for f in outcome_forms if f), None)
        media = any_form.fields["comment"].widget.media.with_nonce(request.csp_nonce) if any_form else ""
        context = {
            "page": page,
            "committee": page.period.plan.committee,
            "entry_form": entry_form,
            "lines": list(zip(page.lines, outcome_forms, strict=True)),
            "has_form": any_form is not None,
            "unsaved": request.method == "POST",
            "editor_media": media,
            "conflict": conflict,
        }
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        return self.render(request, page, *self.forms(page))

    def post(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        entry_form, outcome_forms = self.forms(page, request.POST)
        if entry_form is None and not any(outcome_forms):
            raise PermissionDenied
        forms = [entry_form, *outcome_forms]
        if not page.can_edit:
            first = next(f for f in forms if f)
            first.is_valid()
            first.add_error(None, _("The period is closed for entries. Nothing was saved; copy what you wrote."))
            return self.render(request, page, entry_form, outcome_forms, status=409)
        if not all(f.is_valid() for f in forms if f):
            return self.render(request, page, entry_form, outcome_forms, status=400)
        changed = [
            (line.outcome, form.cleaned_data)
            for line, form in zip(page.lines, outcome_forms, strict=True)
            if form and form.has_changed()
        ]
        try:
            entry_page_save(
                user=request.user,
                entry=page.entry,
                entry_data=entry_form.cleaned_data if entry_form and entry_form.has_changed() else None,
                outcomes=changed,
                submit=request.POST.get("action") == "submit",
                page_outcomes=[line.outcome for line in page.lines],
            )
        except InvalidTransition as error:
            # Submitted meanwhile (a second click, or a colleague): nothing more to do.
            messages.info(request, str(error))
            return redirect(request.path)
        except (ValidationError, Conflict, Locked) as error:
            form = self.form_for(getattr(error, "target", "entry"), entry_form, outcome_forms)
            if isinstance(error, ValidationError):
                for field, field_messages in error.message_dict.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
                return self.render(request, page, entry_form, outcome_forms, status=400)
            if isinstance(error, Locked):
                form.add_error(None, _("%(reason)s Nothing was saved; copy what you wrote.") % {"reason": error})
                return self.render(request, page, entry_form, outcome_forms, status=409)
            return self.conflict(request, page, form, error.current)
        if request.POST.get("action") == "submit":
            messages.success(request, _("Submitted for review."))
        else:
            messages.success(request, _("Your draft is saved."))
        return redirect(request.path)

    @staticmethod
    def form_for(target: str, entry_form, outcome_forms):
        if target == "entry" and entry_form:
            return entry_form
        form = next((f for f in outcome_forms if f and f.indicator.code == target), None)
        return form or entry_form or next(f for f in outcome_forms if f)

    def conflict(self, request, page, form, current):
        """Show what was saved meanwhile beside what the user wrote; their input stays in the form."""
        data = request.POST.copy()
        data[form.add_prefix("version")] = current.version
        entry_form, outcome_forms = self.forms(page, data)
        for f in (entry_form, *outcome_forms):
            if f:
                f.is_valid()
        mine = form.cleaned_data
        differences = []
        for name, field in form.fields.items():
            if name in ("version", "comment"):
                continue
            saved = getattr(current, name)
            if shown(saved) != shown(mine.get(name)) and (saved not in (None, "") or mine.get(name) not in (None, "")):
                differences.append((field.label, saved if saved is not None else "–", mine.get(name) or "–"))
        conflict = {
            "current": current,
            "indicator": getattr(form, "indicator", None),
            "theirs_html": current.comment,
            "mine_diff": text_diff(current.comment, mine.get("comment", "")),
            "differences": [(label, shown(a), shown(b)) for label, a, b in differences],
        }
        return self.render(request, page, entry_form, outcome_forms, conflict=conflict, status=409)


class EntryReviewView(LoginRequiredMixin, View):
    """A reviewer approves, returns (with a reason) or reopens (with a reason) an entry and its outcomes."""

    def post(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        action = request.POST.get("action")
        if not page.is_reviewer or page.entry.pk is None or action not in ("approve", "return", "reopen"):
            raise PermissionDenied
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            entry_page_review(
                user=request.user,
                action=action,
                entry=page.entry,
                outcomes=[line.outcome for line in page.lines],
                reason=request.POST.get("reason", ""),
                expected_version=version,
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        except Conflict:
            messages.error(request, _("The department changed the entry after you opened it. Read it again first."))
        except InvalidTransition as e:
            messages.error(request, str(e))
        else:
            messages.success(request, REVIEW_DONE[action])
        return redirect("indicators:entry", **kwargs)


class BulkApproveView(LoginRequiredMixin, View):
    """A reviewer approves the entries ticked in the list, each as it was when the list was read."""

    def post(self, request, **kwargs):
        period = period_get_for_user(
            user=request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"]
        )
        if not can_review(request.user, period.plan.committee_id):
            raise PermissionDenied
        seen = {}
        for value in request.POST.getlist("entry"):
            entry_id, _sep, version = value.partition(":")
            if entry_id.isdigit() and version.isdigit():
                seen[int(entry_id)] = int(version)
        approved, refused = entries_approve(user=request.user, period=period, seen=seen)
        if approved:
            messages.success(
                request,
                ngettext("%(count)s entry approved.", "%(count)s entries approved.", len(approved))
                % {"count": len(approved)},
            )
        if refused:
            codes = ", ".join(f"{e.commitment.code} ({e.department.code})" for e in refused)
            messages.error(
                request,
                _("Not approved, since changed or no longer submitted after you read the list: %(codes)s.")
                % {"codes": codes},
            )
        if not seen:
            messages.error(request, _("Tick the entries to approve."))
        return redirect("commitments:list", committee=kwargs["committee"], period=kwargs["period"])


class EntryMessageView(LoginRequiredMixin, View):
    """Post a message in the entry's thread (the department's editors and the reviewers)."""

    def post(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        if page.entry.pk is None or not (page.is_editor or page.is_reviewer):
            raise PermissionDenied
        try:
            entry_message_post(entry=page.entry, user=request.user, text=request.POST.get("text", ""))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Your message is posted."))
        return redirect("indicators:entry", **kwargs)


class EntryHistoryView(LoginRequiredMixin, View):
    """Every saved version of the entry and its outcomes, with a diff between any two."""

    def get(self, request, **kwargs):
        page = entry_page_from_url(request, kwargs)
        history = entry_history_get(page=page, a=request.GET.get("a"), b=request.GET.get("b"))
        context = {"page": page, "committee": page.period.plan.committee, "history": history}
        return TemplateResponse(request, "indicators/entry_history.html", context)


entry_view = EntryView.as_view()
entry_review_view = EntryReviewView.as_view()
entry_message_view = EntryMessageView.as_view()
bulk_approve_view = BulkApproveView.as_view()
entry_history_view = EntryHistoryView.as_view()


class ContributionListView(LoginRequiredMixin, TemplateView):
    """The goals the committee contributes to, per writing department the user reads, with their status."""

    template_name = "indicators/contribution_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = period_get_for_user(user=user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])
        context.update(
            committee=period.plan.committee, period=period, rows=contribution_rows(user=user, period=period)
        )
        return context


class ContributionView(ReviewableEntryView):
    """A department's follow-up of its contribution to a goal, with the year's and the mandate period's assessments."""

    template_name = "indicators/contribution.html"
    context_object_name = "contribution"

    def get_object(self, request, kwargs):
        period = period_get_for_user(
            user=request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"]
        )
        return contribution_get_for_user(
            user=request.user, period=period, goal_code=kwargs["goal"], department_code=kwargs["department"]
        )

    def get_form(self, contribution, data=None):
        plan = contribution.goal.plan
        values = lambda scale: list(scale.values.all()) if scale else []  # noqa: E731
        initial = {
            "comment": contribution.comment, "assessment": contribution.assessment,
            "assessment_motivation": contribution.assessment_motivation,
            "mandate_assessment": contribution.mandate_assessment,
            "mandate_motivation": contribution.mandate_motivation, "version": contribution.version,
        }  # fmt: skip
        return ContributionForm(
            data,
            initial=initial,
            year_values=values(plan.goal_year_scale),
            mandate_values=values(plan.goal_mandate_scale),
            assessed=contribution.goal.level in Goal.GOAL_LEVELS,
        )

    def save(self, contribution, user, data):
        return goal_contribution_save(
            contribution=contribution, user=user, comment=data["comment"],
            assessment=data.get("assessment"), assessment_motivation=data.get("assessment_motivation", ""),
            mandate_assessment=data.get("mandate_assessment"), mandate_motivation=data.get("mandate_motivation", ""),
            expected_version=data["version"],
        )  # fmt: skip

    def get_context_data(self, contribution):
        return {"year": contribution.period.plan.year, "assessed": contribution.goal.level in Goal.GOAL_LEVELS}


contribution_list_view = ContributionListView.as_view()
contribution_view = ContributionView.as_view()
