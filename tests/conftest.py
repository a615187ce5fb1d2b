import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command

from accounts.models import User
from commitments.models import Committee

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# beside one unless told that this is deliberate. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "demo-pass-123"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


SNAPSHOT_SCHEMA = "demo_snapshot"


def _snapshot_demo() -> None:
    """
    Copy every table of the freshly loaded demo into a schema of its own, so that a transactional
    test's teardown puts the demo back by a few INSERTs, instead of Django's flush and then
    load_demo's import in the next test (about 5 s of CPU each time, 15–20 s under load).
    PostgreSQL only.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE; CREATE SCHEMA {SNAPSHOT_SCHEMA}")
        for table in _public_tables(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"CREATE TABLE {SNAPSHOT_SCHEMA}.{quoted} AS TABLE public.{quoted}")


def _public_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _restore_demo() -> bool:
    """
    Put the snapshot back: empty each table, copy the snapshot's rows with their ids, with
    foreign-key triggers off while the tables are half filled, and move each sequence past the
    highest id. Returns False where there is no snapshot (not PostgreSQL).
    """
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [SNAPSHOT_SCHEMA])
        if cursor.fetchone() is None:
            return False
        tables = _public_tables(cursor)
        cursor.execute("SET LOCAL session_replication_role = replica")
        quote = connection.ops.quote_name  # the names come from pg_tables, not from input
        statement = "DELETE FROM public.{0}; INSERT INTO public.{0} SELECT * FROM " + SNAPSHOT_SCHEMA + ".{0};"  # noqa: S608
        cursor.execute("".join(statement.format(quote(t)) for t in tables))
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(statement)
    # The content types are the snapshot's again, whatever ids a test gave new ones.
    ContentType.objects.clear_cache()
    return True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo committee once per test database; each test's transaction rolls back to it."""
    with django_db_blocker.unblock():
        call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
        _snapshot_demo()
    yield
    # A connection some test's thread or process left open would keep the test database from
    # being dropped (and left behind) when the session ends: end them first.
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="session", autouse=True)
def _transactional_tests_end_with_the_demo():
    """
    A transactional test ends by putting the demo's snapshot back (committed, before the next
    test), where Django's teardown would flush every table and leave the next test to load the
    demo again: one step instead of two, and every test starts from the demo, whatever ran
    before it. Without a snapshot (not PostgreSQL) Django's flush, as before.
    """
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown

    def restore(self):
        if not _restore_demo():
            flush(self)

    TransactionTestCase._fixture_teardown = restore
    yield
    TransactionTestCase._fixture_teardown = flush


@pytest.fixture
def demo(db) -> Committee:
    """The demo committee ASN with its 2019 plan and the January–August follow-up, as load_demo leaves it."""
    committee = Committee.objects.filter(slug="asn").first()
    if committee is None:  # a transactional test before this one emptied the database (no snapshot to restore)
        call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
        committee = Committee.objects.get(slug="asn")
    return committee


@pytest.fixture
def committee_admin(demo) -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def reviewer(demo) -> User:
    return User.objects.get(username="granskare")


@pytest.fixture
def editor(demo) -> User:
    return User.objects.get(username="redaktor")


@pytest.fixture
def reader(demo) -> User:
    return User.objects.get(username="lasare")


class WorkerNode(str):
    """A worker's node name that also knows its process, queue and where its e-mails and files go."""

    def __new__(cls, name, *, process, queue, mail_dir, media_root, logfile):
        node = super().__new__(cls, name)
        node.process, node.queue, node.mail_dir, node.media_root, node.logfile = (
            process, queue, mail_dir, media_root, logfile
        )  # fmt: skip
        return node


def _test_database_url() -> str:
    """The test database as a URL, for the Celery processes the tests start."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    return "postgres://{}:{}@{}:{}/{}".format(
        *(quote(str(db[k] or ""), safe="") for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME"))
    )


@contextlib.contextmanager
def celery_worker(
    tmp_path_factory, *, pool: str = "solo", env: dict | None = None, app_module: str = "asn", queue: str | None = None
):
    """
    Start a real Celery worker on the Redis broker and the test database, on a queue of its
    own (so that parallel test processes and other workers do not take its tasks; ``queue``:
    one that an earlier worker had), and stop it afterwards. ``app_module`` is the Celery
    app (``-A``). Yields its ``WorkerNode``.
    """
    from asn.celery import app

    tag = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:6]}"
    node, queue = f"asn-test-{tag}@localhost", queue or f"asn-test-{tag}"
    logfile = tmp_path_factory.mktemp("celery") / "worker.log"
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    media_root = tmp_path_factory.mktemp("worker-media")
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "asn.settings.test",
        "DATABASE_URL": _test_database_url(),
        # One queue for everything: the report builds' queue is the same one.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_REPORTS_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(media_root),
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app_module, "worker", f"--pool={pool}", "--concurrency=1", "-n", node,
         "-Q", queue, "--without-gossip", "--without-mingle", "--loglevel=INFO", f"--logfile={logfile}"],
        env=worker_env,
        start_new_session=True,  # its own process group, so that its pool goes with it if it must be killed
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not app.control.ping(destination=[node], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start:\n{logfile.read_text()}")
        yield WorkerNode(node, process=process, queue=queue, mail_dir=mail_dir, media_root=media_root, logfile=logfile)
    finally:
        if process.poll() is None:
            process.terminate()  # a warm shutdown: the task it runs may finish
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:  # a task still running on a loaded machine: no test waits for it
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@contextlib.contextmanager
def celery_beat(tmp_path_factory, *, queue: str, env: dict | None = None):
    """Run Celery beat, as production does beside the workers, sending the schedule's tasks to ``queue``."""
    folder = tmp_path_factory.mktemp("beat")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "asn", "beat", "--loglevel=INFO", f"--logfile={folder / 'beat.log'}",
         f"--schedule={folder / 'schedule'}", f"--pidfile={folder / 'beat.pid'}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "asn.settings.test", "DATABASE_URL": _test_database_url(),
             "CELERY_TASK_DEFAULT_QUEUE": queue, "CELERY_REPORTS_QUEUE": queue, "CELERY_TASK_ALWAYS_EAGER": "false",
             **(env or {})},
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """
    A real Celery worker for this test process, on its own queue, which this process's tasks
    go to (the report builds too). Yields the worker's node name (a str) with ``mail_dir``,
    the folder where the worker's e-mails land, and ``media_root``, where it stores files.
    """
    from django.conf import settings

    from asn.celery import app

    with celery_worker(tmp_path_factory) as node:
        settings.CELERY_TASK_DEFAULT_QUEUE = settings.CELERY_REPORTS_QUEUE = node.queue
        app.conf.task_default_queue = node.queue
        yield node


@pytest.fixture(autouse=True)
def _empty_cache():
    """
    Each test starts with an empty cache: what one test's pages kept of a plan (common.plan_cache)
    would outlive the rollback of its data, and the next test's rows may take the same ids.
    """
    cache.clear()
