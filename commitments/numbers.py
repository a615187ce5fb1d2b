"""Numbers as Swedish staff type them: “36,1”, “5 800”, “33 %”, “−3”."""

from decimal import Decimal, InvalidOperation

_SPACES = ("\u00a0", "\u202f", " ")


def parse_number(text: str) -> Decimal:
    """
    Return the number ``text`` stands for; raise ``ValueError`` if it is not one.

    The exponent is bounded: a value such as “1e1000000” would take minutes to turn into
    an integer later, and no figure of a plan comes near it.
    """
    cleaned = str(text).strip().replace("\u2212", "-")
    for space in _SPACES:
        cleaned = cleaned.replace(space, "")
    cleaned = cleaned.removesuffix("%").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite() or abs(number.adjusted()) > 15:
        raise ValueError(text)
    return number
