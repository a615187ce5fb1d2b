import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from reports.adoption import report_adopt
from reports.management.periods import period_named
from reports.models import AdoptedEdition, ReportKind

KINDS = ReportKind.values


class Command(BaseCommand):
    help = (
        "Anta en upplaga av en rapport: nämndens beslut om periodens aktuella bygge (sammanträdesdatum, § och "
        "diarienummer). Upplagan fryses och publiceras utan inloggning."
    )

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, help="nämndens slug, t.ex. asn")
        parser.add_argument("--period", required=True, help="periodens slug, t.ex. 2019-jan-aug")
        parser.add_argument("--kind", required=True, help=f"rapportens slag: {', '.join(KINDS)}")
        parser.add_argument("--decided", required=True, help="sammanträdets datum, ÅÅÅÅ-MM-DD")
        parser.add_argument("--paragraph", required=True, help='paragrafen i protokollet, t.ex. "§ 187"')
        parser.add_argument("--diarienummer", required=True, help="ärendets diarienummer, t.ex. ASN-2019-1234")
        parser.add_argument(
            "--by", default=None,
            help="användarnamnet på den nämndadministratör som registrerar beslutet (hamnar i loggen); "
                 "utan det registreras det av driften",
        )  # fmt: skip

    def handle(self, *args, committee, period, kind, decided, paragraph, diarienummer, by, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self._adopt(committee, period, kind, decided, paragraph, diarienummer, by)

    def _adopt(self, committee, period, kind, decided, paragraph, diarienummer, by):
        if kind not in KINDS:
            raise CommandError(f"Okänt rapportslag: {kind}. Välj bland: {', '.join(KINDS)}.")
        try:
            decided_on = datetime.date.fromisoformat(decided)
        except ValueError:
            raise CommandError(f"Datumet ska skrivas ÅÅÅÅ-MM-DD: {decided}") from None
        found = period_named(committee, period)
        user = None
        if by is not None:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"Användaren finns inte: {by}")
        try:
            edition = report_adopt(
                user=user, period=found, kind=kind, decided_on=decided_on, paragraph=paragraph,
                diarienummer=diarienummer,
            )  # fmt: skip
        except PermissionDenied:
            raise CommandError(f"{by} är inte nämndadministratör för {committee} och får inte anta.") from None
        except ValidationError as error:
            raise CommandError("Upplagan antogs inte: " + " ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Upplagan är antagen: {edition.decision}."))
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"Publicerad på {site}{reverse('public:edition', args=[committee, period, kind])}")
        for fmt, _label, _type in AdoptedEdition.FORMATS:
            self.stdout.write(f"  {fmt}: {site}{reverse('public:file', args=[committee, period, kind, fmt])}")
            self.stdout.write(f"    varaktig adress: {site}{reverse('public:permanent_file', args=[edition.pk, fmt])}")
