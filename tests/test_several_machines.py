"""
Several machines: the generated files in an S3-compatible bucket that every process shares
(a real S3 server, moto_server, in a process of its own), the staged uploads taken once
through the shared Redis cache, and the report builds on a queue of their own.
"""

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date

import boto3
import pytest
from botocore.config import Config
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.storage import default_storage
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from asn.celery import app
from asn.settings.base import cache_config, default_storage_config
from commitments.models import ReportingPeriod
from common.s3 import S3Storage
from common.uploads import STAGE_DIR, upload_stage, upload_take
from reports import adoption, services
from reports.models import AdoptedEdition, ReportBuild, ReportKind
from tests.conftest import celery_worker
from tests.reports.test_build_worker import wait_for

KIND = ReportKind.FOLLOW_UP
S3_KEYS = {
    "AWS_ACCESS_KEY_ID": "asn-test",
    "AWS_SECRET_ACCESS_KEY": "asn-test-secret",
    "AWS_S3_REGION_NAME": "eu-north-1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """A real S3-compatible server (moto_server) in a process of its own, on a free port."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def s3_env(s3_endpoint, monkeypatch) -> dict:
    """The environment that selects the S3 backend, with a new bucket on the server."""
    bucket = f"asn-{uuid.uuid4().hex[:12]}"
    env = {"STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": s3_endpoint,
           "AWS_S3_ADDRESSING_STYLE": "path", "AWS_LOCATION": "asn", **S3_KEYS}  # fmt: skip
    client(env).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def client(env: dict):
    """A boto3 client of our own, to look into the bucket beside the app."""
    return boto3.client(
        "s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], region_name=env["AWS_S3_REGION_NAME"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip


def bucket_files(env: dict, prefix: str = "") -> dict[str, bytes]:
    s3 = client(env)
    listed = s3.list_objects_v2(Bucket=env["AWS_STORAGE_BUCKET_NAME"], Prefix=f"asn/{prefix}")
    return {
        item["Key"]: s3.get_object(Bucket=env["AWS_STORAGE_BUCKET_NAME"], Key=item["Key"])["Body"].read()
        for item in listed.get("Contents", [])
    }


@pytest.fixture
def s3_storage(s3_env, settings):
    """The app's default storage on the bucket, configured as asn/settings reads the environment."""
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_config("s3")}
    assert isinstance(default_storage, S3Storage)
    return s3_env


def nothing_on_disk(*folders) -> bool:
    return not any(path.is_file() for folder in folders if folder.exists() for path in folder.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_a_build_made_by_a_report_worker_and_an_adopted_edition_are_served_from_the_bucket(
    demo, reader, committee_admin, s3_storage, settings, tmp_path_factory
):
    """
    The worker (another process, another media folder: another machine) listens only on the
    reports queue and writes the build's files to the bucket; this process, the web, serves
    them from there, and the edition adopted here is public from there too. Nothing lands on
    either's disk.
    """
    env = s3_storage
    reports_queue = f"asn-reports-test-{uuid.uuid4().hex[:6]}"
    settings.CELERY_REPORTS_QUEUE = reports_queue
    assert app.conf.task_default_queue != reports_queue
    period = ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-jan-aug")
    # A first build (one that an earlier test left would make this one "unchanged", with no files).
    AdoptedEdition.objects.filter(period=period).delete()
    ReportBuild.objects.filter(period=period).delete()
    with celery_worker(tmp_path_factory, queue=reports_queue, env=env) as node:
        build = services.build_request(period=period, kind=KIND, trigger=ReportBuild.Trigger.MANUAL)
        build = wait_for(
            lambda: (b := ReportBuild.objects.get(pk=build.pk)).status in ("done", "failed") and b,
            timeout=120, what="the worker on the reports queue to build the report",
        )  # fmt: skip
    assert build.status == "done", build.error
    stored = bucket_files(env)
    assert sorted(key.rsplit(".", 1)[1] for key in stored) == ["docx", "html", "pdf"]
    web = Client()
    web.force_login(reader)
    for fmt in ("html", "docx", "pdf"):
        url = reverse("reports:build_file", args=["asn", "2019-jan-aug", build.pk, fmt])
        response = web.get(url)
        assert response.status_code == 200, fmt
        assert b"".join(response.streaming_content) == stored[f"asn/{getattr(build, fmt).name}"]
        assert int(response["Content-Length"]) == len(stored[f"asn/{getattr(build, fmt).name}"])
        assert response["Content-Disposition"].startswith("attachment")
    assert stored[f"asn/{build.pdf.name}"].startswith(b"%PDF")

    edition = adoption.report_adopt(
        user=committee_admin, period=period, kind=KIND, decided_on=date(2019, 9, 25), paragraph="§ 187",
        diarienummer="ASN-2019-1234",
    )  # fmt: skip
    public = Client()
    for fmt, _label, content_type in AdoptedEdition.FORMATS:
        for url in (
            reverse("public:file", args=["asn", "2019-jan-aug", KIND, fmt]),
            reverse("public:permanent_file", args=[edition.pk, fmt]),
        ):
            response = public.get(url)
            assert (response.status_code, response["Content-Type"]) == (200, content_type), url
            served = b"".join(response.streaming_content)
            assert hashlib.sha256(served).hexdigest() == edition.sha256_for(fmt)
        assert served == bucket_files(env, edition.file_for(fmt).name)[f"asn/{edition.file_for(fmt).name}"]
    assert public.get(reverse("public:edition", args=["asn", "2019-jan-aug", KIND])).status_code == 200
    # Gone from the bucket: not found, not an error.
    client(env).delete_object(Bucket=env["AWS_STORAGE_BUCKET_NAME"], Key=f"asn/{edition.csv.name}")
    assert public.get(reverse("public:permanent_file", args=[edition.pk, "csv"])).status_code == 404

    # Private, and never served by the bucket's own address: no grant beyond the owner, no signature.
    acl = client(env).get_object_acl(Bucket=env["AWS_STORAGE_BUCKET_NAME"], Key=f"asn/{edition.pdf.name}")
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]
    assert "Signature" not in default_storage.url(edition.pdf.name)
    # The admin links the files at their public addresses, not at the bucket's.
    web.force_login(committee_admin)
    page = web.get(reverse("admin:reports_adoptededition_change", args=[edition.pk])).content.decode()
    assert reverse("public:permanent_file", args=[edition.pk, "pdf"]) in page
    assert env["AWS_S3_ENDPOINT_URL"] not in page
    assert nothing_on_disk(node.media_root, settings.MEDIA_ROOT)


def staged_request(user, session, token=""):
    request = RequestFactory().post("/", {"token": token})
    request.user, request.session = user, session
    return request


def test_a_staged_upload_waits_in_the_bucket_is_taken_once_and_the_cleanup_removes_expired_ones(
    committee_admin, s3_storage, settings
):
    env = s3_storage
    # The cache every process shares in production: Redis.
    settings.CACHES = {"default": cache_config(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))}
    session = SessionStore()
    token = upload_stage(staged_request(committee_admin, session), "plan-import-1", name="plan.xlsx", content=b"PK")
    assert sorted(bucket_files(env, STAGE_DIR)) == [f"asn/{STAGE_DIR}/{token}", f"asn/{STAGE_DIR}/{token}.json"]

    # Two confirmations at once (a double click on two web machines): one takes the file.
    barrier, taken = threading.Barrier(2), []

    def confirm():
        request = staged_request(committee_admin, SessionStore(), token)
        request.session["plan-import-1"] = token
        barrier.wait()
        taken.append(upload_take(request, "plan-import-1"))

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(taken, key=bool) == [None, {"name": "plan.xlsx", "content": b"PK"}]
    assert bucket_files(env, STAGE_DIR) == {}

    # The cleanup lists the bucket's folder and reads each file's time there.
    old = upload_stage(staged_request(committee_admin, SessionStore()), "a", name="a.csv", content=b"a")
    time.sleep(2.2)  # S3 keeps whole seconds
    new = upload_stage(staged_request(committee_admin, SessionStore()), "b", name="b.csv", content=b"b")
    old_time = default_storage.get_modified_time(f"{STAGE_DIR}/{old}")
    new_time = default_storage.get_modified_time(f"{STAGE_DIR}/{new}")
    assert old_time < new_time
    settings.UPLOAD_STAGE_SECONDS = (timezone.now() - (old_time + (new_time - old_time) / 2)).total_seconds()
    from common.tasks import staged_uploads_cleanup_task

    assert staged_uploads_cleanup_task.delay().get() == 2
    assert sorted(default_storage.listdir(STAGE_DIR)[1]) == [new, f"{new}.json"]
    with pytest.raises(FileNotFoundError):
        default_storage.get_modified_time(f"{STAGE_DIR}/{old}")
    with pytest.raises(FileNotFoundError):
        default_storage.open(f"{STAGE_DIR}/{old}")


def test_report_builds_go_to_the_reports_queue_and_every_other_task_to_the_default_one(settings):
    settings.CELERY_REPORTS_QUEUE = "asn-reports-elsewhere"
    router = app.amqp.router
    app.loader.import_default_modules()  # every app's tasks, as a worker has them
    assert router.route({}, "reports.tasks.build_report_task")["queue"].name == "asn-reports-elsewhere"
    for name in ("commitments.tasks.submission_digests_task", "commitments.tasks.return_notice_task",
                 "followup.tasks.deadline_reminders_task", "reports.tasks.nightly_builds_task",
                 "reports.tasks.stalled_builds_task", "common.tasks.staged_uploads_cleanup_task"):  # fmt: skip
        assert name in app.tasks
        assert router.route({}, name)["queue"].name == app.conf.task_default_queue, name
    # A queue the sender names comes first (the worker tests, a retry to the queue it came from).
    assert router.route({"queue": "there"}, "reports.tasks.build_report_task")["queue"].name == "there"


def prod_settings(**env) -> dict:
    """What asn.settings.prod makes of ``env``, read in a process of its own."""
    code = (
        "import json; from asn.settings import prod as s; print(json.dumps({'storage': s.STORAGES['default'], "
        "'cache': s.CACHES['default'], 'routes': s.CELERY_TASK_ROUTES, 'default_queue': s.CELERY_TASK_DEFAULT_QUEUE, "
        "'queues': [q.name for q in s.CELERY_TASK_QUEUES]}))"
    )
    base = {"SECRET_KEY": "x", "ALLOWED_HOSTS": "example.se", "SITE_URL": "https://example.se",
            "DATABASE_URL": "postgres://db/asn", "REDIS_URL": "redis://redis.example.se:6379/0"}  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_", "CACHE_", "CELERY_"))}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **base, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_production_reads_storage_cache_and_queues_from_the_environment():
    plain = prod_settings()
    assert plain["storage"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert plain["cache"] == {
        "BACKEND": "common.cache.RedisCache", "LOCATION": "redis://redis.example.se:6379/0"
    }  # fmt: skip
    assert plain["queues"] == ["asn", "asn-reports"]  # a worker without -Q takes both
    s3 = prod_settings(
        STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="uppfoljning", AWS_S3_ENDPOINT_URL="https://s3.example.se",
        AWS_S3_REGION_NAME="sto-1", AWS_ACCESS_KEY_ID="key", AWS_SECRET_ACCESS_KEY="secret",
        CACHE_URL="redis://cache.example.se:6379/1", CELERY_REPORTS_QUEUE="rapporter",
    )  # fmt: skip
    assert s3["storage"]["BACKEND"] == "common.s3.S3Storage"
    options = s3["storage"]["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "uppfoljning", "https://s3.example.se", "sto-1"
    )  # fmt: skip
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert (options["default_acl"], options["querystring_auth"], options["file_overwrite"]) == (
        "private",
        False,
        False,
    )
    assert s3["cache"]["LOCATION"] == "redis://cache.example.se:6379/1"
    assert s3["queues"] == ["asn", "rapporter"]
    with pytest.raises(subprocess.CalledProcessError) as error:
        prod_settings(STORAGE_BACKEND="ftp")
    assert "STORAGE_BACKEND must be 'filesystem' or 's3'" in error.value.stderr
