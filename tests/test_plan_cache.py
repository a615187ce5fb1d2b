"""
What the pages keep of a plan in the cache (common.plan_cache): read once per generation, and
read again after every path that changes plan data commits (the admin, the plan file, the
committee file, the rollover), never shown stale.
"""

import copy
import io
import json
import re
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from commitments.models import Commitment, Department, Plan
from common.plan_cache import generation_key, plan_generation
from indicators.models import Indicator
from indicators.plan_files import read_plan_files
from indicators.selectors import plan_export
from indicators.services import plan_import, plan_rollover
from onboarding.committee_file import committee_file_load

ENTRY = "/n/asn/2019-helar/ataganden/A05/AMA/"
LIST = "/n/asn/2019-helar/ataganden/"
ASN_FILE = Path(__file__).resolve().parent.parent / "demo/data/asn.json"


def page(client, url) -> tuple[int, str]:
    """The number of queries of a request of ``url``, and its page (its CSRF token and nonces left out)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    html = re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]+"', "", response.content.decode())
    return len(queries), html


@pytest.mark.parametrize("url", [ENTRY, LIST, f"{LIST}?status=submitted"])
def test_a_page_reads_the_plan_once_then_from_the_cache_the_same(client, editor, url):
    from django.core.cache import cache

    client.force_login(editor)
    client.get(url)  # what any first request reads once (the content types, the session)
    cache.clear()
    cold, cold_html = page(client, url)
    warm, warm_html = page(client, url)
    assert warm < cold, (warm, cold)
    assert warm_html == cold_html


def test_the_entry_page_reads_its_indicators_targets_and_levels_from_the_cache(client, editor):
    from django.core.cache import cache

    client.force_login(editor)
    client.get(ENTRY)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(ENTRY)
    with CaptureQueriesContext(connection) as warm:
        client.get(ENTRY)
    tables = lambda queries: {re.search(r'FROM "(\w+)"', q["sql"])[1] for q in queries if "FROM" in q["sql"]}  # noqa: E731
    kept = tables(cold.captured_queries) - tables(warm.captured_queries)
    assert {"indicators_target", "indicators_prioroutcome", "commitments_assessmentvalue"} <= kept, kept


def test_an_admin_change_of_a_commitment_shows_at_once(
    client, editor, committee_admin, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    assert "Ny lydelse" not in page(client, ENTRY)[1] + page(client, LIST)[1]  # now kept in the cache
    commitment = Commitment.objects.get(plan__committee__slug="asn", plan__year=2019, code="A05")
    client.force_login(committee_admin)
    with django_capture_on_commit_callbacks(execute=True):  # the admin's save, committed
        response = client.post(
            reverse("admin:commitments_commitment_change", args=[commitment.pk]),
            {"goal": commitment.goal_id, "code": "A05", "text": "Ny lydelse av åtagandet.",
             "departments": list(commitment.departments.values_list("pk", flat=True)),
             "sort_order": commitment.sort_order},
        )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(editor)
    assert "Ny lydelse av åtagandet." in page(client, ENTRY)[1]
    assert "A05. Ny lydelse av åtagandet." in page(client, LIST)[1]


def test_a_period_s_new_address_and_its_plan_s_change_answer_at_once(
    client, editor, django_capture_on_commit_callbacks
):
    """The periods' ids by address and their plans are kept too: a new slug or committee name shows at once."""
    from commitments.models import ReportingPeriod

    client.force_login(editor)
    page(client, LIST)  # kept
    period = ReportingPeriod.objects.get(plan__committee__slug="asn", slug="2019-helar")
    with django_capture_on_commit_callbacks(execute=True):
        period.slug = "2019-hela-aret"
        period.save()
    assert client.get(LIST).status_code == 404
    page(client, "/n/asn/2019-hela-aret/ataganden/")
    committee = period.plan.committee
    with django_capture_on_commit_callbacks(execute=True):
        committee.name = "Arbetsmarknads- och socialnämnden, ny lydelse"
        committee.save()
    assert "Arbetsmarknads- och socialnämnden, ny lydelse" in page(client, "/n/asn/2019-hela-aret/ataganden/")[1]


def test_a_plan_file_import_shows_at_once(client, editor, demo, django_capture_on_commit_callbacks):
    client.force_login(editor)
    indicator = Indicator.objects.get(plan__committee=demo, plan__year=2019, code="MI07")
    assert indicator.name in page(client, ENTRY)[1]  # now kept in the cache
    workbook = load_workbook(io.BytesIO(plan_export(plan=indicator.plan).export("xlsx")))
    sheet = workbook["Indikatorer"]
    header = [c.value for c in sheet[1]]
    [row] = [r for r in sheet.iter_rows(min_row=2) if r[header.index("kod")].value == "MI07"]
    row[header.index("namn")].value = "Ett nytt namn på indikatorn"
    out = io.BytesIO()
    workbook.save(out)
    with django_capture_on_commit_callbacks(execute=True):  # the import, committed
        result = plan_import(
            user=None, committee=demo, year=2019, datasets=read_plan_files([("plan.xlsx", out.getvalue())])
        )
    assert result.applied, result.errors
    assert "Ett nytt namn på indikatorn" in page(client, ENTRY)[1]


def test_a_committee_file_load_shows_at_once(client, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)
    assert "Arbetsmarknadsavdelningen" in page(client, LIST)[1]  # now kept in the cache
    data = json.loads(ASN_FILE.read_text(encoding="utf-8"))
    [ama] = [d for d in data["departments"] if d["code"] == "AMA"]
    ama["name"] = "Avdelningen för arbete"
    with django_capture_on_commit_callbacks(execute=True):  # the load, committed
        result = committee_file_load(data)
    assert not result.problems, result.problems
    html = page(client, LIST)[1]
    assert "Arbetsmarknadsavdelningen" not in html
    assert re.search(r'<option value="\d+"( selected)?>Avdelningen för arbete</option>', html)
    assert "<td>Avdelningen för arbete</td>" in html


def test_each_path_moves_to_the_next_generation_when_it_commits_and_a_dry_run_does_not(
    demo, committee_admin, django_capture_on_commit_callbacks
):
    plan = Plan.objects.get(committee=demo, year=2019)
    content = plan_export(plan=plan).export("xlsx")
    data = json.loads(ASN_FILE.read_text(encoding="utf-8"))
    paths = {
        "plan file": lambda dry_run: plan_import(
            user=None, committee=demo, year=2019, datasets=read_plan_files([("plan.xlsx", content)]), dry_run=dry_run
        ),
        "committee file": lambda dry_run: committee_file_load(copy.deepcopy(data), dry_run=dry_run),
        "rollover": lambda dry_run: plan_rollover(plan=plan, user=committee_admin, dry_run=dry_run),
    }
    for name, write in paths.items():
        before = plan_generation()
        with django_capture_on_commit_callbacks(execute=True):
            write(True)
        assert plan_generation() == before, f"{name}: a dry run changed the generation"
        with django_capture_on_commit_callbacks(execute=True):
            write(False)
        assert plan_generation() != before, f"{name}: the generation stayed"


def test_a_save_moves_to_the_next_generation_and_its_transaction_reads_past_the_cache(client, editor):
    client.force_login(editor)
    department = Department.objects.get(committee__slug="asn", code="AMA")
    assert department.name in page(client, LIST)[1]  # now kept in the cache
    with transaction.atomic():
        department.name = "Avdelningen för arbete"
        department.save()
        # The transaction sees its own change; the cache keeps only what is committed.
        assert "<td>Avdelningen för arbete</td>" in page(client, LIST)[1]


def test_a_request_asks_the_shared_cache_for_the_generation_and_the_rest_of_its_process(client, editor, monkeypatch):
    """
    Once a process has kept a page's reads, a request of it asks the shared cache only for the
    generation; another process (a memory of its own) asks the shared cache, not the database.
    """
    from django.core.cache import cache

    from common import plan_cache

    client.force_login(editor)
    client.get(ENTRY)
    asked = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args, **kwargs: asked.append(key) or get(key, *args, **kwargs))
    client.get(ENTRY)
    assert [key for key in asked if key.startswith("plan-data")] == [generation_key()]
    html = page(client, ENTRY)[1]

    asked.clear()
    monkeypatch.setattr(plan_cache, "_in_process", plan_cache._InProcess())  # as in another process
    with CaptureQueriesContext(connection) as queries:
        assert page(client, ENTRY)[1] == html
    kept_reads = [key for key in asked if key.startswith("plan-data") and key != generation_key()]
    assert len(kept_reads) > 2, asked
    assert asked.count(generation_key()) == 1
    assert not [q for q in queries.captured_queries if '"indicators_target"' in q["sql"]]


def test_a_generation_another_process_began_counts_from_the_next_request(client, editor):
    """What this process kept is read only under the generation the shared cache names, whoever moved it."""
    from django.core.cache import cache

    client.force_login(editor)
    department = Department.objects.get(committee__slug="asn", code="AMA")
    assert department.name in page(client, LIST)[1]  # kept in the shared cache and this process
    Department.objects.filter(pk=department.pk).update(name="Avdelningen för arbete")  # no signal, as in SQL
    assert "<td>Avdelningen för arbete</td>" not in page(client, LIST)[1]
    cache.incr(generation_key())  # another process's plan_data_changed
    assert "<td>Avdelningen för arbete</td>" in page(client, LIST)[1]


def test_each_read_of_what_the_process_keeps_is_a_copy_of_its_own(db):
    from common.plan_cache import plan_cached

    built = []
    first = plan_cached("test-copy", lambda: built.append(1) or {"rows": [1, 2]})
    first["rows"].append(3)
    again = plan_cached("test-copy", lambda: built.append(1) or {"rows": []})
    assert again == {"rows": [1, 2]}
    again["rows"].clear()
    assert plan_cached("test-copy", dict) == {"rows": [1, 2]}
    assert built == [1]


def test_what_the_process_keeps_is_bounded_and_expires_as_the_shared_cache_does(monkeypatch):
    from common import plan_cache

    kept = plan_cache._InProcess()
    monkeypatch.setattr(plan_cache, "IN_PROCESS_BYTES", 25)
    kept.put(7, "a", b"a" * 10)
    kept.put(7, "b", b"b" * 10)
    assert (kept.get(7, "a"), kept.get(7, "b")) == (b"a" * 10, b"b" * 10)
    assert kept.get(8, "a") is None  # another generation
    kept.put(7, "c", b"c" * 10)  # past the bound: it begins afresh
    assert (kept.get(7, "a"), kept.get(7, "b"), kept.get(7, "c")) == (None, None, b"c" * 10)
    kept.put(8, "d", b"d")  # another generation: what the last one kept goes
    assert (kept.get(7, "c"), kept.get(8, "d")) == (None, b"d")
    now = plan_cache.time.monotonic()
    monkeypatch.setattr(plan_cache.time, "monotonic", lambda: now + plan_cache.TIMEOUT + 1)
    assert kept.get(8, "d") is None


def test_a_role_taken_away_or_given_counts_from_the_next_request(client, editor, django_capture_on_commit_callbacks):
    """The users' memberships are kept as plan data is: read from the cache, read again after a change commits."""
    from commitments.models import Membership

    client.force_login(editor)
    assert client.get(ENTRY).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(ENTRY).status_code == 200
    assert not [q for q in warm.captured_queries if '"commitments_membership"' in q["sql"]]
    membership = Membership.objects.get(user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        membership.delete()
    assert client.get(ENTRY).status_code == 404
    assert client.get(LIST).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.create(
            user=editor, committee=membership.committee, department=membership.department, role="reader"
        )
    response = client.get(ENTRY)
    assert response.status_code == 200
    assert response.context["forms"] == {}  # a reader: nothing to write


def test_a_period_closed_or_reopened_takes_entries_or_not_from_the_next_request(
    client, editor, committee_admin, django_capture_on_commit_callbacks
):
    """The period is kept with the plan: closing it (a save) begins the next generation, so no page sees it open."""
    from commitments.models import ReportingPeriod
    from commitments.services import period_close, period_reopen

    client.force_login(editor)
    assert client.get(ENTRY).context["forms"]  # kept, open
    period = ReportingPeriod.objects.get(plan__committee__slug="asn", slug="2019-helar")
    with django_capture_on_commit_callbacks(execute=True):
        period_close(period=period, user=committee_admin)
    response = client.get(ENTRY)
    assert response.context["forms"] == {}
    assert "Perioden är stängd" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        period_reopen(period=period, user=committee_admin)
    assert client.get(ENTRY).context["forms"]


def test_a_migrate_moves_to_the_next_generation(db, django_capture_on_commit_callbacks):
    """A migration may change plan data with SQL that sends no signal: the pages read it afresh afterwards."""
    from django.core.management import call_command

    before = plan_generation()
    with django_capture_on_commit_callbacks(execute=True):  # (the test's transaction: as if committed)
        call_command("migrate", verbosity=0)
    assert plan_generation() != before
