"""Project-wide checks: production settings, translations, the commands' bad input."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_with_production_settings_prints_no_warning():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "asn.settings.prod",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-the-check",
        "ALLOWED_HOSTS": "uppfoljning.example.org",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/asn",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"])
def test_production_settings_have_no_defaults(missing):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "asn.settings.prod",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/asn",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    del env[missing]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert missing in result.stderr


def test_every_ui_string_has_a_swedish_translation(tmp_path):
    """makemessages finds no string missing from locale/sv, and the compiled catalogue is current."""
    import shutil

    work = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", work)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "asn.settings.dev"}
    po = work / "sv" / "LC_MESSAGES" / "django.po"
    committed = (ROOT / "locale/sv/LC_MESSAGES/django.po").read_text()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-location", "--no-obsolete",
         "-i", ".venv/*", "-i", "tests/*"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    try:
        extracted = (ROOT / "locale/sv/LC_MESSAGES/django.po").read_text()
    finally:
        shutil.copy(work / "sv/LC_MESSAGES/django.po", ROOT / "locale/sv/LC_MESSAGES/django.po")
    untranslated = _untranslated(extracted)
    assert untranslated == [], f"Translate these in locale/sv/LC_MESSAGES/django.po: {untranslated}"
    assert "#, fuzzy" not in committed.split("\n\n", 1)[1]
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(po)], check=True)
    assert (tmp_path / "django.mo").read_bytes() == (ROOT / "locale/sv/LC_MESSAGES/django.mo").read_bytes(), (
        "Run `make messages` to compile the catalogue."
    )


def _untranslated(po_text: str) -> list[str]:
    import re

    entries = po_text.split("\n\n")[1:]
    missing = []
    for entry in entries:
        if "#, fuzzy" in entry:
            missing.append(entry)
            continue
        if re.search(r'^msgstr(\[\d\])? ""\n(?!")', entry + "\n", re.M) and 'msgid ""\nmsgstr' not in entry:
            missing.append(entry.split("\n")[-2] if "\n" in entry else entry)
    return missing


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
