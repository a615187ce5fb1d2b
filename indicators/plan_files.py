"""
The plan file: which sheets it has, and reading it from XLSX or CSV into datasets.

One workbook holds the whole plan of a committee and year, a sheet per entity; the same
sheets can travel as one CSV file each, named after the sheet's key (``mal.csv``).
Anything that cannot be read raises ``PlanFileError`` with a message for the user.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from commitments.resources import CommitmentResource, GoalAreaResource, GoalResource, PlanResource

from .resources import IndicatorResource, PriorOutcomeResource, TargetResource

#: More rows than any plan has; a guard against a small file that unpacks to a huge sheet.
MAX_ROWS = 10_000
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
SHEETS_BY_KEY = {s.key: s for s in SHEETS}


class PlanFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def _cell(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value).strip()
    return value


def _dataset(rows: Iterable[Iterable[object]], sheet: str) -> tablib.Dataset:
    table = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise PlanFileError(
                _("The sheet “%(sheet)s” has more than %(max)s rows.") % {"sheet": sheet, "max": MAX_ROWS}
            )
        table.append([_cell(v) for v in row])
    while table and all(v in (None, "") for v in table[-1]):
        table.pop()
    if not table:
        raise PlanFileError(_("The sheet “%(sheet)s” is empty.") % {"sheet": sheet})
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
    ``PlanFileError`` (a message for the user) when the file is not a readable workbook.
    Shared by every file the app reads from workbooks (the plan file, the finance file).
    """
    if not content:
        raise PlanFileError(_("The file is empty."))
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
    except PlanFileError:
        raise
    except Exception:
        # Whatever openpyxl fails on (not a zip, broken XML, missing parts), the user's
        # answer is the same: this is not a workbook we can read.
        raise PlanFileError(_("The file is not an Excel workbook (XLSX).")) from None
    return datasets, unknown


def csv_dataset(content: bytes, *, name: str, sheet: str) -> tablib.Dataset:
    """
    Read one sheet from a CSV file ``name``: UTF-8 (with or without BOM) or Windows-1252,
    separated by commas, semicolons or tabs. Raises ``PlanFileError`` when it cannot.
    """
    if not content.strip():
        raise PlanFileError(_("The file is empty."))
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
        raise PlanFileError(_("“%(name)s” is not a readable CSV file.") % {"name": name}) from None


def read_xlsx(content: bytes) -> dict[str, tablib.Dataset]:
    """Read a plan workbook into a dataset per sheet, keyed by sheet key."""
    datasets, unknown = workbook_datasets(content, {s.key: s.title for s in SHEETS})
    names = ", ".join(s.title for s in SHEETS)
    if unknown:
        raise PlanFileError(
            _("Unknown sheet(s): %(unknown)s. The plan's sheets are named %(sheets)s.")
            % {"unknown": ", ".join(f"“{u}”" for u in unknown), "sheets": names}
        )
    if not datasets:
        raise PlanFileError(_("The workbook has none of the plan's sheets (%(sheets)s).") % {"sheets": names})
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
    return {sheet.key: csv_dataset(content, name=name, sheet=sheet.title)}


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


def read_paths(paths: Iterable[str | Path]) -> list[tuple[str, bytes]]:
    """Return (name, content) of each file; a directory stands for the CSV files in it."""
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [(p.name, p.read_bytes()) for p in sorted(path.glob("*.csv"))]
        elif path.is_file():
            files.append((path.name, path.read_bytes()))
        else:
            raise PlanFileError(_("The file does not exist: %(path)s") % {"path": raw})
    return files


def csv_bytes(data: tablib.Dataset) -> bytes:
    """Return a sheet as CSV that Excel opens with å, ä and ö intact (UTF-8 with a BOM)."""
    return data.export("csv").encode("utf-8-sig")
