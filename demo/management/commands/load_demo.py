"""Load the demo committee (ASN) from demo/data: organisation, scales, periods, users, plans."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments.models import (
    AssessmentScale,
    AssessmentValue,
    Committee,
    Department,
    MandatePeriod,
    Membership,
    Plan,
    ReportingPeriod,
)
from indicators.plan_files import read_paths, read_plan_files
from indicators.services import plan_import

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
                upsert(ReportingPeriod, {"plan": plan, "slug": period["slug"]}, period)
            datasets = read_plan_files(read_paths([str(DATA / p["files"])]))
            result = plan_import(committee=committee, year=p["year"], datasets=datasets)
            if result.errors:
                raise CommandError("\n".join(str(e) for e in result.errors))

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

        self.stdout.write(self.style.SUCCESS(f"Demonämnden {committee.name} är inläst."))
        self.stdout.write("Inloggningar (användarnamn / lösenord / roll):")
        for username, role, department in logins:
            where = f", {department.name}" if department else ""
            self.stdout.write(f"  {username:<10} {password}   {role}{where}")
