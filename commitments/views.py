from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from .filters import CommitmentRowFilter, EventFilter
from .permissions import can_edit_department, can_review, editable_department_ids, is_committee_admin
from .selectors import (
    attach_entries,
    commitment_rows,
    committee_overviews_for_user,
    events_for_committee,
    period_get_for_user,
    return_reason,
    status_counts,
)
from .services import period_close, period_reopen
from .workflow import Conflict, InvalidTransition, Locked, reviewable_transition

#: What a reviewer is told after each review action.
REVIEW_DONE = {
    "approve": gettext_lazy("Approved."),
    "return": gettext_lazy("Returned to the department with your reason."),
    "reopen": gettext_lazy("Reopened: the department can change it again."),
}


def review_from_request(request, obj) -> None:
    """
    Carry out the review action a reviewer posted (``action``: approve, return or reopen,
    with ``reason`` and the ``version`` they read) on any reviewable row, through the one
    workflow; the outcome is told as a message. Raises PermissionDenied for non-reviewers.
    """
    action = request.POST.get("action")
    if obj.pk is None or action not in REVIEW_DONE or not can_review(request.user, obj.period.plan.committee_id):
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
        messages.error(request, _("The department changed the entry after you opened it. Read it again first."))
    except InvalidTransition as error:
        messages.error(request, str(error))
    else:
        messages.success(request, REVIEW_DONE[action])


class ReviewableEntryView(LoginRequiredMixin, View):
    """
    The page of one row a department writes for a period and a reviewer reviews (a goal
    contribution, a report text): its editors save a draft or save and submit it; the
    committee's reviewers approve, return or reopen it, through the one workflow. What
    cannot be saved is never thrown away: errors and conflicts re-show the form as typed.

    Subclasses name the template and the context name of the row, and say how to find the
    row (``get_object``), build the form (``get_form``) and save it (``save``, a service).
    """

    template_name: str
    context_object_name: str

    def get_object(self, request, kwargs):
        raise NotImplementedError

    def get_form(self, obj, data=None):
        raise NotImplementedError

    def save(self, obj, user, data: dict):
        raise NotImplementedError

    def get_context_data(self, obj) -> dict:
        return {}

    def render(self, request, obj, form, status=200):
        user = request.user
        # After a refused save the form stays, as typed, even where the row no longer takes changes.
        open_now = obj.is_open_for_department() or status >= 400
        writable = can_edit_department(user, obj.department) and open_now
        context = {
            "committee": obj.period.plan.committee,
            self.context_object_name: obj,
            "status": obj.status if obj.pk else "not_started",
            "form": form if writable else None,
            "is_reviewer": can_review(user, obj.period.plan.committee_id),
            "return_reason": return_reason(obj),
            "unsaved": request.method == "POST",
            "editor_media": form.fields["comment"].widget.media.with_nonce(request.csp_nonce) if writable else "",
            **self.get_context_data(obj),
        }
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        obj = self.get_object(request, kwargs)
        return self.render(request, obj, self.get_form(obj))

    def post(self, request, **kwargs):
        obj = self.get_object(request, kwargs)
        action = request.POST.get("action")
        if action in REVIEW_DONE:
            review_from_request(request, obj)
            return redirect(request.path)
        if not can_edit_department(request.user, obj.department):
            raise PermissionDenied
        form = self.get_form(obj, request.POST)
        if not form.is_valid():
            return self.render(request, obj, form, status=400)
        try:
            with transaction.atomic():
                saved = self.save(obj, request.user, form.cleaned_data)
                if action == "submit":
                    reviewable_transition(obj=saved, action="submit", user=request.user)
        except ValidationError as error:
            # Messages about a field of the form go beside it; the rest above the form.
            by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, field_messages in by_field.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            return self.render(request, obj, form, status=400)
        except (Conflict, Locked, InvalidTransition) as error:
            form.add_error(None, _("%(reason)s Nothing was saved; copy what you wrote.") % {"reason": error})
            return self.render(request, obj, form, status=409)
        messages.success(request, _("Submitted for review.") if action == "submit" else _("Your draft is saved."))
        return redirect(request.path)


class HomeView(LoginRequiredMixin, TemplateView):
    """The start page: the user's committees, roles, plans and reporting periods."""

    template_name = "commitments/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overviews"] = committee_overviews_for_user(user=self.request.user)
        return context


class CommitmentListView(LoginRequiredMixin, TemplateView):
    """“Mina åtaganden”: a period's commitments of the user's departments, with their entries' status."""

    template_name = "commitments/commitment_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = period_get_for_user(user=user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])
        rows = commitment_rows(user=user, period=period)
        filterset = CommitmentRowFilter(self.request.GET or None, queryset=rows, period=period)
        editable = editable_department_ids(user)
        open_for_entries = period.is_open_for_entries()
        shown = attach_entries(list(filterset.qs), period)
        for row in shown:
            opened = row.entry.is_open_for_department() if row.entry else open_for_entries
            row.can_edit = row.department_id in editable and opened
        counts = status_counts(rows)
        context.update(
            period=period,
            committee=period.plan.committee,
            filterset=filterset,
            rows=shown,
            counts=counts,
            left=counts["not_started"] + counts["draft"] + counts["returned"],
            open_for_entries=open_for_entries,
            is_reviewer=can_review(user, period.plan.committee_id),
            is_committee_admin=is_committee_admin(user, period.plan.committee_id),
        )
        return context


class EventLogView(LoginRequiredMixin, TemplateView):
    """The committee's audit trail: every transition and every period closed or reopened, filterable."""

    template_name = "commitments/event_log.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        committee, events = events_for_committee(user=self.request.user, committee_slug=kwargs["committee"])
        filterset = EventFilter(self.request.GET or None, queryset=events, committee=committee)
        page = Paginator(filterset.qs, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(committee=committee, filterset=filterset, page_obj=page)
        return context


class PeriodStatusView(LoginRequiredMixin, View):
    """A committee admin closes a period for entries, or opens it again."""

    def post(self, request, **kwargs):
        user = request.user
        period = period_get_for_user(user=user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])
        action = request.POST.get("action")
        if action not in ("close", "reopen") or not is_committee_admin(user, period.plan.committee_id):
            raise PermissionDenied
        try:
            if action == "close":
                period_close(period=period, user=user)
                messages.success(request, _("The period is closed: editors can no longer change anything."))
            else:
                period_reopen(period=period, user=user)
                messages.success(request, _("The period is open again."))
        except InvalidTransition as e:
            messages.error(request, str(e))
        return redirect("commitments:list", **kwargs)


home_view = HomeView.as_view()
period_status_view = PeriodStatusView.as_view()
event_log_view = EventLogView.as_view()
commitment_list_view = CommitmentListView.as_view()
