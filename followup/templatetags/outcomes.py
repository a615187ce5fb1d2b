"""
The form of one outcome on a follow-up page (``followup/jinja2/followup/outcome_form.html``),
rendered by Jinja2 as one fragment, its widgets written by ``common.widget_html``: the part
of an entry page that grows with its outcomes (five outcomes, some 60 widgets, had been half
of the page's server time as Django templates).
"""

from django import template
from django.template.loader import render_to_string
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from commitments.templatetags.richtext import text_limit
from common.renderers import render_fragment
from common.widget_html import radio_options, widget_html
from common.words import per_language

from .fields import previous_block, swatch
from .trend import outcome_facts

register = template.Library()


def kolada_proposal(line):
    """Kolada's value beside the outcome's fields (``kolada/_proposal.html``, a Django template: seldom on a page)."""
    return render_to_string("kolada/_proposal.html", {"line": line})


@per_language
def _words() -> dict[str, str]:
    return {
        "counts": _("Counts (the shares are computed from them)"),
        "group": _("Group"),
        "count": _("Count"),
        "total": _("Total"),
        "table_help": _(
            "Write {tabell} on a line of its own where the table by sex is to stand in the document, under its "
            "caption; without it, the table follows the comment."
        ),
    }


@register.simple_tag
def outcome_form(line, form, previous):
    """The section of ``line`` (an OutcomeLine) with its ``form``; ``previous``: the page's PreviousPeriod, or None."""
    context = {
        "line": line,
        "form": form,
        "previous": previous,
        "level": capfirst(line.indicator.get_level_display()),
        "words": _words(),
        "outcome_facts": outcome_facts,
        "kolada_proposal": kolada_proposal,
        "previous_block": previous_block,
        "text_limit": text_limit,
        "widget": widget_html,
        "radio_options": radio_options,
        "swatch": swatch,
    }
    return render_fragment("followup/outcome_form.html", context)
