"""
The house style of the Word documents, in one place: fonts, paragraph, character and table
styles, the page and the font table, set up on a new python-docx document.

The renderer (``reports.renderers.docx``) uses style names only; what a style looks like is
decided here. The same decisions hold for the PDF and the HTML page: DejaVu Sans (free, with
● ◆ ◐ ○ ■ − and tabular digits; Word on Windows substitutes Verdana, its metric sibling, by
the font table's altName), body 10 pt, headings never smaller than the body, one table style
with a grey-blue header row and thin rules, an A4 page with 2.5 cm margins.
"""

from __future__ import annotations

from docx import Document as new_document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import CONTENT_TYPE as CT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor, Twips

FONT = "DejaVu Sans"
#: The font table's entry for DejaVu Sans: Verdana stands in for it where it is missing.
FONT_ENTRY = (
    f'<w:font {nsdecls("w")} w:name="{FONT}"><w:altName w:val="Verdana"/>'
    '<w:panose1 w:val="020B0603030804020204"/><w:charset w:val="00"/><w:family w:val="swiss"/>'
    '<w:pitch w:val="variable"/>'
    '<w:sig w:usb0="E7006EFF" w:usb1="D200FDFF" w:usb2="0A246029" w:usb3="0400200C" w:csb0="600001FF"'
    ' w:csb1="DFFF0000"/>'
    "</w:font>"
)
LANGUAGE = "sv-SE"

TEXT = RGBColor(0x1A, 0x1A, 0x1A)
MUTED = RGBColor(0x4A, 0x4A, 0x4A)
ACCENT = RGBColor(0x0B, 0x4F, 0x8A)
DRAFT = RGBColor(0xB0, 0x00, 0x20)
RULE = "8C8C8C"
HEADER_FILL = "E8EEF4"

BODY_SIZE = Pt(10)
TABLE_SIZE = Pt(9)

# The page: A4, 2.5 cm margins all round.
PAGE_WIDTH, PAGE_HEIGHT = Cm(21), Cm(29.7)
MARGIN = Cm(2.5)
HEADER_DISTANCE = Cm(1.25)
#: The width of the text, in twentieths of a point (tables are laid out in these).
TEXT_WIDTH = round((PAGE_WIDTH - 2 * MARGIN) / 635)
#: Cell padding, in twentieths of a point: 3 pt above and below, 4 pt left and right.
CELL_PADDING_VERTICAL, CELL_PADDING_HORIZONTAL = 60, 80

# Style names the renderer uses.
TITLE = "Title"
SUBTITLE = "Subtitle"
TITLE_PAGE = "Titelsida"
TITLE_PAGE_ORGANISATION = "Titelsida organisation"
TOC_HEADING = "TOC Heading"
#: Word's own names of its contents styles (lower case, as Word writes them), so that Word
#: takes them for its built-in ones when it updates the contents.
TOC_LEVELS = ("toc 1", "toc 2", "toc 3")
HEADINGS = tuple(f"Heading {level}" for level in range(1, 7))
BODY = "Normal"
CAPTION = "Caption"
FIGURE = "Figur"
LEGEND_TITLE = "Teckenförklaring rubrik"
LEGEND = "Teckenförklaring"
TABLE = "Tabell"
TABLE_TEXT = "Tabelltext"
TABLE_FIGURE = "Tabellsiffra"
TABLE_HEADING = "Tabellhuvud"
TABLE_HEADING_FIGURE = "Tabellhuvud siffra"
TABLE_SUM = "Tabellsumma"
TABLE_SUM_FIGURE = "Tabellsumma siffra"
LIST_BULLET = ("List Bullet", "List Bullet 2", "List Bullet 3")
LIST_NUMBER = ("List Number", "List Number 2", "List Number 3")
LIST_CONTINUE = "List Continue"
HEADER = "Header"
FOOTER = "Footer"
# Character styles.
ASSESSMENT_MARK = "Bedömningstecken"
ASSESSMENT = "Bedömning"
DRAFT_MARK = "Utkastmarkering"
HYPERLINK = "Hyperlink"

#: Heading 1–6: size, colour, space before and after (points); Heading 6 is also italic.
HEADING_LOOK = {
    1: (18, ACCENT, 24, 8),
    2: (14, ACCENT, 18, 6),
    3: (12, ACCENT, 14, 4),
    4: (11, TEXT, 12, 3),
    5: (10.5, TEXT, 10, 3),
    6: (10, TEXT, 8, 3),
}


def house_document():
    """A new python-docx document with the house style: styles, page, font table, language."""
    word = new_document()
    _drop_unused_table_styles(word)
    _set_defaults(word)
    styles = word.styles
    _paragraph_styles(styles)
    _character_styles(styles)
    _table_style(styles)
    _page(word.sections[0])
    _font_table(word)
    _settings(word)
    _look_up_styles_once(word)
    return word


def _look_up_styles_once(word) -> None:
    """
    Name → style id, read once: python-docx looks a style up by scanning every style of the
    document each time a paragraph or run is given one (most of the renderer's time). The
    styles are all made by now; an unknown name falls back to python-docx's own look-up.
    """
    part = word.part
    ids = {(style.name, style.type): style.style_id for style in word.styles}
    look_up = part.get_style_id

    def get_style_id(style_or_name, style_type):
        if isinstance(style_or_name, str) and (style_or_name, style_type) in ids:
            return ids[(style_or_name, style_type)]
        return look_up(style_or_name, style_type)

    part.get_style_id = get_style_id


def _set_defaults(word) -> None:
    """The document's defaults: DejaVu Sans at 10 pt in #1a1a1a, Swedish; no theme fonts anywhere."""
    root = word.styles.element
    for fonts in root.iter(qn("w:rFonts")):
        fonts.getparent().remove(fonts)
    for colour in root.iter(qn("w:color")):
        for name in ("w:themeColor", "w:themeShade", "w:themeTint"):
            colour.attrib.pop(qn(name), None)
    defaults = root.find(qn("w:docDefaults"))
    run = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = OxmlElement("w:rFonts")
    for name in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(name), FONT)
    run.insert(0, fonts)
    for name in ("w:sz", "w:szCs"):
        run.find(qn(name)).set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), str(TEXT))
    run.find(qn("w:sz")).addprevious(colour)
    lang = run.find(qn("w:lang"))
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    paragraph = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = paragraph.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "120")  # 6 pt
    spacing.set(qn("w:line"), "288")  # 1.2 lines
    spacing.set(qn("w:lineRule"), "auto")


def _drop_unused_table_styles(word) -> None:
    """The default template's many table styles go: the document has one of its own."""
    root = word.styles.element
    for style in root.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) != "TableNormal":
            root.remove(style)


def _paragraph(styles, name: str, *, base: str | None = BODY, next_style: str | None = None):
    """The paragraph style ``name``, added if the template lacks it."""
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base and name != base:
        style.base_style = styles[base]
    if next_style:
        style.next_paragraph_style = styles[next_style]
    style.hidden = False
    style.quick_style = True
    return style


def _builtin(styles, name: str, *, style_id: str):
    """A built-in paragraph style the template lacks, under Word's own name and id (not a custom style)."""
    try:
        return styles[name]
    except KeyError:
        pass
    style = styles.add_style(f"{name} custom", WD_STYLE_TYPE.PARAGRAPH)
    element = style.element
    element.name_val = name
    element.styleId = style_id
    element.attrib.pop(qn("w:customStyle"), None)
    element.uiPriority_val = 39
    return style


def _look(style, *, size=None, bold=None, italic=None, colour=None, before=None, after=None,
          keep_with_next=None, alignment=None) -> None:  # fmt: skip
    font, paragraph = style.font, style.paragraph_format
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    if colour is not None:
        font.color.rgb = colour
    if before is not None:
        paragraph.space_before = Pt(before)
    if after is not None:
        paragraph.space_after = Pt(after)
    if keep_with_next is not None:
        paragraph.keep_with_next = keep_with_next
    if alignment is not None:
        paragraph.alignment = alignment


def _paragraph_styles(styles) -> None:
    # Normal takes size and colour from the defaults, so that the table style's 9 pt holds in
    # the cells for text and lists that have no size of their own.
    styles[BODY].paragraph_format.widow_control = True

    for level, (size, colour, before, after) in HEADING_LOOK.items():
        style = _paragraph(styles, f"Heading {level}", next_style=BODY)
        _look(style, size=size, bold=True, italic=level == 6, colour=colour, before=before, after=after,
              keep_with_next=True)  # fmt: skip
        style.paragraph_format.keep_together = True
        style.paragraph_format.line_spacing = 1.1
    # Chapters follow each other on the page, as in the PDF; the renderer breaks the page
    # after the title page and after the contents.

    title = _paragraph(styles, TITLE, next_style=BODY)
    _look(title, size=26, bold=True, colour=ACCENT, before=12, after=12)
    title.paragraph_format.line_spacing = 1.1
    for element in title.element.pPr.findall(qn("w:pBdr")):  # the template's rule under the title
        title.element.pPr.remove(element)
    for name in (TITLE, SUBTITLE):  # the template's letter spacing and kerning
        run_properties = styles[name].element.rPr
        for element in (*run_properties.findall(qn("w:spacing")), *run_properties.findall(qn("w:kern"))):
            run_properties.remove(element)
    subtitle = _paragraph(styles, SUBTITLE, next_style=BODY)
    for numbering in subtitle.element.pPr.findall(qn("w:numPr")):  # a stray level of the template's
        subtitle.element.pPr.remove(numbering)
    _look(subtitle, size=14, bold=False, italic=False, colour=TEXT, before=0, after=24)
    page_text = _paragraph(styles, TITLE_PAGE)
    _look(page_text, size=11, colour=TEXT, after=6)
    organisation = _paragraph(styles, TITLE_PAGE_ORGANISATION, base=TITLE_PAGE, next_style=TITLE)
    _look(organisation, size=12, colour=MUTED, before=120, after=6)

    toc_heading = _paragraph(styles, TOC_HEADING, base="Heading 1", next_style=BODY)
    _look(toc_heading, size=HEADING_LOOK[1][0], bold=True, colour=ACCENT)
    toc_heading.paragraph_format.page_break_before = True
    _outline_level(toc_heading, 9)  # body text: the contents do not list their own heading
    for level, name in enumerate(TOC_LEVELS, start=1):
        style = _builtin(styles, name, style_id=f"TOC{level}")
        style = _paragraph(styles, name, next_style=BODY)
        _look(style, bold=level == 1, before=6 if level == 1 else 0, after=2)
        paragraph = style.paragraph_format
        paragraph.left_indent = Cm(0.6 * (level - 1))
        paragraph.right_indent = Cm(0.8)
        paragraph.tab_stops.add_tab_stop(Twips(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)

    caption = _paragraph(styles, CAPTION, next_style=BODY)
    _look(caption, size=TABLE_SIZE.pt, bold=True, italic=False, colour=TEXT, before=6, after=3, keep_with_next=True)
    figure = _paragraph(styles, FIGURE)
    _look(figure, after=3, keep_with_next=True)

    legend = _paragraph(styles, LEGEND)
    _look(legend, after=0)
    legend.paragraph_format.left_indent = Cm(0.3)
    legend_title = _paragraph(styles, LEGEND_TITLE, next_style=LEGEND)
    _look(legend_title, bold=True, before=12, after=3, keep_with_next=True)

    table_text = _paragraph(styles, TABLE_TEXT)
    _look(table_text, size=TABLE_SIZE.pt, before=0, after=2)
    table_text.paragraph_format.line_spacing = 1.15
    figure_cell = _paragraph(styles, TABLE_FIGURE, base=TABLE_TEXT)
    _look(figure_cell, alignment=WD_ALIGN_PARAGRAPH.RIGHT)
    for name, base in ((TABLE_HEADING, TABLE_TEXT), (TABLE_HEADING_FIGURE, TABLE_FIGURE),
                       (TABLE_SUM, TABLE_TEXT), (TABLE_SUM_FIGURE, TABLE_FIGURE)):  # fmt: skip
        _look(_paragraph(styles, name, base=base), bold=True)
    # Hyphenation is on for the document (see _settings) but only column headings use it, so
    # that a long heading over a narrow column of figures breaks as "Nämnds-budget".
    _hyphenate(styles[BODY], False)
    for name in (TABLE_HEADING, TABLE_HEADING_FIGURE):
        _hyphenate(styles[name], True)

    for name in (*LIST_BULLET, *LIST_NUMBER, LIST_CONTINUE):
        _look(_paragraph(styles, name), after=3)

    header = _paragraph(styles, HEADER)
    _look(header, size=9, colour=MUTED, after=0)
    header.paragraph_format.tab_stops.clear_all()
    _clear_tabs(header)
    header.paragraph_format.tab_stops.add_tab_stop(Twips(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT)
    footer = _paragraph(styles, FOOTER)
    _look(footer, size=9, colour=MUTED, after=0, alignment=WD_ALIGN_PARAGRAPH.CENTER)
    _clear_tabs(footer)


def _character_styles(styles) -> None:
    def character(name: str):
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
        style.hidden = False
        return style

    # The mark prints at the body size, in tables too (◐ must not print tiny).
    mark = character(ASSESSMENT_MARK)
    mark.font.size = BODY_SIZE
    mark.font.bold = True
    label = character(ASSESSMENT)
    label.font.italic = True
    draft = character(DRAFT_MARK)
    draft.font.bold = True
    draft.font.color.rgb = DRAFT
    link = character(HYPERLINK)
    link.element.attrib.pop(qn("w:customStyle"), None)  # Word's own Hyperlink style
    link.element.uiPriority_val = 99
    link.font.color.rgb = ACCENT
    link.font.underline = True


def _table_style(styles) -> None:
    """ "Tabell": thin grey rules round and between the cells, padding, a bold header row on grey-blue."""
    style = styles.add_style(TABLE, WD_STYLE_TYPE.TABLE)
    style.base_style = styles["Normal Table"]
    style.hidden = False
    style.quick_style = True
    style.font.size = TABLE_SIZE
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    padding = "".join(
        f'<w:{side} w:w="{size}" w:type="dxa"/>'
        for side, size in (("top", CELL_PADDING_VERTICAL), ("left", CELL_PADDING_HORIZONTAL),
                           ("bottom", CELL_PADDING_VERTICAL), ("right", CELL_PADDING_HORIZONTAL))
    )  # fmt: skip
    element = style.element
    for old in element.findall(qn("w:tblPr")):
        element.remove(old)
    element.append(
        parse_xml(
            f"<w:tblPr {nsdecls('w')}><w:tblBorders>{borders}</w:tblBorders>"
            f"<w:tblCellMar>{padding}</w:tblCellMar></w:tblPr>"
        )
    )
    element.append(
        parse_xml(
            f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
            f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr></w:tblStylePr>'
        )
    )


def _outline_level(style, level: int) -> None:
    properties = style.element.get_or_add_pPr()
    for old in properties.findall(qn("w:outlineLvl")):
        properties.remove(old)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    properties.append(outline)
    _sort_paragraph_properties(properties)


def _hyphenate(style, on: bool) -> None:
    properties = style.element.get_or_add_pPr()
    for element in properties.findall(qn("w:suppressAutoHyphens")):
        properties.remove(element)
    suppress = OxmlElement("w:suppressAutoHyphens")
    suppress.set(qn("w:val"), "0" if on else "1")
    properties.append(suppress)
    _sort_paragraph_properties(properties)


def _clear_tabs(style) -> None:
    properties = style.element.get_or_add_pPr()
    for tabs in properties.findall(qn("w:tabs")):
        properties.remove(tabs)


#: The order of a paragraph's properties the schema asks for (those used here).
_P_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "numPr", "pBdr", "shd", "tabs",
            "suppressAutoHyphens", "spacing", "ind", "jc", "outlineLvl", "rPr")  # fmt: skip


def _sort_paragraph_properties(properties) -> None:
    children = list(properties)
    rank = {qn(f"w:{name}"): i for i, name in enumerate(_P_ORDER)}
    children.sort(key=lambda child: rank.get(child.tag, len(rank)))
    for child in children:
        properties.append(child)


def _page(section) -> None:
    """A4, 2.5 cm margins, header and footer 1.25 cm from the edge; the title page has neither."""
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = MARGIN
    section.header_distance = section.footer_distance = HEADER_DISTANCE
    section.gutter = 0
    section.different_first_page_header_footer = True


def _font_table(word) -> None:
    """DejaVu Sans in the font table, with Verdana as its stand-in and its family (sans serif) and pitch."""
    part = next(p for p in word.part.package.iter_parts() if p.content_type == CT.WML_FONT_TABLE)
    root = parse_xml(part.blob)
    for font in root.findall(qn("w:font")):
        if font.get(qn("w:name")) == FONT:
            root.remove(font)
    root.insert(0, parse_xml(FONT_ENTRY))
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(word) -> None:
    """
    Swedish number punctuation and theme language, the current Word layout; no request to
    update fields on opening.
    """
    settings = word.settings.element
    for name, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        element = settings.find(qn(name))
        if element is not None:
            element.set(qn("w:val"), value)
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")  # Word 2013 and later: not opened in "compatibility mode"
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), LANGUAGE)
    for update in settings.findall(qn("w:updateFields")):
        settings.remove(update)
    # Hyphenation where a style allows it (the column headings): right after the default tab stop.
    hyphenation = OxmlElement("w:autoHyphenation")
    tab_stop = settings.find(qn("w:defaultTabStop"))
    if tab_stop is not None:
        tab_stop.addnext(hyphenation)
    else:
        settings.insert(0, hyphenation)
