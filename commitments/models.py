"""
The committee's plan: organisation, plan years, goal areas, goals, commitments,
assessment scales and reporting periods.

Everything that differs between years (goal areas, goal levels, scales, periods) is data;
rows carry stable codes so that nothing is ever matched on wording.
"""

import datetime
import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.richtext import RichTextField
from common.text import PLAIN_TEXT_MAX_LENGTH, PLAN_TEXT_MAX_LENGTH, SENTENCE_MAX_LENGTH, CleanTextField

code_validator = RegexValidator(
    r"^[A-Za-z0-9ÅÄÖåäö][A-Za-z0-9ÅÄÖåäö._-]*$",
    _("Use letters, digits, dot, hyphen or underscore, starting with a letter or digit."),
    code="invalid_code",
)
year_validators = [MinValueValidator(2000), MaxValueValidator(2100)]


class BaseModel(models.Model):
    """Abstract base with creation and modification times."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Committee(BaseModel):
    """A nämnd, such as Arbetsmarknads- och socialnämnden."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    organisation = models.CharField(
        _("organisation"), max_length=200, help_text=_("The municipality or region, as the documents print it.")
    )
    diarienummer_pattern = models.CharField(
        _("form of a diarienummer"), max_length=200, blank=True,
        help_text=_("A regular expression, e.g. ^ASN-\\d{4}-\\d+$. Empty: any diarienummer is accepted."),
    )  # fmt: skip
    diarienummer_example = models.CharField(
        _("example of a diarienummer"), max_length=60, blank=True, help_text=_("E.g. ASN-2019-1234.")
    )
    kolada_municipality = models.CharField(
        _("Kolada municipality id"), max_length=4, blank=True,
        validators=[RegexValidator(r"^\d{4}\Z", _("Four digits, e.g. 1280 for Malmö."))],
        help_text=_("Where the outcomes of indicators linked to Kolada are fetched for: the municipality's "
                    "four-digit code (1280 for Malmö). Empty: nothing is fetched."),
    )  # fmt: skip
    kolada_unit = models.CharField(
        _("Kolada organisational unit id"), max_length=20, blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]{6,20}\Z", _("Capital letters and digits, e.g. V15E128000101."))],
        help_text=_("Instead of the municipality: one organisational unit of Kolada (e.g. V15E128000101)."),
    )  # fmt: skip
    approve_own_work = models.BooleanField(
        _("reviewers may approve their own work"), default=False,
        help_text=_("Off (the rule): nobody approves what they submitted or last changed themselves; another "
                    "reviewer must. On: for a small administration where the same person writes and reviews; "
                    "each such approval is noted in the log."),
    )  # fmt: skip

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kolada_municipality and self.kolada_unit:
            raise ValidationError(
                {"kolada_unit": _("Give the municipality or an organisational unit of Kolada, not both.")}
            )
        if not self.diarienummer_pattern:
            return
        try:
            pattern = re.compile(self.diarienummer_pattern)
        except re.error as error:
            raise ValidationError(
                {"diarienummer_pattern": _("Not a regular expression: %(error)s.") % {"error": error}}
            ) from None
        if self.diarienummer_example and not pattern.fullmatch(self.diarienummer_example):
            raise ValidationError({"diarienummer_example": _("The example does not have the form given above.")})

    def diarienummer_problem(self, diarienummer: str) -> str | None:
        """Why ``diarienummer`` is not one of this committee's, or None when it is."""
        if not diarienummer or len(diarienummer) > 40 or any(ord(c) < 32 for c in diarienummer):
            return _("Write the diarienummer as it stands in the register (at most 40 characters).")
        if self.diarienummer_pattern and not re.fullmatch(self.diarienummer_pattern, diarienummer):
            if self.diarienummer_example:
                return _("Write the diarienummer in the committee's form, e.g. %(example)s.") % {
                    "example": self.diarienummer_example
                }
            return _("The diarienummer does not have the committee's form.")
        return None


class Department(BaseModel):
    """An organisational unit of a committee's administration; units nest."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("administration")
        DEPARTMENT = "department", _("department")
        UNIT = "unit", _("unit")
        FOCUS_AREA = "focus_area", _("focus area")
        OPERATIONAL_AREA = "operational_area", _("operational area")

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="departments", verbose_name=_("committee")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["committee", "sort_order", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="department_unique_code_per_committee"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.committee_id != self.committee_id:
            raise ValidationError({"parent": _("The parent unit belongs to another committee.")})
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Membership(BaseModel):
    """
    What a user may do: a role in one department, or across a whole committee.

    Editors and readers belong to a department; reviewers and committee admins act on
    the whole committee.
    """

    class Role(models.TextChoices):
        EDITOR = "editor", _("editor")
        READER = "reader", _("reader")
        REVIEWER = "reviewer", _("reviewer")
        COMMITTEE_ADMIN = "committee_admin", _("committee admin")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("committee")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["committee", "user", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=["editor", "reader"], department__isnull=False)
                    | Q(role__in=["reviewer", "committee_admin"], department__isnull=True)
                ),
                name="membership_department_matches_role",
                violation_error_message=_(
                    "Editors and readers belong to a department; reviewers and committee "
                    "admins to the whole committee."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "department", "role"],
                condition=Q(department__isnull=False),
                name="membership_unique_department_role",
            ),
            models.UniqueConstraint(
                fields=["user", "committee", "role"],
                condition=Q(department__isnull=True),
                name="membership_unique_committee_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.department or self.committee
        return f"{self.user} – {self.get_role_display()} – {where}"

    def clean(self) -> None:
        if self.department_id and self.department.committee_id != self.committee_id:
            raise ValidationError({"department": _("The department belongs to another committee.")})


class MandatePeriod(BaseModel):
    """A four-year term of office (mandatperiod), shared by all committees of the city."""

    start_year = models.PositiveIntegerField(_("first year"), unique=True, validators=year_validators)
    end_year = models.PositiveIntegerField(_("last year"), validators=year_validators)

    class Meta:
        ordering = ["start_year"]
        verbose_name = _("mandate period")
        verbose_name_plural = _("mandate periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="mandate_period_end_after_start",
                violation_error_message=_("The last year cannot come before the first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}–{self.end_year}"


class AssessmentScale(BaseModel):
    """An ordered set of assessment values, configured per committee."""

    class AppliesTo(models.TextChoices):
        COMMITMENT = "commitment", _("commitments")
        GOAL_YEAR = "goal_year", _("goals, for the year")
        GOAL_MANDATE = "goal_mandate", _("goals, over the mandate period")
        SECTION = "section", _("narrative sections")

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="scales", verbose_name=_("committee")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    applies_to = models.CharField(_("applies to"), max_length=20, choices=AppliesTo.choices)
    description = CleanTextField(_("description"), blank=True, max_length=PLAN_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["committee", "name"]
        verbose_name = _("assessment scale")
        verbose_name_plural = _("assessment scales")
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="scale_unique_code_per_committee"),
        ]

    def __str__(self) -> str:
        return self.name


class AssessmentValue(BaseModel):
    """One step of a scale: its label, a non-colour symbol and the sentence it produces."""

    class Meaning(models.TextChoices):
        ACHIEVED = "achieved", _("achieved / as planned")
        PARTLY = "partly", _("partly achieved")
        NOT_ACHIEVED = "not_achieved", _("not achieved")

    scale = models.ForeignKey(
        AssessmentScale, on_delete=models.CASCADE, related_name="values", verbose_name=_("scale")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    label = models.CharField(_("label"), max_length=100)
    symbol = models.CharField(_("symbol"), max_length=8, blank=True)
    sentence = CleanTextField(
        _("sentence"),
        blank=True,
        max_length=SENTENCE_MAX_LENGTH,
        help_text=_("The assessment sentence in the document, e.g. “Bedömningen är att …”."),
    )
    meaning = models.CharField(
        _("meaning"),
        max_length=20,
        choices=Meaning.choices,
        blank=True,
        help_text=_("Used to propose an assessment from an indicator's target."),
    )
    colour = models.CharField(
        _("colour"), max_length=7, blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Write the colour as #rrggbb, e.g. #2e7d32."))],
        help_text=_("Optional, e.g. #2e7d32. Shown beside the symbol and the label, never alone."),
    )  # fmt: skip
    min_share = models.DecimalField(
        _("proposed from this share of the target"), max_digits=6, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Proposed when the outcome reaches at least this many per cent of the target (e.g. 100, 90, 0), "
                    "the level with the highest such share that is reached. Empty: not proposed by share."),
    )  # fmt: skip
    not_followed_up = models.BooleanField(
        _("means not followed up"), default=False,
        help_text=_("A level that says the goal or indicator was not followed up (or cannot be assessed) this time."),
    )  # fmt: skip
    sort_order = models.PositiveIntegerField(_("order"))

    class Meta:
        ordering = ["scale", "sort_order"]
        verbose_name = _("assessment value")
        verbose_name_plural = _("assessment values")
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="assessment_value_unique_code"),
            models.UniqueConstraint(fields=["scale", "sort_order"], name="assessment_value_unique_order"),
            models.CheckConstraint(
                condition=Q(not_followed_up=False) | Q(min_share__isnull=True),
                name="assessment_value_not_followed_up_has_no_rule",
                violation_error_message=_("A level that means “not followed up” is never proposed by share."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.label}".strip()

    def sentence_for(self, year: int) -> str:
        """The assessment sentence as the document prints it; ``{year}`` in it becomes ``year``."""
        return self.sentence.replace("{year}", str(year))


class Plan(BaseModel):
    """A committee's plan for one year (nämndsbudget): the frame of goals and commitments."""

    class Status(models.TextChoices):
        PROPOSAL = "proposal", _("proposal")
        ADOPTED = "adopted", _("adopted")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="plans", verbose_name=_("committee")
    )
    year = models.PositiveIntegerField(_("year"), validators=year_validators)
    mandate_period = models.ForeignKey(
        MandatePeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("mandate period"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ADOPTED)
    registration_number = models.CharField(
        _("registration number"), max_length=40, blank=True,
        help_text=_("The plan's diarienummer, in the committee's form (see the committee)."),
    )  # fmt: skip
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    commitment_scale = models.ForeignKey(
        AssessmentScale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scale for commitments"),
    )
    goal_year_scale = models.ForeignKey(
        AssessmentScale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scale for goals, the year"),
    )
    goal_mandate_scale = models.ForeignKey(
        AssessmentScale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scale for goals, the mandate period"),
    )

    class Meta:
        ordering = ["committee", "-year"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="plan_unique_year_per_committee"),
        ]

    def __str__(self) -> str:
        return f"{self.committee.short_name or self.committee.name} {self.year}"

    @property
    def outcome_scale_id(self) -> int | None:
        """The scale indicator outcomes are assessed on: the commitments' scale, else the goals' for the year."""
        return self.commitment_scale_id or self.goal_year_scale_id

    def outcome_scale_values(self) -> list["AssessmentValue"]:
        """The levels of ``outcome_scale_id``'s scale, in order (none without a scale)."""
        scale_id = self.outcome_scale_id
        return list(AssessmentValue.objects.filter(scale_id=scale_id)) if scale_id else []

    def clean(self) -> None:
        errors = {}
        if self.registration_number and self.committee_id:
            problem = self.committee.diarienummer_problem(self.registration_number)
            if problem:
                errors["registration_number"] = problem
        for field in ("commitment_scale", "goal_year_scale", "goal_mandate_scale"):
            scale = getattr(self, field)
            if scale is not None and scale.committee_id != self.committee_id:
                errors[field] = _("The scale belongs to another committee.")
        if (
            self.mandate_period
            and self.year is not None
            and not (self.mandate_period.start_year <= self.year <= self.mandate_period.end_year)
        ):
            errors["mandate_period"] = _("The year lies outside the mandate period.")
        if errors:
            raise ValidationError(errors)


class PlanItem(BaseModel):
    """
    Abstract base of the rows of a plan: a stable code, unique within the plan, and an order.

    The order is unique within the row's parent; those constraints are deferred to the end
    of the transaction, so that an import can swap or renumber rows. A row copied from the
    previous year's plan (the year rollover) keeps a link to the row it was copied from.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name=_("plan"))
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    sort_order = models.PositiveIntegerField(_("order"))
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

    def check_same_plan(self, field: str) -> None:
        """Raise when the parent named by ``field`` belongs to another plan."""
        parent = getattr(self, field, None)
        if parent is not None and self.plan_id is not None and parent.plan_id != self.plan_id:
            raise ValidationError({field: _("Belongs to another plan.")})


class GoalArea(PlanItem):
    """A målområde: ordered, numbered in some years (1–9 in 2019), not in others (2024)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goal_areas", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        ordering = ["plan", "sort_order"]
        verbose_name = _("goal area")
        verbose_name_plural = _("goal areas")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="goal_area_unique_code"),
            models.UniqueConstraint(
                fields=["plan", "sort_order"], name="goal_area_unique_order", deferrable=models.Deferrable.DEFERRED
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}" if self.number else self.name


class Goal(PlanItem):
    """
    A goal of the plan: the committee's own nämndsmål, or a kommunfullmäktigemål that
    the committee contributes to; or another item of the plan that departments follow up
    the same way: a prioritering of the committee's, or a budgetuppdrag it reports on.
    Goals belong to a goal area; priorities and budget assignments may (a budgetuppdrag is
    grouped by målområde, a prioritering stands outside the city council's goals).
    """

    class Level(models.TextChoices):
        COMMITTEE = "committee", _("committee goal")
        COUNCIL = "council", _("city council goal")
        PRIORITY = "priority", _("priority")
        ASSIGNMENT = "assignment", _("budget assignment")

    #: The levels that are goals proper (the others are followed up, not assessed against targets).
    GOAL_LEVELS = (Level.COMMITTEE, Level.COUNCIL)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan"))
    goal_area = models.ForeignKey(
        GoalArea, on_delete=models.CASCADE, null=True, blank=True, related_name="goals", verbose_name=_("goal area")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.COMMITTEE)
    text = CleanTextField(_("wording"), max_length=PLAN_TEXT_MAX_LENGTH)
    short_name = models.CharField(_("short name"), max_length=200, blank=True)
    proposal_text = CleanTextField(
        _("wording in the proposal"), blank=True, max_length=PLAN_TEXT_MAX_LENGTH,
        help_text=_("Only where it differs from the wording."),
    )  # fmt: skip
    alternative_text = CleanTextField(
        _("alternative wording"), blank=True, max_length=PLAN_TEXT_MAX_LENGTH,
        help_text=_("An alternative wording put to the committee with the proposal (“Alternativ målformulering”)."),
    )  # fmt: skip
    note = CleanTextField(
        _("note"),
        blank=True,
        max_length=PLAN_TEXT_MAX_LENGTH,
        help_text=_("Printed under the goal's indicators in the plan proposal."),
    )
    is_new = models.BooleanField(_("new this year"), default=False)
    contributes = models.BooleanField(
        _("the committee contributes"),
        default=True,
        help_text=_("For city council goals: whether the committee is assigned to contribute."),
    )
    departments = models.ManyToManyField(
        "Department",
        blank=True,
        related_name="goals",
        verbose_name=_("departments"),
        help_text=_(
            "The departments that follow up the goal: each writes its comment, assessment and the outcomes "
            "of the goal's own indicators on the goal's page."
        ),
    )

    class Meta:
        ordering = ["plan", "goal_area__sort_order", "sort_order"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="goal_unique_code"),
            models.UniqueConstraint(
                fields=["goal_area", "sort_order"], name="goal_unique_order", deferrable=models.Deferrable.DEFERRED
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.text

    def clean(self) -> None:
        self.check_same_plan("goal_area")
        if self.level in self.GOAL_LEVELS and not self.goal_area_id:
            raise ValidationError({"goal_area": _("A goal belongs to a goal area.")})


class Commitment(PlanItem):
    """An åtagande under a goal, with one or more responsible departments."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("plan"))
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("goal"))
    text = CleanTextField(_("wording"), max_length=PLAN_TEXT_MAX_LENGTH)
    proposal_text = CleanTextField(
        _("wording in the proposal"), blank=True, max_length=PLAN_TEXT_MAX_LENGTH,
        help_text=_("Only where it differs from the wording."),
    )  # fmt: skip
    departments = models.ManyToManyField(
        Department, related_name="commitments", verbose_name=_("responsible departments")
    )

    class Meta:
        ordering = ["plan", "goal__goal_area__sort_order", "goal__sort_order", "sort_order"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="commitment_unique_code"),
            models.UniqueConstraint(
                fields=["goal", "sort_order"], name="commitment_unique_order", deferrable=models.Deferrable.DEFERRED
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        self.check_same_plan("goal")


class ReportingPeriodQuerySet(models.QuerySet):
    def in_phase(self, *phases: str, today: datetime.date | None = None) -> "ReportingPeriodQuerySet":
        """Return the periods in one of ``phases`` today (see ``ReportingPeriod.phase``)."""
        today = today or timezone.localdate()
        conditions = {
            ReportingPeriod.Phase.ENTRY: Q(status=ReportingPeriod.Status.OPEN, deadline__gte=today),
            ReportingPeriod.Phase.REVIEW: Q(status=ReportingPeriod.Status.OPEN, deadline__lt=today),
            ReportingPeriod.Phase.CLOSED: Q(status=ReportingPeriod.Status.CLOSED),
        }
        condition = Q(pk__in=[])
        for phase in phases:
            condition |= conditions[phase]
        return self.filter(condition)

    def still_open(self) -> "ReportingPeriodQuerySet":
        """Return the periods still followed up: taking entries, or past the deadline and in review."""
        return self.in_phase(ReportingPeriod.Phase.ENTRY, ReportingPeriod.Phase.REVIEW)


class ReportingPeriod(BaseModel):
    """
    A period of a plan year that is followed up, with a deadline for entries.

    Its phase is the one rule of what "open" means: departments write while it takes
    entries (open, and the deadline not passed); reviewers go on reviewing after the
    deadline until a committee admin closes it; the nightly builds follow it until then.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Phase(models.TextChoices):
        ENTRY = "entry", _("open for entries")
        REVIEW = "review", _("deadline passed, in review")
        CLOSED = "closed", _("closed")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods", verbose_name=_("plan"))
    slug = models.SlugField(_("slug"), max_length=40, help_text=_("Starts with the year, e.g. 2019-jan-aug."))
    name = models.CharField(_("name"), max_length=100, help_text=_("E.g. “januari–augusti”."))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    deadline = models.DateField(_("deadline for entries"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "start", "end"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["plan", "slug"], name="period_unique_slug"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="period_end_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.plan.year}"

    def get_absolute_url(self) -> str:
        return reverse("followup:list", args=[self.plan.committee.slug, self.slug])

    def phase(self, today: datetime.date | None = None) -> "ReportingPeriod.Phase":
        """Return the period's phase today; ``ReportingPeriodQuerySet.in_phase`` is the same rule in SQL."""
        if self.status == self.Status.CLOSED:
            return self.Phase.CLOSED
        today = today or timezone.localdate()
        return self.Phase.ENTRY if today <= self.deadline else self.Phase.REVIEW

    def is_open_for_entries(self) -> bool:
        """Whether departments may still write: the period is open and its deadline has not passed."""
        return self.phase() == self.Phase.ENTRY

    def closed_since(self) -> datetime.datetime | None:
        """Return when the period stopped taking entries (closed, or its deadline's end), or None if it has not."""
        if self.is_open_for_entries():
            return None
        deadline_end = timezone.make_aware(datetime.datetime.combine(self.deadline, datetime.time.max))
        if self.status == self.Status.CLOSED and self.closed_at:
            return min(self.closed_at, deadline_end)
        return deadline_end

    def clean(self) -> None:
        if self.plan_id is None:
            return
        errors = {}
        if self.slug and not self.slug.startswith(f"{self.plan.year}-"):
            errors["slug"] = _("The slug must start with the plan year and a hyphen.")
        if self.start and self.start.year != self.plan.year:
            errors["start"] = _("The period must start in the plan year.")
        if errors:
            raise ValidationError(errors)


class ReviewStatus(models.TextChoices):
    """The states of anything a department writes and a reviewer approves."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


#: The states in which the department may still change what it wrote.
EDITABLE_STATES = frozenset({ReviewStatus.DRAFT, ReviewStatus.RETURNED})


class Reviewable(BaseModel):
    """
    Abstract base of what departments write for a period: entries and indicator outcomes.

    One review workflow (``workflow.py``), one history (django-simple-history on each
    concrete model) and one permission module serve them all. ``version`` grows by one
    with every save; a save names the version it started from, so that a concurrent
    change is noticed instead of overwritten (optimistic locking).
    """

    # Each concrete model has ``period`` and ``department`` foreign keys of its own.
    comment = RichTextField(_("comment"), blank=True)
    assessment = models.ForeignKey(
        AssessmentValue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessment"),
    )
    status = models.CharField(_("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    #: 0 until the first save.
    version = models.PositiveIntegerField(_("version"), default=0)
    #: When a reviewer last returned (or reopened) it.
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    #: The fields that identify a row: one per these for a period and department.
    natural_key_fields: tuple[str, ...] = ()
    #: What the row is called in the audit trail (an ``EventSubject``); stable when the model is renamed.
    event_subject: str = ""

    class Meta:
        abstract = True

    @property
    def event_label(self) -> str:
        """What the audit trail names the row by: what it is about, and its department."""
        return f"{self.review_title} · {self.department.name}"

    def has_content(self) -> bool:
        """Whether there is something to review: a comment with text, or an assessment."""
        return self.assessment_id is not None or bool(strip_tags(self.comment or "").strip())

    def submission_problems(self) -> dict[str, list[str]]:
        """Return what must be written before the row can be submitted, by field (empty when nothing)."""
        if self.has_content():
            return {}
        return {"comment": [_("Write a comment or choose an assessment before you submit.")]}

    def is_open_for_department(self) -> bool:
        """
        Whether the department may change this now: a draft or returned row while the period
        takes entries; after that, only a row a reviewer returned (or reopened) since.
        """
        if self.status not in EDITABLE_STATES:
            return False
        closed_since = self.period.closed_since()
        if closed_since is None:
            return True
        return (
            self.status == ReviewStatus.RETURNED and self.returned_at is not None and self.returned_at > closed_since
        )


class ProgressEntry(Reviewable):
    """What a department reports on a commitment for a period: a comment and an assessment."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="entries", verbose_name=_("commitment")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="entries", verbose_name=_("reporting period")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="entries", verbose_name=_("department")
    )
    history = HistoricalRecords(excluded_fields=["created_at"], inherit=False)

    natural_key_fields = ("commitment", "period", "department")
    event_subject = "entry"

    class Meta:
        ordering = ["period", "commitment__goal__goal_area__sort_order", "commitment__goal__sort_order",
                    "commitment__sort_order", "department__sort_order"]  # fmt: skip
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period", "department"], name="entry_unique_commitment_period_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.code} – {self.department.code} – {self.period.slug}"

    def get_absolute_url(self) -> str:
        return reverse(
            "followup:entry",
            args=[self.period.plan.committee.slug, self.period.slug, self.commitment.code, self.department.code],
        )

    @property
    def review_title(self) -> str:
        """What the department is told was returned: the commitment's code."""
        return self.commitment.code


class GoalContribution(Reviewable):
    """
    A department's follow-up of the committee's contribution to a goal for a period (the
    årsanalys's "Uppföljning av bidrag till kommunfullmäktigemålet"), with two assessments:
    for the year (``assessment``, on the plan's goal-year scale) and of the expected
    förflyttning over the mandate period (``mandate_assessment``), each with its motivation.
    """

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("goal"))
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("reporting period")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("department")
    )
    assessment_sentence = CleanTextField(
        _("assessment sentence for the year"), blank=True, max_length=SENTENCE_MAX_LENGTH,
        help_text=_("As the document prints it (“Bedömningen är att …”). Empty: the scale's standard sentence."),
    )  # fmt: skip
    assessment_motivation = CleanTextField(
        _("motivation of the assessment for the year"), blank=True, max_length=PLAIN_TEXT_MAX_LENGTH,
        help_text=_("“Bedömningen baseras på …”"),
    )  # fmt: skip
    mandate_assessment = models.ForeignKey(
        AssessmentValue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessment for the mandate period"),
    )
    mandate_sentence = CleanTextField(
        _("assessment sentence for the mandate period"), blank=True, max_length=SENTENCE_MAX_LENGTH,
        help_text=_("As the document prints it. Empty: the scale's standard sentence."),
    )  # fmt: skip
    mandate_motivation = CleanTextField(
        _("motivation of the assessment for the mandate period"), blank=True, max_length=PLAIN_TEXT_MAX_LENGTH
    )
    history = HistoricalRecords(excluded_fields=["created_at"], inherit=False)

    natural_key_fields = ("goal", "period", "department")
    event_subject = "contribution"

    class Meta:
        ordering = ["period", "goal__goal_area__sort_order", "goal__sort_order", "department__sort_order"]
        verbose_name = _("goal contribution")
        verbose_name_plural = _("goal contributions")
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "period", "department"], name="contribution_unique_goal_period_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal.code} – {self.department.code} – {self.period.slug}"

    def get_absolute_url(self) -> str:
        return reverse(
            "followup:contribution",
            args=[self.period.plan.committee.slug, self.period.slug, self.goal.code, self.department.code],
        )

    @property
    def review_title(self) -> str:
        """What the department is told was returned: the goal's code."""
        return self.goal.code

    def year_sentence(self, year: int) -> str:
        """The sentence that states the year's assessment: as written, else the scale's standard one."""
        if self.assessment_sentence.strip():
            return self.assessment_sentence.strip()
        return self.assessment.sentence_for(year) if self.assessment else ""

    def mandate_period_sentence(self, year: int) -> str:
        """The sentence that states the mandate period's assessment: as written, else the scale's standard one."""
        if self.mandate_sentence.strip():
            return self.mandate_sentence.strip()
        return self.mandate_assessment.sentence_for(year) if self.mandate_assessment else ""


class EventType(models.TextChoices):
    """
    Every kind of step on record. The values are stored: they name what a step concerns
    (a reviewable row's ``event_subject``, or the period) and the workflow action, and do
    not change when a model is renamed.
    """

    ENTRY_SUBMIT = "entry.submit", _("Entry submitted")
    ENTRY_APPROVE = "entry.approve", _("Entry approved")
    ENTRY_RETURN = "entry.return", _("Entry returned")
    ENTRY_REOPEN = "entry.reopen", _("Entry reopened")
    OUTCOME_SUBMIT = "outcome.submit", _("Outcome submitted")
    OUTCOME_APPROVE = "outcome.approve", _("Outcome approved")
    OUTCOME_RETURN = "outcome.return", _("Outcome returned")
    OUTCOME_REOPEN = "outcome.reopen", _("Outcome reopened")
    CONTRIBUTION_SUBMIT = "contribution.submit", _("Goal follow-up submitted")
    CONTRIBUTION_APPROVE = "contribution.approve", _("Goal follow-up approved")
    CONTRIBUTION_RETURN = "contribution.return", _("Goal follow-up returned")
    CONTRIBUTION_REOPEN = "contribution.reopen", _("Goal follow-up reopened")
    TEXT_SUBMIT = "text.submit", _("Report text submitted")
    TEXT_APPROVE = "text.approve", _("Report text approved")
    TEXT_RETURN = "text.return", _("Report text returned")
    TEXT_REOPEN = "text.reopen", _("Report text reopened")
    PERIOD_CLOSE = "period.close", _("Period closed")
    PERIOD_REOPEN = "period.reopen", _("Period reopened")
    REPORT_ADOPT = "report.adopt", _("Edition of a report adopted")

    @classmethod
    def of(cls, subject: str, action: str) -> "EventType":
        """Return the type of ``action`` on a row whose ``event_subject`` is ``subject``; ValueError if none."""
        return cls(f"{subject}.{action}")

    @classmethod
    def with_action(cls, *actions: str) -> list["EventType"]:
        """Return the types of ``actions`` on any subject (e.g. every submission)."""
        return [t for t in cls if t.value.partition(".")[2] in actions]

    @property
    def action(self) -> str:
        return self.value.partition(".")[2]

    @property
    def subject(self) -> str:
        return self.value.partition(".")[0]


class Event(models.Model):
    """
    One step on record: a transition of a reviewable row, or a period closed or reopened.

    Written in the same transaction as the step itself, by ``events.py``; never changed or
    deleted (no admin, no view, no service edits it). ``subject`` is the row it concerns;
    ``subject_label`` names it as it was then (code and department), so that the log reads
    without loading the rows.
    """

    type = models.CharField(_("event"), max_length=50, choices=EventType.choices)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("by"), help_text=_("Empty: the operator, on the command line."),
    )  # fmt: skip
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="events", verbose_name=_("committee")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("reporting period"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("department"),
    )
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(_("concerns"), max_length=300, blank=True)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, blank=True)
    reason = CleanTextField(_("reason"), blank=True, max_length=PLAIN_TEXT_MAX_LENGTH)
    #: An approval by someone who wrote or submitted the row, as the committee allows (``approve_own_work``).
    own_work = models.BooleanField(_("approval of own work"), default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["content_type", "object_id"], name="event_object")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.subject_label}".strip()

    @property
    def actor_label(self) -> str:
        """Who took the step, as the log shows it."""
        return str(self.actor) if self.actor_id else _("the operator (command line)")

    @property
    def note(self) -> str:
        """What the log says beside the step: the reason given, and that one approved one's own work."""
        notes = [self.reason] if self.reason else []
        if self.own_work:
            notes.append(str(_("Approved by someone who wrote or submitted it, as the committee allows.")))
        return " ".join(notes)


class Notification(models.Model):
    """
    An e-mail sent, kept so that a task run twice sends nothing twice: a digest or a notice
    about an event, or the day's reminder about a period.
    """

    class Kind(models.TextChoices):
        DIGEST = "digest", _("digest of submissions")
        RETURN = "return", _("notice of a return")
        REMINDER = "reminder", _("reminder before the deadline")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sent_on = models.DateField(_("sent on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user", "event"], condition=Q(event__isnull=False), name="notification_once_per_event"
            ),
            models.UniqueConstraint(
                fields=["kind", "user", "period", "sent_on"],
                condition=Q(kind="reminder"),
                name="notification_reminder_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user} ({self.sent_on})"


class EntryMessage(models.Model):
    """A message in the thread of an entry, between its department and the reviewers."""

    entry = models.ForeignKey(
        ProgressEntry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("entry")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    text = CleanTextField(_("message"), max_length=PLAIN_TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"
