"""
Users' rich text: what the editor offers, the allowlist that every stored text passes, and
the form field and the clean step that every page and service writing rich text uses.

The comments in the committee's documents hold paragraphs, bullet and numbered lists,
italics, bold, links and simple tables; nothing else is kept. The same configuration feeds
the editor (django-prose-editor) and the server-side sanitiser (nh3), so the two agree.
"""

import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_prose_editor.config import allowlist_from_extensions, expand_extensions
from django_prose_editor.fields import ProseEditorFormField

#: django-prose-editor extensions, https://django-prose-editor.readthedocs.io/
EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Link": {"protocols": ["http", "https", "mailto"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "HardBreak": True,
    # Subheadings inside a follow-up (the årsanalys's goal texts have them).
    "Heading": {"levels": [3, 4]},
}

#: The most characters a comment may hold, markup included.
MAX_LENGTH = 20_000


def _allowlist() -> dict:
    allowlist = allowlist_from_extensions(expand_extensions(EXTENSIONS))
    # The documents' comments use <i> and <b>; the editor reads them as italic and bold.
    allowlist["tags"] |= {"i", "b"}
    # Documents place a text's subheadings below their own headings (see reports.assembly).
    allowlist["tags"] |= {"h5", "h6"}
    # No target attribute: links open where the reader chooses.
    allowlist["attributes"]["a"] = {"href", "title"}
    allowlist["link_rel"] = "noopener noreferrer"
    return allowlist


_cleaner = nh3.Cleaner(**_allowlist())
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")


def sanitize_rich_text(html: str) -> str:
    """Return ``html`` with everything outside the allowlist removed; an empty text is ""."""
    cleaned = _cleaner.clean(html or "")
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


def rich_text_clean(html: str, *, field: str = "comment") -> str:
    """Return the sanitised text, or raise a ``ValidationError`` on ``field`` if it is too long."""
    if len(html or "") > MAX_LENGTH:
        raise ValidationError(
            {field: _("The text is too long: at most %(max)s characters, markup included.") % {"max": MAX_LENGTH}}
        )
    return sanitize_rich_text(html)


def rich_text_field(label: str) -> ProseEditorFormField:
    """Return a form field with the editor, offering what the allowlist keeps, up to ``MAX_LENGTH``."""
    return ProseEditorFormField(
        label=label,
        required=False,
        extensions=EXTENSIONS,
        max_length=MAX_LENGTH,
        error_messages={
            "max_length": gettext_lazy("The text is too long: at most %(limit_value)d characters, markup included.")
        },
    )
