"""
The form renderer: Django's Jinja2 renderer for what it has templates of, Django's own for the rest.

Django renders every widget, and every field group of the follow-up pages, from a template.
With the template engine that costs about 0.2 ms a widget, and an entry page with five
outcomes has some 80 widgets: a third of the page's time (measured with ``python -m
bench.cpu``). Jinja2 compiles templates to Python and renders the same HTML several times
faster. Django ships Jinja2 versions of the built-in widgets (``django/forms/jinja2``); apps
add theirs in their ``jinja2`` directory (``followup/jinja2``). The admin's widgets and those
of other libraries have Django templates only, so a template Jinja2 does not have is taken
from the Django renderer.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2, get_default_renderer
from django.template import TemplateDoesNotExist
from django.utils.safestring import SafeString, mark_safe


class FormRenderer(BaseRenderer):
    def __init__(self):
        self.fast = Jinja2()
        self.fallback = DjangoTemplates()
        #: The names Jinja2 has no template of (so that it is not searched for them again).
        self.django_only: set[str] = set()

    def get_template(self, template_name):
        if template_name not in self.django_only:
            try:
                return self.fast.get_template(template_name)
            except TemplateDoesNotExist:
                self.django_only.add(template_name)
        return self.fallback.get_template(template_name)


def render_fragment(template_name: str, context: dict) -> SafeString:
    """
    Render a page fragment (``followup/jinja2``) with the form renderer's Jinja2, for a template
    tag: the template itself, not the renderer's ``render()``, which strips the white space
    around it. Jinja2 autoescapes, so the result is safe.
    """
    template = get_default_renderer().get_template(template_name)
    return mark_safe(template.render(context))  # noqa: S308 -- Jinja2 autoescapes
