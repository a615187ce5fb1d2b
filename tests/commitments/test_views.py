"""Login, the base page and the security headers."""

import re

import pytest
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_swedish(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Logga in" in html
    assert "Användarnamn" in html
    assert "Lösenord" in html


def test_login_with_demo_user_shows_committee_and_user(client, editor):
    response = client.post(reverse("login"), {"username": "redaktor", "password": DEMO_PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rasmus Redaktör" in html
    assert "Arbetsmarknads- och socialnämnden" in html
    assert "Redaktör (Arbetsmarknadsavdelningen)" in html
    assert "januari–augusti 2019" in html
    assert "Logga ut" in html


def test_wrong_password_gives_a_swedish_message(client, editor):
    response = client.post(reverse("login"), {"username": "redaktor", "password": "fel"})
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()


def test_repeated_failed_logins_are_throttled(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "redaktor", "password": "fel"})
    response = client.post(reverse("login"), {"username": "redaktor", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_send_a_csp_without_inline_script(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'self'" in script_src
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_user_without_membership_is_told_to_ask_for_access(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert "Du är inte medlem i någon nämnd" in response.content.decode()


def test_home_page_query_count_does_not_grow_with_plans(client, reviewer, django_assert_max_num_queries):
    from tests.factories import PlanFactory, ReportingPeriodFactory

    client.force_login(reviewer)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("home"))
    for year in (2020, 2021, 2022):
        ReportingPeriodFactory(plan=PlanFactory(committee=reviewer.memberships.get().committee, year=year))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("home"))
    assert "Plan 2022" in response.content.decode()
