"""Tuned reads of the plan and the organisation."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.plan_cache import plan_cached
from common.search import RESULTS_PER_KIND, fallback_matches, text_search

from .models import (
    AssessmentValue,
    Commitment,
    Committee,
    Department,
    EntryMessage,
    Event,
    EventType,
    Goal,
    GoalArea,
    GoalContribution,
    Membership,
    Plan,
    ProgressEntry,
    ReportingPeriod,
    ReviewStatus,
)
from .permissions import (
    can_oversee,
    can_read_department,
    can_review,
    can_see_committee,
    committees_for,
    editable_department_ids,
    is_committee_admin,
    readable_department_ids,
)

#: The link between a commitment and a responsible department: one row of a department's list.
CommitmentDepartment = Commitment.departments.through
#: The status of a row whose department has not written anything yet.
NOT_STARTED = "not_started"
#: A row's state as the pages, the charts and their legends name it (``NOT_STARTED`` and each ``ReviewStatus``).
STATE_NAMES = {
    NOT_STARTED: _("Not started"),
    ReviewStatus.DRAFT: _("Draft"),
    ReviewStatus.SUBMITTED: _("Submitted"),
    ReviewStatus.RETURNED: _("Returned"),
    ReviewStatus.APPROVED: _("Approved"),
}

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class RowCounts:
    """How many rows of one kind (commitments or goals) a department has in a period, per status."""

    total: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def to_write(self) -> int:
        """The rows the department has still to write: not started, or a draft."""
        written = sum(self.statuses.values())
        return self.total - written + self.statuses.get(ReviewStatus.DRAFT, 0)

    @property
    def returned(self) -> int:
        return self.statuses.get(ReviewStatus.RETURNED, 0)

    @property
    def submitted(self) -> int:
        return self.statuses.get(ReviewStatus.SUBMITTED, 0)

    @property
    def approved(self) -> int:
        return self.statuses.get(ReviewStatus.APPROVED, 0)


@dataclass
class DepartmentProgress:
    """A department's rows of one period: its commitment rows and its goal follow-ups."""

    department: Department
    commitments: RowCounts
    goals: RowCounts

    def _sum(self, name: str) -> int:
        return getattr(self.commitments, name) + getattr(self.goals, name)

    @property
    def total(self) -> int:
        return self._sum("total")

    @property
    def to_write(self) -> int:
        return self._sum("to_write")

    @property
    def returned(self) -> int:
        return self._sum("returned")

    @property
    def submitted(self) -> int:
        return self._sum("submitted")

    @property
    def approved(self) -> int:
        return self._sum("approved")


@dataclass
class OpenPeriodProgress:
    """
    An open period as the start page shows it: ``editing`` holds the departments the user
    writes for, ``departments`` every department with rows (for reviewers and committee
    admins; empty for others).
    """

    period: ReportingPeriod
    editing: list[DepartmentProgress]
    departments: list[DepartmentProgress]

    def _sum(self, rows: list[DepartmentProgress], name: str) -> int:
        return sum(getattr(row, name) for row in rows)

    @property
    def to_write(self) -> int:
        return self._sum(self.editing, "to_write")

    @property
    def returned(self) -> int:
        return self._sum(self.editing, "returned")

    @property
    def submitted(self) -> int:
        return self._sum(self.departments, "submitted")

    @property
    def approved(self) -> int:
        return self._sum(self.departments, "approved")

    @property
    def total(self) -> int:
        return self._sum(self.departments, "total")


@dataclass
class CommitteeOverview:
    committee: Committee
    roles: list[Membership]
    plans: list[Plan]
    open_periods: list[OpenPeriodProgress] = field(default_factory=list)
    is_reviewer: bool = False
    is_committee_admin: bool = False

    @property
    def next_deadline(self) -> datetime.date | None:
        """The earliest deadline for entries of the open periods that has not passed."""
        today = timezone.localdate()
        return min((p.period.deadline for p in self.open_periods if p.period.deadline >= today), default=None)


def committee_overviews_for_user(*, user: User) -> list[CommitteeOverview]:
    """
    Return each committee the user sees, with the user's roles, its plans and periods (open
    ones first) and, for each open period, what the user has to do: the rows of the user's
    departments to write and returned to them, and for reviewers and committee admins each
    department's progress. A fixed number of queries whatever the number of rows.
    """
    committees = committees_for(user).prefetch_related(
        Prefetch(
            "plans",
            queryset=Plan.objects.order_by("-year")
            .annotate(
                has_commitments=Exists(Commitment.objects.filter(plan=OuterRef("pk"))),
                has_contributions=Exists(
                    Goal.objects.filter(plan=OuterRef("pk"), contributes=True, departments__isnull=False)
                ),
            )
            .prefetch_related(
                Prefetch(
                    "periods",
                    queryset=ReportingPeriod.objects.order_by(
                        Case(When(status=ReportingPeriod.Status.OPEN, then=0), default=1), "start", "end"
                    ),
                )
            ),
        ),
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(user=user).select_related("department"),
            to_attr="user_memberships",
        ),
        Prefetch("departments", queryset=Department.objects.order_by("sort_order", "name"), to_attr="all_departments"),
    )
    overviews = [CommitteeOverview(c, c.user_memberships, list(c.plans.all())) for c in committees]
    open_periods = [
        period
        for overview in overviews
        for plan in overview.plans
        for period in plan.periods.all()
        if period.status == ReportingPeriod.Status.OPEN
    ]
    counts = _open_period_counts(open_periods)
    editable = editable_department_ids(user)
    for overview in overviews:
        committee = overview.committee
        overview.is_reviewer = can_review(user, committee)
        overview.is_committee_admin = is_committee_admin(user, committee)
        oversees = overview.is_reviewer or overview.is_committee_admin
        periods = [p for plan in overview.plans for p in plan.periods.all() if p.status == ReportingPeriod.Status.OPEN]
        for period in sorted(periods, key=lambda p: (p.deadline, p.start)):
            progress = [
                DepartmentProgress(
                    department,
                    counts.get(("commitments", period.pk, department.pk), RowCounts()),
                    counts.get(("goals", period.pk, department.pk), RowCounts()),
                )
                for department in committee.all_departments
            ]
            overview.open_periods.append(
                OpenPeriodProgress(
                    period,
                    editing=[row for row in progress if row.department.pk in editable and row.total],
                    departments=[row for row in progress if row.total] if oversees else [],
                )
            )
    return overviews


def _open_period_counts(periods: list[ReportingPeriod]) -> dict[tuple[str, int, int], RowCounts]:
    """
    Count the rows of each period per department and status, of both kinds: keyed by
    (``"commitments"`` or ``"goals"``, period id, department id). Four queries (``period_row_counts``).
    """
    counts: dict[tuple[str, int, int], RowCounts] = {}
    for row in period_row_counts(periods=periods):
        key = (row.kind, row.period_id, row.department_id)
        counts.setdefault(key, RowCounts())
        counts[key].total += row.n
        if row.status != NOT_STARTED:
            counts[key].statuses[row.status] = counts[key].statuses.get(row.status, 0) + row.n
    return counts


#: The two kinds of row a department writes for a period, as ``period_row_counts`` names them:
#: an entry on a commitment (per commitment × responsible department) and a follow-up of a goal
#: (per goal the committee contributes to × department that follows it up).
COMMITMENTS, GOALS = "commitments", "goals"
ROW_KINDS = (COMMITMENTS, GOALS)


@dataclass(frozen=True)
class RowCount:
    """
    How many rows of one kind of a period share a goal, a department, a status (``NOT_STARTED``
    before the first save) and an assessment (the entry's, or the goal follow-up's for the
    year; None without one).
    """

    kind: str
    period_id: int
    goal_id: int
    department_id: int
    status: str
    assessment_id: int | None
    n: int


def period_row_counts(*, periods: list[ReportingPeriod], departments: set[int] | None = None) -> list[RowCount]:
    """
    Count the rows of both kinds of each period (of the ``departments`` given; all for None),
    as the lists read them (``commitment_rows``, ``contribution_rows``): one row per link of a
    commitment to a responsible department, and per link of a goal the committee contributes
    to with a department that follows it up; a row's status and assessment are those of its
    department's entry or goal follow-up of the period, if any. A page written by a department
    no longer linked is not counted. The one count behind the start page and the overview.

    Four queries, whatever the number of periods, rows and pages.
    """
    if not periods:
        return []
    by_plan: dict[int, list[int]] = {}
    for period in periods:
        by_plan.setdefault(period.plan_id, []).append(period.pk)
    out: list[RowCount] = []
    kinds = (
        # (kind, the rows: links to departments, the plan of a link, the page of a row, its link)
        (COMMITMENTS, CommitmentDepartment, "commitment__plan", ProgressEntry, "commitment", "commitment__goal"),
        (GOALS, Goal.departments.through, "goal__plan", GoalContribution, "goal", "goal"),
    )
    for kind, links, plan_path, pages, subject, goal_path in kinds:
        link_filter = {f"{plan_path}__in": list(by_plan)}
        if kind == GOALS:
            link_filter["goal__contributes"] = True
        if departments is not None:
            link_filter["department__in"] = departments
        totals = {
            (plan_id, goal_id, department_id): n
            for plan_id, goal_id, department_id, n in links.objects.filter(**link_filter)
            .values_list(plan_path, goal_path, "department")
            .annotate(n=Count("pk"))
            .order_by()
        }
        plan_of = {period_id: plan_id for plan_id, ids in by_plan.items() for period_id in ids}
        # Only the pages of a current row: a department no longer responsible keeps its old entries.
        current = links.objects.filter(**{subject: OuterRef(subject), "department": OuterRef("department")})
        written = pages.objects.filter(period__in=periods).filter(Exists(current))
        if departments is not None:
            written = written.filter(department__in=departments)
        left = {(period_id, *key): n for key, n in totals.items() for period_id in by_plan[key[0]]}
        for period_id, goal_id, department_id, status, assessment_id, n in (
            written.values_list("period", goal_path, "department", "status", "assessment")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            key = (period_id, plan_of[period_id], goal_id, department_id)
            if key in left:  # (a goal no longer followed up has no rows)
                left[key] -= n
                out.append(RowCount(kind, period_id, goal_id, department_id, status, assessment_id, n))
        out += [
            RowCount(kind, period_id, goal_id, department_id, NOT_STARTED, None, n)
            for (period_id, _plan, goal_id, department_id), n in left.items()
            if n > 0
        ]
    return out


def _period_ids() -> dict[tuple[str, str], tuple[int, int]]:
    """The id of every period and of its plan by its committee's slug and its own, kept until plan data changes."""
    return plan_cached(
        "period-ids",
        lambda: {
            (committee, period): (pk, plan_id)
            for committee, period, pk, plan_id in ReportingPeriod.objects.order_by().values_list(
                "plan__committee__slug", "slug", "pk", "plan_id"
            )
        },
    )


def _period_plan(plan_id: int) -> Plan:
    """A plan with its committee and its commitments' scale, as every page of its periods reads them; kept."""
    return plan_cached(
        f"plan:{plan_id}", lambda: Plan.objects.select_related("committee", "commitment_scale").get(pk=plan_id)
    )


def plan_periods(plan_id: int) -> dict[int, ReportingPeriod]:
    """
    The plan's periods by id, kept until plan data changes. Also what a period allows now (whether
    it takes entries decides every write): closing or reopening it saves it, which begins the
    next generation when it commits, so no request after that sees it as it was.
    """
    return plan_cached(
        f"plan-periods:{plan_id}",
        lambda: {p.pk: p for p in ReportingPeriod.objects.filter(plan_id=plan_id).order_by()},
    )


def period_get_for_user(*, user: User, committee_slug: str, period_slug: str) -> ReportingPeriod:
    """
    Return the period (with its plan, committee and scale), or raise Http404 when it does not
    exist or the user may not see its committee.
    """
    pk, plan_id = _period_ids().get((committee_slug, period_slug), (None, None))
    period = plan_periods(plan_id).get(pk) if pk is not None else None
    if period is None:
        raise Http404
    period.plan = _period_plan(plan_id)
    if not can_see_committee(user, period.plan.committee_id):
        raise Http404
    return period


def period_previous(*, period: ReportingPeriod) -> ReportingPeriod | None:
    """
    Return the period a department wrote before ``period``: the one before it in its plan's
    year, or, for a year's first period, the same period (by name, else by dates) of the
    committee's plan of the year before (the year rollover copies the periods a year later).
    One query.
    """
    plan = period.plan
    candidates = list(
        ReportingPeriod.objects.filter(plan__committee_id=plan.committee_id, plan__year__in=(plan.year - 1, plan.year))
        .select_related("plan")
        .order_by("plan__year", "start", "end")
    )
    here = (period.start, period.end, period.pk)
    earlier = [p for p in candidates if p.plan_id == plan.pk and (p.start, p.end, p.pk) < here]
    if earlier:
        return earlier[-1]
    last_year = [p for p in candidates if p.plan.year == plan.year - 1]

    def dates(p: ReportingPeriod) -> tuple:
        return (p.start.month, p.start.day, p.end.month, p.end.day)

    return next((p for p in last_year if p.name == period.name), None) or next(
        (p for p in last_year if dates(p) == dates(period)), None
    )


def commitment_rows(*, user: User | None, period: ReportingPeriod) -> QuerySet:
    """
    Return one row per commitment × responsible department that the user reads (all of them
    for ``user=None``, as tasks read), for the period.

    Each row (the commitment–department link) carries ``status``: the state of the
    department's entry, or ``"not_started"``; ``entry_id``, ``entry_updated_at`` and
    ``entry_assessment_id``; ``commitment_row_list`` reads them with the entries themselves.
    """
    # The department's entry for the period, joined: one at most (unique by commitment, period and
    # department). Not a subquery per column: each was built and compiled anew for every request.
    entry = FilteredRelation(
        "commitment__entries",
        condition=Q(commitment__entries__period=period, commitment__entries__department=F("department")),
    )
    rows = (
        CommitmentDepartment.objects.filter(commitment__plan=period.plan)
        .select_related("commitment__goal__goal_area", "department")
        .annotate(period_entry=entry)
        .annotate(
            status=Coalesce(F("period_entry__status"), Value(NOT_STARTED)),
            entry_id=F("period_entry__id"),
            entry_updated_at=F("period_entry__updated_at"),
            entry_assessment_id=F("period_entry__assessment_id"),
        )
        .order_by(
            "commitment__goal__goal_area__sort_order",
            "commitment__goal__sort_order",
            "commitment__sort_order",
            "department__sort_order",
        )
    )
    departments = None if user is None else readable_department_ids(user, period.plan.committee)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    return rows


class ListedGoal(NamedTuple):
    pk: int
    code: str


class ListedCommitment(NamedTuple):
    """
    What a list shows of a commitment: plain values, which the cache gives back some ten times
    faster than model rows (153 commitments: 0.3 ms instead of 3).
    """

    pk: int
    code: str
    text: str
    goal: ListedGoal


@dataclass
class CommitmentRow:
    """
    One row of a period's list of commitments (``commitment_row_list``): the commitment (with its
    goal and goal area) and the department, as the plan has them, and the state of the
    department's entry with what a list shows of it; ``attach_return_reasons`` adds why it was returned.
    """

    #: The commitment–department link's id.
    pk: int
    commitment: ListedCommitment
    department: Department
    status: str
    entry_id: int | None
    entry_updated_at: datetime.datetime | None
    entry_assessment_id: int | None
    entry: ProgressEntry | None = None
    return_reason: str = ""


def plan_commitments(plan: Plan) -> dict[int, ListedCommitment]:
    """What the lists show of the plan's commitments, by id, kept until the plan changes (``plan_cached``)."""
    return plan_cached(
        f"plan-commitments:{plan.pk}",
        lambda: {
            pk: ListedCommitment(pk, code, text, ListedGoal(goal_id, goal_code))
            for pk, code, text, goal_id, goal_code in Commitment.objects.filter(plan=plan).values_list(
                "pk", "code", "text", "goal_id", "goal__code"
            )
        },
    )


def plan_responsibilities(plan_id: int) -> frozenset[tuple[int, int]]:
    """Each (commitment id, department id) of the plan's commitments and the departments responsible, kept."""
    return plan_cached(
        f"plan-responsibilities:{plan_id}",
        lambda: frozenset(
            CommitmentDepartment.objects.filter(commitment__plan_id=plan_id)
            .order_by()
            .values_list("commitment_id", "department_id")
        ),
    )


def plan_departments(plan: Plan) -> dict[int, Department]:
    """
    The departments responsible for the plan's commitments by id, in their order (``sort_order``,
    name), kept until the plan changes (``plan_cached``).
    """
    return plan_cached(
        f"plan-departments:{plan.pk}",
        lambda: {
            d.pk: d
            for d in Department.objects.filter(
                pk__in=CommitmentDepartment.objects.filter(commitment__plan=plan).values("department")
            ).order_by("sort_order", "name")
        },
    )


def commitment_scale_levels(plan: Plan) -> dict[int, AssessmentValue]:
    """The levels of the plan's scale for commitments by id, kept until the plan changes (``plan_cached``)."""
    return plan_cached(
        f"commitment-scale-levels:{plan.pk}",
        lambda: {v.pk: v for v in AssessmentValue.objects.filter(scale_id=plan.commitment_scale_id)},
    )


def _read_in_part(model, db: str, values: dict):
    """A ``model`` row from some of its fields as read (by attname); the others are read if asked for (deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def commitment_row_list(rows: QuerySet, period: ReportingPeriod) -> list[CommitmentRow]:
    """
    Return the rows of ``commitment_rows`` (filtered as they are) as ``CommitmentRow``, each with
    its entry (``row.entry``, None before the first save) as a list shows it and ``can_write``
    asks of it: its state, version, assessment and who changed it last (its comment and the rest
    are read if asked for). One query, with the commitments, departments and levels the plan
    keeps, instead of five model rows built for each row and a second query for the entries.
    """
    commitments, departments = plan_commitments(period.plan), plan_departments(period.plan)
    levels = commitment_scale_levels(period.plan)
    changers: dict[int, User] = {}
    listed = []
    for (
        pk, commitment_id, department_id, status, entry_id, updated_at, assessment_id,
        version, returned_at, updated_by_id, first_name, last_name, username,
    ) in rows.values_list(
        "pk", "commitment_id", "department_id", "status", "entry_id", "entry_updated_at", "entry_assessment_id",
        "period_entry__version", "period_entry__returned_at", "period_entry__updated_by_id",
        "period_entry__updated_by__first_name", "period_entry__updated_by__last_name",
        "period_entry__updated_by__username",
    ):  # fmt: skip
        department = departments[department_id]
        row = CommitmentRow(pk, commitments[commitment_id], department, status, entry_id, updated_at, assessment_id)
        if entry_id is not None:
            entry = _read_in_part(ProgressEntry, rows.db, {
                "id": entry_id, "commitment_id": commitment_id, "period_id": period.pk,
                "department_id": department_id, "status": status, "version": version, "updated_at": updated_at,
                "assessment_id": assessment_id, "updated_by_id": updated_by_id, "returned_at": returned_at,
            })  # fmt: skip
            entry.period, entry.department = period, department
            if assessment_id in levels:  # (else read if asked for)
                entry.assessment = levels[assessment_id]
            if updated_by_id is not None:
                if updated_by_id not in changers:
                    changers[updated_by_id] = _read_in_part(get_user_model(), rows.db, {
                        "id": updated_by_id, "first_name": first_name, "last_name": last_name, "username": username
                    })  # fmt: skip
                entry.updated_by = changers[updated_by_id]
            row.entry = entry
        listed.append(row)
    return listed


def list_filter_choices(plan: Plan) -> dict[str, list[tuple[int, str]]]:
    """
    The choices of the commitments list's filters (``CommitmentRowFilter``) as (id, label):
    the plan's goal areas, goals, levels of its commitments' scale, and the departments
    responsible for its commitments, each in its order; kept until the plan changes.
    """

    def read():
        return {
            "goal_area": [(a.pk, str(a)) for a in GoalArea.objects.filter(plan=plan)],
            "goal": [(g.pk, str(g)) for g in Goal.objects.filter(plan=plan)],
            "assessment": [(v.pk, str(v)) for v in commitment_scale_levels(plan).values()],
            "department": [(d.pk, str(d)) for d in plan_departments(plan).values()],
        }

    return plan_cached(f"list-filter-choices:{plan.pk}", read)


def status_counts_of(rows: list[CommitmentRow]) -> dict[str, int]:
    """As ``status_counts``, of rows already read (all of them: the list unfiltered)."""
    counts = Counter(row.status for row in rows)
    return {status: counts.get(status, 0) for status in (NOT_STARTED, *ReviewStatus.values)}


def status_counts(rows: QuerySet) -> dict[str, int]:
    """Return how many rows are in each status, every status named."""
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in (NOT_STARTED, *ReviewStatus.values)}


def progress_entry_get_or_new(
    *, commitment: Commitment, period: ReportingPeriod, department: Department, with_thread_flag: bool = False
) -> ProgressEntry:
    """
    Return the department's entry on the commitment for the period, unsaved if there is none yet.
    With ``with_thread_flag``, the entry read carries ``has_thread``: whether a reviewer ever gave
    a reason for returning or reopening it, or anyone wrote in its thread (``entry_thread``).
    """
    # Unique: first() by the primary key, not Meta.ordering (seven joins).
    entries = ProgressEntry.objects.filter(commitment=commitment, period=period, department=department).order_by()
    if with_thread_flag:
        entries = entries.annotate(has_thread=_has_thread())
    entry = entries.first()
    return entry or ProgressEntry(commitment=commitment, period=period, department=department)


#: The events that carry a reviewer's reason to the department: returning and reopening.
THREAD_EVENT_TYPES = EventType.with_action("return", "reopen")


def _has_thread() -> RawSQL:
    """
    Whether the entry has a thread, as SQL in the entry's query: the reviewers' returns and
    reopenings of it (``_thread_reasons``) or its messages. Written out because the same
    condition as two ``Exists`` of querysets cost 1 ms of CPU a page to build (Django copies
    and resolves each subquery anew), for SQL that never changes; the names come from the
    models. ``test_the_thread_is_read_only_for_an_entry_that_has_one`` checks it both ways.
    """
    qn = connection.ops.quote_name

    def column(model, name: str) -> str:
        return f"{qn(model._meta.db_table)}.{qn(model._meta.get_field(name).column)}"

    types = [t.value for t in THREAD_EVENT_TYPES]
    entry_id, placeholders = column(ProgressEntry, "id"), ", ".join(["%s"] * len(types))
    events, messages = qn(Event._meta.db_table), qn(EntryMessage._meta.db_table)
    # The models' own names, quoted; every value a parameter.
    sql = " ".join([
        f"EXISTS (SELECT 1 FROM {events} WHERE {column(Event, 'content_type')} = %s",  # noqa: S608
        f"AND {column(Event, 'object_id')} = {entry_id} AND {column(Event, 'type')} IN ({placeholders}))",
        f"OR EXISTS (SELECT 1 FROM {messages} WHERE {column(EntryMessage, 'entry')} = {entry_id})",  # noqa: S608
    ])  # fmt: skip
    params = [ContentType.objects.get_for_model(ProgressEntry).pk, *types]
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611


def _thread_reasons(model) -> QuerySet[Event]:
    """The reviewers' returns and reopenings (with their reasons) of ``model`` rows, unordered."""
    return Event.objects.filter(
        content_type=ContentType.objects.get_for_model(model), type__in=THREAD_EVENT_TYPES
    ).order_by()


def entry_thread(entry: ProgressEntry) -> list[tuple]:
    """
    The entry's thread: the reviewers' reasons and messages, oldest first, as (time, who, text,
    is_reason). No query for an entry read with ``has_thread`` false (most entries).
    """
    if not entry.pk or not getattr(entry, "has_thread", True):
        return []
    reasons = _thread_reasons(ProgressEntry).filter(object_id=entry.pk).select_related("actor")
    messages = entry.messages.select_related("author").order_by()
    return sorted(
        [(e.created_at, e.actor, e.reason, True) for e in reasons]
        + [(m.created_at, m.author, m.text, False) for m in messages],
        key=lambda item: item[0],
    )


def goal_contribution_get_or_new(*, goal: Goal, period: ReportingPeriod, department: Department) -> GoalContribution:
    """Return the department's follow-up of its contribution to the goal, unsaved if there is none yet."""
    contribution = GoalContribution.objects.filter(goal=goal, period=period, department=department).order_by().first()
    return contribution or GoalContribution(goal=goal, period=period, department=department)


def attach_return_reasons(rows: list[CommitmentRow]) -> list[CommitmentRow]:
    """Set ``row.return_reason`` (the reviewer's latest reason) on each returned row, in one query if any."""
    reasons = return_reasons(ProgressEntry, [row.entry_id for row in rows if row.status == ReviewStatus.RETURNED])
    for row in rows:
        row.return_reason = reasons.get(row.entry_id, "")
    return rows


def return_reasons(model, ids: list[int]) -> dict[int, str]:
    """The reviewer's latest reason for returning or reopening each of the ``model`` rows ``ids``, in one query."""
    if not ids:
        return {}
    reasons = {}
    for event in _thread_reasons(model).filter(object_id__in=ids).order_by("created_at", "pk"):
        reasons[event.object_id] = event.reason
    return reasons


def return_reason(obj) -> str:
    """The reviewer's reason for returning or reopening a reviewable row, when it is returned now; else ""."""
    if obj.pk is None or obj.status != ReviewStatus.RETURNED:
        return ""
    return return_reasons(type(obj), [obj.pk]).get(obj.pk, "")


def events_for_committee(*, user: User, committee_slug: str) -> tuple[Committee, QuerySet[Event]]:
    """Return the committee and its audit trail, for its reviewers and admins; Http404 for anyone else."""
    committee = Committee.objects.filter(slug=committee_slug).first()
    if committee is None or not can_oversee(user, committee):
        raise Http404
    events = Event.objects.filter(committee=committee).select_related(
        "actor", "department", "period__plan", "content_type"
    )
    return committee, events


def event_get_for_user(*, user: User, committee_slug: str, event_id: int) -> Event:
    """Return one step of the committee's audit trail, for its reviewers and admins; Http404 for anyone else."""
    _committee, events = events_for_committee(user=user, committee_slug=committee_slug)
    event = events.filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def events_for_object(obj) -> QuerySet[Event]:
    """Return the audit trail of one entry or outcome, newest first."""
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).select_related(
        "actor"
    )


def contribution_rows(
    *, user: User, period: ReportingPeriod
) -> list[tuple[Goal, Department, GoalContribution | None]]:
    """
    The goals the committee contributes to, one row per goal × writing department the user
    reads, with the department's contribution for the period (None before the first save).
    Three queries whatever the plan's size.
    """
    readable = None if user is None else readable_department_ids(user, period.plan.committee)
    goals = (
        Goal.objects.filter(plan=period.plan, contributes=True, departments__isnull=False)
        .distinct()
        .select_related("goal_area")
        .prefetch_related("departments")
        .order_by("goal_area__sort_order", "sort_order")
    )
    contributions = {
        (c.goal_id, c.department_id): c
        for c in GoalContribution.objects.filter(period=period).select_related("assessment", "mandate_assessment")
    }
    return [
        (goal, department, contributions.get((goal.pk, department.pk)))
        for goal in goals
        for department in sorted(goal.departments.all(), key=lambda d: d.sort_order)
        if readable is None or department.pk in readable
    ]


def contribution_get_for_user(*, user: User, period: ReportingPeriod, goal_code: str, department_code: str):
    """The contribution named by a URL (unsaved before its first save), or Http404 if the user may not read it."""
    goal = Goal.objects.filter(plan=period.plan, code=goal_code, contributes=True).select_related("plan").first()
    department = Department.objects.filter(committee_id=period.plan.committee_id, code=department_code).first()
    if goal is None or department is None or not goal.departments.filter(pk=department.pk).exists():
        raise Http404
    if not can_read_department(user, department):
        raise Http404
    contribution = goal_contribution_get_or_new(goal=goal, period=period, department=department)
    # Its goal, period and department are the page's: a save or a check needs not read them again.
    contribution.goal, contribution.period, contribution.department = goal, period, department
    return contribution


def committee_get_for_user(*, user: User, committee_slug: str) -> Committee:
    """Return the committee, or raise Http404 when it does not exist or the user is not one of its members."""
    committee = committees_for(user).filter(slug=committee_slug).first()
    if committee is None:
        raise Http404
    return committee


def commitment_search(*, committee: Committee, query: str, full_text: bool | None = None) -> list[Commitment]:
    """The committee's commitments, of every plan, whose code or wording matches ``query`` (``text_search``)."""
    commitments = Commitment.objects.filter(plan__committee=committee).select_related("plan", "goal")
    found = text_search(commitments, query=query, fields=("code", "text"), full_text=full_text)
    if "search_rank" not in found.query.annotations:
        found = found.order_by("-plan__year", "goal__sort_order", "sort_order")
    return list(found[:RESULTS_PER_KIND])


def goal_search(*, committee: Committee, query: str, full_text: bool | None = None) -> list[Goal]:
    """
    The committee's goals, of every plan, whose code, short name or wording matches ``query``;
    each with ``has_departments``: whether departments follow the goal up on pages of their own
    (where it ``contributes``).
    """
    goals = (
        Goal.objects.filter(plan__committee=committee)
        .select_related("plan", "goal_area")
        .annotate(has_departments=Exists(Goal.departments.through.objects.filter(goal=OuterRef("pk"))))
    )
    found = text_search(goals, query=query, fields=("code", "short_name", "text"), full_text=full_text)
    if "search_rank" not in found.query.annotations:
        found = found.order_by("-plan__year", "goal_area__sort_order", "sort_order")
    return list(found[:RESULTS_PER_KIND])


def _readable(rows: QuerySet, user: User, committee: Committee) -> QuerySet:
    departments = readable_department_ids(user, committee)
    return rows if departments is None else rows.filter(department_id__in=departments)


def entry_search(
    *, user: User, committee: Committee, query: str, full_text: bool | None = None
) -> list[ProgressEntry]:
    """
    The committee's entries on commitments, of every period, whose comment matches ``query``,
    of the departments the user reads (as the list and the entry page allow).
    """
    entries = _readable(
        ProgressEntry.objects.filter(period__plan__committee=committee).select_related(
            "period__plan", "commitment", "department"
        ),
        user,
        committee,
    )
    found = text_search(entries, query=query, fields=("comment",), html_fields=("comment",), full_text=full_text)
    if "search_rank" not in found.query.annotations:
        found = found.order_by("-period__plan__year", "-period__start", "commitment__sort_order")
        return [e for e in found[:RESULTS_PER_KIND] if fallback_matches(e.comment, query)]
    return list(found[:RESULTS_PER_KIND])


#: The texts of a department's follow-up of a goal that a search looks in.
CONTRIBUTION_SEARCH_FIELDS = ("comment", "assessment_sentence", "assessment_motivation", "mandate_sentence",
                              "mandate_motivation")  # fmt: skip


def contribution_search(
    *, user: User, committee: Committee, query: str, full_text: bool | None = None
) -> list[GoalContribution]:
    """
    The committee's follow-ups of goals, of every period, whose texts match ``query``, of the
    departments the user reads (as the goal page allows).
    """
    contributions = _readable(
        GoalContribution.objects.filter(period__plan__committee=committee).select_related(
            "period__plan", "goal", "department"
        ),
        user,
        committee,
    )
    found = text_search(
        contributions, query=query, fields=CONTRIBUTION_SEARCH_FIELDS, html_fields=("comment",), full_text=full_text
    )
    if "search_rank" not in found.query.annotations:
        found = found.order_by("-period__plan__year", "-period__start", "goal__sort_order")
        return [c for c in found[:RESULTS_PER_KIND] if fallback_matches(c.search_text, query)]
    return list(found[:RESULTS_PER_KIND])
