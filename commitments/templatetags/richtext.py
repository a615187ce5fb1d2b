from django import template
from django.utils.safestring import mark_safe

from common.richtext import sanitize_rich_text

register = template.Library()


@register.filter
def rich_text(html: str) -> str:
    """Render stored rich text: sanitised again on the way out, so no stored markup can run."""
    return mark_safe(sanitize_rich_text(html))  # noqa: S308 (the allowlist sanitiser's output)
