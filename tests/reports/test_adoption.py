"""
The adopted edition: the committee's decision on a build, frozen and published without login,
with the outcomes it reports as open data.
"""

import csv
import datetime
import hashlib
import io
import json

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from django.test import Client, RequestFactory
from django.urls import reverse

from commitments.models import Event, EventType, ReportingPeriod
from commitments.workflow import reviewable_transition
from indicators.models import Outcome
from reports import adoption
from reports.models import AdoptedEdition, ReportBuild, ReportKind
from reports.selectors import FIGURE_COLUMNS, current_build
from tests.reports.test_builds import build_now, rewrite_entry
from tests.reports.test_fidelity import docx_text, letters, pdf_pages

pytestmark = pytest.mark.django_db

KIND = ReportKind.FOLLOW_UP
DECIDED = datetime.date(2019, 9, 25)
DECISION = "Beslutad av Arbetsmarknads- och socialnämnden 2019-09-25, § 187, dnr ASN-2019-1234"
FORMATS = ("html", "docx", "pdf", "csv", "json")


@pytest.fixture
def jan_aug(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-jan-aug")


def adopt(period, user=None, **overrides) -> AdoptedEdition:
    values = {"decided_on": DECIDED, "paragraph": "§ 187", "diarienummer": "ASN-2019-1234", **overrides}
    return adoption.report_adopt(user=user, period=period, kind=KIND, **values)


def stored(edition: AdoptedEdition) -> dict[str, bytes]:
    files = {}
    for fmt in FORMATS:
        with default_storage.open(edition.file_for(fmt).name) as file:
            files[fmt] = file.read()
    return files


def file_url(fmt: str) -> str:
    return reverse("public:file", args=["asn", "2019-jan-aug", KIND, fmt])


def test_an_adopted_edition_stays_byte_for_byte_after_a_new_approval_and_build(
    jan_aug, committee_admin, reviewer, django_capture_on_commit_callbacks
):
    build = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    edition = adopt(jan_aug, committee_admin)
    assert edition.build == build
    assert edition.decision == DECISION
    assert edition.content["decision"] == DECISION
    before = stored(edition)
    for fmt, data in before.items():
        assert hashlib.sha256(data).hexdigest() == edition.sha256_for(fmt)
        assert "/2019-jan-aug/ataganden/antagen/20190925-" in edition.file_for(fmt).name
    served = {fmt: b"".join(Client().get(file_url(fmt)).streaming_content) for fmt in FORMATS}
    assert served == before

    rewrite_entry(jan_aug, "A05", "<p>Helt ny text om ungdomarna.</p>", reviewer=reviewer)
    later = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    assert later.status == "done"
    assert current_build(period=jan_aug, kind=KIND) == later

    edition.refresh_from_db()
    assert stored(edition) == before
    assert all(hashlib.sha256(before[fmt]).hexdigest() == edition.sha256_for(fmt) for fmt in FORMATS)
    anonymous = Client()
    for fmt in FORMATS:
        response = anonymous.get(file_url(fmt))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == before[fmt]
        assert response["ETag"] == f'"{edition.sha256_for(fmt)}"'
    assert anonymous.get(file_url("pdf"), HTTP_IF_NONE_MATCH=f'"{edition.pdf_sha256}"').status_code == 304

    # The permanent address holds when the period's short name changes (the other one moves).
    ReportingPeriod.objects.filter(pk=jan_aug.pk).update(slug="2019-delar")
    permanent = reverse("public:permanent_file", args=[edition.pk, "pdf"])
    assert b"".join(anonymous.get(permanent).streaming_content) == before["pdf"]
    assert anonymous.get(file_url("pdf")).status_code == 404


def test_the_files_are_served_with_their_type_html_inline_the_others_as_downloads(
    jan_aug, django_capture_on_commit_callbacks
):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    adopt(jan_aug)
    client = Client()
    expected = {
        "html": "text/html; charset=utf-8", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
        "json": "application/json",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }  # fmt: skip
    for fmt, content_type in expected.items():
        response = client.get(file_url(fmt))
        assert response["Content-Type"] == content_type
        disposition = response["Content-Disposition"]
        assert disposition.startswith("inline" if fmt == "html" else "attachment")
        assert f'-antagen.{fmt}"' in disposition
    policy = {
        part.split()[0]: part.split()[1:]
        for part in client.get(file_url("html"))["Content-Security-Policy"].split("; ")
    }
    assert policy["default-src"] == ["'none'"]  # no script, no request; the site's policy is not merged in
    assert "script-src" not in policy
    assert "connect-src" not in policy
    assert policy["style-src"] == ["'unsafe-inline'"]  # its own stylesheet, inside it
    assert policy["sandbox"] == []  # an origin of its own
    assert client.get(file_url("xlsx")).status_code == 404
    assert client.get(reverse("public:file", args=["asn", "2019-helar", KIND, "pdf"])).status_code == 404


def test_the_open_data_carry_the_editions_outcomes_by_sex(jan_aug, reviewer, django_capture_on_commit_callbacks):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    # Reopened after the build: the edition publishes the build's figures, not today's.
    outcome = Outcome.objects.get(period=jan_aug, indicator__code="AI1")
    reviewable_transition(obj=outcome, action="reopen", user=reviewer, reason="Kontrollera")
    edition = adopt(jan_aug)
    files = stored(edition)

    assert files["csv"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert list(rows[0]) == list(FIGURE_COLUMNS)
    table = {(r["indikator_kod"], r["grupp"]): r for r in rows}
    assert [(r["indikator_kod"], r["grupp"], r["varde"]) for r in rows] == [
        ("AI1", "Samtliga", "18"), ("AI1", "Kvinnor", "20"), ("AI1", "Män", "17"),
        ("AI2", "Samtliga", "21"), ("AI2", "Kvinnor", "17"), ("AI2", "Män", "23"),
        ("AI3", "Samtliga", "6"), ("AI3", "Kvinnor", "9"), ("AI3", "Män", "3"),
        ("AI4", "Samtliga", "22"), ("AI4", "Kvinnor", "19"), ("AI4", "Män", "25"),
        # Not available for the period: a row with an empty value, so that it is seen missing.
        ("AI5", "Samtliga", ""),
    ]  # fmt: skip
    ai1 = table[("AI1", "Kvinnor")]
    assert (ai1["taljare"], ai1["namnare"], ai1["enhet"], ai1["niva"]) == ("52", "257", "%", "åtagandeindikator")
    assert ai1["namnd"] == "Arbetsmarknads- och socialnämnden"
    assert (ai1["planar"], ai1["period"]) == ("2019", "2019-jan-aug")
    assert ai1["period_namn"] == jan_aug.name
    assert ai1["avdelning"] == "Arbetsmarknadsavdelningen"
    assert table[("AI5", "Samtliga")]["avdelning"] != ""

    data = json.loads(files["json"])
    assert data["upplaga"]["beslut"] == DECISION
    assert (data["upplaga"]["diarienummer"], data["upplaga"]["paragraf"]) == ("ASN-2019-1234", "§ 187")
    assert data["upplaga"]["beslutsdatum"] == "2019-09-25"
    assert len(data["utfall"]) == len(rows)
    first = data["utfall"][0]
    assert list(first) == list(FIGURE_COLUMNS)
    assert (first["indikator_kod"], first["grupp"], first["varde"], first["taljare"]) == ("AI1", "Samtliga", 18, 116)
    assert data["utfall"][-1]["varde"] is None


def test_cells_that_a_spreadsheet_would_read_as_formulas_are_inert():
    rows = [{**dict.fromkeys(FIGURE_COLUMNS, ""), "indikator": "=HYPERLINK(1)", "avdelning": "@x", "varde": "-5",
             "malvarde": "+1+1", "grupp": "\tA"}]  # fmt: skip
    (row,) = csv.DictReader(io.StringIO(adoption.figures_csv(rows).decode("utf-8-sig")))
    assert (row["indikator"], row["avdelning"], row["malvarde"], row["grupp"]) == (
        "'=HYPERLINK(1)", "'@x", "'+1+1", "'\tA"
    )  # fmt: skip
    assert row["varde"] == "-5"  # a number stays a number


def test_the_decision_line_is_in_the_document_each_renderer_gets(
    jan_aug, monkeypatch, django_capture_on_commit_callbacks
):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    rendered = []
    real_render = adoption.render

    def render(document, fmt):
        rendered.append((fmt, document.decision))
        return real_render(document, fmt)

    monkeypatch.setattr(adoption, "render", render)
    adopt(jan_aug)
    assert rendered == [("html", DECISION), ("docx", DECISION), ("pdf", DECISION)]


def test_the_decision_line_is_printed_in_the_adopted_pdf_and_word_file(
    jan_aug, tmp_path, django_capture_on_commit_callbacks
):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    files = stored(adopt(jan_aug))
    assert DECISION in " ".join(docx_text(io.BytesIO(files["docx"])).split())
    (tmp_path / "antagen.pdf").write_bytes(files["pdf"])
    assert letters(DECISION) in letters(" ".join(pdf_pages(tmp_path / "antagen.pdf")))


def test_the_adoption_is_on_record(jan_aug, committee_admin, django_capture_on_commit_callbacks):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    edition = adopt(jan_aug, committee_admin)
    event = Event.objects.get(type=EventType.REPORT_ADOPT)
    assert (event.actor, event.committee, event.period, event.subject) == (
        committee_admin, jan_aug.plan.committee, jan_aug, edition
    )  # fmt: skip
    assert DECISION in event.subject_label
    assert edition.adopted_by == committee_admin
    client = Client()
    client.force_login(committee_admin)
    response = client.get(reverse("commitments:event_subject", args=["asn", event.pk]))
    assert response.url == edition.get_absolute_url()


def test_adopting_twice_no_build_or_only_a_draft_is_refused(jan_aug, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="Det finns inget godkänt bygge"):
        adopt(jan_aug)
    build_now(jan_aug, capture=django_capture_on_commit_callbacks, draft=True)
    with pytest.raises(ValidationError, match="bara ett utkast"):
        adopt(jan_aug)
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    adopt(jan_aug)
    with pytest.raises(ValidationError, match="redan antagen"):
        adopt(jan_aug, decided_on=datetime.date(2019, 10, 2), paragraph="§ 200", diarienummer="ASN-2019-2000")
    assert AdoptedEdition.objects.count() == 1


def test_bad_decision_fields_are_named(jan_aug, django_capture_on_commit_callbacks):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as caught:
        adopt(jan_aug, decided_on=datetime.date(2999, 1, 1), paragraph="paragraf", diarienummer="2019-1234")
    assert set(caught.value.message_dict) == {"decided_on", "paragraph", "diarienummer"}
    assert AdoptedEdition.objects.count() == 0
    edition = adopt(jan_aug, paragraph="187", diarienummer=" asn-2019-1234 ")
    assert (edition.paragraph, edition.diarienummer) == ("§ 187", "ASN-2019-1234")


def test_a_failed_save_removes_the_files_it_wrote(
    jan_aug, committee_admin, monkeypatch, django_capture_on_commit_callbacks
):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    written = []
    real_save = default_storage.save

    def save(name, content, **kwargs):
        written.append(real_save(name, content, **kwargs))
        return written[-1]

    monkeypatch.setattr(default_storage, "save", save)
    monkeypatch.setattr(adoption, "_record_event", lambda edition, user: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        adopt(jan_aug, committee_admin)
    assert len(written) == 5
    assert not any(default_storage.exists(name) for name in written)
    assert AdoptedEdition.objects.count() == 0


def test_a_non_admin_cannot_adopt(jan_aug, reviewer, editor, client, django_capture_on_commit_callbacks):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    for user in (reviewer, editor):
        with pytest.raises(PermissionDenied):
            adopt(jan_aug, user)
    client.force_login(reviewer)
    url = reverse("reports:adopt", args=["asn", "2019-jan-aug", KIND])
    data = {"decided_on": "2019-09-25", "paragraph": "§ 187", "diarienummer": "ASN-2019-1234"}
    assert client.get(url, data).status_code == 403
    assert client.post(url, data).status_code == 403
    assert AdoptedEdition.objects.count() == 0


def test_the_builds_page_adopts_after_a_confirmation_and_shows_the_edition(
    jan_aug, committee_admin, reviewer, client, django_capture_on_commit_callbacks
):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    client.force_login(committee_admin)
    builds = reverse("reports:builds", args=["asn", "2019-jan-aug"])
    page = client.get(builds).content.decode()
    url = reverse("reports:adopt", args=["asn", "2019-jan-aug", KIND])
    assert f'action="{url}"' in page
    assert "Anta upplaga" in page
    data = {"decided_on": "2019-09-25", "paragraph": "§ 187", "diarienummer": "ASN-2019-1234"}
    confirm = client.get(url, data)
    assert confirm.status_code == 200
    assert "Bygge" in confirm.content.decode()
    assert 'value="ASN-2019-1234"' in confirm.content.decode()
    assert AdoptedEdition.objects.count() == 0  # nothing is adopted on GET

    wrong = client.post(url, {**data, "diarienummer": "1234"})
    assert wrong.status_code == 400
    assert "ASN-2019-1234" in wrong.content.decode()  # the example in the error says how
    assert AdoptedEdition.objects.count() == 0

    response = client.post(url, data)
    assert response.status_code == 302
    edition = AdoptedEdition.objects.get()
    page = client.get(builds).content.decode()
    assert DECISION in page
    assert edition.get_absolute_url() in page
    assert file_url("csv") in page
    assert "Vad har ändrats sedan den antagna upplagan" not in page
    again = client.post(url, data)
    assert again.status_code == 400
    assert "redan antagen" in again.content.decode()

    rewrite_entry(jan_aug, "A05", "<p>Helt ny text om ungdomarna.</p>", reviewer=reviewer)
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    page = client.get(builds).content.decode()
    changes = reverse("reports:edition_changes", args=["asn", "2019-jan-aug", KIND])
    assert "Vad har ändrats sedan den antagna upplagan" in page
    assert changes in page
    listed = client.get(changes).content.decode()
    assert '<ins><span class="visually-hidden">tillagt: </span>Helt</ins>' in listed
    assert '<ins><span class="visually-hidden">tillagt: </span>ungdomarna.</ins>' in listed
    assert "Arbetsmarknadsavdelningen" in listed


def test_the_public_pages_need_no_login_and_list_the_editions_in_fixed_queries(
    jan_aug, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    anonymous = Client()
    listing = reverse("public:editions", args=["asn"])
    assert "har inte antagit" in anonymous.get(listing).content.decode()
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    edition = adopt(jan_aug)
    with django_assert_max_num_queries(4) as one:
        page = anonymous.get(listing)
    assert page.status_code == 200
    text = page.content.decode()
    assert DECISION in text
    assert "user-box" not in text  # an anonymous visitor's page
    for fmt in FORMATS:
        assert file_url(fmt) in text
    assert "taljare" in text  # the open data's columns are described
    # Another edition (the plan proposal of a later period) costs no query more.
    helar = ReportingPeriod.objects.get(plan=jan_aug.plan, slug="2019-helar")
    build = ReportBuild.objects.get(pk=edition.build_id)
    AdoptedEdition.objects.create(**{
        **{f.name: getattr(edition, f.name) for f in AdoptedEdition._meta.concrete_fields if f.name not in ("id",)},
        "period": helar, "kind": ReportKind.PLAN_PROPOSAL, "build": build,
    })  # fmt: skip
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert anonymous.get(listing).content.decode().count("<section") == 2
    detail = anonymous.get(edition.get_absolute_url())
    assert detail.status_code == 200
    assert edition.pdf_sha256 in detail.content.decode()
    assert anonymous.get(reverse("public:editions", args=["ingen"])).status_code == 404


def test_the_admin_shows_an_edition_but_cannot_change_or_delete_it(
    jan_aug, committee_admin, client, django_capture_on_commit_callbacks
):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    edition = adopt(jan_aug)
    model_admin = admin.site._registry[AdoptedEdition]
    request = RequestFactory().get("/")
    request.user = committee_admin
    assert model_admin.has_view_permission(request, edition)
    assert not model_admin.has_delete_permission(request, edition)
    assert not model_admin.has_change_permission(request, edition)
    assert not model_admin.get_actions(request)
    client.force_login(committee_admin)
    assert client.get(reverse("admin:reports_adoptededition_change", args=[edition.pk])).status_code == 200
    delete = reverse("admin:reports_adoptededition_delete", args=[edition.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AdoptedEdition.objects.filter(pk=edition.pk).exists()


def test_neither_the_build_nor_the_period_of_an_edition_can_be_deleted(jan_aug, django_capture_on_commit_callbacks):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    edition = adopt(jan_aug)
    with pytest.raises(ProtectedError):
        ReportBuild.objects.get(pk=edition.build_id).delete()
    with pytest.raises(ProtectedError):
        AdoptedEdition.objects.get(pk=edition.pk).period.delete()
    assert AdoptedEdition.objects.filter(pk=edition.pk).exists()


def test_the_command_adopts_the_current_build_and_says_why_not(
    jan_aug, committee_admin, reviewer, django_capture_on_commit_callbacks
):
    args = ["adopt_report", "--committee", "asn", "--period", "2019-jan-aug", "--kind", KIND, "--decided",
            "2019-09-25", "--paragraph", "§ 187", "--diarienummer", "ASN-2019-1234"]  # fmt: skip
    with pytest.raises(CommandError, match="Det finns inget godkänt bygge"):
        call_command(*args, stdout=io.StringIO())
    build_now(jan_aug, capture=django_capture_on_commit_callbacks, draft=True)
    with pytest.raises(CommandError, match="bara ett utkast"):
        call_command(*args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="Perioden finns inte"):
        call_command(*[a.replace("2019-jan-aug", "2019-nov") for a in args], stdout=io.StringIO())
    build = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    with pytest.raises(CommandError, match="inte nämndadministratör"):
        call_command(*args, "--by", reviewer.username, stdout=io.StringIO())
    out = io.StringIO()
    call_command(*args, stdout=out)
    edition = AdoptedEdition.objects.get()
    assert (edition.build_id, edition.adopted_by) == (build.pk, None)
    printed = out.getvalue()
    assert DECISION in printed
    assert f"/publicerat/asn/2019-jan-aug/{KIND}/pdf/" in printed
    event = Event.objects.get(type=EventType.REPORT_ADOPT)  # on record, by the operator
    assert (event.actor, event.actor_label, event.subject) == (None, "driftansvarig (kommandoraden)", edition)
    with pytest.raises(CommandError, match="redan antagen"):
        call_command(*args, stdout=io.StringIO())


def test_a_build_made_after_the_admin_looked_is_not_adopted_unseen(
    jan_aug, committee_admin, django_capture_on_commit_callbacks
):
    from reports.adoption import report_adopt

    seen = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as raised:
        report_adopt(
            user=committee_admin, period=jan_aug, kind="ataganden", build_id=seen.pk + 1000,
            decided_on=datetime.date(2019, 9, 25), paragraph="§ 187", diarienummer="ASN-2019-1234",
        )  # fmt: skip
    assert "är inte längre det gällande" in " ".join(raised.value.messages)
    assert not AdoptedEdition.objects.exists()


def test_a_build_of_an_earlier_version_is_built_again_before_it_is_adopted(
    jan_aug, committee_admin, django_capture_on_commit_callbacks
):
    from reports.adoption import report_adopt

    build = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    ReportBuild.objects.filter(pk=build.pk).update(content_hash="0" * 64)  # as if rendered by an older version
    with pytest.raises(ValidationError) as raised:
        report_adopt(
            user=committee_admin, period=jan_aug, kind="ataganden",
            decided_on=datetime.date(2019, 9, 25), paragraph="§ 187", diarienummer="ASN-2019-1234",
        )  # fmt: skip
    assert "tidigare version" in " ".join(raised.value.messages)
