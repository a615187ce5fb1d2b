import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from commitments.models import ReportingPeriod
from finance.files import SHEETS

DEMO_FINANCE = Path(__file__).resolve().parents[2] / "demo" / "data" / "asn-2024" / "ekonomi"


@pytest.fixture
def period(demo) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan__committee=demo, slug="2024-helar")


@pytest.fixture
def finance_dir(tmp_path) -> Path:
    """A copy of the demo's finance CSV files, to change."""
    target = tmp_path / "ekonomi"
    shutil.copytree(DEMO_FINANCE, target)
    return target


def read_sheet(directory: Path, key: str) -> list[list[str]]:
    with open(directory / f"{key}.csv", encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_sheet(directory: Path, key: str, rows: list[list[str]]) -> None:
    with open(directory / f"{key}.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_cell(directory: Path, key: str, row: int, column: str, value: str) -> None:
    """Set a cell of a sheet, by spreadsheet row (header = 1) and column name."""
    rows = read_sheet(directory, key)
    rows[row - 1][rows[0].index(column)] = value
    write_sheet(directory, key, rows)


def workbook_bytes(directory: Path) -> bytes:
    """The CSV sheets of ``directory`` as one XLSX workbook, amounts as numbers where they are."""
    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        path = directory / f"{sheet.key}.csv"
        if not path.exists():
            continue
        ws = book.create_sheet(sheet.title)
        for row in read_sheet(directory, sheet.key):
            ws.append([int(v.replace(" ", "")) if v.replace(" ", "").lstrip("-").isdigit() else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
