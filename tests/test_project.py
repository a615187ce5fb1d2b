"""Project-wide checks: production settings, translations, the commands' bad input."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
#: What production's settings require, for the checks that load them.
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "asn.settings.prod",
    "SECRET_KEY": "s" * 60,
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/asn",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SITE_URL": "https://example.org",
}
PRINT_SETTING = "import django; django.setup(); from django.conf import settings; print(settings.%s)"


def test_check_deploy_with_production_settings_prints_no_warning():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "asn.settings.prod",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-the-check",
        "ALLOWED_HOSTS": "uppfoljning.example.org",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/asn",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SITE_URL": "https://uppfoljning.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL"])
def test_production_settings_have_no_defaults(missing):
    env = {**os.environ, **PRODUCTION}
    del env[missing]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [("", "cached_db"), ("redis://127.0.0.1:6379/3", "cached_db"), ("locmemcache://", "db")],
)
def test_production_reads_sessions_through_the_cache_only_when_it_is_shared(cache_url, engine):
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"} | PRODUCTION
    if cache_url:  # else the default: Redis (REDIS_URL)
        env["CACHE_URL"] = cache_url
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTING % "SESSION_ENGINE"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.strip() == f"django.contrib.sessions.backends.{engine}", result.stderr


def test_every_ui_string_has_a_swedish_translation(tmp_path):
    """makemessages, run on a copy of the project, finds no string without Swedish; the catalogue is compiled."""
    import shutil

    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "media", "staticfiles", "test-artifacts", "*.sqlite3"),
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "asn.settings.dev"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-location", "--no-obsolete", "-i", "tests/*"],
        cwd=copy, env=env, check=True, capture_output=True,
    )  # fmt: skip
    import polib

    catalogue = polib.pofile(str(copy / "locale/sv/LC_MESSAGES/django.po"))
    untranslated = [e.msgid for e in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
    assert untranslated == [], f"Translate these in locale/sv/LC_MESSAGES/django.po: {untranslated}"
    committed = polib.pofile(str(ROOT / "locale/sv/LC_MESSAGES/django.po"))
    compiled = polib.mofile(str(ROOT / "locale/sv/LC_MESSAGES/django.mo"))
    assert {(e.msgid, e.msgstr) for e in committed.translated_entries() if not e.msgid_plural} <= {
        (e.msgid, e.msgstr) for e in compiled
    }, "Run `make messages` to compile the catalogue."


def test_wsgi_without_settings_module_uses_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")}
    result = subprocess.run(
        [sys.executable, "-c", "import asn.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_load_demo_needs_a_password_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--password"):
        call_command("load_demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_import_plan_command_refuses_bad_committee_and_reports_rows(demo, tmp_path):
    with pytest.raises(CommandError, match="Nämnden finns inte"):
        call_command("import_plan", str(ROOT / "demo/data/asn-2019"), committee="nope", year=2019)
    bad = tmp_path / "mal.csv"
    bad.write_text("år,kod,målområde,nivå,text,ordning\n2019,NM01,MO77,nämndsmål,Text,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 fel"):
        call_command("import_plan", str(bad), committee="asn", year=2019, stderr=io.StringIO())


@pytest.mark.django_db
def test_export_then_import_plan_commands_dry_run(demo, tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    call_command("export_plan", committee="asn", year=2019, output=str(out))
    call_command("import_plan", str(out), committee="asn", year=2019, dry_run=True)
    printed = capsys.readouterr().out
    assert "Åtaganden: 0 nya, 0 ändrade, 34 oförändrade" in printed
    assert "Provkörning" in printed
