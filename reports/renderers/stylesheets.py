"""The house stylesheets of the documents, read once per process from the static files."""

from functools import cache

from django.contrib.staticfiles import finders

#: The screen and print look of a committee document (the HTML edition, the PDF, the app's report pages).
DOCUMENT_CSS = "css/document.css"
#: The printed page: A4, margins, running header and page numbers, page breaks.
PRINT_CSS = "css/document-print.css"


@cache
def stylesheet(name: str) -> str:
    """The text of the static file ``name``, found as ``collectstatic`` would find it."""
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(name)
    with open(path, encoding="utf-8") as f:
        return f.read()


def document_css() -> str:
    """What the HTML edition carries inside: the house style, and how it prints."""
    return stylesheet(DOCUMENT_CSS) + "\n" + stylesheet(PRINT_CSS)
