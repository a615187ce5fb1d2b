"""
Measure the department pages on a synthetic city: ``python -m bench.pages`` (``make bench``).

Builds a city of 15 committees with about 2,400 commitments in a throwaway PostgreSQL
database, then requests each page through Django's test client and prints the median and
95th percentile response times and the number of queries. Figures, not a pass/fail test.
"""

import datetime
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asn.settings.test")
django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from bench.database import throwaway_database
from commitments.models import (
    AssessmentScale,
    AssessmentValue,
    Commitment,
    Committee,
    Department,
    Goal,
    GoalArea,
    Membership,
    Plan,
    ProgressEntry,
    ReportingPeriod,
    ReviewStatus,
)
from common.plan_cache import plan_data_changed
from indicators.models import Indicator, Target

COMMITTEES = 15
DEPARTMENTS = 6
GOAL_AREAS = 9
GOALS = 17
COMMITMENTS_PER_GOAL = 9  # 17 × 9 = 153 per committee, 2,295 in the city
#: Every third commitment has an indicator (a share by sex, with its counts); the second
#: commitment of each goal has this many, as ASN's A05 has five outcomes by sex: the heaviest
#: entry page. Those of even-numbered goals belong to D1, a department with no entry approved.
MANY_OUTCOMES = 5
RUNS = 40
SCALE = [("a", "●", "achieved"), ("b", "◆", "partly"), ("c", "■", "not_achieved")]


def build_city(committees: int = COMMITTEES) -> dict:
    """Create the synthetic city with bulk writes; return a few objects to measure with."""
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    samples = {}
    for c in range(committees):
        committee = Committee.objects.create(
            slug=f"n{c}", name=f"Nämnd {c}", short_name=f"N{c}", organisation="Syntetiska kommunen"
        )
        scale = AssessmentScale.objects.create(committee=committee, code="s", name="Skala", applies_to="commitment")
        AssessmentValue.objects.bulk_create(
            AssessmentValue(scale=scale, code=code, label=code, symbol=s, meaning=m, sort_order=i)
            for i, (code, s, m) in enumerate(SCALE)
        )
        departments = Department.objects.bulk_create(
            Department(committee=committee, code=f"D{d}", name=f"Avdelning {d}", sort_order=d)
            for d in range(DEPARTMENTS)
        )
        plan = Plan.objects.create(committee=committee, year=2019, commitment_scale=scale)
        period = ReportingPeriod.objects.create(
            plan=plan,
            slug="2019-jan-aug",
            name="januari–augusti",
            start=datetime.date(2019, 1, 1),
            end=datetime.date(2019, 8, 31),
            deadline=deadline,
        )
        areas = GoalArea.objects.bulk_create(
            GoalArea(plan=plan, code=f"MO{a}", number=a + 1, name=f"Målområde {a}", sort_order=a)
            for a in range(GOAL_AREAS)
        )
        goals = Goal.objects.bulk_create(
            Goal(plan=plan, goal_area=areas[g % GOAL_AREAS], code=f"NM{g}", text=f"Mål {g}", sort_order=g)
            for g in range(GOALS)
        )
        commitments = Commitment.objects.bulk_create(
            Commitment(plan=plan, goal=goal, code=f"A{g}-{k}", text=f"Förvaltningen ska göra {g}-{k}.", sort_order=k)
            for g, goal in enumerate(goals)
            for k in range(COMMITMENTS_PER_GOAL)
        )
        Commitment.departments.through.objects.bulk_create(
            Commitment.departments.through(commitment=cm, department=departments[i % DEPARTMENTS])
            for i, cm in enumerate(commitments)
        )
        shares = [(f"AI{i}", cm) for i, cm in enumerate(commitments[::3])]
        shares += [
            (f"AI{g}-{n}", cm)
            for g, cm in enumerate(commitments[1::COMMITMENTS_PER_GOAL])
            for n in range(MANY_OUTCOMES)
        ]
        indicators = Indicator.objects.bulk_create(
            Indicator(
                plan=plan,
                goal=cm.goal,
                commitment=cm,
                level="commitment",
                code=code,
                name=f"Andel {code}",
                unit="%",
                direction="higher",
                disaggregation="women_men",
                sort_order=100 + i,
            )
            for i, (code, cm) in enumerate(shares)
        )
        Target.objects.bulk_create(Target(indicator=ind, year=2019, value=40) for ind in indicators)
        ProgressEntry.objects.bulk_create(
            ProgressEntry(
                commitment=cm,
                period=period,
                department=departments[i % DEPARTMENTS],
                version=1,
                comment="<p>" + "Arbetet går enligt plan. " * 40 + "</p>",
                status="approved",
            )
            for i, cm in enumerate(commitments)
            if i % 2 == 0
        )
        editor = User.objects.create(username=f"red{c}", first_name="Red", last_name=str(c))
        reviewer = User.objects.create(username=f"gr{c}", first_name="Gr", last_name=str(c))
        Membership.objects.create(user=editor, committee=committee, department=departments[0], role="editor")
        Membership.objects.create(user=reviewer, committee=committee, role="reviewer")
        if c == committees // 2:
            samples = {
                "editor": editor,
                "reviewer": reviewer,
                "period": period,
                "commitment": commitments[0],
                "department": departments[0],
                "many_outcomes": commitments[1],  # D1's (departments[1])
            }
    plan_data_changed()  # bulk writes send no signals (common.plan_cache)
    return samples


#: The department of which half the entries are set to "submitted", for the reviewers' pages.
SUBMITTED_DEPARTMENT = "D2"


def submit_half(period) -> list[ProgressEntry]:
    """Set every other entry of ``SUBMITTED_DEPARTMENT`` in the period to "submitted", for the reviewers' pages."""
    entries = ProgressEntry.objects.filter(period=period, department__code=SUBMITTED_DEPARTMENT).order_by("pk")
    chosen = list(entries.values_list("pk", flat=True)[::2])
    ProgressEntry.objects.filter(pk__in=chosen).update(status=ReviewStatus.SUBMITTED)
    return list(ProgressEntry.objects.filter(pk__in=chosen).select_related("commitment", "department"))


def measure(client: Client, url: str) -> tuple[float, float, int, int]:
    for _ in range(3):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    rows = len(response.context.get("rows", response.context.get("lines", [])))
    p95 = statistics.quantiles(times, n=20)[-1]
    return statistics.median(times), p95, len(queries.captured_queries), rows


def main() -> int:
    with throwaway_database():
        started = time.perf_counter()
        s = build_city()
        built = time.perf_counter() - started
        print(
            f"Synthetic city: {Committee.objects.count()} committees, {Commitment.objects.count()} commitments, "
            f"{Indicator.objects.count()} indicators, {ProgressEntry.objects.count()} entries (built in {built:.1f} s)"
        )
        committee, period = s["period"].plan.committee, s["period"]
        base = f"/n/{committee.slug}/{period.slug}/ataganden/"
        pages = [
            ("Mina åtaganden, editor (one department)", s["editor"], base),
            ("Mina åtaganden, reviewer (whole committee)", s["reviewer"], base),
            ("Overview, reviewer (whole committee)", s["reviewer"], f"/n/{committee.slug}/{period.slug}/oversikt/"),
            (
                "Entry page (commitment with an indicator)",
                s["editor"],
                f"{base}{s['commitment'].code}/{s['department'].code}/",
            ),
        ]
        print(f"{'page':<46} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'rows':>5}")
        for name, user, url in pages:
            client = Client()
            client.force_login(user)
            median, p95, queries, rows = measure(client, url)
            print(f"{name:<46} {median:>10.1f} {p95:>8.1f} {queries:>8} {rows:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
