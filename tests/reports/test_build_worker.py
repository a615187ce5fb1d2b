"""
Report builds on real Celery workers (Redis broker, PostgreSQL): the nightly run as beat
starts it, and a worker killed in the middle of a build.
"""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from asn.celery import app
from commitments.models import ReportingPeriod
from reports import services, tasks
from reports.models import ReportBuild, ReportKind
from reports.selectors import current_build
from tests.conftest import celery_beat, celery_worker
from tests.reports.test_builds import rewrite_entry

KIND = ReportKind.FOLLOW_UP


def wait_for(condition, *, timeout: float, what: str):
    """Poll ``condition`` (a callable) until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}")


def build_state(pk: int) -> ReportBuild:
    return ReportBuild.objects.get(pk=pk)


def test_the_nightly_build_is_scheduled_at_two_in_stockholm(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-report-builds"]
    assert entry["task"] == tasks.nightly_builds_task.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {0})
    assert app.conf.timezone == "Europe/Stockholm"
    assert settings.CELERY_BEAT_SCHEDULE["stalled-report-builds"]["task"] == tasks.stalled_builds_task.name


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_nightly_build_runs_on_a_real_worker(celery_worker_process, demo, settings):
    """Beat's task, sent by name as beat sends it: the worker requests and builds every open period's report."""
    settings.MEDIA_ROOT = celery_worker_process.media_root
    nightly = settings.CELERY_BEAT_SCHEDULE["nightly-report-builds"]["task"]
    assert app.send_task(nightly).get(timeout=30) == 2  # the open period 2019-helar: both kinds of report
    builds = ReportBuild.objects.filter(period__slug="2019-helar")
    assert sorted((b.kind, b.trigger) for b in builds) == [("ataganden", "nightly"), ("namndsbudget", "nightly")]
    wait_for(lambda: all(b.status == "done" for b in builds.all()), timeout=90, what="the nightly builds")
    for build in builds.all():
        assert current_build(period=build.period, kind=build.kind) == build
        for field in ("html", "docx", "pdf"):
            path = celery_worker_process.media_root / getattr(build, field).name
            assert path.stat().st_size > 1000, field
    first = set(builds.values_list("pk", flat=True))
    # The next night, with nothing changed: no new build.
    assert app.send_task(nightly).get(timeout=30) == 2
    again = builds.exclude(pk__in=first)
    wait_for(lambda: [b.status for b in again.all()] == ["unchanged", "unchanged"], timeout=60,
             what="the second nightly run")  # fmt: skip
    assert {current_build(period=b.period, kind=b.kind).pk for b in again.all()} == first


def first_build_and_a_change(period, reviewer) -> ReportBuild:
    """Build the report in this process, then approve a change so that the next build differs."""
    build = ReportBuild.objects.create(period=period, kind=KIND, trigger="nightly")
    services.build_run(build_id=build.pk, task_id="first")
    rewrite_entry(period, "A05", "<p>Ändrat efter det första bygget.</p>", reviewer=reviewer)
    return build_state(build.pk)


def pid_of(build: ReportBuild) -> int:
    return int(build.worker.rsplit(" pid ", 1)[1])


@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_mid_build_leaves_the_current_build_and_celery_delivers_it_again(
    demo, reviewer, settings, tmp_path_factory
):
    with celery_worker(tmp_path_factory, pool="prefork") as node:
        settings.MEDIA_ROOT = node.media_root
        period = ReportingPeriod.objects.get(slug="2019-jan-aug")
        first = first_build_and_a_change(period, reviewer)
        build = ReportBuild.objects.create(period=period, kind=KIND, trigger="nightly")
        app.send_task("reports.tasks.build_report_task", args=[build.pk], queue=node.queue)
        running = wait_for(
            lambda: (b := build_state(build.pk)).status == "running" and b.progress == 45 and b,  # the PDF
            timeout=60, what="the build to reach the PDF",
        )  # fmt: skip
        assert pid_of(running) != node.process.pid  # the pool process, not the worker's main process
        os.kill(pid_of(running), signal.SIGKILL)
        assert current_build(period=period, kind=KIND) == first
        done = wait_for(lambda: (b := build_state(build.pk)).status == "done" and b, timeout=90,
                        what="the build delivered again")  # fmt: skip
    assert done.attempts == 2
    assert pid_of(done) != pid_of(running)
    assert current_build(period=period, kind=KIND) == done
    assert (node.media_root / done.pdf.name).read_bytes().startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_a_whole_worker_killed_mid_build_is_recovered_by_the_stalled_build_task(
    demo, reviewer, settings, tmp_path_factory
):
    stale_after = {"REPORT_BUILD_STALE_AFTER": "2"}
    period = ReportingPeriod.objects.get(slug="2019-jan-aug")
    with celery_worker(tmp_path_factory, pool="prefork", env=stale_after) as node:
        settings.MEDIA_ROOT = node.media_root
        first = first_build_and_a_change(period, reviewer)
        build = ReportBuild.objects.create(period=period, kind=KIND, trigger="nightly")
        app.send_task("reports.tasks.build_report_task", args=[build.pk], queue=node.queue)
        running = wait_for(
            lambda: (b := build_state(build.pk)).status == "running" and b.progress == 45 and b,  # the PDF
            timeout=60, what="the build to reach the PDF",
        )  # fmt: skip
        for pid in (node.process.pid, pid_of(running)):  # the machine went down, say
            os.kill(pid, signal.SIGKILL)
        node.process.wait(timeout=10)
    assert build_state(build.pk).status == "running"
    assert current_build(period=period, kind=KIND) == first
    time.sleep(2.5)  # longer than REPORT_BUILD_STALE_AFTER without a sign of life
    with celery_worker(tmp_path_factory, pool="prefork", env=stale_after) as node:
        settings.MEDIA_ROOT = node.media_root
        sent = app.send_task("reports.tasks.stalled_builds_task", queue=node.queue)
        assert sent.get(timeout=30) == 1
        done = wait_for(lambda: (b := build_state(build.pk)).status == "done" and b, timeout=90,
                        what="the stalled build to be built again")  # fmt: skip
    assert done.attempts == 2
    assert current_build(period=period, kind=KIND) == done


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_s_build_is_started_again_by_beat_within_the_heartbeat_window(
    demo, reviewer, settings, tmp_path_factory
):
    """
    Each render sleeps 3 s (``tests.slow_worker``) while the build is taken for dead after 1.5 s
    without a heartbeat and beat looks every 0.5 s: the heartbeat thread keeps the live build its
    own; once the worker is killed, beat's recovery and a new worker finish it, nothing sent by hand.
    """
    short = {
        "REPORT_BUILD_HEARTBEAT_INTERVAL": "0.2", "REPORT_BUILD_STALE_AFTER": "1.5",
        "REPORT_BUILD_RECOVERY_EVERY": "0.5", "SLOW_RENDER_SECONDS": "3",
    }  # fmt: skip
    period = ReportingPeriod.objects.get(slug="2019-jan-aug")
    first = first_build_and_a_change(period, reviewer)
    with celery_worker(tmp_path_factory, pool="prefork", env=short, app_module="tests.slow_worker") as node:
        settings.MEDIA_ROOT = node.media_root
        queue = node.queue
        with celery_beat(tmp_path_factory, queue=queue, env=short):
            build = ReportBuild.objects.create(period=period, kind=KIND, trigger="nightly")
            app.send_task("reports.tasks.build_report_task", args=[build.pk], queue=queue)
            wait_for(lambda: build_state(build.pk).progress == 20, timeout=60, what="the build to write the HTML")
            time.sleep(2.5)  # one render, longer than REPORT_BUILD_STALE_AFTER, while beat looks
            running = build_state(build.pk)
            assert (running.status, running.attempts, running.progress) == ("running", 1, 20)  # alive: not taken
            assert running.heartbeat_at > timezone.now() - timedelta(seconds=1)
            for pid in (node.process.pid, pid_of(running)):
                os.kill(pid, signal.SIGKILL)
            node.process.wait(timeout=10)
            killed_at = time.monotonic()
            assert build_state(build.pk).status == "running"
            with celery_worker(
                tmp_path_factory, pool="prefork", env=short, app_module="tests.slow_worker", queue=queue
            ) as again:
                done = wait_for(lambda: (b := build_state(build.pk)).status == "done" and b, timeout=90,
                                what="beat and a new worker to build it again")  # fmt: skip
            recovered_in = time.monotonic() - killed_at
    assert done.attempts == 2
    assert pid_of(done) != pid_of(running)
    print(f"A killed worker's build done again {recovered_in:.1f} s after the kill")  # noqa: T201
    assert recovered_in < 60, recovered_in  # 3 renders of 3 s, after 1.5 s without a heartbeat
    assert current_build(period=period, kind=KIND) == done != first
    assert (again.media_root / done.pdf.name).read_bytes().startswith(b"%PDF")
