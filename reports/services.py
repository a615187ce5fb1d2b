"""
Write operations of the reports app: requesting, running and recovering report builds, and
the texts a committee admin writes for a report.

A build runs outside any request: it is claimed with one UPDATE (so that two deliveries of
the same task never build at once), reads the document, and stops early when the content is
the same as the current build's. It renders every format, stores the files through Django's
storage API and only then becomes ``done`` — the current build. Any failure leaves the
previous current build in place; Celery retries the task, and a build whose worker died is
started again by ``stalled_builds_recover``.

While it runs, a thread writes the build's ``heartbeat_at`` every
``REPORT_BUILD_HEARTBEAT_INTERVAL`` seconds; a running build whose heartbeat is older than
``REPORT_BUILD_STALE_AFTER`` lost its worker, and the stalled-build task (every minute) or
the next request for it starts it again as a new attempt. Each attempt writes only while
the build names it (its task and number), so an attempt that was only slow and comes back
changes nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commitments.models import Department, Plan, ReportingPeriod
from commitments.permissions import can_edit_department, is_committee_admin, require_committee_admin
from commitments.workflow import Change, reviewable_save
from common.metrics import report_build_ended
from common.richtext import rich_text_clean

from .assembly import report_document
from .document import content_hash, to_data
from .failures import TECHNICAL, BuildFailure, failing_row, failure_text
from .models import ReportBuild, ReportDefinition, ReportFormat, ReportSection, SectionText
from .renderers import RENDERER_VERSION, render
from .selectors import current_build, outcome_figures, report_has_introduction, report_kinds_for

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

Status = ReportBuild.Status

#: Progress (per cent) when each format starts; the PDF takes most of the time.
STEPS = ((ReportFormat.HTML, 20), (ReportFormat.DOCX, 30), (ReportFormat.PDF, 45))


def report_definition_save(
    *,
    definition: ReportDefinition,
    user: User,
    introduction: str | None = None,
    occasion: str = "",
    contents: bool | None = None,
) -> ReportDefinition:
    """
    Save what a committee admin wrote for a report: the introduction (sanitised; None leaves
    it as it is), the occasion line under the title, and whether it has a contents list
    (None: as its kind has it). A report whose template has no introduction section takes no
    introduction: it would be saved and never printed.
    """
    period = definition.period
    if not is_committee_admin(user, period.plan.committee_id):
        raise PermissionDenied
    if introduction is not None:
        introduction = rich_text_clean(introduction, field="introduction")
        if introduction.strip() and not report_has_introduction(plan=period.plan, kind=definition.kind):
            raise ValidationError(
                {
                    "introduction": _(
                        "This report has no introduction section, so an introduction would not be printed."
                    )
                }
            )
        definition.introduction = introduction
    definition.occasion = " ".join((occasion or "").split())
    definition.contents = contents
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
    nightly run that meets a manual one builds once. A build that only seems under way (its
    worker died: no sign of life for ``REPORT_BUILD_STALE_AFTER``) is started again as a new
    attempt, or ends as failed after its last one and a new build is made.
    """
    if user is not None and not is_committee_admin(user, period.plan.committee_id):
        raise PermissionDenied
    active = ReportBuild.objects.filter(period=period, kind=kind, draft=draft, status__in=ReportBuild.ACTIVE)
    for _attempt in range(3):  # the build under way may finish between the insert and the read
        try:
            with transaction.atomic():
                build = ReportBuild.objects.create(
                    period=period, kind=kind, draft=draft, trigger=trigger, requested_by=user,
                    status=Status.QUEUED, heartbeat_at=timezone.now(),
                )  # fmt: skip
        except IntegrityError:
            under_way = active.first()
            if under_way is not None and not build_recover(under_way):
                return under_way
            if under_way is not None and under_way.status != Status.FAILED:
                return under_way  # queued again as a new attempt
        else:
            build_enqueue(build)
            return build
    raise RuntimeError(f"Could not request a build of {kind} for {period}")


def build_fingerprint(*, content, figures) -> str:
    """
    What a build is made of: its content, its figures and the renderers' version. A build
    with the fingerprint of the current one is not made again; a build whose stored
    fingerprint differs from the one its content gives now was made by another version.
    """
    return content_hash({"renderer": RENDERER_VERSION, "content": content, "figures": figures})


def build_enqueue(build: ReportBuild) -> None:
    """Send the build's task once the row that names it is committed."""
    from .tasks import build_report_task  # the tasks module imports this one

    build_id = build.pk
    transaction.on_commit(lambda: build_report_task.delay(build_id))


def nightly_builds_request() -> list[ReportBuild]:
    """
    Request the approved build of every report of every committee's periods not yet closed. A request
    that fails is logged and the others go on.
    """
    # Followed until a committee admin closes the period: reviewers go on after the deadline.
    periods = ReportingPeriod.objects.still_open()
    periods = periods.select_related("plan__committee")
    builds = []
    for period in periods.order_by("plan__committee__slug", "start"):
        for kind in report_kinds_for(period):
            try:
                builds.append(build_request(period=period, kind=kind, trigger=ReportBuild.Trigger.NIGHTLY))
            except Exception:
                logger.exception("The nightly build of %s for %s could not be requested", kind, period)
    return builds


class Superseded(Exception):
    """This attempt no longer owns the build (it was claimed again after it stalled)."""


def build_claim(*, build_id: int, task_id: str) -> int | None:
    """
    Mark the build as running in this process; return the attempt's number, or None when the
    build is not this task's to run.

    A queued build is claimed by the first task that reaches it. A running build is claimed
    again only by the same task (Celery delivering it again after its pool process died);
    a build whose whole worker died is put back in the queue by ``stalled_builds_recover``.
    """
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, task_id=task_id)
    with transaction.atomic():
        build = (
            ReportBuild.objects.select_for_update()
            .filter(claimable, pk=build_id, attempts__lt=settings.REPORT_BUILD_MAX_ATTEMPTS)
            .only("attempts")
            .first()
        )
        if build is None:
            return None
        attempt = build.attempts + 1
        ReportBuild.objects.filter(pk=build_id).update(
            status=Status.RUNNING, task_id=task_id, worker=f"{socket.gethostname()} pid {os.getpid()}",
            attempts=attempt, started_at=now, heartbeat_at=now, progress=0, step="", error="",
        )  # fmt: skip
    return attempt


def build_run(*, build_id: int, task_id: str) -> ReportBuild | None:
    """
    Build the report in every format; return the build, or None when it was not this task's.

    Every write names the attempt, so that an attempt that lost the build (it stalled and
    was started again) changes nothing. A failure is recorded on the build and raised for
    the task: the build goes back to the queue for its retry, or, after its last attempt or
    when it ran out of time, ends as failed.
    """
    attempt = build_claim(build_id=build_id, task_id=task_id)
    if attempt is None:
        return None
    mine = ReportBuild.objects.filter(pk=build_id, task_id=task_id, attempts=attempt, status=Status.RUNNING)
    kind = ReportBuild.objects.values_list("kind", flat=True).get(pk=build_id)
    started, outcome = time.monotonic(), "superseded"
    try:
        with _heartbeat(pk=build_id, task_id=task_id, attempt=attempt):
            build = _build(build_id, mine, attempt)
        outcome = build.status
        return build
    except Superseded:
        logger.warning("Report build %s attempt %s was taken over; it stops", build_id, attempt)
        return None
    except BaseException as error:  # the soft time limit too
        logger.exception("Report build %s attempt %s failed", build_id, attempt)
        final = isinstance(error, SoftTimeLimitExceeded) or attempt >= settings.REPORT_BUILD_MAX_ATTEMPTS
        outcome = Status.FAILED if final else "retry"
        mine.update(
            status=Status.FAILED if final else Status.QUEUED,
            error=failure_text(attempt=attempt, error=error),
            finished_at=timezone.now() if final else None,
            heartbeat_at=timezone.now(),
        )
        raise
    finally:
        # The attempt's duration, however it ended, for the metrics (common/metrics.py).
        report_build_ended(kind=kind, outcome=str(outcome), seconds=time.monotonic() - started)


def _build(build_id: int, mine, attempt: int) -> ReportBuild:
    """The work of ``build_run``, every write through ``mine`` (the build while this attempt owns it)."""
    build = ReportBuild.objects.select_related("period__plan__committee").defer("content").get(pk=build_id)
    _progress(mine, 5, _("Reading the approved content"))
    document = report_document(period=build.period, kind=build.kind, draft=build.draft)
    data = to_data(document)
    # The open data of the outcomes, read with the document: an edition adopted from this
    # build publishes these figures, as they were when it was made.
    figures = outcome_figures(period=build.period, kind=build.kind)
    fingerprint = build_fingerprint(content=data, figures=figures)
    current = None if build.draft else current_build(period=build.period, kind=build.kind)
    if current is not None and current.content_hash == fingerprint:
        _finish(mine, status=Status.UNCHANGED, content_hash=fingerprint)
        return ReportBuild.objects.get(pk=build_id)
    name = slugify(f"{document.title} {build.period.plan.committee.slug}".replace("–", " "))
    name += "-utkast" if build.draft else ""
    files = {}
    for fmt, percent in STEPS:
        _progress(mine, percent, _("Writing %(format)s") % {"format": fmt.label})
        try:
            files[fmt] = render(document, fmt)
        except SoftTimeLimitExceeded:
            raise
        except Exception as error:
            located = _located(error, document, fmt)
            if located is error:
                raise
            raise located from error
    _progress(mine, 95, _("Saving the files"))
    paths = {}
    for fmt, content in files.items():
        # Each attempt writes to a folder of its own: an attempt that stalled cannot
        # overwrite the files of the one that took over.
        path = build.html.field.generate_filename(build, f"{attempt}/{name}.{fmt.value}")
        paths[fmt.value] = default_storage.save(path, ContentFile(content))
    _finish(mine, status=Status.DONE, content_hash=fingerprint, content=data, figures=figures, **paths)
    return ReportBuild.objects.get(pk=build_id)


def _located(error: Exception, document, fmt) -> Exception:
    """``error`` of a renderer, with the row of the document it fails on where one can be found."""
    if isinstance(error, (*TECHNICAL, BuildFailure)):
        return error
    return BuildFailure(error, row=failing_row(document, fmt, error, render=render) or "", fmt_label=fmt.label)


class _Heartbeat(threading.Thread):
    """Writes the build's sign of life every ``REPORT_BUILD_HEARTBEAT_INTERVAL`` seconds until stopped."""

    def __init__(self, *, pk: int, task_id: str, attempt: int) -> None:
        super().__init__(name=f"report-build-{pk}-heartbeat", daemon=True)
        self.pk, self.task_id, self.attempt = pk, task_id, attempt
        self.stopped = threading.Event()

    def run(self) -> None:
        mine = ReportBuild.objects.filter(
            pk=self.pk, task_id=self.task_id, attempts=self.attempt, status=Status.RUNNING
        )
        try:
            while not self.stopped.wait(settings.REPORT_BUILD_HEARTBEAT_INTERVAL):
                if not mine.update(heartbeat_at=timezone.now()):
                    return  # taken over or ended: the build's next step finds out
        except Exception:
            logger.exception("The heartbeat of report build %s stopped", self.pk)
        finally:
            connections.close_all()  # this thread's own connection


@contextlib.contextmanager
def _heartbeat(*, pk: int, task_id: str, attempt: int):
    """Keep the build's heartbeat fresh from a thread while the block runs (one step may take minutes)."""
    if connection.in_atomic_block:
        # Run inside a caller's transaction (a test, an eager task in a request): another
        # connection cannot see the build, and no other worker can take it over either.
        yield
        return
    beat = _Heartbeat(pk=pk, task_id=task_id, attempt=attempt)
    beat.start()
    try:
        yield
    finally:
        beat.stopped.set()
        beat.join()


def _progress(mine, percent: int, step: str) -> None:
    if not mine.update(progress=percent, step=step, heartbeat_at=timezone.now()):
        raise Superseded


def _finish(mine, **fields) -> None:
    now = timezone.now()
    if not mine.update(progress=100, step="", finished_at=now, heartbeat_at=now, updated_at=now, **fields):
        raise Superseded


def _stale() -> Q:
    """The builds under way that show no sign of life: running on a worker that died, or queued with a lost message."""
    now = timezone.now()
    running = now - timedelta(seconds=settings.REPORT_BUILD_STALE_AFTER)
    queued = now - timedelta(seconds=settings.REPORT_BUILD_QUEUED_STALE_AFTER)
    return Q(status=Status.RUNNING, heartbeat_at__lt=running) | Q(status=Status.QUEUED, heartbeat_at__lt=queued)


def build_recover(build: ReportBuild) -> bool:
    """
    If ``build`` is stale (see ``_stale``), put it back in the queue and send it again as a
    new attempt, or, when it has had ``REPORT_BUILD_MAX_ATTEMPTS``, end it as failed; return
    whether it was stale. Only the first of several callers that find it stale changes it.
    """
    now = timezone.now()
    same = ReportBuild.objects.filter(_stale(), pk=build.pk, status=build.status, heartbeat_at=build.heartbeat_at)
    if build.attempts >= settings.REPORT_BUILD_MAX_ATTEMPTS:
        if not same.update(
            status=Status.FAILED, finished_at=now,
            error=_("Stopped after %(n)s attempts: the worker building it stopped answering.") % {"n": build.attempts},
        ):  # fmt: skip
            return False
        build.status = Status.FAILED
        logger.warning("Report build %s failed for good: its worker stopped answering", build.pk)
        return True
    if not same.update(status=Status.QUEUED, heartbeat_at=now):
        return False
    logger.warning("Report build %s showed no sign of life since %s; it is sent again", build.pk, build.heartbeat_at)
    build.status, build.heartbeat_at = Status.QUEUED, now
    build_enqueue(build)
    return True


def stalled_builds_recover() -> int:
    """
    Put back in the queue, and send again, the builds that showed no sign of life: running
    with no heartbeat for ``REPORT_BUILD_STALE_AFTER`` seconds (the worker died), or queued
    for ``REPORT_BUILD_QUEUED_STALE_AFTER`` (the message was lost). Those tried
    ``REPORT_BUILD_MAX_ATTEMPTS`` times end as failed. Each build is sent once per stale
    interval, however often this runs. Returns how many were sent again.
    """
    sent = 0
    for build in ReportBuild.objects.filter(_stale()).only("pk", "status", "attempts", "heartbeat_at"):
        if build_recover(build) and build.status == Status.QUEUED:
            sent += 1
    return sent


def section_text_change(*, text: SectionText, user: User, comment: str, expected_version: int) -> Change:
    """
    Check a department's text of a report section for ``reviewable_page_save``: only the
    editors of the section's writing department may (else ``PermissionDenied``).
    """
    section = text.section
    if section.source != ReportSection.Source.NARRATIVE or section.plan_id != text.period.plan_id:
        raise PermissionDenied
    if text.department_id != section.department_id or not can_edit_department(user, text.department):
        raise PermissionDenied
    return Change("", text, expected_version, {"comment": rich_text_clean(comment)})


def section_text_save(*, text: SectionText, user: User, comment: str, expected_version: int) -> SectionText:
    """
    Save a department's text of a report section for a period, as a draft. Only the editors
    of the section's writing department may, while the period is open and the text a draft
    or returned (the one workflow); a save from an old version raises ``workflow.Conflict``.
    """
    change = section_text_change(text=text, user=user, comment=comment, expected_version=expected_version)
    return reviewable_save(obj=text, expected_version=expected_version, values=change.values, user=user)


def report_sections_replace(*, user: User | None, plan: Plan, kind: str, sections: list[dict]) -> list[ReportSection]:
    """
    Replace the sections of the plan's report of ``kind`` with ``sections``, all or nothing.
    Only the committee's admins may (``user`` None: the operator, e.g. the demo loader).

    Each item has ``level`` (1–3, below the item before it at most one level deeper),
    ``heading``, ``numbered``, ``source``, and optionally ``parameter``, ``department`` (a
    department code of the committee) and ``instructions``. Sections that departments have
    written texts for are not thrown away: then nothing is replaced. Every bad item is named
    in one ``ValidationError``.
    """
    require_committee_admin(user, plan.committee_id)
    departments = {d.code: d for d in Department.objects.filter(committee_id=plan.committee_id)}
    errors: list[str] = []
    made: list[ReportSection] = []
    parents: list[ReportSection] = []
    with transaction.atomic():
        existing = ReportSection.objects.filter(plan=plan, kind=kind)
        if SectionText.objects.filter(section__in=existing).exists():
            raise ValidationError(_("Departments have written texts for these sections: change them one by one."))
        existing.delete()
        for number, item in enumerate(sections, start=1):
            level = int(item.get("level", 1))
            # A table without a heading sits in its parent and may go one level deeper.
            table_in_parent = item.get("source") in ("finance", "key_figures") and not item.get("heading")
            if not 1 <= level <= min(len(parents) + 1, ReportSection.MAX_DEPTH + table_in_parent):
                errors.append(_("Section %(n)s: level %(level)s does not follow the one before.") % {
                    "n": number, "level": level})  # fmt: skip
                continue
            code = item.get("department") or ""
            if code and code not in departments:
                errors.append(_("Section %(n)s: unknown department %(code)s.") % {"n": number, "code": code})
                continue
            section = ReportSection(
                plan=plan, kind=kind, parent=parents[level - 2] if level > 1 else None, sort_order=number,
                heading=item.get("heading", ""), numbered=bool(item.get("numbered")), source=item["source"],
                parameter=item.get("parameter", ""), department=departments.get(code),
                instructions=item.get("instructions", ""),
            )  # fmt: skip
            try:
                section.full_clean()
            except ValidationError as error:
                messages = [m for field_messages in error.message_dict.values() for m in field_messages]
                errors.append(_("Section %(n)s (%(heading)s): %(messages)s") % {
                    "n": number, "heading": section.heading, "messages": " ".join(messages)})  # fmt: skip
                continue
            section.save()
            made.append(section)
            del parents[level - 1 :]
            parents.append(section)
        if errors:
            raise ValidationError(errors)  # leaving the atomic block rolls everything back
    return made
