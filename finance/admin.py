"""The finance tables in the admin: the list of imports, and the import (upload, preview, confirm)."""

from django import forms
from django.contrib import admin, messages
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from commitments.admin import CommitteeScopedAdmin
from commitments.models import ReportingPeriod
from commitments.permissions import is_committee_admin, scope_to_admin_committees
from common.tabular import upload_limits_hint
from common.uploads import upload_stage, upload_take, validate_upload_size

from .models import FinanceReport
from .services import finance_import


class FinanceImportForm(forms.Form):
    period = forms.ModelChoiceField(label=_("Reporting period"), queryset=ReportingPeriod.objects.none())
    file = forms.FileField(
        label=_("Finance file"),
        help_text=upload_limits_hint(
            _("An Excel workbook (XLSX) with the sheets described in the layout of the finance file.")
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        validators=[validate_upload_size],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        periods = ReportingPeriod.objects.select_related("plan__committee").order_by("-plan__year", "start", "end")
        self.fields["period"].queryset = scope_to_admin_committees(user, periods, "plan__committee")


@admin.register(FinanceReport)
class FinanceReportAdmin(CommitteeScopedAdmin):
    """Each period's imported finance tables; they change only by importing a file again."""

    committee_path = "period__plan__committee"
    change_list_template = "admin/finance/financereport/change_list.html"
    list_display = ("period", "committee", "file_name", "imported_by", "updated_at", "page_link")
    list_select_related = ("period__plan__committee", "imported_by")
    fields = ("period", "file_name", "imported_by", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("committee"))
    def committee(self, obj):
        return obj.period.plan.committee

    @admin.display(description=_("Tables"))
    def page_link(self, obj):
        url = reverse("finance:tables", args=[obj.period.plan.committee.slug, obj.period.slug])
        return format_html('<a href="{}">{}</a>', url, _("Show the tables"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [path("import/", self.admin_site.admin_view(self.import_view), name="finance_financereport_import")]
        return own + super().get_urls()

    def import_view(self, request):
        """Upload and preview (a dry run listing the tables, their flags or every bad row), then confirm."""
        if not is_committee_admin(request.user):
            return redirect("admin:index")
        session_key = "finance-import"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import the finance file"),
        }
        if request.method == "POST" and "confirm" in request.POST:
            staged = upload_take(request, session_key)
            if staged is None:
                messages.error(request, _("The preview has expired. Upload the file again."))
                return redirect("admin:finance_financereport_import")
            period = scope_to_admin_committees(request.user, ReportingPeriod.objects.all(), "plan__committee").get(
                pk=staged["period"]
            )
            file = ContentFile(staged["content"], name=staged["name"])
            result = finance_import(period=period, file=file, user=request.user)
            if result.errors:
                context.update(form=FinanceImportForm(user=request.user), result=result, period=period)
                return TemplateResponse(request, "admin/finance/financereport/import.html", context)
            messages.success(request, _("The finance file is imported."))
            return redirect("admin:finance_financereport_changelist")

        form = FinanceImportForm(request.POST or None, request.FILES or None, user=request.user)
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            period, upload = form.cleaned_data["period"], form.cleaned_data["file"]
            content = upload.read()
            result = finance_import(
                period=period, file=ContentFile(content, name=upload.name), user=request.user, dry_run=True
            )
            context.update(result=result, period=period)
            if not result.errors:
                # The file waits in storage until it is confirmed; the session holds its token.
                context["token"] = upload_stage(
                    request, session_key, name=upload.name, content=content, period=period.pk
                )
        return TemplateResponse(request, "admin/finance/financereport/import.html", context)
