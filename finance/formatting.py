"""Amounts in tkr as the committee's documents print them: “1 822 631”, “−91 106”, “-” for none."""

NBSP = "\u00a0"  # groups thousands and keeps a number on one line
MINUS = "\u2212"


def tkr(value: int | None) -> str:
    """Return ``value`` with no-break spaces between thousands and a minus sign; "-" for none."""
    if value is None:
        return "-"
    grouped = f"{abs(int(value)):,}".replace(",", NBSP)
    return f"{MINUS}{grouped}" if value < 0 else grouped
