"""
The accessibility statement (tillgänglighetsredogörelse) that lag (2018:1937) om tillgänglighet
till digital offentlig service requires, and the problems people report through it.

The statement's facts are data, kept up to date by the committees' admins in the admin: one
statement for the whole site (one installation is one web service). Its defaults are written
for this software as it is tested (see ``DEFAULT_*``); the organisation's name and contact
details are the installation's to fill in.
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.text import PLAIN_TEXT_MAX_LENGTH, CleanTextField

# The defaults, in Swedish: they are the statement's text as published until someone edits it.
#: The organisation when none is filled in and the committees do not name one organisation.
DEFAULT_ORGANISATION = "Kommunen"
DEFAULT_SHORTCOMINGS = "\n".join(
    [
        "Administrationsdelen (Hantera planen) bygger på Djangos standardgränssnitt för administration. "
        "Bara en del av dess sidor testas automatiskt med axe-core.",
        "Dokumenten som tjänsten skapar (PDF och Word) kontrolleras inte automatiskt mot kraven på "
        "tillgängliga dokument. Samma innehåll finns också som webbsida.",
    ]
)
DEFAULT_TEST_METHOD = "\n".join(
    [
        "Vi testar tjänsten automatiskt med verktyget axe-core varje gång programkoden ändras: varje sida "
        "kontrolleras för fyra roller (läsare, redaktör, granskare och administratör), och en ändring godtas "
        "inte om axe-core hittar allvarliga eller kritiska brister.",
        "Vi testar också för hand: att allt går att nå och använda med enbart tangentbord, och att sidorna "
        "går att använda med skärmläsare.",
        "Granskningen är en självskattning (intern testning), inte en granskning av en extern part.",
    ]
)
#: The date of the review behind the defaults: the tests as they stood when the statement was written.
DEFAULT_REVIEWED_ON = datetime.date(2026, 11, 30)
DEFAULT_RESPONSE_DAYS = 10


def default_reviewed_on() -> datetime.date:
    return DEFAULT_REVIEWED_ON


def lines(text: str) -> list[str]:
    """The non-empty lines of ``text``, without a leading list mark ("- ", "* ", "• ")."""
    return [line.strip().lstrip("-*•").strip() for line in (text or "").splitlines() if line.strip(" -*•\t")]


class AccessibilityStatement(models.Model):
    """The site's one accessibility statement (its row has pk 1), in the words of Digg's model."""

    class Conformance(models.TextChoices):
        # The law's three words: "helt, delvis eller inte förenlig".
        FULL = "full", _("fully compliant")
        PARTIAL = "partial", _("partially compliant")
        NONE = "none", _("not compliant")

    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_(
            "The public body behind the service, as the statement names it (e.g. the municipality). "
            "Leave it empty to use the committees' organisation."
        ),
    )
    conformance = models.CharField(
        _("compliance with the law"),
        max_length=10,
        choices=Conformance,
        default=Conformance.PARTIAL,
        help_text=_("Fully compliant only if no known shortcoming remains."),
    )
    shortcomings = CleanTextField(
        _("content that is not accessible"),
        max_length=PLAIN_TEXT_MAX_LENGTH,
        blank=True,
        default=DEFAULT_SHORTCOMINGS,
        help_text=_("One shortcoming a line: what does not work, for whom, why, and what to use instead."),
    )
    exempt_content = CleanTextField(
        _("content outside the law's requirements"),
        max_length=PLAIN_TEXT_MAX_LENGTH,
        blank=True,
        default="",
        help_text=_(
            "Content the law does not cover (9 §) or exempted as a disproportionate burden (12 §), "
            "one item a line with the reason. Leave empty if there is none."
        ),
    )
    test_method = CleanTextField(
        _("how the service was tested"),
        max_length=PLAIN_TEXT_MAX_LENGTH,
        default=DEFAULT_TEST_METHOD,
        help_text=_("One paragraph a line."),
    )
    reviewed_on = models.DateField(
        _("date of the last review"),
        default=default_reviewed_on,
        help_text=_("When the service's accessibility was last assessed."),
    )
    updated_on = models.DateField(_("statement last updated"), auto_now=True)
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Where people can write about accessibility problems.")
    )
    contact_phone = models.CharField(_("contact telephone"), max_length=50, blank=True)
    response_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"),
        default=DEFAULT_RESPONSE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How soon someone who reports a problem normally gets an answer."),
    )

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statement")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="accessibility_statement_single")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name).capitalize()

    def save(self, *args, **kwargs):
        self.pk = 1  # the one statement
        super().save(*args, **kwargs)

    @property
    def shortcoming_list(self) -> list[str]:
        return lines(self.shortcomings)

    @property
    def exempt_list(self) -> list[str]:
        return lines(self.exempt_content)

    @property
    def test_method_paragraphs(self) -> list[str]:
        return lines(self.test_method)


class AccessibilityReport(models.Model):
    """A problem someone reported with the form on the statement's page (logged in or not)."""

    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    page = models.CharField(_("page or part of the service"), max_length=500, blank=True)
    description = CleanTextField(_("description"), max_length=PLAIN_TEXT_MAX_LENGTH)
    #: A keyed hash of the sender's address, to cap how many reports one address sends an
    #: hour without keeping the address itself.
    client = models.CharField(max_length=64, db_index=True, editable=False)
    mailed_at = models.DateTimeField(_("e-mailed to the admins"), null=True, blank=True, editable=False)
    handled = models.BooleanField(_("handled"), default=False)
    note = CleanTextField(
        _("note"),
        max_length=PLAIN_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("What was done or answered (for the admins only)."),
    )

    class Meta:
        verbose_name = _("reported accessibility problem")
        verbose_name_plural = _("reported accessibility problems")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.page or self.description[:60]
