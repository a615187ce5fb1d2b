"""
The PDF renderer: WeasyPrint turns the HTML rendering into a tagged PDF (PDF/UA-1).

The tags (headings, tables, lists, links), the document title and the language come from
the HTML; the print stylesheet sets A4 pages, page numbers and, for drafts, "Utkast" on
every page.
"""

from reports.document import Document

from .html import render_html

PRINT_CSS = """
@page {
  size: A4;
  margin: 2.2cm 2cm 2.4cm;
  @bottom-right { content: counter(page); font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 9pt; }
}
@page :first { @bottom-right { content: none; } }
body { font-family: "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.35; }
.title-page { page-break-after: always; padding-top: 8cm; }
.title-page h1 { font-size: 24pt; }
.toc { page-break-after: always; }
.toc ol { list-style: none; padding: 0; }
.toc li { margin: 0.15cm 0; }
.toc a { color: inherit; text-decoration: none; display: block; }
.toc a::after { content: leader(".") target-counter(attr(href url), page); }
section.level-2 { page-break-before: always; }
h2 { font-size: 15pt; }
h2, h3, h4, caption { break-after: avoid; }
table.indicators tr, table.data tr, .assessment { break-inside: avoid; }
h3 { font-size: 12.5pt; margin-top: 0.6cm; }
h4 { font-size: 11pt; }
.toc ol ol { padding-left: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: 0.4cm 0; }
th, td { border: 0.5pt solid #555; padding: 4pt 6pt; vertical-align: top; text-align: left; }
thead { display: table-header-group; }
table.data { width: auto; }
td.num { text-align: right; white-space: nowrap; }
.assessment { font-weight: bold; margin: 0; }
figure.chart { margin: 0.4cm 0; break-inside: avoid; }
figure.chart figcaption { font-weight: bold; margin-bottom: 0.2cm; }
figure.chart img { display: block; width: 16cm; max-width: 100%; height: auto; }
figure.chart td { text-align: right; white-space: nowrap; }
.visually-hidden { font-size: 0; }
"""
DRAFT_CSS = """
@page { @top-center { content: "UTKAST"; font-family: "Liberation Sans", "DejaVu Sans", sans-serif;
  font-weight: bold; color: #b00020; } }
"""


def render_pdf(document: Document) -> bytes:
    """Return ``document`` as a tagged PDF; reads only the document model."""
    from weasyprint import HTML  # imported on use: it costs about a second per process

    stylesheet = PRINT_CSS + (DRAFT_CSS if document.draft else "")
    html = render_html(document, stylesheet=stylesheet)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
