"""
The standard sections of each kind of report: what a plan's report shows until the committee
admin keeps sections of their own for it (see ``ReportSection`` and ``report_sections_reset``).
"""

from django.utils.translation import gettext as _

from commitments.models import Plan

from .models import ReportKind, ReportSection

Source = ReportSection.Source

#: Per kind: (heading, numbered, source) in order. An empty heading for the goals makes each
#: goal a chapter of its own.
DEFAULT = {
    ReportKind.FOLLOW_UP: [
        (lambda: _("Introduction"), True, Source.INTRODUCTION),
        (lambda: "", True, Source.GOALS),
    ],
    ReportKind.PLAN_PROPOSAL: [
        (lambda: _("Introduction"), False, Source.INTRODUCTION),
        (lambda: "", False, Source.GOALS),
    ],
    ReportKind.ANNUAL_ANALYSIS: [
        (lambda: _("Summary"), False, Source.SUMMARY),
        (lambda: _("Follow-up and assessment of the contributions to the city council's goals"), False, Source.GOALS),
    ],
}


def default_sections(*, plan: Plan, kind: str) -> list[ReportSection]:
    """The standard sections of ``kind`` for ``plan``, not saved, headings in the active language."""
    return [
        ReportSection(plan=plan, kind=kind, sort_order=order, heading=heading(), numbered=numbered, source=source)
        for order, (heading, numbered, source) in enumerate(DEFAULT[kind], start=1)
    ]
