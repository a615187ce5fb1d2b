"""Tuned reads of the plan and the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch

from .models import Committee, Membership, Plan, ReportingPeriod
from .permissions import committees_for

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class CommitteeOverview:
    committee: Committee
    roles: list[Membership]
    plans: list[Plan]


def committee_overviews_for_user(*, user: User) -> list[CommitteeOverview]:
    """Return each committee the user sees, with the user's roles and its plans and periods."""
    committees = committees_for(user).prefetch_related(
        Prefetch(
            "plans",
            queryset=Plan.objects.prefetch_related(
                Prefetch("periods", queryset=ReportingPeriod.objects.order_by("start", "end"))
            ),
        ),
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(user=user).select_related("department"),
            to_attr="user_memberships",
        ),
    )
    return [CommitteeOverview(c, c.user_memberships, list(c.plans.all())) for c in committees]
