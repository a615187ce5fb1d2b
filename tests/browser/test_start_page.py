"""The start page tells each role what to do, with counts that match the database and links to the rows counted."""

import datetime
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commitments.models import Commitment, Department, Goal, GoalContribution, ProgressEntry, ReportingPeriod
from tests.browser.test_department_entry import log_in
from tests.browser.test_login_keyboard import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "shots18"  # start-*.png, to look at the layout


@pytest.fixture
def follow_up(demo):
    """2019 (commitments) and 2024 (goals) both open, with entries in every state."""
    ReportingPeriod.objects.filter(plan__committee=demo, slug="2024-helar").update(
        status=ReportingPeriod.Status.OPEN, deadline=timezone.localdate() + datetime.timedelta(days=5), closed_at=None
    )
    helar_2019 = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")
    helar_2024 = ReportingPeriod.objects.get(plan__committee=demo, slug="2024-helar")
    states = ["returned", "submitted", "draft", "approved", "submitted"]
    links = Commitment.departments.through.objects.filter(commitment__plan=helar_2019.plan).order_by("pk")
    for link, status in zip(links, states * 4, strict=False):
        ProgressEntry.objects.update_or_create(
            commitment_id=link.commitment_id, department_id=link.department_id, period=helar_2019,
            defaults={"status": status},
        )  # fmt: skip
    ama = Department.objects.get(committee=demo, code="AMA")
    GoalContribution.objects.filter(period=helar_2024, goal__code="KF06", department=ama).delete()
    first = GoalContribution.objects.filter(period=helar_2024, department=ama).order_by("pk").first()
    GoalContribution.objects.filter(pk=first.pk).update(status="returned")
    return helar_2019, helar_2024, ama


def db_count(period, department, statuses) -> int:
    """Count the department's rows of the period in ``statuses``, straight from the tables."""
    if period.slug.startswith("2019"):
        links = Commitment.departments.through.objects.filter(commitment__plan=period.plan, department=department)
        written = ProgressEntry.objects.filter(period=period, department=department)
    else:
        links = Goal.departments.through.objects.filter(goal__plan=period.plan, goal__contributes=True,
                                                        department=department)  # fmt: skip
        written = GoalContribution.objects.filter(period=period, department=department)
    counted = written.filter(status__in=[s for s in statuses if s != "not_started"]).count()
    if "not_started" in statuses:
        counted += links.count() - written.count()
    return counted


def look(page, name):
    """Check the page with axe, keep screenshots at desktop and phone width, and check it never scrolls sideways."""
    SHOTS.mkdir(exist_ok=True)
    assert serious_violations(page) == []
    page.screenshot(path=SHOTS / f"start-{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / f"start-{name}-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_editor_sees_what_to_write_and_what_was_returned_and_opens_the_returned_rows(
    browser, live_server, follow_up
):
    helar_2019, helar_2024, ama = follow_up
    page = browser.new_page()
    log_in(page, live_server, "redaktor")
    look(page, "editor")
    for period in (helar_2019, helar_2024):
        section = page.locator(
            "section.open-period", has=page.get_by_role("heading", name=f"helår {period.plan.year}")
        )
        to_write = db_count(period, ama, ("not_started", "draft"))
        returned = db_count(period, ama, ("returned",))
        expect(section.locator(".summary")).to_contain_text(f"{to_write} att skriva, {returned} återremitterad")
        expect(section).to_contain_text("Sista dag för inrapportering")
    section_2024 = page.locator("section.open-period", has=page.get_by_role("heading", name="helår 2024"))
    expect(section_2024).to_contain_text("om 5 dagar")

    # Follow the link to the commitments returned to the department: exactly those rows.
    section = page.locator("section.open-period", has=page.get_by_role("heading", name="helår 2019"))
    returned = db_count(helar_2019, ama, ("returned",))
    section.get_by_role("row", name="Arbetsmarknadsavdelningen").get_by_role("cell").nth(1).get_by_role("link").click()
    page.wait_for_url("**/2019-helar/ataganden/?status=returned*")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(returned)
    for row in rows.all():
        expect(row).to_contain_text("Återremitterad")
        expect(row).to_contain_text("Arbetsmarknadsavdelningen")


def test_the_reviewer_sees_what_to_review_per_department_and_opens_it(browser, live_server, follow_up):
    helar_2019, _helar_2024, _ama = follow_up
    page = browser.new_page()
    log_in(page, live_server, "granskare")
    look(page, "reviewer")
    section = page.locator("section.open-period", has=page.get_by_role("heading", name="helår 2019"))
    departments = Department.objects.filter(committee=helar_2019.plan.committee)
    total = sum(db_count(helar_2019, d, ("submitted",)) for d in departments)
    expect(section.locator(".summary")).to_contain_text(f"{total} att granska")
    ifo = departments.get(code="IFO")
    submitted = db_count(helar_2019, ifo, ("submitted",))
    assert submitted > 0
    cell = section.get_by_role("row", name=ifo.name).get_by_role("cell").first
    link = cell.get_by_role("link")
    expect(link).to_contain_text(f"{submitted} åtagande")
    link.click()
    page.wait_for_url("**/2019-helar/ataganden/?status=submitted*")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(submitted)
    for row in rows.all():
        expect(row).to_contain_text("Inskickad")
        expect(row).to_contain_text(ifo.name)
    assert serious_violations(page) == []


def test_the_committee_admin_sees_each_departments_progress_and_the_next_deadline(browser, live_server, follow_up):
    helar_2019, helar_2024, ama = follow_up
    page = browser.new_page()
    log_in(page, live_server, "admin")
    look(page, "admin")
    in_five = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    expect(page.get_by_text(f"Nästa sista dag för inrapportering: {in_five}, om 5 dagar.")).to_be_visible()
    # Open periods come first, the nearest deadline before.
    headings = page.locator("section.card h3").all_inner_texts()
    assert headings[:2] == ["Öppen period: helår 2024", "Öppen period: helår 2019"]
    for period in (helar_2019, helar_2024):
        section = page.locator(
            "section.open-period", has=page.get_by_role("heading", name=f"helår {period.plan.year}")
        )
        cells = section.get_by_role("row", name=ama.name).get_by_role("cell")
        everything = ("not_started", "draft", "returned", "submitted", "approved")
        # The cell as it is heard (its name); on a narrow screen it also shows its column's name, hidden from it.
        expect(cells.nth(2)).to_have_accessible_name(str(db_count(period, ama, everything)))
        approved = db_count(period, ama, ("approved",))
        expect(cells.nth(1)).to_contain_text(str(approved) if approved else "0")
    # Follow the goal follow-ups AMA has had approved in 2024: exactly those rows.
    section = page.locator("section.open-period", has=page.get_by_role("heading", name="helår 2024"))
    approved = db_count(helar_2024, ama, ("approved",))
    assert approved > 0
    section.get_by_role("row", name=ama.name).get_by_role("cell").nth(1).get_by_role("link").click()
    page.wait_for_url("**/2024-helar/bidrag/?status=approved*")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(approved)
    for row in rows.all():
        expect(row).to_contain_text("Godkänd")
        expect(row).to_contain_text(ama.name)
    assert serious_violations(page) == []
