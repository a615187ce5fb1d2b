"""
Time the nightly build of a whole city: ``python -m bench.nightly`` (part of ``make bench``).

Builds the synthetic city of ``bench.pages`` (15 committees, 153 commitments each) in a
throwaway PostgreSQL database, starts Celery workers on Redis against it, sends the nightly
task as beat does and prints the wall time until every committee's report is built in all
three formats, with the slowest and median single build.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asn.settings.test")
django.setup()

from django.db import connection

from asn.celery import app
from bench.database import throwaway_database
from bench.pages import build_city
from reports.models import ReportBuild

WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
TIMEOUT = 600


def start_workers(queue: str, media_root: Path, logs: Path) -> list[subprocess.Popen]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "asn.settings.test",
        "DATABASE_URL": "postgres://{}:{}@{}:{}/{}".format(
            *(quote(str(db[k] or ""), safe="") for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME"))
        ),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_REPORTS_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media_root),
    }
    workers = []
    for n in range(WORKERS):
        node = f"bench-{n}-{queue}@localhost"
        command = [
            sys.executable, "-m", "celery", "-A", "asn", "worker", "--pool=prefork", "--concurrency=1",
            "-n", node, "-Q", queue, "--prefetch-multiplier=1", "--without-gossip", "--without-mingle",
            "--loglevel=WARNING", f"--logfile={logs / f'worker-{n}.log'}",
        ]  # fmt: skip
        workers.append(subprocess.Popen(command, env=env))  # noqa: S603 (our own command line)
        deadline = time.monotonic() + 30
        while not app.control.ping(destination=[node], timeout=0.5):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Worker {node} did not start")
    return workers


def main() -> int:
    queue = f"bench-{uuid.uuid4().hex[:6]}"
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    with throwaway_database(), tempfile.TemporaryDirectory() as tmp:
        build_city()
        workers = start_workers(queue, Path(tmp) / "media", Path(tmp))
        try:
            start = time.perf_counter()
            requested = app.send_task("reports.tasks.nightly_builds_task").get(timeout=60)
            while ReportBuild.objects.filter(status__in=ReportBuild.ACTIVE).exists():
                if time.perf_counter() - start > TIMEOUT:
                    raise RuntimeError("The nightly build did not finish in time")
                time.sleep(0.1)
            wall = time.perf_counter() - start
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        builds = list(ReportBuild.objects.all())
        durations = [(b.finished_at - b.started_at).total_seconds() for b in builds if b.started_at]
        done = sum(1 for b in builds if b.status == ReportBuild.Status.DONE)
        pages = sum(1 for _ in (Path(tmp) / "media").rglob("*.pdf"))
        print(
            f"Nightly build, synthetic city: {requested} reports requested, {done} built ({pages} PDFs), "
            f"{WORKERS} workers: {wall:.1f} s wall (target < 60 s); one build median "
            f"{statistics.median(durations):.1f} s, slowest {max(durations):.1f} s"
        )
        per_worker = {}
        for b in builds:
            per_worker[b.worker] = per_worker.get(b.worker, 0) + 1
        print("  builds per worker process:", sorted(per_worker.values()))
        failed = [b for b in builds if b.status != ReportBuild.Status.DONE]
        for build in failed:
            print(f"  not built: {build} {build.status} {build.error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
