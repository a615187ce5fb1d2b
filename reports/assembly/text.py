"""
The texts departments write, as a document prints them: counts in words, subheadings,
figures filled in, tables where the writer placed them.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.translation import gettext_lazy

from reports import formatting
from reports.document import Block, RichText

NUMBER_WORDS = ("inga", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")
#: A text's own subheadings (h3, h4 in the editor) go below the heading of its section.
_TEXT_HEADING = re.compile(r"<(/?)h([3-6])>")
#: ``{name}`` in a text: a figure computed from the data (see ``DocumentBuilder._facts``).
_FACT = re.compile(r"\{([a-zåäö_]+)\}")
#: A paragraph holding only ``{tabell}`` or ``{tabell:KOD}``: where a table stands in a text.
_TABLE_MARK = re.compile(r"<p>\s*\{tabell(?::\s*([^}<>\s]+))?\s*\}\s*</p>", re.IGNORECASE)

#: The figures a text may name, with what each counts (shown to writers and admins).
FACTS = {
    "mål_totalt": gettext_lazy("the city council's goals in the plan"),
    "mål_bidrag": gettext_lazy("the city council's goals the committee contributes to"),
    "uppnått": gettext_lazy("contributions assessed as achieved for the year"),
    "delvis_uppnått": gettext_lazy("contributions assessed as partly achieved for the year"),
    "ej_uppnått": gettext_lazy("contributions assessed as not achieved for the year"),
}


def count_in_words(n: int) -> str:
    """A count as Swedish prose writes it: in words up to twelve ("tio mål"), in figures above ("14 mål")."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else formatting.number(n)


def shift_headings(html: str, level: int) -> str:
    """
    Move a text's subheadings below its section's heading: the section at ``level`` (1 for
    a chapter) is an h(level + 1), so the text's h3 becomes h(level + 2), capped at h6.
    """
    return _TEXT_HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) - 1 + level)}>", html)


def fill_in_facts(html: str, facts: dict[str, str]) -> str:
    """Replace each ``{name}`` of a known figure with its value; other braces stay as written."""
    if not facts:
        return html
    return _FACT.sub(lambda m: escape(facts[m[1]]) if m[1] in facts else m[0], html)


def place_tables(html: str, tables: dict[str, list[Block]]) -> list[Block]:
    """
    The text as blocks with its tables where the writer placed them: a paragraph that holds
    only ``{tabell}`` stands for the text's own table (``tables[""]``), ``{tabell:KOD}`` for
    the table of that code. A table placed nowhere follows the text; a mark that names no
    table stays as written, so that the writer sees it. Each table is placed once.
    """
    blocks: list[Block] = []
    placed: set[str] = set()
    start = 0
    for mark in _TABLE_MARK.finditer(html):
        key = (mark[1] or "").upper()
        found = next((k for k in tables if k.upper() == key), None)
        if found is None or found in placed or not _at_top_level(html, mark.start()):
            continue
        blocks.append(RichText(html[start : mark.start()].strip()))
        blocks += tables[found]
        placed.add(found)
        start = mark.end()
    blocks.append(RichText(html[start:].strip() if placed else html))
    for key, table_blocks in tables.items():
        if key not in placed:
            blocks += table_blocks
    return [block for block in blocks if not isinstance(block, RichText) or block.html.strip()]


#: Elements a table cannot stand inside: a mark in one of them stays as written.
_CONTAINERS = ("li", "ul", "ol", "blockquote", "table")


def _at_top_level(html: str, at: int) -> bool:
    """Whether position ``at`` of sanitised HTML is outside every list, quotation and table."""
    before = html[:at].lower()
    return all(before.count(f"<{tag}") <= before.count(f"</{tag}>") for tag in _CONTAINERS)


def table_marks(html: str) -> set[str]:
    """The codes that a text's ``{tabell:KOD}`` marks name, in upper case; "" for a ``{tabell}``."""
    return {(mark[1] or "").upper() for mark in _TABLE_MARK.finditer(html) if _at_top_level(html, mark.start())}
