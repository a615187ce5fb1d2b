"""
The rows of the lists, rendered by Jinja2 (``common.renderers.FormRenderer``): a list of 150
commitments cost some 15 ms in Django's template engine, a few in Jinja2. The words are
translated here, so that they stay in the catalogue (``makemessages`` reads no Jinja2).
"""

from django import template
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from commitments.templatetags.status import status_label
from common.renderers import render_fragment
from common.widget_html import widget_html
from common.words import per_language

register = template.Library()


def _changed(when) -> str:
    """As ``{{ when|date:"Y-m-d H:i"|default:"–" }}`` (strftime: a tenth of the time, the same digits)."""
    return localtime(when).strftime("%Y-%m-%d %H:%M") if when else "–"


@per_language
def _row_words() -> dict[str, str]:
    return {
        "can_edit": _("you can edit"),
        "reason": _("Reason:"),
        "none": _("No commitments match the filter."),
        "select": _("Select %(code)s, %(department)s"),
    }


@register.simple_tag
def commitment_rows(rows, is_reviewer):
    """The ``tr`` of each row of the list of commitments (``commitments.selectors.CommitmentRow``), or of none."""
    words = _row_words()
    context = {
        "rows": rows,
        "is_reviewer": is_reviewer,
        "words": words,
        "status_label": status_label,
        "select_label": lambda row: words["select"] % {"code": row.commitment.code, "department": row.department.name},
        "truncate": lambda text: Truncator(text).words(15, truncate=" …"),
        "changed": _changed,
    }
    return render_fragment("followup/commitment_rows.html", context)


@register.simple_tag(takes_context=True)
def filter_form(context, form, label):
    """The filter form of a list or overview: each field with its label, then Filter and Clear (Jinja2)."""
    return render_fragment(
        "followup/filters.html",
        {
            "form": form,
            "label": label,
            "clear_url": context["request"].path,
            "widget": widget_html,
            "words": {"apply": _("Filter"), "clear_all": _("Clear filters")},
        },
    )
