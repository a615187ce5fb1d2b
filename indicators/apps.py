from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from commitments.models import GoalContribution, ProgressEntry
        from commitments.workflow import register_owners, register_parts

        from .models import Outcome
        from .workflow import CONTRIBUTION_PARTS, ENTRY_PARTS, outcome_owners

        register_parts(ProgressEntry, ENTRY_PARTS)
        register_parts(GoalContribution, CONTRIBUTION_PARTS)
        register_owners(Outcome, outcome_owners)
