"""SQLite, as `make run` uses it: two clients that write at once both get their rows saved."""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: What a request that saves does, many times over: in one transaction, read, then write.
WRITER = textwrap.dedent(
    """
    import json, sys, time
    from datetime import timedelta

    import django

    django.setup()
    from django.contrib.sessions.models import Session
    from django.db import OperationalError, connection, transaction
    from django.utils import timezone

    name, start, rounds = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    while time.time() < start:  # both writers begin together
        time.sleep(0.001)
    errors = []
    for n in range(rounds):
        try:
            with transaction.atomic():
                Session.objects.filter(session_key__startswith=name).count()
                Session.objects.create(
                    session_key=f"{name}-{n}", session_data="x", expire_date=timezone.now() + timedelta(days=1)
                )
        except OperationalError as error:
            errors.append(str(error))
    print(json.dumps({"mode": mode, "errors": errors}))
    """
)


def sqlite_env(settings_module: str, database: Path) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SITE_URL": "https://example.org",
    }


def test_two_clients_writing_at_once_to_sqlite_both_succeed(tmp_path):
    env = sqlite_env("asn.settings.dev", tmp_path / "db.sqlite3")
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "sessions", "--noinput"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    start, rounds = time.time() + 4, 150
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(start), str(rounds)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=180)
        assert writer.returncode == 0, err
        results.append(json.loads(out))
    assert [result["errors"] for result in results] == [[], []]
    assert {result["mode"] for result in results} == {"wal"}
    count = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.contrib.sessions.models import Session; "
         "print(Session.objects.count())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert count.stdout.strip() == str(2 * rounds), count.stderr


@pytest.mark.parametrize("settings_module", ["asn.settings.prod", "asn.settings.test"])
def test_sqlite_is_set_up_for_concurrent_writers_in_every_settings(tmp_path, settings_module):
    result = subprocess.run(
        [sys.executable, "-c", "import json, django; django.setup(); from django.conf import settings; "
         "print(json.dumps(settings.DATABASES['default']))"],
        cwd=ROOT, env=sqlite_env(settings_module, tmp_path / "db.sqlite3"), capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)
    assert database["ATOMIC_REQUESTS"] is True
    options = database["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
