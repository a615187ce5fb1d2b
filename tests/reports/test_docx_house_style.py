"""
The Word file in the house style, read back from the built file: the page, the running header
and footer, the title page, the contents (a TOC field whose result links to bookmarks on the
headings), heading styles, the table style and the figures' style, the legend.

The demo follow-up (ASN, januari–augusti 2019) is built once for the module; other cases
build a small document of their own.
"""

from __future__ import annotations

import io
import zipfile

import lxml.etree
import pytest
from django.core.management import call_command
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from commitments.models import Committee, ReportingPeriod
from indicators.models import Indicator
from reports.assembly import follow_up_document, plan_proposal_document
from reports.document import (
    Assessment,
    CommitmentRow,
    CommitmentTable,
    Document,
    IndicatorRow,
    IndicatorTable,
    RichText,
    Section,
    Table,
)
from reports.renderers import render

pytestmark = pytest.mark.django_db

HEADINGS = {f"Heading {level}" for level in range(1, 7)}


@pytest.fixture(scope="module")
def follow_up(django_db_setup, django_db_blocker):
    """The approved demo follow-up (January–August 2019): its document and the Word file read back."""
    with django_db_blocker.unblock():
        if not Committee.objects.filter(slug="asn").exists():  # a transactional test emptied the database
            from tests.conftest import DEMO_PASSWORD

            call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
        period = ReportingPeriod.objects.get(plan__committee__slug="asn", slug="2019-jan-aug")
        document = follow_up_document(period=period)
    data = render(document, "docx")
    return document, WordDocument(io.BytesIO(data)), data


def small_document(**fields) -> Document:
    """A document of two chapters: one with a text, one with a commitment and an indicator."""
    table = Table(
        caption="",
        header=("", "Samtliga", "Kvinnor", "Män"),
        rows=(("Totalt antal avslut", "1\u00a0376", "700", "676"), ("Andel", "22\u00a0%", "19\u00a0%", "25\u00a0%")),
        numeric=(False, True, True, True),
        totals=(0,),
    )
    sections = [
        Section(
            heading="Inledning",
            number="1",
            blocks=[RichText("<p>Inledande text.</p><h3>Bakgrund</h3><p>Mer text.</p><h4>Detalj</h4><p>Sist.</p>")],
        ),
        Section(
            heading="Målet",
            number="2",
            blocks=[
                CommitmentTable(
                    (
                        CommitmentRow(
                            code="A01",
                            text="Åtagandet",
                            department="STAB",
                            assessment=Assessment("◐", "Delvis enligt plan"),
                            comment=RichText("<p>Kommentar.</p><h3>Underrubrik i kommentaren</h3><p>Mer.</p>"),
                        ),
                    )
                ),
                IndicatorTable(
                    (
                        IndicatorRow(
                            code="AI1",
                            name="Andel avslut",
                            department="AMA",
                            outcome="22\u00a0%",
                            comment=(RichText("<p>Före tabellen.</p>"), table, RichText("<p>Efter tabellen.</p>")),
                        ),
                    )
                ),
                Table(
                    caption="Ekonomi",
                    header=("Tkr", "Budget", "Utfall"),
                    rows=(("Drift", "100", "90"), ("Summa", "100", "90")),
                    numeric=(False, True, True),
                    totals=(1,),
                ),
            ],
        ),
    ]
    values = {
        "kind": "ataganden", "title": "Uppföljning av åtaganden", "organisation": "Malmö stad",
        "committee": "Arbetsmarknads- och socialnämnden", "period": "2019", "sections": sections,
    } | fields  # fmt: skip
    return Document(**values)


def read(document: Document):
    return WordDocument(io.BytesIO(render(document, "docx")))


def all_paragraphs(container):
    """Every paragraph of the body, in table cells (nested ones too) included, in order."""
    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item
        else:
            seen = []
            for row in item.rows:
                for cell in row.cells:
                    if cell._tc not in seen:
                        seen.append(cell._tc)
                        yield from all_paragraphs(cell)


def toc_entries(word):
    """The contents field's result: (style, text, anchor) of each entry, and the field's instruction."""
    body = word.element.body
    instructions = [t.text.strip() for t in body.iter(qn("w:instrText")) if t.text.strip().startswith("TOC")]
    entries = []
    for p in body.iter(qn("w:p")):
        paragraph = Paragraph(p, word)
        if paragraph.style.name in ("toc 1", "toc 2", "toc 3"):  # Word's own names of its contents styles
            links = p.findall(qn("w:hyperlink"))
            assert len(links) == 1, paragraph.text
            text = "".join(links[0].xpath("./w:r/w:t/text()"))
            pageref = "".join(links[0].xpath(".//w:instrText/text()")).split()
            entries.append((paragraph.style.name, text, links[0].get(qn("w:anchor")), pageref))
    return instructions, entries


# The page, header and footer


def test_the_page_is_a4_with_the_house_margins(follow_up):
    _, word, _ = follow_up
    (section,) = word.sections
    near = lambda length, cm: abs(length - Cm(cm)) < Cm(0.01)  # noqa: E731 (twips round)
    assert near(section.page_width, 21)
    assert near(section.page_height, 29.7)
    for margin in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin):
        assert near(margin, 2.5)
    assert near(section.header_distance, 1.25)
    assert near(section.footer_distance, 1.25)
    assert section.different_first_page_header_footer
    assert [p.text for p in section.first_page_header.paragraphs] == [""]
    assert [p.text for p in section.first_page_footer.paragraphs] == [""]


def test_the_footer_has_a_page_field_and_the_header_names_committee_and_title(follow_up):
    document, word, _ = follow_up
    section = word.sections[0]
    footer = section.footer._element
    fields = [f.get(qn("w:instr")).strip() for f in footer.iter(qn("w:fldSimple"))]
    fields += [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert "PAGE" in fields
    (header,) = section.header.paragraphs
    assert header.text == f"{document.committee}\t{document.title}"
    assert header.style.name == "Header"


def test_a_draft_says_utkast_in_red_bold_in_the_header(follow_up):
    word = read(small_document(draft=True))
    header = word.sections[0].header.paragraphs[0]
    (mark,) = [run for run in header.runs if run.text == "UTKAST"]
    assert mark.style.name == "Utkastmarkering"
    assert mark.style.font.bold
    assert str(mark.style.font.color.rgb) == "B00020"


# Fonts and styles


def test_the_font_is_dejavu_sans_with_verdana_standing_in(follow_up):
    _, word, data = follow_up
    defaults = word.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "DejaVu Sans"
    assert not [f for f in word.styles.element.iter(qn("w:rFonts")) if f.get(qn("w:asciiTheme"))]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        table = archive.read("word/fontTable.xml").decode()
        settings = archive.read("word/settings.xml").decode()
    assert '<w:font w:name="DejaVu Sans"><w:altName w:val="Verdana"/>' in table
    assert 'w:family w:val="swiss"' in table
    assert "updateFields" not in settings  # Word would ask about updating on opening


def test_only_column_headings_hyphenate(follow_up):
    _, word, data = follow_up
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<w:autoHyphenation/>" in archive.read("word/settings.xml").decode()

    def suppressed(name):
        return word.styles[name].element.pPr.find(qn("w:suppressAutoHyphens")).get(qn("w:val"))

    assert suppressed("Normal") == "1"  # body text is not hyphenated
    assert suppressed("Tabellhuvud") == suppressed("Tabellhuvud siffra") == "0"  # "Nämnds-budget"


def test_the_headings_are_never_smaller_than_the_body(follow_up):
    _, word, _ = follow_up
    sizes = [word.styles[f"Heading {level}"].font.size.pt for level in range(1, 7)]
    assert sizes == [18, 14, 12, 11, 10.5, 10]
    assert word.styles["Heading 6"].font.italic
    assert all(word.styles[f"Heading {level}"].font.bold for level in range(1, 7))
    assert word.styles["Title"].font.size.pt == 26


# The title page and the contents


def test_the_title_page_prints_occasion_and_decision():
    decision = "Beslutad av Arbetsmarknads- och socialnämnden 2019-09-25, § 187, dnr ASN-2019-1234"
    word = read(small_document(occasion="Underlag för Dialog – ASN 20190222", decision=decision))
    texts = [p.text for p in word.paragraphs]
    title = texts.index("Uppföljning av åtaganden")
    assert texts[title - 1 : title + 4] == [
        "Malmö stad", "Uppföljning av åtaganden", "Arbetsmarknads- och socialnämnden",
        "Underlag för Dialog – ASN 20190222", decision,
    ]  # fmt: skip
    assert word.paragraphs[title].style.name == "Title"
    contents = word.paragraphs[texts.index("Innehållsförteckning")]
    assert texts.index("Innehållsförteckning") == title + 4
    assert contents.style.paragraph_format.page_break_before  # on the page after the title page


def test_the_contents_list_every_chapter_and_link_to_its_heading(follow_up):
    document, word, _ = follow_up
    instructions, entries = toc_entries(word)
    assert instructions == ['TOC \\o "1-3" \\h \\z \\u']
    (heading,) = [p for p in word.paragraphs if p.text == "Innehållsförteckning"]
    assert heading.style.name == "TOC Heading"
    chapters = [f"{s.number} {s.heading}" if s.number else s.heading for s in document.sections]
    assert [text for style, text, _, _ in entries if style == "toc 1"] == chapters
    # Each entry links to a bookmark on the heading of its text, and its page is a PAGEREF to it.
    bookmarks = {}
    for p in word.element.body.iter(qn("w:p")):
        for start in p.findall(qn("w:bookmarkStart")):
            bookmarks[start.get(qn("w:name"))] = Paragraph(p, word)
    for style, text, anchor, pageref in entries:
        assert anchor.startswith("_Toc")
        target = bookmarks[anchor]
        assert target.text == text
        assert target.style.name == f"Heading {style[-1]}"
        assert pageref == ["PAGEREF", anchor, "\\h"]


def test_a_document_without_contents_has_no_toc(helar_proposal):
    word = read(helar_proposal)
    instructions, entries = toc_entries(word)
    assert instructions == []
    assert entries == []
    assert "Innehållsförteckning" not in [p.text for p in word.paragraphs]
    assert not list(word.element.body.iter(qn("w:bookmarkStart")))


@pytest.fixture
def helar_proposal(demo):
    period = ReportingPeriod.objects.get(plan__committee__slug="asn", slug="2019-helar")
    from dataclasses import replace

    return replace(plan_proposal_document(period=period), contents=False)


# Headings, tables, figures


def test_every_heading_uses_a_heading_style(follow_up):
    _, word, _ = follow_up
    bold_alone = []
    for paragraph in all_paragraphs(word):
        runs = [run for run in paragraph.runs if run.text.strip()]
        if paragraph.style.name in ("Normal", "Tabelltext") and runs and all(run.bold for run in runs):
            bold_alone.append(paragraph.text)
    assert bold_alone == []
    numbered = [p for p in word.paragraphs if p.text[:2].strip().isdigit() and p.style.name.startswith("Heading")]
    assert {p.style.name for p in numbered} == {"Heading 1"}


def test_a_texts_own_subheadings_are_headings_of_the_right_level():
    word = read(small_document())
    styles = {p.text: p.style.name for p in all_paragraphs(word)}
    assert styles["1 Inledning"] == "Heading 1"
    assert styles["Bakgrund"] == "Heading 2"  # the text's h3, one below its chapter
    assert styles["Detalj"] == "Heading 3"
    assert styles["Underrubrik i kommentaren"] == "Heading 4"  # in a cell: below the contents' levels


def test_every_table_uses_the_house_table_style_with_a_repeating_header(follow_up):
    _, word, _ = follow_up

    def tables(container):
        for table in container.tables:
            yield table
            for row in table.rows:
                for cell in row.cells:
                    yield from tables(cell)

    found = list(tables(word))
    assert found
    for table in found:
        assert table.style.name == "Tabell"
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        first = table.rows[0]._tr.trPr
        assert first.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows[:1])


def test_the_commitment_and_indicator_tables_have_the_house_widths(follow_up):
    _, word, _ = follow_up
    text_width = 9071  # twips: 21 cm less 2 × 2.5 cm
    widths = {}
    for table in word.tables:
        header = tuple(cell.text for cell in table.rows[0].cells)
        widths[header] = [round(int(col.get(qn("w:w"))) / text_width, 2) for col in table._tbl.tblGrid.gridCol_lst]
    assert widths[("Åtagande", "Kommentar")] == [0.38, 0.62]
    assert widths[("Åtagandeindikator", "Utfall", "Kommentar")] == [0.30, 0.14, 0.56]


def test_figures_use_the_figure_style_and_sums_are_bold_by_style():
    word = read(small_document())
    (economy,) = [t for t in word.tables if t.rows[0].cells[0].text == "Tkr"]
    styles = [[cell.paragraphs[0].style.name for cell in row.cells] for row in economy.rows]
    assert styles == [
        ["Tabellhuvud", "Tabellhuvud siffra", "Tabellhuvud siffra"],
        ["Tabelltext", "Tabellsiffra", "Tabellsiffra"],
        ["Tabellsumma", "Tabellsumma siffra", "Tabellsumma siffra"],
    ]
    assert word.styles["Tabellsiffra"].paragraph_format.alignment == 2  # right
    assert word.styles["Tabellsumma"].font.bold
    assert not word.styles["Tabelltext"].font.bold
    # No direct alignment or bold in the tables' cells: styles do it.
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    assert paragraph.paragraph_format.alignment is None
                    assert all(run.bold is None for run in paragraph.runs)


def test_the_table_in_an_indicators_comment_stands_where_it_was_placed_and_spans_the_cell():
    word = read(small_document())
    (indicators,) = [t for t in word.tables if t.rows[0].cells[0].text == "Åtagandeindikator"]
    cell = indicators.rows[1].cells[2]
    kinds = [type(item).__name__ for item in cell.iter_inner_content()]
    assert kinds[:3] == ["Paragraph", "Table", "Paragraph"]
    assert cell.paragraphs[0].text == "Före tabellen."
    (nested,) = cell.tables
    assert nested.rows[1].cells[0].paragraphs[0].style.name == "Tabellsumma"  # Totalt: a sum row
    assert nested.rows[1].cells[1].paragraphs[0].style.name == "Tabellsumma siffra"
    cell_width = int(indicators._tbl.tblGrid.gridCol_lst[2].get(qn("w:w")))
    nested_width = sum(int(col.get(qn("w:w"))) for col in nested._tbl.tblGrid.gridCol_lst)
    assert nested_width == cell_width - 2 * 80  # the cell less its padding
    assert indicators.rows[1].cells[1].paragraphs[0].style.name == "Tabellsiffra"  # Utfall


def test_the_rows_of_the_table_by_sex_are_named_as_the_plan_names_them(jan_aug):
    Indicator.objects.filter(plan=jan_aug.plan, level=Indicator.Level.COMMITMENT).update(
        total_label="Totalt antal avslut"
    )
    word = read(follow_up_document(period=jan_aug))
    texts = [p.text for p in all_paragraphs(word)]
    assert texts.count("Totalt antal avslut") == 4  # the four indicators with a table by sex
    figures = [p for p in all_paragraphs(word) if p.text == "1\u00a0376"]
    assert figures
    assert {p.style.name for p in figures} <= {"Tabellsiffra", "Tabellsumma siffra"}


@pytest.fixture
def jan_aug(demo):
    return ReportingPeriod.objects.select_related("plan").get(plan__committee__slug="asn", slug="2019-jan-aug")


# The assessment and the legend


def test_the_assessment_mark_prints_at_the_body_size_by_its_style():
    word = read(small_document())
    (commitments,) = [t for t in word.tables if t.rows[0].cells[0].text == "Åtagande"]
    paragraph = commitments.rows[1].cells[1].paragraphs[0]
    assert paragraph.text == "◐ (Delvis enligt plan)"
    mark, _, label = paragraph.runs
    assert mark.style.name == "Bedömningstecken"
    assert mark.font.size is None
    assert mark.style.font.size.pt == 10
    assert label.style.name == "Bedömning"


def test_the_legend_explains_the_marks_before_the_first_chapter_out_of_the_contents():
    legend = (Assessment("●", "Enligt plan"), Assessment("◐", "Delvis enligt plan"), Assessment("○", "Ej enligt plan"))
    word = read(small_document(legend=legend))
    texts = [p.text for p in word.paragraphs]
    start = texts.index("Teckenförklaring")
    assert texts[start + 1 : start + 4] == ["● Enligt plan", "◐ Delvis enligt plan", "○ Ej enligt plan"]
    assert start < texts.index("1 Inledning")
    assert word.paragraphs[start].style.name == "Teckenförklaring rubrik"
    assert {word.paragraphs[start + i].style.name for i in (1, 2, 3)} == {"Teckenförklaring"}
    _, entries = toc_entries(word)
    assert "Teckenförklaring" not in [text for _, text, _, _ in entries]


def test_the_language_is_swedish(follow_up):
    _, word, _ = follow_up
    assert word.core_properties.language == "sv-SE"
    lang = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "sv-SE"


def test_the_fields_are_whole_and_their_parts_sit_in_runs(follow_up):
    """Word refuses a file whose field characters stand outside runs or whose fields do not close."""
    _, _, data = follow_up
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if name.startswith("word/")}
    for name in ("word/document.xml", *(n for n in parts if n.startswith(("word/header", "word/footer")))):
        root = lxml.etree.fromstring(parts[name])
        run_parts = root.iter(qn("w:fldChar"), qn("w:instrText"), qn("w:t"), qn("w:br"))
        assert [e.tag for e in run_parts if e.getparent().tag != qn("w:r")] == [], name
        depth = 0
        for char in root.iter(qn("w:fldChar")):
            depth += {"begin": 1, "end": -1}.get(char.get(qn("w:fldCharType")), 0)
            assert depth >= 0, name
        assert depth == 0, name
    body = lxml.etree.fromstring(parts["word/document.xml"])
    ids = [start.get(qn("w:id")) for start in body.iter(qn("w:bookmarkStart"))]
    assert len(ids) == len(set(ids)) == len(list(body.iter(qn("w:bookmarkEnd"))))


def test_a_row_is_kept_on_one_page_unless_it_is_taller_than_most_of_a_page():
    long = "".join(f"<p>{'Ett stycke om hur arbetet har gått under perioden. ' * 8}</p>" for _ in range(14))
    rows = tuple(
        CommitmentRow(code=code, text="Åtagandet", department="STAB", assessment=None, comment=RichText(html))
        for code, html in (("A01", "<p>Kort.</p>"), ("A02", long))
    )
    document = small_document()
    document.sections[1].blocks = [CommitmentTable(rows)]
    (table,) = read(document).tables
    kept = [row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows]
    assert kept == [True, True, False]  # the header, the short row; the long one may split
