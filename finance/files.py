"""
The finance file: its sheets and columns, read from one XLSX workbook or one CSV per sheet.

The layout is documented in ``finance/LAYOUT.md``. Sheets are found by title in a workbook
and by file name (the sheet's key, ``kommunbidrag.csv``) as CSV. Anything that makes the
file unreadable as a whole raises ``FinanceFileError`` with a message for the user.
"""

from dataclasses import dataclass
from pathlib import Path

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from common.tabular import TabularFileError, check_file_size, csv_dataset, read_file, workbook_datasets


class FinanceFileError(TabularFileError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Sheet:
    key: str  # file name of the sheet as CSV, without .csv
    title: str  # the sheet's name in a workbook
    columns: tuple[str, ...]  # required, lower case as the reader gives them
    optional: tuple[str, ...] = ()
    #: Whether the sheet has, besides ``columns``, one column per decision of "Beslut".
    decision_columns: bool = False


#: The sheets in the order they are read: "Kommunbidrag" needs the decisions of "Beslut".
SHEETS: tuple[Sheet, ...] = (
    Sheet("verksamhetsomraden", "Verksamhetsområden",
          ("typ", "verksamhetsområde", "benämning", "kommunbidrag", "budgetavvikelse")),
    Sheet("driftbudget", "Driftbudget", ("rad", "benämning", "utfall", "prognos", "förändring")),
    Sheet("orsaker", "Orsaker", ("typ", "verksamhetsområde", "benämning", "utfall")),
    Sheet("forandringar", "Förändringar", ("typ", "verksamhetsområde", "benämning", "utfall")),
    Sheet("investeringar", "Investeringar", ("typ", "benämning", "utfall", "budget", "avvikelse")),
    Sheet("beslut", "Beslut", ("kod", "organ", "månad", "tillfälle", "diarienummer"), optional=("rubrik",)),
    Sheet("kommunbidrag", "Kommunbidrag", ("typ", "verksamhetsområde", "benämning", "summa"),
          decision_columns=True),
    Sheet("resultatrakning", "Resultaträkning",
          ("kod", "typ", "benämning", "summa_av", "utfall", "budget", "avvikelse")),
    Sheet("bidrag", "Bidrag", ("slag", "typ", "benämning", "bidragsgivare", "utfall")),
)  # fmt: skip
SHEETS_BY_KEY = {s.key: s for s in SHEETS}


@dataclass
class FinanceFile:
    """What was read: a dataset per sheet key, and the names of sheets that are not the file's."""

    datasets: dict[str, tablib.Dataset]
    unknown: list[str]


def read_xlsx(content: bytes) -> FinanceFile:
    """Read a finance workbook into a dataset per sheet."""
    try:
        return FinanceFile(*workbook_datasets(content, {s.key: s.title for s in SHEETS}))
    except TabularFileError as e:
        raise FinanceFileError(str(e)) from None


def _read_csv(content: bytes, sheet: Sheet) -> tablib.Dataset:
    try:
        return csv_dataset(content, name=f"{sheet.key}.csv", sheet=sheet.title)
    except TabularFileError as e:
        raise FinanceFileError(str(e)) from None


def read_directory(path: Path) -> FinanceFile:
    """Read the CSV files of a directory, one per sheet, each named after its sheet's key."""
    found = FinanceFile({}, [])
    for file in sorted(path.glob("*.csv")):
        sheet = SHEETS_BY_KEY.get(file.stem.lower())
        if sheet is None:
            found.unknown.append(file.name)
        else:
            found.datasets[sheet.key] = _read_csv(_read(file), sheet)
    return found


def read_finance_file(source) -> tuple[str, FinanceFile]:
    """
    Read ``source``: a path to a workbook or to a directory of CSV files, or an uploaded
    (or any Django) file holding a workbook. Return its name and what it holds.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            return path.name, read_directory(path)
        if not path.is_file():
            raise FinanceFileError(_("The file does not exist: %(path)s") % {"path": source})
        return path.name, read_xlsx(_read(path))
    name = Path(getattr(source, "name", "") or "").name
    try:
        check_file_size(source.size)  # an upload: its size is known before it is read
    except TabularFileError as e:
        raise FinanceFileError(str(e)) from None
    if hasattr(source, "seek"):
        source.seek(0)
    return name, read_xlsx(source.read(settings.UPLOAD_MAX_BYTES + 1))


def _read(path: Path) -> bytes:
    try:
        return read_file(path)
    except TabularFileError as e:
        raise FinanceFileError(str(e)) from None
