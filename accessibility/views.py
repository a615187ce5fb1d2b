from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .forms import ReportForm
from .selectors import statement_get, statement_organisation
from .services import TooManyReports, report_create


def _page_from(request: HttpRequest) -> str:
    """The page the reader came from (``?sida=`` from a link, else the referring page of this site)."""
    page = request.GET.get("sida", "")
    if not page:
        referer = request.headers.get("referer", "")
        origin = request.build_absolute_uri("/")
        if referer.startswith(origin) and not referer.startswith(request.build_absolute_uri(request.path)):
            page = "/" + referer[len(origin) :]
    return page[:500]


@never_cache  # its form carries the visitor's CSRF token: no cache may hand it to another
@require_http_methods(["GET", "POST"])
def statement_view(request: HttpRequest) -> HttpResponse:
    """The accessibility statement, public, with the form to report a problem."""
    statement = statement_get()
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report_create(**form.cleaned_data, ip_address=get_client_ip_address(request))
            except TooManyReports:
                form.add_error(
                    None,
                    _("We have received many reports from your connection in the last hour. Please try again later."),
                )
                status = 429
            else:
                return redirect("accessibility:thanks")
    else:
        form = ReportForm(initial={"page": _page_from(request)})
    return render(
        request,
        "accessibility/statement.html",
        {"statement": statement, "organisation": statement_organisation(statement), "form": form},
        status=status,
    )


@require_GET
def thanks_view(request: HttpRequest) -> HttpResponse:
    """What happens to a report once sent."""
    return render(request, "accessibility/thanks.html", {"statement": statement_get()})
