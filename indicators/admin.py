from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from commitments.admin import COMMITTEE_PATHS, CommitteeScopedAdmin, ScopedInline, shorten

from .models import Indicator, PriorOutcome, Target

COMMITTEE_PATHS[Indicator] = "plan__committee"


class TargetInline(ScopedInline):
    model = Target
    fields = ("year", "part", "value", "text")


class PriorOutcomeInline(ScopedInline):
    model = PriorOutcome
    fields = ("year", "part", "value", "text")


@admin.register(Indicator)
class IndicatorAdmin(CommitteeScopedAdmin):
    committee_path = "plan__committee"
    list_display = ("code", "short_name", "goal_code", "level", "unit", "direction", "disaggregation", "sort_order")
    list_display_links = ("code", "short_name")
    list_filter = (
        ("plan__committee", admin.RelatedOnlyFieldListFilter),
        "plan__year",
        "level",
        "kind",
        "unit",
        "direction",
        "disaggregation",
        ("goal__goal_area", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("code", "name", "goal__code", "goal__text")
    ordering = ("plan", "goal__goal_area__sort_order", "goal__sort_order", "sort_order")
    list_select_related = ("goal", "plan__committee")
    list_per_page = 50
    inlines = [TargetInline, PriorOutcomeInline]

    @admin.display(description=_("name"), ordering="name")
    def short_name(self, obj):
        return shorten(obj.name)

    @admin.display(description=_("goal"), ordering="goal__code")
    def goal_code(self, obj):
        return obj.goal.code
