from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class AsnAdminSite(admin.AdminSite):
    """The admin for committee admins: they enter it to manage their committee's plan."""

    site_header = _("ASN uppföljning – plan management")
    site_title = _("ASN uppföljning")
    index_title = _("Manage the plan")

    def has_permission(self, request):
        from commitments.permissions import can_use_admin

        return can_use_admin(request.user)
