"""
Small charts drawn on the server as SVG: no chart script, so that they pass the strict CSP
(presentation attributes, no inline style) and read the same without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from commitments.selectors import STATE_NAMES

from .pages import shown

if TYPE_CHECKING:
    from indicators.selectors import TrendPoint

#: Room below and left for the points' labels, slanted: "januari–augusti 2019" fits at either end.
WIDTH, HEIGHT = 420, 220
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 24, 76
#: Dark enough against white for a graphic (WCAG 1.4.11: 3:1); the target is dashed too, not only red.
OUTCOME_COLOUR, TARGET_COLOUR, AXIS_COLOUR = "#0b4f8a", "#9a2d00", "#4a4a4a"


def _figure(value: Decimal) -> str:
    return number_format(shown(value), use_l10n=True, force_grouping=True)


def _describe(points: list[TrendPoint], unit: str) -> str:
    """The chart in words: each outcome and each year's target, in order (its text alternative)."""
    suffix = f"\u00a0{unit}" if unit else ""
    parts = []
    for point in points:
        if point.value is not None:
            parts.append(
                _("%(label)s: outcome %(value)s") % {"label": point.label, "value": _figure(point.value) + suffix}
            )
    targets = {}
    for point in points:
        if point.target is not None:
            targets.setdefault(point.year, point.target)
    parts += [
        _("target %(year)s: %(value)s") % {"year": year, "value": _figure(value) + suffix}
        for year, value in targets.items()
    ]
    return "; ".join(parts) + "."


def trend_svg(points: list[TrendPoint], *, title: str, unit: str = "", chart_id: str = "trend") -> SafeString:
    """
    Return an SVG line chart of ``points``: the outcomes as a line with dots (the current
    period's dot hollow), the targets as a dashed line, a labelled y scale from 0, and a
    label under each point. Return "" when fewer than two points have an outcome: a trend
    needs two, and the table beside it holds the rest.
    """
    with_value = [p for p in points if p.value is not None]
    if len(with_value) < 2:
        return mark_safe("")
    top_value = max([p.value for p in with_value] + [p.target for p in points if p.target is not None])
    top_value = top_value * Decimal("1.1") if top_value > 0 else Decimal(1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + (i * step if len(points) > 1 else plot_w / 2), 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h - float(value / top_value) * plot_h, 1)

    def line(attr: str, colour: str, dash: str) -> SafeString:
        coords = [(x(i), y(getattr(p, attr))) for i, p in enumerate(points) if getattr(p, attr) is not None]
        if not coords:
            return mark_safe("")
        if len(coords) == 1:  # one target (often the plan year's alone): a short dashed mark, as the legend shows it
            (a, b), half = coords[0], 10
            return format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2"{}/>',
                round(a - half, 1), round(a + half, 1), b, b, colour,
                format_html(' stroke-dasharray="{}"', dash) if dash else "",
            )  # fmt: skip
        return format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
            " ".join(f"{a},{b}" for a, b in coords),
            colour,
            format_html(' stroke-dasharray="{}"', dash) if dash else "",
        )

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c4c4c4" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, y(v), y(v), LEFT - 4, y(v) + 4, AXIS_COLOUR, _figure(v))
            for v in (Decimal(0), (top_value / 2).quantize(Decimal("0.1")), top_value.quantize(Decimal("0.1")))
        ),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="{}" stroke="{}" stroke-width="2"/>',
        (
            (x(i), y(p.value), "#fff" if p.current else OUTCOME_COLOUR, OUTCOME_COLOUR)
            for i, p in enumerate(points)
            if p.value is not None
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="10" fill="{}" transform="rotate(-35 {} {})">{}</text>',
        ((x(i), HEIGHT - BOTTOM + 14, AXIS_COLOUR, x(i), HEIGHT - BOTTOM + 14, p.label) for i, p in enumerate(points)),
    )
    legend = format_html(
        '<line x1="{}" x2="{}" y1="9" y2="9" stroke="{}" stroke-width="2"/>'
        '<text x="{}" y="13" font-size="11" fill="{}">{}</text>'
        '<line x1="{}" x2="{}" y1="9" y2="9" stroke="{}" stroke-width="2" stroke-dasharray="5 3"/>'
        '<text x="{}" y="13" font-size="11" fill="{}">{}</text>',
        LEFT, LEFT + 18, OUTCOME_COLOUR, LEFT + 22, AXIS_COLOUR, _("Outcome"),
        LEFT + 100, LEFT + 118, TARGET_COLOUR, LEFT + 122, AXIS_COLOUR, _("Target"),
    )  # fmt: skip
    return format_html(
        '<svg class="trend" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        "{}{}{}{}{}{}</svg>",
        WIDTH, HEIGHT, chart_id, chart_id, chart_id, title, chart_id, _describe(points, unit),
        grid, legend, line("target", TARGET_COLOUR, "5 3"), line("value", OUTCOME_COLOUR, ""), dots, labels,
    )  # fmt: skip


@dataclass(frozen=True)
class Segment:
    """A part of a bar: what it counts (its name in the legend and the text alternative), how many, its fill."""

    name: str
    count: int
    colour: str


@dataclass(frozen=True)
class Bar:
    """A labelled bar of one or more segments, laid end to end."""

    label: str
    segments: tuple[Segment, ...]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.segments)


def describe_bars(bars: list[Bar]) -> str:
    """The bar chart in words (its text alternative): each bar's label, then each segment's name and count."""
    return "; ".join(bar.label + ": " + ", ".join(f"{s.name} {s.count}" for s in bar.segments) for bar in bars) + "."


BAR_WIDTH, BAR_LABEL, BAR_ROW, BAR_HEIGHT = 420, 150, 26, 18


def bars_svg(bars: list[Bar], *, title: str, chart_id: str) -> SafeString:
    """
    Return an SVG chart of horizontal bars, one per ``bars`` under its label, each the segments
    end to end (separated by a white line, so that neighbours show apart without their colour),
    scaled to the longest bar, with its total at its end; a legend of the segments above when
    the bars have more than one. Return "" when there is no bar.
    """
    if not bars:
        return mark_safe("")
    names = list(dict.fromkeys((s.name, s.colour) for bar in bars for s in bar.segments))
    # A legend for bars of several segments; a bar of one is named by its own label.
    legend_rows = (len(names) + 2) // 3 if any(len(bar.segments) > 1 for bar in bars) else 0
    legend_h = 18 * legend_rows + (6 if legend_rows else 0)
    longest = max(bar.total for bar in bars) or 1
    plot_w = BAR_WIDTH - BAR_LABEL - 40
    height = legend_h + BAR_ROW * len(bars) + 4

    rects, texts = [], []
    for i, bar in enumerate(bars):
        y = legend_h + i * BAR_ROW + 4
        texts.append((BAR_LABEL - 6, y + 13, "end", bar.label[:24] + ("…" if len(bar.label) > 24 else "")))
        x = float(BAR_LABEL)
        for segment in bar.segments:
            if segment.count:
                w = round(segment.count / longest * plot_w, 1)
                rects.append((round(x, 1), y, w, BAR_HEIGHT, segment.colour))
                x += w
        texts.append((round(x + 4, 1), y + 13, "start", str(bar.total)))
    legend = format_html_join(
        "",
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
        (
            (x, y, colour, x + 14, y + 9, AXIS_COLOUR, name)
            for i, (name, colour) in enumerate(names if legend_rows else [])
            for x, y in [(BAR_LABEL - 140 + (i % 3) * 140 + 10, 4 + (i // 3) * 18)]
        ),
    )
    return format_html(
        '<svg class="bars" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        "{}{}{}</svg>",
        BAR_WIDTH, height, chart_id, chart_id, chart_id, title, chart_id, describe_bars(bars), legend,
        format_html_join(
            "", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff" stroke-width="1"/>', rects
        ),
        format_html_join(
            "", '<text x="{}" y="{}" text-anchor="{}" font-size="11" fill="' + AXIS_COLOUR + '">{}</text>', texts
        ),
    )  # fmt: skip


#: The colours of the review states in the overview's bars (each at least 3:1 against white).
STATE_COLOURS = {
    "not_started": "#6b6b6b",
    "draft": "#8a6d00",
    "submitted": "#0b4f8a",
    "returned": "#9a2d00",
    "approved": "#2e7d32",
}


def status_bars(lines, label, states) -> list[Bar]:
    """A bar per line (its ``label``), a segment per state of ``states`` with the line's count of it."""
    return [
        Bar(label(line), tuple(Segment(STATE_NAMES[s], line.counts[s], STATE_COLOURS[s]) for s in states))
        for line in lines
    ]


def assessment_bars(assessments) -> list[Bar]:
    """A bar per value of the scale (its symbol and label), in the value's colour."""
    return [
        Bar(
            f"{a.value.symbol} {a.value.label}".strip(),
            (Segment(a.value.label, a.count, a.value.colour or STATE_COLOURS["submitted"]),),
        )
        for a in assessments
    ]
