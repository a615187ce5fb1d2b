from django import template

from commitments.selectors import STATE_NAMES
from common.words import per_language

register = template.Library()


@per_language
def _state_names() -> dict[str, str]:
    """The rows' states by name (``STATE_NAMES``) in the active language."""
    return {status: str(name) for status, name in STATE_NAMES.items()}


@register.filter
def status_label(status: str) -> str:
    """
    The name of a row's state ("Utkast"), or "" for an unknown one: a filter, not an include per
    row (the lists have hundreds of rows), with the names translated once per language.
    """
    return _state_names().get(status, "")
