"""
Report layouts: a committee's title, words and shape of each kind of report
(``ReportLayout``), and the standard ones a committee gets without a layout of its own.

ASN's documents are three layouts kept as data (``demo/data/asn.json``, "report_layouts");
``default_layout`` gives today's documents to a committee whose plan has commitments and a
follow-up of goals (perspective → goal → indicator table) to one whose plan has none.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from commitments.models import Commitment, Committee, Plan, ReportingPeriod

from .models import ReportKind, ReportLayout

Chapters, Column, Indicators = ReportLayout.Chapters, ReportLayout.Column, ReportLayout.Indicators


def standard_word(level: str) -> str:
    """The word for ``level`` where a layout leaves it empty, in the active language."""
    words = {
        "goal_area": _("Goal area"),
        "goal": _("Goal"),
        "commitment": _("Commitment"),
        "indicator": _("Indicator"),
    }
    return words[level]


def word(layout: ReportLayout, level: str) -> str:
    """The layout's word for ``level``; a goal or commitment indicator without one of its own is an indicator."""
    own = getattr(layout, f"{level}_word").strip()
    if own:
        return own
    if level in ("goal_indicator", "commitment_indicator"):
        return word(layout, "indicator")
    return standard_word(level)


def is_commitment_follow_up(layout: ReportLayout) -> bool:
    """Whether a follow-up layout is the follow-up of commitments (a chapter per goal with its commitments)."""
    return layout.chapters == Chapters.GOAL and layout.show_commitments and layout.indicators == Indicators.COMMITMENT


def standard_title(layout: ReportLayout) -> str:
    """The title of a layout that gives none, with ``{period}`` and ``{year}``."""
    if layout.kind == ReportKind.PLAN_PROPOSAL:
        return _("Committee budget {year}: proposed committee goals and indicators")
    if layout.kind == ReportKind.ANNUAL_ANALYSIS:
        return _("Annual analysis {year}")
    if is_commitment_follow_up(layout):
        return _("Follow-up of commitments {period} {year}")
    return _("Follow-up of the committee's goals {period} {year}")


def title(layout: ReportLayout, period: ReportingPeriod) -> str:
    """The document's title for ``period``: the layout's (or the standard) title with its period and year."""
    template = layout.title.strip() or standard_title(layout)
    values = {"period": period.name, "year": period.plan.year}
    try:
        return template.format_map(values)
    except (KeyError, ValueError, IndexError, AttributeError):  # saved without validation: printed as written
        return template


def default_layout(*, committee: Committee | None, kind: str, has_commitments: bool) -> ReportLayout:
    """
    The layout of ``kind`` for a committee that keeps none (not saved): the plan proposal and
    the annual analysis as ASN's; the follow-up of commitments where the plan has commitments,
    else the follow-up of goals: a chapter per goal area (perspective), a subsection per goal
    with each following-up department's comment and assessment, then its goal indicators'
    table "Indikator | Utfall år−2 | Utfall år−1 | Utfall {period} år | Målvärde | Bedömning |
    Kommentar".
    """
    layout = ReportLayout(committee=committee, kind=kind)
    if kind == ReportKind.PLAN_PROPOSAL:
        layout.goal_word = _("Committee goal")
        layout.goal_indicator_word = _("Goal indicator")
    elif kind == ReportKind.ANNUAL_ANALYSIS:
        layout.goal_word = _("City council goal")
    elif has_commitments:
        layout.chapters = Chapters.GOAL
        layout.show_goal_follow_up = False
        layout.indicators = Indicators.COMMITMENT
        layout.columns = [Column.OUTCOME, Column.COMMENT]
        layout.prior_years = 0
        layout.goal_indicator_word = _("Goal indicator")
        layout.commitment_indicator_word = _("Commitment indicator")
    return layout


def report_layouts(*, plan: Plan) -> dict[str, ReportLayout]:
    """Every kind's layout for the plan's reports: the committee's own, else the default. Two queries."""
    own = {layout.kind: layout for layout in ReportLayout.objects.filter(committee_id=plan.committee_id)}
    missing = [kind for kind in ReportKind.values if kind not in own]
    has_commitments = bool(missing) and Commitment.objects.filter(plan=plan).exists()
    for kind in missing:
        own[kind] = default_layout(committee=plan.committee, kind=kind, has_commitments=has_commitments)
    return own


def layout_for(*, plan: Plan, kind: str) -> ReportLayout:
    """The layout of the plan's report of ``kind``: the committee's own, else the default. One or two queries."""
    layout = ReportLayout.objects.filter(committee_id=plan.committee_id, kind=kind).first()
    if layout is not None:
        return layout
    has_commitments = kind == ReportKind.FOLLOW_UP and Commitment.objects.filter(plan=plan).exists()
    return default_layout(committee=plan.committee, kind=kind, has_commitments=has_commitments)


def name(layout: ReportLayout) -> str:
    """The report's name on pages that show its period anyway: its title without the period and the year."""
    template = layout.title.strip() or standard_title(layout)
    return " ".join(_PLACEHOLDER.sub("", template).split()) or ReportKind(layout.kind).label


_PLACEHOLDER = re.compile(r"\s*\{(?:period|year)\}")


def report_names(*, plan: Plan) -> dict[str, str]:
    """Each kind's name in the plan's reports (``name``), for the pages that list them. Two queries."""
    return {kind: name(layout) for kind, layout in report_layouts(plan=plan).items()}


def with_report_names(editions: QuerySet) -> QuerySet:
    """
    Adopted editions annotated with what names them (their committee's layout of their kind,
    or whether their plan has commitments for the standard one), read in the same query; see
    ``name_editions``.
    """
    own = ReportLayout.objects.filter(committee=OuterRef("period__plan__committee"), kind=OuterRef("kind"))
    return editions.annotate(
        layout_title=Subquery(own.values("title")[:1]),
        layout_chapters=Subquery(own.values("chapters")[:1]),
        layout_show_commitments=Subquery(own.values("show_commitments")[:1]),
        layout_indicators=Subquery(own.values("indicators")[:1]),
        plan_has_commitments=Exists(Commitment.objects.filter(plan=OuterRef("period__plan"))),
    )


def name_editions(editions: list) -> list:
    """Set each edition's ``report_name`` from what ``with_report_names`` read with it (no query)."""
    for edition in editions:
        if edition.layout_chapters is not None:
            layout = ReportLayout(
                kind=edition.kind, title=edition.layout_title, chapters=edition.layout_chapters,
                show_commitments=edition.layout_show_commitments, indicators=edition.layout_indicators,
            )  # fmt: skip
        else:
            layout = default_layout(committee=None, kind=edition.kind, has_commitments=edition.plan_has_commitments)
        edition.report_name = name(layout)
    return editions
