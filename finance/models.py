"""
The finance tables of a period's document (the årsanalys's "Ekonomisk utveckling under
året", "Resultaträkning" and "Riktade statsbidrag och övriga bidrag"), as typed rows.

Every amount is a whole number of tkr (thousands of kronor), signed as the document prints
it, and None where the document shows "-". A table's total rows hold the totals the file
states; the selector computes its own and flags a difference of more than 1 tkr (the
documents round from kronor, so ±1 is normal). All rows of a period hang on one
``FinanceReport``, which an import replaces as a whole.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commitments.models import BaseModel, Department, ReportingPeriod, code_validator


class RowKind(models.TextChoices):
    """How a row takes part in its table's totals."""

    NORMAL = "normal", _("row")
    #: A part of the row above it (e.g. a sub-area of an operational area): shown, not summed.
    SUB = "sub", _("sub-row")
    #: A total stated in the file; compared with the computed one.
    TOTAL = "total", _("total")


class FinanceReport(BaseModel):
    """The finance tables of one reporting period, as the last import left them."""

    period = models.OneToOneField(
        ReportingPeriod, on_delete=models.CASCADE, related_name="finance", verbose_name=_("reporting period")
    )
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    #: A digest of the imported content: a file that matches it changes nothing.
    digest = models.CharField(_("digest"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        ordering = ["-period__end"]
        verbose_name = _("finance tables")
        verbose_name_plural = _("finance tables")

    def __str__(self) -> str:
        return str(self.period)


class FinanceRow(models.Model):
    """Abstract base of a table row: its place in the file, its kind and its label as printed."""

    sort_order = models.PositiveIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=RowKind.choices, default=RowKind.NORMAL)
    label = models.CharField(_("label"), max_length=500)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label


def amount_field(verbose_name) -> models.BigIntegerField:
    return models.BigIntegerField(verbose_name, null=True, blank=True)


def operational_area_field() -> models.ForeignKey:
    return models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Department.Kind.OPERATIONAL_AREA},
        verbose_name=_("operational area"),
    )


class AreaResult(FinanceRow):
    """A row of "Budgetavvikelse per verksamhetsområde": Kommunbidrag | Utfall budgetavvikelse."""

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="area_results")
    operational_area = operational_area_field()
    municipal_grant = amount_field(_("municipal grant"))
    budget_deviation = amount_field(_("budget deviation"))

    class Meta:
        ordering = ["report", "sort_order"]
        verbose_name = _("result per operational area")
        verbose_name_plural = _("results per operational area")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "operational_area"],
                condition=Q(kind="normal"),
                name="area_result_one_row_per_area",
            ),
        ]


class OperatingBudgetLine(FinanceRow):
    """A row of "Driftbudget": Utfall | Prognos DR | Förändring."""

    class Line(models.TextChoices):
        NET_COST = "nettokostnad", _("net cost")
        MUNICIPAL_GRANT = "kommunbidrag", _("municipal grant")
        RESULT = "resultat", _("result (budget deviation)")

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="operating_budget")
    line = models.CharField(_("line"), max_length=20, choices=Line.choices)
    outcome = amount_field(_("outcome"))
    forecast = amount_field(_("forecast"))
    change = amount_field(_("change"))

    class Meta:
        ordering = ["report", "sort_order"]
        verbose_name = _("operating budget line")
        verbose_name_plural = _("operating budget lines")
        constraints = [
            models.UniqueConstraint(fields=["report", "line"], name="operating_budget_unique_line"),
        ]


class ResultItem(FinanceRow):
    """A row of "Viktiga orsaker till årets resultat" or "Viktiga förändringar jämfört med delårsrapport"."""

    class Table(models.TextChoices):
        CAUSES = "causes", _("causes of the result")
        CHANGES = "changes", _("changes since the interim report")

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="result_items")
    table = models.CharField(_("table"), max_length=10, choices=Table.choices)
    operational_area = operational_area_field()
    amount = amount_field(_("amount"))

    class Meta:
        ordering = ["report", "table", "sort_order"]
        verbose_name = _("cause of the result")
        verbose_name_plural = _("causes of the result")


class InvestmentLine(FinanceRow):
    """A row of "Investeringsram": Utfall | Budget | Avvikelse (budget − utfall)."""

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="investments")
    outcome = amount_field(_("outcome"))
    budget = amount_field(_("budget"))
    deviation = amount_field(_("deviation"))

    class Meta:
        ordering = ["report", "sort_order"]
        verbose_name = _("investment")
        verbose_name_plural = _("investments")


class BudgetDecision(models.Model):
    """
    A decision that set or changed the committee's municipal grant during the year: one
    column of "Förändringar av kommunbidrag" (the adopted budget, then each later decision).
    """

    class Occasion(models.TextChoices):
        NONE = "", _("none")
        BUDGET = "budget", _("committee budget")
        FORECAST = "ep", _("financial forecast (EP)")
        INTERIM = "dr", _("interim report (DR)")

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="decisions")
    sort_order = models.PositiveIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    #: The column heading as printed; generated from the other fields when empty.
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    body = models.CharField(_("decided by"), max_length=40, help_text=_("E.g. KS, KF or the committee (ASN)."))
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    occasion = models.CharField(_("occasion"), max_length=10, choices=Occasion.choices, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=30, blank=True)

    class Meta:
        ordering = ["report", "sort_order"]
        verbose_name = _("budget decision")
        verbose_name_plural = _("budget decisions")
        constraints = [
            models.UniqueConstraint(fields=["report", "code"], name="budget_decision_unique_code"),
        ]

    def __str__(self) -> str:
        return self.heading or self.code


class BudgetChangeLine(FinanceRow):
    """A row of "Förändringar av kommunbidrag": an operational area (or the total) and its stated sum."""

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="budget_change_lines")
    operational_area = operational_area_field()
    #: The row's "SUMMA helår" as stated in the file.
    stated_total = amount_field(_("total for the year"))

    class Meta:
        ordering = ["report", "sort_order"]
        verbose_name = _("municipal grant change line")
        verbose_name_plural = _("municipal grant change lines")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "operational_area"],
                condition=Q(kind="normal"),
                name="budget_change_one_row_per_area",
            ),
        ]


class BudgetChangeAmount(models.Model):
    """The amount a decision gave (or took from) one row of the table; None for an empty cell."""

    line = models.ForeignKey(BudgetChangeLine, on_delete=models.CASCADE, related_name="amounts")
    decision = models.ForeignKey(BudgetDecision, on_delete=models.CASCADE, related_name="amounts")
    amount = amount_field(_("amount"))

    class Meta:
        verbose_name = _("municipal grant change")
        verbose_name_plural = _("municipal grant changes")
        constraints = [
            models.UniqueConstraint(fields=["line", "decision"], name="budget_change_amount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.line} – {self.decision}: {self.amount}"


class IncomeStatementLine(FinanceRow):
    """
    A line of "Resultaträkning": Utfall | Budget | Avvikelse (utfall − budget).

    A subtotal (kind ``total``) names the lines it adds up in ``sums``: their codes joined
    by "+", e.g. ``bidrag+ovriga_intakter``.
    """

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="income_statement")
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    sums = models.CharField(_("sum of"), max_length=500, blank=True)
    outcome = amount_field(_("outcome"))
    budget = amount_field(_("budget"))
    deviation = amount_field(_("deviation"))

    class Meta:
        ordering = ["report", "sort_order"]
        verbose_name = _("income statement line")
        verbose_name_plural = _("income statement lines")
        constraints = [
            models.UniqueConstraint(fields=["report", "code"], name="income_statement_unique_code"),
        ]

    def sum_codes(self) -> list[str]:
        """Return the codes of the lines this subtotal adds up."""
        return [c.strip() for c in self.sums.split("+") if c.strip()]


class Grant(FinanceRow):
    """A row of "Riktade statsbidrag" or "Övriga bidrag": name or purpose, grantor, utfall (tkr)."""

    class GrantKind(models.TextChoices):
        TARGETED = "riktade", _("targeted state grants")
        OTHER = "ovriga", _("other grants")

    report = models.ForeignKey(FinanceReport, on_delete=models.CASCADE, related_name="grants")
    grant_kind = models.CharField(_("kind of grant"), max_length=10, choices=GrantKind.choices)
    grantor = models.CharField(_("grantor"), max_length=300, blank=True)
    amount = amount_field(_("outcome"))

    class Meta:
        ordering = ["report", "sort_order"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
