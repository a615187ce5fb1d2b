"""
The one rule for the texts the app stores, and the lengths they may have.

A text pasted from Word carries characters that no document format can hold: Shift+Enter
is U+000B, a page break U+000C, and stray control characters come along. XML 1.0 (DOCX,
the PDF's HTML) refuses them, and PostgreSQL refuses NUL in a text column. ``clean_text``
is applied where text comes in (form fields, model fields on ``full_clean``, rich text's
sanitiser, imported cells, workflow reasons) and again where a document is made (old
texts already stored), so that one character can neither break a build nor a save.
"""

import functools
import re

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.formats import number_format
from django.utils.functional import cached_property, lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

# The limits, in characters of text (for rich text: of its text, not its markup). Measured
# on the committee's documents (../shared/seeds) and the demo data, each with a wide margin:
# a user who writes more has something to shorten, not a limit to fight.

#: A goal's, commitment's or indicator's wording, a note, a description. The longest in the
#: documents is 389 characters (a goal's note); commitments reach 308, indicators 261.
PLAN_TEXT_MAX_LENGTH = 2_000
#: An assessment sentence ("Bedömningen är att …"): one sentence; the longest is 160.
SENTENCE_MAX_LENGTH = 1_000
#: A plain motivation, a reason for a return, a message in a thread, why an outcome is
#: missing: at most about a page of A4. The longest motivation in the documents is 530.
PLAIN_TEXT_MAX_LENGTH = 4_000
#: A rich-text comment or section: its text. The longest in the documents is 6,111 (a
#: section of the annual analysis); entries reach 2,789, goal follow-ups 4,606.
RICH_TEXT_MAX_LENGTH = 15_000
#: A rich-text comment's markup, tags included: a guard against a huge post, far above
#: what ``RICH_TEXT_MAX_LENGTH`` characters of text take even in a table (the markup of
#: the longest text is 6,252).
RICH_TEXT_MAX_MARKUP = 100_000

#: What XML 1.0 cannot carry, and NUL, which PostgreSQL cannot: C0 controls but tab, line
#: feed and carriage return, the noncharacters U+FFFE and U+FFFF, and lone surrogates.
_UNCARRIABLE = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Shift+Enter (vertical tab) and a page break (form feed) from Word: a line break.
_LINE_BREAKS = re.compile("[\x0b\x0c]")
_NEWLINES = re.compile(r"\r\n|\r")


def clean_text(value: str) -> str:
    """
    Return ``value`` as it can be stored and printed: U+000B and U+000C become a line break,
    line endings are "\\n" (as Django's form fields make them), and the control characters
    that XML 1.0 or PostgreSQL cannot carry (NUL among them) are removed.
    """
    if not value:
        return value
    value = _LINE_BREAKS.sub("\n", value)
    value = _NEWLINES.sub("\n", value)
    return _UNCARRIABLE.sub("", value)


def clean_rich_text(html: str) -> str:
    """``clean_text`` for HTML: a line break from Word (U+000B, U+000C) becomes ``<br>``."""
    if not html:
        return html
    return clean_text(_LINE_BREAKS.sub("<br>", html))


def limit_hint(limit: int) -> str:
    """The limit as a writer is told it before reaching it: "Högst 4 000 tecken."."""
    return _limit_hint(limit, get_language())


@functools.lru_cache(maxsize=64)
def _limit_hint(limit: int, language: str | None) -> str:
    # Once a limit and language, not once a field: an entry page with five outcomes says some 40.
    return gettext("At most %(max)s characters.") % {"max": number_format(limit, force_grouping=True)}


def has_nul(value: object) -> bool:
    """Whether ``value`` is a text holding NUL, which no text column can store."""
    return isinstance(value, str) and "\x00" in value


class PlainTextFormField(forms.CharField):
    """
    A form field for plain text: cleaned by ``clean_text``, its limit shown on the input
    (``maxlength``) and checked. NUL is refused with Django's message, not removed: no
    keyboard types it, so a text with one was not written by the user as it stands.
    """

    def __init__(self, *, max_length: int, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {"max_length": _("At most %(limit_value)d characters (it has %(show_value)d).")},
        )
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value if has_nul(value) else clean_text(value)


def plain_text_field(label: str, *, max_length: int, required: bool = False, rows: int = 3, **kwargs):
    """Return a ``PlainTextFormField`` in a textarea of ``rows`` lines, with ``max_length``."""
    return PlainTextFormField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class CleanTextField(models.TextField):
    """
    A ``TextField`` whose limit holds: ``full_clean`` checks ``max_length`` (Django's
    TextField leaves it to the form's widget) and cleans the text with ``clean_text``; its
    form field (the admin's too) is a ``PlainTextFormField``.
    """

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        # The limit is said under the field (the admin prints help texts), not only held by maxlength.
        hint = lazy(limit_hint, str)(self.max_length)
        help_text = format_lazy("{} {}", self.help_text, hint) if self.help_text else hint
        return super().formfield(**{"form_class": PlainTextFormField, "help_text": help_text, **kwargs})
