"""
The plain reads of the reports app: the report templates, the texts departments write for
them, the kinds of report a period has and its builds. The documents themselves are
assembled in ``reports.assembly``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch
from django.http import Http404

from commitments.models import Commitment, Committee, Goal, Plan, ReportingPeriod, ReviewStatus
from commitments.permissions import can_read_department, readable_department_ids
from indicators.models import Indicator, Outcome, Target

from .layouts import name_editions, with_report_names
from .models import AdoptedEdition, ReportBuild, ReportKind, ReportSection, SectionText
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


def report_has_introduction(*, plan: Plan, kind: str) -> bool:
    """
    Whether the plan's report of ``kind`` has an introduction section, where the committee
    admin's introduction is printed: the follow-up and the plan proposal have one as standard,
    the årsanalys none (the committee's starts with its Sammanfattning); a report template
    may add or remove it. One query.
    """
    stack = report_outline(plan=plan, kind=kind)
    while stack:
        node = stack.pop()
        if node.section.source == ReportSection.Source.INTRODUCTION:
            return True
        stack += node.children
    return False


def report_kinds_for(period: ReportingPeriod) -> list[str]:
    """
    The kinds of report the period's plan has content for: a follow-up where it has commitments,
    or goals that departments follow up measured by goal indicators (a follow-up of goals); a
    plan proposal where it has goal indicators; an annual analysis where it has city council
    goals the committee contributes to.
    """
    plan = period.plan
    kinds = []
    followed_goal_indicators = Indicator.objects.filter(
        plan=plan, level=Indicator.Level.GOAL, goal__level__in=Goal.GOAL_LEVELS, goal__departments__isnull=False
    )
    if Commitment.objects.filter(plan=plan).exists() or followed_goal_indicators.exists():
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
        .defer("content", "figures")
        .order_by("-finished_at", "-pk")
        .first()
    )


def builds_for_period(*, period: ReportingPeriod, limit: int = 20) -> list[ReportBuild]:
    """The period's latest builds of every kind, newest first, without their stored content."""
    return list(
        ReportBuild.objects.filter(period=period)
        .select_related("requested_by")
        .defer("content", "figures")
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


#: The columns of the open data of an edition, in order (CSV header and JSON keys).
FIGURE_COLUMNS = (
    "namnd", "planar", "period", "period_namn", "indikator_kod", "indikator", "niva", "grupp", "varde", "enhet",
    "taljare", "namnare", "malvarde", "avdelning",
)  # fmt: skip

#: The groups of an outcome by its indicator's breakdown: (name, suffix of the Outcome fields).
FIGURE_GROUPS = {
    Indicator.Disaggregation.NONE: (("Samtliga", ""),),
    Indicator.Disaggregation.WOMEN_MEN: (("Samtliga", ""), ("Kvinnor", "_female"), ("Män", "_male")),
    Indicator.Disaggregation.GIRLS_BOYS: (("Samtliga", ""), ("Flickor", "_female"), ("Pojkar", "_male")),
}
FIGURE_LEVELS = {Indicator.Level.GOAL: "målindikator", Indicator.Level.COMMITMENT: "åtagandeindikator"}
#: The indicators whose outcomes a kind of report shows (None: all).
FIGURE_LEVELS_BY_KIND = {
    ReportKind.FOLLOW_UP: Indicator.Level.COMMITMENT,
    ReportKind.PLAN_PROPOSAL: Indicator.Level.GOAL,
}


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def outcome_figures(*, period: ReportingPeriod, kind: str) -> list[dict[str, str]]:
    """
    The period's approved indicator outcomes that the report of ``kind`` shows, as open-data
    rows (``FIGURE_COLUMNS``, every value a string): one per outcome and group (Samtliga,
    then Kvinnor / Män or Flickor / Pojkar), in plan order, with the indicator's target for
    the plan year. An outcome without a figure (not available yet) is a row with an empty
    value. Two queries (three with the period's plan and committee not yet loaded).
    """
    plan = period.plan
    committee: Committee = plan.committee
    targets = Target.objects.filter(year=plan.year).order_by("part")
    outcomes = (
        Outcome.objects.filter(period=period, status=ReviewStatus.APPROVED)
        .select_related("indicator", "department")
        .prefetch_related(Prefetch("indicator__targets", queryset=targets, to_attr="year_targets"))
        .order_by(
            "indicator__goal__goal_area__sort_order", "indicator__goal__sort_order", "indicator__sort_order",
            "department__sort_order", "department__code",
        )
    )  # fmt: skip
    level = FIGURE_LEVELS_BY_KIND.get(kind)
    if level is not None:
        outcomes = outcomes.filter(indicator__level=level)
    rows = []
    for outcome in outcomes:
        indicator = outcome.indicator
        # The whole year's target first ("" sorts before a part such as "maj-dec").
        target = next(iter(indicator.year_targets), None)
        # A bound keeps its word ("Minst 80"), a figure its plain form, for the open data.
        target_text = "" if target is None else (target.text or _number(target.value))
        word = "" if target is None or target.text else Target.COMPARATOR_WORDS.get(target.comparator, "")
        target_text = f"{word} {target_text}" if word else target_text
        for group, suffix in FIGURE_GROUPS.get(indicator.disaggregation, FIGURE_GROUPS[Indicator.Disaggregation.NONE]):
            rows.append({
                "namnd": committee.name,
                "planar": str(plan.year),
                "period": period.slug,
                "period_namn": period.name,
                "indikator_kod": indicator.code,
                "indikator": indicator.name,
                "niva": FIGURE_LEVELS.get(indicator.level, indicator.level),
                "grupp": group,
                "varde": _number(getattr(outcome, f"value{suffix}")),
                "enhet": indicator.unit,
                "taljare": _number(getattr(outcome, f"numerator{suffix}")),
                "namnare": _number(getattr(outcome, f"denominator{suffix}")),
                "malvarde": target_text,
                "avdelning": outcome.department.name,
            })  # fmt: skip
    return rows


def adopted_edition(*, period: ReportingPeriod, kind: str) -> AdoptedEdition | None:
    """The edition of the report that the committee adopted, if any (without its stored content)."""
    return (
        AdoptedEdition.objects.filter(period=period, kind=kind)
        .select_related("period__plan__committee", "build", "adopted_by")
        .defer("content", "figures", "build__content", "build__figures")
        .first()
    )


def adopted_editions_for_committee(*, committee: Committee) -> list[AdoptedEdition]:
    """
    The committee's adopted editions, newest plan year and period first, each with its
    ``report_name`` (as its committee's layout names it), in one query.
    """
    editions = (
        AdoptedEdition.objects.filter(period__plan__committee=committee)
        .select_related("period__plan__committee")
        .defer("content", "figures")
        .order_by("-period__plan__year", "-period__start", "kind")
    )
    return name_editions(list(with_report_names(editions)))


def public_edition(*, committee_slug: str, period_slug: str, kind: str) -> AdoptedEdition:
    """An adopted edition named by its public address, or Http404. Anyone may read it (it is public)."""
    editions = (
        AdoptedEdition.objects.filter(
            period__plan__committee__slug=committee_slug, period__slug=period_slug, kind=kind
        )
        .select_related("period__plan__committee")
        .defer("content", "figures")
    )
    edition = with_report_names(editions).first()
    if edition is None:
        raise Http404
    return name_editions([edition])[0]
