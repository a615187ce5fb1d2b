"""
The follow-up of a committee shaped unlike ASN: perspectives instead of numbered goal areas,
goals measured directly by indicators ("mätetal") with no commitments, targets written as
bounds, three years of outcomes side by side, its own words (a ``ReportLayout``).
"""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document as WordDocument

from commitments.models import AssessmentScale, AssessmentValue, GoalContribution, Membership, ReviewStatus
from commitments.numbers import NBSP
from indicators.models import Indicator, Outcome, PriorOutcome, Target
from reports.assembly import report_document
from reports.document import RichText, Table, to_data
from reports.layouts import layout_for
from reports.models import ReportKind, ReportLayout
from reports.renderers import render
from reports.selectors import report_kinds_for
from tests.factories import (
    CommitteeFactory,
    DepartmentFactory,
    GoalAreaFactory,
    GoalFactory,
    IndicatorFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FOLLOW_UP = ReportKind.FOLLOW_UP
WORDS = {
    "title": "Uppföljning av nämndens mål {period} {year}",
    "goal_area_word": "Perspektiv",
    "goal_word": "Nämndsmål",
    "indicator_word": "Mätetal",
}


class GoalCommittee:
    """A fictional committee with two perspectives, three goals measured by goal indicators, no commitments."""

    def __init__(self):
        self.committee = CommitteeFactory(slug="fritid", name="Fritidsnämnden", organisation="Exempelkommunen")
        self.culture = DepartmentFactory(committee=self.committee, code="KUL", name="Kulturavdelningen", sort_order=1)
        self.sport = DepartmentFactory(committee=self.committee, code="IDR", name="Idrottsavdelningen", sort_order=2)
        scale = AssessmentScale.objects.create(
            committee=self.committee, code="mal", name="Måluppfyllelse", applies_to="goal_year"
        )
        levels = [
            ("uppnatt", "Uppnått", "●"), ("nastan", "Nästan uppnått", "◕"), ("delvis", "Delvis uppnått", "◑"),
            ("ej", "Ej uppnått", "○"),
        ]  # fmt: skip
        self.levels = {
            code: AssessmentValue.objects.create(scale=scale, code=code, label=label, symbol=symbol, sort_order=n)
            for n, (code, label, symbol) in enumerate(levels, start=1)
        }
        self.levels["ejuppf"] = AssessmentValue.objects.create(
            scale=scale, code="ejuppf", label="Ej uppföljt", symbol="–", sort_order=9, not_followed_up=True
        )
        self.plan = PlanFactory(committee=self.committee, year=2024, goal_year_scale=scale)
        self.period = ReportingPeriodFactory(plan=self.plan)
        self.citizens = GoalAreaFactory(plan=self.plan, code="P1", name="Medborgare", sort_order=1)
        self.economy = GoalAreaFactory(plan=self.plan, code="P2", name="Ekonomi", sort_order=2)
        self.reader = UserFactory(username="fritid-lasare")
        MembershipFactory(
            user=self.reader, committee=self.committee, department=self.culture, role=Membership.Role.READER
        )

    def goal(self, area, text, *departments):
        goal = GoalFactory(goal_area=area, text=text)
        goal.departments.set(departments or [self.culture])
        return goal

    def indicator(self, goal, name, *, targets=(), prior=(), unit=Indicator.Unit.PERCENT):
        indicator = IndicatorFactory(goal=goal, name=name, level=Indicator.Level.GOAL, unit=unit)
        for year, value, comparator in targets:
            Target.objects.create(indicator=indicator, year=year, value=value, comparator=comparator)
        for year, value in prior:
            PriorOutcome.objects.create(indicator=indicator, year=year, value=value)
        return indicator

    def outcome(self, indicator, department, value=None, *, status=ReviewStatus.APPROVED, **fields):
        return Outcome.objects.create(
            indicator=indicator, period=self.period, department=department, value=value, status=status, **fields
        )

    def follow_up(self, goal, department, level, comment, *, status=ReviewStatus.APPROVED):
        return GoalContribution.objects.create(
            goal=goal, period=self.period, department=department, assessment=self.levels[level], comment=comment,
            assessment_motivation="Bedömningen baseras på mätetalen.", status=status,
        )  # fmt: skip


@pytest.fixture
def shaped():
    """The committee with its plan, approved outcomes and goal follow-ups, and a layout in its own words."""
    c = GoalCommittee()
    c.visitors = c.goal(c.citizens, "Fler besöker våra anläggningar")
    c.satisfied = c.goal(c.citizens, "Medborgarna är nöjda med fritidsutbudet", c.sport)
    c.budget = c.goal(c.economy, "En budget i balans", c.culture, c.sport)
    c.share = c.indicator(
        c.visitors, "Andel besökare som är nöjda",
        targets=[(2024, 80, Target.Comparator.AT_LEAST), (2025, 85, Target.Comparator.AT_LEAST)],
        prior=[(2022, 71), (2023, Decimal("76.5"))],
    )  # fmt: skip
    c.complaints = c.indicator(
        c.satisfied, "Andel klagomål", targets=[(2024, 5, Target.Comparator.AT_MOST)], prior=[(2022, 7), (2023, 6)]
    )
    c.deviation = c.indicator(
        c.budget, "Budgetavvikelse", targets=[(2024, 0, Target.Comparator.AT_MOST)], prior=[(2023, 2)],
        unit=Indicator.Unit.KSEK,
    )  # fmt: skip
    c.outcome(c.share, c.culture, Decimal("82"), assessment=c.levels["uppnatt"], comment="<p>Fler nöjda i år.</p>")
    c.outcome(c.complaints, c.sport, unavailable_reason="Mäts vid årets slut")
    c.outcome(c.deviation, c.culture, Decimal("-120"), assessment=c.levels["delvis"])
    c.outcome(c.deviation, c.sport, Decimal("40"), assessment=c.levels["ej"])
    c.follow_up(c.visitors, c.culture, "uppnatt", "<p>Besöken ökade under sommaren.</p>")
    c.follow_up(c.satisfied, c.sport, "nastan", "<p>Enkäten visar en förbättring.</p>")
    c.follow_up(c.budget, c.sport, "ej", "<p>Ett underskott väntas.</p>", status=ReviewStatus.SUBMITTED)
    ReportLayout.objects.create(committee=c.committee, kind=FOLLOW_UP, **WORDS)
    return c


def tables(section) -> list[Table]:
    return [block for block in section.blocks if isinstance(block, Table)]


def test_the_follow_up_has_a_chapter_per_perspective_and_a_section_per_goal_in_the_layouts_words(shaped):
    document = report_document(period=shaped.period, kind=FOLLOW_UP)
    assert document.title == "Uppföljning av nämndens mål januari–augusti 2024"
    assert [s.heading for s in document.sections] == ["Inledning", "Perspektiv – Medborgare", "Perspektiv – Ekonomi"]
    assert "Varje perspektiv är ett eget kapitel" in document.sections[0].blocks[0].html
    citizens = document.sections[1]
    assert [s.heading for s in citizens.subsections] == [
        "Nämndsmål: Fler besöker våra anläggningar",
        "Nämndsmål: Medborgarna är nöjda med fritidsutbudet",
    ]
    data = str(to_data(document))
    for asn_word in ("Åtagande", "Målindikator", "Målområde", "Uppföljning av åtaganden"):
        assert asn_word not in data


def test_a_goal_shows_each_departments_follow_up_with_its_assessment_in_the_legend(shaped):
    document = report_document(period=shaped.period, kind=FOLLOW_UP)
    visitors, satisfied = document.sections[1].subsections
    follow_up = visitors.blocks[0]
    assert isinstance(follow_up, RichText)
    assert "<b>Kulturavdelningen</b>" in follow_up.html
    assert '<b>Bedömning:</b> <span aria-hidden="true">●</span> Uppnått' in follow_up.html
    assert "Bedömningen baseras på mätetalen." in follow_up.html
    assert "Besöken ökade under sommaren." in follow_up.html
    assert "Nästan uppnått" in satisfied.blocks[0].html
    # The submitted (not approved) follow-up of the budget goal is left out.
    budget = document.sections[2].subsections[0]
    assert not any("underskott" in b.html for b in budget.blocks if isinstance(b, RichText))
    assert [(a.symbol, a.label) for a in document.legend] == [
        ("●", "Uppnått"), ("◕", "Nästan uppnått"), ("◑", "Delvis uppnått"), ("○", "Ej uppnått"),
    ]  # fmt: skip


def test_the_indicator_table_shows_three_years_the_target_with_its_comparator_and_the_assessment(shaped):
    document = report_document(period=shaped.period, kind=FOLLOW_UP)
    visitors, satisfied = document.sections[1].subsections
    (table,) = tables(visitors)
    assert table.header == (
        "Mätetal", "Utfall 2022", "Utfall 2023", "Utfall januari–augusti 2024", "Målvärde 2024", "Bedömning",
        "Kommentar",
    )  # fmt: skip
    assert table.rows == (
        (
            "Andel besökare som är nöjda", f"71{NBSP}%", f"76,5{NBSP}%", f"82{NBSP}%", f"Minst 80{NBSP}%",
            "● Uppnått", "<p>Fler nöjda i år.</p>",
        ),
    )  # fmt: skip
    assert table.numeric == (False, True, True, True, True, False, False)
    assert table.rich == (False, False, False, False, False, False, True)
    # No figure yet: the department's reason stands in its place; an upper bound reads "Högst".
    (complaints,) = tables(satisfied)
    assert complaints.rows[0][1:5] == (f"7{NBSP}%", f"6{NBSP}%", "Mäts vid årets slut", f"Högst 5{NBSP}%")


def test_an_indicator_reported_by_two_departments_has_a_row_for_each(shaped):
    document = report_document(period=shaped.period, kind=FOLLOW_UP)
    (table,) = tables(document.sections[2].subsections[0])
    assert [row[0] for row in table.rows] == [
        "Budgetavvikelse (Kulturavdelningen)",
        "Budgetavvikelse (Idrottsavdelningen)",
    ]
    assert [row[3] for row in table.rows] == [f"-120{NBSP}tkr", f"40{NBSP}tkr"]
    assert table.rows[0][1] == ""  # the plan states no outcome for 2022
    # With a department column, the department has a column of its own.
    ReportLayout.objects.filter(committee=shaped.committee).update(columns=["department", "outcome"])
    (table,) = tables(report_document(period=shaped.period, kind=FOLLOW_UP).sections[2].subsections[0])
    assert table.header == ("Mätetal", "Avdelning", "Utfall januari–augusti 2024")
    assert table.rows == (
        ("Budgetavvikelse", "Kulturavdelningen", f"-120{NBSP}tkr"),
        ("Budgetavvikelse", "Idrottsavdelningen", f"40{NBSP}tkr"),
    )


def test_only_approved_outcomes_unless_a_draft(shaped):
    shaped.outcome(shaped.complaints, shaped.culture, Decimal("4"), status=ReviewStatus.SUBMITTED)

    def rows(draft):
        return tables(report_document(period=shaped.period, kind=FOLLOW_UP, draft=draft).sections[1].subsections[1])[
            0
        ].rows

    assert [row[0] for row in rows(False)] == ["Andel klagomål"]
    # One row per department, in the departments' order.
    assert [row[3] for row in rows(True)] == [f"4{NBSP}%", "Mäts vid årets slut"]


def test_targets_of_every_year_the_plan_gives(shaped):
    ReportLayout.objects.filter(committee=shaped.committee).update(target_years="all", columns=["targets"])
    document = report_document(period=shaped.period, kind=FOLLOW_UP)
    (table,) = tables(document.sections[1].subsections[0])
    assert table.header == ("Mätetal", "Målvärde 2024", "Målvärde 2025")
    assert table.rows == (("Andel besökare som är nöjda", f"Minst 80{NBSP}%", f"Minst 85{NBSP}%"),)


def test_without_a_layout_a_plan_without_commitments_gets_the_follow_up_of_goals(shaped):
    ReportLayout.objects.filter(committee=shaped.committee).delete()
    assert report_kinds_for(shaped.period) == [FOLLOW_UP, ReportKind.PLAN_PROPOSAL]
    document = report_document(period=shaped.period, kind=FOLLOW_UP)
    assert document.title == "Uppföljning av nämndens mål januari–augusti 2024"
    assert [s.heading for s in document.sections] == ["Inledning", "Målområde – Medborgare", "Målområde – Ekonomi"]
    visitors = document.sections[1].subsections[0]
    assert visitors.heading == "Mål: Fler besöker våra anläggningar"
    assert tables(visitors)[0].header[:2] == ("Indikator", "Utfall 2022")


def test_the_follow_up_in_html_word_and_pdf(shaped, tmp_path):
    document = report_document(period=shaped.period, kind=FOLLOW_UP)
    html = render(document, "html").decode()
    assert '<th scope="col">Mätetal</th>' in html
    assert f"Minst 80{NBSP}%" in html
    assert f"Högst 5{NBSP}%" in html
    assert '<td><div class="rich-text"><p>Fler nöjda i år.</p></div></td>' in html

    word = WordDocument(io.BytesIO(render(document, "docx")))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "2 Perspektiv – Medborgare" in headings
    assert "Nämndsmål: Fler besöker våra anläggningar" in headings
    table = next(t for t in word.tables if t.rows[0].cells[0].text == "Mätetal")
    assert [c.text for c in table.rows[0].cells] == [
        "Mätetal", "Utfall 2022", "Utfall 2023", "Utfall januari–augusti 2024", "Målvärde 2024", "Bedömning",
        "Kommentar",
    ]  # fmt: skip
    assert [c.text for c in table.rows[1].cells][3:] == [
        f"82{NBSP}%",
        f"Minst 80{NBSP}%",
        "● Uppnått",
        "Fler nöjda i år.",
    ]

    pdf = tmp_path / "follow-up.pdf"
    pdf.write_bytes(render(document, "pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    for expected in ("Uppföljning av nämndens mål januari–augusti 2024", "Perspektiv – Ekonomi", "Mätetal",
                     "76,5 %", "Mäts vid", "Nästan uppnått"):  # fmt: skip
        assert expected.replace(" ", "") in flat, expected
    # A narrow column breaks "Minst / 80 %" after the word, and the text runs cell by cell.
    for word, figure in (("Minst", "80%"), ("Högst", "5%")):
        assert re.search(rf"{word}.{{0,200}}{figure}", flat), (word, figure)


def test_the_follow_up_reads_in_a_fixed_number_of_queries_as_the_plan_grows(shaped, django_assert_max_num_queries):
    def build():
        report_document(period=shaped.period, kind=FOLLOW_UP)

    with django_assert_max_num_queries(30) as few:
        build()
    area = GoalAreaFactory(plan=shaped.plan, code="P3", name="Medarbetare", sort_order=3)
    for n in range(3):
        goal = shaped.goal(area, f"Mål {n}", shaped.culture, shaped.sport)
        indicator = shaped.indicator(goal, f"Mätetal {n}", targets=[(2024, 50, "at_least")], prior=[(2022, 1)])
        shaped.outcome(indicator, shaped.culture, Decimal(n), assessment=shaped.levels["delvis"])
        shaped.outcome(indicator, shaped.sport, Decimal(n), assessment=shaped.levels["uppnatt"])
        shaped.follow_up(goal, shaped.sport, "delvis", "<p>Text</p>")
    with django_assert_max_num_queries(len(few.captured_queries)):
        build()
    assert len(report_document(period=shaped.period, kind=FOLLOW_UP).sections) == 4


def test_the_pages_name_the_report_by_its_layout(shaped, client):
    client.force_login(shaped.reader)
    url = reverse("reports:contents", args=[shaped.committee.slug, shaped.period.slug])
    page = client.get(url, {"kind": ReportKind.PLAN_PROPOSAL}).content.decode()
    assert 'kind=ataganden">Uppföljning av nämndens mål</a>' in page


# The layout as data: validation, loading, the admin


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Uppföljning {kvartal}", "Titeln får bara innehålla {period} och {year}, inte {kvartal}."),
        ("title", "Uppföljning {period", "Skriv klammerparenteser bara runt {period} eller {year}."),
        ("columns", ["outcome", "utfall"], "Okänd kolumn ”utfall”"),
        ("columns", ["outcome", "outcome"], "Varje kolumn får förekomma en gång."),
        ("columns", "outcome", "Ange kolumnerna som en lista med namn"),
        ("prior_years", 6, "5"),
        ("chapters", "perspective", "perspective"),
    ],
)
def test_a_layout_is_validated_with_clear_messages(field, value, message):
    layout = ReportLayout(committee=CommitteeFactory(), kind=FOLLOW_UP, **{field: value})
    with pytest.raises(ValidationError) as error:
        layout.full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_a_committee_file_loads_layouts_and_names_the_bad_key_with_its_path():
    from onboarding.committee_file import committee_file_load

    committee = CommitteeFactory()
    head = {"committee": {"slug": committee.slug, "name": committee.name, "organisation": committee.organisation}}
    good = {"kind": "namndsbudget", "title": "Budget {year}"}
    for bad, path in (
        ({"kind": FOLLOW_UP, "colums": ["outcome"]}, "report_layouts[1].colums"),
        ({"kind": FOLLOW_UP, "prior_years": 9}, "report_layouts[1].prior_years"),
        ({"kind": "kvartal"}, "report_layouts[1].kind"),
        ({"kind": FOLLOW_UP, "columns": ["outcome", "utfall"]}, "report_layouts[1].columns"),
    ):
        result = committee_file_load(head | {"report_layouts": [good, bad]})
        assert [p.path for p in result.problems][:1] == [path], bad
        assert not ReportLayout.objects.filter(committee=committee).exists()
    # Loaded twice: updated, not doubled; keys left out keep their values (a new layout: the defaults).
    committee_file_load(head | {"report_layouts": [good]})
    committee_file_load(head | {"report_layouts": [{"kind": "namndsbudget", "chapters": "goal"}]})
    (layout,) = ReportLayout.objects.filter(committee=committee)
    assert (layout.title, layout.chapters, layout.columns) == (
        "Budget {year}",
        "goal",
        ["prior_outcomes", "outcome", "targets", "assessment", "comment"],
    )


def test_a_committee_admin_edits_the_layout_in_the_admin(shaped, client):
    admin_user = UserFactory(username="fritid-admin", is_staff=True)
    MembershipFactory(user=admin_user, committee=shaped.committee, role=Membership.Role.COMMITTEE_ADMIN)
    client.force_login(admin_user)
    layout = ReportLayout.objects.get(committee=shaped.committee)
    url = reverse("admin:reports_reportlayout_change", args=[layout.pk])
    page = client.get(url).content.decode()
    assert "prior_outcomes, outcome, targets, assessment, comment" in page  # the columns as written
    form = {
        "title": "Mål och mätetal {period} {year}", "goal_area_word": "Perspektiv", "goal_word": "Mål",
        "commitment_word": "", "indicator_word": "Mätetal", "goal_indicator_word": "", "commitment_indicator_word": "",
        "chapters": "goal_area", "show_goal_follow_up": "on", "indicators": "goal",
        "columns": "outcome, targets, resultat", "prior_years": "2", "target_years": "year",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Okänd kolumn ”resultat”" in response.content.decode()
    layout.refresh_from_db()
    assert layout.title == WORDS["title"]
    response = client.post(url, {**form, "columns": "outcome, targets"})
    assert response.status_code == 302
    layout.refresh_from_db()
    assert (layout.title, layout.columns, layout.show_commitments) == (
        "Mål och mätetal {period} {year}",
        ["outcome", "targets"],
        False,
    )
    # Another committee's admin does not see it.
    other = UserFactory(username="annan-admin", is_staff=True)
    MembershipFactory(user=other, committee=CommitteeFactory(), role=Membership.Role.COMMITTEE_ADMIN)
    client.force_login(other)
    assert client.get(url).status_code in (302, 403, 404)


# ASN: its documents are its layouts, and the same as the standard layouts give


@pytest.mark.parametrize(
    ("slug", "kind"),
    [
        ("2019-jan-aug", FOLLOW_UP),
        ("2019-helar", ReportKind.PLAN_PROPOSAL),
        ("2024-helar", ReportKind.ANNUAL_ANALYSIS),
    ],
)
def test_asns_documents_from_its_layouts_are_those_of_the_standard_layouts(demo, slug, kind):
    from commitments.models import ReportingPeriod

    period = ReportingPeriod.objects.get(plan__committee=demo, slug=slug)
    assert layout_for(plan=period.plan, kind=kind).pk is not None  # asn.json's layout
    with_layout = to_data(report_document(period=period, kind=kind, draft=True))
    ReportLayout.objects.filter(committee=demo).delete()
    assert layout_for(plan=period.plan, kind=kind).pk is None
    assert to_data(report_document(period=period, kind=kind, draft=True)) == with_layout
