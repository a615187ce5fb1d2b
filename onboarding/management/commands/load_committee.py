from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding.committee_file import (
    MAX_BYTES,
    CommitteeFileError,
    committee_file_load,
    committee_file_read,
    committee_file_summary,
)


class Command(BaseCommand):
    help = (
        "Skapa eller uppdatera en nämnd från en nämndfil (JSON, se docs/committee-file.md): organisation, "
        "mandatperioder, avdelningar, skalor med nivåer, planår med perioder och användare med roller. "
        "Allt eller inget; inget tas bort; en andra körning ändrar ingenting."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="nämndfilen, t.ex. docs/examples/exempelnamnd/committee.json")
        parser.add_argument("--dry-run", action="store_true", help="visa vad som skulle ändras, utan att ändra något")

    def handle(self, *args, file, dry_run, **options):
        # The file's problems and the summary in the site's language (commands start without one).
        with translation.override(settings.LANGUAGE_CODE):
            self.load(file, dry_run)

    def load(self, file, dry_run):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("The file does not exist: %(path)s") % {"path": file})
        with path.open("rb") as f:
            content = f.read(MAX_BYTES + 1)  # a larger file is refused without reading it all
        try:
            data = committee_file_read(content)
        except CommitteeFileError as error:
            raise CommandError(str(error)) from None
        result = committee_file_load(data, dry_run=dry_run)
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "%(count)s problem in the file. Nothing has been changed.",
                    "%(count)s problems in the file. Nothing has been changed.",
                    len(result.problems),
                )
                % {"count": len(result.problems)}
            )
        for line in committee_file_summary(result):
            self.stdout.write(line)
        if not result.changed:
            self.stdout.write(_("Nothing to change: the database already holds what the file says."))
        elif dry_run:
            self.stdout.write(_("Dry run: nothing has been changed."))
        else:
            self.stdout.write(self.style.SUCCESS(_("The committee %(name)s is loaded.") % {"name": result.committee}))
        if result.without_password:
            self.stdout.write(
                _(
                    "These users have no password yet: %(users)s. Set one with "
                    "`manage.py changepassword USERNAME`, or let them sign in through single sign-on."
                )
                % {"users": ", ".join(result.without_password)}
            )
