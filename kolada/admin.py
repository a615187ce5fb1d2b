"""
The admin of Kolada: the KPI catalogue to search by title (for the id an indicator is linked
to), and, per committee, the values fetched and the fetches. All read-only: they are written
by the nightly fetch.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from commitments.admin import CommitteeScopedAdmin, ViewOnlyAdminMixin
from commitments.permissions import is_committee_admin

from .models import Fetch, Kpi, Proposal


@admin.register(Kpi)
class KpiAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Kolada's KPIs, searched by title or id: the id an indicator is linked to (the plan file's ``kolada``)."""

    list_display = ("id", "title", "is_divided_by_gender", "has_ou_data", "refreshed_at")
    search_fields = ("id", "title")
    list_filter = ("is_divided_by_gender", "municipality_type")

    def has_module_permission(self, request):
        return is_committee_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_committee_admin(request.user)


@admin.register(Proposal)
class ProposalAdmin(ViewOnlyAdminMixin, CommitteeScopedAdmin):
    committee_path = "indicator__plan__committee"
    list_display = ("indicator", "year", "kpi", "area", "value", "value_female", "value_male", "status", "fetched_at",
                    "revised_at")  # fmt: skip
    list_filter = (("indicator__plan__committee", admin.RelatedOnlyFieldListFilter), "year")
    search_fields = ("kpi", "indicator__code", "indicator__name")
    list_select_related = ("indicator",)


@admin.register(Fetch)
class FetchAdmin(ViewOnlyAdminMixin, CommitteeScopedAdmin):
    list_display = ("created_at", "committee", "trigger", "years", "ok", "new", "revised", "problem_count")
    list_filter = (("committee", admin.RelatedOnlyFieldListFilter), "trigger", "ok")
    search_fields = ("error",)
    list_select_related = ("committee",)

    @admin.display(description=_("problems"))
    def problem_count(self, obj):
        return len(obj.problems)
