"""
Admin of the reports app for committee admins: each report's sections (the report template),
scoped to their committees like the rest of the plan; the adopted editions, to read only.
"""

from django import forms
from django.contrib import admin
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from commitments.admin import CommitteeScopedAdmin, PlanYearFilter, ScopedInline, ViewOnlyAdminMixin
from commitments.permissions import scope_to_admin_committees

from .models import (
    AdoptedEdition,
    KeyFigure,
    KeyFigureTable,
    KeyFigureTableRow,
    KeyFigureValue,
    ReportLayout,
    ReportSection,
)


@admin.register(ReportSection)
class ReportSectionAdmin(CommitteeScopedAdmin):
    """
    The sections of a kind of report in a plan year, in order: what each shows, who writes
    the text sections. Rows keep their plan and kind once made (texts hang on them).
    """

    committee_path = "plan__committee"
    plan_path = "plan"
    list_display = ("outline_heading", "sort_order", "numbered", "source", "department", "kind", "plan")
    list_filter = (("plan__committee", admin.RelatedOnlyFieldListFilter), PlanYearFilter, "kind", "source")
    search_fields = ("heading",)
    list_select_related = ("plan__committee", "department", "parent__parent")
    # The tree in reading order: by the place of the top-level section, then of the second
    # level's, then of the third's (a section comes before its own subsections).
    ordering = (
        "plan",
        "kind",
        Coalesce("parent__parent__sort_order", "parent__sort_order", "sort_order").asc(),
        Case(
            When(parent__parent__isnull=False, then=F("parent__sort_order")),
            When(parent__isnull=False, then=F("sort_order")),
            default=Value(-1),
        ).asc(),
        Case(When(parent__parent__isnull=False, then=F("sort_order")), default=Value(-1)).asc(),
    )
    fields = ("plan", "kind", "parent", "sort_order", "heading", "numbered", "source", "parameter", "department",
              "instructions")  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return ("plan", "kind") if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent" and field is not None:
            # A section can be part of a section of the same committee's reports.
            field.queryset = self.get_queryset(request).select_related("plan")
        return field

    @admin.display(description=_("heading"), ordering="heading")
    def outline_heading(self, obj):
        indent = "— " * (obj.depth - 1)
        return f"{indent}{obj}"


class KeyFigureValueInline(ScopedInline):
    model = KeyFigureValue
    fields = ("year", "value")


@admin.register(KeyFigure)
class KeyFigureAdmin(CommitteeScopedAdmin):
    """A key figure of the committee with its values, one per year; tables of the plans show them."""

    list_display = ("name", "code", "unit", "committee")
    list_filter = (("committee", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "code", "change_label")
    list_select_related = ("committee",)
    ordering = ("committee", "name")
    fields = ("committee", "code", "name", "change_label", "unit", "decimals")
    inlines = [KeyFigureValueInline]

    def get_readonly_fields(self, request, obj=None):
        return ("committee",) if obj else ()


class KeyFigureTableRowInline(ScopedInline):
    model = KeyFigureTableRow
    fields = ("sort_order", "figure")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "figure":
            kwargs["queryset"] = scope_to_admin_committees(request.user, KeyFigure.objects.all(), "committee")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(KeyFigureTable)
class KeyFigureTableAdmin(CommitteeScopedAdmin):
    """
    A table of key figures over a range of years in a plan year's reports, with the change
    from the year before computed and a chart; shown under its goal's follow-up.
    """

    committee_path = "plan__committee"
    plan_path = "plan"
    list_display = ("caption", "code", "goal", "first_year", "last_year", "chart", "plan")
    list_filter = (("plan__committee", admin.RelatedOnlyFieldListFilter), PlanYearFilter)
    search_fields = ("caption", "code")
    list_select_related = ("plan__committee", "goal")
    inlines = [KeyFigureTableRowInline]

    def get_readonly_fields(self, request, obj=None):
        return ("plan",) if obj else ()


@admin.register(AdoptedEdition)
class AdoptedEditionAdmin(ViewOnlyAdminMixin, CommitteeScopedAdmin):
    """
    The adopted editions, read-only: a public record is never changed or deleted here. An
    edition is adopted from the builds page (or ``manage.py adopt_report``).
    """

    committee_path = "period__plan__committee"
    list_display = ("__str__", "decided_on", "paragraph", "diarienummer", "period", "kind", "adopted_by")
    list_filter = (("period__plan__committee", admin.RelatedOnlyFieldListFilter), "kind")
    search_fields = ("diarienummer", "paragraph", "decision")
    list_select_related = ("period__plan__committee", "adopted_by")
    fields = ("period", "kind", "build", "decided_on", "paragraph", "diarienummer", "decided_by", "decision",
              "adopted_by", "created_at", "content_hash", "files")  # fmt: skip
    readonly_fields = fields
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content", "figures")

    @admin.display(description=_("files"))
    def files(self, obj):
        """
        Each file at its permanent public address, with its SHA-256: the app serves it from
        the storage, which has no address of its own to show (a private bucket, or a folder
        the web server does not serve).
        """
        return format_html_join(
            "",
            '<p><a href="{}">{}</a><br><code>{}</code></p>',
            (
                (reverse("public:permanent_file", args=[obj.pk, fmt]), label, obj.sha256_for(fmt))
                for fmt, label, _type in AdoptedEdition.FORMATS
            ),
        )


class ReportLayoutForm(forms.ModelForm):
    """The layout's form: its indicator columns written as names separated by commas, in order."""

    columns = forms.CharField(
        label=_("columns of the indicator tables"),
        required=False,
        help_text=ReportLayout._meta.get_field("columns").help_text,
        widget=forms.TextInput(attrs={"size": 70}),
    )

    class Meta:
        model = ReportLayout
        fields = (
            "committee", "kind", "title", "goal_area_word", "goal_word", "commitment_word", "indicator_word",
            "goal_indicator_word", "commitment_indicator_word", "chapters", "show_goal_follow_up", "show_commitments",
            "indicators", "columns", "prior_years", "target_years",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = self.instance.columns
        if isinstance(columns, list):
            self.initial["columns"] = ", ".join(str(column) for column in columns)

    def clean_columns(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["columns"].split(",") if name.strip()]


@admin.register(ReportLayout)
class ReportLayoutAdmin(CommitteeScopedAdmin):
    """
    How each kind of the committee's reports reads: title, words per level of the plan and,
    for the follow-up, its chapters and indicator tables. Without one, a kind reads as the
    standard layout (``reports.layouts.default_layout``).
    """

    form = ReportLayoutForm
    list_display = ("__str__", "kind", "title", "chapters", "indicators", "committee")
    list_filter = (("committee", admin.RelatedOnlyFieldListFilter), "kind")
    list_select_related = ("committee",)
    words = ("goal_area_word", "goal_word", "commitment_word", "indicator_word", "goal_indicator_word",
             "commitment_indicator_word")  # fmt: skip
    shape = ("chapters", "show_goal_follow_up", "show_commitments", "indicators", "columns", "prior_years",
             "target_years")  # fmt: skip
    fieldsets = (
        (None, {"fields": ("committee", "kind", "title")}),
        (_("Words"), {"fields": words}),
        (_("Follow-up"), {"fields": shape}),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("committee", "kind") if obj else ()
