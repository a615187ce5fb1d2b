"""
What is kept of Kolada: the KPI catalogue (a local copy to search), the values fetched for
linked indicators (proposed outcomes), and each fetch with what went wrong.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from commitments.models import BaseModel, Committee
from indicators.models import Indicator

FIGURES = ("value", "value_female", "value_male")


class Kpi(models.Model):
    """One KPI of Kolada's catalogue, as last read (refreshed weekly)."""

    id = models.CharField(_("id"), max_length=6, primary_key=True)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    is_divided_by_gender = models.BooleanField(_("divided by gender"), default=False)
    municipality_type = models.CharField(_("municipality type"), max_length=2, blank=True)
    has_ou_data = models.BooleanField(_("has data of organisational units"), default=False)
    refreshed_at = models.DateTimeField(_("read"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("Kolada KPI")
        verbose_name_plural = _("Kolada KPIs")

    def __str__(self) -> str:
        return f"{self.id} {self.title}"


class Proposal(BaseModel):
    """
    Kolada's value of a linked indicator's KPI for its committee's municipality (or unit) and a
    year: the proposed outcome, which the departments that report the indicator confirm by
    saving it as their outcome (through the one workflow). Never an outcome itself.

    When Kolada revises the value, the one before stays in ``previous_*`` with the time of the
    revision, so that pages can show the difference.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="kolada_proposals", verbose_name=_("indicator")
    )
    year = models.PositiveIntegerField(_("year"))
    kpi = models.CharField(_("Kolada KPI"), max_length=6)
    area = models.CharField(_("municipality or unit"), max_length=20)
    value = models.DecimalField(_("total"), max_digits=16, decimal_places=4, null=True, blank=True)
    value_female = models.DecimalField(_("women"), max_digits=16, decimal_places=4, null=True, blank=True)
    value_male = models.DecimalField(_("men"), max_digits=16, decimal_places=4, null=True, blank=True)
    #: Kolada's status of the total ("" when none; e.g. a preliminary value).
    status = models.CharField(_("Kolada's status"), max_length=100, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))
    previous_value = models.DecimalField(_("total before"), max_digits=16, decimal_places=4, null=True, blank=True)
    previous_value_female = models.DecimalField(
        _("women before"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    previous_value_male = models.DecimalField(_("men before"), max_digits=16, decimal_places=4, null=True, blank=True)
    revised_at = models.DateTimeField(_("revised"), null=True, blank=True)

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("value from Kolada")
        verbose_name_plural = _("values from Kolada")
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="kolada_proposal_unique_year")]

    def __str__(self) -> str:
        return f"{self.kpi} {self.area} {self.year}"

    def figures(self) -> tuple:
        return tuple(getattr(self, name) for name in FIGURES)

    def previous_figures(self) -> tuple | None:
        """The figures before Kolada's last revision, or None if it has made none."""
        return tuple(getattr(self, f"previous_{name}") for name in FIGURES) if self.revised_at else None


class Fetch(BaseModel):
    """One fetch of a committee's linked indicators, nightly or by hand: what changed and what went wrong."""

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("nightly")
        MANUAL = "manual", _("by hand")

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="kolada_fetches", verbose_name=_("committee")
    )
    trigger = models.CharField(_("started"), max_length=10, choices=Trigger.choices)
    years = models.CharField(_("years"), max_length=100)
    #: False: Kolada could not be read at all, and nothing was written.
    ok = models.BooleanField(_("read"), default=True)
    error = models.TextField(_("error"), blank=True)
    #: What was missing or unknown: [{"indicator": code, "kpi": id, "year": n, "message": text}].
    problems = models.JSONField(_("problems"), default=list, blank=True)
    new = models.PositiveIntegerField(_("new values"), default=0)
    revised = models.PositiveIntegerField(_("revised values"), default=0)
    requests = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("fetch from Kolada")
        verbose_name_plural = _("fetches from Kolada")
        indexes = [models.Index(fields=["committee", "-created_at"], name="kolada_fetch_latest")]

    def __str__(self) -> str:
        return f"{self.committee} {self.created_at:%Y-%m-%d %H:%M}"
