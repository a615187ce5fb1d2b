from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Plan and commitments")

    def ready(self):
        # Roles from the identity provider's groups at single sign-on (OIDC_GROUP_ROLES), and its check.
        from . import sso  # noqa: F401
