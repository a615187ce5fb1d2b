"""Readable differences between two saved versions of what a department wrote."""

import difflib
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_BLOCK_END = re.compile(r"</(p|li|tr|h\d)>|<br\s*/?>", re.IGNORECASE)


def plain_text(html: str) -> str:
    """Return the words of rich text, one paragraph or list item a line."""
    return strip_tags(_BLOCK_END.sub("\n", html or "")).strip()


def removed_prefix() -> str:
    """Return the hidden words that tell a screen reader's listener a <del> begins."""
    return f'<span class="visually-hidden">{escape(_("removed:"))} </span>'


def added_prefix() -> str:
    """Return the hidden words that tell a screen reader's listener an <ins> begins."""
    return f'<span class="visually-hidden">{escape(_("added:"))} </span>'


def text_diff(old_html: str, new_html: str) -> SafeString:
    """
    Return the new text with removed words in <del> and added words in <ins>, all else
    escaped. Each begins with hidden words ("removed:", "added:"): screen readers do not
    announce the elements, and strikethrough and underline are not seen by everyone.
    """
    old, new = re.split(r"(\s+)", plain_text(old_html)), re.split(r"(\s+)", plain_text(new_html))
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new[b1:b2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{removed_prefix()}{escape(''.join(old[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{added_prefix()}{escape(''.join(new[b1:b2]))}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 (every piece is escaped above)
