"""Figures as the committee's documents print them: “18 %”, “1 376”, “36,1 månader”."""

from decimal import Decimal

NBSP = "\u00a0"  # groups thousands, and keeps a number with its unit on one line


def number(value: Decimal | int | None) -> str:
    """Return ``value`` with a decimal comma and spaces between thousands; "" for none."""
    if value is None:
        return ""
    value = Decimal(value)
    whole = value == value.to_integral_value()
    text = f"{int(value):,}" if whole else f"{value.normalize():,f}"
    return text.replace(",", NBSP).replace(".", ",")


def with_unit(value: Decimal | int | None, unit: str) -> str:
    """Return the figure with its unit as written after it (“18 %”); counts stand alone."""
    text = number(value)
    if not text or not unit:
        return text
    return f"{text}{NBSP}{unit}"
