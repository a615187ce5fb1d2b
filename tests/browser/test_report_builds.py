"""The committee admin builds the report in the browser, watches the progress bar and downloads the PDF."""

import re

import pytest
from playwright.sync_api import expect

from asn.celery import app
from tests.browser.test_department_entry import log_in
from tests.browser.test_login_keyboard import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_builds_the_report_and_the_progress_updates_in_place(
    browser, live_server, demo, celery_worker_process, settings, tmp_path
):
    settings.MEDIA_ROOT = celery_worker_process.media_root
    app.conf.task_always_eager = False  # the build runs on the real worker; the page polls
    try:
        page = browser.new_page(accept_downloads=True)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        log_in(page, live_server, "admin")
        page.goto(f"{live_server.url}/n/asn/2019-jan-aug/rapport/")
        page.get_by_role("link", name="Rapportens byggen").click()
        expect(page.get_by_text("Ingen godkänd version ännu.")).to_have_count(2)  # neither kind built yet
        assert serious_violations(page) == []
        build_button = re.compile(r"^Bygg den godkända rapporten\s*: Uppföljning av åtaganden$")
        page.get_by_role("button", name=build_button).focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        expect(page.get_by_role("progressbar")).to_be_visible()  # the build is under way
        assert serious_violations(page) == []
        page.screenshot(path=str(tmp_path / "build-progress.png"), full_page=True)
        # htmx replaces the progress with the downloads when the worker is done; no reload.
        # …and the page's live region says so, for screen readers.
        expect(page.get_by_role("status").filter(has_text="är klart.")).to_have_count(1, timeout=60_000)
        expect(page.get_by_role("progressbar")).to_have_count(0)
        with page.expect_download() as download:
            page.get_by_role("link", name="Ladda ned PDF").first.click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        assert path.read_bytes().startswith(b"%PDF")
        assert path.name == "uppfoljning-av-ataganden-januari-augusti-2019-asn.pdf"
        assert [e for e in errors if "Content Security Policy" in e] == []
    finally:
        app.conf.task_always_eager = True
