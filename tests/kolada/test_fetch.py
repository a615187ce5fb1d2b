"""The fetch: Kolada's values of a linked indicator become proposals; failures are recorded, never half-written."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from indicators.models import Outcome
from kolada import tasks
from kolada.models import Fetch, Kpi, Proposal
from kolada.services import committees_to_fetch, kolada_fetch, kpi_catalogue_refresh

from .conftest import DATA, KPI, PLAN_YEAR
from .server import Reply, hand_made

pytestmark = pytest.mark.django_db


def test_the_plan_year_and_earlier_years_are_proposed_with_source_status_and_time(kolada, demo, mi03):
    result = kolada_fetch(committee=demo)
    assert result.ok
    assert result.years == [2019]
    assert not result.problems
    proposals = {p.year: p for p in Proposal.objects.filter(indicator=mi03)}
    assert sorted(proposals) == [2017, 2018, 2019]
    latest = proposals[2019]
    assert (latest.kpi, latest.area, latest.status) == ("N31816", "1280", "Preliminär")
    assert latest.figures() == (Decimal("41.2"), Decimal("42.0"), Decimal("40.3"))
    assert latest.fetched_at is not None
    assert latest.revised_at is None
    fetch = Fetch.objects.get()
    assert (fetch.ok, fetch.new, fetch.revised, fetch.trigger, fetch.years) == (True, 3, 0, "manual", "2019")
    assert not Outcome.objects.filter(indicator=mi03).exists()  # a proposal, never an outcome


def test_earlier_years_are_fetched_once_the_plan_year_every_night(kolada, demo, mi03):
    kolada_fetch(committee=demo)
    kolada.requests.clear()
    again = kolada_fetch(committee=demo)
    assert [r.split("?")[0] for r in kolada.requests] == [KPI, PLAN_YEAR]
    assert (again.unchanged, again.changes) == (1, [])


def test_a_revised_value_keeps_the_one_it_replaces(kolada, demo, mi03):
    kolada_fetch(committee=demo)
    kolada.set(PLAN_YEAR, hand_made("data_N31816_1280_2019_revised.json"))
    result = kolada_fetch(committee=demo)
    [change] = result.changes
    assert change.revised
    assert change.before[0] == Decimal("41.2")
    assert change.after[0] == Decimal("42.0")
    proposal = Proposal.objects.get(indicator=mi03, year=2019)
    assert proposal.figures()[0] == Decimal("42.0")
    assert proposal.previous_figures() == (Decimal("41.2"), Decimal("42.0"), Decimal("40.3"))
    assert proposal.revised_at is not None
    assert proposal.status == ""
    assert Fetch.objects.first().revised == 1


def test_an_unknown_kpi_and_a_missing_value_are_recorded_the_rest_is_fetched(kolada, demo, mi03):
    mi04 = mi03.plan.indicators.get(code="MI04")
    mi04.kolada_kpi = "N99999"
    mi04.save(update_fields=["kolada_kpi"])
    kolada.set("/v3/kpi/N31816,N99999", hand_made("kpi_N31816.json"))
    kolada.set(DATA, {"values": [v for v in hand_made("data_N31816_1280.json")["values"] if v["period"] != 2019]})
    result = kolada_fetch(committee=demo)
    assert result.ok
    messages = {p["indicator"]: p["message"] for p in result.problems}
    assert messages == {
        "MI03": "Kolada har inget värde för N31816 i 1280 för 2019 ännu.",
        "MI04": "Kolada har inget nyckeltal N99999.",
    }
    assert sorted(Proposal.objects.values_list("indicator__code", "year")) == [("MI03", 2017), ("MI03", 2018)]
    assert Fetch.objects.get().problems == result.problems


def test_an_unreachable_kolada_writes_nothing_but_the_failed_fetch(kolada, demo, mi03, caplog):
    kolada.set(DATA, Reply("down", status=502))
    result = kolada_fetch(committee=demo)
    assert "HTTP 502" in result.error
    assert not Proposal.objects.exists()
    fetch = Fetch.objects.get()
    assert (fetch.ok, fetch.new) == (False, 0)
    assert "HTTP 502" in fetch.error
    assert "nothing fetched" in caplog.text


def test_a_failure_after_a_good_night_leaves_the_proposals_as_they_were(kolada, demo, mi03, settings):
    kolada_fetch(committee=demo)
    before = list(Proposal.objects.values_list("year", "value", "fetched_at"))
    settings.KOLADA_TIMEOUT = 0.2
    kolada.set(PLAN_YEAR, Reply("slow", delay=0.5))
    result = kolada_fetch(committee=demo)
    assert result.error == "Kolada svarade inte inom 0.2 sekunder."
    assert list(Proposal.objects.values_list("year", "value", "fetched_at")) == before


def test_a_committee_without_a_municipality_is_told_so(kolada, demo, mi03):
    demo.kolada_municipality = ""
    demo.save(update_fields=["kolada_municipality"])
    result = kolada_fetch(committee=demo)
    assert "anger ingen kommun" in result.error
    assert kolada.requests == []
    assert Fetch.objects.get().ok is False


def test_a_dry_run_reads_kolada_and_writes_nothing(kolada, demo, mi03):
    result = kolada_fetch(committee=demo, dry_run=True)
    assert len(result.changes) == 3
    assert not Proposal.objects.exists()
    assert not Fetch.objects.exists()


def test_the_command_prints_what_it_would_change_and_then_changes_it(kolada, demo, mi03):
    out = io.StringIO()
    call_command("kolada_fetch", "--committee", "asn", "--year", "2019", "--dry-run", stdout=out)
    printed = out.getvalue()
    assert "MI03 2019 (N31816): nytt värde 41,2 (kvinnor 42, män 40,3) [status: Preliminär]" in printed
    assert "Skulle spara 3 nya och 0 reviderade värden; 0 oförändrade; 0 problem; 2 anrop till Kolada." in printed
    assert "Torrkörning" in printed
    assert not Proposal.objects.exists()
    call_command("kolada_fetch", "--committee", "asn", "--year", "2019", stdout=io.StringIO())
    assert Proposal.objects.count() == 3
    kolada.set(PLAN_YEAR, hand_made("data_N31816_1280_2019_revised.json"))
    out = io.StringIO()
    call_command("kolada_fetch", "--committee", "asn", "--year", "2019", "--dry-run", stdout=out)
    assert "MI03 2019 (N31816): reviderat 41,2 (kvinnor 42, män 40,3) → 42 (kvinnor 42,9, män 41)" in out.getvalue()


def test_the_command_fails_loudly_when_kolada_cannot_be_read(kolada, demo, mi03):
    kolada.set(KPI, Reply("gone", status=500))
    with pytest.raises(CommandError, match="Ingenting hämtades"):
        call_command("kolada_fetch", "--committee", "asn", "--year", "2019", stdout=io.StringIO())
    with pytest.raises(CommandError, match="ingen nämnd"):
        call_command("kolada_fetch", "--committee", "nej", stdout=io.StringIO())


def test_the_nightly_task_fetches_each_committee_with_a_linked_indicator_in_an_open_period(kolada, demo, mi03):
    assert committees_to_fetch() == [demo]
    assert tasks.nightly_fetch_task.apply().get() == {"asn": "ok"}
    assert Fetch.objects.get().trigger == "nightly"
    mi03.kolada_kpi = ""
    mi03.save(update_fields=["kolada_kpi"])
    assert committees_to_fetch() == []


def test_the_nightly_schedule_runs_after_midnight_before_the_builds(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["kolada-nightly-fetch"]
    assert entry["task"] == tasks.nightly_fetch_task.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {30})
    catalogue = settings.CELERY_BEAT_SCHEDULE["kolada-catalogue-refresh"]
    assert catalogue["task"] == tasks.catalogue_refresh_task.name
    assert catalogue["schedule"].day_of_week == {0}  # Sunday, weekly


def test_the_catalogue_is_copied_and_searched_in_the_admin(kolada, client, committee_admin):
    kolada.set("/v3/kpi", hand_made("catalogue_1.json"))
    kolada.set("/v3/kpi?page=2&per_page=2", hand_made("catalogue_2.json"))
    Kpi.objects.create(id="N00001", title="Gone from Kolada", refreshed_at="2020-01-01T00:00Z")
    assert kpi_catalogue_refresh() == 3
    assert sorted(Kpi.objects.values_list("id", flat=True)) == ["N31807", "N31816", "U33400"]
    kolada.set("/v3/kpi", Reply("down", status=500))
    with pytest.raises(CommandError, match="ingenting ändrades"):
        call_command("kolada_catalogue", stdout=io.StringIO())
    assert Kpi.objects.count() == 3
    client.force_login(committee_admin)
    page = client.get(reverse("admin:kolada_kpi_changelist"), {"q": "ekonomiskt bistånd"}).content.decode()
    assert "N31816" in page
    assert "N31807" in page
    assert "U33400" not in page


def test_the_builds_page_shows_a_failed_fetch_to_the_committee_admin(kolada, client, committee_admin, demo, mi03):
    kolada.set(DATA, Reply("down", status=503))
    kolada_fetch(committee=demo)
    client.force_login(committee_admin)
    page = client.get(reverse("reports:builds", args=["asn", "2019-helar"])).content.decode()
    assert "Utfall från Kolada" in page
    assert "Kolada kunde inte läsas; ingenting ändrades." in page
    assert "HTTP 503" in page


def test_the_builds_page_names_what_was_missing(kolada, client, committee_admin, demo, mi03):
    kolada.set(DATA, {"values": []})
    kolada_fetch(committee=demo)
    client.force_login(committee_admin)
    page = client.get(reverse("reports:builds", args=["asn", "2019-helar"])).content.decode()
    assert "MI03: Kolada har inget värde för N31816 i 1280 för 2019 ännu." in page


def test_kolada_s_decimals_are_rounded_to_what_an_outcome_keeps(kolada, demo, mi03):
    body = hand_made("data_N31816_1280.json")
    body["values"][2]["values"][0]["value"] = 41.234567
    kolada.set(DATA, body)
    assert kolada_fetch(committee=demo).ok
    assert Proposal.objects.get(indicator=mi03, year=2019).value == Decimal("41.2346")


def test_a_figure_too_large_to_keep_fails_the_fetch_and_writes_nothing(kolada, demo, mi03):
    body = hand_made("data_N31816_1280.json")
    body["values"][2]["values"][0]["value"] = 1e15
    kolada.set(DATA, body)
    result = kolada_fetch(committee=demo)
    assert result.error.startswith("Koladas svar kunde inte sparas:")
    assert not Proposal.objects.exists()
    assert Fetch.objects.get().ok is False


def test_an_unforeseen_failure_of_one_committee_is_recorded_and_the_night_goes_on(kolada, demo, mi03, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("kolada.services.kolada_fetch", broken)
    assert tasks.nightly_fetch_task.apply().get() == {"asn": "RuntimeError('boom')"}
    fetch = Fetch.objects.get()
    assert (fetch.ok, fetch.trigger) == (False, "nightly")
    assert "RuntimeError" in fetch.error


def test_a_value_of_another_kpi_is_new_not_a_revision(kolada, demo, mi03):
    kolada_fetch(committee=demo)
    mi03.kolada_kpi = "N31807"
    mi03.save(update_fields=["kolada_kpi"])
    kolada.set("/v3/kpi/N31807", {"values": [{"id": "N31807", "title": "Annat nyckeltal"}]})
    body = hand_made("data_N31816_1280_2019_revised.json")
    body["values"][0]["kpi"] = "N31807"
    kolada.set("/v3/data/kpi/N31807/municipality/1280/year/2017,2018,2019", body)
    [change] = kolada_fetch(committee=demo).changes  # 2017 and 2018 asked again, of the new KPI; Kolada has none
    assert (change.kpi, change.revised) == ("N31807", False)
    proposal = Proposal.objects.get(indicator=mi03, year=2019)
    assert (proposal.kpi, proposal.value, proposal.revised_at) == ("N31807", Decimal("42"), None)
