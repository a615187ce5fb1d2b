"""
How an entry's indicator outcomes take part in the one review workflow (``commitments.workflow``).

The outcomes on an entry page belong to the entry: they are submitted, approved, returned
and reopened with it, on every path. Before an entry is submitted, each indicator of its
commitment needs an outcome, or a reason why there is none; the goal's own indicators on
the same page may wait for the period in which they are measured.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from commitments.models import ProgressEntry
from commitments.workflow import Parts, Problem

from .models import Indicator, Outcome


def entry_indicators(entry: ProgressEntry) -> QuerySet[Indicator]:
    """Return the indicators on the entry's page: its commitment's, then its goal's own, in order."""
    commitment = entry.commitment
    return Indicator.objects.filter(
        Q(commitment=commitment.pk) | Q(goal=commitment.goal_id, commitment__isnull=True)
    ).order_by("sort_order")


def entry_outcomes(entry: ProgressEntry) -> QuerySet[Outcome]:
    """Return the department's saved outcomes of the indicators on the entry's page, for its period."""
    commitment = entry.commitment
    return Outcome.objects.filter(period=entry.period_id, department=entry.department_id).filter(
        Q(indicator__commitment=commitment.pk)
        | Q(indicator__goal=commitment.goal_id, indicator__commitment__isnull=True)
    )


def entry_outcome_problems(entry: ProgressEntry) -> list[Problem]:
    """Name each indicator of the commitment that has neither an outcome nor a reason why it is missing."""
    required = Indicator.objects.filter(commitment=entry.commitment_id).order_by("sort_order")
    saved = {o.indicator_id: o for o in entry_outcomes(entry).select_related("indicator")}
    problems = []
    for indicator in required:
        outcome = saved.get(indicator.pk)
        if outcome is None or not outcome.has_content():
            message = _("%(indicator)s: give the outcome, or say why it is not available.") % {
                "indicator": indicator.name
            }
            problems.append(Problem(indicator.code, "value", message))
    return problems


ENTRY_PARTS = Parts(children=entry_outcomes, problems=entry_outcome_problems)
