"""
Goal-level follow-up: a committee without åtaganden whose departments follow up its goals
and report the goals' indicators on the goal's page, through the one workflow.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commitments.models import AssessmentScale, AssessmentValue, GoalContribution, Membership, ReviewStatus
from indicators.models import Outcome, PriorOutcome
from indicators.selectors import outcome_get_or_new
from indicators.services import outcome_save
from indicators.workflow import department_reports, goal_page_indicators
from tests.factories import (
    CommitteeFactory,
    DepartmentFactory,
    GoalAreaFactory,
    GoalFactory,
    IndicatorFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kultur():
    """
    A committee shaped unlike ASN: perspectives, goals measured by indicators, no åtaganden.
    "Fler besökare" is followed up by BIB and FRI; its visitor count is reported by both, its
    loan count by BIB alone.
    """
    committee = CommitteeFactory(slug="kfn", name="Kultur- och fritidsnämnden", short_name="KFN")
    bib = DepartmentFactory(committee=committee, code="BIB", name="Biblioteken")
    fri = DepartmentFactory(committee=committee, code="FRI", name="Fritidsavdelningen")
    scale = AssessmentScale.objects.create(
        committee=committee, code="mal", name="Måluppfyllelse", applies_to="goal_year"
    )
    for order, (code, label, symbol) in enumerate(
        [("uppfyllt", "Uppfyllt", "●"), ("delvis", "Delvis uppfyllt", "◐"), ("ej", "Ej uppfyllt", "○")]
    ):
        AssessmentValue.objects.create(scale=scale, code=code, label=label, symbol=symbol, sort_order=order)
    year = timezone.localdate().year
    # No commitment scale: the goal scale assesses the outcomes too.
    plan = PlanFactory(committee=committee, year=year, goal_year_scale=scale)
    perspective = GoalAreaFactory(plan=plan, code="MEDB", name="Medborgare")
    goal = GoalFactory(goal_area=perspective, code="M1", text="Fler besöker kulturen och fritiden")
    goal.departments.set([bib, fri])
    visitors = IndicatorFactory(goal=goal, code="BES", name="Antal besök", unit="antal")
    loans = IndicatorFactory(goal=goal, code="LAN", name="Andel utlån till barn", unit="%")
    loans.departments.set([bib])
    TargetFactory(indicator=visitors, year=year, value=120000, comparator="at_least")
    TargetFactory(indicator=loans, year=year, value=40, comparator="at_least")
    PriorOutcome.objects.create(indicator=visitors, year=year - 1, value=110000)
    period = ReportingPeriodFactory(
        plan=plan, slug=f"{year}-helar", name="helår", end=datetime.date(year, 12, 31),
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    users = {
        "bib": MembershipFactory(committee=committee, department=bib, role="editor", user=UserFactory()).user,
        "fri": MembershipFactory(committee=committee, department=fri, role="editor", user=UserFactory()).user,
        "reader": MembershipFactory(committee=committee, department=bib, role="reader", user=UserFactory()).user,
        "reviewer": MembershipFactory(committee=committee, role="reviewer", user=UserFactory()).user,
        "committee_admin": MembershipFactory(committee=committee, role="committee_admin", user=UserFactory()).user,
    }
    return {
        "committee": committee, "plan": plan, "period": period, "goal": goal, "bib": bib, "fri": fri,
        "visitors": visitors, "loans": loans, "scale": {v.code: v for v in scale.values.all()}, "users": users,
    }  # fmt: skip


def page_url(k, department="BIB"):
    return reverse("followup:contribution", args=["kfn", k["period"].slug, "M1", department])


def outcome_data(code, value, **extra):
    """The fields of an outcome's form on the page (prefixed o-CODE), with ``extra`` named without the prefix."""
    fields = {"value": value, "version": 0, "comment": ""} | extra
    return {f"o-{code}-{name}": v for name, v in fields.items()}


def test_each_department_is_asked_only_for_the_indicators_it_reports(client, kultur):
    k = kultur
    assert list(goal_page_indicators(k["goal"].pk, k["bib"].pk)) == [k["visitors"], k["loans"]]
    assert list(goal_page_indicators(k["goal"].pk, k["fri"].pk)) == [k["visitors"]]
    assert (department_reports(k["loans"], k["bib"].pk), department_reports(k["loans"], k["fri"].pk)) == (True, False)

    client.force_login(k["users"]["fri"])
    page = client.get(page_url(k, "FRI")).content.decode()
    assert "Antal besök" in page
    assert "Andel utlån till barn" not in page
    assert "Uppföljning av målet" in page
    assert "Bedömning av målet för året" in page
    assert "mandatperiod" not in page  # the plan has no scale for the mandate period


def test_a_department_writes_the_goal_and_its_outcomes_in_one_step_and_they_are_reviewed_together(client, kultur):
    k = kultur
    client.force_login(k["users"]["bib"])
    data = {
        "comment": "<p>Besöken ökade.</p>", "version": 0, "assessment": k["scale"]["delvis"].pk,
        "assessment_motivation": "Bedömningen baseras på besöken.", "action": "submit",
        **outcome_data("BES", "125000"),
    }  # fmt: skip
    refused = client.post(page_url(k), data)
    assert refused.status_code == 400
    assert "Andel utlån till barn: ange utfallet, eller skriv varför det saknas." in refused.content.decode()
    assert not GoalContribution.objects.filter(period=k["period"]).exists()  # nothing kept
    assert not Outcome.objects.filter(period=k["period"]).exists()

    data |= outcome_data("LAN", "", unavailable_reason="Mäts i december.")
    data["o-BES-assessment"] = k["scale"]["uppfyllt"].pk  # the goal scale assesses outcomes (no commitment scale)
    assert client.post(page_url(k), data).status_code == 302
    contribution = GoalContribution.objects.get(period=k["period"])
    outcomes = {o.indicator.code: o for o in Outcome.objects.filter(period=k["period"]).select_related("indicator")}
    assert contribution.status == ReviewStatus.SUBMITTED
    assert {code: o.status for code, o in outcomes.items()} == {"BES": "submitted", "LAN": "submitted"}
    assert (outcomes["BES"].value, outcomes["BES"].department) == (125000, k["bib"])
    assert outcomes["BES"].assessment == k["scale"]["uppfyllt"]

    client.force_login(k["users"]["reviewer"])
    page = client.get(page_url(k)).content.decode()
    assert "Mäts i december." in page
    client.post(page_url(k), {"action": "approve", "version": contribution.version})
    assert set(Outcome.objects.filter(period=k["period"]).values_list("status", flat=True)) == {"approved"}
    # The log leads from an outcome to the page it is written on.
    assert outcomes["BES"].get_absolute_url() == page_url(k) + "#part-BES"


def test_a_department_cannot_report_an_indicator_named_for_another(kultur):
    k = kultur
    outcome = outcome_get_or_new(indicator=k["loans"], period=k["period"], department=k["fri"])
    with pytest.raises(PermissionDenied):
        outcome_save(outcome=outcome, user=k["users"]["fri"], data={"value": 40}, expected_version=0)


def test_the_goal_page_reads_in_the_same_number_of_queries_however_many_indicators(
    client, kultur, django_assert_max_num_queries
):
    k = kultur
    client.force_login(k["users"]["bib"])
    client.get(page_url(k))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(page_url(k))
    for n in range(6):
        indicator = IndicatorFactory(goal=k["goal"], code=f"X{n}", name=f"Mätetal {n}")
        TargetFactory(indicator=indicator, year=k["plan"].year, value=n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(page_url(k)).content.decode()
    assert "Mätetal 5" in page


# The goal page with its outcome forms, for every role: GET and a POST that saves one outcome.
GOAL_PAGE_ROLES = {
    "anonymous": (302, 302),
    "bib": (200, 302),  # BIB's editor saves its draft
    "fri": (404, 404),  # FRI follows up the goal too, but does not read BIB's page
    "reader": (200, 403),  # BIB's reader reads it and writes nothing
    "reviewer": (200, 403),  # reviewers read it; they act only with a review action
    "committee_admin": (200, 403),
    "outsider": (404, 404),
}


def test_every_role_gets_the_expected_answer_on_a_goal_page_with_outcomes(kultur):
    k = kultur
    outsider = UserFactory()
    Membership.objects.create(user=outsider, committee=CommitteeFactory(), role="reviewer")
    users = k["users"] | {"anonymous": None, "outsider": outsider}
    failures = []
    for role, expected in GOAL_PAGE_ROLES.items():
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        data = {"comment": "", "version": 0, **outcome_data("BES", "100"), **outcome_data("LAN", "")}
        got = (client.get(page_url(k)).status_code, client.post(page_url(k), data).status_code)
        if got != expected:
            failures.append(f"{role}: expected {expected}, got {got}")
    assert failures == []
    # Only BIB's editor saved anything.
    assert list(Outcome.objects.filter(period=k["period"]).values_list("department__code", "value")) == [("BIB", 100)]


def test_the_list_and_the_start_page_name_the_goals(client, kultur):
    k = kultur
    client.force_login(k["users"]["reviewer"])
    home = client.get(reverse("home")).content.decode()
    assert reverse("followup:contribution_list", args=["kfn", k["period"].slug]) in home
    assert reverse("followup:list", args=["kfn", k["period"].slug]) not in home  # no åtaganden, no such list
    listing = client.get(reverse("followup:contribution_list", args=["kfn", k["period"].slug])).content.decode()
    assert f"Uppföljning av mål helår {k['plan'].year}" in listing
    assert listing.count("/bidrag/M1/") == 2  # BIB and FRI


def indicator_sheet(rows):
    import tablib

    headers = ["år", "kod", "mål", "åtagande", "nivå", "namn", "typ", "enhet", "riktning", "uppdelning", "ordning",
               "rapporterande"]  # fmt: skip
    return tablib.Dataset(*rows, headers=headers)


def test_the_plan_file_names_who_reports_an_indicator_and_refuses_a_department_that_cannot(kultur):
    from indicators.services import plan_import

    k = kultur
    year = k["plan"].year
    row = [year, "NY1", "M1", "", "målindikator", "Nya låntagare", "kvantitativ", "antal", "högre", "ingen", 50]
    result = plan_import(
        user=k["users"]["committee_admin"], committee=k["committee"], year=year,
        datasets={"indikatorer": indicator_sheet([[*row, "FRI"]])},
    )  # fmt: skip
    assert result.errors == []
    assert list(k["plan"].indicators.get(code="NY1").departments.values_list("code", flat=True)) == ["FRI"]

    other = DepartmentFactory(committee=k["committee"], code="ADM", name="Administrationen")
    result = plan_import(
        user=k["users"]["committee_admin"], committee=k["committee"], year=year,
        datasets={"indikatorer": indicator_sheet([[*row, "FRI, ADM"], [*row[:1], "NY2", *row[2:], "XYZ"]])},
    )  # fmt: skip
    messages = [(e.row, e.column, e.message) for e in result.errors]
    assert (2, "rapporterande", f"{other.code} kan inte rapportera den. Ett åtagandes indikator rapporteras av "
            "avdelningar som ansvarar för åtagandet; ett måls egen indikator av avdelningar som följer upp målet, "
            "eller där ingen gör det, av dem som ansvarar för något av dess åtaganden.") in messages  # fmt: skip
    assert any(row == 3 and "XYZ" in message for row, _column, message in messages)
    assert list(k["plan"].indicators.get(code="NY1").departments.values_list("code", flat=True)) == ["FRI"]


def test_the_history_of_a_goal_page_shows_the_follow_up_and_its_outcomes(client, kultur):
    k = kultur
    client.force_login(k["users"]["bib"])
    data = {"comment": "<p>Första.</p>", "version": 0, **outcome_data("BES", "1000"), **outcome_data("LAN", "30")}
    client.post(page_url(k), data)
    data = {"comment": "<p>Andra.</p>", "version": 1, **outcome_data("BES", "1200", version=1)}
    data |= outcome_data("LAN", "30", version=1)
    client.post(page_url(k), data)
    history = reverse("followup:contribution_history", args=["kfn", k["period"].slug, "M1", "BIB"])
    page = client.get(history).content.decode()
    assert "Historik för M1, Biblioteken" in page
    assert '<del><span class="visually-hidden">borttaget: </span>Första.</del>' in page
    assert "Sparade versioner av utfallet: Antal besök" in page
    assert (
        page.count('<del><span class="visually-hidden">borttaget: </span>1000</del>') == 1
    )  # the outcome's change, 1000 → 1200


def test_a_goal_that_departments_follow_up_has_its_indicators_reported_by_them_only(kultur):
    """A department responsible for a commitment under the goal is not asked for the goal's own indicators."""
    from indicators.workflow import entry_page_indicators
    from tests.factories import CommitmentFactory

    k = kultur
    other = DepartmentFactory(committee=k["committee"], code="ADM", name="Administrationen")
    commitment = CommitmentFactory(goal=k["goal"], code="A1", departments=[other])
    assert list(entry_page_indicators(commitment, other.pk)) == []
    assert department_reports(k["visitors"], other.pk) is False
    # A goal that nobody follows up: its own indicators stand on the entry pages of its commitments.
    k["goal"].departments.clear()
    # (The loan count names BIB as the department that reports it.)
    assert list(entry_page_indicators(commitment, other.pk)) == [k["visitors"]]
    assert department_reports(k["visitors"], other.pk) is True


def test_the_admin_checks_who_reports_an_indicator_as_the_plan_file_does(kultur, rf):
    from django.contrib import admin

    k = kultur
    superuser = UserFactory(username="superkfn", is_superuser=True, is_staff=True)
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[type(k["loans"])]
    form_class = model_admin.get_form(request, k["loans"])
    other = DepartmentFactory(committee=k["committee"], code="ADM", name="Administrationen")
    foreign = DepartmentFactory(code="UTE", name="En annan nämnds avdelning")
    # The indicator as the admin's form shows it, with other reporting departments.
    data = {name: value for name, value in form_class(instance=k["loans"]).initial.items() if value is not None}
    for departments, message in (
        ([other], "ADM kan inte rapportera den."),
        ([foreign], "Avdelningen hör till en annan nämnd."),
    ):
        form = form_class({**data, "departments": [d.pk for d in departments]}, instance=k["loans"])
        assert not form.is_valid()
        assert any(message in error for error in form.errors["departments"]), form.errors
    form = form_class({**data, "departments": [k["fri"].pk]}, instance=k["loans"])
    assert form.is_valid(), form.errors
