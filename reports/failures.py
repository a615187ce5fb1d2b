"""
Why a build failed, said so that a committee admin can act on it: the cause in words and,
where the failure comes from one row of the document (an entry, an outcome, a text), which.

The assembly names the row it is reading (``row_context``). A renderer only sees the
document; when one fails, ``failing_row`` finds the row by rendering parts of the document
again (halving, so a few renders), which also names rows that fail only when laid out (the
PDF). The traceback goes to the log, never to the page.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .document import Chart, CommitmentTable, Document, IndicatorTable, RichText, Section, Table

#: Faults of the server rather than of the content: the page says so and the log has the rest.
TECHNICAL = (OSError, DatabaseError, MemoryError)


class BuildFailure(Exception):
    """
    ``error`` with where it arose: ``row`` names the row of the document in words, ``fmt_label``
    the format being written (empty: unknown, or while reading the content).
    """

    def __init__(self, error: BaseException | str, *, row: str = "", fmt_label: str = "") -> None:
        super().__init__(": ".join(str(part) for part in (fmt_label, row, error) if part))
        self.error, self.row, self.fmt_label = error, row, fmt_label


def short(text: str, length: int = 60) -> str:
    """A name as a message quotes it: one line, at most ``length`` characters."""
    return Truncator(" ".join(str(text).split())).chars(length)


@contextlib.contextmanager
def row_context(row: Callable[[], str]) -> Iterator[None]:
    """Name the row (``row()``, called only on failure) in any error raised inside."""
    try:
        yield
    except (BuildFailure, SoftTimeLimitExceeded, *TECHNICAL):
        raise
    except Exception as error:
        raise BuildFailure(error, row=row()) from error


def commitment_row_name(code: str, department: str) -> str:
    return _("Commitment %(code)s, %(department)s") % {"code": code, "department": department}


def indicator_row_name(name: str, department: str = "") -> str:
    if not department:
        return _("Indicator %(name)s") % {"name": short(name)}
    return _("Indicator %(name)s, %(department)s") % {"name": short(name), "department": department}


def contribution_name(goal: str, department: str) -> str:
    return _("The follow-up of the goal “%(goal)s”, %(department)s") % {"goal": short(goal), "department": department}


def section_text_name(heading: str, department: str = "") -> str:
    if department:
        return _("The text of %(department)s in “%(heading)s”") % {"department": department, "heading": short(heading)}
    return _("A text in “%(heading)s”") % {"heading": short(heading)}


# Finding the row a renderer fails on ----------------------------------------------------------


def _items(sections: list[Section], path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every row of the document as (where it is, its name): table rows, texts and charts."""
    for s, section in enumerate(sections):
        here = (*path, s)
        for b, block in enumerate(section.blocks):
            if isinstance(block, CommitmentTable):
                for r, row in enumerate(block.rows):
                    yield (*here, b, r), commitment_row_name(row.code, row.department)
            elif isinstance(block, IndicatorTable):
                for r, row in enumerate(block.rows):
                    yield (*here, b, r), indicator_row_name(row.name, row.department)
            elif isinstance(block, Table):
                for r, row in enumerate(block.rows):
                    where = short(block.caption or section.heading)
                    yield (*here, b, r), _("The row “%(row)s” of the table in “%(where)s”") % {
                        "row": short(row[0] if row else "", 40), "where": where}  # fmt: skip
            elif isinstance(block, Chart):
                yield (*here, b, None), _("The chart “%(title)s”") % {"title": short(block.title)}
            elif isinstance(block, RichText):
                yield (*here, b, None), section_text_name(section.heading)
        yield from _items(section.subsections, here)


def _keep(sections: list[Section], kept: set[tuple], path: tuple = ()) -> list[Section]:
    """The sections with only the ``kept`` rows (their headings stay; a table with no row kept goes)."""
    result = []
    for s, section in enumerate(sections):
        here = (*path, s)
        blocks = []
        for b, block in enumerate(section.blocks):
            if isinstance(block, CommitmentTable | IndicatorTable | Table):
                rows = tuple(row for r, row in enumerate(block.rows) if (*here, b, r) in kept)
                if rows:  # (which rows are sums no longer matters)
                    blocks.append(replace(block, rows=rows, **({"totals": ()} if isinstance(block, Table) else {})))
            elif (*here, b, None) in kept:
                blocks.append(block)
        subsections = _keep(section.subsections, kept, here)
        result.append(Section(heading=section.heading, number=section.number, blocks=blocks, subsections=subsections))
    return result


def failing_row(document: Document, fmt: str, error: Exception, *, render, seconds: float | None = None) -> str | None:
    """
    The name of the row that makes ``render(document, fmt)`` fail as it did with ``error``,
    or None when the document fails without any of its rows, when rows fail only together,
    or when finding out takes longer than ``seconds`` (``REPORT_BUILD_DIAGNOSIS_SECONDS``).
    """
    deadline = time.monotonic() + (settings.REPORT_BUILD_DIAGNOSIS_SECONDS if seconds is None else seconds)
    items = list(_items(document.sections))

    def fails(count: int) -> bool | None:
        if time.monotonic() > deadline:
            return None
        part = copy.copy(document)
        part.sections = _keep(document.sections, {where for where, _name in items[:count]})
        try:
            render(part, fmt)
        except SoftTimeLimitExceeded:
            raise
        except type(error):
            return True
        except Exception:  # another failure: not the row we look for
            return None
        return False

    if not items or fails(0) is not False:
        return None
    # The shortest beginning of the document that fails ends with the row to blame.
    good, bad = 0, len(items)
    while bad - good > 1:
        middle = (good + bad) // 2
        result = fails(middle)
        if result is None:
            return None
        good, bad = (good, middle) if result else (middle, bad)
    return items[bad - 1][1]


def failure_text(*, attempt: int, error: BaseException) -> str:
    """What the build page says of a failed attempt: the cause and, where known, the format and the row."""
    row = fmt_label = ""
    if isinstance(error, BuildFailure):
        row, fmt_label, error = error.row, error.fmt_label, error.error
    if isinstance(error, SoftTimeLimitExceeded):
        minutes = max(1, round(settings.REPORT_BUILD_SOFT_TIME_LIMIT / 60))
        return _("Attempt %(n)s ran out of time (%(minutes)s minutes).") % {"n": attempt, "minutes": minutes}
    if isinstance(error, TECHNICAL):
        text = _(
            "Attempt %(n)s failed because of a fault on the server (%(error)s). The operator finds the details "
            "in the log."
        )
        return text % {"n": attempt, "error": type(error).__name__}
    if fmt_label:
        text = _("Attempt %(n)s failed while writing the %(format)s file.") % {"n": attempt, "format": fmt_label}
    else:
        text = _("Attempt %(n)s failed.") % {"n": attempt}
    # The exception's own words (the traceback is in the log), after the row they concern.
    message = f"{short(str(error), 300) or type(error).__name__} ({type(error).__name__})"
    return f"{text} {row}: {message}" if row else f"{text} {message}"
