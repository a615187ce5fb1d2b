"""Numbers as Swedish staff type them (“36,1”, “5 800”, “33 %”, “−3”) and as documents print them."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_SPACES = ("\u00a0", "\u202f", " ")
NBSP = "\u00a0"  # groups thousands, and keeps a number with its unit on one line


def format_number(value: Decimal | int, *, decimals: int | None = None) -> str:
    """
    Return ``value`` the Swedish way: a decimal comma and no-break spaces between
    thousands (“1 822 631”, “36,1”), with a hyphen-minus. With ``decimals``, rounded half
    up to that many places and printed with them (“-10,0”); otherwise as precise as it is.
    """
    value = Decimal(value)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = f"{abs(value) if value == 0 else value:,f}"
    elif value == value.to_integral_value():
        text = f"{int(value):,}"
    else:
        text = f"{value.normalize():,f}"
    return text.replace(",", NBSP).replace(".", ",")


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
