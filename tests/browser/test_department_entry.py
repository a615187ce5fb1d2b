"""An editor writes the department's entry in the browser: rich text, counts by sex, save, reload."""

import re

import pytest
from playwright.sync_api import expect

from commitments.models import ProgressEntry
from indicators.models import Outcome
from tests.browser.test_login_keyboard import ARTIFACTS, serious_violations
from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_editor_writes_comment_and_outcome_and_sees_them_after_reload(page, live_server, demo):
    log_in(page, live_server, "redaktor")
    page.get_by_role("link", name="Åtaganden helår 2019").click()
    page.wait_for_url("**/n/asn/2019-helar/ataganden/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="A05.", exact=False).click()
    page.wait_for_url("**/A05/AMA/")

    editor = page.locator(".ProseMirror:visible").first
    editor.click()
    page.keyboard.type("Samverkan med ")
    page.keyboard.press("Control+i")
    page.keyboard.type("Ung Malmö")
    page.keyboard.press("Control+i")
    page.keyboard.type(" har fördjupats.")
    page.keyboard.press("Enter")
    page.keyboard.type("- Gemensamma lokaler")
    page.keyboard.press("Enter")
    page.keyboard.type("Nya rutiner")

    page.fill("#id_o-AI1-numerator", "116")
    page.fill("#id_o-AI1-denominator", "628")
    page.fill("#id_o-AI1-numerator_female", "52")
    page.fill("#id_o-AI1-denominator_female", "257")
    page.fill("#id_o-AI1-numerator_male", "64")
    page.fill("#id_o-AI1-denominator_male", "371")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Ditt utkast är sparat.")).to_be_visible()

    page.reload()
    assert "Ung Malmö" in page.locator(".ProseMirror:visible").first.inner_html()
    assert page.locator(".ProseMirror em", has_text="Ung Malmö").count() == 1
    assert page.locator(".ProseMirror li", has_text="Gemensamma lokaler").count() == 1
    assert page.input_value("#id_o-AI1-value") == "18"
    assert page.input_value("#id_o-AI1-value_female") == "20"
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "entry-page.png"), full_page=True)

    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05")
    assert re.search(r"<em>\s?Ung Malmö</em>", entry.comment), entry.comment
    assert "<li><p>Gemensamma lokaler</p></li>" in entry.comment or "<li>Gemensamma lokaler</li>" in entry.comment
    outcome = Outcome.objects.get(period__slug="2019-helar", indicator__code="AI1")
    assert (outcome.value, outcome.value_female, outcome.value_male) == (18, 20, 17)


def test_approved_entry_reads_well_and_passes_axe(page, live_server, demo):
    log_in(page, live_server, "lasare")
    page.goto(f"{live_server.url}/n/asn/2019-jan-aug/ataganden/A05/AMA/")
    assert page.get_by_role("heading", level=1).inner_text() == "Åtagande A05"
    expect(page.get_by_text("Delvis enligt plan")).to_be_visible()
    assert serious_violations(page) == []


def test_copy_from_the_period_before_fills_the_fields_and_the_page_warns_on_leaving(page, live_server, demo):
    from commitments.models import Department, ReportingPeriod, ReviewStatus
    from indicators.models import Indicator

    jan_aug = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-jan-aug")
    Outcome.objects.update_or_create(
        indicator=Indicator.objects.get(plan=jan_aug.plan, code="MI07"),
        period=jan_aug,
        department=Department.objects.get(code="AMA"),
        defaults={"value": 1234.5, "comment": "<p>Förra utfallet.</p>", "status": ReviewStatus.APPROVED},
    )
    previous_comment = ProgressEntry.objects.get(period=jan_aug, commitment__code="A05", department__code="AMA")
    log_in(page, live_server, "redaktor")
    url = f"{live_server.url}/n/asn/2019-helar/ataganden/A05/AMA/"
    dialogs = []

    # Unchanged, the page lets the user go without a question (the check below can fail).
    untouched = page.context.new_page()
    untouched.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    untouched.goto(url)
    untouched.locator("#part-main details.previous summary").click()
    untouched.close(run_before_unload=True)

    page.goto(url)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    main = page.locator("#part-main details.previous")
    expect(main.locator("summary")).to_have_text("Förra perioden (januari–augusti 2019, godkänd)")
    button = main.get_by_role("button", name="Kopiera till fältet (Kommentar)")
    expect(button).to_be_hidden()  # folded until the user opens it
    main.locator("summary").click()
    assert serious_violations(page) == []
    button.click()
    first_words = re.sub(r"<[^>]+>", " ", previous_comment.comment).split()[:3]
    editor = page.locator("#part-main .ProseMirror:visible").first
    expect(editor).to_contain_text(" ".join(first_words))
    assert " ".join(first_words) in re.sub(r"<[^>]+>", " ", page.input_value("#id_comment"))

    figures = page.locator("#part-MI07 details.previous").filter(has=page.locator("dl"))
    figures.locator("summary").click()
    figures.get_by_role("button", name="Kopiera till fältet (siffrorna)").click()
    assert page.input_value("#id_o-MI07-value") == "1234,5"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "entry-previous-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "entry-previous-390.png"), full_page=True)

    assert dialogs == []
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
