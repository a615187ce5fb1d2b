"""
Files that would exhaust the server are refused at once, with a Swedish message naming the
limit, before they cost memory or time; and a staged upload waits in storage, not in the
session, taken once by the user who staged it.
"""

import json
import os
import re
import resource
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from commitments.models import Goal, Plan, ReportingPeriod
from common.tabular import workbook_datasets
from common.uploads import upload_stage, upload_take
from indicators.plan_files import PlanFileError, read_plan_files
from indicators.selectors import plan_export

from . import files as hostile

MB = 1024 * 1024
#: Where a staged upload waits, in the default storage.
STAGE_DIR = "staged-uploads"


@pytest.fixture
def plan(demo) -> Plan:
    return Plan.objects.get(committee=demo, year=2019)


def import_url(plan: Plan) -> str:
    return reverse("admin:commitments_plan_import", args=[plan.pk])


def xlsx(tmp_path, name="plan.xlsx", **parts) -> bytes:
    return hostile.write_xlsx(tmp_path / name, sheet="Mål", **parts).read_bytes()


# The hostile files of the finding, read in a process of their own (600 MB of address space,
# a time limit) as the server and the command line read them: through the admin's upload
# page and through manage.py import_plan.


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("hostile")
    files = {
        # 5 000 rows × 16 384 columns (A to XFD), a value in the last column of each row.
        "wide": hostile.write_xlsx(folder / "wide.xlsx", sheet="Mål", sheet_xml=hostile.wide_sheet_xml(5000, 16384)),
        # One cell of 800 MB in a file of 0.8 MB.
        "huge cell": hostile.write_xlsx(
            folder / "cell.xlsx",
            sheet="Mål",
            sheet_xml=hostile.huge_cell_xml(0),
            shared_strings_xml=hostile.huge_shared_string_xml(800 * MB),
        ),
        # 20 million shared strings in a file of 0.8 MB.
        "shared strings": hostile.write_xlsx(
            folder / "strings.xlsx",
            sheet="Mål",
            sheet_xml=hostile.first_string_sheet_xml(),
            shared_strings_xml=hostile.many_shared_strings_xml(20_000_000, different=False),
        ),
        # A plan CSV of 52 MB.
        "52 MB CSV": hostile.write_big_csv(folder / "mal.csv", 52 * MB),
    }
    return files


HOSTILE = {
    "wide": ("plan.xlsx", "Bladet ”Mål” har fler än 100 kolumner."),
    "huge cell": ("plan.xlsx", "Arbetsboken packas upp till mer än 30 MB."),
    "shared strings": ("plan.xlsx", "Arbetsboken packas upp till mer än 30 MB."),
    "52 MB CSV": ("mal.csv", "Filen är större än 5 MB."),
}


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("way", ["admin upload", "import_plan"])
def test_hostile_file_is_refused_within_seconds_and_little_memory(kind, way, hostile_files, demo, tmp_path):
    name, message = HOSTILE[kind]
    path = hostile_files[kind]
    command = hostile.admin_upload_command(path, name) if way == "admin upload" else hostile.import_plan_command(path)
    run = hostile.run_limited(
        command, env=hostile.child_env(connection.settings_dict, tmp_path), memory_mb=600, timeout=60
    )
    assert not run.killed, run
    assert run.seconds < 20, run  # a Django process starts in 2 to 3 s of it, on a busy machine
    assert run.peak_mb < 300, run  # Django itself takes about 100 MB
    if way == "admin upload":
        report = json.loads(run.output.strip().splitlines()[-1])
        assert report["status"] == 200
        assert message in " ".join(report["errors"])
        assert not report["preview"]
        assert report["session_bytes"] < 2000
    else:
        assert run.returncode == 1
        assert message in run.output


# Each limit, at a smaller setting, and the declarations a workbook can lie with.


def test_a_sheet_declaring_more_rows_than_the_limit_is_refused_before_its_rows_are_read(tmp_path, settings):
    settings.UPLOAD_MAX_ROWS = 50
    content = xlsx(tmp_path, sheet_xml=hostile.wide_sheet_xml(52, 3))
    with pytest.raises(PlanFileError, match=re.escape("Bladet ”Mål” har fler än 50 rader.")):
        read_plan_files([("plan.xlsx", content)])


def test_a_sheet_without_its_size_is_refused_on_the_first_row_wider_than_the_limit(tmp_path, settings):
    content = xlsx(tmp_path, sheet_xml=hostile.wide_sheet_xml(5000, 16384, declared=False))
    start = time.monotonic()
    with pytest.raises(PlanFileError, match=re.escape("Bladet ”Mål” har fler än 100 kolumner.")):
        read_plan_files([("plan.xlsx", content)])
    assert time.monotonic() - start < 2


def test_a_sheet_declaring_a_smaller_size_than_it_has_loses_no_cell(tmp_path):
    sheet = (
        f'<worksheet xmlns="{hostile.MAIN}"><dimension ref="A1:A1"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>kod</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>text</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>M1</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>Mål ett</t></is></c></row>'
        "</sheetData></worksheet>",
    )
    datasets, _ = workbook_datasets(xlsx(tmp_path, sheet_xml=sheet), {"mal": "Mål"})
    assert datasets["mal"].headers == ["kod", "text"]
    assert list(datasets["mal"]) == [("M1", "Mål ett")]


def test_a_cell_longer_than_the_limit_is_named(tmp_path, settings):
    settings.UPLOAD_MAX_CELL_CHARS = 100
    text = "år;kod;text\n2019;M1;kort\n2019;M2;" + "x" * 101 + "\n"
    with pytest.raises(PlanFileError, match=re.escape("Cell C3 i bladet ”Mål” är längre än 100 tecken.")):
        read_plan_files([("mal.csv", text.encode())])
    sheet = (
        f'<worksheet xmlns="{hostile.MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>kod</t></is></c>'
        f'<c r="B1" t="s"><v>0</v></c></row></sheetData></worksheet>',
    )
    strings = (f'<sst xmlns="{hostile.MAIN}"><si><t>{"x" * 101}</t></si></sst>',)
    with pytest.raises(PlanFileError, match=re.escape("Cell B1 i bladet ”Mål” är längre än 100 tecken.")):
        read_plan_files([("plan.xlsx", xlsx(tmp_path, sheet_xml=sheet, shared_strings_xml=strings))])


def test_shared_strings_are_counted_whatever_the_workbook_declares(tmp_path, settings):
    settings.UPLOAD_MAX_SHARED_STRINGS = 1000
    strings = hostile.many_shared_strings_xml(1001, declared=1)
    content = xlsx(tmp_path, sheet_xml=hostile.first_string_sheet_xml(), shared_strings_xml=strings)
    with pytest.raises(PlanFileError, match=re.escape("Arbetsboken har fler än 1\u00a0000 olika texter.")):
        read_plan_files([("plan.xlsx", content)])


def test_a_default_workbook_with_300_000_different_texts_is_refused(tmp_path):
    strings = hostile.many_shared_strings_xml(300_000)
    content = xlsx(tmp_path, sheet_xml=hostile.first_string_sheet_xml(), shared_strings_xml=strings)
    assert len(content) < MB
    with pytest.raises(PlanFileError, match=re.escape("Arbetsboken har fler än 200\u00a0000 olika texter.")):
        read_plan_files([("plan.xlsx", content)])


def test_a_part_that_unpacks_to_a_hundredfold_is_refused_as_a_zip_bomb(tmp_path):
    padding = " " * (2 * MB)  # blanks between XML elements: valid, and packs a thousandfold
    sheet = (f'<worksheet xmlns="{hostile.MAIN}"><sheetData>{padding}</sheetData></worksheet>',)
    content = xlsx(tmp_path, sheet_xml=sheet)
    with pytest.raises(PlanFileError, match=r"En del av arbetsboken \(xl/worksheets/sheet1.xml\) packas upp till mer"):
        read_plan_files([("plan.xlsx", content)])


def test_a_workbook_unpacking_to_more_than_the_limit_is_refused(tmp_path, settings):
    settings.UPLOAD_MAX_UNPACKED_BYTES = MB
    strings = hostile.many_shared_strings_xml(100_000)  # about 2 MB of different texts
    content = xlsx(tmp_path, sheet_xml=hostile.first_string_sheet_xml(), shared_strings_xml=strings)
    with pytest.raises(PlanFileError, match=re.escape("Arbetsboken packas upp till mer än 1 MB.")):
        read_plan_files([("plan.xlsx", content)])


def test_a_file_over_the_size_limit_is_refused_by_the_command_before_it_is_read(demo, tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = MB
    path = tmp_path / "mal.csv"
    path.write_bytes(b"x" * (MB + 1))
    with pytest.raises(CommandError, match=re.escape("Filen är större än 1 MB.")):
        call_command("import_plan", str(path), committee="asn", year=2019, dry_run=True)


def test_an_upload_over_the_size_limit_is_refused_on_its_size_and_changes_nothing(
    client, committee_admin, plan, settings
):
    settings.UPLOAD_MAX_BYTES = MB
    client.force_login(committee_admin)
    before = Goal.objects.count()
    upload = SimpleUploadedFile("mal.csv", b"x" * (MB + 1))
    response = client.post(import_url(plan), {"file": upload})
    assert "Filen är större än 1 MB." in response.content.decode()
    assert 'name="token"' not in response.content.decode()
    assert Goal.objects.count() == before


def test_the_upload_handler_keeps_no_byte_beyond_the_limit_but_counts_them(settings):
    from common.uploads import LimitedUploadHandler

    settings.UPLOAD_MAX_BYTES = 1000
    handler = LimitedUploadHandler()
    handler.new_file("file", "mal.csv", "text/csv", 5000)
    for start in range(0, 5000, 500):
        handler.receive_data_chunk(b"x" * 500, start)
    upload = handler.file_complete(5000)
    assert upload.size == 5000
    assert len(upload.read()) == 1001
    upload.close()


# Encodings of CSV files.


def demo_targets_csv() -> str:
    from django.conf import settings

    return (settings.BASE_DIR / "demo/data/asn-2019/malvarden.csv").read_text(encoding="utf-8")


def test_a_utf16_csv_with_its_bom_is_read_as_its_text():
    text = demo_targets_csv()
    utf8 = read_plan_files([("malvarden.csv", text.encode("utf-8"))])["malvarden"]
    for encoding in ("utf-16", "utf-16-be"):
        content = text.encode(encoding)
        if encoding == "utf-16-be":
            content = b"\xfe\xff" + content
        utf16 = read_plan_files([("malvarden.csv", content)])["malvarden"]
        assert utf16.headers[0] == "år"
        assert utf16.dict == utf8.dict


@pytest.mark.parametrize(
    "content",
    [
        "år;kod\n2019;M1\n".encode("utf-16-le"),  # UTF-16 without its BOM
        "år;kod\n2019;M1 \x81\n".encode("latin-1"),  # a byte that Windows-1252 does not have
    ],
    ids=["utf-16 without BOM", "neither utf-8 nor windows-1252"],
)
def test_a_csv_in_another_encoding_is_refused_naming_the_encoding(content):
    with pytest.raises(PlanFileError, match=re.escape("”malvarden.csv” är inte text i UTF-8")) as error:
        read_plan_files([("malvarden.csv", content)])
    assert "CSV UTF-8" in str(error.value)


# Staged uploads: in storage, the session holds the token only.


def test_a_preview_keeps_the_file_out_of_the_session_and_the_confirmation_takes_it_once(client, committee_admin, plan):
    client.force_login(committee_admin)
    content = plan_export(plan=plan).export("xlsx")
    response = client.post(import_url(plan), {"file": SimpleUploadedFile("plan.xlsx", content)})
    html = response.content.decode()
    assert 'name="token"' in html
    session = Session.objects.get(session_key=client.session.session_key)
    assert len(session.session_data) < 2000
    assert content[:100] not in session.get_decoded().values()
    _dirs, staged = default_storage.listdir(STAGE_DIR)
    assert len(staged) == 2  # the file and its metadata
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(import_url(plan), {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert default_storage.listdir(STAGE_DIR) == ([], [])
    response = client.post(import_url(plan), {"confirm": "1", "token": token}, follow=True)
    assert "Förhandsgranskningen har gått ut. Ladda upp filen igen." in response.content.decode()


def staged_request(user, session, token=""):
    request = RequestFactory().post("/", {"token": token})
    request.user, request.session = user, session
    return request


def test_another_user_cannot_take_a_staged_file(committee_admin, reviewer):
    session = SessionStore()
    token = upload_stage(staged_request(committee_admin, session), "plan-import-1", name="plan.xlsx", content=b"PK")
    assert upload_take(staged_request(reviewer, session, token), "plan-import-1") is None
    assert default_storage.listdir(STAGE_DIR) == ([], [])


def test_an_expired_preview_is_refused_with_a_message_and_imports_nothing(client, committee_admin, plan, settings):
    client.force_login(committee_admin)
    content = plan_export(plan=plan).export("xlsx")
    response = client.post(import_url(plan), {"file": SimpleUploadedFile("plan.xlsx", content)})
    token = response.content.decode().split('name="token" value="')[1].split('"')[0]
    settings.UPLOAD_STAGE_SECONDS = -1
    response = client.post(import_url(plan), {"confirm": "1", "token": token}, follow=True)
    assert "Förhandsgranskningen har gått ut. Ladda upp filen igen." in response.content.decode()
    assert "Planfilen är importerad." not in response.content.decode()


def test_the_cleanup_removes_staged_files_older_than_the_limit(committee_admin, settings):
    from common.tasks import staged_uploads_cleanup_task

    old = upload_stage(staged_request(committee_admin, SessionStore()), "a", name="a.csv", content=b"a")
    new = upload_stage(staged_request(committee_admin, SessionStore()), "b", name="b.csv", content=b"b")
    hour_ago = time.time() - settings.UPLOAD_STAGE_SECONDS - 60
    for name in (old, f"{old}.json"):
        os.utime(default_storage.path(f"{STAGE_DIR}/{name}"), (hour_ago, hour_ago))
    assert staged_uploads_cleanup_task.delay().get() == 2
    assert sorted(default_storage.listdir(STAGE_DIR)[1]) == [new, f"{new}.json"]
    assert settings.CELERY_BEAT_SCHEDULE["staged-uploads-cleanup"]["task"] == staged_uploads_cleanup_task.name


# The committee file (JSON, read by manage.py load_committee).


def test_a_committee_file_of_more_lists_and_objects_than_the_limit_is_refused_before_it_is_parsed(demo, tmp_path):
    path = tmp_path / "committee.json"
    path.write_bytes(
        b'{"committee": {"name": "X", "slug": "x"}, "departments": [' + b",".join([b"{}"] * 10_000) + b"]}"
    )
    start = time.monotonic()
    with pytest.raises(CommandError, match=re.escape("Filen har fler än 10\u00a0000 listor och objekt.")):
        call_command("load_committee", str(path), dry_run=True)
    assert time.monotonic() - start < 2


# The limits said before a file is sent, and the finance file's upload refusing the same files.


def test_the_import_pages_say_the_limits_before_a_file_is_sent(client, committee_admin, plan, settings):
    settings.UPLOAD_MAX_BYTES, settings.UPLOAD_MAX_ROWS = 2 * MB, 5_000
    client.force_login(committee_admin)
    for url in (import_url(plan), reverse("admin:finance_financereport_import")):
        page = client.get(url).content.decode()
        assert "Högst 2 MB, och högst 5\xa0000 rader och 100 kolumner i ett blad." in page, url


@pytest.mark.parametrize("kind", ["wide", "huge cell", "shared strings"])
def test_the_finance_upload_refuses_a_hostile_workbook_at_once_and_changes_nothing(
    kind, hostile_files, client, committee_admin, demo, tmp_path
):
    from finance.models import FinanceReport

    if kind == "wide":  # the finance file's first sheet, 5 000 rows × 16 384 columns
        sheet = "Verksamhetsområden"
        path = hostile.write_xlsx(tmp_path / "wide.xlsx", sheet=sheet, sheet_xml=hostile.wide_sheet_xml(5000, 16384))
        message = f"Bladet ”{sheet}” har fler än 100 kolumner."
    else:
        path, message = hostile_files[kind], HOSTILE[kind][1]

    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2024-helar")
    before = FinanceReport.objects.get(period=period).digest
    client.force_login(committee_admin)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    upload = SimpleUploadedFile("ekonomi.xlsx", path.read_bytes())
    response = client.post(reverse("admin:finance_financereport_import"), {"period": period.pk, "file": upload})
    assert time.monotonic() - start < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 100 * 1024  # KB: under 100 MB more
    html = response.content.decode()
    assert message in html
    assert 'name="token"' not in html
    assert FinanceReport.objects.get(period=period).digest == before
