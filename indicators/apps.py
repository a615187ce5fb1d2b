from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from commitments.models import GoalContribution, ProgressEntry
        from commitments.workflow import register_owners, register_parts
        from common.plan_cache import watch_plan_models

        from .models import Indicator, Outcome, PriorOutcome, Target
        from .workflow import CONTRIBUTION_PARTS, ENTRY_PARTS, outcome_owners

        register_parts(ProgressEntry, ENTRY_PARTS)
        register_parts(GoalContribution, CONTRIBUTION_PARTS)
        register_owners(Outcome, outcome_owners)
        # What the pages keep of a plan in the cache is read again after any change of these.
        watch_plan_models(Indicator, Indicator.departments.through, Target, PriorOutcome)
