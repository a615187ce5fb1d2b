"""
The plain document model: what a committee document says, with no Django objects inside.

The assembly (``reports.assembly``) fills it in a fixed number of queries; one renderer
per format (HTML, DOCX, PDF) only reads it. Every kind of document (the follow-up of
commitments, the årsanalys, the plan proposal) is a ``Document`` of ordered ``Section``s
holding blocks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass


@dataclass(frozen=True)
class RichText:
    """Sanitised HTML from an entry or an edited section (paragraphs, lists, italics, tables)."""

    html: str


@dataclass(frozen=True)
class Table:
    """
    A plain table: a caption, one header row, body rows of text cells. ``numeric`` names,
    per column, the ones that hold figures (set right-aligned, as figures are in print);
    empty for none.
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Assessment:
    symbol: str
    label: str


@dataclass(frozen=True)
class CommitmentRow:
    code: str
    text: str
    department: str
    assessment: Assessment | None
    comment: RichText


@dataclass(frozen=True)
class CommitmentTable:
    """The "Åtagande | Kommentar" table of a goal chapter."""

    rows: tuple[CommitmentRow, ...]


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    department: str
    outcome: str  # as printed: "18 %", "" when there is none
    comment: RichText
    breakdown: Table | None  # Samtliga / Kvinnor / Män (or Flickor / Pojkar), counts and shares


@dataclass(frozen=True)
class IndicatorTable:
    """The "Åtagandeindikator | Utfall | Kommentar" table of a goal chapter."""

    rows: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class ChartSeries:
    """One line or one colour of bars: a key figure's values, one per category (None: no value)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """
    A chart of key figures over the years with its data table beside it: ``kind`` is "bar"
    (bars grouped by category, one per series) or "line". ``description`` is the text
    alternative, written out from the data; ``table`` holds the same figures (and the
    changes from year to year) for every reader, under the chart's ``title`` (it has no
    caption of its own).
    """

    title: str
    description: str
    kind: str
    unit: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    table: Table


Block = RichText | Table | CommitmentTable | IndicatorTable | Chart


@dataclass
class Section:
    """A heading with its blocks and subsections; ``number`` is None for unnumbered sections."""

    heading: str
    number: str | None = None
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass
class Document:
    kind: str
    title: str
    organisation: str
    committee: str
    period: str
    language: str = "sv"
    draft: bool = False
    sections: list[Section] = field(default_factory=list)


def to_data(value):
    """
    Return ``value`` (a document or any part of it) as JSON-ready data: each dataclass a dict
    with its ``type``, so that stored builds can be compared block by block.
    """
    if is_dataclass(value):
        return {"type": type(value).__name__, **{f.name: to_data(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    return value


def content_hash(data) -> str:
    """A fingerprint of a document's data: equal content, equal hash."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
