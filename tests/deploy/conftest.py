"""
What the deployment tests share: the repository's files, the environment that .env.example
describes (as a production server would have it, with this machine's PostgreSQL and Redis),
and a fresh, empty PostgreSQL database of the test's own, dropped afterwards.
"""

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import environ
import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent.parent
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
ENV_EXAMPLE = ROOT / ".env.example"
#: The database server the test run uses (test.sh exports it; asn.settings.test's default otherwise).
SERVER_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/asn")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def env_example() -> dict[str, str]:
    """The variables .env.example sets (not those only mentioned in its comments)."""
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := ASSIGNMENT.match(line):
            values[match[1]] = match[2]
    return values


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, **overrides: str) -> dict[str, str]:
    """
    A production server's environment: .env.example's values, with a real secret key and this
    machine's services in place of the example's, and nothing of the test run's own settings.
    """
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "GUNICORN_", "PYTEST_")) and key not in env_example()
    }
    return {
        **inherited,
        **env_example(),
        # deploy/entrypoint.sh runs the `python` first on PATH: this virtualenv's.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        **overrides,
    }


def _admin_connection() -> psycopg.Connection:
    config = environ.Env.db_url_config(SERVER_URL)
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@contextlib.contextmanager
def new_database():
    """A new, empty database on the test run's server, as a URL; dropped afterwards."""
    config = environ.Env.db_url_config(SERVER_URL)
    name = f"{config['NAME']}_deploy_{uuid.uuid4().hex[:8]}"
    with _admin_connection() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    auth = quote(config["USER"], safe="") + (f":{quote(config['PASSWORD'], safe='')}" if config["PASSWORD"] else "")
    try:
        yield f"postgres://{auth}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{name}"
    finally:
        # In a process of its own that outlives the test: PostgreSQL makes a checkpoint for each
        # DROP DATABASE, which takes seconds on a busy server and would only hold the test up.
        drop = (
            "import sys, psycopg; from psycopg import sql; sys.path.insert(0, sys.argv[1]);"
            "from tests.deploy.conftest import _admin_connection as c;"
            "c().execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(sql.Identifier(sys.argv[2])))"
        )
        subprocess.Popen(
            [sys.executable, "-c", drop, str(ROOT), name],
            env={**os.environ, "DATABASE_URL": SERVER_URL},
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip


@pytest.fixture
def empty_database() -> str:
    """The URL of a new, empty database of the test's own."""
    with new_database() as url:
        yield url


def tables(database_url: str) -> set[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows}
