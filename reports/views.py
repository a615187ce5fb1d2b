"""The committee's follow-up as web pages: a contents page and one page per chapter."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from commitments.selectors import period_get_for_user

from .selectors import follow_up_document


class ReportView(LoginRequiredMixin, TemplateView):
    """The approved follow-up of a period: the contents, or one chapter (``section`` = its number)."""

    template_name = "reports/report_page.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = period_get_for_user(
            user=self.request.user, committee_slug=kwargs["committee"], period_slug=kwargs["period"]
        )
        document = follow_up_document(period=period)
        number = kwargs.get("section")
        section = None
        if number is not None:
            section = next((s for s in document.sections if s.number == str(number)), None)
            if section is None:
                raise Http404
        numbers = [s.number for s in document.sections]
        position = numbers.index(str(number)) if section else -1
        context.update(
            document=document,
            section=section,
            committee=period.plan.committee,
            period=period,
            previous=numbers[position - 1] if section and position > 0 else None,
            next=numbers[position + 1] if position + 1 < len(numbers) else None,
        )
        return context


report_view = ReportView.as_view()
