"""The pages where departments write their contribution to a goal and reviewers approve it."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from commitments.models import GoalContribution
from tests.commitments.test_goal_contributions import setting  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_each_department_lists_its_goals_and_reviewers_all(client, demo, reviewer, django_assert_max_num_queries):
    url = reverse("followup:contribution_list", args=["asn", "2024-helar"])
    client.force_login(User.objects.get(username="redaktor-stab"))
    page = client.get(url).content.decode()
    row_links = re.compile(r'href="/n/asn/2024-helar/bidrag/[^"]')  # not the filter's "clear" link
    assert len(row_links.findall(page)) == 7  # KF07, KF08, KF12, KF13, KF14; priorities P4, P5
    assert "Godkänd" in page
    client.force_login(reviewer)
    with django_assert_max_num_queries(15):  # with the filters' four lists of choices (goal area, goal, assessment)
        page = client.get(url).content.decode()
    assert len(row_links.findall(page)) == 22  # 14 goals, 5 priorities, 3 budget assignments
    assert page[page.index("<table") :].count("Delvis uppnåtts") == 4  # (the filter offers it too)


def test_the_department_writes_assesses_and_submits_and_the_reviewer_approves(client, setting, reviewer):  # noqa: F811
    url = reverse("followup:contribution", args=["asn", "2019-helar", "NM03", "EBB"])
    client.force_login(setting["editor"])
    page = client.get(url).content.decode()
    assert "Bedömning av målet för året" in page  # a committee goal: its own follow-up, not a contribution
    data = {
        "comment": "<p>Fler hushåll är självförsörjande.</p>", "version": 0,
        "assessment": setting["year"]["uppnatts"].pk, "assessment_motivation": "",
        "mandate_assessment": setting["mandate"]["forflyttning"].pk, "mandate_motivation": "Arbetet fortsätter.",
    }  # fmt: skip
    refused = client.post(url, {**data, "action": "submit"})
    assert refused.status_code == 400
    assert "Ange vad bedömningen grundar sig på" in refused.content.decode()
    # Only what is wrong is named: a comment and an assessment were written.
    assert "Skriv en kommentar eller välj en bedömning" not in refused.content.decode()
    assert "Fler hushåll är självförsörjande." in refused.content.decode()  # what was typed is kept
    assert not GoalContribution.objects.filter(period=setting["period"]).exists()
    data["assessment_motivation"] = "Bedömningen baseras på att fler hushåll blivit självförsörjande."
    assert client.post(url, {**data, "action": "submit"}).status_code == 302
    contribution = GoalContribution.objects.get(period=setting["period"])
    assert (contribution.status, contribution.assessment.code) == ("submitted", "uppnatts")

    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "Godkänn" in page
    assert "<form" in page
    response = client.post(url, {"action": "approve", "version": contribution.version}, follow=True)
    assert "Godkänd." in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.status == "approved"


def test_a_reviewer_returns_with_a_reason_or_not_at_all(client, setting, reviewer):  # noqa: F811
    from commitments.services import goal_contribution_save
    from commitments.workflow import reviewable_transition

    contribution = goal_contribution_save(
        contribution=GoalContribution(
            goal=setting["goal"], period=setting["period"], department=setting["department"]
        ),
        user=setting["editor"], comment="<p>Text</p>", assessment=None, assessment_motivation="",
        mandate_assessment=None, mandate_motivation="", expected_version=0,
    )  # fmt: skip
    reviewable_transition(obj=contribution, action="submit", user=setting["editor"])
    url = reverse("followup:contribution", args=["asn", "2019-helar", "NM03", "EBB"])
    client.force_login(reviewer)
    response = client.post(url, {"action": "return", "version": 2, "reason": ""}, follow=True)
    assert "Ange ett skäl" in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.status == "submitted"
    client.post(url, {"action": "return", "version": 2, "reason": "Motivera bedömningen."})
    contribution.refresh_from_db()
    assert contribution.status == "returned"


def test_a_priority_is_followed_up_in_text_without_assessments(client, demo):
    client.force_login(User.objects.get(username="granskare"))
    page = client.get(reverse("followup:contribution", args=["asn", "2024-helar", "P1", "BTS"])).content.decode()
    assert "Hållbara boendelösningar" in page
    assert "Malmö stads hemlöshetskartläggning 2024" in page
    assert "Bedömning av bidraget för året" not in page
