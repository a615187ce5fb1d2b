"""Reads of indicators and outcomes, and of the plan as a whole."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

import tablib
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property

from commitments.history import plain_text, text_diff
from commitments.models import (
    EDITABLE_STATES,
    AssessmentValue,
    Commitment,
    Committee,
    Department,
    Goal,
    GoalContribution,
    Plan,
    ProgressEntry,
    ReportingPeriod,
    Reviewable,
    ReviewStatus,
)
from commitments.permissions import can_edit_department, can_read_department, can_review, readable_department_ids
from commitments.selectors import (
    entry_thread,
    events_for_object,
    period_previous,
    plan_periods,
    progress_entry_get_or_new,
)
from common.plan_cache import plan_cached
from common.search import RESULTS_PER_KIND, fallback_matches, text_search

from .models import Indicator, Outcome, PriorOutcome, Target
from .outcomes import proposed_assessment
from .plan_files import SHEETS
from .workflow import entry_page_indicators, goal_page_indicators

if TYPE_CHECKING:
    from accounts.models import User


def plan_export(*, plan: Plan) -> tablib.Databook:
    """
    Return the whole plan as a workbook, a sheet per entity, in the import format.

    The number of queries does not depend on the size of the plan.
    """
    book = tablib.Databook()
    for sheet in SHEETS:
        resource = sheet.resource_class(plan)
        data = resource.export(resource.get_queryset())
        data.title = sheet.title
        book.add_sheet(data)
    return book


@dataclass
class OutcomeLine:
    """One indicator on an entry or goal page: the outcome so far, and what to compare it with."""

    indicator: Indicator
    outcome: Outcome
    #: The target of the plan year (the whole year), as the plan states it.
    target: Target | None
    proposed: AssessmentValue | None
    #: The user writes for the department and the outcome is in a state it can change: it has a
    #: form on the page (whether the page is open now is ``workflow.can_write`` of its row;
    #: a form refused since keeps what was typed in it).
    writable: bool
    #: Every target the plan gives (all years and parts), and every outcome of earlier years, by year.
    targets: list[Target] = field(default_factory=list)
    priors: list[PriorOutcome] = field(default_factory=list)
    #: The department's approved outcomes with a value in the plan year's periods before this one, in order.
    earlier: list[Outcome] = field(default_factory=list)
    #: The department's approved outcome of the same indicator (by code) in the previous period.
    previous: Outcome | None = None
    #: A value proposed from outside (Kolada's, set by ``kolada.selectors.attach_proposals``), or None.
    kolada: object = None

    @property
    def year(self) -> int:
        """The plan year (so that a page's partials need nothing but the line)."""
        return self.indicator.plan.year

    @property
    def years(self) -> list[YearFacts]:
        """Every year (and part of a year) the plan gives a target or an earlier outcome for, in order."""
        rows: dict[tuple[int, str], YearFacts] = {}
        for target in self.targets:
            rows.setdefault((target.year, target.part), YearFacts(target.year, target.part)).target = target
        for prior in self.priors:
            rows.setdefault((prior.year, prior.part), YearFacts(prior.year, prior.part)).prior = prior
        if self.earlier:  # the plan year's row holds the earlier periods' outcomes
            rows.setdefault((self.year, ""), YearFacts(self.year, ""))
        return [rows[key] for key in sorted(rows)]

    @property
    def trend(self) -> list[TrendPoint]:
        """
        The indicator over the plan's years and periods, in order: the earlier years' outcomes,
        the plan year's approved outcomes of earlier periods and this period's so far, then
        the later years' targets; each point with the target of its year (the whole year).
        """
        whole_year = {t.year: t.value for t in self.targets if not t.part}
        points = [
            TrendPoint(str(row.year), row.year, row.prior.value if row.prior else None, whole_year.get(row.year))
            for row in self.years
            if row.year < self.year and not row.part
        ]
        target = whole_year.get(self.year)
        points += [TrendPoint(str(o.period), self.year, o.value, target) for o in self.earlier]
        points.append(TrendPoint(str(self.outcome.period), self.year, self.outcome.value, target, current=True))
        later = sorted((year, value) for year, value in whole_year.items() if year > self.year)
        points += [TrendPoint(str(year), year, None, value) for year, value in later]
        return points


@dataclass(frozen=True)
class TrendPoint:
    """One point of an indicator's trend: its label (a year or a period), the outcome and the target, if any."""

    label: str
    year: int
    value: Decimal | None
    target: Decimal | None
    #: The period the page is about (its outcome may not be approved yet).
    current: bool = False


@dataclass
class YearFacts:
    """A year (or part of one) of an indicator as the plan states it: the target, and the outcome if it is past."""

    year: int
    part: str
    target: Target | None = None
    prior: PriorOutcome | None = None


def indicators_with_facts(indicators: QuerySet[Indicator], year: int) -> list[Indicator]:
    """
    Return the indicators with their plan, every target (``all_targets``) and every outcome
    of the years before ``year`` (``all_priors``): what a page compares outcomes with, the same
    for every department (``plan_cached`` keeps it).
    """
    return list(
        indicators.select_related("plan").prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("year", "part"), to_attr="all_targets"),
            Prefetch(
                "prior_outcomes",
                queryset=PriorOutcome.objects.filter(year__lt=year).order_by("year", "part"),
                to_attr="all_priors",
            ),
        )
    )


def outcome_lines(
    *,
    indicators: list[Indicator],
    period: ReportingPeriod,
    department: Department,
    is_editor: bool,
    scale_values: list[AssessmentValue],
) -> list[OutcomeLine]:
    """
    Return a line per indicator (from ``indicators_with_facts``) with the department's outcome
    for the period, in one query.
    """
    year = period.plan.year
    # The department's outcomes of the plan year: this period's, and the earlier periods' for the trend.
    this_year: dict[int, list[Outcome]] = {indicator.pk: [] for indicator in indicators}
    if indicators:
        by_pk = {indicator.pk: indicator for indicator in indicators}
        # Their indicators, periods and levels from what the page holds, not joined to each outcome.
        periods = plan_periods(period.plan_id) | {period.pk: period}
        levels = {value.pk: value for value in scale_values}
        outcomes = list(
            Outcome.objects.filter(
                period__plan_id=period.plan_id, department=department, indicator__in=list(by_pk)
            ).order_by()
        )
        for outcome in outcomes:
            outcome.indicator, outcome.period = by_pk[outcome.indicator_id], periods[outcome.period_id]
            outcome.period.plan = period.plan
            if outcome.assessment_id in levels:  # (else read if asked for: a level of another scale)
                outcome.assessment = levels[outcome.assessment_id]
        for outcome in sorted(outcomes, key=lambda o: (o.period.start, o.period.end)):
            this_year[outcome.indicator_id].append(outcome)
    lines = []
    for indicator in indicators:
        # As outcome_get_or_new, from the outcomes read above.
        mine = next((o for o in this_year[indicator.pk] if o.period_id == period.pk), None)
        outcome = mine or Outcome(indicator=indicator, period=period, department=department)
        here = (period.start, period.end)
        target = next((t for t in indicator.all_targets if t.year == year and not t.part), None)
        lines.append(
            OutcomeLine(
                indicator=indicator,
                outcome=outcome,
                target=target,
                proposed=proposed_assessment(
                    indicator=indicator,
                    value=outcome.value,
                    target=target,
                    scale_values=scale_values,
                ),
                writable=is_editor and outcome.status in EDITABLE_STATES,
                targets=indicator.all_targets,
                priors=indicator.all_priors,
                earlier=[
                    o
                    for o in this_year[indicator.pk]
                    if o.status == ReviewStatus.APPROVED
                    and o.value is not None
                    and (o.period.start, o.period.end) < here
                ],
            )
        )
    return lines


@dataclass(frozen=True)
class PreviousPeriod:
    """What the department had approved in the period before: its row's comment, if approved."""

    period: ReportingPeriod
    #: The approved entry or goal follow-up of the same commitment or goal, or None.
    row: Reviewable | None


@dataclass
class EntryPage:
    period: ReportingPeriod
    commitment: Commitment
    department: Department
    entry: ProgressEntry
    lines: list[OutcomeLine]
    scale_values: list[AssessmentValue]
    #: The user writes for the department.
    is_editor: bool
    #: The user reviews the committee's entries.
    is_reviewer: bool = False

    # The thread and the period before are shown, never saved: read when the page is (a save
    # that succeeds only redirects).

    @cached_property
    def thread(self) -> list:
        """The entry's thread: the reviewers' reasons and messages, oldest first, as (time, who, text, is_reason)."""
        return entry_thread(self.entry)

    @cached_property
    def previous(self) -> PreviousPeriod | None:
        """
        What the department had approved in the period before, for its editors, who write beside
        it (None for others); sets each line's ``previous``.
        """
        if not self.is_editor:
            return None
        return previous_approved_get(
            period=self.period, department=self.department, lines=self.lines, commitment=self.commitment
        )


def outcome_scale_values(plan: Plan) -> list[AssessmentValue]:
    """``plan.outcome_scale_values()``, kept until the plan changes (``plan_cached``)."""
    return plan_cached(f"outcome-scale-values:{plan.pk}", plan.outcome_scale_values)


def _plan_codes(plan: Plan) -> tuple[dict[str, int], dict[str, int]]:
    """The ids of the plan's commitments and of its committee's departments by code, kept until the plan changes."""
    return plan_cached(
        f"plan-codes:{plan.pk}",
        lambda: (
            dict(Commitment.objects.filter(plan=plan).values_list("code", "pk")),
            dict(Department.objects.filter(committee_id=plan.committee_id).values_list("code", "pk")),
        ),
    )


def _entry_page_plan(plan: Plan, commitment_id: int, department_id: int) -> tuple:
    """
    What the entry page of the commitment and department shows of the plan: the commitment
    (with its goal and goal area), the department and the indicators it reports there (with
    their facts); Nones if the department is not responsible for the commitment.
    """
    commitment = Commitment.objects.select_related("goal__goal_area").get(pk=commitment_id)
    if not commitment.departments.filter(pk=department_id).exists():
        return None, None, []
    department = Department.objects.get(pk=department_id)
    return commitment, department, indicators_with_facts(entry_page_indicators(commitment, department.pk), plan.year)


def entry_page_get(*, user: User, period: ReportingPeriod, commitment_code: str, department_code: str) -> EntryPage:
    """
    Read everything the entry page shows, in a fixed number of queries (the thread and the
    period before when first asked for).

    Raise Http404 when the commitment or department does not exist in the period's plan,
    the department is not responsible for the commitment, or the user may not read it.
    """
    plan = period.plan
    # Kept by ids, not by the codes of the address (any text: no key for each one asked for).
    commitments, departments = _plan_codes(plan)
    commitment_id, department_id = commitments.get(commitment_code), departments.get(department_code)
    if commitment_id is None or department_id is None:
        raise Http404
    commitment, department, indicators = plan_cached(
        f"entry-page:{plan.pk}:{commitment_id}:{department_id}",
        lambda: _entry_page_plan(plan, commitment_id, department_id),
    )
    if commitment is None or not can_read_department(user, department):
        raise Http404
    entry = progress_entry_get_or_new(
        commitment=commitment, period=period, department=department, with_thread_flag=True
    )
    # Its commitment, period and department are the page's: a save or a check needs not read them again.
    entry.commitment, entry.period, entry.department = commitment, period, department
    is_editor = can_edit_department(user, department)
    scale_values = outcome_scale_values(plan)
    lines = outcome_lines(
        indicators=indicators,
        period=period,
        department=department,
        is_editor=is_editor,
        scale_values=scale_values,
    )
    return EntryPage(
        period=period,
        commitment=commitment,
        department=department,
        entry=entry,
        lines=lines,
        scale_values=scale_values,
        is_editor=is_editor,
        is_reviewer=can_review(user, plan.committee_id),
    )


def contribution_lines(*, user: User, contribution: GoalContribution) -> list[OutcomeLine]:
    """The outcome lines of a goal's page: the goal's own indicators that the department reports there."""
    plan = contribution.period.plan
    return outcome_lines(
        indicators=plan_cached(
            f"goal-page-indicators:{plan.pk}:{contribution.goal_id}:{contribution.department_id}",
            lambda: indicators_with_facts(
                goal_page_indicators(contribution.goal_id, contribution.department_id), plan.year
            ),
        ),
        period=contribution.period,
        department=contribution.department,
        is_editor=can_edit_department(user, contribution.department),
        scale_values=outcome_scale_values(plan),
    )


def previous_approved_get(
    *,
    period: ReportingPeriod,
    department: Department,
    lines: list[OutcomeLine],
    commitment: Commitment | None = None,
    goal_code: str = "",
) -> PreviousPeriod | None:
    """
    Return what the department had approved in the previous period (``period_previous``) for
    the same commitment or goal (``goal_code``), matched by code across the years' plans, and
    set each line's ``previous`` to its indicator's approved outcome there. Rows not approved
    are left out. At most three queries, whatever the number of lines.
    """
    previous = plan_cached(f"period-previous:{period.pk}", lambda: period_previous(period=period))
    if previous is None:
        return None
    row = None
    if commitment is not None:
        row = (
            ProgressEntry.objects.filter(
                period=previous, department=department, commitment__code=commitment.code, status=ReviewStatus.APPROVED
            )
            .order_by()
            .first()
        )
    elif goal_code:
        row = (
            GoalContribution.objects.filter(
                period=previous, department=department, goal__code=goal_code, status=ReviewStatus.APPROVED
            )
            .order_by()
            .first()
        )
    if lines:
        outcomes = {
            o.indicator.code: o
            for o in Outcome.objects.filter(
                period=previous,
                department=department,
                indicator__plan=previous.plan,
                indicator__code__in=[line.indicator.code for line in lines],
                status=ReviewStatus.APPROVED,
            )
            .select_related("indicator")
            .order_by()
        }
        for line in lines:
            line.previous = outcomes.get(line.indicator.code)
    return PreviousPeriod(period=previous, row=row)


def outcome_get_or_new(*, indicator: Indicator, period: ReportingPeriod, department: Department) -> Outcome:
    """Return the department's outcome of the indicator for the period, unsaved if there is none yet."""
    outcome = Outcome.objects.filter(indicator=indicator, period=period, department=department).order_by().first()
    return outcome or Outcome(indicator=indicator, period=period, department=department)


@dataclass
class Version:
    """One saved version: when, by whom, in what state."""

    history_id: int
    number: int
    when: object
    who: object
    status: str
    record: object
    #: The fields that changed since the version before, as (label, before, after).
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class EntryHistory:
    entry_versions: list[Version]
    outcome_versions: list[tuple[Indicator, list[Version]]]
    a: Version | None
    b: Version | None
    comment_diff: str
    changed_fields: list[tuple[str, str, str]]
    #: The entry's audit trail, newest first.
    events: list = field(default_factory=list)
    #: The versions to compare with for “since it was returned” and “since it was last approved”.
    returned_version: Version | None = None
    approved_version: Version | None = None


def _versions(records) -> list[Version]:
    """Return the versions, newest first, each with what changed since the one before it."""
    records = list(records)
    versions = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        versions.append(
            Version(
                history_id=newer.history_id,
                number=newer.version,
                when=newer.history_date,
                who=newer.history_user,
                status=newer.get_status_display(),
                record=newer,
                changes=_changes(older, newer) if older is not None else [],
            )
        )
    return versions


def _changes(older, newer, exclude: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """Return (label, before, after) for each field that differs between two history records."""
    delta = newer.diff_against(older, excluded_fields=["updated_at", "version", "updated_by", *exclude])
    model = newer.instance_type
    changes = []
    for change in delta.changes:
        model_field = model._meta.get_field(change.field)
        if change.field == "comment":
            before, after = plain_text(change.old), plain_text(change.new)
        else:
            before, after = _display(model_field, change.old), _display(model_field, change.new)
        changes.append((str(model_field.verbose_name), before, after))
    return changes


def row_history_get(*, row: Reviewable, lines: list[OutcomeLine], a: str | None, b: str | None) -> EntryHistory:
    """
    Return the saved versions of a page's row (an entry, a goal's follow-up) and of the
    outcomes on its page, and the diff between the row's versions ``a`` and ``b``.
    """
    entry_versions = []
    if row.pk:
        entry_versions = _versions(type(row).history.filter(id=row.pk).select_related("history_user", "assessment"))
    outcome_ids = [line.outcome.pk for line in lines if line.outcome.pk]
    records = Outcome.history.filter(id__in=outcome_ids).select_related("history_user", "assessment")
    by_outcome: dict[int, list] = {}
    for record in records:
        by_outcome.setdefault(record.id, []).append(record)
    outcome_versions = [
        (line.indicator, _versions(by_outcome[line.outcome.pk])) for line in lines if line.outcome.pk in by_outcome
    ]
    by_id = {str(v.history_id): v for v in entry_versions}
    newest = entry_versions[0] if entry_versions else None
    older = entry_versions[1] if len(entry_versions) > 1 else None
    first, second = by_id.get(a or "", older), by_id.get(b or "", newest)
    if first and second and first.record.history_date > second.record.history_date:
        first, second = second, first
    comment_diff, changed = "", []
    if first and second:
        comment_diff = text_diff(first.record.comment, second.record.comment)
        changed = _changes(first.record, second.record, exclude=("comment",))
    # What the reviewer saw when returning (the version the return made, right after a
    # submitted one) and when approving last; entry_versions run newest first.
    returned = next(
        (
            newer
            for newer, older in pairwise(entry_versions[1:])
            if newer.record.status == ReviewStatus.RETURNED
            and older.record.status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)
        ),
        None,
    )
    approved = next((v for v in entry_versions[1:] if v.record.status == ReviewStatus.APPROVED), None)
    events = list(events_for_object(row)) if row.pk else []
    return EntryHistory(
        entry_versions, outcome_versions, first, second, comment_diff, changed, events, returned, approved
    )


def _display(model_field, value) -> str:
    if value is None or value == "":
        return "–"
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if model_field.is_relation:
        return str(model_field.related_model._default_manager.filter(pk=value).first() or value)
    if isinstance(value, Decimal):
        return str(int(value) if value == value.to_integral_value() else value.normalize())
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return str(value)


def indicator_search(*, committee: Committee, query: str, full_text: bool | None = None) -> list[Indicator]:
    """
    The committee's indicators, of every plan, whose code, name or description matches
    ``query``; each with ``goal_has_departments``: whether departments follow its goal up.
    """
    indicators = (
        Indicator.objects.filter(plan__committee=committee)
        .select_related("plan", "goal", "commitment")
        .annotate(goal_has_departments=Exists(Goal.departments.through.objects.filter(goal=OuterRef("goal"))))
    )
    found = text_search(indicators, query=query, fields=("code", "name", "description"), full_text=full_text)
    if "search_rank" not in found.query.annotations:
        found = found.order_by("-plan__year", "goal__sort_order", "sort_order")
    return list(found[:RESULTS_PER_KIND])


def outcome_search(*, user: User, committee: Committee, query: str, full_text: bool | None = None) -> list[Outcome]:
    """
    The committee's indicator outcomes, of every period, whose comment or reason for no figure
    matches ``query``, of the departments the user reads. Each with what its page needs
    without a query more: ``follows_goal`` (whether the department follows the indicator's goal
    up on the goal's page) and ``goal_commitment_code`` (else the first of the goal's
    commitments the department is responsible for, whose entry page holds a goal's own
    indicator). One query.
    """
    outcomes = Outcome.objects.filter(period__plan__committee=committee).select_related(
        "period__plan", "indicator__commitment", "indicator__goal", "department"
    )
    readable = readable_department_ids(user, committee)
    if readable is not None:
        outcomes = outcomes.filter(department_id__in=readable)
    outcomes = outcomes.annotate(
        follows_goal=Exists(
            Goal.departments.through.objects.filter(
                goal=OuterRef("indicator__goal"), department=OuterRef("department")
            )
        ),
        goal_commitment_code=Subquery(
            Commitment.objects.filter(goal=OuterRef("indicator__goal"), departments=OuterRef("department"))
            .order_by("sort_order")
            .values("code")[:1]
        ),
    )
    fields = ("comment", "unavailable_reason")
    found = text_search(outcomes, query=query, fields=fields, html_fields=("comment",), full_text=full_text)
    if "search_rank" not in found.query.annotations:
        found = found.order_by("-period__plan__year", "-period__start", "indicator__sort_order")
        return [o for o in found[:RESULTS_PER_KIND] if fallback_matches(o.search_text, query)]
    return list(found[:RESULTS_PER_KIND])


def goal_indicator_lines(*, user: User, period: ReportingPeriod, goals: QuerySet[Goal]) -> list[OutcomeLine]:
    """
    Return the own indicators of ``goals`` (those of no commitment) with their outcomes of the
    period that ``user`` reads: a line per outcome (per reporting department), or one line
    without an outcome when none is saved yet, each with every target and earlier outcome the
    plan gives and the department's approved outcomes of the year's earlier periods (its
    trend). In order of goal and indicator; a fixed number of queries.
    """
    readable = readable_department_ids(user, period.plan.committee)
    this_year = (
        Outcome.objects.filter(period__plan_id=period.plan_id)
        .select_related("period__plan", "department")
        .order_by("period__start", "period__end")
    )
    if readable is not None:
        this_year = this_year.filter(department_id__in=readable)
    indicators = (
        Indicator.objects.filter(goal__in=goals, commitment__isnull=True)
        .select_related("plan", "goal")
        .prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("year", "part"), to_attr="all_targets"),
            Prefetch(
                "prior_outcomes",
                queryset=PriorOutcome.objects.filter(year__lt=period.plan.year).order_by("year", "part"),
                to_attr="all_priors",
            ),
            Prefetch("outcomes", queryset=this_year, to_attr="this_year"),
        )
        .order_by("goal__goal_area__sort_order", "goal__sort_order", "sort_order")
    )
    here = (period.start, period.end)
    lines = []
    for indicator in indicators:
        target = next((t for t in indicator.all_targets if t.year == period.plan.year and not t.part), None)
        outcomes = [o for o in indicator.this_year if o.period_id == period.pk] or [
            Outcome(indicator=indicator, period=period)
        ]
        for outcome in outcomes:
            earlier = [
                o
                for o in indicator.this_year
                if o.department_id == outcome.department_id
                and o.status == ReviewStatus.APPROVED
                and o.value is not None
                and (o.period.start, o.period.end) < here
            ]
            lines.append(
                OutcomeLine(
                    indicator=indicator, outcome=outcome, target=target, proposed=None, writable=False,
                    targets=indicator.all_targets, priors=indicator.all_priors, earlier=earlier,
                )
            )  # fmt: skip
    return lines
