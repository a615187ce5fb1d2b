"""deploy/entrypoint.sh, the container's entrypoint and the systemd units' command: its subcommands."""

import secrets
import subprocess

from .conftest import ENTRYPOINT, ROOT, production_env, tables


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    # From another folder, as systemd and docker start it: the script finds the app itself.
    return subprocess.run(
        [str(ENTRYPOINT), *args], cwd="/", env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_an_unknown_subcommand_fails_with_a_message_and_the_usage():
    result = run(["serve"], env=production_env("postgres://unused@127.0.0.1/unused"))
    assert result.returncode == 64
    assert "unknown subcommand 'serve'" in result.stderr
    assert "web" in result.stderr
    assert "migrate" in result.stderr


def test_no_subcommand_fails_too():
    result = run([], env=production_env("postgres://unused@127.0.0.1/unused"))
    assert result.returncode == 64
    assert "no subcommand" in result.stderr


def test_manage_without_a_command_fails():
    result = run(["manage"], env=production_env("postgres://unused@127.0.0.1/unused"))
    assert result.returncode == 64
    assert "manage needs a command" in result.stderr


def test_manage_check_deploy_is_clean_with_the_production_settings_and_env_example():
    """
    `manage check --deploy` with the settings of .env.example (a generated secret key) reports
    nothing: not an error, not a warning. The entrypoint chooses the production settings itself
    (manage.py alone would take the development settings), and the check needs no database.
    """
    env = production_env("postgres://unused@127.0.0.1:5432/unused", SECRET_KEY_FALLBACKS=secrets.token_urlsafe(50))
    result = run(["manage", "check", "--deploy", "--fail-level", "WARNING"], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_migrate_applies_migrations_and_only_when_asked(empty_database):
    env = production_env(empty_database)
    # One app's migrations only, to keep the test short; the subcommand passes its arguments on.
    result = run(["migrate", "contenttypes"], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Applying contenttypes.0001_initial... OK" in result.stdout
    assert {"django_migrations", "django_content_type"} <= tables(empty_database)
    # Nothing else was migrated.
    assert "accounts_user" not in tables(empty_database)


def test_the_script_is_posix_sh_and_executable():
    assert ENTRYPOINT.stat().st_mode & 0o111
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n")
    result = subprocess.run(["sh", "-n", str(ENTRYPOINT)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_previous_secret_keys_come_from_the_environment():
    """SECRET_KEY_FALLBACKS (README "Rotating the secret key"), read as a list; and `manage` passes
    an argument with spaces on intact."""
    old, older = secrets.token_urlsafe(50), secrets.token_urlsafe(50)
    env = production_env("postgres://unused@127.0.0.1:5432/unused", SECRET_KEY_FALLBACKS=f"{old},{older}")
    code = f"from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS == [{old!r}, {older!r}])"
    result = run(["manage", "shell", "--no-startup", "-c", code], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "True"
