"""
The Word renderer: the document model as DOCX with python-docx.

Real heading styles (so Word's navigation pane and a table of contents work), a TOC field
Word fills when the file is opened, table header rows that repeat on every page, Swedish
as the document language. Rich text is read with lxml into paragraphs, list items and
italic/bold runs; nothing of the HTML reaches the file as markup.
"""

from __future__ import annotations

import io

import lxml.html
from docx import Document as WordDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from reports.document import CommitmentTable, Document, IndicatorTable, RichText, Section, Table

BLOCK_TAGS = {"p", "li", "h3", "h4"}


def render_docx(document: Document) -> bytes:
    """Return ``document`` as a .docx file; reads only the document model."""
    word = WordDocument()
    _set_language(word, "sv-SE")
    word.core_properties.title = document.title
    word.core_properties.author = document.organisation
    word.core_properties.language = "sv-SE"

    word.add_paragraph(document.organisation)
    word.add_paragraph(document.title, style="Title")
    word.add_paragraph(document.committee)
    if document.draft:
        word.add_paragraph("UTKAST – innehåller inrapporteringar som inte är godkända")
        # …and on every page, in the page header.
        header = word.sections[0].header.paragraphs[0]
        header.text = "UTKAST"
        header.runs[0].bold = True
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    word.add_paragraph("Innehållsförteckning", style="Heading 1")
    _add_toc(word)
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    for section in document.sections:
        _add_section(word, section, level=1)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _add_section(word, section: Section, *, level: int) -> None:
    """A heading at ``level`` (Word's Heading 1, 2, …), its blocks, then its subsections one level down."""
    heading = f"{section.number} {section.heading}" if section.number else section.heading
    word.add_heading(heading, level=min(level, 9))
    for block in section.blocks:
        if isinstance(block, RichText):
            _add_rich_text(word, block)
        elif isinstance(block, Table):
            _add_table(word, block)
        elif isinstance(block, CommitmentTable):
            table = _new_table(word, ("Åtagande", "Kommentar"))
            for row in block.rows:
                cells = table.add_row().cells
                cells[0].text = row.text
                target = cells[1]
                if row.assessment:
                    target.paragraphs[0].add_run(f"{row.assessment.symbol} ").bold = True
                    target.paragraphs[0].add_run(f"({row.assessment.label})").italic = True
                _add_rich_text(target, row.comment)
        elif isinstance(block, IndicatorTable):
            table = _new_table(word, ("Åtagandeindikator", "Utfall", "Kommentar"))
            for row in block.rows:
                cells = table.add_row().cells
                cells[0].text = row.name
                cells[1].text = row.outcome
                _add_rich_text(cells[2], row.comment)
                if row.breakdown:
                    _add_table(cells[2], row.breakdown)
    for subsection in section.subsections:
        _add_section(word, subsection, level=level + 1)


def _set_language(word, language: str) -> None:
    """Set the default proofing language of the document's styles."""
    styles = word.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), language)


def _add_toc(word) -> None:
    """Add a table-of-contents field that Word updates when the file is opened."""
    paragraph = word.add_paragraph()
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, 'TOC \\o "1-3" \\h \\z \\u'), ("separate", None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    settings = word.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def _new_table(container, header: tuple[str, ...]):
    table = container.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    # The header row repeats on every page the table spans.
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row_properties.append(repeat)
    return table


def _add_table(container, table: Table) -> None:
    if table.caption:
        container.add_paragraph(table.caption)
    word_table = _new_table(container, table.header)
    for row in table.rows:
        for cell, text in zip(word_table.add_row().cells, row, strict=True):
            cell.text = text


def _add_rich_text(container, text: RichText) -> None:
    """Add sanitised rich text as paragraphs, list items and italic/bold runs."""
    if not text.html.strip():
        return
    root = lxml.html.fragment_fromstring(text.html, create_parent="div")
    for element in root.iter():
        if element.tag not in BLOCK_TAGS or any(a.tag in BLOCK_TAGS for a in element.iterancestors()):
            continue
        style = "List Bullet" if element.tag == "li" else None
        paragraph = container.add_paragraph(style=style) if style else container.add_paragraph()
        _add_runs(paragraph, element, italic=False, bold=False)


def _add_runs(paragraph, element, *, italic: bool, bold: bool) -> None:
    italic = italic or element.tag in ("i", "em")
    bold = bold or element.tag in ("b", "strong")
    if element.text:
        run = paragraph.add_run(element.text)
        run.italic, run.bold = italic or None, bold or None
    for child in element:
        if child.tag in BLOCK_TAGS:
            continue
        _add_runs(paragraph, child, italic=italic, bold=bold)
        if child.tail:
            run = paragraph.add_run(child.tail)
            run.italic, run.bold = italic or None, bold or None
