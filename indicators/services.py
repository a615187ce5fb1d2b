"""Write operations on indicators and outcomes, and on the plan as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import RowResult

from commitments.models import (
    AssessmentValue,
    Committee,
    Department,
    Plan,
    ProgressEntry,
    ReportingPeriod,
)
from commitments.permissions import can_edit_department, require_committee_admin
from commitments.resources import PlanResource
from commitments.workflow import Change, OwnWork, WorkflowError, reviewable_save, reviewable_transition
from common.plan_cache import plan_data_changed
from common.richtext import rich_text_clean
from common.tabular import RowError

from .models import Indicator, Outcome, Target
from .outcomes import proposed_assessment, share_percent
from .plan_files import SHEETS
from .rollover import RolloverResult as RolloverResult  # the year rollover, a service of its own module
from .rollover import plan_rollover as plan_rollover
from .workflow import indicators_reported

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class SheetSummary:
    title: str
    new: list[str] = field(default_factory=list)  # keys of new rows
    updated: list[str] = field(default_factory=list)  # keys of changed rows
    unchanged: int = 0


@dataclass
class PlanImportResult:
    plan_created: bool = False
    sheets: list[SheetSummary] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def changed(self) -> bool:
        return self.plan_created or any(s.new or s.updated for s in self.sheets)


def _blank(values) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


def _row_key(resource: PlanResource, row: dict) -> str:
    return " / ".join(str(row.get(c) or "").strip() for c in resource.key_columns if str(row.get(c) or "").strip())


def _check_columns(resource: PlanResource, data: tablib.Dataset, title: str) -> list[RowError]:
    headers = set(data.headers or [])
    columns = resource.columns()
    errors = [
        RowError(title, 1, column, _("The column is missing."))
        for column in columns
        if column not in headers and column not in resource.optional_columns
    ]
    errors += [
        RowError(title, 1, header, _("Unknown column."))
        for header in data.headers or []
        if header and header not in columns
    ]
    return errors


def _check_duplicates(resource: PlanResource, data: tablib.Dataset, title: str) -> list[RowError]:
    """Report rows of the file that repeat an earlier row's key."""
    first_seen: dict[tuple, int] = {}
    errors = []
    for number, row in enumerate(data.dict, start=2):
        key = tuple(str(row.get(c) if row.get(c) is not None else "").strip() for c in resource.key_columns)
        if not any(key):
            continue
        if key in first_seen:
            message = _("“%(key)s” is given twice in the file (also on row %(first)s).") % {
                "key": " / ".join(k for k in key if k),
                "first": first_seen[key],
            }
            errors.append(RowError(title, number, resource.key_columns[0], message))
        else:
            first_seen[key] = number
    return errors


def _row_errors(resource: PlanResource, result, title: str) -> list[RowError]:
    column_of = {f.attribute: f.column_name for f in resource.fields.values() if f.attribute}
    errors = []
    for invalid in result.invalid_rows:
        if _blank(invalid.values):
            continue  # an empty line in the sheet: nothing to import, nothing wrong
        seen = set()
        for attribute, messages in sorted(invalid.error_dict.items(), key=lambda item: item[0] == "__all__"):
            column = column_of.get(attribute, "" if attribute == "__all__" else attribute)
            for message in map(str, messages):
                if message not in seen:  # a constraint repeats what clean() said about a field
                    seen.add(message)
                    errors.append(RowError(title, invalid.number + 1, column, message))
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append(RowError(title, number + 1, "", str(error.error)))
    for error in result.base_errors:
        errors.append(RowError(title, 1, "", str(error.error)))
    return errors


def _check_orders(resource: PlanResource, data: tablib.Dataset, title: str) -> list[RowError]:
    """Report file rows whose order is taken by another row under the same parent, once all is in."""
    model = resource._meta.model
    parent = next((f.attribute for f in resource.fields.values() if f.column_name == resource.parent_column), "plan")
    clashes = (
        model.objects.filter(plan=resource.plan).values(parent, "sort_order").annotate(n=Count("pk")).filter(n__gt=1)
    )
    errors = []
    row_of = {str(row.get("kod") or "").strip(): number for number, row in enumerate(data.dict, start=2)}
    for clash in clashes:
        holders = model.objects.filter(plan=resource.plan, sort_order=clash["sort_order"], **{parent: clash[parent]})
        codes = sorted(holders.values_list("code", flat=True))
        for code in codes:
            if code in row_of:
                others = ", ".join(c for c in codes if c != code)
                errors.append(
                    RowError(
                        title,
                        row_of[code],
                        "ordning",
                        _("Order %(order)s is also held by %(others)s.")
                        % {"order": clash["sort_order"], "others": others},
                    )
                )
    return errors


def _plan_for_import(*, committee: Committee, year: int) -> tuple[Plan, bool]:
    """Return the committee's plan for the year, locked for this import; create it if missing."""
    plan = Plan.objects.select_for_update().filter(committee=committee, year=year).first()
    if plan is not None:
        return plan, False
    plan = Plan(committee=committee, year=year)
    plan.full_clean()
    plan.save()
    return plan, True


def plan_import(
    *,
    user: User | None,
    committee: Committee,
    year: int,
    datasets: dict[str, tablib.Dataset],
    dry_run: bool = False,
) -> PlanImportResult:
    """
    Import a committee's plan for a year from the plan file's sheets, all or nothing. Only
    the committee's admins may (``user`` None: the operator, from the command line).

    Rows are matched on their codes, so importing the same file twice changes nothing.
    If any row of any sheet is wrong, nothing is changed and every bad row is reported;
    a dry run reports the same and changes nothing either. Nothing is deleted.
    """
    require_committee_admin(user, committee)
    result = PlanImportResult()
    with transaction.atomic():
        plan_data_changed()  # the resources write in bulk, which sends no signals
        try:
            plan, result.plan_created = _plan_for_import(committee=committee, year=year)
        except ValidationError as e:
            result.errors = [RowError("", 0, "år", m) for m in e.messages]
            transaction.set_rollback(True)
            return result
        for sheet in SHEETS:
            data = datasets.get(sheet.key)
            if data is None:
                continue
            resource = sheet.resource_class(plan)
            structural = _check_columns(resource, data, sheet.title)
            result.errors += structural
            if structural:
                continue
            result.errors += _check_duplicates(resource, data, sheet.title)
            outcome = resource.import_data(data, dry_run=False, use_transactions=True, raise_errors=False)
            result.errors += _row_errors(resource, outcome, sheet.title)
            if "ordning" in data.headers:
                result.errors += _check_orders(resource, data, sheet.title)
            summary = SheetSummary(title=sheet.title)
            for row in outcome.rows:
                if row.import_type == RowResult.IMPORT_TYPE_NEW:
                    summary.new.append(_row_key(resource, row.row_values))
                elif row.import_type == RowResult.IMPORT_TYPE_UPDATE:
                    summary.updated.append(_row_key(resource, row.row_values))
                elif row.import_type == RowResult.IMPORT_TYPE_SKIP:
                    summary.unchanged += 1
            result.sheets.append(summary)
        sheet_order = {s.title: i for i, s in enumerate(SHEETS)}
        result.errors.sort(key=lambda e: (sheet_order.get(e.sheet, -1), e.row))
        if dry_run or result.errors:
            transaction.set_rollback(True)
        else:
            result.applied = True
    return result


OUTCOME_NUMBER_FIELDS = (
    "value", "value_female", "value_male",
    "numerator", "numerator_female", "numerator_male",
    "denominator", "denominator_female", "denominator_male",
)  # fmt: skip
GROUP_SUFFIXES = ("", "_female", "_male")
#: Units whose values of the groups add up to at most the total.
ADDITIVE_UNITS = (Indicator.Unit.COUNT, Indicator.Unit.SEK, Indicator.Unit.KSEK, Indicator.Unit.KM)


def _outcome_values(indicator: Indicator, data: dict) -> dict:
    """Check the figures of an outcome and compute shares from counts; raise ``ValidationError``."""
    values = {name: data.get(name) for name in OUTCOME_NUMBER_FIELDS}
    split = indicator.disaggregation != Indicator.Disaggregation.NONE
    if not split:
        for name in OUTCOME_NUMBER_FIELDS:
            if name.endswith(("_female", "_male")):
                values[name] = None
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name, value in values.items():
        if value is not None and value < 0:
            error(name, _("A count or value cannot be negative."))
    for suffix in GROUP_SUFFIXES:
        numerator, denominator = values[f"numerator{suffix}"], values[f"denominator{suffix}"]
        if (numerator is None) != (denominator is None):
            error(f"denominator{suffix}" if denominator is None else f"numerator{suffix}",
                  _("Give both the count and the total, or neither."))  # fmt: skip
        elif numerator is not None and numerator > denominator:
            error(f"numerator{suffix}", _("The count cannot be larger than the total."))
    additive = ["numerator", "denominator"] + (["value"] if indicator.unit in ADDITIVE_UNITS else [])
    for prefix in additive if split else []:
        total, female, male = values[prefix], values[f"{prefix}_female"], values[f"{prefix}_male"]
        if None not in (total, female, male) and female + male > total:
            error(prefix, _("The groups add up to %(sum)s, more than the total %(total)s.")
                  % {"sum": female + male, "total": total})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    for suffix in GROUP_SUFFIXES:
        share = share_percent(values[f"numerator{suffix}"], values[f"denominator{suffix}"])
        if share is None:
            continue
        typed = values[f"value{suffix}"]
        if typed is not None and typed != share:
            error(f"value{suffix}", _("The counts give %(share)s %%: leave this field empty, or correct the counts.")
                  % {"share": share})  # fmt: skip
        values[f"value{suffix}"] = share
    if indicator.unit == Indicator.Unit.PERCENT:
        for name in ("value", "value_female", "value_male"):
            if values[name] is not None and values[name] > 100:
                error(name, _("A share cannot be above 100 %."))
    if errors:
        raise ValidationError(errors)
    return values


@dataclass(frozen=True)
class OutcomeEdit:
    """What a department typed for one outcome: the page's part (``target``), the outcome as read, what was typed."""

    target: str
    outcome: Outcome
    data: dict
    expected_version: int


def outcome_changes(
    *,
    user: User,
    department: Department,
    period: ReportingPeriod,
    edits: list[OutcomeEdit],
    targets: dict[int, Target | None] | None = None,
    scale_values: list[AssessmentValue] | None = None,
) -> list[Change]:
    """
    Check a department's outcomes of a period (those of one page) for ``reviewable_page_save``,
    in a fixed number of queries however many there are.

    Each edit's ``data`` holds the figures (``OUTCOME_NUMBER_FIELDS``), ``comment``,
    ``assessment``, ``assessment_motivation`` and ``unavailable_reason`` (why there is no
    figure). Shares given as counts are computed. An assessment other than the one the
    target proposes needs a motivation. Only the department's editors may (else
    ``PermissionDenied``), for indicators of the period's plan that the department reports
    (``workflow.department_reports``). Every problem of an outcome is named in its change's
    ``error``. ``targets`` (the plan year's target of each indicator, by id) and
    ``scale_values`` (the plan's outcome scale) are what the page read, else read here.
    """
    if not edits:
        return []
    if not can_edit_department(user, department):
        raise PermissionDenied
    plan = period.plan
    for edit in edits:
        outcome = edit.outcome
        if outcome.department_id != department.pk or outcome.period_id != period.pk:
            raise PermissionDenied
        # The page's rows: checking them needs not read them again.
        outcome.department, outcome.period = department, period
    indicators = [edit.outcome.indicator for edit in edits]
    ids = {indicator.pk for indicator in indicators}
    # An outcome of another plan, or of an indicator the department does not report, is refused.
    if (
        any(i.plan_id != plan.pk for i in indicators)
        or indicators_reported(Indicator.objects.filter(pk__in=ids), department.pk) != ids
    ):
        raise PermissionDenied(_("The department does not report this indicator."))
    if targets is None:
        targets = {t.indicator_id: t for t in Target.objects.filter(indicator__in=ids, year=plan.year, part="")}
    if scale_values is None:
        scale_values = plan.outcome_scale_values() if plan.outcome_scale_id is not None else []
    return [
        _outcome_change(edit, plan=plan, target=targets.get(edit.outcome.indicator_id), scale_values=scale_values)
        for edit in edits
    ]


def _outcome_change(edit: OutcomeEdit, *, plan: Plan, target: Target | None, scale_values) -> Change:
    indicator, data = edit.outcome.indicator, edit.data
    change = Change(edit.target, edit.outcome, edit.expected_version)
    errors: dict[str, list[str]] = {}
    try:
        values = _outcome_values(indicator, data)
    except ValidationError as error:
        errors.update(error.message_dict)
        values = {name: None for name in OUTCOME_NUMBER_FIELDS}
    try:
        values["comment"] = rich_text_clean(data.get("comment", ""))
    except ValidationError as error:
        errors.update(error.message_dict)
    assessment = data.get("assessment")
    scale_id = plan.outcome_scale_id
    if assessment is not None and (scale_id is None or assessment.scale_id != scale_id):
        errors.setdefault("assessment", []).append(_("Choose a value of the committee's scale."))
    motivation = (data.get("assessment_motivation") or "").strip()
    proposed = (
        proposed_assessment(indicator=indicator, value=values["value"], target=target, scale_values=scale_values)
        if scale_id is not None and target is not None
        else None
    )
    if assessment is not None and proposed is not None and assessment != proposed and not motivation:
        errors.setdefault("assessment_motivation", []).append(
            _("The outcome against the target proposes “%(proposed)s”; you chose another: give a motivation.")
            % {"proposed": proposed}
        )
    unavailable = (data.get("unavailable_reason") or "").strip()
    if unavailable and values["value"] is not None:
        errors.setdefault("unavailable_reason", []).append(
            _("Give either the outcome or why it is not available, not both.")
        )
    if errors:
        change.error = ValidationError(errors)
        return change
    values.update(assessment=assessment, assessment_motivation=motivation, unavailable_reason=unavailable)
    change.values = values
    return change


def outcome_save(*, outcome: Outcome, user: User, data: dict, expected_version: int) -> Outcome:
    """
    Save a department's outcome of an indicator, as a draft (the rules of ``outcome_changes``);
    a save from an old version raises ``workflow.Conflict``. Every problem is named in one
    ``ValidationError``.
    """
    [change] = outcome_changes(
        user=user,
        department=outcome.department,
        period=outcome.period,
        edits=[OutcomeEdit("", outcome, data, expected_version)],
    )
    if change.error is not None:
        raise change.error
    return reviewable_save(obj=outcome, expected_version=expected_version, values=change.values, user=user)


def outcome_proposed_assessment(*, outcome: Outcome, value) -> AssessmentValue | None:
    """Return the assessment the indicator's target for the period's year proposes for ``value``."""
    indicator = outcome.indicator
    target = indicator.targets.filter(year=outcome.period.plan.year, part="").first()
    if indicator.plan.outcome_scale_id is None or target is None:
        return None
    return proposed_assessment(
        indicator=indicator, value=value, target=target, scale_values=indicator.plan.outcome_scale_values()
    )


@dataclass
class BulkApproval:
    """What became of the entries a reviewer approved together."""

    approved: list[ProgressEntry] = field(default_factory=list)
    #: Changed, or no longer submitted, since the reviewer read them.
    refused: list[ProgressEntry] = field(default_factory=list)
    #: The reviewer's own work, which another reviewer must approve (``workflow.own_work``).
    own_work: list[ProgressEntry] = field(default_factory=list)

    def own_work_message(self) -> str:
        """Say how many were skipped as the reviewer's own work, which, and why ("" when none)."""
        if not self.own_work:
            return ""
        count = len(self.own_work)
        return ngettext(
            "%(count)s not approved, since you wrote or submitted it yourself; another reviewer must approve "
            "it: %(codes)s.",
            "%(count)s not approved, since you wrote or submitted them yourself; another reviewer must approve "
            "them: %(codes)s.",
            count,
        ) % {"count": count, "codes": ", ".join(f"{e.commitment.code} ({e.department.code})" for e in self.own_work)}


def entries_approve(*, user: User, period: ReportingPeriod, seen: dict[int, int]) -> BulkApproval:
    """
    Approve several entries of a period, each with its outcomes, as a reviewer read them.

    ``seen`` maps entry ids to the version the reviewer saw. Each entry is approved on its
    own; one changed meanwhile (or no longer submitted) is left and reported, and so is one
    the reviewer wrote or submitted themselves where the committee does not allow that.
    """
    result = BulkApproval()
    entries = ProgressEntry.objects.filter(period=period, pk__in=seen).select_related("commitment", "department")
    for entry in entries:
        try:
            # Its outcomes are approved with it (the workflow moves them).
            reviewable_transition(obj=entry, action="approve", user=user, expected_version=seen[entry.pk])
        except OwnWork:
            result.own_work.append(entry)
        except WorkflowError:
            result.refused.append(entry)
        else:
            result.approved.append(entry)
    return result
