"""A person logs in with the keyboard alone; the pages have no serious accessibility faults."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_keyboard_login_reaches_the_start_page(page, live_server, demo):
    page.goto(f"{live_server.url}/login/")
    assert serious_violations(page) == []

    # The user name field has focus; before it come the site name and the skip link.
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Hoppa till innehållet"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("granskare")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    assert page.get_by_role("heading", level=1).inner_text() == "Välkommen, Greta"
    expect(page.get_by_role("heading", name="Arbetsmarknads- och socialnämnden")).to_be_visible()
    expect(page.get_by_text("Greta Granskare")).to_be_visible()
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "start-page.png"), full_page=True)

    # Log out by keyboard: focus the button and press Enter.
    page.get_by_role("button", name="Logga ut").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/login/")


def test_wrong_password_is_announced(page, live_server, demo):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "granskare")
    page.fill("#id_password", "fel-lösenord")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    assert "Ange ett korrekt användarnamn och lösenord" in alert.inner_text()
    assert serious_violations(page) == []
