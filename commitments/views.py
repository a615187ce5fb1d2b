from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from .filters import EventFilter
from .selectors import committee_overviews_for_user, event_get_for_user, events_for_committee


class HomeView(LoginRequiredMixin, TemplateView):
    """The start page: the user's committees, roles, plans and reporting periods."""

    template_name = "commitments/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overviews"] = committee_overviews_for_user(user=self.request.user)
        context["access_contact"] = settings.ACCESS_CONTACT
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
        # The title names the period the log is filtered to, if it is.
        log_period = filterset.form.cleaned_data.get("period") if filterset.is_bound and filterset.is_valid() else None
        context.update(committee=committee, filterset=filterset, page_obj=page, log_period=log_period)
        return context


class EventSubjectView(LoginRequiredMixin, View):
    """Open the page of what a logged step concerns (an entry, an outcome, a text, a period)."""

    def get(self, request, **kwargs):
        event = event_get_for_user(user=request.user, committee_slug=kwargs["committee"], event_id=kwargs["event"])
        subject = event.subject
        url = subject.get_absolute_url() if subject is not None else ""
        if not url:
            raise Http404
        return redirect(url)


home_view = HomeView.as_view()
event_log_view = EventLogView.as_view()
event_subject_view = EventSubjectView.as_view()
