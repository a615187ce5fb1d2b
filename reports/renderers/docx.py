"""
The Word renderer: the document model as DOCX with python-docx, in the house style.

What each thing looks like is decided in ``docx_style`` (fonts, styles, page, font table);
here every paragraph, run and table only names its style. Headings are Word's Heading 1–6
by depth (so the navigation pane and the contents work), the contents are a TOC field whose
result already lists the headings with links to bookmarks on them, tables repeat their
header row on each page and do not split rows, the title page has no running header.
Rich text is read with lxml into paragraphs, headings, list items, italic/bold runs, links
and tables; nothing of the HTML reaches the file as markup.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import lxml.html
from django.utils.translation import gettext as _
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.text.paragraph import Paragraph

from reports.document import Chart, CommitmentTable, Document, IndicatorTable, RichText, Section, Table

from . import docx_style as style

#: Column widths by kind of table, as shares of the width: the same in every chapter.
COMMITMENT_COLUMNS = (0.38, 0.62)
INDICATOR_COLUMNS = (0.30, 0.14, 0.56)
LABEL_COLUMN = 0.40
#: The label column of a table in a cell, and of a table of five columns or more: the figures
#: ("4 179 332" in bold) and their headings need the room.
NARROW_LABEL_COLUMN = 0.28
#: About as many lines of 9 pt table text as fill two thirds of the page: a row taller than
#: this may split across pages (it would otherwise leave most of a page empty, or its
#: chapter's heading alone at the foot of one).
TALL_ROW_LINES = 36
#: The contents list headings of these levels (the TOC field's \o "1-3").
CONTENTS_LEVELS = 3


@dataclass
class _Entry:
    level: int
    text: str
    bookmark: str


def render_docx(document: Document) -> bytes:
    """Return ``document`` as a .docx file; reads only the document model."""
    return _Renderer(document).render()


class _Renderer:
    def __init__(self, document: Document):
        self.document = document
        self.word = style.house_document()
        self.entries: list[_Entry] = []
        self.bookmarks = 0

    def render(self) -> bytes:
        document, word = self.document, self.word
        word.core_properties.title = document.title
        word.core_properties.author = document.organisation
        word.core_properties.language = style.LANGUAGE
        word.core_properties.subject = document.committee
        self._running_header_and_footer()
        self._title_page()
        contents = None
        if document.contents:
            word.add_paragraph("Innehållsförteckning", style=style.TOC_HEADING)
            # The field goes here, once the headings are known.
            contents = word.add_paragraph(style=style.TOC_LEVELS[0])
        if document.legend:
            self._legend(after_contents=contents is not None)
        for number, section in enumerate(document.sections):
            first = number == 0 and (contents is not None or not document.legend)
            before = len(word.paragraphs) if first else 0
            self._section(section, level=1)
            if first:
                # The first chapter opens a page: after the contents, or after the title page.
                word.paragraphs[before].paragraph_format.page_break_before = True
        if contents is not None:
            self._contents(contents)
        out = io.BytesIO()
        word.save(out)
        return out.getvalue()

    # The frame: running header, footer, title page, contents, legend

    def _running_header_and_footer(self) -> None:
        """Committee left, title right (and UTKAST in a draft), 9 pt; the page number centred below."""
        section = self.word.sections[0]
        header = section.header.paragraphs[0]
        header.style = style.HEADER
        header.add_run(self.document.committee)
        header.add_run("\t")
        header.add_run(self.document.title)
        if self.document.draft:
            header.add_run(" ")
            header.add_run("UTKAST", style=style.DRAFT_MARK)
        footer = section.footer.paragraphs[0]
        footer.style = style.FOOTER
        footer._p.append(_simple_field("PAGE", "1"))
        # The title page has a header and a footer of its own: empty.
        for part in (section.first_page_header, section.first_page_footer):
            part.is_linked_to_previous = False
            part.paragraphs[0].style = style.HEADER if part is section.first_page_header else style.FOOTER

    def _title_page(self) -> None:
        document, word = self.document, self.word
        word.add_paragraph(document.organisation, style=style.TITLE_PAGE_ORGANISATION)
        word.add_paragraph(document.title, style=style.TITLE)
        word.add_paragraph(document.committee, style=style.SUBTITLE)
        for line in (document.occasion, document.decision):
            if line:
                word.add_paragraph(line, style=style.TITLE_PAGE)
        if document.draft:
            paragraph = word.add_paragraph(style=style.TITLE_PAGE)
            paragraph.add_run("UTKAST", style=style.DRAFT_MARK)
            paragraph.add_run(" – innehåller inrapporteringar som inte är godkända")
        # The next page begins with the contents or the first chapter, whose styles open a page.

    def _legend(self, *, after_contents: bool) -> None:
        """The assessment marks the document uses, explained: not a heading, so not in the contents."""
        title = self.word.add_paragraph(_("Legend"), style=style.LEGEND_TITLE)
        if not after_contents:
            title.paragraph_format.page_break_before = True  # after the title page
        for mark in self.document.legend:
            paragraph = self.word.add_paragraph(style=style.LEGEND)
            paragraph.add_run(mark.symbol, style=style.ASSESSMENT_MARK)
            paragraph.add_run(f" {mark.label}")

    def _contents(self, first) -> None:
        """
        The TOC field, its result already written: one paragraph per heading of levels 1–3,
        a link to the bookmark on the heading, a dotted tab and a PAGEREF field for the page.
        Its page numbers are left empty (only a layout knows them); Word fills them when the
        field is updated (F9), LibreOffice when it lays the document out.
        """
        paragraphs = []
        for index, entry in enumerate(self.entries):
            paragraph = first if index == 0 else _new_paragraph_after(paragraphs[-1])
            paragraph.style = style.TOC_LEVELS[entry.level - 1]
            if index == 0:
                _field_start(paragraph._p, 'TOC \\o "1-3" \\h \\z \\u')
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), entry.bookmark)
            link.set(qn("w:history"), "1")
            link.append(_text_run(entry.text))
            link.append(_tab_run())
            _field_start(link, f"PAGEREF {entry.bookmark} \\h")
            link.append(_run(_field_char("end")))
            paragraph._p.append(link)
            paragraphs.append(paragraph)
        if not paragraphs:
            _field_start(first._p, 'TOC \\o "1-3" \\h \\z \\u')
            paragraphs.append(first)
        paragraphs[-1]._p.append(_run(_field_char("end")))

    # Sections and blocks

    def _heading(self, container, text: str, level: int, *, runs_from=None):
        """A heading paragraph at ``level`` (Heading 1–6); levels 1–3 get a bookmark for the contents."""
        level = max(1, min(level, 6))
        paragraph = container.add_paragraph(style=style.HEADINGS[level - 1])
        if runs_from is not None:
            _Inline(self, paragraph).add(runs_from)
        else:
            paragraph.add_run(text)
        if level <= CONTENTS_LEVELS and self.document.contents:
            self.bookmarks += 1
            name = f"_Toc{self.bookmarks:08d}"
            _bookmark(paragraph, name, self.bookmarks)
            self.entries.append(_Entry(level, " ".join(paragraph.text.split()), name))
        return paragraph

    def _section(self, section: Section, *, level: int) -> None:
        """A heading at ``level``, its blocks, then its subsections one level down."""
        heading = f"{section.number} {section.heading}" if section.number else section.heading
        self._heading(self.word, heading, level)
        width = style.TEXT_WIDTH
        for block in section.blocks:
            if isinstance(block, RichText):
                self._rich_text(self.word, block, width=width, level=level)
            elif isinstance(block, Table):
                self._table(self.word, block, width=width, level=level)
            elif isinstance(block, CommitmentTable):
                self._commitments(block, width=width, level=level)
            elif isinstance(block, IndicatorTable):
                self._indicators(block, width=width, level=level)
            elif isinstance(block, Chart):
                self._chart(block, width=width)
        for subsection in section.subsections:
            self._section(subsection, level=level + 1)

    def _commitments(self, block: CommitmentTable, *, width: int, level: int) -> None:
        widths = _shares(width, COMMITMENT_COLUMNS)
        table = _new_table(self.word, widths, block.header or ("Åtagande", "Kommentar"))
        for row in block.rows:
            cells = _add_row(table)
            cells[0].paragraphs[0].add_run(row.text)
            target = cells[1]
            if row.assessment:
                paragraph = target.paragraphs[0]
                paragraph.add_run(row.assessment.symbol, style=style.ASSESSMENT_MARK)
                paragraph.add_run(" ")
                paragraph.add_run(f"({row.assessment.label})", style=style.ASSESSMENT)
            self._rich_text(target, row.comment, width=_inner(widths[1]), level=level + 1)
            _drop_leading_empty_paragraph(target)
            _let_a_tall_row_split(table.rows[-1], widths)

    def _indicators(self, block: IndicatorTable, *, width: int, level: int) -> None:
        widths = _shares(width, INDICATOR_COLUMNS)
        header = block.header or ("Åtagandeindikator", "Utfall", "Kommentar")
        table = _new_table(self.word, widths, header, numeric=(False, True))
        for row in block.rows:
            cells = _add_row(table)
            cells[0].paragraphs[0].add_run(row.name)
            cells[1].paragraphs[0].style = style.TABLE_FIGURE
            cells[1].paragraphs[0].add_run(row.outcome)
            for part in row.comment:
                if isinstance(part, Table):
                    self._table(cells[2], part, width=_inner(widths[2]))
                else:
                    self._rich_text(cells[2], part, width=_inner(widths[2]), level=level + 1)
            _drop_leading_empty_paragraph(cells[2])
            _let_a_tall_row_split(table.rows[-1], widths)

    def _table(self, container, table: Table, *, width: int, level: int = 1) -> None:
        """
        A plain table: the label column 40 %, the others share the rest (a two-column table
        60/40). In a cell, where the table spans the cell, and in a table of five columns or
        more, the label column gets 28 %, so that the figures and their headings ("Samtliga")
        fit unbroken in the narrow columns. A table with rich-text columns (comments) shares
        its width by weight: a comment three, the label two and a half, a figure one.
        """
        if table.caption:
            container.add_paragraph(table.caption, style=style.CAPTION)
        count = len(table.header)
        rich = tuple(table.rich)
        label = LABEL_COLUMN if container is self.word and count < 5 else NARROW_LABEL_COLUMN
        if any(rich):
            weights = [2.5 if i == 0 else 3.0 if i < len(rich) and rich[i] else 1.0 for i in range(count)]
            shares = tuple(weight / sum(weights) for weight in weights)
        elif count == 2:
            shares = (0.60, 0.40)
        elif count > 2:
            shares = (label, *((1 - label) / (count - 1),) * (count - 1))
        else:
            shares = (1.0,)
        numeric = tuple(table.numeric)
        widths = _shares(width, shares)
        word_table = _new_table(container, widths, table.header, numeric=numeric)
        for index, row in enumerate(table.rows):
            total = index in table.totals
            for column, (cell, text) in enumerate(zip(_add_row(word_table), row, strict=True)):
                figure = column < len(numeric) and numeric[column]
                if column < len(rich) and rich[column]:
                    self._rich_text(cell, RichText(text), width=_inner(widths[column]), level=level + 1)
                    _drop_leading_empty_paragraph(cell)
                    continue
                if total:
                    cell.paragraphs[0].style = style.TABLE_SUM_FIGURE if figure else style.TABLE_SUM
                elif figure:
                    cell.paragraphs[0].style = style.TABLE_FIGURE
                cell.paragraphs[0].add_run(text)

    def _chart(self, chart: Chart, *, width: int) -> None:
        """The chart's title, the chart as a picture with its text alternative, then its data table."""
        from .charts import chart_png  # imported on use: matplotlib is slow to load

        self.word.add_paragraph(chart.title, style=style.CAPTION)
        run = self.word.add_paragraph(style=style.FIGURE).add_run()
        picture = run.add_picture(io.BytesIO(chart_png(chart)), width=Emu(width * 635))
        properties = picture._inline.docPr
        properties.set("descr", chart.description)  # Word's "alt text", read by screen readers
        properties.set("title", chart.title)
        self._table(self.word, chart.table, width=width)

    # Rich text

    def _rich_text(self, container, text: RichText, *, width: int, level: int) -> None:
        """
        Sanitised rich text: paragraphs, subheadings, bullet and numbered lists (nested), line
        breaks, italic/bold runs, links and tables. Text outside any paragraph gets a paragraph
        of its own. A section's text has its headings shifted below the section (h3 under a
        chapter is Heading 2); a comment's headings in a cell stay below the section too.
        """
        if not text.html.strip():
            return
        root = lxml.html.fragment_fromstring(text.html, create_parent="div")
        in_cell = container is not self.word
        _Blocks(self, container, width=width, level=level, in_cell=in_cell).add(root)


#: A cell that holds only a figure ("1 376", "−4 004", "18,5 %"): set as figures are.
FIGURE = re.compile(r"^\s*[−+-]?\d[\d\s\u00a0]*(,\d+)?\s*%?\s*$")
LIST_STYLES = {"ul": style.LIST_BULLET, "ol": style.LIST_NUMBER}
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _Blocks:
    """The block elements of a piece of rich text, added to a container (the body or a cell)."""

    def __init__(self, renderer: _Renderer, container, *, width: int, level: int, in_cell: bool):
        self.renderer, self.container = renderer, container
        self.width, self.level, self.in_cell = width, level, in_cell
        self.body = style.TABLE_TEXT if in_cell else style.BODY

    def add(self, element) -> None:
        """Add the children of ``element``; loose text joins one paragraph."""
        container = self.container
        loose = None  # the paragraph that text between blocks goes into

        def paragraph_for_loose_text():
            nonlocal loose
            if loose is None:
                loose = container.add_paragraph(style=self.body)
            return loose

        if element.text and element.text.strip():
            paragraph_for_loose_text().add_run(element.text)
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "p":
                _Inline(self.renderer, container.add_paragraph(style=self.body)).add(child)
                loose = None
            elif tag in HEADING_TAGS:
                self.renderer._heading(container, "", self._heading_level(HEADING_TAGS[tag]), runs_from=child)
                loose = None
            elif tag in LIST_STYLES:
                for item in child:
                    if getattr(item, "tag", None) == "li":
                        self._list_item(item, LIST_STYLES[tag], 0)
                loose = None
            elif tag == "table":
                self._html_table(child)
                loose = None
            elif tag:
                _Inline(self.renderer, paragraph_for_loose_text()).add(child, with_tail=False)
            if child.tail and child.tail.strip():
                paragraph_for_loose_text().add_run(child.tail)

    def _heading_level(self, html_level: int) -> int:
        """
        A section's text has its headings one below the section (the assembly shifts them: a
        chapter is h2, its text's subheading h3, Heading 2); in a cell they stand below the
        chapter's own subsections, at Heading 4 or deeper, out of the contents.
        """
        level = html_level - 1
        if self.in_cell:
            level = max(level, self.level + 1, CONTENTS_LEVELS + 1)
        return max(self.level + 1, min(level, 6))

    def _list_item(self, item, styles: tuple[str, ...], depth: int) -> None:
        """A list item: its text (also in the <p> the editor wraps it in) in one list paragraph; nested lists below."""
        container = self.container
        paragraph = container.add_paragraph(style=styles[min(depth, 2)])
        inline = _Inline(self.renderer, paragraph)
        if item.text and item.text.strip():
            paragraph.add_run(item.text)
        for child in item:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in LIST_STYLES:
                for nested in child:
                    if getattr(nested, "tag", None) == "li":
                        self._list_item(nested, LIST_STYLES[tag], depth + 1)
            elif tag == "p":
                if paragraph.text:
                    paragraph = container.add_paragraph(style=style.LIST_CONTINUE)
                    inline = _Inline(self.renderer, paragraph)
                inline.add(child)
            elif tag:
                inline.add(child, with_tail=False)
            if child.tail and child.tail.strip():
                paragraph.add_run(child.tail)

    def _html_table(self, table) -> None:
        """A table from a comment, as a Word table: a first row of <th> cells is its repeating header."""
        rows = list(table.iter("tr"))
        if not rows:
            return
        width = max(len([c for c in tr if c.tag in ("td", "th")]) for tr in rows)
        if width == 0:
            return
        header = [c for c in rows[0] if c.tag in ("td", "th")]
        has_header = bool(header) and all(c.tag == "th" for c in header)
        widths = _shares(self.width, (1 / width,) * width)
        word_table = _new_table(self.container, widths, None)
        for index, tr in enumerate(rows):
            cells = [c for c in tr if c.tag in ("td", "th")]
            word_cells = _add_row(word_table, header=index == 0 and has_header)
            for column, (cell, html_cell) in enumerate(zip(word_cells, cells, strict=False)):
                blocks = _Blocks(self.renderer, cell, width=_inner(widths[column]), level=self.level, in_cell=True)
                figure = FIGURE.match(html_cell.text_content() or "") is not None
                if html_cell.tag == "th":
                    blocks.body = style.TABLE_HEADING
                elif figure:
                    blocks.body = style.TABLE_FIGURE
                blocks.add(html_cell)
                _drop_leading_empty_paragraph(cell)


class _Inline:
    """Text and inline elements as runs of one paragraph: italic and bold from the text, links as Word hyperlinks."""

    def __init__(self, renderer: _Renderer, paragraph):
        self.renderer, self.paragraph = renderer, paragraph

    def add(self, element, *, italic: bool = False, bold: bool = False, with_tail: bool = False) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        inner_italic = italic or tag in ("i", "em")
        inner_bold = bold or tag in ("b", "strong")
        if tag == "br":
            self.paragraph.add_run().add_break()
        elif tag == "a" and element.get("href"):
            self._hyperlink(element.get("href"), element.text_content(), italic=inner_italic, bold=inner_bold)
        else:
            if element.text:
                self._run(element.text, italic=inner_italic, bold=inner_bold)
            for child in element:
                self.add(child, italic=inner_italic, bold=inner_bold, with_tail=True)
        if with_tail and element.tail:
            self._run(element.tail, italic=italic, bold=bold)

    def _run(self, text: str, *, italic: bool, bold: bool, character_style: str | None = None):
        run = self.paragraph.add_run(text, style=character_style)
        run.italic, run.bold = italic or None, bold or None
        return run

    def _hyperlink(self, url: str, text: str, *, italic: bool, bold: bool) -> None:
        """A real Word hyperlink in the Hyperlink style (the sanitiser lets only http, https and mailto through)."""
        paragraph = self.paragraph
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True))
        run = self._run(text, italic=italic, bold=bold, character_style=style.HYPERLINK)
        link.append(run._r)
        paragraph._p.append(link)


# Tables


def _shares(width: int, shares: tuple[float, ...]) -> list[int]:
    """Column widths (twips) for ``shares`` of ``width``; the last takes what rounding leaves."""
    widths = [int(width * share) for share in shares[:-1]]
    return [*widths, int(width) - sum(widths)]


def _inner(width: int) -> int:
    """The width of a cell's content: the cell less its padding."""
    return width - 2 * style.CELL_PADDING_HORIZONTAL


def _new_table(container, widths: list[int], header: tuple[str, ...] | None, *, numeric: tuple[bool, ...] = ()):
    """
    A table in the "Tabell" style with fixed column widths; ``header`` (if given) is its
    first row, which repeats on every page. Header cells over figures are right-aligned too.
    """
    if isinstance(container, WordDocument) and len(body := container.element.body) > 1 and body[-2].tag == qn("w:tbl"):
        container.add_paragraph()  # two tables in a row would run together into one
    table = container.add_table(rows=0, cols=len(widths))
    table.style = style.TABLE
    table.autofit = False  # fixed layout: the widths below, whatever the text
    properties = table._tbl.tblPr
    width = properties.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        properties.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(widths)))
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        for name, value in (("firstRow", "1"), ("lastRow", "0"), ("firstColumn", "0"), ("lastColumn", "0"),
                            ("noHBand", "1"), ("noVBand", "1"), ("val", "0620")):  # fmt: skip
            look.set(qn(f"w:{name}"), value)
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = Emu(column_width * 635)
    if header is not None:
        cells = _add_row(table, header=True)
        for column, (cell, text) in enumerate(zip(cells, header, strict=True)):
            figure = column < len(numeric) and numeric[column]
            cell.paragraphs[0].style = style.TABLE_HEADING_FIGURE if figure else style.TABLE_HEADING
            cell.paragraphs[0].add_run(text)
    return table


def _add_row(table, *, header: bool = False):
    """A new row that may not split across pages (a header row repeats on each page); its cells."""
    row = table.add_row()
    properties = row._tr.get_or_add_trPr()
    properties.append(_on("w:cantSplit"))
    if header:
        properties.append(_on("w:tblHeader"))
    for cell in row.cells:
        cell.paragraphs[0].style = style.TABLE_HEADING if header else style.TABLE_TEXT
    return row.cells


def _let_a_tall_row_split(row, widths: list[int]) -> None:
    """
    Drop a body row's cantSplit when its text (estimated: 9 pt DejaVu Sans, about 95 twips a
    character, a nested table's row about a line and a half) would take more than
    ``TALL_ROW_LINES`` lines: Word and LibreOffice cannot keep such a row on one page anyway,
    and would only push it to the next.
    """
    lines = 0.0
    for cell, width in zip(row.cells, widths, strict=False):
        per_line = max(1, _inner(width) // 95)
        cell_lines = 0.0
        for child in cell._tc.iterchildren(qn("w:p"), qn("w:tbl")):
            if child.tag == qn("w:tbl"):
                cell_lines += 1.6 * len(child.findall(qn("w:tr")))
            else:
                cell_lines += -(-len("".join(child.xpath(".//w:t/text()"))) // per_line) + 0.3
        lines = max(lines, cell_lines)
    if lines > TALL_ROW_LINES:
        for element in row._tr.trPr.findall(qn("w:cantSplit")):
            row._tr.trPr.remove(element)


def _on(tag: str):
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


def _drop_leading_empty_paragraph(cell) -> None:
    """
    A new Word cell starts with an empty paragraph, and python-docx puts one after each table
    in a cell: drop those that other content follows (a cell must end with a paragraph).
    """
    children = list(cell._tc.iterchildren(qn("w:p"), qn("w:tbl")))
    for index, child in enumerate(children[:-1]):
        between_tables = index > 0 and children[index - 1].tag == children[index + 1].tag == qn("w:tbl")
        if child.tag == qn("w:p") and not child.xpath("./w:r | ./w:hyperlink") and not between_tables:
            cell._tc.remove(child)
    last = Paragraph(children[-1], cell) if children and children[-1].tag == qn("w:p") else None
    if last is not None and (last._p.pPr is None or last._p.pPr.pStyle is None):
        last.style = style.TABLE_TEXT


# Fields, bookmarks, runs


def _run(*children):
    run = OxmlElement("w:r")
    for child in children:
        run.append(child)
    return run


def _text_run(text: str):
    element = OxmlElement("w:t")
    element.set(qn("xml:space"), "preserve")
    element.text = text
    return _run(element)


def _tab_run():
    return _run(OxmlElement("w:tab"))


def _field_char(kind: str):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def _field_start(parent, instruction: str) -> None:
    """Begin a complex field in ``parent`` (a paragraph or a hyperlink): begin, the instruction, separate."""
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    parent.append(_run(_field_char("begin")))
    parent.append(_run(code))
    parent.append(_run(_field_char("separate")))


def _simple_field(instruction: str, result: str):
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    text = OxmlElement("w:t")
    text.text = result
    field.append(_run(text))
    return field


def _bookmark(paragraph, name: str, number: int) -> None:
    """A bookmark around the paragraph's text (after its properties)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    p = paragraph._p
    properties = p.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def _new_paragraph_after(paragraph):
    element = OxmlElement("w:p")
    paragraph._p.addnext(element)
    return Paragraph(element, paragraph._parent)
