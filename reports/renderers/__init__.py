"""One renderer per format; each reads only the document model and returns the file's bytes."""

from reports.document import Document, cleaned

#: Part of every build's fingerprint: raise it when a renderer's output changes, so that the
#: next build is made even though the content is the same.
RENDERER_VERSION = 6  # 6: a line break in a plain text (a commitment, a motivation) is printed as one


def render(document: Document, fmt: str) -> bytes:
    """Return ``document`` as a file in ``fmt`` (html, docx or pdf), every text in it cleaned (``cleaned``)."""
    document = cleaned(document)
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
