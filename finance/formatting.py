"""Amounts in tkr as the committee's documents print them: “1 822 631”, “−91 106”, “-” for none."""

from commitments.numbers import format_number

MINUS = "\u2212"  # the finance tables print a real minus sign


def tkr(value: int | None) -> str:
    """Return ``value`` with no-break spaces between thousands and a minus sign; "-" for none."""
    if value is None:
        return "-"
    return format_number(int(value)).replace("-", MINUS)
