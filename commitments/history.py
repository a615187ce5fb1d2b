"""Readable differences between two saved versions of what a department wrote."""

import difflib
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

_BLOCK_END = re.compile(r"</(p|li|tr|h\d)>|<br\s*/?>", re.IGNORECASE)


def plain_text(html: str) -> str:
    """Return the words of rich text, one paragraph or list item a line."""
    return strip_tags(_BLOCK_END.sub("\n", html or "")).strip()


def text_diff(old_html: str, new_html: str) -> SafeString:
    """Return the new text with removed words in <del> and added words in <ins>, all else escaped."""
    old, new = re.split(r"(\s+)", plain_text(old_html)), re.split(r"(\s+)", plain_text(new_html))
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new[b1:b2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(old[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(new[b1:b2]))}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 (every piece is escaped above)
