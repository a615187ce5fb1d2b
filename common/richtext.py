"""
Users' rich text: what the editor offers, the allowlist that every stored text passes, and
the form field and the clean step that every page and service writing rich text uses.

The comments in the committee's documents hold paragraphs, bullet and numbered lists,
italics, bold, links and simple tables; nothing else is kept. The same configuration feeds
the editor (django-prose-editor) and the server-side sanitiser (nh3), so the two agree.
"""

import html as html_lib
import json
import re
from html.parser import HTMLParser

import nh3
from django import forms
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.functional import cached_property, lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_prose_editor.config import allowlist_from_extensions, expand_extensions
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import ProseEditorWidget

from .text import RICH_TEXT_MAX_LENGTH, RICH_TEXT_MAX_MARKUP, clean_rich_text, limit_hint
from .words import per_language

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

#: The most characters a comment's text may hold (its markup aside); see ``common.text``.
MAX_LENGTH = RICH_TEXT_MAX_LENGTH
#: The most characters its markup may take, tags included.
MAX_MARKUP = RICH_TEXT_MAX_MARKUP


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


_text_only = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})


def sanitize_rich_text(html: str) -> str:
    """
    Return ``html`` with everything outside the allowlist removed and its text cleaned
    (``common.text.clean_rich_text``: a line break from Word becomes ``<br>``, characters no
    document can hold go); an empty text is "".
    """
    cleaned = _cleaner.clean(clean_rich_text(html or ""))
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


def rich_text_length(html: str) -> int:
    """The number of characters of ``html``'s text, as a reader counts them: no tags, entities as one."""
    return len(html_lib.unescape(_text_only.clean(html or "")))


def _too_long(count: int) -> str:
    return _("The text is too long: at most %(max)s characters; it has %(count)s.") % {
        "max": number_format(MAX_LENGTH, force_grouping=True),
        "count": number_format(count, force_grouping=True),
    }


@deconstructible
class RichTextLengthValidator:
    """Refuse a rich text whose text (not its markup) is longer than ``MAX_LENGTH``."""

    def __call__(self, value: str) -> None:
        count = rich_text_length(value)
        if count > MAX_LENGTH:
            raise ValidationError(_too_long(count), code="text_too_long")

    def __eq__(self, other) -> bool:
        return isinstance(other, RichTextLengthValidator)


def rich_text_clean(html: str, *, field: str = "comment") -> str:
    """Return the sanitised text, or raise a ``ValidationError`` on ``field`` if it is too long."""
    if len(html or "") > MAX_MARKUP:
        raise ValidationError(
            {field: _("The text is too long: at most %(max)s characters, markup included.") % {"max": MAX_MARKUP}}
        )
    cleaned = sanitize_rich_text(html)
    count = rich_text_length(cleaned)
    if count > MAX_LENGTH:
        raise ValidationError({field: _too_long(count)})
    return cleaned


def _hint() -> str:
    return limit_hint(MAX_LENGTH)


#: The limit, shown with every rich-text field before the writer reaches it.
rich_text_hint = lazy(_hint, str)


@per_language  # some 50 translations for each editor on a page
def editor_labels() -> dict[str, str]:
    """
    Return the editor's words in the active language, keyed by the English text the
    library gives them (its toolbar titles, its menu's options, its dialogs' ``gettext``).
    """
    return {
        "paragraph": _("Paragraph"),
        "Paragraph": _("Paragraph"),
        "heading 3": _("Heading 3"),
        "Heading 3": _("Heading 3"),
        "heading 4": _("Heading 4"),
        "Heading 4": _("Heading 4"),
        "unordered list": _("Bulleted list"),
        "ordered list": _("Numbered list"),
        "bold": _("Bold"),
        "italic": _("Italic"),
        "insert link": _("Insert link"),
        "remove link": _("Remove link"),
        "Insert table": _("Insert table"),
        "Add column": _("Add column"),
        "Delete column": _("Delete column"),
        "Add row": _("Add row"),
        "Delete row": _("Delete row"),
        "Merge cells": _("Merge cells"),
        "Split cell": _("Split cell"),
        "Toggle header cell": _("Toggle header cell"),
        "Delete table": _("Delete table"),
        "undo": _("Undo"),
        "redo": _("Redo"),
        # The library's dialogs (through window.gettext).
        "Edit Link": _("Edit link"),
        "URL": _("Address (URL)"),
        "Title": _("Title"),
        "Open in new window": _("Open in new window"),
        "Insert": _("Insert"),
        "Update": _("Update"),
        "Cancel": _("Cancel"),
        "Insert Table": _("Insert table"),
        "Table Properties": _("Table properties"),
        "Rows": _("Rows"),
        "Columns": _("Columns"),
        "Include header row": _("Include header row"),
        "List properties": _("List properties"),
        "List type": _("List type"),
        "Start at": _("Start at"),
        "Decimal numbers": _("Numbers"),
        "Lowercase letters": _("Lowercase letters"),
        "Uppercase letters": _("Uppercase letters"),
        "Lowercase Roman numerals": _("Lowercase Roman numerals"),
        "Uppercase Roman numerals": _("Uppercase Roman numerals"),
        # The project's own: the toolbar's name and the block-type menu's button.
        "toolbar": _("Formatting"),
        "block type": _("Text style: %(style)s"),
    }


class EditorWidget(ProseEditorWidget):
    """
    The editor with the project's preset (``static/js/prose-editor-asn.js``): its words in the
    active language, a toolbar that is one tab stop, and no style element injected (the
    Content-Security-Policy forbids inline style; ``css/editor-base.css`` holds those styles).
    """

    def get_config(self):
        return super().get_config() | {"labels": dict(editor_labels())}

    def config_attribute(self) -> tuple[str, str]:
        """
        The attribute that carries the editor's configuration, as ProseEditorWidget writes it;
        its JSON (3 kB, the same for every editor of a language) made once, not for each
        editor of each page.
        """
        key = (get_language(), self.preset, json.dumps(self.config, sort_keys=True, default=str))
        if key not in _config_json:
            _config_json[key] = json.dumps(self.get_config(), separators=(",", ":"), cls=DjangoJSONEncoder)
        return f"data-django-prose-editor-{self.preset}", _config_json[key]

    def get_context(self, name, value, attrs):
        context = forms.Textarea.get_context(self, name, value, attrs)
        attribute, config = self.config_attribute()
        context["widget"]["attrs"][attribute] = config
        return context


#: The editors' configurations as their attribute gives them, by language, preset and configuration.
_config_json: dict[tuple, str] = {}


def rich_text_field(label: str) -> ProseEditorFormField:
    """
    Return a form field with the editor, offering what the allowlist keeps: at most
    ``MAX_LENGTH`` characters of text (said under the field), ``MAX_MARKUP`` of markup.
    """
    return ProseEditorFormField(
        label=label,
        required=False,
        extensions=EXTENSIONS,
        widget=EditorWidget,
        preset="asn",
        max_length=MAX_MARKUP,
        help_text=rich_text_hint(),
        validators=[RichTextLengthValidator()],
        error_messages={
            "max_length": gettext_lazy("The text is too long: at most %(limit_value)d characters, markup included.")
        },
    )


class RichTextField(models.TextField):
    """
    A model field for sanitised rich text: ``full_clean`` cleans it (``clean_rich_text``)
    and checks both limits, the text's (``MAX_LENGTH``) and the markup's (``MAX_MARKUP``).
    """

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = MAX_MARKUP
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(MAX_MARKUP), RichTextLengthValidator()]

    def to_python(self, value):
        value = super().to_python(value)
        return clean_rich_text(value) if isinstance(value, str) else value


#: The elements that end a line of a rich text read as plain text.
_LINE_ELEMENTS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "ul", "ol", "table"})


class _TextLines(HTMLParser):
    """Collects a rich text's lines: a line per paragraph, list item, heading and table row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []

    def end_line(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in _LINE_ELEMENTS and "".join(self.current).strip() != "•":  # a list item's first paragraph
            self.end_line()
        if tag == "li":
            self.current.append("• ")
        elif tag in ("td", "th") and "".join(self.current).strip():
            self.current.append(" | ")

    def handle_endtag(self, tag):
        if tag in _LINE_ELEMENTS:
            self.end_line()

    def handle_data(self, data):
        self.current.append(data)


def rich_text_lines(html: str) -> str:
    """
    A rich text as plain text, for a spreadsheet's cell: each paragraph, list item (with a
    bullet), heading and table row on a line of its own, the markup dropped, entities read.
    """
    parser = _TextLines()
    parser.feed(html or "")
    parser.close()
    parser.end_line()
    return "\n".join(parser.lines)
