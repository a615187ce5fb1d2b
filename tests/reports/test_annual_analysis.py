"""The årsanalys 2024 from the demo: the contributions to the city council's goals, checked against the seed."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document as WordDocument

from commitments.models import GoalContribution, ReportingPeriod
from commitments.workflow import reviewable_transition
from reports.assembly import annual_analysis_document
from reports.document import RichText
from reports.selectors import report_kinds_for

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "seeds" / "arsanalys-2024.txt"
YEAR_ACHIEVED = "Bedömningen är att bidraget till kommunfullmäktigemålet för 2024 har uppnåtts."
YEAR_PARTLY = "Bedömningen är att bidraget till kommunfullmäktigemålet för 2024 delvis har uppnåtts."
#: The seed words one of its four partly achieved goals otherwise; the document prints it as written.
YEAR_PARTLY_OTHERWISE = "Bedömningen är att bidraget till kommunfullmäktigemålet för 2024 har delvis uppnåtts."
FIXED = (
    "Uppföljning av bidrag till kommunfullmäktigemålet",
    "Bedömning av bidrag till kommunfullmäktigemålet för året",
    "Bedömning av förväntad förflyttning för mandatperioden",
)


@pytest.fixture
def helar_2024(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(plan__year=2024, slug="2024-helar")


def seed_structure() -> list[tuple[str, list[str]]]:
    """The seed's goal areas with their city council goals, from the part that follows them up."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Målområde - ") and i > 100)
    end = next(i for i, line in enumerate(lines) if line.strip() == "Redovisning av budgetuppdrag")
    areas: list[tuple[str, list[str]]] = []
    for line in lines[start:end]:
        if line.startswith("Målområde - "):
            areas.append((line.removeprefix("Målområde - ").strip(), []))
        elif line.startswith("Kommunfullmäktigemål - "):
            areas[-1][1].append(line.removeprefix("Kommunfullmäktigemål - ").strip())
    return areas


def seed_total_rows() -> list[list[str]]:
    """The total rows of the seed's finance tables ("SUMMA", "Summa …", "TOTAL", "Totala …", "Nettokostnad")."""
    rows = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        total = cells and re.match(r"(SUMMA|Summa|TOTAL|Totala|Nettokostnad|Resultat)\b", cells[0])
        grants_total = len(cells) > 1 and cells[1] == "Summa"  # "| RIKTADE STATS BIDRAG | Summa | 66 781 |"
        if total or grants_total:
            rows.append(cells)
    return rows


def printed(figure: str) -> str:
    """A figure as the document prints it: no-break spaces between thousands, a real minus sign."""
    return figure.replace(" ", "\u00a0").replace("-", "\u2212") if figure != "-" else figure


def text_of(section) -> str:
    return " ".join(b.html for b in section.blocks if isinstance(b, RichText))


def part_of(document, heading="Uppföljning och bedömning av bidragen till kommunfullmäktigemålen"):
    return next(section for section in document.sections if section.heading == heading)


def test_the_14_goals_in_their_5_goal_areas_as_in_the_seed(helar_2024):
    part = part_of(annual_analysis_document(period=helar_2024))
    ours = [
        (
            area.heading.removeprefix("Målområde – "),
            [g.heading.removeprefix("Kommunfullmäktigemål – ") for g in area.subsections],
        )
        for area in part.subsections
    ]
    assert ours == seed_structure()
    assert sum(len(goals) for _, goals in ours) == 14
    for area in part.subsections:
        for goal in area.subsections:
            assert tuple(s.heading for s in goal.subsections) == FIXED


def test_both_assessments_with_their_sentences_and_motivations(helar_2024):
    goals = [g for area in part_of(annual_analysis_document(period=helar_2024)).subsections for g in area.subsections]
    year = [text_of(g.subsections[1]) for g in goals]
    assert sum(YEAR_ACHIEVED in t and "Uppnåtts</b>" in t for t in year) == 10
    assert sum(YEAR_PARTLY in t and "Delvis uppnåtts</b>" in t for t in year) == 3
    assert sum(YEAR_PARTLY_OTHERWISE in t and "Delvis uppnåtts</b>" in t for t in year) == 1
    assert all("Bedömningen baseras" in t for t in year)
    mandate = [text_of(g.subsections[2]) for g in goals]
    assert sum("förväntas delvis leda till önskad förflyttning" in t for t in mandate) == 2
    assert sum("förväntas uppnås" in t for t in mandate) == 3
    assert all(t.count("<p>") >= 2 for t in mandate)  # the sentence and its motivation
    # A follow-up's own subheadings come below the goal's headings.
    assert "<h6>Hållbart arbetsliv</h6>" in text_of(goals[11].subsections[0])


def test_the_summary_counts_the_assessments_and_follows_a_change(helar_2024, reviewer):
    summary = text_of(part_of(annual_analysis_document(period=helar_2024), "Sammanfattning"))
    assert "bidra till 14 av kommunfullmäktiges 15 mål" in summary
    assert "uppnått för tio mål under året och delvis uppnått för fyra mål" in summary
    reopened = GoalContribution.objects.filter(period=helar_2024, assessment__code="uppnatts").first()
    reviewable_transition(obj=reopened, action="reopen", user=reviewer, reason="Komplettera motiveringen")
    summary = text_of(part_of(annual_analysis_document(period=helar_2024), "Sammanfattning"))
    assert "bidra till 14 av kommunfullmäktiges 15 mål" in summary  # goals, not approved contributions
    assert "uppnått för nio mål under året och delvis uppnått för fyra mål" in summary
    draft = text_of(part_of(annual_analysis_document(period=helar_2024, draft=True), "Sammanfattning"))
    assert "uppnått för tio mål" in draft


def test_the_annual_analysis_reads_in_a_fixed_number_of_queries(helar_2024, django_assert_num_queries):
    # Sections; the report's layout; their texts; the assessments and the goals counted; the key-figure tables
    # (rows, values); the goals with their areas; the contributions with their assessments;
    # the priorities and the budget assignments with their follow-ups (two each); the finance
    # tables (ten: one per kind of table).
    with django_assert_num_queries(24):
        annual_analysis_document(period=helar_2024)
    # Three more goals, each with an approved contribution: the same queries.
    from commitments.models import Department
    from tests.factories import GoalFactory

    department = Department.objects.get(code="IFO")
    area = helar_2024.plan.goal_areas.first()
    for n in range(3):
        goal = GoalFactory(plan=helar_2024.plan, goal_area=area, level="council", contributes=True, code=f"KFX{n}")
        GoalContribution.objects.create(
            goal=goal, period=helar_2024, department=department, comment="<p>Text</p>", status="approved", version=1
        )
    with django_assert_num_queries(24):
        document = annual_analysis_document(period=helar_2024)
    assert sum(len(area.subsections) for area in part_of(document).subsections) == 17


def test_each_plan_gets_the_kinds_of_report_it_has_content_for(demo, helar_2024):
    assert report_kinds_for(helar_2024) == ["arsanalys"]
    assert report_kinds_for(ReportingPeriod.objects.get(slug="2019-helar")) == ["ataganden", "namndsbudget"]


def test_build_report_writes_the_annual_analysis_as_docx_and_pdf(helar_2024, tmp_path):
    for fmt in ("docx", "pdf"):
        call_command(
            "build_report", committee="asn", period="2024-helar", kind="arsanalys", format=fmt,
            output=str(tmp_path / f"aa.{fmt}"), stdout=io.StringIO(),
        )  # fmt: skip
    word = WordDocument(tmp_path / "aa.docx")
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    # The goal areas of the contributions, then those of the budget assignments.
    assert [h for h in headings if h[1].startswith("Målområde –")] == [
        ("Heading 2", f"Målområde – {area}") for area, _ in seed_structure()
    ] + [
        ("Heading 2", "Målområde – En attraktiv stad för arbete och hållbar tillväxt"),
        ("Heading 2", "Målområde – En mer jämlik stad"),
    ]
    assert sum(style == "Heading 3" and text.startswith("Kommunfullmäktigemål –") for style, text in headings) == 14
    assert sum(style == "Heading 4" and text in FIXED for style, text in headings) == 42
    word_text = " ".join(p.text for p in word.paragraphs)
    assert word_text.count(YEAR_ACHIEVED) == 10
    assert "Kommunfullmäktigemål – Malmö stad ger en god och likvärdig service" in word_text
    pdf = subprocess.run(["pdftotext", str(tmp_path / "aa.pdf"), "-"], capture_output=True, check=True).stdout.decode()
    text = re.sub(r"\s+", " ", pdf)
    assert text.count(YEAR_ACHIEVED) == 10
    assert text.count(YEAR_PARTLY) == 3
    assert text.count(YEAR_PARTLY_OTHERWISE) == 1
    for _, goals in seed_structure():
        for goal in goals:
            assert goal[:60] in text, goal
    # The finance tables' totals, as the seed states them, in both files.
    totals = seed_total_rows()
    assert len(totals) == 14
    word_tables = [[c.text for c in row.cells if c.text] for table in word.tables for row in table.rows]
    for label, *figures in totals:
        assert [label, *map(printed, figures)] in word_tables, label
        assert label in text, label
        assert all(printed(figure).replace("\u00a0", " ") in text for figure in figures), label
