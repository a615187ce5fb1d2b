"""A department writes its contribution to a KF goal in the browser and a reviewer approves it."""

import datetime
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commitments.models import GoalContribution, ReportingPeriod
from tests.browser.test_department_entry import log_in
from tests.browser.test_login_keyboard import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOAL = "Malmö stad arbetar för att skapa goda villkor och förutsättningar för stadens attraktivitet och näringsliv"
YEAR_MOTIVATION = "Vad bedömningen för året baseras på"
MANDATE_MOTIVATION = "Vad bedömningen för mandatperioden baseras på"
FOLLOW_UP = "Uppföljning av bidraget"  # the rich-text editor, named by editor-labels.js
SHOTS = Path(tempfile.gettempdir())  # contrib-*.png, to look at the layout


@pytest.fixture
def open_2024(demo):
    """The demo's 2024 full-year period opened again, with AMA's follow-up of KF06 not yet written."""
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2024-helar")
    ReportingPeriod.objects.filter(pk=period.pk).update(
        status=ReportingPeriod.Status.OPEN,
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        closed_at=None,
    )
    GoalContribution.objects.filter(period=period, goal__code="KF06", department__code="AMA").delete()
    return period


def new_page(browser, browser_context_args, live_server, username):
    page = browser.new_context(**browser_context_args).new_page()
    log_in(page, live_server, username)
    return page


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.className")


def described_by(page, selector) -> str:
    """The text of the elements the field's aria-describedby names (empty if they do not exist)."""
    return page.eval_on_selector(
        selector,
        """el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
                 .map(id => document.getElementById(id)).filter(Boolean)
                 .map(e => e.textContent.trim()).join(' ')""",
    )


def test_the_department_writes_both_assessments_submits_and_the_reviewer_approves(
    browser, browser_context_args, live_server, open_2024
):
    list_url = f"{live_server.url}/n/asn/2024-helar/bidrag/"
    editor = new_page(browser, browser_context_args, live_server, "redaktor")
    editor.goto(list_url)
    assert editor.get_by_role("heading", level=1).inner_text() == "Uppföljning av mål helår 2024"
    # AMA writes KF03, KF04 and KF06, and two budget assignments; the one not yet written says so.
    rows = editor.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.filter(has_text=GOAL)).to_contain_text("Ej påbörjad")
    assert serious_violations(editor) == []
    editor.screenshot(path=SHOTS / "contrib-list.png", full_page=True)

    editor.get_by_role("link", name=GOAL).focus()
    editor.keyboard.press("Enter")
    editor.wait_for_url("**/bidrag/KF06/AMA/")
    assert editor.get_by_role("heading", level=1).inner_text() == GOAL
    # One editor with its label's name; the block-type menu's styling div is not a text box.
    expect(editor.get_by_role("textbox", name=FOLLOW_UP)).to_have_count(1)
    expect(editor.locator('.prose-editor [role="textbox"]')).to_have_count(1)
    assert serious_violations(editor) == []
    editor.screenshot(path=SHOTS / "contrib-entry.png", full_page=True)

    # The rich text, then Tab into each radio group and pick with the arrow keys.
    editor.get_by_role("textbox", name=FOLLOW_UP).click()
    editor.keyboard.type("Nämnden har lanserat en ")
    editor.keyboard.press("Control+b")
    editor.keyboard.type("ny e-tjänst")
    editor.keyboard.press("Control+b")
    editor.keyboard.type(" för serveringstillstånd.")
    editor.keyboard.press("Tab")
    assert editor.evaluate("document.activeElement.type") == "radio"  # "Ingen bedömning", checked
    editor.keyboard.press("ArrowDown")
    editor.keyboard.press("ArrowDown")
    expect(editor.get_by_role("radio", name=re.compile("Delvis uppnåtts$"))).to_be_checked()
    editor.keyboard.press("Tab")  # the sentence: left empty, the scale's standard sentence is printed
    assert editor.evaluate("document.activeElement.labels[0].textContent") == "Bedömningen för året i en mening"
    editor.keyboard.press("Tab")
    assert editor.evaluate("document.activeElement.labels[0].textContent") == YEAR_MOTIVATION
    editor.keyboard.type("Bedömningen baseras på att e-tjänsten är klar men matchningen tar längre tid.")
    editor.keyboard.press("Tab")
    editor.keyboard.press("ArrowDown")
    editor.keyboard.press("ArrowDown")
    expect(editor.get_by_role("radio", name=re.compile("Förväntas leda till önskad förflyttning$"))).to_be_checked()
    editor.keyboard.press("Tab")
    assert editor.evaluate("document.activeElement.labels[0].textContent") == (
        "Bedömningen för mandatperioden i en mening"
    )
    editor.keyboard.type("Bedömningen är att bidraget förväntas leda till önskad förflyttning under mandatperioden.")
    editor.keyboard.press("Tab")
    editor.keyboard.type("Bedömningen baseras på att arbetet går enligt plan.")
    editor.keyboard.press("Tab")
    assert editor.evaluate("document.activeElement.textContent.trim()") == "Spara utkast"
    editor.keyboard.press("Enter")
    editor.wait_for_load_state()
    expect(editor.get_by_text("Ditt utkast är sparat.")).to_be_visible()

    editor.reload()
    expect(editor.get_by_role("textbox", name=FOLLOW_UP).locator("strong", has_text="ny e-tjänst")).to_have_count(1)
    expect(editor.get_by_role("radio", name=re.compile("Delvis uppnåtts$"))).to_be_checked()
    expect(editor.get_by_role("radio", name=re.compile("Förväntas leda till önskad förflyttning$"))).to_be_checked()
    expect(editor.get_by_label(YEAR_MOTIVATION)).to_have_value(
        "Bedömningen baseras på att e-tjänsten är klar men matchningen tar längre tid."
    )
    expect(editor.get_by_label(MANDATE_MOTIVATION)).to_have_value(
        "Bedömningen baseras på att arbetet går enligt plan."
    )
    editor.get_by_role("button", name="Spara och skicka in för granskning").focus()
    editor.keyboard.press("Enter")
    editor.wait_for_load_state()
    expect(editor.get_by_text("Inskickad för granskning.", exact=True)).to_be_visible()
    # Submitted: the department reads it and can no longer change it.
    expect(editor.locator("[contenteditable]")).to_have_count(0)
    expect(editor.get_by_text("Delvis uppnåtts")).to_be_visible()
    assert serious_violations(editor) == []
    editor.screenshot(path=SHOTS / "contrib-entry-readonly.png", full_page=True)
    contribution = GoalContribution.objects.get(period=open_2024, goal__code="KF06", department__code="AMA")
    assert contribution.status == "submitted"
    assert "<strong>ny e-tjänst</strong>" in contribution.comment
    assert (contribution.assessment.code, contribution.mandate_assessment.code) == ("delvis", "forflyttning")
    assert contribution.assessment_sentence == ""
    assert contribution.mandate_sentence.endswith("förflyttning under mandatperioden.")
    # The department's own sentence is on the read-only page too.
    expect(editor.get_by_text(contribution.mandate_sentence)).to_be_visible()

    reviewer = new_page(browser, browser_context_args, live_server, "granskare")
    reviewer.goto(list_url)
    expect(reviewer.locator("tbody tr")).to_have_count(22)
    expect(reviewer.locator("tbody tr").filter(has_text=GOAL)).to_contain_text("Inskickad")
    assert serious_violations(reviewer) == []
    reviewer.get_by_role("link", name=GOAL).click()
    reviewer.wait_for_url("**/bidrag/KF06/AMA/")
    expect(reviewer.locator(".rich-text strong", has_text="ny e-tjänst")).to_have_count(1)
    assert serious_violations(reviewer) == []
    reviewer.screenshot(path=SHOTS / "contrib-review.png", full_page=True)
    reviewer.get_by_role("button", name="Godkänn").focus()
    reviewer.keyboard.press("Enter")
    reviewer.wait_for_load_state()
    expect(reviewer.get_by_text("Godkänd.")).to_be_visible()
    contribution.refresh_from_db()
    assert contribution.status == "approved"
    reviewer.goto(list_url)
    row = reviewer.locator("tbody tr").filter(has_text=GOAL)
    expect(row).to_contain_text("Godkänd")
    expect(row).to_contain_text("Delvis uppnåtts")
    expect(row).to_contain_text("Förväntas leda till önskad förflyttning")


def test_an_assessment_without_grounds_is_refused_in_swedish_beside_its_field_and_nothing_is_lost(
    browser, browser_context_args, live_server, open_2024
):
    page = new_page(browser, browser_context_args, live_server, "redaktor")
    page.goto(f"{live_server.url}/n/asn/2024-helar/bidrag/KF06/AMA/")
    page.get_by_role("textbox", name=FOLLOW_UP).click()
    page.keyboard.type("Sociala villkor i upphandlingar ger praktikplatser.")
    page.get_by_role("radio", name=re.compile("Uppnåtts$")).check()
    page.get_by_role("radio", name=re.compile("Förväntas uppnås$")).check()
    page.get_by_label(MANDATE_MOTIVATION).fill("Bedömningen baseras på att arbetet går enligt plan.")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_load_state()

    message = "Ange vad bedömningen grundar sig på"
    motivation = page.get_by_label(YEAR_MOTIVATION)
    expect(page.locator(".field-error", has_text=message)).to_be_visible()
    # The summary at the top has the focus and links to the field.
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary").get_by_role("link", name=re.compile(message))).to_have_attribute(
        "href", "#id_assessment_motivation"
    )
    expect(motivation).to_have_attribute("aria-invalid", "true")
    assert message in described_by(page, "#id_assessment_motivation")
    # What was typed and chosen is all still there; nothing was saved.
    expect(page.get_by_role("textbox", name=FOLLOW_UP)).to_contain_text(
        "Sociala villkor i upphandlingar ger praktikplatser."
    )
    expect(page.get_by_role("radio", name=re.compile("Uppnåtts$"))).to_be_checked()
    expect(page.get_by_role("radio", name=re.compile("Förväntas uppnås$"))).to_be_checked()
    expect(page.get_by_label(MANDATE_MOTIVATION)).to_have_value("Bedömningen baseras på att arbetet går enligt plan.")
    assert not GoalContribution.objects.filter(period=open_2024, goal__code="KF06", department__code="AMA").exists()
    assert serious_violations(page) == []
    page.screenshot(path=SHOTS / "contrib-entry-error.png", full_page=True)

    motivation.fill("Bedömningen baseras på att e-tjänsten är lanserad.")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Ditt utkast är sparat.")).to_be_visible()
    expect(page.get_by_text(message)).to_have_count(0)


def test_a_reviewer_returns_it_with_a_reason_and_the_department_can_change_it_again(
    browser, browser_context_args, live_server, open_2024
):
    url = f"{live_server.url}/n/asn/2024-helar/bidrag/KF06/AMA/"
    editor = new_page(browser, browser_context_args, live_server, "redaktor")
    editor.goto(url)
    editor.get_by_role("textbox", name=FOLLOW_UP).click()
    editor.keyboard.type("Arbetet med sociala villkor fortsätter.")
    editor.get_by_role("button", name="Spara och skicka in för granskning").click()
    editor.wait_for_load_state()
    expect(editor.get_by_text("Inskickad för granskning.", exact=True)).to_be_visible()

    reviewer = new_page(browser, browser_context_args, live_server, "granskare")
    reviewer.goto(url)
    reviewer.get_by_role("button", name="Återremittera").click()  # no reason yet
    reviewer.wait_for_load_state()
    expect(reviewer.get_by_text("Ange ett skäl", exact=False)).to_be_visible()
    reviewer.get_by_label("Skäl till avdelningen för återremissen").fill("Bedöm bidraget för året och motivera.")
    reviewer.get_by_role("button", name="Återremittera").click()
    reviewer.wait_for_load_state()
    expect(reviewer.get_by_text("Återremitterad till avdelningen med ditt skäl.")).to_be_visible()

    editor.reload()
    expect(editor.get_by_text("Återremitterad", exact=True)).to_be_visible()
    expect(editor.get_by_role("textbox", name=FOLLOW_UP)).to_contain_text("Arbetet med sociala villkor fortsätter.")
    assert serious_violations(editor) == []
    contribution = GoalContribution.objects.get(period=open_2024, goal__code="KF06", department__code="AMA")
    assert contribution.status == "returned"


def test_a_too_long_follow_up_is_refused_and_the_editor_itself_names_the_error(
    browser, browser_context_args, live_server, open_2024
):
    page = new_page(browser, browser_context_args, live_server, "redaktor")
    page.goto(f"{live_server.url}/n/asn/2024-helar/bidrag/KF06/AMA/")
    expect(page.get_by_role("textbox", name=FOLLOW_UP)).to_be_visible()
    # The editor writes to its hidden textarea as people type; pasting a whole report is the same.
    page.eval_on_selector("#id_comment", "el => { el.value = '<p>' + 'Text. '.repeat(3400) + '</p>'; }")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_load_state()

    editor = page.get_by_role("textbox", name=FOLLOW_UP)
    expect(editor).to_have_attribute("aria-invalid", "true")
    assert "Texten är för lång" in described_by(page, ".ProseMirror[contenteditable]")
    assert serious_violations(page) == []
