"""The entry page shows, beside each field, what the department had approved in the period before."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commitments.models import Commitment, Department, GoalContribution, ProgressEntry, ReportingPeriod, ReviewStatus
from commitments.selectors import period_previous
from indicators.models import Indicator, Outcome
from tests.factories import ReportingPeriodFactory
from tests.indicators import test_goal_follow_up as goal_pages

pytestmark = pytest.mark.django_db


def entry_url(commitment="A05", department="AMA", period="2019-helar"):
    return reverse("followup:entry", args=["asn", period, commitment, department])


def previous_blocks(html: str) -> list[str]:
    return re.findall(r'<details class="previous">(.*?)</details>', html, flags=re.DOTALL)


@pytest.fixture
def jan_aug(demo) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan__committee=demo, slug="2019-jan-aug")


def test_previous_period_is_the_one_before_in_the_year(demo, jan_aug):
    helar = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")
    assert period_previous(period=helar) == jan_aug
    first = ReportingPeriod.objects.filter(plan=jan_aug.plan).order_by("start", "end").first()
    assert period_previous(period=first) is None  # the demo has no plan for 2018


def test_the_approved_comment_and_outcomes_of_the_period_before_are_shown(client, editor, jan_aug):
    entry = ProgressEntry.objects.get(period=jan_aug, commitment__code="A05", department__code="AMA")
    assert entry.status == ReviewStatus.APPROVED
    client.force_login(editor)
    html = client.get(entry_url()).content.decode()
    blocks = previous_blocks(html)
    assert blocks, "nothing of the period before is shown"
    assert "Förra perioden (januari–augusti 2019, godkänd)" in blocks[0]
    assert "Kopiera till fältet" in blocks[0]
    # The comment block holds the approved text and names the comment field as its target.
    first_words = re.sub(r"<[^>]+>", " ", entry.comment).split()[:4]
    assert " ".join(first_words) in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", blocks[0]))
    assert 'data-copy-to="id_comment"' in blocks[0]


def test_the_previous_outcome_figure_is_shown_beside_its_field(client, editor, jan_aug):
    indicator = Indicator.objects.get(plan=jan_aug.plan, code="MI07")
    amaa = Department.objects.get(code="AMA")
    Outcome.objects.update_or_create(
        indicator=indicator,
        period=jan_aug,
        department=amaa,
        defaults={"value": 1234.5, "comment": "<p>Förra utfallets kommentar.</p>", "status": ReviewStatus.APPROVED},
    )
    client.force_login(editor)
    html = client.get(entry_url()).content.decode()
    assert re.search(r'<dd data-copy-to="id_o-MI07-value">1234,5</dd>', html)
    assert 'data-copy-to="id_o-MI07-comment"' in html
    assert "Förra utfallets kommentar." in html


def test_a_previous_row_not_approved_is_not_shown(client, editor, jan_aug):
    ProgressEntry.objects.filter(period=jan_aug, commitment__code="A05", department__code="AMA").update(
        status=ReviewStatus.SUBMITTED
    )
    indicator = Indicator.objects.get(plan=jan_aug.plan, code="MI07")
    Outcome.objects.update_or_create(
        indicator=indicator,
        period=jan_aug,
        department=Department.objects.get(code="AMA"),
        defaults={"value": 99, "comment": "<p>Inte godkänd än.</p>", "status": ReviewStatus.SUBMITTED},
    )
    Outcome.objects.filter(period=jan_aug, department__code="AMA").exclude(indicator=indicator).update(
        status=ReviewStatus.RETURNED
    )
    client.force_login(editor)
    html = client.get(entry_url()).content.decode()
    assert previous_blocks(html) == []
    assert "Inte godkänd än." not in html


def test_after_a_rollover_the_first_period_shows_the_same_period_last_year(client, demo, committee_admin, editor):
    from indicators.rollover import plan_rollover

    plan = demo.plans.get(year=2019)
    plan_rollover(plan=plan, user=committee_admin)
    first_2019 = ReportingPeriod.objects.filter(plan=plan).order_by("start", "end").first()
    first_2020 = ReportingPeriod.objects.filter(plan__year=2020, plan__committee=demo).order_by("start", "end").first()
    assert period_previous(period=first_2020) == first_2019
    # The commitment of the new plan is matched by its code with the old plan's approved entry.
    ProgressEntry.objects.update_or_create(
        period=first_2019,
        commitment=Commitment.objects.get(plan=plan, code="A05"),
        department=Department.objects.get(code="AMA"),
        defaults={"comment": "<p>Så gick det förra året.</p>", "status": ReviewStatus.APPROVED},
    )
    client.force_login(editor)
    # The new year's first period takes entries (its copied deadline lies in the past).
    ReportingPeriod.objects.filter(pk=first_2020.pk).update(deadline=timezone.localdate() + datetime.timedelta(days=9))
    html = client.get(entry_url(period=first_2020.slug)).content.decode()
    (block,) = previous_blocks(html)
    assert f"Förra perioden ({first_2019.name} 2019, godkänd)" in block
    assert "Så gick det förra året." in block


def test_the_entry_page_reads_the_period_before_in_a_fixed_number_of_queries(
    client, editor, jan_aug, django_capture_on_commit_callbacks
):
    from tests.factories import IndicatorFactory

    client.force_login(editor)
    client.get(entry_url())
    cache.clear()  # both requests read the plan (a changed plan is read again)
    with CaptureQueriesContext(connection) as before:
        client.get(entry_url())
    commitment = Commitment.objects.get(plan=jan_aug.plan, code="A05")
    amaa = Department.objects.get(code="AMA")
    with django_capture_on_commit_callbacks(execute=True):  # the plan's change, committed
        for _ in range(4):
            indicator = IndicatorFactory(
                goal=commitment.goal, plan=commitment.plan, commitment=commitment, level="commitment"
            )
            Outcome.objects.create(
                indicator=indicator,
                period=jan_aug,
                department=amaa,
                value=3,
                comment="<p>x</p>",
                status=ReviewStatus.APPROVED,
            )
        ReportingPeriod.objects.create(
            plan=jan_aug.plan, slug="2019-jan-apr-extra", name="extra", start=jan_aug.start, end=jan_aug.start,
            deadline=jan_aug.deadline,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        response = client.get(entry_url())
    assert len(response.context["lines"]) == 9
    assert len(previous_blocks(response.content.decode())) >= 9
    extra = [q["sql"] for q in after.captured_queries[len(before.captured_queries) :]]
    assert len(after.captured_queries) == len(before.captured_queries), extra


kultur = goal_pages.kultur  # another committee's goal follow-up (no åtaganden)


def test_the_goal_follow_up_shows_the_approved_follow_up_of_the_period_before(client, kultur):
    k = kultur
    year = k["plan"].year
    jan_apr = ReportingPeriodFactory(
        plan=k["plan"], slug=f"{year}-jan-apr", name="januari–april", start=datetime.date(year, 1, 1),
        end=datetime.date(year, 4, 30), deadline=datetime.date(year, 5, 15),
    )  # fmt: skip
    GoalContribution.objects.create(
        goal=k["goal"], period=jan_apr, department=k["bib"], comment="<p>Fler barn lånade.</p>",
        status=ReviewStatus.APPROVED,
    )  # fmt: skip
    Outcome.objects.create(
        indicator=k["visitors"], period=jan_apr, department=k["bib"], value=50000, status=ReviewStatus.APPROVED
    )
    Outcome.objects.create(
        indicator=k["loans"], period=jan_apr, department=k["bib"], value=30, status=ReviewStatus.SUBMITTED
    )
    client.force_login(k["users"]["bib"])
    html = client.get(goal_pages.page_url(k)).content.decode()
    blocks = previous_blocks(html)
    assert len(blocks) == 2  # the comment and the visitors' figure; the loans' outcome is not approved
    assert f"Förra perioden (januari–april {year}, godkänd)" in blocks[0]
    assert "Fler barn lånade." in blocks[0]
    assert 'data-copy-to="id_o-BES-value">50000</dd>' in blocks[1]
