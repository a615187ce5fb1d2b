"""
The house style of the committee documents: one stylesheet (static/css/document.css and
document-print.css) inside the HTML edition and the PDF, and what the printed follow-up looks
like because of it: its length, its tags (TH scope, artifacts) and its reading order.

The demo follow-up (ASN, januari–augusti 2019) is built as the fidelity tests build it, with
the ``build_report`` command; the small documents are made here, from the document model.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from django.core.management import call_command

from commitments.models import Committee, ReportingPeriod, ReviewStatus
from indicators.models import Outcome
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
from reports.renderers.html import render_html
from tests.reports.test_fidelity import COMMITTEE, KIND, PERIOD, letters, pdf_pages

pytestmark = pytest.mark.django_db

#: The paragraph above the Samtliga / Kvinnor / Män table in the demo's outcome comments.
CAPTION_PARAGRAPH = "Antal och andel avslut från arbetsmarknadsinsatser, januari-augusti 2019, 18-29 år"


def build(fmt: str, directory: Path) -> Path:
    out = directory / f"uppfoljning.{fmt}"
    call_command(
        "build_report", committee=COMMITTEE, period=PERIOD, kind=KIND, format=fmt, output=str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def follow_up(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Path]:
    """The approved demo follow-up as PDF and HTML, built once for this module."""
    directory = tmp_path_factory.mktemp("house-style")
    with django_db_blocker.unblock():
        if not Committee.objects.filter(slug=COMMITTEE).exists():  # a transactional test emptied the database
            from tests.conftest import DEMO_PASSWORD

            call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
        return {"pdf": build("pdf", directory), "html": build("html", directory)}


def small_document(**fields) -> Document:
    table = Table(
        caption="Antal avslut",
        header=("", "Samtliga", "Kvinnor", "Män"),
        rows=(("Antal", "116", "52", "64"), ("Totalt", "628", "257", "371")),
        numeric=(False, True, True, True),
        totals=(1,),
    )
    indicator = IndicatorRow(
        code="AI1", name="Andel unga", department="AMA", outcome="18 %",
        comment=(RichText("<p>Texten före tabellen.</p>"), table, RichText("<p>Texten efter.</p>")),
    )  # fmt: skip
    commitment = CommitmentRow(
        code="A01", text="Åtagandet", department="AMA", assessment=Assessment("◐", "Delvis enligt plan"),
        comment=RichText("<p>Kommentaren.</p>"),
    )  # fmt: skip
    values = {
        "kind": KIND, "title": "Uppföljning av åtaganden", "organisation": "Malmö stad",
        "committee": "Arbetsmarknads- och socialnämnden", "period": "2019",
        "sections": [
            Section(heading="Inledning", number="1", blocks=[RichText("<p>Inledande text.</p>")]),
            Section(heading="Målet", number="2", blocks=[CommitmentTable((commitment,)), IndicatorTable((indicator,))]),  # noqa: E501
        ],
        **fields,
    }  # fmt: skip
    return Document(**values)


# The HTML edition


def test_the_html_edition_carries_its_stylesheet_and_fetches_nothing(follow_up):
    html = follow_up["html"].read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", html, flags=re.DOTALL).group(1)
    assert 'font-family: "DejaVu Sans", sans-serif' in style
    assert "table-layout: fixed" in style
    assert "font-variant-numeric: tabular-nums" in style
    assert "@page" in style  # it prints as the PDF does
    lowered = html.lower()
    assert [bad for bad in ("<link", 'src="http', "url(http", "url(//", "@import") if bad in lowered] == []


def test_the_title_page_says_occasion_decision_and_draft_and_the_contents_can_be_left_out():
    decision = "Beslutad av Arbetsmarknads- och socialnämnden 2019-09-25, § 187, dnr ASN-2019-1234"
    html = render_html(small_document(occasion="Underlag för Dialog – ASN 20190222", decision=decision, draft=True))
    title_page = html[html.index('<header class="title-page">') : html.index("</header>")]
    assert [re.sub(r"<[^>]+>", "", line).strip() for line in title_page.splitlines()[1:] if line.strip()] == [
        "Malmö stad", "Uppföljning av åtaganden", "Arbetsmarknads- och socialnämnden",
        "Underlag för Dialog – ASN 20190222", decision, "Utkast – innehåller inrapporteringar som inte är godkända",
    ]  # fmt: skip
    assert 'class="toc"' in html
    assert 'class="toc"' not in render_html(small_document(contents=False))


def test_the_contents_print_each_number_once():
    html = render_html(small_document())
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert '<span class="number">1</span> <span class="heading">Inledning</span>' in toc
    assert re.search(r"\.document \.toc ol[^{]*\{[^}]*list-style: none", html)


def test_the_legend_lists_each_mark_before_the_first_chapter():
    legend = (Assessment("●", "Enligt plan"), Assessment("◐", "Delvis enligt plan"), Assessment("○", "Ej enligt plan"))
    html = render_html(small_document(legend=legend))
    box = html[html.index('<div class="legend">') : html.index("</div>", html.index('<div class="legend">'))]
    assert html.index('<div class="legend">') < html.index('id="section-1"')
    assert "Teckenförklaring" in box
    assert "<h" not in box  # not a heading
    assert re.findall(r"<dt[^>]*>(.*?)</dt><dd>(.*?)</dd>", box) == [(a.symbol, a.label) for a in legend]
    assert "legend" not in render_html(small_document()).split("</head>")[1]


def test_sum_rows_figures_and_header_cells_are_marked_for_the_style():
    html = render_html(small_document())
    assert '<tr class="total"><th scope="row">Totalt</th><td class="num">628</td>' in html
    assert '<tr><th scope="row">Antal</th><td class="num">116</td>' in html
    assert '<th scope="col" class="num">Utfall</th>' in html
    assert '<td class="num">18\u00a0%</td>' in html  # the Utfall column is figures, kept whole
    inner = html.index("Texten före tabellen."), html.index("<caption>Antal avslut"), html.index("Texten efter.")
    assert inner == tuple(sorted(inner))  # the comment's parts in order, the table inside the cell


# The PDF


def test_the_jan_aug_follow_up_prints_on_at_most_30_pages(follow_up):
    assert len(pikepdf.open(follow_up["pdf"]).pages) <= 30


def test_the_table_by_sex_names_its_rows_as_the_department_did(follow_up):
    text = letters(" ".join(pdf_pages(follow_up["pdf"])))  # a narrow cell may break the name over lines
    assert text.count(letters("Totalt antal avslut")) == 4  # AI1–AI4
    assert letters("Antal avslut till studier") in text


def structure_elements(pdf: pikepdf.Pdf):
    pending = [pdf.Root.StructTreeRoot]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending.extend(node)
        elif isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                yield node
            if "/K" in node:
                pending.append(node.K)


def test_header_cells_carry_their_scope(follow_up):
    pdf = pikepdf.open(follow_up["pdf"])
    scopes = {"/Column": 0, "/Row": 0}
    for element in structure_elements(pdf):
        if element.S == "/TH":
            scope = str(element.A.get("/Scope"))
            assert scope in scopes, element.A
            scopes[scope] += 1
            row = element.P
            in_head = row.P.S == "/THead"
            assert scope == ("/Column" if in_head else "/Row")
    assert scopes["/Column"] > 0
    assert scopes["/Row"] > 0  # the Totalt / Antal / Andel rows of the tables by sex


def test_running_headers_and_page_numbers_are_artifacts(follow_up):
    """Every marked content of a page is either in the structure tree or an artifact; the margins are artifacts."""
    pdf = pikepdf.open(follow_up["pdf"])
    root = pdf.Root.StructTreeRoot

    def in_tree(element) -> bool:
        while element.objgen != root.objgen:
            parent = element.P
            kids = parent.K if isinstance(parent.K, pikepdf.Array) else [parent.K]
            if not any(isinstance(k, pikepdf.Dictionary) and k.objgen == element.objgen for k in kids):
                return False
            element = parent
        return True

    nums = root.ParentTree.Nums
    for index in range(0, len(nums), 2):
        if isinstance(nums[index + 1], pikepdf.Array):
            assert all(in_tree(e) for e in nums[index + 1] if isinstance(e, pikepdf.Dictionary)), nums[index]
    for number, page in enumerate(pdf.pages[1:], start=2):
        artifacts, depth, text = [], 0, []
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("BDC", "BMC"):
                depth += 1
                if str(operands[0]) == "/Artifact":
                    artifacts.append(depth)
            elif str(operator) == "EMC":
                if artifacts and artifacts[-1] == depth:
                    artifacts.pop()
                depth -= 1
            elif str(operator) in ("Tj", "TJ") and artifacts:
                text.append(operands)
        assert text, f"page {number} has no running header or page number as an artifact"


def test_the_contents_list_numbers_each_chapter_once(follow_up):
    contents = pdf_pages(follow_up["pdf"])[1].rstrip().rsplit("\n", 1)[0]  # without the page number
    assert "Innehållsförteckning" in contents
    numbers = re.findall(r"^(\d+)\.?(?: |$)", contents, flags=re.MULTILINE)  # a number opens each entry
    assert numbers == [str(n) for n in range(1, 19)]
    assert not re.search(r"^\d+\.(?: |$)", contents, flags=re.MULTILINE)  # not the list's "1." as well


@pytest.fixture
def placed_tables(demo):
    """The demo follow-up with each table by sex placed by its department, under its caption paragraph."""
    period = ReportingPeriod.objects.get(plan__committee=demo, slug=PERIOD)
    placed = 0
    for outcome in Outcome.objects.filter(period=period, status=ReviewStatus.APPROVED):
        paragraph = f"<p>{CAPTION_PARAGRAPH}</p>"
        if paragraph in outcome.comment and outcome.denominator is not None:
            Outcome.objects.filter(pk=outcome.pk).update(
                comment=outcome.comment.replace(paragraph, paragraph + "<p>{tabell}</p>", 1)
            )
            placed += 1
    assert placed >= 2
    return placed


def test_the_table_in_a_comment_follows_its_caption_paragraph_in_the_pdf(placed_tables, tmp_path):
    text = letters("".join(pdf_pages(build("pdf", tmp_path))))
    assert text.count(letters(CAPTION_PARAGRAPH) + "SamtligaKvinnorMän") == placed_tables
