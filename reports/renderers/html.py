"""The HTML renderer: the whole document as one accessible page (also WeasyPrint's input for the PDF)."""

from django.template.loader import render_to_string
from django.utils import translation

from reports.document import Document


def render_html(document: Document, *, stylesheet: str = "") -> str:
    """Return ``document`` as a complete HTML page; reads only the document model."""
    with translation.override(document.language):
        return render_to_string(
            "reports/document.html",
            {"document": document, "stylesheet": stylesheet},
        )
