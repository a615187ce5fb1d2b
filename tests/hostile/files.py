"""
Hostile files for the import limits, made cheaply (the XML written by hand and streamed into
the zip, so that a file that unpacks to 800 MB costs the test neither the memory nor the
disk), and a runner that reads one in a separate process under a memory limit and a time
limit, measuring its time and peak memory.
"""

import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
ROOT = Path(__file__).resolve().parents[2]

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""


def _workbook(sheet: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>"""


def _stream(archive: zipfile.ZipFile, name: str, chunks) -> None:
    """Write a zip member from an iterable of str chunks, never holding the whole member."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as member:
        for chunk in chunks:
            member.write(chunk.encode())


def write_xlsx(path: Path, *, sheet: str, sheet_xml, shared_strings_xml=("<sst xmlns='" + MAIN + "'/>",)) -> Path:
    """
    Write a workbook of one sheet titled ``sheet``: ``sheet_xml`` and ``shared_strings_xml``
    are iterables of str chunks, deflated as they come.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook(sheet))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _stream(archive, "xl/worksheets/sheet1.xml", sheet_xml)
        _stream(archive, "xl/sharedStrings.xml", shared_strings_xml)
    return path


def wide_sheet_xml(rows: int, columns: int, *, declared: bool = True):
    """
    A sheet of ``rows`` × ``columns`` (16 384 is Excel's last column, XFD), as Excel writes
    a sheet with a value in its last column on every row: a header, then per row a code in
    A and a number in the last column. ``declared=False`` leaves out the ``<dimension>``.
    """
    from openpyxl.utils import get_column_letter

    last = get_column_letter(columns)
    yield f'<worksheet xmlns="{MAIN}">'
    if declared:
        yield f'<dimension ref="A1:{last}{rows}"/>'
    yield '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>kod</t></is></c></row>'
    for r in range(2, rows + 1):
        yield f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>M{r}</t></is></c><c r="{last}{r}"><v>{r}</v></c></row>'
    yield "</sheetData></worksheet>"


def huge_cell_xml(chars: int):
    """A sheet whose cell A1 is the only shared string, of ``chars`` characters."""
    return (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
    )


def huge_shared_string_xml(chars: int):
    yield f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'
    block = "x" * (1024 * 1024)
    for _ in range(chars // len(block)):
        yield block
    yield "x" * (chars % len(block))
    yield "</t></si></sst>"


def many_shared_strings_xml(count: int, *, declared: int | None = None, different: bool = True):
    """
    ``count`` shared strings, different (numbers) or all "x" (which packs a thousandfold);
    the ``<sst>`` declares ``declared`` of them (the truth unless told).
    """
    declared = count if declared is None else declared
    yield f'<sst xmlns="{MAIN}" count="{declared}" uniqueCount="{declared}">'
    batch = 10_000
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        yield "".join(f"<si><t>{i if different else 'x'}</t></si>" for i in numbers)
    yield "</sst>"


def first_string_sheet_xml():
    return (
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
    )


def write_big_csv(path: Path, size: int) -> Path:
    """A plan CSV (mal.csv) of at least ``size`` bytes: the demo's columns, goals with long texts."""
    header = "år,kod,målområde,nivå,text,förslagstext,ny,alternativtext,not,ordning\n"
    text = "Arbetsmarknads- och socialnämnden ska utveckla dialogen med Malmöborna. " * 400
    with path.open("w", encoding="utf-8") as f:
        f.write(header)
        written, n = len(header), 0
        while written < size:
            n += 1
            line = f'2019,X{n:05d},MO1,nämndsmål,"{text}",,nej,,,{100 + n}\n'
            f.write(line)
            written += len(line.encode())
    return path


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str
    seconds: float
    peak_mb: float  # the process's ru_maxrss
    killed: bool  # by the time limit

    def __str__(self) -> str:
        return f"exit {self.returncode}, {self.seconds:.2f} s, peak {self.peak_mb:.0f} MB" + (
            " (killed at the time limit)" if self.killed else ""
        )


def database_url(settings_dict: dict) -> str:
    return "postgres://{}:{}@{}:{}/{}".format(
        *(quote(str(settings_dict[k] or ""), safe="") for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME"))
    )


def run_limited(args: list[str], *, env: dict, memory_mb: int = 600, timeout: float = 60) -> Run:
    """
    Run ``args`` in a process limited to ``memory_mb`` of address space and ``timeout``
    seconds (killed then); return its exit, output, time and peak memory.
    """

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))

    log = Path(env["HOSTILE_LOG"])
    with log.open("wb") as out:
        start = time.monotonic()
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, preexec_fn=limit)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - start
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    return Run(process.returncode, log.read_text(errors="replace"), seconds, usage.ru_maxrss / 1024, killed.is_set())


def child_env(settings_dict: dict, tmp_path: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "asn.settings.test",
        "DATABASE_URL": database_url(settings_dict),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "HOSTILE_LOG": str(tmp_path / "child.log"),
        "AXES_ENABLED": "false",
    }


def import_plan_command(path: Path) -> list[str]:
    return [sys.executable, "manage.py", "import_plan", str(path), "--committee", "asn", "--year", "2019", "--dry-run"]


def admin_upload_command(path: Path, name: str) -> list[str]:
    """Upload ``path`` as ``name`` to the plan's import page of the admin, as the committee's admin."""
    return [
        sys.executable,
        "-c",
        "from tests.hostile.files import admin_upload_main; admin_upload_main()",
        str(path),
        name,
    ]


def admin_upload_main() -> None:
    """
    In the child process: post the file to the plan import page through Django's WSGI
    handler, the request body streamed from disk as a server streams it (not built in
    memory by the test client); print the status, the session's size and the page's errors.
    """
    import django

    django.setup()
    from django.contrib.sessions.models import Session
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from commitments.models import Plan

    path, name = Path(sys.argv[1]), sys.argv[2]
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    plan = Plan.objects.get(committee__slug="asn", year=2019)
    url = reverse("admin:commitments_plan_import", args=[plan.pk])
    boundary = "hostileboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = path.with_suffix(path.suffix + ".body")
    with body.open("wb") as out:
        out.write(head)
        with path.open("rb") as f:
            while chunk := f.read(1024 * 1024):
                out.write(chunk)
        out.write(tail)
    with body.open("rb") as stream:
        environ = client._base_environ(
            PATH_INFO=url,
            REQUEST_METHOD="POST",
            CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
            CONTENT_LENGTH=str(body.stat().st_size),
            **{"wsgi.input": stream},
        )
        response = client.handler(environ)
    body.unlink()
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    page = response.content.decode()
    lists = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', page, re.S)
    errors = [re.sub(r"<[^>]+>", " ", e).strip() for e in lists]
    report = {
        "status": response.status_code,
        "session_bytes": len(session.session_data),
        "errors": errors,
        "preview": 'id="preview-heading"' in page,
    }
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
