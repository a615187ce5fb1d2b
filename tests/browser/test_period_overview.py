"""The period's overview in the browser: no serious accessibility violation, no page-wide scroll when narrow."""

import tempfile
from pathlib import Path

import pytest

from accounts.models import User
from tests.browser.test_contributions import new_page
from tests.browser.test_login_keyboard import serious_violations
from tests.conftest import DEMO_PASSWORD
from tests.indicators.test_goal_level_overview import written  # noqa: F401 -- the fixture
from tests.onboarding.test_example_committee import example  # noqa: F401 -- the fixture

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


def test_a_goal_level_committees_overview_and_start_page(browser, browser_context_args, live_server, written):  # noqa: F811
    """The example committee (no åtaganden): its goal follow-ups counted, linked to the goal list, on any screen."""
    reviewer = User.objects.get(username="kfn-granskare")
    reviewer.set_password(DEMO_PASSWORD)
    reviewer.save()
    page = new_page(browser, browser_context_args, live_server, "kfn-granskare")
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/")
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
        assert serious_violations(page) == []
        page.screenshot(path=SHOTS / f"home-kfn-{width}.png", full_page=True)
        page.goto(f"{live_server.url}/n/kfn/{written.slug}/oversikt/")
        assert page.get_by_role("heading", level=2, name="Uppföljning av mål").count() == 1
        assert page.get_by_role("img", name="Status per målområde").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
        assert serious_violations(page) == []
        page.screenshot(path=SHOTS / f"overview-kfn-{width}.png", full_page=True)
    # On a wide screen the chart stands beside its table; on a narrow one above it.
    page.set_viewport_size({"width": 1280, "height": 900})
    chart, table = (page.locator(s).first.bounding_box() for s in ("svg.bars", "table.overview"))
    assert table["x"] > chart["x"] + chart["width"] - 1
    link = page.locator("table.overview tfoot td a").nth(1)
    expected = int(link.inner_text())
    link.click()
    page.wait_for_url("**/bidrag/?*")
    assert page.locator("table.list tbody tr").count() == expected
