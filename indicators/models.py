"""Indicators of goals and commitments, their targets and the outcomes a plan states."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from commitments.models import (
    BaseModel,
    Commitment,
    Department,
    Goal,
    Plan,
    PlanItem,
    ReportingPeriod,
    Reviewable,
    year_validators,
)
from commitments.numbers import NBSP, format_number
from common.text import PLAIN_TEXT_MAX_LENGTH, PLAN_TEXT_MAX_LENGTH, SENTENCE_MAX_LENGTH, CleanTextField


class Indicator(PlanItem):
    """
    A målindikator (on a goal) or åtagandeindikator (on a commitment, or on the goal when
    the document does not tie it to one commitment).
    """

    class Level(models.TextChoices):
        GOAL = "goal", _("goal indicator")
        COMMITMENT = "commitment", _("commitment indicator")

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("quantitative")
        QUALITATIVE = "qualitative", _("qualitative")

    class Unit(models.TextChoices):
        PERCENT = "%", _("per cent")
        COUNT = "antal", pgettext_lazy("unit", "number")
        MONTHS = "månader", _("months")
        INDEX = "index", _("index")
        SEK = "kr", _("kronor")
        KSEK = "tkr", _("thousand kronor")
        KM = "km", _("kilometres")
        TEXT = "text", _("text")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")
        NONE = "none", _("neither")

    class Disaggregation(models.TextChoices):
        NONE = "none", _("none")
        WOMEN_MEN = "women_men", _("women / men")
        GIRLS_BOYS = "girls_boys", _("girls / boys")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("plan"))
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal"))
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("commitment"),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.GOAL)
    name = CleanTextField(_("name"), max_length=PLAN_TEXT_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.QUANTITATIVE)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    disaggregation = models.CharField(
        _("breakdown by sex"), max_length=20, choices=Disaggregation.choices, default=Disaggregation.NONE
    )
    is_new = models.BooleanField(_("new this year"), default=False)
    new_label = models.CharField(
        _("label of a new indicator"), max_length=60, blank=True,
        help_text=_("Printed before a new indicator's name in the plan proposal (“Ny kvalitativ indikator”). "
                    "Empty: “Ny indikator”."),
    )  # fmt: skip
    total_label = models.CharField(
        _("name of the total row"), max_length=200, blank=True,
        help_text=_("In the table by sex (“Totalt antal avslut”). Empty: “Totalt”."),
    )  # fmt: skip
    count_label = models.CharField(
        _("name of the count row"), max_length=200, blank=True,
        help_text=_("In the table by sex (“Antal avslut till studier”). Empty: “Antal”."),
    )  # fmt: skip
    share_label = models.CharField(
        _("name of the share row"), max_length=200, blank=True,
        help_text=_("In the table by sex (“Andel avslut till studier”). Empty: “Andel”."),
    )  # fmt: skip
    description = CleanTextField(_("description"), blank=True, max_length=PLAN_TEXT_MAX_LENGTH)
    #: The national key figure this indicator is (``kolada``): its outcome is fetched every night and
    #: proposed to the departments that report it.
    kolada_kpi = models.CharField(
        _("Kolada KPI"), max_length=6, blank=True,
        validators=[RegexValidator(r"^[A-Z]\d{5}\Z", _("A capital letter and five digits, e.g. N31816."))],
        help_text=_("The id of the key figure in Kolada (e.g. N31816; search Kolada's KPIs by title under Kolada "
                    "in the admin): its value for the committee's municipality is fetched every night and "
                    "proposed as the outcome. Empty: typed by hand."),
    )  # fmt: skip
    departments = models.ManyToManyField(
        Department, blank=True, related_name="reported_indicators", verbose_name=_("reporting departments"),
        help_text=_("The departments that report its outcome. Empty: those responsible for its commitment; for a goal "
                    "indicator, those that follow up the goal, or else those responsible for the goal's commitments."),
    )  # fmt: skip

    class Meta:
        ordering = ["plan", "goal__goal_area__sort_order", "goal__sort_order", "sort_order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code"),
            models.UniqueConstraint(
                fields=["goal", "sort_order"], name="indicator_unique_order", deferrable=models.Deferrable.DEFERRED
            ),
            models.CheckConstraint(
                condition=Q(level="commitment") | Q(commitment__isnull=True),
                name="indicator_goal_level_has_no_commitment",
                violation_error_message=_("A goal indicator cannot belong to a commitment."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_suffix(self) -> str:
        """The unit as written after a number (“18 %”, “35 månader”); counts and texts have none."""
        return "" if self.unit in (self.Unit.COUNT, self.Unit.TEXT) else self.unit

    def clean(self) -> None:
        self.check_same_plan("goal")
        if self.kolada_kpi and (self.kind == self.Kind.QUALITATIVE or self.unit == self.Unit.TEXT):
            raise ValidationError(
                {"kolada_kpi": _("A Kolada KPI is a figure: only a quantitative indicator can name one.")}
            )
        if self.commitment_id and self.level == self.Level.GOAL:
            raise ValidationError({"commitment": _("A goal indicator cannot belong to a commitment.")})
        if self.commitment_id and self.goal_id and self.commitment.goal_id != self.goal_id:
            raise ValidationError({"commitment": _("The commitment belongs to another goal.")})


class YearValue(BaseModel):
    """Abstract: a value of an indicator for a year or part of it, as a number or a text."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, verbose_name=_("indicator"))
    year = models.PositiveIntegerField(_("year"), validators=year_validators)
    part = models.CharField(
        _("part of year"),
        max_length=20,
        blank=True,
        help_text=_("Empty for the whole year, otherwise e.g. “maj-dec”."),
    )
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    text = models.CharField(
        _("text"), max_length=300, blank=True, help_text=_("E.g. “Basårsmätning”, or the value as written.")
    )
    #: The value of the previous year's plan this one was copied from (the year rollover).
    origin = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="copies",
        verbose_name=_("copied from"),
    )

    class Meta:
        abstract = True
        ordering = ["indicator", "year", "part"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "part"], name="%(class)s_unique_year_part"),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(text=""),
                name="%(class)s_has_value_or_text",
                violation_error_message=_("Give a number or a text."),
            ),
        ]

    def __str__(self) -> str:
        part = f" ({self.part})" if self.part else ""
        shown = self.text or (f"{self.value.normalize():f}" if self.value is not None else "")
        return f"{self.year}{part}: {shown}"

    def clean(self) -> None:
        if self.value is None and not self.text:
            raise ValidationError({"value": _("Give a number or a text.")})

    def shown(self) -> str:
        """The value as pages print it: the text as written, else the figure with its unit (“18 %”)."""
        if self.text:
            return self.text
        if self.value is None:
            return ""
        figure = format_number(self.value)
        unit = self.indicator.unit_suffix
        return f"{figure}{NBSP}{unit}" if unit else figure


class Target(YearValue):
    """
    A målvärde: one per indicator, year and part of year. A number with a comparator
    (“Minst 80 %”, “Max 5 %”, or a plain number read in the indicator's direction), or a
    text target (only ``text``, no value).
    """

    class Comparator(models.TextChoices):
        DIRECTION = "", _("as the indicator's direction")
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")
        EXACTLY = "exactly", _("exactly")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    comparator = models.CharField(
        _("comparator"), max_length=10, choices=Comparator.choices, default=Comparator.DIRECTION, blank=True
    )

    #: The word a comparator is printed with before the figure (“Minst 80 %”); none for the others.
    COMPARATOR_WORDS = {Comparator.AT_LEAST: "Minst", Comparator.AT_MOST: "Högst"}

    def shown(self) -> str:
        """
        The target as documents and pages print it: the text as written, else the figure
        with its unit and comparator (“Minst 80 %”, “Högst 5 %”, “18 %”); no-break spaces
        inside the figure, an ordinary one after the word, so that a narrow column may break
        “Minst / 120 000” but never the figure.
        """
        shown = super().shown()
        word = self.COMPARATOR_WORDS.get(self.comparator)
        return f"{word} {shown}" if word and not self.text and self.value is not None else shown

    def clean(self) -> None:
        super().clean()
        if self.comparator and self.value is None:
            raise ValidationError(
                {"comparator": _("A bound (at least, at most, exactly) needs a number as its value.")}
            )

    class Meta(YearValue.Meta):
        verbose_name = _("target")
        verbose_name_plural = _("targets")


class PriorOutcome(YearValue):
    """An outcome of an earlier year as the plan states it (e.g. “Utfall 2018”)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="prior_outcomes", verbose_name=_("indicator")
    )

    class Meta(YearValue.Meta):
        verbose_name = _("prior outcome")
        verbose_name_plural = _("prior outcomes")


class Outcome(Reviewable):
    """
    An utfall: a department's outcome of an indicator for a reporting period.

    For an indicator split by sex, the values of the two groups (women/men, or girls/boys)
    sit beside the total. A share can be entered as counts (numerator and denominator per
    group), and the percentages are then computed from them.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("indicator")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("reporting period")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("department")
    )
    value = models.DecimalField(_("outcome"), max_digits=16, decimal_places=4, null=True, blank=True)
    value_female = models.DecimalField(_("women / girls"), max_digits=16, decimal_places=4, null=True, blank=True)
    value_male = models.DecimalField(_("men / boys"), max_digits=16, decimal_places=4, null=True, blank=True)
    numerator = models.PositiveIntegerField(_("count (numerator)"), null=True, blank=True)
    numerator_female = models.PositiveIntegerField(_("count, women / girls"), null=True, blank=True)
    numerator_male = models.PositiveIntegerField(_("count, men / boys"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("total (denominator)"), null=True, blank=True)
    denominator_female = models.PositiveIntegerField(_("total, women / girls"), null=True, blank=True)
    denominator_male = models.PositiveIntegerField(_("total, men / boys"), null=True, blank=True)
    assessment_motivation = CleanTextField(
        _("motivation of the assessment"), blank=True, max_length=PLAIN_TEXT_MAX_LENGTH
    )
    unavailable_reason = CleanTextField(
        _("why the outcome is not available"),
        blank=True,
        max_length=SENTENCE_MAX_LENGTH,
        help_text=_("Instead of a figure, when there is none for the period (e.g. “Mäts vid årets slut”)."),
    )
    history = HistoricalRecords(excluded_fields=["created_at"], inherit=False)

    natural_key_fields = ("indicator", "period", "department")
    event_subject = "outcome"

    class Meta:
        ordering = ["period", "indicator__goal__goal_area__sort_order", "indicator__goal__sort_order",
                    "indicator__sort_order", "department__sort_order"]  # fmt: skip
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "department"], name="outcome_unique_indicator_period_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} – {self.department.code} – {self.period.slug}"

    @property
    def review_title(self) -> str:
        """What the log names the outcome by: its indicator's code."""
        return self.indicator.code

    def has_content(self) -> bool:
        """Whether the outcome is reported: a figure (a text for a qualitative indicator), or why there is none."""
        if self.value is not None or self.unavailable_reason.strip():
            return True
        return self.indicator.kind == Indicator.Kind.QUALITATIVE and super().has_content()

    def submission_problems(self) -> dict[str, list[str]]:
        if self.has_content():
            return {}
        return {"value": [_("Give the outcome, or say why it is not available.")]}

    def get_absolute_url(self) -> str:
        """
        The page it is written on (see ``workflow``): its goal's page where the department
        follows up the goal, else its commitment's entry page, or the first of its goal's.
        """
        from .workflow import entry_page_indicators, goal_page_indicators

        committee_slug, period_slug = self.period.plan.committee.slug, self.period.slug
        indicator, anchor = self.indicator, f"#part-{self.indicator.code}"
        if goal_page_indicators(indicator.goal_id, self.department_id).filter(pk=indicator.pk).exists():
            args = [committee_slug, period_slug, indicator.goal.code, self.department.code]
            return reverse("followup:contribution", args=args) + anchor
        candidates = [indicator.commitment] if indicator.commitment_id else (
            Commitment.objects.filter(goal_id=indicator.goal_id, departments=self.department_id).order_by("sort_order")
        )  # fmt: skip
        for commitment in candidates:
            if entry_page_indicators(commitment, self.department_id).filter(pk=indicator.pk).exists():
                args = [committee_slug, period_slug, commitment.code, self.department.code]
                return reverse("followup:entry", args=args) + anchor
        return ""
