from django.core.management.base import BaseCommand, CommandError

from commitments.models import Committee
from kolada.models import Fetch
from kolada.selectors import shown_figure
from kolada.services import kolada_fetch


def _shown(figures) -> str:
    total, women, men = (shown_figure(f) or "–" for f in figures)
    return total if (women, men) == ("–", "–") else f"{total} (kvinnor {women}, män {men})"


class Command(BaseCommand):
    help = (
        "Hämta Koladas värden för en nämnds indikatorer som är kopplade till Kolada (som natten gör) och "
        "skriv ut vad som ändras. Utan --year: åren med öppna perioder."
    )

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, help="nämndens slug, t.ex. asn")
        parser.add_argument("--year", type=int, action="append", help="planens år (kan ges flera gånger)")
        parser.add_argument("--dry-run", action="store_true", help="läs Kolada men spara ingenting")

    def handle(self, *args, committee, year, dry_run, **options):
        try:
            found = Committee.objects.get(slug=committee)
        except Committee.DoesNotExist:
            raise CommandError(f"Det finns ingen nämnd {committee}.") from None
        result = kolada_fetch(committee=found, years=year, trigger=Fetch.Trigger.MANUAL, dry_run=dry_run)
        for change in result.changes:
            if change.revised:
                line = (f"{change.indicator} {change.year} ({change.kpi}): reviderat {_shown(change.before)} "
                        f"→ {_shown(change.after)}")  # fmt: skip
            else:
                line = f"{change.indicator} {change.year} ({change.kpi}): nytt värde {_shown(change.after)}"
            if change.status:
                line += f" [status: {change.status}]"
            self.stdout.write(line)
        for problem in result.problems:
            self.stdout.write(f"{problem['indicator']}: {problem['message']}")
        if result.error:
            raise CommandError(f"Ingenting hämtades: {result.error}")
        revised = sum(1 for c in result.changes if c.revised)
        summary = (f"{'Skulle spara' if dry_run else 'Sparade'} {len(result.changes) - revised} nya och {revised} "
                   f"reviderade värden; {result.unchanged} oförändrade; {len(result.problems)} problem; "
                   f"{result.requests} anrop till Kolada.")  # fmt: skip
        if dry_run:
            summary += " Torrkörning: ingenting sparades."
        self.stdout.write(self.style.SUCCESS(summary))
