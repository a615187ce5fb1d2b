from django import template
from django.utils.safestring import mark_safe

from common.richtext import RichTextLengthValidator, rich_text_hint, sanitize_rich_text
from common.text import PLAIN_TEXT_MAX_LENGTH, PlainTextFormField, limit_hint

register = template.Library()


@register.filter
def rich_text(html: str) -> str:
    """Render stored rich text: sanitised again on the way out, so no stored markup can run."""
    return mark_safe(sanitize_rich_text(html))  # noqa: S308 (the allowlist sanitiser's output)


@register.simple_tag
def plain_text_max_length() -> int:
    """The most characters of a plain text a user writes (a reason, a message): for a textarea's ``maxlength``."""
    return PLAIN_TEXT_MAX_LENGTH


@register.simple_tag
def plain_text_limit() -> str:
    """The limit of a plain text a user writes, as the page says it under a hand-written textarea."""
    return limit_hint(PLAIN_TEXT_MAX_LENGTH)


@register.filter
def text_limit(bound_field) -> str:
    """
    The limit of a text field as the page says it ("Högst 15 000 tecken."), or "" for other
    fields. Said for plain texts too: their textarea's ``maxlength`` alone tells nobody, and
    cuts a longer pasted text short without a word.
    """
    field = bound_field.field
    if any(isinstance(validator, RichTextLengthValidator) for validator in field.validators):
        return rich_text_hint()
    if isinstance(field, PlainTextFormField) and not field.widget.is_hidden:
        return limit_hint(field.max_length)
    return ""
