"""
The deployment's files read as their tools read them: compose.yaml, the Dockerfile and
.dockerignore, the systemd units (systemd-analyze), and .env.example against the settings.
Each process they start is one of deploy/entrypoint.sh's subcommands.
"""

import re
import shutil
import subprocess

import pytest
import yaml

from .conftest import ENTRYPOINT, ROOT, env_example

SYSTEMD = ROOT / "deploy" / "systemd"
UNITS = sorted(SYSTEMD.glob("asn*.service")) + sorted(SYSTEMD.glob("asn*.socket")) + sorted(SYSTEMD.glob("*.target"))


def subcommands() -> set[str]:
    """The subcommands the entrypoint's case statement accepts."""
    labels = re.findall(r"^  ([a-z][a-z |-]*)\)$", ENTRYPOINT.read_text(), flags=re.MULTILINE)
    return {word.strip() for label in labels for word in label.split("|")}


def test_the_entrypoint_offers_the_processes_of_a_deployment():
    assert {"web", "worker", "beat", "migrate", "manage"} <= subcommands()


# COMPOSE
# ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_every_process_from_the_image_with_a_valid_subcommand(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "migrate", "db", "redis"} <= set(services)
    for name in ("web", "worker", "beat", "migrate"):
        service = services[name]
        assert service["build"] == "."
        assert service["env_file"] == ".env"
        assert service["command"][0] in subcommands(), name
        assert service["command"][0] == name
        assert "media:/data/media" in service["volumes"]
        assert service["read_only"] is True
        assert service["tmpfs"] == ["/tmp"]  # noqa: S108 (a tmpfs of the container's own)


def test_compose_migrates_once_before_the_processes_start(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["restart"] == "unless-stopped"


def test_compose_checks_the_health_of_the_services_and_keeps_the_data_in_volumes(compose):
    services = compose["services"]
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert services["web"]["healthcheck"]["test"][:2] == ["CMD", "python"]
    assert (ROOT / services["web"]["healthcheck"]["test"][2].removeprefix("/app/")).exists()
    assert set(compose["volumes"]) == {"postgres", "redis", "media"}
    assert "postgres:/var/lib/postgresql/data" in services["db"]["volumes"]
    # Only the host's loopback reaches the web container: the reverse proxy stands in front.
    assert services["web"]["ports"][0].startswith("127.0.0.1:")
    # The versions the README asks for.
    assert int(re.match(r"postgres:(\d+)", services["db"]["image"])[1]) >= 15
    assert int(re.match(r"redis:(\d+)", services["redis"]["image"])[1]) >= 7


def test_compose_takes_its_own_variables_from_env_example(compose):
    text = (ROOT / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    assert used == {"POSTGRES_PASSWORD", "ASN_HTTP_PORT", "ASN_IMAGE_TAG"}
    assert used <= set(env_example())


def compose_command() -> list[str] | None:
    """Docker Compose v2 (the docker plugin) or v1 (docker-compose), whichever is installed."""
    if shutil.which("docker"):
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False, timeout=30)
        if plugin.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_itself_accepts_the_file_with_env_example(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    shutil.copy(ROOT / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run(
        [*command, "config"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    # The database's address inside the compose network replaces .env's, with .env's password.
    assert resolved["web"]["environment"]["DATABASE_URL"] == "postgres://asn:change-me@db:5432/asn"
    assert resolved["worker"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert resolved["web"]["environment"]["SITE_URL"] == "https://uppfoljning.example.se"


# DOCKERFILE
# ------------------------------------------------------------------------------


def test_the_dockerfile_builds_a_non_root_image_that_starts_the_entrypoint():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nFROM python:3.11-slim-bookworm\n" in dockerfile
    # The same Debian packages as the tests' WeasyPrint (scripts/test.sh).
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu", "fonts-liberation2"):
        assert package in dockerfile
        assert package in (ROOT / "scripts" / "test.sh").read_text()
    assert "pip install -r /app/requirements/prod.txt" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    assert re.search(r"^USER asn:asn$", dockerfile, flags=re.MULTILINE)
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in dockerfile
    assert 'CMD ["web"]' in dockerfile
    # No secret in the image's environment: SECRET_KEY is set for collectstatic's RUN step only.
    env_lines = re.findall(r"^ENV (.*?)(?<!\\)$", dockerfile, flags=re.MULTILINE | re.DOTALL)
    assert not any("SECRET_KEY" in line for line in env_lines)


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".git", ".venv", "media", "staticfiles", "db.sqlite3"):
        assert entry in ignored
    assert "!.env.example" in ignored
    assert "deploy" not in ignored


# SYSTEMD
# ------------------------------------------------------------------------------


def test_the_units_start_valid_subcommands_as_the_asn_user_with_an_environment_file():
    for path in SYSTEMD.glob("*.service"):
        unit = path.read_text()
        command = re.search(r"^ExecStart=/opt/asn/app/deploy/entrypoint\.sh (\S+)$", unit, flags=re.MULTILINE)
        assert command, path.name
        assert command[1] in subcommands(), path.name
        assert "\nUser=asn\n" in unit
        assert "\nEnvironmentFile=/etc/asn/asn.env\n" in unit
        for hardening in ("NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict", "ProtectHome=yes"):
            assert f"\n{hardening}\n" in unit, (path.name, hardening)
    assert {p.name for p in SYSTEMD.glob("*.service")} >= {"asn-web.service", "asn-worker.service", "asn-beat.service"}


@pytest.fixture(scope="module")
def installed_units(tmp_path_factory):
    """The units as installed, with the app and its virtualenv where this checkout has them."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    folder = tmp_path_factory.mktemp("units")
    venv = ROOT / ".venv"
    for unit in UNITS:
        text = unit.read_text().replace("/opt/asn/app", str(ROOT)).replace("/opt/asn/venv", str(venv))
        (folder / unit.name).write_text(text)
    return folder


def test_systemd_analyze_verify_finds_nothing_to_say(installed_units):
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(p.name for p in installed_units.iterdir())],
        cwd=installed_units, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    # An unknown or misspelt directive is only a warning ("Unknown key ..., ignoring"): no output at all.
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""


@pytest.mark.parametrize("unit", ["asn-web.service", "asn-worker.service", "asn-beat.service", "asn-migrate.service"])
def test_systemd_rates_the_services_exposure_low(installed_units, unit):
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", unit],
        cwd=installed_units, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert exposure, result.stdout + result.stderr
    # 0 is the best, 10 a service with no protection at all; under 2 systemd calls "OK".
    assert float(exposure[1]) < 2.0, result.stdout


# .ENV.EXAMPLE
# ------------------------------------------------------------------------------


def read_variables() -> set[str]:
    """Every variable the settings, the gunicorn configuration and the entrypoint read."""
    names = set()
    for path in (ROOT / "asn" / "settings").glob("*.py"):
        names |= set(re.findall(r"\benv(?:\.[a-z_]+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", path.read_text()))
    gunicorn_conf = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    names |= set(re.findall(r"os\.environ\.get\(\"([A-Z][A-Z0-9_]*)\"", gunicorn_conf))
    names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", ENTRYPOINT.read_text()))
    return names


def test_env_example_lists_every_variable_that_is_read():
    text = (ROOT / ".env.example").read_text()
    listed = set(env_example()) | set(re.findall(r"^# ([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    # Development and test settings only (asn/settings/test.py).
    not_for_production = {"EMAIL_FILE_PATH", "AXES_ENABLED"}
    missing = read_variables() - listed - not_for_production
    assert not missing, f"Add these to .env.example, with a comment: {sorted(missing)}"
    assert {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "DATABASE_URL", "GUNICORN_WORKERS"} <= read_variables()


def test_env_example_is_readable_by_compose_and_systemd_alike():
    for number, line in enumerate((ROOT / ".env.example").read_text().splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*=[^\"'$`\\]*", line), f"line {number}: {line}"
        assert not line.split("=", 1)[1].endswith(" "), f"line {number}: trailing space"


def test_env_example_holds_no_secret_and_names_every_feature_s_variables():
    values = env_example()
    assert values["SECRET_KEY"] == ""
    assert values["SECRET_KEY_FALLBACKS"] == ""
    text = (ROOT / ".env.example").read_text()
    assert "PLACEHOLDER" not in text
    for variable in ("OIDC_RP_CLIENT_ID", "SENTRY_DSN", "METRICS_TOKEN", "STORAGE_BACKEND", "CACHE_URL"):
        assert re.search(rf"^# {variable}=", text, flags=re.MULTILINE), variable
