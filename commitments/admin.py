"""
The admin in which committee admins keep their committee's plan.

Every model admin here is scoped: a committee admin sees and edits only the rows of the
committees they manage (``permissions.admin_committees``), and can pick only those in forms.
"""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import (
    AssessmentScale,
    AssessmentValue,
    Commitment,
    Committee,
    Department,
    Goal,
    GoalArea,
    MandatePeriod,
    Membership,
    Plan,
    ReportingPeriod,
)
from .permissions import admin_committees, is_committee_admin

#: For each model a form may point to: the path from it to its committee.
COMMITTEE_PATHS: dict[type[Model], str] = {
    Committee: "pk",
    Department: "committee",
    AssessmentScale: "committee",
    Plan: "committee",
    GoalArea: "plan__committee",
    Goal: "plan__committee",
    Commitment: "plan__committee",
}


def committee_of(obj: Model, path: str):
    """Follow ``path`` (``plan__committee``) from ``obj`` to its committee id."""
    if path == "pk":
        return obj.pk
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj.pk


class CommitteeScopedAdmin(admin.ModelAdmin):
    """A model admin that shows committee admins only their committees' rows."""

    committee_path = "committee"

    def scope(self, request, queryset, path: str):
        if request.user.is_superuser:
            return queryset
        lookup = "pk__in" if path == "pk" else f"{path}__in"
        return queryset.filter(**{lookup: admin_committees(request.user)})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request), self.committee_path)

    def allowed(self, request, obj=None) -> bool:
        if obj is None:
            return is_committee_admin(request.user)
        return is_committee_admin(request.user, committee_of(obj, self.committee_path))

    def has_module_permission(self, request):
        return self.allowed(request)

    def has_view_permission(self, request, obj=None):
        return self.allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.allowed(request, obj)

    def has_add_permission(self, request):
        return self.allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self.allowed(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        if model in COMMITTEE_PATHS and "queryset" not in kwargs:
            kwargs["queryset"] = self.scope(request, model._default_manager.all(), COMMITTEE_PATHS[model])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        model = db_field.related_model
        if model in COMMITTEE_PATHS and "queryset" not in kwargs:
            kwargs["queryset"] = self.scope(request, model._default_manager.all(), COMMITTEE_PATHS[model])
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedInline(admin.TabularInline):
    """An inline that follows the permissions of its parent admin."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_committee_admin(request.user)

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


def shorten(text: str, words: int = 14) -> str:
    return Truncator(text).words(words)


@admin.register(Committee)
class CommitteeAdmin(CommitteeScopedAdmin):
    committee_path = "pk"
    list_display = ("name", "short_name", "slug", "organisation")
    search_fields = ("name", "short_name", "slug")
    prepopulated_fields = {"slug": ("short_name",)}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Department)
class DepartmentAdmin(CommitteeScopedAdmin):
    list_display = ("name", "code", "kind", "parent", "committee", "sort_order")
    list_filter = (("committee", admin.RelatedOnlyFieldListFilter), "kind")
    search_fields = ("name", "code")
    ordering = ("committee", "sort_order", "name")


@admin.register(Membership)
class MembershipAdmin(CommitteeScopedAdmin):
    list_display = ("user", "role", "department", "committee")
    list_filter = (
        ("committee", admin.RelatedOnlyFieldListFilter),
        "role",
        ("department", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    list_select_related = ("user", "department", "committee")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = self.scope(request, Department.objects.all(), "committee")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(MandatePeriod)
class MandatePeriodAdmin(admin.ModelAdmin):
    list_display = ("__str__", "start_year", "end_year")

    def has_module_permission(self, request):
        return is_committee_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_committee_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_delete_permission = has_change_permission


class AssessmentValueInline(ScopedInline):
    model = AssessmentValue
    fields = ("sort_order", "code", "symbol", "label", "meaning", "sentence")


@admin.register(AssessmentScale)
class AssessmentScaleAdmin(CommitteeScopedAdmin):
    list_display = ("name", "code", "applies_to", "committee")
    list_filter = (("committee", admin.RelatedOnlyFieldListFilter), "applies_to")
    search_fields = ("name", "code")
    inlines = [AssessmentValueInline]


class ReportingPeriodInline(ScopedInline):
    model = ReportingPeriod
    fields = ("slug", "name", "start", "end", "deadline", "status")


class PlanImportForm(forms.Form):
    files = forms.FileField(
        label=_("Plan file"),
        help_text=_("An Excel workbook (XLSX) with the plan's sheets, or a CSV file named after its sheet."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


@admin.register(Plan)
class PlanAdmin(CommitteeScopedAdmin):
    list_display = ("__str__", "year", "status", "committee", "import_export_links")
    list_filter = (("committee", admin.RelatedOnlyFieldListFilter), "year", "status")
    search_fields = ("committee__name", "year", "registration_number")
    list_select_related = ("committee",)
    inlines = [ReportingPeriodInline]
    change_form_template = "admin/commitments/plan/change_form.html"

    @admin.display(description=_("Plan file"))
    def import_export_links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:commitments_plan_import", args=[obj.pk]),
            _("Import"),
            reverse("admin:commitments_plan_export", args=[obj.pk, "xlsx"]),
            _("Export XLSX"),
        )

    def get_urls(self):
        own = [
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
        from indicators.plan_files import SHEETS_BY_KEY
        from indicators.selectors import plan_export

        plan = self.get_plan(request, pk)
        book = plan_export(plan=plan)
        stem = f"plan-{plan.committee.slug}-{plan.year}"
        if part == "xlsx":
            response = HttpResponse(
                book.export("xlsx"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
            return response
        if part not in SHEETS_BY_KEY:
            raise Http404
        sheet = next(s for s in book.sheets() if s.title == SHEETS_BY_KEY[part].title)
        response = HttpResponse(sheet.export("csv"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}-{part}.csv"'
        return response

    def import_view(self, request, pk: int):
        """Upload, preview (a dry run with every bad row), then confirm: the usual import steps."""
        from indicators.plan_files import PlanFileError, read_plan_files
        from indicators.services import plan_import

        plan = self.get_plan(request, pk)
        session_key = f"plan-import-{plan.pk}"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": plan,
            "title": _("Import the plan file"),
        }
        if request.method == "POST" and "confirm" in request.POST:
            stored = request.session.pop(session_key, None)
            if not stored or stored["token"] != request.POST.get("token"):
                messages.error(request, _("The preview has expired. Upload the file again."))
                return redirect("admin:commitments_plan_import", plan.pk)
            files = [(name, default_storage.open(stored_name).read()) for name, stored_name in stored["files"]]
            for _name, stored_name in stored["files"]:
                default_storage.delete(stored_name)
            result = plan_import(committee=plan.committee, year=plan.year, datasets=read_plan_files(files))
            if result.errors:
                context.update(form=PlanImportForm(), result=result)
                return TemplateResponse(request, "admin/commitments/plan/import.html", context)
            messages.success(request, _("The plan file is imported."))
            return redirect("admin:commitments_plan_change", plan.pk)

        form = PlanImportForm(request.POST or None, request.FILES or None)
        context["form"] = form
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["files"]
            content = upload.read()
            try:
                datasets = read_plan_files([(upload.name, content)])
            except PlanFileError as e:
                form.add_error("files", str(e))
            else:
                result = plan_import(committee=plan.committee, year=plan.year, datasets=datasets, dry_run=True)
                context["result"] = result
                if not result.errors:
                    token = uuid.uuid4().hex
                    stored_name = default_storage.save(f"plan-imports/{token}/{upload.name}", ContentFile(content))
                    request.session[session_key] = {"token": token, "files": [(upload.name, stored_name)]}
                    context["token"] = token
        return TemplateResponse(request, "admin/commitments/plan/import.html", context)


@admin.register(GoalArea)
class GoalAreaAdmin(CommitteeScopedAdmin):
    committee_path = "plan__committee"
    list_display = ("name", "number", "code", "sort_order", "plan")
    list_filter = (("plan__committee", admin.RelatedOnlyFieldListFilter), "plan__year")
    search_fields = ("name", "code")
    ordering = ("plan", "sort_order")
    list_select_related = ("plan__committee",)


class CommitmentInline(ScopedInline):
    model = Commitment
    fields = ("sort_order", "code", "text")
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "text":
            field.widget.attrs.update(rows=2, cols=80)
        return field


@admin.register(Goal)
class GoalAdmin(CommitteeScopedAdmin):
    committee_path = "plan__committee"
    list_display = ("code", "short_text", "goal_area", "level", "sort_order", "commitment_count")
    list_display_links = ("code", "short_text")
    list_filter = (
        ("plan__committee", admin.RelatedOnlyFieldListFilter),
        "plan__year",
        ("goal_area", admin.RelatedOnlyFieldListFilter),
        "level",
        "is_new",
    )
    search_fields = ("code", "text", "short_name", "proposal_text")
    ordering = ("plan", "goal_area__sort_order", "sort_order")
    list_select_related = ("goal_area", "plan__committee")
    list_per_page = 50
    inlines = [CommitmentInline]

    @admin.display(description=_("wording"), ordering="text")
    def short_text(self, obj):
        return shorten(obj.short_name or obj.text)

    @admin.display(description=_("commitments"))
    def commitment_count(self, obj):
        return obj.commitment_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(commitment_count=Count("commitments"))


@admin.register(Commitment)
class CommitmentAdmin(CommitteeScopedAdmin):
    committee_path = "plan__committee"
    list_display = ("code", "short_text", "goal_code", "responsible", "sort_order")
    list_display_links = ("code", "short_text")
    list_filter = (
        ("plan__committee", admin.RelatedOnlyFieldListFilter),
        "plan__year",
        ("goal__goal_area", admin.RelatedOnlyFieldListFilter),
        ("goal", admin.RelatedOnlyFieldListFilter),
        ("departments", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("code", "text", "goal__code", "goal__text")
    ordering = ("plan", "goal__goal_area__sort_order", "goal__sort_order", "sort_order")
    list_select_related = ("goal", "plan__committee")
    filter_horizontal = ("departments",)
    list_per_page = 50

    @admin.display(description=_("wording"), ordering="text")
    def short_text(self, obj):
        return shorten(obj.text)

    @admin.display(description=_("goal"), ordering="goal__code")
    def goal_code(self, obj):
        return obj.goal.code

    @admin.display(description=_("responsible departments"))
    def responsible(self, obj):
        return ", ".join(d.code for d in obj.departments.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("departments")
