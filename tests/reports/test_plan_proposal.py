"""The plan proposal (namndsbudget) from the demo's 2019 plan, checked against the committee's own draft."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document as WordDocument

from commitments.models import ReportingPeriod
from reports.assembly import plan_proposal_document
from reports.document import Table

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "seeds" / "namndsbudget-2019-forslag-mal-indikatorer.txt"
PREFIX = re.compile(r"^(Ny målindikator:? |Ny indikator: |Ny kvalitativ indikator: )")


@pytest.fixture
def helar(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-helar")


def seed_rows() -> dict[str, tuple[str, ...]]:
    """The seed's indicator rows by name (draft prefixes removed): the cells after the name."""
    rows, in_table = {}, False
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.startswith("Målindikator\t"):
            in_table = True
        elif not line.strip():
            in_table = False
        elif in_table:
            name, *cells = line.split("\t")
            rows[PREFIX.sub("", name).strip()] = tuple(c.strip() for c in cells)
    return rows


def figures(cells) -> list[list[str]]:
    """The figures in each cell, spaces and non-breaking spaces inside numbers removed."""
    return [re.findall(r"-?\d+(?:,\d+)?", re.sub(r"(?<=\d)[ \u00a0](?=\d)", "", c)) for c in cells]


def document_rows(document) -> dict[str, tuple[str, ...]]:
    return {
        re.sub(r"^(Ny indikator|Ny målindikator|Ny kvalitativ indikator): ", "", row[0]): row[1:]
        for area in document.sections
        for goal in area.subsections
        for block in goal.blocks
        if isinstance(block, Table)
        for row in block.rows
    }


def test_goal_areas_and_goals_in_the_proposals_order(helar):
    document = plan_proposal_document(period=helar)
    assert document.title == "Nämndsbudget 2019: förslag till nämndsmål och indikatorer"
    assert [s.heading for s in document.sections][:2] == [
        "Målområde 1 – En ung, global och modern stad",
        "Målområde 2 – En stad för näringsliv och arbete",
    ]
    assert [len(s.subsections) for s in document.sections] == [2, 4, 3, 1, 2, 1, 1, 2, 1]
    seed_goals = re.findall(r"^(Nytt nämndsmål|Nämndsmål): (.+)$", SEED.read_text(encoding="utf-8"), re.MULTILINE)
    ours = [g.heading for s in document.sections for g in s.subsections]
    assert len(ours) == 17
    # The proposal's own wording where it differs (e.g. "digitaliseringens", "skola/hälsa", "Nytt nämndsmål").
    assert ours == [f"{label}: {text.strip()}" for label, text in seed_goals]


def test_every_indicator_with_the_targets_and_outcome_of_the_seed(helar):
    document = plan_proposal_document(period=helar)
    ours, seed = document_rows(document), seed_rows()
    assert len(ours) == len(seed) == 41
    expected = ("33\u00a0%", "28\u00a0%", "30\u00a0%")
    assert ours["Andel hushåll med ekonomiskt bistånd som blivit självförsörjande"] == expected
    assert ours["Antal kvinnor och män 18-29 år och äldre som deltagit i arbetsmarknadsinsatser"][:2] == (
        "1\u00a0800", "1\u00a0729",
    )  # fmt: skip
    differ = []
    for name, cells in seed.items():
        assert name in ours, name
        # The draft writes the same figure in several ways ("35%", "36,1" without its unit); compare the figures.
        shown = (*ours[name], "", "", "")[: len(cells)]  # a column no indicator of the goal fills is left out
        if figures(cells) != figures(shown):
            differ.append((name, cells, ours[name]))
    assert differ == []


def test_columns_no_indicator_of_a_goal_fills_are_left_out(helar):
    document = plan_proposal_document(period=helar)
    first_goal = document.sections[0].subsections[0].blocks[0]
    assert first_goal.header == ("Målindikator", "Målvärde 2019")
    third_goal = document.sections[1].subsections[0].blocks[0]
    assert third_goal.header == ("Målindikator", "Målvärde 2019", "Utfall 2018", "Målvärde 2018")


def test_the_proposal_reads_in_a_fixed_number_of_queries(helar, django_assert_max_num_queries):
    from tests.factories import GoalFactory

    with django_assert_max_num_queries(7) as few:  # with the report's layout
        plan_proposal_document(period=helar)
    GoalFactory(goal_area=helar.plan.goal_areas.first(), plan=helar.plan)
    with django_assert_max_num_queries(len(few.captured_queries)):
        plan_proposal_document(period=helar)


def test_build_report_writes_the_proposal_as_docx_and_pdf(helar, tmp_path):
    for fmt in ("docx", "pdf"):
        call_command(
            "build_report", committee="asn", period="2019-helar", kind="namndsbudget", format=fmt,
            output=str(tmp_path / f"nb.{fmt}"), stdout=io.StringIO(),
        )  # fmt: skip
    word = WordDocument(tmp_path / "nb.docx")
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Målområde 3 – En stad för barn och unga") in headings
    assert sum(1 for style, _ in headings if style == "Heading 2") == 17
    cells = {cell.text for table in word.tables for row in table.rows for cell in row.cells}
    assert {"35\u00a0månader", "Avvaktar information om ny Jobbpakt."} <= cells
    pdf = subprocess.run(["pdftotext", str(tmp_path / "nb.pdf"), "-"], capture_output=True, check=True).stdout.decode()
    text = re.sub(r"\s+", " ", pdf.replace("\u00a0", " "))
    assert "Nytt nämndsmål: Alla barn som har placerats i dygnsvård" in text
    assert "Målvärde 2019" in text
    assert "Andel hushåll med ekonomiskt bistånd som blivit självförsörjande 33 % 28 % 30 %" in text
