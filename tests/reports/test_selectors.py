"""The follow-up document read from the demo: chapters, commitments, outcomes, in fixed queries."""

import re

import pytest

from commitments.models import ProgressEntry, ReportingPeriod
from reports import formatting
from reports.assembly import follow_up_document
from reports.document import CommitmentTable, IndicatorTable, Table

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan_aug(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-jan-aug")


def test_the_demo_follow_up_has_the_seeds_chapters_commitments_and_outcomes(jan_aug):
    document = follow_up_document(period=jan_aug)
    assert document.organisation == "Malmö stad"
    assert document.committee == "Arbetsmarknads- och socialnämnden"
    assert [s.number for s in document.sections] == [str(n) for n in range(1, 19)]
    assert document.sections[0].heading == "Inledning"
    assert document.sections[1].heading == "Arbetsmarknads- och socialnämnden ska utveckla dialogen med Malmöborna"
    rows = [r for s in document.sections for b in s.blocks if isinstance(b, CommitmentTable) for r in b.rows]
    assert [r.code for r in rows] == [f"A{n:02}" for n in range(1, 35)]
    assert sum(1 for r in rows if r.assessment and r.assessment.symbol == "●") == 11
    assert sum(1 for r in rows if r.assessment and r.assessment.symbol == "◆") == 3
    indicators = [r for s in document.sections for b in s.blocks if isinstance(b, IndicatorTable) for r in b.rows]
    assert [(r.code, r.outcome) for r in indicators] == [
        ("AI1", "18\u00a0%"), ("AI2", "21\u00a0%"), ("AI3", "6\u00a0%"), ("AI4", "22\u00a0%"), ("AI5", ""),
    ]  # fmt: skip
    tables = [[part for part in row.comment if isinstance(part, Table)] for row in indicators]
    ai3 = tables[2][0]
    assert ai3.header == ("", "Samtliga", "Kvinnor", "Män")
    assert ai3.rows[0][1:] == ("1\u00a0376", "700", "676")
    assert ai3.rows[2][1:] == ("6\u00a0%", "9\u00a0%", "3\u00a0%")
    assert tables[4] == []


def test_an_outcome_not_available_prints_the_departments_reason_in_its_place(jan_aug):
    from indicators.models import Outcome

    Outcome.objects.filter(period=jan_aug, indicator__code="AI5").update(
        value=None, unavailable_reason="Redovisas i årsanalysen."
    )
    document = follow_up_document(period=jan_aug)
    rows = [r for s in document.sections for b in s.blocks if isinstance(b, IndicatorTable) for r in b.rows]
    assert [r.outcome for r in rows if r.code == "AI5"] == ["Redovisas i årsanalysen."]


def test_only_approved_content_unless_a_draft_is_asked_for(jan_aug, reviewer):
    from commitments.workflow import reviewable_transition

    entry = ProgressEntry.objects.get(period=jan_aug, commitment__code="A05")
    reviewable_transition(obj=entry, action="reopen", user=reviewer, reason="Kontroll")
    final = follow_up_document(period=jan_aug)
    draft = follow_up_document(period=jan_aug, draft=True)
    codes = lambda d: [r.code for s in d.sections for b in s.blocks if isinstance(b, CommitmentTable) for r in b.rows]  # noqa: E731
    assert "A05" not in codes(final)
    assert "A05" in codes(draft)
    assert draft.draft is True


def test_the_selector_reads_in_a_fixed_number_of_queries(jan_aug, django_assert_num_queries):
    from tests.factories import CommitmentFactory, GoalFactory

    # The report's sections, its layout, the introduction, goals, commitments, entries, indicators, outcomes.
    with django_assert_num_queries(8) as small:
        follow_up_document(period=jan_aug)
    goal = GoalFactory(goal_area=jan_aug.plan.goal_areas.first(), plan=jan_aug.plan)
    for _ in range(4):
        CommitmentFactory(goal=goal, plan=jan_aug.plan)
    with django_assert_num_queries(len(small.captured_queries)):
        document = follow_up_document(period=jan_aug)
    assert len(document.sections) == 19


def test_comments_are_sanitised_in_the_document(jan_aug):
    ProgressEntry.objects.filter(period=jan_aug, commitment__code="A02").update(
        comment='<p>Ok</p><script>alert(1)</script><a href="javascript:x()">l</a>'
    )
    document = follow_up_document(period=jan_aug)
    html = next(r for s in document.sections for b in s.blocks if isinstance(b, CommitmentTable) for r in b.rows
                if r.code == "A02").comment.html  # fmt: skip
    assert "<script" not in html
    assert "javascript:" not in html


def test_swedish_figures():
    from decimal import Decimal

    assert formatting.number(Decimal("1376")) == "1\u00a0376"
    assert formatting.number(Decimal("36.1000")) == "36,1"
    assert formatting.with_unit(Decimal(18), "%") == "18\u00a0%"
    assert formatting.with_unit(Decimal(1729), "") == "1\u00a0729"
    assert formatting.number(None) == ""


def test_the_html_rendering_has_every_chapter_commitment_and_figure(jan_aug):
    from reports.renderers.html import render_html

    html = render_html(follow_up_document(period=jan_aug))
    assert '<html lang="sv">' in html
    assert "Uppföljning av åtaganden januari–augusti 2019" in html
    assert html.index("Arbetsmarknads- och socialnämnden ska utveckla dialogen") < html.index("Fler Malmöbor")
    assert html.count('<table class="commitments">') == 17
    assert "<i>Hela familjen</i>" in html
    assert "1\u00a0376" in html
    assert "<script" not in html


def test_the_docx_has_headings_commitments_and_figures(jan_aug):
    import io

    from docx import Document as WordDocument

    from reports.renderers.docx import render_docx

    document = follow_up_document(period=jan_aug)
    word = WordDocument(io.BytesIO(render_docx(document)))
    assert [p.text for p in word.paragraphs if p.style.name == "TOC Heading"] == ["Innehållsförteckning"]
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1 Inledning"
    assert headings[1].startswith("2 Arbetsmarknads- och socialnämnden ska utveckla dialogen")
    assert len(headings) == 18

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    yield cell
                    yield from cells(cell.tables)

    all_cells = list(cells(word.tables))
    text = "\n".join(cell.text for cell in all_cells)
    commitments = [r for s in document.sections for b in s.blocks if isinstance(b, CommitmentTable) for r in b.rows]
    assert all(row.text in text for row in commitments)
    assert "1\u00a0376" in text
    assert word.tables[0].rows[0]._tr.trPr is not None  # the repeating header row
    assert word.core_properties.language == "sv-SE"
    italic = {run.text for cell in all_cells for p in cell.paragraphs for run in p.runs if run.italic}
    assert "Hela familjen" in italic


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"committee": "nope"}, "Nämnden finns inte"),
        ({"period": "2019-nope"}, "Perioden finns inte"),
        ({"kind": "arsbok"}, "Okänt rapportslag"),
        ({"format": "odt"}, "Okänt format"),
    ],
)
def test_build_report_refuses_bad_arguments(jan_aug, tmp_path, options, words):
    from django.core.management import CommandError, call_command

    arguments = {"committee": "asn", "period": "2019-jan-aug", "kind": "ataganden", "format": "html"} | options
    with pytest.raises(CommandError, match=words):
        call_command("build_report", output=str(tmp_path / "x"), **arguments)


def test_build_report_writes_html_and_docx(jan_aug, tmp_path):
    import io

    from django.core.management import call_command

    for fmt in ("html", "docx"):
        out = tmp_path / f"rapport.{fmt}"
        call_command(
            "build_report", committee="asn", period="2019-jan-aug", kind="ataganden", format=fmt, output=str(out),
            stdout=io.StringIO(),
        )  # fmt: skip
        assert out.stat().st_size > 10_000


def test_build_report_writes_a_pdf(jan_aug, tmp_path):
    import io

    from django.core.management import call_command

    out = tmp_path / "rapport.pdf"
    call_command(
        "build_report", committee="asn", period="2019-jan-aug", kind="ataganden", format="pdf", output=str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF")


def test_the_pdf_is_tagged_swedish_titled_and_holds_the_content(jan_aug, tmp_path):
    import io

    import pikepdf

    from reports.renderers.pdf import render_pdf

    pdf = pikepdf.open(io.BytesIO(render_pdf(follow_up_document(period=jan_aug, draft=True))))
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert str(root.Lang) == "sv"
    assert str(pdf.docinfo.Title) == "Uppföljning av åtaganden januari–augusti 2019 – Utkast"
    assert len(root.Outlines.First.keys()) > 0  # bookmarks from the headings
    assert len(pdf.pages) > 20
    assert float(pdf.pages[0].MediaBox[2]) == pytest.approx(595.28, abs=1)  # A4


def test_the_follow_up_as_web_pages(client, reader):
    from django.urls import reverse

    client.force_login(reader)
    contents = client.get(reverse("reports:contents", args=["asn", "2019-jan-aug"])).content.decode()
    assert "Uppföljning av åtaganden januari–augusti 2019" in contents
    assert len(re.findall(r'href="/n/asn/2019-jan-aug/rapport/\d+/\?kind=ataganden"', contents)) == 18
    assert 'href="/n/asn/2019-jan-aug/rapport/?kind=namndsbudget"' in contents  # the period's other report
    chapter = client.get(reverse("reports:section", args=["asn", "2019-jan-aug", 5])).content.decode()
    assert "Fler ungdomar och unga vuxna i Malmö" in chapter
    assert "1\u00a0376" not in chapter  # AI3/AI4 are in chapter 6
    assert "628" in chapter
    assert 'rel="next"' in chapter
    assert client.get(reverse("reports:section", args=["asn", "2019-jan-aug", 99])).status_code == 404
