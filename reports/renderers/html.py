"""The HTML renderer: the whole document as one accessible page (also WeasyPrint's input for the PDF)."""

from django.template.loader import render_to_string
from django.utils import translation

from reports.document import Document

from .stylesheets import document_css


def render_html(document: Document, *, stylesheet: str | None = None) -> str:
    """
    Return ``document`` as a complete, self-contained HTML page (its stylesheet inside, no
    external requests); reads only the document model. ``stylesheet`` replaces the house
    style (the PDF renderer passes the house style with its own additions).
    """
    with translation.override(document.language):
        return render_to_string(
            "reports/document.html",
            {"document": document, "stylesheet": document_css() if stylesheet is None else stylesheet},
        )
