"""The årsanalys pages and document in the browser: nothing serious for axe-core; charts have text alternatives."""

import pytest
from playwright.sync_api import expect

from commitments.models import Plan, ReportingPeriod
from reports.assembly import annual_analysis_document
from reports.renderers import render
from tests.browser.test_contributions import new_page
from tests.browser.test_login_keyboard import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_finance_tables_page_reads_well(browser, browser_context_args, live_server, demo):
    reviewer = new_page(browser, browser_context_args, live_server, "granskare")
    reviewer.goto(f"{live_server.url}/n/asn/2024-helar/ekonomi/")
    expect(reviewer.get_by_role("table")).to_have_count(9)
    expect(reviewer.get_by_role("cell", name="4 209 889").first).to_be_visible()
    assert serious_violations(reviewer) == []


def test_the_annual_analysis_document_is_accessible_and_its_chart_has_a_text_alternative(
    browser, browser_context_args, live_server, demo
):
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2024-helar")
    html = render(annual_analysis_document(period=period), "html").decode()
    page = browser.new_context(**browser_context_args).new_page()
    page.set_content(html)
    assert serious_violations(page) == []
    chart = page.get_by_role("img", name="Stapeldiagram", exact=False)
    expect(chart).to_have_count(1)
    assert "11 201" in chart.get_attribute("alt").replace("\u00a0", " ")
    # The data table sits beside the chart.
    expect(page.locator("figure table")).to_have_count(1)


def test_the_rollover_preview_is_accessible(browser, browser_context_args, live_server, demo):
    admin = new_page(browser, browser_context_args, live_server, "admin")
    plan = Plan.objects.get(committee=demo, year=2024)
    admin.goto(f"{live_server.url}/admin/commitments/plan/{plan.pk}/rollover/")
    expect(admin.get_by_role("heading", name="Förhandsgranskning: detta får planen 2025")).to_be_visible()
    expect(admin.get_by_role("row", name="Rapportavsnitt 44", exact=False)).to_have_count(1)
    assert serious_violations(admin) == []


def test_the_annual_analysis_web_pages_are_accessible(browser, browser_context_args, live_server, demo):
    reader = new_page(browser, browser_context_args, live_server, "lasare")
    reader.get_by_role("link", name="Rapporten helår 2024").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Årsanalys 2024")
    assert serious_violations(reader) == []
    reader.get_by_role("link", name="Uppföljning och bedömning av bidragen till kommunfullmäktigemålen").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "Uppföljning och bedömning av bidragen till kommunfullmäktigemålen"
    )
    expect(reader.get_by_role("img", name="Stapeldiagram", exact=False)).to_have_count(1)
    assert serious_violations(reader) == []
