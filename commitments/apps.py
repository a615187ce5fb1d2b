from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Plan and commitments")

    def ready(self):
        from common.plan_cache import watch_migrations, watch_plan_models

        # Roles from the identity provider's groups at single sign-on (OIDC_GROUP_ROLES), and its check.
        from . import sso  # noqa: F401
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
            Plan,
            ReportingPeriod,
        )

        # What the pages keep of a plan in the cache is read again after any change of these; so are
        # the users' memberships (commitments.permissions), which change as seldom.
        watch_plan_models(
            Committee, Department, MandatePeriod, AssessmentScale, AssessmentValue, Plan, GoalArea, Goal,
            Goal.departments.through, Commitment, Commitment.departments.through, ReportingPeriod, Membership,
        )  # fmt: skip
        # And after every migrate: a migration may change them with SQL that sends no signal.
        watch_migrations(self)
