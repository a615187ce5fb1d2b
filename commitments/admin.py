"""
The admin in which committee admins keep their committee's plan.

Every model admin here is scoped through ``permissions``: a committee admin sees and edits
only the rows of the committees they manage, and picks only those in forms. Rows of a plan
(goal areas, goals, commitments) take their plan from their parent and cannot move to
another plan.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import Count, Model
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
    ReportingPeriod,
)
from .numbers import format_number
from .permissions import admin_assignable_users, is_committee_admin, scope_to_admin_committees


def committee_id_of(obj: Model, path: str) -> int:
    """Follow ``path`` (``"plan__committee"``, or ``"pk"``) from ``obj`` to its committee id."""
    if path == "pk":
        return obj.pk
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj.pk


def shorten(text: str, words: int = 14) -> str:
    return Truncator(text).words(words)


class ViewOnlyAdminMixin:
    """An admin in which rows are read, never added, changed or deleted (records of what happened)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CommitteeScopedAdmin(admin.ModelAdmin):
    """A model admin that shows committee admins only their committees' rows."""

    #: The path from a row to its committee.
    committee_path = "committee"

    def get_queryset(self, request):
        return scope_to_admin_committees(request.user, super().get_queryset(request), self.committee_path)

    def allowed(self, request, obj=None) -> bool:
        if obj is None:
            return is_committee_admin(request.user)
        return is_committee_admin(request.user, committee_id_of(obj, self.committee_path))

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

    def scoped_choices(self, request, model: type[Model]):
        """Return the choices of ``model`` the user may pick: what its own admin shows them."""
        try:
            related_admin = self.admin_site.get_model_admin(model)
        except NotRegistered:
            return None
        if isinstance(related_admin, CommitteeScopedAdmin):
            return scope_to_admin_committees(request.user, model._default_manager.all(), related_admin.committee_path)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = self.scoped_choices(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            choices = self.scoped_choices(request, db_field.related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PlanYearFilter(admin.SimpleListFilter):
    """Filter on the plan year, offering only the years the user can see."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        path = model_admin.plan_path
        years = model_admin.get_queryset(request).values_list(f"{path}__year", flat=True).distinct()
        return [(year, year) for year in sorted(set(years), reverse=True)]

    def __init__(self, request, params, model, model_admin):
        self.plan_path = model_admin.plan_path
        super().__init__(request, params, model, model_admin)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.plan_path}__year": self.value()})
        return queryset


class PlanItemForm(forms.ModelForm):
    """
    A form for a row of a plan: its plan is its parent's, and it stays in that plan.

    ``plan`` is not a form field; it is set from the parent before the model is validated,
    so that the uniqueness of codes within the plan is still checked.
    """

    parent_field = ""

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get(self.parent_field)
        if parent is not None:
            if self.instance.pk and self.instance.plan_id != parent.plan_id:
                self.add_error(self.parent_field, _("A row cannot be moved to another year's plan."))
            else:
                self.instance.plan = parent.plan
        return cleaned

    def _get_validation_exclusions(self):
        # Django excludes fields that are not on the form; ``plan`` is set above and must
        # take part in the (plan, code) uniqueness check.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("plan")
        return exclusions


class GoalForm(PlanItemForm):
    parent_field = "goal_area"


class CommitmentForm(PlanItemForm):
    parent_field = "goal"

    def clean(self):
        cleaned = super().clean()
        goal = cleaned.get("goal")
        foreign = [d for d in cleaned.get("departments", []) if goal and d.committee_id != goal.plan.committee_id]
        if foreign:
            self.add_error("departments", _("The department belongs to another committee."))
        return cleaned


class ScopedInline(admin.TabularInline):
    """An inline that follows the permissions of its parent admin."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_committee_admin(request.user)

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


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
        if db_field.name == "user":
            kwargs["queryset"] = admin_assignable_users(request.user)
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


class AssessmentValueForm(forms.ModelForm):
    """A level of a scale; one that means “not followed up” has no rule."""

    class Meta:
        model = AssessmentValue
        fields = (
            "sort_order", "code", "symbol", "label", "meaning", "colour", "min_share", "not_followed_up", "sentence",
        )  # fmt: skip
        widgets = {"colour": forms.TextInput(attrs={"size": 8, "placeholder": "#2e7d32"})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("not_followed_up") and cleaned.get("min_share") is not None:
            self.add_error(
                "min_share",
                _("A level that means “not followed up” is never proposed: leave its share of the target empty."),
            )
        return cleaned


class AssessmentValueFormSet(forms.BaseInlineFormSet):
    """The levels of a scale: no two rules with the same share of the target."""

    def clean(self):
        super().clean()
        by_share: dict = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or self._should_delete_form(form):
                continue
            share = form.cleaned_data.get("min_share")
            if share is not None:
                by_share.setdefault(share.normalize(), []).append(form.cleaned_data.get("label") or "?")
        clashes = [
            _("The levels %(levels)s are all proposed from %(share)s %% of the target: give each level its own share.")
            % {"levels": ", ".join(labels), "share": format_number(share)}
            for share, labels in sorted(by_share.items())
            if len(labels) > 1
        ]
        if clashes:
            raise forms.ValidationError(clashes)


class AssessmentValueInline(ScopedInline):
    model = AssessmentValue
    form = AssessmentValueForm
    formset = AssessmentValueFormSet
    fields = AssessmentValueForm.Meta.fields


@admin.register(AssessmentScale)
class AssessmentScaleAdmin(CommitteeScopedAdmin):
    list_display = ("name", "code", "applies_to", "committee")
    list_filter = (("committee", admin.RelatedOnlyFieldListFilter), "applies_to")
    search_fields = ("name", "code")
    inlines = [AssessmentValueInline]


class ReportingPeriodInline(ScopedInline):
    """The plan's periods; they are closed and reopened from the list of commitments, on record."""

    model = ReportingPeriod
    fields = ("slug", "name", "start", "end", "deadline", "status")
    readonly_fields = ("status",)


class PlanAdmin(CommitteeScopedAdmin):
    """The plan's own fields and periods; registered with the plan file's views by ``indicators.admin``."""

    list_display = ("__str__", "year", "status", "committee")
    list_filter = (("committee", admin.RelatedOnlyFieldListFilter), "status")
    search_fields = ("committee__name", "year", "registration_number")
    list_select_related = ("committee",)
    inlines = [ReportingPeriodInline]

    def get_readonly_fields(self, request, obj=None):
        # A plan keeps its committee and year: its rows and entries hang on them.
        return ("committee", "year") if obj else ()


class PlanItemAdmin(CommitteeScopedAdmin):
    """Admin of a row of a plan: filtered by committee and year, its plan shown, not edited."""

    committee_path = "plan__committee"
    plan_path = "plan"
    readonly_fields = ("plan",)
    list_per_page = 50


@admin.register(GoalArea)
class GoalAreaAdmin(CommitteeScopedAdmin):
    committee_path = "plan__committee"
    plan_path = "plan"
    list_display = ("name", "number", "code", "sort_order", "plan")
    list_filter = (("plan__committee", admin.RelatedOnlyFieldListFilter), PlanYearFilter)
    search_fields = ("name", "code")
    ordering = ("plan", "sort_order")
    list_select_related = ("plan__committee",)

    def get_readonly_fields(self, request, obj=None):
        return ("plan",) if obj else ()


class CommitmentInline(admin.TabularInline):
    """The goal's commitments, listed for orientation; they are edited on their own page."""

    model = Commitment
    fields = ("sort_order", "code", "text")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_committee_admin(request.user)


@admin.register(Goal)
class GoalAdmin(PlanItemAdmin):
    form = GoalForm
    list_display = ("code", "short_text", "goal_area", "level", "sort_order", "commitment_count")
    list_display_links = ("code", "short_text")
    list_filter = (
        ("plan__committee", admin.RelatedOnlyFieldListFilter),
        PlanYearFilter,
        ("goal_area", admin.RelatedOnlyFieldListFilter),
        "level",
        "is_new",
    )
    search_fields = ("code", "text", "short_name", "proposal_text")
    ordering = ("plan", "goal_area__sort_order", "sort_order")
    list_select_related = ("goal_area", "plan__committee")
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
class CommitmentAdmin(PlanItemAdmin):
    form = CommitmentForm
    list_display = ("code", "short_text", "goal_code", "responsible", "sort_order")
    list_display_links = ("code", "short_text")
    list_filter = (
        ("plan__committee", admin.RelatedOnlyFieldListFilter),
        PlanYearFilter,
        ("goal__goal_area", admin.RelatedOnlyFieldListFilter),
        ("goal", admin.RelatedOnlyFieldListFilter),
        ("departments", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("code", "text", "goal__code", "goal__text")
    ordering = ("plan", "goal__goal_area__sort_order", "goal__sort_order", "sort_order")
    list_select_related = ("goal", "plan__committee")
    filter_horizontal = ("departments",)

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
