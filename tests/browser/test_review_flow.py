"""Submit, return with a reason, resubmit, see the diff, approve: two people in the browser."""

import pytest
from playwright.sync_api import expect

from commitments.models import ProgressEntry
from tests.browser.test_department_entry import log_in
from tests.browser.test_login_keyboard import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_and_reviewer_take_an_entry_through_review(browser, live_server, demo):
    entry_url = f"{live_server.url}/n/asn/2019-helar/ataganden/A05/AMA/"
    editor = browser.new_page()
    log_in(editor, live_server, "redaktor")
    editor.goto(entry_url)
    editor.locator(".ProseMirror:visible").first.click()
    editor.keyboard.type("Samverkan har startat.")
    # The commitment's two indicators have no outcome yet: say why, or the submission is refused.
    for field in editor.get_by_label("Om utfall saknas för perioden: varför").all():
        field.fill("Mäts vid årets slut.")
    editor.get_by_role("button", name="Spara och skicka in för granskning").click()
    expect(editor.get_by_text("Inskickad för granskning.", exact=True)).to_be_visible()

    reviewer = browser.new_page()
    log_in(reviewer, live_server, "granskare")
    reviewer.goto(f"{live_server.url}/n/asn/2019-helar/ataganden/?status=submitted")
    assert serious_violations(reviewer) == []
    reviewer.get_by_role("link", name="A05.", exact=False).click()
    assert serious_violations(reviewer) == []
    reviewer.get_by_label("Skäl till avdelningen för återremissen").fill("Beskriv hur många unga som deltagit.")
    reviewer.get_by_role("button", name="Återremittera").click()
    reviewer.wait_for_load_state()
    expect(reviewer.get_by_text("Återremitterad till avdelningen med ditt skäl.")).to_be_visible()

    editor.reload()
    expect(editor.get_by_text("Beskriv hur många unga som deltagit.").first).to_be_visible()
    editor.locator(".ProseMirror:visible").first.click()
    editor.keyboard.press("End")
    editor.keyboard.type(" 120 unga har deltagit.")
    editor.get_by_role("button", name="Spara och skicka in för granskning").click()
    editor.wait_for_load_state()

    reviewer.goto(entry_url + "historik/")
    reviewer.get_by_role("link", name="Ändringar sedan återremissen").click()
    assert reviewer.locator(".diff ins", has_text="120").count() == 1
    reviewer.goto(entry_url)
    reviewer.get_by_role("button", name="Godkänn").click()
    reviewer.wait_for_load_state()
    expect(reviewer.get_by_text("Godkänd.").first).to_be_visible()
    assert ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05").status == "approved"


def test_the_report_pages_pass_axe(page, live_server, demo):
    log_in(page, live_server, "lasare")
    page.goto(f"{live_server.url}/n/asn/2019-jan-aug/rapport/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="6 Fler Malmöbor", exact=False).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("6")
    assert serious_violations(page) == []
