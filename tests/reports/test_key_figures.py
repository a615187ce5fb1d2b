"""
Key figures in the årsanalys: the demo's "Tabell 1" (unique and average households on
financial assistance, 2022–2024) as the seed prints it, with the changes computed from the
stored values, and its chart with a text alternative and the data table beside it in HTML,
PDF and Word.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import lxml.html
import pikepdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from docx import Document as WordDocument
from docx.oxml.ns import qn

from commitments.models import Goal, Plan, ReportingPeriod
from reports.assembly import annual_analysis_document
from reports.diff import build_changes
from reports.document import Chart, ChartSeries, Table, to_data
from reports.key_figures import key_figure_table_blocks, key_figure_tables
from reports.models import KeyFigure, KeyFigureTable, KeyFigureTableRow, KeyFigureValue
from reports.renderers import render
from reports.renderers.charts import chart_png, chart_svg
from tests.factories import CommitteeFactory, PlanFactory

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "seeds" / "arsanalys-2024.txt"
CAPTION = "Tabell 1. Antal unika samt genomsnittligt antal biståndshushåll år 2022 till 2024."
SELF_SUFFICIENCY = "Malmö stad arbetar för att öka andelen Malmöbor som är självförsörjande"


def seed_table() -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The header and rows of the seed's Tabell 1 (a markdown table after its caption)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index(CAPTION)
    table = []
    for line in lines[start + 1 :]:
        if not line.strip() and table:
            break
        if line.startswith("|") and not re.fullmatch(r"[|\s-]+", line):
            table.append(tuple(cell.strip() for cell in line.strip().strip("|").split("|")))
    return table[0], table[1:]


def spaced(cells) -> tuple[str, ...]:
    """Cells with no-break spaces as plain spaces, as the seed's text has them."""
    return tuple(cell.replace("\u00a0", " ") for cell in cells)


@pytest.fixture
def helar_2024(demo) -> ReportingPeriod:
    return ReportingPeriod.objects.select_related("plan__committee").get(plan__year=2024, slug="2024-helar")


@pytest.fixture
def table_1(helar_2024) -> Chart:
    """The chart block (with its data table) of the demo's Tabell 1, as the document gets it, in Swedish."""
    goal = Goal.objects.get(plan=helar_2024.plan, text=SELF_SUFFICIENCY)
    with translation.override("sv"):
        ((table, (chart,)),) = key_figure_tables(helar_2024.plan)
    assert table.goal_id == goal.pk
    return chart


def test_the_table_prints_the_seeds_figures_with_the_changes_computed(table_1):
    header, rows = seed_table()
    assert table_1.title == CAPTION
    assert table_1.table.header == header
    assert [spaced(row) for row in table_1.table.rows] == rows
    changes = [row[1:] for row in table_1.table.rows if row[0].startswith("Förändring")]
    assert [spaced(change) for change in changes] == [
        ("-16,4 %", "-10,5 %", "-2,7 %"),
        ("-17,0 %", "-10,0 %", "-3,3 %"),
    ]


def test_the_changes_come_from_the_stored_values_not_from_typed_text(helar_2024):
    figure = KeyFigure.objects.get(committee=helar_2024.plan.committee, code="unika-hushall")
    KeyFigureValue.objects.filter(figure=figure, year=2021).update(value=Decimal(11201))
    ((table, (chart,)),) = key_figure_tables(helar_2024.plan)
    assert table.goal == Goal.objects.get(plan=helar_2024.plan, code="KF05")
    assert spaced(chart.table.rows[1][1:]) == ("0,0 %", "-10,5 %", "-2,7 %")


def _figure(name: str, *, change_label: str = "Förändring", unit: str = "", decimals: int = 0) -> KeyFigure:
    return KeyFigure(name=name, change_label=change_label, unit=unit, decimals=decimals)


def test_a_missing_previous_year_gives_no_change_rather_than_a_wrong_one():
    table = KeyFigureTable(caption="Tabell", first_year=2022, last_year=2025, chart=False)
    values = {2022: Decimal(100), 2023: Decimal(0), 2025: Decimal(110)}  # no 2021, no 2024
    (data,) = key_figure_table_blocks(table, [(_figure("Hushåll"), values)])
    assert isinstance(data, Table)
    assert data.caption == "Tabell"
    assert data.header == ("", "2022", "2023", "2024", "2025")
    assert data.rows == (
        ("Hushåll", "100", "0", "", "110"),
        # 2022: no 2021; 2023: -100 %; 2024: no value; 2025: no 2024 (not the change from 2023).
        ("Förändring", "", "-100,0\u00a0%", "", ""),
    )


def test_a_figure_without_a_change_label_has_no_change_row_and_keeps_its_unit_and_decimals():
    table = KeyFigureTable(caption="Tabell", first_year=2023, last_year=2024, chart=False)
    figure = _figure("Andel", change_label="", unit="%", decimals=1)
    (data,) = key_figure_table_blocks(table, [(figure, {2023: Decimal("25.9"), 2024: Decimal("23.5")})])
    assert data.rows == (("Andel", "25,9\u00a0%", "23,5\u00a0%"),)


def test_the_text_alternative_says_the_charts_data_in_swedish(table_1):
    assert table_1.description == (
        "Stapeldiagram: Unika hushåll resp. år 2022–2024: 11\u00a0201, 10\u00a0022, 9\u00a0753. "
        "Genomsnittligt antal beviljade hushåll per månad 2022–2024: 7\u00a0398, 6\u00a0658, 6\u00a0438."
    )
    assert table_1.kind == "bar"
    assert table_1.categories == ("2022", "2023", "2024")
    assert table_1.series == (
        ChartSeries("Unika hushåll resp. år", (11201.0, 10022.0, 9753.0)),
        ChartSeries("Genomsnittligt antal beviljade hushåll per månad", (7398.0, 6658.0, 6438.0)),
    )
    assert table_1.table.caption == ""  # the chart's title captions both


def test_a_chart_of_many_years_is_a_line_chart_and_says_which_values_are_missing():
    table = KeyFigureTable(caption="Tabell", first_year=2015, last_year=2024, chart=True)
    values = {year: Decimal(year - 2000) for year in range(2015, 2025) if year != 2020}
    with translation.override("sv"):
        (chart,) = key_figure_table_blocks(table, [(_figure("Antal"), values)])
    assert chart.kind == "line"
    assert chart.series[0].values[5] is None
    assert "Linjediagram: Antal 2015–2024: 15, 16, 17, 18, 19, uppgift saknas, 21" in chart.description


def test_only_figures_with_the_first_ones_unit_share_the_charts_axis():
    table = KeyFigureTable(caption="Tabell", first_year=2023, last_year=2024, chart=True)
    rows = [(_figure("Antal"), {2023: Decimal(5)}), (_figure("Andel", unit="%"), {2023: Decimal(3)})]
    (chart,) = key_figure_table_blocks(table, rows)
    assert [s.name for s in chart.series] == ["Antal"]
    assert [row[0] for row in chart.table.rows] == ["Antal", "Förändring", "Andel", "Förändring"]


def test_the_tables_are_read_in_a_fixed_number_of_queries(helar_2024, django_assert_num_queries):
    plan = helar_2024.plan
    with django_assert_num_queries(2):  # the rows with their tables and figures; the figures' values
        small = key_figure_tables(plan)
    committee = plan.committee
    for t in range(3):
        table = KeyFigureTable.objects.create(
            plan=plan, code=f"X{t}", caption=f"X{t}", first_year=2015, last_year=2024
        )
        for f in range(4):
            figure = KeyFigure.objects.create(committee=committee, code=f"x{t}-{f}", name=f"X {t} {f}")
            KeyFigureTableRow.objects.create(table=table, figure=figure, sort_order=f)
            KeyFigureValue.objects.bulk_create(
                KeyFigureValue(figure=figure, year=year, value=year) for year in range(2014, 2025)
            )
    with django_assert_num_queries(2):
        large = key_figure_tables(plan)
    assert len(small) == 1
    assert [table.code for table, _blocks in large] == ["T1", "X0", "X1", "X2"]  # in the order of their codes
    (x0_chart,) = large[1][1]
    assert x0_chart.table.rows[0][1:3] == ("2\u00a0015", "2\u00a0016")


def test_another_plans_tables_stay_out(helar_2024):
    other = PlanFactory(committee=CommitteeFactory(name="Kulturnämnden"), year=2024)
    figure = KeyFigure.objects.create(committee=other.committee, code="besok", name="Besök")
    table = KeyFigureTable.objects.create(plan=other, code="T1", caption="Besök", first_year=2024, last_year=2024)
    KeyFigureTableRow.objects.create(table=table, figure=figure, sort_order=1)
    assert [b.title for _table, blocks in key_figure_tables(helar_2024.plan) for b in blocks] == [CAPTION]
    assert [t.caption for t, _blocks in key_figure_tables(Plan.objects.get(pk=other.pk))] == ["Besök"]


def walk(sections):
    for section in sections:
        yield section
        yield from walk(section.subsections)


def test_the_chart_stands_where_the_goals_follow_up_places_it(helar_2024):
    sections = list(walk(annual_analysis_document(period=helar_2024).sections))
    with_charts = [s for s in sections if any(isinstance(block, Chart) for block in s.blocks)]
    goal = next(s for s in sections if s.heading == f"Kommunfullmäktigemål – {SELF_SUFFICIENCY}")
    assert with_charts == [goal.subsections[0]]
    assert goal.subsections[0].heading == "Uppföljning av bidrag till kommunfullmäktigemålet"
    # The text marks where Tabell 1 stands ({tabell:T1}): the text before it, the table, the text after it.
    blocks = goal.subsections[0].blocks
    assert [type(block).__name__ for block in blocks] == ["RichText", "Chart", "RichText"]
    assert "Tabell 1" not in blocks[0].html  # the table is data, not a copy in the text
    assert "{tabell" not in blocks[0].html + blocks[2].html
    assert (
        blocks[0].html.endswith("antalet biståndshushåll med barn minskat med 34 procent.</p>")
        or "Sedan 2016" in (blocks[0].html.rsplit("<p>", 1)[-1])
    )
    assert blocks[2].html.startswith("<p>Andelen hushåll 30 år och äldre")


def test_the_html_has_the_figure_with_a_text_alternative_and_the_data_table(helar_2024):
    html = render(annual_analysis_document(period=helar_2024), "html").decode()
    root = lxml.html.fromstring(html)
    (figure,) = root.xpath("//figure[@class='chart']")
    assert figure.xpath("string(figcaption)") == CAPTION
    (image,) = figure.xpath("img")
    assert image.get("alt").startswith("Stapeldiagram: Unika hushåll resp. år 2022–2024: 11\u00a0201")
    assert image.get("src").startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(image.get("src").split(",", 1)[1]).decode()
    assert svg.startswith("<?xml")
    assert "<script" not in svg.lower()
    header, rows = seed_table()
    (table,) = figure.xpath("table")
    read = [tuple(cell.text_content() for cell in tr.xpath("th|td")) for tr in table.iter("tr")]
    assert [spaced(row) for row in read] == [header, *rows]
    assert len(table.xpath("tbody/tr/th[@scope='row']")) == 4  # the row names are headers for screen readers


def test_the_word_file_has_the_picture_with_alt_text_and_the_table(helar_2024):
    word = WordDocument(io.BytesIO(render(annual_analysis_document(period=helar_2024), "docx")))
    (picture,) = word.inline_shapes
    properties = picture._inline.find(qn("wp:docPr"))
    assert properties.get("descr").startswith("Stapeldiagram: Unika hushåll resp. år 2022–2024")
    header, rows = seed_table()
    tables = [[spaced(cell.text for cell in row.cells) for row in t.rows] for t in word.tables]
    assert [header, *rows] in tables
    paragraphs = [p.text for p in word.paragraphs]
    assert CAPTION in paragraphs


def test_the_pdf_has_the_tables_figures_and_the_tagged_chart_with_its_alt_text(helar_2024, tmp_path):
    from tests.reports.test_fidelity import figures_after, letters, pdf_pages

    path = tmp_path / "arsanalys.pdf"
    call_command(
        "build_report", committee="asn", period="2024-helar", kind="arsanalys", format="pdf", output=str(path),
        stdout=io.StringIO(),
    )  # fmt: skip
    text = letters("".join(pdf_pages(path)))
    header, rows = seed_table()
    assert figures_after(letters(CAPTION), [header[1:], *(row[1:] for row in rows)]).search(text)
    assert text.count(letters(CAPTION)) == 1
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    assert "Tagged:yes" in letters(info)

    def figures(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                yield node
            if "/K" in node:
                yield from figures(node.K)
        elif isinstance(node, pikepdf.Array):
            for child in node:
                yield from figures(child)

    with pikepdf.open(path) as pdf:
        (figure,) = figures(pdf.Root.StructTreeRoot)
        assert str(figure.Alt).startswith("Stapeldiagram: Unika hushåll resp. år 2022–2024")


def test_the_same_chart_gives_the_same_bytes_and_other_data_other_bytes(table_1):
    assert chart_svg(table_1) == chart_svg(table_1)
    assert chart_png(table_1) == chart_png(table_1)
    assert "<dc:date>" not in chart_svg(table_1)
    changed = Chart(
        **{**table_1.__dict__, "series": (ChartSeries("Unika hushåll resp. år", (11201.0, 10022.0, 9754.0)),)}
    )
    assert chart_svg(changed) != chart_svg(table_1)
    assert chart_png(changed) != chart_png(table_1)
    assert chart_png(table_1).startswith(b"\x89PNG")


def test_loading_the_demo_again_changes_no_key_figure(helar_2024):
    counts = lambda: [m.objects.count() for m in (KeyFigure, KeyFigureValue, KeyFigureTable, KeyFigureTableRow)]  # noqa: E731
    before = counts()
    assert before == [2, 8, 1, 2]
    from tests.conftest import DEMO_PASSWORD

    call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    assert counts() == before


def test_the_committee_admin_keeps_key_figures_and_tables_of_their_own_committee(client, committee_admin):
    other = KeyFigure.objects.create(committee=CommitteeFactory(name="Kulturnämnden"), code="besok", name="Besök")
    client.force_login(committee_admin)
    html = client.get(reverse("admin:reports_keyfigure_changelist")).content.decode()
    assert "Unika hushåll resp. år" in html
    assert "Besök" not in html
    assert client.get(reverse("admin:reports_keyfigure_change", args=[other.pk])).status_code == 302
    table = KeyFigureTable.objects.get(code="T1")
    html = client.get(reverse("admin:reports_keyfiguretable_change", args=[table.pk])).content.decode()
    assert "Genomsnittligt antal beviljade hushåll per månad" in html
    assert "nyckeltal" in html.lower()


def test_a_changed_key_figure_is_listed_among_the_changes_between_builds(helar_2024):
    before = to_data(annual_analysis_document(period=helar_2024))
    figure = KeyFigure.objects.get(committee=helar_2024.plan.committee, code="unika-hushall")
    KeyFigureValue.objects.filter(figure=figure, year=2024).update(value=Decimal(9754))
    (change,) = build_changes(before, to_data(annual_analysis_document(period=helar_2024)))
    assert (change.what, change.kind) == (CAPTION, "changed")
    ((_name, old, new),) = change.details
    assert "9\u00a0753" in old
    assert "9\u00a0754" in new
