"""
Tabular files the app imports: sheets read from an XLSX workbook or from CSV files into
datasets, and the errors reported on their rows.

Shared by every file the app reads (the plan file, the finance file); each of those knows
its own sheets and columns. Anything that makes a file unreadable as a whole raises
``TabularFileError`` with a message for the user.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

import tablib
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .text import clean_text

#: More rows than any sheet has; a guard against a small file that unpacks to a huge sheet.
MAX_ROWS = 10_000


class TabularFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class RowError:
    """
    A problem in a file the app imports (the plan file, the finance file): sheet,
    spreadsheet row number (header = 1; None for the sheet as a whole), column, message.
    """

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("sheet “%(sheet)s”") % {"sheet": self.sheet}
        if self.row:
            where += _(", row %(row)s") % {"row": self.row}
        if self.column:
            where += _(", column “%(column)s”") % {"column": self.column}
        return f"{where}: {self.message}"


def _cell(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return clean_text(uninert_cell(value)).strip()
    return value


def _dataset(rows: Iterable[Iterable[object]], sheet: str) -> tablib.Dataset:
    table = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise TabularFileError(
                _("The sheet “%(sheet)s” has more than %(max)s rows.") % {"sheet": sheet, "max": MAX_ROWS}
            )
        table.append([_cell(v) for v in row])
    while table and all(v in (None, "") for v in table[-1]):
        table.pop()
    if not table:
        raise TabularFileError(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet})
    headers = ["" if h is None else str(h).strip().lower() for h in table[0]]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    data = tablib.Dataset(headers=headers)
    for row in table[1:]:
        data.append((row + [None] * width)[:width])
    return data


def workbook_datasets(content: bytes, sheets: dict[str, str]) -> tuple[dict[str, tablib.Dataset], list[str]]:
    """
    Read the sheets of an XLSX workbook named in ``sheets`` (key → title, matched without
    regard to case): a dataset per key, and the titles of the workbook's other sheets. Raises
    ``TabularFileError`` (a message for the user) when the file is not a readable workbook.
    """
    if not content:
        raise TabularFileError(_("The file is empty."))
    keys = {title.casefold(): key for key, title in sheets.items()}
    datasets, unknown = {}, []
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            for ws in workbook.worksheets:
                key = keys.get(ws.title.strip().casefold())
                if key is None:
                    unknown.append(ws.title)
                else:
                    datasets[key] = _dataset(ws.iter_rows(values_only=True), sheets[key])
        finally:
            workbook.close()
    except TabularFileError:
        raise
    except Exception:
        # Whatever openpyxl fails on (not a zip, broken XML, missing parts), the user's
        # answer is the same: this is not a workbook we can read.
        raise TabularFileError(_("The file is not an Excel workbook (XLSX).")) from None
    return datasets, unknown


def csv_dataset(content: bytes, *, name: str, sheet: str) -> tablib.Dataset:
    """
    Read one sheet from a CSV file ``name``: UTF-8 (with or without BOM) or Windows-1252,
    separated by commas, semicolons or tabs. Raises ``TabularFileError`` when it cannot.
    """
    if not content.strip():
        raise TabularFileError(_("The file is empty."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Swedish Windows saves "CSV (semikolonavgränsad)" as Windows-1252.
        text = content.decode("cp1252", errors="replace")
    # Excel writes ";" where the decimal separator is a comma, as in Swedish settings.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    try:
        return _dataset(csv.reader(io.StringIO(text), delimiter=delimiter), sheet)
    except csv.Error:
        raise TabularFileError(_("“%(name)s” is not a readable CSV file.") % {"name": name}) from None


def csv_bytes(data: tablib.Dataset) -> bytes:
    """
    Return a sheet as CSV that Excel opens with å, ä and ö intact (UTF-8 with a BOM), every
    text cell inert (``inert_cell``); reading it back (``csv_dataset``) gives the same texts.
    """
    inert = tablib.Dataset(headers=data.headers, title=data.title)
    for row in data:
        inert.append([inert_cell(v) if isinstance(v, str) else v for v in row])
    return inert.export("csv").encode("utf-8-sig")


def xlsx_bytes(book: tablib.Databook) -> bytes:
    """
    Return a workbook as XLSX in which no cell is a formula: a text that a spreadsheet would
    read as one ("=HYPERLINK(…)", "+…", "@…") is written as a string cell with Excel's quote
    prefix, shown as typed and never run; reading it back gives the same text.
    """
    workbook = load_workbook(io.BytesIO(book.export("xlsx")))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula
                    cell.data_type = "s"
                    cell.quotePrefix = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


#: A cell a spreadsheet would read as a formula starts with one of these (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def inert_cell(value: str) -> str:
    """A cell that a spreadsheet shows as text: one that would start a formula gets a leading apostrophe."""
    if value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def uninert_cell(value: str) -> str:
    """The text ``inert_cell`` made inert, as it was: a leading apostrophe before a formula's start is dropped."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START) and not _NUMBER.match(value[1:]):
        return value[1:]
    return value
