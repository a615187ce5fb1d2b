"""The accessibility statement in a browser: reached from the footer, no serious axe faults, its form by keyboard."""

import pytest
from playwright.sync_api import expect

from accessibility.models import AccessibilityReport
from tests.browser.test_login_keyboard import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_statement_and_its_form_have_no_serious_faults(page, live_server, demo, mailoutbox):
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Tillgänglighet").click()
    page.wait_for_url("**/tillganglighet/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillgänglighet för Uppföljning")
    expect(page.get_by_role("heading", name="Rapportera en brist")).to_be_visible()
    assert serious_violations(page) == []

    # An empty report and a bad address: the error summary takes focus and names both; nothing is sent.
    page.get_by_label("Din e-postadress (frivilligt)").fill("kim(at)example")
    page.get_by_role("button", name="Skicka rapporten").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Din rapport skickades inte")
    expect(summary).to_contain_text("Beskriv problemet du stötte på.")
    expect(summary).to_contain_text("Fyll i en giltig e-postadress.")
    expect(summary).to_be_focused()
    description = page.get_by_label("Beskriv problemet")
    expect(description).to_have_attribute("aria-invalid", "true")
    assert serious_violations(page) == []
    assert AccessibilityReport.objects.count() == 0

    # The summary's link leads to the field; the report is written and sent with the keyboard.
    summary.get_by_role("link", name="Beskriv problemet", exact=False).click()
    expect(description).to_be_focused()
    page.keyboard.type("Fokusmarkeringen syns inte på knappen Spara.")
    page.get_by_label("Din e-postadress (frivilligt)").fill("kim@example.org")
    page.get_by_label("Din e-postadress (frivilligt)").press("Enter")
    page.wait_for_url("**/tillganglighet/tack/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack för din rapport")
    assert serious_violations(page) == []
    assert AccessibilityReport.objects.get().description == "Fokusmarkeringen syns inte på knappen Spara."
