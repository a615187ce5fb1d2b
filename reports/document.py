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
from dataclasses import dataclass, field, fields, is_dataclass, replace

from common.text import clean_rich_text, clean_text

#: The metadata of a field added after documents were stored: ``to_data`` leaves it out
#: while it holds its default, so that a document that does not use it keeps its data (and
#: its hash) as before.
OPTIONAL = {"optional": True}


@dataclass(frozen=True)
class RichText:
    """Sanitised HTML from an entry or an edited section (paragraphs, lists, italics, tables)."""

    html: str


@dataclass(frozen=True)
class Table:
    """
    A plain table: a caption, one header row, body rows of text cells. ``numeric`` names,
    per column, the ones that hold figures (set right-aligned, as figures are in print);
    empty for none. The first cell of each body row names the row (a row header).
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    #: The places (from 0) of the body rows that are sums: printed bold, as the header is.
    totals: tuple[int, ...] = ()
    #: Per column, the ones whose cells hold sanitised rich text (a comment); empty for none.
    rich: tuple[bool, ...] = field(default=(), metadata=OPTIONAL)


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
    """
    The "Åtagande | Kommentar" table of a goal chapter. ``header`` names its two columns
    where the report's layout words them otherwise ("Aktivitet | Kommentar"); empty: the
    standard words.
    """

    rows: tuple[CommitmentRow, ...]
    header: tuple[str, ...] = field(default=(), metadata=OPTIONAL)


@dataclass(frozen=True)
class IndicatorRow:
    """
    One outcome of a commitment indicator. ``comment`` is the department's comment in order:
    its text, and the Samtliga / Kvinnor / Män (or Flickor / Pojkar) table where the
    department placed it (``{tabell}`` in the comment; else after the text).
    """

    code: str
    name: str
    department: str
    outcome: str  # as printed: "18 %", "" when there is none
    comment: tuple[RichText | Table, ...]


@dataclass(frozen=True)
class IndicatorTable:
    """
    The "Åtagandeindikator | Utfall | Kommentar" table of a goal chapter. ``header`` names
    its three columns where the report's layout words them otherwise ("Målindikator | Utfall
    | Kommentar"); empty: the standard words.
    """

    rows: tuple[IndicatorRow, ...]
    header: tuple[str, ...] = field(default=(), metadata=OPTIONAL)


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
    """
    A committee document. ``occasion`` is the line under the title that says what the
    document is for ("Underlag för Dialog – ASN 20190222"); ``decision`` the line of an
    adopted edition ("Beslutad av … 2019-09-25, § 187, dnr ASN-2019-1234"); ``contents``
    whether it has a contents list; ``legend`` the assessment marks the document uses, in
    the order of their scale, explained before the first chapter.
    """

    kind: str
    title: str
    organisation: str
    committee: str
    period: str
    language: str = "sv"
    draft: bool = False
    occasion: str = ""
    decision: str = ""
    contents: bool = True
    legend: tuple[Assessment, ...] = ()
    sections: list[Section] = field(default_factory=list)


def to_data(value):
    """
    Return ``value`` (a document or any part of it) as JSON-ready data: each dataclass a dict
    with its ``type``, so that stored builds can be compared block by block.
    """
    if is_dataclass(value):
        return {
            "type": type(value).__name__,
            **{
                f.name: to_data(getattr(value, f.name))
                for f in fields(value)
                if not (f.metadata.get("optional") and getattr(value, f.name) == f.default)
            },
        }
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    return value


#: The classes ``from_data`` rebuilds, by the ``type`` that ``to_data`` wrote.
_TYPES = {
    cls.__name__: cls
    for cls in (
        Document, Section, RichText, Table, Assessment, CommitmentRow, CommitmentTable, IndicatorRow,
        IndicatorTable, ChartSeries, Chart,
    )
}  # fmt: skip


def from_data(data):
    """
    Rebuild a document (or a part of one) from what ``to_data`` made of it: the inverse, so
    that a stored build can be rendered again (an adopted edition, with its decision line).
    Fields added since the data was stored take their defaults.
    """
    if isinstance(data, dict) and "type" in data:
        cls = _TYPES[data["type"]]
        names = {f.name: f for f in fields(cls)}
        values = {key: from_data(value) for key, value in data.items() if key in names}
        if cls is IndicatorRow and isinstance(values.get("comment"), RichText):
            # Stored before the comment held its table: the text, then the table.
            breakdown = from_data(data.get("breakdown"))
            values["comment"] = (values["comment"], *([breakdown] if breakdown else []))
        for name in ("blocks", "subsections", "sections"):
            if name in values:
                values[name] = list(values[name])
        return cls(**values)
    if isinstance(data, list | tuple):
        return tuple(from_data(item) for item in data)
    return data


def cleaned(value):
    """
    Return ``value`` (a document or any part of it) with every text cleaned as stored texts
    are (``common.text``): a text saved before that rule, or brought in around it, cannot
    carry a character that a format refuses (XML 1.0 in DOCX and the PDF's HTML) into a
    build. A line break from Word stays a break (in rich text a ``<br>``).
    """
    if isinstance(value, RichText):
        return RichText(html=clean_rich_text(value.html))
    if is_dataclass(value):
        return replace(value, **{f.name: cleaned(getattr(value, f.name)) for f in fields(value) if f.init})
    if isinstance(value, list):
        return [cleaned(item) for item in value]
    if isinstance(value, tuple):
        return tuple(cleaned(item) for item in value)
    if isinstance(value, str):
        return clean_text(value)
    return value


def content_hash(data) -> str:
    """A fingerprint of a document's data: equal content, equal hash."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
