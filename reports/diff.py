"""
What changed between two builds of a report: which entries and figures, read from the
content each build stored (the document model as data, see ``document.to_data``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from commitments.history import text_diff


@dataclass
class Change:
    """One entry, figure or text of the report that was added, removed or changed."""

    what: str
    section: str
    kind: str  # "added", "removed" or "changed"
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)
    text: SafeString | None = None  # the word diff of a changed comment


def build_changes(old: dict | None, new: dict) -> list[Change]:
    """Return what differs between the content of two builds, in the order of the newer one."""
    before = _items(old) if old else {}
    after = _items(new)
    changes = []
    for key, (what, section, values) in after.items():
        if key not in before:
            changes.append(Change(what, section, "added"))
            continue
        old_values = before[key][2]
        change = Change(what, section, "changed")
        for name, value in values.items():
            previous = old_values.get(name, "")
            if value == previous:
                continue
            if name == "text":
                change.text = text_diff(previous, value)
            else:
                change.details.append((name, previous, value))
        if change.details or change.text is not None:
            changes.append(change)
    changes.extend(Change(what, section, "removed") for key, (what, section, _v) in before.items() if key not in after)
    return changes


def _items(data: dict) -> dict[tuple, tuple[str, str, dict[str, str]]]:
    """Flatten a document's data to {key: (what, section, {field: value})} in document order."""
    items = {}
    for section in _sections(data["sections"]):
        title = f"{section['number']} {section['heading']}" if section["number"] else section["heading"]
        for index, block in enumerate(section["blocks"]):
            kind = block["type"]
            if kind == "RichText":
                items[("text", title, index)] = (_("Text"), title, {"text": block["html"]})
            elif kind == "Table":
                items[("table", title, block["caption"])] = (
                    block["caption"] or _("Table"), title, {_("Table"): _table_text(block)}
                )  # fmt: skip
            elif kind == "Chart":  # its figures are those of its data table
                items[("table", title, block["title"])] = (
                    block["title"] or _("Table"), title, {_("Table"): _table_text(block["table"])}
                )  # fmt: skip
            elif kind == "CommitmentTable":
                for row in block["rows"]:
                    mark = row["assessment"]
                    items[("commitment", row["code"], row["department"])] = (
                        _("Commitment %(text)s (%(department)s)")
                        % {"text": Truncator(row["text"]).words(12), "department": row["department"]},
                        title,
                        {
                            _("Assessment"): f"{mark['symbol']} {mark['label']}".strip() if mark else "",
                            "text": row["comment"]["html"],
                        },
                    )
            elif kind == "IndicatorTable":
                for row in block["rows"]:
                    comment = row["comment"]
                    if isinstance(comment, dict):  # stored before the comment held its table
                        comment = [comment, *([row["breakdown"]] if row.get("breakdown") else [])]
                    text = "".join(part["html"] for part in comment if part["type"] == "RichText")
                    values = {_("Outcome"): row["outcome"], "text": text}
                    tables = [_table_text(part) for part in comment if part["type"] == "Table"]
                    if tables:
                        values[_("Breakdown")] = " · ".join(tables)
                    items[("indicator", row["code"], row["department"])] = (
                        _("Indicator %(name)s (%(department)s)") % row, title, values
                    )  # fmt: skip
    return items


def _sections(sections: list[dict]):
    for section in sections:
        yield section
        yield from _sections(section["subsections"])


def _table_text(table: dict) -> str:
    return " · ".join(" ".join(cell for cell in row if cell) for row in table["rows"])
