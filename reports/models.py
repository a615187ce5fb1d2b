"""
What the reports app stores: what the committee admin writes for a report, and each build.

The documents themselves are not stored as rows: a build keeps its content (the document
model as data, and its hash) and the files in each format through Django's storage API.
"""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import (
    BaseModel,
    Committee,
    Department,
    Goal,
    Plan,
    ReportingPeriod,
    Reviewable,
    code_validator,
    year_validators,
)
from common.richtext import RichTextField
from common.text import PLAIN_TEXT_MAX_LENGTH, CleanTextField


class ReportKind(models.TextChoices):
    FOLLOW_UP = "ataganden", _("Follow-up of commitments")
    PLAN_PROPOSAL = "namndsbudget", _("Plan proposal (goals and indicators)")
    ANNUAL_ANALYSIS = "arsanalys", _("Annual analysis")


class ReportFormat(models.TextChoices):
    HTML = "html", "HTML"
    DOCX = "docx", "Word"
    PDF = "pdf", "PDF"


class ReportDefinition(BaseModel):
    """The parts of one report (a kind of document for a period) that the committee admin writes."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="report_definitions", verbose_name=_("period")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices, default=ReportKind.FOLLOW_UP)
    introduction = RichTextField(
        _("introduction"), blank=True, help_text=_("The text of chapter 1. Empty: a standard text is used.")
    )
    occasion = models.CharField(
        _("occasion"), max_length=200, blank=True,
        help_text=_("A line under the title on what the document is for, e.g. “Underlag för Dialog – ASN 20190222”."),
    )  # fmt: skip
    contents = models.BooleanField(
        _("contents list"), null=True, blank=True,
        help_text=_("Empty: the kind's default (a contents list in the follow-up and the annual analysis, "
                    "none in the plan proposal)."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        constraints = [models.UniqueConstraint(fields=["period", "kind"], name="report_definition_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period}"


def default_layout_columns() -> list[str]:
    """The indicator columns of a follow-up of goals: earlier years, the period, target, assessment, comment."""
    return ["prior_outcomes", "outcome", "targets", "assessment", "comment"]


class ReportLayout(BaseModel):
    """
    How a committee's report of one kind reads: its title, the words it uses for each level of
    the plan, and, for the follow-up, which levels make chapters and what its indicator tables
    show. Kept as data (one row per committee and kind; ``load_committee`` files carry it with
    the field names as keys); a committee without one gets ``layouts.default_layout``. Empty
    words and an empty title stand for the standard ones.
    """

    class Chapters(models.TextChoices):
        GOAL = "goal", _("a chapter per goal")
        GOAL_AREA = "goal_area", _("a chapter per goal area, its goals as subsections")

    class Indicators(models.TextChoices):
        COMMITMENT = "commitment", _("commitment indicators")
        GOAL = "goal", _("goal indicators")
        BOTH = "both", _("goal and commitment indicators")
        NONE = "none", _("none")

    class Column(models.TextChoices):
        DEPARTMENT = "department", _("department")
        PRIOR_OUTCOMES = "prior_outcomes", _("outcomes of earlier years")
        OUTCOME = "outcome", _("outcome of the period")
        TARGETS = "targets", _("target(s)")
        ASSESSMENT = "assessment", _("assessment")
        COMMENT = "comment", _("comment")

    class TargetYears(models.TextChoices):
        YEAR = "year", _("the plan year's")
        ALL = "all", _("every year the plan gives")

    #: The placeholders a title may hold.
    TITLE_FIELDS = ("period", "year")
    MAX_PRIOR_YEARS = 5

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="report_layouts", verbose_name=_("committee")
    )
    kind = models.CharField(_("kind of report"), max_length=20, choices=ReportKind.choices)
    title = models.CharField(
        _("title"), max_length=300, blank=True,
        help_text=_("{period} and {year} stand for the period's name and the plan year, e.g. “Uppföljning av "
                    "nämndens mål {period} {year}”. Empty: the kind's standard title."),
    )  # fmt: skip
    goal_area_word = models.CharField(
        _("word for a goal area"), max_length=60, blank=True, help_text=_("E.g. “Målområde”, “Perspektiv”.")
    )
    goal_word = models.CharField(
        _("word for a goal"), max_length=60, blank=True, help_text=_("E.g. “Mål”, “Nämndsmål”.")
    )
    commitment_word = models.CharField(
        _("word for a commitment"), max_length=60, blank=True, help_text=_("E.g. “Åtagande”, “Aktivitet”.")
    )
    indicator_word = models.CharField(
        _("word for an indicator"), max_length=60, blank=True, help_text=_("E.g. “Indikator”, “Mätetal”.")
    )
    goal_indicator_word = models.CharField(
        _("word for a goal indicator"), max_length=60, blank=True,
        help_text=_("E.g. “Målindikator”. Empty: the word for an indicator."),
    )  # fmt: skip
    commitment_indicator_word = models.CharField(
        _("word for a commitment indicator"), max_length=60, blank=True,
        help_text=_("E.g. “Åtagandeindikator”. Empty: the word for an indicator."),
    )  # fmt: skip
    chapters = models.CharField(
        _("chapters"), max_length=20, choices=Chapters.choices, default=Chapters.GOAL_AREA,
        help_text=_("Follow-up: which level of the plan makes the chapters."),
    )  # fmt: skip
    show_goal_follow_up = models.BooleanField(
        _("goal follow-up shown"), default=True,
        help_text=_("Follow-up: each following-up department's comment and assessment of the goal."),
    )  # fmt: skip
    show_commitments = models.BooleanField(
        _("commitments shown"), default=True, help_text=_("Follow-up: the commitments with their comments.")
    )
    indicators = models.CharField(
        _("indicators shown"), max_length=20, choices=Indicators.choices, default=Indicators.GOAL,
        help_text=_("Follow-up: which indicators the tables show."),
    )  # fmt: skip
    columns = models.JSONField(
        _("columns of the indicator tables"), default=default_layout_columns, blank=True,
        help_text=_("Follow-up: after the indicator's name, in order, any of: department, prior_outcomes, outcome, "
                    "targets, assessment, comment. Exactly outcome, comment: the classic table, with the "
                    "breakdown by sex in the comment."),
    )  # fmt: skip
    prior_years = models.PositiveSmallIntegerField(
        _("earlier years"), default=2, validators=[MinValueValidator(0), MaxValueValidator(MAX_PRIOR_YEARS)],
        help_text=_("How many earlier years' outcomes (as the plan states them) the column prior_outcomes shows, "
                    "0–5."),
    )  # fmt: skip
    target_years = models.CharField(
        _("targets shown"), max_length=10, choices=TargetYears.choices, default=TargetYears.YEAR,
        help_text=_("Follow-up: the plan year's target, or a column for every year the plan gives targets for."),
    )  # fmt: skip

    class Meta:
        ordering = ["committee", "kind"]
        verbose_name = _("report layout")
        verbose_name_plural = _("report layouts")
        constraints = [models.UniqueConstraint(fields=["committee", "kind"], name="report_layout_unique_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.committee}" if self.committee_id else self.get_kind_display()

    def clean(self):
        errors = {}
        names = set()
        try:
            parsed = list(string.Formatter().parse(self.title))
        except ValueError:
            parsed = None
        if parsed is None:
            errors["title"] = _("Write braces only around {period} or {year}.")
        else:
            names = {name for _text, name, _spec, _conversion in parsed if name is not None}
            unknown = sorted(names - set(self.TITLE_FIELDS))
            if unknown:
                errors["title"] = _("The title may name only {period} and {year}, not {%(name)s}.") % {
                    "name": unknown[0] or ""
                }
        columns = self.columns
        allowed = list(self.Column.values)
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            errors["columns"] = _('Give the columns as a list of names, e.g. ["outcome", "comment"].')
        else:
            unknown = [c for c in columns if c not in allowed]
            if unknown:
                errors["columns"] = _("Unknown column “%(name)s”: choose from %(choices)s.") % {
                    "name": unknown[0],
                    "choices": ", ".join(allowed),
                }
            elif len(set(columns)) != len(columns):
                errors["columns"] = _("Each column may appear once.")
        if errors:
            raise ValidationError(errors)


def build_file_path(build: "ReportBuild", filename: str) -> str:
    period = build.period
    return f"reports/{period.plan.committee.slug}/{period.slug}/{build.kind}/{build.pk}/{filename}"


class ReportBuild(BaseModel):
    """
    One build of a report in every format.

    A build is the current one of its period and kind when it is done and not a draft and no
    later build is; a build that failed or was killed leaves the one before it current.
    ``status`` moves queued → running → done | unchanged | failed; a failed or stalled build
    is claimed again by its retry (see ``reports.services``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        UNCHANGED = "unchanged", _("unchanged")
        FAILED = "failed", _("failed")

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("nightly build")
        MANUAL = "manual", _("started by hand")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="report_builds", verbose_name=_("period")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    draft = models.BooleanField(_("draft"), default=False, help_text=_("Includes entries that are not approved."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    content = models.JSONField(_("content"), null=True, blank=True, editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    html = models.FileField(_("HTML"), upload_to=build_file_path, max_length=300, blank=True)
    docx = models.FileField(_("Word"), upload_to=build_file_path, max_length=300, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=build_file_path, max_length=300, blank=True)
    #: The approved indicator outcomes the build was made from, as open-data rows
    #: (``selectors.outcome_figures``): an edition adopted from this build publishes these.
    figures = models.JSONField(_("figures"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["period", "kind", "status", "-finished_at"], name="report_build_current")]
        constraints = [
            # One build at a time per report: a second request joins the one under way.
            models.UniqueConstraint(
                fields=["period", "kind", "draft"],
                condition=Q(status__in=["queued", "running"]),
                name="report_build_one_active",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_build_progress_percent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    def file_for(self, fmt: str):
        return getattr(self, fmt)


def edition_file_path(edition: "AdoptedEdition", filename: str) -> str:
    """Where an adopted edition's files go: a folder of their own that no build or other edition uses."""
    period = edition.period
    return f"reports/{period.plan.committee.slug}/{period.slug}/{edition.kind}/antagen/{filename}"


class AdoptedEdition(BaseModel):
    """
    The edition of a report that the committee decided on: a public record, frozen.

    It keeps a copy of its build's content, the files rendered again with the decision line
    (meeting date, § and diarienummer) and the open data of its outcomes, each with its
    SHA-256. Nothing changes it after it is made (the admin shows it read-only and cannot
    delete it), and neither its period nor its build can be deleted while it exists. One
    edition per period and kind: a later decision on the same report is not recorded here.
    """

    #: Its files, in the order they are listed: (format, label, content type).
    FORMATS = (
        ("html", _("web page (HTML)"), "text/html; charset=utf-8"),
        ("pdf", "PDF", "application/pdf"),
        ("docx", "Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("csv", _("CSV with the outcomes"), "text/csv; charset=utf-8"),
        ("json", _("JSON with the outcomes"), "application/json"),
    )
    CONTENT_TYPES = {fmt: content_type for fmt, _label, content_type in FORMATS}

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="adopted_editions", verbose_name=_("period")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    build = models.ForeignKey(
        ReportBuild, on_delete=models.PROTECT, related_name="adopted_editions", verbose_name=_("build")
    )
    decided_on = models.DateField(_("date of the meeting"))
    paragraph = models.CharField(_("paragraph"), max_length=20, help_text=_("As in the minutes, e.g. “§ 187”."))
    diarienummer = models.CharField(
        _("diarienummer"), max_length=40, help_text=_("In the committee's form (see the committee).")
    )
    decided_by = models.CharField(_("decided by"), max_length=200, help_text=_("The committee's name as printed."))
    decision = models.CharField(_("decision line"), max_length=400)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"), help_text=_("Empty: recorded by the operator (a management command)."),
    )  # fmt: skip
    content = models.JSONField(_("content"), editable=False)
    content_hash = models.CharField(_("content hash"), max_length=64)
    figures = models.JSONField(_("figures"), editable=False)
    html = models.FileField(_("HTML"), upload_to=edition_file_path, max_length=300)
    docx = models.FileField(_("Word"), upload_to=edition_file_path, max_length=300)
    pdf = models.FileField(_("PDF"), upload_to=edition_file_path, max_length=300)
    csv = models.FileField(_("CSV"), upload_to=edition_file_path, max_length=300)
    json = models.FileField(_("JSON"), upload_to=edition_file_path, max_length=300)
    html_sha256 = models.CharField(_("SHA-256 of the HTML"), max_length=64)
    docx_sha256 = models.CharField(_("SHA-256 of the Word file"), max_length=64)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    csv_sha256 = models.CharField(_("SHA-256 of the CSV"), max_length=64)
    json_sha256 = models.CharField(_("SHA-256 of the JSON"), max_length=64)

    class Meta:
        verbose_name = _("adopted edition")
        verbose_name_plural = _("adopted editions")
        ordering = ["-decided_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["period", "kind"], name="adopted_edition_one_per_report")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} ({self.paragraph}, {self.diarienummer})"

    def file_for(self, fmt: str):
        return getattr(self, fmt)

    def sha256_for(self, fmt: str) -> str:
        return getattr(self, f"{fmt}_sha256")

    def get_absolute_url(self) -> str:
        return reverse("public:edition", args=[self.period.plan.committee.slug, self.period.slug, self.kind])


class ReportSection(BaseModel):
    """
    One section of a kind of report in a plan year: the report template, kept as data that
    the committee admin adjusts. Sections are ordered within their parent (three levels at
    most); each takes its content from one ``source``: a text a department writes for the
    period (reviewed like any entry), the plan's goals, a summary computed from the
    assessments, a key-figure table or a finance table.
    """

    class Source(models.TextChoices):
        NARRATIVE = "narrative", _("Text written by a department")
        INTRODUCTION = "introduction", _("Introduction written by the committee admin")
        GOALS = "goals", _("The plan's goals (generated)")
        SUMMARY = "assessment_summary", _("Summary of the goal assessments (computed)")
        KEY_FIGURES = "key_figures", _("Key-figure table")
        FINANCE = "finance", _("Finance table")
        HEADING = "heading", _("Heading only (its subsections hold the content)")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="report_sections", verbose_name=_("plan"))
    kind = models.CharField(_("kind of report"), max_length=20, choices=ReportKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("part of")
    )
    sort_order = models.PositiveIntegerField(_("order"))
    heading = models.CharField(
        _("heading"), max_length=300, blank=True,
        help_text=_("May be empty for the plan's goals: then each goal is a chapter of its own."),
    )  # fmt: skip
    numbered = models.BooleanField(_("numbered"), default=False)
    source = models.CharField(_("content"), max_length=30, choices=Source.choices, default=Source.NARRATIVE)
    parameter = models.CharField(
        _("table"),
        max_length=40,
        blank=True,
        help_text=_(
            "For key-figure and finance tables: which table. For the plan's goals: “priority” or "
            "“assignment” to show its priorities or budget assignments instead."
        ),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="report_sections",
        verbose_name=_("writing department"), help_text=_("Writes the text of a text section."),
    )  # fmt: skip
    instructions = CleanTextField(_("instructions to the writer"), blank=True, max_length=PLAIN_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["plan", "kind", "parent_id", "sort_order", "pk"]
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="narrative") | Q(department__isnull=False), name="report_section_narrative_writer"
            ),
        ]

    #: Sections nest three levels deep at most (the contents list three levels).
    MAX_DEPTH = 3
    #: A ``goals`` section with one of these as its parameter shows the plan's items of that level.
    PLAN_ITEM_LEVELS = ("priority", "assignment")

    def __str__(self):
        return self.heading or self.get_source_display()

    @property
    def depth(self) -> int:
        depth, parent = 1, self.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        return depth

    @property
    def is_table_in_parent(self) -> bool:
        """A table without a heading sits in its parent section, after the parent's text (it adds no level)."""
        tables = (self.Source.FINANCE, self.Source.KEY_FIGURES)
        return self.source in tables and not self.heading.strip() and self.parent_id is not None

    def clean(self):
        errors = {}
        if self.source == self.Source.NARRATIVE and not self.department_id:
            errors["department"] = _("A text section needs the department that writes it.")
        if self.department_id and self.plan_id and self.department.committee_id != self.plan.committee_id:
            errors["department"] = _("The department belongs to another committee.")
        if self.source in (self.Source.KEY_FIGURES, self.Source.FINANCE) and not self.parameter:
            errors["parameter"] = _("Name the table this section shows.")
        if self.source == self.Source.GOALS and self.parameter not in ("", *self.PLAN_ITEM_LEVELS):
            errors["parameter"] = _(
                "For the plan's goals: leave it empty, or “priority” or “assignment” for the plan's "
                "priorities or budget assignments."
            )
        table_in_parent = self.is_table_in_parent
        if not self.heading.strip() and self.source != self.Source.GOALS and not table_in_parent:
            errors["heading"] = _(
                "Only the plan's goals, and a table inside another section, may be without a heading."
            )
        if self.parent_id:
            parent = self.parent
            if (parent.plan_id, parent.kind) != (self.plan_id, self.kind):
                errors["parent"] = _("The section it is part of belongs to another report.")
            elif self.pk and any(p.pk == self.pk for p in _ancestors(parent)):
                errors["parent"] = _("A section cannot be part of itself.")
            elif self.depth > self.MAX_DEPTH + table_in_parent:
                errors["parent"] = _("Sections nest three levels deep at most.")
        if self.pk and not errors:
            before = ReportSection.objects.filter(pk=self.pk).values("source", "department_id").first()
            changed = before and (before["source"], before["department_id"]) != (self.source, self.department_id)
            if changed and self.texts.exists():
                errors["department"] = _(
                    "Departments have written texts for this section: its content and writing department stay."
                )
        if errors:
            raise ValidationError(errors)


def _ancestors(section: ReportSection):
    seen = set()
    while section is not None and section.pk not in seen:
        seen.add(section.pk)
        yield section
        section = section.parent


class SectionText(Reviewable):
    """A department's text of a report section for a period: written, submitted and reviewed like any entry."""

    section = models.ForeignKey(
        ReportSection, on_delete=models.PROTECT, related_name="texts", verbose_name=_("report section")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="section_texts", verbose_name=_("reporting period")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="section_texts", verbose_name=_("department")
    )
    history = HistoricalRecords(excluded_fields=["created_at"], inherit=False)

    natural_key_fields = ("section", "period", "department")
    event_subject = "text"

    class Meta:
        ordering = ["period", "section__sort_order", "department__sort_order"]
        verbose_name = _("section text")
        verbose_name_plural = _("section texts")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "period", "department"], name="section_text_unique_section_period_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section.heading} – {self.department.code} – {self.period.slug}"

    @property
    def review_title(self) -> str:
        """What the department is told was returned: the section's heading."""
        return f"“{self.section.heading}”"

    def has_content(self) -> bool:
        return bool(strip_tags(self.comment or "").strip())

    def submission_problems(self) -> dict[str, list[str]]:
        return {} if self.has_content() else {"comment": [_("Write the text before you submit.")]}

    def get_absolute_url(self) -> str:
        return reverse(
            "followup:section_text", args=[self.period.plan.committee.slug, self.period.slug, self.section_id]
        )


class KeyFigure(BaseModel):
    """A key figure of the committee over the years ("Unika hushåll resp. år"): one value per year."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="key_figures", verbose_name=_("committee")
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    change_label = models.CharField(
        _("name of the change row"), max_length=300, blank=True,
        help_text=_("E.g. “Förändring jmf med föregående år, unika hushåll”. Empty: no change row."),
    )  # fmt: skip
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)

    class Meta:
        ordering = ["committee", "code"]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        constraints = [models.UniqueConstraint(fields=["committee", "code"], name="key_figure_unique_code")]

    def __str__(self):
        return self.name


class KeyFigureValue(BaseModel):
    figure = models.ForeignKey(
        KeyFigure, on_delete=models.CASCADE, related_name="values", verbose_name=_("key figure")
    )
    year = models.PositiveIntegerField(_("year"), validators=year_validators)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["figure", "year"]
        verbose_name = _("value")
        verbose_name_plural = _("values")
        constraints = [models.UniqueConstraint(fields=["figure", "year"], name="key_figure_value_unique_year")]

    def __str__(self):
        return f"{self.figure} {self.year}"


class KeyFigureTable(BaseModel):
    """
    A table of key figures over a range of years in a plan year's reports ("Tabell 1. Antal
    unika … år 2022 till 2024."), with the change from the year before computed, and a chart
    beside it. Shown under a goal's follow-up, or where a report section names it.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="key_figure_tables", verbose_name=_("plan"))
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    caption = models.CharField(_("caption"), max_length=300)
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="key_figure_tables",
        verbose_name=_("goal"), help_text=_("Shown with the follow-up of this goal."),
    )  # fmt: skip
    first_year = models.PositiveIntegerField(_("first year"), validators=year_validators)
    last_year = models.PositiveIntegerField(_("last year"), validators=year_validators)
    chart = models.BooleanField(_("chart"), default=True)
    figures = models.ManyToManyField(
        KeyFigure, through="KeyFigureTableRow", related_name="tables", verbose_name=_("key figures")
    )

    class Meta:
        ordering = ["plan", "code"]
        verbose_name = _("key-figure table")
        verbose_name_plural = _("key-figure tables")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="key_figure_table_unique_code"),
            models.CheckConstraint(condition=Q(first_year__lte=models.F("last_year")), name="key_figure_table_years"),
        ]

    def __str__(self):
        return self.caption

    def clean(self):
        if self.goal_id and self.plan_id and self.goal.plan_id != self.plan_id:
            raise ValidationError({"goal": _("The goal belongs to another plan.")})


class KeyFigureTableRow(models.Model):
    table = models.ForeignKey(KeyFigureTable, on_delete=models.CASCADE, related_name="rows")
    figure = models.ForeignKey(KeyFigure, on_delete=models.PROTECT, related_name="+", verbose_name=_("key figure"))
    sort_order = models.PositiveIntegerField(_("order"))

    class Meta:
        ordering = ["table", "sort_order"]
        verbose_name = _("row")
        verbose_name_plural = _("rows")
        constraints = [models.UniqueConstraint(fields=["table", "figure"], name="key_figure_table_row_unique")]

    def __str__(self):
        return str(self.figure)

    def clean(self):
        table, figure = self.table if self.table_id else None, self.figure if self.figure_id else None
        if table and figure and figure.committee_id != table.plan.committee_id:
            raise ValidationError({"figure": _("The key figure belongs to another committee.")})
