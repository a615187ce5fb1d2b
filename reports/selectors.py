"""The reads of the reports app: a committee's whole document for a period, in fixed queries."""

from __future__ import annotations

import re

from django.db.models import Prefetch, Q
from django.utils.html import format_html
from django.utils.translation import gettext as _

from commitments.models import (
    AssessmentValue,
    Commitment,
    Goal,
    GoalContribution,
    ProgressEntry,
    ReportingPeriod,
    ReviewStatus,
)
from commitments.richtext import sanitize_rich_text
from indicators.models import Indicator, Outcome, PriorOutcome, Target

from . import formatting
from .document import (
    Assessment,
    CommitmentRow,
    CommitmentTable,
    Document,
    IndicatorRow,
    IndicatorTable,
    RichText,
    Section,
    Table,
)
from .models import ReportBuild, ReportDefinition, ReportKind

GROUP_NAMES = {
    Indicator.Disaggregation.WOMEN_MEN: ("Kvinnor", "Män"),
    Indicator.Disaggregation.GIRLS_BOYS: ("Flickor", "Pojkar"),
}


def follow_up_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """
    Return the follow-up of commitments (report kind ``ataganden``) for ``period``.

    One chapter per goal in plan order with its commitments' comments and assessments and
    its commitment indicators' outcomes. Only approved entries and outcomes are used, unless
    ``draft`` (then everything written so far, and the document says "Utkast"). The number
    of queries does not depend on the size of the plan.
    """
    plan = period.plan
    committee = plan.committee
    states = None if draft else [ReviewStatus.APPROVED]
    entries = ProgressEntry.objects.filter(period=period).select_related("department", "assessment")
    outcomes = Outcome.objects.filter(period=period).select_related("department")
    if states:
        entries = entries.filter(status__in=states)
        outcomes = outcomes.filter(status__in=states)
    goals = (
        Goal.objects.filter(plan=plan)
        .select_related("goal_area")
        .prefetch_related(
            Prefetch(
                "commitments",
                queryset=Commitment.objects.prefetch_related(
                    Prefetch("entries", queryset=entries.order_by("department__sort_order"), to_attr="shown_entries")
                ).order_by("sort_order"),
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(Q(level=Indicator.Level.COMMITMENT))
                .prefetch_related(Prefetch("outcomes", queryset=outcomes, to_attr="shown_outcomes"))
                .order_by("sort_order"),
                to_attr="commitment_indicators",
            ),
        )
        .order_by("goal_area__sort_order", "sort_order")
    )
    document = Document(
        kind="ataganden",
        title=_("Follow-up of commitments %(period)s %(year)s") % {"period": period.name, "year": plan.year},
        organisation=committee.organisation,
        committee=committee.name,
        period=f"{period.name} {plan.year}",
        draft=draft,
    )
    definition = ReportDefinition.objects.filter(period=period, kind=ReportKind.FOLLOW_UP).first()
    if definition and definition.introduction.strip():
        introduction = sanitize_rich_text(definition.introduction)
    else:
        introduction = format_html(
            "<p>{}</p>",
            _(
                "Each committee goal is a heading of its own, and the report describes the result for the period "
                "%(period)s."
            )
            % {"period": f"{period.name} {plan.year}"},
        )
    document.sections.append(Section(heading=_("Introduction"), number="1", blocks=[RichText(introduction)]))
    for number, goal in enumerate(goals, start=2):
        section = Section(heading=goal.text, number=str(number))
        rows = [
            CommitmentRow(
                code=commitment.code,
                text=commitment.text,
                department=entry.department.name,
                assessment=Assessment(entry.assessment.symbol, entry.assessment.label) if entry.assessment else None,
                comment=RichText(sanitize_rich_text(entry.comment)),
            )
            for commitment in goal.commitments.all()
            for entry in commitment.shown_entries
        ]
        if rows:
            section.blocks.append(CommitmentTable(tuple(rows)))
        indicator_rows = [
            _indicator_row(indicator, outcome)
            for indicator in goal.commitment_indicators
            for outcome in indicator.shown_outcomes
        ]
        if indicator_rows:
            section.blocks.append(IndicatorTable(tuple(indicator_rows)))
        document.sections.append(section)
    return document


def _indicator_row(indicator: Indicator, outcome: Outcome) -> IndicatorRow:
    unit = indicator.unit_suffix
    breakdown = None
    groups = GROUP_NAMES.get(indicator.disaggregation)
    if groups and outcome.denominator is not None:
        f = formatting.number
        breakdown = Table(
            caption=indicator.name,
            header=("", "Samtliga", *groups),
            rows=(
                (_("Total"), f(outcome.denominator), f(outcome.denominator_female), f(outcome.denominator_male)),
                (_("Count"), f(outcome.numerator), f(outcome.numerator_female), f(outcome.numerator_male)),
                (
                    _("Share"),
                    formatting.with_unit(outcome.value, unit),
                    formatting.with_unit(outcome.value_female, unit),
                    formatting.with_unit(outcome.value_male, unit),
                ),
            ),
        )
    return IndicatorRow(
        code=indicator.code,
        name=indicator.name,
        department=outcome.department.name,
        outcome=formatting.with_unit(outcome.value, unit),
        comment=RichText(sanitize_rich_text(outcome.comment)),
        breakdown=breakdown,
    )


def plan_proposal_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """
    Return the plan proposal (report kind ``namndsbudget``) of the period's plan year.

    Per goal area and goal (in its proposal wording), the goal indicators with the year's
    target, last year's outcome and last year's target: "Målindikator | Målvärde 2019 |
    Utfall 2018 | Målvärde 2018". Columns that no indicator of a goal fills are left out,
    as in the committee's own drafts. Reads the plan only (no entries), in fixed queries.
    """
    plan = period.plan
    year = plan.year
    values = lambda model, years: model.objects.filter(year__in=years).order_by("year", "part")  # noqa: E731
    goals = (
        Goal.objects.filter(plan=plan)
        .select_related("goal_area")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(level=Indicator.Level.GOAL)
                .prefetch_related(
                    Prefetch("targets", queryset=values(Target, [year, year - 1]), to_attr="shown_targets"),
                    Prefetch("prior_outcomes", queryset=values(PriorOutcome, [year - 1]), to_attr="shown_outcomes"),
                )
                .order_by("sort_order"),
                to_attr="goal_indicators",
            )
        )
        .order_by("goal_area__sort_order", "sort_order")
    )
    document = Document(
        kind=ReportKind.PLAN_PROPOSAL,
        title=_("Committee budget %(year)s: proposed committee goals and indicators") % {"year": year},
        organisation=plan.committee.organisation,
        committee=plan.committee.name,
        period=str(year),
        draft=draft,
    )
    definition = ReportDefinition.objects.filter(period=period, kind=ReportKind.PLAN_PROPOSAL).first()
    if definition and definition.introduction.strip():
        document.sections.append(
            Section(heading=_("Introduction"), blocks=[RichText(sanitize_rich_text(definition.introduction))])
        )
    header = (
        _("Goal indicator"),
        _("Target %(year)s") % {"year": year},
        _("Outcome %(year)s") % {"year": year - 1},
        _("Target %(year)s") % {"year": year - 1},
    )
    area_sections = {}
    for goal in goals:
        area = goal.goal_area
        if area.pk not in area_sections:
            heading = _("Goal area %(number)s – %(name)s") % {"number": area.number, "name": area.name}
            area_sections[area.pk] = Section(heading=heading if area.number else area.name)
            document.sections.append(area_sections[area.pk])
        label = _("New committee goal") if goal.is_new else _("Committee goal")
        section = Section(heading=f"{label}: {goal.proposal_text or goal.text}")
        rows = []
        for indicator in goal.goal_indicators:
            name = _("New indicator: %(name)s") % {"name": indicator.name} if indicator.is_new else indicator.name
            rows.append(
                (
                    name,
                    _year_values(indicator, indicator.shown_targets, year),
                    _year_values(indicator, indicator.shown_outcomes, year - 1),
                    _year_values(indicator, indicator.shown_targets, year - 1),
                )
            )
        if rows:
            used = max((i for row in rows for i, cell in enumerate(row) if cell), default=0) + 1
            used = max(used, 2)
            section.blocks.append(Table(caption="", header=header[:used], rows=tuple(row[:used] for row in rows)))
        area_sections[area.pk].subsections.append(section)
    return document


def _year_values(indicator: Indicator, items, year: int) -> str:
    """
    Targets or outcomes of a year as printed: the text as written, else the figure with its
    unit. Parts of the year come first, named ("maj-dec: 3 089"), then the whole year, named
    "helår" only beside parts.
    """
    chosen = sorted((item for item in items if item.year == year), key=lambda item: (item.part == "", item.part))
    has_parts = any(item.part for item in chosen)
    shown = []
    for item in chosen:
        text = item.text or formatting.with_unit(item.value, indicator.unit_suffix)
        label = item.part or (_("whole year") if has_parts else "")
        shown.append(f"{label}: {text}" if label else text)
    return " ".join(shown)


NUMBER_WORDS = ("inga", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")
#: A follow-up's own subheadings sit below the document's headings for the goal (h2–h5).
_TEXT_HEADING = re.compile(r"<(/?)h[34]>")


def annual_analysis_document(*, period: ReportingPeriod, draft: bool = False) -> Document:
    """
    Return the årsanalys (report kind ``arsanalys``) for ``period``: so far the follow-up and
    assessment of the contributions to the city council's goals, per goal area and goal, with
    the three fixed subheadings, both assessments with their sentences and motivations, and a
    summary whose figures are counted from the assessments, not typed.
    """
    plan = period.plan
    states = None if draft else [ReviewStatus.APPROVED]
    contributions = GoalContribution.objects.filter(period=period).select_related(
        "department", "assessment", "mandate_assessment"
    )
    if states:
        contributions = contributions.filter(status__in=states)
    goals = (
        Goal.objects.filter(plan=plan, level=Goal.Level.COUNCIL, contributes=True)
        .select_related("goal_area")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=contributions.order_by("department__sort_order"),
                to_attr="shown_contributions",
            )
        )
        .order_by("goal_area__sort_order", "sort_order")
    )
    document = Document(
        kind=ReportKind.ANNUAL_ANALYSIS,
        title=_("Annual analysis %(year)s") % {"year": plan.year},
        organisation=plan.committee.organisation,
        committee=plan.committee.name,
        period=f"{period.name} {plan.year}",
        draft=draft,
    )
    part = Section(heading=_("Follow-up and assessment of the contributions to the city council's goals"))
    areas: dict[int, Section] = {}
    meanings: list[str] = []
    for goal in goals:
        if goal.goal_area_id not in areas:
            areas[goal.goal_area_id] = Section(heading=_("Goal area – %(name)s") % {"name": goal.goal_area.name})
            part.subsections.append(areas[goal.goal_area_id])
        section = Section(heading=_("City council goal – %(text)s") % {"text": goal.text})
        texts = [_TEXT_HEADING.sub(r"<\1h6>", sanitize_rich_text(c.comment)) for c in goal.shown_contributions]
        year = [c for c in goal.shown_contributions if c.assessment]
        mandate = [c for c in goal.shown_contributions if c.mandate_assessment]
        meanings += [c.assessment.meaning for c in year]
        section.subsections = [
            Section(
                heading=_("Follow-up of the contribution to the city council goal"), blocks=[RichText("".join(texts))]
            ),
            Section(
                heading=_("Assessment of the contribution to the city council goal for the year"),
                blocks=[
                    RichText(_assessment_html(c.assessment, c.assessment_motivation, plan.year, label=True))
                    for c in year
                ],
            ),
            Section(
                heading=_("Assessment of the expected progress over the mandate period"),
                blocks=[
                    RichText(_assessment_html(c.mandate_assessment, c.mandate_motivation, plan.year, label=False))
                    for c in mandate
                ],
            ),
        ]
        areas[goal.goal_area_id].subsections.append(section)
    count = lambda n: NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)  # noqa: E731
    summary = _(
        "The committee contributes to %(goals)s of the city council's goals. The contribution is assessed as "
        "achieved for %(achieved)s goals and partly achieved for %(partly)s goals."
    ) % {
        "goals": len(goals),
        "achieved": count(meanings.count(AssessmentValue.Meaning.ACHIEVED)),
        "partly": count(meanings.count(AssessmentValue.Meaning.PARTLY)),
    }
    not_achieved = meanings.count(AssessmentValue.Meaning.NOT_ACHIEVED)
    if not_achieved:
        summary += " " + _("It is not achieved for %(n)s goals.") % {"n": count(not_achieved)}
    part.blocks.append(RichText(format_html("<p>{}</p>", summary)))
    document.sections.append(part)
    return document


def _assessment_html(value, motivation: str, year: int, *, label: bool) -> str:
    """The assessment as the årsanalys prints it: the label (with its mark), the sentence, the motivation."""
    parts = []
    if label:
        parts.append(format_html('<p><b><span aria-hidden="true">{}</span> {}</b></p>', value.symbol, value.label))
    parts.append(format_html("<p>{}</p>", value.sentence_for(year)))
    if motivation:
        parts.append(format_html("<p>{}</p>", motivation))
    return "".join(parts)


DOCUMENTS = {
    ReportKind.FOLLOW_UP: follow_up_document,
    ReportKind.PLAN_PROPOSAL: plan_proposal_document,
    ReportKind.ANNUAL_ANALYSIS: annual_analysis_document,
}


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


def report_document(*, period: ReportingPeriod, kind: str, draft: bool = False) -> Document:
    """Return the document of ``kind`` for ``period`` (see ``DOCUMENTS``)."""
    return DOCUMENTS[kind](period=period, draft=draft)


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
