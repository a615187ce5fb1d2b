"""Figures as the committee's documents print them: “18 %”, “1 376”, “36,1 månader”."""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"  # groups thousands, and keeps a number with its unit on one line


def number(value: Decimal | int | None, *, decimals: int | None = None) -> str:
    """
    Return ``value`` with a decimal comma and spaces between thousands; "" for none. With
    ``decimals``, rounded half up to that many places and printed with them ("-10,0").
    The minus sign is the hyphen-minus, as the committee's documents print it.
    """
    if value is None:
        return ""
    value = Decimal(value)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        return f"{abs(value) if value == 0 else value:,f}".replace(",", NBSP).replace(".", ",")
    whole = value == value.to_integral_value()
    text = f"{int(value):,}" if whole else f"{value.normalize():,f}"
    return text.replace(",", NBSP).replace(".", ",")


def with_unit(value: Decimal | int | None, unit: str, *, decimals: int | None = None) -> str:
    """Return the figure with its unit as written after it (“18 %”); counts stand alone."""
    text = number(value, decimals=decimals)
    if not text or not unit:
        return text
    return f"{text}{NBSP}{unit}"
