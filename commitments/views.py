from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from .selectors import committee_overviews_for_user


class HomeView(LoginRequiredMixin, TemplateView):
    """The start page: the user's committees, roles, plans and reporting periods."""

    template_name = "commitments/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overviews"] = committee_overviews_for_user(user=self.request.user)
        return context


home_view = HomeView.as_view()
