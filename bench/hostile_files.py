"""
Time and peak memory of each hostile file (tests/hostile/files.py) through the paths a user
takes: the plan's admin upload (with the admin's session size and the time of their next
requests), ``manage.py import_plan --dry-run`` and, for the committee file, ``manage.py
load_committee --dry-run``; each in a child process bounded by RLIMIT_AS and a time limit.

    DATABASE_URL=postgres://…/db_with_the_demo python -m bench.hostile_files [--tree PATH]
        [--out results.json] [--only KIND] [--limit-mb 3072] [--timeout 150]

``--tree`` is the checkout whose code is measured (this one by default; an older worktree to
measure "before"); its database (``DATABASE_URL``) must hold the demo (``manage.py migrate``
and ``manage.py load_demo --password …`` in that tree). The files are made once, from this
checkout's generators, in ``BENCH_HOSTILE_DIR`` (a temporary folder by default); they take
about 60 MB. Prints one JSON line per file and path. Not a test: figures (issue 15's note).
"""

import argparse
import json
import os
import resource
import subprocess
import tempfile
import threading
import time
from pathlib import Path

FILES = Path(os.environ.get("BENCH_HOSTILE_DIR", Path(tempfile.gettempdir()) / "asn-hostile-files"))
MB = 1024 * 1024

# The child for the admin upload: post the file (streamed body) as the committee's admin, then
# time three later requests of the same admin (the session is read on each).
UPLOAD = r"""
import json, re, sys, time
from pathlib import Path
import django
django.setup()
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from accounts.models import User
from commitments.models import Plan
path, name, folder = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
client = Client()
client.force_login(User.objects.get(username="admin"))
plan = Plan.objects.get(committee__slug="asn", year=2019)
url = reverse("admin:commitments_plan_import", args=[plan.pk])
b = "hostileboundary"
head = (f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n").encode()
body = folder / f"body-{time.time()}"
with body.open("wb") as out:
    out.write(head)
    with path.open("rb") as f:
        while chunk := f.read(MB := 1024 * 1024):
            out.write(chunk)
    out.write(f"\r\n--{b}--\r\n".encode())
start = time.monotonic()
with body.open("rb") as stream:
    environ = client._base_environ(PATH_INFO=url, REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={b}", CONTENT_LENGTH=str(body.stat().st_size),
        **{"wsgi.input": stream})
    response = client.handler(environ)
upload_s = time.monotonic() - start
body.unlink()
session = Session.objects.get(session_key=client.cookies["sessionid"].value)
page = response.content.decode()
errors = [re.sub(r"<[^>]+>", " ", e).strip() for e in re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', page, re.S)]
later = []
for _ in range(3):
    t = time.monotonic(); client.get(reverse("admin:index")); later.append(time.monotonic() - t)
print(json.dumps({"status": response.status_code, "upload_s": round(upload_s, 2),
    "session_bytes": len(session.session_data), "errors": [e[:160] for e in errors][:3],
    "preview": 'id="preview-heading"' in page, "later_request_s": round(sorted(later)[1], 3)}, ensure_ascii=False))
"""


def run(args, *, cwd, env, limit_mb, timeout):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * MB, limit_mb * MB))

    start = time.monotonic()
    p = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=limit)  # noqa: S603 (our own command lines)
    killed = threading.Event()
    timer = threading.Timer(timeout, lambda: (killed.set(), p.kill()))
    timer.start()
    out = p.stdout.read()
    _pid, status, usage = os.wait4(p.pid, 0)
    timer.cancel()
    seconds = time.monotonic() - start
    text = out.decode(errors="replace")
    tail = [line for line in text.strip().splitlines() if line.strip()][-3:]
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "seconds": round(seconds, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "killed": killed.is_set(),
        "memory_error": "MemoryError" in text,
        "tail": [t[:300] for t in tail],
    }


def make_files():
    from tests.hostile import files as h

    FILES.mkdir(exist_ok=True)
    made = {
        "wide": lambda p: h.write_xlsx(p, sheet="Mål", sheet_xml=h.wide_sheet_xml(5000, 16384)),
        "huge cell": lambda p: h.write_xlsx(
            p, sheet="Mål", sheet_xml=h.huge_cell_xml(0), shared_strings_xml=h.huge_shared_string_xml(800 * MB)
        ),
        "shared strings": lambda p: h.write_xlsx(
            p,
            sheet="Mål",
            sheet_xml=h.first_string_sheet_xml(),
            shared_strings_xml=h.many_shared_strings_xml(20_000_000, different=False),
        ),
        "52 MB CSV": lambda p: h.write_big_csv(p, 52 * MB),
    }
    names = {"wide": "wide.xlsx", "huge cell": "cell.xlsx", "shared strings": "strings.xlsx", "52 MB CSV": "mal.csv"}
    paths = {}
    for kind, make in made.items():
        path = FILES / names[kind]
        if not path.exists():
            make(path)
        paths[kind] = path
    committee = FILES / "committee.json"  # 2 MB of empty objects, just under load_committee's 2 MB limit
    if not committee.exists():
        n = (2 * MB - 100) // 3
        committee.write_bytes(
            b'{"committee": {"name": "X", "slug": "x"}, "departments": [' + b",".join([b"{}"] * n) + b"]}"
        )
    paths["committee file"] = committee
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--out", default="")
    parser.add_argument("--limit-mb", type=int, default=3072)
    parser.add_argument("--timeout", type=float, default=150)
    parser.add_argument(
        "--only", default="", help="one kind: wide, huge cell, shared strings, 52 MB CSV, committee file"
    )
    a = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("DATABASE_URL must name a database with the demo loaded")
    paths = make_files()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "asn.settings.test",
        "MEDIA_ROOT": str(FILES / "media"),
        "AXES_ENABLED": "false",
    }
    py = str(Path(a.tree) / ".venv" / "bin" / "python")
    results = []
    for kind, path in paths.items():
        if a.only and kind != a.only:
            continue
        size = path.stat().st_size
        if kind == "committee file":
            ways = {"load_committee": [py, "manage.py", "load_committee", str(path), "--dry-run"]}
        else:
            name = "mal.csv" if path.suffix == ".csv" else "plan.xlsx"
            ways = {
                "admin upload": [py, "-c", UPLOAD, str(path), name, str(FILES)],
                "import_plan": [
                    py,
                    "manage.py",
                    "import_plan",
                    str(path),
                    "--committee",
                    "asn",
                    "--year",
                    "2019",
                    "--dry-run",
                ],
            }
        for way, args in ways.items():
            r = run(args, cwd=a.tree, env=env, limit_mb=a.limit_mb, timeout=a.timeout)
            r.update(kind=kind, way=way, file_mb=round(size / MB, 2))
            print(json.dumps(r, ensure_ascii=False), flush=True)
            results.append(r)
            if a.out:
                Path(a.out).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
