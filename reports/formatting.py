"""Figures as the committee's documents print them: “18 %”, “1 376”, “36,1 månader”."""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from commitments.numbers import NBSP, format_number


def number(value: Decimal | int | None, *, decimals: int | None = None) -> str:
    """
    Return ``value`` with a decimal comma and spaces between thousands; "" for none. With
    ``decimals``, rounded half up to that many places and printed with them ("-10,0").
    The minus sign is the hyphen-minus, as the committee's documents print it.
    """
    return "" if value is None else format_number(value, decimals=decimals)


def with_unit(value: Decimal | int | None, unit: str, *, decimals: int | None = None) -> str:
    """Return the figure with its unit as written after it (“18 %”); counts stand alone."""
    text = number(value, decimals=decimals)
    if not text or not unit:
        return text
    return f"{text}{NBSP}{unit}"


#: A space inside a figure as written ("5 800 (-3 %)"): between digit groups, before a
#: per cent sign or a bracket.
_FIGURE_SPACE = re.compile(r"(?<=\d) (?=\d{3}(?!\d)|%|\()|(?<=\() (?=[-−+]?\d)")


def unbreakable(text: str) -> str:
    """A figure written as text, with no-break spaces inside it, so that a line never breaks within the value."""
    return _FIGURE_SPACE.sub(NBSP, text or "")


def year_values(items, year: int) -> str:
    """
    Targets or outcomes of a plan (``Target``, ``PriorOutcome``) for a year as printed: each as
    its ``shown()`` ("Minst 80 %", the text as written), no-break spaces inside the figures;
    parts of the year first, named ("maj-dec: 3 089"), then the whole year, named "helår"
    only beside parts.
    """
    chosen = sorted((item for item in items if item.year == year), key=lambda item: (item.part == "", item.part))
    has_parts = any(item.part for item in chosen)
    shown = []
    for item in chosen:
        text = unbreakable(item.shown())
        label = item.part or (_("whole year") if has_parts else "")
        shown.append(f"{label}: {text}" if label else text)
    return " ".join(shown)
