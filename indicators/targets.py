"""
A target as the plan file writes it: a bound (“Minst 80 %”, “Max 5”, “≥ 80”, “= 80”) or a
plain number read in the indicator's direction (“80”, “36,1”, “1 200”).
"""

import re
from decimal import Decimal

from commitments.numbers import format_number, parse_number

from .models import Target

Comparator = Target.Comparator

#: The words and signs a bound may start with, in the file (any case), and what they mean.
COMPARATOR_TOKENS: dict[str, str] = {
    "minst": Comparator.AT_LEAST,
    "lägst": Comparator.AT_LEAST,
    "≥": Comparator.AT_LEAST,
    ">=": Comparator.AT_LEAST,
    "högst": Comparator.AT_MOST,
    "max": Comparator.AT_MOST,
    "max.": Comparator.AT_MOST,
    "maximalt": Comparator.AT_MOST,
    "≤": Comparator.AT_MOST,
    "<=": Comparator.AT_MOST,
    "exakt": Comparator.EXACTLY,
    "=": Comparator.EXACTLY,
}
#: The word the plan file writes a bound with (and reads back).
COMPARATOR_WRITTEN: dict[str, str] = {
    Comparator.AT_LEAST: "Minst",
    Comparator.AT_MOST: "Högst",
    Comparator.EXACTLY: "Exakt",
}

# Longest first, so that “maximalt” is not read as “max” followed by “imalt”.
_BOUND = re.compile(
    r"^(?P<word>{})(?P<rest>.*)$".format("|".join(map(re.escape, sorted(COMPARATOR_TOKENS, key=len, reverse=True)))),
    re.IGNORECASE | re.DOTALL,
)


def read_target(text: str) -> tuple[str, Decimal]:
    """
    Return the comparator and the value ``text`` states (“Minst 80 %” → at least, 80; “80” →
    the indicator's direction, 80); raise ``ValueError`` if it states neither.

    A word must be followed by a space or the number (“Minst 80”, “minst80”), never by more
    letters (“Minsta …” is no bound).
    """
    stripped = str(text).strip()
    comparator = Comparator.DIRECTION
    match = _BOUND.match(stripped)
    if match:
        word, rest = match["word"].lower(), match["rest"]
        if word[-1].isalpha() and rest[:1].isalpha():
            raise ValueError(text)
        comparator, stripped = COMPARATOR_TOKENS[word], rest.strip()
    if not stripped:
        raise ValueError(text)
    try:
        return comparator, parse_number(stripped)
    except ValueError:
        raise ValueError(text) from None


def written_target(comparator: str, value: Decimal) -> str:
    """The cell the plan file writes for a bound (“Minst 80”), which ``read_target`` reads back."""
    return f"{COMPARATOR_WRITTEN[comparator]} {format_number(value)}"
