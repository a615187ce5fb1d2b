"""
Time the committee document for the demo: ``python -m bench.reports`` (part of ``make bench``).

Loads the demo into a throwaway PostgreSQL database and prints the time to read the report
(the assembly) and to render it as HTML, DOCX and PDF, beyond Django's start-up, and
WeasyPrint's own time on the finished HTML (the floor for our PDF time); then the same
renderings of a document with ten times the demo's chapters, to show how time grows.
"""

import copy
import io
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asn.settings.test")
django.setup()

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.database import throwaway_database
from commitments.models import ReportingPeriod
from reports.assembly import follow_up_document, report_document
from reports.renderers.docx import render_docx
from reports.renderers.html import render_html
from reports.renderers.pdf import render_pdf
from reports.renderers.stylesheets import document_css

RUNS = 5
TIMES = 10


def timed(function, runs: int = RUNS) -> float:
    """Return the median seconds of ``function`` over ``runs`` calls, after one warm-up."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def enlarged(document, times: int = TIMES):
    """The demo document with its goal chapters repeated ``times`` times, numbered on."""
    bigger = copy.deepcopy(document)
    chapters = document.sections[1:]
    bigger.sections = document.sections[:1]
    for _ in range(times):
        for chapter in chapters:
            section = copy.deepcopy(chapter)
            section.number = str(len(bigger.sections) + 1)
            bigger.sections.append(section)
    return bigger


def render_figures(document) -> list[tuple[str, float]]:
    from weasyprint import HTML

    html = render_html(document, stylesheet=document_css())
    return [
        ("HTML", timed(lambda: render_html(document))),
        ("DOCX", timed(lambda: render_docx(document))),
        ("PDF (ours)", timed(lambda: render_pdf(document), runs=3)),
        ("PDF (WeasyPrint alone)", timed(lambda: HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"), runs=3)),
    ]


def main() -> int:
    with throwaway_database():
        call_command("load_demo", password="bench-pass-123", stdout=io.StringIO())
        period = ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-jan-aug")
        with CaptureQueriesContext(connection) as queries:
            document = follow_up_document(period=period)
        read = timed(lambda: follow_up_document(period=period))
        base = render_figures(document)
        big = enlarged(document)
        large = render_figures(big)
        print(f"Demo report ataganden 2019-jan-aug: {len(document.sections)} sections, {len(queries)} queries to read")
        print(f"{'':<26} {'demo':>9} {f'{TIMES}× chapters':>14} {'ratio':>7}")
        print(f"{'read (assembly)':<26} {read:>8.3f}s")
        for (name, seconds), (_name, big_seconds) in zip(base, large, strict=True):
            print(f"{name:<26} {seconds:>8.3f}s {big_seconds:>13.3f}s {big_seconds / seconds:>6.1f}×")
        ours, floor = base[2][1], base[3][1]
        print(f"PDF ours / WeasyPrint alone: {ours / floor:.2f} (demo), {large[2][1] / large[3][1]:.2f} ({TIMES}×)")
        # The other kinds of document, from the demo's 2019 plan and 2024 årsanalys.
        for kind, slug in (("namndsbudget", "2019-helar"), ("arsanalys", "2024-helar")):
            other = ReportingPeriod.objects.select_related("plan__committee").get(slug=slug)
            with CaptureQueriesContext(connection) as queries:
                document = report_document(period=other, kind=kind)
            read = timed(lambda other=other, kind=kind: report_document(period=other, kind=kind))
            figures = [("read (assembly)", read), *render_figures(document)]
            print(f"Demo report {kind} {slug}: {len(queries)} queries to read; "
                  + ", ".join(f"{name} {seconds:.3f}s" for name, seconds in figures))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
