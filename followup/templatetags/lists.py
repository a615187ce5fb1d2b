"""
The rows of the lists, rendered by Jinja2 (``common.renderers.FormRenderer``): a list of 150
commitments cost some 15 ms in Django's template engine, a few in Jinja2. The words are
translated here, so that they stay in the catalogue (``makemessages`` reads no Jinja2).
"""

from django import template
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from commitments.selectors import STATE_NAMES

register = template.Library()


def _changed(when) -> str:
    """As ``{{ when|date:"Y-m-d H:i"|default:"–" }}`` (strftime: a tenth of the time, the same digits)."""
    return localtime(when).strftime("%Y-%m-%d %H:%M") if when else "–"


def _select_label(row) -> str:
    return _("Select %(code)s, %(department)s") % {"code": row.commitment.code, "department": row.department.name}


@register.simple_tag
def commitment_rows(rows, is_reviewer):
    """The ``tr`` of each row of the list of commitments (``commitments.selectors.CommitmentRow``), or of none."""
    context = {
        "rows": rows,
        "is_reviewer": is_reviewer,
        "words": {
            "can_edit": _("you can edit"),
            "reason": _("Reason:"),
            "none": _("No commitments match the filter."),
        },
        "status_label": {status: str(name) for status, name in STATE_NAMES.items()}.get,
        "select_label": _select_label,
        "truncate": lambda text: Truncator(text).words(15, truncate=" …"),
        "changed": _changed,
    }
    # The template itself, not the renderer's render(), which strips the white space around the rows.
    template = get_default_renderer().get_template("followup/commitment_rows.html")
    return mark_safe(template.render(context))  # noqa: S308 -- Jinja2 autoescapes
