from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commitments.models import Plan
from common.tabular import csv_bytes, xlsx_bytes
from indicators.plan_files import SHEETS
from indicators.selectors import plan_export


class Command(BaseCommand):
    help = "Exportera en nämnds plan för ett år som XLSX, eller som en CSV-fil per blad i en katalog."

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, help="nämndens slug, t.ex. asn")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--output", required=True, help="fil (xlsx) eller katalog (csv)")

    def handle(self, *args, committee, year, format, output, **options):
        try:
            plan = Plan.objects.select_related("committee").get(committee__slug=committee, year=year)
        except Plan.DoesNotExist:
            raise CommandError(f"Det finns ingen plan för {committee} {year}.") from None
        book = plan_export(plan=plan)
        out = Path(output)
        if format == "xlsx":
            out.write_bytes(xlsx_bytes(book))
        else:
            out.mkdir(parents=True, exist_ok=True)
            for sheet, data in zip(SHEETS, book.sheets(), strict=True):
                (out / f"{sheet.key}.csv").write_bytes(csv_bytes(data))
        self.stdout.write(self.style.SUCCESS(f"Planen är exporterad till {out}."))
