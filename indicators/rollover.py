"""
The year rollover: a committee's plan copied to the next year as the start of its next plan.

It lives in ``indicators`` because it copies the rows of both apps: goal areas, goals and
commitments (``commitments``), indicators with their targets and prior outcomes (here).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from commitments.models import (
    Commitment,
    Goal,
    GoalArea,
    GoalContribution,
    MandatePeriod,
    Plan,
    ProgressEntry,
    ReportingPeriod,
)
from commitments.permissions import is_committee_admin
from common.plan_cache import plan_data_changed

from .models import Indicator, Outcome, PriorOutcome, Target

if TYPE_CHECKING:
    from accounts.models import User

#: Sent inside the rollover's transaction once the plan's own rows are copied, so that the
#: apps above this one (the reports' templates and key figures) copy what hangs on the plan:
#: ``plan``, ``new_plan``, ``goals`` (old goal id → its copy) and ``result``, to which a
#: receiver appends what it created (``RolloverKind``) and what it leaves (``not_copied``).
plan_copied = Signal()

#: The fields a copy never takes from its original: its identity, its times, its plan and link.
_NOT_COPIED_FIELDS = frozenset({"id", "created_at", "updated_at", "plan", "origin"})


@dataclass
class RolloverKind:
    """One kind of row of the plan: its name (plural, translated) and the rows concerned."""

    key: str
    label: str
    items: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass
class RolloverResult:
    """
    What a rollover creates (``created``, one entry per kind, in the plan's order) and what
    it leaves with the old year (``not_copied``: the number of rows per kind).
    """

    source_year: int
    year: int
    status_label: str
    mandate_period: str
    created: list[RolloverKind] = field(default_factory=list)
    not_copied: list[tuple[str, int]] = field(default_factory=list)
    applied: bool = False
    plan_id: int | None = None

    def count(self, key: str) -> int:
        """Return the number of rows of the kind ``key`` (``"goals"``, ``"targets"``, …) created."""
        return next(kind.count for kind in self.created if kind.key == key)


def _already_exists_message(*, plan: Plan) -> str:
    return _("%(committee)s already has a plan for %(year)s: nothing has been copied.") % {
        "committee": plan.committee.name,
        "year": plan.year + 1,
    }


def _copy(obj: models.Model, **values) -> models.Model:
    """Return an unsaved copy of ``obj`` with every field of its own, then ``values`` on top."""
    copy = type(obj)()
    for model_field in obj._meta.concrete_fields:
        if model_field.name not in _NOT_COPIED_FIELDS:
            setattr(copy, model_field.attname, getattr(obj, model_field.attname))
    for name, value in values.items():
        setattr(copy, name, value)
    return copy


def _next_year(day: datetime.date) -> datetime.date:
    """Return the same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def _mandate_period_for(*, plan: Plan, year: int) -> MandatePeriod | None:
    """Return the plan's mandate period if ``year`` lies in it, else the one that holds ``year`` (or None)."""
    current = plan.mandate_period
    if current is not None and current.start_year <= year <= current.end_year:
        return current
    return MandatePeriod.objects.filter(start_year__lte=year, end_year__gte=year).first()


def _copy_departments(through: type[models.Model], column: str, pairs: list[tuple[models.Model, list[int]]]) -> None:
    """Give each new row of ``pairs`` the departments of its original, in one query."""
    through.objects.bulk_create(
        [through(**{f"{column}_id": row.pk, "department_id": d}) for row, departments in pairs for d in departments]
    )


def _year_value_label(value: Target | PriorOutcome) -> str:
    part = f" {value.part}" if value.part else ""
    return f"{value.indicator.code} {value.year}{part}"


def _roll_over(*, plan: Plan, result: RolloverResult) -> Plan:
    """Create the next year's plan and copy the rows of ``plan`` into it; return the new plan."""
    year = plan.year + 1
    new_plan = Plan(
        committee=plan.committee,
        year=year,
        mandate_period=_mandate_period_for(plan=plan, year=year),
        status=Plan.Status.PROPOSAL,
        commitment_scale=plan.commitment_scale,
        goal_year_scale=plan.goal_year_scale,
        goal_mandate_scale=plan.goal_mandate_scale,
    )
    new_plan.full_clean()
    new_plan.save()

    def kind(model: type[models.Model], key: str) -> RolloverKind:
        created = RolloverKind(key=key, label=str(model._meta.verbose_name_plural))
        result.created.append(created)
        return created

    # Goal areas, goals and commitments: the plan's frame, with codes and order as they are.
    # "New this year" and the proposal's own wording were true of the old year's proposal.
    areas = list(GoalArea.objects.filter(plan=plan).order_by("sort_order"))
    area_copies = GoalArea.objects.bulk_create([_copy(a, plan=new_plan, origin=a) for a in areas])
    new_area = {a.pk: c for a, c in zip(areas, area_copies, strict=True)}
    kind(GoalArea, "goal_areas").items = [a.code for a in areas]

    goals = list(
        Goal.objects.filter(plan=plan)
        .order_by("goal_area__sort_order", "sort_order")
        .prefetch_related(models.Prefetch("departments", to_attr="department_list"))
    )
    goal_copies = Goal.objects.bulk_create(
        [
            _copy(g, plan=new_plan, origin=g, goal_area=new_area.get(g.goal_area_id), is_new=False, proposal_text="")
            for g in goals
        ]
    )
    new_goal = {g.pk: c for g, c in zip(goals, goal_copies, strict=True)}
    _copy_departments(
        Goal.departments.through, "goal", [(new_goal[g.pk], [d.pk for d in g.department_list]) for g in goals]
    )
    kind(Goal, "goals").items = [g.code for g in goals]

    commitments = list(
        Commitment.objects.filter(plan=plan)
        .order_by("goal__goal_area__sort_order", "goal__sort_order", "sort_order")
        .prefetch_related(models.Prefetch("departments", to_attr="department_list"))
    )
    commitment_copies = Commitment.objects.bulk_create(
        [_copy(c, plan=new_plan, origin=c, goal=new_goal[c.goal_id], proposal_text="") for c in commitments]
    )
    new_commitment = {c.pk: copy for c, copy in zip(commitments, commitment_copies, strict=True)}
    _copy_departments(
        Commitment.departments.through,
        "commitment",
        [(new_commitment[c.pk], [d.pk for d in c.department_list]) for c in commitments],
    )
    kind(Commitment, "commitments").items = [c.code for c in commitments]

    # Indicators, with the targets and prior outcomes the plan states, as stated: a target
    # keeps its year, so that last year's target shows as such and this year's is set anew.
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .order_by("goal__goal_area__sort_order", "goal__sort_order", "sort_order")
        .prefetch_related(models.Prefetch("departments", to_attr="department_list"))
    )
    indicator_copies = Indicator.objects.bulk_create(
        [
            _copy(
                i,
                plan=new_plan,
                origin=i,
                goal=new_goal[i.goal_id],
                commitment=new_commitment[i.commitment_id] if i.commitment_id else None,
                is_new=False,
            )
            for i in indicators
        ]
    )
    new_indicator = {i.pk: c for i, c in zip(indicators, indicator_copies, strict=True)}
    _copy_departments(
        Indicator.departments.through,
        "indicator",
        [(new_indicator[i.pk], [d.pk for d in i.department_list]) for i in indicators],
    )
    kind(Indicator, "indicators").items = [i.code for i in indicators]

    order = ("indicator__goal__goal_area__sort_order", "indicator__goal__sort_order", "indicator__sort_order",
             "year", "part")  # fmt: skip
    for model, key in ((Target, "targets"), (PriorOutcome, "prior_outcomes")):
        values = list(model.objects.filter(indicator__plan=plan).select_related("indicator").order_by(*order))
        model.objects.bulk_create([_copy(v, origin=v, indicator=new_indicator[v.indicator_id]) for v in values])
        kind(model, key).items = [_year_value_label(v) for v in values]

    # The periods, a year later, open: the new year's follow-ups need them, with their
    # deadlines to be checked. They begin empty; the old year's periods keep what was written.
    periods = []
    for period in ReportingPeriod.objects.filter(plan=plan).order_by("start", "end"):
        prefix = f"{plan.year}-"
        rest = period.slug[len(prefix) :] if period.slug.startswith(prefix) else period.slug
        copy = ReportingPeriod(
            plan=new_plan,
            slug=f"{year}-{rest}",
            name=period.name,
            start=_next_year(period.start),
            end=_next_year(period.end),
            deadline=_next_year(period.deadline),
            status=ReportingPeriod.Status.OPEN,
        )
        copy.full_clean()
        periods.append(copy)
    ReportingPeriod.objects.bulk_create(periods)
    kind(ReportingPeriod, "periods").items = [p.slug for p in periods]
    plan_copied.send(sender=Plan, plan=plan, new_plan=new_plan, goals=new_goal, result=result)
    return new_plan


def plan_rollover(*, plan: Plan, user: User, dry_run: bool = False) -> RolloverResult:
    """
    Copy ``plan`` to the next year, all or nothing, as a proposal for the committee's next plan.

    Goal areas, goals and commitments (with their departments), indicators, their targets
    and prior outcomes are copied with their codes and order, each linked to its original
    (``origin``); the reporting periods are created a year later, open. What departments
    wrote (entries, outcomes, goal contributions) and the log stay with the old year, which
    is not changed. Only the committee's admins may; a committee that already has a plan for
    the next year is refused with a ``ValidationError``. A dry run returns the same result
    and changes nothing.
    """
    if not is_committee_admin(user, plan.committee_id):
        raise PermissionDenied(_("Only the committee's admins may copy its plan to the next year."))
    with transaction.atomic():
        plan_data_changed()  # the copies are written in bulk, which sends no signals
        # Lock the plan, so that two rollovers of it run one after the other.
        plan = (
            Plan.objects.select_for_update(of=("self",)).select_related("committee", "mandate_period").get(pk=plan.pk)
        )
        if Plan.objects.filter(committee_id=plan.committee_id, year=plan.year + 1).exists():
            raise ValidationError(_already_exists_message(plan=plan))
        result = RolloverResult(
            source_year=plan.year,
            year=plan.year + 1,
            status_label=str(Plan.Status.PROPOSAL.label),
            mandate_period="",
        )
        try:
            with transaction.atomic():
                new_plan = _roll_over(plan=plan, result=result)
        except IntegrityError as e:
            # Another session created the year's plan after the check above.
            raise ValidationError(_already_exists_message(plan=plan)) from e
        result.mandate_period = str(new_plan.mandate_period or "")
        result.not_copied[:0] = [
            (str(ProgressEntry._meta.verbose_name_plural), ProgressEntry.objects.filter(period__plan=plan).count()),
            (str(Outcome._meta.verbose_name_plural), Outcome.objects.filter(period__plan=plan).count()),
            (
                str(GoalContribution._meta.verbose_name_plural),
                GoalContribution.objects.filter(period__plan=plan).count(),
            ),
        ]
        if dry_run:
            transaction.set_rollback(True)
        else:
            result.applied, result.plan_id = True, new_plan.pk
    return result
