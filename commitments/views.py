from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from .filters import CommitmentRowFilter, EventFilter
from .permissions import can_review, editable_department_ids, is_committee_admin
from .selectors import (
    attach_entries,
    commitment_rows,
    committee_overviews_for_user,
    events_for_committee,
    period_get_for_user,
    status_counts,
)
from .services import period_close, period_reopen
from .workflow import Conflict, InvalidTransition, reviewable_transition

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
