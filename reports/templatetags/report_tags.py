import base64

from django import template
from django.utils.safestring import mark_safe

from common.richtext import sanitize_rich_text
from reports import formatting
from reports.document import Chart, CommitmentTable, IndicatorTable, RichText, Table

register = template.Library()


@register.filter
def block_kind(block) -> str:
    """Name a block's kind for the template: rich, table, commitments, indicators or chart."""
    return {
        RichText: "rich",
        Table: "table",
        CommitmentTable: "commitments",
        IndicatorTable: "indicators",
        Chart: "chart",
    }[type(block)]


@register.filter
def chart_data_uri(chart: Chart) -> str:
    """The chart as an SVG image in a data: address (the pages' CSP allows data: images, and no script)."""
    from reports.renderers.charts import chart_svg  # imported on use: matplotlib is slow to load

    return "data:image/svg+xml;base64," + base64.b64encode(chart_svg(chart).encode("utf-8")).decode("ascii")


@register.filter
def index_of(values, index: int):
    """``values[index]``, or None beyond its end (a table's ``numeric`` may be empty)."""
    return values[index] if 0 <= index < len(values) else None


@register.filter
def safe_rich(text: RichText) -> str:
    """Render a rich-text block: sanitised once more on the way out."""
    return mark_safe(sanitize_rich_text(text.html))  # noqa: S308 (the allowlist sanitiser's output)


@register.filter
def safe_rich_html(html: str) -> str:
    """Render the rich text of a table cell (a comment): sanitised once more on the way out."""
    return mark_safe(sanitize_rich_text(html))  # noqa: S308 (the allowlist sanitiser's output)


@register.simple_tag
def outline(sections, prefix="section", level=2) -> list[dict]:
    """
    The sections as a tree for the templates: each node has its ``section``, an ``id`` to link
    to (section-1, section-1-2, …), its heading ``level`` (h2 for chapters) and ``children``.
    """
    return [
        {
            "section": section,
            "id": f"{prefix}-{n}",
            "level": min(level, 6),
            "children": outline(section.subsections, f"{prefix}-{n}", level + 1),
        }
        for n, section in enumerate(sections, start=1)
    ]


@register.filter
def keep_figures(text: str) -> str:
    """
    A table cell's text with the spaces inside a figure made no-break ("29 000 (-3 %)" is never
    broken across lines, whatever its column), so that a value stays whole in any table.
    """
    return formatting.unbreakable(str(text))
