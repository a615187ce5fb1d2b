from django import template

from commitments.selectors import STATE_NAMES

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    """
    The name of a row's state ("Utkast"), or "" for an unknown one: a filter, not an include per
    row (the lists have hundreds of rows).
    """
    return STATE_NAMES.get(status, "")
