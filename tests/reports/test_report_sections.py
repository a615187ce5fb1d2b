"""Report templates as data: sections in order, texts departments write and reviewers approve, computed figures."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from commitments.models import Department, ReportingPeriod
from commitments.workflow import Locked, reviewable_transition
from reports.assembly import annual_analysis_document, report_document
from reports.assembly.text import fill_in_facts, shift_headings
from reports.document import RichText
from reports.models import ReportSection, SectionText
from reports.services import report_sections_replace, section_text_save

pytestmark = pytest.mark.django_db

#: The chapters of the årsanalys 2024, as its contents list them.
SEED_CHAPTERS = [
    "Sammanfattning",
    "Utveckling av verksamheten",
    "Uppföljning av arbetet med prioriteringar",
    "Uppföljning och bedömning av bidragen till kommunfullmäktigemålen",
    "Redovisning av budgetuppdrag",
    "Ekonomisk utveckling under året",
    "Förväntad utveckling kommande år",
    "Resultaträkning",
    "Riktade statsbidrag och övriga bidrag",
    "Sammanfattande redogörelse för uppföljning av privata utförare",
    "Särskild fråga från kommunstyrelsen",
    "Bilagor",
]


@pytest.fixture
def helar_2024(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(plan__year=2024, slug="2024-helar")


@pytest.fixture
def opened(helar_2024):
    """The demo's closed 2024 period, open again so that departments can write."""
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    ReportingPeriod.objects.filter(pk=helar_2024.pk).update(status="open", closed_at=None, deadline=deadline)
    return ReportingPeriod.objects.select_related("plan__committee").get(pk=helar_2024.pk)


def section(heading: str) -> ReportSection:
    return ReportSection.objects.get(plan__year=2024, heading=heading)


def find(sections, heading):
    for s in sections:
        if s.heading == heading:
            return s
        found = find(s.subsections, heading)
        if found:
            return found
    return None


def text_of(document_section) -> str:
    return " ".join(b.html for b in document_section.blocks if isinstance(b, RichText))


def test_the_annual_analysis_has_the_chapters_of_the_seed_in_its_order(helar_2024):
    document = annual_analysis_document(period=helar_2024)
    assert [s.heading for s in document.sections] == SEED_CHAPTERS
    development = document.sections[1]
    assert [s.heading for s in development.subsections] == [
        "Konjunktur och arbetsmarknad",
        "Människor på flykt",
        "Nya lagar och förordningar",
    ]
    assert len(development.subsections[2].subsections) == 4  # three levels, as the contents
    assignments = document.sections[4]
    assert [len(area.subsections) for area in assignments.subsections] == [2, 1]


def test_a_text_section_shows_only_its_approved_text_unless_draft(helar_2024, opened, reviewer):
    target = section("Barn och unga")
    text = SectionText.objects.get(section=target, period=helar_2024)
    reviewable_transition(obj=text, action="reopen", user=reviewer, reason="Lägg till Barnafrid.")
    final = annual_analysis_document(period=helar_2024)
    assert find(final.sections, "Barn och unga") is None  # no approved text: not in the document
    draft = annual_analysis_document(period=helar_2024, draft=True)
    assert "Regeringen gav under 2023" in text_of(find(draft.sections, "Barn och unga"))


def test_a_section_without_any_text_is_marked_in_the_draft_only(helar_2024):
    SectionText.objects.filter(section=section("Barn och unga")).delete()
    assert find(annual_analysis_document(period=helar_2024).sections, "Barn och unga") is None
    draft = find(annual_analysis_document(period=helar_2024, draft=True).sections, "Barn och unga")
    assert "Ingen godkänd text ännu." in text_of(draft)


def test_figures_in_braces_are_counted_and_other_braces_stay():
    html = "<p>{uppnått} av {mål_bidrag} mål; {okänt} och {<b>x</b>}</p>"
    assert fill_in_facts(html, {"uppnått": "tio", "mål_bidrag": "14"}) == (
        "<p>tio av 14 mål; {okänt} och {<b>x</b>}</p>"
    )
    assert fill_in_facts("<p>{uppnått}</p>", {"uppnått": "<script>"}) == "<p>&lt;script&gt;</p>"


def test_a_texts_own_subheadings_go_below_its_section():
    assert shift_headings("<h3>A</h3><h4>B</h4>", 1) == "<h3>A</h3><h4>B</h4>"  # a chapter is h2
    assert shift_headings("<h3>A</h3><h4>B</h4>", 3) == "<h5>A</h5><h6>B</h6>"
    assert shift_headings("<h3>A</h3>", 5) == "<h6>A</h6>"


def test_the_document_reads_in_the_same_number_of_queries_with_more_sections(opened, django_assert_num_queries):
    with django_assert_num_queries(24) as before:  # see test_annual_analysis
        annual_analysis_document(period=opened)
    stab = Department.objects.get(code="STAB")
    editor = User.objects.get(username="redaktor-stab")
    parent = section("Särskild fråga från kommunstyrelsen")
    for n in range(5):
        extra = ReportSection.objects.create(
            plan=opened.plan, kind="arsanalys", parent=parent, sort_order=100 + n, heading=f"Fråga {n}",
            source="narrative", department=stab,
        )  # fmt: skip
        section_text_save(
            text=SectionText(section=extra, period=opened, department=stab), user=editor,
            comment=f"<p>Svar {n}</p>", expected_version=0,
        )  # fmt: skip
    with django_assert_num_queries(len(before.captured_queries)):
        document = annual_analysis_document(period=opened, draft=True)
    assert "Svar 4" in text_of(find(document.sections, "Fråga 4"))


def test_only_the_writing_departments_editors_save_a_text(helar_2024, opened):
    target = section("Konjunktur och arbetsmarknad")  # AMA's
    text = SectionText.objects.get(section=target, period=helar_2024)
    with pytest.raises(PermissionDenied):
        section_text_save(
            text=text, user=User.objects.get(username="redaktor-ebb"), comment="<p>x</p>",
            expected_version=text.version,
        )  # fmt: skip
    with pytest.raises(Locked):  # approved: the department changes it only after a reviewer reopens it
        section_text_save(
            text=text, user=User.objects.get(username="redaktor"), comment="<p>x</p>", expected_version=text.version
        )


def test_a_department_writes_submits_and_a_reviewer_approves_through_the_pages(client, helar_2024, opened, reviewer):
    target = section("Konjunktur och arbetsmarknad")
    SectionText.objects.filter(section=target).delete()
    url = reverse("followup:section_text", args=["asn", "2024-helar", target.pk])
    client.force_login(User.objects.get(username="redaktor"))
    listing = client.get(reverse("followup:section_texts", args=["asn", "2024-helar"])).content.decode()
    assert "Konjunktur och arbetsmarknad" in listing
    assert "Människor på flykt" not in listing  # BTS's
    response = client.post(url, {"comment": "<p>Lågkonjunkturen {uppnått}</p>", "version": 0, "action": "submit"})
    assert response.status_code == 302
    text = SectionText.objects.get(section=target)
    assert text.status == "submitted"
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "Godkänn" in page
    client.post(url, {"action": "approve", "version": text.version})
    text.refresh_from_db()
    assert text.status == "approved"
    document = annual_analysis_document(period=helar_2024)
    assert "<p>Lågkonjunkturen tio</p>" in text_of(find(document.sections, "Konjunktur och arbetsmarknad"))


def test_a_returned_text_shows_the_reviewers_reason_to_the_department(client, helar_2024, opened, reviewer):
    target = section("Människor på flykt")
    text = SectionText.objects.get(section=target, period=helar_2024)
    reviewable_transition(obj=text, action="reopen", user=reviewer, reason="Uppdatera siffrorna för december.")
    client.force_login(User.objects.get(username="redaktor-bts"))
    page = client.get(reverse("followup:section_text", args=["asn", "2024-helar", target.pk])).content.decode()
    assert "Uppdatera siffrorna för december." in page
    assert 'name="comment"' in page


def test_an_invalid_post_keeps_what_was_typed(client, helar_2024, opened):
    target = section("Konjunktur och arbetsmarknad")
    SectionText.objects.filter(section=target).delete()
    client.force_login(User.objects.get(username="redaktor"))
    url = reverse("followup:section_text", args=["asn", "2024-helar", target.pk])
    response = client.post(url, {"comment": "<p>Mitt utkast</p>", "version": 7})  # nobody saved version 7
    assert response.status_code == 409
    assert "Mitt utkast" in response.content.decode()
    assert not SectionText.objects.filter(section=target).exists()
    # Closed while the editor typed, as the committee's admin closes it (a save: the pages keep the period).
    opened.status = ReportingPeriod.Status.CLOSED
    opened.save(update_fields=["status"])
    response = client.post(url, {"comment": "<p>Mitt andra utkast</p>", "version": 0})
    assert response.status_code == 409
    assert "Mitt andra utkast" in response.content.decode()
    assert not SectionText.objects.filter(section=target).exists()


def test_replacing_a_template_names_every_bad_section_and_changes_nothing(demo):
    plan = demo.plans.get(year=2019)
    sections = [
        {"level": 1, "heading": "Inledning", "numbered": True, "source": "introduction"},
        {"level": 3, "heading": "För djupt", "source": "heading"},
        {"level": 1, "heading": "Omvärld", "source": "narrative"},
        {"level": 1, "heading": "Omvärld", "source": "narrative", "department": "XYZ"},
        {"level": 1, "heading": "", "numbered": True, "source": "goals"},
    ]
    with pytest.raises(ValidationError) as error:
        report_sections_replace(user=None, plan=plan, kind="ataganden", sections=sections)
    messages = error.value.messages
    assert any("Avsnitt 2" in m and "nivå 3" in m for m in messages)
    assert any("Avsnitt 3" in m and "avdelningen som skriver" in m for m in messages)
    assert any("Avsnitt 4" in m and "XYZ" in m for m in messages)
    assert len(messages) == 3
    assert not ReportSection.objects.filter(plan=plan).exists()


def test_a_template_with_texts_written_is_not_replaced(helar_2024):
    with pytest.raises(ValidationError, match="ändra dem ett och ett"):
        report_sections_replace(user=None, plan=helar_2024.plan, kind="arsanalys", sections=[])
    assert ReportSection.objects.filter(plan=helar_2024.plan).count() == 44


def test_a_template_of_its_own_numbers_its_chapters_on(demo, client):
    period = ReportingPeriod.objects.get(slug="2019-jan-aug")
    report_sections_replace(
        user=None,
        plan=period.plan,
        kind="ataganden",
        sections=[
            {"level": 1, "heading": "Inledning", "numbered": True, "source": "introduction"},
            {"level": 1, "heading": "", "numbered": True, "source": "goals"},
            {"level": 1, "heading": "Bilagor", "numbered": False, "source": "heading"},
            {"level": 2, "heading": "Bilaga 1", "source": "narrative", "department": "STAB"},
        ],
    )
    document = report_document(period=period, kind="ataganden", draft=True)
    assert [s.number for s in document.sections] == [str(n) for n in range(1, 19)] + [None]
    assert document.sections[-1].subsections[0].heading == "Bilaga 1"
    # The web pages address chapters by their place, numbered or not.
    SectionText.objects.create(
        section=ReportSection.objects.get(heading="Bilaga 1"), period=period, department=Department.objects.get(
            code="STAB"), comment="<p>Bilagan</p>", status="approved", version=1,
    )  # fmt: skip
    client.force_login(User.objects.get(username="lasare"))
    contents = client.get(reverse("reports:contents", args=["asn", "2019-jan-aug"])).content.decode()
    assert reverse("reports:section", args=["asn", "2019-jan-aug", 19]) in contents
    last = client.get(reverse("reports:section", args=["asn", "2019-jan-aug", 19])).content.decode()
    assert "Bilagor" in last
    assert "Bilagan" in last
    assert client.get(reverse("reports:section", args=["asn", "2019-jan-aug", 20])).status_code == 404


def test_sections_nest_three_levels_at_most(helar_2024):
    deepest = section("Ny socialtjänstlag 2025")  # level 3
    fourth = ReportSection(
        plan=helar_2024.plan, kind="arsanalys", parent=deepest, sort_order=1, heading="Fjärde", source="heading"
    )
    with pytest.raises(ValidationError, match="högst tre nivåer"):
        fourth.full_clean()


def test_a_section_names_a_key_figure_table_by_its_code(helar_2024):
    from reports.document import Chart
    from reports.models import KeyFigureTable

    table = KeyFigureTable.objects.get(plan=helar_2024.plan)
    ReportSection.objects.create(
        plan=helar_2024.plan, kind="arsanalys", parent=section("Utmaningar i verksamheten"), sort_order=1,
        heading="", source="key_figures", parameter=table.code,
    )  # fmt: skip
    found = find(annual_analysis_document(period=helar_2024).sections, "Utmaningar i verksamheten")
    assert isinstance(found.blocks[-1], Chart)  # after the section's text, without a heading of its own
    assert found.blocks[-1].title == table.caption
    assert found.subsections == []
    charts = lambda sections: sum(  # noqa: E731
        sum(isinstance(b, Chart) for b in s.blocks) + charts(s.subsections) for s in sections
    )
    assert charts(annual_analysis_document(period=helar_2024).sections) == 1  # not again under its goal


def test_the_year_rollover_takes_the_report_template_and_key_figure_tables_along(helar_2024, committee_admin):
    from indicators.rollover import plan_rollover
    from reports.models import KeyFigureTable

    plan = helar_2024.plan
    result = plan_rollover(plan=plan, user=committee_admin)
    assert result.count("report_sections") == 44
    assert result.count("key_figure_tables") == 1
    assert ("avsnittstexter", 25) in result.not_copied
    tree = lambda p: sorted(  # noqa: E731
        (s.kind, s.sort_order, s.heading, s.source, s.parameter, s.department_id, s.parent.heading if s.parent else "")
        for s in ReportSection.objects.filter(plan=p).select_related("parent")
    )
    new_plan = plan.committee.plans.get(year=2025)
    assert tree(new_plan) == tree(plan)
    assert not SectionText.objects.filter(section__plan=new_plan).exists()
    table = KeyFigureTable.objects.get(plan=new_plan)
    assert table.goal.plan == new_plan
    assert table.goal.origin == KeyFigureTable.objects.get(plan=plan).goal
    assert list(table.rows.values_list("figure__code", flat=True)) == ["unika-hushall", "hushall-per-manad"]


def test_the_department_is_mailed_when_a_reviewer_returns_its_text(helar_2024, reviewer, mailoutbox,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    text = SectionText.objects.get(section=section("Människor på flykt"), period=helar_2024)
    with django_capture_on_commit_callbacks(execute=True):
        reviewable_transition(obj=text, action="reopen", user=reviewer, reason="Uppdatera siffrorna.")
    (mail,) = mailoutbox
    assert mail.to == ["redaktor-bts@example.org"]
    assert "“Människor på flykt”" in mail.subject
    assert "Uppdatera siffrorna." in mail.body


def test_a_section_with_texts_keeps_its_content_and_writing_department(helar_2024):
    target = section("Konjunktur och arbetsmarknad")
    target.department = Department.objects.get(code="BTS")
    with pytest.raises(ValidationError, match="skrivande avdelning ligger fast"):
        target.full_clean()
    target.department, target.source = Department.objects.get(code="AMA"), "heading"
    with pytest.raises(ValidationError, match="skrivande avdelning ligger fast"):
        target.full_clean()
    target.source, target.heading = "narrative", "Konjunkturen och arbetsmarknaden"
    target.full_clean()  # the heading may change


def test_the_priorities_and_budget_assignments_come_from_the_plan_with_their_follow_ups(helar_2024, reviewer):
    from commitments.models import GoalContribution

    document = annual_analysis_document(period=helar_2024)
    priorities = find(document.sections, "Uppföljning av arbetet med prioriteringar")
    assert [s.heading for s in priorities.subsections] == [
        "Hållbara boendelösningar",
        "Skadligt bruk och beroende",
        "Handläggningstider för barnavårdsutredningar",
        "Digitalisering",
        "Återrapportering av uppdrag i nämndsbudget 2024",
    ]
    assert "bedrivits enligt planering i nämndsbudget 2024" in text_of(priorities.subsections[1])
    areas = find(document.sections, "Redovisning av budgetuppdrag").subsections
    assert [(a.heading, len(a.subsections)) for a in areas] == [
        ("Målområde – En attraktiv stad för arbete och hållbar tillväxt", 2),
        ("Målområde – En mer jämlik stad", 1),
    ]
    digital = GoalContribution.objects.get(period=helar_2024, goal__code="P4")
    reviewable_transition(obj=digital, action="reopen", user=reviewer, reason="Komplettera.")
    priorities = find(
        annual_analysis_document(period=helar_2024).sections, "Uppföljning av arbetet med prioriteringar"
    )
    assert "Digitalisering" not in [s.heading for s in priorities.subsections]  # only approved follow-ups


def test_a_draft_marks_a_finance_table_that_is_not_imported_yet(helar_2024):
    from finance.models import FinanceReport

    FinanceReport.objects.filter(period=helar_2024).delete()
    assert find(annual_analysis_document(period=helar_2024).sections, "Resultaträkning") is None
    draft = find(annual_analysis_document(period=helar_2024, draft=True).sections, "Resultaträkning")
    assert "Ekonomifilen för perioden har ingen sådan tabell ännu." in text_of(draft)


def test_the_annual_analysis_reads_as_web_pages(client, helar_2024):
    client.force_login(User.objects.get(username="lasare"))
    contents = client.get(reverse("reports:contents", args=["asn", "2024-helar"])).content.decode()
    assert "Årsanalys 2024" in contents
    chapter = reverse("reports:section", args=["asn", "2024-helar", 1]) + "?kind=arsanalys"
    assert chapter.replace("&", "&amp;") in contents or chapter in contents
    page = client.get(chapter).content.decode()
    assert "<h1>Sammanfattning</h1>" in page
    assert "bidra till 14 av kommunfullmäktiges 15 mål" in page
    url = reverse("reports:contents", args=["asn", "2024-helar"])
    assert client.get(url, {"kind": "ataganden"}).status_code == 404  # 2024 has no commitments
    proposal = client.get(reverse("reports:contents", args=["asn", "2019-helar"]), {"kind": "namndsbudget"})
    assert "NÄMNDSBUDGET 2019" in proposal.content.decode().upper()
