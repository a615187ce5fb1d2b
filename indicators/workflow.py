"""
Who reports an indicator's outcome, on which page, and how the outcomes take part in the
one review workflow (``commitments.workflow``).

The rule of who reports: an indicator that names its reporting departments
(``Indicator.departments``) is reported by those only. Otherwise a commitment's indicator
is reported by each department responsible for the commitment; a goal's own indicator (one
of no commitment) by each department that follows up the goal (``Goal.departments``), or,
when none does, by each department responsible for one of the goal's commitments.

Where: the goal's own indicators of a goal that departments follow up are reported on the
goal's page (each department's ``GoalContribution``); of a goal that none follows up, on the
entry page of each of the goal's commitments, beside the commitment's indicators. So a committee without åtaganden
reports everything on its goal pages, and a plan whose goals are followed up only through
commitments reports as before.

The outcomes on a page belong to the page's row: they are submitted, approved, returned
and reopened with it, on every path. Before an entry is submitted, each indicator of its
commitment needs an outcome, or a reason why there is none (the goal's own indicators on
the same page may wait for the period in which they are measured); before a goal's
follow-up is submitted, each of the goal's indicators on its page does.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from commitments.models import Commitment, Goal, GoalContribution, ProgressEntry
from commitments.workflow import Parts, Problem

from .models import Indicator, Outcome


def reported_by(department_id: int) -> Q:
    """Indicators that name no reporting departments, or name this one."""
    named = Indicator.departments.through.objects.filter(indicator=OuterRef("pk"))
    return ~Q(Exists(named)) | Q(Exists(named.filter(department_id=department_id)))


def _followers(department_id: int | None = None):
    """The links of the indicator's goal to the departments that follow it up (that one, if given)."""
    # Only a goal the committee follows up has a page (``Goal.contributes``).
    links = Goal.departments.through.objects.filter(goal=OuterRef("goal"), goal__contributes=True)
    return links if department_id is None else links.filter(department_id=department_id)


def _follows_goal(department_id: int) -> Q:
    """Indicators whose goal the department follows up."""
    return Q(Exists(_followers(department_id)))


def _goal_followed() -> Q:
    """Indicators whose goal some department follows up."""
    return Q(Exists(_followers()))


def entry_page_indicators(commitment: Commitment, department_id: int) -> QuerySet[Indicator]:
    """
    The indicators the department reports on its entry page of the commitment: the
    commitment's, then the goal's own unless some department follows up the goal (then they
    are reported on the goal's page, by those that follow it up), in order.
    """
    goal_own = Q(goal=commitment.goal_id, commitment__isnull=True) & ~_goal_followed()
    return (
        Indicator.objects.filter(Q(commitment=commitment.pk) | goal_own)
        .filter(reported_by(department_id))
        .order_by("sort_order")
    )


def goal_page_indicators(goal_id: int, department_id: int) -> QuerySet[Indicator]:
    """The goal's own indicators the department reports on the goal's page (none unless it follows up the goal)."""
    return (
        Indicator.objects.filter(goal=goal_id, commitment__isnull=True)
        .filter(_follows_goal(department_id) & reported_by(department_id))
        .order_by("sort_order")
    )


def department_reports(indicator: Indicator, department_id: int) -> bool:
    """Whether the department reports the indicator's outcome (the rule above), on some page."""
    return indicator.pk in indicators_reported(Indicator.objects.filter(pk=indicator.pk), department_id)


def indicators_reported(indicators: QuerySet[Indicator], department_id: int) -> set[int]:
    """The ids of ``indicators`` whose outcomes the department reports (the rule above), in one query."""
    responsible = Commitment.departments.through.objects.filter(department_id=department_id)
    own_commitment = Q(commitment__isnull=False) & Q(Exists(responsible.filter(commitment=OuterRef("commitment"))))
    goal_commitments = Q(Exists(responsible.filter(commitment__goal=OuterRef("goal"))))
    goal_own = Q(commitment__isnull=True) & (_follows_goal(department_id) | (~_goal_followed() & goal_commitments))
    return set(
        indicators.filter(reported_by(department_id)).filter(own_commitment | goal_own).values_list("pk", flat=True)
    )


def able_to_report(goal: Goal, commitment: Commitment | None) -> set[int]:
    """
    The departments that may be named as reporting an indicator of ``goal`` (and ``commitment``):
    those responsible for its commitment; for a goal's own indicator, those that follow up the
    goal, or where none does, those responsible for one of its commitments.
    """
    if commitment is not None:
        return set(commitment.departments.values_list("pk", flat=True))
    followers = set(goal.departments.values_list("pk", flat=True)) if goal.contributes else set()
    return followers or set(
        Commitment.departments.through.objects.filter(commitment__goal=goal).values_list("department_id", flat=True)
    )


def reporting_problem(departments, goal: Goal, commitment: Commitment | None) -> str:
    """Why ``departments`` cannot all be named as reporting an indicator of the goal (and commitment), or ""."""
    able = able_to_report(goal, commitment)
    unable = [d.code for d in departments if d.pk not in able]
    if not unable:
        return ""
    return _(
        "%(codes)s cannot report it. A commitment's indicator is reported by departments responsible for "
        "the commitment; a goal's own indicator by departments that follow up the goal, or where none "
        "does, by those responsible for one of its commitments."
    ) % {"codes": ", ".join(unable)}


def _outcomes(indicators: QuerySet[Indicator], row) -> QuerySet[Outcome]:
    return Outcome.objects.filter(period=row.period_id, department=row.department_id, indicator__in=indicators)


def entry_outcomes(entry: ProgressEntry) -> QuerySet[Outcome]:
    """Return the department's saved outcomes of the indicators on the entry's page, for its period."""
    return _outcomes(entry_page_indicators(entry.commitment, entry.department_id), entry)


def contribution_outcomes(contribution: GoalContribution) -> QuerySet[Outcome]:
    """Return the department's saved outcomes of the indicators on the goal's page, for its period."""
    return _outcomes(goal_page_indicators(contribution.goal_id, contribution.department_id), contribution)


def _missing(required: QuerySet[Indicator], saved: QuerySet[Outcome]) -> list[Problem]:
    """Name each required indicator that has neither an outcome nor a reason why it is missing."""
    by_indicator = {o.indicator_id: o for o in saved.select_related("indicator")}
    problems = []
    for indicator in required:
        outcome = by_indicator.get(indicator.pk)
        if outcome is None or not outcome.has_content():
            message = _("%(indicator)s: give the outcome, or say why it is not available.") % {
                "indicator": indicator.name
            }
            problems.append(Problem(indicator.code, "value", message))
    return problems


def entry_outcome_problems(entry: ProgressEntry) -> list[Problem]:
    """Name each indicator of the commitment on the page that has neither an outcome nor a reason why not."""
    required = entry_page_indicators(entry.commitment, entry.department_id).filter(commitment=entry.commitment_id)
    return _missing(required, entry_outcomes(entry))


def contribution_outcome_problems(contribution: GoalContribution) -> list[Problem]:
    """Name each indicator on the goal's page that has neither an outcome nor a reason why not."""
    return _missing(
        goal_page_indicators(contribution.goal_id, contribution.department_id), contribution_outcomes(contribution)
    )


def outcome_owners(outcome: Outcome) -> list[ProgressEntry | GoalContribution | None]:
    """
    Return the rows whose pages hold the outcome (the inverse of ``entry_outcomes`` and
    ``contribution_outcomes``), each the department's row for the period, or None where it
    has written none yet: the commitment's entry, for a commitment's indicator; for a goal's
    own indicator, the goal's follow-up where departments follow the goal up, or else the
    entry of each of the goal's commitments the department is responsible for.
    """
    indicator = outcome.indicator
    rows = {"period": outcome.period_id, "department": outcome.department_id}
    if (
        indicator.commitment_id is None
        and Goal.objects.filter(pk=indicator.goal_id).filter(_goal_followed_here()).exists()
    ):
        if not Goal.departments.through.objects.filter(
            goal=indicator.goal_id, department=outcome.department_id
        ).exists():
            return []
        contribution = GoalContribution.objects.filter(goal=indicator.goal_id, **rows).first()
        return [contribution]
    commitments = Commitment.objects.filter(departments=outcome.department_id)
    if indicator.commitment_id is not None:
        commitments = commitments.filter(pk=indicator.commitment_id)
    else:
        commitments = commitments.filter(goal=indicator.goal_id)
    pks = list(commitments.values_list("pk", flat=True))
    entries = {
        e.commitment_id: e
        for e in ProgressEntry.objects.filter(commitment__in=pks, **rows).select_related("commitment")
    }
    return [entries.get(pk) for pk in pks]


def _goal_followed_here() -> Q:
    """Goals that some department follows up (those have a page of their own)."""
    return Q(contributes=True) & Q(Exists(Goal.departments.through.objects.filter(goal=OuterRef("pk"))))


ENTRY_PARTS = Parts(children=entry_outcomes, problems=entry_outcome_problems)
CONTRIBUTION_PARTS = Parts(children=contribution_outcomes, problems=contribution_outcome_problems)
