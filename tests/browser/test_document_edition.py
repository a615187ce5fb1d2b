"""
The downloaded HTML edition of a committee document stands alone: Chromium, with every network
request refused, shows it in the house style (the stylesheet is inside the file).
"""

import tempfile
from pathlib import Path

import pytest

from commitments.models import ReportingPeriod
from reports.assembly import follow_up_document
from reports.renderers import render

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(tempfile.gettempdir()) / "shots-print"  # where the reviewer looks, if it is there


@pytest.fixture
def edition(demo) -> str:
    """The HTML edition of the demo's January–August 2019 follow-up, as the build writes it."""
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-jan-aug")
    return render(follow_up_document(period=period), "html").decode("utf-8")


def test_the_html_edition_shows_in_the_house_style_with_the_network_refused(browser, edition):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.route("**/*", lambda route: route.abort())
    page.set_content(edition)

    def style(selector: str, prop: str) -> str:
        return page.locator(selector).first.evaluate(f"e => getComputedStyle(e).getPropertyValue('{prop}')")

    assert style("body", "font-family").startswith('"DejaVu Sans"')
    assert style("table.commitments thead th", "background-color") == "rgb(232, 238, 244)"  # #e8eef4
    assert style("table.commitments thead th", "font-weight") == "700"
    assert style("table.data td.num", "text-align") == "right"
    # A figure stays whole by its no-break spaces ("1\u00a0376"), while headings of figure columns wrap.
    assert "\u00a0" in page.locator("table.data td.num").filter(has_text="376").first.text_content()
    assert style("table.data thead th.num", "white-space") == "normal"
    assert style("table.indicators tbody td.num", "text-align") == "right"  # the Utfall column
    assert style("table.data tbody th", "font-weight") == "400"  # row names are not bold
    assert style(".toc li", "list-style-type") == "none"  # the section number is printed once, as text
    assert style("h2", "color") == "rgb(11, 79, 138)"  # #0b4f8a
    # The same kind of table has the same columns in every chapter.
    widths = page.locator("table.commitments").evaluate_all(
        "tables => tables.map(t => Math.round(100 * t.querySelector('th').offsetWidth / t.offsetWidth))"
    )
    assert set(widths) == {38}
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / "html-edition-browser-test.png"))
    page.close()
    assert requests == []  # not even an attempt
