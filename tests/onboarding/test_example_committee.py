"""
The fictional committee of docs/examples/exempelnamnd, from an empty committee to an approved,
built follow-up, by the README's steps: load_committee, import_plan, the departments write
the follow-up of their goals with the outcomes of the goals' indicators, a reviewer approves,
and the follow-up is built in the three formats.
"""

import datetime
import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument

from accounts.models import User
from commitments.models import Commitment, Goal, GoalContribution, ReportingPeriod
from indicators.models import Indicator, Outcome
from indicators.workflow import goal_page_indicators
from reports.assembly import report_document
from reports.document import Table
from reports.renderers import render

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "exempelnamnd"


def outcome_fields(indicator: Indicator, value: Decimal) -> dict:
    """The outcome part of the goal page's form, as the department fills it in."""
    prefix = f"o-{indicator.code}"
    fields = {"value": str(value).replace(".", ","), "version": 0, "comment": f"<p>Om {indicator.code}.</p>"}
    return {f"{prefix}-{name}": v for name, v in fields.items()}


@pytest.fixture
def example(db):
    call_command("load_committee", str(EXAMPLE / "committee.json"), stdout=io.StringIO())
    call_command("import_plan", str(EXAMPLE), committee="kfn", year=2026, stdout=io.StringIO())
    period = ReportingPeriod.objects.get(plan__committee__slug="kfn", slug="2026-helar")
    # The example's deadline is a date; keep the period open for entries whatever day the test runs.
    period.deadline = max(period.deadline, timezone.localdate() + datetime.timedelta(days=30))
    period.save()
    return period


def test_the_example_committee_goes_from_its_files_to_an_approved_built_follow_up(example, tmp_path):
    period, plan = example, example.plan
    assert not Commitment.objects.filter(plan=plan).exists()  # no åtaganden, no placeholder rows
    committee = plan.committee
    goals = list(Goal.objects.filter(plan=plan).prefetch_related("departments").order_by("goal_area__sort_order"))
    editors = {m.department_id: m.user for m in committee.memberships.filter(role="editor").select_related("user")}
    reviewer = User.objects.get(memberships__committee=committee, memberships__role="reviewer")
    client = Client()

    for goal in goals:
        for department in goal.departments.all():
            client.force_login(editors[department.pk])
            url = reverse("followup:contribution", args=["kfn", period.slug, goal.code, department.code])
            assert client.get(url).status_code == 200
            data = {
                "comment": f"<p>{department.name} om {goal.code}.</p>", "version": 0, "action": "submit",
                "assessment": plan.goal_year_scale.values.get(code="uppfyllt").pk,
                "assessment_motivation": "Bedömningen baseras på mätetalen.",
            }  # fmt: skip
            for n, indicator in enumerate(goal_page_indicators(goal.pk, department.pk)):
                data |= outcome_fields(indicator, Decimal(70 + n))
            response = client.post(url, data)
            assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(reviewer)
    for contribution in GoalContribution.objects.filter(period=period).select_related("goal", "department"):
        url = reverse("followup:contribution", args=["kfn", period.slug, contribution.goal.code,
                                                     contribution.department.code])  # fmt: skip
        client.post(url, {"action": "approve", "version": contribution.version})
    assert set(GoalContribution.objects.filter(period=period).values_list("status", flat=True)) == {"approved"}
    assert set(Outcome.objects.filter(period=period).values_list("status", flat=True)) == {"approved"}

    document = report_document(period=period, kind="ataganden")
    assert document.title == "Uppföljning av nämndens mål helår 2026"
    assert document.organisation == "Exempelstads kommun"
    chapters = [section.heading for section in document.sections if section.subsections]
    assert chapters == ["Perspektiv – Medborgare", "Perspektiv – Verksamhet", "Perspektiv – Medarbetare",
                        "Perspektiv – Ekonomi"]  # fmt: skip
    by_heading = {section.heading: section for section in document.sections}
    first_goal = by_heading["Perspektiv – Medborgare"].subsections[0]
    (table,) = [block for block in first_goal.blocks if isinstance(block, Table)][-1:]
    assert table.header[:6] == ("Mätetal", "Utfall 2024", "Utfall 2025", "Utfall helår 2026", "Målvärde 2026",
                                "Bedömning")  # fmt: skip
    rows = {row[0]: row for row in table.rows}
    # One department reports each indicator of a goal that two follow up (the plan's "rapporterande").
    assert len(rows) == 3
    share = rows["Andel invånare som besökt ett kultur- eller fritidsarrangemang det senaste året"]
    # Three years, and the target with its comparator (no-break spaces inside the figures).
    assert [cell.replace("\u00a0", " ") for cell in share[1:5]] == ["55 %", "57 %", "70 %", "Minst 60 %"]

    html = render(document, "html").decode()
    docx = WordDocument(io.BytesIO(render(document, "docx")))
    word = "\n".join([p.text for p in docx.paragraphs] + [
        cell.text for t in docx.tables for row in t.rows for cell in row.cells
    ])  # fmt: skip
    pdf = tmp_path / "uppfoljning.pdf"
    pdf.write_bytes(render(document, "pdf"))
    pdf_text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    for shown in (html, word, pdf_text):
        # Spaces as each format keeps them (a line may break after "Minst"; the PDF's text drops no-break spaces).
        squeezed = re.sub(r"\s+", "", shown.replace("\u00a0", " "))
        assert "Minst60%" in squeezed
        assert "Högst5%" in squeezed  # written "Max 5 %" in the plan file
        assert "Perspektiv–Ekonomi" in squeezed
        assert "Åtagande" not in squeezed  # the words are the committee's own
