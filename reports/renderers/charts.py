"""
Charts of the document model as images: SVG for the HTML page (and so the PDF, where it stays
vector graphics), PNG for Word.

Drawn with matplotlib's object API (a ``Figure`` of its own, no pyplot state) and its Agg
and SVG renderers. Readable without colour: each series has its own hatch (bars) or marker
and line style (lines), the legend shows them, and each bar carries its value. Numbers are
printed the Swedish way, as in the tables. The same chart gives the same bytes: no dates in
the files, fixed ids in the SVG, matplotlib's own DejaVu Sans and text drawn as outlines, so
the machine's fonts do not matter.
"""

from __future__ import annotations

import io
import math
from decimal import Decimal

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from reports import formatting
from reports.document import Chart

#: Colours that stay apart for the common kinds of colour blindness (Okabe and Ito), darkened
#: where white text or hatching must show on them.
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")
HATCHES = ("", "///", "...", "xx", "\\\\\\", "++")
MARKERS = ("o", "s", "^", "D", "v", "P")
LINE_STYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)))
RC = {
    "svg.hashsalt": "asn-key-figures",  # ids in the SVG from the content, not at random
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "hatch.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
SIZE = (6.4, 3.6)  # inches: about 16 × 9 cm, the width of the text on an A4 page


def chart_svg(chart: Chart) -> str:
    """Return ``chart`` as an SVG document."""
    with matplotlib.rc_context(RC):
        out = io.StringIO()
        _figure(chart).savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def chart_png(chart: Chart, *, dpi: int = 200) -> bytes:
    """Return ``chart`` as a PNG image (for Word)."""
    with matplotlib.rc_context(RC):
        out = io.BytesIO()
        _figure(chart).savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def _number(value: float | None, unit: str = "") -> str:
    """A value as the tables print it ("11 201", "36,1 %"), from a float."""
    if value is None or math.isnan(value):
        return ""
    return formatting.with_unit(Decimal(f"{value:.10g}"), unit)


def _figure(chart: Chart) -> Figure:
    figure = Figure(figsize=SIZE, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(chart.categories)))
    count = max(len(chart.series), 1)
    for i, series in enumerate(chart.series):
        heights = [math.nan if v is None else v for v in series.values]
        colour = COLOURS[i % len(COLOURS)]
        if chart.kind == "line":
            axes.plot(
                positions, heights, label=series.name, color=colour, marker=MARKERS[i % len(MARKERS)],
                linestyle=LINE_STYLES[i % len(LINE_STYLES)], linewidth=1.8,
            )  # fmt: skip
        else:
            width = 0.8 / count
            offsets = [p + (i - (count - 1) / 2) * width for p in positions]
            bars = axes.bar(
                offsets, heights, width, label=series.name, color=colour, hatch=HATCHES[i % len(HATCHES)],
                edgecolor="#1a1a1a", linewidth=0.6,
            )  # fmt: skip
            axes.bar_label(bars, labels=[_number(v) for v in series.values], padding=2, fontsize=7.5)
    axes.set_xticks(positions, chart.categories)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _number(value)))
    axes.grid(axis="y", color="#d0d0d0", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.margins(y=0.12)  # room for the values over the bars (which keep starting at zero)
    if chart.unit:
        axes.set_ylabel(chart.unit)
    if chart.series:
        figure.legend(loc="outside lower center", ncols=1, frameon=False)
    return figure
