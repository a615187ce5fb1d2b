"""
What the committee's documents print, printed the way the seeds print it (issue 13, point 5):
the table by sex inside the outcome's comment with the rows the plan names, a legend of the
marks used, the årsanalys's italics, tables and sentences where and as written, and the plan
proposal's occasion line, alternative wordings, notes, labels and placeholder values.
"""

import json
import re

import pytest

from commitments.models import Goal, GoalContribution, ReportingPeriod
from commitments.services import goal_contribution_save
from reports.assembly import annual_analysis_document, follow_up_document, plan_proposal_document
from reports.assembly.text import place_tables
from reports.document import Chart, IndicatorTable, RichText, Table, to_data
from reports.models import ReportDefinition, ReportKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan_aug(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-jan-aug")


@pytest.fixture
def helar_2024(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(slug="2024-helar")


def document_text(document) -> str:
    return json.dumps(to_data(document), ensure_ascii=False)


# --- Placing tables in a text -------------------------------------------------------------


def table(caption: str) -> Table:
    return Table(caption=caption, header=("", "Samtliga"), rows=(("Totalt", "1"),))


def test_a_table_stands_where_the_text_marks_it():
    blocks = place_tables("<p>Före.</p><p>{tabell}</p><p>Efter.</p>", {"": [table("T")]})
    assert blocks == [RichText("<p>Före.</p>"), table("T"), RichText("<p>Efter.</p>")]


def test_a_table_the_text_does_not_place_follows_it_and_each_table_is_placed_once():
    assert place_tables("<p>Text.</p>", {"": [table("T")]}) == [RichText("<p>Text.</p>"), table("T")]
    blocks = place_tables("<p>{tabell}</p><p>x</p><p>{ tabell }</p>", {"": [table("T")]})
    assert blocks == [table("T"), RichText("<p>x</p><p>{ tabell }</p>")]  # the second mark stays, for the writer


def test_a_mark_names_a_table_by_its_code_and_an_unknown_code_stays_as_written():
    blocks = place_tables("<p>{tabell:t1}</p><p>{tabell:T9}</p>", {"T1": [table("Ett")]})
    assert blocks == [table("Ett"), RichText("<p>{tabell:T9}</p>")]


# --- The follow-up of commitments ---------------------------------------------------------


def test_the_table_by_sex_stands_under_its_caption_with_the_rows_the_plan_names(jan_aug):
    document = follow_up_document(period=jan_aug)
    rows = {r.code: r for s in document.sections for b in s.blocks if isinstance(b, IndicatorTable) for r in b.rows}
    ai1 = rows["AI1"].comment
    assert [type(part).__name__ for part in ai1] == ["RichText", "Table", "RichText"]
    caption = "<p>Antal och andel avslut från arbetsmarknadsinsatser, januari-augusti 2019, 18-29 år</p>"
    assert ai1[0].html.endswith(caption)
    assert ai1[1].caption == ""  # its caption is the department's paragraph just above it
    assert [row[0] for row in ai1[1].rows] == [
        "Totalt antal avslut", "Antal avslut till studier", "Andel avslut till studier",
    ]  # fmt: skip
    assert ai1[1].rows[0][1:] == ("628", "257", "371")
    assert ai1[2].html.startswith("<p>Antalet deltagare som avslutats till studier har minskat")
    assert [row[0] for row in rows["AI4"].comment[1].rows][1] == "Antal avslut till arbete"
    assert "{tabell" not in document_text(document)
    assert all(not isinstance(part, Table) for part in rows["AI5"].comment)


def test_a_legend_explains_the_marks_the_follow_up_uses_in_the_scales_order(jan_aug):
    legend = follow_up_document(period=jan_aug).legend
    scale = jan_aug.plan.commitment_scale.values.order_by("sort_order")
    used = [(v.symbol, v.label) for v in scale if v.code in ("enligt-plan", "delvis")]
    assert [(a.symbol, a.label) for a in legend] == used
    assert [a.symbol for a in legend] == ["●", "◆"]


# --- The årsanalys ------------------------------------------------------------------------


def test_no_word_of_the_annual_analysis_is_wrapped_in_asterisks(helar_2024):
    text = document_text(annual_analysis_document(period=helar_2024))
    assert re.findall(r"\*[^*\s][^*]{0,80}\*", text) == []
    assert "<i>Lägenhetsenheten</i>" in text


def test_the_annual_analysis_names_no_chart_it_does_not_contain(helar_2024):
    document = annual_analysis_document(period=helar_2024)
    text = document_text(document)
    charts = text.count('"type": "Chart"')
    assert charts == 1  # Tabell 1's
    assert "Nedanstående diagram" not in text
    assert "Diagrammet visar" not in text


def test_the_sentence_the_department_wrote_is_printed_else_the_scales(helar_2024):
    contribution = GoalContribution.objects.select_related("goal", "assessment").get(
        period=helar_2024, goal__code="KF08"
    )
    text = document_text(annual_analysis_document(period=helar_2024))
    assert "för 2024 har delvis uppnåtts." in text  # KF08, as the seed words it
    assert contribution.year_sentence(2024) == contribution.assessment_sentence
    contribution.assessment_sentence = ""
    assert contribution.year_sentence(2024) == contribution.assessment.sentence_for(2024)


def test_a_sentence_without_its_assessment_is_refused(helar_2024):
    from django.core.exceptions import ValidationError

    from commitments.models import ReviewStatus
    from demo.management.commands.load_demo import editor_of, period_opened

    GoalContribution.objects.filter(period=helar_2024, goal__code="KF01").update(status=ReviewStatus.DRAFT)
    contribution = GoalContribution.objects.select_related("department", "goal", "period__plan").get(
        period=helar_2024, goal__code="KF01"
    )
    editor = editor_of(contribution.department)
    with period_opened(contribution.period), pytest.raises(ValidationError) as raised:
        goal_contribution_save(
            contribution=contribution, user=editor, comment="<p>Text.</p>", assessment=None,
            assessment_motivation="", mandate_assessment=None, mandate_motivation="",
            assessment_sentence="Bedömningen är att det gick bra.", expected_version=contribution.version,
        )  # fmt: skip
    assert "assessment" in raised.value.message_dict


# --- The plan proposal --------------------------------------------------------------------


def goal_section(document, code_text: str):
    return next(g for area in document.sections for g in area.subsections if code_text in g.heading)


def test_the_plan_proposal_prints_its_occasion_and_no_contents_unless_asked(jan_aug):
    document = plan_proposal_document(period=jan_aug)
    assert document.occasion == "Underlag för Dialog – ASN 20190222"
    assert document.contents is False
    ReportDefinition.objects.filter(period=jan_aug, kind=ReportKind.PLAN_PROPOSAL).update(contents=True)
    assert plan_proposal_document(period=jan_aug).contents is True
    assert follow_up_document(period=jan_aug).contents is True


def test_the_plan_proposal_prints_alternative_wordings_and_notes(jan_aug):
    document = plan_proposal_document(period=jan_aug)
    nm13 = goal_section(document, "skapa trygghet i hemmet")
    assert nm13.blocks[0].html.startswith("<p>Alternativ målformulering: Arbetsmarknads- och socialnämnden ska genom")
    nm12 = goal_section(document, "hemlösa Malmöbor")
    assert isinstance(nm12.blocks[-1], RichText)
    assert nm12.blocks[-1].html == (
        "<ul><li>Målvärden är i linje med budget och innebär en minskning av antalet personer i tillfälligt boende "
        "med 440 vuxna och 310 barn.</li></ul>"
    )
    nm11 = goal_section(document, "delaktiga och ha inflytande över hur deras insatser")
    assert nm11.blocks[-1].html.count("<p>") == 2
    assert "ett nytt åtagande under detta nämndsmål:</p><p>Arbetsmarknads- och socialförvaltningen ska arbeta" in (
        nm11.blocks[-1].html
    )


def test_the_plan_proposal_labels_new_indicators_and_prints_values_as_the_seed(jan_aug):
    document = plan_proposal_document(period=jan_aug)
    rows = {
        row[0]: row[1:]
        for area in document.sections
        for goal in area.subsections
        for block in goal.blocks
        if isinstance(block, Table)
        for row in block.rows
    }
    assert "Ny målindikator: Att pröva nya former för brukardialog" in rows
    assert any(name.startswith("Ny kvalitativ indikator: En kvalitativ bedömning av hur nämndens") for name in rows)
    assert any(name.startswith("Ny indikator: Antal sociala konsekvensbedömningar") for name in rows)
    skolfam = rows["Andel barn i aktuell målgrupp som får tillgång till Skolfam"]
    assert skolfam == ("Ny indikator – målvärde tas fram.", "NY", "NY")
    assert rows[next(n for n in rows if "biståndstiden för hushåll med långvarigt" in n)][1] == "36,1"
    tidiga = next(n for n in rows if "tillgänglighet och likvärdighet avseende tidiga insatser" in n)
    assert rows[tidiga] == ("-", "-", "-")
    taxi = rows["Antal kilometer resta med taxi"]
    assert taxi[0] == "29\u00a0000\u00a0(-3\u00a0%)"  # no line break inside the value


def test_goal_fields_of_the_plan_file_round_trip(jan_aug):
    nm14 = Goal.objects.get(plan=jan_aug.plan, code="NM14")
    assert nm14.alternative_text.endswith("i samarbete med den idéburna sektorn och andra nämnder.")
    assert "*" not in nm14.alternative_text


def test_a_chart_block_is_still_a_chart(helar_2024):
    document = annual_analysis_document(period=helar_2024)
    blocks = [b for s in document.sections for b in walk_blocks(s)]
    assert sum(isinstance(b, Chart) for b in blocks) == 1


def walk_blocks(section):
    yield from section.blocks
    for child in section.subsections:
        yield from walk_blocks(child)


def test_the_admin_sets_the_occasion_line_and_the_contents_list(client, jan_aug, committee_admin):
    from django.urls import reverse

    client.force_login(committee_admin)
    url = reverse("reports:introduction", args=["asn", "2019-jan-aug"]) + "?kind=namndsbudget"
    page = client.get(url).content.decode()
    assert 'value="Underlag för Dialog – ASN 20190222"' in page
    response = client.post(url, {"introduction": "", "occasion": "  Underlag för  beslut ", "contents": "yes"})
    assert response.status_code == 302
    document = plan_proposal_document(period=jan_aug)
    assert (document.occasion, document.contents) == ("Underlag för beslut", True)
    client.post(url, {"introduction": "", "occasion": "", "contents": ""})
    document = plan_proposal_document(period=jan_aug)
    assert (document.occasion, document.contents) == ("", False)  # as the kind has it
    response = client.post(url, {"introduction": "", "occasion": "x" * 201, "contents": "maybe"})
    assert response.status_code == 400
    assert plan_proposal_document(period=jan_aug).occasion == ""


def test_a_mark_inside_a_list_stays_as_written_and_the_table_follows_the_text():
    html = "<ul><li><p>{tabell}</p></li></ul><p>Efter.</p>"
    assert place_tables(html, {"": [table("T")]}) == [RichText(html), table("T")]
