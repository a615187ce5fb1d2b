"""
The plan file: which sheets it has, and reading it from XLSX or CSV into datasets.

One workbook holds the whole plan of a committee and year, a sheet per entity; the same
sheets can travel as one CSV file each, named after the sheet's key (``mal.csv``).
"""

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from commitments.resources import CommitmentResource, GoalAreaResource, GoalResource, PlanResource

from .resources import IndicatorResource, PriorOutcomeResource, TargetResource


@dataclass(frozen=True)
class Sheet:
    key: str  # file name of the sheet as CSV, without .csv
    resource_class: type[PlanResource]

    @property
    def title(self) -> str:
        return self.resource_class.sheet_name


#: The sheets in import order: every sheet refers only to sheets before it.
SHEETS: tuple[Sheet, ...] = (
    Sheet("malomraden", GoalAreaResource),
    Sheet("mal", GoalResource),
    Sheet("ataganden", CommitmentResource),
    Sheet("indikatorer", IndicatorResource),
    Sheet("malvarden", TargetResource),
    Sheet("utfall", PriorOutcomeResource),
)
SHEETS_BY_TITLE = {s.title.casefold(): s for s in SHEETS}
SHEETS_BY_KEY = {s.key: s for s in SHEETS}


class PlanFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def _cell(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _dataset(rows: Iterable[Iterable[object]], sheet: str) -> tablib.Dataset:
    rows = [list(map(_cell, r)) for r in rows]
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    if not rows:
        raise PlanFileError(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet})
    headers = ["" if h is None else str(h).strip().lower() for h in rows[0]]
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    data = tablib.Dataset(headers=headers)
    for r in rows[1:]:
        r = (r + [None] * width)[:width]
        data.append(r)
    return data


def read_xlsx(content: bytes) -> dict[str, tablib.Dataset]:
    """Read a plan workbook into a dataset per known sheet, keyed by sheet key."""
    if not content:
        raise PlanFileError(_("The file is empty."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise PlanFileError(_("The file is not an Excel workbook (XLSX).")) from None
    datasets = {}
    try:
        for ws in workbook.worksheets:
            sheet = SHEETS_BY_TITLE.get(ws.title.strip().casefold())
            if sheet is not None:
                datasets[sheet.key] = _dataset(ws.iter_rows(values_only=True), sheet.title)
    finally:
        workbook.close()
    if not datasets:
        raise PlanFileError(
            _("The workbook has none of the plan's sheets (%(sheets)s).")
            % {"sheets": ", ".join(s.title for s in SHEETS)}
        )
    return datasets


def read_csv(content: bytes, name: str) -> dict[str, tablib.Dataset]:
    """Read one sheet from CSV; the file name says which (``…mal.csv``, ``…ataganden.csv``)."""
    stem = Path(name).stem.lower()
    sheet = next((s for s in sorted(SHEETS, key=lambda s: -len(s.key)) if stem.endswith(s.key)), None)
    if sheet is None:
        raise PlanFileError(
            _("Cannot tell which sheet “%(name)s” holds: name it after one of %(keys)s.")
            % {"name": name, "keys": ", ".join(f"{s.key}.csv" for s in SHEETS)}
        )
    if not content.strip():
        raise PlanFileError(_("The file is empty."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanFileError(_("“%(name)s” is not a UTF-8 text file.") % {"name": name}) from None
    # Excel writes ";" where the decimal separator is a comma, as in Swedish settings.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    return {sheet.key: _dataset(csv.reader(io.StringIO(text), delimiter=delimiter), sheet.title)}


def read_plan_files(files: Iterable[tuple[str, bytes]]) -> dict[str, tablib.Dataset]:
    """Read uploaded or local files (name, content): one XLSX, or one or more CSV files."""
    datasets: dict[str, tablib.Dataset] = {}
    for name, content in files:
        found = read_csv(content, name) if name.lower().endswith(".csv") else read_xlsx(content)
        for key in found:
            if key in datasets:
                raise PlanFileError(_("The sheet “%(sheet)s” is given twice.") % {"sheet": SHEETS_BY_KEY[key].title})
        datasets.update(found)
    if not datasets:
        raise PlanFileError(_("No file was given."))
    return datasets
