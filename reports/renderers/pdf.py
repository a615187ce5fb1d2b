"""
The PDF renderer: WeasyPrint turns the HTML rendering into a tagged PDF (PDF/UA-1).

The tags (headings, tables, lists, links), the document title and the language come from
the HTML; the house stylesheet (static/css/document.css and document-print.css, the same
the HTML edition carries) sets A4 pages, the running header, page numbers and, for drafts,
"UTKAST" on every page.
"""

from reports.document import Document

from .html import render_html
from .pdf_tags import finish_tags
from .stylesheets import document_css

#: Drafts say so at the top of every page, the title page too (the only mark on it).
DRAFT_CSS = """
@page { @top-center { content: "UTKAST"; font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt;
  font-weight: bold; color: #b00020; vertical-align: bottom; padding-bottom: 0.4cm; } }
@page :first { @top-center { content: "UTKAST"; } }
"""


def render_pdf(document: Document) -> bytes:
    """Return ``document`` as a tagged PDF; reads only the document model."""
    from weasyprint import HTML  # imported on use: it costs about a second per process

    stylesheet = document_css() + (DRAFT_CSS if document.draft else "")
    html = render_html(document, stylesheet=stylesheet)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", finisher=finish_tags)
