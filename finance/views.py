from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from commitments.permissions import can_oversee, is_committee_admin
from commitments.selectors import period_get_for_user

from .selectors import finance_report_for, finance_tables


class FinanceTablesView(LoginRequiredMixin, TemplateView):
    """A period's finance tables, read-only, with every figure that differs from its computed value marked."""

    template_name = "finance/finance_tables.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = period_get_for_user(user=user, committee_slug=kwargs["committee"], period_slug=kwargs["period"])
        committee = period.plan.committee
        if not can_oversee(user, committee):
            raise PermissionDenied
        tables = finance_tables(period)
        context.update(
            period=period,
            committee=committee,
            report=finance_report_for(period),
            tables=tables,
            flag_count=sum(len(t.flags) for t in tables),
            is_committee_admin=is_committee_admin(user, committee),
        )
        return context


finance_tables_view = FinanceTablesView.as_view()
