"""The committee admin's page for a report's own texts offers only what the next build prints."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commitments.models import ReportingPeriod
from reports.assembly import report_document
from reports.document import RichText
from reports.models import ReportDefinition, ReportKind, ReportSection
from reports.services import report_definition_save

pytestmark = pytest.mark.django_db

ANNUAL = ReportKind.ANNUAL_ANALYSIS
TEXT = "<p>Årsanalysen beskriver nämndens arbete under 2024.</p>"


@pytest.fixture
def helar_2024(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(plan__year=2024, slug="2024-helar")


def page_url(period, kind):
    return reverse("reports:introduction", args=[period.plan.committee.slug, period.slug]) + f"?kind={kind}"


def printed_texts(document) -> str:
    return " ".join(b.html for s in document.sections for b in s.blocks if isinstance(b, RichText))


def test_the_annual_analysis_offers_no_introduction_it_would_not_print(client, committee_admin, helar_2024):
    """The committee's årsanalys starts with its Sammanfattning: its template has no introduction section."""
    client.force_login(committee_admin)
    page = client.get(page_url(helar_2024, ANNUAL)).content.decode()
    assert 'name="introduction"' not in page
    assert "Titelsida och innehållsförteckning: Årsanalys" in page
    assert "har inget inledningsavsnitt" in page
    assert "Högst 200 tecken." in page  # the occasion's limit, said before it is reached
    # What the page offers is saved and is in the next build.
    response = client.post(page_url(helar_2024, ANNUAL), {"occasion": "Underlag för beslut", "contents": "no"})
    assert response.status_code == 302
    document = report_document(period=helar_2024, kind=ANNUAL)
    assert document.occasion == "Underlag för beslut"
    assert document.contents is False
    # The builds page names the link for what it leads to.
    builds = client.get(reverse("reports:builds", args=["asn", "2024-helar"])).content.decode()
    assert "Redigera titelsida och innehållsförteckning" in builds


def test_an_introduction_for_a_report_without_an_introduction_section_is_refused(committee_admin, helar_2024):
    definition = ReportDefinition(period=helar_2024, kind=ANNUAL)
    with pytest.raises(ValidationError) as refused:
        report_definition_save(definition=definition, user=committee_admin, introduction=TEXT)
    assert "introduction" in refused.value.message_dict
    assert not ReportDefinition.objects.filter(period=helar_2024, kind=ANNUAL).exists()
    # Saving the other texts leaves the (empty) introduction alone.
    report_definition_save(definition=definition, user=committee_admin, occasion="Underlag")
    assert ReportDefinition.objects.get(period=helar_2024, kind=ANNUAL).introduction == ""


def test_whatever_the_page_offers_for_any_report_is_printed_in_the_next_build(client, committee_admin, helar_2024):
    client.force_login(committee_admin)
    jan_aug = ReportingPeriod.objects.get(plan__year=2019, slug="2019-jan-aug")
    # The annual analysis with an introduction section added to its template, and the standard
    # follow-up and plan proposal, which have one.
    ReportSection.objects.create(
        plan=helar_2024.plan, kind=ANNUAL, sort_order=0, heading="Inledning", source=ReportSection.Source.INTRODUCTION
    )
    cases = [(helar_2024, ANNUAL), (jan_aug, ReportKind.FOLLOW_UP), (jan_aug, ReportKind.PLAN_PROPOSAL)]
    for period, kind in cases:
        assert 'name="introduction"' in client.get(page_url(period, kind)).content.decode()
        response = client.post(page_url(period, kind), {"introduction": TEXT, "occasion": "", "contents": ""})
        assert response.status_code == 302, kind
        assert TEXT in printed_texts(report_document(period=period, kind=kind)), kind
    # Without the section, the annual analysis offers no introduction again (the one saved stays unprinted).
    ReportSection.objects.filter(plan=helar_2024.plan, kind=ANNUAL, source=ReportSection.Source.INTRODUCTION).delete()
    page = client.get(page_url(helar_2024, ANNUAL)).content.decode()
    assert 'name="introduction"' not in page
    assert TEXT not in printed_texts(report_document(period=helar_2024, kind=ANNUAL))
