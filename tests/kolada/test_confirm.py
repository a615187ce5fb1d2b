"""
The department confirms Kolada's value: beside the field on its entry page, saved through the
page's one save as a draft, submitted and approved as any outcome; the document names the source.
"""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from commitments.models import ProgressEntry
from commitments.workflow import reviewable_transition
from indicators.models import Outcome
from kolada.services import kolada_fetch
from reports.assembly import report_document
from reports.document import IndicatorTable, RichText
from reports.models import ReportKind
from reports.renderers import render
from tests.commitments.test_goal_contributions import setting  # noqa: F401 (the fixture)
from tests.indicators.test_entry_views import entry_form_data, outcomes_missing

from .conftest import PLAN_YEAR
from .server import hand_made

pytestmark = pytest.mark.django_db

URL = reverse("followup:entry", args=["asn", "2019-helar", "A03", "AMA"])


@pytest.fixture
def fetched(kolada, demo, mi03):
    kolada_fetch(committee=demo)
    return kolada


def outcome(mi03) -> Outcome:
    return Outcome.objects.get(indicator=mi03, period__slug="2019-helar", department__code="AMA")


def use_value(client, **changes):
    return client.post(URL, entry_form_data(client, URL, kolada_use="MI03", **changes))


def test_the_entry_page_shows_kolada_s_value_with_its_source_beside_the_field(client, editor, fetched):
    client.force_login(editor)
    page = client.get(URL).content.decode()
    today = timezone.localdate().isoformat()
    assert "Koladas värde för 2019:" in page
    assert "41,2&nbsp;%" in page
    assert f"Källa: Kolada, hämtat {today} (nyckeltal N31816)" in page
    assert "status i Kolada: Preliminär" in page
    assert "Tidigare år: 2017 37,8&nbsp;%, 2018 39,5&nbsp;%" in page
    assert '<button type="submit" name="kolada_use" value="MI03"' in page


def test_using_the_value_saves_a_draft_through_the_one_workflow(client, editor, fetched, mi03):
    client.force_login(editor)
    response = use_value(client, **{"o-MI03-comment": "<p>Enligt Kolada.</p>"})
    assert response.status_code == 302
    saved = outcome(mi03)
    assert (saved.value, saved.status, saved.version) == (Decimal("41.2"), "draft", 1)
    assert saved.comment == "<p>Enligt Kolada.</p>"
    assert [h.history_user.username for h in saved.history.all()] == ["redaktor"]
    page = client.get(URL).content.decode()
    assert "Utfallet är Koladas värde." in page
    assert 'value="MI03"' not in page
    # Submitted with the entry, as any typed outcome.
    data = entry_form_data(client, URL, comment="<p>Klart.</p>", action="submit", **outcomes_missing(client, URL))
    assert client.post(URL, data).status_code == 302
    assert outcome(mi03).status == "submitted"


def test_using_the_value_empties_counts_and_a_reason_that_could_not_stand_beside_it(client, editor, fetched, mi03):
    client.force_login(editor)
    client.post(URL, entry_form_data(client, URL, **{"o-MI03-unavailable_reason": "Kommer i maj."}))
    assert outcome(mi03).unavailable_reason == "Kommer i maj."
    assert use_value(client).status_code == 302
    saved = outcome(mi03)
    assert (saved.value, saved.unavailable_reason) == (Decimal("41.2"), "")


def test_the_value_cannot_be_used_by_a_reader(client, reader, fetched, mi03):
    client.force_login(reader)
    assert client.post(URL, {"kolada_use": "MI03", "o-MI03-version": "0"}).status_code == 403
    assert not Outcome.objects.filter(indicator=mi03).exists()


def test_a_typed_value_is_never_overwritten_by_the_fetch(client, editor, fetched, mi03, demo):
    client.force_login(editor)
    client.post(URL, entry_form_data(client, URL, **{"o-MI03-value": "40"}))
    fetched.set(PLAN_YEAR, hand_made("data_N31816_1280_2019_revised.json"))
    kolada_fetch(committee=demo)
    assert outcome(mi03).value == Decimal("40")
    page = client.get(URL).content.decode()
    assert '<button type="submit" name="kolada_use" value="MI03"' in page  # still only proposed
    assert "Kolada har ändrat värdet" not in page  # 40 was never Kolada's


def test_a_revision_after_the_value_was_used_shows_the_difference(client, editor, fetched, mi03, demo):
    client.force_login(editor)
    use_value(client)
    fetched.set(PLAN_YEAR, hand_made("data_N31816_1280_2019_revised.json"))
    kolada_fetch(committee=demo)
    assert outcome(mi03).value == Decimal("41.2")  # the confirmed value stays until the department changes it
    page = client.get(URL).content.decode()
    assert "Kolada har ändrat värdet sedan det användes:" in page
    assert "41,2&nbsp;% → 42&nbsp;%" in page
    assert "Använd det nya värdet" in page
    use_value(client)
    assert outcome(mi03).value == Decimal("42")


def approve(mi03, reviewer):
    entry = ProgressEntry.objects.get(commitment__code="A03", department__code="AMA", period__slug="2019-helar")
    reviewable_transition(obj=entry, action="approve", user=reviewer, expected_version=entry.version)
    assert outcome(mi03).status == "approved"


def kolada_tables(document):
    """The indicator tables of the document, each with whether "Källa: Kolada" follows it."""
    found = []

    def walk(sections):
        for section in sections:
            blocks = list(section.blocks)
            for i, block in enumerate(blocks):
                if isinstance(block, IndicatorTable):
                    after = blocks[i + 1] if i + 1 < len(blocks) else None
                    noted = isinstance(after, RichText) and "Källa: Kolada" in after.html
                    found.append(([row.code for row in block.rows], noted))
            walk(section.subsections)

    walk(document.sections)
    return found


def test_the_document_prints_the_confirmed_value_with_its_source(client, editor, reviewer, fetched, mi03):
    client.force_login(editor)
    use_value(client)
    data = entry_form_data(client, URL, comment="<p>Klart.</p>", action="submit", **outcomes_missing(client, URL))
    client.post(URL, data)
    client.force_login(reviewer)
    assert "Källa: Kolada, hämtat" in client.get(URL).content.decode()  # the reviewer reads where it came from
    approve(mi03, reviewer)
    period = mi03.plan.periods.get(slug="2019-helar")
    document = report_document(period=period, kind=ReportKind.FOLLOW_UP)
    tables = kolada_tables(document)
    assert (["MI03"], True) in tables
    assert all(not noted for codes, noted in tables if "MI03" not in codes)  # only under the table with its value
    [row] = [r for s in document.sections for b in s.blocks if isinstance(b, IndicatorTable) for r in b.rows]
    assert row.outcome.startswith("41,2")
    html = render(document, "html").decode()
    assert "Källa: Kolada" in html
    with zipfile.ZipFile(io.BytesIO(render(document, "docx"))) as docx:
        assert "Källa: Kolada" in docx.read("word/document.xml").decode()


def test_a_value_the_department_typed_otherwise_is_printed_without_kolada(client, editor, reviewer, fetched, mi03):
    client.force_login(editor)
    client.post(URL, entry_form_data(client, URL, **{"o-MI03-value": "40"}))
    data = entry_form_data(client, URL, comment="<p>Klart.</p>", action="submit", **outcomes_missing(client, URL))
    client.post(URL, data)
    client.force_login(reviewer)
    assert "Källa: Kolada" not in client.get(URL).content.decode()
    approve(mi03, reviewer)
    document = report_document(period=mi03.plan.periods.get(slug="2019-helar"), kind=ReportKind.FOLLOW_UP)
    assert (["MI03"], False) in kolada_tables(document)


def queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_the_entry_page_reads_the_proposals_in_one_query_however_many(
    client, editor, fetched, mi03, demo, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    client.get(URL)
    cache.clear()  # both requests read the plan (a changed plan is read again, common.plan_cache)
    one = queries(lambda: client.get(URL))
    for code, kpi in (("MI04", "N31807"), ("MI05", "N31808"), ("MI06", "N31809")):
        with django_capture_on_commit_callbacks(execute=True):  # the plan's change, committed
            indicator = mi03.plan.indicators.get(code=code)
            indicator.kolada_kpi = kpi
            indicator.save(update_fields=["kolada_kpi"])
        fetched.set(f"/v3/kpi/{kpi}", {"values": [{"id": kpi, "title": kpi}]})
    body = hand_made("data_N31816_1280.json")
    kpis = ["N31807", "N31808", "N31809", "N31816"]
    fetched.set("/v3/kpi/" + ",".join(kpis), {"values": [{"id": k, "title": k} for k in kpis]})
    fetched.set(
        "/v3/data/kpi/" + ",".join(kpis) + "/municipality/1280/year/2017,2018,2019",
        {"values": [v | {"kpi": k} for k in kpis for v in body["values"]]},
    )
    assert kolada_fetch(committee=demo).ok
    page = client.get(URL)  # the committed changes show without emptying the cache
    assert sum(1 for line, _form in page.context["lines"] if line.kolada) == 4
    cache.clear()  # as before the changes: read cold
    assert queries(lambda: client.get(URL)) == one


def test_the_document_reads_kolada_once_however_many_values(client, editor, fetched, mi03):
    period = mi03.plan.periods.get(slug="2019-helar")
    client.force_login(editor)
    use_value(client)
    report_document(period=period, kind=ReportKind.FOLLOW_UP, draft=True)  # what is read once per process
    one = queries(lambda: report_document(period=period, kind=ReportKind.FOLLOW_UP, draft=True))
    client.force_login(User.objects.get(username="redaktor-ebb"))
    for commitment in ("A03", "A04"):
        url = reverse("followup:entry", args=["asn", "2019-helar", commitment, "EBB"])
        client.post(url, entry_form_data(client, url, kolada_use="MI03"))
    assert Outcome.objects.filter(indicator=mi03, value=Decimal("41.2")).count() == 2
    with CaptureQueriesContext(connection) as captured:
        document = report_document(period=period, kind=ReportKind.FOLLOW_UP, draft=True)
    assert len(captured) == one
    assert sum("kolada_proposal" in q["sql"] for q in captured) == 1
    [(codes, noted)] = [t for t in kolada_tables(document) if "MI03" in t[0]]
    assert (codes, noted) == (["MI03", "MI03"], True)


def test_on_a_goal_page_the_value_is_proposed_and_used_the_same_way(client, fetched, mi03, setting):  # noqa: F811
    mi03.departments.clear()  # reported by those that follow up NM03: EBB, on the goal's page
    url = reverse("followup:contribution", args=["asn", "2019-helar", "NM03", "EBB"])
    client.force_login(setting["editor"])
    page = client.get(url).content.decode()
    assert "Koladas värde för 2019:" in page
    forms = client.get(url).context["forms"]
    data = {f.add_prefix(k): v for f in forms.values() for k, v in f.initial.items() if v is not None}
    assert client.post(url, {**data, "kolada_use": "MI03"}).status_code == 302
    saved = Outcome.objects.get(indicator=mi03, department__code="EBB", period__slug="2019-helar")
    assert (saved.value, saved.status) == (Decimal("41.2"), "draft")
    assert "Utfallet är Koladas värde." in client.get(url).content.decode()
