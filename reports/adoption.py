"""
Adopting an edition of a report: the committee decided on a build, and that edition becomes
a public record that never changes.

The edition is made from the report's current build: its stored content is rendered again
with the decision line (meeting date, § and diarienummer), and the outcomes the build was
made from are written as open data (CSV and JSON). Every file goes to a folder of its own
with its SHA-256, so that no later build or edition can overwrite it; later approvals make
new builds as before, and the edition stays as it was decided.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import tablib
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commitments.models import Event, EventType, ReportingPeriod
from commitments.permissions import require_committee_admin
from common.tabular import csv_bytes, inert_cell

from .document import content_hash, from_data, to_data
from .models import AdoptedEdition, ReportBuild, ReportKind
from .renderers import render
from .selectors import FIGURE_COLUMNS, current_build
from .services import build_fingerprint

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

DOCUMENT_FORMATS = ("html", "docx", "pdf")
PARAGRAPH = re.compile(r"^(?:§\s*)?(\d+)$")
#: The numeric columns of the open data: numbers (or null) in the JSON file.
NUMERIC_COLUMNS = ("varde", "taljare", "namnare")


def decision_line(*, committee_name: str, decided_on: datetime.date, paragraph: str, diarienummer: str) -> str:
    """The line an adopted edition prints: “Beslutad av <committee> 2019-09-25, § 187, dnr ASN-2019-1234”."""
    return f"Beslutad av {committee_name} {decided_on.isoformat()}, {paragraph}, dnr {diarienummer}"


def adoption_check(
    *,
    period: ReportingPeriod,
    kind: str,
    decided_on: datetime.date | None,
    paragraph: str,
    diarienummer: str,
    build_id: int | None = None,
) -> tuple[ReportBuild, str, str]:
    """
    Check that the report can be adopted as asked: return its current build (which must be
    ``build_id`` where the admin named the one they saw) and the paragraph and diarienummer
    as they are recorded, or raise one ``ValidationError`` naming every problem (by field
    where there is one).
    """
    errors: dict[str, list[str]] = {}
    if kind not in ReportKind.values:
        raise ValidationError(_("Unknown kind of report."))
    existing = AdoptedEdition.objects.filter(period=period, kind=kind).first()
    if existing is not None:
        raise ValidationError(
            _(
                "This report is already adopted (%(decision)s). A period has one adopted edition of each "
                "report: it cannot be replaced or adopted again."
            )
            % {"decision": existing.decision}
        )
    build = current_build(period=period, kind=kind)
    if build is None:
        if ReportBuild.objects.filter(period=period, kind=kind, draft=True, status=ReportBuild.Status.DONE).exists():
            raise ValidationError(
                _("There is only a draft of this report. Build the approved report before it is adopted.")
            )
        raise ValidationError(_("There is no approved build of this report to adopt. Build it first."))
    if build_id is not None and build.pk != build_id:
        raise ValidationError(
            _(
                "Build %(seen)s is no longer the current one: build %(current)s was made since. Look at it, and "
                "adopt it if it is what the committee decided on."
            )
            % {"seen": build_id, "current": build.pk}
        )
    if decided_on is None:
        errors.setdefault("decided_on", []).append(_("Give the date of the meeting."))
    elif decided_on > timezone.localdate():
        errors.setdefault("decided_on", []).append(_("The meeting cannot be later than today."))
    elif decided_on < period.start:
        errors.setdefault("decided_on", []).append(_("The meeting cannot be before the period began."))
    match = PARAGRAPH.match((paragraph or "").strip())
    if match is None:
        errors.setdefault("paragraph", []).append(_("Write the paragraph as in the minutes, e.g. “§ 187”."))
    # In the committee's own form ("ASN-2019-1234", "XYZ 2016/45"); typed in lower case, as
    # it is registered where only the upper-case form fits.
    committee = period.plan.committee
    diarienummer = (diarienummer or "").strip()
    if committee.diarienummer_problem(diarienummer) and not committee.diarienummer_problem(diarienummer.upper()):
        diarienummer = diarienummer.upper()
    problem = committee.diarienummer_problem(diarienummer)
    if problem:
        errors.setdefault("diarienummer", []).append(problem)
    if errors:
        raise ValidationError(errors)
    return build, f"§ {match.group(1)}", diarienummer


def report_adopt(
    *,
    user: User | None,
    period: ReportingPeriod,
    kind: str,
    build_id: int | None = None,
    decided_on: datetime.date,
    paragraph: str,
    diarienummer: str,
) -> AdoptedEdition:
    """
    Record that the committee adopted the report's current build; return the frozen edition.

    Only the committee's admins may (``user`` None: the operator, e.g. ``manage.py
    adopt_report``). Refused with a ``ValidationError`` when there is no approved build (or
    only a draft), the report is already adopted, or the date, § or diarienummer are not
    valid. The files are written before the row; if the row cannot be saved they are removed.
    """
    committee = period.plan.committee
    require_committee_admin(user, committee.pk)
    current, paragraph, diarienummer = adoption_check(
        period=period,
        kind=kind,
        decided_on=decided_on,
        paragraph=paragraph,
        diarienummer=diarienummer,
        build_id=build_id,
    )
    build = ReportBuild.objects.get(pk=current.pk)  # with its content
    if build.figures is None or build_fingerprint(content=build.content, figures=build.figures) != build.content_hash:
        # Rendered again today, an older build would not look as the one the committee read
        # (or its open data would be today's outcomes): it is built again first.
        raise ValidationError(
            _("Build %(number)s was made by an earlier version of the application. Build the report again, check it, "
              "and adopt the new build.") % {"number": build.pk}
        )  # fmt: skip
    decision = decision_line(
        committee_name=committee.name, decided_on=decided_on, paragraph=paragraph, diarienummer=diarienummer
    )
    document = from_data(build.content)
    document.decision = decision
    content = to_data(document)
    figures = build.figures
    edition = AdoptedEdition(
        period=period, kind=kind, build=build, decided_on=decided_on, paragraph=paragraph,
        diarienummer=diarienummer, decided_by=committee.name, decision=decision, adopted_by=user,
        content=content, content_hash=content_hash(content), figures=figures,
    )  # fmt: skip
    files = {fmt: render(document, fmt) for fmt in DOCUMENT_FORMATS}
    files["csv"] = figures_csv(figures)
    files["json"] = figures_json(edition, title=document.title)
    name = slugify(f"{document.title} {committee.slug}".replace("–", " ")) + "-antagen"
    # A folder no other edition or build uses, even one adopted again after a failure.
    folder = f"{decided_on:%Y%m%d}-{uuid.uuid4().hex[:12]}"
    saved: list[str] = []
    try:
        for fmt, data in files.items():
            field = AdoptedEdition._meta.get_field(fmt)
            path = field.generate_filename(edition, f"{folder}/{name}.{fmt}")
            stored = default_storage.save(path, ContentFile(data))
            saved.append(stored)
            setattr(edition, fmt, stored)
            setattr(edition, f"{fmt}_sha256", hashlib.sha256(data).hexdigest())
        with transaction.atomic():
            # The build stays: PROTECT keeps it (and its period) while the edition exists.
            ReportBuild.objects.select_for_update().filter(pk=build.pk).first()
            if AdoptedEdition.objects.filter(period=period, kind=kind).exists():
                raise IntegrityError  # adopted by someone else while this one rendered
            edition.full_clean(exclude=["content", "figures"])
            edition.save()
            _record_event(edition, user)  # by the operator when ``user`` is None
    except IntegrityError:
        _remove(saved)
        raise ValidationError(
            _("This report was adopted a moment ago by someone else. Reload the page to see the edition.")
        ) from None
    except BaseException:
        _remove(saved)
        raise
    return edition


def _record_event(edition: AdoptedEdition, user: User | None) -> Event:
    period = edition.period
    return Event.objects.create(
        type=EventType.REPORT_ADOPT,
        actor=user,
        committee_id=period.plan.committee_id,
        period=period,
        content_type=ContentType.objects.get_for_model(edition),
        object_id=edition.pk,
        subject_label=f"{edition.get_kind_display()}: {edition.decision}"[:300],
        to_state="adopted",
    )


def _remove(paths: list[str]) -> None:
    for path in paths:
        try:
            default_storage.delete(path)
        except Exception:
            # The failure that made us clean up is the one to report; this one is logged.
            logger.exception("Could not remove %s after a failed adoption", path)


def figures_csv(figures: list[dict[str, str]]) -> bytes:
    """The open data as CSV: UTF-8 with a BOM, comma-separated, quoted as RFC 4180 says, every cell inert."""
    data = tablib.Dataset(headers=list(FIGURE_COLUMNS))
    for row in figures:
        data.append([inert_cell(str(row.get(column, ""))) for column in FIGURE_COLUMNS])
    return csv_bytes(data)


def _json_number(value: str):
    if value == "":
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value  # a target written as a text ("Basårsmätning")
    if not number.is_finite():  # "NaN", "Infinity": a text, not a number JSON could hold
        return value
    return int(number) if number == number.to_integral_value() else float(number)


def figures_json(edition: AdoptedEdition, *, title: str) -> bytes:
    """The open data as JSON: a description of the edition, and the rows with the CSV's keys (figures as numbers)."""
    period = edition.period
    rows = []
    for row in edition.figures:
        item = {column: row.get(column, "") for column in FIGURE_COLUMNS}
        item["planar"] = int(item["planar"]) if item["planar"] else None
        for column in (*NUMERIC_COLUMNS, "malvarde"):
            item[column] = _json_number(item[column])
        rows.append(item)
    description = {
        "titel": title,
        "namnd": edition.decided_by,
        "rapport": edition.kind,
        "planar": period.plan.year,
        "period": period.slug,
        "period_namn": period.name,
        "beslut": edition.decision,
        "beslutsdatum": edition.decided_on.isoformat(),
        "paragraf": edition.paragraph,
        "diarienummer": edition.diarienummer,
        "kolumner": list(FIGURE_COLUMNS),
    }
    return json.dumps({"upplaga": description, "utfall": rows}, ensure_ascii=False, indent=2).encode("utf-8")
