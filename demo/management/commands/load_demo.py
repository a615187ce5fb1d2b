"""
Load the demo committee (ASN) from demo/data: the committee file asn.json through the same
loader as ``manage.py load_committee``, then what only the demo has (demo.json): its plans' files,
the departments' follow-ups and texts, the finance tables, and the demo users' password.
"""

import csv
import datetime
import json
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from commitments.models import (
    Commitment,
    Department,
    Goal,
    GoalContribution,
    Membership,
    Plan,
    ProgressEntry,
    ReportingPeriod,
    ReviewStatus,
)
from commitments.selectors import goal_contribution_get_or_new, progress_entry_get_or_new
from commitments.services import goal_contribution_save, progress_entry_save
from commitments.workflow import reviewable_transition
from common.plan_cache import plan_data_changed
from finance.services import finance_import
from indicators.models import Indicator, Outcome
from indicators.plan_files import read_paths, read_plan_files
from indicators.selectors import outcome_get_or_new
from indicators.services import outcome_save, plan_import
from onboarding.committee_file import committee_file_load, committee_file_read
from reports.models import (
    KeyFigure,
    KeyFigureTable,
    KeyFigureTableRow,
    KeyFigureValue,
    ReportDefinition,
    ReportKind,
    ReportSection,
    SectionText,
)
from reports.services import report_sections_replace, section_text_save

DATA = Path(__file__).resolve().parent.parent.parent / "data"
DEFAULT_PASSWORD = "uppfoljning-demo"  # noqa: S105 (demo only; printed by the command)


def upsert(model, lookup: dict, values: dict):
    """Create or update one row, validated like any other write; an unchanged row is not written."""
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if obj.pk is None or changed:
        obj.full_clean()
        obj.save()
    return obj


def keep_open(spec: dict, extras: dict) -> None:
    """
    Give the periods that the demo keeps open (``open_for_days`` in demo.json) a deadline that
    many days from today, in the committee file's data; renewed only once it has passed.
    """
    today = timezone.localdate()
    for extra in extras["plans"]:
        plan = next(p for p in spec["plans"] if p["year"] == extra["year"])
        for slug, days in extra.get("open_for_days", {}).items():
            period = next(p for p in plan["periods"] if p["slug"] == slug)
            existing = ReportingPeriod.objects.filter(
                plan__committee__slug=spec["committee"]["slug"], plan__year=extra["year"], slug=slug
            ).first()
            if existing is not None and existing.deadline >= today:
                period["deadline"] = existing.deadline.isoformat()
            else:
                period["deadline"] = (today + datetime.timedelta(days=days)).isoformat()


def editor_of(department: Department):
    membership = Membership.objects.filter(department=department, role=Membership.Role.EDITOR).select_related("user")
    return membership.first().user


def submit_and_approve(row, *, editor, reviewer) -> None:
    """Take a written entry or outcome through review as the department and the reviewer did."""
    row = reviewable_transition(obj=row, action="submit", user=editor)
    reviewable_transition(obj=row, action="approve", user=reviewer)


def load_report(*, plan: Plan, content: dict, reviewer) -> None:
    """
    Give the plan's report of a kind its sections (the report template), unless it has
    sections already, and write the text sections for the period as their departments'
    editors did, approved. Texts go only into the demo's own template (the same headings and
    contents in the same order), never into sections an admin has changed; texts that exist
    already are left as they are.
    """
    kind = content["kind"]
    if not ReportSection.objects.filter(plan=plan, kind=kind).exists():
        report_sections_replace(user=None, plan=plan, kind=kind, sections=content["sections"])
    period = ReportingPeriod.objects.get(plan=plan, slug=content["period"])
    if SectionText.objects.filter(period=period, section__plan=plan, section__kind=kind).exists():
        return
    sections = list(
        ReportSection.objects.filter(plan=plan, kind=kind).select_related("department").order_by("sort_order", "pk")
    )
    ours = [(item.get("heading", ""), item["source"]) for item in content["sections"]]
    if [(section.heading, section.source) for section in sections] != ours:
        return
    with period_opened(period):
        for section, item in zip(sections, content["sections"], strict=True):
            text = item.get("text", "")
            if section.source != ReportSection.Source.NARRATIVE or not text:
                continue
            editor = editor_of(section.department)
            saved = section_text_save(
                text=SectionText(section=section, period=period, department=section.department),
                user=editor, comment=text, expected_version=0,
            )  # fmt: skip
            submit_and_approve(saved, editor=editor, reviewer=reviewer)


def load_key_figures(*, plan: Plan, directory: Path) -> None:
    """
    Give the committee its key figures with their values per year (``nyckeltal.csv``, one
    column a year) and the plan its key-figure tables (``tabeller.csv``: caption, the goal
    they are shown with, years, chart, the figures' codes in order). Loading twice changes
    nothing.
    """
    committee = plan.committee
    with open(directory / "nyckeltal.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            values = {
                "name": row["namn"], "change_label": row["förändringsrad"], "unit": row["enhet"],
                "decimals": int(row["decimaler"]),
            }  # fmt: skip
            figure = upsert(KeyFigure, {"committee": committee, "code": row["kod"]}, values)
            for column, text in row.items():
                if column.isdigit() and text.strip():
                    upsert(KeyFigureValue, {"figure": figure, "year": int(column)}, {"value": Decimal(text)})
    with open(directory / "tabeller.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            values = {
                "caption": row["bildtext"], "first_year": int(row["första_år"]), "last_year": int(row["sista_år"]),
                "chart": row["diagram"] == "ja",
                "goal": Goal.objects.get(plan=plan, code=row["mål"]) if row["mål"] else None,
            }  # fmt: skip
            table = upsert(KeyFigureTable, {"plan": plan, "code": row["kod"]}, values)
            for order, code in enumerate(row["nyckeltal"].split(";"), start=1):
                figure = KeyFigure.objects.get(committee=committee, code=code)
                upsert(KeyFigureTableRow, {"table": table, "figure": figure}, {"sort_order": order})


@contextmanager
def period_opened(period: ReportingPeriod):
    """
    Open a closed period while the demo's departments write in it (the services write only
    in an open period), then close it again with its deadline as it was.
    """
    as_it_was = {"status": period.status, "deadline": period.deadline}
    ReportingPeriod.objects.filter(pk=period.pk).update(
        status=ReportingPeriod.Status.OPEN, deadline=timezone.localdate()
    )
    plan_data_changed()  # an update sends no signal, and the pages keep what they read of periods
    period.refresh_from_db()
    try:
        yield period
    finally:
        ReportingPeriod.objects.filter(pk=period.pk).update(**as_it_was)
        plan_data_changed()
        period.refresh_from_db()


def load_follow_up(*, plan: Plan, content: dict, reviewer) -> None:
    """
    Write a period's entries, outcomes and contributions as the departments' editors did, and
    approve them.

    The services write only in an open period, so a closed period is opened for the load and
    closed again afterwards, with its deadline as it was. Entries and outcomes that exist
    already are left as they are, so that loading twice changes nothing.
    """
    period = ReportingPeriod.objects.get(plan=plan, slug=content["period"])
    if content.get("introduction"):  # the committee admin's text; a later edit is kept
        ReportDefinition.objects.get_or_create(
            period=period, kind=ReportKind.FOLLOW_UP, defaults={"introduction": content["introduction"]}
        )
    for kind, values in content.get("reports", {}).items():  # e.g. the plan proposal's occasion line
        ReportDefinition.objects.get_or_create(period=period, kind=kind, defaults=values)
    # What this file writes, written already (a period's follow-up may come in several files).
    goals = [item["goal"] for item in content.get("contributions", [])]
    done = (
        (content.get("entries") and ProgressEntry.objects.filter(period=period).exists())
        or (content.get("outcomes") and Outcome.objects.filter(period=period).exists())
        or GoalContribution.objects.filter(period=period, goal__plan=plan, goal__code__in=goals).exists()
    )
    if done:
        return
    with period_opened(period):
        _write_follow_up(plan=plan, period=period, content=content, reviewer=reviewer)


def _write_follow_up(*, plan: Plan, period: ReportingPeriod, content: dict, reviewer) -> None:
    scale_values = {v.code: v for v in plan.commitment_scale.values.all()} if plan.commitment_scale else {}
    departments = {d.code: d for d in plan.committee.departments.all()}
    for item in content.get("contributions", []):
        department = departments[item["department"]]
        editor = editor_of(department)
        contribution = goal_contribution_save(
            contribution=goal_contribution_get_or_new(
                goal=Goal.objects.get(plan=plan, code=item["goal"]), period=period, department=department
            ),
            user=editor,
            comment=item["comment"],
            # Priorities and budget assignments are followed up without assessments.
            assessment=plan.goal_year_scale.values.get(code=item["assessment"]) if "assessment" in item else None,
            assessment_motivation=item.get("assessment_motivation", ""),
            mandate_assessment=(
                plan.goal_mandate_scale.values.get(code=item["mandate_assessment"])
                if "mandate_assessment" in item
                else None
            ),
            mandate_motivation=item.get("mandate_motivation", ""),
            assessment_sentence=item.get("assessment_sentence", ""),
            mandate_sentence=item.get("mandate_sentence", ""),
            expected_version=0,
        )
        submit_and_approve(contribution, editor=editor, reviewer=reviewer)
    # The outcomes first: an entry is submitted and approved with the outcomes on its page.
    saved_outcomes = []
    for item in content.get("outcomes", []):
        department = departments[item["department"]]
        data = {"value": item["value"], "comment": item["comment"]}
        for group, suffix in (("total", ""), ("women", "_female"), ("men", "_male")):
            counts = (item.get("breakdown") or {}).get(group)
            if counts:
                data[f"numerator{suffix}"] = counts["numerator"]
                data[f"denominator{suffix}"] = counts["denominator"]
        editor = editor_of(department)
        outcome = outcome_save(
            outcome=outcome_get_or_new(
                indicator=Indicator.objects.get(plan=plan, code=item["indicator"]),
                period=period,
                department=department,
            ),
            user=editor,
            data=data,
            expected_version=0,
        )
        saved_outcomes.append((outcome, editor))
    for item in content.get("entries", []):
        department = departments[item["department"]]
        editor = editor_of(department)
        entry = progress_entry_save(
            entry=progress_entry_get_or_new(
                commitment=Commitment.objects.get(plan=plan, code=item["commitment"]),
                period=period,
                department=department,
            ),
            user=editor,
            comment=item["comment"],
            assessment=scale_values.get(item["assessment"]) if item["assessment"] else None,
            expected_version=0,
        )
        submit_and_approve(entry, editor=editor, reviewer=reviewer)
    for outcome, editor in saved_outcomes:
        outcome.refresh_from_db()
        if outcome.status == ReviewStatus.DRAFT:  # on no entry's page of its department
            submit_and_approve(outcome, editor=editor, reviewer=reviewer)


class Command(BaseCommand):
    help = "Läs in demonämnden (ASN 2019) med avdelningar, skalor, perioder, användare och plan."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help=f"lösenord för demoanvändarna (utan DEBUG krävs det; annars {DEFAULT_PASSWORD})"
        )

    @transaction.atomic
    def handle(self, *args, password, **options):
        if password is None:
            if not settings.DEBUG:
                # The demo admin is staff: never with a published password outside development.
                raise CommandError("Ange --password: demoanvändarnas standardlösenord används bara med DEBUG.")
            password = DEFAULT_PASSWORD
        spec = committee_file_read((DATA / "asn.json").read_bytes())  # the committee file
        extras = json.loads((DATA / "demo.json").read_text(encoding="utf-8"))  # what only the demo needs
        keep_open(spec, extras)
        loaded = committee_file_load(spec)
        if loaded.problems:
            raise CommandError("\n".join(str(p) for p in loaded.problems))
        committee = loaded.committee

        for p in extras["plans"]:
            plan = Plan.objects.get(committee=committee, year=p["year"])
            datasets = read_plan_files(read_paths([str(DATA / p["files"])]))
            result = plan_import(user=None, committee=committee, year=p["year"], datasets=datasets)
            if result.errors:
                raise CommandError("\n".join(str(e) for e in result.errors))
            if (DATA / p["files"] / "nyckeltal").is_dir():
                load_key_figures(plan=plan, directory=DATA / p["files"] / "nyckeltal")

        User = get_user_model()
        logins = []
        for u in spec["users"]:
            user = User.objects.get(username=u["username"])
            user.set_password(password)
            user.save()
            department = Department.objects.get(committee=committee, code=u["department"]) if u["department"] else None
            logins.append((u["username"], Membership.Role(u["role"]).label, department))

        reviewer = User.objects.get(username=next(u["username"] for u in spec["users"] if u["role"] == "reviewer"))
        for p in extras["plans"]:
            plan = Plan.objects.get(committee=committee, year=p["year"])
            for name in p.get("follow_ups", []):
                content = json.loads((DATA / p["files"] / name).read_text(encoding="utf-8"))
                load_follow_up(plan=plan, content=content, reviewer=reviewer)
            for name in p.get("reports", []):
                content = json.loads((DATA / p["files"] / name).read_text(encoding="utf-8"))
                load_report(plan=plan, content=content, reviewer=reviewer)

        # The årsanalys 2024's finance tables, imported as a committee admin would; an unchanged file changes nothing.
        admin_username = next(u["username"] for u in spec["users"] if u["role"] == "committee_admin")
        finance = finance_import(
            period=ReportingPeriod.objects.get(plan__committee=committee, slug="2024-helar"),
            file=DATA / "asn-2024" / "ekonomi",
            user=User.objects.get(username=admin_username),
        )
        if finance.errors:
            raise CommandError("\n".join(str(e) for e in finance.errors))

        self.stdout.write(self.style.SUCCESS(f"Demonämnden {committee.name} är inläst."))
        self.stdout.write("Inloggningar (användarnamn / lösenord / roll):")
        for username, role, department in logins:
            where = f", {department.name}" if department else ""
            self.stdout.write(f"  {username:<14} {password}   {role}{where}")
