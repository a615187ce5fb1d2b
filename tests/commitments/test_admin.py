"""The admin for committee admins: scoped to their committee, with the plan import's steps."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, Goal, Membership, Plan
from indicators.selectors import plan_export
from tests.factories import CommitteeFactory, DepartmentFactory, GoalAreaFactory, GoalFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo):
    return Plan.objects.get(committee=demo, year=2019)


@pytest.fixture
def other_goal(demo):
    """A goal of another committee that ASN's admin must not see."""
    return GoalFactory(goal_area__plan=PlanFactory(committee=CommitteeFactory(name="Kulturnämnden")))


def test_committee_admin_sees_own_goals_only(client, committee_admin, other_goal):
    client.force_login(committee_admin)
    response = client.get(reverse("admin:commitments_goal_changelist"))
    assert response.status_code == 200
    assert "39 mål" in response.content.decode()  # 17 in 2019; in 2024, 14 goals, 5 priorities, 3 assignments
    assert client.get(reverse("admin:commitments_goal_change", args=[other_goal.pk])).status_code == 302
    assert Goal.objects.filter(pk=other_goal.pk).exists()


def test_committee_admin_cannot_change_another_committees_goal(client, committee_admin, other_goal):
    client.force_login(committee_admin)
    client.post(reverse("admin:commitments_goal_change", args=[other_goal.pk]), {"text": "Kapat"})
    other_goal.refresh_from_db()
    assert other_goal.text != "Kapat"


def test_goal_admin_search_and_filter(client, committee_admin, plan):
    client.force_login(committee_admin)
    url = reverse("admin:commitments_goal_changelist")
    assert "1 mål" in client.get(url, {"q": "digitaliseringsens"}).content.decode()
    area = plan.goal_areas.get(code="MO2")
    html = client.get(url, {"goal_area__id__exact": area.pk}).content.decode()
    assert "4 mål" in html


def test_staff_reviewer_sees_only_the_entries_in_the_admin(client, reviewer):
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Inrapporteringar" in html
    assert "Målområden" not in html
    assert client.get(reverse("admin:commitments_goal_changelist")).status_code == 403


@pytest.mark.parametrize("username", ["redaktor", "lasare"])
def test_other_roles_cannot_enter_the_admin(client, demo, username):
    from accounts.models import User

    user = User.objects.get(username=username)
    user.is_staff = True  # even as staff, without the committee admin role
    user.save()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_plan_export_and_import_with_preview(client, committee_admin, plan):
    client.force_login(committee_admin)
    export = client.get(reverse("admin:commitments_plan_export", args=[plan.pk, "xlsx"]))
    assert export.status_code == 200
    assert export["Content-Disposition"] == 'attachment; filename="plan-asn-2019.xlsx"'

    csv = client.get(reverse("admin:commitments_plan_export", args=[plan.pk, "ataganden"]))
    assert csv.content.decode("utf-8-sig").startswith("år,kod,mål,text")
    assert csv.content.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads å, ä, ö

    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(export.content))
    workbook["Mål"]["E2"].value = "Ny lydelse via admin"
    out = BytesIO()
    workbook.save(out)
    out.name = "plan.xlsx"
    out.seek(0)
    url = reverse("admin:commitments_plan_import", args=[plan.pk])
    preview = client.post(url, {"file": out})
    html = preview.content.decode()
    assert "Förhandsgranskning" in html
    assert Goal.objects.get(plan=plan, code="NM01").text != "Ny lydelse via admin"
    token = preview.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 302
    assert Goal.objects.get(plan=plan, code="NM01").text == "Ny lydelse via admin"


def test_admin_import_lists_bad_rows_and_changes_nothing(client, committee_admin, plan):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(committee_admin)
    workbook = load_workbook(BytesIO(plan_export(plan=plan).export("xlsx")))
    workbook["Mål"]["C3"].value = "MO99"
    out = BytesIO()
    workbook.save(out)
    out.name = "plan.xlsx"
    out.seek(0)
    response = client.post(reverse("admin:commitments_plan_import", args=[plan.pk]), {"file": out})
    html = response.content.decode()
    assert "Filen har 1 fel. Ingenting har ändrats." in html
    assert "MO99" in html
    assert "token" not in response.context or not response.context.get("token")


def test_admin_import_of_a_non_xlsx_file_is_refused(client, committee_admin, plan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(committee_admin)
    response = client.post(
        reverse("admin:commitments_plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("plan.xlsx", b"not a workbook")},
    )
    assert "inte en Excel-arbetsbok" in response.content.decode()


def test_committee_admin_cannot_import_into_another_committees_plan(client, committee_admin):
    foreign = PlanFactory(committee=CommitteeFactory())
    client.force_login(committee_admin)
    response = client.get(reverse("admin:commitments_plan_import", args=[foreign.pk]))
    assert response.status_code == 404


def test_membership_form_offers_only_own_committees(client, committee_admin):
    CommitteeFactory(name="Kulturnämnden")
    client.force_login(committee_admin)
    html = client.get(reverse("admin:commitments_membership_add")).content.decode()
    assert "Arbetsmarknads- och socialnämnden" in html
    assert "Kulturnämnden" not in html


def test_new_committee_admin_gets_the_admin_for_their_committee(client):
    committee = CommitteeFactory()
    user = UserFactory(is_staff=True)
    Membership.objects.create(user=user, committee=committee, role="committee_admin")
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_preview_lists_the_changed_codes(client, committee_admin, plan):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(committee_admin)
    workbook = load_workbook(BytesIO(plan_export(plan=plan).export("xlsx")))
    workbook["Mål"]["E3"].value = "Ändrad lydelse"
    out = BytesIO()
    workbook.save(out)
    out.name = "plan.xlsx"
    out.seek(0)
    response = client.post(reverse("admin:commitments_plan_import", args=[plan.pk]), {"file": out})
    assert "NM02" in response.content.decode()
    assert [s.updated for s in response.context["result"].sheets if s.title == "Mål"] == [["NM02"]]


def test_commitment_added_in_admin_takes_its_plan_from_the_goal(client, committee_admin, plan):
    client.force_login(committee_admin)
    goal = plan.goals.get(code="NM01")
    department = plan.committee.departments.get(code="STAB")
    response = client.post(
        reverse("admin:commitments_commitment_add"),
        {"goal": goal.pk, "code": "A99", "text": "Förvaltningen ska pröva något nytt.", "departments": [department.pk],
         "sort_order": 5},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Commitment.objects.get(code="A99").plan == plan


def test_commitment_code_must_be_unique_within_the_plan_in_the_admin(client, committee_admin, plan):
    client.force_login(committee_admin)
    goal = plan.goals.get(code="NM01")
    response = client.post(
        reverse("admin:commitments_commitment_add"),
        {"goal": goal.pk, "code": "A02", "text": "Dubblett", "departments": [plan.committee.departments.first().pk],
         "sort_order": 7},
    )  # fmt: skip
    assert response.status_code == 200
    assert "finns redan" in response.content.decode()


def test_goal_cannot_be_moved_to_another_years_plan(client, committee_admin, plan):
    later = PlanFactory(committee=plan.committee, year=2020)
    area = GoalAreaFactory(plan=later)
    goal = plan.goals.get(code="NM01")
    client.force_login(committee_admin)
    response = client.post(
        reverse("admin:commitments_goal_change", args=[goal.pk]),
        {"goal_area": area.pk, "code": "NM01", "level": "committee", "text": goal.text, "sort_order": 9,
         "contributes": "on", "commitments-TOTAL_FORMS": 0, "commitments-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "annat års plan" in response.content.decode()
    goal.refresh_from_db()
    assert goal.plan == plan


def test_goal_page_lists_commitments_without_adding_any(client, committee_admin, plan):
    client.force_login(committee_admin)
    goal = plan.goals.get(code="NM09")
    html = client.get(reverse("admin:commitments_goal_change", args=[goal.pk])).content.decode()
    assert "A13" in html
    assert 'id="commitments-empty"' not in html


def test_plan_without_year_is_a_form_error_not_a_crash(client, committee_admin):
    from commitments.models import MandatePeriod

    client.force_login(committee_admin)
    response = client.post(
        reverse("admin:commitments_plan_add"),
        {"committee": committee_admin.memberships.get().committee_id, "year": "", "status": "adopted",
         "mandate_period": MandatePeriod.objects.first().pk, "periods-TOTAL_FORMS": 0, "periods-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Detta fält måste fyllas i" in response.content.decode()


def test_membership_form_hides_other_committees_staff(client, committee_admin):
    outsider = UserFactory(first_name="Kultur", last_name="Person")
    Membership.objects.create(user=outsider, committee=CommitteeFactory(), role="reviewer")
    UserFactory(first_name="Ny", last_name="Anställd")
    client.force_login(committee_admin)
    html = client.get(reverse("admin:commitments_membership_add")).content.decode()
    assert "Ny Anställd" in html
    assert "Kultur Person" not in html


def test_year_filter_offers_only_own_years(client, committee_admin):
    GoalFactory(goal_area__plan=PlanFactory(committee=CommitteeFactory(), year=2037))
    client.force_login(committee_admin)
    html = client.get(reverse("admin:commitments_goal_changelist")).content.decode()
    assert "?year=2019" in html
    assert "2037" not in html


def test_commitment_cannot_get_another_committees_department(client, committee_admin, plan):
    other = CommitteeFactory()
    Membership.objects.create(user=committee_admin, committee=other, role="committee_admin")
    foreign_department = DepartmentFactory(committee=other)
    client.force_login(committee_admin)
    response = client.post(
        reverse("admin:commitments_commitment_add"),
        {"goal": plan.goals.get(code="NM01").pk, "code": "A98", "text": "x", "departments": [foreign_department.pk],
         "sort_order": 8},
    )  # fmt: skip
    assert response.status_code == 200
    assert "annan nämnd" in response.content.decode()
    assert not Commitment.objects.filter(code="A98").exists()
