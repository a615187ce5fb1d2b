"""
The plain reads of the reports app: the report templates, the texts departments write for
them, the kinds of report a period has and its builds. The documents themselves are
assembled in ``reports.assembly``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F
from django.http import Http404

from commitments.models import Commitment, Goal, Plan, ReportingPeriod
from commitments.permissions import can_read_department, readable_department_ids
from indicators.models import Indicator

from .models import ReportBuild, ReportKind, ReportSection, SectionText
from .outlines import default_sections


@dataclass
class OutlineNode:
    """A report section with its subsections, in order."""

    section: ReportSection
    children: list[OutlineNode] = field(default_factory=list)


def report_outline(*, plan: Plan, kind: str) -> list[OutlineNode]:
    """
    The sections of the plan's report of ``kind`` as a tree: the ones the committee admin
    keeps for it, or, where there are none, the standard ones (``outlines.DEFAULT``, not
    saved). One query.
    """
    sections = list(
        ReportSection.objects.filter(plan=plan, kind=kind).select_related("department").order_by("sort_order", "pk")
    )
    if not sections:
        return [OutlineNode(section) for section in default_sections(plan=plan, kind=kind)]
    nodes = {section.pk: OutlineNode(section) for section in sections}
    roots = []
    for section in sections:
        parent = nodes.get(section.parent_id)
        (parent.children if parent else roots).append(nodes[section.pk])
    return roots


def report_kinds_for(period: ReportingPeriod) -> list[str]:
    """The kinds of report the period's plan has content for: commitments, goal indicators, council goals."""
    plan = period.plan
    kinds = []
    if Commitment.objects.filter(plan=plan).exists():
        kinds.append(ReportKind.FOLLOW_UP)
    if Indicator.objects.filter(plan=plan, level=Indicator.Level.GOAL).exists():
        kinds.append(ReportKind.PLAN_PROPOSAL)
    if Goal.objects.filter(plan=plan, level=Goal.Level.COUNCIL, contributes=True).exists():
        kinds.append(ReportKind.ANNUAL_ANALYSIS)
    return kinds


def section_text_rows(*, user, period: ReportingPeriod) -> list[tuple[ReportSection, SectionText | None]]:
    """
    The text sections of the period's reports that the user reads (their departments', or
    all for reviewers and admins), in report and template order, each with its text for the
    period (None before the first save). Two queries whatever the template's size.
    """
    readable = None if user is None else readable_department_ids(user, period.plan.committee)
    sections = ReportSection.objects.filter(plan=period.plan, source=ReportSection.Source.NARRATIVE).select_related(
        "department", "parent__parent"
    )
    if readable is not None:
        sections = sections.filter(department_id__in=readable)
    texts = {
        text.section_id: text
        for text in SectionText.objects.filter(
            period=period, section__in=sections, department_id=F("section__department_id")
        ).select_related("updated_by")
    }
    kinds = {kind: n for n, kind in enumerate(ReportKind)}
    ordered = sorted(sections, key=lambda s: (kinds.get(s.kind, 99), _template_position(s)))
    return [(section, texts.get(section.pk)) for section in ordered]


def _template_position(section: ReportSection) -> tuple:
    path, node = [], section
    while node is not None:
        path.insert(0, node.sort_order)
        node = node.parent
    return tuple(path)


def section_text_get_for_user(*, user, period: ReportingPeriod, section_id: int) -> SectionText:
    """The text of a section named by a URL (unsaved before its first save), or Http404 if the user may not read it."""
    section = (
        ReportSection.objects.filter(pk=section_id, plan=period.plan, source=ReportSection.Source.NARRATIVE)
        .select_related("department", "plan")
        .first()
    )
    if section is None or not can_read_department(user, section.department):
        raise Http404
    text = SectionText.objects.filter(section=section, period=period, department=section.department).first()
    text = text or SectionText(section=section, period=period, department=section.department)
    text.section, text.period = section, period
    return text


def current_build(*, period: ReportingPeriod, kind: str) -> ReportBuild | None:
    """The report's current build: the latest one that is done in every format and not a draft."""
    return (
        ReportBuild.objects.filter(period=period, kind=kind, draft=False, status=ReportBuild.Status.DONE)
        .defer("content")
        .order_by("-finished_at", "-pk")
        .first()
    )


def builds_for_period(*, period: ReportingPeriod, limit: int = 20) -> list[ReportBuild]:
    """The period's latest builds of every kind, newest first, without their stored content."""
    return list(
        ReportBuild.objects.filter(period=period)
        .select_related("requested_by")
        .defer("content")
        .order_by("-created_at", "-pk")[:limit]
    )


def build_before(build: ReportBuild) -> ReportBuild | None:
    """The approved build that was current before ``build`` (what its changes are counted from)."""
    return (
        ReportBuild.objects.filter(
            period_id=build.period_id, kind=build.kind, draft=False, status=ReportBuild.Status.DONE,
            finished_at__lt=build.finished_at,
        )
        .exclude(pk=build.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )  # fmt: skip
