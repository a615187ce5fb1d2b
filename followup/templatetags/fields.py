"""
A follow-up page's fields with their labels, help, limits and errors, rendered by the form
renderer (``common.renderers.FormRenderer``: Jinja2, several times faster than an
``{% include %}`` per field, which cost an entry page with five outcomes some 15 ms).
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from commitments.templatetags.richtext import rich_text, text_limit
from common.renderers import render_fragment
from common.widget_html import radio_options, widget_html
from common.words import per_language

register = template.Library()


@register.simple_tag
def field(bound_field, help=""):
    """A field in its ``div.field``: label, ``help``, the limit of a rich text, the widget and its errors."""
    context = {"field": bound_field, "help": help, "text_limit": text_limit, "widget": widget_html}
    return mark_safe(bound_field.form.renderer.render("followup/field.html", context))  # noqa: S308 -- Jinja2 autoescapes


#: ``{{ field|widget }}``: the field's widget as Django renders it, for less (``common.widget_html``).
register.filter("widget", widget_html)


@register.simple_tag
def swatch(colour: str):
    """
    A level's colour as a small square beside its symbol and label: decorative (the words carry
    the meaning), outlined so that it shows on any background. An SVG fill, not a style
    attribute (the CSP forbids inline styles).
    """
    return format_html(
        '<svg class="swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">'
        '<rect x="0.5" y="0.5" width="13" height="13" rx="2" fill="{}" stroke="currentColor"/></svg>',
        colour,
    )


@register.simple_tag
def choice(bound_field):
    """A choice of radio buttons in its fieldset, with the levels' colours and the errors."""
    context = {"field": bound_field, "swatch": swatch, "radio_options": radio_options}
    return mark_safe(bound_field.form.renderer.render("followup/choice.html", context))  # noqa: S308 -- Jinja2 autoescapes


@per_language
def _previous_words() -> dict[str, str]:
    return {"copy_button": _("Copy to the field"), "figures": _("the figures")}


@register.simple_tag
def previous_block(period, html, field, values):
    """
    What the department had approved in the period before, beside a field it writes
    (``followup/_previous.html`` says how to use it), rendered by Jinja2.
    """
    context = {
        "html": html,
        "field": field,
        "values": values,
        # As {% blocktranslate %}: the period's name escaped, the words not.
        "summary": mark_safe(_("Last period (%(period)s, approved)") % {"period": conditional_escape(period)}),  # noqa: S308
        "words": _previous_words(),
        "rich_text": rich_text,
    }
    return render_fragment("followup/previous.html", context)
