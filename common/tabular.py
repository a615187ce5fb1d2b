"""
Tabular files the app imports: sheets read from an XLSX workbook or from CSV files into
datasets, and the errors reported on their rows.

Shared by every file the app reads (the plan file, the finance file); each of those knows
its own sheets and columns. Anything that makes a file unreadable as a whole raises
``TabularFileError`` with a message for the user.

A file costs memory and time in proportion to what it unpacks to, not to its size, so every
limit (``settings.UPLOAD_*``, chosen and explained in ``asn/settings/base.py``) is checked
before the part it guards is read: the file's size before it is read, the workbook's zip
directory (what each part unpacks to, the compression, the number of shared strings) before
openpyxl opens it, each sheet's declared size before its rows are read; and, since a
workbook's declarations can lie, the rows, columns and cells again while they are read.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.conf import settings
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .text import clean_text


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


def _count(number: int) -> str:
    """A limit as the message shows it: ``10 000``."""
    return number_format(number, force_grouping=True)


def _megabytes(size: int) -> str:
    return number_format(size / (1024 * 1024), decimal_pos=0 if size % (1024 * 1024) == 0 else 1)


def too_many_rows(sheet: str) -> TabularFileError:
    return TabularFileError(
        _("The sheet “%(sheet)s” has more than %(max)s rows.")
        % {"sheet": sheet, "max": _count(settings.UPLOAD_MAX_ROWS)}
    )


def too_many_columns(sheet: str) -> TabularFileError:
    return TabularFileError(
        _("The sheet “%(sheet)s” has more than %(max)s columns.")
        % {"sheet": sheet, "max": _count(settings.UPLOAD_MAX_COLUMNS)}
    )


def _check_row(row: tuple | list, number: int, sheet: str) -> None:
    """Refuse the row ``number`` (1 = the header) when the sheet is too long, the row too wide or a cell too long."""
    if number > settings.UPLOAD_MAX_ROWS + 1:
        raise too_many_rows(sheet)
    if len(row) > settings.UPLOAD_MAX_COLUMNS:
        raise too_many_columns(sheet)
    for column, value in enumerate(row, start=1):
        if isinstance(value, str) and len(value) > settings.UPLOAD_MAX_CELL_CHARS:
            raise TabularFileError(
                _("Cell %(cell)s of the sheet “%(sheet)s” is longer than %(max)s characters.")
                % {
                    "cell": f"{get_column_letter(column)}{number}",
                    "sheet": sheet,
                    "max": _count(settings.UPLOAD_MAX_CELL_CHARS),
                }
            )


def _dataset(rows: Iterable[Iterable[object]], sheet: str) -> tablib.Dataset:
    table = []
    for number, row in enumerate(rows, start=1):
        _check_row(row, number, sheet)
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


def check_file_size(size: int) -> None:
    """Refuse a file of ``size`` bytes over ``settings.UPLOAD_MAX_BYTES``, before it is read."""
    if size > settings.UPLOAD_MAX_BYTES:
        raise TabularFileError(
            _("The file is larger than %(limit)s MB.") % {"limit": _megabytes(settings.UPLOAD_MAX_BYTES)}
        )


def upload_limits_hint(help_text: str = "") -> str:
    """
    An upload field's help: ``help_text`` and the limits a file must keep, said before it is
    sent ("Högst 5 MB, och högst 10 000 rader och 100 kolumner i ett blad."); lazy, as the
    settings and the language are read when the form is shown.
    """

    def hint() -> str:
        limits = _("At most %(size)s MB, and at most %(rows)s rows and %(columns)s columns in a sheet.") % {
            "size": _megabytes(settings.UPLOAD_MAX_BYTES),
            "rows": _count(settings.UPLOAD_MAX_ROWS),
            "columns": _count(settings.UPLOAD_MAX_COLUMNS),
        }
        return f"{help_text} {limits}" if help_text else limits

    return lazy(hint, str)()


def read_file(path: Path) -> bytes:
    """Return the content of the file at ``path``, refusing one over the size limit before reading it."""
    check_file_size(path.stat().st_size)
    with path.open("rb") as f:
        content = f.read(settings.UPLOAD_MAX_BYTES + 1)  # the file may have grown since
    check_file_size(len(content))
    return content


#: A shared string's element, with or without a namespace prefix (``<si>``, ``<x:si>``).
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_SHARED_STRING_TAIL = 64  # bytes kept between chunks, so that no element is split unseen


def _check_archive(archive: zipfile.ZipFile) -> None:
    """
    Refuse a workbook that would unpack to too much, before openpyxl reads any of it.

    The sizes are those of the zip's directory: Python's zipfile stops (and fails) a part
    that unpacks to more than its directory says, so they bound what openpyxl can get.
    """
    total = 0
    for info in archive.infolist():
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Excel writes deflate; bzip2 and lzma unpack without a bound on each read.
            raise TabularFileError(_("The file is not an Excel workbook (XLSX)."))
        total += info.file_size
        if total > settings.UPLOAD_MAX_UNPACKED_BYTES:
            raise TabularFileError(
                _("The workbook unpacks to more than %(limit)s MB.")
                % {"limit": _megabytes(settings.UPLOAD_MAX_UNPACKED_BYTES)}
            )
        if info.file_size > 1024 * 1024 and info.file_size > settings.UPLOAD_MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise TabularFileError(
                _("A part of the workbook (%(part)s) unpacks to more than %(ratio)s times its size; it is refused.")
                % {"part": info.filename, "ratio": settings.UPLOAD_MAX_COMPRESSION_RATIO}
            )
    for info in archive.infolist():
        if Path(info.filename).name.casefold() == "sharedstrings.xml":
            _check_shared_strings(archive, info)


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """
    Count the workbook's shared strings, which openpyxl keeps in memory all at once, even
    when it reads a sheet row by row; the count the file declares may lie, so count them.
    """
    found, tail = 0, b""
    with archive.open(info) as part:
        while chunk := part.read(1024 * 1024):
            data = tail + chunk
            found += len(_SHARED_STRING.findall(data, 0, len(data) - _SHARED_STRING_TAIL))
            tail = data[max(len(data) - _SHARED_STRING_TAIL, 0) :]
            if found > settings.UPLOAD_MAX_SHARED_STRINGS:
                break
    found += len(_SHARED_STRING.findall(tail))
    if found > settings.UPLOAD_MAX_SHARED_STRINGS:
        raise TabularFileError(
            _("The workbook has more than %(max)s different texts.")
            % {"max": _count(settings.UPLOAD_MAX_SHARED_STRINGS)}
        )


def _sheet_rows(ws, sheet: str) -> Iterable[tuple]:
    """
    The rows of a read-only sheet, refused at once if the size it declares is over the
    limits; then read as they are (a declared size that lies does not hide or pad cells).
    """
    if (ws.max_row or 0) > settings.UPLOAD_MAX_ROWS + 1:
        raise too_many_rows(sheet)
    if (ws.max_column or 0) > settings.UPLOAD_MAX_COLUMNS:
        raise too_many_columns(sheet)
    # Without a declared size openpyxl neither pads each row to it nor drops cells beyond it;
    # each row is then as wide as its last cell, which _dataset checks while reading.
    ws.reset_dimensions()
    return ws.iter_rows(values_only=True)


def workbook_datasets(content: bytes, sheets: dict[str, str]) -> tuple[dict[str, tablib.Dataset], list[str]]:
    """
    Read the sheets of an XLSX workbook named in ``sheets`` (key → title, matched without
    regard to case): a dataset per key, and the titles of the workbook's other sheets. Raises
    ``TabularFileError`` (a message for the user) when the file is not a readable workbook,
    or is over a limit (``settings.UPLOAD_*``).
    """
    if not content:
        raise TabularFileError(_("The file is empty."))
    check_file_size(len(content))
    keys = {title.casefold(): key for key, title in sheets.items()}
    datasets, unknown = {}, []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_archive(archive)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            for ws in workbook.worksheets:
                key = keys.get(ws.title.strip().casefold())
                if key is None:
                    unknown.append(ws.title)
                else:
                    datasets[key] = _dataset(_sheet_rows(ws, sheets[key]), sheets[key])
        finally:
            workbook.close()
    except (TabularFileError, MemoryError):
        # A MemoryError is not the file's form; the limits above are what keep it away.
        raise
    except Exception:
        # Whatever openpyxl fails on (not a zip, broken XML, missing parts), the user's
        # answer is the same: this is not a workbook we can read.
        raise TabularFileError(_("The file is not an Excel workbook (XLSX).")) from None
    return datasets, unknown


def csv_dataset(content: bytes, *, name: str, sheet: str) -> tablib.Dataset:
    """
    Read one sheet from a CSV file ``name``: UTF-8 (with or without BOM), UTF-16 with its BOM
    (Excel's "Unicode text") or Windows-1252, separated by commas, semicolons or tabs. Raises
    ``TabularFileError`` when it cannot.
    """
    check_file_size(len(content))
    text = _csv_text(content, name)
    if not text.strip():
        raise TabularFileError(_("The file is empty."))
    # Excel writes ";" where the decimal separator is a comma, as in Swedish settings.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _dataset(reader, sheet)
    except csv.Error as error:
        if "field limit" in str(error):  # csv's own limit on a cell, higher than UPLOAD_MAX_CELL_CHARS
            raise TabularFileError(
                _(
                    "“%(name)s” is not a readable CSV file: a cell on row %(row)s is longer than %(max)s "
                    "characters (a quotation mark that is never closed?)."
                )
                % {"name": name, "row": reader.line_num, "max": _count(settings.UPLOAD_MAX_CELL_CHARS)}
            ) from None
        raise TabularFileError(_("“%(name)s” is not a readable CSV file.") % {"name": name}) from None


def _csv_text(content: bytes, name: str) -> str:
    """The text of a CSV file, in the encodings that spreadsheets save CSV in; any other is refused by name."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its BOM: Excel's "Unicode text"
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in content:  # NUL bytes: UTF-16 or UTF-32 without a BOM, or not text at all
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            # Excel on Swedish Windows saves "CSV (semikolonavgränsad)" as Windows-1252.
            return content.decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise TabularFileError(
        _("“%(name)s” is not text in UTF-8 (nor Windows-1252 or UTF-16). Save it as “CSV UTF-8” and try again.")
        % {"name": name}
    )


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
