"""Load the demo committee (ASN) from demo/data: organisation, scales, periods, users, plans."""

import csv
import datetime
import json
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from commitments.models import (
    AssessmentScale,
    AssessmentValue,
    Commitment,
    Committee,
    Department,
    Goal,
    GoalContribution,
    MandatePeriod,
    Membership,
    Plan,
    ProgressEntry,
    ReportingPeriod,
    ReviewStatus,
)
from commitments.selectors import goal_contribution_get_or_new, progress_entry_get_or_new
from commitments.services import goal_contribution_save, progress_entry_save
from commitments.workflow import reviewable_transition
from finance.services import finance_import
from indicators.models import Indicator, Outcome
from indicators.plan_files import read_paths, read_plan_files
from indicators.selectors import outcome_get_or_new
from indicators.services import outcome_save, plan_import
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
from reports.services import report_layouts_load, report_sections_replace, section_text_save

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


def demo_date(text: str, existing: ReportingPeriod | None) -> datetime.date:
    """Read a date; “+60d” is 60 days from today, renewed once it has passed, so the demo stays open."""
    if not text.startswith("+"):
        return datetime.date.fromisoformat(text)
    today = timezone.localdate()
    if existing is not None and existing.deadline >= today:
        return existing.deadline
    return today + datetime.timedelta(days=int(text[1:].removesuffix("d")))


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
    period.refresh_from_db()
    try:
        yield period
    finally:
        ReportingPeriod.objects.filter(pk=period.pk).update(**as_it_was)
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


def load_report_layouts(*, committee: Committee, spec: dict) -> None:
    """The committee's report layouts, from the file's "report_layouts" (created or updated)."""
    try:
        report_layouts_load(committee=committee, items=spec.get("report_layouts", []))
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error


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
        spec = json.loads((DATA / "asn.json").read_text(encoding="utf-8"))
        committee = upsert(Committee, {"slug": spec["committee"]["slug"]}, spec["committee"])
        load_report_layouts(committee=committee, spec=spec)
        mandates = [upsert(MandatePeriod, {"start_year": m["start_year"]}, m) for m in spec["mandate_periods"]]

        departments: dict[str, Department] = {}
        for d in spec["departments"]:
            values = {**d, "parent": departments.get(d["parent"]) if d["parent"] else None}
            departments[d["code"]] = upsert(Department, {"committee": committee, "code": d["code"]}, values)

        scales: dict[str, AssessmentScale] = {}
        for s in spec["scales"]:
            values = {k: v for k, v in s.items() if k != "values"}
            scale = upsert(AssessmentScale, {"committee": committee, "code": s["code"]}, values)
            for order, v in enumerate(s["values"], start=1):
                upsert(AssessmentValue, {"scale": scale, "code": v["code"]}, {**v, "sort_order": order})
            scales[s["code"]] = scale

        for p in spec["plans"]:
            mandate = next(m for m in mandates if m.start_year <= p["year"] <= m.end_year)
            plan = upsert(
                Plan,
                {"committee": committee, "year": p["year"]},
                {
                    "status": p["status"],
                    "mandate_period": mandate,
                    "commitment_scale": scales.get(p.get("commitment_scale")),
                    "goal_year_scale": scales.get(p.get("goal_year_scale")),
                    "goal_mandate_scale": scales.get(p.get("goal_mandate_scale")),
                },
            )
            for period in p["periods"]:
                existing = ReportingPeriod.objects.filter(plan=plan, slug=period["slug"]).first()
                values = {**period, "deadline": demo_date(period["deadline"], existing)}
                upsert(ReportingPeriod, {"plan": plan, "slug": period["slug"]}, values)
            datasets = read_plan_files(read_paths([str(DATA / p["files"])]))
            result = plan_import(user=None, committee=committee, year=p["year"], datasets=datasets)
            if result.errors:
                raise CommandError("\n".join(str(e) for e in result.errors))
            if (DATA / p["files"] / "nyckeltal").is_dir():
                load_key_figures(plan=plan, directory=DATA / p["files"] / "nyckeltal")

        User = get_user_model()
        logins = []
        for u in spec["users"]:
            user = User.objects.filter(username=u["username"]).first() or User(username=u["username"])
            user.first_name, user.last_name, user.is_staff = u["first_name"], u["last_name"], u["is_staff"]
            user.email = f"{u['username']}@example.org"
            user.set_password(password)
            user.save()
            department = departments[u["department"]] if u["department"] else None
            upsert(Membership, {"user": user, "committee": committee, "department": department, "role": u["role"]}, {})
            logins.append((u["username"], Membership.Role(u["role"]).label, department))

        reviewer = User.objects.get(username=next(u["username"] for u in spec["users"] if u["role"] == "reviewer"))
        for p in spec["plans"]:
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
