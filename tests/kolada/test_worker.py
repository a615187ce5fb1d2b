"""
The whole path on a real Celery worker (Redis broker, PostgreSQL): beat's nightly task fetches
from the local stand-in for Kolada, the department confirms the proposal on its page, the
reviewer approves, and the worker's build prints the value with its source.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from asn.celery import app
from commitments.models import ProgressEntry, ReportingPeriod
from commitments.workflow import reviewable_transition
from indicators.models import Outcome
from kolada.models import Fetch, Proposal
from reports.models import ReportBuild, ReportKind
from reports.services import build_request
from tests.conftest import celery_worker
from tests.indicators.test_entry_views import entry_form_data, outcomes_missing
from tests.reports.test_build_worker import wait_for

from .conftest import DATA, KPI, PLAN_YEAR
from .server import hand_made, kolada_server


@pytest.mark.django_db(transaction=True)
def test_beat_s_fetch_on_a_real_worker_is_confirmed_and_printed_with_its_source(
    demo, editor, reviewer, client, settings, tmp_path_factory
):
    with kolada_server() as kolada:
        kolada.set(KPI, hand_made("kpi_N31816.json"))
        kolada.set(DATA, hand_made("data_N31816_1280.json"))
        kolada.set(PLAN_YEAR, hand_made("data_N31816_1280.json"))
        with celery_worker(tmp_path_factory, env={"KOLADA_BASE_URL": kolada.base}) as node:
            settings.MEDIA_ROOT = node.media_root
            settings.CELERY_TASK_DEFAULT_QUEUE = settings.CELERY_REPORTS_QUEUE = node.queue
            # Sent by name to the worker's queue, as beat sends it.
            nightly = settings.CELERY_BEAT_SCHEDULE["kolada-nightly-fetch"]["task"]
            assert app.send_task(nightly, queue=node.queue).get(timeout=30) == {"asn": "ok"}
            assert Fetch.objects.get().trigger == "nightly"
            assert Proposal.objects.get(indicator__code="MI03", year=2019).value == Decimal("41.2")
            assert kolada.requests, "the worker read the local server"

            client.force_login(editor)
            url = reverse("followup:entry", args=["asn", "2019-helar", "A03", "AMA"])
            assert "Använd värdet" in client.get(url).content.decode()
            client.post(url, entry_form_data(client, url, kolada_use="MI03"))
            data = entry_form_data(
                client, url, comment="<p>Klart.</p>", action="submit", **outcomes_missing(client, url)
            )
            client.post(url, data)
            entry = ProgressEntry.objects.get(
                commitment__code="A03", department__code="AMA", period__slug="2019-helar"
            )
            reviewable_transition(obj=entry, action="approve", user=reviewer, expected_version=entry.version)
            assert Outcome.objects.get(indicator__code="MI03", department__code="AMA").status == "approved"

            period = ReportingPeriod.objects.get(slug="2019-helar")
            build = build_request(period=period, kind=ReportKind.FOLLOW_UP, trigger=ReportBuild.Trigger.NIGHTLY)
            done = wait_for(lambda: (b := ReportBuild.objects.get(pk=build.pk)).status == "done" and b, timeout=90,
                            what="the worker's build")  # fmt: skip
            html = (node.media_root / done.html.name).read_text(encoding="utf-8")
    assert "41,2" in html
    assert "Källa: Kolada" in html
