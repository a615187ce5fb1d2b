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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from reports.document import Chart, CommitmentTable, Document, IndicatorTable, RichText, Section, Table


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
                for part in row.comment:
                    if isinstance(part, Table):
                        _add_table(cells[2], part)
                    else:
                        _add_rich_text(cells[2], part)
        elif isinstance(block, Chart):
            _add_chart(word, block)
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
        for column, (cell, text) in enumerate(zip(word_table.add_row().cells, row, strict=True)):
            cell.text = text
            if column < len(table.numeric) and table.numeric[column]:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _add_chart(container, chart: Chart) -> None:
    """The chart's title, the chart as a picture with its text alternative, then its data table."""
    from .charts import chart_png  # imported on use: matplotlib is slow to load

    container.add_paragraph(chart.title, style="Caption")
    picture = container.add_paragraph().add_run().add_picture(io.BytesIO(chart_png(chart)), width=Cm(16))
    properties = picture._inline.docPr
    properties.set("descr", chart.description)  # Word's "alt text", read by screen readers
    properties.set("title", chart.title)
    _add_table(container, chart.table)


def _add_rich_text(container, text: RichText) -> None:
    """
    Add sanitised rich text: paragraphs, subheadings, bullet and numbered lists (nested),
    line breaks, italic/bold runs, links and tables. Nothing of the HTML reaches the file as
    markup; text outside any paragraph gets a paragraph of its own.
    """
    if not text.html.strip():
        return
    root = lxml.html.fragment_fromstring(text.html, create_parent="div")
    _add_blocks(container, root)


LIST_STYLES = {
    "ul": ("List Bullet", "List Bullet 2", "List Bullet 3"),
    "ol": ("List Number", "List Number 2", "List Number 3"),
}


def _add_blocks(container, element, *, list_depth: int = 0) -> None:
    """Add the children of ``element`` as paragraphs, lists and tables; loose text joins one paragraph."""
    loose = None  # the paragraph that text between blocks goes into

    def paragraph_for_loose_text():
        nonlocal loose
        if loose is None:
            loose = container.add_paragraph()
        return loose

    if element.text and element.text.strip():
        _add_run(paragraph_for_loose_text(), element.text, italic=False, bold=False)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("p", "h3", "h4", "h5", "h6"):
            paragraph = container.add_paragraph()
            _add_inline(paragraph, child, italic=False, bold=tag != "p")
            loose = None
        elif tag in LIST_STYLES:
            for item in child:
                if getattr(item, "tag", None) == "li":
                    _add_list_item(container, item, LIST_STYLES[tag][min(list_depth, 2)], list_depth)
            loose = None
        elif tag == "table":
            _add_html_table(container, child)
            loose = None
        elif tag:
            _add_inline(paragraph_for_loose_text(), child, italic=False, bold=False, with_tail=False)
        if child.tail and child.tail.strip():
            _add_run(paragraph_for_loose_text(), child.tail, italic=False, bold=False)


def _add_list_item(container, item, style: str, depth: int) -> None:
    """A list item: its text (also inside the <p> the editor wraps it in) in one list paragraph; nested lists below."""
    paragraph = container.add_paragraph(style=style)
    if item.text and item.text.strip():
        _add_run(paragraph, item.text, italic=False, bold=False)
    for child in item:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in LIST_STYLES:
            for nested in child:
                if getattr(nested, "tag", None) == "li":
                    _add_list_item(container, nested, LIST_STYLES[tag][min(depth + 1, 2)], depth + 1)
        elif tag == "p":
            if paragraph.text:
                paragraph = container.add_paragraph(style="List Continue")
            _add_inline(paragraph, child, italic=False, bold=False)
        elif tag:
            _add_inline(paragraph, child, italic=False, bold=False, with_tail=False)
        if child.tail and child.tail.strip():
            _add_run(paragraph, child.tail, italic=False, bold=False)


def _add_html_table(container, table) -> None:
    """A table from a comment, as a Word table; a first row of <th> cells is its repeating header."""
    rows = [tr for tr in table.iter("tr")]
    if not rows:
        return
    width = max(len([c for c in tr if c.tag in ("td", "th")]) for tr in rows)
    if width == 0:
        return
    word_table = container.add_table(rows=0, cols=width)
    word_table.style = "Table Grid"
    for index, tr in enumerate(rows):
        cells = [c for c in tr if c.tag in ("td", "th")]
        word_row = word_table.add_row()
        for cell, html_cell in zip(word_row.cells, cells, strict=False):
            _add_blocks(cell, html_cell)
            _drop_leading_empty_paragraph(cell)
            if html_cell.tag == "th":
                for run in (r for p in cell.paragraphs for r in p.runs):
                    run.bold = True
        if index == 0 and cells and all(c.tag == "th" for c in cells):
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            word_row._tr.get_or_add_trPr().append(repeat)


def _drop_leading_empty_paragraph(cell) -> None:
    """A new Word cell starts with an empty paragraph; drop it when other paragraphs follow."""
    paragraphs = cell.paragraphs
    if len(paragraphs) > 1 and not paragraphs[0].text and not paragraphs[0].runs:
        paragraphs[0]._p.getparent().remove(paragraphs[0]._p)


def _add_run(paragraph, text: str, *, italic: bool, bold: bool):
    run = paragraph.add_run(text)
    run.italic, run.bold = italic or None, bold or None
    return run


def _add_inline(paragraph, element, *, italic: bool, bold: bool, with_tail: bool = False) -> None:
    """
    Add ``element``'s text and inline children to ``paragraph`` as runs (links as Word
    hyperlinks). ``italic`` and ``bold`` are the surrounding formatting, which the tail keeps.
    """
    tag = element.tag if isinstance(element.tag, str) else ""
    inner_italic = italic or tag in ("i", "em")
    inner_bold = bold or tag in ("b", "strong")
    if tag == "br":
        paragraph.add_run().add_break()
    elif tag == "a" and element.get("href"):
        _add_hyperlink(paragraph, element.get("href"), element.text_content(), italic=inner_italic, bold=inner_bold)
    else:
        if element.text:
            _add_run(paragraph, element.text, italic=inner_italic, bold=inner_bold)
        for child in element:
            _add_inline(paragraph, child, italic=inner_italic, bold=inner_bold, with_tail=True)
    if with_tail and element.tail:
        _add_run(paragraph, element.tail, italic=italic, bold=bold)


def _add_hyperlink(paragraph, url: str, text: str, *, italic: bool, bold: bool) -> None:
    """A real Word hyperlink, underlined (the sanitiser lets only http, https and mailto addresses through)."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True))
    run = _add_run(paragraph, text, italic=italic, bold=bold)
    run.font.underline = True
    link.append(run._r)
    paragraph._p.append(link)
