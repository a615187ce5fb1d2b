from django.core.management.base import BaseCommand, CommandError

from kolada.client import KoladaError
from kolada.services import kpi_catalogue_refresh


class Command(BaseCommand):
    help = "Kopiera Koladas förteckning över nyckeltal (som söndagsnatten gör), för sökningen i admin."

    def handle(self, *args, **options):
        try:
            count = kpi_catalogue_refresh()
        except KoladaError as error:
            raise CommandError(f"Förteckningen kunde inte läsas; ingenting ändrades: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"{count} nyckeltal i förteckningen."))
