from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commitments.models import ReportingPeriod
from reports.assembly import KINDS, report_document
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
        found = ReportingPeriod.objects.select_related("plan__committee").filter(
            plan__committee__slug=committee, slug=period
        )
        if not found.exists():
            if not ReportingPeriod.objects.filter(plan__committee__slug=committee).exists():
                raise CommandError(f"Nämnden finns inte eller har inga perioder: {committee}")
            raise CommandError(f"Perioden finns inte för {committee}: {period}")
        document = report_document(period=found.get(), kind=kind, draft=draft)
        Path(output).write_bytes(render(document, format))
        self.stdout.write(self.style.SUCCESS(f"Rapporten är skriven till {output}."))
