"""
Write operations of the reports app: requesting, running and recovering report builds, and
the texts a committee admin writes for a report.

A build runs outside any request: it is claimed with one UPDATE (so that two deliveries of
the same task never build at once), reads the document, and stops early when the content is
the same as the current build's. It renders every format, stores the files through Django's
storage API and only then becomes ``done`` — the current build. Any failure leaves the
previous current build in place; Celery retries the task, and a build whose worker died is
started again by ``stalled_builds_recover``.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commitments.models import ReportingPeriod
from commitments.permissions import is_committee_admin
from commitments.services import rich_text_clean

from .document import content_hash, to_data
from .models import ReportBuild, ReportDefinition, ReportFormat
from .renderers import render
from .selectors import DOCUMENTS, current_build, report_document

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

Status = ReportBuild.Status

#: Progress (per cent) when each format starts; the PDF takes most of the time.
STEPS = ((ReportFormat.HTML, 20), (ReportFormat.DOCX, 30), (ReportFormat.PDF, 45))


def report_definition_save(*, definition: ReportDefinition, user: User, introduction: str) -> ReportDefinition:
    """Save the introduction a committee admin wrote for a report (sanitised)."""
    if not is_committee_admin(user, definition.period.plan.committee_id):
        raise PermissionDenied
    definition.introduction = rich_text_clean(introduction, field="introduction")
    definition.full_clean()
    definition.save()
    return definition


def build_request(
    *, period: ReportingPeriod, kind: str, trigger: str, user: User | None = None, draft: bool = False
) -> ReportBuild:
    """
    Ask for a build of a report and queue its task; return the build.

    A report has at most one build queued or running at a time (a database constraint): a
    request made while one is under way returns that one, so pressing the button twice or a
    nightly run that meets a manual one builds once.
    """
    if user is not None and not is_committee_admin(user, period.plan.committee_id):
        raise PermissionDenied
    active = ReportBuild.objects.filter(period=period, kind=kind, draft=draft, status__in=ReportBuild.ACTIVE)
    try:
        with transaction.atomic():
            build = ReportBuild.objects.create(
                period=period, kind=kind, draft=draft, trigger=trigger, requested_by=user, status=Status.QUEUED
            )
    except IntegrityError:
        return active.get()
    build_enqueue(build)
    return build


def build_enqueue(build: ReportBuild) -> None:
    """Send the build's task once the row that names it is committed."""
    from .tasks import build_report_task  # the tasks module imports this one

    build_id = build.pk
    transaction.on_commit(lambda: build_report_task.delay(build_id))


def nightly_builds_request() -> list[ReportBuild]:
    """Request the approved build of every report of every committee's open periods."""
    periods = ReportingPeriod.objects.filter(status=ReportingPeriod.Status.OPEN).select_related("plan")
    return [
        build_request(period=period, kind=kind, trigger=ReportBuild.Trigger.NIGHTLY)
        for period in periods.order_by("plan__committee__slug", "start")
        for kind in DOCUMENTS
    ]


def build_claim(*, build_id: int, task_id: str) -> bool:
    """
    Mark the build as running in this process; return False when it is not this task's to run.

    A queued build is claimed by the first task that reaches it. A build that is running or
    failed is claimed again only by the same task (Celery delivering it again after its worker
    died, or its retry) or when it has shown no sign of life for ``REPORT_BUILD_STALE_AFTER``.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.REPORT_BUILD_STALE_AFTER)
    claimable = (
        Q(status=Status.QUEUED)
        | Q(status__in=[Status.RUNNING, Status.FAILED], task_id=task_id)
        | Q(status=Status.RUNNING, heartbeat_at__lt=stale)
    )
    return bool(
        ReportBuild.objects.filter(claimable, pk=build_id, attempts__lt=settings.REPORT_BUILD_MAX_ATTEMPTS).update(
            status=Status.RUNNING,
            task_id=task_id,
            worker=f"{socket.gethostname()} pid {os.getpid()}",
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            step="",
            error="",
        )
    )


def build_run(*, build_id: int, task_id: str) -> ReportBuild | None:
    """
    Build the report in every format; return the build, or None when it was not this task's.

    Raises what the rendering raised, after recording it on the build (status ``failed``),
    so that the task can retry.
    """
    if not build_claim(build_id=build_id, task_id=task_id):
        return None
    build = ReportBuild.objects.select_related("period__plan__committee").get(pk=build_id)
    try:
        _progress(build, 5, _("Reading the approved content"))
        document = report_document(period=build.period, kind=build.kind, draft=build.draft)
        data = to_data(document)
        fingerprint = content_hash(data)
        current = None if build.draft else current_build(period=build.period, kind=build.kind)
        if current is not None and current.content_hash == fingerprint:
            return _finish(build, Status.UNCHANGED, content_hash=fingerprint)
        name = slugify(f"{document.title} {build.period.plan.committee.slug}".replace("–", " "))
        name += "-utkast" if build.draft else ""
        files = {}
        for fmt, percent in STEPS:
            _progress(build, percent, _("Writing %(format)s") % {"format": fmt.label})
            files[fmt] = (f"{name}.{fmt.value}", render(document, fmt))
        _progress(build, 95, _("Saving the files"))
        for fmt, (filename, content) in files.items():
            field = build.file_for(fmt)
            path = build_file_path_for(build, filename)
            field.storage.delete(path)  # a retry overwrites what an attempt that died left behind
            field.name = field.storage.save(path, ContentFile(content))
        return _finish(build, Status.DONE, content_hash=fingerprint, content=data)
    except BaseException as error:  # the soft time limit too; the task decides about a retry
        logger.exception("Report build %s failed", build_id)
        ReportBuild.objects.filter(pk=build_id, status=Status.RUNNING).update(
            status=Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        raise


def build_file_path_for(build: ReportBuild, filename: str) -> str:
    return build.html.field.generate_filename(build, filename)


def _progress(build: ReportBuild, percent: int, step: str) -> None:
    ReportBuild.objects.filter(pk=build.pk).update(progress=percent, step=step, heartbeat_at=timezone.now())


def _finish(build: ReportBuild, status: str, **fields) -> ReportBuild:
    now = timezone.now()
    build.status, build.progress, build.step, build.finished_at, build.heartbeat_at = status, 100, "", now, now
    for name, value in fields.items():
        setattr(build, name, value)
    build.save(
        update_fields=[
            "status", "progress", "step", "finished_at", "heartbeat_at", "content_hash", "content",
            "html", "docx", "pdf", "updated_at",
        ]
    )  # fmt: skip
    return build


def stalled_builds_recover() -> int:
    """
    Start again the builds whose worker died (no sign of life for ``REPORT_BUILD_STALE_AFTER``
    seconds, or queued that long); those tried ``REPORT_BUILD_MAX_ATTEMPTS`` times stay failed.
    Returns how many were sent again.
    """
    stale = timezone.now() - timedelta(seconds=settings.REPORT_BUILD_STALE_AFTER)
    stalled = ReportBuild.objects.filter(
        Q(status=Status.RUNNING, heartbeat_at__lt=stale) | Q(status=Status.QUEUED, created_at__lt=stale)
    )
    sent = 0
    for build in stalled:
        if build.attempts >= settings.REPORT_BUILD_MAX_ATTEMPTS:
            ReportBuild.objects.filter(pk=build.pk, status=build.status).update(
                status=Status.FAILED, error=_("Stopped after %(n)s attempts.") % {"n": build.attempts}
            )
        else:
            build_enqueue(build)
            sent += 1
    return sent
