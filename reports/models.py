"""
What the reports app stores: what the committee admin writes for a report, and each build.

The documents themselves are not stored as rows: a build keeps its content (the document
model as data, and its hash) and the files in each format through Django's storage API.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commitments.models import BaseModel, ReportingPeriod


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
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("The text of chapter 1. Empty: a standard text is used.")
    )

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        constraints = [models.UniqueConstraint(fields=["period", "kind"], name="report_definition_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period}"


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
