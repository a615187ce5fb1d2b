"""
The statement and the reported problems in the admin: for those who manage a committee's
plan (committee admins of any committee) and superusers. The statement is the whole site's:
one row, never deleted; a report is read and marked handled, never written here.
"""

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from commitments.permissions import is_committee_admin

from .models import AccessibilityReport, AccessibilityStatement


class SiteAdminsOnly:
    """Committee admins (of any committee) and superusers: the people the statement's reports go to."""

    def has_module_permission(self, request):
        return is_committee_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_committee_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_committee_admin(request.user)


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(SiteAdminsOnly, admin.ModelAdmin):
    list_display = ("__str__", "conformance", "reviewed_on", "updated_on")
    readonly_fields = ("updated_on",)
    fieldsets = (
        (None, {"fields": ("organisation", "conformance")}),
        (_("Known shortcomings"), {"fields": ("shortcomings", "exempt_content")}),
        (_("Review"), {"fields": ("test_method", "reviewed_on", "updated_on")}),
        (_("Contact for reports"), {"fields": ("contact_email", "contact_phone", "response_days")}),
    )

    def has_add_permission(self, request):
        # One statement: made by the migration; added here only if it was removed from the database.
        return is_committee_admin(request.user) and not AccessibilityStatement.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessibilityReport)
class AccessibilityReportAdmin(SiteAdminsOnly, admin.ModelAdmin):
    list_display = ("created_at", "page", "short_description", "email", "handled")
    list_filter = ("handled",)
    search_fields = ("page", "description", "name", "email")
    date_hierarchy = "created_at"
    fields = ("created_at", "name", "email", "page", "description", "mailed_at", "handled", "note")
    readonly_fields = ("created_at", "name", "email", "page", "description", "mailed_at")

    @admin.display(description=_("description"))
    def short_description(self, obj: AccessibilityReport) -> str:
        return Truncator(obj.description).words(14)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A report holds personal data (a name, an address): those who read it may remove it.
        return is_committee_admin(request.user)
