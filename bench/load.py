"""
Load on the department pages as production serves them: ``python -m bench.load`` (``make bench``).

Builds the synthetic city of ``bench.pages`` in a throwaway PostgreSQL database of its own,
with distinct accounts for the simulated users, gathers the static files into a temporary
folder, and starts two gunicorns with the project's configuration (``deploy/gunicorn.conf.py``:
its workers and threads) on free loopback ports: the project (``asn.settings.prod``) and a
hello-world WSGI app, the floor. Then locust (``bench/locustfile.py``, in a process of its
own) loads each with 10, 25 and 50 users who log in once and think 0.5–1.5 s between
requests (editors: list → entry page → save a draft; reviewers: the review list → an entry),
each step measured after the new users have logged in and a short warm-up. Prints per step
and page type the requests per second, the median and 95th percentile response times, the
failures, the server's CPU time per request and the requests per second beside the floor's.
Stops every process it started, also when it fails or is interrupted. Figures, not a test.

Environment (defaults in brackets): ``BENCH_LOAD_USERS`` (10,25,50), ``BENCH_LOAD_SECONDS``
measured per step (30), ``BENCH_LOAD_WARMUP`` seconds before each (5), ``BENCH_LOAD_COMMITTEES``
(15), ``GUNICORN_WORKERS`` / ``GUNICORN_THREADS`` (as in production: 2 × cores + 1, 4).
A quick smoke: ``BENCH_LOAD_SECONDS=5 BENCH_LOAD_USERS=5``.
"""

import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

# The city is built with the test settings (as bench.pages builds it); the server runs production's.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asn.settings.test")
django.setup()

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django.utils.module_loading import import_string

from accounts.models import User
from asn.settings.base import cache_config
from bench.database import throwaway_database
from bench.pages import MANY_OUTCOMES, build_city, submit_half
from commitments.models import Commitment, Department, Membership, ReportingPeriod
from common.plan_cache import generation_key

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
#: The editors' departments: those with no approved entries in the synthetic city (odd rows).
EDITOR_DEPARTMENTS = ("D1", "D3", "D5")
PASSWORD = "Belastning-i-syntetiska-kommunen"  # noqa: S105 (the throwaway city's accounts)
#: The synthetic city's committees (``bench.pages.build_city``), whatever else the database holds.
CITY = "Syntetiska kommunen"
#: What the lead aims at: server CPU per request (ms).
CPU_TARGET_MS = 15


def setting(name: str, default):
    value = os.environ.get(name, "")
    if not value:
        return default
    return [int(v) for v in value.split(",")] if isinstance(default, list) else type(default)(value)


def prepare_city(committees: int) -> dict:
    """Build the city, give its load accounts a password (production's hasher) and submit some entries."""
    build_city(committees)
    hasher = PBKDF2PasswordHasher()
    password = hasher.encode(PASSWORD, hasher.salt())
    editors, reviewers, many_outcomes = [], [], []
    periods = ReportingPeriod.objects.filter(plan__committee__organisation=CITY).select_related("plan__committee")
    for period in periods.order_by("plan__committee__pk"):
        committee = period.plan.committee
        url = f"/n/{committee.slug}/{period.slug}/ataganden/"
        for code in EDITOR_DEPARTMENTS:
            department = Department.objects.get(committee=committee, code=code)
            user = User.objects.create(username=f"red{committee.slug}-{code}", password=password)
            Membership.objects.create(user=user, committee=committee, department=department, role="editor")
            editors.append({"username": user.username, "list": url, "department": code})
        reviewer = User.objects.get(memberships__committee=committee, memberships__role="reviewer")
        User.objects.filter(pk=reviewer.pk).update(password=password)
        reviewers.append({"username": reviewer.username, "list": url})
        submit_half(period)
        heavy = (
            Commitment.objects.filter(plan=period.plan)
            .annotate(shares=Count("indicators"))
            .filter(shares__gte=MANY_OUTCOMES)
            .prefetch_related("departments")
        )
        many_outcomes += [f"{url}{c.code}/{d.code}/" for c in heavy for d in c.departments.all()]
    # Several committees from the first users on: the editors one department of each committee after the other.
    editors.sort(key=lambda e: (e["department"], len(e["username"]), e["username"]))
    return {"password": PASSWORD, "editors": editors, "reviewers": reviewers, "many_outcomes": many_outcomes}


def servers_cache(cache_url: str):
    """The cache the servers use (``CACHE_URL``, else ``REDIS_URL``), as they make it from its URL."""
    config = cache_config(cache_url)
    backend = import_string(config.pop("BACKEND"))
    return backend(config.pop("LOCATION", ""), config)


def new_plan_generation(cache_url: str) -> None:
    """
    Begin a new generation of the plan cache (``common.plan_cache``) in the servers' cache,
    for this database. The city is built with the test settings, whose cache is this process's
    memory, so the servers' Redis does not hear of it; without this, the servers would read
    what an earlier run kept there under the same database name, of a city with the same ids.
    """
    servers_cache(cache_url).delete(generation_key())


#: How the static files are gathered: as production does (its storage: hashed names and compressed
#: copies), or only their hashed names and manifest, in seconds rather than minutes (the smoke test;
#: the simulated users request no static file, the pages only name them).
STATIC_STORAGES = {
    "production": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    "manifest": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
}


def static_files(kind: str) -> Path:
    """
    Return a STATIC_ROOT with the static files gathered by collectstatic. Compressing them takes
    a minute or two, so they are kept in the temporary folder under a name made of the sources'
    names, sizes and times and gathered again only when these change (a week unused, they go).
    """
    digest = hashlib.sha256(kind.encode())
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    cache = Path(tempfile.gettempdir())
    root = cache / f"asn-bench-static-{digest.hexdigest()[:20]}"
    for old in cache.glob("asn-bench-static-*"):
        if old != root and time.time() - old.stat().st_mtime > 7 * 24 * 3600:
            shutil.rmtree(old, ignore_errors=True)
    if (root / "staticfiles.json").exists():
        root.touch()
        return root
    partial = Path(tempfile.mkdtemp(prefix="asn-bench-static-partial-", dir=cache))
    storages = settings.STORAGES | {"staticfiles": {"BACKEND": STATIC_STORAGES[kind]}}
    try:
        with override_settings(STATIC_ROOT=partial, STORAGES=storages):
            call_command("collectstatic", interactive=False, verbosity=0)
        partial.rename(root)
    except OSError:
        if not (root / "staticfiles.json").exists():  # another run gathered them at the same time
            raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
        conn.close()
        return status == 200
    except OSError:
        return False


class Processes:
    """The processes this run started, each in a session of its own, stopped together at the end."""

    def __init__(self):
        self.started: list[subprocess.Popen] = []

    def start(self, args, log: Path, env: dict) -> subprocess.Popen:
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 (our own command lines)
                args, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
            )
        self.started.append(process)
        return process

    def stop(self):
        for process in reversed(self.started):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.started):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def start_gunicorn(processes: Processes, app: str, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = processes.start(
        [PYTHON, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), app], log, env | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
    )
    return server, port


def wait_for(server: subprocess.Popen, port: int, probe: str, log: Path) -> str:
    deadline = time.monotonic() + 90
    while not answers(port, probe):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer on {probe}:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    return f"http://127.0.0.1:{port}"


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def fmt(value, spec: str = ".1f") -> str:
    return "–" if value is None else format(value, spec)


def table(results: list[dict], seconds: int) -> list[str]:
    floor = {r["users"]: r for r in results if r["kind"] == "floor"}
    header = (
        f"{'users':>5}  {'page type':<24} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'failures':>8} "
        f"{'CPU ms/req':>10} {'DB CPU ms/req':>13} {'req/s vs floor':>14}"
    )
    lines = [header, "-" * len(header)]
    for result in (r for r in results if r["kind"] == "app"):
        users, elapsed = result["users"], result["seconds"]
        for row in result["rows"]:
            if not row["requests"]:
                continue  # e.g. the logins, all before the step was measured
            lines.append(
                f"{users:>5}  {row['page']:<24} {row['requests'] / elapsed:>7.1f} {fmt(row['p50'], '.0f'):>7} "
                f"{fmt(row['p95'], '.0f'):>7} {row['failures']:>8} {fmt(row['cpu_ms']):>10} {'':>13} {'':>14}"
            )
        hello = floor.get(users)
        rps = result["requests"] / elapsed
        per_request = lambda key, r: r[key] * 1000 / r["requests"] if r["requests"] else None  # noqa: E731
        ratio = rps / (hello["requests"] / hello["seconds"]) if hello and hello["requests"] else None
        lines.append(
            f"{users:>5}  {'all pages (server)':<24} {rps:>7.1f} {fmt(result['p50'], '.0f'):>7} "
            f"{fmt(result['p95'], '.0f'):>7} {result['failures']:>8} {fmt(per_request('server_cpu_s', result)):>10} "
            f"{fmt(per_request('db_cpu_s', result)):>13} {fmt(ratio, '.2f'):>14}"
        )
        if hello:
            lines.append(
                f"{users:>5}  {'hello world (floor)':<24} {hello['requests'] / hello['seconds']:>7.1f} "
                f"{fmt(hello['p50'], '.0f'):>7} {fmt(hello['p95'], '.0f'):>7} {hello['failures']:>8} "
                f"{fmt(per_request('server_cpu_s', hello)):>10} {'':>13} {'1.00':>14}"
            )
    lines += [
        f"req/s and times over {seconds} s per step; CPU ms/req of a page type: the serving thread's CPU time",
        "(X-Bench-CPU-Ms); of 'all pages' and the floor: the gunicorn processes' CPU time (/proc, master and",
        f"workers) per request; DB CPU: the PostgreSQL backends' (/proc). Target: at most {CPU_TARGET_MS} ms server",
        "CPU per request. 'save draft (conflict)' is the honest answer to a save over a newer version, not a failure.",
    ]
    for result in results:
        for error in result["errors"]:
            lines.append(f"  {result['kind']} at {result['users']} users: {error}")
        if result.get("pending_logins"):
            lines.append(
                f"  {result['kind']} at {result['users']} users: {result['pending_logins']} new users had not yet"
                " logged in when the window began (their logins are in it)"
            )
        for error in result["errors_before"]:
            lines.append(f"  {result['kind']} at {result['users']} users, before the measured window: {error}")
    return lines


def run_load(
    *, users: list[int], seconds: int, warmup: int, committees: int, static: str = "production", server_env=None
) -> list[str]:
    """
    Build the city in the current database (it must hold the schema and no data), load it as
    the module says and return the lines to print. ``server_env`` is added to the servers'
    environment (e.g. ``GUNICORN_WORKERS``). Every process it starts is stopped when it returns.
    """
    tmp = Path(tempfile.mkdtemp(prefix="asn-load-"))
    processes = Processes()
    lines = []
    try:
        started = time.perf_counter()
        accounts = prepare_city(committees)
        new_plan_generation(os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        built = time.perf_counter() - started
        url = database_url()
        database = connection.settings_dict["NAME"]
        connection.close()
        (tmp / "accounts.json").write_text(json.dumps(accounts))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_LOAD_"))} | {
            "DJANGO_SETTINGS_MODULE": "asn.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "https://127.0.0.1",
            "DATABASE_URL": url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "SECURE_SSL_REDIRECT": "False",
            "STATIC_ROOT": str(static_files(static)),
        }
        env |= server_env or {}
        gathered = time.perf_counter() - started - built
        app, app_port = start_gunicorn(processes, "bench.wsgi:application", env, tmp / "app.log")
        floor, floor_port = start_gunicorn(processes, "bench.hello:application", env, tmp / "floor.log")
        app_host = wait_for(app, app_port, "/login/", tmp / "app.log")
        floor_host = wait_for(floor, floor_port, "/", tmp / "floor.log")
        workers = len([p for p in os.listdir("/proc") if p.isdigit() and _ppid(int(p)) == app.pid])
        lines.append(
            f"Load: {committees} committees, {len(accounts['editors'])} editors and {len(accounts['reviewers'])} "
            f"reviewers to log in; gunicorn with {workers} workers × {env.get('GUNICORN_THREADS', 4)} threads "
            f"(deploy/gunicorn.conf.py), asn.settings.prod on PostgreSQL; {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} before the run (city built in {built:.0f} s, static files gathered in "
            f"{gathered:.0f} s, servers up in {time.perf_counter() - started - built - gathered:.0f} s)"
        )
        print(lines[-1], flush=True)
        plan = {
            "users": users,
            "seconds": seconds,
            "warmup": warmup,
            "database": database,
            "servers": [
                {"kind": "app", "host": app_host, "pid": app.pid},
                {"kind": "floor", "host": floor_host, "pid": floor.pid},
            ],
        }
        (tmp / "plan.json").write_text(json.dumps(plan))
        driver = processes.start(
            [PYTHON, str(ROOT / "bench" / "locustfile.py"), str(tmp / "plan.json"), str(tmp / "results.json")],
            tmp / "locust.log",
            env | {"BENCH_LOAD_ACCOUNTS": str(tmp / "accounts.json")},
        )
        if driver.wait() != 0:
            raise RuntimeError(f"locust failed:\n{(tmp / 'locust.log').read_text()[-3000:]}")
        results = json.loads((tmp / "results.json").read_text())
        lines += table(results, seconds)
        lines.append(f"Load average after the run: {os.getloadavg()[0]:.1f}")
        for line in lines[1:]:
            print(line)
        return lines
    finally:
        # Before the database is dropped: the workers hold connections to it.
        processes.stop()
        if os.environ.get("BENCH_LOAD_KEEP"):
            print(f"Logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    # Stopped from outside (make interrupted, a timeout): stop the servers and drop the database all the same.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with throwaway_database():
        run_load(
            users=setting("BENCH_LOAD_USERS", [10, 25, 50]),
            seconds=setting("BENCH_LOAD_SECONDS", 30),
            warmup=setting("BENCH_LOAD_WARMUP", 5),
            committees=setting("BENCH_LOAD_COMMITTEES", 15),
            static=os.environ.get("BENCH_LOAD_STATIC", "production"),
        )
    return 0


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return int(file.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


if __name__ == "__main__":
    sys.exit(main())
