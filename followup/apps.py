from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    """The follow-up pages: what departments write for a period and reviewers review (no models of its own)."""

    name = "followup"
    verbose_name = _("Follow-up")
