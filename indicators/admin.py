"""
Admin of indicators, and the plan file's import and export on a plan's page.

The plan file spans goals, commitments and indicators, so its admin views live here, in
the app that knows all three, on top of the plan admin of ``commitments``.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from commitments.admin import (
    PlanAdmin,
    PlanItemAdmin,
    PlanItemForm,
    PlanYearFilter,
    ScopedInline,
    ViewOnlyAdminMixin,
    shorten,
)
from commitments.models import Membership, Plan, ProgressEntry
from commitments.permissions import can_review, committee_ids
from commitments.workflow import WorkflowError, reviewable_transition
from common.tabular import csv_bytes, upload_limits_hint, xlsx_bytes
from common.text import PLAIN_TEXT_MAX_LENGTH, plain_text_field
from common.uploads import upload_stage, upload_take, validate_upload_size

from .models import Indicator, PriorOutcome, Target
from .plan_files import SHEETS_BY_KEY, PlanFileError, read_plan_files
from .selectors import plan_export
from .services import BulkApproval, entries_approve, plan_import, plan_rollover
from .workflow import reporting_problem


class TargetInline(ScopedInline):
    model = Target
    fields = ("year", "part", "comparator", "value", "text")


class PriorOutcomeInline(ScopedInline):
    model = PriorOutcome
    fields = ("year", "part", "value", "text")


class IndicatorForm(PlanItemForm):
    parent_field = "goal"

    def clean(self):
        """The reporting departments, as the plan file checks them (``workflow.reporting_problem``)."""
        cleaned = super().clean()
        goal, departments = cleaned.get("goal"), cleaned.get("departments") or []
        if goal is None or not departments:
            return cleaned
        if any(d.committee_id != goal.plan.committee_id for d in departments):
            self.add_error("departments", _("The department belongs to another committee."))
        elif problem := reporting_problem(departments, goal, cleaned.get("commitment")):
            self.add_error("departments", problem)
        return cleaned


class KoladaLinkFilter(admin.SimpleListFilter):
    title = _("linked to Kolada")
    parameter_name = "kolada"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(kolada_kpi="")
        if self.value() == "no":
            return queryset.filter(kolada_kpi="")
        return queryset


@admin.register(Indicator)
class IndicatorAdmin(PlanItemAdmin):
    form = IndicatorForm
    list_display = ("code", "short_name", "goal_code", "level", "unit", "direction", "disaggregation", "sort_order")
    list_display_links = ("code", "short_name")
    list_filter = (
        ("plan__committee", admin.RelatedOnlyFieldListFilter),
        PlanYearFilter,
        "level",
        "kind",
        "unit",
        "direction",
        "disaggregation",
        ("goal__goal_area", admin.RelatedOnlyFieldListFilter),
        KoladaLinkFilter,
    )
    search_fields = ("code", "name", "goal__code", "goal__text", "kolada_kpi")
    ordering = ("plan", "goal__goal_area__sort_order", "goal__sort_order", "sort_order")
    list_select_related = ("goal", "plan__committee")
    inlines = [TargetInline, PriorOutcomeInline]

    @admin.display(description=_("name"), ordering="name")
    def short_name(self, obj):
        return shorten(obj.name)

    @admin.display(description=_("goal"), ordering="goal__code")
    def goal_code(self, obj):
        return obj.goal.code


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=_("Plan file"),
        help_text=upload_limits_hint(
            _("An Excel workbook (XLSX) with the plan's sheets, or a CSV file named after its sheet.")
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        validators=[validate_upload_size],
    )


@admin.register(Plan)
class PlanFileAdmin(PlanAdmin):
    """
    The plan admin with the plan file: import (upload, preview, confirm) and export; and the
    copy of a plan to the next year (preview, confirm).
    """

    change_form_template = "admin/commitments/plan/change_form.html"
    list_display = (*PlanAdmin.list_display, "plan_file_links", "rollover_link")

    @admin.display(description=_("Plan file"))
    def plan_file_links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:commitments_plan_import", args=[obj.pk]),
            _("Import"),
            reverse("admin:commitments_plan_export", args=[obj.pk, "xlsx"]),
            _("Export XLSX"),
        )

    @admin.display(description=_("Next year"))
    def rollover_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:commitments_plan_rollover", args=[obj.pk]),
            _("Copy to the next year"),
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/rollover/", self.admin_site.admin_view(self.rollover_view), name="commitments_plan_rollover"
            ),
            path("<int:pk>/import/", self.admin_site.admin_view(self.import_view), name="commitments_plan_import"),
            path(
                "<int:pk>/export/<slug:part>/",
                self.admin_site.admin_view(self.export_view),
                name="commitments_plan_export",
            ),
        ]
        return own + super().get_urls()

    def get_plan(self, request, pk: int) -> Plan:
        plan = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, plan):
            raise PermissionDenied
        return plan

    def export_view(self, request, pk: int, part: str):
        plan = self.get_plan(request, pk)
        if part != "xlsx" and part not in SHEETS_BY_KEY:
            raise Http404
        book = plan_export(plan=plan)
        stem = f"plan-{plan.committee.slug}-{plan.year}"
        if part == "xlsx":
            response = HttpResponse(
                xlsx_bytes(book),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
            return response
        sheet = next(s for s in book.sheets() if s.title == SHEETS_BY_KEY[part].title)
        response = HttpResponse(csv_bytes(sheet), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}-{part}.csv"'
        return response

    def import_view(self, request, pk: int):
        """Upload and preview (a dry run that lists every change or every bad row), then confirm."""
        plan = self.get_plan(request, pk)
        session_key = f"plan-import-{plan.pk}"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": plan,
            "title": _("Import the plan file"),
        }
        if request.method == "POST" and "confirm" in request.POST:
            staged = upload_take(request, session_key)
            if staged is None:
                messages.error(request, _("The preview has expired. Upload the file again."))
                return redirect("admin:commitments_plan_import", plan.pk)
            files = [(staged["name"], staged["content"])]
            result = plan_import(
                user=request.user, committee=plan.committee, year=plan.year, datasets=read_plan_files(files)
            )
            if result.errors:
                context.update(form=PlanImportForm(), result=result)
                return TemplateResponse(request, "admin/commitments/plan/import.html", context)
            messages.success(request, _("The plan file is imported."))
            return redirect("admin:commitments_plan_change", plan.pk)

        form = PlanImportForm(request.POST or None, request.FILES or None)
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                datasets = read_plan_files([(upload.name, content)])
            except PlanFileError as e:
                form.add_error("file", str(e))
            else:
                result = plan_import(
                    user=request.user, committee=plan.committee, year=plan.year, datasets=datasets, dry_run=True
                )
                context["result"] = result
                if not result.errors:
                    # The file waits in storage until it is confirmed; the session holds its token.
                    context["token"] = upload_stage(request, session_key, name=upload.name, content=content)
        return TemplateResponse(request, "admin/commitments/plan/import.html", context)

    def rollover_view(self, request, pk: int):
        """Preview the copy of the plan to the next year (a dry run), then make it when confirmed."""
        plan = self.get_plan(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": plan,
            "title": _("Copy the plan to the next year"),
        }
        dry_run = not (request.method == "POST" and "confirm" in request.POST)
        try:
            result = plan_rollover(plan=plan, user=request.user, dry_run=dry_run)
        except ValidationError as e:
            context["refusal"] = e.messages
            return TemplateResponse(request, "admin/commitments/plan/rollover.html", context)
        if dry_run:
            context["result"] = result
            return TemplateResponse(request, "admin/commitments/plan/rollover.html", context)
        new_plan = Plan.objects.get(pk=result.plan_id)
        self.log_addition(request, new_plan, _("Copied from %(plan)s.") % {"plan": plan})
        messages.success(
            request,
            _(
                "The plan %(year)s is created as a proposal, copied from %(source)s. Set the targets of %(year)s "
                "and check the reporting periods' dates."
            )
            % {"year": result.year, "source": result.source_year},
        )
        return redirect("admin:commitments_plan_change", result.plan_id)


class ReasonForm(forms.Form):
    reason = plain_text_field(_("Reason, for the department"), max_length=PLAIN_TEXT_MAX_LENGTH, required=True, rows=4)


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """
    Entries for reviewers who work in the admin: read-only, with the review steps as actions.

    The actions call the same services as the review pages, so they are checked, locked and
    recorded the same way.
    """

    list_display = ("commitment_code", "department", "period", "status", "assessment", "updated_at", "updated_by")
    list_filter = (
        "status",
        ("period", admin.RelatedOnlyFieldListFilter),
        ("department", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("commitment__code", "commitment__text")
    list_select_related = ("commitment", "department", "period__plan", "assessment", "updated_by")
    actions = ["approve_selected", "return_selected", "reopen_selected"]
    readonly_fields = (
        "commitment",
        "period",
        "department",
        "status",
        "assessment",
        "comment",
        "version",
        "updated_by",
    )
    fields = readonly_fields

    @admin.display(description=_("commitment"), ordering="commitment__code")
    def commitment_code(self, obj):
        return obj.commitment.code

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        if request.user.is_superuser:
            return entries
        return entries.filter(period__plan__committee_id__in=committee_ids(request.user, (Membership.Role.REVIEWER,)))

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(committee_ids(request.user, (Membership.Role.REVIEWER,)))

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return can_review(request.user, obj.period.plan.committee_id)

    def get_actions(self, request):
        # The review actions only; no bulk delete.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Approve the selected entries"))
    def approve_selected(self, request, queryset):
        by_period: dict = {}
        for entry in queryset.select_related("period"):
            by_period.setdefault(entry.period, {})[entry.pk] = entry.version
        approved, refused, own = [], [], BulkApproval()
        for period, seen in by_period.items():
            result = entries_approve(user=request.user, period=period, seen=seen)
            approved += result.approved
            refused += result.refused
            own.own_work += result.own_work
        if approved:
            self.message_user(request, _("%(count)s approved.") % {"count": len(approved)}, messages.SUCCESS)
        if refused:
            codes = ", ".join(f"{e.commitment.code} ({e.department.code})" for e in refused)
            self.message_user(
                request, _("Not approved (not submitted): %(codes)s.") % {"codes": codes}, messages.WARNING
            )
        if own.own_work:
            self.message_user(request, own.own_work_message(), messages.WARNING)

    @admin.action(description=_("Return the selected entries with a reason"))
    def return_selected(self, request, queryset):
        return self.with_reason(request, queryset, "return", _("Return to the department"))

    @admin.action(description=_("Reopen the selected approved entries with a reason"))
    def reopen_selected(self, request, queryset):
        return self.with_reason(request, queryset, "reopen", _("Reopen"))

    def with_reason(self, request, queryset, action: str, title):
        """Ask for the reason on a page of its own, then take the step for each entry."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done, refused = 0, []
            for entry in queryset.select_related("commitment", "department"):
                try:
                    reviewable_transition(
                        obj=entry, action=action, user=request.user, reason=form.cleaned_data["reason"]
                    )
                    done += 1
                except WorkflowError as e:
                    refused.append(f"{entry.commitment.code} ({entry.department.code}): {e}")
            if done:
                self.message_user(request, _("%(count)s done.") % {"count": done}, messages.SUCCESS)
            for line in refused:
                self.message_user(request, line, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "entries": queryset.select_related("commitment", "department"),
            "action": request.POST.get("action"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/commitments/progressentry/reason.html", context)
