"""
The plan file: which sheets it has, and reading it from XLSX or CSV into datasets (with the
readers of ``common.tabular``).

One workbook holds the whole plan of a committee and year, a sheet per entity; the same
sheets can travel as one CSV file each, named after the sheet's key (``mal.csv``).
Anything that cannot be read raises ``PlanFileError`` with a message for the user.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.utils.translation import gettext as _

from commitments.resources import CommitmentResource, GoalAreaResource, GoalResource, PlanResource
from common.tabular import TabularFileError, csv_dataset, read_file, workbook_datasets

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
SHEETS_BY_KEY = {s.key: s for s in SHEETS}


class PlanFileError(TabularFileError):
    """The file as a whole cannot be read; the message is for the user."""


def read_xlsx(content: bytes) -> dict[str, tablib.Dataset]:
    """Read a plan workbook into a dataset per sheet, keyed by sheet key."""
    try:
        datasets, unknown = workbook_datasets(content, {s.key: s.title for s in SHEETS})
    except TabularFileError as e:
        raise PlanFileError(str(e)) from None
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
    try:
        return {sheet.key: csv_dataset(content, name=name, sheet=sheet.title)}
    except TabularFileError as e:
        raise PlanFileError(str(e)) from None


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
    """
    Return (name, content) of each file; a directory stands for the CSV files in it. A file
    over the size limit is refused before it is read.
    """
    files = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [(p.name, _read(p)) for p in sorted(path.glob("*.csv"))]
        elif path.is_file():
            files.append((path.name, _read(path)))
        else:
            raise PlanFileError(_("The file does not exist: %(path)s") % {"path": raw})
    return files


def _read(path: Path) -> bytes:
    try:
        return read_file(path)
    except TabularFileError as e:
        raise PlanFileError(f"{path.name}: {e}") from None
