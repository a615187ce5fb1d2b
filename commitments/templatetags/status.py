from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

#: A row's state as the pages name it (a filter, not an include per row: the lists have hundreds of rows).
STATUS_LABELS = {
    "not_started": _("Not started"),
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "approved": _("Approved"),
    "returned": _("Returned"),
}


@register.filter
def status_label(status: str) -> str:
    """The name of a row's state ("Utkast"), or "" for an unknown one."""
    return STATUS_LABELS.get(status, "")
