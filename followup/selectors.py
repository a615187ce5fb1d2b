"""Reads across every kind of row that departments write for a period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from commitments.filters import CommitmentRowFilter, OverviewFilterForm, statuses_chosen
from commitments.models import (
    AssessmentValue,
    Commitment,
    Committee,
    Department,
    Event,
    EventType,
    Goal,
    GoalArea,
    GoalContribution,
    ProgressEntry,
    ReportingPeriod,
    Reviewable,
    ReviewStatus,
)
from commitments.permissions import readable_department_ids
from commitments.selectors import (
    COMMITMENTS,
    GOALS,
    NOT_STARTED,
    ROW_KINDS,
    RowCount,
    commitment_rows,
    commitment_search,
    contribution_rows,
    contribution_search,
    entry_search,
    goal_search,
    period_row_counts,
)
from common.search import plain_text, snippet
from indicators.models import Indicator, Outcome, Target
from indicators.selectors import OutcomeLine, goal_indicator_lines, indicator_search, outcome_search
from reports.selectors import section_text_rows

if TYPE_CHECKING:
    from accounts.models import User

#: The states of a row that its department has yet to submit.
LEFT_STATES = (NOT_STARTED, ReviewStatus.DRAFT, ReviewStatus.RETURNED)


@dataclass(frozen=True)
class RowLeft:
    """A row a department has yet to submit: its kind, department, name and page."""

    kind: str  # "entry", "contribution" or "text"
    department_id: int
    name: str
    path: str


def rows_left_to_submit(*, user: User | None, period: ReportingPeriod) -> list[RowLeft]:
    """
    Return the period's rows not yet submitted (not started, drafts, returned) that ``user``
    reads (all of them for None, as tasks read): entries, goal follow-ups, report texts.
    """
    here = [period.plan.committee.slug, period.slug]
    rows = [
        RowLeft(
            "entry",
            row.department_id,
            f"{row.commitment.code}. {row.commitment.text}",
            reverse("followup:entry", args=[*here, row.commitment.code, row.department.code]),
        )
        for row in commitment_rows(user=user, period=period).filter(status__in=LEFT_STATES)
    ]
    rows += [
        RowLeft(
            "contribution",
            department.pk,
            goal.short_name or goal.text,
            reverse("followup:contribution", args=[*here, goal.code, department.code]),
        )
        for goal, department, contribution in contribution_rows(user=user, period=period)
        if contribution is None or contribution.status in LEFT_STATES
    ]
    rows += [
        RowLeft(
            "text",
            section.department_id,
            section.heading,
            reverse("followup:section_text", args=[*here, section.pk]),
        )
        for section, text in section_text_rows(user=user, period=period)
        if text is None or text.status in LEFT_STATES
    ]
    return rows


def period_left_to_submit(*, user: User, period: ReportingPeriod) -> Counter:
    """Count the period's rows not yet submitted that ``user`` reads, by kind (and ``total()``)."""
    return Counter(row.kind for row in rows_left_to_submit(user=user, period=period))


@dataclass
class ExportRow:
    """
    One row of the follow-up's export: what it is about (a commitment, goal or indicator), the
    department, the department's row (None before its first save), its status, the latest
    approval on record while it stands approved, and for an outcome the plan year's target.
    """

    subject: Commitment | Goal | Indicator
    department: Department
    row: Reviewable | None
    status: str
    approval: Event | None = None
    target: Target | None = None


@dataclass
class FollowUpExport:
    """A period's rows as the export writes them: entries, goal follow-ups and outcomes."""

    period: ReportingPeriod
    entries: list[ExportRow]
    contributions: list[ExportRow]
    outcomes: list[ExportRow]


def approvals(model: type[Reviewable], rows: list[Reviewable]) -> dict[int, Event]:
    """The latest approval of each approved row (who and when), in one query."""
    ids = [row.pk for row in rows if row.status == ReviewStatus.APPROVED]
    if not ids:
        return {}
    events = (
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=ids,
            type=EventType.of(model.event_subject, "approve"),
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return {event.object_id: event for event in events}


def followup_export(*, user: User | None, period: ReportingPeriod, data: Mapping | None) -> FollowUpExport:
    """
    Return the period's rows that ``user`` reads (all for None), chosen by the list's filters
    (``data``, as ``CommitmentRowFilter`` reads them): every filter chooses the entries; the
    department, goal area, goal and status also choose the goal follow-ups and the outcomes
    (an outcome exists once saved, so "not started" chooses none). The search and the
    assessment (on the commitments' scale) choose entries only.

    A fixed number of queries, whatever the size of the plan and of the follow-up.
    """
    filterset = CommitmentRowFilter(data or None, queryset=commitment_rows(user=user, period=period), period=period)
    rows = list(filterset.qs)
    chosen = getattr(filterset.form, "cleaned_data", {})
    department, goal_area, goal, status = (chosen.get(k) for k in ("department", "goal_area", "goal", "status"))

    entries = ProgressEntry.objects.select_related("assessment").in_bulk([r.entry_id for r in rows if r.entry_id])
    approved = approvals(ProgressEntry, list(entries.values()))
    entry_rows = []
    for r in rows:
        entry = entries.get(r.entry_id)
        entry_rows.append(
            ExportRow(r.commitment, r.department, entry, r.status, approved.get(entry.pk) if entry else None)
        )

    contribution_rows_ = [
        (g, d, c)
        for g, d, c in contribution_rows(user=user, period=period)
        if (department is None or d.pk == department.pk)
        and (goal_area is None or g.goal_area_id == goal_area.pk)
        and (goal is None or g.pk == goal.pk)
        and (not status or (c.status if c else NOT_STARTED) in statuses_chosen(status))
    ]
    approved = approvals(GoalContribution, [c for _g, _d, c in contribution_rows_ if c])
    contributions = [
        ExportRow(g, d, c, c.status if c else NOT_STARTED, approved.get(c.pk) if c else None)
        for g, d, c in contribution_rows_
    ]

    outcomes = (
        Outcome.objects.filter(period=period)
        .select_related("indicator__goal__goal_area", "indicator__commitment", "department", "assessment")
        .order_by("indicator__goal__goal_area__sort_order", "indicator__goal__sort_order",
                  "indicator__sort_order", "department__sort_order")
    )  # fmt: skip
    readable = None if user is None else readable_department_ids(user, period.plan.committee)
    if readable is not None:
        outcomes = outcomes.filter(department_id__in=readable)
    if department is not None:
        outcomes = outcomes.filter(department=department)
    if goal_area is not None:
        outcomes = outcomes.filter(indicator__goal__goal_area=goal_area)
    if goal is not None:
        outcomes = outcomes.filter(indicator__goal=goal)
    if status:
        outcomes = outcomes.filter(status__in=statuses_chosen(status))
    outcomes = list(outcomes)
    for outcome in outcomes:
        outcome.period = period
    targets = {}
    if outcomes:
        indicators = {o.indicator_id: o.indicator for o in outcomes}
        for target in Target.objects.filter(indicator__in=indicators, year=period.plan.year, part=""):
            target.indicator = indicators[target.indicator_id]
            targets[target.indicator_id] = target
    approved = approvals(Outcome, outcomes)
    outcome_rows = [
        ExportRow(o.indicator, o.department, o, o.status, approved.get(o.pk), targets.get(o.indicator_id))
        for o in outcomes
    ]
    return FollowUpExport(period=period, entries=entry_rows, contributions=contributions, outcomes=outcome_rows)


@dataclass(frozen=True)
class SearchHit:
    """One row a search found: what it is, where it belongs, the fragment that matched, its page."""

    title: str
    where: str
    snippet: SafeString
    url: str


@dataclass(frozen=True)
class SearchGroup:
    """The rows of one kind that a search found, under the kind's heading."""

    kind: str
    heading: str
    hits: list[SearchHit]


def link_periods(*, committee: Committee) -> dict[int, ReportingPeriod]:
    """
    Return, for each plan of the committee, the period whose lists a plan row links to: the
    latest that has begun, or the plan's first when none has. One query.
    """
    today = timezone.localdate()
    chosen: dict[int, ReportingPeriod] = {}
    for period in (
        ReportingPeriod.objects.filter(plan__committee=committee)
        .select_related("plan")
        .order_by("plan", "start", "end")
    ):
        if period.plan_id not in chosen or period.start <= today:
            chosen[period.plan_id] = period
    return chosen


def committee_search(
    *, user: User, committee: Committee, query: str, full_text: bool | None = None
) -> list[SearchGroup]:
    """
    Search the committee's plans and follow-ups for ``query``: commitments, goals, indicators,
    entries on commitments, follow-ups of goals and outcomes' comments (what ``user`` reads of
    them), at most
    ``RESULTS_PER_KIND`` of each, each with its page. One query per kind, and one for the periods.
    """
    periods = link_periods(committee=committee)
    slug = committee.slug

    def plan_where(plan) -> str:
        return _("Plan %(year)s") % {"year": plan.year}

    def period_where(period: ReportingPeriod, department: Department) -> str:
        return f"{department.name} · {period.name} {period.plan.year}"

    def list_url(plan_id: int, **params) -> str:
        period = periods.get(plan_id)
        if period is None:
            return ""
        return f"{reverse('followup:list', args=[slug, period.slug])}?{urlencode(params)}"

    def goal_url(goal: Goal, followed_up: bool) -> str:
        # Where departments follow the goal up, its page is among the goals' follow-ups.
        period = periods.get(goal.plan_id)
        if period is not None and goal.contributes and followed_up:
            return reverse("followup:contribution_list", args=[slug, period.slug])
        return list_url(goal.plan_id, goal=goal.pk)

    def title(code: str, text: str) -> str:
        return Truncator(f"{code}. {plain_text(text)}").chars(160)

    commitments = [
        SearchHit(title(c.code, c.text), plan_where(c.plan), snippet(c, query), list_url(c.plan_id, q=c.code))
        for c in commitment_search(committee=committee, query=query, full_text=full_text)
    ]
    goals = [
        SearchHit(
            title(g.code, g.short_name or g.text),
            plan_where(g.plan),
            snippet(g, query),
            goal_url(g, g.has_departments),
        )
        for g in goal_search(committee=committee, query=query, full_text=full_text)
    ]
    indicators = []
    for i in indicator_search(committee=committee, query=query, full_text=full_text):
        # Its outcomes are written on its commitment's entry pages, or on its goal's pages.
        on_commitment = i.commitment_id is not None
        url = list_url(i.plan_id, q=i.commitment.code) if on_commitment else goal_url(i.goal, i.goal_has_departments)
        indicators.append(SearchHit(title(i.code, i.name), plan_where(i.plan), snippet(i, query), url))
    entries = [
        SearchHit(
            title(e.commitment.code, e.commitment.text),
            period_where(e.period, e.department),
            snippet(e, query),
            reverse("followup:entry", args=[slug, e.period.slug, e.commitment.code, e.department.code]),
        )
        for e in entry_search(user=user, committee=committee, query=query, full_text=full_text)
    ]
    contributions = [
        SearchHit(
            title(c.goal.code, c.goal.short_name or c.goal.text),
            period_where(c.period, c.department),
            snippet(c, query),
            reverse("followup:contribution", args=[slug, c.period.slug, c.goal.code, c.department.code]),
        )
        for c in contribution_search(user=user, committee=committee, query=query, full_text=full_text)
    ]

    def outcome_url(o: Outcome) -> str:
        # The page it is written on (as ``Outcome.get_absolute_url`` finds it, without a query per hit).
        indicator, department = o.indicator, o.department
        here, part = [slug, o.period.slug], f"#part-{indicator.code}"
        if indicator.commitment_id:
            return reverse("followup:entry", args=[*here, indicator.commitment.code, department.code]) + part
        if o.follows_goal and indicator.goal.contributes:
            return reverse("followup:contribution", args=[*here, indicator.goal.code, department.code]) + part
        if o.goal_commitment_code:
            return reverse("followup:entry", args=[*here, o.goal_commitment_code, department.code]) + part
        return ""

    outcomes = [
        SearchHit(
            title(o.indicator.code, o.indicator.name),
            period_where(o.period, o.department),
            snippet(o, query),
            outcome_url(o),
        )
        for o in outcome_search(user=user, committee=committee, query=query, full_text=full_text)
    ]
    return [
        SearchGroup("commitments", _("Commitments"), commitments),
        SearchGroup("goals", _("Goals"), goals),
        SearchGroup("indicators", _("Indicators"), indicators),
        SearchGroup("entries", _("Entries on commitments"), entries),
        SearchGroup("contributions", _("Follow-up of goals"), contributions),
        SearchGroup("outcomes", _("Outcomes of indicators"), outcomes),
    ]


#: The states in the order the overview shows them: from not started to approved.
OVERVIEW_STATES = (
    NOT_STARTED,
    ReviewStatus.DRAFT,
    ReviewStatus.SUBMITTED,
    ReviewStatus.RETURNED,
    ReviewStatus.APPROVED,
)


@dataclass
class StatusLine:
    """A line of the overview: what it counts (a goal area, goal or department), its query string and counts."""

    subject: GoalArea | Goal | Department | None
    query: dict[str, str] | None  # None: no filter of the list chooses these rows (goals without an area)
    counts: dict[str, int]
    goals: list[StatusLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def query_string(self) -> str | None:
        return None if self.query is None else urlencode(self.query)

    @property
    def cells(self) -> list[tuple[str, int, str | None]]:
        """Each state with its count and the query string of the list of those rows."""
        return [
            (state, self.counts[state], None if self.query is None else urlencode(self.query | {"status": state}))
            for state in OVERVIEW_STATES
        ]


@dataclass
class AssessmentLine:
    """How many of the rows carry an assessment value (whatever their status)."""

    value: AssessmentValue
    count: int
    query: dict[str, str]

    @property
    def query_string(self) -> str:
        return urlencode(self.query)


@dataclass
class KindOverview:
    """
    Where the period stands for one kind of row (``COMMITMENTS`` or ``GOALS``): its counts per
    goal area and goal, per department and per assessment, each a link to ``list_url`` (the
    list of that kind) with the query string of the rows it counts.
    """

    kind: str
    heading: str
    list_url: str
    #: Prefix of the ids of the section's charts and tables (the commitments' have none).
    prefix: str
    areas: list[StatusLine]
    departments: list[StatusLine]
    assessments: list[AssessmentLine]
    unassessed: int
    totals: StatusLine

    @property
    def is_goals(self) -> bool:
        return self.kind == GOALS


@dataclass
class PeriodOverview:
    """Where the period stands for the rows a user reads, as the overview's filters choose them, per kind of row."""

    form: OverviewFilterForm
    base: dict[str, str]
    kinds: list[KindOverview]
    #: The own indicators of the goals chosen (by goal area and goal) with their outcomes (of the department chosen).
    indicator_lines: list[OutcomeLine] = field(default_factory=list)

    def kind(self, kind: str) -> KindOverview | None:
        return next((k for k in self.kinds if k.kind == kind), None)

    @property
    def commitments(self) -> KindOverview | None:
        return self.kind(COMMITMENTS)

    @property
    def goals(self) -> KindOverview | None:
        return self.kind(GOALS)


def period_overview(*, user: User, period: ReportingPeriod, data: Mapping | None) -> PeriodOverview:
    """
    Count the period's rows of both kinds that ``user`` reads (entries on commitments, as
    ``commitment_rows``; follow-ups of goals, as ``contribution_rows``; both by
    ``period_row_counts``, as the start page counts them), chosen by the overview's filters
    (``data``, the names both lists take): per kind, per goal area and goal, and per department,
    by status; and by the assessment on the kind's scale. And the goals' own indicators with
    their outcomes, targets and earlier years (chosen by goal area, goal and department). Each
    count carries the query string that makes its kind's list show exactly the rows it counts
    (the filters given, with its own). A kind is shown where the period has rows of it that
    the user reads, even when the filters choose none.

    A fixed number of queries, whatever the size of the plan and of the follow-up.
    """
    plan = period.plan
    readable = readable_department_ids(user, plan.committee)
    form = OverviewFilterForm(data or None, period=period, departments=readable)
    chosen = form.chosen
    # The values the lists apply too: a value they cannot read is left out by all.
    base = {name: str(getattr(value, "pk", value)) for name, value in chosen.items()}
    in_order = Goal.objects.filter(plan=plan).select_related("goal_area")
    in_order = in_order.order_by("goal_area__sort_order", "sort_order")
    goals_by_id = {goal.pk: goal for goal in in_order}
    every = period_row_counts(periods=[period], departments=readable)
    present = {count.kind for count in every}
    counts = [
        count
        for count in every
        if form.keeps(
            goal_area_id=goals_by_id[count.goal_id].goal_area_id,
            goal_id=count.goal_id,
            status=count.status,
            assessment_id=count.assessment_id,
            department_id=count.department_id,
        )
    ]
    scales = {COMMITMENTS: plan.commitment_scale_id, GOALS: plan.goal_year_scale_id}
    values = list(
        AssessmentValue.objects.filter(scale_id__in=[s for s in scales.values() if s]).order_by("sort_order", "pk")
    )
    departments = list(
        Department.objects.filter(pk__in={count.department_id for count in counts}).order_by("sort_order", "name")
    )
    here = [plan.committee.slug, period.slug]
    kinds = [
        _kind_overview(
            kind, [c for c in counts if c.kind == kind], base=base, goals_by_id=goals_by_id, departments=departments,
            values=[v for v in values if v.scale_id == scales[kind]],
            list_url=reverse("followup:list" if kind == COMMITMENTS else "followup:contribution_list", args=here),
            period=period,
        )
        for kind in ROW_KINDS
        if kind in present
    ]  # fmt: skip
    goals = Goal.objects.filter(plan=plan)
    if chosen.get("goal_area") is not None:
        goals = goals.filter(goal_area=chosen["goal_area"])
    if chosen.get("goal") is not None:
        goals = goals.filter(pk=chosen["goal"].pk)
    lines = goal_indicator_lines(user=user, period=period, goals=goals)
    if chosen.get("department") is not None:
        lines = [line for line in lines if line.outcome.department_id == chosen["department"].pk]
    return PeriodOverview(form=form, base=base, kinds=kinds, indicator_lines=lines)


def _kind_overview(
    kind: str,
    counts: list[RowCount],
    *,
    base: dict[str, str],
    goals_by_id: dict[int, Goal],
    departments: list[Department],
    values: list[AssessmentValue],
    list_url: str,
    period: ReportingPeriod,
) -> KindOverview:
    """The lines of one kind's counts (see ``period_overview``); no query."""

    def empty() -> dict[str, int]:
        return dict.fromkeys(OVERVIEW_STATES, 0)

    by_goal: dict[int, dict[str, int]] = {}
    by_department: dict[int, dict[str, int]] = {}
    by_value: Counter = Counter()
    totals = empty()
    for count in counts:
        by_goal.setdefault(count.goal_id, empty())[count.status] += count.n
        by_department.setdefault(count.department_id, empty())[count.status] += count.n
        by_value[count.assessment_id] += count.n
        totals[count.status] += count.n

    areas: dict[int | None, StatusLine] = {}
    for goal in goals_by_id.values():  # in the plan's order
        if goal.pk not in by_goal:
            continue
        area = areas.get(goal.goal_area_id)
        if area is None:
            area_query = None if goal.goal_area_id is None else base | {"goal_area": str(goal.goal_area_id)}
            area = areas[goal.goal_area_id] = StatusLine(goal.goal_area, area_query, empty())
        counts_ = by_goal[goal.pk]
        area.goals.append(StatusLine(goal, base | {"goal": str(goal.pk)}, counts_))
        for state, n in counts_.items():
            area.counts[state] += n
    department_lines = [
        StatusLine(department, base | {"department": str(department.pk)}, by_department[department.pk])
        for department in departments
        if department.pk in by_department
    ]
    assessments = [AssessmentLine(value, by_value[value.pk], base | {"assessment": str(value.pk)}) for value in values]
    headings = {COMMITMENTS: _("Entries on commitments"), GOALS: _("Follow-up of goals")}
    return KindOverview(
        kind=kind,
        heading=headings[kind],
        list_url=list_url,
        prefix="" if kind == COMMITMENTS else f"{kind}-",
        areas=list(areas.values()),
        departments=department_lines,
        assessments=assessments,
        unassessed=by_value[None],
        totals=StatusLine(period, base, totals),
    )
