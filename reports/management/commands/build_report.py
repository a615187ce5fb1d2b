from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.assembly import KINDS, report_document
from reports.management.periods import period_named
from reports.models import ReportFormat
from reports.renderers import render

FORMATS = ReportFormat.values


class Command(BaseCommand):
    help = "Bygg en rapport för en nämnd och period som en fil (HTML, Word eller PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, help="nämndens slug, t.ex. asn")
        parser.add_argument("--period", required=True, help="periodens slug, t.ex. 2019-jan-aug")
        parser.add_argument("--kind", required=True, help=f"rapportens slag: {', '.join(KINDS)}")
        parser.add_argument("--format", required=True, help=f"format: {', '.join(FORMATS)}")
        parser.add_argument("--output", required=True, help="filen som skrivs")
        parser.add_argument("--draft", action="store_true", help="ta med det som inte är godkänt (märks Utkast)")

    def handle(self, *args, committee, period, kind, format, output, draft, **options):
        if kind not in KINDS:
            raise CommandError(f"Okänt rapportslag: {kind}. Välj bland: {', '.join(KINDS)}.")
        if format not in FORMATS:
            raise CommandError(f"Okänt format: {format}. Välj bland: {', '.join(FORMATS)}.")
        found = period_named(committee, period)
        document = report_document(period=found, kind=kind, draft=draft)
        Path(output).write_bytes(render(document, format))
        self.stdout.write(self.style.SUCCESS(f"Rapporten är skriven till {output}."))
