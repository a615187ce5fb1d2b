"""The rich-text editor in Swedish and by keyboard, with no CSP error; the favicon; titles naming their period."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_department_entry import log_in
from tests.browser.test_login_keyboard import ARTIFACTS, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTRY = "/n/asn/2019-helar/ataganden/A05/AMA/"


def open_entry(page, live_server):
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    log_in(page, live_server, "redaktor")
    page.goto(f"{live_server.url}{ENTRY}")
    page.wait_for_selector(".prose-menubar[role=toolbar] [tabindex='0']")
    return console


def test_toolbar_is_one_tab_stop_in_swedish_with_arrow_keys_and_pressed_state(page, live_server, demo):
    console = open_entry(page, live_server)
    toolbar = page.locator("[role=toolbar]").first
    assert toolbar.get_attribute("aria-label") == "Formatering: Kommentar"
    assert toolbar.locator("[tabindex='0']").count() == 1
    assert toolbar.locator(".disabled[tabindex='0']").count() == 0
    assert toolbar.locator("[data-name=link]").get_attribute("aria-disabled") == "true"
    for name in ("Fet", "Kursiv", "Punktlista", "Numrerad lista", "Infoga tabell", "Ångra"):
        assert toolbar.get_by_role("button", name=name, exact=True).count() == 1, name
    assert toolbar.get_by_role("button", name="Textformat: Stycke").count() == 1
    english = {"bold", "italic", "paragraph", "undo", "Insert table", "Heading 3"}
    titles = toolbar.locator("button").evaluate_all("buttons => buttons.map(b => b.title)")
    assert english.isdisjoint(titles), titles

    # Tab from before the editor reaches the toolbar once, then the editor.
    page.locator("[role=toolbar] [tabindex='0']").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Textformat: Stycke"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('ProseMirror')")

    page.keyboard.type("Viktigt")
    page.keyboard.press("Control+a")
    bold = toolbar.get_by_role("button", name="Fet", exact=True)
    assert bold.get_attribute("aria-pressed") == "false"
    page.keyboard.press("Shift+Tab")  # back to the toolbar, on the button last used
    page.keyboard.press("End")  # disabled buttons are reachable by arrows, announced as unavailable
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Gör om"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Punktlista"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Fet"
    page.keyboard.press("Enter")
    assert bold.get_attribute("aria-pressed") == "true"
    assert toolbar.locator("[tabindex='0']").count() == 1
    assert page.locator(".ProseMirror strong", has_text="Viktigt").count() == 1
    assert serious_violations(page) == []
    assert [line for line in console if "Content Security Policy" in line] == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor-toolbar.png"))


def test_lists_look_like_lists_while_editing(page, live_server, demo):
    console = open_entry(page, live_server)
    page.locator(".ProseMirror[contenteditable]").first.click()
    page.keyboard.type("- Gemensamma lokaler")
    item = page.locator(".ProseMirror li").first
    assert item.evaluate("li => getComputedStyle(li).listStyleType") == "disc"
    assert item.evaluate("li => parseFloat(getComputedStyle(li.parentElement).paddingLeft)") > 0
    assert [line for line in console if "Content Security Policy" in line] == []


def test_block_type_menu_opens_by_keyboard_in_swedish(page, live_server, demo):
    open_entry(page, live_server)
    page.locator("[role=toolbar] [tabindex='0']").first.focus()
    page.keyboard.press("Enter")
    # The popover's "toggle" event, which moves the focus into the menu, comes asynchronously.
    # (Polled by expect: wait_for_function evaluates its string in the page, which the CSP forbids.)
    expect(page.locator(":focus")).to_have_text("Rubrik 3", timeout=5000)
    page.keyboard.press("ArrowDown")
    expect(page.locator(":focus")).to_have_text("Rubrik 4", timeout=5000)
    page.keyboard.press("Enter")
    expect(page.locator(".ProseMirror[contenteditable] h4")).to_have_count(1)


def test_favicon_is_linked_and_served(page, live_server, demo):
    log_in(page, live_server, "redaktor")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{href}").status == 200
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert response.status == 200
    assert "svg" in response.headers["content-type"]
