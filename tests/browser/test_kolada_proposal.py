"""Kolada's value beside the field in a browser: Enter still saves the page, the button uses the value; axe."""

import pytest
from playwright.sync_api import expect

from indicators.models import Outcome
from kolada.services import kolada_fetch
from tests.browser.test_department_entry import log_in
from tests.browser.test_login_keyboard import ARTIFACTS, serious_violations
from tests.kolada import conftest as kolada_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
kolada = kolada_fixtures.kolada  # the local stand-in for Kolada


def test_enter_saves_the_page_and_the_button_uses_kolada_s_value(page, live_server, demo, kolada):
    assert kolada_fetch(committee=demo).ok
    log_in(page, live_server, "redaktor")
    page.goto(f"{live_server.url}/n/asn/2019-helar/ataganden/A03/AMA/")
    box = page.locator(".kolada-proposal")
    expect(box).to_contain_text("Koladas värde för 2019: 41,2")
    expect(box).to_contain_text("Källa: Kolada, hämtat")
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kolada-proposal.png"), full_page=True)

    # Enter in a field presses the form's first submit button: the page's save, not "Använd värdet".
    page.fill("#id_o-MI03-unavailable_reason", "Kommer i maj.")
    page.press("#id_o-MI03-value", "Enter")
    expect(page.get_by_text("Ditt utkast är sparat.")).to_be_visible()
    saved = Outcome.objects.get(indicator__code="MI03", department__code="AMA", period__slug="2019-helar")
    assert (saved.value, saved.unavailable_reason) == (None, "Kommer i maj.")

    page.get_by_role("button", name="Använd värdet").click()
    expect(page.get_by_text("Ditt utkast är sparat.")).to_be_visible()
    assert page.input_value("#id_o-MI03-value") == "41,2"
    expect(page.locator(".kolada-proposal")).to_contain_text("Utfallet är Koladas värde.")
    assert serious_violations(page) == []
