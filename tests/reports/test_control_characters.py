"""
Old texts with characters no document format can hold (stored before the cleaning rule, or
around it) do not break a build: every format is made, and Word's line break is a break.
"""

import io
import re
import subprocess

import pytest
from django.core.files.storage import default_storage
from docx import Document as WordDocument

from commitments.models import Commitment, Department, Goal, GoalArea, ProgressEntry, ReportingPeriod
from indicators.models import Indicator
from reports import services
from reports.models import ReportBuild, ReportDefinition, ReportKind

pytestmark = pytest.mark.django_db

#: Shift+Enter and a page break from Word, and a control character (U+0001).
BREAK, PAGE, CONTROL = "\x0b", "\x0c", "\x01"


@pytest.fixture
def jan_aug(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-jan-aug")


def test_a_build_with_control_characters_in_every_text_makes_all_three_formats(
    jan_aug, django_capture_on_commit_callbacks
):
    # Written past the forms and the models' cleaning, as old data would be.
    entry = ProgressEntry.objects.filter(period=jan_aug, status="approved").select_related("commitment").first()
    commitment = entry.commitment
    Commitment.objects.filter(pk=commitment.pk).update(text=f"Första raden{BREAK}andra raden{CONTROL}")
    ProgressEntry.objects.filter(pk=entry.pk).update(comment=f"<p>Kommentar{BREAK}ny rad{PAGE}sida{CONTROL}</p>")
    goal = Goal.objects.get(pk=commitment.goal_id)
    Goal.objects.filter(pk=goal.pk).update(text=f"Målet{CONTROL} med{BREAK}brytning")
    GoalArea.objects.filter(pk=goal.goal_area_id).update(name=f"Området{CONTROL}")
    # Not printed in this document (nor is the goal area), but read by it.
    Department.objects.filter(pk=entry.department_id).update(name=f"Avdelningen{CONTROL}")
    Indicator.objects.filter(plan=jan_aug.plan).update(name=f"Indikatorn{CONTROL}{BREAK}namn")
    ReportDefinition.objects.filter(period=jan_aug, kind=ReportKind.FOLLOW_UP).update(
        introduction=f"<p>Inledning{BREAK}rad två{CONTROL}</p>"
    )

    with django_capture_on_commit_callbacks(execute=True):
        build = services.build_request(
            period=jan_aug, kind=ReportKind.FOLLOW_UP, draft=False, trigger=ReportBuild.Trigger.MANUAL, user=None
        )
    build.refresh_from_db()
    assert build.status == "done", build.error

    with default_storage.open(build.docx.name) as file:
        word = WordDocument(io.BytesIO(file.read()))
    texts = [p.text for p in word.paragraphs] + [
        p.text for table in word.tables for row in table.rows for cell in row.cells for p in cell.paragraphs
    ]
    assert "Första raden\nandra raden" in texts  # python-docx reads a <w:br/> as "\n"
    assert "Inledning\nrad två" in texts
    assert any("Kommentar\nny rad\nsida" in t for t in texts)
    assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", t) for t in texts)

    with default_storage.open(build.html.name) as file:
        html = file.read().decode()
    assert "Första raden<br>andra raden" in html
    assert "Kommentar<br>ny rad<br>sida" in html
    assert "Inledning<br>rad två" in html
    assert "Indikatorn<br>namn" in html
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", html)

    pdf = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", default_storage.path(build.pdf.name), "-"], capture_output=True, check=True
    ).stdout.decode()
    lines = [line.strip() for line in pdf.splitlines()]
    assert "Första raden" in lines  # its own line: the break was kept
    assert "Inledning" in lines
    assert "Målet med" in pdf  # a goal is a chapter heading


def test_a_document_is_cleaned_before_any_renderer_reads_it():
    from reports.document import CommitmentRow, CommitmentTable, Document, RichText, Section, cleaned

    document = Document(
        kind="ataganden",
        title="Titel",
        organisation="Förvaltningen",
        committee=f"Nämnd{CONTROL}",
        period="januari–augusti",
        sections=[
            Section(
                heading=f"Rubrik{PAGE}",
                blocks=[
                    RichText(f"<p>a{BREAK}b</p>"),
                    CommitmentTable(rows=(CommitmentRow("A1", f"x{BREAK}y\x00", "Avd", None, RichText("<p>c</p>")),)),
                ],
            )
        ],
    )
    clean = cleaned(document)
    assert clean.committee == "Nämnd"
    assert clean.sections[0].heading == "Rubrik\n"
    assert clean.sections[0].blocks[0] == RichText("<p>a<br>b</p>")
    assert clean.sections[0].blocks[1].rows[0].text == "x\ny"
