"""A department writes a report section's text in the browser, from the start page; a reviewer returns it."""

import datetime
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commitments.models import ReportingPeriod
from reports.models import ReportSection, SectionText
from tests.browser.test_contributions import new_page
from tests.browser.test_login_keyboard import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADING = "Konjunktur och arbetsmarknad"  # AMA writes it in the demo's årsanalys 2024
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def open_2024(demo):
    """The demo's 2024 full-year period opened again, with AMA's text of one section not yet written."""
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2024-helar")
    ReportingPeriod.objects.filter(pk=period.pk).update(
        status=ReportingPeriod.Status.OPEN, deadline=timezone.localdate() + datetime.timedelta(days=30), closed_at=None
    )
    SectionText.objects.filter(period=period, section__heading=HEADING).delete()
    return period


def test_the_department_writes_a_section_and_the_reviewer_returns_it(
    browser, browser_context_args, live_server, open_2024
):
    editor = new_page(browser, browser_context_args, live_server, "redaktor")
    editor.get_by_role("link", name="Rapporttexter helår 2024").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text("Rapporttexter helår 2024")
    rows = editor.locator("tbody tr")
    expect(rows.filter(has_text=HEADING)).to_contain_text("Ej påbörjad")
    expect(rows.filter(has_text="Människor på flykt")).to_have_count(0)  # BTS's
    assert serious_violations(editor) == []
    editor.screenshot(path=SHOTS / "texts-list.png", full_page=True)

    editor.get_by_role("link", name=HEADING).focus()
    editor.keyboard.press("Enter")
    expect(editor.get_by_role("heading", level=1)).to_have_text(HEADING)
    textbox = editor.get_by_role("textbox", name="Text")
    expect(textbox).to_have_count(1)
    assert serious_violations(editor) == []
    textbox.click()
    editor.keyboard.type("Arbetslösheten steg under året; {uppnått} mål nåddes.")
    editor.get_by_role("button", name="Spara och skicka in för granskning").click()
    expect(editor.get_by_text("Inskickad för granskning.", exact=True)).to_be_visible()
    expect(editor.locator("[contenteditable]")).to_have_count(0)
    editor.screenshot(path=SHOTS / "texts-entry.png", full_page=True)

    reviewer = new_page(browser, browser_context_args, live_server, "granskare")
    section = ReportSection.objects.get(plan__year=2024, heading=HEADING)
    reviewer.goto(f"{live_server.url}/n/asn/2024-helar/rapport/texter/{section.pk}/")
    reviewer.get_by_label("Skäl till avdelningen för återremissen").fill("Lägg till siffror för december.")
    reviewer.get_by_role("button", name="Återremittera").click()
    expect(reviewer.get_by_text("Återremitterad till avdelningen", exact=False)).to_be_visible()
    assert serious_violations(reviewer) == []

    editor.reload()
    expect(editor.get_by_role("heading", name="Återremitterad med skäl")).to_be_visible()
    expect(editor.get_by_text("Lägg till siffror för december.")).to_be_visible()
    expect(editor.get_by_role("textbox", name="Text")).to_contain_text("Arbetslösheten steg under året")
    assert serious_violations(editor) == []
    editor.screenshot(path=SHOTS / "texts-returned.png", full_page=True)
    assert SectionText.objects.get(section=section, period=open_2024).status == "returned"
