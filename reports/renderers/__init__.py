"""One renderer per format; each reads only the document model and returns the file's bytes."""

from reports.document import Document

#: Part of every build's fingerprint: raise it when a renderer's output changes, so that the
#: next build is made even though the content is the same.
RENDERER_VERSION = 5


def render(document: Document, fmt: str) -> bytes:
    """Return ``document`` as a file in ``fmt`` (html, docx or pdf)."""
    if fmt == "html":
        from .html import render_html

        return render_html(document).encode("utf-8")
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(document)
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(document)
    raise ValueError(f"Unknown format: {fmt}")
