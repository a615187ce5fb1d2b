from django.core.management.base import BaseCommand, CommandError

from commitments.models import Committee
from indicators.plan_files import PlanFileError, read_paths, read_plan_files
from indicators.services import plan_import


class Command(BaseCommand):
    help = (
        "Importera en nämnds plan för ett år från en XLSX-fil, eller från CSV-filer (en per blad, "
        "eller en katalog med dem). Allt eller inget: en felaktig rad gör att inget ändras."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--committee", required=True, help="nämndens slug, t.ex. asn")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--dry-run", action="store_true", help="kontrollera utan att ändra något")

    def handle(self, *args, files, committee, year, dry_run, **options):
        try:
            committee_obj = Committee.objects.get(slug=committee)
        except Committee.DoesNotExist:
            raise CommandError(f"Nämnden finns inte: {committee}") from None
        try:
            datasets = read_plan_files(read_paths(files))
        except PlanFileError as e:
            raise CommandError(str(e)) from None
        result = plan_import(user=None, committee=committee_obj, year=year, datasets=datasets, dry_run=dry_run)
        for sheet in result.sheets:
            self.stdout.write(
                f"{sheet.title}: {len(sheet.new)} nya, {len(sheet.updated)} ändrade, {sheet.unchanged} oförändrade"
            )
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} fel i filen. Ingenting har ändrats.")
        if dry_run:
            self.stdout.write("Provkörning: ingenting har ändrats.")
        else:
            self.stdout.write(self.style.SUCCESS("Planen är importerad."))
