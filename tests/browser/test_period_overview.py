"""The period's overview in the browser: no serious accessibility violation, no page-wide scroll when narrow."""

import tempfile
from pathlib import Path

import pytest

from tests.browser.test_contributions import new_page
from tests.browser.test_login_keyboard import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "shots18"  # overview-*.png, to look at the layout


@pytest.mark.parametrize("username", ["granskare", "redaktor"])
def test_the_overview_passes_axe_and_fits_a_narrow_screen(browser, browser_context_args, live_server, demo, username):
    page = new_page(browser, browser_context_args, live_server, username)
    page.goto(f"{live_server.url}/n/asn/2019-jan-aug/ataganden/")
    page.get_by_role("link", name="Översikt", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Översikt januari–augusti 2019"
    # Each chart is an image named by its title and described by its numbers.
    assert page.get_by_role("img", name="Status per målområde").count() == 1
    assert "Godkänd" in page.locator("#chart-areas-desc").text_content()
    assert serious_violations(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"overview-{username}-1280.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    page.screenshot(path=SHOTS / f"overview-{username}-390.png", full_page=True)

    # A count leads to the list of the rows it counts.
    link = page.locator("table.overview tfoot td a").first
    expected = int(link.inner_text())
    link.click()
    assert page.locator("table.list tbody tr").count() == expected
