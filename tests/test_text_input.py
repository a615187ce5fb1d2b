"""
Texts coming in: one cleaning rule (control characters out, Word's line breaks kept as
breaks), NUL refused with a 400 that says why, and a limit on every text, shown before it
is reached and refused with a message naming it, changing nothing.
"""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from commitments.models import (
    AssessmentScale,
    Commitment,
    Department,
    EntryMessage,
    Event,
    Goal,
    Plan,
    ProgressEntry,
    ReportingPeriod,
)
from commitments.selectors import goal_contribution_get_or_new
from commitments.services import goal_contribution_save
from commitments.workflow import reviewable_transition
from common.richtext import rich_text_clean
from common.tabular import csv_dataset
from common.text import clean_text
from indicators.models import Outcome
from indicators.plan_files import read_plan_files
from indicators.selectors import plan_export
from indicators.services import plan_import
from onboarding.committee_file import committee_file_check, committee_file_read

pytestmark = pytest.mark.django_db

PAGE = ("asn", "2019-helar", "A05", "AMA")


def entry_url() -> str:
    return reverse("followup:entry", args=PAGE)


def entry_form_data(client, **changes) -> dict:
    """The entry page's forms as the browser posts them, with ``changes``."""
    forms = client.get(entry_url()).context["forms"]
    data = {}
    for form in forms.values():
        for name, value in form.initial.items():
            if value is not None:
                data[form.add_prefix(name)] = value
    data.update(changes)
    return data


def submitted_entry(editor) -> ProgressEntry:
    """A05/AMA for 2019-helar, saved and submitted by its department (its outcomes explained)."""
    client = Client()
    client.force_login(editor)
    context = client.get(entry_url()).context
    missing = {
        form.add_prefix("unavailable_reason"): "Mäts vid årets slut."
        for line, form in context["lines"]
        if form is not None and line.indicator.commitment_id == context["entry"].commitment_id
    }
    response = client.post(entry_url(), entry_form_data(client, comment="<p>Klart.</p>", action="submit", **missing))
    assert response.status_code == 302
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05", department__code="AMA")
    assert entry.status == "submitted"
    return entry


# The rule -----------------------------------------------------------------------------------------


def test_clean_text_removes_what_xml_and_postgresql_cannot_carry_and_keeps_words_line_breaks():
    assert clean_text("rad ett\x0brad två\x0csida två") == "rad ett\nrad två\nsida två"
    assert clean_text("a\x00b\x01c\x08d\x1fe\ufffef\uffffg\ud800h") == "abcdefgh"
    assert clean_text("tab\tkeeps\r\nwindows\rold mac") == "tab\tkeeps\nwindows\nold mac"
    assert clean_text("Malmö – “citat” ● ◆ é\u00a0€") == "Malmö – “citat” ● ◆ é\u00a0€"


def test_rich_text_gets_a_break_for_words_shift_enter_and_loses_control_characters():
    assert rich_text_clean("<p>rad ett\x0brad två\x01</p>") == "<p>rad ett<br>rad två</p>"


# NUL: a 400 that says why, nothing changed ----------------------------------------------------------


def test_a_nul_in_a_thread_message_gives_a_swedish_400_and_posts_nothing(client, editor, reviewer):
    entry = submitted_entry(editor)
    client.force_login(reviewer)
    response = client.post(reverse("followup:entry_message", args=PAGE), {"text": "Hej\x00 där"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Inget har ändrats" in page
    assert "NUL" in page
    assert not EntryMessage.objects.filter(entry=entry).exists()


def test_a_nul_in_a_return_reason_gives_a_swedish_400_and_the_entry_is_not_returned(client, editor, reviewer):
    entry = submitted_entry(editor)
    events = Event.objects.count()
    client.force_login(reviewer)
    response = client.post(entry_url(), {"action": "return", "reason": "Komplettera\x00", "version": entry.version})
    assert response.status_code == 400
    assert "Inget har ändrats" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert Event.objects.count() == events


def test_a_nul_in_a_saved_comment_gives_a_400_and_saves_nothing(client, editor):
    client.force_login(editor)
    before = ProgressEntry.objects.filter(period__slug="2019-helar", commitment__code="A05").first()
    response = client.post(entry_url(), entry_form_data(client, comment="<p>Text\x00</p>"))
    assert response.status_code == 400
    assert "Inget har ändrats" in response.content.decode()  # says why, not a field's error
    after = ProgressEntry.objects.filter(period__slug="2019-helar", commitment__code="A05").first()
    assert (after and (after.comment, after.version)) == (before and (before.comment, before.version))


# Forms and services store the cleaned text ------------------------------------------------------------


def test_the_entry_page_stores_words_line_breaks_as_breaks_and_drops_control_characters(client, editor):
    client.force_login(editor)
    response = client.post(
        entry_url(),
        entry_form_data(
            client,
            comment="<p>Rad ett\x0bRad två\x01</p>",
            **{"o-AI1-unavailable_reason": "Mäts\x0bvid årets slut\x02"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = ProgressEntry.objects.get(period__slug="2019-helar", commitment__code="A05", department__code="AMA")
    assert entry.comment == "<p>Rad ett<br>Rad två</p>"
    outcome = Outcome.objects.get(period__slug="2019-helar", indicator__code="AI1", department__code="AMA")
    assert outcome.unavailable_reason == "Mäts\nvid årets slut"


def test_a_return_reason_and_a_message_are_stored_cleaned(editor, reviewer):
    entry = submitted_entry(editor)
    reviewable_transition(obj=entry, action="return", user=reviewer, reason="Komplettera\x0bgärna\x01")
    assert Event.objects.filter(to_state="returned").latest("pk").reason == "Komplettera\ngärna"
    client = Client()
    client.force_login(reviewer)
    client.post(reverse("followup:entry_message", args=PAGE), {"text": "Se\x0cnedan\x1b"})
    assert EntryMessage.objects.get(entry=entry).text == "Se\nnedan"


def test_the_admin_stores_a_commitment_text_cleaned(client, committee_admin):
    client.force_login(committee_admin)
    plan = Plan.objects.get(committee__slug="asn", year=2019)
    response = client.post(
        reverse("admin:commitments_commitment_add"),
        {"goal": plan.goals.get(code="NM01").pk, "code": "A99", "text": "Första\x0bandra\x01",
         "departments": [plan.committee.departments.get(code="STAB").pk], "sort_order": 5},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Commitment.objects.get(plan=plan, code="A99").text == "Första\nandra"


def test_an_imported_cell_keeps_words_line_break_as_a_break():
    data = csv_dataset("kod;text\nA01;Första\x0bandra\x01\n".encode(), name="x.csv", sheet="Åtaganden")
    assert data[0][1] == "Första\nandra"


def test_the_committee_file_is_read_cleaned():
    data = committee_file_read(json.dumps({"committee": {"name": "Nämnd\x0bett\x01"}}).encode())
    assert data["committee"]["name"] == "Nämnd\nett"


# Length limits ----------------------------------------------------------------------------------------


def test_an_over_long_return_reason_is_refused_naming_the_limit_and_the_entry_stays_submitted(editor, reviewer):
    entry = submitted_entry(editor)
    with pytest.raises(ValidationError, match="4000"):
        reviewable_transition(obj=entry, action="return", user=reviewer, reason="x" * 4001)
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert not Event.objects.filter(to_state="returned").exists()


def test_the_reason_and_message_fields_show_their_limit(client, editor, reviewer):
    submitted_entry(editor)
    client.force_login(reviewer)
    page = client.get(entry_url()).content.decode()
    assert 'name="reason" rows="3" maxlength="4000"' in page
    assert 'name="text" rows="3" maxlength="4000"' in page
    # Said before it is reached (maxlength alone says nothing, and cuts a pasted text short).
    assert '<p class="help" id="reason-return-limit">Högst 4\xa0000 tecken.</p>' in page
    assert 'aria-describedby="reason-return-limit"' in page
    assert '<p class="help" id="thread-text-limit">Högst 4\xa0000 tecken.</p>' in page
    assert 'aria-describedby="thread-text-limit"' in page


@pytest.fixture
def contribution_setting(demo):
    period = ReportingPeriod.objects.select_related("plan").get(slug="2019-helar")
    plan = period.plan
    plan.goal_year_scale = AssessmentScale.objects.get(committee=demo, code="bidrag-ar")
    plan.goal_mandate_scale = AssessmentScale.objects.get(committee=demo, code="forflyttning")
    plan.save()
    goal = Goal.objects.get(plan=plan, code="NM03")
    department = Department.objects.get(committee=demo, code="EBB")
    goal.departments.add(department)
    contribution = goal_contribution_get_or_new(goal=goal, period=period, department=department)
    return {
        "contribution": contribution,
        "user": User.objects.get(username="redaktor-ebb"),
        "year": plan.goal_year_scale.values.get(code="uppnatts"),
    }


def test_a_motivation_of_100000_characters_is_refused_naming_the_limit_and_nothing_is_saved(contribution_setting):
    s = contribution_setting
    with pytest.raises(ValidationError) as raised:
        goal_contribution_save(
            contribution=s["contribution"], user=s["user"], expected_version=0, comment="<p>Text</p>",
            assessment=s["year"], assessment_motivation="x" * 100_000, mandate_assessment=None, mandate_motivation="",
        )  # fmt: skip
    assert "assessment_motivation" in raised.value.message_dict
    assert "4000" in " ".join(raised.value.message_dict["assessment_motivation"])
    assert s["contribution"].pk is None or not type(s["contribution"]).objects.filter(version__gt=0).exists()


def test_the_contribution_page_shows_the_limit_on_its_textareas(client, contribution_setting):
    client.force_login(contribution_setting["user"])
    page = client.get(reverse("followup:contribution", args=["asn", "2019-helar", "NM03", "EBB"])).content.decode()
    assert 'maxlength="4000"' in page  # the motivations
    assert 'maxlength="1000"' in page  # the sentences
    assert "Högst 15\xa0000 tecken." in page  # the rich text's hint
    # and the plain texts' limits are said too, not only held by maxlength
    for limit, shown in ((4000, "4\xa0000"), (1000, "1\xa0000")):  # a hint for every textarea of that limit
        assert page.count(f'<p class="help">Högst {shown} tecken.</p>') == page.count(f'maxlength="{limit}"') > 0


def test_rich_text_is_limited_by_its_text_not_its_markup():
    bold = "<p>" + "<b>ord</b> " * 3_000 + "</p>"  # 12 000 characters of text, 36 000 of markup
    assert rich_text_clean(bold).startswith("<p><b>ord</b>")
    with pytest.raises(ValidationError) as raised:
        rich_text_clean("<p>" + "x" * 15_001 + "</p>")
    message = "Texten är för lång: högst 15\xa0000 tecken, och den har 15\xa0001."
    assert raised.value.message_dict["comment"] == [message]


def test_the_entry_page_says_the_rich_texts_limit_and_refuses_more_keeping_the_text(client, editor):
    client.force_login(editor)
    assert "Högst 15\xa0000 tecken." in client.get(entry_url()).content.decode()
    response = client.post(entry_url(), entry_form_data(client, comment="<p>" + "y" * 15_001 + "</p>"))
    assert response.status_code == 400
    assert "högst 15\xa0000 tecken" in response.content.decode()
    assert not ProgressEntry.objects.filter(comment__contains="yyyy").exists()


def test_an_over_long_commitment_text_in_the_admin_is_refused_and_its_textarea_says_the_limit(client, committee_admin):
    client.force_login(committee_admin)
    plan = Plan.objects.get(committee__slug="asn", year=2019)
    commitment = plan.commitments.get(code="A05")
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    change_page = client.get(url).content.decode()
    assert 'maxlength="2000"' in change_page
    assert "Högst 2\xa0000 tecken." in change_page  # said under the field, before it is reached
    response = client.post(
        reverse("admin:commitments_commitment_add"),
        {"goal": plan.goals.get(code="NM01").pk, "code": "A99", "text": "x" * 131_000,
         "departments": [plan.committee.departments.get(code="STAB").pk], "sort_order": 5},
    )  # fmt: skip
    assert response.status_code == 200
    assert "2000" in str(response.context["adminform"].form.errors["text"])
    assert not Commitment.objects.filter(plan=plan, code="A99").exists()


def test_an_over_long_commitment_text_in_the_plan_file_is_refused_naming_row_column_and_limit(demo):
    plan = Plan.objects.get(committee=demo, year=2019)
    workbook = load_workbook(io.BytesIO(plan_export(plan=plan).export("xlsx")))
    sheet = workbook["Åtaganden"]
    column = [c.value for c in sheet[1]].index("text") + 1
    sheet.cell(row=3, column=column).value = "x" * 131_000
    out = io.BytesIO()
    workbook.save(out)
    before = sorted(Commitment.objects.values_list("code", "text", "updated_at"))
    result = plan_import(
        user=None, committee=demo, year=2019, datasets=read_plan_files([("plan.xlsx", out.getvalue())])
    )
    assert not result.applied
    messages = [str(e) for e in result.errors]
    assert any("rad 3" in m and "”text”" in m and "2000" in m for m in messages), messages
    assert sorted(Commitment.objects.values_list("code", "text", "updated_at")) == before


def test_an_over_long_text_in_the_committee_file_is_named_with_its_key_and_limit():
    data = json.loads((__import__("pathlib").Path("docs/examples/exempelnamnd/committee.json")).read_text())
    data["scales"][0]["description"] = "x" * 5_000
    problems = [str(p) for p in committee_file_check(data)]
    assert any(p.startswith("scales[0].description") and "2000" in p for p in problems), problems
