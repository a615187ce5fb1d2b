from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class AsnAdminSite(admin.AdminSite):
    """The admin for committee admins: they enter it to manage their committee's plan."""

    index_title = gettext_lazy("Manage the plan")

    @property
    def site_header(self) -> str:
        return _("%(site)s – plan management") % {"site": settings.SITE_NAME}

    @property
    def site_title(self) -> str:
        return settings.SITE_NAME

    def has_permission(self, request):
        from commitments.permissions import can_use_admin

        return can_use_admin(request.user)
